"""Intraclass correlation coefficients (ICC): the six Shrout & Fleiss forms.

Complete (balanced) data use the classic two-way ANOVA mean squares, F tests and the
McGraw & Wong (1996) confidence intervals. Incomplete data (missing cells) are never
listwise-deleted: the variance components are estimated by restricted maximum
likelihood (REML, the shared engine :mod:`kinerja.stats.varcomp`) on every observed
rating, the ICCs are formed from them, and their tests and generalized confidence
intervals come from Henderson's method-3 sums of squares.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..bootstrap import bootstrap_intervals, check_rng, resample_counts, zero_width_note
from ..varcomp._core import single_threaded_blas
from ..varcomp._reml import fit_two_way
from ._common import (
    FEW_UNITS,
    MIN_UNITS,
    AgreementInputError,
    agreement_api,
    barely_identified,
    result_frame,
    to_matrix,
)

__all__ = ["icc", "icc_bootstrap"]

# Shrout-Fleiss name, McGraw-Wong name, description
_FORMS: tuple[tuple[str, str, str], ...] = (
    ("ICC(1,1)", "ICC(1)", "one-way random effects, absolute agreement, single rater"),
    ("ICC(2,1)", "ICC(A,1)", "two-way random effects, absolute agreement, single rater"),
    ("ICC(3,1)", "ICC(C,1)", "two-way mixed effects (raters fixed), consistency, single rater"),
    ("ICC(1,k)", "ICC(k)", "one-way random effects, absolute agreement, mean of k raters"),
    ("ICC(2,k)", "ICC(A,k)", "two-way random effects, absolute agreement, mean of k raters"),
    ("ICC(3,k)", "ICC(C,k)", "two-way mixed effects (raters fixed), consistency, mean of k raters"),
)
_SF_NAMES = [f[0] for f in _FORMS]
_MW_NAMES = [f[1] for f in _FORMS]
_DESCRIPTIONS = [f[2] for f in _FORMS]

# every accepted spelling of a form -> row index 0..5
_ALIASES: dict[str, int] = {}
for _i, (_sf, _mw, _d) in enumerate(_FORMS):
    _ALIASES[_sf.lower()] = _i
    _ALIASES[_mw.lower()] = _i
for _i, _name in enumerate(["icc1", "icc2", "icc3", "icc1k", "icc2k", "icc3k"]):
    _ALIASES[_name] = _i

#: Columns of :func:`icc` after ``statistic`` and the inference columns.
ICC_EXTRAS = ("mcgraw_wong", "description", "f", "df1", "df2")
#: Columns of :func:`icc_bootstrap` after ``statistic`` and the inference columns.
BOOT_EXTRAS = ("mcgraw_wong", "description", "n_boot", "n_boot_valid")

#: Identification rule for incomplete designs (see :func:`icc`, Notes): fewer subjects
#: with two or more ratings than MIN_MULTI give NaN, fewer than FEW_MULTI a note.
MIN_MULTI = MIN_UNITS
FEW_MULTI = FEW_UNITS

_REL_TOL = 1e-12  # sums of squares below this fraction of the total are rounding noise


def _resolve_types(types) -> list[int]:
    if isinstance(types, str):
        types = (types,)
    out = []
    for t in types:
        key = str(t).replace(" ", "").lower()
        if key not in _ALIASES:
            raise AgreementInputError(
                f"unknown ICC type {t!r}; use one of {_SF_NAMES} "
                "(McGraw-Wong names such as 'ICC(A,1)' and 'ICC2k' are accepted too)"
            )
        out.append(_ALIASES[key])
    return out


def _check_ci(ci) -> float | None:
    if ci is None:
        return None
    ci = float(ci)
    if not 0.0 < ci < 1.0:
        raise AgreementInputError(f"ci is a confidence level in (0, 1), e.g. 0.95; got {ci}")
    return ci


# --------------------------------------------------------------------------------------
# Input preparation
# --------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    values: np.ndarray  # subjects x raters, NaN = missing; empty rows/cols removed
    subjects: pd.Index
    raters: pd.Index
    notes: list[str] = field(default_factory=list)
    n_missing: int = 0
    spread: float = 0.0  # max |score - mean| before scaling; 0 = constant scores

    @property
    def complete(self) -> bool:
        return self.n_missing == 0


def _prepare(data, subject, rater, value) -> _Prepared:
    m = to_matrix(data, subject=subject, rater=rater, value=value)
    vals = m.values
    notes: list[str] = []
    missing = np.isnan(vals)
    n_missing = int(missing.sum())
    if n_missing:
        obs = ~missing
        keep_r = obs.any(axis=0)
        if not keep_r.all():
            dropped = [str(x) for x in m.raters[~keep_r][:5]]
            notes.append(f"{int((~keep_r).sum())} rater(s) with no ratings dropped (e.g. {', '.join(dropped)})")
        keep_s = obs[:, keep_r].any(axis=1) if keep_r.any() else np.zeros(len(m.subjects), bool)
        if not keep_s.all():
            dropped = [str(x) for x in m.subjects[~keep_s][:5]]
            notes.append(f"{int((~keep_s).sum())} subject(s) with no ratings dropped (e.g. {', '.join(dropped)})")
        vals = vals[np.ix_(keep_s, keep_r)]
        subjects, raters = m.subjects[keep_s], m.raters[keep_r]
        present = vals[~np.isnan(vals)]
        n_missing = vals.size - present.size
    else:
        subjects, raters = m.subjects, m.raters
        present = vals.ravel()
    if not np.isfinite(present).all():
        raise AgreementInputError(f"column {value!r} holds infinite values; ICC needs finite scores")
    spread = 0.0
    if present.size:
        # ICCs are invariant to shift and scale: centre and scale to max |deviation| 1,
        # so that tiny or huge scores neither underflow nor lose digits when squared
        centre = present.mean()
        spread = float(max(present.max() - centre, centre - present.min()))
        vals = (vals - centre) / spread if spread > 0 else vals - centre
    return _Prepared(vals, subjects, raters, notes, n_missing, spread)


# --------------------------------------------------------------------------------------
# Balanced ANOVA
# --------------------------------------------------------------------------------------


def _mean_squares(y: np.ndarray):
    """Two-way ANOVA mean squares (MSR, MSC, MSE, MSW) of a complete n x k matrix."""
    n, k = y.shape
    grand = y.mean()
    yc = y - grand
    # einsum, not BLAS: a threaded dot product of 30,000 numbers on a busy machine
    # costs milliseconds in thread hand-offs
    sst = float(np.einsum("ij,ij->", yc, yc))
    rows = yc.mean(axis=1)
    cols = yc.mean(axis=0)
    ssr = float(k * np.einsum("i,i->", rows, rows))
    ssc = float(n * np.einsum("i,i->", cols, cols))
    sse = sst - ssr - ssc
    if sse < 1e-6 * sst:
        # near-perfect consistency: the subtraction above would lose digits
        resid = yc - rows[:, None] - cols[None, :]
        sse = float((resid**2).sum())
    ssw = sst - ssr
    # rounding noise: perfect agreement must give exactly zero residual variance
    tol = _REL_TOL * sst
    ssr, ssc, sse, ssw = (0.0 if s <= tol else s for s in (ssr, ssc, sse, ssw))
    return (
        np.float64(ssr / (n - 1)),
        np.float64(ssc / (k - 1)),
        np.float64(sse / ((n - 1) * (k - 1))),
        np.float64(ssw / (n * (k - 1))),
    )


def _weighted_mean_squares(yc: np.ndarray, w: np.ndarray):
    """Mean squares for many subject-resamples at once.

    ``yc`` is the (centred) n x k matrix, ``w`` a (B, n) matrix of how often each
    subject occurs in each resample (bootstrap counts, or 1 - e_i for the jackknife).
    Returns arrays of shape (B,). A subject drawn twice counts as two subjects.
    """
    n_eff = w.sum(axis=1)
    k = yc.shape[1]
    r = yc.sum(axis=1)
    q = (yc**2).sum(axis=1)
    t = w @ r
    big_n = n_eff * k
    corr = t**2 / big_n
    sst = w @ q - corr
    ssr = (w @ (r**2)) / k - corr
    c = w @ yc
    ssc = (c**2).sum(axis=1) / n_eff - corr
    sse = sst - ssr - ssc
    ssw = sst - ssr
    tol = _REL_TOL * np.abs(sst)
    ssr, ssc, sse, ssw = (np.where(s <= tol, 0.0, s) for s in (ssr, ssc, sse, ssw))
    msr = ssr / (n_eff - 1)
    msc = ssc / (k - 1)
    mse = sse / ((n_eff - 1) * (k - 1))
    msw = ssw / (n_eff * (k - 1))
    return msr, msc, mse, msw, n_eff


def _icc_from_ms(msr, msc, mse, msw, n, k):
    """The six ICC estimates (stacked on axis 0) from ANOVA mean squares."""
    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msr - msw) / (msr + (k - 1) * msw)
        icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        icc3 = (msr - mse) / (msr + (k - 1) * mse)
        icc1k = (msr - msw) / msr
        icc2k = (msr - mse) / (msr + (msc - mse) / n)
        icc3k = (msr - mse) / msr
    return np.stack(np.broadcast_arrays(icc1, icc2, icc3, icc1k, icc2k, icc3k))


def _satterthwaite_v(rho, msc, mse, n, k):
    """McGraw & Wong (1996) approximate df for ICC(A,1), evaluated at ``rho``.

    Written with a' = k rho and b' = n (1 - rho) + k rho (n - 1) (their a and b times
    n (1 - rho)) so that it stays finite at rho = 1.
    """
    a = k * rho * msc
    b = (n * (1 - rho) + k * rho * (n - 1)) * mse
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a + b) ** 2 / (a**2 / (k - 1) + b**2 / ((n - 1) * (k - 1)))


def _anova_table(y: np.ndarray, ci: float | None, agreement_df2: str) -> dict:
    n, k = y.shape
    msr, msc, mse, msw = _mean_squares(y)
    est = _icc_from_ms(msr, msc, mse, msw, n, k)
    notes = [[] for _ in range(6)]
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = msr / msw if msw > 0 else (np.inf if msr > 0 else np.nan)
        f3 = msr / mse if mse > 0 else (np.inf if msr > 0 else np.nan)
    df1 = float(n - 1)
    df2_1 = float(n * (k - 1))
    df2_3 = float((n - 1) * (k - 1))
    v = float(_satterthwaite_v(est[1], msc, mse, n, k)) if np.isfinite(est[1]) else np.nan
    if est[1] == 1.0:  # MSE = MSC = 0: the v formula is 0/0, CI collapses at 1 anyway
        v = df2_3
    df2_a = df2_3 if agreement_df2 == "exact" else v
    f = np.array([f1, f3, f3, f1, f3, f3])
    df2 = np.array([df2_1, df2_a, df2_3, df2_1, df2_a, df2_3])
    with np.errstate(invalid="ignore"):
        p = special.fdtrc(df1, df2, f)  # F survival function; fdtrc(., ., inf) = 0
    lo = np.full(6, np.nan)
    hi = np.full(6, np.nan)
    if ci is not None:
        q = 1 - (1 - ci) / 2
        v_ok = np.isfinite(v) and v > 0
        v_ = v if v_ok else 1.0
        # upper quantiles of F: (df1, df2_1), (df1, df2_3), (df2_1, df1), (df2_3, df1),
        # and for ICC(A,1): (df1, v), (v, df1)
        c1 = special.fdtri([df1, df1, df2_1, df2_3, df1, v_], [df2_1, df2_3, df1, df1, v_, df1], q)
        with np.errstate(divide="ignore", invalid="ignore"):
            forms = ((0, 3, f1, c1[0], c1[2]), (2, 5, f3, c1[1], c1[3]))
            for i_single, i_mean, ff, up_l, up_u in forms:
                if np.isinf(ff):
                    lo[[i_single, i_mean]] = 1.0
                    hi[[i_single, i_mean]] = 1.0
                    continue
                fl = ff / up_l
                fu = ff * up_u
                lo[i_single] = (fl - 1) / (fl + k - 1)
                hi[i_single] = (fu - 1) / (fu + k - 1)
                lo[i_mean] = 1 - 1 / fl
                hi[i_mean] = 1 - 1 / fu
            # ICC(A,1): McGraw & Wong (1996) Table 7, Satterthwaite df v at the estimate
            if v_ok and msr > 0:
                fl_a, fu_a = c1[4], c1[5]
                denom = k * msc + (k * n - k - n) * mse
                l2 = n * (msr - fl_a * mse) / (fl_a * denom + n * msr)
                u2 = n * (fu_a * msr - mse) / (denom + n * fu_a * msr)
                lo[1], hi[1] = l2, u2
                lo[4] = l2 * k / (1 + l2 * (k - 1))
                hi[4] = u2 * k / (1 + u2 * (k - 1))
    # notes for undefined values
    if msr == 0 and msw == 0:
        for i in (0, 3):
            notes[i].append("no variance between or within subjects: ICC(1) is 0/0")
    if msr == 0 and mse == 0:
        for i in (2, 5):
            notes[i].append("no subject variance and no residual variance: consistency ICC is 0/0")
        if msc == 0:
            for i in (1, 4):
                notes[i].append("all scores equal: ICC is 0/0")
    if ci is not None:
        for i in range(6):
            if np.isfinite(est[i]) and not (np.isfinite(lo[i]) and np.isfinite(hi[i])):
                notes[i].append("F-based CI undefined for this design (subject mean square is 0)")
    if agreement_df2 == "satterthwaite":
        for i in (1, 4):
            notes[i].append(
                "F test df2 = McGraw-Wong Satterthwaite df at the estimate (as R irr), not the exact (n-1)(k-1)"
            )
    return dict(
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        f=f,
        df1=np.full(6, df1),
        df2=df2,
        p_value=p,
        notes=notes,
        method=np.array(["anova"] * 6, dtype=object),
    )


# --------------------------------------------------------------------------------------
# REML for incomplete designs
# --------------------------------------------------------------------------------------


@dataclass
class _RemlResult:
    sigma_s: float  # subject variance
    sigma_r: float  # rater variance (0 for the one-way and mixed models)
    sigma_e: float  # residual variance
    ok: bool
    message: str = ""
    theta: tuple = ()


_MODELS = ("oneway", "random", "mixed")


def _reml_components(y, start=None, models=_MODELS, thorough: bool = True) -> dict[str, _RemlResult]:
    """REML fits of the requested ICC models on the shared engine
    (:func:`kinerja.stats.varcomp.fit_two_way`); ``start``: dict model -> theta (warm
    start of a bootstrap refit) or None (method-1 start)."""
    out = {}
    for model in _MODELS:
        if model not in models:
            out[model] = _RemlResult(np.nan, np.nan, np.nan, False, "not fitted")
            continue
        x0 = None if start is None else start.get(model)
        s_s, s_r, s_e, ok, message, theta = fit_two_way(y, model, x0, thorough=thorough)
        if not np.isfinite(s_e):
            out[model] = _RemlResult(np.nan, np.nan, np.nan, False, message or "REML did not converge", theta)
            continue
        if not ok:
            message = message or "REML did not converge"
        out[model] = _RemlResult(s_s, s_r, s_e, True, message, theta)
    return out


def _icc_from_components(comp: dict[str, _RemlResult], k_mean: float) -> np.ndarray:
    o, r, m = comp["oneway"], comp["random"], comp["mixed"]
    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = o.sigma_s / (o.sigma_s + o.sigma_e)
        icc2 = r.sigma_s / (r.sigma_s + r.sigma_r + r.sigma_e)
        icc3 = m.sigma_s / (m.sigma_s + m.sigma_e)
        icc1k = o.sigma_s / (o.sigma_s + o.sigma_e / k_mean)
        icc2k = r.sigma_s / (r.sigma_s + (r.sigma_r + r.sigma_e) / k_mean)
        icc3k = m.sigma_s / (m.sigma_s + m.sigma_e / k_mean)
    return np.array([icc1, icc2, icc3, icc1k, icc2k, icc3k], float)


# --------------------------------------------------------------------------------------
# Generalized confidence intervals (designs with missing cells)
# --------------------------------------------------------------------------------------

#: Monte Carlo draws of the generalized pivotal quantities, and their fixed seed (so
#: that icc() is deterministic; limits move by about 0.003 between seeds).
_GCI_DRAWS = 10_000
_GCI_SEED = 20_240_607


@dataclass
class _FittingConstants:
    """Henderson's method-3 ("fitting constants") sums of squares of a subjects x raters
    design with missing cells, and what their distributions need."""

    sse: float  # residual of the additive two-way model: sigma_e^2 chi2(df_e)
    df_e: float
    ss_s: float  # subjects adjusted for raters
    ss_r: float  # raters adjusted for subjects
    ss_b: float  # one-way: between subjects
    ss_w: float  # one-way: within subjects, sigma_w^2 chi2(df_w)
    df_w: float
    inc: np.ndarray  # n x k incidence (1 = rated)
    ki: np.ndarray  # ratings per subject
    nj: np.ndarray  # ratings per rater
    comp_s: np.ndarray  # connected component of each subject
    comp_r: np.ndarray  # ... of each rater


def _fitting_constants(y: np.ndarray) -> _FittingConstants:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    obs = ~np.isnan(y)
    n, k = y.shape
    yz = np.where(obs, y, 0.0)
    inc = obs.astype(float)
    ki, nj = inc.sum(axis=1), inc.sum(axis=0)
    big_n = float(ki.sum())
    yi, yj = yz.sum(axis=1), yz.sum(axis=0)
    yy = float((yz * yz).sum())
    r_s = float((yi**2 / ki).sum())  # R(mu, subjects)
    r_r = float((yj**2 / nj).sum())  # R(mu, raters)
    r_mu = float(yi.sum()) ** 2 / big_n
    # R(mu, subjects, raters): absorb subjects, solve the reduced rater equations
    c_r = np.diag(nj) - inc.T @ (inc / ki[:, None])
    rhs = yj - inc.T @ (yi / ki)
    sol = np.linalg.lstsq(c_r, rhs, rcond=None)[0]
    r_full = r_s + float(sol @ rhs)
    adj = np.zeros((n + k, n + k))
    adj[:n, n:] = inc
    n_comp, labels = connected_components(csr_matrix(adj), directed=False)
    tol = 1e-12 * max(yy, 1e-300)

    def clip(v):
        return 0.0 if v <= tol else v

    return _FittingConstants(
        sse=clip(yy - r_full),
        df_e=big_n - n - k + n_comp,
        ss_s=clip(r_full - r_r),
        ss_r=clip(r_full - r_s),
        ss_b=clip(r_s - r_mu),
        ss_w=clip(yy - r_s),
        df_w=big_n - n,
        inc=inc,
        ki=ki,
        nj=nj,
        comp_s=labels[:n],
        comp_r=labels[n:],
    )


def _centred_quadratic_forms(w: np.ndarray, w2sum: np.ndarray, wsum: np.ndarray, comp: np.ndarray) -> np.ndarray:
    """Sum of squares of each row of ``w`` after removing its mean within each connected
    component (the null space of the adjusted incidence matrix); ``w2sum``, ``wsum``:
    row sums of ``w**2`` and ``w``."""
    labels, sizes = np.unique(comp, return_counts=True)
    if len(labels) == 1:
        return w2sum - wsum**2 / w.shape[1]
    ind = (comp[:, None] == labels[None, :]).astype(np.float64)
    return w2sum - ((w @ ind) ** 2 / sizes).sum(axis=1)


def _gci_draws(fc: _FittingConstants, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of the generalized pivotal quantities of the variance components.

    Returns the stacked draws (5, draws) of (sigma_s^2, sigma_r^2, sigma_e^2) of the
    two-way model and (sigma_b^2, sigma_w^2) of the one-way model, truncated at 0.
    """
    n, k = fc.inc.shape
    inc, ki, nj = fc.inc, fc.ki, fc.nj
    # residual variances: exact chi-square pivots (none without residual df)
    s_e = fc.sse / rng.chisquare(fc.df_e, draws) if fc.df_e >= 1 else np.full(draws, np.nan)
    s_w = fc.ss_w / rng.chisquare(fc.df_w, draws) if fc.df_w > 0 else np.full(draws, np.nan)
    # subjects | raters: SS = sum_i (s_e + lambda_i s_s) z_i^2 with lambda the nonzero
    # eigenvalues of D_k - M D_n^-1 M'; for w ~ N(0, I_n) the quadratic form
    # w' (D_k - M D_n^-1 M') w has exactly that distribution (likewise for the others)
    # normals drawn in float32 (twice as fast; their rounding, 1e-7, is far below the
    # Monte Carlo error of the limits, 1e-3), arithmetic in float64
    w = rng.standard_normal((draws, n), dtype=np.float32).astype(np.float64)
    w2 = w * w
    w2sum = w2.sum(axis=1)
    wsum = w.sum(axis=1)
    w2k = w2 @ ki
    winc = w @ inc
    q0 = _centred_quadratic_forms(w, w2sum, wsum, fc.comp_s)
    q1 = w2k - winc**2 @ (1.0 / nj)
    v = rng.standard_normal((draws, k), dtype=np.float32).astype(np.float64)
    v2 = v * v
    p0 = _centred_quadratic_forms(v, v2.sum(axis=1), v.sum(axis=1), fc.comp_r)
    p1 = v2 @ nj - (v @ inc.T) ** 2 @ (1.0 / ki)
    # one-way between subjects: lambda = eig(D_k - k k' / N), null vector 1
    b0 = w2sum - wsum**2 / n
    b1 = w2k - winc.sum(axis=1) ** 2 / ki.sum()  # w @ ki = row sums of w @ inc
    with np.errstate(divide="ignore", invalid="ignore"):
        s_s = np.maximum((fc.ss_s - s_e * q0) / q1, 0.0)
        s_r = np.maximum((fc.ss_r - s_e * p0) / p1, 0.0)
        s_b = np.maximum((fc.ss_b - s_w * b0) / b1, 0.0)
    return np.stack([s_s, s_r, s_e, s_b, s_w])


