"""Tests for the chance-corrected agreement coefficients (kinerja.agreement._kappa).

Level 1: every published value in tests/reference/ for these statistics, at its
published precision (one parametrised case per value; the source is in the test id
and the assertion message). Level 2: peers (statsmodels, krippendorff) on random
data. Level 3: properties (hypothesis) and degenerate designs.
"""

from __future__ import annotations

import re
import warnings
from functools import cache

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats import inter_rater as sm_ir

from kinerja.agreement import AgreementInputError
from kinerja.agreement._kappa import (
    FAMILY_COLUMNS,
    FLEISS_COLUMNS,
    PAIR_COLUMNS,
    TABLE_COLUMNS,
    cohen_kappa,
    cohen_kappa_table,
    fleiss_kappa,
    fleiss_kappa_counts,
    gwet_ac,
    gwet_ac_counts,
    gwet_ac_table,
    subject_agreement,
)
from kinerja.agreement._weights import WEIGHT_SCHEMES, weight_matrix

from .reference import REFERENCE as REF
from .reference import close_at
from .reference import expected_entries as load_expected

HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ helpers


def wide_to_long(wide: pd.DataFrame) -> pd.DataFrame:
    """Subjects in rows, raters in columns -> long format with the default names."""
    w = wide.copy()
    w.index = pd.RangeIndex(1, len(w) + 1, name="subject_id")
    return w.reset_index().melt(id_vars="subject_id", var_name="juror_id", value_name="score")


def counts_to_long(counts: pd.DataFrame, categories) -> pd.DataFrame:
    """Counts table -> long ratings with anonymous raters r1, r2, ... per subject."""
    rows = []
    for i, (_, row) in enumerate(counts.iterrows()):
        g = 0
        for cat, k in zip(categories, row.to_numpy()):
            for _ in range(int(k)):
                g += 1
                rows.append((i + 1, f"r{g}", cat))
    return pd.DataFrame(rows, columns=["subject_id", "juror_id", "score"])


def source_tag(source: str) -> str:
    tags = [
        ("R irrCAC", "irrCAC-R"),
        ("SAS PROC FREQ", "SAS"),
        ("statsmodels", "R-irr"),
        ("sophiedkk/pyirr", "R-irr"),
        ("a public course page", "R-irr"),
        ("Wikipedia", "Wikipedia"),
    ]
    for prefix, tag in tags:
        if source.startswith(prefix):
            return tag
    return re.sub(r"\W+", "-", source)[:20]


@cache
def raw4() -> pd.DataFrame:
    wide = pd.read_csv(REF / "irrCAC_gwet" / "cac.raw4raters.csv").drop(columns="Units")
    return wide_to_long(wide)


@cache
def distrib6() -> pd.DataFrame:
    return pd.read_csv(REF / "irrCAC_gwet" / "distrib.6raters.csv", index_col=0)


@cache
def cont3x3() -> pd.DataFrame:
    return pd.read_csv(REF / "irrCAC_gwet" / "cont3x3abstractors.csv", index_col=0)


@cache
def anxiety_long() -> pd.DataFrame:
    anx = pd.read_csv(REF / "irr_R_package" / "anxiety.csv").set_index("subject")
    return wide_to_long(anx)


@cache
def _family(kind: str, weights: str) -> pd.DataFrame:
    if kind == "table":
        return gwet_ac_table(cont3x3(), weights=weights)
    if kind == "dist":
        return gwet_ac_counts(distrib6(), weights=weights)
    return gwet_ac(raw4(), weights=weights)


def family_value(res: pd.DataFrame, coefficient: str, column: str) -> float:
    rows = res[res["statistic"].str.startswith(coefficient)]
    assert len(rows) == 1, (coefficient, res["statistic"].tolist())
    return float(rows.iloc[0][column])


def irr_weights(vector) -> np.ndarray:
    """R irr kappa2's numeric `weight` argument: a disagreement score per distance.

    irr maps it to agreement weights 1 - (v - min v) / (max v - min v) and fills
    cell (i, j) with the weight of distance |i - j|.
    """
    v = np.asarray(vector, dtype=float)
    agree = 1.0 - (v - v.min()) / (v.max() - v.min())
    q = len(v)
    return np.array([[agree[abs(i - j)] for j in range(q)] for i in range(q)])


# ----------------------------------------------- level 1: published values

_IRRCAC_FUNCTIONS = {
    # irrCAC function -> (our table kind, our coefficient label prefix)
    "kappa2.table": ("table", "cohen_kappa"),
    "scott2.table": ("table", "scott_pi"),
    "gwet.ac1.table": ("table", "gwet_ac"),
    "bp2.table": ("table", "brennan_prediger"),
    "krippen2.table": ("table", "krippendorff_alpha"),
    "pa2.table": ("table", "percent_agreement"),
    "gwet.ac1.dist": ("dist", "gwet_ac"),
    "fleiss.kappa.dist": ("dist", "fleiss_kappa"),
    "krippen.alpha.dist": ("dist", "krippendorff_alpha"),
    "bp.coeff.dist": ("dist", "brennan_prediger"),
    "pa.coeff.raw": ("raw", "percent_agreement"),
    "gwet.ac1.raw": ("raw", "gwet_ac"),
    "fleiss.kappa.raw": ("raw", "fleiss_kappa"),
    "krippen.alpha.raw": ("raw", "krippendorff_alpha"),
    "conger.kappa.raw": ("raw", "conger_kappa"),
    "bp.coeff.raw": ("raw", "brennan_prediger"),
    # afergadis/irrCAC (Python port) CAC class, raw ratings
    "CAC.gwet": ("raw", "gwet_ac"),
    "CAC.fleiss": ("raw", "fleiss_kappa"),
    "CAC.krippendorff": ("raw", "krippendorff_alpha"),
    "CAC.conger": ("raw", "conger_kappa"),
}
_STAT_COLUMN = {"": "estimate", "se": "se", "ci_low": "ci_low", "ci_high": "ci_high", "pa": "pa", "pe": "pe"}

