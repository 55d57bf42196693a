"""kinerja.stats.innovation: exact tests, power, trend, Firth and ML logistic, award gap,
rank correlation, juror leniency and the halo check.

Published and peer values, each with its source:
- R ``fisher.test`` (PSU STAT 504 TeaLady.out; R 3.6.2 output recorded in SciPy's
  ``scipy/stats/tests/data/fisher_exact_results_from_r.py``);
- R ``prop.trend.test`` (R-help, Rui Barradas, 2023-09-08, on the example of R's help page);
- R ``logistf`` on Heinze & Schemper's endometrial data (tests/reference/logistf_endometrial);
- statsmodels (Logit, smf.logit, GLM, OLS, Table.test_ordinal_association) and scipy
  (fisher_exact, nchypergeom_fisher, hypergeom, pearsonr, spearmanr, kendalltau).
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from kinerja.stats import innovation as inn

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

# R's fisher.test finds the conditional MLE and each CI limit with uniroot at its default
# tolerance (.Machine$double.eps^0.25 = 1.22e-4), searching t = psi in (0, 1) for values
# below 1 and t = 1/psi for values above 1 (R's ncp.U / ncp.L / mle). R's numbers are
# therefore accurate to 1.22e-4 on that scale only: an upper limit of 622 can be off by
# 7% (the tea table). We compare on R's own scale with R's own tolerance.
R_UNIROOT_TOL = 1.22e-4


def r_close(ours: float, r_value: float) -> bool:
    if not np.isfinite(r_value):
        return not np.isfinite(ours)
    if r_value <= 1:
        return abs(ours - r_value) <= R_UNIROOT_TOL
    return abs(1 / ours - 1 / r_value) <= R_UNIROOT_TOL


# (table, p, conditional OR, CI low, CI high); two-sided, conf.level = 0.95.
R_FISHER = [
    # R: fisher.test(matrix(c(3, 1, 1, 3), 2))  -- PSU STAT 504, lesson 3, TeaLady.out
    ([[3, 1], [1, 3]], 0.4857, 6.408309, 0.2117329, 621.9337505),
    # R 3.6.2: fisher.test(matrix(c(2, 8, 7, 2), 2))  -- scipy fisher_exact_results_from_r.py
    ([[2, 7], [8, 2]], 0.02301413756522116, 0.0858623513573622, 0.004668988338943325, 0.895792956493601),
    # R 3.6.2: fisher.test(matrix(c(5, 10, 1, 10), 2))
    ([[5, 1], [10, 10]], 0.1973244147157191, 4.725646047336587, 0.4153910882532168, 259.2593661129417),
    # R 3.6.2: fisher.test(matrix(c(5, 16, 16, 25), 2))
    ([[5, 16], [16, 25]], 0.2697004098849359, 0.4937791394540491, 0.1176691231650079, 1.787463657995973),
    # R 3.6.2: fisher.test(matrix(c(10, 10, 5, 0), 2))  -- a zero cell: MLE 0
    ([[10, 5], [10, 0]], 0.06126482213438735, 0.0, 0.0, 1.451643573543705),
    # R 3.6.2: fisher.test(matrix(c(5, 1, 0, 4), 2))  -- a zero cell: MLE infinite
    ([[5, 0], [1, 4]], 0.04761904761904762, math.inf, 1.024822256141754, math.inf),
    # R 3.6.2: fisher.test(matrix(c(28, 6, 21, 1957), 2))
    ([[28, 21], [6, 1957]], 5.728437460831947e-44, 425.2403028434684, 152.4166024390096, 1425.700792178893),
]


@pytest.mark.parametrize("table, p, est, lo, hi", R_FISHER)
def test_fisher_matches_r(table, p, est, lo, hi):
    r = inn.fisher_test(table).iloc[0]
    decimals = 4 if p == 0.4857 else None  # the tea p-value is printed to 4 digits
    if decimals:
        assert round(r["p_value"], decimals) == p
    else:
        assert r["p_value"] == pytest.approx(p, rel=1e-9)
    assert r_close(r["estimate"], est)
    assert r_close(r["ci_low"], lo)
    assert r_close(r["ci_high"], hi)
    assert [r["n11"], r["n12"], r["n21"], r["n22"]] == [table[0][0], table[0][1], table[1][0], table[1][1]]


def _tail(table, psi, upper):
    """P(X >= a) (upper) or P(X <= a) under Fisher's noncentral hypergeometric (scipy)."""
    t = np.asarray(table)
    a, r1, c1, n = t[0, 0], t[0].sum(), t[:, 0].sum(), t.sum()
    dist = stats.nchypergeom_fisher(n, c1, r1, psi)
    return dist.sf(a - 1) if upper else dist.cdf(a)


