"""Tests of kinerja.compare (group comparisons of grades and scores).

Three kinds of evidence, as for the agreement statistics:

* published and R values (``tests/reference/compare_R/expected.json``: R's own
  ``?fisher.test`` examples, the Kota Batu record tables, and R 4.2.2 output of
  ``oneway.test``, ``kruskal.test``, ``pairwise.t.test``, ``binom.test``, ``MASS::polr``
  and ``lme4::lmer`` on small frozen data files; every R call is in that file);
* peer packages on the same data (scipy, statsmodels) and independent computations
  written here (brute-force enumeration of tables with exact fractions, brute-force
  power);
* simulations with a small scorer written in this file (not ``kinerja.synth``): a
  planted category effect is recovered, the tests keep their level when there is no
  effect, and a "category effect" that is really harsh jurors shows in the unadjusted
  model and vanishes in the adjusted one; one planted-effect check also runs on
  ``kinerja.synth`` output.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kinerja import compare
from kinerja.compare import (
    TOO_FEW,
    CompareInputError,
    cliffs_delta,
    contingency_table,
    detectable_share,
    eligible_groups,
    exact_test,
    fisher_power,
    freeman_halton,
    group_effects,
    ordinal_regression,
    pairwise_tests,
    permutation_test,
    score_tests,
    share_by_group,
    unit_means,
)

from .agreement.reference import REFERENCE, close_at, load_expected

pytestmark = pytest.mark.filterwarnings("error")

R = load_expected("compare_R")
FOLDER = REFERENCE / "compare_R"

JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]).T  # R fills by column
MP6 = np.array(
    [
        [1, 2, 2, 1, 1, 0, 1],
        [2, 0, 0, 2, 3, 0, 0],
        [0, 1, 1, 1, 2, 7, 3],
        [1, 1, 2, 0, 0, 0, 1],
        [0, 1, 1, 1, 1, 0, 0],
    ]
)
#: The published Kota Batu 2020 record: categories (sorted) x (BB, A).
BATU_2020 = np.array([[3, 1], [11, 6], [0, 1], [1, 0], [2, 1], [1, 0], [1, 1]])
BATU_2023 = np.array(
    [[0, 2, 2, 0], [1, 10, 5, 1], [0, 0, 1, 0], [0, 0, 1, 0], [0, 2, 1, 0], [0, 1, 0, 0], [0, 0, 2, 0]]
)
BATU_2019 = np.array([[0, 4, 0], [4, 11, 2], [0, 1, 0], [0, 1, 0], [0, 3, 0], [0, 1, 0], [0, 2, 0]])


def r_value(key: str) -> float:
    return R[key]["value"]


def assert_r(ours: float, key: str) -> None:
    e = R[key]
    assert close_at(ours, e["value"], e["decimals"]), (key, ours, e["value"], e["source"])


# ----------------------------------------------------------------------------------------
# Freeman-Halton exact test
# ----------------------------------------------------------------------------------------


def brute_force_fh(table: np.ndarray) -> tuple[Fraction, int]:
    """Independent computation: enumerate every table with the observed margins cell by
    cell and add the exact (rational) probabilities of those no more probable than the
    observed one. Only for small tables."""
    t = np.asarray(table, int)
    rows, cols = t.sum(axis=1).tolist(), t.sum(axis=0).tolist()
    n = sum(rows)
    r, c = len(rows), len(cols)

    def prob(cells):
        num = math.prod(math.factorial(x) for x in rows) * math.prod(math.factorial(x) for x in cols)
        den = math.factorial(n) * math.prod(math.factorial(x) for x in cells)
        return Fraction(num, den)

    p_obs = prob(t.ravel().tolist())
    total, count = Fraction(0), 0

    def fill(i, j, left_rows, left_cols, cells):
        nonlocal total, count
        if i == r - 1:  # last row is determined by the column sums left
            last = list(left_cols)
            if sum(last) != left_rows[i]:
                return
            p = prob(cells + last)
            count += 1
            if p <= p_obs * Fraction(10**7 + 1, 10**7):
                total += p
            return
        if j == c - 1:
            v = left_rows[i]
            if v > left_cols[j]:
                return
            lc = list(left_cols)
            lc[j] -= v
            fill(i + 1, 0, left_rows, lc, cells + [v])
            return
        for v in range(min(left_rows[i], left_cols[j]) + 1):
            lr, lc = list(left_rows), list(left_cols)
            lr[i] -= v
            lc[j] -= v
            fill(i, j + 1, lr, lc, cells + [v])

    fill(0, 0, rows, cols, [])
    return total, count


@pytest.mark.parametrize(
    "key, table",
    [
        ("fisher.job", JOB),
        ("fisher.mp6", MP6),
        ("fisher.batu2020", BATU_2020),
        ("fisher.batu2023", BATU_2023),
        ("fisher.batu2019", BATU_2019),
    ],
)
def test_freeman_halton_matches_r(key, table):
    res = freeman_halton(table)
    assert res.exact
    assert res.p_value == pytest.approx(r_value(key), rel=1e-9)


def test_freeman_halton_matches_the_value_printed_in_r_docs():
    assert_r(freeman_halton(JOB).p_value, "fisher.job.docs")


def test_exact_test_on_the_real_record_equals_an_independent_enumeration():
    """The real 2020 record, by a brute-force enumeration with exact fractions."""
    p_exact, n_tables = brute_force_fh(BATU_2020)
    res = freeman_halton(BATU_2020)
    assert res.p_value == pytest.approx(float(p_exact), rel=1e-12)
    assert res.n_tables == n_tables
    # ... and with rows and columns in another order
    perm = BATU_2020[[3, 0, 6, 2, 5, 1, 4]][:, ::-1]
    assert freeman_halton(perm).p_value == pytest.approx(float(p_exact), rel=1e-12)
    assert freeman_halton(perm.T).p_value == pytest.approx(float(p_exact), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 3).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: st.lists(st.integers(0, 3), min_size=r * c, max_size=r * c).map(
                lambda v: np.array(v).reshape(r, c)
            )
        )
    )
)
def test_freeman_halton_equals_brute_force_on_small_tables(table):
    t = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    res = freeman_halton(table)
    if t.shape[0] < 2 or t.shape[1] < 2:
        assert res.p_value == 1.0 or np.isnan(res.p_value)
        return
    p_exact, n_tables = brute_force_fh(t)
    assert res.p_value == pytest.approx(float(p_exact), rel=1e-9, abs=1e-15)
    assert res.n_tables == n_tables
    assert res.p_observed == pytest.approx(float(brute_force_prob(t)), rel=1e-9)


def brute_force_prob(t: np.ndarray) -> Fraction:
    rows, cols = t.sum(axis=1).tolist(), t.sum(axis=0).tolist()
    num = math.prod(math.factorial(x) for x in rows) * math.prod(math.factorial(x) for x in cols)
    return Fraction(num, math.factorial(int(t.sum())) * math.prod(math.factorial(int(x)) for x in t.ravel()))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=4, max_size=4))
def test_freeman_halton_on_2x2_equals_scipy_fisher_exact(cells):
    t = np.array(cells).reshape(2, 2)
    if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
        return
    # scipy.stats.fisher_exact: two-sided p of the conditional (hypergeometric) test
    assert freeman_halton(t).p_value == pytest.approx(stats.fisher_exact(t).pvalue, rel=1e-9)


def test_monte_carlo_p_is_within_its_error_of_the_exact_p():
    exact = r_value("fisher.job")
    b = 20_000
    res = freeman_halton(JOB, method="monte_carlo", n_resamples=b, seed=7)
    assert not res.exact and res.n_resamples == b and np.isnan(res.n_tables)
    se = math.sqrt(exact * (1 - exact) / b)
    assert abs(res.p_value - exact) < 4 * se
    again = freeman_halton(JOB, method="monte_carlo", n_resamples=b, seed=7)
    assert again.p_value == res.p_value


def test_auto_falls_back_to_monte_carlo_and_says_so():
    row = exact_test(pd.DataFrame(MP6), n_resamples=2000, seed=1)
    assert row.loc[0, "method"].startswith("exact")
    small = compare.freeman_halton(MP6, max_edges=10, n_resamples=2000, seed=1)
    assert not small.exact and small.n_resamples == 2000
    with pytest.raises(ValueError, match="too large"):
        compare.freeman_halton(MP6, method="exact", max_edges=10)


def test_exact_test_row_carries_the_table_and_peer_statistics():
    tab = pd.DataFrame(
        BATU_2020,
        index=["Badan", "Dinas", "Inspektorat", "Kantor", "Kecamatan", "Satpol PP", "Sekretariat"],
        columns=["BB", "A"],
    )
    row = exact_test(tab).iloc[0]
    assert row["statistic"] == "Freeman-Halton exact test"
    assert row["n"] == 29 and row["n_rows"] == 7 and row["n_cols"] == 2
    assert row["p_value"] == pytest.approx(r_value("fisher.batu2020"), rel=1e-9)
    assert row["table"].startswith("Badan: BB 3, A 1; Dinas: BB 11, A 6")
    chi2 = stats.chi2_contingency(BATU_2020, correction=False)[0]
    assert row["chi2"] == pytest.approx(chi2, rel=1e-12)
    v = stats.contingency.association(BATU_2020, method="cramer")
    assert row["estimate"] == pytest.approx(v, rel=1e-12)
    assert "exact" in row["method"] and "expected counts" in row["note"]


def test_exact_test_degenerate_tables():
    one_grade = exact_test(pd.DataFrame({"A": [3, 1, 2]}, index=["x", "y", "z"])).iloc[0]
    assert one_grade["p_value"] == 1.0 and "no association" in one_grade["note"]
    empty = exact_test(np.zeros((2, 2), int)).iloc[0]
    assert np.isnan(empty["p_value"]) and "no units" in empty["note"]
    with pytest.raises(CompareInputError, match="whole numbers"):
        exact_test([[1, -1], [2, 3]])
    with pytest.raises(CompareInputError, match="whole numbers"):
        exact_test([[1.5, 1], [2, 3]])


def test_contingency_table_orders_grades_and_keeps_empty_levels():
    from kinerja.grades import grade_dtype

    d = pd.DataFrame(
        {
            "category": ["Dinas", "Dinas", "Badan", "Kantor"],
            "grade": pd.Series(["A", "BB", "BB", "AA"], dtype=grade_dtype()),
        }
    )
    t = contingency_table(d, row="category", col="grade")
    assert list(t.columns) == ["BB", "A", "AA"] and list(t.index) == ["Badan", "Dinas", "Kantor"]
    assert t.to_numpy().sum() == 4 and t.dtypes.eq("int64").all()
    t2 = contingency_table(d, row="category", col="grade", row_levels=["Dinas", "Badan", "Kantor", "Kecamatan"])
    assert t2.loc["Kecamatan"].sum() == 0
    with pytest.raises(CompareInputError, match="category2"):
        contingency_table(d, row="category2", col="grade")


# ----------------------------------------------------------------------------------------
# Shares, exact intervals, exact power
# ----------------------------------------------------------------------------------------


def test_clopper_pearson_intervals_match_r_binom_test():
    d = pd.DataFrame(
        {
            "category": ["Dinas"] * 17 + ["Inspektorat"] + ["Kantor"] * 3,
            "grade": ["A"] * 6 + ["BB"] * 11 + ["A"] + ["BB"] * 3,
        }
    )
    t = share_by_group(d, group="category", outcome="grade", success={"A"}).set_index("group")
    for g, key in (("Dinas", "6of17"), ("Inspektorat", "1of1"), ("Kantor", "0of3")):
        assert_r(t.loc[g, "ci_low"], f"cp.{key}.low")
        assert_r(t.loc[g, "ci_high"], f"cp.{key}.high")
        k, n = int(t.loc[g, "successes"]), int(t.loc[g, "n"])
        ci = stats.binomtest(k, n).proportion_ci(method="exact")  # scipy peer
        assert (t.loc[g, "ci_low"], t.loc[g, "ci_high"]) == pytest.approx((ci.low, ci.high), abs=1e-10)


def test_share_by_group_on_the_2020_record():
    rows = []
    for cat, (bb, a) in zip(
        ["Badan", "Dinas", "Inspektorat", "Kantor", "Kecamatan", "Satpol PP", "Sekretariat"], BATU_2020
    ):
        rows += [(cat, "BB")] * bb + [(cat, "A")] * a
    d = pd.DataFrame(rows, columns=["category", "grade"])
    t = share_by_group(d, group="category", outcome="grade", success={"A"}, label="A").set_index("group")
    assert t.loc["Dinas", ["successes", "n", "rest_successes", "rest_n"]].tolist() == [6, 17, 4, 12]
    assert t.loc["Dinas", "p_value"] == pytest.approx(r_value("fisher.dinas_vs_rest_2020"), abs=1e-12)
    assert t.loc["all", "estimate"] == pytest.approx(10 / 29)
    assert t.loc["Inspektorat", "note"].startswith(TOO_FEW)
    assert "no share" in t.loc["Inspektorat", "note"]  # one unit: nothing detectable
    assert np.isnan(t.loc["Inspektorat", "detectable_high"])
    # Dinas against the other 12 units (4 of 12 A): the share the test detects 80% of the time
    lo, hi = detectable_share(17, 12, 4 / 12)
    assert t.loc["Dinas", "detectable_high"] == hi and t.loc["Dinas", "detectable_low"] == lo or np.isnan(lo)
    assert t.loc["Dinas", "statistic"] == "share A"


def brute_force_power(n1, n2, p1, p2, alpha=0.05):
    total = 0.0
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            if stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue <= alpha:
                total += stats.binom.pmf(x1, n1, p1) * stats.binom.pmf(x2, n2, p2)
    return total


@pytest.mark.parametrize(
    "n1, n2, p1, p2", [(4, 25, 0.9, 0.3), (17, 12, 0.8, 0.33), (3, 3, 1.0, 0.0), (10, 10, 0.5, 0.5)]
)
def test_fisher_power_equals_brute_force_with_scipy(n1, n2, p1, p2):
    assert fisher_power(n1, n2, p1, p2) == pytest.approx(brute_force_power(n1, n2, p1, p2), abs=1e-12)


def test_fisher_power_agrees_with_simulation_and_with_normal_theory_for_large_n():
    rng = np.random.default_rng(11)
    n1, n2, p1, p2, b = 17, 12, 0.75, 0.3, 1500
    x1, x2 = rng.binomial(n1, p1, b), rng.binomial(n2, p2, b)
    rej = np.mean([stats.fisher_exact([[a, n1 - a], [c, n2 - c]]).pvalue <= 0.05 for a, c in zip(x1, x2)])
    pw = fisher_power(n1, n2, p1, p2)
    assert abs(rej - pw) < 4 * math.sqrt(pw * (1 - pw) / b)
    # large n: close to the normal approximation (Cohen's h, statsmodels)
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    h = proportion_effectsize(0.5, 0.35)
    normal = NormalIndPower().power(h, nobs1=200, alpha=0.05, ratio=1.0)
    assert fisher_power(200, 200, 0.5, 0.35) == pytest.approx(normal, abs=0.04)


def test_detectable_share_is_the_edge_of_80_percent_power():
    lo, hi = detectable_share(17, 12, 1 / 3)
    assert fisher_power(17, 12, hi, 1 / 3) >= 0.8 > fisher_power(17, 12, hi - 0.001, 1 / 3)
    if np.isfinite(lo):
        assert fisher_power(17, 12, lo, 1 / 3) >= 0.8 > fisher_power(17, 12, lo + 0.001, 1 / 3)
    assert detectable_share(1, 28, 0.3) == (pytest.approx(np.nan, nan_ok=True), pytest.approx(np.nan, nan_ok=True))
    big_lo, big_hi = detectable_share(60, 60, 0.5)
    assert big_hi - 0.5 < hi - 1 / 3  # more units, smaller detectable difference


# ----------------------------------------------------------------------------------------
# Scores: omnibus tests, effect sizes, pairwise comparisons
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit_scores():
    return pd.read_csv(FOLDER / "unit_scores.csv", dtype={"unit_id": "string", "category": "string"})


def test_score_tests_match_r(unit_scores):
    t = score_tests(unit_scores, n_perm=0, n_boot=0).set_index("statistic")
    assert_r(t.loc["Welch ANOVA", "estimate"], "welch.F")
    assert_r(t.loc["Welch ANOVA", "df2"], "welch.df2")
    assert_r(t.loc["Welch ANOVA", "p_value"], "welch.p")
    assert_r(t.loc["Kruskal-Wallis", "estimate"], "kw.H")
    assert_r(t.loc["Kruskal-Wallis", "p_value"], "kw.p")
    assert_r(t.loc["omega squared", "estimate"], "anova.omega2")
    assert_r(t.loc["epsilon squared", "estimate"], "anova.epsilon2")
    assert t.loc["epsilon squared (ranks)", "estimate"] == pytest.approx(r_value("kw.H") / (len(unit_scores) - 1))
    assert (t["n"] == 21).all() and (t["n_groups"] == 4).all()


def test_score_tests_effect_sizes_from_statsmodels_anova_table(unit_scores):
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    a = anova_lm(smf.ols("score ~ C(category)", data=unit_scores.astype({"category": object})).fit())
    ssb, ssw, dfb, msw = a["sum_sq"].iloc[0], a["sum_sq"].iloc[1], a["df"].iloc[0], a["mean_sq"].iloc[1]
    t = score_tests(unit_scores, n_perm=0, n_boot=0).set_index("statistic")
    assert t.loc["omega squared", "estimate"] == pytest.approx((ssb - dfb * msw) / (ssb + ssw + msw), rel=1e-12)
    assert t.loc["epsilon squared", "estimate"] == pytest.approx((ssb - dfb * msw) / (ssb + ssw), rel=1e-12)


def test_permutation_statistics_are_the_peer_statistics(unit_scores):
    """The vectorised Welch F and H used for the permutations equal statsmodels' and
    scipy's on relabelled data."""
    from statsmodels.stats.oneway import anova_oneway

    from kinerja.stats.compare import _perm_stat

    x = unit_scores["score"].to_numpy()
    levels = sorted(unit_scores["category"].unique())
    codes = np.array([levels.index(c) for c in unit_scores["category"]])
    for kind in ("welch", "kw"):
        got = _perm_stat(x, codes, 4, 5, np.random.default_rng(3), kind)
        rng = np.random.default_rng(3)
        perm = np.argsort(rng.random((5, len(x))), axis=1)
        for b in range(5):
            lab = codes[perm[b]]
            groups = [x[lab == j] for j in range(4)]
            want = anova_oneway(groups, use_var="unequal").statistic if kind == "welch" else stats.kruskal(*groups)[0]
            assert got[b] == pytest.approx(want, rel=1e-10)


