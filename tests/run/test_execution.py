"""Notebooks executed for real by run_collection (each test starts kernels)."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import re

import nbformat
import pytest

import kinerja
from kinerja.paths import PROJ_ROOT
from kinerja.run import run_collection

from .conftest import FIXTURES

pytestmark = pytest.mark.notebooks


def test_report_has_embedded_figure_no_code_and_its_records(
    tmp_path, toy_dataset, monkeypatch, kinerja_kernel, caplog, capsys
):
    # MPLBACKEND=Agg in the caller's environment would make figures vanish silently;
    # the runner keeps it away from the kernel. The caller's cwd must not matter either.
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "reports"
    with caplog.at_level(logging.INFO, logger="kinerja.run"):
        summary = run_collection(
            toy_dataset,
            years=2020,
            out=out,
            notebooks=[FIXTURES / "ok_figure.ipynb"],
            parameters={"n_points": "7", "scale": "0.5", "show_title": "no"},
            progress=False,
        )
    # quiet: no bar, a log record per notebook; papermill's inspector (which cannot read the
    # standard out_dir line) does not warn about parameters the runner already checked
    assert capsys.readouterr().err == ""
    noise = [r.getMessage() for r in caplog.records if r.name.startswith("papermill") and r.levelno >= logging.WARNING]
    assert noise == []
    assert [r.getMessage().split()[:2] for r in caplog.records if r.name == "kinerja.run"] == [
        ["ok", "toy/2020/ok_figure"]
    ]

    folder = out / "toy" / "2020"
    assert summary.ok, summary.failure_table()
    assert summary.report_dirs == [folder]
    (result,) = summary.results
    assert (result.output, result.html) == (folder / "ok_figure.ipynb", folder / "ok_figure.html")

    html = result.html.read_text(encoding="utf-8")
    assert re.search(r'<img [^>]*src="data:image/png;base64,', html), "figure not embedded"
    assert "Fixture report" in html  # markdown is kept
    assert "CODE_MARKER_NOT_IN_HTML" not in html and "plt.subplots" not in html  # code is not
    assert "n_points=7 scale=0.5" in html  # printed output is
    assert "CODE_MARKER_NOT_IN_HTML" in result.output.read_text(encoding="utf-8")  # the .ipynb keeps the code

    # parameters arrived with their declared types; kernel ran in the project root, inline backend
    checks = json.loads((folder / "ok_figure_checks.json").read_text())
    assert checks["types"] == ["str", "int", "str", "int", "float", "bool", "str"]
    assert checks["values"] == [7, 0.5, False, "toy"]
    assert checks["cwd"] == str(PROJ_ROOT)
    assert "inline" in checks["mplbackend"]

    record = json.loads((folder / "parameters.json").read_text(encoding="utf-8"))
    assert (record["dataset"], record["year"], record["data"]) == ("toy", 2020, str(toy_dataset.resolve()))
    assert record["status"] == "ok"
    assert record["kinerja_version"] == kinerja.__version__
    assert record["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", record["git_commit"])
    started = dt.datetime.fromisoformat(record["started"])
    assert started.tzinfo is not None and dt.datetime.fromisoformat(record["finished"]) >= started
    assert record["kernel"]["name"] == "kinerja"
    entry = record["notebooks"]["ok_figure"]
    assert entry["parameters"] == {
        "data": str(toy_dataset.resolve()),
        "year": 2020,
        "out_dir": str(folder),
        "n_points": 7,
        "scale": 0.5,
        "show_title": False,
    }
    assert entry["status"] == "ok" and entry["error"] is None
    assert entry["sha256"] == hashlib.sha256((FIXTURES / "ok_figure.ipynb").read_bytes()).hexdigest()

    lines = (folder / "environment.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==\S+", line) for line in pins)
    names = [line.split("==")[0].lower() for line in pins]
    assert names == sorted(names) and len(set(names)) == len(names)
    for name in ("papermill", "nbconvert", "matplotlib", "kinerja"):
        assert f"{name}=={importlib.metadata.version(name)}" in pins


def test_failing_notebook_is_reported_with_its_cell_and_others_still_run(tmp_path, toy_dataset, kinerja_kernel, capsys):
    out = tmp_path / "reports"
    summary = run_collection(
        toy_dataset,
        years=[2020],
        out=out,
        notebooks=[FIXTURES / "fails.ipynb", FIXTURES / "second.ipynb"],
        progress=True,
    )
    folder = out / "toy" / "2020"

    # progress: a line per finished notebook with its duration (and the bar) on stderr
    err = capsys.readouterr().err
    assert re.search(r"FAILED  toy/2020/fails  \d+\.\d s  \(cell 3 \[In 4\]: ValueError: planted failure", err)
    assert re.search(r"ok      toy/2020/second  \d+\.\d s", err)

    assert not summary.ok
    assert [r.notebook for r in summary.results] == ["fails", "second"]
    failed, passed = summary.results
    assert passed.ok and (folder / "second_done.txt").read_text() == f"{toy_dataset.resolve()} 2020"
    assert summary.failures == [failed]
    error = failed.error
    assert (error.cell_index, error.execution_count) == (3, 4)  # 4th cell; In [4] after the injected cell
    assert error.source_line == "total = x + 1"
    assert (error.ename, error.evalue) == ("ValueError", "planted failure (total=2)")

    # the failed notebook and its HTML are written, with the traceback
    nb = nbformat.read(folder / "fails.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in nb.cells for o in c.get("outputs", []))
    assert "planted failure (total=2)" in (folder / "fails.html").read_text(encoding="utf-8")

    record = json.loads((folder / "parameters.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed"
    assert record["notebooks"]["second"]["status"] == "ok"
    assert record["notebooks"]["fails"]["error"] == {
        "cell_index": 3,
        "execution_count": 4,
        "source_line": "total = x + 1",
        "ename": "ValueError",
        "evalue": "planted failure (total=2)",
    }

    table = summary.failure_table()
    assert table.splitlines()[0] == "1 of 2 notebooks failed:"
    assert re.search(
        r"toy/2020/fails\s+cell 3 \[In 4\]\s+ValueError: planted failure \(total=2\)\s+total = x \+ 1", table
    )


def test_cell_timeout_fails_the_notebook_at_that_cell(tmp_path, toy_dataset, kinerja_kernel):
    out = tmp_path / "reports"
    summary = run_collection(
        toy_dataset, years=[2020], out=out, notebooks=[FIXTURES / "slow.ipynb"], timeout=2, progress=False
    )
    (result,) = summary.results
    assert result.duration < 30
    assert result.error.ename == "CellTimeoutError"
    assert result.error.evalue == "cell exceeded the timeout of 2 s (--timeout)"
    assert (result.error.cell_index, result.error.source_line) == (1, "import time")
    # the executed notebook and its HTML say why they stop
    assert "timeout of 2 s" in result.html.read_text(encoding="utf-8")


def test_output_notebook_is_written_sparsely_while_it_runs_and_whole_at_the_end(
    tmp_path, toy_dataset, kinerja_kernel, monkeypatch
):
    # papermill rewrote the whole output notebook when every cell started and ended (two
    # writes per cell: 0.44 s of notebook 01's 10 s); the runner's engine writes it at
    # most every SAVE_EVERY seconds while cells run, and once at the end
    import papermill.engines

    from kinerja.run import runner

    writes = []
    real_write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: (writes.append(path), real_write(nb, path)))
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "kinerja", "display_name": "Python (kinerja)", "language": "python"}}
    params = nbformat.v4.new_code_cell('data = ""\nyear = 0\nout_dir = ""')
    params.metadata["tags"] = ["parameters"]
    n_cells = 40
    nb.cells = [params] + [nbformat.v4.new_code_cell(f"print('cell {i}')") for i in range(n_cells)]
    path = tmp_path / "many_cells.ipynb"
    nbformat.write(nb, path)

    summary = run_collection(toy_dataset, years=2020, out=tmp_path / "reports", notebooks=[path], progress=False)
    (result,) = summary.results
    assert result.ok, summary.failure_table()
    executed = nbformat.read(result.output, as_version=4)
    printed = "".join(o["text"] for c in executed.cells for o in c.get("outputs", []) if o.get("name") == "stdout")
    assert printed == "".join(f"cell {i}\n" for i in range(n_cells))  # the last write holds every output
    assert all(c.metadata.papermill.status == "completed" for c in executed.cells)
    seconds = float(executed.metadata.papermill.duration)
    assert 1 <= len(writes) <= 2 + seconds / runner.SAVE_EVERY, (len(writes), seconds)  # was 2 x 42 + 2
