"""The degenerate test datasets of tests/datasets.py load and are degenerate as documented."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest

from kinerja.data.io import load_dataset
from tests import datasets

BATU = datasets.SOURCE


@pytest.fixture(scope="module")
def source():
    return load_dataset(BATU, year=datasets.YEAR)


@pytest.mark.parametrize("name", list(datasets.FACTORIES))
def test_each_loads_as_one_year_with_its_own_note(tmp_path, name):
    folder = datasets.FACTORIES[name](tmp_path / name)
    assert folder == tmp_path / name
    ds = load_dataset(folder)
    assert ds.years == [datasets.YEAR]
    assert ds.name == name
    assert ds.meta["title"].startswith("Degenerate test dataset")
    assert datasets.FACTORIES[name].__doc__.strip()
    # nothing is silently excluded while loading
    assert (ds.accounts["rows_read"] == ds.accounts["rows_kept"]).all()


def test_one_juror(tmp_path, source):
    ds = load_dataset(datasets.one_juror(tmp_path / "d"))
    per_eval = ds.scores.groupby("evaluation", observed=True)["juror_id"].unique()
    assert {k: len(v) for k, v in per_eval.items()} == {"kovablik": 1, "sakip": 1}
    sakip_juror = per_eval["sakip"][0]
    # the SAKIP juror scored every graded unit, every criterion, and works in an evaluated unit
    sak = ds.scores[ds.scores["evaluation"] == "sakip"]
    assert set(sak["subject_id"]) == set(ds.grades["unit_id"])
    n_crit = (ds.rubric["evaluation"] == "sakip").sum()
    assert len(sak) == len(ds.grades) * n_crit
    assert ds.jurors.set_index("juror_id").loc[sakip_juror, "home_unit_id"] in set(ds.units["unit_id"])
    # kept rows are the source's rows, unchanged
    src = source.scores.merge(sak, how="right", indicator=True)
    assert (src["_merge"] == "both").all()
    pd.testing.assert_frame_equal(ds.grades, source.grades)
    pd.testing.assert_frame_equal(ds.innovations, source.innovations)


def test_one_unit_category(tmp_path, source):
    ds = load_dataset(datasets.one_unit_category(tmp_path / "d"))
    sizes = ds.grades.merge(ds.units, on=["year", "unit_id"])["category"].value_counts()
    assert sizes["Kecamatan"] == 1
    assert (sizes.drop("Kecamatan") >= 2).all() and len(sizes) == 3
    # scores, grades and innovations only of the units kept; every kept unit still scored
    units = set(ds.units["unit_id"])
    sak = ds.scores[ds.scores["evaluation"] == "sakip"]
    assert set(sak["subject_id"]) == units == set(ds.grades["unit_id"])
    assert set(ds.innovations["unit_id"]) <= units
    kov = ds.scores[ds.scores["evaluation"] == "kovablik"]
    assert len(kov) and set(kov["subject_id"]) <= set(ds.innovations["innovation_id"])
    # home units either kept or cleared, and home scoring still occurs (the Setda)
    homes = set(ds.jurors["home_unit_id"].dropna()) - {""}
    assert homes and homes <= units


def test_no_kovablik(tmp_path, source):
    ds = load_dataset(datasets.no_kovablik(tmp_path / "d"))
    assert ds.innovations.empty
    assert set(ds.scores["evaluation"]) == {"sakip"} and set(ds.rubric["evaluation"]) == {"sakip"}
    assert len(ds.scores) == (source.scores["evaluation"] == "sakip").sum()
    pd.testing.assert_frame_equal(ds.grades, source.grades)


def test_record_only(tmp_path):
    folder = datasets.record_only(tmp_path / "d")
    ds = load_dataset(folder)
    assert ds.jurors.empty and ds.scores.empty and ds.rubric.empty
    assert len(ds.units) and len(ds.grades) and len(ds.innovations)
    _, mismatch, errors = filecmp.cmpfiles(
        BATU / "record", folder, ["units.csv", "grades.csv", "innovations.csv"], shallow=False
    )
    assert not mismatch and not errors
    assert set(ds.grades["basis"]) <= {"named", "inferred"}  # the real record, no synthetic row


def test_constant_scores(tmp_path, source):
    ds = load_dataset(datasets.constant_scores(tmp_path / "d"))
    assert ds.scores["score"].nunique() == 1 and ds.scores["score"].iloc[0] == float(datasets.CONSTANT_SCORE)
    assert set(ds.scores["evaluation"]) == {"sakip", "kovablik"}
    key = ["evaluation", "stage", "subject_id", "juror_id", "criterion_id"]
    pd.testing.assert_frame_equal(ds.scores[key], source.scores[key])


def test_factories_do_not_touch_the_bundled_data(tmp_path):
    before = {p: p.stat().st_mtime_ns for p in BATU.rglob("*") if p.is_file()}
    for name, make in datasets.FACTORIES.items():
        make(tmp_path / name)
    assert {p: p.stat().st_mtime_ns for p in BATU.rglob("*") if p.is_file()} == before
