"""Cells that are not what they look like: Excel number formats, dates, logical and error
values, formulas without a stored result, merged cells, numbers written in other ways,
dates in ``announced``, invisible characters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from .corpus import SHEET_PART, book, expect_error, expect_load, folder, rewrite_part
from .helpers import rename_unit, valid_tables

# --- Excel number formats ------------------------------------------------------------------


def test_percent_formatted_score_is_read_as_the_number_shown(tmp_path):
    """'85%' in a percentage cell is stored as 0.85; a score is points out of 100, so the
    number shown (85) is the score. Decided: convert in the 0-100 columns, and say so."""

    def edit(wb):
        ws = wb["scores"]
        ws["G5"], ws["G5"].number_format = 0.85, "0%"
        ws["G6"], ws["G6"].number_format = 0.805, "0.0%"
        wb["rubric"]["G2"].number_format = "0%"
        wb["rubric"]["G2"] = 0.6

    loaded = expect_load(book(tmp_path, edit))
    assert loaded.scores["score"].tolist()[3:5] == [85.0, 80.5]
    assert loaded.rubric["weight"].tolist()[:2] == [60.0, 40.0]
    notes = " ".join(loaded.notes)
    assert "sheet 'scores', column 'score': 2 cells formatted as percentages (e.g. row 5)" in notes
    assert "(85% -> 85)" in notes and "points out of 100" in notes


def test_percent_formatted_year_is_refused(tmp_path):
    def edit(wb):
        wb["units"]["A3"].number_format = "0%"

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'units', row 3, column 'year' (A)",
        "the cell is formatted as a percentage (202000%, stored as 2020)",
        "Format the column as Number",
        count=1,
    )


def test_percent_written_in_a_csv_score(tmp_path):
    tables = valid_tables()
    tables["scores"].loc[0, "score"] = "72,5%"
    loaded = expect_load(folder(tmp_path, tables, sep=";"))
    assert loaded.scores["score"].iloc[0] == 72.5
    assert any("scores.csv, column 'score': 1 cell written as percentages (e.g. row 2)" in n for n in loaded.notes)


def test_percent_written_in_a_csv_year(tmp_path):
    tables = valid_tables()
    tables["jurors"].loc[0, "year"] = "20%"
    expect_error(folder(tmp_path, tables), "jurors.csv, row 2, column 'year' (A): '20%' is a percentage")


def test_date_in_a_score_cell(tmp_path):
    """'7.5' typed where the system reads dates as d.m becomes 7 May."""

    def edit(wb):
        wb["scores"]["G5"] = dt.date(2021, 5, 7)

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'scores', row 5, column 'score' (G)",
        "the cell holds a date (2021-05-07), not a number",
        "Excel shows the number 44323 as 2021-05-07",
        count=1,
    )


def test_year_in_a_date_formatted_cell(tmp_path):
    def edit(wb):
        wb["units"]["A3"].number_format = "yyyy-mm-dd"

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'units', row 3, column 'year' (A)",
        "holds a date (1905-07-12)",
        "Excel shows the number 2020 as 1905-07-12",
    )


def test_id_turned_into_a_date(tmp_path):
    def edit(wb):
        wb["rubric"]["D2"] = dt.datetime(2021, 1, 1)  # criterion '1-1' as Excel reads it

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'rubric', row 2, column 'criterion_id' (D)",
        "Excel turned what was typed into the date 2021-01-01",
        "Format the column as Text",
    )


def test_time_in_a_score_cell(tmp_path):
    def edit(wb):
        wb["scores"]["G3"] = dt.time(7, 30)

    expect_error(book(tmp_path, edit), "book.xlsx, sheet 'scores', row 3, column 'score' (G)", "holds a time")


def test_announced_as_excel_dates(tmp_path):
    def edit(wb):
        ws = wb["grades"]
        ws["E2"] = dt.datetime(2021, 2, 17)
        ws["E3"], ws["E3"].number_format = dt.datetime(2021, 2, 1), "mmm yyyy"  # shown as 'Feb 2021'

    loaded = expect_load(book(tmp_path, edit))
    assert loaded.grades["announced"].tolist()[:2] == ["2021-02-17", "2021-02"]


def test_announced_date_with_a_time_of_day(tmp_path):
    def edit(wb):
        wb["grades"]["E3"] = dt.datetime(2021, 2, 17, 10, 30)

    expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'grades', row 3, column 'announced' (E)",
        "a date and a time of day (2021-02-17 10:30:00)",
    )


def test_logical_values(tmp_path):
    def edit(wb):
        wb["scores"]["G5"] = True
        wb["units"]["D3"] = False

    err = expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'scores', row 5, column 'score' (G)",
        "the logical value TRUE (TRUE/FALSE), not a number",
        count=2,
    )
    from .corpus import assert_says

    assert_says(
        err, "book.xlsx, sheet 'units', row 3, column 'abbreviation' (D)", "the logical value FALSE", "not text"
    )


@pytest.mark.parametrize("code", ["#N/A", "#DIV/0!", "#REF!", "#VALUE!"])
def test_excel_error_values(tmp_path, code):
    def edit(wb):
        wb["scores"]["G4"] = code  # openpyxl stores these as error cells
        wb["units"]["G3"] = code

    err = expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'scores', row 4, column 'score' (G)",
        f"'{code}' is an Excel error value",
        count=2,
    )
    from .corpus import assert_says

    assert_says(err, "book.xlsx, sheet 'units', row 3, column 'source' (G)", f"'{code}' is an Excel error value")


def test_excel_error_value_in_a_csv_text_cell(tmp_path):
    tables = valid_tables()
    tables["units"].loc[2, "name"] = "#N/A"
    expect_error(folder(tmp_path, tables), "units.csv, row 4, column 'name' (C): '#N/A' is an Excel error value")


def test_formula_without_a_stored_result(tmp_path):
    """Workbooks written by scripts hold formulas but no results: not 'the cell is empty'."""

    def edit(wb):
        wb["scores"]["G5"] = "=AVERAGE(G2:G4)"
        wb["units"]["G3"] = "=units!G2"

    err = expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'scores', row 5, column 'score' (G)",
        "holds a formula (=AVERAGE(G2:G4)) with no stored result",
        "save it again",
        count=2,
    )
    assert "the cell is empty" not in str(err)


def test_formula_with_a_stored_result_is_read(tmp_path):
    """As Excel saves it: the formula and its result; the result is what is read."""

    def edit(wb):
        wb["scores"]["G5"] = "=AVERAGE(G2:G4)"

    path = rewrite_part(
        book(tmp_path, edit),
        SHEET_PART["scores"],
        lambda xml: xml.replace("(G2:G4)</f><v />", "(G2:G4)</f><v>73.5</v>"),
    )
    loaded = expect_load(path)
    assert loaded.scores["score"].iloc[3] == 73.5


def test_formula_with_an_empty_text_result_is_an_empty_cell(tmp_path):
    def edit(wb):
        wb["units"]["D2"] = '=IF(TRUE,"","x")'

    path = rewrite_part(
        book(tmp_path, edit),
        SHEET_PART["units"],
        lambda xml: xml.replace('<c r="D2"><f>', '<c r="D2" t="str"><f>').replace("</f><v />", "</f><v></v>", 1),
    )
    loaded = expect_load(path)
    assert loaded.units["abbreviation"].isna().all()


def test_merged_cells_in_a_column(tmp_path):
    def edit(wb):
        wb["scores"].merge_cells("A2:A6")  # one year for five rows, as it looks on paper

    err = expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'scores', rows 3–6, column 'year' (A)",
        "covered by the merged cells A2:A6",
        "only the first cell (A2) holds a value",
        "Unmerge the cells",
        count=1,
    )
    assert "the cell is empty" not in str(err)


def test_merged_cells_below_the_data_are_ignored(tmp_path):
    def edit(wb):
        ws = wb["units"]
        ws["A10"] = None
        ws.merge_cells("A10:C12")  # formatting of an empty area

    expect_load(book(tmp_path, edit))


def test_merged_header_cells(tmp_path):
    def edit(wb):
        wb["units"].merge_cells("C1:D1")

    expect_error(book(tmp_path, edit), "book.xlsx, sheet 'units', row 1 (header)", "the header cells C1:D1 are merged")


def test_zero_padded_number_format_keeps_the_zeros(tmp_path):
    tables = rename_unit(valid_tables(), "disdik", "007")

    def edit(wb):
        wb["units"]["B2"], wb["units"]["B2"].number_format = 7, "000"  # shown as 007

    loaded = expect_load(book(tmp_path, edit, tables))
    assert loaded.units["unit_id"].iloc[0] == "007"


def test_number_format_with_text_shows_the_id_that_is_read(tmp_path):
    """Juror numbers formatted '"J"00' are shown as J01, J02 and mean J01, J02 (they were
    read as 01, 02); '00-00' shows 1201 as 12-01; a score formatted '0" poin"' is 85."""
    tables = valid_tables()
    for name, col in (("units", "unit_id"), ("grades", "unit_id"), ("innovations", "unit_id")):
        tables[name][col] = tables[name][col].replace("disdik", "12-01")
    tables["scores"]["subject_id"] = tables["scores"]["subject_id"].replace("disdik", "12-01")

    def edit(wb):
        for sheet, col in (("jurors", "B"), ("scores", "E")):
            ws = wb[sheet]
            for r in range(2, ws.max_row + 1):
                n = int(ws[f"{col}{r}"].value[1:])
                ws[f"{col}{r}"], ws[f"{col}{r}"].number_format = n, '"J"00'
        wb["units"]["B2"], wb["units"]["B2"].number_format = 1201, "00-00"
        wb["scores"]["G2"], wb["scores"]["G2"].number_format = 85, '[Blue]0" poin"'

    loaded = expect_load(book(tmp_path, edit, tables))
    assert set(loaded.jurors["juror_id"]) == set(loaded.scores["juror_id"]) == {"J01", "J02"}
    assert loaded.units["unit_id"].iloc[0] == "12-01" and loaded.scores["score"].iloc[0] == 85.0
    notes = " ".join(loaded.notes)
    assert "sheet 'jurors', column 'juror_id': 2 cells holding numbers that their number format shows" in notes
    assert "were read as the text Excel shows (1 -> J01)" in notes
    assert "sheet 'scores', column 'score': 1 cell holding numbers" in notes and "(85 poin -> 85)" in notes


def test_long_id_in_a_zero_padded_cell_is_refused_like_any_long_number(tmp_path):
    """A format of 18 zeros shows an 18-digit NIP in full, but the cell keeps 15 digits."""

    def edit(wb):
        for cell in ("B2", "B3"):
            wb["jurors"][cell] = int(wb["jurors"][cell].value)
            wb["jurors"][cell].number_format = "0" * 18

    expect_error(
        book(tmp_path, edit, _nip_tables()),
        "book.xlsx, sheet 'jurors', row 2, column 'juror_id' (B)",
        "the number 198501012010011000 (18 digits): Excel keeps only 15 digits",
        count=2,
    )


def test_number_in_a_date_formatted_cell_that_no_date_has(tmp_path):
    """Excel shows ####; openpyxl gives '#VALUE!', which was reported as a failed formula."""

    def edit(wb):
        wb["grades"]["E2"], wb["grades"]["E2"].number_format = 3_000_000, "yyyy-mm-dd"

    err = expect_error(
        book(tmp_path, edit),
        "book.xlsx, sheet 'grades', row 2, column 'announced' (E)",
        "the cell holds the number 3000000 and is formatted as a date, but no date has that number",
        count=1,
    )
    assert "formula" not in str(err)


