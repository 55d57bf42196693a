"""Chance-corrected agreement coefficients for categorical (or ordinal) juror scores.

Three entry points work on long-format ratings (one row per subject x juror):

- :func:`gwet_ac` -- Gwet's AC1/AC2 together with Brennan-Prediger, Conger's kappa,
  Fleiss' kappa, Krippendorff's alpha (Gwet's formulation) and percent agreement,
  one row per coefficient, with Gwet's (2014) standard errors (the irrCAC ``*.raw``
  family);
- :func:`fleiss_kappa` -- the Fleiss' kappa row alone;
- :func:`cohen_kappa` -- Cohen's (weighted) kappa for every pair of jurors, with the
  Fleiss, Cohen & Everitt (1969) standard errors as reported by SAS PROC FREQ.

Published examples often come as tables, so each has a table twin:
:func:`fleiss_kappa_counts` / :func:`gwet_ac_counts` (subject x category counts) and
:func:`cohen_kappa_table` / :func:`gwet_ac_table` (a two-rater contingency table).
:func:`subject_agreement` gives the per-subject agreement behind all of them.

Every result follows the package's contract (:mod:`kinerja.agreement`): a leading
``statistic`` column, the shared inference columns, then each function's own columns.
The ``note`` is empty when the estimate is defined and nothing was dropped, otherwise
it gives the reason it is NaN (one category only, fewer than two ratings per subject,
...) or what was treated as missing. Blank labels (``""``, ``" "``, ``"\u00a0"``:
strings with nothing visible in them) are missing ratings, never a category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from .._dist import norm_cdf, norm_ppf, norm_sf, t_cdf, t_ppf, t_sf
from ._common import (
    FEW_UNITS,
    INFERENCE_COLUMNS,
    MIN_UNITS,
    AgreementInputError,
    agreement_api,
    barely_identified,
    blank_note,
    blanks_to_missing,
    check_columns,
    is_blank_label,
    result_frame,
    to_matrix,
)
from ._weights import is_numeric_scale, scheme_name, weight_matrix

__all__ = [
    "cohen_kappa",
    "cohen_kappa_table",
    "fleiss_kappa",
    "fleiss_kappa_counts",
    "gwet_ac",
    "gwet_ac_counts",
    "gwet_ac_table",
    "subject_agreement",
]

#: Own columns (after ``statistic`` and the inference columns) of :func:`gwet_ac`,
#: :func:`gwet_ac_counts` and :func:`gwet_ac_table`.
FAMILY_EXTRAS = ("weights", "z", "pa", "pe")
#: Own columns of :func:`fleiss_kappa` and :func:`fleiss_kappa_counts`.
FLEISS_EXTRAS = ("weights", "z", "se_h0", "pa", "pe")
#: Own columns of :func:`cohen_kappa` (one row per pair of raters).
PAIR_EXTRAS = ("rater_a", "rater_b", "weights", "z", "se_h0", "pa", "pe")
#: Own columns of :func:`cohen_kappa_table`.
TABLE_EXTRAS = ("weights", "z", "se_h0", "pa", "pe")

FAMILY_COLUMNS = ("statistic", *INFERENCE_COLUMNS, *FAMILY_EXTRAS)
FLEISS_COLUMNS = ("statistic", *INFERENCE_COLUMNS, *FLEISS_EXTRAS)
PAIR_COLUMNS = ("statistic", *INFERENCE_COLUMNS, *PAIR_EXTRAS)
TABLE_COLUMNS = ("statistic", *INFERENCE_COLUMNS, *TABLE_EXTRAS)
_TOL = 1e-12
_CODE = "__kinerja_category_code__"


# --------------------------------------------------------------------------- input


@dataclass
class _Design:
    """Ratings coded as category indices: ``idx[i, g]`` in ``0..q-1``, -1 = missing."""

    idx: np.ndarray
    subjects: pd.Index
    raters: pd.Index
    categories: list
    notes: list = field(default_factory=list)

    @property
    def q(self) -> int:
        return len(self.categories)

    def onehot(self) -> np.ndarray:
        """(n_subjects, n_raters, q) indicator of the category each rater gave."""
        return self.idx[:, :, None] == np.arange(self.q)[None, None, :]

    def counts(self) -> np.ndarray:
        """(n_subjects, q) number of raters who put subject i in category k."""
        return self.onehot().sum(axis=1).astype(float)


def _check_options(ci, ci_dist, alternative) -> None:
    if not isinstance(ci, (int, float)) or isinstance(ci, bool) or not 0 < ci < 1:
        raise AgreementInputError(f"ci must be a confidence level in (0, 1), got {ci!r}")
    if ci_dist not in ("t", "normal"):
        raise AgreementInputError(f"ci_dist must be 't' or 'normal', got {ci_dist!r}")
    if alternative not in ("two-sided", "greater", "less"):
        raise AgreementInputError(f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}")


def _sorted_labels(values) -> list:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _encode(values: pd.Series, categories, name: str) -> tuple[list, np.ndarray]:
    """Map rating values to category codes 0..q-1 (NaN stays NaN), positionally."""
    mask = values.notna().to_numpy()
    present = values[mask]
    declared = None
    if isinstance(values.dtype, pd.CategoricalDtype):
        # a categorical's own order is the scale's (ordered or not); its values are
        # compared as the labels they are, not by category order
        declared = list(values.dtype.categories)
        present = present.astype(object)
    if categories is None and declared is not None:
        seen = set(present)
        cats = [c for c in declared if c in seen]
        if is_numeric_scale(cats):
            cats = sorted(float(c) for c in cats)
    elif categories is None:
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and not (pd.api.types.is_bool_dtype(values.dtype))
        if numeric:
            x = present.to_numpy(dtype=float)
            if not np.isfinite(x).all():
                raise AgreementInputError(f"column {name!r} holds infinite values")
            cats = [float(c) for c in np.unique(x)]
        else:
            cats = _sorted_labels(pd.unique(present))
    else:
        cats = list(categories)
        if len(cats) == 0:
            raise AgreementInputError("categories= is empty")
        if any(is_blank_label(c) for c in cats):
            raise AgreementInputError(
                f"categories= holds a blank label ({[c for c in cats if is_blank_label(c)][0]!r}); "
                "blank ratings are missing ratings, not a category: leave it out"
            )
        if len(set(cats)) != len(cats):
            raise AgreementInputError(f"categories= has duplicates: {cats}")
        if is_numeric_scale(cats):
            cats = sorted(float(c) for c in cats)
    if is_numeric_scale(cats):
        x = pd.to_numeric(present, errors="coerce")
        if x.isna().any():
            bad = present[x.isna()].tolist()[0]
            raise AgreementInputError(
                f"column {name!r} holds {bad!r}, which is not one of the numeric categories {cats[:10]}"
            )
        arr = np.asarray(cats)
        pos = np.searchsorted(arr, x.to_numpy(dtype=float))
        pos_c = np.minimum(pos, len(arr) - 1)
        ok = arr[pos_c] == x.to_numpy(dtype=float)
        if not ok.all():
            bad = _sorted_labels(pd.unique(present[~ok]).tolist())[:5]
            raise AgreementInputError(f"value(s) {bad} in column {name!r} are not among categories={cats[:10]}")
        codes = pos_c.astype(float)
    else:
        lookup = {c: k for k, c in enumerate(cats)}
        mapped = present.map(lambda v: lookup.get(v, -1))
        if (mapped < 0).any():
            bad = pd.unique(present[mapped < 0]).tolist()[:5]
            raise AgreementInputError(f"value(s) {bad} in column {name!r} are not among categories={cats[:10]}")
        codes = mapped.to_numpy(dtype=float)
    full = np.full(len(values), np.nan)
    full[mask] = codes
    return cats, full


def _prepare_long(ratings, subject, rater, value, categories, drop_empty_raters: bool = True) -> _Design:
    check_columns(ratings, subject=subject, rater=rater, value=value)
    if len({subject, rater, value}) < 3:
        raise AgreementInputError(
            f"subject={subject!r}, rater={rater!r} and value={value!r} must be three different columns"
        )
    ratings, n_blank = blanks_to_missing(ratings, value)
    if not ratings[value].notna().any():
        raise AgreementInputError(f"column {value!r} has no non-missing rating: nothing to measure agreement on")
    cats, codes = _encode(ratings[value], categories, value)
    tmp = pd.DataFrame({subject: ratings[subject].to_numpy(), rater: ratings[rater].to_numpy(), _CODE: codes})
    mat = to_matrix(tmp, subject=subject, rater=rater, value=_CODE)
    idx = np.where(np.isnan(mat.values), -1, np.nan_to_num(mat.values, nan=-1)).astype(int)
    notes = [blank_note(n_blank)] if n_blank else []
    rated_s = (idx >= 0).any(axis=1)
    subjects = mat.subjects
    if not rated_s.all():
        notes.append(f"{int((~rated_s).sum())} subject(s) without any rating ignored")
        idx, subjects = idx[rated_s], subjects[rated_s]
    raters = mat.raters
    rated_r = (idx >= 0).any(axis=0)
    if drop_empty_raters and not rated_r.all():
        notes.append(f"{int((~rated_r).sum())} rater(s) without any rating ignored")
        idx, raters = idx[:, rated_r], raters[rated_r]
    return _Design(idx, subjects, raters, cats, notes)


def _table_labels(obj, n: int) -> list:
    if isinstance(obj, pd.DataFrame):
        return list(obj.columns)
    return list(range(1, n + 1))


def _drop_blank_categories(obj, what: str, square: bool = False):
    """A counts table (DataFrame) without its blank-labelled category columns (and, for a
    square contingency table, the matching rows): blank ratings are missing ratings.
    Returns the table and a note saying how many ratings (or subjects) were dropped."""
    if not isinstance(obj, pd.DataFrame):
        return obj, ""
    blank = [c for c in obj.columns if is_blank_label(c)]
    if not blank:
        return obj, ""
    pos = [obj.columns.get_loc(c) for c in blank]
    arr = _as_count_array(obj, what)
    if square:
        if arr.shape[0] != arr.shape[1]:
            return obj, ""  # _as_square_table will say what is wrong
        keep = [i for i in range(arr.shape[1]) if i not in pos]
        lost = int(arr.sum() - arr[np.ix_(keep, keep)].sum())
        out = obj.iloc[keep, keep]
        return out, f"{lost} subject(s) with a blank rating (blank category label) treated as missing"
    lost = int(arr[:, pos].sum())
    return obj.drop(columns=blank), f"{lost} blank rating(s) (blank category label) treated as missing"


def _as_count_array(obj, what: str) -> np.ndarray:
    if isinstance(obj, pd.DataFrame):
        nonnum = [c for c in obj.columns if not pd.api.types.is_numeric_dtype(obj[c].dtype)]
        if nonnum:
            raise AgreementInputError(
                f"{what} must hold counts only; non-numeric column(s) {nonnum[:5]} "
                "(move subject labels to the index, e.g. df.set_index('subject'))"
            )
    arr = np.asarray(obj, dtype=float)
    if arr.ndim != 2 or arr.size == 0:
        raise AgreementInputError(f"{what} must be a non-empty 2-D table, got shape {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any() or (arr != np.round(arr)).any():
        raise AgreementInputError(f"{what} must hold non-negative whole-number counts")
    return arr


def _resolve_table_categories(obj, q: int, categories, what: str) -> list:
    if categories is None:
        return _table_labels(obj, q)
    cats = list(categories)
    if len(cats) != q:
        raise AgreementInputError(f"categories= has {len(cats)} labels but the {what} has {q} category columns")
    return cats


# ---------------------------------------------------------------------- inference


#: Standard errors at or below this are treated as exactly zero (see _inference).
_SE_ZERO = 1e-7


def _inference(est, se, df, ci, ci_dist, alternative) -> dict:
    """Wald CI (upper bound truncated at 1) and test of H0: coefficient = 0."""
    out = {"ci_low": np.nan, "ci_high": np.nan, "z": np.nan, "p_value": np.nan, "note": ""}
    if not np.isfinite(est) or not np.isfinite(se):
        return out
    if ci_dist == "t" and not df >= 1:
        return out
    # An SE this small is rounding noise of an exact zero (sqrt amplifies the noise of a
    # variance of ~1e-16 to ~1e-8); a true SE of 1e-7 would need ~1e14 subjects.
    if se <= _SE_ZERO:
        out.update(
            ci_low=est, ci_high=min(1.0, est), note="SE is 0 (every subject contributes the same value): no test"
        )
        return out
    if ci_dist == "t":
        ppf, sf, cdf = (lambda q: t_ppf(q, df)), (lambda x: t_sf(x, df)), (lambda x: t_cdf(x, df))
    else:
        ppf, sf, cdf = norm_ppf, norm_sf, norm_cdf
    crit = float(ppf(0.5 + ci / 2))
    z = est / se
    if alternative == "two-sided":
        p = 2 * float(sf(abs(z)))
    elif alternative == "greater":
        p = float(sf(z))
    else:
        p = float(cdf(z))
    out.update(ci_low=est - crit * se, ci_high=min(1.0, est + crit * se), z=z, p_value=p)
    return out


def _join(*notes) -> str:
    return "; ".join(n for n in notes if n)


# -------------------------------------------------- multi-rater (Gwet 2014) family


def _undefined_pe(label: str, q: int) -> str:
    extra = " (only one category on the scale: pass categories= to give the full scale)" if q == 1 else ""
    return f"chance agreement pe = 1 because every rating falls in one category{extra}: {label} is 0/0, undefined"


def _linearized(pa, pe, pa_i, pe_i, multi, n, n2, label, q):
    """Estimate and Gwet's linearisation SE of (pa - pe) / (1 - pe).

    The per-subject values are ``k_i = (n/n2) (pa_i - pe 1[r_i >= 2]) / (1 - pe)
    - 2 (1 - k) (pe_i - pe) / (1 - pe)`` and ``var = sum (k_i - k)^2 / (n (n - 1))``
    (Gwet 2014, ch. 5; finite-population correction omitted, N = infinity).
    """
    if 1.0 - pe <= _TOL:
        return np.nan, np.nan, _undefined_pe(label, q)
    est = (pa - pe) / (1.0 - pe)
    if n < 2:
        return est, np.nan, "SE needs at least two subjects"
    k_i = (n / n2) * (pa_i - pe * multi) / (1.0 - pe)
    if pe_i is not None:
        k_i = k_i - 2.0 * (1.0 - est) * (pe_i - pe) / (1.0 - pe)
    var = float(((k_i - est) ** 2).sum()) / (n * (n - 1))
    return est, np.sqrt(max(var, 0.0)), ""


def _conger_pe(D: np.ndarray, W: np.ndarray, B: np.ndarray):
    """Conger's chance agreement and its per-subject linearisation terms."""
    n, r, _ = D.shape
    rated = D.any(axis=2)
    n_g = rated.sum(axis=0).astype(float)
    P = D.sum(axis=0) / n_g[:, None]  # p_gk, rater marginals
    pbar = P.mean(axis=0)
    pe = (r * r * pbar @ W @ pbar - np.einsum("gk,kl,gl->", P, W, P)) / (r * (r - 1))
    # per-subject pseudo-values of p_gl, whose mean over subjects is p_gl
    pseudo = P[None] + (n / n_g)[None, :, None] * (D - rated[:, :, None] * P[None])
    others = r * pbar[None, :] - P  # sum over the other raters
    pe_i = np.einsum("igl,kl,gk->i", pseudo, B, others) / (r * (r - 1))
    return float(pe), pe_i