# Published irrCAC values that differ from ours for a documented reason; each
# has a dedicated test below that reproduces it from the variant formula.
_KRIPP_RAW_V10 = (
    "irrCAC 1.0 (2019, CRAN) Krippendorff raw SE/df; GitHub irrCAC >= 1.2 (commit 00b8451, 2021-08-17) "
    "revised them and we follow the revision: see "
    "test_krippendorff_raw_se_follows_irrcac_1_2"
)
_KRIPP_DIST = (
    "irrCAC krippen.alpha.dist uses a different chance-agreement term than "
    "krippen.alpha.raw; we use the raw one for counts too: see "
    "test_krippendorff_counts_se_is_the_raw_formula"
)
KNOWN_DISAGREEMENTS = {
    "cac.raw4raters.krippen.alpha.raw.unweighted.se": _KRIPP_RAW_V10,
    "cac.raw4raters.krippen.alpha.raw.unweighted.ci_low": _KRIPP_RAW_V10,
    "cac.raw4raters.krippen.alpha.raw.quadratic.se": _KRIPP_RAW_V10,
    "cac.raw4raters.krippen.alpha.raw.quadratic.ci_low": _KRIPP_RAW_V10,
    "distrib.6raters.krippen.alpha.dist.unweighted.se": _KRIPP_DIST,
    "distrib.6raters.krippen.alpha.dist.unweighted.ci_low": _KRIPP_DIST,
    "distrib.6raters.krippen.alpha.dist.unweighted.ci_high": _KRIPP_DIST,
    "distrib.6raters.krippen.alpha.dist.quadratic.se": _KRIPP_DIST,
    "distrib.6raters.krippen.alpha.dist.quadratic.ci_low": _KRIPP_DIST,
    "distrib.6raters.krippen.alpha.dist.quadratic.ci_high": _KRIPP_DIST,
}


def _irrcac_cases():
    main = None
    for e in load_expected("irrCAC_gwet"):
        if "options" in e:
            main, suffix = e, ""
        else:
            assert e["id"].startswith(main["id"] + "."), e["id"]
            suffix = e["id"][len(main["id"]) + 1 :]
        opts = main["options"]
        kind, coef = _IRRCAC_FUNCTIONS[opts["function"]]
        marks = []
        if e["id"] in KNOWN_DISAGREEMENTS:
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_DISAGREEMENTS[e["id"]])]
        yield pytest.param(
            kind, opts["weights"], coef, _STAT_COLUMN[suffix], e, id=f"{e['id']}@{source_tag(e['source'])}", marks=marks
        )


@pytest.mark.parametrize(("kind", "weights", "coef", "column", "entry"), list(_irrcac_cases()))
def test_irrcac_published_values(kind, weights, coef, column, entry):
    # raw: gwet_ac(cac.raw4raters); dist: gwet_ac_counts(distrib.6raters);
    # table: gwet_ac_table(cont3x3abstractors) -- R: <function>(data, weights=...)
    got = family_value(_family(kind, weights), coef, column)
    assert close_at(got, entry["value"], entry["decimals"]), (
        f"{entry['id']}: got {got!r}, published {entry['value']} ({entry['decimals']} dp) in {entry['source']}"
    )


def _sas_cases():
    column = {
        "kappa": "estimate",
        "ASE": "se",
        "ci_low": "ci_low",
        "ci_high": "ci_high",
        "ASE_H0": "se_h0",
        "z": "z",
        "p_two_sided": "p_value",
        "p_one_sided": "p_value",
    }
    for e in load_expected("cohen_kappa_sas_example"):
        weights, stat = e["id"].split(".", 1)
        alternative = "greater" if stat == "p_one_sided" else "two-sided"
        yield pytest.param(weights, column[stat], alternative, e, id=f"{e['id']}@{source_tag(e['source'])}")


@pytest.mark.parametrize(("weights", "column", "alternative", "entry"), list(_sas_cases()))
def test_sas_cohen_kappa_published_values(weights, column, alternative, entry):
    # SAS: PROC FREQ; TABLES r1*r2 / AGREE; (linear = Cicchetti-Allison weights)
    table = pd.read_csv(REF / "cohen_kappa_sas_example" / "table_3x3.csv", index_col=0)
    res = cohen_kappa_table(table, weights=weights, alternative=alternative)
    got = float(res.iloc[0][column])
    assert close_at(got, entry["value"], entry["decimals"]), (
        f"{entry['id']}: got {got!r}, published {entry['value']} in {entry['source']}"
    )


def _wikipedia_cases():
    for e in load_expected("fleiss_wikipedia"):
        if e["id"].startswith("p_j."):
            continue  # category margins: an input summary, not an output of ours
        yield pytest.param(e, id=f"{e['id']}@{source_tag(e.get('source', 'Wikipedia'))}")


@pytest.mark.parametrize("entry", list(_wikipedia_cases()))
def test_fleiss_wikipedia_published_values(entry):
    # Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories
    counts = pd.read_csv(REF / "fleiss_wikipedia" / "counts_subject_by_category.csv", index_col=0)
    if entry["id"].startswith("P_i."):
        i = int(entry["id"].split(".")[1])
        per = subject_agreement(counts_to_long(counts, [1, 2, 3, 4, 5]))
        got = float(per.loc[per["subject_id"] == i, "estimate"].iloc[0])
    else:
        res = fleiss_kappa_counts(counts).iloc[0]
        got = float(res[{"kappa": "estimate", "P_bar": "pa", "Pe_bar": "pe"}[entry["id"]]])
    assert close_at(got, entry["value"], entry["decimals"]), (entry["id"], got)


def _irr_kappa2_value(entry_id: str) -> float:
    """Our value for an R irr kappa2 entry on `anxiety`.

    irr's kappa2 turns each rater's scores into factor levels and weights the
    levels the pair used as 1, 2, ..., q. For raters 1-2 (all six scores used)
    that is our default; for raters 2-3 (score 5 never used) we recode the pair's
    scores to their dense ranks, which is what irr does (see
    test_irr_kappa2_builds_weights_over_used_levels for our own default).
    """
    parts = entry_id.split(".")
    pair, spec = parts[1], parts[2]
    stat = parts[3] if len(parts) > 3 else "value"
    raters = {"r12": ["rater1", "rater2"], "r23": ["rater2", "rater3"]}[pair]
    data = anxiety_long()
    data = data[data["juror_id"].isin(raters)]
    data = data.assign(score=data["score"].rank(method="dense"))  # irr's factor levels
    if spec.startswith("w"):
        weights = irr_weights([int(c) for c in spec[1:]])
    else:
        weights = {"unweighted": "unweighted", "equal": "linear", "squared": "quadratic"}[spec]
    res = cohen_kappa(data, weights=weights).iloc[0]
    return float(res[{"value": "estimate", "z": "z", "p": "p_value"}[stat]])


