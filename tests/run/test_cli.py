"""The ``kinerja`` command: options, output and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import nbformat
import pytest

from kinerja.paths import PROJ_ROOT
from kinerja.run import cli

from .conftest import FIXTURES


def _nb(name: str) -> str:
    return str(FIXTURES / f"{name}.ipynb")


@pytest.mark.notebooks
def test_jobs_2_runs_two_notebooks_in_parallel_and_exits_0(tmp_path, toy_dataset, kinerja_kernel, capsys):
    out = tmp_path / "reports"
    code = cli.main(
        [
            "run",
            "--data",
            str(toy_dataset),
            "--year",
            "2020",
            "--out",
            str(out),
            "--jobs",
            "2",
            "--notebook",
            _nb("second"),
            _nb("ok_figure"),
            "-p",
            "sleep_s=1.5",
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == cli.EXIT_OK, captured.err
    assert "2 notebooks ran" in captured.out
    folder = out / "toy" / "2020"
    for name in ("second", "ok_figure"):
        assert (folder / f"{name}.ipynb").is_file() and (folder / f"{name}.html").is_file()
    # both kernels were busy at the same time
    spans = []
    for name in ("second", "ok_figure"):
        meta = nbformat.read(folder / f"{name}.ipynb", as_version=4).metadata.papermill
        spans.append((dt.datetime.fromisoformat(meta.start_time), dt.datetime.fromisoformat(meta.end_time)))
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1, f"notebooks did not overlap: {spans}"
    record = json.loads((folder / "parameters.json").read_text())
    assert record["notebooks"]["second"]["parameters"]["sleep_s"] == 1.5
    assert "sleep_s" not in record["notebooks"]["ok_figure"]["parameters"]  # only declared parameters

    # the folder now records a run: running again is refused (2) unless --overwrite
    code = cli.main(
        ["run", "--data", str(toy_dataset), "--year", "2020", "--out", str(out), "--notebook", _nb("second"), "--quiet"]
    )
    assert code == cli.EXIT_REFUSED
    assert "already holds a run" in capsys.readouterr().err


@pytest.mark.notebooks
def test_failing_notebook_exits_1_with_failure_table(tmp_path, toy_dataset, kinerja_kernel, capsys):
    out = tmp_path / "reports"
    code = cli.main(
        [
            "run",
            "--data",
            str(toy_dataset),
            "--year",
            "2021",
            "--out",
            str(out),
            "--notebook",
            _nb("fails"),
            _nb("second"),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == cli.EXIT_FAILED
    assert "1 of 2 notebooks failed:" in captured.out
    assert "toy/2021/fails" in captured.out and "cell 3 [In 4]" in captured.out
    assert "ValueError: planted failure (total=2)" in captured.out
    assert str(out / "toy" / "2021") in captured.out

    # --overwrite replaces the whole folder: a report folder records exactly one run
    code = cli.main(
        [
            "run",
            "--data",
            str(toy_dataset),
            "--year",
            "2021",
            "--out",
            str(out),
            "--notebook",
            _nb("second"),
            "--quiet",
            "--overwrite",
        ]
    )
    assert code == cli.EXIT_OK
    assert sorted(p.name for p in (out / "toy" / "2021").iterdir()) == [
        "environment.txt",
        "parameters.json",
        "second.html",
        "second.ipynb",
        "second_done.txt",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notebook", _nb("no_parameters")], "has no code cell tagged 'parameters'"),
        (["--notebook", _nb("second"), "-p", "nope=1"], "unknown parameter 'nope'"),
        (["--notebook", _nb("ok_figure"), "-p", "n_points=1.5"], "-p n_points=1.5: expected an int"),
        (["--notebook", "no_such_notebook"], "--notebook no_such_notebook: is not a notebook"),
        (["--notebook", _nb("second"), "--year", "1990"], "dataset 'toy' has no year 1990"),
        (["--notebook", _nb("second"), "--kernel", "no-such-kernel"], "kernel 'no-such-kernel' is not installed"),
    ],
)
def test_refused_runs_exit_2_and_write_nothing(args, message, tmp_path, toy_dataset, kinerja_kernel, capsys):
    out = tmp_path / "reports"
    code = cli.main(["run", "--data", str(toy_dataset), "--out", str(out), "--quiet", *args])
    err = capsys.readouterr().err
    assert code == cli.EXIT_REFUSED
    assert message in err and "nothing was run" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--year", "2020"], "--data is required"),
        (["run", "--data", "x", "-p", "no_equals_sign"], "expected name=value"),
        (["run", "--data", "x", "--jobs", "0"], "must be at least 1"),
        (["run", "--data", "x", "--timeout", "soon"], "expected a number of seconds"),
        (["run", "--data", "x", "--year", "twenty"], "invalid int value"),
    ],
)
def test_bad_arguments_exit_2(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code == cli.EXIT_REFUSED
    assert message in capsys.readouterr().err


def test_list_prints_notebooks_and_parameters(capsys):
    code = cli.main(["run", "--list", "--notebook", _nb("ok_figure"), _nb("no_parameters")])
    out = capsys.readouterr().out
    assert code == cli.EXIT_OK
    assert "ok_figure" in out and "* n_points: int = 10  # points on the line" in out
    assert 'out_dir: str = ""' in out
    assert "no_parameters" in out and "! refused: has no code cell tagged 'parameters'" in out


def test_python_m_kinerja_help_documents_the_commands():
    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "kinerja", *args], capture_output=True, text=True, cwd=PROJ_ROOT, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    top = run("--help")
    assert "run" in top and "kinerja <command> --help" in top
    sub = run("run", "--help")
    for option in (
        "--data",
        "--year",
        "--out",
        "--notebook",
        "--jobs",
        "--timeout",
        "--kernel",
        "-p NAME=VALUE",
        "--list",
        "--overwrite",
        "exit codes:",
    ):
        assert option in sub
    assert run("--version").strip().startswith("kinerja ")


@pytest.mark.parametrize("args, expected", [([], None), (["--no-fork"], False)])
def test_no_fork_reaches_the_runner(args, expected, monkeypatch, tmp_path):
    seen = {}

    def fake_run_collection(**kwargs):
        seen.update(kwargs)
        raise cli.runner.RunConfigurationError("stop here")

    monkeypatch.setattr(cli.runner, "run_collection", fake_run_collection)
    code = cli.main(["run", "--data", "batu", "--out", str(tmp_path), *args])
    assert code == cli.EXIT_REFUSED
    assert seen["fork_kernels"] is expected
