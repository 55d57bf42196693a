"""Tests for Kendall's W (kinerja.agreement._kendall)."""

from __future__ import annotations

import re
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from kinerja.agreement import AgreementInputError
from kinerja.agreement._kendall import KENDALL_COLUMNS, kendall_w

from .reference import REFERENCE as REF
from .reference import close_at
from .reference import expected_entries as load_expected

HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def to_long(x: np.ndarray) -> pd.DataFrame:
    """Subjects x raters array -> long format with the default column names."""
    n, m = x.shape
    return pd.DataFrame(
        [(i, f"j{g}", x[i, g]) for i in range(n) for g in range(m)], columns=["subject_id", "juror_id", "score"]
    )


def anxiety() -> np.ndarray:
    return pd.read_csv(REF / "irr_R_package" / "anxiety.csv").set_index("subject").to_numpy(dtype=float)


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ------------------------------------------------ published values (R irr)


def _irr_cases():
    column = {"kendall.Wt": "estimate", "kendall.chisq": "chi2", "kendall.p": "p_value"}
    for e in load_expected("irr_R_package"):
        if e["id"] in column:
            yield pytest.param(column[e["id"]], e, id=f"{e['id']}@R-irr")


@pytest.mark.parametrize(("column", "entry"), list(_irr_cases()))
def test_irr_kendall_published_values(column, entry):
    # R: irr::kendall(anxiety, correct = TRUE) -> Wt = 0.54, chisq(19) = 30.8, p = 0.0429
    # (source: sophiedkk/pyirr tests reproducing the irr help page). The chi-square
    # is built from the tie-corrected W: 3 * 19 * 0.5397 = 30.76.
    res = kendall_w(to_long(anxiety()), correct_ties=True).iloc[0]
    assert close_at(float(res[column]), entry["value"], entry["decimals"]), (
        f"{entry['id']}: got {res[column]!r}, published {entry['value']} ({entry['source']})"
    )
    assert res["df"] == 19


def test_uncorrected_w_on_anxiety_is_smaller():
    # anxiety has many ties (scores 1-6 for 20 subjects): the correction matters
    corrected = kendall_w(to_long(anxiety())).iloc[0]
    raw = kendall_w(to_long(anxiety()), correct_ties=False).iloc[0]
    assert raw["estimate"] < corrected["estimate"]
    assert raw["chi2"] == pytest.approx(3 * 19 * raw["estimate"])
    assert not raw["correct_ties"] and corrected["correct_ties"]


# ------------------------------------------------------------- peers


@HYP
@given(st.integers(3, 12), st.integers(2, 6), st.integers(2, 8), st.randoms())
def test_matches_scipy_friedman(n, m, levels, rnd):
    x = np.array([[rnd.randint(1, levels) for _ in range(m)] for _ in range(n)], float)
    res = kendall_w(to_long(x)).iloc[0]
    if np.isnan(res["estimate"]):  # every score equal: Friedman is 0/0 as well
        assert "same score" in res["note"]
        return
    # subjects are the treatments, raters the blocks
    fr = stats.friedmanchisquare(*x)
    assert res["chi2"] == pytest.approx(fr.statistic, rel=1e-10, abs=1e-12)
    assert res["p_value"] == pytest.approx(fr.pvalue, rel=1e-10, abs=1e-12)


@HYP
@given(st.integers(3, 10), st.integers(2, 6), st.randoms())
def test_untied_w_equals_mean_spearman_relation(n, m, rnd):
    # Kendall (1948): W = ((m - 1) * mean pairwise Spearman rho + 1) / m, no ties
    x = np.array([rnd.sample(range(100), n) for _ in range(m)], float).T
    res = kendall_w(to_long(x)).iloc[0]
    rho = np.mean([stats.spearmanr(x[:, a], x[:, b]).statistic for a, b in combinations(range(m), 2)])
    assert res["estimate"] == pytest.approx(((m - 1) * rho + 1) / m, rel=1e-10, abs=1e-12)
    # without ties the correction changes nothing
    assert kendall_w(to_long(x), correct_ties=False)["estimate"].iloc[0] == pytest.approx(res["estimate"], rel=1e-12)


# -------------------------------------------------------- properties