def _gci_limits(y: np.ndarray, k_mean: float, ci: float, draws: int = _GCI_DRAWS, seed=_GCI_SEED, fc=None):
    """Generalized confidence limits of the six ICCs (see :func:`icc`, Notes)."""
    fc = _fitting_constants(y) if fc is None else fc
    lo = np.full(6, np.nan)
    hi = np.full(6, np.nan)
    with single_threaded_blas():
        s_s, s_r, s_e, s_b, s_w = _gci_draws(fc, draws, check_rng(seed))
    comp = {
        "oneway": _RemlResult(s_b, 0.0, s_w, True),
        "random": _RemlResult(s_s, s_r, s_e, True),
        "mixed": _RemlResult(s_s, 0.0, s_e, True),
    }
    rho = _icc_from_components(comp, k_mean)
    a = (1.0 - ci) / 2
    for i in range(6):
        r = rho[i]
        ok = np.isfinite(r)
        if ok.sum() >= draws // 2:
            lo[i], hi[i] = np.quantile(r if ok.all() else r[ok], [a, 1 - a])
    return lo, hi, fc


def _reml_table(prep: _Prepared, ci: float | None = None, ci_method: str = "auto") -> dict:
    y = prep.values
    n, k = y.shape
    obs = ~np.isnan(y)
    ki = obs.sum(axis=1)
    k_h = float(len(ki) / (1.0 / ki).sum())
    fc = _fitting_constants(y)
    within = np.nanmax(y, axis=1) - np.nanmin(y, axis=1)
    if (within == 0).all():
        # no within-subject variation at all: every model has zero residual and rater
        # variance, so every form is exactly 1 (REML would only approach it)
        zero = _RemlResult(1.0, 0.0, 0.0, True)
        comp = {m_: zero for m_ in _MODELS}
    else:
        comp = _reml_components(y)
    est = _icc_from_components(comp, k_h)
    notes = [[] for _ in range(6)]
    common = []
    n_single = int((ki == 1).sum())
    if n_single:
        common.append(
            f"{n_single} subject(s) with a single rating kept (they inform the rater and "
            "residual variances, not the subject variance directly)"
        )
    for i in range(6):
        notes[i].extend(common)
    for i in (3, 4, 5):
        notes[i].append(f"k = harmonic mean of ratings per subject = {k_h:.3g}")
    if fc.df_e < 1:
        # the F test and the interval of the two-way forms rest on the residual of the
        # additive subjects + raters model; the REML estimate does not (see Notes)
        reason = (
            f"no F test or CI: the observed cells leave {fc.df_e:.0f} residual degrees of freedom "
            "for subjects + raters (N - n - k + connected groups < 1)"
        )
        for i in (1, 2, 4, 5):
            notes[i].append(reason)
    model_of = ["oneway", "random", "mixed"] * 2
    for i in range(6):
        c = comp[model_of[i]]
        if c.message:
            notes[i].append(c.message)
        elif not np.isfinite(est[i]):
            notes[i].append("all variance components are zero: ICC is 0/0")
        elif c.sigma_s == 0:
            notes[i].append("subject variance estimated at its boundary 0")
    # exact F tests of H0: subject variance 0 (Wald 1940): under H0 the method-3 sums of
    # squares are sigma^2 chi-square whatever the pattern of missing cells
    df_s = float(n - len(np.unique(fc.comp_s)))

    def f_ratio(num, df_num, den, df_den):
        if df_num <= 0 or df_den < 1:
            return np.nan
        if den == 0:
            return np.inf if num > 0 else np.nan
        return (num / df_num) / (den / df_den)

    f1 = f_ratio(fc.ss_b, n - 1, fc.ss_w, fc.df_w)
    f3 = f_ratio(fc.ss_s, df_s, fc.sse, fc.df_e)
    f = np.array([f1, f3, f3, f1, f3, f3])
    df1 = np.array([n - 1, df_s, df_s] * 2, float)
    df2 = np.array([fc.df_w, fc.df_e, fc.df_e] * 2, float)
    with np.errstate(invalid="ignore"):
        p = special.fdtrc(df1, df2, f)
    lo = np.full(6, np.nan)
    hi = np.full(6, np.nan)
    if ci is not None and ci_method in ("auto", "gci", "coverage"):
        lo, hi, _ = _gci_limits(y, k_h, ci, fc=fc)
        lo[~np.isfinite(est)] = np.nan
        hi[~np.isfinite(est)] = np.nan
        for i in range(6):
            if np.isfinite(est[i]) and np.isfinite(lo[i]):
                notes[i].append("CI: generalized confidence interval from method-3 sums of squares")
    elif ci is not None:
        for i in range(6):
            notes[i].append("no F-based CI for an unbalanced design; ci_method='gci' gives one")
    nan6 = np.full(6, np.nan)
    f[~np.isfinite(est)] = np.nan
    p[~np.isfinite(est)] = np.nan
    total = n * k
    method = f"reml (unbalanced: {prep.n_missing} of {total} cells missing)"
    return dict(
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        f=f,
        df1=np.where(np.isfinite(est), df1, nan6),
        df2=np.where(np.isfinite(est), df2, nan6),
        p_value=p,
        notes=notes,
        method=np.array([method] * 6, dtype=object),
    )


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def _n_multi(prep: _Prepared) -> int:
    """Subjects with two or more ratings."""
    if prep.complete:
        return prep.values.shape[0] if prep.values.shape[1] >= 2 else 0
    return int(((~np.isnan(prep.values)).sum(axis=1) >= 2).sum())


