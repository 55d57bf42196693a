"""The innovations analysis (notebook 04) on data as load_dataset returns it: the bundled
2020 record, synthetic years, degenerate datasets, a planted innovation effect (kinerja.synth
and an independent simulator written here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kinerja import synth
from kinerja.analyses import innovations
from kinerja.analyses.base import check_tables
from kinerja.analyses.findings import FINDINGS_COLUMNS, format_ci
from kinerja.data.io import load_dataset
from kinerja.data.schema import TABLES as SCHEMA
from kinerja.paths import DATA_DIR
from tests import datasets

FAST = dict(n_perm=1000, n_reweight=1000, seed=1)
IDS = [
    "innovations.award_grade",
    "innovations.detectable",
    "innovations.award_gap",
    "innovations.halo",
    "innovations.rubric",
]


@pytest.fixture(scope="module")
def batu2020():
    return load_dataset("batu").for_year(2020)


@pytest.fixture(scope="module")
def res2020(batu2020):
    return innovations.analyse(batu2020, year=2020, **FAST)


def test_tables_follow_their_specs(res2020):
    check_tables(res2020, innovations.TABLES)
    assert set(res2020.tables) == set(innovations.TABLES)
    assert list(res2020.findings["finding_id"]) == IDS
    assert list(res2020.findings.columns) == list(FINDINGS_COLUMNS)
    assert (res2020.findings["status"] == "estimated").all()


def test_the_2020_two_by_two_comes_from_the_record_files(res2020):
    """The 2 x 2 table recomputed from data/batu/record with plain pandas: awarded = a
    top5/top10 entry in the city KOVABLIK; high grade = A (the only other grade is BB)."""
    rec = DATA_DIR / "batu" / "record"
    grades = pd.read_csv(rec / "grades.csv")
    inn = pd.read_csv(rec / "innovations.csv")
    winners = set(inn.loc[(inn["competition"] == "kovablik") & inn["award"].isin(["top5", "top10"]), "unit_id"])
    g = grades.assign(awarded=grades["unit_id"].isin(winners), high=grades["grade"] == "A")
    table = np.array(
        [
            [sum(g["awarded"] & g["high"]), sum(g["awarded"] & ~g["high"])],
            [sum(~g["awarded"] & g["high"]), sum(~g["awarded"] & ~g["high"])],
        ]
    )
    assert table.tolist() == [[3, 5], [7, 14]]
    ex = res2020.table("exact_test").iloc[0]
    assert [[ex["awarded_high"], ex["awarded_low"]], [ex["other_high"], ex["other_low"]]] == table.tolist()
    assert (ex["high_grades"], ex["low_grades"]) == ("A", "BB")
    # the exact test itself, by scipy: two-sided p and the conditional MLE with its exact CI
    # (R: fisher.test(matrix(c(3, 7, 5, 14), 2)) gives the same to R's uniroot tolerance)
    from scipy.stats.contingency import odds_ratio

    ref = odds_ratio(table, kind="conditional")
    ci = ref.confidence_interval(0.95)
    assert ex["estimate"] == pytest.approx(ref.statistic, rel=1e-12)
    assert (ex["ci_low"], ex["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert ex["p_value"] == pytest.approx(stats.fisher_exact(table).pvalue)
    assert ex["n"] == 29
    # reported to the precision a brief quotes
    assert (round(ex["estimate"], 2), round(ex["ci_low"], 2), round(ex["ci_high"], 2)) == (1.19, 0.14, 8.49)
    assert ex["p_value"] == pytest.approx(1.0)


def test_every_input_row_is_accounted_for(res2020, batu2020):
    acc = res2020.table("accounts")
    per = acc.groupby("table")["rows"].sum()
    assert per["units"] == len(batu2020.units)
    assert per["grades"] == len(batu2020.grades)
    assert per["innovations"] == len(batu2020.innovations)
    units = res2020.table("units")
    assert len(units) == len(batu2020.units) and units["unit_id"].is_unique


def test_ungraded_awardee_is_reported_apart_not_dropped(res2020):
    units = res2020.table("units").set_index("unit_id")
    bumd = units.loc["perumdam_among_tirto"]
    assert not bumd["graded"] and bumd["awarded"] and bumd["role"] == "not graded (awardee)"
    assert "reported apart" in bumd["note"]
    assert res2020.facts["awardees_not_graded"] == ["Perusahaan Umum Daerah Air Minum Among Tirto (BUMD)"]
    assert res2020.table("exact_test").iloc[0]["n"] == units["graded"].sum()
    # the provincial award is shown, not tested
    assert "kovablik_provinsi top30" in units.loc["dispendukcapil", "other_awards"]
    # units without any entry are rows too
    assert (units["n_entries"] == 0).sum() > 0
    # a unit with two city awards counts once, at its best level
    assert units.loc["disperpusip", "award_group"] == "top5"


def test_contingency_and_trend_test_use_all_three_award_levels(res2020):
    cont = res2020.table("contingency")
    assert cont["n"].sum() == 29
    assert set(cont["award_group"]) == {"top5", "top10", "none"}
    tr = res2020.table("record_tests")
    tr = tr[tr["test"] == "trend across award levels x grade"]
    assert list(tr["method"].str.split(" ").str[0]) == ["asymptotic", "exact", "permutation"]
    assert (tr["n"] == 29).all()


def test_findings_quote_the_tables(res2020):
    f = res2020.findings.set_index("finding_id")
    ex = res2020.table("exact_test").iloc[0]
    st = f.loc["innovations.award_grade", "statement"]
    assert format_ci(ex["estimate"], ex["ci_low"], ex["ci_high"]) in st
    assert "Of the 29 graded units, 8 won a KOVABLIK award" in st
    assert (
        format_ci(ex["estimate"], ex["ci_low"], ex["ci_high"], lang="id")
        in f.loc["innovations.award_grade", "statement_ind"]
    )
    assert "real (published)" in f.loc["innovations.award_grade", "provenance"]
    assert "SYNTHETIC" not in f.loc["innovations.award_grade", "provenance"]  # the record test rests on the record
    assert "SYNTHETIC" in f.loc["innovations.halo", "provenance"]
    pw = res2020.table("record_tests")
    up = pw.loc[pw["statistic"] == "detectable odds ratio above 1", "estimate"].iloc[0]
    assert f.loc["innovations.detectable", "estimate"] == pytest.approx(up)
    assert f"at least {up:.1f}" in f.loc["innovations.detectable", "statement"]
    # the attendance criterion of the provincial rubric is named in the rubric finding
    assert "attendance criterion (W4)" in f.loc["innovations.rubric", "statement"]


def test_halo_recovers_the_shared_severity_planted_by_synth(res2020, batu2020):
    """kinerja.synth gives each juror one severity (plus the panel effect) in both
    evaluations: the estimated leniencies follow it, and correlate across evaluations."""
    truth = pd.read_csv(DATA_DIR / "batu" / "truth" / "truth_jurors.csv")
    truth = truth[truth["year"] == 2020].set_index("juror_id")
    shift = truth["severity"] + truth["panel_effect"]
    jl = res2020.table("juror_leniency").set_index("juror_id")
    both = jl[jl["in_both"]]
    assert len(both) == 8
    for col in ("leniency_sakip", "leniency_kovablik"):
        assert stats.pearsonr(jl[col].dropna(), shift.loc[jl[col].dropna().index]).statistic > 0.9
    h = res2020.table("halo").iloc[0]
    assert h["ci_low"] > 0.5 and h["n"] == 8


def test_sensitivity_tables(res2020):
    sc = res2020.table("sensitivity_scenarios")
    kov = sc[sc["evaluation"] == "kovablik"].set_index("scenario")
    assert kov.loc["official", "estimate"] == 1.0
    assert kov.loc["without W4", "is_attendance"]
    assert kov.loc["random reweighting (Dirichlet, c=50)", "n"] == 15  # finalists: scored in both stages
    ent = res2020.table("sensitivity_entries")
    k = ent[(ent["evaluation"] == "kovablik") & ent["ranked"]]
    # the official top 5 with the bundled rubric are the five published top-5 entries
    assert set(k.loc[k["official_rank"] <= 5, "award"]) == {"top5"}
    assert k["p_top5"].sum() == pytest.approx(5.0, abs=0.05)
    s = ent[ent["evaluation"] == "sakip"]
    assert s["p_same_grade"].between(0, 1).all() and len(s) == 29
    rg = res2020.table("regulation_grades")
    assert len(rg) == 29 and (rg["grade_official"] == rg["grade_12_2015"]).all()  # 2020 is a 12/2015 year


def test_a_88_2021_year_maps_components(batu2020):
    res = innovations.analyse(load_dataset("batu").for_year(2022), year=2022, **FAST)
    rg = res.table("regulation_grades")
    assert (rg["grade_official"] == rg["grade_88_2021"]).all()
    assert "no achievement score" in rg["note"].iloc[0]
    check_tables(res, innovations.TABLES)
    # synthetic grades and awards: the record finding says they are not published ones
    f = res.findings.set_index("finding_id")
    assert "SYNTHETIC" in f.loc["innovations.award_grade", "provenance"]
    assert "2020" not in " ".join(res.findings["statement"])


# ----------------------------------------------------------------------------------------
# degenerate datasets
# ----------------------------------------------------------------------------------------


def _write(folder, tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        t[list(SCHEMA[name].column_names)].to_csv(folder / f"{name}.csv", index=False)
    return load_dataset(folder)


def test_record_only(tmp_path):
    rec = DATA_DIR / "batu" / "record"
    tables = {n: pd.read_csv(rec / f"{n}.csv", dtype=str) for n in ("units", "grades", "innovations")}
    for n in ("jurors", "rubric", "scores"):
        tables[n] = pd.DataFrame(columns=list(SCHEMA[n].column_names))
    ds = _write(tmp_path / "rec", tables)
    res = innovations.analyse(ds, year=2020, **FAST)
    check_tables(res, innovations.TABLES)
    f = res.findings.set_index("finding_id")
    assert f.loc[["innovations.award_grade", "innovations.detectable"], "status"].eq("estimated").all()
    assert f.loc[["innovations.award_gap", "innovations.halo", "innovations.rubric"], "status"].eq("undefined").all()
    assert "no SAKIP totals" in f.loc["innovations.award_gap", "statement"]
    assert res.table("exact_test").iloc[0]["estimate"] == pytest.approx(1.192378, rel=1e-5)
    assert res.facts["record_is_published"]


def test_a_year_without_kovablik(tmp_path, batu2020):
    t = {n: df.copy() for n, df in batu2020.tables.items()}
    t["innovations"] = t["innovations"][t["innovations"]["competition"] != "kovablik"]
    t["rubric"] = t["rubric"][t["rubric"]["evaluation"] != "kovablik"]
    t["scores"] = t["scores"][t["scores"]["evaluation"] != "kovablik"]
    ds = _write(tmp_path / "nokov", t)
    res = innovations.analyse(ds, year=2020, **FAST)
    check_tables(res, innovations.TABLES)
    f = res.findings.set_index("finding_id")
    assert (f["status"] == "undefined").all()
    assert "No KOVABLIK entries are recorded for 2020" in f.loc["innovations.award_grade", "statement"]
    assert "Tidak ada entri KOVABLIK" in f.loc["innovations.award_grade", "statement_ind"]
    assert f["estimate"].isna().all()
    # SAKIP sensitivity still runs
    sc = res.table("sensitivity_scenarios")
    assert (sc.loc[sc["evaluation"] == "sakip", "estimate"].notna()).any()
    assert res.notes


def test_no_award_among_graded_units(tmp_path, batu2020):
    t = {n: df.copy() for n, df in batu2020.tables.items()}
    inn = t["innovations"]
    inn.loc[inn["competition"] == "kovablik", "award"] = "none"
    ds = _write(tmp_path / "noaward", t)
    res = innovations.analyse(ds, year=2020, **FAST)
    f = res.findings.set_index("finding_id")
    assert f.loc["innovations.award_grade", "status"] == "undefined"
    assert "No graded unit won a KOVABLIK award" in f.loc["innovations.award_grade", "statement"]


# ----------------------------------------------------------------------------------------
# planted innovation effects
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("effect", [8.0, 0.0])
def test_planted_innovation_effect_is_recovered_from_synth(tmp_path, effect):
    """kinerja.synth adds ``innovation_effect`` points to the SAKIP quality of units with a
    top-5/top-10 award (2021 here: a year not conditioned on the record). With the merit
    of entries independent of the unit (merit_unit_loading = 0) the award gap estimates it."""
    cfg = synth.SynthConfig(years=(2020, 2021), innovation_effect=effect, merit_unit_loading=0.0, seed=5)
    res = synth.generate(DATA_DIR / "batu" / "record", cfg)
    synth.write(res, tmp_path / "s", meta={"name": "s"})
    truth = res.truth["truth_totals"]
    assert set(truth.loc[(truth["year"] == 2021), "innovation_effect"]) <= {0.0, effect}
    out = innovations.analyse(load_dataset(tmp_path / "s"), year=2021, **FAST)
    gap = out.table("juror_models").set_index("analysis").loc["award gap"]
    assert gap["ci_low"] < effect < gap["ci_high"]
    if effect:
        assert gap["ci_low"] > 0
        assert out.findings.set_index("finding_id").loc["innovations.award_gap", "estimate"] == gap["estimate"]


def _independent_dataset(folder, *, effect, n_units=60, n_jurors=6, seed=0):
    """A dataset written from scratch (not kinerja.synth): units in three categories, a
    third of them awarded; each juror scores 4 SAKIP criteria as unit quality + effect x
    awarded + juror leniency + noise, and each unit's one innovation on 2 criteria with the
    same leniency (a halo by construction)."""
    rng = np.random.default_rng(seed)
    units = [f"u{i:02d}" for i in range(n_units)]
    cats = rng.choice(["Dinas", "Badan", "Kecamatan"], n_units, p=[0.6, 0.25, 0.15])
    awarded = np.zeros(n_units, bool)
    awarded[rng.choice(n_units, n_units // 3, replace=False)] = True
    award = np.where(awarded, np.where(rng.random(n_units) < 0.5, "top5", "top10"), "none")
    quality = rng.normal(75, 4, n_units) + effect * awarded
    jurors = [f"J{j}" for j in range(n_jurors)]
    lenient = rng.normal(0, 3, n_jurors)
    base = dict(year=2020, basis="synthetic", source="test simulator")
    t = {
        "units": pd.DataFrame(
            dict(unit_id=units, name=[f"Unit {u}" for u in units], abbreviation=units, category=cats, **base)
        ),
        "jurors": pd.DataFrame(dict(juror_id=jurors, panel="akademisi", home_unit_id="", **base)),
        "rubric": pd.DataFrame(
            dict(
                evaluation=["sakip"] * 4 + ["kovablik"] * 2,
                stage=["lke"] * 4 + ["proposal"] * 2,
                criterion_id=["A", "B", "C", "D", "P1", "P2"],
                criterion=["Perencanaan", "Pengukuran", "Pelaporan", "Evaluasi", "Kebaruan", "Kehadiran Kepala"],
                component=["Perencanaan", "Pengukuran", "Pelaporan", "Evaluasi Internal", "Proposal", "Proposal"],
                weight=[30, 30, 15, 25, 80, 20],
                **base,
            )
        ),
        "innovations": pd.DataFrame(
            dict(
                innovation_id=[f"i{u}" for u in units],
                unit_id=units,
                name=[f"Innovation of {u}" for u in units],
                competition="kovablik",
                award=award,
                announced="",
                **base,
            )
        ),
    }
    rows = []
    for i, u in enumerate(units):
        for j, jur in enumerate(jurors):
            for c in ("A", "B", "C", "D"):
                s = quality[i] + lenient[j] + rng.normal(0, 3)
                rows.append(dict(evaluation="sakip", stage="lke", subject_id=u, juror_id=jur, criterion_id=c, score=s))
            for c in ("P1", "P2"):
                s = 70 + 10 * awarded[i] + lenient[j] + rng.normal(0, 3)
                rows.append(
                    dict(
                        evaluation="kovablik",
                        stage="proposal",
                        subject_id=f"i{u}",
                        juror_id=jur,
                        criterion_id=c,
                        score=s,
                    )
                )
    sc = pd.DataFrame(rows)
    sc["score"] = sc["score"].clip(0, 100).round(1)
    t["scores"] = sc.assign(**base)
    from kinerja.data.grades import grade_from_total

    tot = sc[sc["evaluation"] == "sakip"].groupby("subject_id")["score"].mean()  # equal to the weighted mean here
    wt = sc[sc["evaluation"] == "sakip"].assign(w=sc["criterion_id"].map({"A": 30, "B": 30, "C": 15, "D": 25}))
    tot = (wt["score"] * wt["w"] / 100).groupby([wt["subject_id"], wt["juror_id"]]).sum().groupby("subject_id").mean()
    t["grades"] = pd.DataFrame(
        dict(unit_id=tot.index, grade=grade_from_total(tot.to_numpy()), total="", announced="", **base)
    )
    return _write(folder, t), lenient, effect


@pytest.mark.parametrize("effect", [6.0, 0.0])
def test_planted_effect_is_recovered_from_an_independent_simulator(tmp_path, effect):
    ds, lenient, _ = _independent_dataset(tmp_path / "ind", effect=effect, seed=3)
    out = innovations.analyse(ds, year=2020, **FAST)
    check_tables(out, innovations.TABLES)
    jm = out.table("juror_models").set_index("analysis")
    gap = jm.loc["award gap"]
    assert gap["ci_low"] < effect < gap["ci_high"]
    logit = jm.loc["logistic"]
    logit = logit[logit["term"] == "sakip_total"].iloc[0]
    if effect:
        assert gap["ci_low"] > 0 and logit["ci_low"] > 1  # awarded units have higher totals
    # the halo: one leniency per juror in both evaluations
    jl = out.table("juror_leniency").set_index("juror_id").sort_index()
    true = pd.Series(lenient - lenient.mean(), index=[f"J{j}" for j in range(len(lenient))])
    np.testing.assert_allclose(jl["leniency_sakip"], true.loc[jl.index], atol=0.6)
    assert out.table("halo").iloc[0]["estimate"] > 0.9
    # the rubric finding names the attendance criterion of this rubric
    assert "attendance criterion (P2)" in out.findings.set_index("finding_id").loc["innovations.rubric", "statement"]


# ----------------------------------------------------------------------------------------
# the shared degenerate datasets (tests/datasets.py)
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, undefined",
    [
        (datasets.one_juror, {"innovations.halo"}),
        (datasets.one_unit_category, set()),
        (datasets.no_kovablik, set(IDS)),
        (datasets.record_only, {"innovations.award_gap", "innovations.halo", "innovations.rubric"}),
        (
            datasets.constant_scores,
            {"innovations.award_gap", "innovations.halo", "innovations.rubric"},
        ),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_degenerate_datasets_give_defined_results_or_reasons(tmp_path, make, undefined):
    ds = load_dataset(make(tmp_path / make.__name__))
    res = innovations.analyse(ds, year=datasets.YEAR, **FAST)
    check_tables(res, innovations.TABLES)
    f = res.findings.set_index("finding_id")
    assert set(f.index[f["status"] == "undefined"]) == undefined
    for fid in undefined:  # a reason in both languages, no number
        assert np.isnan(f.loc[fid, "estimate"])
        assert "cannot" in f.loc[fid, "statement"] or "No " in f.loc[fid, "statement"]
        assert "lihat catatan" not in f.loc[fid, "statement_ind"]  # every reason has its Indonesian wording


def test_halo_reading_follows_the_interval(res2020):
    """Four jurors, r = 0.90 [-0.44, 1.00]: the sentence had said that a lenient juror's
    generosity reaches both rankings; the interval cannot tell."""
    import copy

    from kinerja.analyses.innovations import _findings

    res = copy.deepcopy(res2020)
    res.facts["halo"] = {**res.facts["halo"], "estimate": 0.90, "ci_low": -0.44, "ci_high": 1.0, "n": 4}
    f = {x.finding_id: x for x in _findings(res)}["innovations.halo"]
    assert "go together strongly" in f.statement and "generosity reaches both" not in f.statement
    assert "with 4 jurors the interval reaches below 0, so the data cannot tell" in f.statement
    assert "data belum dapat memastikannya" in f.statement_ind
    strong = copy.deepcopy(res2020)
    strong.facts["halo"] = {**strong.facts["halo"], "estimate": 0.90, "ci_low": 0.6, "ci_high": 0.98, "n": 8}
    f = {x.finding_id: x for x in _findings(strong)}["innovations.halo"]
    assert "a lenient juror's generosity reaches both rankings" in f.statement


def test_every_winner_in_the_top_grades_is_an_infinite_odds_ratio_not_no_winners(tmp_path):
    """Six graded winners, all graded A or BB, against 10 of 15 others: the finding said
    "No graded unit won a KOVABLIK award, so there is nothing to compare" (an infinite
    odds ratio fell into that branch), and the detectability finding was dropped."""
    from .. import datasets

    t = datasets._tables()
    g, inn = t["grades"], t["innovations"]
    won = set(inn.loc[inn["award"].isin(["top5", "top10"]), "unit_id"])
    g.loc[g["unit_id"].isin(won), "grade"] = "A"
    g.loc[g["unit_id"].isin(won), "total"] = None
    ds = load_dataset(datasets._write(tmp_path / "winners", t, "winners all A", "Every winner graded A."))
    res = innovations.analyse(ds, year=2020, n_perm=200, n_reweight=0, seed=1)
    f = res.findings.set_index("finding_id")
    st = f.loc["innovations.award_grade"]
    assert st["status"] == "estimated"
    assert "nothing to compare" not in st["statement"]
    assert "the odds ratio is infinite" in st["statement"] and "p = " in st["statement"]
    assert "rasio odds tak hingga" in st["statement_ind"]
    assert 0 < st["estimate"] <= 1  # the exact test's p-value
    assert "no award comparison is possible" not in f.loc["innovations.detectable", "statement"]


def test_a_year_with_scores_but_no_grades_gives_that_reason(tmp_path):
    """2022 scored but its grades not announced yet: the award gap said "none is published,
    and 0 of 157 juror totals are incomplete", and the Indonesian brief listed the jurors'
    units as 'Itko (no grade); Setda (no grade)'."""
    from kinerja.analyses import categories

    from .. import datasets

    t = datasets._tables()
    t["grades"] = t["grades"].iloc[0:0]
    ds = load_dataset(datasets._write(tmp_path / "ungraded", t, "no grades yet", "Scores, grades not announced."))
    res = innovations.analyse(ds, year=2020, n_perm=200, n_reweight=0, seed=1)
    gap = res.table("juror_models").set_index("analysis").loc["award gap"]
    assert gap["note"] == "no unit is graded this year"
    f = res.findings.set_index("finding_id")
    assert "incomplete" not in f.loc["innovations.award_gap", "statement"]
    assert "tidak ada unit yang diberi predikat" in f.loc["innovations.award_gap", "statement_ind"]
    side = categories.analyse(ds, year=2020, n_boot=0, n_perm=0).findings.set_index("finding_id")
    side = side.loc["categories.evaluating_side"]
    assert "no grade)" not in side["statement_ind"] and "no grade)" not in side["statement"]


def test_every_unit_graded_alike_is_no_grade_difference_not_an_odds_ratio_of_zero(tmp_path):
    """Every unit graded BB: the finding read "3 of those 3 (100%) got BB or better, against
    9 of the other 9 (100%): since no winner got BB or better, the odds ratio is 0" (the
    branch for a one-sided table ran before the check for a single grade)."""
    from .. import datasets

    t = datasets._tables()
    t["grades"]["grade"] = "BB"
    t["grades"]["total"] = None
    ds = load_dataset(datasets._write(tmp_path / "allbb", t, "all BB", "Every unit graded BB."))
    res = innovations.analyse(ds, year=2020, n_perm=200, n_reweight=0, seed=1)
    st = res.findings.set_index("finding_id").loc["innovations.award_grade"]
    assert st["status"] == "undefined"
    assert "got the same grade" in st["statement"] and "odds ratio is 0" not in st["statement"]
    assert "predikat yang sama" in st["statement_ind"]


def test_entries_of_another_competition_are_named_and_can_be_chosen(tmp_path):
    """Only kovablik_provinsi and kipp entries: 04 and both briefs said "No KOVABLIK entries
    are recorded for 2023" beside 8 entries, with no way to analyse them."""
    from .. import datasets

    t = datasets._tables()
    inn = t["innovations"]
    inn["competition"] = np.where(inn.index % 4 == 0, "kipp", "kovablik_provinsi")
    ds = load_dataset(datasets._write(tmp_path / "prov", t, "provincial", "Provincial entries only."))
    res = innovations.analyse(ds, year=2020, n_perm=200, n_reweight=0, seed=1)
    st = res.findings.set_index("finding_id").loc["innovations.award_grade"]
    n_kipp, n_prov = int((inn["competition"] == "kipp").sum()), int((inn["competition"] == "kovablik_provinsi").sum())
    assert f"({n_kipp} of kipp, {n_prov} of kovablik_provinsi;" in st["statement"], st["statement"]
    # the suggestion is the competition whose entries the KOVABLIK jury scored (the page
    # reports their scores below), not the first in alphabetical order
    assert "-p competition=kovablik_provinsi" in st["statement"], st["statement"]
    assert "the KOVABLIK jury scores below are of kovablik_provinsi entries" in st["statement"]
    assert "`" not in st["statement"]  # the brief prints findings as plain text
    assert "kompetisi lain" in st["statement_ind"]
    chosen = innovations.analyse(ds, year=2020, competition="kovablik_provinsi", n_perm=200, n_reweight=0, seed=1)
    assert chosen.facts["has_competition"] and chosen.facts["other_competitions"] == {"kipp": n_kipp}


def test_a_single_winner_is_said_as_a_unit_not_as_one_of_one():
    """One award winner: the finding read "1 of those 1 (100%) got A or better"."""
    from kinerja.analyses.innovations import _award_split

    en = _award_split(29, 1, [[1, 0], [9, 19]], "KOVABLIK", "A or better")
    assert "1 of those 1" not in en and "; it got A or better, against 9 of the other 28" in en
    en0 = _award_split(29, 1, [[0, 1], [9, 19]], "KOVABLIK", "A or better")
    assert "; it did not get A or better," in en0
    ind = _award_split(29, 1, [[0, 1], [9, 19]], "KOVABLIK", "A atau lebih baik", "id")
    assert "1 dari 1" not in ind and "; unit itu tidak mendapat A atau lebih baik, dibanding 9 dari 28" in ind
    # more winners keep the count and the share
    assert "3 of those 8 (38%) got" in _award_split(29, 8, [[3, 5], [7, 14]], "KOVABLIK", "A or better")