def test_permutation_p_values_agree_with_scipy_permutation_test(unit_scores):
    from statsmodels.stats.oneway import anova_oneway

    t = score_tests(unit_scores, n_perm=4000, n_boot=0, seed=5).set_index("statistic")
    levels = sorted(unit_scores["category"].unique())
    groups = [unit_scores.loc[unit_scores["category"] == g, "score"].to_numpy() for g in levels]

    def welch(*gs):
        return anova_oneway(list(gs), use_var="unequal").statistic

    ref = stats.permutation_test(
        groups, welch, permutation_type="independent", n_resamples=4000, alternative="greater", rng=9
    ).pvalue
    p = t.loc["Welch ANOVA (permutation)", "p_value"]
    assert abs(p - ref) < 4 * math.sqrt(2 * ref * (1 - ref) / 4000)


def test_effect_size_cis_are_seeded_and_cover_the_estimate(unit_scores):
    a = score_tests(unit_scores, n_perm=200, n_boot=500, seed=1)
    b = score_tests(unit_scores, n_perm=200, n_boot=500, seed=1)
    pd.testing.assert_frame_equal(a, b)
    es = a[a["statistic"].isin(["omega squared", "epsilon squared", "epsilon squared (ranks)"])]
    assert (es["ci_low"] <= es["estimate"]).all() and (es["estimate"] <= es["ci_high"]).all()
    assert es["method"].str.contains("bootstrap CI").all()


