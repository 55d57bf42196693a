"""Reading: formats users actually save, dtypes, notes, metadata, Excel workbooks."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

import kinerja.io as kio
from kinerja.grades import grade_dtype
from kinerja.io import DataError, dataset_years, load_dataset, resolve_dataset
from kinerja.schema import TABLES

from .helpers import write_csv, write_xlsx


def test_valid_folder_loads_with_schema_columns_and_dtypes(tmp_path, tables):
    ds = load_dataset(write_csv(tmp_path / "mini", tables))
    assert ds.name == "mini"
    assert list(ds.tables) == list(TABLES)
    for name, table in TABLES.items():
        df = ds.table(name)
        assert getattr(ds, name) is df
        assert list(df.columns) == list(table.column_names)
        assert len(df) == len(tables[name])
        for col in table.columns:
            dtype = df[col.name].dtype
            if col.kind == "int":
                assert dtype == np.int64
            elif col.kind == "float":
                assert dtype == np.float64
            elif col.kind == "grade":
                assert dtype == grade_dtype()
            else:
                assert dtype == pd.StringDtype(na_value=np.nan), (name, col.name, dtype)
    assert ds.years == [2020]
    assert ds.notes == []
    assert ds.meta == {}
    assert ds.grades["total"].isna().tolist() == [False, True, False]


def test_semicolons_and_decimal_commas(tmp_path, tables):
    tables["scores"]["score"] = tables["scores"]["score"].str.replace(".", ",", regex=False)
    tables["scores"].loc[0, "score"] = "72,5"
    tables["grades"].loc[2, "total"] = "65,5"
    ds = load_dataset(write_csv(tmp_path / "d", tables, sep=";"))
    assert ds.scores["score"].iloc[0] == 72.5
    assert ds.scores["score"].iloc[1] == 80.5
    assert ds.grades["total"].iloc[2] == 65.5


def test_quoted_decimal_commas_in_a_comma_separated_file(tmp_path, tables):
    tables["scores"].loc[0, "score"] = "72,5"  # pandas quotes it
    ds = load_dataset(write_csv(tmp_path / "d", tables, sep=","))
    assert ds.scores["score"].iloc[0] == 72.5


def test_tab_separated(tmp_path, tables):
    ds = load_dataset(write_csv(tmp_path / "d", tables, sep="\t"))
    assert len(ds.scores) == len(tables["scores"])


def test_utf8_bom(tmp_path, tables):
    folder = write_csv(tmp_path / "d", tables, sep=";", encoding="utf-8-sig")
    assert (folder / "units.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    ds = load_dataset(folder)
    assert ds.units.columns[0] == "year" and ds.units["year"].iloc[0] == 2020


def test_windows_1252_is_read_and_noted(tmp_path, tables):
    tables["units"].loc[0, "name"] = "Dinas Pendidikan (café)"
    folder = write_csv(tmp_path / "d", tables, encoding="cp1252")
    ds = load_dataset(folder)
    assert ds.units["name"].iloc[0] == "Dinas Pendidikan (café)"
    assert any("units.csv" in n and "Windows-1252" in n for n in ds.notes)


def test_stray_whitespace_and_header_case(tmp_path, tables):
    scores = tables["scores"]
    scores.columns = [f"  {c.title()} " for c in scores.columns]
    scores.iloc[:, 4] = " " + scores.iloc[:, 4] + "\u00a0"  # juror_id with a non-breaking space
    scores.iloc[0, 6] = " 70 "
    tables["units"].columns = ["Year", "Unit ID", "NAME", "abbreviation ", "Category", "basis", "source"]
    ds = load_dataset(write_csv(tmp_path / "d", tables, sep=";"))
    assert set(ds.scores["juror_id"]) == {"J01", "J02"}
    assert ds.scores["score"].iloc[0] == 70
    assert list(ds.units.columns) == list(TABLES["units"].column_names)


def test_case_of_grades_and_vocabularies(tmp_path, tables):
    tables["grades"]["grade"] = ["bb", " a ", "B"]
    tables["units"]["category"] = ["DINAS", "dinas", "inspektorat"]
    tables["scores"]["evaluation"] = tables["scores"]["evaluation"].str.upper()
    tables["units"]["basis"] = "Named"
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    assert ds.grades["grade"].tolist() == ["BB", "A", "B"]
    assert ds.units["category"].tolist() == ["Dinas", "Dinas", "Inspektorat"]
    assert set(ds.scores["evaluation"]) == {"sakip", "kovablik"}
    assert set(ds.units["basis"]) == {"named"}


def test_ids_keep_leading_zeros(tmp_path, tables):
    for name in ("units", "grades"):
        tables[name]["unit_id"] = tables[name]["unit_id"].replace("disdik", "007")
    tables["innovations"]["unit_id"] = "007"
    tables["scores"]["subject_id"] = tables["scores"]["subject_id"].replace("disdik", "007")
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    assert "007" in set(ds.units["unit_id"])
    assert "007" in set(ds.scores["subject_id"])


def test_optional_columns_may_be_absent(tmp_path, tables):
    optional = {n: [c.name for c in t.columns if not c.required] for n, t in TABLES.items()}
    for name, cols in optional.items():
        tables[name] = tables[name].drop(columns=cols)
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    for name, cols in optional.items():
        assert list(ds.table(name).columns) == list(TABLES[name].column_names)
        for c in cols:
            assert ds.table(name)[c].isna().all()


def test_extra_columns_ignored_and_noted(tmp_path, tables):
    tables["scores"]["comment"] = "checked"
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    assert "comment" not in ds.scores.columns
    assert any("scores.csv" in n and "'comment'" in n for n in ds.notes)


def test_metadata_and_other_files(tmp_path, tables):
    folder = write_csv(tmp_path / "kota", tables)
    (folder / "dataset.json").write_text(json.dumps({"title": "Kota X", "years": [2020]}), encoding="utf-8")
    (folder / "truth").mkdir()
    (folder / "truth" / "scores.csv").write_text("not;a;dataset\n1;2\n", encoding="utf-8")
    ds = load_dataset(folder)
    assert ds.meta == {"title": "Kota X", "years": [2020]}
    assert ds.notes == []


def test_bad_metadata_is_a_data_error(tmp_path, tables):
    """Its problem names the file and the line JSON stopped at, like any other input's."""
    folder = write_csv(tmp_path / "kota", tables)
    (folder / "dataset.json").write_text('{"title": "Kota X",\n title: ', encoding="utf-8")
    with pytest.raises(DataError, match="dataset.json") as err:
        load_dataset(folder)
    assert err.value.n_problems == 1
    assert str(err.value.problems[0]).startswith("dataset.json, row 2: the file is not valid JSON")


