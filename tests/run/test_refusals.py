"""Runs that are refused before anything is executed (no kernel starts)."""

from __future__ import annotations

import json

import pytest

from kinerja.run import KernelNotInstalledError, RunConfigurationError, run_collection
from kinerja.run import runner as run

from .conftest import FIXTURES


@pytest.fixture
def refused(tmp_path, toy_dataset, kinerja_kernel):
    """Call run_collection on the toy dataset; return the refusal message."""
    out = tmp_path / "reports"

    def call(notebooks, **kwargs):
        kwargs.setdefault("years", [2020])
        with pytest.raises(RunConfigurationError) as info:
            run_collection(
                toy_dataset, out=out, notebooks=[FIXTURES / f"{n}.ipynb" for n in notebooks], progress=False, **kwargs
            )
        assert not (out / "toy").exists(), "a refused run must not write anything"
        return str(info.value)

    return call


def test_notebook_without_parameters_cell_is_refused(refused):
    message = refused(["ok_figure", "no_parameters"])
    assert "no_parameters.ipynb: has no code cell tagged 'parameters'" in message


def test_notebook_lacking_a_standard_parameter_is_refused(refused):
    message = refused(["missing_standard"])
    assert "missing_standard.ipynb" in message and "standard parameter(s) out_dir" in message


def test_unknown_parameter_is_refused(refused):
    message = refused(["ok_figure", "second"], parameters={"n_pionts": "5"})
    assert "unknown parameter 'n_pionts': none of the selected notebooks declares it" in message
    assert "n_points" in message  # the declared ones are listed


def test_parameter_declared_only_by_an_unselected_notebook_is_refused(refused):
    message = refused(["second"], parameters={"n_points": "5"})
    assert "unknown parameter 'n_points'" in message


def test_standard_parameters_cannot_be_given_with_p(refused):
    message = refused(["second"], parameters={"year": "2021", "out_dir": "/tmp/x"})
    assert "use --year instead of -p year" in message and "use --out instead of -p out_dir" in message


def test_value_that_does_not_convert_is_refused(refused):
    message = refused(["ok_figure"], parameters={"n_points": "ten", "show_title": "maybe"})
    assert "-p n_points=ten: expected an int, got 'ten' (declared in ok_figure.ipynb as `n_points: int" in message
    assert "-p show_title=maybe: expected a bool" in message


def test_all_problems_are_reported_at_once(refused):
    message = refused(["no_parameters", "ok_figure"], parameters={"bogus": "1"}, years=[1999])
    assert message.startswith("3 problems:")
    assert "dataset 'toy' has no year 1999 (its years: 2020, 2021)" in message


def test_missing_dataset_is_refused(tmp_path, toy_dataset, kinerja_kernel):
    with pytest.raises(RunConfigurationError, match=r"--data \S*nowhere: no dataset folder at "):
        run_collection(tmp_path / "nowhere", out=tmp_path, notebooks=[FIXTURES / "second.ipynb"], progress=False)


def test_missing_kernel_is_refused_with_install_hint(tmp_path, toy_dataset, monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    def no_kernel(self, name):
        raise NoSuchKernel(name)

    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec", no_kernel)
    with pytest.raises(KernelNotInstalledError) as info:
        run_collection(toy_dataset, out=tmp_path, notebooks=[FIXTURES / "second.ipynb"], progress=False)
    assert str(info.value) == (
        "kernel 'kinerja' is not installed: run `make reports` or `python -m ipykernel install "
        '--sys-prefix --name kinerja --display-name "Python (kinerja)"`'
    )


def test_report_folder_holding_a_run_is_not_overwritten_silently(tmp_path, toy_dataset, kinerja_kernel):
    folder = tmp_path / "reports" / "toy" / "2020"
    folder.mkdir(parents=True)
    (folder / "parameters.json").write_text(
        json.dumps({"started": "2025-02-01T10:00:00+07:00", "kinerja_version": "0.0.9"})
    )
    kwargs = dict(years=[2020], out=tmp_path / "reports", notebooks=[FIXTURES / "second.ipynb"], progress=False)
    with pytest.raises(
        RunConfigurationError,
        match=r"already holds a run from 2025-02-01T10:00:00\+07:00 "
        r"\(kinerja 0.0.9\).*--overwrite",
    ):
        run_collection(toy_dataset, **kwargs)
    # a non-empty folder that is not a report folder is never deleted, even with overwrite
    (folder / "parameters.json").unlink()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(RunConfigurationError, match="not a kinerja report folder"):
        run_collection(toy_dataset, overwrite=True, **kwargs)
    assert (folder / "notes.txt").read_text() == "mine"


def test_bad_jobs_and_timeouts_are_refused(tmp_path, toy_dataset):
    for kwargs, match in [
        ({"jobs": 0}, "jobs must be at least 1"),
        ({"timeout": 0}, "timeout must be"),
        ({"start_timeout": -1}, "start_timeout must be"),
    ]:
        with pytest.raises(RunConfigurationError, match=match):
            run.run_collection(toy_dataset, out=tmp_path, progress=False, **kwargs)


def test_a_dataset_that_does_not_load_is_refused_before_anything_runs(tmp_path, kinerja_kernel):
    """The loader's message, once, instead of every notebook failing on it."""
    import shutil

    from kinerja.paths import DATA_DIR

    bad = tmp_path / "bad"
    shutil.copytree(DATA_DIR / "batu", bad, ignore=shutil.ignore_patterns("truth"))
    (bad / "jurors.csv").write_bytes(b"\xef\xbb\xbf")  # a byte-order mark and nothing else
    with pytest.raises(RunConfigurationError) as info:
        run_collection(bad, years=2020, out=tmp_path / "out", progress=False)
    text = str(info.value)
    assert "jurors.csv" in text and "IndexError" not in text
    assert not (tmp_path / "out").exists()
