"""kinerja.stats.sensitivity: rankings and grades under alternative rubric weights.

Checked by hand on small cases (a zero-weight criterion changes nothing; the official
weights reproduce the official ranking), against kinerja.data.rubrics (the official
total) and scipy.stats.kendalltau (tau-b), and on scores from an independent simulator
in which one criterion (attendance) decides the ranking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kinerja.data.grades import grade_from_total
from kinerja.data.rubrics import bundled_rubric, subject_totals
from kinerja.io import load_dataset
from kinerja.stats import sensitivity as sens


def _long(means: dict[str, list[float]], criteria: list[str], stage="s", jurors=("J1",)) -> pd.DataFrame:
    rows = []
    for subj, vals in means.items():
        for j in jurors:
            for c, v in zip(criteria, vals):
                rows.append(dict(stage=stage, subject_id=subj, juror_id=j, criterion_id=c, score=float(v)))
    return pd.DataFrame(rows)


def _rubric(weights: dict[str, float], stage="s", names=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": stage,
            "criterion_id": list(weights),
            "criterion": [(names or {}).get(c, c) for c in weights],
            "component": "C",
            "weight": list(weights.values()),
        }
    )


# ----------------------------------------------------------------------------------------
# by hand
# ----------------------------------------------------------------------------------------


def test_small_case_by_hand():
    # a: 0.5*90 + 0.3*40 + 0.2*50 = 67; b: 45 + 21 + 6 = 72; c: 35 + 27 + 18 = 80; d: 40 + 15 + 20 = 75
    sc = _long({"a": [90, 40, 50], "b": [90, 70, 30], "c": [70, 90, 90], "d": [80, 50, 100]}, ["x", "y", "z"])
    rub = _rubric({"x": 50, "y": 30, "z": 20})
    res = sens.rubric_sensitivity(sc, rub, n_reweight=0, top=(1, 2))
    e = res.entries.set_index("subject_id")
    assert e["official_total"].to_dict() == pytest.approx({"a": 67.0, "b": 72.0, "c": 80.0, "d": 75.0})
    assert e["official_rank"].to_dict() == {"c": 1, "d": 2, "b": 3, "a": 4}
    r = res.ranks.pivot(index="subject_id", columns="scenario", values="total")
    # without x: y, z scaled to 60/40 -> a 44, b 54, c 90, d 70
    assert r["without x"].to_dict() == pytest.approx({"a": 44.0, "b": 54.0, "c": 90.0, "d": 70.0})
    # equal weights: means of the three criteria
    assert r["equal weights"].to_dict() == pytest.approx({"a": 60.0, "b": 190 / 3, "c": 250 / 3, "d": 230 / 3})
    s = res.scenarios.set_index("scenario")
    assert s.loc["official", "estimate"] == 1.0
    # without z: x, y at 62.5/37.5 -> a 71.25, b 82.5, c 77.5, d 68.75 -> ranking b, c, a, d
    assert s.loc["without z", "kept_top1"] == 0 and s.loc["without z", "kept_top2"] == 1
    tau = stats.kendalltau([67, 72, 80, 75], [71.25, 82.5, 77.5, 68.75]).statistic
    assert s.loc["without z", "estimate"] == pytest.approx(tau)


def test_staying_in_a_top_k_that_holds_every_subject_is_undefined():
    """Three finalists: 'the official top 5 keep 3.00 of their 5 places' read as two lost,
    and five: 'keep 5.00 of 5' as a finding. With at most k subjects ranked nobody can
    leave the top k, so the count and the shares are NaN with the reason."""
    sc = _long({"a": [90, 40, 50], "b": [90, 70, 30], "c": [70, 90, 90]}, ["x", "y", "z"])
    rub = _rubric({"x": 50, "y": 30, "z": 20})
    res = sens.rubric_sensitivity(sc, rub, n_reweight=200, top=(2, 5), seed=1)
    s = res.scenarios
    assert s["kept_top5"].isna().all()
    assert s["kept_top2"].notna().all()  # 3 subjects: leaving the top 2 is possible
    assert s["note"].str.contains("every one is in the top 5 under any weights").all()
    e = res.entries
    assert e["p_top5"].isna().all() and e["p_top2"].notna().all()
    assert e["official_top5"].all()


def test_a_zero_weight_criterion_changes_nothing():
    rng = np.random.default_rng(0)
    crit = [f"c{k}" for k in range(5)]
    means = {f"e{i:02d}": list(rng.integers(40, 100, 5)) for i in range(20)}
    sc = _long(means, crit, jurors=("J1", "J2"))
    sc["score"] += np.where(sc["juror_id"] == "J2", 3.0, 0.0)
    w = {"c0": 30, "c1": 25, "c2": 20, "c3": 15, "c4": 10}
    base = sens.rubric_sensitivity(sc, _rubric(w), n_reweight=3000, seed=7)
    # add a criterion with weight 0 and wild scores
    sc_z = pd.concat([sc, sc[sc["criterion_id"] == "c0"].assign(criterion_id="zz", score=rng.integers(0, 101, 40))])
    with_z = sens.rubric_sensitivity(sc_z, _rubric({**w, "zz": 0}), n_reweight=3000, seed=7)
    cols = ["subject_id", "official_total", "official_rank", "p_top5", "p_top10", "rank_median"]
    pd.testing.assert_frame_equal(base.entries[cols], with_z.entries[cols])
    s = with_z.scenarios.set_index("scenario")
    assert s.loc["without zz", "estimate"] == 1.0 and "weight is 0" in s.loc["without zz", "note"]
    assert s.loc["without zz", "kept_top5"] == 5
    rnd_a = base.scenarios[base.scenarios["kind"] == "random"].iloc[0]
    rnd_b = with_z.scenarios[with_z.scenarios["kind"] == "random"].iloc[0]
    assert rnd_a["estimate"] == rnd_b["estimate"] and rnd_a["kept_top5"] == rnd_b["kept_top5"]


def test_identical_weights_reproduce_the_official_ranking():
    rng = np.random.default_rng(1)
    crit = ["a", "b", "c", "d"]
    sc = _long({f"e{i}": list(rng.normal(70, 10, 4)) for i in range(15)}, crit)
    rub = _rubric({"a": 40, "b": 30, "c": 20, "d": 10})
    # the official scenario, and a Dirichlet so concentrated that every draw is the official weights
    res = sens.rubric_sensitivity(sc, rub, n_reweight=200, concentration=1e12, seed=1, keep_weights=True)
    np.testing.assert_allclose(res.random_weights, np.tile([[40], [30], [20], [10]], 200), atol=1e-3)
    s = res.scenarios.set_index("kind")
    assert s.loc["official", "estimate"] == 1.0 and s.loc["random", "estimate"] == 1.0
    e = res.entries
    np.testing.assert_array_equal(e["p_top5"], e["official_top5"].astype(float))
    np.testing.assert_array_equal(e["rank_median"], e["official_rank"])
    # the same weights given in another order of rows
    rev = rub.iloc[::-1].reset_index(drop=True)
    r2 = sens.rubric_sensitivity(sc, rev, n_reweight=0)
    pd.testing.assert_series_equal(
        r2.entries.set_index("subject_id")["official_rank"], res.entries.set_index("subject_id")["official_rank"]
    )


def test_official_totals_equal_the_rubric_module_on_real_data():
    ds = load_dataset("batu", year=2021)
    for ev in ("sakip", "kovablik"):
        sc = ds.scores[ds.scores["evaluation"] == ev]
        rb = ds.rubric[ds.rubric["evaluation"] == ev]
        stage = rb["stage"].iloc[0]
        res = sens.rubric_sensitivity(sc, rb, stages=stage, n_reweight=0)
        ref = subject_totals(sc[sc["stage"] == stage], rb).set_index("subject_id")["total"]
        got = res.entries.dropna(subset=["official_total"]).set_index("subject_id")["official_total"]
        pd.testing.assert_series_equal(got.sort_index(), ref.loc[got.index].sort_index(), check_names=False, atol=1e-9)


def test_two_stages_mean_of_stage_totals_and_only_complete_subjects_ranked():
    s1 = _long({"a": [80, 60], "b": [70, 70], "c": [50, 90]}, ["p1", "p2"], stage="proposal")
    s2 = _long({"a": [90], "b": [60]}, ["w1"], stage="presentasi")  # c is not a finalist
    rub = pd.concat([_rubric({"p1": 50, "p2": 50}, stage="proposal"), _rubric({"w1": 100}, stage="presentasi")])
    res = sens.rubric_sensitivity(pd.concat([s1, s2]), rub, n_reweight=0, top=(1,))
    e = res.entries.set_index("subject_id")
    assert e.loc["a", "official_total"] == pytest.approx((70 + 90) / 2)
    assert e.loc["b", "official_total"] == pytest.approx((70 + 60) / 2)
    assert not e.loc["c", "ranked"] and "presentasi" in e.loc["c", "note"]
    # dropping the only presentation criterion empties its stage: undefined, not an error
    s = res.scenarios.set_index("scenario")
    assert np.isnan(s.loc["without w1", "estimate"]) and "undefined" in s.loc["without w1", "note"]


def test_incomplete_juror_is_left_out_of_the_means():
    sc = _long({"a": [80, 60]}, ["x", "y"], jurors=("J1", "J2"))
    sc = sc[~((sc["juror_id"] == "J2") & (sc["criterion_id"] == "y"))]  # J2 left y unscored
    sc.loc[sc["juror_id"] == "J2", "score"] = 0.0
    m = sens.criterion_means(sc, _rubric({"x": 50, "y": 50}))
    assert m["mean_score"].tolist() == [80.0, 60.0] and m["n_jurors"].tolist() == [1, 1]


def test_criterion_ids_repeating_across_stages_get_stage_labels():
    s1 = _long({"a": [80], "b": [70]}, ["1"], stage="proposal")
    s2 = _long({"a": [60], "b": [90]}, ["1"], stage="presentasi")
    rub = pd.concat([_rubric({"1": 100}, stage="proposal"), _rubric({"1": 100}, stage="presentasi")])
    w = sens.weight_scenarios(rub)
    assert {"without proposal:1", "without presentasi:1"} <= set(w["scenario"])
    res = sens.rubric_sensitivity(pd.concat([s1, s2]), rub, n_reweight=0)
    assert res.entries.set_index("subject_id")["official_total"].to_dict() == {"b": 80.0, "a": 70.0}


def test_bad_rubric_input_is_named():
    rub = _rubric({"x": 100}).assign(year=[2020])
    two_years = pd.concat([rub, rub.assign(year=2021)])
    with pytest.raises(ValueError, match="year"):
        sens.weight_scenarios(two_years)
    with pytest.raises(ValueError, match="cannot drop"):
        sens.weight_scenarios(rub, drop=["nope"])
    with pytest.raises(KeyError, match="weight"):
        sens.weight_scenarios(rub.drop(columns="weight"))


# ----------------------------------------------------------------------------------------
# building blocks
# ----------------------------------------------------------------------------------------


def test_kendall_tau_b_matches_scipy_with_ties():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 6, 30).astype(float)
    B = rng.integers(0, 6, (30, 50)).astype(float)
    got = sens.kendall_tau_b(a, B, chunk=7)
    ref = [stats.kendalltau(a, B[:, j]).statistic for j in range(50)]
    np.testing.assert_allclose(got, ref, atol=1e-12)
    assert np.isnan(sens.kendall_tau_b(a, np.ones((30, 1)))[0])


def test_rank_descending_ties_share_the_best_rank():
    T = np.array([[5.0, 1.0], [7.0, 1.0], [5.0, 3.0], [1.0, 2.0]])
    assert sens.rank_descending(T).tolist() == [[2, 3], [1, 3], [2, 1], [4, 2]]
    ref = stats.rankdata(-T, method="min", axis=0)
    np.testing.assert_array_equal(sens.rank_descending(T), ref)


def test_dirichlet_weights_centre_and_spread():
    w = np.array([30.0, 50.0, 10.0, 10.0, 0.0, 100.0])
    st = ["II", "II", "II", "II", "II", "I"]
    c = 50.0
    W = sens.dirichlet_weights(w, st, n=40_000, concentration=c, seed=2)
    np.testing.assert_allclose(W[:5].sum(axis=0), 100.0)
    assert (W[4] == 0).all() and np.allclose(W[5], 100.0)
    p = w[:4] / 100
    np.testing.assert_allclose(W[:4].mean(axis=1), w[:4], rtol=0.01)
    np.testing.assert_allclose(W[:4].std(axis=1), 100 * np.sqrt(p * (1 - p) / (c + 1)), rtol=0.03)
    with pytest.raises(ValueError, match="positive"):
        sens.dirichlet_weights(w, st, n=2, concentration=0)


def test_random_reweighting_is_seeded():
    rng = np.random.default_rng(4)
    sc = _long({f"e{i}": list(rng.normal(70, 8, 3)) for i in range(12)}, ["a", "b", "c"])
    rub = _rubric({"a": 50, "b": 30, "c": 20})
    a = sens.rubric_sensitivity(sc, rub, n_reweight=500, seed=9)
    b = sens.rubric_sensitivity(sc, rub, n_reweight=500, seed=9)
    pd.testing.assert_frame_equal(a.entries, b.entries)
    pd.testing.assert_frame_equal(a.scenarios, b.scenarios)


# ----------------------------------------------------------------------------------------
# an independent simulator: one criterion (attendance) decides the ranking
# ----------------------------------------------------------------------------------------


def _simulate_competition(n_entries=40, n_jurors=5, seed=0):
    """Entries with a merit that drives 10 content criteria equally, plus an attendance
    criterion (weight 10) scored 100 or 40 by every juror; jurors add a severity and
    noise. Written here, independently of kinerja.synth."""
    rng = np.random.default_rng(seed)
    crit = [f"K{k}" for k in range(10)] + ["ATT"]
    weights = dict(zip(crit, [9.0] * 10 + [10.0]))
    merit = rng.normal(70, 3, n_entries)
    attends = rng.random(n_entries) < 0.5
    severity = rng.normal(0, 2, n_jurors)
    rows = []
    for i in range(n_entries):
        for j in range(n_jurors):
            for c in crit:
                s = (100.0 if attends[i] else 40.0) if c == "ATT" else merit[i] + severity[j] + rng.normal(0, 3)
                rows.append(dict(stage="s", subject_id=f"e{i:02d}", juror_id=f"J{j}", criterion_id=c, score=s))
    rub = _rubric(weights, names={"ATT": "Kehadiran Kepala Daerah"})
    return pd.DataFrame(rows), rub, pd.Series(merit, index=[f"e{i:02d}" for i in range(n_entries)]), attends


def test_dropping_a_decisive_attendance_criterion_moves_the_ranking():
    sc, rub, merit, attends = _simulate_competition(seed=1)
    res = sens.rubric_sensitivity(sc, rub, n_reweight=2000, seed=3)
    s = res.scenarios.set_index("scenario")
    att = s.loc["without ATT"]
    assert att["is_attendance"] and att["criterion"] == "Kehadiran Kepala Daerah"
    # attendance is worth 6 points (10% of a 60-point gap) against a merit SD of 3: the
    # official ranking is largely attendance; without it, it is merit
    assert att["estimate"] < 0.6
    ranks_without = res.ranks[res.ranks["scenario"] == "without ATT"].set_index("subject_id")["total"]
    assert stats.kendalltau(ranks_without, merit.loc[ranks_without.index]).statistic > 0.8
    # every other drop leaves the ranking nearly intact
    others = s[(s["kind"] == "drop") & ~s["is_attendance"]]
    assert (others["estimate"] > 0.9).all()
    # the official top 5 all had their head attend
    top5 = res.entries[res.entries["official_top5"]]["subject_id"]
    assert attends[[int(x[1:]) for x in top5]].all()


def test_official_weights_recover_merit_when_attendance_is_constant():
    sc, rub, merit, _ = _simulate_competition(seed=2)
    sc.loc[sc["criterion_id"] == "ATT", "score"] = 100.0
    res = sens.rubric_sensitivity(sc, rub, n_reweight=1000, seed=4)
    s = res.scenarios.set_index("scenario")
    assert s.loc["without ATT", "estimate"] == pytest.approx(1.0)
    off = res.entries.set_index("subject_id")["official_total"]
    assert stats.kendalltau(off, merit.loc[off.index]).statistic > 0.7


# ----------------------------------------------------------------------------------------
# SAKIP regulations
# ----------------------------------------------------------------------------------------


def test_regulation_weights_come_from_the_bundled_rubrics():
    w = sens.regulation_weights()
    assert w["12_2015"].to_dict() == {
        "achievement": 20.0,
        "planning": 30.0,
        "measurement": 25.0,
        "reporting": 15.0,
        "evaluation": 10.0,
    }
    assert w["88_2021"].to_dict() == {
        "achievement": 0.0,
        "planning": 30.0,
        "measurement": 30.0,
        "reporting": 15.0,
        "evaluation": 25.0,
    }


def test_regulation_grades_by_hand_on_12_2015_data():
    rub = bundled_rubric("sakip_12_2015")
    comp_score = {
        "Perencanaan Kinerja": 84.0,
        "Pengukuran Kinerja": 90.0,
        "Pelaporan Kinerja": 70.0,
        "Evaluasi Internal": 92.0,
        "Pencapaian Sasaran/Kinerja Organisasi": 60.0,
    }
    sc = rub[["stage", "criterion_id"]].assign(
        subject_id="u1", juror_id="J1", score=rub["component"].map(comp_score).to_numpy()
    )
    t, note = sens.regulation_grades(sc, rub)
    r = t.iloc[0]
    # 12/2015: .30*84 + .25*90 + .15*70 + .10*92 + .20*60 = 25.2 + 22.5 + 10.5 + 9.2 + 12 = 79.4 (BB)
    assert r["total_12_2015"] == pytest.approx(79.4) and r["grade_12_2015"] == "BB"
    assert r["total_official"] == pytest.approx(79.4)
    # 88/2021: .30*84 + .30*90 + .15*70 + .25*92 = 25.2 + 27 + 10.5 + 23 = 85.7 (A)
    assert r["total_88_2021"] == pytest.approx(85.7) and r["grade_88_2021"] == "A"
    assert r["grade_changed"]
    assert "achievement" in note


def test_regulation_grades_on_88_2021_data_rescale_the_12_2015_weights():
    rub = bundled_rubric("sakip_88_2021")
    comp_score = {c: v for c, v in zip(rub["component"].unique(), [84.0, 90.0, 70.0, 92.0])}
    sc = rub[["stage", "criterion_id"]].assign(
        subject_id="u1", juror_id="J1", score=rub["component"].map(comp_score).to_numpy()
    )
    t, note = sens.regulation_grades(sc, rub)
    r = t.iloc[0]
    # 12/2015 without achievement: (30*84 + 25*90 + 15*70 + 10*92) / 80 = 6740 / 80 = 84.25
    assert r["total_12_2015"] == pytest.approx(84.25)
    assert r["total_88_2021"] == pytest.approx(85.7) == r["total_official"]
    assert "no achievement score" in note and "scaled to 100" in note
    assert r["grade_12_2015"] == grade_from_total(84.25)


def test_regulation_grades_name_unrecognised_components():
    rub = _rubric({"x": 60, "y": 40}).assign(component=["Perencanaan", "Inovasi Daerah"])
    sc = _long({"u": [80, 50]}, ["x", "y"])
    t, note = sens.regulation_grades(sc, rub)
    assert "Inovasi Daerah" in note
    assert t.loc[0, "total_12_2015"] == pytest.approx(80.0)  # planning only, rescaled
    assert t.loc[0, "total_official"] == pytest.approx(68.0)


def test_sakip_grade_probabilities_on_bundled_data():
    ds = load_dataset("batu", year=2020)
    sc = ds.scores[ds.scores["evaluation"] == "sakip"]
    rb = ds.rubric[ds.rubric["evaluation"] == "sakip"]
    res = sens.rubric_sensitivity(sc, rb, n_reweight=2000, grades=True, seed=5, keep_weights=True)
    e = res.entries.set_index("subject_id")
    assert e["p_same_grade"].between(0, 1).all()
    assert (e["official_grade"] == grade_from_total(e["official_total"].to_numpy())).all()
    # recompute every reweighted grade from the juror-mean criterion scores
    m = sens.criterion_means(sc, rb).pivot(index="subject_id", columns="criterion_id", values="mean_score")
    m = m[list(rb["criterion_id"])]
    totals = m.to_numpy() @ res.random_weights / 100
    same = np.array([grade_from_total(totals[i]) == e.loc[u, "official_grade"] for i, u in enumerate(m.index)])
    np.testing.assert_allclose(e.loc[m.index, "p_same_grade"].to_numpy(), same.mean(axis=1))
    assert (e["p_same_grade"] < 1).any()  # some units sit near a band edge
