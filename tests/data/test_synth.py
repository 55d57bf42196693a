"""The synthetic generator: determinism, the published record reproduced, planted effects present."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from kinerja import synth
from kinerja.data.io import load_dataset
from kinerja.data.schema import CATEGORIES, PANELS
from kinerja.grades import band, grade_from_total
from kinerja.paths import DATA_DIR
from kinerja.rubrics import weighted_totals

RECORD = DATA_DIR / "batu" / "record"


@pytest.fixture(scope="module")
def batu():
    return synth.generate(RECORD)


def _unit_totals(tables, year):
    sc = tables["scores"]
    sc = sc[(sc["year"] == year) & (sc["evaluation"] == "sakip")]
    jt = weighted_totals(sc, tables["rubric"])
    return jt.groupby("subject_id")["total"].mean()


def test_same_seed_gives_identical_data(batu):
    again = synth.generate(RECORD)
    for name in batu.tables:
        pd.testing.assert_frame_equal(batu.tables[name], again.tables[name])
    for name in batu.truth:
        pd.testing.assert_frame_equal(batu.truth[name], again.truth[name])


def test_other_seed_gives_other_scores(batu):
    other = synth.generate(RECORD, synth.SynthConfig(seed=1))
    assert not batu.tables["scores"]["score"].equals(other.tables["scores"]["score"])


def _assert_same_files(written, bundled, result):
    names = [f"{t}.csv" for t in result.tables] + ["dataset.json"]
    match, mismatch, errors = filecmp.cmpfiles(written, bundled, names, shallow=False)
    assert not mismatch and not errors, f"stale bundled files {mismatch + errors}: run `make data`"
    tnames = [f"{t}.csv" for t in result.truth] + ["parameters.json", "README.md"]
    match, mismatch, errors = filecmp.cmpfiles(written / "truth", bundled / "truth", tnames, shallow=False)
    assert not mismatch and not errors, f"stale truth files {mismatch + errors}: run `make data`"


def test_bundled_data_is_what_the_generator_writes(tmp_path, batu):
    """data/batu/*.csv must be regenerated (make data) whenever the generator changes."""
    synth.write(batu, tmp_path, meta=synth.BATU_META)
    _assert_same_files(tmp_path, DATA_DIR / "batu", batu)


def test_make_data_regenerates_every_bundled_dataset():
    """Every folder of data/ with a record/ is a bundled dataset that `make data` writes."""
    with_record = {p.parent.name for p in DATA_DIR.glob("*/record")}
    assert with_record == set(synth.BUNDLED) == {"batu", "contoh"}
    recipe = (DATA_DIR.parent / "Makefile").read_text().split("\ndata:", 1)[1].split("\n\n", 1)[0]
    assert "kinerja.data.synth --dataset all" in recipe


def test_published_2020_grades_reproduced(batu):
    grades = pd.read_csv(RECORD / "grades.csv")
    assert len(grades) == 29 and (grades["grade"] == "A").sum() == 10 and (grades["grade"] == "BB").sum() == 19
    totals = _unit_totals(batu.tables, 2020)
    for _, row in grades.iterrows():
        total = totals[row["unit_id"]]
        lo, hi = band(row["grade"])
        assert lo < total <= hi, (row["unit_id"], row["grade"], total)
        assert grade_from_total(total) == row["grade"]
    # A totals in (80, 90], BB in (70, 80] as the issue states.
    a = totals[grades.loc[grades["grade"] == "A", "unit_id"]]
    bb = totals[grades.loc[grades["grade"] == "BB", "unit_id"]]
    assert ((a > 80) & (a <= 90)).all() and ((bb > 70) & (bb <= 80)).all()


def test_published_kovablik_groups_reproduced(batu):
    sc, rub = batu.tables["scores"], batu.tables["rubric"]
    sc = sc[(sc["year"] == 2020) & (sc["evaluation"] == "kovablik")]
    jt = weighted_totals(sc, rub).groupby(["stage", "subject_id"])["total"].mean().unstack(0)
    final = (jt["proposal"] + jt["presentasi"]) / 2  # documented rule; NaN for non-finalists
    inn = batu.tables["innovations"]
    inn = inn[(inn["year"] == 2020) & (inn["competition"] == "kovablik")].set_index("innovation_id")
    top5 = final[inn.index[inn["award"] == "top5"]]
    top10 = final[inn.index[inn["award"] == "top10"]]
    rest = final[inn.index[inn["award"] == "none"]].fillna(-np.inf)
    assert len(top5) == 5 and len(top10) == 5 and len(rest) >= 5
    assert top5.min() > top10.max() > rest.max()
    # the ten awarded innovations are the published ones, named, with their sources
    assert set(inn.index[inn["basis"] == "named"]) == {
        "ada_kelas_di_atv",
        "adiarta",
        "abdi_praja",
        "tv_desa",
        "puspaga_bakti_pertiwi",
        "dewi_sandra",
        "sapa_pelanggan",
        "jebol_pak_bahir",
        "fordes",
        "siaga_darma",
    }
    assert (inn.loc[inn["basis"] == "synthetic", "award"] == "none").all()