@pytest.mark.parametrize(
    "meta, expected",
    [
        (
            {"year_notes": ["2022: no competition"]},
            '"year_notes" is a list [...]; it must be an object of years and notes',
        ),
        ({"year_notes": "no competition in 2022"}, '"year_notes" is a text; it must be an object'),
        ({"year_notes": {"tahun 2022": "x"}}, '"year_notes" has the key "tahun 2022", which is not a year'),
        ({"year_notes": {"2022": ["x"]}}, '"year_notes" gives year 2022 a list [...]; a note is a text'),
        ({"title": 2020}, '"title" is a number; it must be a text'),
        ({"description": None}, '"description" is null; it must be a text'),
        ({"pseudonymise_jurors": True}, '"pseudonymise_jurors" is true; it must be "auto"'),
        ({"pseudonymise_jurors": "some"}, '"pseudonymise_jurors" is "some"; it must be "auto"'),
    ],
)
def test_metadata_that_a_report_would_trip_over_is_a_data_error(tmp_path, tables, meta, expected):
    """Keys of dataset.json that kinerja reads are checked when the dataset loads: a list of
    year notes had loaded, and notebook 00 then failed with an AttributeError."""
    folder = write_csv(tmp_path / "kota", tables)
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(folder)
    assert str(err.value).startswith(f"dataset.json in {folder}: "), err.value
    assert expected in str(err.value) and "remove the key" in str(err.value)
    assert [p.where for p in err.value.problems] == ["dataset.json"]
    assert expected in err.value.problems[0].text


def test_metadata_mode_in_any_case(tmp_path, tables):
    folder = write_csv(tmp_path / "kota", tables)
    (folder / "dataset.json").write_text(json.dumps({"pseudonymise_jurors": " ALL", "own": [1]}), encoding="utf-8")
    ds = load_dataset(folder)
    assert ds.meta == {"pseudonymise_jurors": "all", "own": [1]}  # other keys kept as they are
    assert set(ds.jurors["juror_id"]) == {"P01", "P02"}


def test_xlsx_round_trip_equals_csv(tmp_path, tables):
    from_csv = load_dataset(write_csv(tmp_path / "mini", tables))
    from_xlsx = load_dataset(write_xlsx(tmp_path / "mini.xlsx", tables))
    assert from_xlsx.name == "mini"
    for name in TABLES:
        pd.testing.assert_frame_equal(from_csv.table(name), from_xlsx.table(name))
    assert from_xlsx.accounts["file"].str.contains(r"mini\.xlsx, sheet '").all()


def test_xlsx_numbers_dates_and_sheet_name_case(tmp_path, tables):
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    wb["units"]["A2"] = 2020.0  # a float year
    wb["grades"]["E2"].value = pd.Timestamp("2021-02-17").to_pydatetime()  # announced as an Excel date
    wb["units"].title = " Units "
    wb.save(path)
    ds = load_dataset(path)
    assert ds.units["year"].tolist() == [2020, 2020, 2020]
    assert ds.grades["announced"].iloc[0] == "2021-02-17"


