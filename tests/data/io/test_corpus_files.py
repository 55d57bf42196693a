"""Damaged files and files that are not what their name says: a DataError saying what the
file really is, from load_dataset, dataset_years and `kinerja run` alike (never a traceback)."""

from __future__ import annotations

import pytest

from kinerja.io import DataError, load_dataset

from .corpus import book, expect_error, expect_years_error, folder, ole2_file
from .helpers import valid_tables, write_xlsx

# --- CSV files -------------------------------------------------------------------------


def test_zero_byte_csv(tmp_path):
    ds = folder(tmp_path)
    (ds / "rubric.csv").write_bytes(b"")
    expect_error(ds, "rubric.csv: the file is empty (0 bytes)", "header row")
    expect_years_error(ds, "rubric.csv: the file is empty (0 bytes)")


def test_csv_holding_only_a_byte_order_mark(tmp_path):
    ds = folder(tmp_path)
    (ds / "jurors.csv").write_bytes(b"\xef\xbb\xbf")
    expect_error(ds, "jurors.csv: the file is empty: it holds only a byte-order mark", count=1)
    expect_years_error(ds, "jurors.csv: the file is empty: it holds only a byte-order mark")


def test_csv_holding_only_blank_lines(tmp_path):
    ds = folder(tmp_path)
    (ds / "grades.csv").write_bytes(b"\r\n  \r\n\r\n")
    expect_error(ds, "grades.csv: the file is empty: it holds only spaces or empty lines")


def test_csv_whose_tail_was_overwritten_with_nul_bytes(tmp_path):
    ds = folder(tmp_path)
    path = ds / "scores.csv"
    data = bytearray(path.read_bytes())
    lines_before = data[: len(data) - 150].count(b"\n")  # the NULs start in the next line
    data[-150:] = b"\0" * 150
    path.write_bytes(bytes(data))
    expect_error(
        ds,
        f"scores.csv, row {lines_before + 1}: the file is damaged: from line {lines_before + 1} to its end it holds "
        "150 NUL bytes",
        "rows are missing",
        count=1,
    )
    expect_years_error(ds, f"scores.csv, row {lines_before + 1}: the file is damaged")


def test_csv_with_nul_bytes_in_the_middle(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    data = path.read_bytes().replace(b"Dinas Kesehatan", b"Dinas Kes\0\0\0an", 1)
    path.write_bytes(data)
    expect_error(ds, "units.csv, row 3: the file holds 3 NUL bytes (binary zeros), the first in line 3")


def test_csv_cut_off_in_the_middle_of_its_last_line(tmp_path):
    ds = folder(tmp_path)
    path = ds / "scores.csv"
    data = path.read_bytes().rstrip(b"\n")
    path.write_bytes(data[:-25])  # ends inside the criterion_id of the last row
    last = data.count(b"\n") + 1
    expect_error(
        ds,
        f"scores.csv, row {last}: the last line has 5 cells but the header has 9",
        "does not end with a line break: it seems cut off (truncated)",
        "criterion_id, score, basis, source",
        count=1,
    )


def test_last_line_without_line_break_is_fine_when_complete(tmp_path):
    from .corpus import expect_load

    ds = folder(tmp_path)
    path = ds / "scores.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    expect_load(ds)


def test_csv_cut_off_inside_a_character(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    path.write_bytes(path.read_bytes() + "2020,dinsos,Dinas Sosial Café".encode()[:-1])
    expect_error(ds, "units.csv, row 5: the file ends in the middle of a character: it was cut off (truncated)")


@pytest.mark.parametrize(
    "content, what",
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"<!DOCTYPE html><html><table><tr><td>year</td></tr></table></html>", "a web page (HTML)"),
        (b"\x1f\x8b\x08\x00\x00\x00", "a gzip-compressed file"),
    ],
)
def test_csv_that_is_another_kind_of_file(tmp_path, content, what):
    ds = folder(tmp_path)
    (ds / "units.csv").write_bytes(content)
    expect_error(ds, f"units.csv: the file is {what}", "not a CSV text file", "'CSV UTF-8'")


def test_workbook_saved_under_a_csv_name(tmp_path):
    ds = folder(tmp_path)
    write_xlsx(tmp_path / "x.xlsx", valid_tables())
    (ds / "units.csv").write_bytes((tmp_path / "x.xlsx").read_bytes())
    expect_error(ds, "units.csv: the file is an Excel workbook (.xlsx), not a CSV text file", "save it as 'CSV UTF-8'")
    expect_years_error(ds, "units.csv: the file is an Excel workbook (.xlsx)")


def test_old_workbook_saved_under_a_csv_name(tmp_path):
    ds = folder(tmp_path)
    ole2_file(ds / "units.csv", "Workbook")
    expect_error(ds, "units.csv: the file is an old-style Excel 97-2003 workbook (.xls), not a CSV text file")


def test_a_single_csv_file_given_as_the_dataset(tmp_path):
    ds = folder(tmp_path)
    expect_error(ds / "units.csv", "units.csv: this is a single CSV file, not a dataset", str(ds))


# --- Workbooks -----------------------------------------------------------------------


