"""Juror names never get past the loader (kinerja.data.pseudonyms through load_dataset)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from kinerja.data.io import DataError, load_dataset
from kinerja.data.pseudonyms import MAPPING_FILE, looks_like_pseudonym, pseudonymise
from kinerja.paths import DATA_DIR

#: Names given to the first jurors of the copy (a title and a dot, two words, one word).
NAMES = {"J01": "Budi Santoso", "J02": "Dr. Sri Wahyuni", "J03": "Wulandari"}


def named_copy(folder, years=("2020", "2021")):
    """A copy of two years of batu whose jurors J01-J03 are named (ids and a source cell)."""
    folder.mkdir(parents=True)
    for f in (DATA_DIR / "batu").glob("*.csv"):
        t = pd.read_csv(f, dtype=str, keep_default_na=False)
        t = t[t["year"].isin(years)]
        if "juror_id" in t:
            t["juror_id"] = t["juror_id"].replace(NAMES)
        if f.stem == "jurors":
            t.loc[t["juror_id"] == "Budi Santoso", "source"] = "worksheet signed by Budi Santoso"
        t.to_csv(folder / f.name, index=False)
    shutil.copy(DATA_DIR / "batu" / "README.md", folder / "README.md")
    return folder


def test_names_become_stable_pseudonyms_and_the_mapping_stays_beside_the_data(tmp_path):
    data = named_copy(tmp_path / "kab")
    ds = load_dataset(data)
    ids = set(ds.jurors["juror_id"]) | set(ds.scores["juror_id"])
    assert not ids & set(NAMES.values())
    assert all(looks_like_pseudonym(i) for i in ids)
    text = "\n".join(ds.jurors["source"].astype(str)) + "\n".join(ds.notes)
    assert not any(n in text for n in NAMES.values())
    mapping = pd.read_csv(data / MAPPING_FILE)
    assert sorted(mapping["juror_name"]) == sorted(NAMES.values())
    assert mapping["pseudonym"].is_unique and not set(mapping["pseudonym"]) & ids - set(mapping["pseudonym"])
    # the same juror has the same pseudonym in both years and on every load
    budi = mapping.set_index("juror_name").loc["Budi Santoso", "pseudonym"]
    assert set(ds.jurors.loc[ds.jurors["juror_id"] == budi, "year"]) == {2020, 2021}
    again = load_dataset(data)
    pd.testing.assert_frame_equal(again.scores, ds.scores)
    # scores of a pseudonymised juror are exactly the named juror's scores
    raw = pd.read_csv(data / "scores.csv", dtype={"juror_id": str})
    assert (raw["juror_id"] == "Budi Santoso").sum() == (ds.scores["juror_id"] == budi).sum()


def test_a_new_name_gets_the_next_pseudonym_and_old_ones_keep_theirs(tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    first, _ = pseudonymise({"jurors": pd.DataFrame({"juror_id": ["Zainal", "Ahmad"]})}, folder)
    assert first["jurors"]["juror_id"].tolist() == ["P02", "P01"]  # sorted names, not row order
    second, _ = pseudonymise({"jurors": pd.DataFrame({"juror_id": ["Citra", "Zainal", "J05"]})}, folder)
    assert second["jurors"]["juror_id"].tolist() == ["P03", "P02", "J05"]
    third, _ = pseudonymise({"jurors": pd.DataFrame({"juror_id": ["Dewi", "P04"]})}, folder)
    assert third["jurors"]["juror_id"].tolist() == ["P05", "P04"]  # P04 is taken by the data itself


def test_pseudonym_like_ids_are_kept_unless_the_dataset_asks_for_all(tmp_path):
    t = {"jurors": pd.DataFrame({"juror_id": ["J01", "J02"]})}
    same, notes = pseudonymise(t, tmp_path)
    assert same["jurors"]["juror_id"].tolist() == ["J01", "J02"] and notes == []
    assert not (tmp_path / MAPPING_FILE).exists()
    everything, notes = pseudonymise(t, tmp_path, mode="all")
    assert everything["jurors"]["juror_id"].tolist() == ["P01", "P02"] and len(notes) == 1
    with pytest.raises(ValueError, match="pseudonymise_jurors"):
        pseudonymise(t, tmp_path, mode="some")


def test_bundled_datasets_use_pseudonyms_already():
    ds = load_dataset("batu")
    assert ds.jurors["juror_id"].map(looks_like_pseudonym).all()
    assert not (DATA_DIR / "batu" / MAPPING_FILE).exists()


def _mapping_case(tmp_path, text: bytes | None = None):
    """A named copy loaded once (the mapping is written), then the mapping replaced by ``text``."""
    data = named_copy(tmp_path / "kab", years=("2020",))
    first = load_dataset(data)
    if text is not None:
        (data / MAPPING_FILE).write_bytes(text)
    return data, first


def test_a_mapping_saved_again_by_a_spreadsheet_program_still_reads(tmp_path):
    """Excel in an Indonesian locale saves with semicolons; its plain 'CSV' is Windows-1252."""
    data, first = _mapping_case(tmp_path)
    rows = (data / MAPPING_FILE).read_text(encoding="utf-8").splitlines()
    (data / MAPPING_FILE).write_bytes("\r\n".join(r.replace(",", ";") for r in rows).encode("cp1252"))
    pd.testing.assert_frame_equal(load_dataset(data).scores, first.scores)
    # an accented name in Windows-1252 is the same name as in the UTF-8 data
    mapping = {"juror_name": ["José Rizal"], "pseudonym": ["P07"]}
    folder = tmp_path / "acc"
    folder.mkdir()
    pd.DataFrame(mapping).to_csv(folder / MAPPING_FILE, index=False, encoding="cp1252")
    out, _ = pseudonymise({"jurors": pd.DataFrame({"juror_id": ["José Rizal"]})}, folder)
    assert out["jurors"]["juror_id"].tolist() == ["P07"]


@pytest.mark.parametrize(
    "text, expected",
    [
        (b"", "the juror pseudonym mapping is empty"),
        (
            b"name,code\nBudi Santoso,P01\n",
            "row 1: a juror pseudonym mapping needs the columns juror_name and pseudonym",
        ),
        (
            b"juror_name,pseudonym\nBudi Santoso,P01\nDr. Sri Wahyuni,P01\n",
            "row 3: the pseudonym P01 is given to two jurors",
        ),
        (b"juror_name,pseudonym\nBudi Santoso,P01\nBudi Santoso,P02\n", "row 3: a juror name is listed twice"),
        (b"juror_name,pseudonym\nBudi Santoso,Budi\n", "row 2: the pseudonym 'Budi' does not look like one"),
        (b"juror_name,pseudonym\nBudi Santoso,\n", "row 2: a juror name without a pseudonym"),
    ],
)
def test_a_damaged_or_inconsistent_mapping_is_a_data_error(tmp_path, text, expected):
    """Never guessed at or rebuilt: it is the only link between earlier reports and people.
    Two names sharing a pseudonym had loaded as one juror with duplicate scores."""
    data, _ = _mapping_case(tmp_path, text)
    with pytest.raises(DataError) as err:
        load_dataset(data)
    assert str(err.value).startswith(str(data / MAPPING_FILE)), err.value
    assert expected in str(err.value)
    assert not any(n in str(err.value) for n in NAMES.values())  # the message names no juror
    # its problem names the file and row, as any input's does
    (problem,) = err.value.problems
    row, _, text = expected.rpartition(": ")
    assert problem.where == MAPPING_FILE and text in problem.text
    assert problem.rows == ((int(row.split()[-1]),) if row else ())


def test_a_pseudonym_that_is_also_an_id_in_the_data_is_a_data_error(tmp_path):
    """A juror kept as 'J04' in the data and a name the mapping sends to 'J04' would be one juror."""
    data, first = _mapping_case(tmp_path)
    kept = sorted(set(first.jurors["juror_id"]) - {"P01", "P02", "P03"})[0]
    table = pd.read_csv(data / MAPPING_FILE, dtype=str)
    table.loc[0, "pseudonym"] = kept
    table.to_csv(data / MAPPING_FILE, index=False)
    with pytest.raises(DataError, match=f"the pseudonym\\(s\\) {kept} of the mapping are also juror ids in the data"):
        load_dataset(data)


def test_a_mapping_that_cannot_be_written_is_a_data_error(tmp_path):
    """A dataset on a read-only share: stood in for by a lock file that cannot be opened."""
    data = named_copy(tmp_path / "kab", years=("2020",))
    (data / f".{MAPPING_FILE}.lock").mkdir()
    with pytest.raises(DataError, match="3 juror id\\(s\\) look like names and need pseudonyms, but the mapping"):
        load_dataset(data)
    assert not (data / MAPPING_FILE).exists()
