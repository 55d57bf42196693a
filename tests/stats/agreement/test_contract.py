"""The one contract of kinerja.agreement (see its package docstring), for every function.

- Results: one leading ``statistic`` column, then INFERENCE_COLUMNS in order, then the
  function's own columns; the types of the shared columns are the same everywhere.
- Arguments: ``data`` first; ``subject``, ``rater``, ``value`` with the data model's
  defaults; every other argument keyword-only; ``weights="unweighted"``.
- Old spellings still work, give the same result, and raise one DeprecationWarning,
  attributed to the caller, that names the new spelling.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from kinerja import agreement
from kinerja.agreement import INFERENCE_COLUMNS
from kinerja.agreement._alpha import ALPHA_EXTRAS
from kinerja.agreement._icc import BOOT_EXTRAS, ICC_EXTRAS
from kinerja.agreement._kappa import FAMILY_EXTRAS, FLEISS_EXTRAS, PAIR_EXTRAS, TABLE_EXTRAS
from kinerja.agreement._kendall import KENDALL_EXTRAS
from kinerja.agreement._pairs import BLAND_ALTMAN_EXTRAS

LONG_FUNCTIONS = [
    "icc",
    "icc_bootstrap",
    "krippendorff_alpha",
    "fleiss_kappa",
    "cohen_kappa",
    "gwet_ac",
    "kendall_w",
    "bland_altman",
    "paired_scores",
    "pairwise",
    "most_discrepant_pair",
    "subject_agreement",
]
TABLE_FUNCTIONS = ["fleiss_kappa_counts", "gwet_ac_counts", "cohen_kappa_table", "gwet_ac_table"]


@pytest.fixture(scope="module")
def long():
    """12 subjects x 4 jurors, integer scores 1-5 (categorical and numeric at once)."""
    rng = np.random.default_rng(3)
    truth = rng.integers(1, 6, size=12)
    y = np.clip(truth[:, None] + rng.integers(-1, 2, size=(12, 4)), 1, 5).astype(float)
    return pd.DataFrame(
        {
            "subject_id": np.repeat([f"unit{i:02d}" for i in range(12)], 4),
            "juror_id": np.tile(["j1", "j2", "j3", "j4"], 12),
            "score": y.ravel(),
        }
    )


def _counts(long):
    return pd.crosstab(long["subject_id"], long["score"])


def _table(long):
    w = long.pivot(index="subject_id", columns="juror_id", values="score")
    return pd.crosstab(w["j1"], w["j2"]).reindex(index=[1.0, 2, 3, 4, 5], columns=[1.0, 2, 3, 4, 5], fill_value=0)


# function -> (call on the fixture, its own columns)
CALLS = {
    "icc": (lambda d: agreement.icc(d), ICC_EXTRAS),
    "icc_bootstrap": (lambda d: agreement.icc_bootstrap(d, n_boot=50, seed=1), BOOT_EXTRAS),
    "krippendorff_alpha": (lambda d: agreement.krippendorff_alpha(d, n_boot=50, seed=1), ALPHA_EXTRAS),
    "fleiss_kappa": (lambda d: agreement.fleiss_kappa(d), FLEISS_EXTRAS),
    "fleiss_kappa_counts": (lambda d: agreement.fleiss_kappa_counts(_counts(d)), FLEISS_EXTRAS),
    "gwet_ac": (lambda d: agreement.gwet_ac(d, weights="linear"), FAMILY_EXTRAS),
    "gwet_ac_counts": (lambda d: agreement.gwet_ac_counts(_counts(d)), FAMILY_EXTRAS),
    "gwet_ac_table": (lambda d: agreement.gwet_ac_table(_table(d)), FAMILY_EXTRAS),
    "cohen_kappa": (lambda d: agreement.cohen_kappa(d), PAIR_EXTRAS),
    "cohen_kappa_table": (lambda d: agreement.cohen_kappa_table(_table(d)), TABLE_EXTRAS),
    "kendall_w": (lambda d: agreement.kendall_w(d, n_boot=50, seed=1), KENDALL_EXTRAS),
    "bland_altman": (lambda d: agreement.bland_altman(d, rater_a="j1", rater_b="j2"), BLAND_ALTMAN_EXTRAS),
    "subject_agreement": (lambda d: agreement.subject_agreement(d), ("subject_id", "weights")),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_result_columns_follow_the_contract(name, long):
    call, extras = CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the contract's spelling raises no warning at all
        res = call(long)
    assert list(res.columns) == ["statistic", *INFERENCE_COLUMNS, *extras]
    assert len(res) >= 1
    assert res["statistic"].map(type).eq(str).all() and res["statistic"].str.len().gt(0).all()
    for col in ("estimate", "se", "ci_low", "ci_high", "ci_level", "p_value"):
        assert res[col].dtype == np.float64, (name, col, res[col].dtype)
    for col in ("n_subjects", "n_raters"):
        assert res[col].dtype == np.int64, (name, col, res[col].dtype)
        assert (res[col] >= 0).all()
    for col in ("method", "note"):
        assert res[col].map(type).eq(str).all(), (name, col)
    assert res["method"].str.len().gt(0).all(), name  # every result says how it was computed
    # an interval goes with its level, and the estimate lies inside it
    has_ci = res["ci_low"].notna()
    assert res.loc[has_ci, "ci_level"].between(0, 1, inclusive="neither").all()
    inside = res.loc[has_ci]
    assert ((inside["ci_low"] <= inside["estimate"] + 1e-12) & (inside["estimate"] <= inside["ci_high"] + 1e-12)).all()
    assert res["p_value"].dropna().between(0, 1).all()


def test_every_public_function_is_covered():
    public = set(LONG_FUNCTIONS) | set(TABLE_FUNCTIONS)
    assert public <= set(agreement.__all__)
    # data helpers (no statistic column) are the only ones without a CALLS entry
    assert public - set(CALLS) == {"paired_scores", "pairwise", "most_discrepant_pair"}


@pytest.mark.parametrize("name", LONG_FUNCTIONS + TABLE_FUNCTIONS)
def test_signature(name):
    sig = inspect.signature(getattr(agreement, name))
    params = list(sig.parameters.values())
    assert params[0].name == "data" and params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    positional = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    if name in LONG_FUNCTIONS:
        assert positional == ["data", "subject", "rater", "value"]
        assert [sig.parameters[c].default for c in ("subject", "rater", "value")] == ["subject_id", "juror_id", "score"]
    else:
        assert positional == ["data"]
    rest = [p for p in params if p.name not in positional]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest), name
    if "weights" in sig.parameters:
        assert sig.parameters["weights"].default == "unweighted"


# ------------------------------------------------------------------- old spellings


def _same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        assert a == b


def _old_calls(d):
    counts, table = (None, None) if d is None else (_counts(d), _table(d))
    a = agreement
    return [
        # (old call, new call, text the warning must contain)
        ("icc", lambda: a.icc(scores=d, score="score"), lambda: a.icc(d), "data="),
        ("icc", lambda: a.icc(d, "subject_id", "juror_id", "score", 0.9), lambda: a.icc(d, ci=0.9), "ci=0.9"),
        (
            "icc_bootstrap",
            lambda: a.icc_bootstrap(d, "subject_id", "juror_id", "score", ["ICC(2,1)"], 60, 2),
            lambda: a.icc_bootstrap(d, types=["ICC(2,1)"], n_boot=60, seed=2),
            "n_boot=60",
        ),
        (
            "krippendorff_alpha",
            lambda: a.krippendorff_alpha(d, "subject_id", "juror_id", "score", "nominal"),
            lambda: a.krippendorff_alpha(d, level="nominal"),
            "level='nominal'",
        ),
        ("krippendorff_alpha", lambda: a.krippendorff_alpha(scores=d), lambda: a.krippendorff_alpha(d), "data="),
        ("fleiss_kappa", lambda: a.fleiss_kappa(ratings=d), lambda: a.fleiss_kappa(d), "data="),
        (
            "fleiss_kappa",
            lambda: a.fleiss_kappa(d, weights="none"),
            lambda: a.fleiss_kappa(d, weights="unweighted"),
            "weights='unweighted'",
        ),
        ("cohen_kappa", lambda: a.cohen_kappa(ratings=d, weights="none"), lambda: a.cohen_kappa(d), "data="),
        ("gwet_ac", lambda: a.gwet_ac(d, weights="identity"), lambda: a.gwet_ac(d), "weights='unweighted'"),
        ("gwet_ac", lambda: a.gwet_ac(ratings=d, score="score"), lambda: a.gwet_ac(d), "value='score'"),
        (
            "fleiss_kappa_counts",
            lambda: a.fleiss_kappa_counts(counts=counts),
            lambda: a.fleiss_kappa_counts(counts),
            "data=",
        ),
        ("gwet_ac_counts", lambda: a.gwet_ac_counts(counts=counts), lambda: a.gwet_ac_counts(counts), "data="),
        (
            "cohen_kappa_table",
            lambda: a.cohen_kappa_table(table=table, weights="none"),
            lambda: a.cohen_kappa_table(table),
            "data=",
        ),
        ("gwet_ac_table", lambda: a.gwet_ac_table(table=table), lambda: a.gwet_ac_table(table), "data="),
        ("kendall_w", lambda: a.kendall_w(ratings=d), lambda: a.kendall_w(d), "data="),
        ("subject_agreement", lambda: a.subject_agreement(ratings=d), lambda: a.subject_agreement(d), "data="),
        (
            "bland_altman",
            lambda: a.bland_altman(d, "j1", "j2"),
            lambda: a.bland_altman(d, rater_a="j1", rater_b="j2"),
            "rater_a='j1'",
        ),
        (
            "bland_altman",
            lambda: a.bland_altman(scores=d, rater_a="j1", rater_b="j2", score="score", ci=0.9),
            lambda: a.bland_altman(d, rater_a="j1", rater_b="j2", ci=0.9),
            "value='score'",
        ),
        (
            "paired_scores",
            lambda: a.paired_scores(d, "j1", "j3"),
            lambda: a.paired_scores(d, rater_a="j1", rater_b="j3"),
            "rater_b='j3'",
        ),
        (
            "pairwise",
            lambda: a.pairwise(d, "pearson"),
            lambda: a.pairwise(d, statistic="pearson"),
            "statistic='pearson'",
        ),
        ("pairwise", lambda: a.pairwise(scores=d), lambda: a.pairwise(d), "data="),
        (
            "most_discrepant_pair",
            lambda: a.most_discrepant_pair(d, "subject_id", "juror_id", "score", 2),
            lambda: a.most_discrepant_pair(d, min_common=2),
            "min_common=2",
        ),
        ("most_discrepant_pair", lambda: a.most_discrepant_pair(scores=d), lambda: a.most_discrepant_pair(d), "data="),
    ]


def _ids():
    seen = {}
    out = []
    for name, *_ in _old_calls(None):
        seen[name] = seen.get(name, 0) + 1
        out.append(f"{name}-{seen[name]}")
    return out


@pytest.mark.parametrize("case", range(len(_ids())), ids=_ids())
def test_old_spelling_works_and_warns(case, long):
    name, old, new, says = _old_calls(long)[case]
    with pytest.warns(DeprecationWarning, match="deprecated spelling") as rec:
        got = old()
    assert len(rec) == 1
    msg = str(rec[0].message)
    assert name in msg and says in msg, msg
    assert rec[0].filename == __file__  # attributed to the caller, so users see it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = new()
    _same(got, expected)


def test_new_positional_columns_are_not_mistaken_for_old_options(long):
    renamed = long.rename(columns={"subject_id": "unit", "juror_id": "juri", "score": "nilai"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = agreement.bland_altman(renamed, "unit", "juri", "nilai", rater_a="j1", rater_b="j2")
        b = agreement.pairwise(renamed, "unit", "juri", "nilai")
    _same(a, agreement.bland_altman(long, rater_a="j1", rater_b="j2"))
    np.testing.assert_allclose(b.to_numpy(), agreement.pairwise(long).to_numpy())


def test_contradictory_old_and_new_spellings_are_errors(long):
    with pytest.raises(TypeError, match="data twice"):
        agreement.icc(long, scores=long)
    with pytest.raises(TypeError, match="value column twice"):
        agreement.icc(long, score="score", value="score")
    with pytest.raises(TypeError, match="multiple values"):
        agreement.icc(long, "subject_id", "juror_id", "score", 0.9, ci=0.8)
    with pytest.raises(TypeError, match="at most"):
        agreement.fleiss_kappa_counts(_counts(long), "unweighted")


def test_weight_matrix_old_spelling_warns():
    from kinerja.agreement import weight_matrix

    with pytest.warns(DeprecationWarning, match="weights='unweighted'"):
        w = weight_matrix("none", [1, 2, 3])
    np.testing.assert_array_equal(w, weight_matrix("unweighted", [1, 2, 3]))
