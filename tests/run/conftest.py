"""Fixtures for the runner tests: the fixture notebooks, a toy dataset, the kernel."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kinerja.run import runner as run

FIXTURES = Path(__file__).parent / "fixtures"


def write_toy_dataset(folder: Path) -> Path:
    """A dataset folder whose units table covers 2020 and 2021 (nothing else)."""
    folder.mkdir(parents=True)
    (folder / "units.csv").write_text(
        "year,unit_id,name\n2020,disdik,Dinas Pendidikan\n2021,disdik,Dinas Pendidikan\n", encoding="utf-8"
    )
    return folder


def _toy_resolve(name_or_path) -> Path:
    path = Path(name_or_path).expanduser().resolve()
    if not path.is_dir():
        raise FileNotFoundError(f"no dataset folder at {path}")
    return path


def _toy_years(path: Path) -> list[int]:
    with open(Path(path) / "units.csv", newline="", encoding="utf-8") as fh:
        return sorted({int(row["year"]) for row in csv.DictReader(fh)})


@pytest.fixture
def toy_dataset(tmp_path, monkeypatch) -> Path:
    """The toy dataset ``toy``, found by the runner without ``kinerja.io``.

    The runner asks ``kinerja.io`` (developed in parallel, with its own checks) to
    resolve datasets and list their years; these tests replace both look-ups so that
    they exercise the runner alone. ``test_dataset_lookup_with_kinerja_io`` covers
    the real ones.
    """
    monkeypatch.setattr(run, "_resolve_dataset", _toy_resolve)
    monkeypatch.setattr(run, "_dataset_years", _toy_years)
    monkeypatch.setattr(run, "_validate_dataset", lambda path: None)
    return write_toy_dataset(tmp_path / "data" / "toy")