def _krippendorff(A, Aw, W, B, n, q):
    """Krippendorff's alpha in Gwet's (2014, ch. 6) formulation, with its SE."""
    multi = A.sum(axis=1) >= 2
    m = int(multi.sum())
    A2, r2 = A[multi], A[multi].sum(axis=1)
    rbar = r2.mean()
    eps = 1.0 / r2.sum()
    pa1_i = (A2 * (Aw[multi] - 1.0)).sum(axis=1) / (rbar * (r2 - 1.0))
    pa1 = pa1_i.mean()
    pa = (1.0 - eps) * pa1 + eps
    pi = (A2 / rbar).mean(axis=0)
    pe = float(pi @ W @ pi)
    if 1.0 - pe <= _TOL:
        return dict(estimate=np.nan, se=np.nan, pa=pa, pe=pe, note=_undefined_pe("Krippendorff's alpha", q))
    est = (pa - pe) / (1.0 - pe)
    if m < 2:
        return dict(
            estimate=est, se=np.nan, pa=pa, pe=pe, note="SE needs at least two subjects with two or more ratings"
        )
    est1 = (pa1 - pe) / (1.0 - pe)
    k_i = (pa1_i - pa1 * (r2 - rbar) / rbar - pe) / (1.0 - pe)
    pe_i = A2 @ (B @ pi) / rbar - pe * (r2 - rbar) / rbar
    k_i = k_i - 2.0 * (1.0 - est1) * (pe_i - pe) / (1.0 - pe)
    var = float(((k_i - est1) ** 2).sum()) / (m * (m - 1))
    return dict(estimate=est, se=np.sqrt(max(var, 0.0)), pa=pa, pe=pe, note="")