@HYP
@given(st.integers(2, 10), st.integers(2, 6), st.randoms())
def test_identical_rankings_give_one_and_monotone_rescoring_changes_nothing(n, m, rnd):
    base = np.array(rnd.sample(range(1, 50), n), float)
    # every rater ranks alike, each on their own (strictly increasing) scale
    x = np.column_stack([base * rnd.uniform(0.5, 3) + rnd.uniform(-5, 5) for _ in range(m)])
    assert kendall_w(to_long(x))["estimate"].iloc[0] == pytest.approx(1.0)
    y = np.column_stack([base, rnd.sample(range(1, 50), n)] + [base] * (m - 2))
    w1 = kendall_w(to_long(y))["estimate"].iloc[0]
    y2 = y.copy()
    y2[:, 1] = np.exp(y2[:, 1] / 10)  # monotone transform of one rater's scores
    assert kendall_w(to_long(y2))["estimate"].iloc[0] == pytest.approx(w1, rel=1e-12)


@HYP
@given(st.integers(3, 8), st.integers(2, 5), st.randoms())
def test_relabelling_and_row_order_change_nothing(n, m, rnd):
    x = np.array([[rnd.randint(1, 4) for _ in range(m)] for _ in range(n)], float)
    long = to_long(x)
    subj = {s: f"agency-{rnd.randint(0, 10**6)}-{s}" for s in range(n)}
    jur = {f"j{g}": f"juror-{rnd.randint(0, 10**6)}-{g}" for g in range(m)}
    relab = long.assign(subject_id=long["subject_id"].map(subj), juror_id=long["juror_id"].map(jur)).sample(
        frac=1.0, random_state=1
    )
    a, b = kendall_w(long).iloc[0], kendall_w(relab).iloc[0]
    for col in ("estimate", "chi2", "p_value"):
        assert (np.isnan(a[col]) and np.isnan(b[col])) or a[col] == pytest.approx(b[col])


def test_two_opposite_rankings_give_zero():
    x = np.column_stack([np.arange(1, 6), np.arange(5, 0, -1)]).astype(float)
    res = kendall_w(to_long(x)).iloc[0]
    assert res["estimate"] == pytest.approx(0.0, abs=1e-15)
    assert res["chi2"] == pytest.approx(0.0, abs=1e-12) and res["p_value"] == pytest.approx(1.0)


def test_schema_and_no_interval():
    res = kendall_w(to_long(anxiety()))
    assert res.columns.tolist() == list(KENDALL_COLUMNS)
    assert res["statistic"].iloc[0] == "kendall_w"
    assert res[["ci_low", "ci_high"]].isna().all().all()
    assert res["n_subjects"].iloc[0] == 20 and res["n_raters"].iloc[0] == 3


def test_column_names_are_overridable():
    long = to_long(anxiety()).rename(columns={"subject_id": "instansi", "juror_id": "juri", "score": "nilai"})
    a = kendall_w(long, subject="instansi", rater="juri", value="nilai")
    b = kendall_w(to_long(anxiety()))
    assert a["estimate"].iloc[0] == b["estimate"].iloc[0]


# ---------------------------------------------- missing data and degenerate designs


def test_missing_score_is_refused_with_a_clear_message():
    long = to_long(anxiety())
    long.loc[5, "score"] = np.nan  # row 5 = subject 1, rater j2
    with pytest.raises(AgreementInputError, match="complete data") as err:
        kendall_w(long)
    msg = str(err.value)
    assert "1 of 60" in msg and "subject_id=1" in msg and "juror_id='j2'" in msg
    assert "drop the incomplete subjects" in msg


def test_missing_row_is_refused_too():
    long = to_long(anxiety()).drop(index=7)
    with pytest.raises(AgreementInputError, match=re.escape("1 of 60")):
        kendall_w(long)


def test_one_rater_is_undefined_with_reason():
    res = kendall_w(to_long(anxiety()[:, :1])).iloc[0]
    assert np.isnan(res["estimate"]) and "at least two raters" in res["note"]


def test_one_subject_is_undefined_with_reason():
    res = kendall_w(to_long(anxiety()[:1])).iloc[0]
    assert np.isnan(res["estimate"]) and "at least two subjects" in res["note"]
    assert res["df"] == 0


def test_constant_scores():
    x = np.full((5, 3), 4.0)
    res = kendall_w(to_long(x)).iloc[0]
    assert np.isnan(res["estimate"]) and "same score" in res["note"]
    # uncorrected, all-tied rankings simply show no concordance
    raw = kendall_w(to_long(x), correct_ties=False).iloc[0]
    assert raw["estimate"] == 0.0 and raw["note"] == "no interval requested (n_boot=0)"


def test_one_rater_constant_others_not():
    x = np.column_stack([np.arange(1, 7), np.arange(1, 7), np.full(6, 3)]).astype(float)
    res = kendall_w(to_long(x)).iloc[0]
    assert 0 < res["estimate"] < 1 and res["note"] == "no interval requested (n_boot=0)"


