"""Fixtures for the loader tests: a fresh copy of the small valid dataset per test."""

from __future__ import annotations

import pytest

from kinerja.io import DataError, load_dataset

from .helpers import valid_tables, write_csv


@pytest.fixture
def tables():
    """The small valid dataset as text tables (a fresh copy per test)."""
    return valid_tables()


@pytest.fixture
def load_error(tmp_path):
    """Write ``tables`` as CSV (``sep``) and return the DataError that loading raises."""

    def run(tables, sep=",", **kwargs) -> DataError:
        folder = write_csv(tmp_path / "ds", tables, sep=sep)
        with pytest.raises(DataError) as info:
            load_dataset(folder, **kwargs)
        return info.value

    return run