@pytest.mark.parametrize("table", [[[3, 1], [1, 3]], [[3, 5], [7, 14]], [[5, 16], [16, 25]], [[2, 7], [8, 2]]])
def test_fisher_interval_and_estimate_solve_their_defining_equations(table):
    """Independent of R and of scipy.stats.contingency: the exact limits are where the
    one-sided tails equal 2.5% (Cornfield), the conditional MLE is where the noncentral
    mean equals the observed cell (scipy.stats.nchypergeom_fisher)."""
    r = inn.fisher_test(table).iloc[0]
    assert _tail(table, r["ci_low"], upper=True) == pytest.approx(0.025, abs=1e-6)
    assert _tail(table, r["ci_high"], upper=False) == pytest.approx(0.025, abs=1e-6)
    t = np.asarray(table)
    mean = stats.nchypergeom_fisher(t.sum(), t[:, 0].sum(), t[0].sum(), r["estimate"]).mean()
    assert mean == pytest.approx(t[0, 0], abs=1e-6)


def test_fisher_p_value_by_enumeration():
    """Two-sided p of the 2020 table [[3, 5], [7, 14]] by summing hypergeometric
    probabilities no larger than the observed one (scipy.stats.hypergeom)."""
    table = [[3, 5], [7, 14]]
    dist = stats.hypergeom(29, 10, 8)  # 29 units, 10 high grades, 8 awarded
    support = np.arange(0, 9)
    pmf = dist.pmf(support)
    p = pmf[pmf <= dist.pmf(3) * (1 + 1e-7)].sum()
    r = inn.fisher_test(table).iloc[0]
    assert r["p_value"] == pytest.approx(min(p, 1.0), abs=1e-12)
    assert r["sample_odds_ratio"] == pytest.approx(3 * 14 / (5 * 7))


def test_fisher_empty_margin_is_nan_with_reason():
    r = inn.fisher_test([[0, 0], [7, 14]]).iloc[0]
    assert np.isnan(r["estimate"]) and r["p_value"] == 1.0 and "empty" in r["note"]


def test_fisher_rejects_bad_tables():
    with pytest.raises(ValueError, match="2 x 2"):
        inn.fisher_test([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="non-negative whole"):
        inn.fisher_test([[1, -2], [3, 4]])


def test_two_by_two_counts():
    x = [True, True, False, False, True]
    y = [1, 0, 1, 0, 1]
    assert inn.two_by_two(x, y).tolist() == [[2, 1], [1, 1]]
    with pytest.raises(ValueError, match="missing"):
        inn.two_by_two([True, None], [True, False])


# ----------------------------------------------------------------------------------------
# power
# ----------------------------------------------------------------------------------------


def _power_scipy(table, psi, alpha=0.05):
    """Conditional power, computed with scipy only: rejection set from
    scipy.stats.fisher_exact on every table with the margins, probability from
    scipy.stats.nchypergeom_fisher."""
    t = np.asarray(table)
    r1, c1, n = t[0].sum(), t[:, 0].sum(), t.sum()
    lo, hi = max(0, r1 + c1 - n), min(r1, c1)
    power = 0.0
    dist = stats.nchypergeom_fisher(n, c1, r1, psi)
    for a in range(lo, hi + 1):
        tab = [[a, r1 - a], [c1 - a, n - r1 - c1 + a]]
        if stats.fisher_exact(tab).pvalue <= alpha:
            power += dist.pmf(a)
    return power


@pytest.mark.parametrize("table", [[[3, 5], [7, 14]], [[10, 10], [10, 10]], [[2, 6], [4, 17]]])
def test_detectable_odds_ratio_has_the_stated_power(table):
    p = inn.fisher_power(table)
    up, down = p.loc[0, "estimate"], p.loc[1, "estimate"]
    assert up > 1 > down
    assert _power_scipy(table, up) == pytest.approx(0.8, abs=1e-6)
    assert _power_scipy(table, up * 0.98) < 0.8
    if down > 0:
        assert _power_scipy(table, down) == pytest.approx(0.8, abs=1e-6)
        assert _power_scipy(table, down * 1.02) < 0.8
    else:  # no table below the observed one can reach p <= 0.05 at these margins
        assert "reaches 80% power" in p.loc[1, "note"]
        assert _power_scipy(table, 1e-6) < 0.8


def test_power_without_a_rejection_region_says_so():
    # margins 1 x 1 in a tiny table: no table can reach p <= 0.05
    p = inn.fisher_power([[1, 1], [1, 1]])
    assert p.loc[0, "estimate"] == np.inf and "reaches" in p.loc[0, "note"]


def test_noncentral_pmf_matches_scipy():
    x = np.arange(0, 9)
    ours = inn._nc_pmf(x, 8, 10, 29, math.log(3.0))[:, 0]
    ref = stats.nchypergeom_fisher(29, 10, 8, 3.0).pmf(x)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-15)