def test_record_rows_copied_unchanged_and_synthetic_labelled(batu):
    for name in ("units", "grades", "innovations"):
        rec = pd.read_csv(RECORD / f"{name}.csv", dtype=str, keep_default_na=False)
        out = batu.tables[name].astype(str).replace({"nan": "", "<NA>": ""})
        merged = rec.merge(out, how="left", indicator=True)
        assert (merged["_merge"] == "both").all(), f"{name}: a record row was altered"
    for name in ("jurors", "scores"):
        assert (batu.tables[name]["basis"] == "synthetic").all()
    # nothing of another year claims to be real
    for name in ("grades", "innovations", "units"):
        t = batu.tables[name]
        assert not t.loc[t["year"] != 2020, "basis"].isin(["named", "observed"]).any()


def test_rubric_of_the_year(batu):
    rub = batu.tables["rubric"]
    sak = rub[rub["evaluation"] == "sakip"]
    n_comp = sak.groupby("year")["component"].nunique()
    assert n_comp[2021] == 5 and n_comp[2022] == 4  # PermenPANRB 12/2015 -> 88/2021
    sums = rub.groupby(["year", "evaluation", "stage"])["weight"].sum()
    assert np.allclose(sums, 100)


def _home_bias_and_juror_effects(result):
    """Within-(year, unit, criterion) fixed-effects regression of the SAKIP scores on juror
    dummies and a home indicator (regressors demeaned too, so this is the exact fixed-effects
    estimate, Frisch-Waugh-Lovell). Returns the home coefficient's 95% CI and the
    correlation of the juror effects with the planted severity + panel effect."""
    sc = result.tables["scores"]
    sc = sc[sc["evaluation"] == "sakip"].merge(result.tables["jurors"], on=["year", "juror_id"])
    cell = sc["year"].astype(str) + "|" + sc["subject_id"] + "|" + sc["criterion_id"]
    X = pd.get_dummies(sc["juror_id"], dtype=float).iloc[:, 1:]  # first juror is the reference
    X["home"] = (sc["home_unit_id"] == sc["subject_id"]).astype(float)
    X = X - X.groupby(cell).transform("mean")
    y = sc["score"].astype(float) - sc["score"].groupby(cell).transform("mean")
    fit = sm.OLS(y, X).fit()
    truth = result.truth["truth_jurors"].groupby("juror_id")[["severity", "panel_effect"]].mean().sum(axis=1)
    est = fit.params.drop("home").reindex(truth.index).fillna(0.0)  # the reference juror: 0
    return tuple(fit.conf_int().loc["home"]), np.corrcoef(est, truth)[0, 1]


def test_planted_home_bias_and_juror_severity_recovered(batu):
    """Fixed-effects regression on the synthetic SAKIP scores recovers the planted effects."""
    (lo, hi), r = _home_bias_and_juror_effects(batu)
    planted = batu.parameters["config"]["home_bias"]
    assert lo < planted < hi, (planted, lo, hi)
    assert r > 0.95, r