def _degenerate_reason(prep: _Prepared) -> str | None:
    n, k = prep.values.shape
    if n == 0 or k == 0:
        return "no ratings"
    if k < 2:
        return "only one rater: an ICC needs at least two raters"
    if n < 2:
        return "only one subject: an ICC needs at least two subjects"
    if prep.spread == 0:
        return "all scores are equal (zero variance): ICC is 0/0"
    if prep.n_missing:
        m = _n_multi(prep)
        if m == 0:
            return "no subject has two or more ratings: within-subject agreement is not identified"
        if m < MIN_MULTI:
            return (
                f"not identified: only {m} subject has two or more ratings, so the subject variance "
                f"cannot be told apart from rater and residual variance (rule: an incomplete design "
                f"needs at least {MIN_MULTI} subjects rated two or more times)"
            )
    return None


def _identification_note(prep: _Prepared) -> str:
    """The 'barely identified' note of the rule in :func:`icc` (incomplete designs)."""
    if prep.complete:
        return ""
    m = _n_multi(prep)
    if MIN_MULTI <= m < FEW_MULTI:
        return barely_identified(
            m,
            "subjects have two or more ratings",
            "the subject variance rests on very few within-subject comparisons, treat the ICC as rough",
        )
    return ""


def _outside_the_scale(table: dict, k: float) -> None:
    """Estimates and limits that no ICC can take, made explicit (in place).

    - An infinite estimate (ICC(1,k) or ICC(3,k) when the subject mean square is 0:
      every subject has the same profile of scores) is NaN with the reason.
    - A mean-of-k form above 1: its single-rater form lies below -1/(k-1), where the
      Spearman-Brown step k r / (1 + (k - 1) r) has its pole (with mean squares that
      far from the model, e.g. raters' mean square below the residual's), so the
      k-rater reliability is undefined: NaN with the reason. pingouin reports the
      number the formula gives (e.g. 6.4).
    - A mean-of-k lower limit past that pole came out above the upper limit: the
      limit is unbounded below (-inf), said so.
    - An interval that does not contain its estimate (a negative ANOVA estimate with a
      generalized interval, whose variance components are truncated at 0) says so.
    """
    est, lo, hi, notes = table["estimate"], table["ci_low"], table["ci_high"], table["notes"]
    pole = -1.0 / (k - 1) if k > 1 else -np.inf
    for i in range(6):
        # a mean-of-k form at or past the pole (to rounding: the same data in another row
        # order must give the same answer, and at the pole the formula divides rounding
        # noise by 0, giving +-inf or +-1e16 as it happens)
        if i >= 3 and np.isfinite(est[i - 3]) and est[i - 3] <= pole + 1e-9:
            at_pole = est[i - 3] > pole - 1e-9
            notes[i].append(
                f"undefined: the single-rater form {est[i - 3]:.3g} is not above -1/(k-1) = {pole:.3g}, the pole of "
                "the Spearman-Brown step to k raters "
                + (
                    "(the step divides by 0 there, as when the subjects' mean scores do not differ at all)"
                    if at_pole
                    else f"(the formula gives {est[i]:.3g}, which no reliability can be)"
                )
            )
            est[i] = lo[i] = hi[i] = np.nan
            continue
        if np.isinf(est[i]):
            est[i] = lo[i] = hi[i] = np.nan
            notes[i].append("no variance between the subjects' mean scores (subject mean square 0): ICC is undefined")
            continue
        if i < 3 and est[i] < pole - 1e-9:
            notes[i].append(
                f"below -1/(k-1) = {pole:.3g}, the smallest value the model allows: the scores fit the model badly "
                "(e.g. the raters' mean square is below the residual's); read it as no agreement"
            )
        if np.isfinite(est[i]) and np.isfinite(lo[i]) and abs(hi[i] - lo[i]) <= 1e-12:
            notes[i].append(
                "the interval has zero width: "
                + (
                    "the subjects' scores vary by nothing but the subject effect (F is infinite)"
                    if abs(lo[i] - 1) <= 1e-12
                    else "the subject mean square is 0 (every subject has the same profile of scores: F = 0)"
                )
            )
        if np.isfinite(lo[i]) and np.isfinite(hi[i]) and lo[i] > hi[i] + 1e-12:
            lo[i] = -np.inf
            notes[i].append(
                "CI lower limit unbounded (-inf): the single-rater lower limit lies below -1/(k-1), the pole of the "
                "Spearman-Brown step to k raters"
            )
        if (
            np.isfinite(est[i])
            and np.isfinite(lo[i])
            and np.isfinite(hi[i])
            and not (lo[i] - 1e-9 <= est[i] <= hi[i] + 1e-9)
        ):
            notes[i].append(
                "the estimate is below 0 and the generalized interval, built on variance components truncated at 0, "
                "starts at 0: it does not contain the estimate (the subjects differ less than chance alone would "
                "make them; read the ICC as 0)"
                if est[i] < lo[i]
                else "the interval does not contain the estimate"
            )


