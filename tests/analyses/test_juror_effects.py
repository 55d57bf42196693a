"""The juror-effects analysis (notebook 02) on data as load_dataset returns it: the bundled
datasets, the degenerate datasets, and recovery of the effects kinerja.synth plants."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil

import numpy as np
import pandas as pd
import pytest

import kinerja.analyses
from kinerja import synth
from kinerja.analyses import juror_effects as je
from kinerja.analyses.base import check_tables
from kinerja.analyses.findings import check_findings
from kinerja.io import DataError, load_dataset
from kinerja.paths import DATA_DIR

from .. import datasets

FINDINGS = (
    "juror_effects.leniency",
    "juror_effects.panels",
    "juror_effects.home_bias",
    "juror_effects.grade_changes",
    "juror_effects.jurors_needed",
)


@pytest.fixture(scope="module")
def batu():
    return load_dataset("batu")


@pytest.fixture(scope="module")
def batu2020(batu):
    return je.analyse(batu.for_year(2020), n_resamples=300, seed=4)


def _truth(name: str, year: int) -> pd.DataFrame:
    t = pd.read_csv(DATA_DIR / name / "truth" / "truth_jurors.csv", dtype={"juror_id": str})
    t = t[t["year"] == year].copy()
    t["leniency"] = t["severity"] + t["panel_effect"]
    t["leniency"] -= t["leniency"].mean()
    return t.set_index("juror_id")


def test_tables_follow_their_specs_and_findings_the_contract(batu2020):
    check_tables(batu2020, je.TABLES)
    assert set(batu2020.tables) == set(je.TABLES)
    check_findings(batu2020.findings)
    assert tuple(batu2020.findings["finding_id"]) == FINDINGS
    assert (batu2020.findings["status"] == "estimated").all()
    assert batu2020.findings["statement_ind"].str.len().gt(50).all()
    assert (batu2020.findings["notebook"] == "02_juror_effects").all()


def test_table_names_are_not_used_by_another_notebook():
    mine = set(je.TABLES)
    for mod in pkgutil.iter_modules(kinerja.analyses.__path__):
        other = importlib.import_module(f"kinerja.analyses.{mod.name}")
        if other is je or not hasattr(other, "TABLES"):
            continue
        clash = mine & set(other.TABLES)
        assert not clash, f"{mod.name} also writes {sorted(clash)} to results/"


def test_batu_2020_recovers_the_planted_effects(batu2020):
    truth = _truth("batu", 2020)
    sev = batu2020.table("juror_effects").set_index("juror_id")
    t = truth.loc[sev.index, "leniency"]
    assert np.corrcoef(sev["estimate"], t)[0, 1] > 0.97
    assert ((sev["ci_low"] <= t) & (t <= sev["ci_high"])).mean() >= 0.8
    params = json.loads((DATA_DIR / "batu" / "truth" / "parameters.json").read_text())["config"]
    hb = batu2020.table("home_bias").iloc[0]
    assert hb["ci_low"] <= params["home_bias"] <= hb["ci_high"] and hb["p_value"] < 0.01
    assert hb["permutation"] == "random"  # 300 resamples < 29 x 28 assignments
    pe = batu2020.table("panel_effects").set_index("panel")
    ref = pe.index[pe["reference"]][0]
    for panel, row in pe.drop(index=ref).iterrows():
        planted = params["panel_effect"][panel] - params["panel_effect"][ref]
        assert row["ci_low"] <= planted <= row["ci_high"], panel
    # noisier jurors fit worse (outfit grows with the planted noise SD)
    fit = batu2020.table("rater_fit").set_index("juror_id")
    rho = pd.concat([fit["outfit"], truth["noise_sd"]], axis=1).corr("spearman").iloc[0, 1]
    assert rho > 0.8


def test_facts_and_findings_agree_with_the_tables(batu2020):
    f = batu2020.facts
    sev = batu2020.table("juror_effects")
    assert f["n_flagged"] == sev["flag"].sum() and f["n_flagged_holm"] == sev["flag_holm"].sum()
    assert f["expected_by_chance"] == pytest.approx(0.05 * len(sev))
    stab = batu2020.table("grade_stability")
    assert f["expected_changes"] == pytest.approx(stab["p_change"].sum())
    found = batu2020.findings.set_index("finding_id")
    assert found.loc["juror_effects.grade_changes", "estimate"] == pytest.approx(stab["p_change"].sum())
    assert f"{f['n_flagged']} of {len(sev)} jurors" in found.loc["juror_effects.leniency", "statement"]
    # the synthetic 2020 totals reproduce the grades on record
    assert (stab["grade"] == stab["grade_on_record"]).all()
    d = batu2020.table("d_study")
    assert d.loc[d["smallest"], "n_jurors"].item() == f["n_jurors_needed"]
    assert (d.loc[d["n_jurors"] < f["n_jurors_needed"], "phi"] < f["target_phi"]).all()
    assert found.loc["juror_effects.jurors_needed", "estimate"] == pytest.approx(f["phi_observed"])


def test_adjusted_totals_remove_each_jurors_leniency(batu, batu2020):
    adj = batu2020.table("adjusted_totals").set_index("subject_id")
    sev = batu2020.table("juror_effects").set_index("juror_id")["estimate"]
    from kinerja.rubrics import weighted_totals

    one = batu.for_year(2020)
    tot = weighted_totals(one.scores[one.scores["evaluation"] == "sakip"], one.rubric).dropna(subset=["total"])
    for unit, part in tot.groupby("subject_id"):
        expected = (part["total"] - part["juror_id"].map(sev)).mean()
        assert adj.loc[unit, "adjusted_total"] == pytest.approx(expected, rel=1e-12)
        if len(part) == len(sev):  # scored by every juror: the same shift for all
            assert adj.loc[unit, "adjustment"] == pytest.approx(-sev.mean(), abs=1e-9)


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_contoh_every_year(year):
    ds = load_dataset("contoh")
    res = je.analyse(ds, year=year, n_resamples=200, seed=1)
    check_tables(res, je.TABLES)
    check_findings(res.findings)
    assert (res.findings["status"] == "estimated").all()
    text = " ".join(res.findings["statement"])
    assert "Batu" not in text and "tim_sakip" not in text
    for other in ds.years:
        if other != year:
            assert str(other) not in text
    truth = _truth("contoh", year)
    sev = res.table("juror_effects").set_index("juror_id")
    assert np.corrcoef(sev["estimate"], truth.loc[sev.index, "leniency"])[0, 1] > 0.95
    hb = res.table("home_bias").iloc[0]
    assert hb["ci_low"] <= synth.CONTOH_CONFIG.home_bias <= hb["ci_high"]


@pytest.mark.parametrize("case", sorted(datasets.FACTORIES))
def test_degenerate_datasets_give_reasons_not_tracebacks(case, tmp_path):
    ds = load_dataset(datasets.FACTORIES[case](tmp_path / case))
    res = je.analyse(ds, n_resamples=100, seed=1)
    check_tables(res, je.TABLES)
    check_findings(res.findings)
    f = res.findings.set_index("finding_id")
    assert tuple(f.index) == FINDINGS
    undefined = f[f["status"] == "undefined"]
    assert undefined["estimate"].isna().all()
    assert undefined["statement"].str.startswith("Not computed: ").all()
    assert undefined["statement_ind"].str.startswith("Tidak dihitung: ").all()
    if case in ("one_juror", "record_only"):
        assert (f["status"] == "undefined").all()
    if case == "one_juror":
        assert "only one juror" in f.loc["juror_effects.leniency", "statement"]
    if case == "record_only":
        assert "no SAKIP juror scores" in f.loc["juror_effects.leniency", "statement"]
    if case == "constant_scores":
        assert f.loc["juror_effects.leniency", "status"] == "undefined"
        assert f.loc["juror_effects.grade_changes", "estimate"] == 0
    if case in ("one_unit_category", "no_kovablik"):
        assert f.loc[["juror_effects.leniency", "juror_effects.grade_changes"], "status"].eq("estimated").all()


def test_seeded_and_target_checked(batu):
    one = batu.for_year(2022)
    a = je.analyse(one, n_resamples=150, seed=8)
    b = je.analyse(one, n_resamples=150, seed=8)
    pd.testing.assert_frame_equal(a.table("grade_stability"), b.table("grade_stability"))
    pd.testing.assert_frame_equal(a.table("home_bias"), b.table("home_bias"))
    with pytest.raises(ValueError, match="target_phi"):
        je.analyse(one, target_phi=1.5)


# ----------------------------------------------------------------------------------------
# recovery over repeated seeded datasets from the generator
# ----------------------------------------------------------------------------------------


def _generated(tmp_path, seed: int, **changes):
    cfg = dataclasses.replace(synth.CONTOH_CONFIG, seed=seed, years=(2021,), kovablik_years=(), **changes)
    result = synth.generate(DATA_DIR / "contoh" / "record", cfg)
    folder = tmp_path / f"gen{seed}"
    synth.write(result, folder, meta={"name": f"gen{seed}"})
    truth = result.truth["truth_jurors"].set_index("juror_id")
    lenient = truth["severity"] + truth["panel_effect"]
    try:
        ds = load_dataset(folder)
    except DataError:
        # kinerja.synth writes the grade of the unrounded total beside the total rounded to
        # 2 decimals; a total within 0.005 above a boundary (e.g. 50.001 -> "50.00", CC)
        # then contradicts its grade and the loader refuses it: skip that draw
        return None
    return ds, lenient - lenient.mean(), cfg


def _recovery(tmp_path, seeds, **changes):
    hit = n = flags = home_hits = home_rej = 0
    est, tru = [], []
    used = 0
    for seed in seeds:
        made = _generated(tmp_path, seed, **changes)
        if made is None:
            continue
        ds, truth, cfg = made
        used += 1
        res = je.analyse(ds, n_resamples=200, seed=seed)
        sev = res.table("juror_effects").set_index("juror_id")
        t = truth.reindex(sev.index)
        hit += int(((sev["ci_low"] <= t) & (t <= sev["ci_high"])).sum())
        flags += int(sev["flag"].sum())
        n += len(sev)
        est += list(sev["estimate"])
        tru += list(t)
        hb = res.table("home_bias").iloc[0]
        home_hits += hb["ci_low"] <= cfg.home_bias <= hb["ci_high"]
        home_rej += hb["p_value"] < 0.05
    return dict(
        coverage=hit / n,
        corr=np.corrcoef(est, tru)[0, 1] if np.std(tru) > 0 else np.nan,
        flag_rate=flags / n,
        n=n,
        home_coverage=home_hits / len(seeds),
        home_rejections=home_rej / len(seeds),
    )


def test_generator_effects_come_back(tmp_path):
    r = _recovery(tmp_path, range(3))
    assert r["corr"] > 0.95 and r["coverage"] >= 0.8 and r["home_coverage"] == 1.0, r


@pytest.mark.slow
def test_generator_coverage_near_nominal_and_null_false_positives(tmp_path):
    planted = _recovery(tmp_path / "planted", range(100, 115))
    # 15 datasets x 7 jurors = 105 intervals at 95%
    assert planted["corr"] > 0.95 and 0.85 <= planted["coverage"] <= 1.0, planted
    assert planted["home_coverage"] >= 0.8, planted
    null = _recovery(
        tmp_path / "null",
        range(200, 215),
        severity_sd=0.0,
        home_bias=0.0,
        panel_effect={p: 0.0 for p in synth.CONTOH_CONFIG.panel_effect},
    )
    # nothing planted: flags and home-bias rejections near (at most about) the 5% level
    assert null["flag_rate"] <= 0.1 and null["home_rejections"] <= 0.2, null


def test_a_juror_spread_with_an_interval_over_a_tenfold_range_is_called_poorly_determined(tmp_path, batu):
    """With 3 jurors the spread read 'a standard deviation of 1.2 [0.6, 8.6] points', as
    settled as the 10-juror year's 4.2 [2.9, 7.7]."""
    t = datasets._tables()
    sc = t["scores"]
    keep = sorted(sc.loc[sc["evaluation"] == "sakip", "juror_id"].unique())[:3]
    t["scores"] = sc[sc["juror_id"].isin(keep) | (sc["evaluation"] != "sakip")]
    three = load_dataset(datasets._write(tmp_path / "three", t, "three jurors", "Three SAKIP jurors."))
    res = je.analyse(three, n_resamples=50, seed=1)
    lo, hi = res.facts["juror_sd_ci"]
    assert hi / lo >= 10
    f = res.findings.set_index("finding_id").loc["juror_effects.leniency"]
    assert "With 3 jurors the spread between jurors is poorly determined" in f["statement"]
    assert "kurang tertentukan" in f["statement_ind"]
    assert res.facts["juror_sd_caveat"] in f["statement"]

    full = je.analyse(batu.for_year(2020), n_resamples=50, seed=1)
    lo, hi = full.facts["juror_sd_ci"]
    assert hi / lo < 10
    assert full.facts["juror_sd_caveat"] == ""
    assert "poorly determined" not in full.findings.set_index("finding_id").loc["juror_effects.leniency", "statement"]


