"""CSV folders and dataset.json files as other programs write them: Java's "modified
UTF-8", Notepad's Unicode and ANSI saves, a trailing comma in JSON, year keys with spaces
or full-width digits, a criterion of another stage.

Found by an adversarial review of about 150 hand-made CSV folders (2026-12-01); each test
failed before its fix."""

from __future__ import annotations

import json

import pytest

from kinerja.io import DataError, load_dataset

from .corpus import expect_error, expect_load, folder
from .helpers import valid_tables

EMOJI_CESU8 = b"\xed\xa0\xbd\xed\xb8\x80"  # U+1F600 as two UTF-16 surrogates of three bytes each


@pytest.mark.parametrize("written", [EMOJI_CESU8, EMOJI_CESU8[:3]], ids=["cesu8", "lone_surrogate"])
def test_a_surrogate_written_as_utf8_bytes_is_named_not_a_traceback(tmp_path, written):
    """An emoji exported by a Java or Oracle tool ended in "UnicodeDecodeError: 'utf-8' codec
    can't decode byte 0xed" from inside the loader's own diagnosis."""
    tables = valid_tables()
    tables["units"].loc[1, "name"] = "Dinas Kesehatan XX"
    path = folder(tmp_path, tables)
    units = path / "units.csv"
    units.write_bytes(units.read_bytes().replace(b"XX", written))
    expect_error(path, "units.csv, row 3, column 'name'", "UTF-16 surrogate", "CSV UTF-8", count=1)


def _with_meta(tmp_path, raw: bytes):
    path = folder(tmp_path)
    (path / "dataset.json").write_bytes(raw)
    return path


@pytest.mark.parametrize("key", [" 2020 ", "\uff12\uff10\uff12\uff10"], ids=["spaces", "full_width"])
def test_a_year_note_keyed_with_spaces_or_full_width_digits_reaches_its_year(tmp_path, key):
    """The key passed the check and then matched no year: the note was never shown."""
    path = _with_meta(tmp_path, json.dumps({"year_notes": {key: "Catatan tahun ini"}}).encode())
    assert expect_load(path).meta["year_notes"] == {"2020": "Catatan tahun ini"}


def test_two_notes_for_one_year_are_refused(tmp_path):
    """'2020' and '2020 ' are one year: one of the two notes was lost without a word."""
    path = _with_meta(tmp_path, b'{"year_notes": {"2020": "satu", "2020 ": "dua"}}')
    with pytest.raises(DataError, match=r'2 notes for year 2020 \(keys "2020", "2020 "\): keep one'):
        load_dataset(path)


@pytest.mark.parametrize(
    "raw, title",
    [
        ('{"title": "Kab. Contoh"}'.encode("utf-16"), "Kab. Contoh"),  # Notepad's "Unicode"
        (b'{"title": "Kab. Contoh \x96 SAKIP"}', "Kab. Contoh \u2013 SAKIP"),  # Notepad's "ANSI"
    ],
    ids=["utf16", "cp1252"],
)
def test_dataset_json_saved_by_notepad_is_read(tmp_path, raw, title):
    """Both were 'not valid JSON (utf-8 codec can't decode byte 0xff ...)', while the CSV
    files beside them are read in these encodings."""
    ds = expect_load(_with_meta(tmp_path, raw))
    assert ds.meta["title"] == title


def test_a_trailing_comma_in_dataset_json_is_named(tmp_path):
    path = _with_meta(tmp_path, b'{\n  "title": "Kab. Contoh",\n  "description": "Data SAKIP",\n}\n')
    with pytest.raises(DataError, match="A comma before a closing } or ] is not allowed in JSON"):
        load_dataset(path)


def test_a_criterion_of_another_stage_is_named_as_such(tmp_path):
    """'P1' (a kovablik proposal criterion) in a SAKIP score row got "Did you mean 'P1'?"."""
    tables = valid_tables()
    sc = tables["scores"]
    rub = tables["rubric"]
    other = rub.loc[rub["evaluation"] != "sakip"].iloc[0]
    row = sc.index[sc["evaluation"] == "sakip"][0]
    sc.loc[row, "criterion_id"] = other["criterion_id"]
    err = expect_error(
        folder(tmp_path, tables),
        "scores.csv",
        f"lists it for evaluation {other['evaluation']} and stage {other['stage']}",
    )
    assert f"Did you mean '{other['criterion_id']}'" not in str(err)


