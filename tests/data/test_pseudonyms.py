"""Juror names never get past the loader (kinerja.data.pseudonyms through load_dataset)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from kinerja.data.io import load_dataset
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