def test_bad_arguments():
    with pytest.raises(AgreementInputError, match="correct_ties"):
        kendall_w(to_long(anxiety()), correct_ties="yes")
    with pytest.raises(AgreementInputError, match="column"):
        kendall_w(to_long(anxiety()), value="nilai")


# ------------------------------------------------- confidence interval (subject bootstrap)


@HYP
@given(st.integers(3, 12), st.integers(2, 5), st.integers(2, 6), st.booleans(), st.randoms())
def test_weighted_w_equals_w_of_the_explicit_resample(n, m, levels, ties, rnd):
    from kinerja.agreement._kendall import _WeightedW

    x = np.array([[rnd.randint(1, levels) for _ in range(m)] for _ in range(n)], float)
    idx = [rnd.randrange(n) for _ in range(n)]
    w = np.bincount(idx, minlength=n).astype(float)
    explicit = kendall_w(to_long(x[idx]), correct_ties=ties)["estimate"].iloc[0]
    got = _WeightedW(x, ties).w(w[None, :])[0]
    assert (np.isnan(explicit) and np.isnan(got)) or got == pytest.approx(explicit, rel=1e-12, abs=1e-14)
    # leave-one-out rows (the BCa jackknife) too
    jack = _WeightedW(x, ties).w(1.0 - np.eye(n))
    loo = kendall_w(to_long(np.delete(x, 0, axis=0)), correct_ties=ties)["estimate"].iloc[0]
    assert (np.isnan(loo) and np.isnan(jack[0])) or jack[0] == pytest.approx(loo, rel=1e-12, abs=1e-14)


def test_interval_seeded_bracketing_and_labelled():
    a = kendall_w(to_long(anxiety()), n_boot=1000, seed=5).iloc[0]
    b = kendall_w(to_long(anxiety()), n_boot=1000, seed=5).iloc[0]
    assert a.equals(b)
    assert a["ci_low"] < a["estimate"] < a["ci_high"] <= 1.0 and a["ci_level"] == 0.95
    assert a["se"] > 0 and a["n_boot"] == 1000 and a["note"] == ""
    assert "subject bootstrap (bca), 1000 resamples" in a["method"]
    p = kendall_w(to_long(anxiety()), n_boot=1000, seed=5, ci_method="percentile").iloc[0]
    assert p["ci_low"] != a["ci_low"] and "percentile" in p["method"]
    narrow = kendall_w(to_long(anxiety()), n_boot=1000, seed=5, ci=0.8).iloc[0]
    assert a["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < a["ci_high"]
    # the test and the estimate do not depend on the bootstrap
    plain = kendall_w(to_long(anxiety())).iloc[0]
    assert plain["estimate"] == a["estimate"] and plain["p_value"] == a["p_value"]
    assert np.isnan(plain["ci_low"]) and np.isnan(plain["ci_level"])


def test_no_interval_with_fewer_than_five_subjects():
    res = kendall_w(to_long(anxiety()[:4]), n_boot=500, seed=1).iloc[0]
    assert np.isfinite(res["estimate"]) and np.isnan(res["ci_low"])
    assert "fewer than 5 subjects" in res["note"]


def test_interval_coverage_small_simulation():
    # 200 replications of 20 subjects x 5 raters, y = s + e with var(s) = var(e):
    # population W_inf = ((m-1) rho_S + 1) / m with rho_S = (6/pi) asin(0.5/2). The
    # full study (benchmarks/coverage_agreement.py, 1,000 replications) finds 0.945
    # here; with 200 replications the Monte Carlo SE is about 0.016.
    rng = np.random.default_rng(11)
    n, m = 20, 5
    w_inf = ((m - 1) * (6 / np.pi) * np.arcsin(0.25) + 1) / m
    hits = 0
    for r in range(200):
        y = rng.normal(size=(n, 1)) + rng.normal(size=(n, m))
        res = kendall_w(to_long(y), n_boot=1000, seed=r).iloc[0]
        hits += res["ci_low"] <= w_inf <= res["ci_high"]
    assert 0.86 <= hits / 200 <= 0.99, hits / 200


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"n_boot": 1}, "n_boot"),
        ({"n_boot": -5}, "n_boot"),
        ({"n_boot": "many"}, "n_boot"),
        ({"n_boot": 100, "ci": 95}, "confidence level"),
        ({"n_boot": 100, "ci_method": "studentized"}, "ci_method"),
    ],
)
def test_bootstrap_argument_errors(kw, message):
    with pytest.raises(AgreementInputError, match=message):
        kendall_w(to_long(anxiety()), **kw)
