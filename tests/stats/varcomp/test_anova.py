"""Henderson's method 1 / ANOVA variance components (kinerja.stats.varcomp._anova).

Checked three independent ways: (1) against the textbook closed form of the one-way
unbalanced case, (2) against Henderson's method 1 written in its original form as
quadratic forms y'P y with projection matrices and traces (dense linear algebra, no
shared code with the engine's cell counts and Moebius sums), and (3) on balanced data
against the sums of squares of statsmodels' sequential ANOVA (``anova_lm``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kinerja.stats.varcomp._anova import VarCompInputError, fit_anova


def _indicator(df: pd.DataFrame, cols) -> np.ndarray:
    key = df[list(cols)].astype(str).agg("|".join, axis=1)
    codes, uniq = pd.factorize(key)
    z = np.zeros((len(df), len(uniq)))
    z[np.arange(len(df)), codes] = 1.0
    return z


def henderson1_by_matrices(df: pd.DataFrame, response: str, terms: list[tuple[str, ...]]) -> np.ndarray:
    """Henderson (1953) method 1 as he wrote it: equate T = y'P y to its expectation.

    T terms: the mean (P = J/N), every term (P = Z (Z'Z)^-1 Z'), single observations
    (P = I). E[y'P y] = mu^2 1'P1 + sum_b sigma2_b tr(P Z_b Z_b') + sigma2_e tr(P).
    Unknowns: mu^2, the term variances, the residual. Returns (term variances..., residual).
    """
    y = df[response].to_numpy(float)
    n = len(y)
    zs = [_indicator(df, t) for t in terms]
    projs = [np.full((n, n), 1.0 / n)]
    for z in zs:
        projs.append(z @ np.diag(1.0 / z.sum(axis=0)) @ z.T)
    projs.append(np.eye(n))
    one = np.ones(n)
    a = np.array([[one @ p @ one] + [np.trace(p @ z @ z.T) for z in zs] + [np.trace(p)] for p in projs])
    t = np.array([y @ p @ y for p in projs])
    sol = np.linalg.solve(a, t)
    return sol[1:]


def test_one_way_unbalanced_matches_the_closed_form():
    # Searle, Casella & McCulloch (1992, sec. 3.5): sigma2_a = (MSA - MSE) / n0,
    # n0 = (N - sum n_i^2 / N) / (a - 1); sigma2_e = MSE.
    groups = {"a": [3.0, 5.0, 4.0], "b": [8.0, 9.0], "c": [1.0, 2.0, 2.0, 3.0], "d": [6.0]}
    df = pd.DataFrame([(g, v) for g, vals in groups.items() for v in vals], columns=["g", "y"])
    n_i = np.array([len(v) for v in groups.values()], float)
    big_n, a = n_i.sum(), len(n_i)
    means = np.array([np.mean(v) for v in groups.values()])
    grand = df["y"].mean()
    ssa = float(np.sum(n_i * (means - grand) ** 2))
    sse = float(sum(np.sum((np.array(v) - np.mean(v)) ** 2) for v in groups.values()))
    msa, mse = ssa / (a - 1), sse / (big_n - a)
    n0 = (big_n - np.sum(n_i**2) / big_n) / (a - 1)
    fit = fit_anova(df, response="y", random=["g"])
    comp = fit.components.set_index("component")
    assert fit.method == "henderson1" and not fit.balanced
    assert comp.loc["g", "ss"] == pytest.approx(ssa, rel=1e-12)
    assert comp.loc["residual", "ss"] == pytest.approx(sse, rel=1e-12)
    assert comp.loc["g", "df"] == a - 1 and comp.loc["residual", "df"] == big_n - a
    assert comp.loc["residual", "variance"] == pytest.approx(mse, rel=1e-12)
    assert comp.loc["g", "variance"] == pytest.approx((msa - mse) / n0, rel=1e-12)
    # E[MS_g] = sigma2_e + n0 sigma2_g
    assert fit.ems.loc["g", "g"] == pytest.approx(n0, rel=1e-12)
    assert fit.ems.loc["g", "residual"] == pytest.approx(1.0)


def _crossed_with_holes(seed: int, n_p=7, n_i=5, n_o=3, drop=0.25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p, i, o = np.meshgrid(np.arange(n_p), np.arange(n_i), np.arange(n_o), indexing="ij")
    y = (
        rng.normal(size=n_p)[p]
        + 0.7 * rng.normal(size=n_i)[i]
        + 0.4 * rng.normal(size=(n_p, n_i))[p, i]
        + rng.normal(size=p.shape)
    )
    df = pd.DataFrame({"p": p.ravel(), "i": i.ravel(), "o": o.ravel(), "y": y.ravel()})
    keep = rng.random(len(df)) > drop
    return df[keep].reset_index(drop=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unbalanced_crossed_matches_henderson_by_matrices(seed):
    df = _crossed_with_holes(seed)
    terms = [("p",), ("i",), ("o",), ("p", "i"), ("p", "o"), ("i", "o")]
    fit = fit_anova(df, response="y", random=terms)
    ref = henderson1_by_matrices(df, "y", terms)
    assert not fit.balanced and fit.method == "henderson1"
    np.testing.assert_allclose(fit.components["variance"].to_numpy(), ref, rtol=1e-8, atol=1e-10)


def test_unbalanced_nested_matches_henderson_by_matrices():
    # p x (i:h) with 2, 4 and 2 items in the three h and a few cells missing
    rng = np.random.default_rng(5)
    rows = [(p, h, i) for p in range(9) for h, k in enumerate([2, 4, 2]) for i in range(k)]
    df = pd.DataFrame(rows, columns=["p", "h", "i"])
    df["y"] = rng.normal(size=len(df)) + df["p"] * 0.3 + df["h"]
    df = df.drop(index=[3, 17, 40]).reset_index(drop=True)
    terms = [("p",), ("h",), ("i", "h"), ("p", "h")]
    fit = fit_anova(df, response="y", random=terms)
    ref = henderson1_by_matrices(df, "y", terms)
    np.testing.assert_allclose(fit.components["variance"].to_numpy(), ref, rtol=1e-8, atol=1e-10)


def test_balanced_sums_of_squares_match_statsmodels_anova_lm():
    # peer: statsmodels ols + anova_lm (sequential SS = the balanced ANOVA SS)
    from statsmodels.formula.api import ols
    from statsmodels.stats.anova import anova_lm

    df = _crossed_with_holes(3, n_p=6, n_i=4, n_o=3, drop=0.0)
    terms = [("p",), ("i",), ("o",), ("p", "i"), ("p", "o"), ("i", "o")]
    fit = fit_anova(df, response="y", random=terms)
    assert fit.balanced and fit.method == "anova"
    table = anova_lm(ols("y ~ C(p) + C(i) + C(o) + C(p):C(i) + C(p):C(o) + C(i):C(o)", df).fit())
    ref_ss = table["sum_sq"].to_numpy()
    ref_df = table["df"].to_numpy()
    np.testing.assert_allclose(fit.components["ss"].to_numpy(), ref_ss, rtol=1e-9)
    np.testing.assert_allclose(fit.components["df"].to_numpy(), ref_df)
    # balanced EMS coefficients (Brennan 2001, sec. 3.3): E MS(p) = pio + 3 pi + 4 po + 12 p
    ems = fit.ems.loc[("p",)[0]]
    assert ems.to_dict() == pytest.approx({"p": 12, "i": 0, "o": 0, "p:i": 3, "p:o": 4, "i:o": 0, "residual": 1})


def test_henderson_equals_anova_on_balanced_data():
    df = _crossed_with_holes(4, drop=0.0)
    terms = ["p", "i", ("p", "i")]
    a = fit_anova(df, response="y", random=terms)
    h = fit_anova(df, response="y", random=terms, method="henderson1")
    assert a.method == "anova" and h.method == "henderson1"
    pd.testing.assert_frame_equal(a.components, h.components)


def test_replicates_within_cells_form_the_residual():
    # two observations per p x i cell: the residual is within-cell, p:i is estimable
    rng = np.random.default_rng(0)
    p, i, r = np.meshgrid(np.arange(8), np.arange(3), np.arange(2), indexing="ij")
    y = rng.normal(size=8)[p] + rng.normal(size=(8, 3))[p, i] + 0.5 * rng.normal(size=p.shape)
    df = pd.DataFrame({"p": p.ravel(), "i": i.ravel(), "y": y.ravel()})
    fit = fit_anova(df, response="y", random=["p", "i", ("p", "i")])
    ref = henderson1_by_matrices(df, "y", [("p",), ("i",), ("p", "i")])
    np.testing.assert_allclose(fit.components["variance"].to_numpy(), ref, rtol=1e-8)
    assert fit.balanced and fit.components["df"].tolist() == [7, 2, 14, 24]


def test_a_facet_with_one_level_gives_nan_with_reasons():
    df = pd.DataFrame({"p": [1, 2, 3, 4], "i": ["a"] * 4, "y": [1.0, 2.0, 4.0, 3.0]})
    fit = fit_anova(df, response="y", random=["p", "i"])
    comp = fit.components.set_index("component")
    assert comp["variance"].isna().all()
    assert "not separable" in comp.loc["p", "note"] and "residual" in comp.loc["p", "note"]
    assert "zero degrees of freedom" in comp.loc["i", "note"]


def test_constant_response_gives_zero_components():
    df = pd.DataFrame({"p": [1, 1, 2, 2], "i": [1, 2, 1, 2], "y": [5.0] * 4})
    fit = fit_anova(df, response="y", random=["p", "i"])
    assert fit.components["variance"].tolist() == [0.0, 0.0, 0.0]
    assert "no variation" in fit.note


def test_missing_response_rows_are_counted_not_silently_dropped():
    df = pd.DataFrame({"p": [1, 1, 2, 2, 3, 3], "i": [1, 2] * 3, "y": [1.0, 2.0, np.nan, 3.0, 5.0, 5.5]})
    fit = fit_anova(df, response="y", random=["p", "i"])
    assert fit.n_obs == 5 and "1 row(s) with a missing 'y' left out" in fit.note


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"response": "nope", "random": ["p"]}, "column\\(s\\) not found"),
        ({"response": "y", "random": []}, "at least one term"),
        ({"response": "y", "random": ["p", ("p",)]}, "same columns"),
        ({"response": "y", "random": ["p"], "method": "ml"}, "method must be"),
        ({"response": "y", "random": [("p", 3)]}, "column name or a tuple"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, match):
    df = pd.DataFrame({"p": [1, 2], "y": [1.0, 2.0]})
    with pytest.raises(VarCompInputError, match=match):
        fit_anova(df, **kwargs)


def test_non_numeric_response_and_missing_term_value_name_the_row():
    df = pd.DataFrame({"p": [1, 2, None], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(VarCompInputError, match="column 'p' has a missing value in row 2"):
        fit_anova(df, response="y", random=["p"])
    df = pd.DataFrame({"p": [1, 2, 3], "y": ["1", "x", "3"]})
    with pytest.raises(VarCompInputError, match="row 1 holds 'x'"):
        fit_anova(df, response="y", random=["p"])