def _irr_cases():
    for e in load_expected("irr_R_package"):
        if e["id"].startswith("kappa2."):  # kendall.* are in test_kendall.py
            yield pytest.param(e, id=f"{e['id']}@{source_tag(e['source'])}")


@pytest.mark.parametrize("entry", list(_irr_cases()))
def test_irr_kappa2_published_values(entry):
    # R: irr::kappa2(anxiety[, 1:2] or [, 2:3], weight = ...)
    got = _irr_kappa2_value(entry["id"])
    assert close_at(got, entry["value"], entry["decimals"]), (
        f"{entry['id']}: got {got!r}, published {entry['value']} in {entry['source']}"
    )


# ------------------------------------------------- known disagreements


def _raw4_counts() -> tuple[np.ndarray, list]:
    wide = pd.read_csv(REF / "irrCAC_gwet" / "cac.raw4raters.csv").drop(columns="Units")
    cats = [1, 2, 3, 4, 5]
    x = wide.to_numpy(dtype=float)
    return np.stack([(x == c).sum(axis=1) for c in cats], axis=1).astype(float), cats


def _kripp_variants(A: np.ndarray, W: np.ndarray) -> dict:
    """Krippendorff alpha SE under the three irrCAC variants (written from Gwet 2014).

    ``slope`` is the value multiplying (r_i - rbar) / rbar in the observed-agreement
    term, ``pe_factor`` the weight of the chance-agreement term.
    """
    r = A.sum(axis=1)
    A2, r2 = A[r >= 2], r[r >= 2]
    m, rbar, eps = len(r2), r2.mean(), 1.0 / r2.sum()
    pa1_i = (A2 * (A2 @ W.T - 1.0)).sum(axis=1) / (rbar * (r2 - 1.0))
    pa1 = pa1_i.mean()
    pa = (1 - eps) * pa1 + eps
    pi = (A2 / rbar).mean(axis=0)
    pe = pi @ W @ pi
    alpha, alpha1 = (pa - pe) / (1 - pe), (pa1 - pe) / (1 - pe)
    pe_i = A2 @ (((W + W.T) / 2) @ pi) / rbar - pe * (r2 - rbar) / rbar

    def se(pa_i, centre, pe_factor):
        k = (pa_i - pe) / (1 - pe) - pe_factor * (pe_i - pe) / (1 - pe)
        return np.sqrt(((k - centre) ** 2).sum() / (m * (m - 1)))

    return {
        "v1.2": se(pa1_i - pa1 * (r2 - rbar) / rbar, alpha1, 2 * (1 - alpha1)),
        "v1.0": se(pa1_i - pa * (r2 - rbar) / rbar, alpha1, 2 * (1 - alpha1)),
        "dist": se((1 - eps) * (pa1_i - pa1 * (r2 - rbar) / rbar) + eps, alpha, (1 - alpha)),
        "alpha": alpha,
        "m": m,
    }


@pytest.mark.parametrize("weights", ["unweighted", "quadratic"])
def test_krippendorff_raw_se_follows_irrcac_1_2(weights):
    """Choice: Krippendorff SE as in GitHub irrCAC >= 1.2, not irrCAC 1.0 (2019, CRAN).

    irrCAC 1.0 (whose vignette values are in expected.json) multiplied the
    rater-count correction by the eps-corrected pa and used (subjects rated twice)
    - 1 = 10 df; kgwet/irrCAC commit 00b8451 (2021-08-17, "to make it match the SAS
    version", released as 1.2) uses pa' (the exact linearisation) and n - 1 = 11 df.
    Here the published 1.0 values are reproduced from the 1.0 variant, and ours must
    equal the revised one.
    """
    from scipy import stats

    A, cats = _raw4_counts()
    v = _kripp_variants(A, weight_matrix(weights, cats))
    entries = {e["id"]: e for e in load_expected("irrCAC_gwet")}
    base = f"cac.raw4raters.krippen.alpha.raw.{weights}"
    pub_se, pub_lo = entries[base + ".se"], entries[base + ".ci_low"]
    # the published numbers are the 1.0 variant ...
    assert close_at(v["v1.0"], pub_se["value"], pub_se["decimals"])
    lo_v10 = v["alpha"] - stats.t.ppf(0.975, v["m"] - 1) * v["v1.0"]
    assert close_at(lo_v10, pub_lo["value"], pub_lo["decimals"])
    # ... and ours is the revised variant, with n_subjects - 1 = 11 df
    row = gwet_ac(raw4(), weights=weights).set_index("statistic").loc["krippendorff_alpha"]
    assert row["se"] == pytest.approx(v["v1.2"], rel=1e-12)
    assert row["ci_low"] == pytest.approx(row["estimate"] - stats.t.ppf(0.975, 11) * row["se"])
    assert not close_at(row["se"], pub_se["value"], pub_se["decimals"])


@pytest.mark.parametrize("weights", ["unweighted", "quadratic"])
def test_krippendorff_counts_se_is_the_raw_formula(weights):
    """Choice: counts tables get the same Krippendorff SE as raw ratings.

    irrCAC's krippen.alpha.dist shrinks each subject's agreement term by (1 - eps)
    and adds eps, weights the chance-agreement term by (1 - alpha) instead of
    2 (1 - alpha') (as its krippen.alpha.raw and every other coefficient do) and
    centres on alpha, not alpha'; that reproduces its published SE 0.08243228 /
    0.133958 and, with t quantiles on 14 df (15 subjects), both CI bounds. The
    afergadis Python port, fed the same data as raw ratings, reports 0.0812
    (PEER_ISSUES.md), as we do.
    """
    from scipy import stats

    counts = distrib6()
    W = weight_matrix(weights, list(range(1, counts.shape[1] + 1)))
    v = _kripp_variants(counts.to_numpy(dtype=float), W)
    entries = {e["id"]: e for e in load_expected("irrCAC_gwet")}
    pub = entries[f"distrib.6raters.krippen.alpha.dist.{weights}.se"]
    assert close_at(v["dist"], pub["value"], pub["decimals"])
    half = stats.t.ppf(0.975, v["m"] - 1) * v["dist"]
    for end, value in (("ci_low", v["alpha"] - half), ("ci_high", v["alpha"] + half)):
        p = entries[f"distrib.6raters.krippen.alpha.dist.{weights}.{end}"]
        assert close_at(value, p["value"], p["decimals"]), (end, value, p["value"])
    ours = gwet_ac_counts(counts, weights=weights).set_index("statistic")
    assert ours.loc["krippendorff_alpha", "se"] == pytest.approx(v["v1.2"], rel=1e-12)
    # same numbers as the long-format path on the same ratings
    long = counts_to_long(counts, list(range(1, counts.shape[1] + 1)))
    via_long = gwet_ac(long, weights=weights).set_index("statistic")
    assert via_long.loc["krippendorff_alpha", "se"] == pytest.approx(ours.loc["krippendorff_alpha", "se"], rel=1e-12)
    if weights == "unweighted":
        assert round(ours.loc["krippendorff_alpha", "se"], 4) == 0.0812  # Python port


