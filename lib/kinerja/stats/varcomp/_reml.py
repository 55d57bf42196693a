r"""REML fits of linear mixed models with crossed and nested random intercepts.

:func:`fit_reml` is the one REML of kinerja: the ICCs with missing cells, the juror
effects, the G-study components and the category comparison adjusted for jurors and
units all fit their variance components here. The numerical work (profiled deviance,
analytic gradient, the absorbed largest term) is in :mod:`._core`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .._dist import chi2_ppf, chi2_sf
from . import _core
from ._anova import VarCompInputError  # one error class for every variance-components fit

__all__ = ["VarCompFit", "VarCompInputError", "fit_reml", "fit_two_way"]

_COMPONENT_COLUMNS = ["component", "variance", "sd", "n_levels", "share", "se", "ci_low", "ci_high", "note"]
_FIXED_COLUMNS = ["term", "level", "estimate", "se", "ci_low", "ci_high", "z", "p_value", "note"]
_WALD_COLUMNS = ["term", "df", "chi2", "p_value", "note"]
#: A relative SD below this (sigma_t < 1e-6 sigma) is a component at its boundary 0.
_BOUNDARY = 1e-6


# --------------------------------------------------------------------------------------
# Terms and coding
# --------------------------------------------------------------------------------------


def _as_term(term) -> tuple[str, ...]:
    if isinstance(term, str):
        return (term,)
    if isinstance(term, Sequence) and term and all(isinstance(c, str) for c in term):
        return tuple(term)
    raise VarCompInputError(
        f"a random term is a column name or a tuple of column names (an interaction such as "
        f"('juror_id', 'subject_id')); got {term!r}"
    )


def _label(term: tuple[str, ...]) -> str:
    return ":".join(term)


@dataclass
class _Term:
    columns: tuple[str, ...]
    codes: np.ndarray  # level of each used row
    levels: pd.DataFrame  # one row per level: the values of the term's columns
    n_per_level: np.ndarray
    dropped: str = ""  # why the term was left out of the fit ("" = fitted)

    @property
    def label(self) -> str:
        return _label(self.columns)

    @property
    def n_levels(self) -> int:
        return len(self.levels)


def _factor_codes(df: pd.DataFrame, cols: tuple[str, ...], uniques: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer codes of the level combinations of ``cols`` (sorted), and the levels."""
    combined = None
    for c in cols:
        codes, uniq = uniques[c]
        combined = codes.astype(np.int64) if combined is None else combined * len(uniq) + codes
    levels_code, inverse = np.unique(combined, return_inverse=True)
    parts = {}
    rest = levels_code
    for c in reversed(cols):
        n_c = len(uniques[c][1])
        parts[c] = rest % n_c
        rest = rest // n_c
    levels = pd.DataFrame({c: uniques[c][1].take(parts[c]) for c in cols})
    return inverse.astype(np.int64), levels


def _same_partition(a: np.ndarray, b: np.ndarray, na: int, nb: int) -> bool:
    if na != nb:
        return False
    pairs = np.unique(a * nb + b)
    return len(pairs) == na


# --------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------