def _frame(prep: _Prepared, table: dict, ci: float | None) -> pd.DataFrame:
    n, k = prep.values.shape
    _outside_the_scale(table, float(k))
    ident = _identification_note(prep)
    notes = ["; ".join([*prep.notes, *table["notes"][i], *([ident] if ident else [])]) for i in range(6)]
    nan6 = np.full(6, np.nan)
    return result_frame(
        {
            "statistic": _SF_NAMES,
            "estimate": table["estimate"],
            "se": nan6,
            "ci_low": table["ci_low"],
            "ci_high": table["ci_high"],
            "ci_level": np.full(6, np.nan if ci is None else ci),
            "p_value": table["p_value"],
            "n_subjects": np.full(6, n, dtype=np.int64),
            "n_raters": np.full(6, k, dtype=np.int64),
            "method": table["method"],
            "note": notes,
            "mcgraw_wong": _MW_NAMES,
            "description": _DESCRIPTIONS,
            "f": table["f"],
            "df1": table["df1"],
            "df2": table["df2"],
        },
        ICC_EXTRAS,
    )


@agreement_api(legacy_positional=("subject", "rater", "value", "ci", "agreement_df2"))
def icc(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    ci: float | None = 0.95,
    agreement_df2: str = "exact",
    ci_method: str = "auto",
) -> pd.DataFrame:
    r"""Intraclass correlations: the six Shrout & Fleiss (1979) forms.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per (subject, rater) rating. A missing score (NaN) is a
        missing cell. A duplicated (subject, rater) pair is an error.
    subject, rater, value : str
        Column names of the rated unit (agency), the rater (juror) and the score.
    ci : float or None
        Confidence level of the interval (default 0.95); None skips the intervals.
    agreement_df2 : {"exact", "satterthwaite"}
        Denominator df of the F test of the absolute-agreement forms ICC(2,1) and
        ICC(2,k) (see Notes). "exact" (default) reports :math:`(n-1)(k-1)`, as psych,
        pingouin and SPSS do; "satterthwaite" reproduces R ``irr::icc``.
    ci_method : {"auto", "f", "gci", "coverage"}
        How the interval is formed (keyword only). "auto" (default): the F-based
        intervals of McGraw & Wong (1996) for complete data, as published software
        (psych, irr, pingouin, SPSS) reports them, and the generalized confidence
        interval (GCI) with missing cells. "coverage": as "auto", except that ICC(2,1)
        and ICC(2,k) get the GCI for complete data too: their F interval is an
        approximation that covers as little as 88% when the raters differ a lot in
        leniency (Notes), while the one-way and consistency F intervals are exact. The
        kinerja reports use "coverage". "gci": the GCI for every form. "f": F-based
        only (NaN with missing cells).

    Returns
    -------
    DataFrame
        Six rows, ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), ICC(2,k), ICC(3,k), with
        the contract's columns (:mod:`kinerja.agreement`) and then its own:

        - ``statistic``: Shrout & Fleiss name.
        - ``estimate``, ``ci_low``, ``ci_high``, ``ci_level``: the ICC and its
          ``ci`` interval (``ci_level`` NaN when ``ci=None``); ``se`` is NaN (the
          interval is not a Wald interval).
        - ``p_value``: F test of H0: ICC = 0 (one-sided).
        - ``n_subjects``, ``n_raters``: subjects and raters used.
        - ``method``: ``"anova"`` for complete data, ``"reml (unbalanced: m of N cells
          missing)"`` otherwise.
        - ``note``: why a value is NaN, what was dropped, and choices that apply.
        - ``mcgraw_wong``: McGraw & Wong (1996) name (ICC(1), ICC(A,1), ICC(C,1),
          ICC(k), ICC(A,k), ICC(C,k)); ``description``: model, definition and unit.
        - ``f``, ``df1``, ``df2``: the F statistic of the test and its df.

    Notes
    -----
    **Complete data.** With :math:`n` subjects, :math:`k` raters and the two-way ANOVA
    mean squares for subjects (MSR), raters (MSC), residual (MSE) and within subjects
    (MSW = pooled MSC and MSE),

    .. math::

        ICC(1,1) &= \frac{MSR - MSW}{MSR + (k-1) MSW}, \qquad
        ICC(1,k) = \frac{MSR - MSW}{MSR} \\
        ICC(2,1) &= \frac{MSR - MSE}{MSR + (k-1) MSE + k (MSC - MSE) / n}, \qquad
        ICC(2,k) = \frac{MSR - MSE}{MSR + (MSC - MSE) / n} \\
        ICC(3,1) &= \frac{MSR - MSE}{MSR + (k-1) MSE}, \qquad
        ICC(3,k) = \frac{MSR - MSE}{MSR}

    Estimates are not truncated at 0. F tests: :math:`F = MSR/MSW` on
    :math:`(n-1, n(k-1))` df for the one-way forms and :math:`F = MSR/MSE` on
    :math:`(n-1, (n-1)(k-1))` df for the two-way forms. Confidence intervals follow
    McGraw & Wong (1996, Table 7): exact F intervals for the one-way and consistency
    forms, and for absolute agreement the approximate interval with Satterthwaite df

    .. math::

        v = \frac{(a\,MSC + b\,MSE)^2}{(a\,MSC)^2/(k-1) + (b\,MSE)^2/((n-1)(k-1))},
        \quad a = \frac{k\hat\rho}{n(1-\hat\rho)},\;
        b = 1 + \frac{k\hat\rho(n-1)}{n(1-\hat\rho)};

    ICC(2,k) limits are the Spearman-Brown transforms of the ICC(2,1) limits. These
    reproduce R ``psych::ICC`` and ``irr::icc`` and Shrout & Fleiss (1979).

    **Contested choice: the df of the absolute-agreement F test.** Under H0:
    ICC(A,1) = 0 the subject variance is zero, and then :math:`MSR/MSE` has an exact
    :math:`F(n-1, (n-1)(k-1))` distribution whatever the rater variance; this is also
    McGraw & Wong's Table 8 test at :math:`\rho_0 = 0` (where their :math:`a = 0`,
    :math:`b = 1`). We report this exact df by default; it matches psych, pingouin and
    SPSS. R ``irr::icc`` instead plugs the *estimate* :math:`\hat\rho` into the
    Satterthwaite :math:`v` above (39.75 instead of 38 on the irr ``anxiety`` data,
    p = 0.0543 vs 0.0562); its only advantage is that the test then agrees exactly with
    the lower CI limit. ``agreement_df2="satterthwaite"`` reproduces irr.

    **Missing cells (unbalanced designs).** Nothing is listwise-deleted. The variance
    components of the one-way model (ICC(1,·)), the two-way random model
    (ICC(2,·): subject, rater and residual variances) and the two-way mixed model with
    fixed rater effects (ICC(3,·)) are estimated by REML from every observed rating
    (:func:`kinerja.stats.varcomp.fit_reml`'s engine), and

    .. math::

        ICC(2,1) = \frac{\sigma^2_s}{\sigma^2_s + \sigma^2_r + \sigma^2_e}, \quad
        ICC(3,1) = \frac{\sigma^2_s}{\sigma^2_s + \sigma^2_e}, \quad
        ICC(\cdot,k) = \frac{\sigma^2_s}{\sigma^2_s + \sigma^2_{err}/k},

    with :math:`k` the harmonic mean of the number of ratings per subject: ICC(·,k) is
    the reliability of a subject's mean of *its observed* ratings. For complete data
    REML equals the ANOVA estimators whenever those are non-negative; REML variances
    cannot be negative, so an ICC is then at least 0. Subjects with one rating are kept
    (they inform rater and residual variance); subjects or raters with no rating are
    dropped and named in ``note``.

    *Tests.* Henderson's method-3 ("fitting constants") sums of squares keep exact
    distributions whatever cells are missing (Wald 1940): the residual of the additive
    model is :math:`\sigma^2_e\chi^2_{N-n-k+c}`, and subjects adjusted for raters,
    :math:`SS_{S|R} = \sum_i (\sigma^2_e + \lambda_i\sigma^2_s) z_i^2` with
    :math:`\lambda_i` the non-zero eigenvalues of :math:`Z_s'(I - P_{1,R})Z_s`. Under
    :math:`H_0: \sigma^2_s = 0` the ratio of their mean squares is exactly
    :math:`F(n-c, N-n-k+c)` (ICC(2,·), ICC(3,·)); the one-way between/within ratio is
    exactly :math:`F(n-1, N-n)` (ICC(1,·)). For complete data these are the classic
    F tests. (:math:`N` ratings, :math:`c` connected groups of subjects and raters.)
    When the additive model has no residual degree of freedom
    (:math:`N - n - k + c < 1`), ICC(2,·) and ICC(3,·) keep their REML estimates but get
    no F test and no interval (stated in ``note``).

    *Intervals.* With missing cells the interval is a generalized confidence interval
    (Weerahandi 1993): each variance component is written as a generalized pivotal
    quantity from the method-3 sums of squares, e.g.
    :math:`\sigma^{2*}_e = SSE/U`, :math:`\sigma^{2*}_s = (SS_{S|R} -
    \sigma^{2*}_e \sum z_i^2) / \sum\lambda_i z_i^2` (and likewise raters adjusted for
    subjects), truncated at 0, with fresh :math:`U \sim \chi^2`, :math:`z \sim N(0, I)`;
    the 2.5% and 97.5% quantiles of the resulting ICC over 10,000 draws are the limits.
    The raters' sum of squares enters ICC(2,·), so **the interval treats the raters as
    a sample too**, unlike a bootstrap over subjects. For balanced data this is the
    known GCI of the two-way model, and for ICC(1,·) and ICC(3,·) it reproduces the
    exact F intervals (up to Monte Carlo error) wherever the F interval's lower limit
    is at least 0 (the GCI's components are truncated at 0, so its lower limit is
    never below 0, and a negative estimate then lies outside it: ``note`` says so);
    the draws use a fixed seed, so the result is deterministic (limits move by about
    0.003 between seeds).

    *Coverage in simulation* (benchmarks/coverage_icc.py, run of 2026-11-30, table in
    benchmarks/README.md): 1,000 seeded replicates per cell (Monte Carlo SE 0.007) of
    n = 20, 40, 60 subjects x k = 3, 5, 10 raters x 0, 10, 25% of cells missing
    completely at random x four variance settings (population ICC(2,1) 0.2, 0.5 with
    rater variance a quarter or half the subject variance, 0.8), subjects and raters
    drawn anew each time; nominal 0.95:

    - GCI, ICC(2,1) and ICC(2,k): 0.938-0.975 in all 108 cells; ICC(3,1): 0.930-0.970.
    - F interval of complete data, ICC(2,1) (McGraw & Wong's approximation, the "auto"
      default): 0.936-0.967 in three settings but **0.879-0.947 (mean 0.918) when the
      rater variance is half the subject variance**; ICC(3,1) (exact): 0.934-0.968.
      Hence ``ci_method="coverage"``.
    - Subject bootstrap of ICC(2,1) (:func:`icc_bootstrap`, complete data):
      0.643-0.911; it holds the raters fixed.

    **Degenerate designs** (one rater, one subject, all scores equal, no subject with
    two ratings) give NaN estimates with the reason in ``note``, never an error; so do
    the forms no reliability can take: an infinite ICC(1,k) or ICC(3,k) (every subject
    with the same profile of scores) and a mean-of-k form beyond the Spearman-Brown
    pole (single-rater form below -1/(k-1), where the formula gives values above 1; a
    lower limit past that pole is -inf).

    **Identification rule for incomplete designs.** With missing cells the subject
    variance is told apart from the rater and residual variances only through the
    subjects that have two or more ratings. The ICCs are NaN (reason in ``note``)
    when fewer than 2 subjects have two or more ratings: with one such subject, as in
    an 8 x 4 design in which a single subject is rated twice, REML returns some number,
    but it rests on a single within-subject difference. With 2
    to 4 such subjects the ICCs are reported with a ``note`` that they are barely
    identified. Complete designs need no such rule: their F intervals are exact under
    the model and simply widen as the number of subjects shrinks.

    References
    ----------
    .. [1] Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in
       assessing rater reliability. Psychological Bulletin, 86(2), 420-428.
    .. [2] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some
       intraclass correlation coefficients. Psychological Methods, 1(1), 30-46.
    .. [3] Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear
       mixed-effects models using lme4. Journal of Statistical Software, 67(1).
    .. [4] Wald, A. (1940). A note on the analysis of variance with unequal class
       frequencies. Annals of Mathematical Statistics, 11(1), 96-100.
    .. [5] Weerahandi, S. (1993). Generalized confidence intervals. Journal of the
       American Statistical Association, 88(423), 899-905.
    .. [6] Searle, S. R., Casella, G., & McCulloch, C. E. (1992). Variance Components.
       New York: Wiley (ch. 5: Henderson's method 3).

    Examples
    --------
    Shrout & Fleiss (1979), 6 targets rated by 4 judges:

    >>> import pandas as pd
    >>> wide = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
    ...                      "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
    >>> long = wide.rename_axis("subject_id").reset_index().melt(
    ...     "subject_id", var_name="juror_id", value_name="score")
    >>> res = icc(long)
    >>> res[["statistic", "mcgraw_wong", "estimate", "ci_low", "ci_high"]].round(2)
      statistic mcgraw_wong  estimate  ci_low  ci_high
    0  ICC(1,1)      ICC(1)      0.17   -0.13     0.72
    1  ICC(2,1)    ICC(A,1)      0.29    0.02     0.76
    2  ICC(3,1)    ICC(C,1)      0.71    0.34     0.95
    3  ICC(1,k)      ICC(k)      0.44   -0.88     0.91
    4  ICC(2,k)    ICC(A,k)      0.62    0.07     0.93
    5  ICC(3,k)    ICC(C,k)      0.91    0.68     0.99
    >>> res.loc[1, ["f", "df1", "df2", "p_value"]].astype(float).round(5).tolist()
    [11.02725, 5.0, 15.0, 0.00013]
    >>> res.loc[1, "method"]
    'anova'
    """
    if agreement_df2 not in ("exact", "satterthwaite"):
        raise AgreementInputError(f"agreement_df2 must be 'exact' or 'satterthwaite', got {agreement_df2!r}")
    if ci_method not in ("auto", "f", "gci", "coverage"):
        raise AgreementInputError(f"ci_method must be 'auto', 'f', 'gci' or 'coverage', got {ci_method!r}")
    ci = _check_ci(ci)
    prep = _prepare(data, subject, rater, value)
    reason = _degenerate_reason(prep)
    if reason is not None:
        nan6 = np.full(6, np.nan)
        table = dict(
            estimate=nan6,
            ci_low=nan6,
            ci_high=nan6,
            f=nan6,
            df1=nan6,
            df2=nan6,
            p_value=nan6,
            notes=[[reason] for _ in range(6)],
            method=np.array(["anova" if prep.complete else "reml"] * 6, dtype=object),
        )
        return _frame(prep, table, ci)
    if prep.complete:
        table = _anova_table(prep.values, ci, agreement_df2)
        if ci is not None and ci_method in ("gci", "coverage"):
            lo, hi, _ = _gci_limits(prep.values, float(prep.values.shape[1]), ci)
            # "coverage": the GCI only where the F interval is an approximation, the
            # absolute-agreement forms ICC(2,1) and ICC(2,k) (rows 1 and 4)
            rows = range(6) if ci_method == "gci" else (1, 4)
            for i in rows:
                defined = np.isfinite(table["estimate"][i])
                table["ci_low"][i], table["ci_high"][i] = (lo[i], hi[i]) if defined else (np.nan, np.nan)
                table["notes"][i] = [n_ for n_ in table["notes"][i] if not n_.startswith("F-based CI")]
                table["notes"][i].append(
                    "CI: generalized confidence interval (ci_method='gci')"
                    if ci_method == "gci"
                    else "CI: generalized confidence interval, which treats the raters as a sample too "
                    "(the F approximation covers too rarely when raters differ in leniency)"
                )
    else:
        table = _reml_table(prep, ci, ci_method)
    return _frame(prep, table, ci)