def test_irr_kappa2_builds_weights_over_used_levels():
    """Choice: one scale for every pair (all observed scores, or categories=).

    R irr's kappa2 builds its weights over the levels the pair actually used,
    spaced 1, 2, ...: raters 2 and 3 of `anxiety` never use score 5, so irr
    weights their scores 1, 2, 3, 4, 6 as 1..5 and reports 0.1459075 (linear).
    We keep the 1-6 scale with the scores as values (as irrCAC and SAS do), so
    partial credit for a 4-vs-6 disagreement is the same for every pair of
    jurors. Recoding the pair's scores to ranks reproduces irr.
    """
    data = anxiety_long()
    ours = cohen_kappa(data, weights="linear").set_index(["rater_a", "rater_b"])
    ours_23 = ours.loc[("rater2", "rater3"), "estimate"]
    pair = data[data["juror_id"].isin(["rater2", "rater3"])]
    # the scale of the pair alone, still on the score values: irrCAC's behaviour
    own_scale = cohen_kappa(pair, weights="linear")["estimate"].iloc[0]
    irr_like = cohen_kappa(pair.assign(score=pair["score"].rank(method="dense")), weights="linear")["estimate"].iloc[0]
    assert close_at(irr_like, 0.1459075, 7)
    assert not close_at(ours_23, 0.1459075, 3)
    assert ours_23 == pytest.approx(0.1262136, abs=5e-8)
    assert own_scale == pytest.approx(ours_23)  # linear weights on values 1..6 = on 1,2,3,4,6
    # categories= states the scale explicitly and gives the same as the default here
    explicit = cohen_kappa(data, weights="linear", categories=range(1, 7))
    assert explicit["estimate"].tolist() == pytest.approx(ours["estimate"].tolist())
    # unweighted kappa does not depend on unused categories
    a = cohen_kappa(pair)["estimate"].iloc[0]
    b = cohen_kappa(pair, categories=range(1, 8))["estimate"].iloc[0]
    assert a == pytest.approx(b) == pytest.approx(-0.006289308, abs=5e-10)


def test_cohen_se_for_ci_and_h0_se_for_test():
    """Choice (SAS, R irr): CI from the non-null ASE, z from the H0 ASE."""
    table = pd.read_csv(REF / "cohen_kappa_sas_example" / "table_3x3.csv", index_col=0)
    r = cohen_kappa_table(table).iloc[0]
    assert r["z"] == pytest.approx(r["estimate"] / r["se_h0"])
    assert r["ci_high"] - r["estimate"] == pytest.approx(1.959963985 * r["se"])
    # irrCAC uses t quantiles with n - 1 df (cont3x3abstractors: 0.680, not 0.681)
    t = cohen_kappa_table(cont3x3(), ci_dist="t").iloc[0]
    z = cohen_kappa_table(cont3x3()).iloc[0]
    assert round(t["ci_low"], 3) == 0.68 and round(z["ci_low"], 3) == 0.681


def test_ci_upper_bound_truncated_at_one_like_irrcac():
    res = gwet_ac(raw4()).set_index("statistic")
    assert (res["ci_high"] == 1.0).all()  # every published irrCAC CI for this data ends at 1
    assert (res["estimate"] + 2 * res["se"] > 1).all()
    assert (res["ci_low"] < res["estimate"]).all()


# ------------------------------------------------------ level 2: peers


def _random_long(rng, n, r, q, p_missing=0.0):
    x = rng.integers(1, q + 1, size=(n, r)).astype(float)
    # make agreement non-trivial: copy rater 0's score with probability 0.5
    copy = rng.random((n, r)) < 0.5
    x = np.where(copy, x[:, [0]], x)
    x[rng.random((n, r)) < p_missing] = np.nan
    long = pd.DataFrame(
        [(i, f"j{g}", x[i, g]) for i in range(n) for g in range(r)], columns=["subject_id", "juror_id", "score"]
    )
    return x, long


@pytest.mark.parametrize("seed", range(5))
def test_fleiss_matches_statsmodels_equal_raters(seed):
    rng = np.random.default_rng(seed)
    x, long = _random_long(rng, n=25, r=5, q=4)
    table, _ = sm_ir.aggregate_raters(x.astype(int))
    expected = sm_ir.fleiss_kappa(table, method="fleiss")
    assert fleiss_kappa(long)["estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert fleiss_kappa_counts(table)["estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)
    # Brennan-Prediger with the observed categories = statsmodels' 'randolph'
    q_obs = len(np.unique(x))
    bp = gwet_ac(long).set_index("statistic").loc["brennan_prediger", "estimate"]
    if q_obs == table.shape[1]:
        assert bp == pytest.approx(sm_ir.fleiss_kappa(table, method="randolph"), rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("weights", "wt"), [("unweighted", None), ("linear", "linear"), ("quadratic", "quadratic")])
def test_cohen_matches_statsmodels(seed, weights, wt):
    rng = np.random.default_rng(seed)
    q = int(rng.integers(2, 6))
    a = rng.integers(0, q, 40)
    b = np.where(rng.random(40) < 0.5, a, rng.integers(0, q, 40))
    table = np.zeros((q, q))
    np.add.at(table, (a, b), 1)
    sm = sm_ir.cohens_kappa(table, wt=wt) if wt else sm_ir.cohens_kappa(table)
    ours = cohen_kappa_table(table, weights=weights).iloc[0]
    assert ours["estimate"] == pytest.approx(sm.kappa, rel=1e-10, abs=1e-12)
    assert ours["se"] == pytest.approx(sm.std_kappa, rel=1e-10)  # ASE
    assert ours["se_h0"] == pytest.approx(sm.std_kappa0, rel=1e-10)  # ASE under H0
    assert ours["z"] == pytest.approx(sm.z_value, rel=1e-10, abs=1e-12)
    # the long-format path gives the same as the table
    long = pd.DataFrame(
        {
            "subject_id": np.r_[np.arange(40), np.arange(40)],
            "juror_id": ["a"] * 40 + ["b"] * 40,
            "score": np.r_[a, b] + 1,
        }
    )
    via_long = cohen_kappa(long, weights=weights, categories=range(1, q + 1)).iloc[0]
    for col in ("estimate", "se", "se_h0", "z", "ci_low", "ci_high"):
        assert via_long[col] == pytest.approx(ours[col], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    ("weights", "level"), [("unweighted", "nominal"), ("quadratic", "interval"), ("ratio", "ratio")]
)
def test_krippendorff_estimate_matches_krippendorff_package(seed, weights, level):
    # Gwet's formulation equals Krippendorff's alpha, missing data included;
    # quadratic weights = interval metric, ratio weights = ratio metric.
    rng = np.random.default_rng(100 + seed)
    x, long = _random_long(rng, n=30, r=4, q=5, p_missing=0.2)
    ours = gwet_ac(long, weights=weights).set_index("statistic")
    expected = krippendorff.alpha(reliability_data=x.T, level_of_measurement=level)
    assert ours.loc["krippendorff_alpha", "estimate"] == pytest.approx(expected, rel=1e-10)


