"""Shared helpers for the agreement tests: published reference values.

``load_expected(folder)`` reads ``tests/reference/<folder>/expected.json`` and returns
its entries keyed by ``id``. Test modules import it for parametrisation at collection
time (``from .conftest import load_expected, REFERENCE``); the ``expected`` fixture
gives the same function to tests that prefer a fixture.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


@lru_cache(maxsize=None)
def _load(folder: str) -> dict:
    with open(REFERENCE / folder / "expected.json", encoding="utf-8") as fh:
        return json.load(fh)


def load_expected(folder: str) -> dict[str, dict]:
    """Entries of ``tests/reference/<folder>/expected.json`` keyed by their ``id``.

    Each entry has at least ``id``, ``value``, ``decimals`` and ``source``.
    """
    return {entry["id"]: dict(entry) for entry in _load(folder)["expected"]}


def load_expected_meta(folder: str) -> dict:
    """The whole ``expected.json`` (dataset description, notes, files, entries)."""
    return _load(folder)


@pytest.fixture
def expected():
    """The :func:`load_expected` function, as a fixture."""
    return load_expected
