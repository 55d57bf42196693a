"""Which file or sheet holds a table: ambiguous names are refused (naming both), a hidden
sheet is never read instead of a visible one, stray files are ignored and noted."""

from __future__ import annotations

import os

import openpyxl

from .corpus import book, expect_error, expect_load, expect_years_error, folder
from .helpers import valid_tables, write_xlsx

# --- CSV folders -------------------------------------------------------------------------


def test_two_csv_files_for_one_table_differing_in_case(tmp_path):
    ds = folder(tmp_path)
    stale = ds / "Scores.csv"
    stale.write_bytes((ds / "scores.csv").read_bytes())
    os.utime(stale, (1_600_000_000, 1_600_000_000))  # an old copy
    err = expect_error(
        ds,
        "Scores.csv and scores.csv: 2 files name the table 'scores'",
        "Scores.csv (modified 2020-09-",
        "which is probably scores.csv (the last modified)",
        count=1,
    )
    assert "not a table of the data model" not in str(err)
    expect_years_error(ds, "Scores.csv and scores.csv: 2 files name the table 'scores'")


def test_csv_file_name_with_surrounding_spaces_counts_as_the_table(tmp_path):
    ds = folder(tmp_path)
    (ds / "units.csv").rename(ds / " Units .csv")
    expect_load(ds)
    (ds / "units.csv").write_bytes((ds / " Units .csv").read_bytes())
    expect_error(ds, " Units .csv and units.csv: 2 files name the table 'units'")


def test_csv_and_workbook_for_one_table(tmp_path):
    ds = folder(tmp_path)
    write_xlsx(ds / "scores.xlsx", valid_tables())
    expect_error(
        ds,
        "scores.csv and scores.xlsx: 2 files name the table 'scores'",
        "a folder is read from CSV files only, so scores.xlsx would be ignored",
    )


def test_copies_of_a_file_name_the_same_table(tmp_path):
    """A second download ('scores (1).csv') or Windows's copy ('scores - Copy.csv', in an
    Indonesian Windows 'scores - Salinan.csv') beside the file: which is current is not guessed."""
    for copy in ("scores (1).csv", "scores - Copy.csv", "Salinan scores.csv"):
        ds = folder(tmp_path / copy)
        (ds / copy).write_bytes((ds / "scores.csv").read_bytes())
        expect_error(ds, f"{copy} and scores.csv: 2 files name the table 'scores' ({copy} (modified", count=1)
    ds = folder(tmp_path / "only")
    (ds / "units.csv").rename(ds / "units - Copy.csv")
    (ds / "jurors.csv").rename(ds / "jurors.CSV ")  # a space after the extension
    notes = expect_load(ds).notes
    assert "ds: 'units - Copy.csv' was read as the table 'units' (units.csv)." in notes
    assert "ds: 'jurors.CSV ' was read as the table 'jurors' (jurors.csv)." in notes


def test_a_folder_that_holds_only_a_workbook(tmp_path):
    (tmp_path / "kab").mkdir()
    write_xlsx(tmp_path / "kab" / "data kinerja.xlsx", valid_tables())
    expect_error(
        tmp_path / "kab",
        "units.csv: the file is missing",
        f"The folder holds the workbook data kinerja.xlsx: to load a workbook, give its own path "
        f"({tmp_path / 'kab' / 'data kinerja.xlsx'}), not the folder's.",
    )


def test_table_only_as_a_workbook_in_a_folder(tmp_path):
    ds = folder(tmp_path)
    (ds / "scores.csv").unlink()
    write_xlsx(ds / "scores.xlsx", valid_tables())
    expect_error(ds, "scores.csv: the file is missing", "The folder has scores.xlsx, which is not read", count=1)


def test_misspelt_table_file(tmp_path):
    ds = folder(tmp_path)
    (ds / "jurors.csv").rename(ds / "juror.csv")
    expect_error(ds, "jurors.csv: the file is missing", "Did you mean juror.csv? Rename it to jurors.csv.", count=1)


def test_stray_files_and_lock_files_are_ignored_and_noted(tmp_path):
    ds = folder(tmp_path)
    (ds / "notes.txt").write_text("to do", encoding="utf-8")
    (ds / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (ds / "._scores.csv").write_bytes(b"\0\5\26\7")  # macOS metadata next to a copied file
    (ds / "scores_old.csv").write_text("year,x\n", encoding="utf-8")
    (ds / ".~lock.scores.csv#").write_text("user", encoding="utf-8")
    (ds / "~$book.xlsx").write_bytes(b"\0" * 165)
    loaded = expect_load(ds)
    notes = " ".join(loaded.notes)
    assert "ignored files that are not tables of the data model: scores_old.csv" in notes
    assert ".~lock.scores.csv# is the lock file of a file open in a spreadsheet program" in notes
    assert "~$book.xlsx is the lock file" in notes


# --- workbooks -----------------------------------------------------------------------------


def test_hidden_stale_copy_of_a_sheet(tmp_path):
    def edit(wb):
        stale = wb.copy_worksheet(wb["scores"])
        stale.title = "Scores "
        stale.sheet_state = "hidden"
        stale["G2"] = 11  # a stale value that must never be loaded

    path = book(tmp_path, edit)
    expect_error(
        path,
        "book.xlsx, sheets 'scores' and 'Scores ': 2 sheets name the table 'scores'",
        "'Scores ' (hidden)",
        "The hidden sheet 'Scores ' is probably a stale copy: delete it",
        count=1,
    )
    expect_years_error(path, "book.xlsx, sheets 'scores' and 'Scores '")


def test_very_hidden_copy_of_a_sheet(tmp_path):
    def edit(wb):
        stale = wb.copy_worksheet(wb["units"])
        stale.title = " units"
        stale.sheet_state = "veryHidden"

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheets 'units' and ' units'",
        "' units' (very hidden)",
        "not offered by Unhide",
    )