def test_conger_equals_cohen_and_table_family_for_two_raters():
    rng = np.random.default_rng(7)
    _, long = _random_long(rng, n=50, r=2, q=4)
    fam = gwet_ac(long, categories=[1, 2, 3, 4]).set_index("statistic")
    ck = cohen_kappa(long).iloc[0]
    assert fam.loc["conger_kappa", "estimate"] == pytest.approx(ck["estimate"])
    table = pd.crosstab(
        long[long.juror_id == "j0"].set_index("subject_id")["score"],
        long[long.juror_id == "j1"].set_index("subject_id")["score"],
        dropna=False,
    ).reindex(index=[1.0, 2.0, 3.0, 4.0], columns=[1.0, 2.0, 3.0, 4.0], fill_value=0)
    tab = gwet_ac_table(table).set_index("statistic")
    assert tab.loc["scott_pi", "estimate"] == pytest.approx(fam.loc["fleiss_kappa", "estimate"])
    for c in ("gwet_ac1", "brennan_prediger", "krippendorff_alpha", "percent_agreement"):
        assert tab.loc[c, "estimate"] == pytest.approx(fam.loc[c, "estimate"])
    # two-rater formulas divide by n, the multi-rater ones by n - 1
    assert tab.loc["percent_agreement", "se"] == pytest.approx(fam.loc["percent_agreement", "se"] * np.sqrt(49 / 50))


# ------------------------------------------------- level 3: properties


@st.composite
def perfect_agreement(draw):
    n = draw(st.integers(2, 12))
    r = draw(st.integers(2, 5))
    truth = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n).filter(lambda v: len(set(v)) >= 2))
    rows = []
    for i, t in enumerate(truth):
        raters = draw(st.lists(st.integers(0, r - 1), min_size=2, max_size=r, unique=True))
        rows += [(i, f"j{g}", float(t)) for g in raters]
    return pd.DataFrame(rows, columns=["subject_id", "juror_id", "score"])


@HYP
@given(perfect_agreement(), st.sampled_from(WEIGHT_SCHEMES))
def test_perfect_agreement_gives_one(data, weights):
    res = gwet_ac(data, weights=weights).set_index("statistic")
    for c in res.index:  # >= 2 categories used, so every coefficient is defined
        assert res.loc[c, "estimate"] == pytest.approx(1.0), (c, res.loc[c, "note"])
    for _, row in cohen_kappa(data, weights=weights).iterrows():
        # defined only when the pair shares >= 1 subject and uses >= 2 categories
        if row["n_subjects"] > 0 and row["pe"] < 1 - 1e-12:
            assert row["estimate"] == pytest.approx(1.0)


@st.composite
def ratings_with_missing(draw):
    n = draw(st.integers(2, 10))
    r = draw(st.integers(2, 4))
    vals = draw(st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=n * r, max_size=n * r))
    rows = [
        (i, f"j{g}", np.nan if vals[i * r + g] is None else float(vals[i * r + g])) for i in range(n) for g in range(r)
    ]
    data = pd.DataFrame(rows, columns=["subject_id", "juror_id", "score"])
    if data["score"].notna().sum() == 0:
        data.loc[0, "score"] = 1.0
    return data


def _numeric(df: pd.DataFrame) -> np.ndarray:
    return df.select_dtypes("number").to_numpy(dtype=float)