def test_a_jury_split_into_groups_that_share_no_unit_is_said(tmp_path):
    """Two juror teams scoring disjoint halves of the units: the reports named the most
    lenient juror and adjusted grades as if severity were comparable across the teams,
    while about 6 points of team bias remained after the adjustment."""
    from kinerja.analyses import categories
    from kinerja.stats.effects import jury_groups

    t = datasets._tables()
    sc = t["scores"]
    sak = sc["evaluation"] == "sakip"
    jurors = sorted(sc.loc[sak, "juror_id"].unique())
    units = sorted(sc.loc[sak, "subject_id"].unique())
    team_a, half_a = set(jurors[: len(jurors) // 2]), set(units[: len(units) // 2])
    keep = ~sak | (sc["juror_id"].isin(team_a) == sc["subject_id"].isin(half_a))
    t["scores"] = sc[keep]
    ds = load_dataset(datasets._write(tmp_path / "split", t, "split jury", "Two teams, disjoint units."))
    groups = jury_groups(ds.scores[ds.scores["evaluation"] == "sakip"])
    assert groups.nunique() == 2
    assert set(groups[groups == groups[sorted(team_a)[0]]].index) in (team_a, set(jurors) - team_a)
    res = je.analyse(ds, n_resamples=50, seed=1)
    sizes = res.facts["jury_groups"]
    assert len(sizes) == 2 and sum(sizes) == len(jurors)
    f = res.findings.set_index("finding_id").loc["juror_effects.leniency"]
    assert "groups" in f["statement"] and "scored no unit in common" in f["statement"]
    assert "kelompok" in f["statement_ind"]
    notes = categories.analyse(ds, n_boot=0, n_perm=0).notes
    assert any("scored no unit in common" in n for n in notes)


@pytest.mark.parametrize("seed", range(5))
def test_jury_groups_equal_a_union_find_of_shared_subjects(seed):
    from kinerja.stats.effects import jury_groups

    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"subject_id": rng.integers(0, 40, 60).astype(str), "juror_id": rng.integers(0, 25, 60)})
    d["juror_id"] = "J" + d["juror_id"].astype(str)
    parent = {j: j for j in d["juror_id"]}

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for _, part in d.groupby("subject_id"):
        js = list(part["juror_id"])
        for j in js[1:]:
            parent[find(j)] = find(js[0])
    g = jury_groups(d)
    for a in g.index:
        for b in g.index:
            assert (g[a] == g[b]) == (find(a) == find(b))
    sizes = g.value_counts().sort_index()
    assert list(sizes) == sorted(sizes, reverse=True)  # the largest group first