def test_xlsx_numeric_ids_read_as_text(tmp_path, tables):
    path = write_xlsx(tmp_path / "book.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    wb["jurors"]["B2"] = 1.0  # juror typed as a number
    for row in range(2, wb["scores"].max_row + 1):
        if wb["scores"].cell(row, 5).value == "J01":
            wb["scores"].cell(row, 5).value = 1
    wb.save(path)
    ds = load_dataset(path)
    assert "1" in set(ds.jurors["juror_id"]) and "1" in set(ds.scores["juror_id"])


def test_xlsx_text_cells_and_trailing_empty_rows(tmp_path, tables):
    path = write_xlsx(tmp_path / "book.xlsx", tables, numeric=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["scores"]
    last = ws.max_row
    ws.cell(last + 3, 1).value = "   "  # a formatted-but-empty row further down
    wb.save(path)
    ds = load_dataset(path)
    acc = ds.accounts.set_index(["table", "reason"])
    assert acc.loc[("scores", "blank row"), "rows_excluded"] == 3
    assert len(ds.scores) == len(tables["scores"])


def test_dataset_years(tmp_path, tables):
    from .helpers import two_years

    both = two_years(tables)
    assert dataset_years(write_csv(tmp_path / "d", both, sep=";")) == [2020, 2021]
    assert dataset_years(write_xlsx(tmp_path / "d.xlsx", both)) == [2020, 2021]


def test_resolve_dataset(tmp_path, tables, monkeypatch):
    monkeypatch.setattr(kio, "DATA_DIR", tmp_path)
    folder = write_csv(tmp_path / "kota", tables)
    assert resolve_dataset("kota") == folder
    assert load_dataset("kota").name == "kota"
    assert resolve_dataset(str(folder)) == folder
    write_xlsx(tmp_path / "book.xlsx", tables)
    assert resolve_dataset("book") == tmp_path / "book.xlsx"
    with pytest.raises(DataError, match="No dataset 'nowhere'.*kota"):
        resolve_dataset("nowhere")
    with pytest.raises(DataError, match="No dataset"):
        resolve_dataset(tmp_path / "missing")


def test_provenance_and_synthetic_tables(tmp_path, tables):
    tables["scores"]["basis"] = "synthetic"
    tables["grades"].loc[0, "basis"] = "inferred"
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    prov = ds.provenance()
    assert list(prov.columns) == ["table", "basis", "rows", "share"]
    assert prov.groupby("table", sort=False)["rows"].sum().to_dict() == {n: len(t) for n, t in tables.items()}
    grades = prov[prov["table"] == "grades"].set_index("basis")["rows"].to_dict()
    assert grades == {"named": 2, "inferred": 1}
    assert ds.synthetic_tables() == ["scores"]


def test_large_file_is_vectorised(tmp_path, tables):
    """100 000 score rows load in well under the time a row-by-row check would need."""
    import time

    n_units, n_jurors, n_crit = 50, 20, 100
    units = pd.DataFrame(
        {
            "year": "2020",
            "unit_id": [f"u{i:03d}" for i in range(n_units)],
            "name": "X",
            "abbreviation": "",
            "category": "Dinas",
            "basis": "synthetic",
            "source": "t",
        }
    )
    jurors = pd.DataFrame(
        {
            "year": "2020",
            "juror_id": [f"J{i:02d}" for i in range(n_jurors)],
            "panel": "akademisi",
            "home_unit_id": "",
            "basis": "synthetic",
            "source": "t",
        }
    )
    rubric = pd.DataFrame(
        {
            "year": "2020",
            "evaluation": "sakip",
            "stage": "lke",
            "criterion_id": [f"C{i:03d}" for i in range(n_crit)],
            "criterion": "k",
            "component": "c",
            "weight": "1",
            "basis": "synthetic",
            "source": "t",
        }
    )
    idx = pd.MultiIndex.from_product([units["unit_id"], jurors["juror_id"], rubric["criterion_id"]])
    scores = pd.DataFrame(
        {
            "year": "2020",
            "evaluation": "sakip",
            "stage": "lke",
            "subject_id": idx.get_level_values(0),
            "juror_id": idx.get_level_values(1),
            "criterion_id": idx.get_level_values(2),
            "score": (np.arange(len(idx)) % 1001 / 10).astype(str),
            "basis": "synthetic",
            "source": "t",
        }
    )
    big = dict(
        units=units,
        jurors=jurors,
        rubric=rubric,
        grades=tables["grades"].iloc[:0],
        innovations=tables["innovations"].iloc[:0],
        scores=scores,
    )
    folder = write_csv(tmp_path / "big", big, sep=";")
    start = time.perf_counter()
    ds = load_dataset(folder)
    assert len(ds.scores) == 100_000
    assert time.perf_counter() - start < 10


def test_table_access_errors(tmp_path, tables):
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    with pytest.raises(KeyError, match="no table 'score'; the tables are units"):
        ds.table("score")
    with pytest.raises(AttributeError):
        _ = ds.score
    assert "scores" in dir(ds)


def test_column_without_header_but_with_data_is_noted(tmp_path, tables):
    tables["units"][""] = ["x", "", ""]
    ds = load_dataset(write_csv(tmp_path / "d", tables))
    assert any("units.csv" in n and "column H (no header)" in n for n in ds.notes)