def test_planted_category_effect_present_in_unconditioned_years(tmp_path):
    """With many units, the category shift shows in juror-mean totals of unconditioned years."""
    rng = np.random.default_rng(0)
    cats = np.repeat(["Dinas", "Kecamatan"], 120)
    units = pd.DataFrame(
        {
            "year": 2020,
            "unit_id": [f"u{i}" for i in range(240)],
            "name": "x",
            "abbreviation": "x",
            "category": cats,
            "basis": "named",
            "source": "test",
        }
    )
    grades = pd.DataFrame(
        {
            "year": 2020,
            "unit_id": units["unit_id"],
            "grade": rng.choice(["A", "BB"], 240),
            "total": "",
            "announced": "",
            "basis": "named",
            "source": "test",
        }
    )
    inn = pd.DataFrame(
        columns=["year", "innovation_id", "unit_id", "name", "competition", "award", "announced", "basis", "source"]
    )
    for name, df in (("units", units), ("grades", grades), ("innovations", inn)):
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    no_home = {panel: None for panel in synth.SynthConfig().panel_home_unit}  # no Setda/Inspektorat here
    cfg = synth.SynthConfig(years=(2020, 2021), seed=3, n_entries_range=(20, 20), panel_home_unit=no_home)
    res = synth.generate(tmp_path, cfg)
    totals = _unit_totals(res.tables, 2021)
    by_cat = totals.groupby(units.set_index("unit_id")["category"]).mean()
    planted = cfg.category_effect["Kecamatan"] - cfg.category_effect["Dinas"]
    # SE of a difference of two means of 120 units with SD ~ 4.5: ~0.6
    assert abs((by_cat["Kecamatan"] - by_cat["Dinas"]) - planted) < 2.0
    # and the conditioned year still reproduces 240 published grades
    t20 = _unit_totals(res.tables, 2020)
    assert (
        pd.Series(grade_from_total(t20.to_numpy()), index=t20.index) == grades.set_index("unit_id")["grade"][t20.index]
    ).all()


# ------------------------------------------------------------------ dataset.json of the bundled data


@pytest.mark.parametrize("name", ["batu", "contoh"])
def test_description_is_year_neutral_and_year_notes_are_per_year(name):
    meta = json.loads((DATA_DIR / name / "dataset.json").read_text())
    assert meta["description"] and not re.search(r"\d", meta["description"]), meta["description"]
    assert set(meta["year_notes"]) <= {str(y) for y in meta["years"]}
    for year, note in meta["year_notes"].items():
        # a year's note speaks of that evaluation year (an announcement date may be later)
        others = {str(y) for y in meta["years"]} - {year}
        assert f"year {year}" in note and not any(f"year {y}" in note for y in others), (year, note)


def test_batu_year_notes():
    notes = json.loads((DATA_DIR / "batu" / "dataset.json").read_text())["year_notes"]
    assert "29 OPDs" in notes["2020"] and "published record" in notes["2020"]
    for y in ("2019", "2021", "2022", "2023"):
        assert "synthetic" in notes[y] and "No published record" in notes[y]


def test_year_notes_follow_the_configuration():
    cfg = synth.SynthConfig(years=(2019, 2020, 2021), kovablik_years=(2020,)).to_json()
    notes = synth._year_notes(cfg, {"2020": "Given."})
    assert notes["2020"] == "Given."
    assert "No published record" in notes["2019"] and "No KOVABLIK competition" in notes["2019"]
    assert "No KOVABLIK competition" in notes["2021"]
    fictional = synth.CONTOH_CONFIG.to_json()
    assert list(synth._year_notes(fictional, {})) == ["2022"]


# ------------------------------------------------------------------ Kabupaten Contoh (no published record)

CONTOH = DATA_DIR / "contoh"


@pytest.fixture(scope="module")
def contoh():
    return synth.generate_bundled("contoh")


def test_contoh_same_seed_identical_other_seed_differs(contoh):
    again = synth.generate(CONTOH / "record", synth.CONTOH_CONFIG)
    for name in contoh.tables:
        pd.testing.assert_frame_equal(contoh.tables[name], again.tables[name])
    for name in contoh.truth:
        pd.testing.assert_frame_equal(contoh.truth[name], again.truth[name])
    other = synth.generate(CONTOH / "record", replace(synth.CONTOH_CONFIG, seed=1))
    assert not contoh.tables["scores"]["score"].equals(other.tables["scores"]["score"])


def test_contoh_bundled_files_are_what_make_data_writes(tmp_path, monkeypatch, contoh):
    """`python -m kinerja.data.synth --dataset contoh` (make data) reproduces data/contoh byte for byte."""
    shutil.copytree(CONTOH / "record", tmp_path / "contoh" / "record")
    monkeypatch.setattr(synth, "DATA_DIR", tmp_path)
    assert synth.main(["--dataset", "contoh"]) == 0
    _assert_same_files(tmp_path / "contoh", CONTOH, contoh)
    synth.write(contoh, tmp_path / "again", meta=synth.CONTOH_META)
    _assert_same_files(tmp_path / "again", CONTOH, contoh)


@pytest.fixture(scope="module")
def contoh_ds():
    return load_dataset(CONTOH)


