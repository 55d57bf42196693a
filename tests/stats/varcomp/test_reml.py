"""Tests of kinerja.stats.varcomp.fit_reml, the one REML engine.

Three levels: published values (Brennan 2001 G-study components, where REML equals the
ANOVA estimates because the designs are balanced), a peer package (statsmodels MixedLM
with crossed variance components via ``vc_formula`` and a single group) and a direct
dense computation of the REML criterion, BLUPs and prediction error variances from
V = sum sigma_t^2 Z_t Z_t' + sigma^2 W^-1; then degenerate designs and invariances.
Any numpy/scipy warning is an error here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kinerja.stats.varcomp import VarCompInputError, _core, fit_anova, fit_reml

from ..agreement.reference import REFERENCE, close_at, load_expected

pytestmark = pytest.mark.filterwarnings("error")

GT = load_expected("gtheory_brennan2001")


def crossed(P=12, R=4, n_items=5, seed=0, missing=0.0, sd=(1.0, 0.5, 0.6, 0.6), fixed_shift=0.0):
    """p x r x i scores with p, r, i and p:r random effects; item as a fixed factor."""
    rng = np.random.default_rng(seed)
    p = np.repeat(np.arange(P), R * n_items)
    r = np.tile(np.repeat(np.arange(R), n_items), P)
    i = np.tile(np.arange(n_items), P * R)
    y = (
        sd[0] * rng.normal(size=P)[p]
        + sd[1] * rng.normal(size=R)[r]
        + sd[2] * rng.normal(size=P * R)[p * R + r]
        + sd[3] * rng.normal(size=len(p))
        + fixed_shift * i
    )
    df = pd.DataFrame(
        {
            "p": [f"p{v:02d}" for v in p],
            "r": [f"r{v}" for v in r],
            "i": [f"i{v}" for v in i],
            "y": y + rng.normal(size=len(p)),
        }
    )
    df = df.astype({"p": "string", "r": "string", "i": "string"})
    if missing:
        df = df[rng.random(len(df)) >= missing].reset_index(drop=True)
    return df


def mixedlm(df, vc: dict, fixed="1"):
    smf = pytest.importorskip("statsmodels.formula.api")
    d = df.assign(g=1)
    for name, cols in vc.items():
        if len(cols) > 1:
            d[name] = d[list(cols)].astype(str).agg("|".join, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels convergence chatter
        model = smf.mixedlm(
            f"y ~ {fixed}",
            d,
            groups="g",
            re_formula="0",
            vc_formula={name: f"0 + C({name if len(cols) > 1 else cols[0]})" for name, cols in vc.items()},
        )
        res = model.fit(reml=True, method=["bfgs"], gtol=1e-10)
    return model, res


def dense_reference(df, random, fixed, fit, weights=None):
    """REML criterion, GLS covariance of beta and BLUP PEVs from V built densely."""
    n = len(df)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    comp = fit.components.set_index("component")["variance"]
    s2 = comp["residual"]
    zs, gdiag = [], []
    for term in random:
        cols = (term,) if isinstance(term, str) else term
        key = df[list(cols)].astype(str).agg("|".join, axis=1)
        codes, _ = pd.factorize(key, sort=True)
        z = np.zeros((n, codes.max() + 1))
        z[np.arange(n), codes] = 1.0
        zs.append(z)
        gdiag.append(np.full(z.shape[1], comp[":".join(cols)]))
    Z = np.hstack(zs)
    G = np.concatenate(gdiag)
    cols = [np.ones(n)]
    for f in fixed or []:
        lv = sorted(df[f].unique())
        cols += [(df[f] == v).to_numpy(float) for v in lv[1:]]
    X = np.column_stack(cols)
    V = (Z * G) @ Z.T + np.diag(s2 / w)
    Vi = np.linalg.inv(V)
    xvx = X.T @ Vi @ X
    cov_b = np.linalg.inv(xvx)
    y = df["y"].to_numpy(float)
    P = Vi - Vi @ X @ cov_b @ X.T @ Vi
    nu = n - X.shape[1]
    dev = np.linalg.slogdet(V)[1] + np.linalg.slogdet(xvx)[1] + y @ P @ y + nu * np.log(2 * np.pi)
    beta = cov_b @ X.T @ Vi @ y
    blup = G * (Z.T @ P @ y)
    pev = G - (G[:, None] * (Z.T @ P @ Z)) * G[None, :]
    cond = G - (G[:, None] * (Z.T @ Vi @ Z)) * G[None, :]
    return dict(
        dev=dev, beta=beta, cov_b=cov_b, blup=blup, pev=np.diag(pev), cond=np.diag(cond), sizes=[z.shape[1] for z in zs]
    )


# --------------------------------------------------------------------------------------
# Published values: Brennan (2001) G studies (balanced: REML = ANOVA estimates)
# --------------------------------------------------------------------------------------


def test_brennan_synthetic4_p_x_r_in_t():
    # Brennan (2001) Table 3.2 synthetic data No. 4, design p x (r:t); components from
    # his Table 3.3 (ANOVA/EMS) as stored in expected.json. The design is balanced and
    # every estimate is positive, so REML must reproduce them.
    df = pd.read_csv(REFERENCE / "gtheory_brennan2001" / "synthetic4_p_x_RT_long.csv")
    fit = fit_reml(df, response="Score", random=["Person", "Task", ("Rater", "Task"), ("Person", "Task")])
    comp = fit.components.set_index("component")["variance"]
    pairs = {
        "syn4.vc.person": "Person",
        "syn4.vc.t": "Task",
        "syn4.vc.r:t": "Rater:Task",
        "syn4.vc.person x t": "Person:Task",
        "syn4.vc.person x (r:t)": "residual",
    }
    for key, label in pairs.items():
        e = GT[key]
        assert close_at(comp[label], e["value"], e["decimals"]), (key, comp[label], e["value"])
    assert fit.converged and fit.note == ""
    # Expected-mean-square identities of the balanced design, from the published MS:
    # sigma2(p) = (MS_p - MS_pt) / (n_r n_t); its exact sampling variance
    # 2/(n_r n_t)^2 [MS_p^2/df_p + MS_pt^2/df_pt] is what the REML information gives.
    ms_p, ms_pt = GT["syn4.ms.person"]["value"], GT["syn4.ms.person x t"]["value"]
    se_p = np.sqrt(2 / 12**2 * (ms_p**2 / 9 + ms_pt**2 / 18))
    assert fit.components_se["Person"] == pytest.approx(se_p, rel=1e-3)  # MS published to 4 decimals
    # residual: exact chi-square interval on df = 81
    ms_e = comp["residual"]
    lo, hi = fit.components.set_index("component").loc["residual", ["ci_low", "ci_high"]]
    assert lo == pytest.approx(81 * ms_e / stats.chi2.ppf(0.975, 81), rel=1e-6)
    assert hi == pytest.approx(81 * ms_e / stats.chi2.ppf(0.025, 81), rel=1e-6)


def test_huynh_p_x_i():
    # Huynh (1977) 10 persons x 12 dichotomous items, as reported in Brennan (2001).
    wide = pd.read_csv(REFERENCE / "gtheory_brennan2001" / "huynh1977_p_x_i_wide.csv")
    long = wide.melt("Person", var_name="item", value_name="score")
    fit = fit_reml(long, response="score", random=["Person", "item"])
    comp = fit.components.set_index("component")["variance"]
    for key, label in (
        ("huynh.vc.person", "Person"),
        ("huynh.vc.item", "item"),
        ("huynh.vc.person x item", "residual"),
    ):
        e = GT[key]
        assert close_at(comp[label], e["value"], e["decimals"]), (key, comp[label])
    # G coefficient for 12 items from these components (Brennan's E rho^2 = 0.844)
    e = GT["huynh.Erho2.ni12"]
    assert close_at(comp["Person"] / (comp["Person"] + comp["residual"] / 12), e["value"], e["decimals"])


def test_reml_equals_anova_on_balanced_crossed_design():
    # p x r x i with one observation per cell: ANOVA components from mean squares
    rng = np.random.default_rng(11)
    P, R, NI = 15, 4, 6
    y = (
        rng.normal(size=(P, 1, 1))
        + 0.6 * rng.normal(size=(1, R, 1))
        + 0.7 * rng.normal(size=(1, 1, NI))
        + 0.5 * rng.normal(size=(P, R, 1))
        + 0.6 * rng.normal(size=(P, 1, NI))
        + 0.4 * rng.normal(size=(1, R, NI))
        + rng.normal(size=(P, R, NI))
    )
    idx = np.indices(y.shape).reshape(3, -1)
    df = pd.DataFrame({"p": idx[0], "r": idx[1], "i": idx[2], "y": y.ravel()})
    m = y.mean()
    mp, mr, mi = y.mean((1, 2)), y.mean((0, 2)), y.mean((0, 1))
    mpr, mpi, mri = y.mean(2), y.mean(1), y.mean(0)
    ms = {
        "p": R * NI * ((mp - m) ** 2).sum() / (P - 1),
        "r": P * NI * ((mr - m) ** 2).sum() / (R - 1),
        "i": P * R * ((mi - m) ** 2).sum() / (NI - 1),
        "pr": NI * ((mpr - mp[:, None] - mr[None, :] + m) ** 2).sum() / ((P - 1) * (R - 1)),
        "pi": R * ((mpi - mp[:, None] - mi[None, :] + m) ** 2).sum() / ((P - 1) * (NI - 1)),
        "ri": P * ((mri - mr[:, None] - mi[None, :] + m) ** 2).sum() / ((R - 1) * (NI - 1)),
    }
    res = y - mpr[:, :, None] - mpi[:, None, :] - mri[None] + mp[:, None, None] + mr[None, :, None] + mi + -m
    ms["e"] = (res**2).sum() / ((P - 1) * (R - 1) * (NI - 1))
    anova = {
        "residual": ms["e"],
        "p:r": (ms["pr"] - ms["e"]) / NI,
        "p:i": (ms["pi"] - ms["e"]) / R,
        "r:i": (ms["ri"] - ms["e"]) / P,
        "p": (ms["p"] - ms["pr"] - ms["pi"] + ms["e"]) / (R * NI),
        "r": (ms["r"] - ms["pr"] - ms["ri"] + ms["e"]) / (P * NI),
        "i": (ms["i"] - ms["pi"] - ms["ri"] + ms["e"]) / (P * R),
    }
    assert min(anova.values()) > 0  # the seed gives positive ANOVA estimates
    fit = fit_reml(df, response="y", random=["p", "r", "i", ("p", "r"), ("p", "i"), ("r", "i")])
    comp = fit.components.set_index("component")["variance"]
    for label, v in anova.items():
        assert comp[label] == pytest.approx(v, rel=1e-6), label


def test_reml_equals_the_moment_engine_on_balanced_data():
    # kinerja.stats.varcomp.fit_anova (ANOVA / expected mean squares, written
    # independently) on Brennan's balanced p x (r:t): where every estimate is positive,
    # REML and ANOVA coincide.
    df = pd.read_csv(REFERENCE / "gtheory_brennan2001" / "synthetic4_p_x_RT_long.csv")
    terms = ["Person", "Task", ("Rater", "Task"), ("Person", "Task")]
    reml = fit_reml(df, response="Score", random=terms).components.set_index("component")["variance"]
    anova = fit_anova(df, response="Score", random=terms).components.set_index("component")["variance"]
    assert (anova > 0).all()
    np.testing.assert_allclose(reml[anova.index], anova, rtol=1e-7)


# --------------------------------------------------------------------------------------
# Peer package: statsmodels MixedLM
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [0.0, 0.25])
def test_crossed_with_fixed_factor_matches_statsmodels(missing):
    df = crossed(seed=5, missing=missing, fixed_shift=0.3)
    fit = fit_reml(df, response="y", random=["p", "r", ("p", "r")], fixed=["i"])
    model, res = mixedlm(df, {"p": ("p",), "r": ("r",), "pr": ("p", "r")}, fixed="C(i)")
    vc = dict(zip(model.exog_vc.names, res.vcomp))
    comp = fit.components.set_index("component")["variance"]
    # statsmodels' own optimum is good to ~1e-7 here
    assert comp["p"] == pytest.approx(vc["p"], rel=1e-5)
    assert comp["r"] == pytest.approx(vc["r"], rel=1e-5)
    assert comp["p:r"] == pytest.approx(vc["pr"], rel=1e-5)
    assert comp["residual"] == pytest.approx(res.scale, rel=1e-5)
    assert fit.loglik == pytest.approx(res.llf, abs=1e-6)
    fe = fit.fixed_effects
    np.testing.assert_allclose(fe["estimate"], res.fe_params.to_numpy(), rtol=1e-5, atol=1e-7)
    # statsmodels takes the SEs of beta from its full observed Hessian, whose beta x
    # theta cross terms vanish for balanced data but not otherwise (they are zero only in
    # expectation); lme4 and we use sigma^2 (X' V^-1 X)^-1, checked exactly against the
    # dense formula below. Measured: 1e-8 apart balanced, 0.46% apart with 25% missing.
    np.testing.assert_allclose(fe["se"], res.bse_fe.to_numpy(), rtol=1e-6 if missing == 0 else 1e-2)
    # BLUPs and their conditional SDs (statsmodels random_effects_cov conditions on beta)
    re = res.random_effects[1]
    rc = res.random_effects_cov[1]
    b = fit.blups("r")
    names = [f"r[C(r)[{v}]]" for v in b["r"]]
    np.testing.assert_allclose(b["estimate"], re[names].to_numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b["se_cond"], np.sqrt(np.diag(rc.loc[names, names])), rtol=1e-5)
    bp = fit.blups(("p", "r"))
    names = [f"pr[C(pr)[{a}|{c}]]" for a, c in zip(bp["p"], bp["r"])]
    np.testing.assert_allclose(bp["estimate"], re[names].to_numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bp["se_cond"], np.sqrt(np.diag(rc.loc[names, names])), rtol=1e-5)


def test_nested_design_matches_statsmodels():
    # raters nested in tasks, persons crossed with both, unbalanced by missing rows
    df = pd.read_csv(REFERENCE / "gtheory_brennan2001" / "synthetic4_p_x_RT_long.csv")
    df = df.rename(columns={"Score": "y"})
    df = df.drop(index=np.random.default_rng(3).choice(len(df), 25, replace=False)).reset_index(drop=True)
    fit = fit_reml(df, response="y", random=["Person", "Task", ("Rater", "Task"), ("Person", "Task")])
    model, res = mixedlm(
        df, {"Person": ("Person",), "Task": ("Task",), "rt": ("Rater", "Task"), "pt": ("Person", "Task")}
    )
    vc = dict(zip(model.exog_vc.names, res.vcomp))
    comp = fit.components.set_index("component")["variance"]
    for ours, theirs in (("Person", "Person"), ("Task", "Task"), ("Rater:Task", "rt"), ("Person:Task", "pt")):
        assert comp[ours] == pytest.approx(vc[theirs], rel=1e-5), ours
    assert comp["residual"] == pytest.approx(res.scale, rel=1e-5)
    assert fit.loglik == pytest.approx(res.llf, abs=1e-6)


# --------------------------------------------------------------------------------------
# Direct dense computation (criterion, GLS, BLUPs, prediction error variances)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("weighted", [False, True])
def test_against_dense_formulas(weighted):
    df = crossed(P=10, R=4, n_items=4, seed=8, missing=0.2, fixed_shift=0.2)
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(df)) if weighted else None
    random = ["p", "r", ("p", "r")]
    fit = fit_reml(df, response="y", random=random, fixed=["i"], weights=w)
    ref = dense_reference(df, random, ["i"], fit, w)
    # loglik includes 1/2 sum log w, as lme4 does
    assert -2 * fit.loglik == pytest.approx(ref["dev"], abs=1e-7)
    np.testing.assert_allclose(fit.fixed_effects["estimate"], ref["beta"], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fit.fixed_effects["se"], np.sqrt(np.diag(ref["cov_b"])), rtol=1e-7)
    est = np.concatenate([fit.blups(t)["estimate"] for t in random])
    se = np.concatenate([fit.blups(t)["se"] for t in random])
    se_c = np.concatenate([fit.blups(t)["se_cond"] for t in random])
    np.testing.assert_allclose(est, ref["blup"], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(se, np.sqrt(ref["pev"]), rtol=1e-7)
    np.testing.assert_allclose(se_c, np.sqrt(ref["cond"]), rtol=1e-7)
    assert (se >= se_c).all()


def test_reml_optimum_is_stationary_and_gradient_is_exact():
    df = crossed(seed=21, missing=0.3)
    codes = [pd.factorize(df[c], sort=True)[0] for c in ("p", "r")]
    pr = pd.factorize(df["p"] + "|" + df["r"], sort=True)[0]
    y = df["y"].to_numpy()
    X = np.ones((len(y), 1))
    w = np.random.default_rng(2).uniform(0.5, 2, len(y))
    for weights in (None, w):
        core = _core.from_codes(y, X, [*codes, pr], [12, 4, pr.max() + 1], weights)
        th = np.array([0.9, 0.4, 0.6])
        _, g = core.evaluate(th, True)
        h = 1e-6
        num = [(core.evaluate(th + h * e) - core.evaluate(th - h * e)) / (2 * h) for e in np.eye(3)]
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)
        theta, dev, conv, _ = core.fit(np.ones(3))
        assert conv
        _, g = core.evaluate(theta, True)
        assert np.abs(g[theta > 0]).max() < 1e-3


def test_dense_and_sparse_paths_agree(monkeypatch):
    df = crossed(seed=4, missing=0.15)
    random = ["p", "r", ("p", "r")]
    a = fit_reml(df, response="y", random=random)
    monkeypatch.setattr(_core, "_MAX_CLASS_ENTRIES", 0)  # no class aggregation
    monkeypatch.setattr(_core, "_MAX_DENSE_G", 0)  # sparse G
    b = fit_reml(df, response="y", random=random)
    np.testing.assert_allclose(b.components["variance"], a.components["variance"], rtol=1e-8)
    np.testing.assert_allclose(b.blups(("p", "r"))["se"], a.blups(("p", "r"))["se"], rtol=1e-8)
    assert b.loglik == pytest.approx(a.loglik, abs=1e-8)


# --------------------------------------------------------------------------------------
# Component standard errors and intervals
# --------------------------------------------------------------------------------------


def test_component_se_matches_anova_variance_formula_on_balanced_data():
    # p x r, one score per cell: sigma2(p) = (MSR - MSE)/k with exact variance
    # 2/k^2 (MSR^2/(n-1) + MSE^2/((n-1)(k-1))) (e.g. Searle, Casella & McCulloch 1992,
    # sec. 4.5); observed and expected REML information agree at an interior optimum.
    rng = np.random.default_rng(3)
    n, k = 25, 6
    y = rng.normal(size=(n, 1)) + 0.7 * rng.normal(size=(1, k)) + rng.normal(size=(n, k))
    df = pd.DataFrame({"s": np.repeat(np.arange(n), k), "r": np.tile(np.arange(k), n), "y": y.ravel()})
    g = y.mean()
    msr = k * ((y.mean(1) - g) ** 2).sum() / (n - 1)
    msc = n * ((y.mean(0) - g) ** 2).sum() / (k - 1)
    mse = ((y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + g) ** 2).sum() / ((n - 1) * (k - 1))
    fit = fit_reml(df, response="y", random=["s", "r"])
    c = fit.components.set_index("component")
    assert c.loc["s", "variance"] == pytest.approx((msr - mse) / k, rel=1e-7)
    assert c.loc["r", "variance"] == pytest.approx((msc - mse) / n, rel=1e-7)
    se_s = np.sqrt(2 / k**2 * (msr**2 / (n - 1) + mse**2 / ((n - 1) * (k - 1))))
    se_r = np.sqrt(2 / n**2 * (msc**2 / (k - 1) + mse**2 / ((n - 1) * (k - 1))))
    se_e = np.sqrt(2 * mse**2 / ((n - 1) * (k - 1)))
    assert c.loc["s", "se"] == pytest.approx(se_s, rel=1e-4)
    assert c.loc["r", "se"] == pytest.approx(se_r, rel=1e-4)
    assert c.loc["residual", "se"] == pytest.approx(se_e, rel=1e-4)
    cov = fit.components_cov
    assert cov.loc["s", "residual"] == pytest.approx(-2 * mse**2 / (k * (n - 1) * (k - 1)), rel=1e-3)
    assert (c["ci_low"] < c["variance"]).all() and (c["variance"] < c["ci_high"]).all()


# --------------------------------------------------------------------------------------
# Degenerate designs: defined result with a note, never a traceback
# --------------------------------------------------------------------------------------


def test_boundary_component_is_exactly_zero_with_note():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"s": np.repeat(np.arange(20), 4), "r": np.tile(np.arange(4), 20)})
    df["y"] = rng.normal(size=20)[df["s"]] + rng.normal(size=80)  # no rater effect
    # pick a seed whose rater mean square is below the residual one: REML at 0
    y = df.pivot(index="s", columns="r", values="y").to_numpy()
    g = y.mean()
    msc = 20 * ((y.mean(0) - g) ** 2).sum() / 3
    mse = ((y - y.mean(1, keepdims=True) - y.mean(0, keepdims=True) + g) ** 2).sum() / 57
    assert msc < mse
    fit = fit_reml(df, response="y", random=["s", "r"])
    c = fit.components.set_index("component")
    assert c.loc["r", "variance"] == 0.0
    assert "boundary" in c.loc["r", "note"] and "'r' estimated at the boundary 0" in fit.note
    assert np.isnan(c.loc["r", "se"])
    # with sigma2(r) = 0 the other two are the one-way REML (= ANOVA) estimates
    msb = 4 * ((y.mean(1) - g) ** 2).sum() / 19
    msw = ((y - y.mean(1, keepdims=True)) ** 2).sum() / 60
    assert c.loc["residual", "variance"] == pytest.approx(msw, rel=1e-6)
    assert c.loc["s", "variance"] == pytest.approx((msb - msw) / 4, rel=1e-6)
    assert fit.converged


def test_constant_response():
    df = pd.DataFrame({"s": np.repeat(np.arange(5), 3), "r": np.tile(np.arange(3), 5), "y": 7.0})
    fit = fit_reml(df, response="y", random=["s", "r"])
    assert (fit.components["variance"] == 0).all()
    assert "constant response" in fit.note
    assert fit.fixed_effects["estimate"].iloc[0] == pytest.approx(7.0)
    assert fit.blups("s")["estimate"].eq(0).all()


def test_single_level_and_once_seen_levels_are_left_out_with_notes():
    df = crossed(P=8, R=3, n_items=2, seed=2)
    df["one"] = "only"
    df["row"] = np.arange(len(df))
    fit = fit_reml(df, response="y", random=["p", "one", "row"])
    c = fit.components.set_index("component")
    assert np.isnan(c.loc["one", "variance"]) and "single level" in c.loc["one", "note"]
    assert np.isnan(c.loc["row", "variance"]) and "observed once" in c.loc["row", "note"]
    assert np.isfinite(c.loc["p", "variance"]) and fit.converged
    ref = fit_reml(df, response="y", random=["p"])
    assert c.loc["p", "variance"] == pytest.approx(ref.components["variance"].iloc[0], rel=1e-10)
    assert fit.blups("one")["estimate"].isna().all()


def test_same_grouping_and_confounded_with_fixed_are_left_out():
    df = crossed(P=8, R=3, n_items=2, seed=3)
    df["p_copy"] = "x" + df["p"]
    df["grp"] = df["p"].str[1:2]  # p00-p07 -> one group '0': a coarse fixed factor
    df["r_fixed_alias"] = df["r"]
    fit = fit_reml(df, response="y", random=["p", "p_copy", "r_fixed_alias"], fixed=["r"])
    c = fit.components.set_index("component")
    assert "same grouping" in c.loc["p_copy", "note"]
    assert "confounded with the fixed effects" in c.loc["r_fixed_alias", "note"]
    assert np.isfinite(c.loc["p", "variance"])


def test_collinear_fixed_effects_are_aliased_not_an_error():
    df = crossed(P=8, R=3, n_items=4, seed=6)
    df["i_copy"] = df["i"]
    fit = fit_reml(df, response="y", random=["p"], fixed=["i", "i_copy"])
    fe = fit.fixed_effects
    alias = fe[fe["term"] == "i_copy"]
    assert alias["estimate"].isna().all() and alias["note"].str.contains("aliased").all()
    ref = fit_reml(df, response="y", random=["p"], fixed=["i"])
    np.testing.assert_allclose(fe.loc[fe["term"] == "i", "estimate"], ref.fixed_effects["estimate"].iloc[1:], rtol=1e-9)
    assert "aliased" in fit.note
    w = fit.wald.set_index("term")
    assert w.loc["i_copy", "df"] == 0 and np.isnan(w.loc["i_copy", "chi2"])


def test_missing_response_rows_are_counted_and_bad_input_raises():
    df = crossed(P=6, R=3, n_items=2, seed=1)
    df.loc[[0, 5], "y"] = np.nan
    fit = fit_reml(df, response="y", random=["p", "r"])
    assert "2 row(s) with a missing 'y' left out" in fit.note
    assert fit.n_obs == len(df) - 2
    bad = df.copy()
    bad.loc[3, "r"] = pd.NA
    with pytest.raises(VarCompInputError, match="column 'r' is missing in row 3"):
        fit_reml(bad, response="y", random=["p", "r"])
    bad = df.astype({"y": object})
    bad.loc[4, "y"] = "n/a"
    with pytest.raises(VarCompInputError, match="row 4"):
        fit_reml(bad, response="y", random=["p"])
    with pytest.raises(VarCompInputError, match="not found"):
        fit_reml(df, response="y", random=["nope"])
    with pytest.raises(VarCompInputError, match="given twice"):
        fit_reml(df, response="y", random=["p", "p"])


def test_too_large_design_gives_nan_with_note(monkeypatch):
    monkeypatch.setattr(_core, "MAX_DENSE", 10)
    fit = fit_reml(crossed(seed=1), response="y", random=["p", "r", ("p", "r")])
    assert fit.components["variance"].isna().all() and "too large for this REML" in fit.note
    assert not fit.converged


def test_too_few_rows_gives_nan_with_note():
    df = pd.DataFrame({"s": ["a", "b"], "c": ["x", "y"], "y": [1.0, 2.0]})
    fit = fit_reml(df, response="y", random=["s"], fixed=["c"])
    assert fit.components["variance"].isna().all()
    assert "nothing left to estimate" in fit.note


# --------------------------------------------------------------------------------------
# Invariances
# --------------------------------------------------------------------------------------


def test_invariant_to_row_order_labels_and_response_units():
    df = crossed(seed=9, missing=0.2)
    a = fit_reml(df, response="y", random=["p", "r", ("p", "r")], fixed=["i"])
    df2 = df.sample(frac=1.0, random_state=1).reset_index(drop=True)
    df2["y"] = 100 + 10 * df2["y"]
    b = fit_reml(df2, response="y", random=["p", "r", ("p", "r")], fixed=["i"])
    np.testing.assert_allclose(b.components["variance"], 100 * a.components["variance"], rtol=1e-6)
    np.testing.assert_allclose(
        b.fixed_effects["estimate"].iloc[1:], 10 * a.fixed_effects["estimate"].iloc[1:], rtol=1e-6
    )
    assert b.fixed_effects["estimate"].iloc[0] == pytest.approx(100 + 10 * a.fixed_effects["estimate"].iloc[0])
    np.testing.assert_allclose(b.blups("r")["estimate"], 10 * a.blups("r")["estimate"], rtol=1e-5, atol=1e-8)
    # REML log-likelihood of 10 y: minus (N - p) log 10
    assert b.loglik == pytest.approx(a.loglik - (a.n_obs - 5) * np.log(10), abs=1e-6)


def test_weights_scale_only_the_residual_variance():
    df = crossed(seed=12, missing=0.1)
    w = np.random.default_rng(0).uniform(0.5, 2, len(df))
    a = fit_reml(df, response="y", random=["p", "r"], weights=w)
    b = fit_reml(df.assign(w=3 * w), response="y", random=["p", "r"], weights="w")
    va, vb = a.components.set_index("component")["variance"], b.components.set_index("component")["variance"]
    assert vb["residual"] == pytest.approx(va["residual"] * 3, rel=1e-6)
    assert vb["p"] == pytest.approx(va["p"], rel=1e-6)
    assert vb["r"] == pytest.approx(va["r"], rel=1e-6)