def test_a_panel_type_of_one_juror_is_called_that_jurors_leniency(tmp_path):
    """One praktisi among five tim_sakip jurors: the key finding read "the panel type that
    differs most is praktisi at 5.4 [1.3, 9.5] points" (one juror's leniency, while the
    table's note said so); when every panel type had one juror, the Indonesian reason was
    'fewer than two panel types' beside six of them."""
    t = datasets._tables()
    jurors = t["jurors"]
    sak = set(t["scores"].loc[t["scores"]["evaluation"] == "sakip", "juror_id"])
    ids = sorted(j for j in jurors["juror_id"] if j in sak)
    jurors["panel"] = "tim_sakip"
    jurors.loc[jurors["juror_id"] == ids[0], "panel"] = "praktisi"
    ds = load_dataset(datasets._write(tmp_path / "lone", t, "lone praktisi", "One praktisi juror."))
    f = je.analyse(ds, n_resamples=50, seed=1).findings.set_index("finding_id").loc["juror_effects.panels"]
    assert f["status"] == "estimated"
    assert "praktisi (one juror, so this is that juror's leniency)" in f["statement"], f["statement"]
    assert "the test that both panel types" in f["statement"]
    assert "praktisi (satu evaluator" in f["statement_ind"]

    panels = ["tim_sakip", "inspektorat", "akademisi", "praktisi", "biro_provinsi", "lainnya"]
    jurors["panel"] = [panels[i % len(panels)] for i in range(len(jurors))]
    keep = set(jurors.groupby("panel")["juror_id"].first())
    t["scores"] = t["scores"][(t["scores"]["evaluation"] != "sakip") | t["scores"]["juror_id"].isin(keep)]
    ds = load_dataset(datasets._write(tmp_path / "six", t, "six lone jurors", "Six panels of one juror."))
    f = je.analyse(ds, n_resamples=50, seed=1).findings.set_index("finding_id").loc["juror_effects.panels"]
    assert f["status"] == "undefined" and "every panel type has a single juror" in f["statement"]
    assert "setiap jenis panel hanya beranggotakan satu evaluator" in f["statement_ind"]
    assert "kurang dari dua jenis panel" not in f["statement_ind"]


def test_jurors_who_score_their_own_unit_lower_are_said_to_score_it_lower(tmp_path):
    """'Jurors scored the unit they work in -1.1 [-3.8, 1.7] points higher than the other
    jurors scored it': a negative estimate is said as points lower, interval turned round."""
    t = datasets._tables()
    home = dict(zip(t["jurors"]["juror_id"], t["jurors"]["home_unit_id"]))
    sc = t["scores"]
    own = (sc["evaluation"] == "sakip") & (sc["juror_id"].map(home) == sc["subject_id"])
    assert own.any()
    sc["score"] = sc["score"].astype(float)
    sc.loc[own, "score"] = (sc.loc[own, "score"] - 15).clip(lower=0)
    ds = load_dataset(datasets._write(tmp_path / "harsh", t, "harsh at home", "Home jurors score lower."))
    res = je.analyse(ds, n_resamples=50, seed=1)
    f = res.findings.set_index("finding_id").loc["juror_effects.home_bias"]
    assert f["estimate"] < 0
    assert "points lower than the other jurors" in f["statement"] and "higher" not in f["statement"]
    assert "-" not in f["statement"].split("points lower")[0].split("work in")[1]
    assert "lebih rendah" in f["statement_ind"]