# ----------------------------------------------------------------------------------------
# trend test and permutations
# ----------------------------------------------------------------------------------------


def _expand(events, totals, scores):
    x, y = [], []
    for e, t, s in zip(events, totals, scores):
        x += [s] * t
        y += [1] * e + [0] * (t - e)
    return np.array(x), np.array(y)


def test_trend_matches_r_prop_trend_test():
    # R: smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82)
    #    prop.trend.test(smokers, patients)   -> X-squared = 8.2249, df = 1, p-value = 0.004132
    # (R-help, Rui Barradas, 2023-09-08). prop.trend.test reports n r^2 (Cochran-Armitage).
    x, y = _expand([83, 90, 129, 70], [86, 93, 136, 82], [1, 2, 3, 4])
    r = inn.linear_by_linear(x, y, exact=False, n_perm=0).iloc[0]
    assert round(r["cochran_armitage"], 4) == 8.2249
    assert round(stats.chi2.sf(r["cochran_armitage"], 1), 6) == 0.004132
    n = len(x)
    assert r["test_statistic"] == pytest.approx(r["cochran_armitage"] * (n - 1) / n)


def test_trend_matches_statsmodels_ordinal_association():
    from statsmodels.stats.contingency_tables import Table

    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, 60)
    y = np.clip(x + rng.integers(-2, 3, 60), 0, 4)
    r = inn.linear_by_linear(x, y, exact=False, n_perm=0).iloc[0]
    tab = pd.crosstab(x, y)
    # shift_zeros=False: by default statsmodels adds 0.5 to empty cells before testing
    ref = Table(tab.to_numpy(), shift_zeros=False).test_ordinal_association(
        row_scores=tab.index.to_numpy(float), col_scores=tab.columns.to_numpy(float)
    )
    assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
    assert r["test_statistic"] == pytest.approx(ref.zscore**2, rel=1e-10)


def test_exact_trend_p_equals_brute_force_enumeration():
    x = [2, 2, 1, 1, 0, 0, 0, 0, 0]
    y = [1, 0, 1, 1, 0, 1, 0, 0, 0]
    res = inn.linear_by_linear(x, y, n_perm=0)
    exact = res[res["method"] == "exact conditional"].iloc[0]["p_value"]
    xv, yv = np.array(x, float), np.array(y, float)
    t_obs, e_t = xv @ yv, len(x) * xv.mean() * yv.mean()
    perms = {p for p in itertools.permutations(x)}  # distinct assignments, equally likely
    ts = np.array([np.array(p, float) @ yv for p in perms])
    brute = np.mean(np.abs(ts - e_t) >= abs(t_obs - e_t) - 1e-9)
    assert exact == pytest.approx(brute, abs=1e-12)