def test_negative_omega_squared_is_reported_as_zero_with_its_raw_value():
    # three groups with almost the same means: the raw omega^2 and epsilon^2 fall below 0
    d = pd.DataFrame({"category": list("aaaabbbbcccc"), "score": [70, 75, 72, 77, 71, 76, 73, 74, 72, 75, 70, 77.0]})
    t = score_tests(d, n_perm=0, n_boot=400, seed=2).set_index("statistic")
    for s in ("omega squared", "epsilon squared"):
        assert t.loc[s, "estimate"] == 0.0 and "below 0" in t.loc[s, "note"]
        assert t.loc[s, "ci_low"] == 0.0 <= t.loc[s, "ci_high"]


def test_small_groups_are_named_not_pooled(unit_scores):
    d = pd.concat(
        [
            unit_scores,
            pd.DataFrame(
                {
                    "unit_id": ["insp", "kan1", "kan2"],
                    "category": ["Inspektorat", "Kantor", "Kantor"],
                    "score": [90.0, 60, 61],
                }
            ),
        ]
    )
    t = score_tests(d, n_perm=0, n_boot=0)
    assert (t["n"] == 21).all() and (t["n_groups"] == 4).all()
    assert t["note"].str.contains(f"{TOO_FEW} in Inspektorat \\(1\\), Kantor \\(2\\)").all()
    ok, few = eligible_groups(d, group="category")
    assert few == {"Inspektorat": 1, "Kantor": 2} and "Dinas" in ok
    # the same numbers as without them: not pooled into another group
    base = score_tests(unit_scores, n_perm=0, n_boot=0)
    pd.testing.assert_series_equal(t["estimate"], base["estimate"])