# --------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------


@agreement_api(legacy_positional=("subject", "rater", "value", "types", "n_boot", "seed", "ci", "ci_method"))
def icc_bootstrap(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    types=("ICC(2,1)",),
    n_boot: int = 2000,
    seed=None,
    ci: float = 0.95,
    ci_method: str = "bca",
) -> pd.DataFrame:
    r"""Bootstrap confidence intervals for ICCs by resampling subjects.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per (subject, rater) rating (see :func:`icc`).
    subject, rater, value : str
        Column names.
    types : str or sequence of str
        ICC forms, by Shrout & Fleiss name ("ICC(2,1)"), McGraw & Wong name
        ("ICC(A,1)") or pingouin name ("ICC2").
    n_boot : int
        Number of resamples (default 2000).
    seed : int, Generator or None
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same result.
    ci : float
        Confidence level.
    ci_method : {"bca", "percentile"}
        Bias-corrected and accelerated (default; the acceleration comes from the
        subject jackknife) or plain percentile interval.

    Returns
    -------
    DataFrame
        One row per requested type, with the contract's columns (``statistic`` = the
        Shrout & Fleiss name; ``estimate`` as from :func:`icc`; ``se`` = standard
        deviation of the resampled estimates; ``p_value`` NaN) and then
        ``mcgraw_wong, description, n_boot, n_boot_valid`` (resamples drawn and
        resamples with a defined ICC).

    Notes
    -----
    Subjects (agencies) are the sampling units: each resample draws :math:`n` subjects
    with replacement, keeping all their ratings and the same raters (a subject drawn
    twice counts as two subjects). Raters are held fixed, so the interval reflects
    sampling of subjects only - for ICC(2,·) it does not propagate uncertainty from
    having a sample of raters, unlike the F-based interval of :func:`icc`.

    Complete data: the mean squares of all resamples are computed at once from
    per-subject sums (a (n_boot, n) count matrix times the n x k ratings), so 2,000
    resamples of 30 x 5 take a few milliseconds. Incomplete data: each resample is
    refitted by REML on the shared engine (:mod:`kinerja.stats.varcomp`), warm-started
    at the full-data estimate, with the analytic gradient (about 1-3 ms per resample
    of 30 x 10).

    BCa (Efron, 1987) corrects the percentile interval for median bias and skewness.
    Coverage in simulation of the population ICC(2,1) (benchmarks/coverage_icc.py, 1,000
    replicates per cell, complete data, n = 20-60 subjects, k = 3-10 raters, raters
    drawn anew; nominal 0.95): BCa 0.643-0.911, worst with few raters who differ much
    (issue 7 measured 0.877 over 4,300 datasets of 30 x 5). The population ICC(2,1) is
    defined over raters too, so an interval that holds them fixed is too short: for an
    interval about that population value use :func:`icc` with
    ``ci_method="coverage"`` (the generalized CI, 0.938-0.975 in the same study; see
    its Notes). This bootstrap answers the
    narrower question "how would the ICC vary over other subjects rated by these same
    raters". Resamples whose ICC is undefined (0/0) are dropped and counted in
    ``n_boot_valid``.

    References
    ----------
    .. [1] Efron, B. (1987). Better bootstrap confidence intervals. Journal of the
       American Statistical Association, 82(397), 171-185.
    .. [2] McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some
       intraclass correlation coefficients. Psychological Methods, 1(1), 30-46.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> true = rng.normal(size=30)
    >>> long = pd.DataFrame({"subject_id": np.repeat(np.arange(30), 5),
    ...                      "juror_id": np.tile(list("abcde"), 30),
    ...                      "score": np.repeat(true, 5) + rng.normal(size=150)})
    >>> res = icc_bootstrap(long, types=["ICC(2,1)", "ICC(3,k)"], seed=7)
    >>> res[["statistic", "estimate", "ci_low", "ci_high"]].round(2)
      statistic  estimate  ci_low  ci_high
    0  ICC(2,1)      0.46    0.24     0.70
    1  ICC(3,k)      0.82    0.63     0.93
    """
    rows = _resolve_types(types)
    ci = _check_ci(ci)
    if ci is None:
        raise AgreementInputError("icc_bootstrap needs a confidence level ci in (0, 1)")
    if ci_method not in ("bca", "percentile"):
        raise AgreementInputError(f"ci_method must be 'bca' or 'percentile', got {ci_method!r}")
    n_boot = int(n_boot)
    if n_boot < 2:
        raise AgreementInputError(f"n_boot must be at least 2, got {n_boot}")
    rng = check_rng(seed)
    prep = _prepare(data, subject, rater, value)
    n, k = prep.values.shape
    point = icc(data, subject, rater, value, ci=None)
    est = point["estimate"].to_numpy()
    reason = _degenerate_reason(prep)
    boot = np.full((6, n_boot), np.nan)
    jack = np.full((6, max(n, 1)), np.nan)
    if reason is None and prep.complete:
        yc = prep.values - prep.values.mean()
        chunk = max(1, int(4_000_000 // max(n * k, 1)))
        for start in range(0, n_boot, chunk):
            w = resample_counts(rng, min(chunk, n_boot - start), n)
            msr, msc, mse, msw, n_eff = _weighted_mean_squares(yc, w)
            boot[:, start : start + w.shape[0]] = _icc_from_ms(msr, msc, mse, msw, n_eff, k)
        if ci_method == "bca":
            w = 1.0 - np.eye(n)
            msr, msc, mse, msw, n_eff = _weighted_mean_squares(yc, w)
            jack = _icc_from_ms(msr, msc, mse, msw, n_eff, k)
        method = f"subject bootstrap ({ci_method}), anova per resample"
    elif reason is None:
        y = prep.values
        ki = (~np.isnan(y)).sum(axis=1)
        models = {_MODELS[r % 3] for r in rows}
        full = _reml_components(y, models=models)
        start = {m_: np.asarray(full[m_].theta) for m_ in _MODELS if full[m_].ok}

        def _fit(idx):
            # a subject drawn twice is two subjects: the rows are repeated
            if not (ki[idx] >= 2).any():
                return np.full(6, np.nan)
            sub = y[idx]
            keep_r = ~np.isnan(sub).all(axis=0)
            sub = sub[:, keep_r]
            if sub.shape[1] < 2:
                return np.full(6, np.nan)
            k_h = len(idx) / (1.0 / ki[idx]).sum()
            return _icc_from_components(_reml_components(sub, start, models, thorough=False), k_h)

        counts = resample_counts(rng, n_boot, n)
        for b in range(n_boot):
            boot[:, b] = _fit(np.repeat(np.arange(n), counts[b].astype(np.int64)))
        if ci_method == "bca":
            jack = np.column_stack([_fit(np.delete(np.arange(n), i)) for i in range(n)])
        method = f"subject bootstrap ({ci_method}), reml per resample"
    else:
        method = "subject bootstrap"
    boot = boot[rows]
    jack = jack[rows]
    est_sel = est[rows]
    lo, hi = bootstrap_intervals(boot, est_sel, jack, ci, ci_method)
    valid = np.isfinite(boot).sum(axis=1)
    se = np.full(len(rows), np.nan)
    for t in range(len(rows)):
        if valid[t] > 1:
            se[t] = np.std(boot[t][np.isfinite(boot[t])], ddof=1)
    notes = []
    for t, _r in enumerate(rows):
        parts = list(prep.notes)
        if reason is not None:
            parts.append(reason)
        elif valid[t] < n_boot:
            parts.append(f"{n_boot - valid[t]} of {n_boot} resamples gave an undefined ICC and were dropped")
        if reason is None and not prep.complete:
            parts.append(f"unbalanced: {prep.n_missing} of {n * k} cells missing")
        if reason is None:
            parts.append(_identification_note(prep))
            parts.append(zero_width_note(lo[t], hi[t]))
        notes.append("; ".join(p_ for p_ in parts if p_))
    return result_frame(
        {
            "statistic": [_FORMS[r][0] for r in rows],
            "estimate": est_sel,
            "se": se,
            "ci_low": lo,
            "ci_high": hi,
            "ci_level": np.full(len(rows), ci),
            "p_value": np.full(len(rows), np.nan),
            "n_subjects": np.full(len(rows), n, dtype=np.int64),
            "n_raters": np.full(len(rows), k, dtype=np.int64),
            "method": [method] * len(rows),
            "note": notes,
            "mcgraw_wong": [_FORMS[r][1] for r in rows],
            "description": [_FORMS[r][2] for r in rows],
            "n_boot": np.full(len(rows), n_boot, dtype=np.int64),
            "n_boot_valid": valid.astype(np.int64),
        },
        BOOT_EXTRAS,
    )
