"""The data-overview analysis (notebook 00) on data as load_dataset returns it."""

from __future__ import annotations

import pandas as pd
import pytest

from kinerja.analyses import overview
from kinerja.analyses.base import check_tables
from kinerja.data.io import load_dataset


@pytest.fixture(scope="module")
def batu():
    return load_dataset("batu")


def test_2020_tables_follow_their_specs_and_findings_state_the_record(batu):
    res = overview.analyse(batu, year=2020)
    check_tables(res, overview.TABLES)
    f = res.findings.set_index("finding_id")
    # the published record: 10 A and 19 BB (Malang Voice / Malang Post, Feb 2021)
    assert f.loc["data.grades", "statement"].startswith("29 units were graded in 2020: 10 A and 19 BB")
    assert "two adjacent bands" in f.loc["data.grades", "statement"]
    assert f.loc["data.grades", "provenance"].startswith("INFERRED")  # 5 of the 19 BB are reconstructed
    assert res.facts["grade_counts"] == {"A": 10, "BB": 19}
    side = res.table("evaluating_side")
    assert set(side["unit_id"]) == set(batu.for_year(2020).jurors["home_unit_id"].dropna()) - {""}
    assert f.loc["data.totals_reproduce_grades", "estimate"] == 1.0


def test_statements_follow_the_data_of_another_year(batu):
    res = overview.analyse(batu, year=2021)
    grades = batu.for_year(2021).grades["grade"].astype(str).value_counts()
    statement = res.findings.set_index("finding_id").loc["data.grades", "statement"]
    for g, n in grades.items():
        assert f"{n} {g}" in statement
    assert "2020" not in " ".join(res.findings["statement"])


def test_accounts_cover_every_row(batu):
    acc = overview.analyse(batu, year=2022).table("row_accounts")
    per = acc.groupby("table").agg(
        read=("rows_read", "first"), kept=("rows_kept", "first"), excluded=("rows_excluded", "sum")
    )
    assert (per["read"] == per["kept"] + per["excluded"]).all()


def test_a_year_with_the_record_only_says_what_cannot_be_computed(batu, tmp_path):
    one = batu.for_year(2020)
    folder = tmp_path / "rec"
    folder.mkdir()
    for name, table in one.tables.items():  # jurors, rubric and scores: the header only
        (table if name in ("units", "grades", "innovations") else table.iloc[:0]).to_csv(
            folder / f"{name}.csv", index=False
        )
    res = overview.analyse(load_dataset(folder), year=2020)
    f = res.findings.set_index("finding_id")
    assert f.loc["data.scores", "status"] == "undefined"
    assert "no juror-level scores" in f.loc["data.scores", "statement"]
    assert res.table("coverage").empty
    assert f.loc["data.evaluating_side", "status"] == "undefined"


def test_coverage_counts_missing_cells():
    sc = pd.DataFrame(
        {
            "year": 2020,
            "evaluation": "sakip",
            "stage": "lke",
            "subject_id": ["a", "a", "b"],
            "juror_id": ["J1", "J2", "J1"],
            "criterion_id": "C1",
            "score": [1.0, 2.0, 3.0],
        }
    )
    rub = pd.DataFrame(
        {"year": [2020], "evaluation": ["sakip"], "stage": ["lke"], "criterion_id": ["C1"], "weight": [100.0]}
    )
    cov = overview.coverage(sc, rub)
    assert cov.loc[0, ["n_jurors", "n_subjects", "n_cells", "n_missing_cells"]].tolist() == [2, 2, 4, 1]
