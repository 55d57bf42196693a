"""Fixtures of the agreement tests; the helpers themselves live in ``reference.py``
(``load_expected``, ``expected_entries``, ``close_at``) so test modules import them from
there, not from this conftest."""

from __future__ import annotations

import pytest

from .reference import REFERENCE, load_expected, load_expected_meta  # noqa: F401  (re-exported)


@pytest.fixture
def expected():
    """The :func:`load_expected` function, as a fixture."""
    return load_expected
