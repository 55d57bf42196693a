"""Every kind of bad input raises DataError naming the file, row, column, value and problem."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from kinerja.io import MAX_REPORTED, DataError, load_dataset

from .helpers import write_csv, write_xlsx


def assert_says(err: DataError, prefix: str, *fragments: str) -> None:
    """The message has a line starting with ``prefix`` (file, row, column) with ``fragments``."""
    lines = [line.split(". ", 1)[1] for line in str(err).splitlines() if line[:1].isdigit()]
    hits = [line for line in lines if line.startswith(prefix)]
    assert hits, f"no problem line starts with {prefix!r}:\n{err}"
    assert any(all(f in line for f in fragments) for line in hits), f"{fragments} not in:\n{err}"


# --- structure -----------------------------------------------------------------------


def test_missing_table_file(tmp_path, tables):
    folder = write_csv(tmp_path / "d", tables, skip=("rubric",))
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert_says(info.value, "rubric.csv: the file is missing", str(folder), "units.csv")
    assert info.value.n_problems == 1  # scores are not also blamed for the absent rubric


def test_missing_sheet(tmp_path, tables):
    del tables["jurors"]
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert_says(info.value, "book.xlsx, sheet 'jurors': the sheet is missing", "sheets found: README")


def test_missing_required_column(tables, load_error):
    tables["scores"] = tables["scores"].drop(columns="juror_id")
    err = load_error(tables)
    assert_says(
        err, "scores.csv, row 1 (header), column 'juror_id'", "required column is missing", "columns found: 'year'"
    )


def test_duplicate_header(tables, load_error):
    tables["units"]["Name "] = "x"
    err = load_error(tables)
    assert_says(err, "units.csv, row 1 (header), column 'name' (H)", "columns C and H both have the header")


def test_empty_file(tmp_path, tables):
    folder = write_csv(tmp_path / "d", tables)
    (folder / "grades.csv").write_text("", encoding="utf-8")
    (folder / "jurors.csv").write_text("year,juror_id\n2020,J01,x\n", encoding="utf-8")
    tables["units"].loc[0, "category"] = "?"
    write_csv(folder, {"units": tables["units"]})
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    # all three files are reported in one message
    assert_says(info.value, "grades.csv: the file is empty")
    assert_says(info.value, "jurors.csv, row 2: this line has 3 cells but the header has 2")
    assert_says(info.value, "units.csv, row 2, column 'category'")


def test_ragged_line_from_unquoted_decimal_commas(tmp_path, tables):
    folder = write_csv(tmp_path / "d", tables, sep=",")
    path = folder / "scores.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",70,", ",70,5,")  # what a naive export of 70,5 gives
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    msg = str(info.value)
    assert "scores.csv, row 4" in msg and "10 cells but the header has 9" in msg and "decimal commas" in msg
    assert "Traceback" not in msg and "C error" not in msg


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("year,unit_id\n", encoding="utf-8")
    with pytest.raises(DataError, match="fake.xlsx: the file is not an Excel workbook but a text file"):
        load_dataset(path)


def test_old_excel_format(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DataError, match=r"\.xls\).*Excel Workbook \(\.xlsx\)"):
        load_dataset(path)


# --- cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, problem",
    [
        ("105", "'105' is outside 0–100"),
        ("-1", "'-1' is outside 0–100"),
        ("tujuh", "'tujuh' is not a number"),
        ("7O", "'7O' is not a number"),
        ("72,5,1", "'72,5,1' is not a number"),
    ],
)
def test_bad_score(tables, load_error, value, problem):
    tables["scores"].loc[12 - 2, "score"] = value  # spreadsheet row 12
    err = load_error(tables, sep=";")
    assert_says(err, "scores.csv, row 12, column 'score' (G)", problem)
    assert err.n_problems == 1


def test_empty_required_cell(tables, load_error):
    tables["scores"].loc[0, "juror_id"] = "  "
    err = load_error(tables)
    assert_says(err, "scores.csv, row 2, column 'juror_id'", "the cell is empty", "is required")


def test_year_not_whole_number(tables, load_error):
    tables["jurors"].loc[1, "year"] = "2020.5"
    err = load_error(tables)
    assert_says(err, "jurors.csv, row 3, column 'year' (A)", "'2020.5' is not a whole number")
    # the bad year is reported once; scores are not blamed for the juror it hides
    assert err.n_problems == 1


def test_year_out_of_range(tables, load_error):
    tables["units"].loc[2, "year"] = "20"
    err = load_error(tables)
    assert_says(err, "units.csv, row 4, column 'year'", "'20' is outside 1990–2100")


@pytest.mark.parametrize(
    "table, column, value, letter",
    [
        ("units", "category", "Dinass", "E"),
        ("units", "basis", "real", "F"),
        ("jurors", "panel", "dosen", "C"),
        ("rubric", "evaluation", "sakib", "B"),
        ("innovations", "award", "juara 1", "F"),
    ],
)
def test_value_outside_vocabulary(tables, load_error, table, column, value, letter):
    tables[table].loc[0, column] = value
    err = load_error(tables)
    assert_says(
        err,
        f"{table}.csv, row 2, column '{column}' ({letter})",
        f"'{value}' is not an allowed value for '{column}'",
        "Use one of:",
    )


def test_vocabulary_suggests_the_near_miss(tables, load_error):
    tables["units"].loc[0, "category"] = "Dinass"
    assert "Did you mean 'Dinas'?" in str(load_error(tables))


def test_unknown_grade(tables, load_error):
    tables["grades"].loc[1, "grade"] = "A+"
    err = load_error(tables)
    assert_says(err, "grades.csv, row 3, column 'grade'", "'A+' is not a SAKIP grade", "AA, A, BB, B, CC, C, D")


def test_bad_cell_in_xlsx_names_the_sheet(tmp_path, tables):
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    wb["scores"]["G5"] = 150
    wb.save(path)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert_says(info.value, "book.xlsx, sheet 'scores', row 5, column 'score' (G)", "'150' is outside 0–100")


# --- relations between rows and tables -------------------------------------------------


def test_duplicate_key_names_both_rows(tables, load_error):
    scores = tables["scores"]
    tables["scores"] = pd.concat([scores, scores.iloc[[3]]], ignore_index=True)  # row 5 again at the end
    err = load_error(tables)
    last = len(scores) + 2
    assert_says(
        err,
        f"scores.csv, rows 5 and {last}, columns year, evaluation, stage, subject_id, juror_id, criterion_id",
        "appears twice",
        "juror_id J02",
    )


def test_duplicate_unit(tables, load_error):
    tables["units"].loc[2, "unit_id"] = "disdik"
    err = load_error(tables)
    assert_says(err, "units.csv, rows 2 and 4, columns year, unit_id", "(year 2020, unit_id disdik) appears twice")


def test_unknown_juror(tables, load_error):
    tables["scores"].loc[4, "juror_id"] = "J99"
    err = load_error(tables)
    assert_says(
        err,
        "scores.csv, row 6, column 'juror_id' (E)",
        "'J99' is not listed in the 'juror_id' column of jurors.csv",
        "for year 2020",
    )


def test_unknown_criterion(tables, load_error):
    tables["scores"].loc[0, "criterion_id"] = "A9"
    err = load_error(tables)
    assert_says(
        err,
        "scores.csv, row 2, column 'criterion_id' (F)",
        "'A9' is not listed in the 'criterion_id' column of rubric.csv",
        "year 2020 and evaluation sakip and stage lke",
    )


def test_unknown_stage_blames_the_stage(tables, load_error):
    tables["scores"].loc[0, "stage"] = "presentasi"
    err = load_error(tables)
    assert_says(
        err,
        "scores.csv, row 2, column 'stage' (C)",
        "rubric.csv has no row with year 2020 and evaluation sakip and stage presentasi, "
        "so criterion_id 'A1' cannot be matched",
    )


def test_unknown_year_blames_the_year(tables, load_error):
    tables["scores"].loc[0, "year"] = "2021"
    err = load_error(tables)
    assert_says(
        err,
        "scores.csv, row 2, column 'year' (A)",
        "jurors.csv has no row with year 2021, so juror_id 'J01' cannot be matched",
    )


def test_unknown_unit_in_grades(tables, load_error):
    tables["grades"].loc[0, "unit_id"] = "dishub"
    err = load_error(tables)
    assert_says(
        err, "grades.csv, row 2, column 'unit_id' (B)", "'dishub' is not listed in the 'unit_id' column of units.csv"
    )


def test_unknown_home_unit(tables, load_error):
    tables["jurors"].loc[1, "home_unit_id"] = "bappeda"
    err = load_error(tables)
    assert_says(
        err,
        "jurors.csv, row 3, column 'home_unit_id' (D)",
        "'bappeda' is not listed in the 'unit_id' column of units.csv",
    )


def test_unknown_unit_owning_an_innovation(tables, load_error):
    tables["innovations"].loc[0, "unit_id"] = "bappeda"
    err = load_error(tables)
    assert_says(
        err,
        "innovations.csv, row 2, column 'unit_id' (C)",
        "'bappeda' is not listed in the 'unit_id' column of units.csv",
    )


def test_sakip_subject_must_be_a_unit(tables, load_error):
    tables["scores"].loc[0, "subject_id"] = "inov1"  # an innovation, but a sakip row
    err = load_error(tables)
    assert_says(
        err,
        "scores.csv, row 2, column 'subject_id' (D)",
        "'inov1' is not listed in the 'unit_id' column of units.csv",
        "This is a sakip row (evaluation = sakip)",
    )


def test_kovablik_subject_must_be_an_innovation(tables, load_error):
    tables["scores"].loc[8, "subject_id"] = "disdik"  # a unit, but a kovablik row
    err = load_error(tables)
    assert_says(
        err,
        "scores.csv, row 10, column 'subject_id' (D)",
        "'disdik' is not listed in the 'innovation_id' column of innovations.csv",
        "This is a kovablik row",
    )


def test_weights_not_summing_to_100(tables, load_error):
    tables["rubric"].loc[1, "weight"] = "39,5"
    err = load_error(tables, sep=";")
    assert_says(
        err,
        "rubric.csv, rows 2 and 3, column 'weight' (G)",
        "the weights of year 2020, evaluation sakip, stage lke add up to 99.5, not 100",
    )


def test_grade_contradicts_total(tables, load_error):
    tables["grades"].loc[0, ["grade", "total"]] = ["BB", "85"]
    err = load_error(tables)
    assert_says(
        err,
        "grades.csv, row 2, column 'grade' (C)",
        "grade 'BB' contradicts the total 85",
        "BB means a total above 70 up to 80",
        "85 is grade A",
    )


def test_grade_band_edges(tables, tmp_path):
    tables["grades"].loc[0, ["grade", "total"]] = ["bb", "80"]  # 80 is BB (upper bound inclusive)
    tables["grades"].loc[2, ["grade", "total"]] = ["D", "0"]
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    assert ds.grades["grade"].tolist() == ["BB", "A", "D"]


# --- many problems at once -------------------------------------------------------------


def test_many_problems_listed_and_counted(tables, load_error):
    tables["scores"]["score"] = "200"  # 12 bad cells
    tables["units"].loc[0, "category"] = "?"
    tables["rubric"].loc[0, "weight"] = "1"
    err = load_error(tables)
    msg = str(err)
    assert err.n_problems == 14
    assert len(err.problems) == MAX_REPORTED
    assert msg.startswith("Cannot load the dataset 'ds'") and "14 problems found" in msg
    assert "... and 4 more not listed (scores.csv, column 'score': 3; rubric.csv, column 'weight': 1)" in msg
    assert msg.index("units.csv, row 2") < msg.index("scores.csv, row 2")  # table order


def test_title_row_above_the_header(tmp_path, tables):
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    wb["units"].insert_rows(1)  # an empty first row, as above a title
    wb.save(path)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert_says(
        info.value, "book.xlsx, sheet 'units', row 1 (header): there are no column headers", "no title rows above it"
    )
    assert info.value.n_problems == 1


def test_empty_sheet(tmp_path, tables):
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    del wb["grades"]
    wb.create_sheet("grades")
    wb.save(path)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    assert_says(info.value, "book.xlsx, sheet 'grades', row 1 (header): there are no column headers")


def test_a_bad_cell_does_not_hide_other_problems_of_the_table(tables, load_error):
    scores = tables["scores"]
    scores.loc[0, "score"] = "abc"
    scores.loc[1, "juror_id"] = "J99"
    tables["scores"] = pd.concat([scores, scores.iloc[[5]]], ignore_index=True)
    err = load_error(tables)
    assert err.n_problems == 3
    assert_says(err, "scores.csv, row 2, column 'score'", "'abc' is not a number")
    assert_says(err, "scores.csv, row 3, column 'juror_id'", "'J99'")
    assert_says(err, f"scores.csv, rows 7 and {len(scores) + 2}, columns year")


def test_a_bad_weight_is_not_also_blamed_for_the_sum(tables, load_error):
    tables["rubric"].loc[0, "weight"] = "enam puluh"
    err = load_error(tables)
    assert err.n_problems == 1
    assert_says(err, "rubric.csv, row 2, column 'weight'", "'enam puluh' is not a number")


def test_a_bad_stage_cell_does_not_cascade(tables, load_error):
    tables["rubric"].loc[0, "evaluation"] = "sakib"
    err = load_error(tables)
    assert err.n_problems == 1  # not also "weights add up to 40" or unknown criterion in scores
    assert_says(err, "rubric.csv, row 2, column 'evaluation'", "Did you mean 'sakip'?")