# --- numbers written in other ways ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [("8,5", 8.5), ("7.5E+01", 75.0), ("7,5e1", 75.0), (" 80 ", 80.0), ("1.234", 1.234), ("+66", 66.0)],
)
def test_numbers_that_are_read(tmp_path, text, value):
    tables = valid_tables()
    tables["scores"].loc[2, "score"] = text
    loaded = expect_load(folder(tmp_path, tables, sep=";"))
    assert loaded.scores["score"].iloc[2] == value


@pytest.mark.parametrize(
    "text, says",
    [
        ("1.234,5", "It has both '.' and ','"),
        ("72 5", "is not a number"),
        ("17/02/2021", "It looks like a date"),
        ("NaN", "is not a number"),
        ("1e400", "Its exponent is out of range"),
        # a nonzero number that a float can only hold as 0 is not 0
        ("1e-400", "Its exponent is out of range"),
        ("-2,5E-999", "Its exponent is out of range"),
        # digits as an East Asian keyboard types them
        ("８２", "Its digits are full-width characters"),
        ("７２,５", "retype it as 72,5"),
    ],
)
def test_numbers_that_are_refused(tmp_path, text, says):
    tables = valid_tables()
    tables["scores"].loc[2, "score"] = text
    expect_error(folder(tmp_path, tables, sep=";"), f"scores.csv, row 4, column 'score' (G): '{text}'", says, count=1)