def _family_rows(A, W, D, which) -> list[dict]:
    """Coefficients of the irrCAC ``*.raw`` family from the subject x category counts.

    ``A`` (n, q) counts, ``W`` weights, ``D`` (n, r, q) rater indicators or None.
    """
    n, q = A.shape
    is_identity = np.array_equal(W, np.eye(q))
    ac_label = "gwet_ac1" if is_identity else "gwet_ac2"
    r_i = A.sum(axis=1)
    multi = r_i >= 2
    n2 = int(multi.sum())
    rows = []
    if n2 == 0:
        why = "no subject has two or more ratings: agreement is undefined"
        for name in which:
            label = ac_label if name == "gwet_ac" else name
            rows.append(dict(statistic=label, estimate=np.nan, se=np.nan, pa=np.nan, pe=np.nan, note=why))
        return rows
    Aw = A @ W.T  # r*_ik = sum_l w_kl r_il
    pa_i = np.zeros(n)
    pa_i[multi] = (A[multi] * (Aw[multi] - 1.0)).sum(axis=1) / (r_i[multi] * (r_i[multi] - 1.0))
    pa = float(pa_i[multi].mean())
    pi_ik = A / r_i[:, None]
    pi = pi_ik.mean(axis=0)
    B = (W + W.T) / 2.0
    tw = float(W.sum())
    for name in which:
        note = ""
        if name == "gwet_ac":
            if q >= 2:
                c = tw / (q * (q - 1))
                pe, pe_i = float(c * (pi * (1.0 - pi)).sum()), c * (pi_ik @ (1.0 - pi))
            else:
                pe, pe_i = 0.0, np.zeros(n)
                note = (
                    "only one category on the scale: AC1 chance agreement taken as 0 "
                    "(irrCAC's convention); pass categories= to give the full scale"
                )
            est, se, why = _linearized(pa, pe, pa_i, pe_i, multi, n, n2, "AC1", q)
            rows.append(dict(statistic=ac_label, estimate=est, se=se, pa=pa, pe=pe, note=_join(note, why)))
        elif name == "brennan_prediger":
            pe = tw / q**2
            est, se, why = _linearized(pa, pe, pa_i, None, multi, n, n2, "Brennan-Prediger", q)
            rows.append(dict(statistic=name, estimate=est, se=se, pa=pa, pe=pe, note=why))
        elif name == "conger_kappa":
            if D is None:
                rows.append(
                    dict(
                        statistic=name,
                        estimate=np.nan,
                        se=np.nan,
                        pa=pa,
                        pe=np.nan,
                        note="Conger's kappa needs rater identities, which subject x category counts do not carry",
                    )
                )
                continue
            if D.shape[1] < 2:
                rows.append(
                    dict(
                        statistic=name,
                        estimate=np.nan,
                        se=np.nan,
                        pa=pa,
                        pe=np.nan,
                        note="Conger's kappa needs at least two raters",
                    )
                )
                continue
            pe, pe_i = _conger_pe(D, W, B)
            est, se, why = _linearized(pa, pe, pa_i, pe_i, multi, n, n2, "Conger's kappa", q)
            rows.append(dict(statistic=name, estimate=est, se=se, pa=pa, pe=pe, note=why))
        elif name == "fleiss_kappa":
            pe = float(pi @ W @ pi)
            pe_i = pi_ik @ (B @ pi)
            est, se, why = _linearized(pa, pe, pa_i, pe_i, multi, n, n2, "Fleiss' kappa", q)
            se0 = _fleiss_se_h0(r_i, multi, pi, B, pe)
            rows.append(dict(statistic=name, estimate=est, se=se, se_h0=se0, pa=pa, pe=pe, note=why))
        elif name == "krippendorff_alpha":
            rows.append(dict(statistic=name, **_krippendorff(A, Aw, W, B, n, q)))
        elif name == "percent_agreement":
            est, se, why = _linearized(pa, 0.0, pa_i, None, multi, n, n2, "percent agreement", q)
            rows.append(dict(statistic=name, estimate=est, se=se, pa=pa, pe=0.0, note=why))
        else:  # pragma: no cover
            raise AssertionError(name)
    if n2 < MIN_UNITS:  # the share of agreeing pairs is there; agreement beyond chance is not
        why = (
            f"not identified: a single subject has two or more ratings (agreement beyond chance needs at least "
            f"{MIN_UNITS}; the chance term and the observed term are then the same subject's)"
        )
        for row in rows:
            if row["statistic"] != "percent_agreement":
                row.update(estimate=np.nan, se=np.nan, note=why)
                if "se_h0" in row:
                    row["se_h0"] = np.nan
    return rows


def _fleiss_se_h0(r_i, multi, pi, B, pe) -> float:
    """SE of Fleiss' kappa under H0 of no agreement (Fleiss, Nee & Landis 1979),
    generalised to unequal numbers of ratings per subject and to weights.

    Under H0 every rating is an independent draw from ``pi``. A subject's agreement
    ``P_i`` is a U-statistic of order 2 in its ``r_i`` ratings with kernel ``B`` (the
    symmetrised weights); its Hoeffding decomposition has a linear part, with variance
    ``zeta1 = Var(h1(X))``, ``h1(x) = sum_l B[x, l] pi_l``, and a degenerate part with
    variance ``2 (zeta2 - 2 zeta1) / (r_i (r_i - 1))``, ``zeta2 = Var(B[X, Y])``.
    Estimating ``pe`` from the same ratings removes the linear parts when every
    subject is rated at least twice (FNL's case), so that
    ``var0 = sum_i 2 (zeta2 - 2 zeta1) / (r_i (r_i - 1)) / (n'^2 (1 - pe)^2)``;
    with equal ``r_i = m`` and no weights this is FNL's
    ``2 [(sum p q)^2 - sum p q (q - p)] / ((sum p q)^2 n m (m - 1))``. Subjects rated
    once enter ``pe`` but not ``pa``; the linear parts that then remain are added.
    """
    if 1.0 - pe <= _TOL or not multi.any():
        return np.nan
    n, n2 = len(r_i), int(multi.sum())
    h1 = B @ pi
    zeta1 = max(float(pi @ h1**2) - pe**2, 0.0)
    zeta2 = max(float(pi @ (B**2) @ pi) - pe**2, 0.0)
    rm = r_i[multi]
    var_deg = float((2.0 * max(zeta2 - 2.0 * zeta1, 0.0) / (rm * (rm - 1.0))).sum()) / n2**2
    c = np.where(multi, 2.0 / (n2 * np.maximum(r_i, 1.0)), 0.0) - 2.0 / (n * np.maximum(r_i, 1.0))
    var_lin = float((r_i * c**2).sum()) * zeta1
    return float(np.sqrt(var_deg + var_lin)) / (1.0 - pe)


_FAMILY = ("gwet_ac", "brennan_prediger", "conger_kappa", "fleiss_kappa", "krippendorff_alpha", "percent_agreement")


def _test_from_h0(est, se0, alternative) -> dict:
    """z test of H0: kappa = 0 with the SE under H0 (normal reference, as R irr)."""
    if not (np.isfinite(est) and np.isfinite(se0)) or se0 <= _SE_ZERO:
        return {"z": np.nan, "p_value": np.nan}
    z = est / se0
    if alternative == "two-sided":
        p = 2 * float(norm_sf(abs(z)))
    elif alternative == "greater":
        p = float(norm_sf(z))
    else:
        p = float(norm_cdf(z))
    return {"z": z, "p_value": p}


def _ci_words(ci_dist: str) -> str:
    return "t(n-1)" if ci_dist == "t" else "normal"


def _few_note(estimate: float, n2: int | None) -> str:
    """The identification rule shared with :func:`krippendorff_alpha`: an estimate from
    fewer than :data:`FEW_UNITS` subjects with two or more ratings says so."""
    if n2 is None or not np.isfinite(estimate) or n2 >= FEW_UNITS:
        return ""
    what = "subject has two or more ratings" if n2 == 1 else "subjects have two or more ratings"
    return barely_identified(n2, what, "the estimate and its interval rest on them")