def test_permutation_p_values_agree_with_exact_within_monte_carlo_error():
    table = [[5, 1], [10, 10]]  # Fisher p = 0.197 (R)
    x = [True] * 6 + [False] * 20
    y = [True] * 5 + [False] + [True] * 10 + [False] * 10
    assert inn.two_by_two(x, y).tolist() == table
    n_perm = 20_000
    perm = inn.permutation_pvalues(x, y, n_perm=n_perm, seed=11)
    p_exact = inn.fisher_test(table).loc[0, "p_value"]
    se = math.sqrt(p_exact * (1 - p_exact) / n_perm)
    assert abs(perm.loc[0, "p_value"] - p_exact) < 4 * se
    lbl = inn.linear_by_linear(np.array(x, int), np.array(y, int), n_perm=n_perm, seed=12)
    p_ex = lbl.loc[lbl["method"] == "exact conditional", "p_value"].iloc[0]
    p_mc = lbl.loc[lbl["method"].str.startswith("permutation"), "p_value"].iloc[0]
    assert abs(p_mc - p_ex) < 4 * math.sqrt(p_ex * (1 - p_ex) / n_perm)


def test_permutations_are_seeded_and_never_zero():
    x = [True] * 10 + [False] * 10
    y = [True] * 10 + [False] * 10
    a = inn.permutation_pvalues(x, y, n_perm=500, seed=3)
    b = inn.permutation_pvalues(x, y, n_perm=500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert (a["p_value"] >= 1 / 501).all()


def test_trend_with_a_constant_variable_is_nan_with_reason():
    r = inn.linear_by_linear([0, 0, 0, 0], [1, 0, 1, 0]).iloc[0]
    assert np.isnan(r["estimate"]) and "single value" in r["note"]


# ----------------------------------------------------------------------------------------
# Firth, separation and the award logit
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endometrial():
    d = pd.read_csv(REFERENCE / "logistf_endometrial" / "endometrial.csv")
    meta = json.loads((REFERENCE / "logistf_endometrial" / "expected.json").read_text())
    return d, meta


def test_firth_matches_r_logistf_on_endometrial(endometrial):
    # R: logistf(HG ~ NV + PI + EH, data = endometrial)  (see expected.json)
    d, meta = endometrial
    X = np.c_[np.ones(len(d)), d[["NV", "PI", "EH"]].to_numpy(float)]
    res = inn.firth_logit(d["HG"], X, names=["(intercept)", "NV", "PI", "EH"]).set_index("term")
    col = {"coefficient": "estimate", "ci_low": "ci_low", "ci_high": "ci_high"}
    for e in meta["expected"]:
        assert res.loc[e["id"], col[e["statistic"]]] == pytest.approx(e["value"], rel=1e-5), e


def test_endometrial_is_quasi_separated(endometrial):
    d, _ = endometrial
    X = np.c_[np.ones(len(d)), d[["NV", "PI", "EH"]].to_numpy(float)]
    assert inn.separation(d["HG"], X) == "quasi-complete"
    assert inn.separation(d["HG"], X[:, [0, 2, 3]]) == "none"


def test_firth_with_one_binary_covariate_is_the_haldane_log_odds_ratio():
    """Firth's estimate for a 2 x 2 table equals the log odds ratio with 0.5 added to
    every cell (Firth 1993; Heinze & Schemper 2002, section 2)."""
    rng = np.random.default_rng(5)
    for _ in range(5):
        a, b, c, d = rng.integers(0, 9, 4)
        x = np.r_[np.ones(a + b), np.zeros(c + d)]
        y = np.r_[np.ones(a), np.zeros(b), np.ones(c), np.zeros(d)]
        if x.sum() in (0, len(x)) or y.sum() in (0, len(y)):
            continue
        res = inn.firth_logit(y, np.c_[np.ones_like(x), x], profile=False)
        haldane = math.log((a + 0.5) * (d + 0.5) / ((b + 0.5) * (c + 0.5)))
        assert res.loc[1, "estimate"] == pytest.approx(haldane, abs=1e-8)


def _units(n=60, seed=0, slope=0.35):
    rng = np.random.default_rng(seed)
    cats = rng.choice(["Dinas", "Badan", "Kecamatan"], size=n, p=[0.6, 0.25, 0.15])
    tot = rng.normal(76, 5, n)
    p = 1 / (1 + np.exp(-(slope * (tot - 76) + np.where(cats == "Badan", 0.5, 0.0))))
    return pd.DataFrame({"sakip_total": tot, "category": cats, "awarded": rng.random(n) < p})


def test_award_logit_ml_matches_statsmodels_formula_and_glm():
    df = _units()
    res = inn.award_logit(df, per=5.0).set_index("term")
    assert (res["separation"] == "none").all()
    ref = smf.logit("awarded ~ sakip_total + C(category, Treatment('Dinas'))", data=df.assign(awarded=df.awarded * 1.0))
    fit = ref.fit(disp=0)
    b = fit.params["sakip_total"]
    assert res.loc["sakip_total", "estimate"] == pytest.approx(math.exp(5 * b), rel=1e-6)
    lo, hi = fit.conf_int().loc["sakip_total"]
    assert res.loc["sakip_total", "ci_low"] == pytest.approx(math.exp(5 * lo), rel=1e-6)
    assert res.loc["sakip_total", "ci_high"] == pytest.approx(math.exp(5 * hi), rel=1e-6)
    assert res.loc["sakip_total", "p_value"] == pytest.approx(fit.pvalues["sakip_total"], rel=1e-6)
    glm = sm.GLM(df.awarded * 1.0, sm.add_constant(df[["sakip_total"]]), family=sm.families.Binomial()).fit()
    alone = inn.award_logit(df, category=None, per=1.0).iloc[0]
    assert alone["log_odds"] == pytest.approx(glm.params["sakip_total"], rel=1e-6)
    assert alone["se"] == pytest.approx(glm.bse["sakip_total"], rel=1e-5)


def test_award_logit_pools_tiny_categories_and_uses_firth_on_separation():
    df = _units(n=40, seed=2)
    df.loc[:1, "category"] = "Inspektorat"  # 2 units: pooled
    df.loc[df["category"] == "Kecamatan", "awarded"] = False  # no awards: separation
    res = inn.award_logit(df)
    assert "pooled Inspektorat" in res.loc[0, "note"]
    assert res.loc[0, "separation"] in ("quasi-complete", "complete")
    assert "Firth" in res.loc[0, "method"] and "separation" in res.loc[0, "note"]
    assert np.isfinite(res["estimate"]).all() and np.isfinite(res["ci_high"]).all()


def test_award_logit_with_too_few_awards_is_nan_with_reason():
    df = _units(n=20).assign(awarded=False)
    df.loc[0, "awarded"] = True
    r = inn.award_logit(df).iloc[0]
    assert np.isnan(r["estimate"]) and "fewer than 2" in r["note"]


def test_award_logit_names_missing_columns():
    with pytest.raises(KeyError, match="sakip_total"):
        inn.award_logit(pd.DataFrame({"awarded": [True]}))


def test_pool_small_categories():
    s, note = inn.pool_small_categories(["a"] * 4 + ["b"] * 2 + ["c"] * 2)
    assert s.value_counts().to_dict() == {"a": 4, "other": 4} and "b, c" in note
    s, note = inn.pool_small_categories(["a"] * 4 + ["b"] * 4)
    assert note == "" and s.nunique() == 2


# ----------------------------------------------------------------------------------------
# award gap, rank correlation
# ----------------------------------------------------------------------------------------


def test_award_gap_matches_statsmodels_ols():
    df = _units(n=50, seed=7)
    df["sakip_total"] += 3.0 * df["awarded"]
    res = inn.award_gap(df, n_perm=0).iloc[0]
    X = pd.get_dummies(df["category"], drop_first=False, dtype=float).drop(columns="Dinas")
    X.insert(0, "awarded", df["awarded"] * 1.0)
    fit = sm.OLS(df["sakip_total"], sm.add_constant(X)).fit()
    assert res["estimate"] == pytest.approx(fit.params["awarded"], rel=1e-10)
    lo, hi = fit.conf_int().loc["awarded"]
    assert (res["ci_low"], res["ci_high"]) == (pytest.approx(lo, rel=1e-9), pytest.approx(hi, rel=1e-9))
    assert res["p_value"] == pytest.approx(fit.pvalues["awarded"], rel=1e-8)


def test_award_gap_permutation_p_tracks_the_t_test():
    df = _units(n=60, seed=8)
    df["sakip_total"] += 2.0 * df["awarded"]
    r = inn.award_gap(df, n_perm=4000, seed=1).iloc[0]
    assert abs(r["p_permutation"] - r["p_value"]) < 0.05
    again = inn.award_gap(df, n_perm=4000, seed=1).iloc[0]
    assert again["p_permutation"] == r["p_permutation"]


def test_award_gap_needs_both_groups():
    df = _units(n=10).assign(awarded=False)
    r = inn.award_gap(df).iloc[0]
    assert np.isnan(r["estimate"]) and "both groups" in r["note"]


@pytest.mark.parametrize("method, sd", [("spearman", (1.06, 3)), ("kendall", (0.437, 4))])
def test_rank_correlation_matches_scipy_and_the_fieller_interval(method, sd):
    rng = np.random.default_rng(9)
    x = rng.normal(size=25)
    y = x + rng.normal(size=25)
    r = inn.rank_correlation(x, y, method=method).iloc[0]
    ref = stats.spearmanr(x, y) if method == "spearman" else stats.kendalltau(x, y)
    assert r["estimate"] == pytest.approx(ref.statistic) and r["p_value"] == pytest.approx(ref.pvalue)
    half = 1.959963984540054 * math.sqrt(sd[0] / (25 - sd[1]))
    assert r["ci_low"] == pytest.approx(math.tanh(math.atanh(ref.statistic) - half))
    assert r["ci_high"] == pytest.approx(math.tanh(math.atanh(ref.statistic) + half))


def test_rank_correlation_degenerate_cases():
    r = inn.rank_correlation([1, 2, 3], [1, 2, 3]).iloc[0]
    assert np.isnan(r["estimate"]) and "fewer than 5" in r["note"]
    r = inn.rank_correlation([1, 2, 3, 4, 5, np.nan], [5, 5, 5, 5, 5, 1]).iloc[0]
    assert np.isnan(r["estimate"]) and "constant" in r["note"] and "missing" in r["note"]


# ----------------------------------------------------------------------------------------
# leniency and halo
# ----------------------------------------------------------------------------------------


def test_leniency_complete_data_is_juror_mean_minus_grand_mean():
    rng = np.random.default_rng(1)
    wide = rng.normal(70, 5, (12, 4))
    long = pd.DataFrame(
        [{"subject_id": s, "juror_id": f"J{j}", "score": wide[s, j]} for s in range(12) for j in range(4)]
    )
    got = inn.juror_leniency(long).set_index("juror_id")["leniency"]
    expect = wide.mean(axis=0) - wide.mean()
    np.testing.assert_allclose(got.to_numpy(), expect, atol=1e-10)


def test_leniency_recovers_additive_effects_with_missing_cells():
    rng = np.random.default_rng(2)
    b = np.array([-3.0, 1.0, 2.5, -0.5])
    b -= b.mean()
    a = rng.normal(0, 5, 15)
    rows = [
        {"subject_id": s, "juror_id": f"J{j}", "score": 70 + a[s] + b[j]}
        for s in range(15)
        for j in range(4)
        if not (s % 5 == j)  # every subject misses one juror
    ]
    got = inn.juror_leniency(pd.DataFrame(rows))["leniency"].to_numpy()
    np.testing.assert_allclose(got, b, atol=1e-10)


def test_leniency_of_disconnected_jurors_is_nan():
    rows = [{"subject_id": "a", "juror_id": "J1", "score": 70.0}, {"subject_id": "b", "juror_id": "J2", "score": 80.0}]
    assert inn.juror_leniency(pd.DataFrame(rows))["leniency"].isna().all()


def _halo_data(rho, n_jurors=8, seed=0):
    rng = np.random.default_rng(seed)
    cov = [[9, 9 * rho], [9 * rho, 9]]
    lenient = rng.multivariate_normal([0, 0], cov, n_jurors)
    jur = [f"J{j:02d}" for j in range(n_jurors)]
    s = pd.DataFrame(
        [
            {"subject_id": f"u{i}", "juror_id": jur[j], "score": 75 + q + lenient[j, 0] + rng.normal(0, 2)}
            for i, q in enumerate(rng.normal(0, 4, 30))
            for j in range(n_jurors)
        ]
    )
    k = pd.DataFrame(
        [
            {"subject_id": f"e{i}", "juror_id": jur[j], "score": 70 + q + lenient[j, 1] + rng.normal(0, 2)}
            for i, q in enumerate(rng.normal(0, 6, 25))
            for j in range(n_jurors)
        ]
    )
    return s, k, lenient


def test_halo_recovers_a_planted_correlation_and_matches_scipy():
    s, k, lenient = _halo_data(0.9, n_jurors=7, seed=3)
    jur, res = inn.halo_check(s, k, seed=1)
    r = res.iloc[0]
    x, y = jur["leniency_sakip"].to_numpy(), jur["leniency_kovablik"].to_numpy()
    ref = stats.pearsonr(x, y)
    ci = ref.confidence_interval()
    assert r["estimate"] == pytest.approx(ref.statistic)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    true_r = np.corrcoef(lenient[:, 0], lenient[:, 1])[0, 1]
    assert r["ci_low"] < true_r < r["ci_high"]
    # 7 jurors: the permutation p-value is exact (all 7! orderings)
    assert "exact" in r["method"]
    ref_p = stats.permutation_test(
        (x,),
        lambda v: abs(np.corrcoef(v, y)[0, 1]),
        permutation_type="pairings",
        n_resamples=np.inf,
        alternative="greater",
    ).pvalue  # P(|r*| >= |r|) over all 7! pairings (scipy)
    assert r["p_value"] == pytest.approx(ref_p, abs=1e-12)


def test_halo_without_a_link_is_not_significant():
    s, k, _ = _halo_data(0.0, n_jurors=12, seed=5)
    _, res = inn.halo_check(s, k, n_perm=2000, seed=1)
    assert res.loc[0, "ci_low"] < 0 < res.loc[0, "ci_high"] or res.loc[0, "p_value"] > 0.05
    assert "Monte Carlo" in res.loc[0, "method"]


def test_halo_with_two_shared_jurors_is_nan_with_reason():
    s, k, _ = _halo_data(0.9, n_jurors=4, seed=1)
    k = k[k["juror_id"].isin(["J00", "J01"])]
    jur, res = inn.halo_check(s, k)
    assert np.isnan(res.loc[0, "estimate"]) and "at least 3" in res.loc[0, "note"]
    assert int(jur["in_both"].sum()) == 2


def test_split_half_reliability_is_high_for_stable_jurors():
    s, k, _ = _halo_data(0.9, n_jurors=8, seed=3)
    _, res = inn.halo_check(s, k, seed=1)
    rel = res[res["statistic"].str.startswith("reliability")]
    assert (rel["estimate"] > 0.8).all()


def test_constant_or_collinear_designs_are_nan_with_reasons():
    df = _units(n=30, seed=3)
    const = df.assign(sakip_total=75.0 + 1e-13 * np.arange(30))  # equal up to float rounding
    r = inn.award_logit(const).iloc[0]
    assert np.isnan(r["estimate"]) and "same for every unit" in r["note"]
    g = inn.award_gap(const).iloc[0]
    assert np.isnan(g["estimate"]) and "same for every unit" in g["note"]
    # every unit of a category awarded, every other not: the award is the category
    coll = df.assign(category=np.where(df["awarded"], "Badan", "Dinas"))
    g = inn.award_gap(coll).iloc[0]
    assert np.isnan(g["estimate"]) and "collinear" in g["note"]
    # leniencies equal up to rounding are constant, not a spurious correlation
    s = pd.DataFrame({"subject_id": list("aabb"), "juror_id": ["J1", "J2"] * 2, "score": 75.0})
    k = s.assign(subject_id=list("ccdd"))
    three = pd.concat([s, s.assign(juror_id="J3")]), pd.concat([k, k.assign(juror_id="J3")])
    _, res = inn.halo_check(*three, n_perm=0)
    assert np.isnan(res.loc[0, "estimate"]) and "constant" in res.loc[0, "note"]
