"""CSV text: quotes, line counts, separators, line endings and encodings.

Row numbers in messages are the lines a text editor shows (for files without line breaks
inside cells, also the rows a spreadsheet shows).
"""

from __future__ import annotations

import pytest

from .corpus import book, edit_lines, expect_error, expect_load, expect_years_error, folder
from .helpers import valid_tables

# --- quotes and line counts -------------------------------------------------------------


def test_stray_quote_swallowing_rows_until_a_later_quote(tmp_path):
    """A quote opened in line 4 is closed only by the quotes of '66,5' in line 10: the
    lines between would vanish into one cell."""
    tables = valid_tables()
    tables["scores"].loc[8, "score"] = "66,5"  # written quoted in a comma-separated file
    ds = folder(tmp_path, tables)
    edit_lines(
        ds / "scores.csv", lambda lines: [*lines[:3], lines[3].replace(",test fixture", ',"Rapat 1'), *lines[4:]]
    )
    expect_error(
        ds,
        "scores.csv, row 4, column 'source' (I)",
        'a cell that starts with a quote (") in this line runs over 7 lines, to line 10',
        "Remove the stray quote or close it",
        count=1,
    )
    expect_years_error(ds, "scores.csv, row 4, column 'source' (I)")


def test_quote_never_closed(tmp_path):
    ds = folder(tmp_path)
    edit_lines(
        ds / "units.csv",
        lambda lines: [*lines[:2], lines[2].replace(",Dinas Kesehatan", ',"Dinas Kesehatan'), *lines[3:]],
    )
    expect_error(ds, "units.csv, row 3, column 'name' (C)", "runs over 2 lines, to line 4 (the end of the file)")


def test_stray_quote_swallowing_more_than_the_csv_modules_field_limit(tmp_path):
    """The lines a stray quote swallows can hold more than 131,072 characters (the csv
    module's default limit on one cell; a few thousand lines of scores): the DataError
    names the line, not the csv module's own error."""
    tables = valid_tables()
    tables["scores"]["source"] = "minutes of the jury meeting " * 2500  # 70,000 characters a line
    ds = folder(tmp_path, tables)
    edit_lines(ds / "scores.csv", lambda lines: [lines[0], lines[1].replace(",minutes", ',"minutes', 1), *lines[2:]])
    n = len((ds / "scores.csv").read_text().splitlines())
    expect_error(
        ds, "scores.csv, row 2, column 'source' (I)", f"runs over {n - 1} lines, to line {n} (the end of the file)"
    )
    expect_years_error(ds, "scores.csv, row 2, column 'source' (I)")


def test_stray_quote_in_a_semicolon_file(tmp_path):
    ds = folder(tmp_path, sep=";")
    edit_lines(ds / "jurors.csv", lambda lines: [lines[0], lines[1].replace(";named;", ';"named;'), *lines[2:]])
    expect_error(ds, "jurors.csv, row 2, column 'basis' (E)", "runs over 2 lines, to line 3 (the end of the file)")


def test_line_break_inside_a_quoted_cell_is_refused(tmp_path):
    """A real line break in a cell would make text lines and rows part ways: refused, said so."""
    tables = valid_tables()
    tables["units"].loc[1, "name"] = "Dinas\nKesehatan"  # written quoted, over two lines
    ds = folder(tmp_path, tables)
    expect_error(ds, "units.csv, row 3, column 'name' (C)", "runs over 2 lines, to line 4", "replace it by a space")


def test_quote_inside_a_cell_is_text(tmp_path):
    tables = valid_tables()
    tables["units"].loc[0, "name"] = 'Dinas "Pendidikan" Kota'  # pandas doubles the quotes
    ds = folder(tmp_path, tables)
    edit_lines(
        ds / "units.csv",
        lambda lines: [*lines[:2], lines[2].replace("Dinas Kesehatan", 'Dinas 5" Kesehatan'), *lines[3:]],
    )
    loaded = expect_load(ds)
    assert loaded.units["name"].tolist()[:2] == ['Dinas "Pendidikan" Kota', 'Dinas 5" Kesehatan']


def test_extra_separator_in_a_cell(tmp_path):
    ds = folder(tmp_path)
    edit_lines(
        ds / "units.csv",
        lambda lines: [*lines[:2], lines[2].replace("Dinas Kesehatan", "Dinas Kesehatan, Kota"), *lines[3:]],
    )
    expect_error(
        ds,
        "units.csv, row 3: this line has 8 cells but the header has 7",
        "contains the separator (',')",
        count=1,
    )


def test_extra_cells_with_quotes_in_the_line(tmp_path):
    ds = folder(tmp_path)
    edit_lines(
        ds / "units.csv",
        lambda lines: [*lines[:2], lines[2].replace("Dinas Kesehatan", 'Dinas "Kes", "x"'), *lines[3:]],
    )
    expect_error(ds, "units.csv, row 3: this line has 8 cells but the header has 7", "Check the quotes in this line")