def test_contoh_is_all_synthetic_and_fictional(contoh_ds):
    ds = contoh_ds
    for name in ("units", "jurors", "grades", "innovations", "scores"):
        assert (ds.tables[name]["basis"] == "synthetic").all(), name
    assert (ds.rubric["basis"] == "inferred").all()
    meta = ds.meta
    assert meta["real_years"] == [] and "FICTIONAL" in meta["description"]
    assert "FICTIONAL" in meta["synthetic"]["note"]
    assert "Batu" not in json.dumps(meta) and "Batu" not in (CONTOH / "README.md").read_text()


def test_contoh_shape_differs_from_batu(contoh_ds):
    ds, batu = contoh_ds, load_dataset(DATA_DIR / "batu")
    assert ds.years == [2021, 2022, 2023]
    units = ds.units[ds.units["year"] == 2021]
    assert 30 <= len(units) <= 40
    assert set(units["unit_id"]).isdisjoint(batu.units["unit_id"])
    assert set(units["category"]) <= set(CATEGORIES)
    assert {"Sekretariat", "Inspektorat", "Dinas", "Badan", "Kecamatan", "RSUD", "Satpol PP"} <= set(units["category"])
    assert (units["category"] == "Kecamatan").sum() >= 5
    # the same units every year; the BUMD is not graded
    assert ds.units.groupby("year")["unit_id"].apply(frozenset).nunique() == 1
    graded = ds.grades.merge(ds.units, on=["year", "unit_id"])
    assert "BUMD" not in set(graded["category"]) and len(ds.grades) == 3 * (len(units) - 1)
    # other panel types, from the schema vocabulary, with home units for the internal panels
    panels = set(ds.jurors["panel"])
    assert panels == {"inspektorat", "akademisi", "praktisi", "lainnya"} and panels <= set(PANELS)
    assert panels != set(batu.jurors["panel"])
    homes = ds.jurors.groupby("panel", observed=True)["home_unit_id"].agg(lambda s: set(s.dropna()) - {""})
    assert homes["inspektorat"] == {"03-itda"} and homes["lainnya"] == {"01-setda"}
    assert not homes["akademisi"] and not homes["praktisi"]
    assert ds.jurors.groupby(["year", "panel"], observed=True).size().loc[(2021, "praktisi")] == 1


def test_contoh_grades_spread_over_bands(contoh_ds):
    bands = contoh_ds.grades.groupby("year", observed=True)["grade"].agg(lambda g: set(g.astype(str)))
    for year, used in bands.items():
        assert len(used) >= 4, (year, used)
    assert set().union(*bands) >= {"AA", "A", "BB", "B", "CC", "C"}
    totals = contoh_ds.grades["total"]
    assert totals.min() < 50 and totals.max() > 88


def test_contoh_has_one_year_without_kovablik(contoh_ds):
    ds = contoh_ds
    with_kov = {
        t: set(df.loc[df["year"].isin([2021, 2022, 2023]), "year"])
        for t, df in (
            ("innovations", ds.innovations),
            ("scores", ds.scores[ds.scores["evaluation"] == "kovablik"]),
            ("rubric", ds.rubric[ds.rubric["evaluation"] == "kovablik"]),
        )
    }
    assert with_kov == {t: {2021, 2023} for t in with_kov}
    assert set(ds.scores.loc[ds.scores["evaluation"] == "sakip", "year"]) == {2021, 2022, 2023}
    # awards are the documented rule: top 5, next 5, the other finalists
    awards = ds.innovations.groupby("year")["award"].value_counts().unstack(fill_value=0)
    assert (awards["top5"] == 5).all() and (awards["top10"] == 5).all()
    assert "2022" in ds.meta["year_notes"] and "No KOVABLIK" in ds.meta["year_notes"]["2022"]


def test_contoh_totals_and_grades_follow_the_scores(contoh):
    for year in (2021, 2022, 2023):
        totals = _unit_totals(contoh.tables, year)
        g = contoh.tables["grades"]
        g = g[g["year"] == year].set_index("unit_id")
        assert np.allclose(totals[g.index], g["total"].astype(float), atol=0.006)
        assert (pd.Series(grade_from_total(totals[g.index].to_numpy()), index=g.index) == g["grade"]).all()


def test_contoh_planted_effects_recovered(contoh):
    """Home bias and juror severities planted in Kabupaten Contoh show in its scores."""
    (lo, hi), r = _home_bias_and_juror_effects(contoh)
    assert lo < synth.CONTOH_CONFIG.home_bias < hi, (lo, hi)
    assert r > 0.95, r


