"""Every cell is checked before the year filter, and a wrong row is reported as the root
cause, with what follows from it, instead of as many problems elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest

from .corpus import assert_says, book, expect_error, expect_load, folder
from .helpers import two_years, valid_tables


@pytest.mark.parametrize(
    "text, says",
    [
        ("2.020", "'2.020' is not a whole number. It looks like 2020 written with a thousands separator"),
        ("20200", "'20200' is outside 1990–2100"),
        ("2020.5", "'2020.5' is not a whole number"),
        ("tahun 2020", "'tahun 2020' is not a whole number"),
        ("", "the cell is empty, but 'year' is required"),
    ],
)
def test_bad_year_cell_is_not_hidden_by_the_year_filter(tmp_path, text, says):
    tables = two_years(valid_tables())
    tables["scores"].loc[3, "year"] = text  # a 2020 row
    ds = folder(tmp_path, tables)
    for year in (2020, 2021, None):
        expect_error(ds, "scores.csv, row 5, column 'year' (A)", says, year=year, count=1)


def test_bad_year_cell_in_a_workbook_with_the_year_filter(tmp_path):
    def edit(wb):
        wb["scores"]["A5"] = 20200

    expect_error(book(tmp_path, edit), "book.xlsx, sheet 'scores', row 5, column 'year' (A)", "'20200'", year=2020)


def test_juror_listed_under_a_mistyped_year_is_the_root_cause(tmp_path):
    """One jurors row says 2002 instead of 2020: that row is reported, with the scores rows
    that refer to it, not one problem per scores row."""
    tables = valid_tables()
    tables["jurors"].loc[1, "year"] = "2002"
    ds = folder(tmp_path, tables)
    for year in (2020, None):
        err = expect_error(
            ds,
            "jurors.csv, row 3, column 'year' (A): juror_id 'J02' is listed here for year 2002 only",
            "no row of scores.csv refers to it for 2002",
            "6 rows of scores.csv refer to juror_id 'J02' for year 2020 (rows 4–5, 8–9 and 12–13)",
            "If 2002 is a typo for 2020, correct this cell",
            year=year,
        )
        assert err.problems[0].where == "jurors.csv"  # the root cause comes first
        assert not any(p.where == "scores.csv" for p in err.problems)


def test_mistyped_juror_year_in_a_dataset_of_several_years(tmp_path):
    tables = two_years(valid_tables())
    tables["jurors"].loc[1, "year"] = "2002"  # J02 is also listed, correctly, for 2021
    err = expect_error(
        folder(tmp_path, tables),
        "jurors.csv, row 3, column 'year' (A): juror_id 'J02' is listed here for year 2002, a year no other row has",
        "6 rows of scores.csv refer to juror_id 'J02' for year 2020",
        year=2020,
    )
    assert_says(err, "jurors.csv, row 3, column 'year' (A): units.csv has no row with year 2002", "is it a typo?")
    assert not any(p.where == "scores.csv" for p in err.problems)


def test_juror_year_that_is_no_year_names_the_rows_that_refer_to_it(tmp_path):
    tables = two_years(valid_tables())
    tables["jurors"].loc[1, "year"] = "20200"
    expect_error(
        folder(tmp_path, tables),
        "jurors.csv, row 3, column 'year' (A): '20200' is outside 1990–2100",
        "6 rows of scores.csv refer to juror_id 'J02' (rows 4–5, 8–9 and 12–13); they are checked once this cell "
        "is corrected",
        year=2020,
        count=1,
    )


def test_unit_listed_under_a_mistyped_year(tmp_path):
    tables = valid_tables()
    tables["units"].loc[1, "year"] = "2012"
    err = expect_error(folder(tmp_path, tables), "units.csv, row 3, column 'year' (A): unit_id 'dinkes' is listed here")
    assert err.problems[0].where == "units.csv"


def test_juror_missing_entirely_is_one_problem_listing_its_rows(tmp_path):
    tables = valid_tables()
    tables["jurors"] = tables["jurors"].iloc[[0]]
    expect_error(
        folder(tmp_path, tables),
        "scores.csv, rows 4–5, 8–9 and 12–13, column 'juror_id' (E)",
        "'J02' is not listed in the 'juror_id' column of jurors.csv for year 2020 (6 rows)",
        "correct these cells",
        count=1,
    )


def test_juror_listed_for_another_year_only_says_which(tmp_path):
    tables = two_years(valid_tables())
    tables["jurors"] = tables["jurors"].drop(index=1).reset_index(drop=True)  # J02 only for 2021
    expect_error(
        folder(tmp_path, tables),
        "scores.csv, rows 4–5, 8–9 and 12–13, column 'juror_id' (E)",
        "'J02' is not listed in the 'juror_id' column of jurors.csv for year 2020 (6 rows). (jurors.csv lists it "
        "for year 2021.)",
        count=1,
    )


def test_year_filter_accounts_for_every_row(tmp_path):
    tables = two_years(valid_tables())
    blank = pd.DataFrame([[""] * 9], columns=tables["scores"].columns)
    tables["scores"] = pd.concat([tables["scores"].iloc[:3], blank, tables["scores"].iloc[3:]], ignore_index=True)
    ds = expect_load(folder(tmp_path, tables), year=2021)
    acc = ds.accounts[ds.accounts["table"] == "scores"].set_index("reason")
    assert acc["rows_excluded"].to_dict() == {"blank row": 1, "not the requested year (2021)": 12}
    assert acc["rows_read"].iloc[0] == 25
