"""ICC with missing cells: REML estimates from the shared engine, generalized confidence
intervals (GCI) from Henderson's method-3 sums of squares, exact F tests, and the
identification rule. Checked against published complete-data intervals (the GCI of
ICC(1,.) and ICC(3,.) is exact there), statsmodels' type-II ANOVA (the method-3 sums
of squares), the quadratic forms behind the pivots, and seeded simulation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from kinerja.agreement import _icc, icc, icc_bootstrap

from .reference import REFERENCE, close_at, load_expected

pytestmark = pytest.mark.filterwarnings("error")

SF = load_expected("shrout_fleiss_1979")


def to_long(y: np.ndarray) -> pd.DataFrame:
    n, k = y.shape
    return pd.DataFrame(
        {"subject_id": np.repeat(np.arange(n), k), "juror_id": np.tile(np.arange(k), n), "score": y.ravel()}
    )


def simulate(n, k, var=(1.0, 0.25, 0.75), seed=0, missing=0.0):
    rng = np.random.default_rng(seed)
    s, r, e = np.sqrt(var)
    y = s * rng.normal(size=(n, 1)) + r * rng.normal(size=(1, k)) + e * rng.normal(size=(n, k))
    if missing:
        y[rng.random(y.shape) < missing] = np.nan
    return y


def test_gci_reproduces_exact_f_intervals_on_complete_data():
    # Shrout & Fleiss (1979) 6 x 4: the F intervals of ICC(3,1) and ICC(3,k) are exact
    # (R psych::ICC output, stored in expected.json); the GCI built from the same sums of
    # squares is exact too, so it agrees up to its Monte Carlo error (10,000 draws).
    long = pd.read_csv(REFERENCE / "shrout_fleiss_1979" / "data_long.csv")
    res = icc(long, subject="target", rater="judge", value="rating", ci_method="gci").set_index("statistic")
    for form, key in (("ICC(3,1)", "ICC3"), ("ICC(3,k)", "ICC3k")):
        lo, hi = SF[f"{key}.ci_low"]["value"], SF[f"{key}.ci_high"]["value"]
        assert res.loc[form, "ci_low"] == pytest.approx(lo, abs=0.012)
        assert res.loc[form, "ci_high"] == pytest.approx(hi, abs=0.012)
    # the F-based default is untouched
    f = icc(long, subject="target", rater="judge", value="rating").set_index("statistic")
    e = SF["ICC3.ci_low"]
    assert close_at(f.loc["ICC(3,1)", "ci_low"], e["value"], e["decimals"])


def test_gci_equals_exact_f_interval_for_one_way_and_consistency_forms():
    # the F intervals of ICC(1,.) and ICC(3,.) are exact for complete data; the GCI from
    # the same sums of squares must give the same limits (Monte Carlo error ~0.003).
    # (For ICC(2,.) the two differ: McGraw-Wong's interval is an approximation, see the
    # coverage table in benchmarks/README.md.)
    y = simulate(200, 10, seed=1)
    f = icc(to_long(y))
    g = icc(to_long(y), ci_method="gci")
    rows = [0, 2, 3, 5]
    np.testing.assert_allclose(g.loc[rows, ["ci_low", "ci_high"]], f.loc[rows, ["ci_low", "ci_high"]], atol=0.006)
    assert (g["ci_low"] < g["estimate"]).all() and (g["estimate"] < g["ci_high"]).all()


def test_method3_sums_of_squares_match_statsmodels_type2_anova():
    smf = pytest.importorskip("statsmodels.formula.api")
    sm = pytest.importorskip("statsmodels.api")
    y = simulate(15, 5, seed=2, missing=0.25)
    fc = _icc._fitting_constants(y)
    long = to_long(y).dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tab = sm.stats.anova_lm(smf.ols("score ~ C(subject_id) + C(juror_id)", long).fit(), typ=2)
    assert fc.ss_s == pytest.approx(tab.loc["C(subject_id)", "sum_sq"], rel=1e-9)
    assert fc.ss_r == pytest.approx(tab.loc["C(juror_id)", "sum_sq"], rel=1e-9)
    assert fc.sse == pytest.approx(tab.loc["Residual", "sum_sq"], rel=1e-9)
    assert fc.df_e == tab.loc["Residual", "df"]
    one = smf.ols("score ~ C(subject_id)", long).fit()
    assert fc.ss_w == pytest.approx(one.ssr, rel=1e-9)
    assert fc.ss_b == pytest.approx(one.ess, rel=1e-9)


def test_pivot_quadratic_forms_are_the_adjusted_incidence_matrices():
    # q1 = w' (D_k - M D_n^-1 M') w and p1 = v' (D_n - M' D_k^-1 M) v: the eigenvalues of
    # these matrices are the coefficients of sigma_s^2 and sigma_r^2 in the method-3 sums
    # of squares (Z' (I - P) Z), so drawing w ~ N(0, I) samples their exact distribution.
    y = simulate(9, 4, seed=3, missing=0.3)
    fc = _icc._fitting_constants(y)
    m = fc.inc
    a_s = np.diag(fc.ki) - m @ np.diag(1 / fc.nj) @ m.T
    a_r = np.diag(fc.nj) - m.T @ np.diag(1 / fc.ki) @ m

    class Fixed:
        def __init__(self, w, v):
            self.calls = [w, v]

        def chisquare(self, df, size):
            return np.ones(size)

        def standard_normal(self, shape, dtype=None):
            return self.calls.pop(0)

    rng = np.random.default_rng(0)
    w, v = rng.normal(size=(3, 9)), rng.normal(size=(3, 4))
    s_s, s_r, s_e, *_ = _icc._gci_draws(fc, 3, Fixed(w.copy(), v.copy()))
    q1 = np.einsum("bi,ij,bj->b", w, a_s, w)
    p1 = np.einsum("bi,ij,bj->b", v, a_r, v)
    q0 = (w**2).sum(1) - w.sum(1) ** 2 / 9
    p0 = (v**2).sum(1) - v.sum(1) ** 2 / 4
    np.testing.assert_allclose(s_s, np.maximum((fc.ss_s - fc.sse * q0) / q1, 0))
    np.testing.assert_allclose(s_r, np.maximum((fc.ss_r - fc.sse * p0) / p1, 0))
    # the null vector is the constant (connected design): the quadratic forms ignore it
    np.testing.assert_allclose(a_s @ np.ones(9), 0, atol=1e-12)


def test_exact_f_test_on_complete_data_equals_anova_and_has_its_level_with_missing_cells():
    y = simulate(20, 4, seed=4)
    tab = _icc._reml_table(_icc._prepare(to_long(y), "subject_id", "juror_id", "score"), None)
    ref = icc(to_long(y))
    np.testing.assert_allclose(tab["f"], ref["f"], rtol=1e-9)
    np.testing.assert_allclose(tab["df2"], ref["df2"])
    # H0 true (no subject variance), 25% missing: the test keeps its level
    rng = np.random.default_rng(5)
    p = []
    for _ in range(200):
        y = 0.5 * rng.normal(size=(1, 5)) + rng.normal(size=(20, 5))
        y[rng.random(y.shape) < 0.25] = np.nan
        y = y[~np.isnan(y).all(1)]
        fc = _icc._fitting_constants(y)
        from scipy import special

        df_s = y.shape[0] - 1
        p.append(special.fdtrc(df_s, fc.df_e, (fc.ss_s / df_s) / (fc.sse / fc.df_e)))
    rate = np.mean(np.asarray(p) < 0.05)
    assert 0.015 <= rate <= 0.09, rate  # 200 draws: SE 0.015 around 0.05


def test_no_residual_df_gives_estimates_without_test_or_interval():
    # 8 subjects x 4 raters, each rated once and 2 of them twice: 10 ratings for the
    # 8 + 4 - 2 parameters of the additive model (2 connected groups), so no residual:
    # REML still estimates the two-way ICCs (flagged "barely identified" by the rule on
    # subjects with two ratings), but there is no exact F test and no GCI for them.
    y = np.full((8, 4), np.nan)
    y[np.arange(8), np.arange(8) % 4] = simulate(8, 4, seed=9)[np.arange(8), np.arange(8) % 4]
    y[0, 1], y[1, 2] = 0.3, -0.2
    fc = _icc._fitting_constants(y)
    assert fc.df_e == 0
    res = icc(to_long(y)).set_index("statistic")
    for form in ("ICC(2,1)", "ICC(3,1)", "ICC(2,k)", "ICC(3,k)"):
        assert np.isfinite(res.loc[form, "estimate"])
        assert res.loc[form, ["ci_low", "ci_high", "p_value"]].isna().all()
        assert "no F test or CI" in res.loc[form, "note"] and "barely identified" in res.loc[form, "note"]
    assert np.isfinite(res.loc["ICC(1,1)", "ci_low"]) and np.isfinite(res.loc["ICC(1,1)", "p_value"])


def test_disconnected_design_counts_its_components():
    # two panels rate disjoint sets of subjects: 2 connected components
    y = np.full((12, 6), np.nan)
    y[:6, :3] = simulate(6, 3, seed=6)
    y[6:, 3:] = simulate(6, 3, seed=7)
    fc = _icc._fitting_constants(y)
    assert fc.df_e == 36 - 12 - 6 + 2
    assert len(np.unique(fc.comp_s)) == 2
    res = icc(to_long(y))
    assert res[["estimate", "ci_low", "ci_high", "p_value"]].notna().all().all()
    assert (res["df1"].iloc[[1, 2]] == 10).all()


def test_interval_is_deterministic():
    long = to_long(simulate(25, 4, seed=8, missing=0.15))
    pd.testing.assert_frame_equal(icc(long), icc(long))


def test_gci_coverage_with_missing_cells_seeded():
    # 300 seeded datasets, n = 30, k = 5, 20% missing, ICC(2,1) = 0.5 (variances
    # 1, 0.25, 0.75, raters drawn anew each time). The full grid is in
    # benchmarks/coverage_icc.py; here a Monte Carlo SE of 0.013 allows 0.91-0.99.
    rng = np.random.default_rng(2025)
    hits = np.zeros(2)
    for _ in range(300):
        y = rng.normal(size=(30, 1)) + 0.5 * rng.normal(size=(1, 5)) + np.sqrt(0.75) * rng.normal(size=(30, 5))
        y[rng.random(y.shape) < 0.2] = np.nan
        y = y[~np.isnan(y).all(1)]
        ki = (~np.isnan(y)).sum(1)
        k_h = len(ki) / (1 / ki).sum()
        lo, hi, _ = _icc._gci_limits(y, k_h, 0.95, seed=rng)
        truth = np.array([0.5, 1 / (1 + 1 / k_h)])  # ICC(2,1), ICC(2,k) at k_h
        hits += (lo[[1, 4]] <= truth) & (truth <= hi[[1, 4]])
    cov = hits / 300
    assert (0.91 <= cov).all() and (cov <= 0.99).all(), cov
    assert cov[0] == cov[1]  # the same event: ICC(2,k) is monotone in ICC(2,1) at fixed k


def test_coverage_method_gives_the_gci_for_absolute_agreement_and_exact_f_for_the_rest():
    # ci_method="coverage" (what the reports use): ICC(2,1) and ICC(2,k) of complete data
    # get the GCI, the exact F intervals of the other four forms are kept unchanged (the
    # published psych values for Shrout & Fleiss stay reproduced), and missing cells get
    # the GCI for every form exactly as under "auto".
    long = pd.read_csv(REFERENCE / "shrout_fleiss_1979" / "data_long.csv")
    kw = dict(subject="target", rater="judge", value="rating")
    auto, cov, gci = (icc(long, **kw, ci_method=m).set_index("statistic") for m in ("auto", "coverage", "gci"))
    for form in ("ICC(2,1)", "ICC(2,k)"):
        assert cov.loc[form, ["ci_low", "ci_high"]].tolist() == gci.loc[form, ["ci_low", "ci_high"]].tolist()
        assert cov.loc[form, ["ci_low", "ci_high"]].tolist() != auto.loc[form, ["ci_low", "ci_high"]].tolist()
        assert "generalized confidence interval" in cov.loc[form, "note"]
        assert "ci_method" not in cov.loc[form, "note"]  # the reports print notes: words, not code
    for form in ("ICC(1,1)", "ICC(3,1)", "ICC(1,k)", "ICC(3,k)"):
        assert cov.loc[form, ["ci_low", "ci_high"]].tolist() == auto.loc[form, ["ci_low", "ci_high"]].tolist()
    e = SF["ICC3.ci_low"]
    assert close_at(cov.loc["ICC(3,1)", "ci_low"], e["value"], e["decimals"])
    pd.testing.assert_frame_equal(cov[["estimate", "f", "p_value"]], auto[["estimate", "f", "p_value"]])
    y = simulate(25, 4, seed=8, missing=0.15)
    pd.testing.assert_frame_equal(icc(to_long(y), ci_method="coverage"), icc(to_long(y)))


def test_coverage_method_keeps_degenerate_forms_without_an_interval():
    y = np.tile(np.arange(6.0)[:, None], (1, 3))  # raters identical: ICC(2,1) = 1, defined
    r = icc(to_long(y), ci_method="coverage").set_index("statistic")
    assert r.loc["ICC(2,1)", "estimate"] == pytest.approx(1.0)
    const = icc(to_long(np.full((5, 3), 4.0)), ci_method="coverage")
    assert const["estimate"].isna().all() and const["ci_low"].isna().all()


def test_bootstrap_refits_do_not_stop_on_a_false_boundary():
    """A warm-started refit stopped at a rater variance of 0 that was not the REML
    optimum (deviance -13.95 against -14.36) in 2 of 100 resamples of this 14 x 4 design,
    so the interval moved when a constant was added to every score. A refit that ends on
    a boundary is now checked from the method-1 start."""
    rng = np.random.default_rng(2)
    n, k = 14, 4
    y = rng.normal(size=n)[:, None] + rng.normal(scale=0.5, size=k)[None, :] + rng.normal(scale=0.7, size=(n, k))
    y = np.clip(np.round(y * 1.2 + 2.5), 1, 5)
    subjects = [f"U{(n - i) * 7 % 1000:03d}" for i in range(n)]
    raters = [f"J{(k - j) * 3:02d}" for j in range(k)]
    long = pd.DataFrame(
        [(subjects[i], raters[j], y[i, j]) for i in range(n) for j in range(k)],
        columns=["subject_id", "juror_id", "score"],
    )
    long = long[~(rng.random(len(long)) < 0.15)].sample(frac=1, random_state=2)
    runs = [
        icc_bootstrap(d, types=["ICC(2,1)"], n_boot=100, seed=3)[["ci_low", "ci_high"]].to_numpy(float)
        for d in (long, long.assign(score=long["score"] + 100), long.assign(score=long["score"] * 1e-9))
    ]
    np.testing.assert_allclose(runs[1], runs[0], atol=1e-6)
    np.testing.assert_allclose(runs[2], runs[0], atol=1e-6)
