"""Borderline inputs whose message named the right cell but sent the user to the wrong
cause: a second header row of labels, an Excel error value as a header, a hidden copy of
a column, ids that lost their leading zeros in Excel.

Found by the adversarial review of hand-made workbooks (2026-12-01); each message below
was the symptom ("'Tahun' is not a whole number", "the required column 'score' is
missing") before its fix."""

from __future__ import annotations

import re

import pandas as pd

from .corpus import book, edit_lines, expect_error, expect_load, folder, rewrite_part
from .helpers import rename_unit, valid_tables

LABELS = ["Tahun", "ID Unit", "Nama OPD", "Singkatan", "Kategori", "Dasar", "Sumber"]


def test_a_second_header_row_of_labels_is_one_problem_in_a_workbook(tmp_path):
    """Row 2 of Indonesian labels under the column names gave one wrong-type problem per
    cell ('Tahun' is not a whole number, 'Kategori' is not an allowed value, ...)."""

    def edit(wb):
        ws = wb["units"]
        ws.insert_rows(2)
        for j, label in enumerate(LABELS, 1):
            ws.cell(2, j).value = label

    err = expect_error(
        book(tmp_path, edit), "book.xlsx, sheet 'units', row 2:", "second header row", "'Tahun'", count=1
    )
    assert "whole number" not in str(err)


def test_a_second_header_row_of_labels_is_found_in_any_language_and_table(tmp_path):
    """The rule looks at what the cells are (words in number columns, values outside every
    vocabulary), not at the words: English labels in the scores file of a CSV folder."""
    path = folder(tmp_path)
    edit_lines(
        path / "scores.csv",
        lambda lines: [lines[0], "Judged in,Kind,Phase,Unit,Judge,Item,Points,Provenance,Reference", *lines[1:]],
    )
    expect_error(path, "scores.csv, row 2:", "second header row", "'Judged in'", count=1)


def test_a_data_row_with_one_word_in_a_number_cell_is_not_taken_for_labels(tmp_path):
    """A mistyped year in an otherwise good first row is a wrong cell, not a header row."""
    tables = valid_tables()
    tables["units"] = tables["units"].astype(object)
    tables["units"].loc[0, "year"] = "Tahun"
    err = expect_error(folder(tmp_path, tables), "units.csv, row 2, column 'year'", "whole number")
    assert "second header row" not in str(err)


def test_an_excel_error_value_as_a_header_is_named_as_the_cause(tmp_path):
    """'=Z1' after column Z was deleted shows #REF! as the header of the score column; the
    message said only that 'score' was missing, listing '#ref!' among the columns found."""
    path = book(tmp_path, lambda wb: wb["scores"].__setitem__("G1", "=#REF!"))
    rewrite_part(
        path,
        "xl/worksheets/sheet7.xml",
        lambda x: re.sub(r'<c r="G1"([^>]*)><f>(.*?)</f><v ?/></c>', r'<c r="G1"\1 t="e"><f>\2</f><v>#REF!</v></c>', x),
    )
    err = expect_error(path, "book.xlsx, sheet 'scores', row 1 (header), column 'score'", "G (#REF!)", "'score'")
    assert "'#ref!'" not in str(err)


def test_an_error_value_heading_a_column_of_ones_own_is_a_note(tmp_path):
    """A helper column whose header broke is not a reason to refuse the data."""
    tables = valid_tables()
    tables["units"]["#N/A"] = "x"
    ds = expect_load(folder(tmp_path, tables))
    assert any("units.csv: the header of column H (#N/A) is an Excel error value" in n for n in ds.notes), ds.notes


def test_a_hidden_copy_of_a_column_is_called_hidden(tmp_path):
    def edit(wb):
        ws = wb["scores"]
        ws["J1"] = "Score"
        for r in range(2, ws.max_row + 1):
            ws[f"J{r}"] = ws[f"G{r}"].value
        ws.column_dimensions["G"].hidden = True

    expect_error(
        book(tmp_path, edit), "book.xlsx, sheet 'scores', row 1 (header)", "G and J", "Column G is hidden", count=1
    )


def test_ids_that_lost_their_leading_zeros_get_the_hint(tmp_path):
    """'007' in units, 7 in grades (Excel made it a number): 'not listed', and no hint."""
    tables = rename_unit(valid_tables(), "disdik", "007")
    tables["grades"]["unit_id"] = tables["grades"]["unit_id"].replace("007", "7")
    assert (tables["grades"]["unit_id"] == "7").any()
    expect_error(folder(tmp_path, tables), "grades.csv", "Did you mean '007'?", "leading zeros", count=1)


def test_leading_zeros_inside_an_id_are_not_taken_for_lost_ones(tmp_path):
    """'J07' against 'J7' differ by a zero Excel never drops; it stays an ordinary 'did you mean'."""
    tables = valid_tables()
    jurors = pd.unique(tables["scores"]["juror_id"])
    tables["scores"]["juror_id"] = tables["scores"]["juror_id"].replace(jurors[0], "X1")
    tables["jurors"]["juror_id"] = tables["jurors"]["juror_id"].replace(jurors[0], "X01")
    err = expect_error(folder(tmp_path, tables), "scores.csv", "'X1' is not listed")
    assert "leading zeros" not in str(err)