def _family_frame(
    rows, scheme, n, n_raters, ci, ci_dist, alternative, notes, test_se=None, n2: int | None = None
) -> pd.DataFrame:
    """Contract rows of the Gwet (2014) family; ``test_se="h0"`` tests with ``se_h0``;
    ``n2``: subjects with two or more ratings (for the identification note)."""
    out = []
    for row in rows:
        row = dict(row)
        inf = _inference(row["estimate"], row["se"], n - 1, ci, ci_dist, alternative)
        method = f"Gwet (2014) linearisation SE, {_ci_words(ci_dist)} interval and test"
        if test_se == "h0":
            inf.update(_test_from_h0(row["estimate"], row.get("se_h0", np.nan), alternative))
            method = (
                f"Gwet (2014) linearisation SE, {_ci_words(ci_dist)} interval; z test with the SE under "
                "H0 of no agreement (Fleiss, Nee & Landis 1979)"
            )
        out.append(
            {
                "statistic": row["statistic"],
                "estimate": row["estimate"],
                "se": row["se"],
                "ci_low": inf["ci_low"],
                "ci_high": inf["ci_high"],
                "ci_level": ci,
                "p_value": inf["p_value"],
                "n_subjects": int(n),
                "n_raters": int(n_raters),
                "method": method,
                "note": _join(row["note"], inf["note"], _few_note(row["estimate"], n2), *notes),
                "weights": scheme,
                "z": inf["z"],
                "se_h0": row.get("se_h0", np.nan),
                "pa": row["pa"],
                "pe": row["pe"],
            }
        )
        if test_se is None:
            del out[-1]["se_h0"]
    return result_frame(out, FLEISS_EXTRAS if test_se is not None else FAMILY_EXTRAS)


_FAMILY_NOTES = """
    Let subject ``i`` be rated by ``r_i`` raters, ``r_ik`` of them choosing category
    ``k``, ``r*_ik = sum_l w_kl r_il``, ``n`` subjects with at least one rating and
    ``n'`` of them with two or more. Then (Gwet 2014)

    - percent agreement ``pa = (1/n') sum_{i: r_i>=2} sum_k r_ik (r*_ik - 1) /
      (r_i (r_i - 1))``;
    - classification probabilities ``pi_k = (1/n) sum_i r_ik / r_i``;
    - Gwet's AC1/AC2 ``pe = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)``, ``T_w`` the sum
      of all weights (Gwet 2008);
    - Fleiss' kappa (generalised to unequal numbers of raters) ``pe = sum_kl w_kl
      pi_k pi_l`` (Fleiss 1971);
    - Conger's kappa ``pe`` from the raters' own marginals ``p_gk``: the mean over
      ordered pairs of distinct raters of ``sum_kl w_kl p_gk p_hl`` (Conger 1980);
    - Brennan-Prediger ``pe = T_w / q^2`` (Brennan & Prediger 1981);
    - Krippendorff's alpha in Gwet's formulation: only subjects with two or more
      ratings, ``pa`` corrected by ``eps = 1 / sum r_i`` and ``pi_k`` computed with
      the mean number of raters;
    - every coefficient is ``(pa - pe) / (1 - pe)``.

    ``q`` is the number of categories on the scale: the ones observed, or all of
    ``categories=``. An unused category changes AC1, Brennan-Prediger and the
    weights; the kappa-type coefficients (Fleiss, Conger, Krippendorff) are
    unchanged by an affine change of the weights (e.g. linear weights on a 1-5
    versus a 1-7 scale), AC2, Brennan-Prediger and weighted percent agreement are not.

    Standard errors are Gwet's linearisation variances without a finite population
    correction (irrCAC's default ``N = Inf``): with ``pa_i`` the subject's
    agreement (0 if ``r_i < 2``) and ``pe_i`` its contribution to ``pe``,
    ``k_i = (n/n') (pa_i - pe 1[r_i >= 2]) / (1 - pe) - 2 (1 - k) (pe_i - pe) /
    (1 - pe)`` and ``var(k) = sum_i (k_i - k)^2 / (n (n - 1))`` (``pe_i = pe`` for
    Brennan-Prediger and percent agreement). The confidence interval is
    ``estimate -/+ t_{n-1} se`` (``ci_dist="t"``, irrCAC) or with a normal quantile,
    its upper bound truncated at 1 as irrCAC does (the lower bound is not).
    ``z = estimate / se`` is referred to the same distribution for ``p_value``
    (irrCAC's ``*.raw`` functions print a one-sided p; use ``alternative="greater"``
    for that).

    Krippendorff's alpha SE is that of irrCAC's ``krippen.alpha.raw`` as revised on
    GitHub in 2021 (kgwet/irrCAC commit 00b8451, "to make it match the SAS version",
    released as 1.2): the rater-count correction uses the uncorrected ``pa'`` (the
    exact linearisation) and the t interval has ``n_subjects - 1`` df. irrCAC 1.0 (the
    only release on CRAN), whose vignette values are widely quoted, used the
    eps-corrected ``pa`` and (subjects rated twice) - 1 df (SE 0.14557 instead of
    0.14548 on Gwet's ``cac.raw4raters``). irrCAC's ``krippen.alpha.dist`` (count
    tables) shrinks each subject's agreement term by ``(1 - eps)`` and adds ``eps``,
    weights the chance-agreement term by ``(1 - alpha)`` instead of ``2 (1 - alpha')``
    and centres on ``alpha``, so its SE differs again (0.0824 instead of 0.0812 on
    ``distrib.6raters``); the estimates agree in all versions.

    Missing ratings: a subject counts if at least one rater scored it; it enters
    ``pa`` only with two or more ratings (a single rating cannot agree with
    anything), but it still informs the classification probabilities ``pi_k``
    (except for Krippendorff's alpha, which drops it). Subjects and raters without
    any rating are ignored (``note`` says so).

    Undefined cases return NaN with the reason in ``note``: ``pe = 1`` (every rating
    in one category) makes the kappas, alpha and Brennan-Prediger 0/0 while AC1 and
    percent agreement stay defined; with a single category on the scale AC1's
    ``pe`` is taken as 0 (irrCAC's convention); with fewer than two subjects the SE
    is NaN; with no subject rated twice everything is NaN.
"""

_FAMILY_REFS = """
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin, 76(5), 378-382.
    .. [2] Conger, A. J. (1980). Integration and generalization of kappas for
       multiple raters. Psychological Bulletin, 88(2), 322-328.
    .. [3] Brennan, R. L., & Prediger, D. J. (1981). Coefficient kappa: some uses,
       misuses, and alternatives. Educational and Psychological Measurement, 41,
       687-699.
    .. [4] Gwet, K. L. (2008). Computing inter-rater reliability and its variance in
       the presence of high agreement. British Journal of Mathematical and
       Statistical Psychology, 61, 29-48.
    .. [5] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.).
       Advanced Analytics, LLC. R package irrCAC (Gwet, 2019).
    .. [6] Fleiss, J. L., Nee, J. C. M., & Landis, J. R. (1979). Large sample
       variance of kappa in the case of different sets of raters. Psychological
       Bulletin, 86(5), 974-977.
"""


_FLEISS_TEST = """
    **Which standard error for the test (default ``test_se="h0"``).** The z test of
    H0: kappa = 0 divides the estimate by ``se_h0``, its standard error when H0 is
    true: every rating an independent draw from the category proportions (Fleiss,
    Nee & Landis 1979). That is the sampling distribution the test must refer to, and
    it is what R irr's ``kappam.fleiss`` and Fleiss's textbook do, and what
    :func:`cohen_kappa` does for two raters (as SAS). It keeps the test's size: in a
    simulation under H0 (40 subjects with 1-6 ratings each, four categories, 2,000
    replications; ``tests/stats/agreement/test_kappa.py``) it rejected at the 5% level
    in 5.4% of the samples (4.9% with quadratic weights), the test with Gwet's SE
    and t(n-1) in 7.4% (8.6%). Gwet's ``se`` is a variance at the estimate: it also
    carries the spread of agreement across subjects that exists only when the raters
    agree, so it is larger when kappa is well above 0 (on irr's ``diagnoses``, 30
    patients x 6 raters: z = 17.7 with ``se_h0``, 7.9 with ``se``). It is the right SE
    for the confidence interval, which describes kappa where it is, not where H0 puts
    it: ``ci_low`` and ``ci_high`` always use ``se``. ``test_se="gwet"`` reproduces
    irrCAC's z and p (and :func:`gwet_ac`'s ``fleiss_kappa`` row).

    ``se_h0`` generalises FNL's formula to unequal numbers of ratings per subject
    and to weights: ``P_i`` is a U-statistic of order 2 in subject ``i``'s ``r_i``
    ratings with kernel ``b`` (the symmetrised weights); with ``zeta1 = Var(sum_l
    b(X, l) pi_l)`` and ``zeta2 = Var(b(X, Y))`` under H0, ``var0 = sum_i 2 (zeta2 -
    2 zeta1) / (r_i (r_i - 1)) / (n'^2 (1 - pe)^2)`` over the ``n'`` subjects rated at
    least twice (the first-order terms cancel against ``pe``; those of subjects rated
    once, which enter ``pe`` but not ``pa``, are added). With ``m`` ratings for every
    subject and no weights this is FNL's ``2 [(sum p_j q_j)^2 - sum p_j q_j (q_j -
    p_j)] / ((sum p_j q_j)^2 n m (m - 1))``. Unlike irr, subjects with missing
    ratings are kept (irr drops them listwise).
"""