def test_score_tests_degenerate_inputs():
    one_group = pd.DataFrame({"category": ["a"] * 5 + ["b"], "score": [1, 2, 3, 4, 5, 6.0]})
    t = score_tests(one_group, n_perm=10, n_boot=10)
    assert t["estimate"].isna().all() and t["note"].str.contains("fewer than 2 groups").all()
    constant = pd.DataFrame({"category": ["a"] * 3 + ["b"] * 3, "score": [70, 70, 70, 71, 72, 73.0]})
    t = score_tests(constant, n_perm=50, n_boot=50, seed=1).set_index("statistic")
    assert np.isnan(t.loc["Welch ANOVA", "estimate"]) and "same score" in t.loc["Welch ANOVA", "note"]
    assert np.isfinite(t.loc["Kruskal-Wallis", "estimate"])
    flat = pd.DataFrame({"category": ["a"] * 3 + ["b"] * 3, "score": [70.0] * 6})
    t = score_tests(flat, n_perm=50, n_boot=50, seed=1)
    assert t["estimate"].isna().all()
    with pytest.raises(CompareInputError, match="score"):
        score_tests(pd.DataFrame({"category": ["a"], "points": [1.0]}))
    with pytest.raises(CompareInputError, match="not numeric"):
        score_tests(pd.DataFrame({"category": ["a", "b"], "score": ["x", "1"]}))


