"""Tests of kinerja.agreement.icc / icc_bootstrap.

Three levels: published values (Shrout & Fleiss 1979; R psych and irr output), peer
packages (pingouin for complete data, statsmodels MixedLM for the REML path), and
properties (hypothesis). Any numpy/scipy warning is an error here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kinerja.agreement import AgreementInputError, _icc, icc, icc_bootstrap

from .reference import REFERENCE, close_at, load_expected

pytestmark = pytest.mark.filterwarnings("error")

SF = load_expected("shrout_fleiss_1979")
IRR = load_expected("irr_R_package")


def to_long(y: np.ndarray, subjects=None, raters=None) -> pd.DataFrame:
    n, k = y.shape
    subjects = np.arange(n) if subjects is None else np.asarray(subjects)
    raters = np.arange(k) if raters is None else np.asarray(raters)
    return pd.DataFrame(
        {
            "subject_id": np.repeat(subjects, k),
            "juror_id": np.tile(raters, n),
            "score": y.ravel(),
        }
    )


def simulate(n, k, sd_s=1.0, sd_r=0.5, sd_e=1.0, seed=0, missing=0.0):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, 1)) * sd_s + rng.normal(size=(1, k)) * sd_r + rng.normal(size=(n, k)) * sd_e
    if missing:
        y[rng.random(y.shape) < missing] = np.nan
    return y


@pytest.fixture(scope="module")
def sf_long():
    return pd.read_csv(REFERENCE / "shrout_fleiss_1979" / "data_long.csv")


@pytest.fixture(scope="module")
def anxiety_long():
    wide = pd.read_csv(REFERENCE / "irr_R_package" / "anxiety.csv")
    return wide.melt("subject", var_name="rater", value_name="rating")


# --------------------------------------------------------------------------------------
# Published values
# --------------------------------------------------------------------------------------

_SF_ICC_IDS = {  # paper label -> our type
    "ICC(1,1)": "ICC(1,1)",
    "ICC(2,1)": "ICC(2,1)",
    "ICC(3,1)": "ICC(3,1)",
    "ICC(1,4)": "ICC(1,k)",
    "ICC(2,4)": "ICC(2,k)",
    "ICC(3,4)": "ICC(3,k)",
}
_PSYCH_TYPES = {
    "ICC1": "ICC(1,1)",
    "ICC2": "ICC(2,1)",
    "ICC3": "ICC(3,1)",
    "ICC1k": "ICC(1,k)",
    "ICC2k": "ICC(2,k)",
    "ICC3k": "ICC(3,k)",
}
_FIELDS = {
    "F": "f",
    "df1": "df1",
    "df2": "df2",
    "p": "p_value",
    "ci_low": "ci_low",
    "ci_high": "ci_high",
    "lo": "ci_low",
    "hi": "ci_high",
}


def _sf_target(entry_id: str):
    if entry_id in _SF_ICC_IDS:
        return _SF_ICC_IDS[entry_id], "estimate"
    if entry_id in ("BMS", "WMS", "JMS", "EMS"):
        return None, entry_id
    form, field = entry_id.split(".")
    return _PSYCH_TYPES[form], _FIELDS[field]


@pytest.mark.parametrize("entry", list(SF.values()), ids=list(SF))
def test_shrout_fleiss_1979_published(entry, sf_long):
    # source: entry["source"] - Shrout & Fleiss (1979) worked example (6 targets x 4
    # judges) as printed in the paper, and R psych::ICC(sf) output for F/df/p/CI.
    res = icc(sf_long, subject="target", rater="judge", value="rating").set_index("statistic")
    row, field = _sf_target(entry["id"])
    if row is None:  # ANOVA mean squares of the paper's table (internal helper)
        y = pd.read_csv(REFERENCE / "shrout_fleiss_1979" / "data_wide.csv").iloc[:, 1:].to_numpy(float)
        msr, msc, mse, msw = _icc._mean_squares(y)
        ours = {"BMS": msr, "JMS": msc, "EMS": mse, "WMS": msw}[field]
    else:
        ours = float(res.loc[row, field])
    assert close_at(ours, entry["value"], entry["decimals"]), (entry["id"], ours, entry["source"])


_IRR_ICC = {k: v for k, v in IRR.items() if k.startswith(("icc.", "psych."))}


def _irr_target(entry_id: str):
    prefix, rest = entry_id.split(".", 1)
    if prefix == "icc":  # irr::icc(anxiety, model="twoway", type="agreement")
        field = rest.split(".", 1)[1]
        return "ICC(2,1)", {
            "value": "estimate",
            "F": "f",
            "df1": "df1",
            "df2": "df2",
            "p": "p_value",
            "lbound": "ci_low",
            "ubound": "ci_high",
        }[field]
    parts = rest.split(".")
    return _PSYCH_TYPES[parts[0]], ("estimate" if len(parts) == 1 else _FIELDS[parts[1]])


@pytest.mark.parametrize("entry", list(_IRR_ICC.values()), ids=list(_IRR_ICC))
def test_irr_anxiety_published(entry, anxiety_long):
    # source: entry["source"]. "icc.*" = R irr 0.84.1 icc(anxiety, "twoway",
    # "agreement"); irr's F-test df2 is the Satterthwaite df at the estimate, so these
    # are compared with agreement_df2="satterthwaite" (our documented alternative).
    # "psych.*" = psych::ICC(anxiety); CIs and estimates do not depend on the df choice.
    res = icc(anxiety_long, "subject", "rater", "rating", agreement_df2="satterthwaite")
    row, field = _irr_target(entry["id"])
    ours = float(res.set_index("statistic").loc[row, field])
    decimals = entry["decimals"]
    if entry["id"].startswith("psych."):
        # Secondary source. psych::ICC (lmer=TRUE, its default) takes its mean squares
        # from lme4 REML fits, accurate to about 1e-7, so the 7th-8th decimals of these
        # estimates *and* CI limits are optimizer noise (the entries' note says so for
        # the estimates; differences of 5e-8 - 3e-7 are seen for the CI limits). We
        # compare at 6 decimals; irr's exact-ANOVA CI for ICC(2,1) matches at 6 dp too.
        decimals = min(decimals, 6)
    assert close_at(ours, entry["value"], decimals), (entry["id"], ours, entry["source"])


def test_agreement_df2_exact_is_default(anxiety_long):
    # Our reported choice: exact df2 = (n-1)(k-1) = 38 on irr's anxiety, as psych,
    # pingouin and SPSS; p = 0.0562 (irr's Satterthwaite choice gives 39.746, 0.0543).
    res = icc(anxiety_long, "subject", "rater", "rating").set_index("statistic")
    assert res.loc["ICC(2,1)", "df2"] == 38.0
    assert res.loc["ICC(2,k)", "df2"] == 38.0
    assert close_at(res.loc["ICC(2,1)", "p_value"], 0.056201, 6)
    assert res.loc["ICC(2,1)", "note"] == ""
    # the CI does not depend on the choice
    alt = icc(anxiety_long, "subject", "rater", "rating", agreement_df2="satterthwaite")
    alt = alt.set_index("statistic")
    assert np.allclose(alt[["estimate", "ci_low", "ci_high"]], res[["estimate", "ci_low", "ci_high"]])
    assert close_at(alt.loc["ICC(2,1)", "df2"], 39.746041, 6)
    assert "Satterthwaite" in alt.loc["ICC(2,1)", "note"]


# --------------------------------------------------------------------------------------
# Peer package: pingouin (complete data)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,seed", [((6, 4), 0), ((20, 3), 1), ((50, 7), 2), ((200, 2), 3), ((9, 12), 4)])
def test_matches_pingouin(shape, seed):
    pg = pytest.importorskip("pingouin")
    y = simulate(*shape, seed=seed)
    long = to_long(y)
    ours = icc(long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin's own deprecation noise is not ours
        ref = pg.intraclass_corr(long, targets="subject_id", raters="juror_id", ratings="score")
    np.testing.assert_allclose(ours["estimate"], ref["ICC"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours["f"], ref["F"], rtol=1e-10)
    np.testing.assert_allclose(ours["df1"], ref["df1"])
    np.testing.assert_allclose(ours["df2"], ref["df2"])  # our default = pingouin's df
    np.testing.assert_allclose(ours["p_value"], ref["pval"], rtol=1e-8, atol=1e-300)
    ci = np.vstack(ref["CI95"].to_numpy())
    # pingouin rounds the CI to 2 decimals
    assert np.all(np.abs(ours["ci_low"].to_numpy() - ci[:, 0]) <= 0.005 + 1e-12)
    assert np.all(np.abs(ours["ci_high"].to_numpy() - ci[:, 1]) <= 0.005 + 1e-12)
    assert list(ours["mcgraw_wong"]) == ["ICC(1)", "ICC(A,1)", "ICC(C,1)", "ICC(k)", "ICC(A,k)", "ICC(C,k)"]
    assert list(ref["Type"]) == ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]


def test_output_columns_and_types(sf_long):
    res = icc(sf_long, subject="target", rater="judge", value="rating")
    assert list(res.columns) == [
        "statistic",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "ci_level",
        "p_value",
        "n_subjects",
        "n_raters",
        "method",
        "note",
        "mcgraw_wong",
        "description",
        "f",
        "df1",
        "df2",
    ]
    assert list(res["statistic"]) == ["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"]
    assert (res["n_subjects"] == 6).all() and (res["n_raters"] == 4).all()
    assert (res["method"] == "anova").all()
    assert res["description"].str.contains("one-way random").sum() == 2
    assert res["description"].str.contains("absolute agreement").sum() == 4
    assert res["description"].str.contains("consistency").sum() == 2


def test_ci_none_and_level(sf_long):
    res = icc(sf_long, "target", "judge", "rating", ci=None)
    assert res[["ci_low", "ci_high"]].isna().all().all()
    r90 = icc(sf_long, "target", "judge", "rating", ci=0.90)
    r95 = icc(sf_long, "target", "judge", "rating", ci=0.95)
    assert (r90["ci_low"] > r95["ci_low"]).all() and (r90["ci_high"] < r95["ci_high"]).all()


# --------------------------------------------------------------------------------------
# Incomplete data: REML
# --------------------------------------------------------------------------------------


def test_reml_equals_anova_on_balanced_data():
    # For balanced data the REML estimators equal the ANOVA ones when those are >= 0.
    y = simulate(40, 5, seed=3)
    n, k = y.shape
    comp = _icc._reml_components(y)
    msr, msc, mse, msw = _icc._mean_squares(y)
    assert comp["random"].sigma_s == pytest.approx((msr - mse) / k, rel=1e-6)
    assert comp["random"].sigma_r == pytest.approx((msc - mse) / n, rel=1e-5)
    assert comp["random"].sigma_e == pytest.approx(mse, rel=1e-6)
    assert comp["mixed"].sigma_s == pytest.approx((msr - mse) / k, rel=1e-6)
    assert comp["mixed"].sigma_e == pytest.approx(mse, rel=1e-6)
    assert comp["oneway"].sigma_s == pytest.approx((msr - msw) / k, rel=1e-6)
    assert comp["oneway"].sigma_e == pytest.approx(msw, rel=1e-6)
    np.testing.assert_allclose(
        _icc._icc_from_components(comp, k), _icc._icc_from_ms(msr, msc, mse, msw, n, k), atol=1e-6
    )


def test_reml_matches_statsmodels_mixedlm():
    smf = pytest.importorskip("statsmodels.formula.api")
    y = simulate(40, 5, seed=4, missing=0.2)
    comp = _icc._reml_components(y)
    long = to_long(y).dropna().rename(columns={"subject_id": "s", "juror_id": "r", "score": "y"})
    long["g"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels convergence chatter
        crossed = smf.mixedlm(
            "y ~ 1",
            long,
            groups="g",
            re_formula="0",
            vc_formula={"s": "0 + C(s)", "r": "0 + C(r)"},
        ).fit(reml=True, method=["lbfgs"])
        mixed = smf.mixedlm("y ~ C(r)", long, groups="s").fit(reml=True)
        oneway = smf.mixedlm("y ~ 1", long, groups="s").fit(reml=True)
    names = list(crossed.model.exog_vc.names)
    vc = dict(zip(names, crossed.vcomp))
    assert comp["random"].sigma_s == pytest.approx(vc["s"], rel=1e-3)
    assert comp["random"].sigma_r == pytest.approx(vc["r"], rel=1e-3)
    assert comp["random"].sigma_e == pytest.approx(crossed.scale, rel=1e-3)
    assert comp["mixed"].sigma_s == pytest.approx(float(mixed.cov_re.iloc[0, 0]), rel=1e-3)
    assert comp["mixed"].sigma_e == pytest.approx(mixed.scale, rel=1e-3)
    assert comp["oneway"].sigma_s == pytest.approx(float(oneway.cov_re.iloc[0, 0]), rel=1e-3)
    assert comp["oneway"].sigma_e == pytest.approx(oneway.scale, rel=1e-3)


def test_reml_path_reports_method_and_notes():
    y = simulate(30, 4, seed=5)
    y[0, 1:] = np.nan  # subject 0 has a single rating
    y[3, 2] = np.nan
    res = icc(to_long(y))
    assert (res["method"] == "reml (unbalanced: 4 of 120 cells missing)").all()
    assert res["estimate"].between(0, 1).all()
    # generalized CIs and exact F tests (method-3 sums of squares) since the REML engine
    assert res[["f", "p_value", "ci_low", "ci_high"]].notna().all().all()
    assert (res["ci_low"] <= res["estimate"]).all() and (res["estimate"] <= res["ci_high"]).all()
    assert res["note"].str.contains("1 subject\\(s\\) with a single rating kept").all()
    assert res["note"].str.contains("generalized confidence interval").all()
    assert res.loc[3:, "note"].str.contains("harmonic mean").all()
    assert (res["n_subjects"] == 30).all()
    nof = icc(to_long(y), ci_method="f")
    assert nof[["ci_low", "ci_high"]].isna().all().all()
    assert nof["note"].str.contains("ci_method='gci'").all()


def test_reml_close_to_anova_with_few_missing_cells():
    y = simulate(300, 6, seed=6)
    full = icc(to_long(y))
    y2 = y.copy()
    y2[np.random.default_rng(0).random(y.shape) < 0.03] = np.nan
    part = icc(to_long(y2))
    assert part["method"].str.startswith("reml").all()
    np.testing.assert_allclose(part["estimate"], full["estimate"], atol=0.03)


def test_reml_invariant_to_relabelling_and_row_order():
    y = simulate(25, 4, seed=14, missing=0.2)
    res = icc(to_long(y))
    rng = np.random.default_rng(0)
    ps, pr = rng.permutation(25), rng.permutation(4)
    long = to_long(y[ps][:, pr], subjects=[f"s{i:02d}" for i in ps], raters=list("dcba"))
    res2 = icc(long.sample(frac=1.0, random_state=3))
    np.testing.assert_allclose(res2["estimate"], res["estimate"], atol=1e-6)
    assert list(res2["method"]) == list(res["method"])


def test_missing_score_rows_are_missing_cells_not_dropped_subjects():
    y = simulate(10, 3, seed=7)
    long = to_long(y)
    long.loc[4, "score"] = np.nan  # subject 1, rater 1
    res = icc(long)
    assert res["method"].iloc[0].startswith("reml (unbalanced: 1 of 30")
    assert (res["n_subjects"] == 10).all()


# --------------------------------------------------------------------------------------
# Degenerate designs: defined result or NaN with a reason, never a crash or a warning
# --------------------------------------------------------------------------------------


def test_one_rater():
    res = icc(to_long(simulate(10, 1)))
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("only one rater").all()


def test_one_subject():
    res = icc(to_long(simulate(1, 4)))
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("only one subject").all()


def test_constant_scores():
    res = icc(to_long(np.full((8, 3), 4.0)))
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("zero variance").all()


def test_constant_scores_with_missing_cells():
    y = np.full((8, 3), 4.0)
    y[0, 0] = np.nan
    res = icc(to_long(y))
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("zero variance").all()


def test_rater_with_every_value_missing():
    y = simulate(12, 4, seed=8)
    y[:, 2] = np.nan
    res = icc(to_long(y, raters=["a", "b", "c", "d"]))
    ref = icc(to_long(np.delete(y, 2, axis=1)))
    assert (res["method"] == "anova").all()  # the rest is complete
    assert (res["n_raters"] == 3).all()
    np.testing.assert_allclose(res["estimate"], ref["estimate"], atol=1e-12)
    assert res["note"].str.contains("1 rater\\(s\\) with no ratings dropped \\(e.g. c\\)").all()


def test_subject_with_single_value():
    y = simulate(15, 3, seed=9)
    y[4, :2] = np.nan
    res = icc(to_long(y))
    assert res["estimate"].notna().all()
    assert res["note"].str.contains("single rating").all()


def test_subject_with_no_values_dropped():
    y = simulate(15, 3, seed=10)
    y[2, :] = np.nan
    res = icc(to_long(y))
    assert (res["method"] == "anova").all()
    assert (res["n_subjects"] == 14).all()
    assert res["note"].str.contains("1 subject\\(s\\) with no ratings dropped").all()


def test_every_subject_single_rating():
    y = np.full((6, 3), np.nan)
    for i in range(6):
        y[i, i % 3] = float(i)
    res = icc(to_long(y))
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("no subject has two or more ratings").all()


def test_no_subject_variance_consistency_is_nan_with_note():
    # every subject identical, raters differ by a constant: ICC(3,·) is 0/0
    y = np.tile(np.array([1.0, 2.0, 4.0]), (5, 1))
    res = icc(to_long(y)).set_index("statistic")
    assert np.isnan(res.loc["ICC(3,1)", "estimate"])
    assert "0/0" in res.loc["ICC(3,1)", "note"]
    assert res.loc["ICC(2,1)", "estimate"] == 0.0


def test_perfect_agreement_ci_collapses_at_one():
    y = np.repeat(np.arange(6.0)[:, None], 4, axis=1)
    res = icc(to_long(y))
    np.testing.assert_allclose(res["estimate"], 1.0)
    np.testing.assert_allclose(res[["ci_low", "ci_high"]].to_numpy(), 1.0)
    assert (res["p_value"] == 0).all()


def test_perfect_agreement_with_missing_cells():
    y = np.repeat(np.arange(8.0)[:, None], 4, axis=1)
    y[1, 2] = y[5, 0] = np.nan
    res = icc(to_long(y))
    assert res["method"].str.startswith("reml").all()
    np.testing.assert_allclose(res["estimate"], 1.0, atol=1e-6)


# --------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------


def test_input_errors(sf_long):
    with pytest.raises(AgreementInputError, match="column"):
        icc(sf_long)  # default column names absent
    with pytest.raises(AgreementInputError, match="confidence level"):
        icc(sf_long, "target", "judge", "rating", ci=95)
    with pytest.raises(AgreementInputError, match="agreement_df2"):
        icc(sf_long, "target", "judge", "rating", agreement_df2="irr")
    dup = pd.concat([sf_long, sf_long.iloc[:1]])
    with pytest.raises(AgreementInputError, match="share a"):
        icc(dup, "target", "judge", "rating")
    bad = sf_long.assign(rating=sf_long["rating"].astype(float))
    bad.loc[0, "rating"] = np.inf
    with pytest.raises(AgreementInputError, match="infinite"):
        icc(bad, "target", "judge", "rating")
    with pytest.raises(AgreementInputError, match="unknown ICC type"):
        icc_bootstrap(sf_long, "target", "judge", "rating", types=["ICC(4,1)"])
    with pytest.raises(AgreementInputError, match="ci_method"):
        icc_bootstrap(sf_long, "target", "judge", "rating", ci_method="studentized")


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

_matrices = st.tuples(st.integers(3, 12), st.integers(2, 6)).flatmap(
    lambda nk: arrays(np.float64, nk, elements=st.integers(1, 9).map(float))
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject_scores=arrays(np.float64, st.integers(2, 15), elements=st.floats(-50, 50)), k=st.integers(2, 6))
def test_perfect_agreement_gives_one(subject_scores, k):
    if np.ptp(subject_scores) == 0:
        return
    y = np.repeat(subject_scores[:, None], k, axis=1)
    res = icc(to_long(y))
    np.testing.assert_allclose(res["estimate"], 1.0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(y=_matrices, data=st.data())
def test_relabelling_subjects_and_raters_changes_nothing(y, data):
    n, k = y.shape
    res = icc(to_long(y))
    perm_s = data.draw(st.permutations(range(n)))
    perm_r = data.draw(st.permutations(range(k)))
    labels_s = [f"agency_{i}" for i in perm_s]
    labels_r = [f"juror_{j}" for j in perm_r]
    long = to_long(y, subjects=labels_s, raters=labels_r).sample(frac=1.0, random_state=1)
    res2 = icc(long)
    cols = ["estimate", "ci_low", "ci_high", "f", "p_value"]
    np.testing.assert_allclose(res2[cols].to_numpy(float), res[cols].to_numpy(float), atol=1e-9)
    assert list(res2["note"]) == list(res["note"])


@settings(max_examples=40, deadline=None)
@given(y=_matrices, shift=st.floats(0.5, 20))
def test_shifting_one_rater_lowers_agreement_not_consistency(y, shift):
    base = icc(to_long(y)).set_index("statistic")
    if not base.loc["ICC(3,1)", "estimate"] > 0.01:
        return  # the ordering needs some positive subject variance
    y2 = y.copy()
    top = int(np.argmax(y.mean(axis=0)))
    y2[:, top] += shift  # the most lenient rater becomes more lenient: raters spread more
    new = icc(to_long(y2)).set_index("statistic")
    for t in ("ICC(3,1)", "ICC(3,k)"):
        assert new.loc[t, "estimate"] == pytest.approx(base.loc[t, "estimate"], abs=1e-9)
    for t in ("ICC(2,1)", "ICC(2,k)"):
        assert new.loc[t, "estimate"] < base.loc[t, "estimate"]


# --------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------


def test_weighted_mean_squares_equal_explicit_resample():
    y = simulate(12, 4, seed=11)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 12, size=12)
    w = np.bincount(idx, minlength=12).astype(float)[None, :]
    yc = y - y.mean()
    msr, msc, mse, msw, n_eff = _icc._weighted_mean_squares(yc, w)
    ref = _icc._mean_squares(y[idx])
    np.testing.assert_allclose([msr[0], msc[0], mse[0], msw[0]], ref, rtol=1e-10)
    # jackknife rows
    wj = 1.0 - np.eye(12)
    msr, msc, mse, msw, n_eff = _icc._weighted_mean_squares(yc, wj)
    ref = _icc._mean_squares(np.delete(y, 3, axis=0))
    np.testing.assert_allclose([msr[3], msc[3], mse[3], msw[3]], ref, rtol=1e-10)


def test_bootstrap_seeded_reproducible_and_shaped(sf_long):
    a = icc_bootstrap(sf_long, "target", "judge", "rating", types=["ICC(2,1)", "ICC(C,k)", "ICC1"], n_boot=500, seed=3)
    b = icc_bootstrap(sf_long, "target", "judge", "rating", types=["ICC(2,1)", "ICC(C,k)", "ICC1"], n_boot=500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["statistic"]) == ["ICC(2,1)", "ICC(3,k)", "ICC(1,1)"]
    point = icc(sf_long, "target", "judge", "rating").set_index("statistic")
    np.testing.assert_allclose(a["estimate"], point.loc[list(a["statistic"]), "estimate"])
    assert (a["ci_low"] <= a["ci_high"]).all()
    assert (a["n_boot"] == 500).all()
    c = icc_bootstrap(sf_long, "target", "judge", "rating", n_boot=500, seed=4)
    assert c["ci_low"].iloc[0] != a["ci_low"].iloc[0]


def test_bootstrap_percentile_and_bca_differ_but_bracket():
    long = to_long(simulate(30, 5, seed=12))
    p = icc_bootstrap(long, n_boot=1000, seed=1, ci_method="percentile")
    b = icc_bootstrap(long, n_boot=1000, seed=1, ci_method="bca")
    for r in (p, b):
        assert r["ci_low"].iloc[0] < r["estimate"].iloc[0] < r["ci_high"].iloc[0]
    assert p["ci_low"].iloc[0] != b["ci_low"].iloc[0]
    assert "bca" in b["method"].iloc[0] and "percentile" in p["method"].iloc[0]


def test_bootstrap_reml_path():
    y = simulate(20, 4, seed=13, missing=0.15)
    res = icc_bootstrap(to_long(y), types=["ICC(A,1)", "ICC(C,1)"], n_boot=40, seed=2)
    assert res["method"].str.contains("reml").all()
    assert res["ci_low"].notna().all()
    assert (res["ci_low"] <= res["estimate"]).all() and (res["estimate"] <= res["ci_high"]).all()
    assert res["note"].str.contains("cells missing").all()


def test_bootstrap_degenerate_is_nan_with_note():
    res = icc_bootstrap(to_long(np.full((6, 3), 2.0)), n_boot=50, seed=0)
    assert res[["estimate", "ci_low", "ci_high"]].isna().all().all()
    assert "zero variance" in res["note"].iloc[0]


def test_bootstrap_coverage_of_population_icc():
    # 200 seeded replications of 30 subjects x 5 raters, variance components
    # subject 1, rater 0.25, residual 0.75 -> population ICC(2,1) = 0.5 (raters drawn
    # anew each replication). Measured with this seed: BCa 0.915 (percentile 0.88, the
    # F-based interval of icc() 0.97). The subject bootstrap holds raters fixed and
    # n = 30 is small, so it is somewhat liberal; with 200 replications the Monte Carlo
    # SE is about 0.02, hence the band 0.85 - 0.99. Runs in about 1.5 s.
    rng = np.random.default_rng(2024)
    hits = 0
    reps = 200
    for r in range(reps):
        y = rng.normal(size=(30, 1)) + rng.normal(size=(1, 5)) * 0.5 + rng.normal(size=(30, 5)) * np.sqrt(0.75)
        res = icc_bootstrap(to_long(y), n_boot=1000, seed=r)
        hits += res["ci_low"].iloc[0] <= 0.5 <= res["ci_high"].iloc[0]
    coverage = hits / reps
    assert 0.85 <= coverage <= 0.99, coverage


# --------------------------------------------------------------------------------------
# Identification rule for incomplete designs (issue 7: "estimates with nothing behind them")
# --------------------------------------------------------------------------------------


def _sparse_design(n_twice: int, n=8, k=4, seed=0):
    """n x k design: every subject rated once, the first ``n_twice`` subjects twice."""
    y = simulate(n, k, seed=seed)
    keep = np.zeros((n, k), dtype=bool)
    for i in range(n):
        keep[i, i % k] = True
        if i < n_twice:
            keep[i, (i + 1) % k] = True
    return np.where(keep, y, np.nan)


def test_one_subject_rated_twice_is_not_identified():
    # the 8 x 4 design of the issue: REML would return a number resting on one
    # within-subject difference; the rule makes it NaN with the reason
    y = _sparse_design(1)
    assert (~np.isnan(y)).sum() == 9
    comp = _icc._reml_components(y - np.nanmean(y))  # what REML alone would say
    assert np.isfinite(comp["random"].sigma_s)
    res = icc(to_long(y))
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("not identified: only 1 subject has two or more ratings").all()
    assert res["note"].str.contains("at least 2 subjects").all()
    boot = icc_bootstrap(to_long(y), n_boot=20, seed=1)
    assert boot[["estimate", "ci_low", "ci_high"]].isna().all().all()
    assert "not identified" in boot["note"].iloc[0]


@pytest.mark.parametrize("n_twice", [2, 3, 4])
def test_few_subjects_rated_twice_are_barely_identified(n_twice):
    res = icc(to_long(_sparse_design(n_twice)))
    assert res["estimate"].notna().all()
    assert res["note"].str.contains(f"barely identified: only {n_twice} subjects have two or more ratings").all()


def test_enough_subjects_rated_twice_get_no_identification_note():
    res = icc(to_long(_sparse_design(5)))
    assert res["estimate"].notna().all()
    assert not res["note"].str.contains("identified").any()
    # a complete design with few subjects needs no rule: exact F intervals
    small = icc(to_long(simulate(3, 4, seed=2)))
    assert small["estimate"].notna().all() and not small["note"].str.contains("identified").any()


# --------------------------------------------------------------------------------------
# Values no ICC can take (found by an adversarial review, 2026-12-01)
# --------------------------------------------------------------------------------------


def _wide(rows) -> pd.DataFrame:
    y = np.asarray(rows, float)
    n, k = y.shape
    return pd.DataFrame(
        [(f"S{n - i:02d}", f"R{k - j}", y[i, j]) for i in range(n) for j in range(k)],
        columns=["subject_id", "juror_id", "score"],
    ).sample(frac=1, random_state=1)


def test_mean_of_k_form_past_the_spearman_brown_pole_is_undefined():
    """pingouin gives ICC(2,k) = 6.4 here (ICC(2,1) = -1.45 < -1/(k-1) = -1): no
    reliability can be 6.4. Nearer the pole the lower limit came out above the upper."""
    res = icc(_wide([[1, 4], [4, 1], [3, 3], [4, 1]])).set_index("statistic")
    assert res.loc["ICC(2,1)", "estimate"] == pytest.approx(-16 / 11)
    assert "below -1/(k-1) = -1, the smallest value the model allows" in res.loc["ICC(2,1)", "note"]
    assert np.isnan(res.loc["ICC(2,k)", ["estimate", "ci_low", "ci_high"]].astype(float)).all()
    assert "is not above -1/(k-1) = -1, the pole of the Spearman-Brown step" in res.loc["ICC(2,k)", "note"]
    near = icc(_wide([[3, 4, 2], [1, 1, 3], [3, 2, 1]])).set_index("statistic").loc["ICC(2,k)"]
    assert near["ci_low"] == -np.inf and near["ci_low"] <= near["estimate"] <= near["ci_high"]
    assert "CI lower limit unbounded (-inf)" in near["note"]


def test_every_subject_with_the_same_profile():
    """Subject mean square 0: ICC(1,k) was -inf with CI [-inf, -inf]; ICC(1,1) had a
    zero-width interval, and the bootstrap a CI of [0, 0], all without a note."""
    long = _wide(np.tile([1.0, 2, 1, 2], (10, 1)))
    res = icc(long).set_index("statistic")
    assert np.isnan(res.loc["ICC(1,k)", "estimate"])
    assert "the step divides by 0 there, as when the subjects' mean scores do not differ" in res.loc["ICC(1,k)", "note"]
    assert res.loc["ICC(1,1)", "ci_low"] == res.loc["ICC(1,1)", "ci_high"]
    assert "the interval has zero width: the subject mean square is 0" in res.loc["ICC(1,1)", "note"]
    boot = icc_bootstrap(long, types=["ICC(2,1)"], n_boot=200, seed=1).iloc[0]
    assert boot["ci_low"] == boot["ci_high"] and "bootstrap interval has zero width" in boot["note"]


@pytest.mark.parametrize("ci_method", ["gci", "coverage"])
def test_negative_estimate_outside_the_generalized_interval_says_so(ci_method):
    """The GCI's variance components are truncated at 0, the ANOVA estimate is not."""
    rng = np.random.default_rng(0)
    long = _wide(rng.integers(1, 6, size=(12, 4)).astype(float)[:, :2])
    res = icc(long, ci_method=ci_method).set_index("statistic")
    for form in ("ICC(2,1)", "ICC(2,k)"):
        row = res.loc[form]
        assert row["estimate"] < 0 == row["ci_low"]
        assert "does not contain the estimate" in row["note"]


def test_every_interval_contains_its_estimate_or_says_why():
    rng = np.random.default_rng(5)
    for _ in range(60):
        n, k = int(rng.integers(3, 7)), int(rng.integers(2, 5))
        res = icc(_wide(rng.integers(1, 6, size=(n, k))), ci_method="gci")
        for _, r in res.iterrows():
            if np.isfinite(r["estimate"]) and np.isfinite(r["ci_low"]) and np.isfinite(r["ci_high"]):
                inside = r["ci_low"] - 1e-9 <= r["estimate"] <= r["ci_high"] + 1e-9
                assert inside or "does not contain the estimate" in r["note"], r.to_dict()
            assert not (np.isfinite(r["estimate"]) and r["estimate"] > 1 + 1e-12), r.to_dict()
            assert not (r["ci_low"] > r["ci_high"]), r.to_dict()