def test_csv_renamed_to_xlsx(tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_text("year;unit_id;name\n2020;disdik;Dinas Pendidikan\n", encoding="utf-8")
    expect_error(
        path,
        "data.xlsx: the file is not an Excel workbook but a text file (it starts with 'year;unit_id;name')",
        "a CSV file renamed to .xlsx",
        count=1,
    )
    expect_years_error(path, "data.xlsx: the file is not an Excel workbook but a text file")


def test_old_xls_renamed_to_xlsx(tmp_path):
    path = ole2_file(tmp_path / "old.xlsx", "Workbook")
    expect_error(path, "old.xlsx: the file is an old-style Excel 97-2003 workbook (.xls), not an Excel workbook")
    expect_years_error(path, "old.xlsx: the file is an old-style Excel 97-2003 workbook (.xls)")


def test_password_protected_workbook(tmp_path):
    path = ole2_file(tmp_path / "secret.xlsx", "EncryptedPackage")
    expect_error(path, "secret.xlsx: the workbook is protected with a password (encrypted)", "remove the password")


def test_truncated_workbook(tmp_path):
    good = book(tmp_path).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    expect_error(path, "cut.xlsx: the file is a damaged or incomplete zip file", "cut off", count=1)
    expect_years_error(path, "cut.xlsx: the file is a damaged or incomplete zip file")


def test_zero_byte_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    expect_error(path, "empty.xlsx: the file is empty (0 bytes), not a workbook")


def test_workbook_overwritten_with_nul_bytes(tmp_path):
    path = tmp_path / "zeros.xlsx"
    path.write_bytes(b"\0" * 4096)
    expect_error(path, "zeros.xlsx: the file is not an Excel workbook (.xlsx): it is not a zip archive")


def test_opendocument_spreadsheet_named_xlsx(tmp_path):
    import zipfile

    path = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    expect_error(path, "calc.xlsx: the file is an OpenDocument spreadsheet (.ods", "'Excel Workbook (.xlsx)'")


def test_zip_archive_named_xlsx(tmp_path):
    import zipfile

    path = tmp_path / "bundle.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("units.csv", "year,unit_id\n")
    expect_error(path, "bundle.xlsx: the file is a zip archive (holding units.csv)")


def test_html_table_named_xlsx(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("<html><body><table><tr><td>year</td></tr></table></body></html>", encoding="utf-8")
    expect_error(path, "export.xlsx: the file is a web page (HTML)")


def test_workbook_with_an_xls_name_is_read(tmp_path):
    path = book(tmp_path)
    renamed = path.rename(tmp_path / "book.xls")
    ds = load_dataset(renamed)
    assert len(ds.scores) == len(valid_tables()["scores"])
    assert any("book.xls is an Excel workbook (.xlsx) with a '.xls' name" in n for n in ds.notes)


def test_damaged_sheet_inside_a_workbook(tmp_path):
    from .corpus import SHEET_PART, rewrite_part

    path = rewrite_part(book(tmp_path), SHEET_PART["jurors"], lambda xml: xml[: len(xml) // 2])
    err = expect_error(path, "book.xlsx, sheet 'jurors': the sheet cannot be read", "save it again as .xlsx")
    assert err.n_problems == 1  # scores are not also blamed for the jurors they refer to


# --- kinerja run ---------------------------------------------------------------------


@pytest.mark.usefixtures("kinerja_kernel")
def test_kinerja_run_refuses_a_damaged_dataset_with_the_loader_message(tmp_path):
    from kinerja.run import RunConfigurationError, run_collection

    ds = folder(tmp_path)
    (ds / "jurors.csv").write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(RunConfigurationError) as info:
        run_collection(ds, years=[2020], out=tmp_path / "reports", progress=False)
    message = str(info.value)
    assert "jurors.csv: the file is empty: it holds only a byte-order mark" in message
    assert "IndexError" not in message and "Traceback" not in message
    assert not (tmp_path / "reports").exists()


def test_dataset_years_reports_a_bad_year_cell(tmp_path):
    from .helpers import two_years

    tables = two_years(valid_tables())
    tables["units"].loc[4, "year"] = "20210"  # would otherwise become a year of its own
    ds = folder(tmp_path, tables)
    err = expect_years_error(ds, "units.csv, row 6, column 'year' (A)", "'20210' is outside 1990–2100")
    assert isinstance(err, DataError)


def test_strict_open_xml_workbook(tmp_path):
    from .corpus import rewrite_part

    path = rewrite_part(
        book(tmp_path),
        "xl/workbook.xml",
        lambda xml: xml.replace(
            "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"
        ),
    )
    expect_error(path, "book.xlsx: the workbook is saved as 'Strict Open XML Spreadsheet'", "'Excel Workbook (.xlsx)'")


def test_excel_binary_workbook(tmp_path):
    """An .xlsb is a zip file too, with xl/workbook.bin: it was called a damaged workbook."""
    import zipfile

    for name in ("book.xlsb", "renamed.xlsx"):
        with zipfile.ZipFile(tmp_path / name, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    expect_error(
        tmp_path / "book.xlsb",
        "book.xlsb: the file is an Excel Binary Workbook (.xlsb)",
        "save it as 'Excel Workbook (.xlsx)'",
    )
    expect_error(
        tmp_path / "renamed.xlsx",
        "renamed.xlsx: the file is an Excel Binary Workbook (.xlsb), not an Excel workbook (.xlsx)",
        "save it as 'Excel Workbook (.xlsx)'",
    )