def test_pairwise_welch_tests_match_r(unit_scores):
    t = pairwise_tests(unit_scores, n_perm=0, n_boot=0).set_index(["group_a", "group_b"])
    assert len(t) == 6
    for (a, b), r in t.iterrows():
        assert_r(r["p_value"], f"welch_t.{a}.{b}.p")
        assert_r(r["p_adjusted"], f"welch_t.{a}.{b}.p_holm")
    r = t.loc[("Badan", "Dinas")]
    for col, key in (("t", "t"), ("df", "df"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
        assert_r(r[col], f"welch_t.Badan.Dinas.{key}")
    xa = unit_scores.loc[unit_scores["category"] == "Badan", "score"]
    xb = unit_scores.loc[unit_scores["category"] == "Dinas", "score"]
    assert r["estimate"] == pytest.approx(xa.mean() - xb.mean())
    assert r["p_value"] == pytest.approx(stats.ttest_ind(xa, xb, equal_var=False).pvalue, rel=1e-12)  # scipy peer


def test_holm_equals_statsmodels_multipletests():
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(5)
    cases = [
        [0.01],
        [0.5, 0.5, 0.01, 1.0],
        [0.04, 0.01, 0.03, 0.03, 0.2],
        rng.uniform(0, 0.2, 30),
        rng.uniform(0, 1, 7),
    ]
    for p in cases:  # few cases: statsmodels runs gc.collect() on every Holm call
        assert compare.holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-15)


def test_pairwise_permutation_and_cliffs_delta_against_scipy(unit_scores):
    t = pairwise_tests(unit_scores, n_perm=2000, n_boot=300, seed=4).set_index(["group_a", "group_b"])
    for (a, b), r in t.iterrows():
        xa = unit_scores.loc[unit_scores["category"] == a, "score"].to_numpy()
        xb = unit_scores.loc[unit_scores["category"] == b, "score"].to_numpy()
        exact = stats.permutation_test(  # |difference| as the statistic: the two-sided test we report
            (xa, xb),
            lambda x, y: abs(np.mean(x) - np.mean(y)),
            permutation_type="independent",
            n_resamples=np.inf,
            alternative="greater",
        ).pvalue
        assert r["p_perm"] == pytest.approx(exact, rel=1e-9)  # every split enumerated
        u = stats.mannwhitneyu(xa, xb).statistic
        assert r["cliffs_delta"] == pytest.approx(2 * u / (len(xa) * len(xb)) - 1, rel=1e-12)
        assert r["delta_ci_low"] <= r["cliffs_delta"] <= r["delta_ci_high"]
    assert t["method"].str.contains("exact over all").all()
    assert (t["p_perm_adjusted"] >= t["p_perm"]).all()


def test_permutation_test_monte_carlo_branch():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 20), rng.normal(0.8, 1, 20)
    p_mc, m, exact = permutation_test(x, y, n_perm=3000, seed=2, max_exact=10)
    assert not exact and m == 3000
    ref = stats.permutation_test(
        (x, y),
        lambda a, b: abs(np.mean(a) - np.mean(b)),
        permutation_type="independent",
        n_resamples=20000,
        alternative="greater",
        rng=1,
    ).pvalue
    assert abs(p_mc - ref) < 4 * math.sqrt(ref * (1 - ref) / 3000) + 1e-3
    assert permutation_test([], [1.0])[0] != permutation_test([], [1.0])[0]  # NaN


def test_cliffs_delta_edges():
    full = cliffs_delta([5, 6, 7], [1, 2], n_boot=200, seed=1).iloc[0]
    assert full["estimate"] == 1.0 and full["n"] == 5
    one = cliffs_delta([5.0], [1, 2, 3, 6], n_boot=200, seed=1).iloc[0]
    assert one["estimate"] == pytest.approx(0.5) and "fewer than 3" in one["note"]
    none = cliffs_delta([], [1.0]).iloc[0]
    assert np.isnan(none["estimate"]) and "no units" in none["note"]


def test_cliffs_delta_says_why_an_interval_has_no_width_and_what_it_left_out():
    """A zero-width CI had no note; NaN was dropped without a word and inf with it,
    although an infinite value is simply the largest."""
    apart = cliffs_delta([5, 6, 7], [1, 2, 3], n_boot=300, seed=1).iloc[0]
    assert apart["ci_low"] == apart["ci_high"] == 1.0
    assert "zero width (the groups do not overlap" in apart["note"]
    same = cliffs_delta([1, 1, 1], [1, 1, 1], n_boot=300, seed=1).iloc[0]
    assert same["ci_low"] == same["ci_high"] == 0.0 and "zero width (the units are alike)" in same["note"]
    r = cliffs_delta([1, np.nan, 3, np.inf], [2, 2, 2], n_boot=0).iloc[0]
    assert r["n"] == 6 and r["estimate"] == pytest.approx(1 / 3)  # inf above every 2, 1 below, 3 above
    assert "1 missing value(s) left out" in r["note"]


# ----------------------------------------------------------------------------------------
# Ordinal regression
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit_grades():
    g = pd.read_csv(FOLDER / "unit_grades.csv", dtype={"unit_id": "string", "category": "string"})
    g["grade"] = pd.Categorical(g["grade"], categories=["B", "BB", "A"], ordered=True)
    return g


def test_ordinal_regression_matches_r_polr(unit_grades):
    t = ordinal_regression(unit_grades, reference="Dinas").set_index("group")
    for g in ("Badan", "Kecamatan"):
        assert_r(t.loc[g, "coef"], f"polr.{g}.coef")
        assert_r(t.loc[g, "se"], f"polr.{g}.se")
        assert t.loc[g, "estimate"] == pytest.approx(math.exp(t.loc[g, "coef"]))
        assert t.loc[g, "ci_low"] < t.loc[g, "estimate"] < t.loc[g, "ci_high"]
    assert_r(t.loc["all", "estimate"], "polr.LR")
    assert t.loc["all", "df"] == 2 and t.loc["all", "n"] == 24
    # default reference: the largest group (Dinas, 10 units)
    assert ordinal_regression(unit_grades)["statistic"].iloc[0] == "odds ratio vs Dinas"


