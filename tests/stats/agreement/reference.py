"""Published reference values for the agreement tests (tests/reference/<folder>/expected.json).

One place for reading the files and for what "reproduced at the published precision"
means, so every test module judges published values the same way.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "reference"


@cache
def load_expected_meta(folder: str) -> dict:
    """The whole ``expected.json`` (dataset description, notes, files, entries)."""
    with open(REFERENCE / folder / "expected.json", encoding="utf-8") as fh:
        return json.load(fh)


def expected_entries(folder: str) -> list[dict]:
    """The entries of ``expected.json`` in file order (``id, value, decimals, source, ...``)."""
    return [dict(e) for e in load_expected_meta(folder)["expected"]]


def load_expected(folder: str) -> dict[str, dict]:
    """The entries keyed by their ``id``."""
    return {e["id"]: e for e in expected_entries(folder)}


def close_at(ours: float, published: float, decimals: int) -> bool:
    """Equal at the published precision: ``|ours - published| <= half a unit in the last
    published decimal`` (plus 1e-12 for binary rounding of exact halves)."""
    return abs(ours - published) <= 0.5 * 10.0 ** (-decimals) + 1e-12