def test_contoh_readme_states_the_configuration():
    """The README's data log states the parameters the generator uses (no drift)."""
    text = (CONTOH / "README.md").read_text()
    cfg = synth.CONTOH_CONFIG
    for fact in (
        f"seed {cfg.seed}",
        f"the {cfg.n_finalists} best",
        f"probability {cfg.p_head_attends}",
        f"{cfg.p_missing_unit:.0%} of juror",
        f"home bias of {cfg.home_bias:g} points",
        f"SD {cfg.unit_sd:g}",
        f"{cfg.mu:g} in {cfg.years[0]}",
        "no competition in 2022",
        f"{sum(cfg.panels_per_year.values())} SAKIP jurors a year",
        f"pool of {sum(cfg.pool_size.values())}",
    ):
        assert fact in text, fact
    assert set(cfg.years) - set(cfg.kovablik_years) == {2022}


# ------------------------------------------------------------------ generating without a record


def _fictional_record(folder, n=12):
    units = pd.DataFrame(
        {
            "year": 2030,
            "unit_id": [f"u{i:02d}" for i in range(n)] + ["water"],
            "name": [f"Unit {i}" for i in range(n)] + ["Water company"],
            "abbreviation": "",
            "category": ["Dinas"] * (n - 2) + ["Inspektorat", "Sekretariat", "BUMD"],
            "basis": "synthetic",
            "source": "test",
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    units.to_csv(folder / "units.csv", index=False)
    return units


def test_no_record_needs_only_units(tmp_path):
    units = _fictional_record(tmp_path)
    cfg = synth.SynthConfig(
        years=(2030, 2031),
        real_year=None,
        kovablik_years=(),
        panels_per_year={"inspektorat": 1, "lainnya": 2},
        pool_size={"inspektorat": 1, "lainnya": 3},
        panel_home_unit={"inspektorat": "u10", "lainnya": None},
        kovablik_panels=("lainnya",),
        panel_effect={"inspektorat": 0.0, "lainnya": 1.0},
    )
    res = synth.generate(tmp_path, cfg)
    t = res.tables
    assert t["innovations"].empty and set(t["scores"]["evaluation"]) == {"sakip"}
    assert res.truth["truth_innovations"].empty
    assert set(t["grades"]["unit_id"]) == set(units["unit_id"]) - {"water"}
    assert (t["units"]["basis"] == "synthetic").all() and len(t["units"]) == 2 * len(units)
    # the mean quality is mu in the first year
    tt = res.truth["truth_totals"]
    assert set(tt["conditioned_on_published_grade"]) == {False}
    synth.write(res, tmp_path / "out", meta={"name": "x", "description": "A test."})
    ds = load_dataset(tmp_path / "out")
    assert ds.years == [2030, 2031] and ds.meta["real_years"] == []
    assert set(ds.meta["year_notes"]) == {"2030", "2031"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"real_year": 2040}, "real_year 2040 must be one of years"),
        ({"kovablik_years": (2019, 2040)}, r"kovablik_years \[2040\]"),
        ({"kovablik_panels": ("juri",)}, r"kovablik_panels \['juri'\]"),
        (
            {
                "panels_per_year": {"juri": 1},
                "pool_size": {"juri": 1},
                "panel_effect": {"juri": 0.0},
                "kovablik_panels": ("juri",),
            },
            "not in the schema vocabulary",
        ),
        ({"panels_per_year": {"tim_sakip": 1, "lainnya": 1}}, r"pool_size has no entry for panel\(s\) \['lainnya'\]"),
        ({"panel_home_unit": {"tim_sakip": "nowhere"}}, r"panel_home_unit names unit\(s\) \['nowhere'\]"),
        ({"real_year": None}, "the record has published grades for"),
    ],
)
def test_inconsistent_configuration_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        synth.generate(RECORD, replace(synth.SynthConfig(), **change))


def test_record_without_real_year_must_list_one_year_of_units(tmp_path):
    units = _fictional_record(tmp_path)
    pd.concat([units, units.assign(year=2031)]).to_csv(tmp_path / "units.csv", index=False)
    with pytest.raises(ValueError, match=r"units of one year; it has years \[2030, 2031\]"):
        synth.generate(tmp_path, synth.SynthConfig(years=(2030, 2031), real_year=None, panel_home_unit={}))