def test_ordinal_regression_with_two_levels_is_logistic_regression():
    import statsmodels.api as sm

    d = pd.DataFrame(
        {
            "category": ["D"] * 8 + ["B"] * 6 + ["K"] * 5,
            "grade": pd.Categorical(list("AABBBBBA") + list("AAABBA") + list("BBBAB"), ["B", "A"], ordered=True),
        }
    )
    t = ordinal_regression(d).set_index("group")
    x = pd.DataFrame({"B": (d["category"] == "B").astype(float), "K": (d["category"] == "K").astype(float)})
    logit = sm.Logit((d["grade"] == "A").astype(float), sm.add_constant(x)).fit(disp=False)
    for g in ("B", "K"):
        assert t.loc[g, "coef"] == pytest.approx(logit.params[g], abs=1e-5)
        assert t.loc[g, "se"] == pytest.approx(logit.bse[g], rel=1e-3)
    assert t.loc["all", "estimate"] == pytest.approx(logit.llr, abs=1e-6)


def test_ordinal_regression_separation_small_groups_and_one_grade(unit_grades):
    d = pd.concat(
        [
            unit_grades,
            pd.DataFrame({"unit_id": ["s1", "s2", "s3", "i1"], "category": ["Sek"] * 3 + ["Insp"], "grade": ["A"] * 4}),
        ]
    )
    d["grade"] = pd.Categorical(d["grade"], categories=["B", "BB", "A"], ordered=True)
    t = ordinal_regression(d).set_index("group")
    assert "separation" in t.loc["Sek", "note"] and np.isnan(t.loc["Sek", "estimate"])
    assert t.loc["Insp", "note"].startswith(TOO_FEW)
    # the groups in the fit are estimated as without the left-out ones
    assert t.loc["Badan", "coef"] == pytest.approx(r_value("polr.Badan.coef"), abs=1e-5)
    same = d.assign(grade=pd.Categorical(["A"] * len(d), categories=["B", "BB", "A"], ordered=True))
    t = ordinal_regression(same).set_index("group")
    assert t["estimate"].isna().all() and t["note"].drop("Insp").str.contains("same grade").all()
    with pytest.raises(CompareInputError, match="not ordered"):
        ordinal_regression(d.assign(grade=d["grade"].astype(str)))


# ----------------------------------------------------------------------------------------
# Mixed models: unadjusted and adjusted group effects
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def juror_scores():
    return pd.read_csv(
        FOLDER / "juror_scores.csv", dtype={"subject_id": "string", "category": "string", "juror_id": "string"}
    )


def test_group_effects_match_r_lmer(juror_scores):
    t = group_effects(juror_scores, reference="Dinas")
    for model, key in (("adjusted", "adj"), ("unadjusted", "unadj")):
        m = t[(t["model"] == model)].set_index("group")
        for g in ("Badan", "Kecamatan"):
            assert_r(m.loc[g, "estimate"], f"lmer.{key}.{g}")
            assert_r(m.loc[g, "se"], f"lmer.{key}.{g}.se")
        assert m.loc["all", "statistic"] == "Wald test" and m.loc["all", "df"] == 2
        assert (m["n"].drop("all") == 5).all() and m.loc["all", "n"] == 15
    adj = t[t["model"] == "adjusted"].iloc[0]
    assert_r(adj["unit_sd"], "lmer.adj.sd_unit")
    assert_r(adj["juror_sd"], "lmer.adj.sd_juror")
    assert adj["n_obs"] == len(juror_scores) and adj["n_jurors"] == 6


def test_group_effects_match_statsmodels_mixedlm(juror_scores):
    import statsmodels.formula.api as smf

    d = juror_scores.astype({"category": object, "subject_id": object, "juror_id": object})
    t = group_effects(juror_scores, reference="Dinas")
    # unadjusted: random unit intercept (statsmodels MixedLM, REML)
    m0 = smf.mixedlm("score ~ C(category, Treatment('Dinas'))", d, groups="subject_id").fit(reml=True)
    un = t[t["model"] == "unadjusted"].set_index("group")
    for g in ("Badan", "Kecamatan"):
        name = f"C(category, Treatment('Dinas'))[T.{g}]"
        assert un.loc[g, "estimate"] == pytest.approx(m0.params[name], abs=1e-4)
        assert un.loc[g, "se"] == pytest.approx(m0.bse[name], rel=1e-3)
    # adjusted: crossed unit and juror intercepts as variance components in one group
    d["one"] = 1
    m1 = smf.mixedlm(
        "score ~ C(category, Treatment('Dinas'))",
        d,
        groups="one",
        re_formula="0",
        vc_formula={"unit": "0 + C(subject_id)", "juror": "0 + C(juror_id)"},
    ).fit(reml=True)
    adj = t[t["model"] == "adjusted"].set_index("group")
    for g in ("Badan", "Kecamatan"):
        name = f"C(category, Treatment('Dinas'))[T.{g}]"
        assert adj.loc[g, "estimate"] == pytest.approx(m1.params[name], abs=1e-3)
        assert adj.loc[g, "se"] == pytest.approx(m1.bse[name], rel=1e-2)


def test_group_effects_degenerate(juror_scores):
    small = juror_scores[~juror_scores["subject_id"].isin(["u11", "u12", "u13"])]  # Kecamatan: 2 units
    t = group_effects(small)
    kec = t[t["group"] == "Kecamatan"]
    assert len(kec) == 2 and kec["note"].str.startswith(TOO_FEW).all() and kec["estimate"].isna().all()
    one_juror = juror_scores[juror_scores["juror_id"] == "J1"]
    t = group_effects(one_juror)
    adj = t[t["model"] == "adjusted"]
    assert adj["estimate"].isna().all() and adj["note"].str.contains("one juror").all()
    assert t[t["model"] == "unadjusted"]["estimate"].notna().any()
    only = juror_scores[juror_scores["category"] == "Dinas"]
    t = group_effects(only)
    assert t["estimate"].isna().all() and t["note"].str.contains("fewer than 2 groups").all()