def _doc(template: str) -> str:
    return (
        template.replace("{FLEISS_TEST}", _FLEISS_TEST)
        .replace("{NOTES}", _FAMILY_NOTES)
        .replace("{REFS}", _FAMILY_REFS)
    )


@agreement_api()
def gwet_ac(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "t",
    alternative: str = "two-sided",
) -> pd.DataFrame:
    return _gwet_ac_impl(data, subject, rater, value, weights, categories, ci, ci_dist, alternative, _FAMILY)


gwet_ac.__doc__ = _doc("""Gwet's AC1/AC2 beside the other chance-corrected coefficients.

    One row per coefficient -- ``gwet_ac1`` (``gwet_ac2`` when weighted),
    ``brennan_prediger``, ``conger_kappa``, ``fleiss_kappa``, ``krippendorff_alpha``,
    ``percent_agreement`` -- all from the same ratings and weights, each with
    standard error, confidence interval and test, as in R irrCAC's ``*.raw``
    functions. Any number of raters per subject; missing ratings allowed.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per (subject, rater) rating; NaN or a blank label = not
        rated.
    subject, rater, value : str
        Column names (defaults ``subject_id``, ``juror_id``, ``score``).
    weights : str or array_like, default "unweighted"
        ``"unweighted"`` (``"none"`` is deprecated), ``"linear"``, ``"quadratic"``,
        ``"ordinal"``, ``"radical"``, ``"ratio"``, ``"circular"``, ``"bipolar"``, or a
        ``q x q`` matrix (see :func:`kinerja.agreement._weights.weight_matrix`).
        Numeric scores are used as the scale values.
    categories : sequence, optional
        All categories of the scale, in order. Default: the values observed. Give it
        when a category may go unused (e.g. ``range(1, 6)`` for a 1-5 rubric): ``q``
        enters AC1, Brennan-Prediger and the weights.
    ci : float, default 0.95
        Confidence level.
    ci_dist : {"t", "normal"}, default "t"
        Student t with ``n_subjects - 1`` df (irrCAC, Gwet 2014) or normal quantiles,
        for the interval and the p-value.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative for the test of H0: coefficient = 0.

    Returns
    -------
    DataFrame
        One row per coefficient with the contract's columns (``statistic`` = the
        coefficient: ``gwet_ac1`` or ``gwet_ac2``, ``brennan_prediger``,
        ``conger_kappa``, ``fleiss_kappa``, ``krippendorff_alpha``,
        ``percent_agreement``; ``estimate, se, ci_low, ci_high, ci_level, p_value,
        n_subjects, n_raters, method, note``) and then ``weights, z, pa, pe``.
        ``pa`` and ``pe`` are the observed and chance agreement; ``n_subjects``
        counts subjects with at least one rating, ``n_raters`` raters with at least
        one rating. ``z = estimate / se`` is tested against the ``ci_dist``
        distribution, as irrCAC does for every coefficient (for Fleiss' kappa,
        :func:`fleiss_kappa` tests with the SE under H0 instead).

    Notes
    -----{NOTES}
    References
    ----------{REFS}
    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "subject_id": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
    ...     "juror_id": ["a", "b", "c"] * 4,
    ...     "score": [1, 1, 1, 2, 2, 3, 3, 3, 3, 1, 2, 1]})
    >>> res = gwet_ac(df)
    >>> res[["statistic", "estimate", "pa", "pe"]].round(4)
                statistic  estimate      pa      pe
    0            gwet_ac1    0.5052  0.6667  0.3264
    1    brennan_prediger    0.5000  0.6667  0.3333
    2        conger_kappa    0.5152  0.6667  0.3125
    3        fleiss_kappa    0.4894  0.6667  0.3472
    4  krippendorff_alpha    0.5319  0.6944  0.3472
    5   percent_agreement    0.6667  0.6667  0.0000
    """)


def _check_test_se(test_se) -> None:
    if test_se not in ("h0", "gwet"):
        raise AgreementInputError(f"test_se must be 'h0' or 'gwet', got {test_se!r}")


def _gwet_ac_impl(
    data, subject, rater, value, weights, categories, ci, ci_dist, alternative, which, test_se=None
) -> pd.DataFrame:
    _check_options(ci, ci_dist, alternative)
    design = _prepare_long(data, subject, rater, value, categories)
    W = weight_matrix(weights, design.categories)
    D = design.onehot()
    A = D.sum(axis=1).astype(float)
    rows = _family_rows(A, W, D.astype(float) if "conger_kappa" in which else None, which)
    return _family_frame(
        rows,
        scheme_name(weights),
        A.shape[0],
        design.idx.shape[1],
        ci,
        ci_dist,
        alternative,
        design.notes,
        test_se,
        n2=int((A.sum(axis=1) >= 2).sum()),
    )


@agreement_api()
def fleiss_kappa(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "t",
    alternative: str = "two-sided",
    test_se: str = "h0",
) -> pd.DataFrame:
    _check_test_se(test_se)
    return _gwet_ac_impl(
        data, subject, rater, value, weights, categories, ci, ci_dist, alternative, ("fleiss_kappa",), test_se
    )


fleiss_kappa.__doc__ = _doc("""Fleiss' kappa for any number of raters per subject, with SE and CI.

    The generalised Fleiss kappa of Gwet (2014): with the same number of raters for
    every subject it is Fleiss' (1971) kappa; with unequal numbers (missing
    ratings) observed agreement is averaged over subjects rated at least twice.
    Two standard errors are reported: ``se``, Gwet's linearisation SE (irrCAC's
    ``fleiss.kappa.raw``), which gives the confidence interval, and ``se_h0``, the SE
    under H0 of no agreement (Fleiss, Nee & Landis 1979; R irr's ``kappam.fleiss``),
    which by default gives the z test (see ``test_se``). Raters are treated as
    interchangeable (their identities are not used).

    Parameters
    ----------
    data : DataFrame
        Long format: one row per (subject, rater) rating; NaN or a blank label = not
        rated.
    subject, rater, value : str
        Column names (defaults ``subject_id``, ``juror_id``, ``score``).
    weights : str or array_like, default "unweighted"
        As in :func:`gwet_ac`; weighted Fleiss kappa when not ``"unweighted"``.
    categories : sequence, optional
        All categories of the scale (only matters for weighted kappa).
    ci : float, default 0.95
        Confidence level.
    ci_dist : {"t", "normal"}, default "t"
        Student t with ``n_subjects - 1`` df (irrCAC) or normal quantiles, for the
        interval and the p-value.
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        Alternative for the test of H0: kappa = 0.
    test_se : {"h0", "gwet"}, default "h0"
        Standard error of the z test: ``"h0"`` (default) the SE under H0 of no
        agreement, with a normal reference, as R irr's ``kappam.fleiss``; ``"gwet"``
        Gwet's SE with the ``ci_dist`` reference, as irrCAC and :func:`gwet_ac`.

    Returns
    -------
    DataFrame
        One row with the contract's columns (``statistic`` = "fleiss_kappa";
        ``estimate, se, ci_low, ci_high, ci_level, p_value, n_subjects, n_raters,
        method, note``) and then ``weights, z, se_h0, pa, pe``.

    See Also
    --------
    fleiss_kappa_counts : the same from a subject x category count table.
    gwet_ac : Fleiss' kappa beside AC1, Conger, Brennan-Prediger, alpha.

    Notes
    -----{FLEISS_TEST}{NOTES}
    References
    ----------{REFS}
    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "subject_id": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4],
    ...     "juror_id": ["a", "b", "c"] * 4,
    ...     "score": [1, 1, 1, 2, 2, 3, 3, 3, 3, 1, 2, 1]})
    >>> fleiss_kappa(df)[["estimate", "se", "se_h0", "pa", "pe"]].round(4)
       estimate      se   se_h0      pa      pe
    0    0.4894  0.2723  0.2064  0.6667  0.3472
    """)