@HYP
@given(ratings_with_missing(), st.randoms(use_true_random=False), st.sampled_from(["unweighted", "quadratic"]))
def test_relabelling_subjects_and_raters_changes_nothing(data, rnd, weights):
    subj = data["subject_id"].unique().tolist()
    rat = data["juror_id"].unique().tolist()
    new_s = rnd.sample(range(1000, 2000), len(subj))
    new_r = [f"x{v}" for v in rnd.sample(range(100), len(rat))]
    relab = data.assign(
        subject_id=data["subject_id"].map(dict(zip(subj, new_s))),
        juror_id=data["juror_id"].map(dict(zip(rat, new_r))),
    ).sample(frac=1.0, random_state=rnd.randrange(10**6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a, b = gwet_ac(data, weights=weights), gwet_ac(relab, weights=weights)
    np.testing.assert_allclose(_numeric(a), _numeric(b), rtol=1e-9, atol=1e-12)
    assert a["note"].tolist() == b["note"].tolist()
    # pairwise kappas: the same set of values whatever the labels
    ca = cohen_kappa(data, weights=weights)["estimate"].to_numpy()
    cb = cohen_kappa(relab, weights=weights)["estimate"].to_numpy()
    np.testing.assert_allclose(
        np.sort(ca[np.isfinite(ca)]), np.sort(cb[np.isfinite(cb)]), rtol=1e-9, atol=1e-12
    )  # atol: a kappa of 0 may come out as -3e-16


@HYP
@given(st.integers(2, 10), st.integers(2, 4), st.data())
def test_binary_data_every_weighting_equals_unweighted(n, r, data):
    vals = data.draw(st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=n * r, max_size=n * r))
    vals[0], vals[1] = 0.0, 1.0  # both categories present
    long = pd.DataFrame(
        [(i, f"j{g}", vals[i * r + g]) for i in range(n) for g in range(r)], columns=["subject_id", "juror_id", "score"]
    )
    base = gwet_ac(long)
    for w in WEIGHT_SCHEMES[1:]:
        other = gwet_ac(long, weights=w)
        cols = ["estimate", "se", "ci_low", "ci_high", "pa", "pe"]
        np.testing.assert_allclose(
            other[cols].to_numpy(float), base[cols].to_numpy(float), rtol=1e-12, atol=1e-12, equal_nan=True
        )
        np.testing.assert_allclose(
            cohen_kappa(long, weights=w)["estimate"], cohen_kappa(long)["estimate"], rtol=1e-12, equal_nan=True
        )


def test_unused_category_counts_where_the_method_needs_it():
    data = raw4()
    obs = gwet_ac(data).set_index("statistic")
    wide = gwet_ac(data, categories=range(1, 8)).set_index("statistic")
    # Brennan-Prediger: pe = 1/q; AC1 also depends on q
    assert wide.loc["brennan_prediger", "pe"] == pytest.approx(1 / 7)
    assert wide.loc["gwet_ac1", "estimate"] != pytest.approx(obs.loc["gwet_ac1", "estimate"])
    # unweighted kappa-type coefficients and percent agreement do not
    for c in ("fleiss_kappa", "conger_kappa", "krippendorff_alpha", "percent_agreement"):
        assert wide.loc[c, "estimate"] == pytest.approx(obs.loc[c, "estimate"])
    # linear weights over 1..7 instead of 1..5 are an affine change of the weights:
    # kappa-type coefficients are invariant to it, AC2 and Brennan-Prediger are not
    lin5 = gwet_ac(data, weights="linear").set_index("statistic")
    lin7 = gwet_ac(data, weights="linear", categories=range(1, 8)).set_index("statistic")
    for c in ("fleiss_kappa", "conger_kappa", "krippendorff_alpha"):
        assert lin7.loc[c, "estimate"] == pytest.approx(lin5.loc[c, "estimate"], rel=1e-12)
    for c in ("gwet_ac2", "brennan_prediger", "percent_agreement"):
        assert lin7.loc[c, "estimate"] != pytest.approx(lin5.loc[c, "estimate"])


def test_string_categories_and_custom_weights():
    data = raw4()
    labels = {1.0: "a", 2.0: "b", 3.0: "c", 4.0: "d", 5.0: "e"}
    as_str = data.assign(score=data["score"].map(labels))
    np.testing.assert_allclose(
        _numeric(gwet_ac(as_str, weights="quadratic")), _numeric(gwet_ac(data, weights="quadratic"))
    )
    W = weight_matrix("quadratic", [1, 2, 3, 4, 5])
    custom = gwet_ac(data, weights=W)
    assert (custom["weights"] == "custom").all()
    np.testing.assert_allclose(_numeric(custom), _numeric(gwet_ac(data, weights="quadratic")))


def test_schema():
    assert gwet_ac(raw4()).columns.tolist() == list(FAMILY_COLUMNS)
    assert fleiss_kappa(raw4()).columns.tolist() == list(FLEISS_COLUMNS)
    assert gwet_ac_counts(distrib6()).columns.tolist() == list(FAMILY_COLUMNS)
    assert gwet_ac_table(cont3x3()).columns.tolist() == list(FAMILY_COLUMNS)
    assert cohen_kappa(raw4()).columns.tolist() == list(PAIR_COLUMNS)
    assert cohen_kappa_table(cont3x3()).columns.tolist() == list(TABLE_COLUMNS)
    assert len(cohen_kappa(raw4())) == 6  # 4 raters -> 6 pairs
    res = gwet_ac(raw4(), weights="quadratic")
    assert res["statistic"].iloc[0] == "gwet_ac2" and (res["weights"] == "quadratic").all()
    assert res["n_subjects"].iloc[0] == 12 and res["n_raters"].iloc[0] == 4


# ------------------------------------------------------ degenerate designs


def _long(rows):
    return pd.DataFrame(rows, columns=["subject_id", "juror_id", "score"])


@pytest.fixture(autouse=True)
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_one_rater_everything_undefined_with_reason():
    d = _long([(1, "a", 1), (2, "a", 2), (3, "a", 3)])
    res = gwet_ac(d)
    assert res["estimate"].isna().all()
    assert res["note"].str.contains("no subject has two or more ratings").all()
    ck = cohen_kappa(d)
    assert len(ck) == 1 and np.isnan(ck["estimate"].iloc[0])
    assert "at least two raters" in ck["note"].iloc[0]


def test_one_subject_percent_agreement_but_no_se_and_nothing_beyond_chance():
    """One subject: the share of agreeing pairs is there (without an SE); agreement beyond
    chance is not identified (the rule of krippendorff_alpha: at least 2 subjects with
    two or more ratings), whatever the coefficient."""
    d = _long([(1, "a", 1), (1, "b", 1), (1, "c", 2)])
    res = gwet_ac(d, categories=[1, 2, 3]).set_index("statistic")
    assert res.loc["percent_agreement", "estimate"] == pytest.approx(1 / 3)
    assert "SE needs at least two subjects" in res.loc["percent_agreement", "note"]
    beyond = res.drop(index="percent_agreement")
    assert beyond["estimate"].isna().all() and beyond["note"].str.startswith("not identified: a single subject").all()
    assert res["se"].isna().all()
    assert res["ci_low"].isna().all() and res["p_value"].isna().all()


def test_one_subject_rated_twice_among_many_rated_once_is_not_identified():
    """Six subjects, one of them rated by two jurors: the coefficients had a full estimate,
    SE, interval and p-value (Fleiss' kappa -1.06, CI [-3.8, 1]) with no note."""
    d = pd.DataFrame(
        {
            "subject_id": ["U05", "U03", "U03", "U01", "U10", "U07", "U02"],
            "juror_id": ["B", "A", "B", "C", "A", "B", "C"],
            "score": [1, 1, 2, 2, 1, 2, 1],
        }
    )
    for res in (gwet_ac(d), fleiss_kappa(d)):
        beyond = res[res["statistic"] != "percent_agreement"]
        assert beyond[["estimate", "se", "ci_low", "ci_high", "p_value"]].isna().all().all()
        assert beyond["note"].str.startswith("not identified: a single subject has two or more ratings").all()
    pair = cohen_kappa(d.query("juror_id != 'C'"))
    assert np.isnan(pair["estimate"].iloc[0]) and pair["note"].iloc[0].startswith("not identified: a single subject")


def test_few_subjects_are_said_to_be_barely_identified():
    d = _long([(s, j, (s + (j == "b")) % 3) for s in range(4) for j in "ab"])
    res = fleiss_kappa(d)
    assert np.isfinite(res["estimate"].iloc[0])
    assert "barely identified: only 4 subjects have two or more ratings (rule: fewer than 5)" in res["note"].iloc[0]
    assert (
        "barely identified"
        not in fleiss_kappa(_long([(s, j, (s + (j == "b")) % 3) for s in range(5) for j in "ab"]))["note"].iloc[0]
    )


def test_zero_se_interval_of_cohens_kappa_says_so():
    """Perfect agreement: SE 0 and the interval [1, 1]; the note saying why had been dropped."""
    d = _long([(s, j, s % 3) for s in range(10) for j in "ab"])
    row = cohen_kappa(d).iloc[0]
    assert row["estimate"] == 1.0 and row["ci_low"] == row["ci_high"] == 1.0
    assert "SE is 0" in row["note"]


@pytest.mark.parametrize("ordered", [True, False])
def test_categorical_scores_are_labels_in_their_own_order(ordered):
    """A pandas Categorical of labels: ordered ones were refused ('low' not among the
    categories) and unordered ones with a missing rating raised a TypeError."""
    levels = ["low", "mid", "high"]
    rows = [(s, j, levels[(s + (j == "b") * (s % 2)) % 3]) for s in range(9) for j in "ab"]
    plain = _long(rows)
    cat = plain.assign(score=pd.Categorical(plain["score"], categories=levels, ordered=ordered))
    cat.loc[0, "score"] = np.nan
    plain.loc[0, "score"] = np.nan
    got = gwet_ac(cat, weights="linear")
    want = gwet_ac(plain, weights="linear", categories=levels)
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_frame_equal(cohen_kappa(cat), cohen_kappa(plain, categories=levels))


def test_constant_ratings_kappa_undefined_ac1_defined():
    d = _long([(s, j, 3) for s in range(4) for j in "abc"])
    res = gwet_ac(d).set_index("statistic")
    for c in ("fleiss_kappa", "conger_kappa", "krippendorff_alpha", "brennan_prediger"):
        assert np.isnan(res.loc[c, "estimate"])
        assert "pe = 1" in res.loc[c, "note"] and "categories=" in res.loc[c, "note"]
    assert res.loc["gwet_ac1", "estimate"] == 1.0
    assert res.loc["percent_agreement", "estimate"] == 1.0
    assert "taken as 0" in res.loc["gwet_ac1", "note"]
    assert res.loc["gwet_ac1", "se"] == 0.0 and "SE is 0" in res.loc["gwet_ac1", "note"]
    # on the declared 1-5 scale AC1 and Brennan-Prediger are 1, the kappas still 0/0
    full = gwet_ac(d, categories=[1, 2, 3, 4, 5]).set_index("statistic")
    assert full.loc["gwet_ac1", "estimate"] == 1.0
    assert full.loc["brennan_prediger", "estimate"] == 1.0
    assert np.isnan(full.loc["fleiss_kappa", "estimate"])
    ck = cohen_kappa(d)
    assert ck["estimate"].isna().all() and ck["note"].str.contains("pe = 1").all()
    assert np.isnan(fleiss_kappa_counts([[3, 0], [3, 0]])["estimate"].iloc[0])


def test_rater_with_every_value_missing():
    rows = [(s, j, float(1 + (s + (j == "b")) % 3)) for s in range(6) for j in "ab"]
    rows += [(s, "c", np.nan) for s in range(6)]
    d = _long(rows)
    res = gwet_ac(d)
    assert res["estimate"].notna().all()
    assert res["note"].str.contains("1 rater(s) without any rating ignored", regex=False).all()
    assert (res["n_raters"] == 2).all()
    ab = gwet_ac(d[d["juror_id"] != "c"])
    np.testing.assert_allclose(_numeric(res), _numeric(ab))
    ck = cohen_kappa(d).set_index(["rater_a", "rater_b"])
    assert np.isfinite(ck.loc[("a", "b"), "estimate"])
    assert ck.loc[("a", "c"), "n_subjects"] == 0
    assert "no subject rated by both" in ck.loc[("a", "c"), "note"]


def test_subject_with_single_rating():
    # subject 3 is rated once: it enters pi_k (AC1, Fleiss, BP, Conger) but not pa,
    # and Krippendorff drops it (irrCAC: cac.raw4raters subject 12 is such a case)
    d = _long([(1, "a", 1), (1, "b", 1), (2, "a", 2), (2, "b", 3), (3, "a", 1), (4, "a", 2), (4, "b", 2)])
    res = gwet_ac(d).set_index("statistic")
    assert res["estimate"].notna().all()
    # three subjects with two or more ratings: the identification rule's note, nothing else
    assert (
        res["note"]
        .str.fullmatch(r"barely identified: only 3 subjects have two or more ratings \(rule: fewer than 5\); .*")
        .all()
    )
    assert res.loc["percent_agreement", "estimate"] == pytest.approx(2 / 3)
    without = gwet_ac(d[d["subject_id"] != 3]).set_index("statistic")
    assert res.loc["krippendorff_alpha", "estimate"] == pytest.approx(without.loc["krippendorff_alpha", "estimate"])
    assert res.loc["fleiss_kappa", "pe"] != pytest.approx(without.loc["fleiss_kappa", "pe"])
    per = subject_agreement(d).set_index("subject_id")
    assert np.isnan(per.loc[3, "estimate"]) and per.loc[3, "n_raters"] == 1


def test_subject_without_any_rating_is_ignored_with_note():
    d = _long([(1, "a", 1), (1, "b", 1), (2, "a", 2), (2, "b", 2), (3, "a", np.nan), (3, "b", np.nan)])
    res = gwet_ac(d)
    assert (res["n_subjects"] == 2).all()
    assert res["note"].str.contains("1 subject(s) without any rating ignored", regex=False).all()


# ------------------------------------------------------ input validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gwet_ac(raw4(), value="nota"), "column"),
        (lambda: gwet_ac(raw4().to_numpy()), "long-format pandas DataFrame"),
        (lambda: gwet_ac(raw4(), weights="cubic"), "unknown weights"),
        (lambda: gwet_ac(raw4(), categories=[1, 2, 3]), "not among categories"),
        (lambda: gwet_ac(raw4(), ci=95), "confidence level"),
        (lambda: gwet_ac(raw4(), ci_dist="z"), "ci_dist"),
        (lambda: gwet_ac(raw4(), alternative="bigger"), "alternative"),
        (lambda: gwet_ac(raw4(), weights=np.eye(3)), "shape"),
        (lambda: gwet_ac(raw4(), weights=2 * np.eye(5)), "[0, 1]"),
        (lambda: gwet_ac(raw4().assign(score=np.nan)), "no non-missing rating"),
        (lambda: gwet_ac(pd.concat([raw4(), raw4().head(1)])), "share a"),
        (lambda: cohen_kappa_table([[1, 2, 3], [4, 5, 6]]), "square"),
        (lambda: fleiss_kappa_counts([[1, -1], [2, 0]]), "non-negative"),
        (lambda: fleiss_kappa_counts([[1.5, 1], [2, 0]]), "whole-number"),
        (lambda: fleiss_kappa_counts([[2, 0]], categories=[1, 2, 3]), "categories="),
        (lambda: gwet_ac(raw4().assign(score=raw4()["score"] - 3), weights="ratio"), "non-negative"),
    ],
)
def test_input_errors_are_actionable(call, message):
    with pytest.raises(AgreementInputError, match=re.escape(message)):
        call()