def test_unit_means_counts_jurors_and_leaves_out_missing():
    d = pd.DataFrame(
        {"subject_id": ["a", "a", "a", "b"], "juror_id": ["J1", "J2", "J3", "J1"], "score": [70, 80, np.nan, 60.0]}
    )
    m = unit_means(d).set_index("subject_id")
    assert m.loc["a", "score"] == 75 and m.loc["a", "n_jurors"] == 2 and m.loc["b", "n_jurors"] == 1


# ----------------------------------------------------------------------------------------
# Validation by simulation (an independent scorer, not kinerja.synth)
# ----------------------------------------------------------------------------------------


def simulate(
    rng,
    *,
    sizes=(10, 10, 10),
    effects=(0.0, 0.0, 0.0),
    n_jurors=5,
    unit_sd=3.0,
    juror_sd=3.0,
    noise_sd=4.0,
    harsh=None,
):
    """Juror scores of units in categories c0, c1, ...: score = 75 + category effect +
    unit effect + juror severity + noise. Every juror scores every unit unless
    ``harsh = (category, n_harsh, shift, per_unit)``: then ``n_harsh`` jurors are
    ``shift`` points harsher, every unit of that category is scored by ``per_unit``
    harsh jurors and one ordinary juror, and every other unit by one harsh juror and
    ``per_unit`` ordinary ones (so harsh jurors also meet the other categories)."""
    severity = rng.normal(0, juror_sd, n_jurors)
    rows = []
    unit = 0
    for c, (size, eff) in enumerate(zip(sizes, effects)):
        for _ in range(size):
            u_eff = rng.normal(0, unit_sd)
            if harsh is None:
                jurors = range(n_jurors)
            else:
                cat, n_harsh, shift, per_unit = harsh
                harsh_ids, ordinary = np.arange(n_harsh), np.arange(n_harsh, n_jurors)
                if c == cat:
                    jurors = list(rng.choice(harsh_ids, per_unit, replace=False)) + list(rng.choice(ordinary, 1))
                else:
                    jurors = list(rng.choice(harsh_ids, 1)) + list(rng.choice(ordinary, per_unit, replace=False))
            for j in jurors:
                shift_j = harsh[2] if harsh is not None and j < harsh[1] else 0.0
                rows.append(
                    dict(
                        subject_id=f"u{unit:03d}",
                        category=f"c{c}",
                        juror_id=f"J{j:02d}",
                        score=75 + eff + u_eff + severity[j] + shift_j + rng.normal(0, noise_sd),
                    )
                )
            unit += 1
    return pd.DataFrame(rows)


def test_planted_category_effect_is_recovered():
    rng = np.random.default_rng(2024)
    d = simulate(rng, sizes=(12, 10, 8), effects=(0.0, 6.0, -4.0))
    t = group_effects(d, reference="c0")
    adj = t[t["model"] == "adjusted"].set_index("group")
    assert adj.loc["c1", "ci_low"] < 6 < adj.loc["c1", "ci_high"]
    assert adj.loc["c2", "ci_low"] < -4 < adj.loc["c2", "ci_high"]
    assert adj.loc["all", "p_value"] < 0.01
    units = unit_means(d, by=["category"])
    tests = score_tests(units, n_perm=999, n_boot=0, seed=1).set_index("statistic")
    assert tests.loc["Welch ANOVA", "p_value"] < 0.01 and tests.loc["Welch ANOVA (permutation)", "p_value"] < 0.01
    pw = pairwise_tests(units, n_perm=999, n_boot=0, seed=1).set_index(["group_a", "group_b"])
    assert pw.loc[("c0", "c1"), "ci_low"] < -6 < pw.loc[("c0", "c1"), "ci_high"]


def test_no_effect_keeps_the_level_of_the_unit_level_tests():
    """Under no category effect, 200 simulated evaluations: each test rejects at 5% in
    about 5% of them (99% binomial band; the exact grade test may be conservative)."""
    rng = np.random.default_rng(99)
    n_sim = 200
    rej = {"Welch ANOVA": 0, "Kruskal-Wallis": 0, "grades": 0}
    for _ in range(n_sim):
        d = simulate(rng, sizes=(10, 8, 6), n_jurors=4)
        units = unit_means(d, by=["category"])
        t = score_tests(units, n_perm=0, n_boot=0).set_index("statistic")
        rej["Welch ANOVA"] += t.loc["Welch ANOVA", "p_value"] <= 0.05
        rej["Kruskal-Wallis"] += t.loc["Kruskal-Wallis", "p_value"] <= 0.05
        units["grade"] = np.where(units["score"] > units["score"].median(), "A", "BB")
        tab = contingency_table(units, row="category", col="grade")
        rej["grades"] += exact_test(tab).loc[0, "p_value"] <= 0.05
    lo, hi = stats.binom.ppf([0.005, 0.995], n_sim, 0.05) / n_sim
    assert lo <= rej["Welch ANOVA"] / n_sim <= hi, rej
    assert lo <= rej["Kruskal-Wallis"] / n_sim <= hi, rej
    assert rej["grades"] / n_sim <= hi, rej  # an exact conditional test never exceeds its level


@pytest.mark.slow
def test_no_effect_keeps_the_level_of_the_adjusted_model_and_permutation_test():
    rng = np.random.default_rng(7)
    n_sim = 300
    rej_mixed = rej_perm = 0
    for _ in range(n_sim):
        d = simulate(rng, sizes=(10, 8, 6), n_jurors=5)
        t = group_effects(d)
        rej_mixed += t[(t["model"] == "adjusted") & (t["group"] == "all")]["p_value"].iloc[0] <= 0.05
        units = unit_means(d, by=["category"])
        s = score_tests(units, n_perm=499, n_boot=0, seed=rng).set_index("statistic")
        rej_perm += s.loc["Welch ANOVA (permutation)", "p_value"] <= 0.05
    lo, hi = stats.binom.ppf([0.005, 0.995], n_sim, 0.05) / n_sim
    assert lo <= rej_perm / n_sim <= hi
    # Wald z with 24 units is somewhat liberal; it must stay within reach of 5%
    assert lo <= rej_mixed / n_sim <= hi + 0.03, rej_mixed / n_sim