def _counts_family(counts, weights, categories, ci, ci_dist, alternative, which, test_se=None):
    _check_options(ci, ci_dist, alternative)
    counts, blank = _drop_blank_categories(counts, "counts")
    A = _as_count_array(counts, "counts")
    q = A.shape[1]
    cats = _resolve_table_categories(counts, q, categories, "counts table")
    W = weight_matrix(weights, cats)
    notes = [blank] if blank else []
    rated = A.sum(axis=1) > 0
    if not rated.all():
        notes.append(f"{int((~rated).sum())} subject(s) without any rating ignored")
        A = A[rated]
    if A.shape[0] == 0:
        raise AgreementInputError("counts table has no ratings: every row sums to 0")
    rows = _family_rows(A, W, None, which)
    return _family_frame(
        rows,
        scheme_name(weights),
        A.shape[0],
        int(A.sum(axis=1).max()),
        ci,
        ci_dist,
        alternative,
        notes,
        test_se,
        n2=int((A.sum(axis=1) >= 2).sum()),
    )


@agreement_api()
def fleiss_kappa_counts(
    data,
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "t",
    alternative: str = "two-sided",
    test_se: str = "h0",
) -> pd.DataFrame:
    """Fleiss' kappa from a subject x category table of counts.

    The format of Fleiss (1971) and of R irrCAC's ``fleiss.kappa.dist``: cell
    ``(i, k)`` is the number of raters who put subject ``i`` in category ``k``. Rows
    may sum to different numbers of raters. Same estimator, SEs, CI and test as
    :func:`fleiss_kappa`.

    Parameters
    ----------
    data : DataFrame or array_like, shape (n_subjects, q)
        Non-negative whole numbers; one column per category in scale order (an
        unused category is a column of zeros). Subject labels belong in the index.
        A column whose label is blank (``""``, ``" "``, ...) counts blank ratings:
        it is dropped (blank = missing) and ``note`` says how many ratings it held.
    weights : str or array_like, default "unweighted"
        As in :func:`gwet_ac`.
    categories : sequence, optional
        Scale values of the columns, for the weights. Default: the column labels if
        numeric, else positions ``1..q``.
    ci, ci_dist, alternative, test_se
        As in :func:`fleiss_kappa`.

    Returns
    -------
    DataFrame
        One row as :func:`fleiss_kappa`; ``n_raters`` is the largest row total
        (the table does not say who rated what). Rows summing to 0 are ignored.

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin, 76(5), 378-382.
    .. [2] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.).
       Advanced Analytics, LLC.

    Examples
    --------
    The four subjects of the :func:`fleiss_kappa` example as counts (columns =
    categories 1, 2, 3):

    >>> counts = [[3, 0, 0], [0, 2, 1], [0, 0, 3], [2, 1, 0]]
    >>> fleiss_kappa_counts(counts)[["estimate", "se", "pa", "pe"]].round(4)
       estimate      se      pa      pe
    0    0.4894  0.2723  0.6667  0.3472
    """
    _check_test_se(test_se)
    return _counts_family(data, weights, categories, ci, ci_dist, alternative, ("fleiss_kappa",), test_se)