def test_unquoted_decimal_comma_in_a_comma_file(tmp_path):
    ds = folder(tmp_path)
    edit_lines(ds / "scores.csv", lambda lines: [*lines[:5], lines[5].replace(",70,", ",70,5,"), *lines[6:]])
    err = expect_error(ds, "scores.csv, row 6: this line has 10 cells but the header has 9", "decimal commas (72,5)")
    assert "Check the quotes" not in str(err.problems[0])


def test_trailing_empty_cells_beyond_the_header(tmp_path):
    """Excel writes empty cells of formatted columns as trailing separators: accepted."""
    ds = folder(tmp_path, sep=";")
    edit_lines(ds / "units.csv", lambda lines: [lines[0] + ";;", lines[1] + ";;", lines[2] + ";;;;;", lines[3]])
    expect_load(ds)


def test_rows_shorter_than_the_header_by_empty_optional_cells(tmp_path):
    tables = valid_tables()
    tables["units"] = tables["units"][["year", "unit_id", "name", "category", "basis", "source", "abbreviation"]]
    ds = folder(tmp_path, tables)
    edit_lines(ds / "units.csv", lambda lines: [lines[0], lines[1], lines[2].rstrip(","), lines[3].rstrip(",")])
    loaded = expect_load(ds)
    assert loaded.units["abbreviation"].isna().tolist() == [False, True, True]


# --- separators and the first line ----------------------------------------------------------