def test_harsh_jurors_pose_as_a_category_effect_only_without_juror_adjustment():
    """Three jurors 10 points harsher than the rest score most units of c1: the
    unadjusted comparison finds c1 weaker, the adjusted model does not."""
    rng = np.random.default_rng(31)
    d = simulate(rng, sizes=(15, 15, 15), n_jurors=9, unit_sd=2.0, juror_sd=1.0, noise_sd=3.0, harsh=(1, 3, -10.0, 3))
    t = group_effects(d, reference="c0")
    un = t[t["model"] == "unadjusted"].set_index("group")
    adj = t[t["model"] == "adjusted"].set_index("group")
    # expected confounded shift: c1 gets 3 of 4 harsh scores, c0 gets 1 of 4 -> -5 points
    assert un.loc["c1", "ci_high"] < 0 and un.loc["c1", "p_value"] < 0.001
    assert un.loc["c1", "estimate"] == pytest.approx(-5, abs=2)
    assert adj.loc["c1", "ci_low"] < 0 < adj.loc["c1", "ci_high"]
    assert abs(adj.loc["c1", "estimate"]) < 1.5
    assert adj.loc["all", "p_value"] > 0.05
    # the unit-level Welch test (no juror adjustment possible) is fooled too
    s = score_tests(unit_means(d, by=["category"]), n_perm=0, n_boot=0).set_index("statistic")
    assert s.loc["Welch ANOVA", "p_value"] < 0.01


@pytest.mark.slow
def test_planted_category_effect_is_recovered_from_kinerja_synth():
    """kinerja.synth with a large category effect in an unconditioned year: the adjusted
    model recovers the planted difference Badan - Dinas."""
    from kinerja import synth
    from kinerja.paths import DATA_DIR
    from kinerja.rubrics import juror_measures

    cfg = synth.SynthConfig(
        years=(2020, 2021),
        category_effect={
            "Sekretariat": 0.0,
            "Inspektorat": 0.0,
            "Dinas": 0.0,
            "Badan": 8.0,
            "Kantor": 0.0,
            "Satpol PP": 0.0,
            "Kecamatan": -6.0,
            "BUMD": 0.0,
        },
    )
    res = synth.generate(DATA_DIR / "batu" / "record", cfg)
    sc, rub = res.tables["scores"], res.tables["rubric"]
    sc = sc[(sc["year"] == 2021) & (sc["evaluation"] == "sakip")]
    m = juror_measures(sc, rub[rub["year"] == 2021])
    tot = m[m["measure"] == "total"].merge(
        res.tables["units"].query("year == 2021")[["unit_id", "category"]], left_on="subject_id", right_on="unit_id"
    )
    t = group_effects(tot, reference="Dinas")
    adj = t[t["model"] == "adjusted"].set_index("group")
    # planted on true quality; unit effects (SD 4) add sampling error around it
    truth = res.truth["truth_totals"]
    truth = truth[truth["year"] == 2021]
    assert adj.loc["Badan", "ci_low"] < 8 < adj.loc["Badan", "ci_high"]
    assert adj.loc["Kecamatan", "ci_low"] < -6 < adj.loc["Kecamatan", "ci_high"]
    assert adj.loc["Badan", "estimate"] > 3 and adj.loc["Kecamatan", "estimate"] < -1
    assert set(truth["category"]) >= {"Badan", "Kecamatan", "Dinas"}


def test_freeman_halton_on_a_large_table_stays_within_memory():
    """5 categories x 6 grades of 198 units (a national-scale year): the network's first
    stage was built whole before its size was checked, 1.8 GB at one step, and the kernel
    ran the machine out of memory. It must fall back to Monte Carlo within 1 GB."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))
        from kinerja.stats.compare import freeman_halton
        t = [[7, 1, 8, 22, 0, 2], [13, 0, 24, 51, 1, 9], [2, 1, 7, 10, 0, 0], [5, 0, 4, 8, 0, 3], [9, 0, 5, 6, 0, 0]]
        r = freeman_halton(t, n_resamples=2000, seed=1)
        print(r.exact, 0 < r.p_value < 1)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "True"]


@pytest.mark.parametrize(
    "groups",
    [
        # a regency's year (sukamaju 2022): categories ordered without overlap
        {"Kecamatan": "C C C", "Kelurahan": "C D D D", "UPT": "C C C D", "Dinas": "B B B CC CC CC"},
        # celah 2019: the only CC category has no BB; the others only B and BB
        {"Kecamatan": "B B CC", "Badan": "B B BB BB", "Dinas": "B B B BB BB BB"},
    ],
)
def test_ordinal_regression_under_separation_beyond_the_ends_is_nan_with_reason(groups):
    """Only groups all at the lowest or all at the highest grade were caught; categories
    that hardly overlap otherwise made the fit fail (LinAlgError: singular matrix, or
    OverflowError in exp), and notebook 03 with it."""
    order = ["D", "C", "CC", "B", "BB"]
    d = pd.DataFrame([(g, x) for g, xs in groups.items() for x in xs.split()], columns=["category", "grade"]).assign(
        grade=lambda t: pd.Categorical(t["grade"], order, ordered=True)
    )
    res = ordinal_regression(d)
    ors = res[res["statistic"].str.startswith("odds ratio")]
    fitted = ors[ors["estimate"].notna()]
    assert np.isfinite(fitted[["estimate", "ci_low", "ci_high"]].to_numpy()).all()
    undefined = ors[ors["estimate"].isna()]
    assert len(undefined) and undefined["note"].str.len().gt(0).all()
    lr = res[res["statistic"] == "likelihood-ratio test"].iloc[0]
    assert np.isfinite(lr["estimate"]) or "separation" in lr["note"]