# ------------------------------------- Fleiss' kappa: the SE under H0 for the test


@cache
def diagnoses_long() -> pd.DataFrame:
    d = pd.read_csv(REF / "irr_R_package" / "diagnoses.csv").set_index("subject")
    return wide_to_long(d)


def _irr_fleiss_cases():
    column = {"kappam.fleiss.value": "estimate", "kappam.fleiss.z": "z", "kappam.fleiss.p": "p_value"}
    for e in load_expected("irr_R_package"):
        if e["id"] in column:
            yield pytest.param(column[e["id"]], e, id=f"{e['id']}@R-irr")


@pytest.mark.parametrize(("column", "entry"), list(_irr_fleiss_cases()))
def test_irr_kappam_fleiss_published_values(column, entry):
    # R: irr::kappam.fleiss(diagnoses) -> Kappa = 0.43, z = 17.7, p-value = 0
    # (Fleiss 1971 data; the test divides by the SE under H0, Fleiss, Nee & Landis 1979)
    res = fleiss_kappa(diagnoses_long()).iloc[0]
    assert close_at(float(res[column]), entry["value"], entry["decimals"]), (entry["id"], res[column])
    assert res["z"] == pytest.approx(res["estimate"] / res["se_h0"])
    assert res["n_subjects"] == 30 and res["n_raters"] == 6