@pytest.mark.parametrize(
    "text, says",
    [
        ("2.020", "It looks like 2020 written with a thousands separator"),
        ("2,020", "It looks like 2020 written with a thousands separator"),
        ("20200", "'20200' is outside 1990–2100"),
        ("2020.5", "'2020.5' is not a whole number"),
        ("dua ribu", "'dua ribu' is not a whole number"),
        ("２０２０", "retype it as 2020"),
    ],
)
def test_year_cells_that_are_refused(tmp_path, text, says):
    tables = valid_tables()
    tables["units"].loc[1, "year"] = text
    expect_error(folder(tmp_path, tables, sep=";"), "units.csv, row 3, column 'year' (A)", says, count=1)


def test_year_in_scientific_notation_is_the_year(tmp_path):
    tables = valid_tables()
    tables["units"].loc[1, "year"] = "2.02E+03"
    expect_load(folder(tmp_path, tables, sep=";"))


# --- dates in `announced` ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, hint",
    [
        ("17/02/2021", "Did you mean 2021-02-17?"),
        ("02/17/2021", "Did you mean 2021-02-17?"),
        ("03/02/2021", "could be 3 February or 2 March"),
        ("2021-2-17", "Did you mean 2021-02-17?"),
        ("2021-02-30", ""),
        ("Februari 2021", ""),
    ],
)
def test_announced_not_in_the_documented_form(tmp_path, text, hint):
    tables = valid_tables()
    tables["grades"].loc[1, "announced"] = text
    expect_error(
        folder(tmp_path, tables),
        "grades.csv, row 3, column 'announced' (E)",
        f"'{text}' is not a date in the form YYYY-MM-DD or YYYY-MM",
        hint,
        count=1,
    )