@agreement_api()
def gwet_ac_counts(
    data,
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "t",
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """The :func:`gwet_ac` family from a subject x category table of counts.

    As R irrCAC's ``*.dist`` functions: AC1/AC2, Brennan-Prediger, Fleiss' kappa,
    Krippendorff's alpha and percent agreement. Conger's kappa needs to know which
    rater gave which rating, so its row is NaN with a note.

    Parameters
    ----------
    data : DataFrame or array_like, shape (n_subjects, q)
        As in :func:`fleiss_kappa_counts`.
    weights, categories, ci, ci_dist, alternative
        As in :func:`fleiss_kappa_counts`.

    Returns
    -------
    DataFrame
        As :func:`gwet_ac`.

    Notes
    -----
    Krippendorff's alpha SE follows irrCAC's ``krippen.alpha.raw`` (the same as for
    long-format data), not ``krippen.alpha.dist``, which shrinks each subject's
    agreement term by ``(1 - eps)`` (adding ``eps``), weights the chance-agreement term
    by ``(1 - alpha)`` instead of ``2 (1 - alpha')`` and centres on ``alpha``, and so
    gives a slightly different SE (0.0824 instead of 0.0812 on Gwet's
    ``distrib.6raters``).

    References
    ----------
    .. [1] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.).
       Advanced Analytics, LLC.

    Examples
    --------
    >>> counts = [[3, 0, 0], [0, 2, 1], [0, 0, 3], [2, 1, 0]]
    >>> gwet_ac_counts(counts)[["statistic", "estimate"]].round(4)
                statistic  estimate
    0            gwet_ac1    0.5052
    1    brennan_prediger    0.5000
    2        conger_kappa       NaN
    3        fleiss_kappa    0.4894
    4  krippendorff_alpha    0.5319
    5   percent_agreement    0.6667
    """
    return _counts_family(data, weights, categories, ci, ci_dist, alternative, _FAMILY)


@agreement_api()
def subject_agreement(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    weights="unweighted",
    categories=None,
) -> pd.DataFrame:
    """Per-subject agreement: the share of agreeing rater pairs for each subject.

    ``P_i = sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` (Fleiss 1971; weighted as in
    Gwet 2014), the quantity averaged into ``pa`` by :func:`gwet_ac` and
    :func:`fleiss_kappa`. Useful to find the subjects (agencies) the jurors
    disagree on.

    Parameters
    ----------
    data : DataFrame
        Long format; NaN or a blank label = not rated.
    subject, rater, value : str
        Column names.
    weights, categories
        As in :func:`gwet_ac`.

    Returns
    -------
    DataFrame
        One row per subject that has at least one rating, with the contract's
        columns (``statistic`` = "subject_agreement"; ``estimate`` = ``P_i``;
        ``n_subjects`` = 1; ``n_raters`` = the subject's number of ratings; ``se``,
        ``ci_low``, ``ci_high``, ``ci_level``, ``p_value`` NaN) and then the subject's
        label (in a column named after ``subject``) and ``weights``. ``estimate`` is
        NaN (with a note) for a subject rated once.

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin, 76(5), 378-382.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"subject_id": [1, 1, 1, 2, 2, 2, 3],
    ...                    "juror_id": ["a", "b", "c", "a", "b", "c", "a"],
    ...                    "score": [2, 2, 2, 1, 2, 3, 1]})
    >>> res = subject_agreement(df)
    >>> res[["subject_id", "n_raters", "estimate"]]
       subject_id  n_raters  estimate
    0           1         3       1.0
    1           2         3       0.0
    2           3         1       NaN
    >>> res.loc[2, "note"]
    'a single rating cannot agree with another'
    """
    if subject in ("statistic", *INFERENCE_COLUMNS, "weights"):
        raise AgreementInputError(f"subject={subject!r} clashes with a result column; rename that column first")
    design = _prepare_long(data, subject, rater, value, categories)
    W = weight_matrix(weights, design.categories)
    A = design.counts()
    r_i = A.sum(axis=1)
    multi = r_i >= 2
    agree = np.full(len(r_i), np.nan)
    Aw = A @ W.T
    agree[multi] = (A[multi] * (Aw[multi] - 1.0)).sum(axis=1) / (r_i[multi] * (r_i[multi] - 1.0))
    common = _join(*design.notes)
    note = [_join("" if m else "a single rating cannot agree with another", common) for m in multi]
    n = len(r_i)
    return result_frame(
        {
            "statistic": ["subject_agreement"] * n,
            "estimate": agree,
            "n_subjects": np.ones(n, dtype=np.int64),
            "n_raters": r_i.astype(np.int64),
            "method": ["share of agreeing rater pairs (Fleiss 1971; weighted as Gwet 2014)"] * n,
            "note": note,
            subject: design.subjects.to_numpy(),
            "weights": [scheme_name(weights)] * n,
        },
        (subject, "weights"),
    )


# ----------------------------------------------------------------- two raters


def _cohen_stats(T: np.ndarray, W: np.ndarray) -> dict:
    """Weighted kappa with the Fleiss-Cohen-Everitt (1969) variances, from counts."""
    n = float(T.sum())
    nan = dict(estimate=np.nan, se=np.nan, se_h0=np.nan, pa=np.nan, pe=np.nan)
    if n == 0:
        return dict(nan, note="no subject rated by both raters")
    if n < MIN_UNITS:
        return dict(
            nan,
            note=f"not identified: a single subject rated by both raters (agreement beyond chance needs at least {MIN_UNITS})",
        )
    p = T / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    pa = float((W * p).sum())
    pe = float(row @ W @ col)
    if 1.0 - pe <= _TOL:
        return dict(nan, pa=pa, pe=pe, note=_undefined_pe("Cohen's kappa", W.shape[0]))
    kappa = (pa - pe) / (1.0 - pe)
    w_row = W @ col  # mean weight of row category i
    w_col = W.T @ row  # mean weight of column category j
    u = W - (1.0 - kappa) * (w_row[:, None] + w_col[None, :])
    var = ((p * u**2).sum() - (kappa - pe * (1.0 - kappa)) ** 2) / (n * (1.0 - pe) ** 2)
    u0 = W - (w_row[:, None] + w_col[None, :])
    var0 = ((np.outer(row, col) * u0**2).sum() - pe**2) / (n * (1.0 - pe) ** 2)
    return dict(
        estimate=kappa, se=float(np.sqrt(max(var, 0.0))), se_h0=float(np.sqrt(max(var0, 0.0))), pa=pa, pe=pe, note=""
    )


def _cohen_row(T, W, scheme, ci, ci_dist, alternative) -> dict:
    s = _cohen_stats(T, W)
    n = int(T.sum())
    inf = _inference(s["estimate"], s["se"], n - 1, ci, ci_dist, alternative)
    # the test uses the H0 standard error (SAS, R irr), the interval the non-null one
    test = _inference(s["estimate"], s["se_h0"], n - 1, ci, "normal", alternative)
    return {
        "statistic": "cohen_kappa",
        "estimate": s["estimate"],
        "se": s["se"],
        "ci_low": inf["ci_low"],
        "ci_high": inf["ci_high"],
        "ci_level": ci,
        "p_value": test["p_value"],
        "n_subjects": n,
        "n_raters": 2,
        "method": (
            f"Fleiss-Cohen-Everitt (1969) SE, {_ci_words(ci_dist)} interval; z test with the SE under H0 (normal)"
        ),
        "note": _join(s["note"], inf["note"], test["note"] if test["note"] != inf["note"] else ""),
        "weights": scheme,
        "z": test["z"],
        "se_h0": s["se_h0"],
        "pa": s["pa"],
        "pe": s["pe"],
    }


_COHEN_NOTES = """
    With cell proportions ``p_ij`` of the two raters' table, margins ``p_i.``,
    ``p_.j`` and weights ``w_ij``: ``pa = sum w_ij p_ij``, ``pe = sum w_ij p_i.
    p_.j``, ``kappa = (pa - pe) / (1 - pe)`` (Cohen 1960; weighted, Cohen 1968).
    With ``wbar_i. = sum_j p_.j w_ij`` and ``wbar_.j = sum_i p_i. w_ij``:

    - ``se`` (SAS "ASE"), the large-sample variance of Fleiss, Cohen & Everitt
      (1969): ``[sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2 - (kappa - pe
      (1 - kappa))^2] / (n (1 - pe)^2)``. It is used for the confidence interval.
      (It equals irrCAC's ``kappa2.table`` SE.)
    - ``se_h0``, the variance under H0: kappa = 0, ``[sum p_i. p_.j (w_ij -
      (wbar_i. + wbar_.j))^2 - pe^2] / (n (1 - pe)^2)``. It is used for
      ``z = kappa / se_h0`` and the normal ``p_value``, as SAS PROC FREQ and R irr
      ``kappa2`` do.

    The interval is ``kappa -/+ c se`` with ``c`` a normal quantile (SAS,
    ``ci_dist="normal"``, the default) or a t quantile with ``n - 1`` df (irrCAC),
    its upper bound truncated at 1.

    Weights are computed on the scores of the categories (numeric labels are their
    own scores; SAS's Cicchetti-Allison "linear" and Fleiss-Cohen "quadratic"
    weights for integer scores). R irr's ``kappa2`` instead treats the scores as
    factor levels and builds its weights over the levels the pair actually used,
    equally spaced: on a 1-6 scale of which a pair never used 5 it weights
    1, 2, 3, 4, 6 as 1, 2, 3, 4, 5. Here the scale is the same for every pair:
    ``categories=`` if given, else every value observed in the whole data.
    Unweighted kappa does not depend on unused categories.
"""

_COHEN_REFS = """
    .. [1] Cohen, J. (1960). A coefficient of agreement for nominal scales.
       Educational and Psychological Measurement, 20, 37-46.
    .. [2] Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision
       for scaled disagreement or partial credit. Psychological Bulletin, 70(4),
       213-220.
    .. [3] Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard
       errors of kappa and weighted kappa. Psychological Bulletin, 72(5), 323-327.
"""


@agreement_api()
def cohen_kappa(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "normal",
    alternative: str = "two-sided",
) -> pd.DataFrame:
    return _cohen_long(data, subject, rater, value, weights, categories, ci, ci_dist, alternative)


cohen_kappa.__doc__ = (
    """Cohen's (weighted) kappa for every pair of raters.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per (subject, rater) rating; NaN or a blank label = not
        rated.
    subject, rater, value : str
        Column names (defaults ``subject_id``, ``juror_id``, ``score``).
    weights : str or array_like, default "unweighted"
        ``"unweighted"`` (``"none"`` is deprecated), ``"linear"``, ``"quadratic"``,
        any other scheme of :func:`gwet_ac`, or a ``q x q`` matrix.
    categories : sequence, optional
        All categories of the scale, in order; default every value observed in the
        whole data (the same scale for every pair).
    ci : float, default 0.95
        Confidence level.
    ci_dist : {"normal", "t"}, default "normal"
        Quantile for the interval: normal (SAS) or t with ``n - 1`` df (irrCAC).
    alternative : {"two-sided", "greater", "less"}, default "two-sided"
        For the z test of H0: kappa = 0.

    Returns
    -------
    DataFrame
        One row per pair of raters (``rater_a`` < ``rater_b``) with the contract's
        columns (``statistic`` = "cohen_kappa", ``estimate, se, ci_low, ci_high,
        ci_level, p_value, n_subjects, n_raters`` (= 2)``, method, note``) and then
        ``rater_a, rater_b, weights, z, se_h0, pa, pe``. ``n_subjects`` is the
        number of subjects both rated (pairwise deletion of missing ratings).

    See Also
    --------
    cohen_kappa_table : the same from a contingency table.
    gwet_ac : multi-rater coefficients (Conger's kappa generalises Cohen's).

    Notes
    -----"""
    + _COHEN_NOTES
    + """
    References
    ----------"""
    + _COHEN_REFS
    + """
    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "subject_id": [1, 2, 3, 4, 5, 6] * 2,
    ...     "juror_id": ["a"] * 6 + ["b"] * 6,
    ...     "score": [1, 2, 3, 3, 2, 1, 1, 2, 3, 2, 2, 1]})
    >>> res = cohen_kappa(df, weights="linear")
    >>> res[["rater_a", "rater_b", "n_subjects", "estimate", "se", "se_h0"]].round(4)
      rater_a rater_b  n_subjects  estimate      se   se_h0
    0       a       b           6       0.8  0.1789  0.2981
    """
)


def _cohen_long(data, subject, rater, value, weights, categories, ci, ci_dist, alternative) -> pd.DataFrame:
    _check_options(ci, ci_dist, alternative)
    design = _prepare_long(data, subject, rater, value, categories, drop_empty_raters=False)
    W = weight_matrix(weights, design.categories)
    scheme = scheme_name(weights)
    q, idx = design.q, design.idx
    rows = []
    if idx.shape[1] < 2:
        rows.append(
            {
                "statistic": "cohen_kappa",
                "ci_level": ci,
                "n_subjects": 0,
                "n_raters": idx.shape[1],
                "note": _join("Cohen's kappa needs at least two raters", *design.notes),
                "rater_a": design.raters[0] if len(design.raters) else None,
                "rater_b": None,
                "weights": scheme,
            }
        )
        return result_frame(rows, PAIR_EXTRAS)
    for a, b in combinations(range(idx.shape[1]), 2):
        both = (idx[:, a] >= 0) & (idx[:, b] >= 0)
        T = np.zeros((q, q))
        np.add.at(T, (idx[both, a], idx[both, b]), 1.0)
        row = _cohen_row(T, W, scheme, ci, ci_dist, alternative)
        row["note"] = _join(row["note"], *design.notes)
        rows.append({**row, "rater_a": design.raters[a], "rater_b": design.raters[b]})
    return result_frame(rows, PAIR_EXTRAS)


def _as_square_table(table, what="table") -> np.ndarray:
    T = _as_count_array(table, what)
    if T.shape[0] != T.shape[1]:
        raise AgreementInputError(
            f"{what} must be square (rater 1 categories in rows, rater 2 in columns, same order), got shape {T.shape}"
        )
    return T


@agreement_api()
def cohen_kappa_table(
    data,
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "normal",
    alternative: str = "two-sided",
) -> pd.DataFrame:
    return _cohen_table_impl(data, weights, categories, ci, ci_dist, alternative)


cohen_kappa_table.__doc__ = (
    """Cohen's (weighted) kappa from a two-rater contingency table.

    Parameters
    ----------
    data : DataFrame or array_like, shape (q, q)
        Counts: rater 1's category in rows, rater 2's in columns, both in the same
        scale order. A category whose (column) label is blank holds subjects with a
        blank rating: its row and column are dropped (blank = missing; ``note``
        says how many subjects).
    weights : str or array_like, default "unweighted"
        As in :func:`cohen_kappa`.
    categories : sequence, optional
        Scale values of the rows/columns, for the weights. Default: the column
        labels if numeric, else positions ``1..q``.
    ci, ci_dist, alternative
        As in :func:`cohen_kappa`.

    Returns
    -------
    DataFrame
        One row with the contract's columns (``statistic`` = "cohen_kappa") and
        then ``weights, z, se_h0, pa, pe``.

    Notes
    -----"""
    + _COHEN_NOTES
    + """
    References
    ----------"""
    + _COHEN_REFS
    + """
    Examples
    --------
    >>> cohen_kappa_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])[
    ...     ["estimate", "se", "se_h0", "z"]].round(4)
       estimate     se   se_h0       z
    0    0.4842  0.138  0.1484  3.2626
    """
)


def _cohen_table_impl(table, weights, categories, ci, ci_dist, alternative):
    _check_options(ci, ci_dist, alternative)
    table, blank = _drop_blank_categories(table, "table", square=True)
    T = _as_square_table(table)
    cats = _resolve_table_categories(table, T.shape[0], categories, "table")
    W = weight_matrix(weights, cats)
    row = _cohen_row(T, W, scheme_name(weights), ci, ci_dist, alternative)
    row["note"] = _join(row["note"], blank)
    return result_frame([row], TABLE_EXTRAS)


@agreement_api()
def gwet_ac_table(
    data,
    *,
    weights="unweighted",
    categories=None,
    ci: float = 0.95,
    ci_dist: str = "t",
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Two-rater agreement coefficients from a contingency table (Gwet 2014, ch. 2-3).

    The two-rater versions of R irrCAC's ``*.table`` functions: ``gwet_ac1`` /
    ``gwet_ac2``, ``brennan_prediger``, ``cohen_kappa``, ``scott_pi``,
    ``krippendorff_alpha`` and ``percent_agreement``.

    Parameters
    ----------
    data : DataFrame or array_like, shape (q, q)
        Counts, rater 1 in rows, rater 2 in columns, same category order. A blank
        category label is dropped with its row and column (blank = missing), as in
        :func:`cohen_kappa_table`.
    weights : str or array_like, default "unweighted"
        As in :func:`gwet_ac`.
    categories : sequence, optional
        Scale values of the rows/columns (default: numeric labels, else ``1..q``).
    ci, ci_dist, alternative
        As in :func:`gwet_ac` (default t quantiles with ``n - 1`` df, as irrCAC).

    Returns
    -------
    DataFrame
        As :func:`gwet_ac` (``n_raters`` = 2).

    Notes
    -----
    With ``p_kl`` the cell proportions, ``pa = sum w_kl p_kl`` and each coefficient
    ``(pa - pe) / (1 - pe)``; ``pi_k`` is the mean of the two raters' margins:

    - Cohen: ``pe = sum w_kl p_k. p_.l``; Scott: ``pe = sum w_kl pi_k pi_l``;
    - AC1/AC2: ``pe = T_w / (q (q - 1)) sum pi_k (1 - pi_k)``; Brennan-Prediger:
      ``pe = T_w / q^2``;
    - Krippendorff: as Scott but ``pa`` replaced by ``(1 - eps) pa + eps``,
      ``eps = 1 / (2 n)``.

    Each variance is ``sum p_kl (u_kl - ubar)^2 / (n (1 - pe)^2)`` with ``u_kl`` the
    coefficient's linearised contribution of a subject in cell ``(k, l)`` (for
    Cohen's kappa this is exactly the Fleiss-Cohen-Everitt variance). These
    two-rater formulas divide by ``n`` where the multi-rater formulas of
    :func:`gwet_ac` divide by ``n - 1``, so on the same data the SEs differ by a
    factor of about ``sqrt(n / (n - 1))``. The CI upper bound is truncated at 1.

    References
    ----------
    .. [1] Gwet, K. L. (2014). Handbook of Inter-Rater Reliability (4th ed.).
       Advanced Analytics, LLC.
    .. [2] Scott, W. A. (1955). Reliability of content analysis: the case of nominal
       scale coding. Public Opinion Quarterly, 19, 321-325.

    Examples
    --------
    >>> tab = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]
    >>> gwet_ac_table(tab)[["statistic", "estimate", "se"]].round(4)
                statistic  estimate      se
    0            gwet_ac1    0.8493  0.0432
    1    brennan_prediger    0.8350  0.0469
    2         cohen_kappa    0.7964  0.0589
    3            scott_pi    0.7962  0.0591
    4  krippendorff_alpha    0.7973  0.0591
    5   percent_agreement    0.8900  0.0313
    """
    _check_options(ci, ci_dist, alternative)
    table, blank = _drop_blank_categories(data, "table", square=True)
    T = _as_square_table(table)
    q = T.shape[0]
    cats = _resolve_table_categories(table, q, categories, "table")
    W = weight_matrix(weights, cats)
    scheme = scheme_name(weights)
    n = float(T.sum())
    if n == 0:
        raise AgreementInputError("table has no subjects: all counts are 0")
    p = T / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    pi = (row + col) / 2.0
    pa = float((W * p).sum())
    tw = float(W.sum())
    ac_label = "gwet_ac1" if np.array_equal(W, np.eye(q)) else "gwet_ac2"

    def coef(label, pa_, pe, u):
        if 1.0 - pe <= _TOL:
            return dict(statistic=label, estimate=np.nan, se=np.nan, pa=pa_, pe=pe, note=_undefined_pe(label, q))
        est = (pa_ - pe) / (1.0 - pe)
        ubar = float((p * u).sum())
        var = float((p * (u - ubar) ** 2).sum()) / (n * (1.0 - pe) ** 2)
        return dict(statistic=label, estimate=est, se=np.sqrt(max(var, 0.0)), pa=pa_, pe=pe, note="")

    rows = []
    # Gwet's AC1/AC2
    if q >= 2:
        c = tw / (q * (q - 1))
        pe = c * float((pi * (1.0 - pi)).sum())
        est = (pa - pe) / (1.0 - pe)
        u = W - 2.0 * (1.0 - est) * c * (1.0 - (pi[:, None] + pi[None, :]) / 2.0)
        rows.append(coef(ac_label, pa, pe, u))
    else:
        rows.append(coef(ac_label, pa, 0.0, W))
        rows[-1]["note"] = "only one category on the scale: AC1 chance agreement taken as 0 (irrCAC's convention)"
    # Brennan-Prediger
    rows.append(coef("brennan_prediger", pa, tw / q**2, W))
    # Cohen's kappa (Fleiss-Cohen-Everitt variance)
    pe = float(row @ W @ col)
    k = (pa - pe) / (1.0 - pe) if 1.0 - pe > _TOL else np.nan
    rows.append(coef("cohen_kappa", pa, pe, W - (1.0 - k) * ((W @ col)[:, None] + (W.T @ row)[None, :])))
    # Scott's pi
    pe = float(pi @ W @ pi)
    s = (pa - pe) / (1.0 - pe) if 1.0 - pe > _TOL else np.nan
    wbar = (W @ col + W.T @ row) / 2.0
    rows.append(coef("scott_pi", pa, pe, W - (1.0 - s) * (wbar[:, None] + wbar[None, :])))
    # Krippendorff's alpha: estimate from the eps-corrected pa, variance as Scott's
    # pi evaluated at the uncorrected pa (Gwet 2014)
    eps = 1.0 / (2.0 * n)
    pa_k = (1.0 - eps) * pa + eps
    if 1.0 - pe > _TOL:
        k0 = (pa - pe) / (1.0 - pe)
        alpha_row = coef("krippendorff_alpha", pa, pe, W - (1.0 - k0) * (wbar[:, None] + wbar[None, :]))
        alpha_row["estimate"] = (pa_k - pe) / (1.0 - pe)
        alpha_row["pa"] = pa_k
    else:
        alpha_row = coef("krippendorff_alpha", pa_k, pe, W)
    rows.append(alpha_row)
    rows.append(coef("percent_agreement", pa, 0.0, W))
    return _family_frame(rows, scheme, int(n), 2, ci, ci_dist, alternative, [blank] if blank else [])