@dataclass
class VarCompFit:
    r"""A REML fit (see :func:`fit_reml`); the tables are computed on first access.

    Attributes
    ----------
    components : DataFrame
        ``component, variance, sd, n_levels, share, se, ci_low, ci_high, note``: one row
        per random term in the order given (label ``":".join(term)``), then
        ``residual``. ``share`` = variance / sum of all variances. ``se`` is the
        asymptotic standard error (inverse observed REML information) and
        ``ci_low, ci_high`` the Satterthwaite interval (see :func:`fit_reml`, Notes).
    fixed_effects : DataFrame
        ``term, level, estimate, se, ci_low, ci_high, z, p_value, note``: the intercept
        (term ``(Intercept)``), then each fixed factor's treatment contrasts against its
        first level in sorted order.
    wald : DataFrame
        ``term, df, chi2, p_value, note``: joint Wald test that all contrasts of a fixed
        factor are 0.
    loglik : float
        REML log-likelihood at the estimates (the same constant as lme4 and statsmodels).
    converged : bool
    method : str
        ``"reml"``.
    note : str
        Boundary estimates, terms left out, dropped rows, aliased fixed effects,
        convergence: everything a reader must know, ``"; "``-separated.
    n_obs : int
        Rows used.
    """

    response: str
    terms: list[_Term]
    fixed: list[str]
    n_obs: int
    ci: float | None
    loglik: float
    converged: bool
    method: str
    notes: list[str]
    # internals (scaled units: y_s = (y - centre) / scale)
    _core: _core.RemlCore | None = field(repr=False, default=None)
    _sol: _core.Solution | None = field(repr=False, default=None)
    _fitted: list[int] = field(repr=False, default_factory=list)  # term index -> theta index
    _fixed_cols: list[tuple[str, str]] = field(repr=False, default_factory=list)
    _aliased: list[tuple[str, str]] = field(repr=False, default_factory=list)
    _centre: float = 0.0
    _scale: float = 1.0
    _degenerate: str = ""  # non-empty: constant response etc. (see _degenerate_fit)
    _exact_beta: np.ndarray | None = field(repr=False, default=None)

    # ---------------------------------------------------------------- basic quantities
    @property
    def note(self) -> str:
        return "; ".join(dict.fromkeys(n for n in self.notes if n))

    @property
    def deviance(self) -> float:
        """-2 x the REML log-likelihood (lme4's "REML criterion")."""
        return -2.0 * self.loglik

    @functools.cached_property
    def _sigma2_s(self) -> float:
        if self._degenerate:
            return 0.0
        if self._sol is None:
            return np.nan
        return self._sol.r2 / self._core.nu

    @functools.cached_property
    def _variances(self) -> np.ndarray:
        """Variance of each term (NaN for terms left out), then the residual."""
        out = np.full(len(self.terms) + 1, np.nan)
        s2 = self._sigma2_s * self._scale**2
        out[-1] = s2
        for i, t in enumerate(self.terms):
            if self._degenerate and not t.dropped:
                out[i] = 0.0
            elif not t.dropped and self._sol is not None:
                out[i] = self._sol.theta[self._fitted[i]] ** 2 * s2
        return out

    @functools.cached_property
    def _sinv(self) -> np.ndarray:
        with _core.single_threaded_blas(self._core.m <= _core._SINGLE_THREAD_MAX):
            return _core._inverse_from_chol(self._sol.chol)

    # ---------------------------------------------------------------- components
    @functools.cached_property
    def components_cov(self) -> pd.DataFrame:
        """Asymptotic covariance of the variance estimates (inverse observed REML
        information, delta method from log variances). Components at their boundary 0
        and terms left out have NaN rows and columns."""
        labels = [t.label for t in self.terms] + ["residual"]
        cov = np.full((len(labels), len(labels)), np.nan)
        if self._sol is None or self._degenerate or not self.converged:
            return pd.DataFrame(cov, index=labels, columns=labels)
        theta = self._sol.theta
        free = theta > _BOUNDARY
        idx = [i for i, t in enumerate(self.terms) if not t.dropped and theta[self._fitted[i]] > _BOUNDARY]
        v = self._variances
        logv = np.log(np.append(v[[i for i in idx]] / self._scale**2, self._sigma2_s))
        if not np.isfinite(logv).all():
            return pd.DataFrame(cov, index=labels, columns=labels)
        # theta order of the free terms must match idx order
        order = [self._fitted[i] for i in idx]
        free_mask = np.zeros(len(theta), bool)
        free_mask[order] = True
        perm = np.argsort(np.argsort(order))  # position of each idx term among sorted theta
        h = 1e-4
        n = len(logv)

        def grad(x):
            # the core orders free components by theta index; map from idx order
            xs = np.empty_like(x)
            xs[:-1][perm] = x[:-1]
            xs[-1] = x[-1]
            g = self._core.grad_logvar(xs, free_mask, theta)
            out = np.empty_like(g)
            out[:-1] = g[:-1][perm]
            out[-1] = g[-1]
            return out

        del free
        H = np.empty((n, n))
        try:
            with _core.single_threaded_blas(self._core.m <= _core._SINGLE_THREAD_MAX):
                for j in range(n):
                    e = np.zeros(n)
                    e[j] = h
                    H[:, j] = (grad(logv + e) - grad(logv - e)) / (2 * h)
            H = 0.5 * (H + H.T)
            c_log = 2.0 * np.linalg.inv(H)  # deviance = -2 logL: information = H / 2
        except np.linalg.LinAlgError:
            return pd.DataFrame(cov, index=labels, columns=labels)
        if not (np.isfinite(c_log).all() and (np.diag(c_log) > 0).all()):
            return pd.DataFrame(cov, index=labels, columns=labels)
        vv = np.exp(logv) * self._scale**2
        c = c_log * np.outer(vv, vv)
        pos = idx + [len(labels) - 1]
        cov[np.ix_(pos, pos)] = c
        return pd.DataFrame(cov, index=labels, columns=labels)

    @property
    def components_se(self) -> pd.Series:
        """Standard error of each variance component (NaN at the boundary)."""
        return self.components.set_index("component")["se"]

    @functools.cached_property
    def components(self) -> pd.DataFrame:
        v = self._variances
        labels = [t.label for t in self.terms] + ["residual"]
        n_levels = [t.n_levels for t in self.terms] + [self.n_obs]
        notes = [t.dropped for t in self.terms] + [""]
        total = np.nansum(v)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = v / total if total > 0 else np.full_like(v, np.nan)
        se = np.full(len(v), np.nan)
        lo = np.full(len(v), np.nan)
        hi = np.full(len(v), np.nan)
        if self.ci is not None and not self._degenerate and self._sol is not None:
            cov = self.components_cov.to_numpy()
            with np.errstate(invalid="ignore"):
                se = np.sqrt(np.diag(cov))
            ok = np.isfinite(se) & (se > 0) & (v > 0)
            df = np.where(ok, 2.0 * v**2 / np.where(ok, se, 1.0) ** 2, np.nan)
            a = 1.0 - self.ci
            with np.errstate(invalid="ignore"):
                lo = np.where(ok, df * v / chi2_ppf(1 - a / 2, np.where(ok, df, 1.0)), np.nan)
                hi = np.where(ok, df * v / chi2_ppf(a / 2, np.where(ok, df, 1.0)), np.nan)
            for i, t in enumerate(self.terms):
                if not t.dropped and v[i] == 0:
                    notes[i] = "estimated at the boundary 0: no standard error or interval"
                elif not t.dropped and not np.isfinite(se[i]):
                    notes[i] = "standard error not available (information matrix not positive definite)"
        elif self._degenerate:
            notes = [n or self._degenerate for n in notes]
        return pd.DataFrame(
            {
                "component": labels,
                "variance": v,
                "sd": np.sqrt(v),
                "n_levels": np.asarray(n_levels, dtype=np.int64),
                "share": share,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
                "note": notes,
            },
            columns=_COMPONENT_COLUMNS,
        )

    # ---------------------------------------------------------------- fixed effects
    @functools.cached_property
    def _beta(self) -> tuple[np.ndarray, np.ndarray]:
        """Fixed effects on the response scale and their covariance."""
        p = len(self._fixed_cols)
        if self._degenerate:
            return self._exact_beta, np.full((p, p), np.nan)
        if self._sol is None:
            return np.full(p, np.nan), np.full((p, p), np.nan)
        fc = self._core.fixed_cols
        b = self._sol.s_o[fc] * self._scale
        b[0] += self._centre  # the intercept column comes first
        cov = self._sinv[np.ix_(fc, fc)] * self._sigma2_s * self._scale**2
        return b, cov

    @functools.cached_property
    def fixed_effects(self) -> pd.DataFrame:
        b, cov = self._beta
        with np.errstate(invalid="ignore"):
            se = np.sqrt(np.diag(cov)) if len(b) else np.zeros(0)
        ci = 0.95 if self.ci is None else self.ci
        zq = special.ndtri(1 - (1 - ci) / 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = b / se
            p = 2 * special.ndtr(-np.abs(z))
        rows = pd.DataFrame(
            {
                "term": [t for t, _ in self._fixed_cols],
                "level": [lv for _, lv in self._fixed_cols],
                "estimate": b,
                "se": se,
                "ci_low": b - zq * se,
                "ci_high": b + zq * se,
                "z": z,
                "p_value": p,
                "note": "",
            }
        )
        if self._degenerate:
            rows["note"] = self._degenerate
        if self._aliased:
            extra = pd.DataFrame(
                {
                    "term": [t for t, _ in self._aliased],
                    "level": [lv for _, lv in self._aliased],
                    "estimate": np.nan,
                    "se": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "z": np.nan,
                    "p_value": np.nan,
                    "note": "aliased: a combination of the columns before it (not estimable)",
                }
            )
            rows = pd.concat([rows, extra], ignore_index=True)
        return rows[_FIXED_COLUMNS]

    @functools.cached_property
    def wald(self) -> pd.DataFrame:
        b, cov = self._beta
        out = []
        for f in self.fixed:
            idx = [i for i, (t, _) in enumerate(self._fixed_cols) if t == f]
            n_alias = sum(1 for t, _ in self._aliased if t == f)
            note = f"{n_alias} aliased contrast(s) left out" if n_alias else ""
            if not idx:
                out.append((f, 0, np.nan, np.nan, note or "no estimable contrast (one level, or aliased)"))
                continue
            bb = b[idx]
            vv = cov[np.ix_(idx, idx)]
            try:
                chi2 = float(bb @ np.linalg.solve(vv, bb))
                p = float(chi2_sf(chi2, len(idx)))
            except np.linalg.LinAlgError:
                chi2 = p = np.nan
                note = "; ".join(x for x in (note, "covariance of the contrasts is singular") if x)
            if not np.isfinite(chi2):
                chi2 = p = np.nan
            out.append((f, len(idx), chi2, p, note))
        return pd.DataFrame(out, columns=_WALD_COLUMNS).astype({"df": np.int64})

    # ---------------------------------------------------------------- BLUPs
    def _find_term(self, term) -> int:
        for i, t in enumerate(self.terms):
            if isinstance(term, str) and t.label == term:
                return i
        key = _as_term(term)
        for i, t in enumerate(self.terms):
            if t.columns == key or frozenset(t.columns) == frozenset(key):
                return i
        raise VarCompInputError(f"no random term {term!r} in this fit; terms: {[t.label for t in self.terms]}")

    def blups(self, term) -> pd.DataFrame:
        r"""Predicted random effects (BLUPs, lme4's conditional modes) of one term.

        Parameters
        ----------
        term : str or tuple of str
            A random term as given to :func:`fit_reml` (or its label ``"r:t"``).

        Returns
        -------
        DataFrame
            The term's level columns (one row per level, sorted), then ``estimate``,
            ``se``, ``ci_low``, ``ci_high``, ``se_cond``, ``n``.

            - ``se``: square root of the prediction error variance
              :math:`\operatorname{Var}(\hat b - b)` from the inverse of the mixed-model
              equations (Henderson 1975), which includes the uncertainty of the
              estimated fixed effects; ``ci_low, ci_high`` = estimate :math:`\pm z\,` se.
            - ``se_cond``: the conditional SD of :math:`b` given the data with the fixed
              effects taken as known (lme4 ``ranef(condVar = TRUE)``, statsmodels
              ``random_effects_cov``); slightly smaller than ``se``.
            - ``n``: observations of the level.

            Both ignore the uncertainty of the variance components (as lme4 does).
            Terms left out of the fit (see ``note``) give NaN.
        """
        i = self._find_term(term)
        t = self.terms[i]
        out = t.levels.copy()
        est = np.full(t.n_levels, np.nan)
        se = np.full(t.n_levels, np.nan)
        se_c = np.full(t.n_levels, np.nan)
        if self._degenerate and not t.dropped:
            est[:] = 0.0
        elif not t.dropped and self._sol is not None:
            with _core.single_threaded_blas(self._core.m <= _core._SINGLE_THREAD_MAX):
                est, pev, pev_c = self._blup_arrays(self._fitted[i])
            with np.errstate(invalid="ignore"):
                se = np.sqrt(np.maximum(pev, 0.0))
                se_c = np.sqrt(np.maximum(pev_c, 0.0))
        ci = 0.95 if self.ci is None else self.ci
        zq = special.ndtri(1 - (1 - ci) / 2)
        out["estimate"] = est
        out["se"] = se
        out["ci_low"] = est - zq * se
        out["ci_high"] = est + zq * se
        out["se_cond"] = se_c
        out["n"] = t.n_per_level.astype(np.int64)
        return out

    def _blup_arrays(self, th: int):
        core, sol = self._core, self._sol
        theta = sol.theta
        s2 = self._sigma2_s
        scale2 = self._scale**2
        sinv = self._sinv
        fc = core.fixed_cols
        sff = sinv[np.ix_(fc, fc)]
        if th == core.absorbed:
            ta = theta[th]
            est = ta * sol.s_a
            lam = core.lam(theta)
            G = core.G
            T = np.asarray(G @ np.diag(lam)) if not hasattr(G, "tocsr") else (G @ _diag_sparse(lam)).toarray()
            TS = T @ sinv
            quad = np.einsum("ij,ij->i", TS, T)
            d = sol.d_a
            minv = 1.0 / d + ta**2 * quad / d**2
            pev = s2 * ta**2 * minv
            wf = TS[:, fc]
            corr = np.einsum("ij,ij->i", wf, np.linalg.solve(sff, wf.T).T) * ta**2 / d**2
            pev_c = pev - s2 * ta**2 * corr
        else:
            cols = core.cols_of[th]
            tt = theta[th]
            est = tt * sol.s_o[cols]
            pev = s2 * tt**2 * np.diag(sinv)[cols]
            w = sinv[np.ix_(cols, fc)]
            corr = np.einsum("ij,ij->i", w, np.linalg.solve(sff, w.T).T)
            pev_c = pev - s2 * tt**2 * corr
        return est * self._scale, pev * scale2, pev_c * scale2

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        comp = ", ".join(f"{c}={v:.4g}" for c, v in zip([t.label for t in self.terms] + ["residual"], self._variances))
        return (
            f"VarCompFit(response={self.response!r}, n_obs={self.n_obs}, {comp}, "
            f"loglik={self.loglik:.6g}, converged={self.converged})"
        )


def _diag_sparse(v):
    from scipy import sparse

    return sparse.diags(v)


# --------------------------------------------------------------------------------------
# fit_reml
# --------------------------------------------------------------------------------------


def _moment_start(y: np.ndarray, codes: list[np.ndarray], n_levels: list[int]) -> np.ndarray:
    """Starting relative SDs from Henderson's (1953) method 1 (y scaled, residualised).

    Uncorrected sums of squares of every term are matched to their expectations, whose
    coefficients come from the level co-occurrence counts; for balanced data without
    fixed factors this is the ANOVA estimator, i.e. the REML solution when it is
    positive. Negative or unusable estimates start at a small positive value.
    """
    n = len(y)
    T = len(codes)
    if T == 0:
        return np.zeros(0)
    fallback = np.full(T, 0.5)
    counts = [np.bincount(c, minlength=q).astype(float) for c, q in zip(codes, n_levels)]
    sums = [np.bincount(c, weights=y, minlength=q) for c, q in zip(codes, n_levels)]
    t_mu = y.sum() ** 2 / n
    k_mu = np.array([(cn**2).sum() / n for cn in counts])
    A = np.zeros((T + 1, T + 1))
    rhs = np.zeros(T + 1)
    for t in range(T):
        nt = counts[t]
        ok = nt > 0
        rhs[t] = (sums[t][ok] ** 2 / nt[ok]).sum() - t_mu
        for s in range(T):
            if s == t:
                k = float(n)
            else:
                # sum over levels j of t of (sum over levels l of s of n_jl^2) / n_j
                pairs, cnt = np.unique(codes[t] * n_levels[s] + codes[s], return_counts=True)
                per_t = np.bincount(pairs // n_levels[s], weights=cnt.astype(float) ** 2, minlength=n_levels[t])
                k = float((per_t[ok] / nt[ok]).sum())
            A[t, s] = k - k_mu[s]
        A[t, T] = n_levels[t] - 1
    rhs[T] = float(y @ y) - t_mu
    A[T, :T] = n - k_mu
    A[T, T] = n - 1
    try:
        est = np.linalg.solve(A, rhs)
    except np.linalg.LinAlgError:
        return fallback
    if not np.isfinite(est).all() or est[T] <= 0:
        return fallback
    return np.clip(np.sqrt(np.maximum(est[:T], 0.0) / est[T]), 0.05, 100.0)


def _independent_columns(xtx: np.ndarray, tol: float = 1e-9) -> list[int]:
    """Columns of X kept in order, each kept only if it is not a combination of the
    kept ones before it (as R's lm marks aliased coefficients)."""
    kept: list[int] = []
    for j in range(xtx.shape[0]):
        if xtx[j, j] <= 0:
            continue
        if kept:
            a = xtx[np.ix_(kept, kept)]
            bvec = xtx[kept, j]
            resid = xtx[j, j] - bvec @ np.linalg.solve(a, bvec)
        else:
            resid = xtx[j, j]
        if resid > tol * xtx[j, j]:
            kept.append(j)
    return kept


def fit_reml(
    data: pd.DataFrame,
    *,
    response: str,
    random,
    fixed=None,
    weights=None,
    ci: float | None = 0.95,
) -> VarCompFit:
    r"""Fit a linear mixed model with random intercepts by REML.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per observation.
    response : str
        Column of the (numeric) response. Rows where it is missing (NaN) are left out
        and counted in ``note`` (a missing cell of a rating design).
    random : list of terms
        Random-intercept terms. A term is a column name (``"juror_id"``) or a tuple of
        column names, whose levels are the observed combinations: an interaction
        (``("subject_id", "juror_id")``) or a nested factor (raters within tasks,
        ``("rater", "task")``, written ``r:t``). The residual is implicit.
    fixed : list of str, optional
        Categorical columns with fixed effects, treatment-coded against their first
        level in sorted order, after an intercept. None: intercept only.
    weights : str or array-like, optional
        Precision weights (a column name or one value per row): the residual variance
        of a row is :math:`\sigma^2 / w` (as lme4's ``weights``). Rows of weight 0 are
        left out.
    ci : float or None
        Confidence level of the intervals (default 0.95). None skips the standard
        errors of the variance components (faster).

    Returns
    -------
    VarCompFit
        ``components``, ``fixed_effects``, ``wald``, ``blups(term)``, ``loglik``,
        ``converged``, ``method``, ``note`` (see :class:`VarCompFit`).

    Notes
    -----
    **Model.** :math:`y = X\beta + \sum_t Z_t b_t + e`, :math:`b_t \sim N(0,
    \sigma_t^2 I)`, :math:`e \sim N(0, \sigma^2 W^{-1})`, all independent. REML
    maximises the likelihood of the error contrasts (Patterson & Thompson 1971): unlike
    ML, it accounts for the degrees of freedom spent on :math:`\beta`, and for balanced
    designs it reproduces the ANOVA (expected-mean-squares) estimates whenever those are
    non-negative. REML variance estimates are never negative: a component whose ANOVA
    estimate would be negative is estimated at 0 and named in ``note``.

    **Computation.** The profiled REML deviance in the relative standard deviations
    :math:`\theta_t = \sigma_t / \sigma` (Bates et al. 2015, lme4) is minimised over
    :math:`\theta \ge 0` by L-BFGS-B with its analytic gradient. Sufficient statistics
    are computed once; the term with most levels is eliminated analytically (its block
    is diagonal), so one deviance evaluation costs a dense Cholesky factorisation of the
    remaining random levels plus fixed columns. A component that ends at 0 is probed
    at small positive values, since the deviance is flat in :math:`\theta_t` there.

    **Inference.** Fixed effects: Wald z tests and normal intervals from the inverse of
    the mixed-model equations at the REML estimates (no small-sample degrees-of-freedom
    correction such as Kenward-Roger; with few levels of a random term the intervals are
    somewhat narrow). ``wald``: joint :math:`\chi^2` test of each fixed factor. Variance
    components: the standard error is from the observed REML information (numerical
    Hessian of the analytic gradient in log variances, delta method), and the interval
    is Satterthwaite's: with :math:`\nu_t = 2\hat\sigma_t^4/\widehat{\operatorname{Var}}
    (\hat\sigma_t^2)`, :math:`[\nu_t\hat\sigma_t^2/\chi^2_{\nu_t,1-\alpha/2},\,
    \nu_t\hat\sigma_t^2/\chi^2_{\nu_t,\alpha/2}]` (as SAS PROC MIXED ``COVTEST CL``;
    Brennan 2001, sec. 6.2). For balanced data it is the exact :math:`\chi^2` interval
    of the residual variance and the Satterthwaite interval of the ANOVA estimators.
    Components at the boundary 0 get no standard error or interval (their sampling
    distribution is not normal there).

    **Degenerate designs** give a defined result with the reason in ``note``: a random
    term with a single level (confounded with the intercept), a term whose levels are
    each seen once (confounded with the residual), a term with the same grouping as an
    earlier one, or a term confounded with the fixed effects is left out of the fit
    (its variance is NaN); aliased fixed-effect contrasts are NaN; a constant response
    (or one the fixed effects reproduce exactly) has every variance 0; too few rows for
    the fixed effects give NaN everywhere. Rows with a missing factor level or weight,
    or an infinite response, are an error naming the column and the row.

    References
    ----------
    .. [1] Patterson, H. D., & Thompson, R. (1971). Recovery of inter-block information
       when block sizes are unequal. Biometrika, 58(3), 545-554.
    .. [2] Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear
       mixed-effects models using lme4. Journal of Statistical Software, 67(1), 1-48.
    .. [3] Henderson, C. R. (1975). Best linear unbiased estimation and prediction
       under a selection model. Biometrics, 31(2), 423-447.
    .. [4] Satterthwaite, F. E. (1946). An approximate distribution of estimates of
       variance components. Biometrics Bulletin, 2(6), 110-114.
    .. [5] Brennan, R. L. (2001). Generalizability Theory. New York: Springer.

    Examples
    --------
    Brennan's (2001) synthetic data No. 4: persons crossed with raters nested in tasks,
    ``p x (r:t)``, balanced, so REML equals the ANOVA estimates of his Table 3.3:

    >>> import pandas as pd
    >>> from kinerja.paths import PROJ_ROOT
    >>> df = pd.read_csv(PROJ_ROOT / "tests/reference/gtheory_brennan2001/synthetic4_p_x_RT_long.csv")
    >>> fit = fit_reml(df, response="Score",
    ...                random=["Person", "Task", ("Rater", "Task"), ("Person", "Task")])
    >>> fit.components[["component", "variance", "n_levels"]].round(4)
         component  variance  n_levels
    0       Person    0.4731        10
    1         Task    0.3252         3
    2   Rater:Task    0.6475        12
    3  Person:Task    0.5596        30
    4     residual    2.3802       120
    >>> fit.converged, fit.note
    (True, '')

    Rater effects (BLUPs: a positive value is a lenient rater) with their prediction
    standard errors:

    >>> fit.blups(("Rater", "Task")).head(4).round(3)
       Rater  Task  estimate     se  ci_low  ci_high  se_cond   n
    0      1     1     0.640  0.513  -0.366    1.646    0.502  10
    1      2     1    -0.310  0.513  -1.316    0.696    0.502  10
    2      3     1     0.275  0.513  -0.731    1.281    0.502  10
    3      4     1     0.202  0.513  -0.804    1.207    0.502  10
    """
    if not isinstance(data, pd.DataFrame):
        raise VarCompInputError(f"data must be a long-format pandas DataFrame, got {type(data).__name__}")
    if isinstance(random, str | tuple):
        random = [random]
    terms_cols = [_as_term(t) for t in (random or [])]
    seen = {}
    for t in terms_cols:
        key = frozenset(t)
        if key in seen:
            raise VarCompInputError(f"random term {_label(t)!r} is given twice (as {_label(seen[key])!r})")
        if len(set(t)) != len(t):
            raise VarCompInputError(f"random term {_label(t)!r} names a column twice")
        seen[key] = t
    if fixed is None:
        fixed = []
    elif isinstance(fixed, str):
        fixed = [fixed]
    fixed = list(fixed)
    for f in fixed:
        if not isinstance(f, str):
            raise VarCompInputError(f"fixed effects are categorical column names; got {f!r}")
    if len(set(fixed)) != len(fixed):
        raise VarCompInputError(f"a fixed factor is named twice: {fixed}")
    factor_cols = list(dict.fromkeys([c for t in terms_cols for c in t] + fixed))
    needed = [response, *factor_cols] + ([weights] if isinstance(weights, str) else [])
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise VarCompInputError(f"column(s) {absent} not found; the data have columns {list(data.columns)}")
    if response in factor_cols:
        raise VarCompInputError(f"the response {response!r} is also used as a factor")
    notes: list[str] = []

    # ---- response and weights
    raw = data[response]
    y_all = pd.to_numeric(raw, errors="coerce")
    bad = y_all.isna() & raw.notna()
    if bad.any():
        i = data.index[bad.to_numpy()][0]
        raise VarCompInputError(f"column {response!r} must be numeric; row {i!r} holds {raw.loc[i]!r}")
    y_all = y_all.to_numpy(dtype=float)
    if np.isinf(y_all).any():
        i = data.index[np.isinf(y_all)][0]
        raise VarCompInputError(f"column {response!r} holds an infinite value in row {i!r}")
    use = ~np.isnan(y_all)
    if weights is not None:
        w_raw = data[weights] if isinstance(weights, str) else pd.Series(np.asarray(weights), index=data.index)
        if len(w_raw) != len(data):
            raise VarCompInputError(f"weights has {len(w_raw)} values for {len(data)} rows")
        w_all = pd.to_numeric(w_raw, errors="coerce").to_numpy(dtype=float)
        wname = weights if isinstance(weights, str) else "weights"
        badw = ~np.isfinite(w_all) | (w_all < 0)
        if badw.any():
            i = data.index[badw][0]
            raise VarCompInputError(f"{wname!r} must be finite and >= 0; row {i!r} holds {w_raw.loc[i]!r}")
        zero = use & (w_all == 0)
        if zero.any():
            notes.append(f"{int(zero.sum())} row(s) of weight 0 left out")
        use &= w_all > 0
    n_missing = int(np.isnan(y_all).sum())
    if n_missing:
        notes.append(f"{n_missing} row(s) with a missing {response!r} left out")

    # ---- factors
    uniques = {}
    for c in factor_cols:
        col = data[c]
        na = col.isna().to_numpy()
        if na[use].any():
            i = data.index[use & na][0]
            raise VarCompInputError(f"column {c!r} is missing in row {i!r}: every observation needs a level")
        codes, uniq = pd.factorize(col[use], sort=True)
        uniques[c] = (codes.astype(np.int64), pd.Index(uniq))
    y = y_all[use]
    w = None if weights is None else w_all[use]
    n_obs = int(use.sum())
    wv = np.ones(n_obs) if w is None else w

    terms: list[_Term] = []
    for tc in terms_cols:
        codes, levels = _factor_codes(data, tc, uniques) if n_obs else (np.zeros(0, np.int64), pd.DataFrame())
        n_per = np.bincount(codes, minlength=len(levels)) if n_obs else np.zeros(0)
        terms.append(_Term(tc, codes, levels, n_per))

    # ---- fixed-effects design
    cols = [np.ones(n_obs)]
    fixed_cols: list[tuple[str, str]] = [("(Intercept)", "")]
    for f in fixed:
        codes, uniq = uniques[f]
        if len(uniq) < 2:
            notes.append(f"fixed factor {f!r} has a single level: no contrast to estimate")
        for j in range(1, len(uniq)):
            cols.append((codes == j).astype(float))
            fixed_cols.append((f, str(uniq[j])))
    X_full = np.column_stack(cols) if n_obs else np.zeros((0, len(cols)))
    xtx = X_full.T @ (X_full * wv[:, None])
    kept = _independent_columns(xtx) if n_obs else [0]
    aliased = [fixed_cols[j] for j in range(len(fixed_cols)) if j not in kept]
    if aliased:
        notes.append(
            f"{len(aliased)} fixed-effect contrast(s) aliased with earlier ones, not estimable "
            f"(e.g. {aliased[0][0]}={aliased[0][1]})"
        )
    X = X_full[:, kept]
    fixed_cols = [fixed_cols[j] for j in kept]
    p = X.shape[1]

    def result(**kw) -> VarCompFit:
        base = dict(
            response=response,
            terms=terms,
            fixed=fixed,
            n_obs=n_obs,
            ci=ci,
            loglik=np.nan,
            converged=False,
            method="reml",
            notes=notes,
            _fixed_cols=fixed_cols,
            _aliased=aliased,
        )
        base.update(kw)
        return VarCompFit(**base)

    if n_obs - p <= 0:
        for t in terms:
            t.dropped = t.dropped or "not estimated"
        notes.append(f"{n_obs} usable row(s) for {p} fixed-effect column(s): nothing left to estimate variances")
        return result()

    # ---- identifiability of the random terms
    xtx_k = xtx[np.ix_(kept, kept)]
    for i, t in enumerate(terms):
        if t.n_levels == 1:
            t.dropped = "a single level: its variance is not identified (it is part of the intercept); left out"
        elif t.n_levels == n_obs:
            t.dropped = "every level observed once: not separable from the residual; left out"
        else:
            for j in range(i):
                s = terms[j]
                if not s.dropped and _same_partition(s.codes, t.codes, s.n_levels, t.n_levels):
                    t.dropped = f"the same grouping of rows as {s.label!r}: not separable from it; left out"
                    break
        if not t.dropped:
            ztx = np.zeros((t.n_levels, p))
            np.add.at(ztx, t.codes, X * wv[:, None])
            nn = np.bincount(t.codes, weights=wv, minlength=t.n_levels)
            explained = np.einsum("ij,ij->", ztx, np.linalg.solve(xtx_k, ztx.T).T)
            if nn.sum() - explained <= 1e-9 * nn.sum():
                t.dropped = "confounded with the fixed effects (each level within one fixed cell): left out"
    for t in terms:
        if t.dropped:
            notes.append(f"random term {t.label!r}: {t.dropped}")
    fitted_terms = [i for i, t in enumerate(terms) if not t.dropped]
    fitted = {i: k for k, i in enumerate(fitted_terms)}

    # ---- scaling and degenerate responses
    centre = float(np.average(y, weights=wv))
    beta_ols, *_ = np.linalg.lstsq(X * np.sqrt(wv)[:, None], y * np.sqrt(wv), rcond=None)
    resid = y - X @ beta_ols
    rss = float(wv @ resid**2)
    tss = float(wv @ (y - centre) ** 2)
    if tss == 0 or rss <= 1e-24 * max(tss, 1.0) * n_obs or rss <= 1e-20 * tss:
        reason = (
            "constant response: every variance component is 0"
            if tss == 0
            else "the fixed effects reproduce the response exactly: every variance component is 0"
        )
        notes.append(reason + "; standard errors are not defined")
        return result(
            converged=True,
            _degenerate=reason,
            _exact_beta=beta_ols,
            _fitted=[fitted.get(i, -1) for i in range(len(terms))],
        )
    scale = float(np.sqrt(tss / (wv.sum())))
    ys = (y - centre) / scale

    sizes = sorted(terms[i].n_levels for i in fitted_terms)
    dense = sum(sizes[:-1]) + p if sizes else p  # all but the absorbed largest term
    if dense > _core.MAX_DENSE:
        for t in terms:
            t.dropped = t.dropped or "not estimated"
        notes.append(
            f"too large for this REML: {dense} random levels and fixed columns besides the largest term "
            f"(at most {_core.MAX_DENSE}, for a dense Cholesky per deviance evaluation); for a balanced "
            "design use the ANOVA (expected mean squares) estimates, which equal REML when positive"
        )
        return result()
    core = _core.from_codes(
        ys,
        X,
        [terms[i].codes for i in fitted_terms],
        [terms[i].n_levels for i in fitted_terms],
        w,
    )
    beta_s, *_ = np.linalg.lstsq(X * np.sqrt(wv)[:, None], ys * np.sqrt(wv), rcond=None)
    start = _moment_start(
        ys - X @ beta_s, [terms[i].codes for i in fitted_terms], [terms[i].n_levels for i in fitted_terms]
    )
    theta, dev, converged, message = core.fit(start)
    if message:
        notes.append(message)
    small = (theta > 0) & (theta <= _BOUNDARY)
    if small.any() and np.isfinite(dev):
        # a relative SD below 1e-6 is the boundary: report exactly 0 if no worse
        snapped = np.where(small, 0.0, theta)
        dev0 = core.evaluate(snapped)
        if dev0 <= dev + 1e-8 * max(1.0, abs(dev)):
            theta, dev = snapped, float(dev0)
    sol = core.evaluate(theta, keep=True) if np.isfinite(dev) else None
    if sol is None or not np.isfinite(dev):
        for t in terms:
            t.dropped = t.dropped or "not estimated"
        return result(notes=notes)
    if (theta >= _core.THETA_MAX * 0.999).any():
        notes.append(
            "the residual variance is estimated at ~0 (the random effects reproduce the data): check the design"
        )
    for i in fitted_terms:
        if theta[fitted[i]] <= _BOUNDARY:
            notes.append(f"variance of {terms[i].label!r} estimated at the boundary 0")
    loglik = -0.5 * (dev - core.sum_log_w) - (n_obs - p) * np.log(scale)
    return result(
        loglik=float(loglik),
        converged=converged,
        _core=core,
        _sol=sol,
        _fitted=[fitted.get(i, -1) for i in range(len(terms))],
        _centre=centre,
        _scale=scale,
    )


# --------------------------------------------------------------------------------------
# The two-way subjects x raters designs of the ICC (fast path, no DataFrame)
# --------------------------------------------------------------------------------------


def two_way_start(y: np.ndarray, model: str) -> np.ndarray:
    """Method-1 starting theta for :func:`fit_two_way` (see :func:`_moment_start`)."""
    obs = ~np.isnan(y)
    s_codes, r_codes = np.nonzero(obs)
    v = y[obs]
    n, k = y.shape
    v = v - v.mean()
    if model == "random":
        return _moment_start(v, [s_codes, r_codes], [n, k])
    if model == "mixed":  # raters fixed: remove rater means first
        rm = np.bincount(r_codes, weights=v, minlength=k) / np.maximum(np.bincount(r_codes, minlength=k), 1)
        v = v - rm[r_codes]
    return _moment_start(v, [s_codes], [n])


def fit_two_way(y: np.ndarray, model: str, start=None, *, thorough: bool = True):
    """REML variance components of an ICC design on a subjects x raters matrix.

    ``model``: "oneway" (subjects random), "random" (subjects and raters random) or
    "mixed" (subjects random, raters fixed). Every row and column of ``y`` holds at
    least one value (NaN = missing cell); a row given twice counts as two subjects.
    ``thorough=False`` (warm-started bootstrap refits) skips the restart from theta = 1.

    Returns ``(sigma2_subject, sigma2_rater, sigma2_residual, ok, message, theta)``;
    ``sigma2_rater`` is 0 for the one-way and mixed models.
    """
    core = _core.two_way(y, model)
    if core.nu <= 0:
        return np.nan, np.nan, np.nan, False, "no residual degrees of freedom", ()
    x0 = two_way_start(y, model) if start is None else np.asarray(start, float)
    theta, dev, converged, message = core.fit(x0, restarts=thorough)
    if not thorough and np.isfinite(dev) and np.any(np.asarray(theta) <= _BOUNDARY):
        # a warm start can stop on a boundary (a variance at 0) that is not the optimum:
        # fit again from the method-1 start, with restarts, and keep the better deviance
        # (2 of 100 resamples of a 14 x 4 design did; boundary fits are the rare ones)
        alt = core.fit(two_way_start(y, model), restarts=True)
        if np.isfinite(alt[1]) and alt[1] < dev - 1e-10:
            theta, dev, converged, message = alt
    if not np.isfinite(dev):
        return np.nan, np.nan, np.nan, False, message or "REML did not converge", tuple(theta)
    theta = np.where(theta <= _BOUNDARY, 0.0, theta)
    sol = core.evaluate(theta, keep=True)
    if not isinstance(sol, _core.Solution):
        return np.nan, np.nan, np.nan, False, "REML did not converge", tuple(theta)
    s_e = sol.r2 / core.nu
    s_s = theta[0] ** 2 * s_e
    s_r = theta[1] ** 2 * s_e if model == "random" else 0.0
    return float(s_s), float(s_r), float(s_e), bool(converged), message, tuple(theta)
