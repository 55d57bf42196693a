"""The findings contract (results/findings.csv) and the number formatting of sentences."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kinerja.analyses.findings import (
    FINDINGS_COLUMNS,
    Finding,
    FindingsError,
    check_findings,
    findings_frame,
    fmt_number,
    format_ci,
    read_findings,
)


def _one(**kw):
    base = dict(finding_id="x.a", question="Q?", statement="A sentence.", statement_ind="Sebuah kalimat.")
    base.update(kw)
    return Finding(**base)


def test_frame_has_the_contract_columns_and_round_trips(tmp_path):
    t = findings_frame(
        [_one(estimate=0.5, ci_low=0.4, ci_high=0.6, ci_level=0.95, bases=["synthetic"])],
        dataset="d",
        year=2021,
        notebook="01_x",
    )
    assert tuple(t.columns) == FINDINGS_COLUMNS
    assert t.loc[0, "provenance"].startswith("SYNTHETIC")
    t.to_csv(tmp_path / "findings.csv", index=False)
    back = read_findings(tmp_path / "findings.csv")
    pd.testing.assert_frame_equal(back[["estimate", "ci_low", "ci_high"]], t[["estimate", "ci_low", "ci_high"]])
    assert back.loc[0, "note"] == ""


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(estimate=0.7, ci_low=0.4, ci_high=0.6), "outside its CI"),
        (dict(status="maybe"), "status"),
        (dict(statement=" "), "empty statement"),
        (dict(status="undefined", estimate=1.0), "undefined"),
    ],
)
def test_contract_violations_are_named(kw, message):
    with pytest.raises(FindingsError, match=message):
        findings_frame([_one(**kw)], dataset="d", year=2021, notebook="01_x")


def test_repeated_ids_and_missing_columns_are_refused():
    t = findings_frame([_one()], dataset="d", year=2021, notebook="01_x")
    with pytest.raises(FindingsError, match="repeated finding_id"):
        check_findings(pd.concat([t, t]))
    with pytest.raises(FindingsError, match="missing column"):
        check_findings(t.drop(columns="statement_ind"))


def test_numbers_follow_each_language():
    assert fmt_number(0.625, 2) == "0.62" or fmt_number(0.625, 2) == "0.63"
    assert fmt_number(1234.5, 1, "id") == "1.234,5"
    assert format_ci(0.62, 0.5, 0.7, lang="id") == "0,62 [0,50; 0,70]"
    assert format_ci(math.nan, 0, 1) == "—"
    with pytest.raises(ValueError):
        fmt_number(1.0, lang="fr")