def test_excel_sep_line_is_used_and_counted(tmp_path):
    ds = folder(tmp_path, sep=";")
    for name in ("units", "scores"):
        path = ds / f"{name}.csv"
        path.write_text("sep=;\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = expect_load(ds)
    assert any("scores.csv starts with Excel's 'sep=;' line" in n for n in loaded.notes)
    # a bad cell in the second data row is in line 4 of the file (the sep= line is line 1)
    edit_lines(ds / "scores.csv", lambda lines: [*lines[:3], lines[3].replace(";80.5;", ";180.5;"), *lines[4:]])
    expect_error(ds, "scores.csv, row 4, column 'score' (G)", "'180.5' is outside 0–100")


def test_excel_sep_line_naming_a_tab(tmp_path):
    ds = folder(tmp_path, sep="\t")
    path = ds / "rubric.csv"
    path.write_text('"sep=\t"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    expect_load(ds)


def test_pipe_separated_file(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", "|"), encoding="utf-8")
    expect_error(ds, "units.csv, row 1 (header): the header row is one single cell ('year|unit_id|name", "';' or ','")


def test_title_row_above_the_header(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    path.write_text("Daftar unit Kota Batu 2020,,,,,,\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    expect_error(ds, "units.csv, row 1 (header): the column headers are in row 2, not in row 1", count=1)


def test_header_repeated_further_down(tmp_path):
    """Two files pasted together: the second header (with its byte-order mark) is a row."""
    ds = folder(tmp_path, encoding="utf-8-sig")
    path = ds / "units.csv"
    data = path.read_bytes()
    header, first = data.splitlines()[:2]
    path.write_bytes(data + header + b"\n" + first.replace(b"disdik", b"dishub") + b"\n")
    expect_error(ds, "units.csv, row 5: this row repeats the header row", count=1)


@pytest.mark.parametrize(
    "row, column, letter",
    [
        ("2020,sakip,lke,Jumlah,,,160,,", "subject_id", "D"),  # the label under the units
        ("Rata-rata:,,,,,,80,,", "year", "A"),  # the label in the first column
        ("2020,sakip,lke,,,TOTAL NILAI,160,,", "criterion_id", "F"),
    ],
)
def test_a_row_of_totals_typed_under_the_data_is_named_once(tmp_path, row, column, letter):
    """One problem naming the row and the label, not an empty id, a missing basis and a
    score out of range in each of its cells."""
    ds = folder(tmp_path)
    edit_lines(ds / "scores.csv", lambda lines: [*lines, row])
    n = len((ds / "scores.csv").read_text(encoding="utf-8").splitlines())
    expect_error(
        ds,
        f"scores.csv, row {n}, column '{column}' ({letter}): this row looks like a row of totals or averages",
        "Delete it.",
        count=1,
    )


def test_a_row_of_totals_labelled_in_the_year_column_is_named_by_the_years_check_too(tmp_path):
    """``dataset_years`` (what ``kinerja run`` reads first) sees only the year column: it
    names the row of totals, not "'Jumlah' is not a whole number"."""
    ds = folder(tmp_path)
    edit_lines(ds / "scores.csv", lambda lines: [*lines, "Jumlah,,,,,,160,,"])
    n = len((ds / "scores.csv").read_text(encoding="utf-8").splitlines())
    expect_years_error(ds, f"scores.csv, row {n}, column 'year' (A): this row looks like a row of totals")


def test_rows_of_totals_in_a_workbook_are_named_together(tmp_path):
    def edit(wb):
        ws = wb["units"]
        last = ws.max_row
        for k, label in enumerate(["Jumlah", "Jumlah"], 1):
            ws.cell(last + k, 2, label)
            ws.cell(last + k, 1, 2020)

    err = expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'units', rows 5 and 6, column 'unit_id' (B): these rows look like a row of totals",
        "Delete them.",
        count=1,
    )
    assert "empty" not in str(err)


def test_a_unit_whose_name_only_contains_total_is_data(tmp_path):
    tables = valid_tables()
    tables["units"].loc[0, "name"] = "Badan Pengelola Total Kualitas"
    expect_load(folder(tmp_path, tables))


# --- line endings ------------------------------------------------------------------------


def test_old_mac_line_endings(tmp_path):
    ds = folder(tmp_path)
    for path in ds.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    expect_load(ds)
    edit = (ds / "scores.csv").read_bytes().replace(b",80.5,", b",180.5,", 1)
    (ds / "scores.csv").write_bytes(edit)
    expect_error(ds, "scores.csv, row 3, column 'score' (G)", "'180.5' is outside 0–100")


def test_mixed_line_endings(tmp_path):
    ds = folder(tmp_path)
    path = ds / "scores.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 4))
    expect_load(ds)


# --- encodings -------------------------------------------------------------------------


def test_windows_1252_file_is_read_and_noted(tmp_path):
    tables = valid_tables()
    tables["units"].loc[1, "name"] = "Dinas Kesehatan (café)"
    ds = folder(tmp_path, tables, encoding="cp1252")
    loaded = expect_load(ds)
    assert loaded.units["name"].iloc[1] == "Dinas Kesehatan (café)"
    assert any("units.csv is not saved as UTF-8; it was read as Windows-1252" in n for n in loaded.notes)


def test_utf8_file_with_one_windows_1252_byte(tmp_path):
    """Mixed encodings (UTF-8 with a byte-order mark, and one row pasted from a Windows-1252
    file): reported as an encoding problem at its line, not as a missing 'ï»¿year' column."""
    ds = folder(tmp_path, encoding="utf-8-sig")
    path = ds / "units.csv"
    path.write_bytes(path.read_bytes().replace(b"Dinas Kesehatan", "Dinas Kesehatan café".encode("cp1252")))
    err = expect_error(
        ds,
        "units.csv, row 3, column 'name' (C)",
        "the byte 0xe9 ('é' in Windows-1252), which is not UTF-8",
        "it starts with the byte-order mark of a UTF-8 file",
        "mixes two encodings",
        count=1,
    )
    assert "ï»¿" not in str(err)


def test_utf8_and_windows_1252_characters_in_one_file(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    data = path.read_bytes().replace(b"Dinas Kesehatan", "Dinas Kesehatan café".encode("cp1252"))
    path.write_bytes(data.replace(b",Inspektorat,,", ",Inspektorat \u00fc,,".encode("utf-8")))
    expect_error(ds, "units.csv, row 3, column 'name' (C)", "line 4 has 'ü' written in UTF-8", "mixes two encodings")


def test_byte_that_is_no_character_in_any_supported_encoding(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    path.write_bytes(path.read_bytes().replace(b"Dinas Kesehatan", b"Dinas Kesehatan \x81"))
    expect_error(ds, "units.csv, row 3: this line holds the byte 0x81", "neither in UTF-8 nor in Windows-1252")


def test_header_with_a_garbled_byte_order_mark(tmp_path):
    """A UTF-8 file read once as Windows-1252 and saved again as UTF-8: 'ï»¿year'."""
    ds = folder(tmp_path)
    path = ds / "units.csv"
    path.write_text("ï»¿" + path.read_text(encoding="utf-8"), encoding="utf-8")
    err = expect_error(
        ds,
        "units.csv, row 1 (header), column 'year' (A): the header 'ï»¿year' looks garbled",
        "byte-order mark of a UTF-8 file read as Windows-1252",
        count=1,
    )
    assert "required column is missing" not in str(err)


def test_cell_garbled_by_a_double_conversion(tmp_path):
    tables = valid_tables()
    tables["units"].loc[1, "name"] = "Dinas Kesehatan (cafÃ©)"
    expect_error(
        folder(tmp_path, tables),
        "units.csv, row 3, column 'name' (C): 'Dinas Kesehatan (cafÃ©)' looks garbled",
        "'Ã©', which is how 'é' looks when UTF-8 text is read as Windows-1252",
    )


def test_utf16_tab_separated_as_excel_unicode_text(tmp_path):
    tables = valid_tables()
    tables["units"].loc[1, "name"] = "Dinas Kesehatan (café)"
    loaded = expect_load(folder(tmp_path, tables, sep="\t", encoding="utf-16"))
    assert loaded.units["name"].iloc[1] == "Dinas Kesehatan (café)"


def test_utf16_without_byte_order_mark(tmp_path):
    expect_load(folder(tmp_path, sep=";", encoding="utf-16-le"))


def test_utf16_file_with_a_bad_line_reports_the_line(tmp_path):
    tables = valid_tables()
    tables["scores"].loc[3, "score"] = "800"
    expect_error(folder(tmp_path, tables, sep="\t", encoding="utf-16"), "scores.csv, row 5, column 'score' (G)")


def test_file_with_exactly_excels_row_limit(tmp_path):
    ds = folder(tmp_path)
    path = ds / "units.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n" + "2020,u\n" * (1_048_576 - 1), encoding="utf-8")
    expect_error(ds, "units.csv: the file has exactly 1,048,576 lines, the most an Excel sheet holds")


def test_excels_full_height_of_empty_lines_after_the_data_is_not_a_cut(tmp_path):
    """Excel saves a used range that ran on to its last row as empty ';;;' lines: nothing
    was lost, so there is nothing to report but blank rows."""
    from .corpus import expect_load

    ds = folder(tmp_path, sep=";")
    path = ds / "units.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\r\n".join(lines + [";" * 6] * (1_048_576 - len(lines))) + "\r\n", encoding="utf-8")
    loaded = expect_load(ds)
    blank = loaded.accounts.query("table == 'units'")
    assert int(blank["rows_read"].iloc[0]) == 1_048_575


def test_dos_end_of_file_mark_is_not_a_cut_off_line(tmp_path):
    """Old DOS exporters end a file with Ctrl-Z (0x1A), after the last line break or not."""
    from .corpus import expect_load

    for name, ending in (("lf", b"\n\x1a"), ("cr", b"\r\x1a")):
        ds = folder(tmp_path / name)
        path = ds / "units.csv"
        data = path.read_bytes().rstrip(b"\n")
        path.write_bytes(data.replace(b"\n", ending[:1]) + ending)
        expect_load(ds)


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_ends_are_refused_as_line_ends_and_spaces_in_cells(tmp_path, char):
    """U+2028 / U+2029 / U+0085 are line ends to some exporters, not to CSV readers: a file
    whose lines end with them had read as one header of dozens of unknown columns. Inside
    a cell they had been kept in the name ('Dinas\u2028Pendidikan')."""
    ds = folder(tmp_path / "ends")
    path = ds / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n").replace("\n", char) + "\n", encoding="utf-8")
    err = expect_error(
        ds, "units.csv, row 1 (header): its lines are separated by the character U+", "'CSV UTF-8'", count=1
    )
    assert "required column" not in str(err)

    ds = folder(tmp_path / "cell")
    edit_lines(ds / "units.csv", lambda lines: [lines[0], lines[1].replace(",Dinas ", f",Dinas{char}", 1), *lines[2:]])
    names = expect_load(ds).units["name"]
    assert not names.str.contains(char, regex=False).any()
    assert names.str.startswith("Dinas ").any()

    # inside a header cell, cutting the header into pieces of equal width (3 separators
    # each side here) does not make them rows: the next line is 7 cells wide
    ds = folder(tmp_path / "header")
    edit_lines(ds / "units.csv", lambda lines: [lines[0].replace(",abbreviation", f",abbrev{char}iation"), *lines[1:]])
    head = (ds / "units.csv").read_text(encoding="utf-8").split("\n")[0]
    assert [p.count(",") for p in head.split(char)] == [3, 3]
    expect_load(ds)


def test_lines_with_another_separator_than_the_header(tmp_path):
    ds = folder(tmp_path, sep=";")
    edit_lines(ds / "scores.csv", lambda lines: [*lines[:3], *(x.replace(";", ",") for x in lines[3:5]), *lines[5:]])
    expect_error(
        ds,
        "scores.csv, rows 4 and 5: these lines use ',' between the cells, but the header row uses ';'",
        "one separator throughout",
        count=1,
    )


def test_misspelt_header(tmp_path):
    tables = valid_tables()
    tables["jurors"] = tables["jurors"].rename(columns={"juror_id": "Juror-Id "})
    expect_load(folder(tmp_path, tables, name="ok"))  # case, spaces and '-' are forgiven
    tables["jurors"] = tables["jurors"].rename(columns={"Juror-Id ": "jurorid"})
    expect_error(
        folder(tmp_path, tables),
        "jurors.csv, row 1 (header), column 'juror_id': the required column is missing",
        "Did you mean 'jurorid'? Rename that header to 'juror_id'.",
        count=1,
    )