def test_irr_kappam_fleiss_exact_is_conger():
    # R: irr::kappam.fleiss(diagnoses, exact = TRUE) -> 0.442 (Conger 1980)
    e = {x["id"]: x for x in load_expected("irr_R_package")}["kappam.fleiss.exact"]
    got = gwet_ac(diagnoses_long()).set_index("statistic").loc["conger_kappa", "estimate"]
    assert close_at(got, e["value"], e["decimals"])


def test_fleiss_gwet_se_gives_less_than_half_irrs_z():
    # the issue: irr's z is more than twice the z from Gwet's SE on a published example
    h0 = fleiss_kappa(diagnoses_long()).iloc[0]
    gw = fleiss_kappa(diagnoses_long(), test_se="gwet").iloc[0]
    assert h0["z"] > 2 * gw["z"]
    assert gw["z"] == pytest.approx(gw["estimate"] / gw["se"])
    # test_se='gwet' is irrCAC's test, as in gwet_ac's fleiss_kappa row
    fam = gwet_ac(diagnoses_long()).set_index("statistic").loc["fleiss_kappa"]
    assert gw["p_value"] == pytest.approx(fam["p_value"]) and gw["z"] == pytest.approx(fam["z"])
    # the interval uses Gwet's SE either way
    assert h0["ci_low"] == gw["ci_low"] and h0["se"] == gw["se"]
    assert "Fleiss, Nee & Landis" in h0["method"]
    with pytest.raises(AgreementInputError, match="test_se"):
        fleiss_kappa(diagnoses_long(), test_se="fleiss")


def _fnl_textbook(counts: np.ndarray) -> float:
    """Fleiss, Nee & Landis (1979) SE under H0, m raters per subject (as R irr)."""
    n, m = counts.shape[0], counts[0].sum()
    p = counts.sum(axis=0) / (n * m)
    q = 1 - p
    pq = (p * q).sum()
    return float(np.sqrt(2 / (pq**2 * n * m * (m - 1)) * (pq**2 - (p * q * (q - p)).sum())))


@pytest.mark.parametrize("seed", range(4))
def test_se_h0_equals_fnl_formula_for_complete_data(seed):
    rng = np.random.default_rng(200 + seed)
    x, long = _random_long(rng, n=int(rng.integers(8, 40)), r=int(rng.integers(2, 7)), q=int(rng.integers(2, 6)))
    table, _ = sm_ir.aggregate_raters(x.astype(int))
    assert fleiss_kappa(long)["se_h0"].iloc[0] == pytest.approx(_fnl_textbook(table), rel=1e-12)
    assert fleiss_kappa_counts(table)["se_h0"].iloc[0] == pytest.approx(_fnl_textbook(table), rel=1e-12)


@pytest.mark.parametrize("weights", ["unweighted", "quadratic"])
def test_z_under_h0_has_the_nominal_size_with_missing_ratings(weights):
    # The generalisation to unequal numbers of ratings (and to weights) checked by
    # simulation under H0: 40 subjects, 2-6 ratings each (some subjects rated once),
    # 4 unequally likely categories, every rating independent. 2,000 replications:
    # the z test rejects at 5% about 5% of the time (binomial SE 0.005) and z has
    # SD about 1.
    # (the core of fleiss_kappa_counts is called directly: 2,000 public calls take
    # about a minute on a busy machine; the public path is the same code, see above)
    from kinerja.agreement import _kappa

    rng = np.random.default_rng(7 if weights == "unweighted" else 8)
    probs = np.array([0.4, 0.3, 0.2, 0.1])
    W = weight_matrix(weights, [1, 2, 3, 4])
    zs = []
    for _ in range(2000):
        r = rng.integers(1, 7, size=40)
        counts = rng.multinomial(1, probs, size=(40, 6)) * (np.arange(6)[None, :, None] < r[:, None, None])
        row = _kappa._family_rows(counts.sum(axis=1).astype(float), W, None, ("fleiss_kappa",))[0]
        zs.append(row["estimate"] / row["se_h0"])
    zs = np.asarray(zs)
    assert np.isfinite(zs).all()
    assert 0.035 <= np.mean(np.abs(zs) > 1.959964) <= 0.065
    assert 0.92 <= np.std(zs) <= 1.08
