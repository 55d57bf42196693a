"""Row accounts: every row read is either kept or excluded with a reason."""

from __future__ import annotations

import pandas as pd
import pytest

from kinerja.io import ACCOUNT_COLUMNS, DataError, load_dataset
from kinerja.schema import TABLES

from .helpers import two_years, write_csv, write_xlsx


def assert_accounts_add_up(ds) -> None:
    acc = ds.accounts
    assert list(acc.columns) == list(ACCOUNT_COLUMNS)
    assert list(acc["table"].unique()) == list(TABLES)
    for table, rows in acc.groupby("table", sort=False):
        assert rows["rows_read"].nunique() == 1 and rows["rows_kept"].nunique() == 1
        assert rows["rows_read"].iloc[0] == rows["rows_kept"].iloc[0] + rows["rows_excluded"].sum(), table
        assert rows["rows_kept"].iloc[0] == len(ds.table(table))
        assert not rows["reason"].duplicated().any()


def test_nothing_excluded(tmp_path, tables):
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    assert_accounts_add_up(ds)
    assert (ds.accounts["rows_excluded"] == 0).all()
    assert set(ds.accounts["reason"]) == {"nothing excluded"}
    assert ds.accounts.set_index("table")["rows_read"].to_dict() == {n: len(t) for n, t in tables.items()}


def test_blank_rows_are_excluded_and_counted(tmp_path, tables):
    folder = write_csv(tmp_path / "d", tables, sep=";")
    path = folder / "scores.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # An empty line after data row 3, a row of separators and a whitespace row at the end
    # (what Excel writes for formatted empty rows).
    lines = lines[:4] + [""] + lines[4:] + [";;;;;;;;", " ;  ;;;;;;;"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_dataset(folder)
    assert_accounts_add_up(ds)
    acc = ds.accounts.set_index(["table", "reason"])
    assert acc.loc[("scores", "blank row"), "rows_excluded"] == 3
    assert acc.loc[("scores", "blank row"), "rows_read"] == len(tables["scores"]) + 3
    assert len(ds.scores) == len(tables["scores"])


def test_row_numbers_count_blank_rows(tmp_path, tables, load_error):
    """A problem after a blank row is reported at the row a spreadsheet shows."""
    scores = pd.concat(
        [
            tables["scores"].iloc[:2],
            pd.DataFrame([[""] * 9], columns=tables["scores"].columns),
            tables["scores"].iloc[2:],
        ],
        ignore_index=True,
    )
    scores.loc[5, "score"] = "500"  # data row 5 (0-based) -> spreadsheet row 7
    tables["scores"] = scores
    err = load_error(tables)
    assert "scores.csv, row 7, column 'score'" in str(err)


def test_year_filter_is_accounted(tmp_path, tables):
    folder = write_csv(tmp_path / "d", two_years(tables), sep=";")
    ds = load_dataset(folder, year=2021)
    assert_accounts_add_up(ds)
    assert ds.years == [2021]
    acc = ds.accounts.set_index(["table", "reason"])
    for name, df in tables.items():
        assert acc.loc[(name, "not the requested year (2021)"), "rows_excluded"] == len(df)
        assert acc.loc[(name, "not the requested year (2021)"), "rows_kept"] == len(df)


def test_for_year_matches_loading_one_year(tmp_path, tables):
    folder = write_csv(tmp_path / "d", two_years(tables))
    full = load_dataset(folder)
    assert full.years == [2020, 2021]
    one = full.for_year(2020)
    direct = load_dataset(folder, year=2020)
    assert_accounts_add_up(one)
    pd.testing.assert_frame_equal(one.accounts, direct.accounts)
    for name in TABLES:
        pd.testing.assert_frame_equal(one.table(name), direct.table(name))
    assert full.for_year(2020).for_year(2020).accounts.equals(one.accounts)


def test_year_filter_and_blank_rows_together(tmp_path, tables):
    path = write_xlsx(tmp_path / "b.xlsx", two_years(tables))
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["units"].insert_rows(3)  # an empty row inside the data
    wb.save(path)
    ds = load_dataset(path, year=2020)
    assert_accounts_add_up(ds)
    units = ds.accounts[ds.accounts["table"] == "units"].set_index("reason")["rows_excluded"].to_dict()
    assert units == {"blank row": 1, "not the requested year (2020)": 3}


def test_missing_year_is_a_data_error(tmp_path, tables):
    folder = write_csv(tmp_path / "d", tables)
    with pytest.raises(DataError, match="no rows for year 2019.*2020"):
        load_dataset(folder, year=2019)
    with pytest.raises(DataError, match="no rows for year 2019"):
        load_dataset(folder).for_year(2019)


def test_every_year_is_checked_before_the_year_filter(tmp_path, tables):
    """A bad cell in another year's row is reported even when loading one year."""
    both = two_years(tables)
    both["scores"].loc[len(tables["scores"]), "score"] = "999"  # first 2021 row
    folder = write_csv(tmp_path / "d", both)
    row = len(tables["scores"]) + 2
    for year in (2020, 2021, None):
        with pytest.raises(DataError, match=rf"scores.csv, row {row}, column 'score' \(G\): '999' is outside 0–100"):
            load_dataset(folder, year=year)


def test_absent_optional_table(tmp_path, tables, monkeypatch):
    """A table marked optional in the schema may be absent: empty, and accounted."""
    import dataclasses

    import kinerja.io as kio

    optional = {n: dataclasses.replace(t, optional=(n == "innovations")) for n, t in TABLES.items()}
    monkeypatch.setattr(kio, "TABLES", optional)
    scores = tables["scores"]
    tables["scores"] = scores[scores["evaluation"] == "sakip"].reset_index(drop=True)
    ds = load_dataset(write_csv(tmp_path / "d", tables, skip=("innovations",)))
    assert len(ds.innovations) == 0 and list(ds.innovations.columns) == list(TABLES["innovations"].column_names)
    assert_accounts_add_up(ds)
    row = ds.accounts.set_index("table").loc["innovations"]
    assert (row["file"], row["rows_read"], row["reason"]) == ("", 0, "optional table absent")
    # a reference to the absent table is still reported
    tables["scores"].loc[0, ["evaluation", "stage", "criterion_id", "subject_id"]] = [
        "kovablik",
        "proposal",
        "P1",
        "inov1",
    ]
    with pytest.raises(
        DataError, match="column 'year'.*innovations.csv has no row with year 2020, so subject_id 'inov1'"
    ):
        load_dataset(write_csv(tmp_path / "e", tables, skip=("innovations",)))
