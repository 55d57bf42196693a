"""Property: corrupting any one score cell is reported at exactly that row and column."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinerja.io import DataError, load_dataset
from kinerja.schema import TABLES

from .helpers import valid_tables, write_csv

N_SCORES = len(valid_tables()["scores"])
SCORE_LETTER = "ABCDEFGHIJ"[TABLES["scores"].column_names.index("score")]

not_a_number = st.text(alphabet="abcxyz-/%", min_size=1, max_size=6).filter(lambda s: s.strip() != "")
too_high = st.floats(min_value=100.001, max_value=1e9, allow_nan=False).map(lambda x: f"{x:.3f}")
negative = st.floats(min_value=-1e9, max_value=-0.001, allow_nan=False).map(lambda x: f"{x:.3f}")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, N_SCORES - 1),
    value=st.one_of(not_a_number, too_high, negative),
    sep=st.sampled_from([",", ";"]),
    decimal_comma=st.booleans(),
)
def test_one_corrupted_score_is_named(index, value, sep, decimal_comma):
    tables = valid_tables()
    if decimal_comma and sep == ";":
        value = value.replace(".", ",")
    tables["scores"].loc[index, "score"] = value
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_csv(Path(tmp) / "ds", tables, sep=sep)
        with pytest.raises(DataError) as info:
            load_dataset(folder)
    err = info.value
    assert err.n_problems == 1
    (problem,) = err.problems
    assert (problem.where, problem.rows, problem.column, problem.letter) == (
        "scores.csv",
        (index + 2,),
        "score",
        SCORE_LETTER,
    )
    assert f"scores.csv, row {index + 2}, column 'score' ({SCORE_LETTER}): '{value.strip()}'" in str(err)
    # '101,000' in a column that writes decimals with '.' is refused as ambiguous (thousands
    # separator or decimal comma?), with both readings: a named refusal, as good as the others
    reasons = ("is not a number", "is outside 0–100", "is ambiguous")
    assert any(r in problem.text for r in reasons), problem.text