def test_two_visible_sheets_for_one_table(tmp_path):
    def edit(wb):
        wb.copy_worksheet(wb["rubric"]).title = "Rubric "

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheets 'rubric' and 'Rubric '",
        "Delete the sheets that are not current, or rename them (e.g. to 'rubric_old')",
    )


def test_only_sheet_of_a_table_is_hidden(tmp_path):
    def edit(wb):
        wb["grades"].sheet_state = "hidden"

    loaded = expect_load(book(tmp_path, edit))
    assert "book.xlsx: the sheet 'grades' is hidden; it was read as the table 'grades'." in loaded.notes


def test_sheet_title_with_spaces_and_case(tmp_path):
    def edit(wb):
        wb["jurors"].title = " JURORS "
        wb.create_sheet("scores 2021")

    loaded = expect_load(book(tmp_path, edit))
    assert "book.xlsx: ignored sheets that are not tables of the data model: 'scores 2021'." in loaded.notes


def test_copy_of_a_sheet_beside_it(tmp_path):
    """Excel's Move or Copy names the copy 'scores (2)': which of the two is current is not
    for the loader to guess (it used to read 'scores' and only mention the copy)."""

    def edit(wb):
        wb.copy_worksheet(wb["scores"]).title = "scores (2)"

    path = book(tmp_path, edit)
    expect_error(path, "book.xlsx, sheets 'scores' and 'scores (2)': 2 sheets name the table 'scores'", count=1)
    expect_years_error(path, "book.xlsx, sheets 'scores' and 'scores (2)'")


def test_chart_sheet_named_like_a_table(tmp_path):
    """A chart sheet holds no cells: it cannot be the table, and the message says so
    (it said the sheet could not be read and should be saved again)."""
    from openpyxl.chart import BarChart, Reference

    def edit(wb):
        wb["scores"].title = "scores_data"
        chart = BarChart()
        chart.add_data(Reference(wb["scores_data"], min_col=7, min_row=1, max_row=5), titles_from_data=True)
        wb.create_chartsheet("Scores ").add_chart(chart)

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'scores': the sheet is missing",
        "The sheet 'Scores ' is a chart sheet (it shows a chart and holds no cells): name the sheet that holds "
        "the data 'scores'",
        count=1,
    )


def test_only_a_copy_named_sheet_is_read_and_noted(tmp_path):
    def edit(wb):
        wb["scores"].title = "Scores (2)"

    loaded = expect_load(book(tmp_path, edit))
    assert "book.xlsx: the sheet 'Scores (2)' was read as the table 'scores'." in loaded.notes


def test_misspelt_sheet(tmp_path):
    def edit(wb):
        wb["rubric"].title = "Rubrik"

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'rubric': the sheet is missing",
        "Did you mean the sheet 'Rubrik'? Rename it to 'rubric'.",
        count=1,
    )


def test_empty_workbook(tmp_path):
    path = tmp_path / "new.xlsx"
    openpyxl.Workbook().save(path)
    err = expect_error(path, "new.xlsx, sheet 'units': the sheet is missing", "sheets found: Sheet")
    assert err.n_problems == 6


# --- tables with no rows -----------------------------------------------------------------


def test_optional_content_sheet_with_only_a_header(tmp_path):
    """No innovation competition: innovations holds only its header and nothing refers to it."""
    tables = valid_tables()
    tables["innovations"] = tables["innovations"].iloc[:0]
    scores = tables["scores"]
    tables["scores"] = scores[scores["evaluation"] == "sakip"].reset_index(drop=True)
    rows = {n: len(t) for n, t in tables.items()}
    loaded = expect_load(write_xlsx(tmp_path / "book.xlsx", tables), rows=rows)
    acc = loaded.accounts.set_index("table").loc["innovations"]
    assert (acc["rows_read"], acc["rows_kept"], acc["reason"]) == (0, 0, "nothing excluded")


def test_referred_table_with_only_a_header(tmp_path):
    tables = valid_tables()
    tables["jurors"] = tables["jurors"].iloc[:0]
    expect_error(
        folder(tmp_path, tables),
        "jurors.csv: the table has no data rows (only its header), but 12 rows of scores.csv refer to it",
        "rows 2–13, column 'juror_id'",
        count=1,
    )


def test_every_table_with_only_a_header(tmp_path):
    import pytest

    from kinerja.io import DataError, load_dataset

    tables = {n: t.iloc[:0] for n, t in valid_tables().items()}
    with pytest.raises(DataError, match="has no data rows: every table holds only its header row"):
        load_dataset(folder(tmp_path, tables))
