"""Workbooks as staff leave them: escaped characters, merged ranges hiding values, a
formula's rounding noise, a stray cell in Excel's last cell, merged titles, helper
columns filled down, an Excel table's Total Row, a damaged text table.

Found by an adversarial review of 49 hand-made workbooks (2026-12-01); each test failed
before its fix."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from kinerja.data.io import load_dataset

from .corpus import book, expect_error, expect_load, rewrite_part
from .helpers import valid_tables, write_xlsx


def _part(path, title: str) -> str:
    """The XML part of the sheet called ``title``."""
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{title}"[^>]*r:id="(rId\d+)"', workbook).group(1)
    target = re.search(rf'<Relationship[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels
    )
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


def test_excel_escapes_in_cell_text_are_decoded(tmp_path):
    """Excel writes a carriage return (text pasted from Word) as _x000D_; read literally,
    a unit id 'disdik_x000D_' matched nothing ("'disdik' is not listed") and a name kept
    the escape."""
    path = book(tmp_path)
    rewrite_part(
        path,
        _part(path, "units"),
        lambda x: x.replace("<t>disdik</t>", "<t>disdik_x000D_</t>", 1).replace(
            "<t>Dinas Pendidikan</t>", "<t>Dinas_x000D_\nPendidikan_x005F_x0041_</t>", 1
        ),
    )
    ds = expect_load(path)
    names = ds.units.set_index("unit_id")["name"]
    assert "disdik" in names.index
    assert names["disdik"] == "Dinas\r\nPendidikan_x0041_"  # _x005F_ is a literal underscore


def test_a_value_under_a_merged_range_with_an_empty_first_cell_is_refused(tmp_path):
    """D3:D4 merged with D3 empty: Excel shows both empty, but D4 still held 65.5 (left by
    Format Painter or LibreOffice's 'keep the contents of hidden cells'), which loaded
    without a word."""
    tables = valid_tables()
    assert tables["grades"]["total"].iloc[1] in ("", None) or str(tables["grades"]["total"].iloc[1]) == "nan"
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    rewrite_part(
        path,
        _part(path, "grades"),
        lambda x: x.replace(
            "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="D3:D4"/></mergeCells>', 1
        ),
    )
    expect_error(
        path,
        "book.xlsx, sheet 'grades', row 4, column 'total' (D)",
        "covered by the merged cells D3:D4, whose first cell (D3) is empty",
    )


def test_a_formulas_rounding_noise_is_read_as_excel_shows_it(tmp_path):
    """A total of 80.00000000000001 (SUMPRODUCT) shows as 80, grade BB; it had been
    refused: "grade 'BB' contradicts the total 80 ... 80 is grade A"."""
    tables = valid_tables()
    g = tables["grades"]
    row = int(np.flatnonzero((g["grade"] == "BB").to_numpy())[0])
    g.loc[g.index[row], "total"] = "80"
    noisy = 80.00000000000001
    assert noisy != 80

    def edit(wb):
        ws = wb["grades"]
        col = [c.value for c in ws[1]].index("total") + 1
        ws.cell(row + 2, col).value = noisy

    ds = expect_load(book(tmp_path, edit, tables=tables))
    assert ds.grades["total"].iloc[row] == 80


def test_a_stray_cell_in_excels_last_cell_does_not_make_the_sheet_unreadable(tmp_path):
    """A space typed in XFD1048576 (after Ctrl+End) had made the reader allocate a
    1,048,576 x 16,384 grid: MemoryError, reported as a damaged sheet."""

    def edit(wb):
        wb["scores"]["XFD1048576"] = "x"

    ds = load_dataset(book(tmp_path, edit))
    acc = ds.accounts[ds.accounts["table"] == "scores"]
    assert int(acc["rows_read"].iloc[0]) == 1_048_575
    assert len(ds.scores) == len(valid_tables()["scores"])
    assert any("column XFD (no header)" in n for n in ds.notes)


def test_a_merged_title_row_is_one_problem(tmp_path):
    """A title merged across A1:I1 above the headers gave the same 'header cells A1:I1 are
    merged' line once per column before the real cause."""

    def edit(wb):
        ws = wb["scores"]
        ws.insert_rows(1, 2)
        ws["A1"] = "DAFTAR NILAI SAKIP 2020"
        ws.merge_cells(f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}1")

    err = expect_error(book(tmp_path, edit), "book.xlsx, sheet 'scores', row 1", "headers are in row 3", count=1)
    assert "are merged" not in str(err)


def test_rows_with_values_only_in_a_helper_column_are_not_data_rows(tmp_path):
    """A helper formula filled down past the data shows 0 in rows that are otherwise
    empty: 243 'the cell is empty ... Fill it in' problems, none naming the column."""
    n_data = len(valid_tables()["scores"])

    def edit(wb):
        ws = wb["scores"]
        col = ws.max_column + 1
        ws.cell(1, col).value = "nilai_tertimbang"
        for r in range(2, 31):
            ws.cell(r, col).value = 1 if r <= n_data + 1 else 0

    ds = expect_load(book(tmp_path, edit))
    acc = ds.accounts[ds.accounts["table"] == "scores"].set_index("reason")
    assert int(acc.loc["values only in columns outside the data model", "rows_excluded"]) == 30 - 1 - n_data
    assert any(f"rows {n_data + 2}–30 hold values only in column" in n for n in ds.notes), ds.notes


def test_an_excel_tables_total_row_is_not_read_as_data(tmp_path):
    """The Total Row of an Excel table ('Total' and a SUBTOTAL) was 8 bad cells, with the
    advice to type a year into its label."""
    n = len(valid_tables()["scores"])

    def edit(wb):
        ws = wb["scores"]
        last = openpyxl.utils.get_column_letter(ws.max_column)
        ws[f"A{n + 2}"] = "Total"
        table = Table(displayName="Tabel1", ref=f"A1:{last}{n + 2}", totalsRowCount=1)
        table._initialise_columns()
        table.tableColumns[0].totalsRowLabel = "Total"
        table.autoFilter.ref = f"A1:{last}{n + 1}"
        ws.add_table(table)

    ds = expect_load(book(tmp_path, edit))
    assert any(f"row {n + 2} is the Total Row of the Excel table 'Tabel1'" in note for note in ds.notes)


def test_a_damaged_text_table_names_the_cell(tmp_path):
    """A cell whose shared-string index points past the table: the message read
    'the sheet cannot be read (IndexError: list index out of range)'."""
    path = write_xlsx(tmp_path / "book.xlsx", valid_tables())
    part = _part(path, "jurors")
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                data = re.sub(
                    rb'<c r="C3" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="C3" t="s"><v>999</v></c>', data
                )
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            z.writestr(info, data)
        z.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si></sst>',
        )
    err = expect_error(path, "book.xlsx, sheet 'jurors', row 3", "cell C3 refers to text number 1,000", count=1)
    assert "Error" not in str(err)


@pytest.mark.parametrize("value", [80.00000000000001, 0.1 + 0.2, 72.5, 1e-05])
def test_numbers_are_read_to_excels_fifteen_digits(value):
    from kinerja.data.io import _excel_value

    assert float(_excel_value(value, None, None)) == float(f"{value:.15g}")
    assert np.isclose(float(_excel_value(value, None, None)), value)


def test_a_very_long_cell_is_quoted_cut_with_its_length(tmp_path):
    """A 5,000-character text pasted into a year cell was quoted whole: a message of 5,570
    characters."""

    def edit(wb):
        wb["scores"]["A2"] = "catatan " * 625

    err = expect_error(
        book(tmp_path, edit), "book.xlsx, sheet 'scores', row 2, column 'year'", "(4,999 characters)"
    )  # trimmed
    assert len(str(err)) < 1500