@pytest.mark.parametrize(
    "above, first",
    [([""], 2), (["DAFTAR NILAI SAKIP TAHUN 2020", ""], 3), (["Nilai SAKIP, Kota Contoh, 2020"], 2)],
    ids=["empty_line", "title_and_empty_line", "title_with_commas"],
)
def test_lines_above_the_header_of_a_semicolon_file_are_named(tmp_path, above, first):
    """A blank first line was 'the file is empty'; a title without separators made the
    header one cell ('required column is missing' nine times, 2,680 characters); a title
    with commas above ';' data gave nine missing columns."""
    path = folder(tmp_path, sep=";")
    scores = path / "scores.csv"
    scores.write_text("\n".join([*above, scores.read_text(encoding="utf-8")]), encoding="utf-8")
    expect_error(path, "scores.csv, row 1", f"the column headers are in row {first}, not in row 1", count=1)


def test_a_sep_line_that_names_another_separator_than_the_header_uses(tmp_path):
    """'sep=,' above a ';' header was obeyed: 'the header row is one single cell'."""
    path = folder(tmp_path, sep=";")
    jurors = path / "jurors.csv"
    jurors.write_text("sep=,\n" + jurors.read_text(encoding="utf-8"), encoding="utf-8")
    expect_error(path, "jurors.csv, row 1", "line 1 says 'sep=,'", "correct it to 'sep=;'", count=1)


def test_a_folder_of_year_sub_folders_is_one_problem(tmp_path):
    """2020/ and 2021/, each a complete dataset: six 'the file is missing' problems (1,710
    characters) that never mentioned the sub-folders."""
    for year in ("2020", "2021"):
        folder(tmp_path / "per_year", name=year)
    expect_error(tmp_path / "per_year", "per_year:", "sub-folders 2020, 2021 do", count=1)


def test_thousands_of_extra_columns_keep_messages_short(tmp_path):
    """3,000 extra columns: a 38,000-character 'columns found' list and an equally long note."""
    import pandas as pd

    tables = valid_tables()
    extra = pd.DataFrame({f"Kolom{i}": "x" for i in range(3000)}, index=tables["scores"].index)
    tables["scores"] = pd.concat([tables["scores"].drop(columns="score"), extra], axis=1)
    err = expect_error(folder(tmp_path, tables), "scores.csv", "and 2,", count=1)
    assert len(str(err)) < 2000
    tables = valid_tables()
    tables["units"] = pd.concat(
        [tables["units"], extra.iloc[: len(tables["units"])].set_axis(tables["units"].index)], axis=1
    )
    ds = load_dataset(folder(tmp_path, tables, name="wide"))
    assert max(len(n) for n in ds.notes) < 1000


def test_a_typographic_minus_and_a_dash_for_none_get_their_hints(tmp_path):
    tables = valid_tables()
    tables["grades"] = tables["grades"].astype(object)
    tables["grades"].loc[1, "total"] = "-"  # optional: 'leave it empty'
    tables["jurors"] = tables["jurors"].astype(object)
    tables["jurors"].loc[0, "home_unit_id"] = "-"
    tables["scores"] = tables["scores"].astype(object)
    tables["scores"].loc[0, "score"] = "\u22125"
    path = folder(tmp_path, tables)
    err = expect_error(path, "grades.csv, row 3, column 'total'", "leave the cell empty")
    expect_error(path, "jurors.csv, row 2, column 'home_unit_id'", "If there is none, leave the cell empty")
    expect_error(path, "scores.csv, row 2, column 'score'", "minus sign is a dash character")
    assert "looks like a date" not in str(err)


def test_scores_given_as_shares_get_a_note(tmp_path):
    """Scores of 0.85 for 85 loaded without a word, and every unit came out graded D."""
    tables = valid_tables()
    tables["scores"]["score"] = tables["scores"]["score"].astype(float) / 100
    ds = expect_load(folder(tmp_path, tables))
    assert any("every sakip score is between 0 and 1" in n for n in ds.notes), ds.notes


def test_the_loaders_own_pseudonym_mapping_is_not_an_ignored_file(tmp_path):
    from kinerja.data.pseudonyms import MAPPING_FILE

    path = folder(tmp_path)
    (path / MAPPING_FILE).write_text("name,pseudonym\n", encoding="utf-8")
    ds = expect_load(path)
    assert not any(MAPPING_FILE in n for n in ds.notes), ds.notes


def test_a_key_given_twice_in_dataset_json_is_refused(tmp_path):
    """JSON readers keep the last of two "title" keys without a word."""
    path = _with_meta(tmp_path, b'{"title": "Kab. Contoh", "title": "Kab. Lain"}')
    with pytest.raises(DataError, match='gives the key "title" more than once: keep one'):
        load_dataset(path)


def test_an_id_with_a_trailing_point_zero_gets_the_hint(tmp_path):
    """7.0 in scores against 7 in units (a number written back as text): no hint."""
    from .helpers import rename_unit

    tables = rename_unit(valid_tables(), "disdik", "7")
    sc = tables["scores"]
    sc["subject_id"] = sc["subject_id"].replace("7", "7.0")
    expect_error(folder(tmp_path, tables), "scores.csv", "Did you mean '7'?", "differ only in '.0'")