def test_announced_in_the_documented_forms(tmp_path):
    tables = valid_tables()
    tables["grades"]["announced"] = ["2021-02-17", "2021-02", ""]
    tables["innovations"]["announced"] = ["2020-12-31"]
    loaded = expect_load(folder(tmp_path, tables))
    assert loaded.grades["announced"].tolist()[:2] == ["2021-02-17", "2021-02"]


# --- invisible characters and Unicode forms -----------------------------------------------------


def test_invisible_and_no_break_spaces_in_ids(tmp_path):
    tables = valid_tables()
    tables["scores"]["juror_id"] = tables["scores"]["juror_id"].str.replace("J0", "J\u200b0", regex=False)
    tables["units"].loc[0, "unit_id"] = "\u00a0disdik\u2060"
    tables["jurors"].loc[1, "home_unit_id"] = "inspektorat\ufeff"
    loaded = expect_load(folder(tmp_path, tables))
    assert sorted(set(loaded.scores["juror_id"])) == ["J01", "J02"]
    assert loaded.units["unit_id"].iloc[0] == "disdik"


@pytest.mark.parametrize(
    "mark", ["\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u061c", "\u2063", "\u180e", "\ufe0f", "\x1a", "\x7f"]
)
def test_direction_marks_and_control_characters_are_invisible_too(tmp_path, mark):
    """Text copied from a web page or a right-to-left document brings direction marks;
    old exporters leave Ctrl-Z. 'J01' + LRM was reported as "'J01' is not listed. Did
    you mean 'J01'?", and '85' + PDF as "'85' is not a number"."""
    tables = valid_tables()
    tables["scores"]["juror_id"] = tables["scores"]["juror_id"] + mark
    tables["scores"]["score"] = tables["scores"]["score"].astype(str) + mark
    tables["units"] = tables["units"].rename(columns={"unit_id": "unit_id" + mark})
    loaded = expect_load(folder(tmp_path, tables))
    assert sorted(set(loaded.scores["juror_id"])) == ["J01", "J02"]
    assert loaded.scores["score"].notna().all()


def test_ids_differing_only_in_case_are_two_ids_with_a_note(tmp_path):
    tables = valid_tables()
    extra = tables["units"].iloc[[0]].assign(unit_id="Disdik")
    tables["units"] = pd.concat([tables["units"], extra], ignore_index=True)
    rows = {n: len(t) for n, t in tables.items()}
    loaded = expect_load(folder(tmp_path, tables), rows=rows)
    assert len(loaded.units) == 4
    assert (
        "units.csv, column 'unit_id': ids that differ only in case ('Disdik' and 'disdik') are read as different "
        "units, since ids are compared exactly. If they are the same unit, write them alike."
    ) in loaded.notes


def test_composed_and_decomposed_accents_are_the_same_id(tmp_path):
    tables = valid_tables()
    for name, col in (("units", "unit_id"), ("grades", "unit_id"), ("innovations", "unit_id")):
        tables[name][col] = tables[name][col].replace("disdik", "pendidikan_caf\u00e9")
    tables["scores"]["subject_id"] = tables["scores"]["subject_id"].replace("disdik", "pendidikan_cafe\u0301")
    loaded = expect_load(folder(tmp_path, tables))
    assert "pendidikan_caf\u00e9" in set(loaded.scores["subject_id"])


def test_id_differing_in_case_suggests_the_listed_one(tmp_path):
    tables = valid_tables()
    tables["scores"].loc[0, "juror_id"] = "j01"
    expect_error(
        folder(tmp_path, tables),
        "scores.csv, row 2, column 'juror_id' (E): 'j01' is not listed in the 'juror_id' column of jurors.csv",
        "Did you mean 'J01'?",
        count=1,
    )


def test_duplicate_headers_differing_in_case(tmp_path):
    tables = valid_tables()
    tables["units"]["NAME"] = tables["units"]["name"]
    expect_error(folder(tmp_path, tables), "units.csv, row 1 (header), column 'name' (H)", "columns C and H both")


def test_two_columns_of_the_users_own_with_one_header_are_both_ignored(tmp_path):
    """Columns outside the data model are ignored, so two of them named alike are no problem."""
    tables = valid_tables()
    tables["units"]["catatan"] = "a"
    tables["units"]["Catatan "] = "b"
    loaded = expect_load(folder(tmp_path, tables))
    assert "units.csv: ignored columns that are not in the data model: 'catatan', 'Catatan '." in loaded.notes


# --- long ids (an 18-digit NIP) ------------------------------------------------------------------


def _nip_tables():
    tables = valid_tables()
    for name in ("jurors", "scores"):
        tables[name]["juror_id"] = tables[name]["juror_id"].replace(
            {"J01": "198501012010011001", "J02": "198501012010011002"}
        )
    return tables


def test_long_id_typed_as_a_number_in_excel(tmp_path):
    """Excel keeps 15 digits: two 18-digit ids typed as numbers become one."""

    def edit(wb):
        wb["jurors"]["B2"] = 198501012010011001
        wb["jurors"]["B3"] = 198501012010011002

    err = expect_error(
        book(tmp_path, edit, _nip_tables()),
        "book.xlsx, sheet 'jurors', row 2, column 'juror_id' (B)",
        "the number 198501012010011000 (18 digits): Excel keeps only 15 digits",
        "Format the column as Text",
        count=2,
    )
    assert "appears twice" not in str(err)


def test_long_id_as_text_in_excel_is_kept(tmp_path):
    loaded = expect_load(book(tmp_path, None, _nip_tables()))
    # an 18-digit NIP identifies a civil servant: the loader reads it exactly, as text, and
    # replaces it by a pseudonym (kinerja.data.pseudonyms); the mapping beside the workbook
    # holds the exact digits
    import pandas as pd

    from kinerja.data.pseudonyms import mapping_path

    mapping = pd.read_csv(mapping_path(loaded.path), dtype=str)
    assert set(mapping["juror_name"]) == {"198501012010011001", "198501012010011002"}
    assert set(loaded.jurors["juror_id"]) == set(mapping["pseudonym"])


def test_long_id_written_in_scientific_notation_in_a_csv(tmp_path):
    tables = _nip_tables()
    for name in ("jurors", "scores"):
        tables[name]["juror_id"] = "1,98501E+17"
    tables["jurors"] = tables["jurors"].iloc[[0]]
    tables["scores"] = tables["scores"].drop_duplicates(["subject_id", "criterion_id"]).reset_index(drop=True)
    expect_error(
        folder(tmp_path, tables, sep=";"),
        "jurors.csv, row 2, column 'juror_id' (B): '1,98501E+17' is a number in scientific notation",
        "format the column as Text",
    )


# --- hidden rows and columns ---------------------------------------------------------------------


def test_hidden_rows_and_columns_are_read_and_noted(tmp_path):
    def edit(wb):
        wb["scores"].row_dimensions[4].hidden = True
        wb["scores"].row_dimensions[5].hidden = True
        wb["units"].column_dimensions["D"].hidden = True

    loaded = expect_load(book(tmp_path, edit))
    assert "book.xlsx, sheet 'scores': rows 4 and 5 are hidden in Excel (e.g. by a filter); read like the others." in (
        loaded.notes
    )
    assert "book.xlsx, sheet 'units': column D hidden in Excel; read like the others." in loaded.notes


def test_thousands_separator_next_to_decimal_commas_is_ambiguous(tmp_path):
    """Alone, '1.234' is 1.234 (see test_numbers_that_are_read); in a column that writes
    '72,5', its '.' may be a thousands separator: refused, with both readings."""
    tables = valid_tables()
    tables["scores"].loc[0, "score"] = "72,5"
    tables["scores"].loc[2, "score"] = "1.234"
    expect_error(
        folder(tmp_path, tables, sep=";"),
        "scores.csv, row 4, column 'score' (G): '1.234' is ambiguous",
        "writes decimals with ',' (e.g. '72,5' in row 2)",
        "a thousands separator (1234) or a decimal point (1.234)",
        count=1,
    )
