"""Do innovating units get better grades? Tests and models for award x grade questions.

Two kinds of data answer it, and the functions here serve both:

* the **published record**: which units won an innovation award and which SAKIP
  grade each unit got. Small (a city has ~30 graded units), categorical, known in
  full: exact conditional tests (:func:`fisher_test`, :func:`linear_by_linear`),
  their Monte Carlo permutation twins (:func:`permutation_pvalues`) and what such a
  sample can detect at all (:func:`fisher_power`);
* **juror-level scores** (a user's own worksheets, or synthetic ones): SAKIP totals and
  innovation jury totals per unit, so that award can be modelled on the total
  (:func:`award_logit`, with Firth's penalised likelihood when the data separate,
  :func:`firth_logit`), the gap in SAKIP totals between awarded and other units
  (:func:`award_gap`), the rank correlation of the two juries' totals
  (:func:`rank_correlation`), and whether a juror's leniency in one evaluation carries
  into the other (:func:`juror_leniency`, :func:`halo_check`).

Every function takes plain arrays or long-format DataFrames and returns a tidy table
with the columns of :data:`RESULT_COLUMNS` (some add their own after them); a result
that the data cannot give is NaN with the reason in ``note``, never an exception.
Randomness (permutations) is seeded by ``seed=``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .bootstrap import check_rng

__all__ = [
    "RESULT_COLUMNS",
    "two_by_two",
    "fisher_test",
    "fisher_power",
    "linear_by_linear",
    "permutation_pvalues",
    "pool_small_categories",
    "separation",
    "firth_logit",
    "award_logit",
    "award_gap",
    "rank_correlation",
    "juror_leniency",
    "halo_check",
]

#: The leading columns of every result table of this module.
RESULT_COLUMNS = ("statistic", "estimate", "ci_low", "ci_high", "p_value", "n", "method", "note")

#: Relative tolerance when comparing probabilities of tables (as R's fisher.test: 1 + 1e-7).
_REL_TOL = 1 + 1e-7


def _row(statistic: str, **kw) -> dict:
    out = dict.fromkeys(RESULT_COLUMNS, np.nan)
    out.update(statistic=statistic, method="", note="")
    out.update(kw)
    return out


def _frame(rows: Sequence[dict], extra: Sequence[str] = ()) -> pd.DataFrame:
    cols = list(RESULT_COLUMNS) + [c for c in extra if c not in RESULT_COLUMNS]
    for r in rows:
        for c in r:
            if c not in cols:
                cols.append(c)
    out = pd.DataFrame(list(rows), columns=cols)
    for c in ("estimate", "ci_low", "ci_high", "p_value", "n"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out


def _as_bool(x, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == bool:
        return a
    s = pd.Series(a)
    if s.isna().any():
        raise ValueError(f"{name} has missing values in row(s) {list(np.flatnonzero(s.isna()))[:5]}; drop them first")
    vals = set(pd.unique(s))
    if not vals <= {0, 1}:  # True == 1, False == 0
        raise ValueError(f"{name} must be boolean (True/False or 1/0); found {sorted(map(str, vals))[:5]}")
    return s.astype(bool).to_numpy()


# ----------------------------------------------------------------------------------------
# 2 x 2 tables: Fisher's exact test, conditional MLE odds ratio, power
# ----------------------------------------------------------------------------------------


def two_by_two(x, y) -> np.ndarray:
    """The 2 x 2 table of counts of two boolean variables.

    Rows: ``x`` True, ``x`` False; columns: ``y`` True, ``y`` False.

    >>> two_by_two([True, True, False, False, False], [True, False, True, False, False]).tolist()
    [[1, 1], [1, 2]]
    """
    x = _as_bool(x, "x")
    y = _as_bool(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in length ({x.size} vs {y.size})")
    return np.array([[np.sum(x & y), np.sum(x & ~y)], [np.sum(~x & y), np.sum(~x & ~y)]], dtype=int)


def _check_table(table) -> np.ndarray:
    t = np.asarray(table)
    if t.shape != (2, 2):
        raise ValueError(f"a 2 x 2 table of counts is needed, got shape {t.shape}")
    if not np.all(np.isfinite(t)) or np.any(t < 0) or np.any(t != np.round(t)):
        raise ValueError(f"the table must hold non-negative whole counts, got {t.tolist()}")
    return t.astype(int)


def _hypergeom_support(table: np.ndarray) -> tuple[np.ndarray, int, int, int]:
    """Support of the (1,1) cell given the margins, and the margins (r1, c1, n)."""
    r1, c1, n = int(table[0].sum()), int(table[:, 0].sum()), int(table.sum())
    lo, hi = max(0, r1 + c1 - n), min(r1, c1)
    return np.arange(lo, hi + 1), r1, c1, n


def _log_nc_weights(x: np.ndarray, r1: int, c1: int, n: int) -> np.ndarray:
    """log C(c1, x) + log C(n - c1, r1 - x): the hypergeometric weights of the (1,1) cell."""

    def lchoose(a, b):
        return special.gammaln(a + 1) - special.gammaln(b + 1) - special.gammaln(a - b + 1)

    return lchoose(c1, x) + lchoose(n - c1, r1 - x)


def _nc_pmf(x: np.ndarray, r1: int, c1: int, n: int, log_or) -> np.ndarray:
    """Fisher's noncentral hypergeometric pmf of the (1,1) cell over ``x`` (rows) for each
    log odds ratio in ``log_or`` (columns)."""
    lw = _log_nc_weights(x, r1, c1, n)[:, None] + np.outer(x, np.atleast_1d(log_or))
    lw -= lw.max(axis=0, keepdims=True)
    w = np.exp(lw)
    return w / w.sum(axis=0, keepdims=True)


def _fisher_two_sided_p(x: np.ndarray, pmf0: np.ndarray) -> np.ndarray:
    """Two-sided Fisher p-value of every support point: the probability of the tables no
    more likely than it (R's rule, relative tolerance 1e-7)."""
    return np.array([pmf0[pmf0 <= p * _REL_TOL].sum() for p in pmf0]).clip(max=1.0)


def fisher_test(table, *, ci: float = 0.95) -> pd.DataFrame:
    """Fisher's exact test of a 2 x 2 table with the conditional MLE odds ratio and its
    exact confidence interval.

    Parameters
    ----------
    table : array-like, 2 x 2
        Counts ``[[a, b], [c, d]]``, e.g. rows awarded / not awarded, columns high /
        low grade (:func:`two_by_two`).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row: the columns of :data:`RESULT_COLUMNS` (``statistic`` = "odds ratio
        (conditional MLE)", ``p_value`` two-sided, ``n`` the table total) followed by
        ``n11, n12, n21, n22`` (the table it comes from) and ``sample_odds_ratio``
        (``a d / (b c)``).

    Notes
    -----
    Conditional on both margins the (1,1) cell follows Fisher's noncentral
    hypergeometric distribution with the odds ratio as parameter. The estimate is the
    value that maximises that conditional likelihood (it differs from the sample odds
    ratio, and is 0 or infinite when a cell is empty); the interval inverts the two
    one-sided exact tests at ``(1 - ci) / 2`` each (Cornfield 1956), so it matches the
    test's conclusions only approximately. The two-sided p-value sums the
    probabilities of all tables no more likely than the observed one (R's
    ``fisher.test`` rule). Computed with :func:`scipy.stats.fisher_exact` and
    :func:`scipy.stats.contingency.odds_ratio` (``kind="conditional"``); both agree
    with R 3.6.2 ``fisher.test`` (see the tests).

    A table with an empty row or column has no odds ratio: estimate and interval are
    NaN, the p-value is 1, and ``note`` says why.

    References
    ----------
    .. [1] Fisher, R. A. (1935). The logic of inductive inference. Journal of the Royal
       Statistical Society 98(1), 39-82.
    .. [2] Cornfield, J. (1956). A statistical problem arising from retrospective
       studies. Proceedings of the Third Berkeley Symposium 4, 135-148.
    .. [3] Agresti, A. (2013). Categorical Data Analysis (3rd ed.), section 3.5. Wiley.

    Examples
    --------
    Fisher's tea-tasting table (R: ``fisher.test(matrix(c(3, 1, 1, 3), 2))``):

    >>> r = fisher_test([[3, 1], [1, 3]]).iloc[0]
    >>> [round(float(r[c]), 4) for c in ("estimate", "p_value", "ci_low")]
    [6.4083, 0.4857, 0.2117]
    """
    t = _check_table(table)
    n = int(t.sum())
    a, b, c, d = (int(v) for v in t.ravel())
    sample_or = (a * d) / (b * c) if b * c > 0 else (np.inf if a * d > 0 else np.nan)
    extra = dict(n11=a, n12=b, n21=c, n22=d, sample_odds_ratio=sample_or)
    method = (
        f"Fisher's exact test (two-sided); conditional MLE odds ratio with exact {ci:.0%} CI "
        "(scipy.stats.contingency.odds_ratio, kind='conditional')"
    )
    if (t.sum(axis=0) == 0).any() or (t.sum(axis=1) == 0).any():
        return _frame(
            [
                _row(
                    "odds ratio (conditional MLE)",
                    p_value=1.0,
                    n=n,
                    method=method,
                    note="a row or column of the table is empty: no association can be measured",
                    **extra,
                )
            ]
        )
    from scipy.stats.contingency import odds_ratio

    res = odds_ratio(t, kind="conditional")
    lo, hi = res.confidence_interval(confidence_level=ci)
    p = stats.fisher_exact(t, alternative="two-sided").pvalue
    note = ""
    if 0 in (a, b, c, d):
        note = "a cell is zero: the conditional MLE is 0 or infinite and the interval is open on that side"
    return _frame(
        [
            _row(
                "odds ratio (conditional MLE)",
                estimate=float(res.statistic),
                ci_low=float(lo),
                ci_high=float(hi),
                p_value=float(p),
                n=n,
                method=method,
                note=note,
                **extra,
            )
        ]
    )


def fisher_power(table, *, alpha: float = 0.05, power: float = 0.8, max_odds_ratio: float = 1e4) -> pd.DataFrame:
    """What the exact test of a 2 x 2 table can detect: the odds ratios it would find
    with the given power, at the table's margins.

    Parameters
    ----------
    table : array-like, 2 x 2
        The observed table; only its margins are used.
    alpha : float
        Two-sided significance level of Fisher's exact test.
    power : float
        Target power.
    max_odds_ratio : float
        Search limit; an odds ratio beyond it counts as "none".

    Returns
    -------
    DataFrame
        Two rows (``statistic`` "detectable odds ratio above 1" and "... below 1"):
        ``estimate`` the smallest odds ratio above 1 (largest below 1) whose power
        reaches ``power``; ``p_value`` NaN; ``n`` the table total; ``note`` when no odds
        ratio within ``[1/max_odds_ratio, max_odds_ratio]`` reaches it (estimate
        ``inf`` / 0). Extra columns ``power`` (the target) and ``alpha``.

    Notes
    -----
    Conditional power: with both margins fixed at the observed ones, the (1,1) cell
    follows Fisher's noncentral hypergeometric distribution with odds ratio ``psi``;
    the test rejects on the support points whose two-sided exact p-value is at most
    ``alpha``; the power at ``psi`` is the noncentral probability of that set. The
    search runs over a log-spaced grid (2,000 points) and refines the first crossing
    by bisection. Conditioning on the margins treats the number of awarded units and
    the number of high grades as given, which is how the exact test itself sees the
    data; unconditional power (margins random too) is slightly different.

    References
    ----------
    .. [1] Bennett, B. M., & Hsu, P. (1960). On the power function of the exact test
       for the 2 x 2 contingency table. Biometrika 47(3/4), 393-398.

    Examples
    --------
    >>> p = fisher_power([[3, 5], [7, 14]])
    >>> bool(p.loc[0, "estimate"] > 5)
    True
    """
    t = _check_table(table)
    x, r1, c1, n = _hypergeom_support(t)
    base = dict(n=int(t.sum()), method=f"conditional power of Fisher's exact test at alpha={alpha} (two-sided)")
    rows = []
    if x.size <= 1:
        note = "the margins allow a single table: no test is possible"
        for label, est in (("detectable odds ratio above 1", np.inf), ("detectable odds ratio below 1", 0.0)):
            rows.append(_row(label, estimate=est, note=note, power=power, alpha=alpha, **base))
        return _frame(rows)
    pmf0 = _nc_pmf(x, r1, c1, n, 0.0)[:, 0]
    reject = _fisher_two_sided_p(x, pmf0) <= alpha

    def pw(log_or):
        return (_nc_pmf(x, r1, c1, n, log_or) * reject[:, None]).sum(axis=0)

    for label, sign in (("detectable odds ratio above 1", 1.0), ("detectable odds ratio below 1", -1.0)):
        grid = sign * np.linspace(0, math.log(max_odds_ratio), 2000)
        pws = pw(grid)
        hit = np.flatnonzero(pws >= power)
        if hit.size == 0:
            est = np.inf if sign > 0 else 0.0
            note = (
                f"no odds ratio {'up to' if sign > 0 else 'down to'} "
                f"{max_odds_ratio if sign > 0 else 1 / max_odds_ratio:g} reaches {power:.0%} power at these margins"
            )
        else:
            k = hit[0]
            if k == 0:
                est = 1.0
            else:
                root = optimize.brentq(lambda g: pw(np.array([g]))[0] - power, grid[k - 1], grid[k], xtol=1e-10)
                est = math.exp(root)
            note = ""
        rows.append(_row(label, estimate=est, note=note, power=power, alpha=alpha, **base))
    return _frame(rows)


# ----------------------------------------------------------------------------------------
# Trend across ordered groups: linear-by-linear association, exact and permutation
# ----------------------------------------------------------------------------------------


def _scores(values, scores, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Category codes (0..k-1), their scores and the per-observation scores."""
    v = pd.Series(values)
    if v.isna().any():
        raise ValueError(f"{name} has missing values in row(s) {list(np.flatnonzero(v.isna()))[:5]}; drop them first")
    if isinstance(v.dtype, pd.CategoricalDtype) and v.cat.ordered:
        cats = [c for c in v.cat.categories if (v == c).any()]
    else:
        cats = sorted(pd.unique(v))
    if scores is None:
        if all(isinstance(c, (int, float, np.integer, np.floating)) for c in cats):
            sc = np.asarray(cats, dtype=float)
        else:
            sc = np.arange(len(cats), dtype=float)
    else:
        sc = np.array([float(scores[c]) for c in cats])
    code = pd.Categorical(v, categories=cats).codes.astype(int)
    return code, sc, sc[code]


def _lbl_exact(xc: np.ndarray, xs: np.ndarray, yc: np.ndarray, ys: np.ndarray, max_states: int = 200_000):
    """Exact permutation distribution of T = sum x_i y_i with both margins fixed.

    Dynamic programme over the y categories (columns); the state is the remaining count
    of each x category. Returns (values, probabilities) or None when the state space is
    too large.
    """
    kx = np.bincount(xc, minlength=xs.size)
    my = np.bincount(yc, minlength=ys.size)
    lfact = special.gammaln(np.arange(kx.sum() + 2) + 1)
    states: dict[tuple, dict[float, float]] = {tuple(kx): {0.0: 0.0}}  # state -> {T: log weight}
    for g, m in enumerate(my):
        nxt: dict[tuple, dict[float, float]] = {}
        for state, dist in states.items():
            for comp in _compositions(int(m), state):
                new = tuple(s - c for s, c in zip(state, comp))
                lw_comp = lfact[m] - sum(lfact[c] for c in comp)
                dt = ys[g] * float(np.dot(comp, xs))
                tgt = nxt.setdefault(new, {})
                for tval, lw in dist.items():
                    key = round(tval + dt, 9)
                    prev = tgt.get(key)
                    val = lw + lw_comp
                    tgt[key] = val if prev is None else np.logaddexp(prev, val)
        states = nxt
        if sum(len(d) for d in states.values()) > max_states:
            return None
    final = states.get(tuple([0] * xs.size), {})
    vals = np.array(list(final.keys()))
    lws = np.array(list(final.values()))
    prob = np.exp(lws - special.logsumexp(lws))
    return vals, prob


def _compositions(m: int, caps: tuple) -> list[tuple]:
    """All ways to split ``m`` into len(caps) non-negative parts with part i <= caps[i]."""
    if len(caps) == 1:
        return [(m,)] if m <= caps[0] else []
    out = []
    for first in range(min(m, caps[0]) + 1):
        for rest in _compositions(m - first, caps[1:]):
            out.append((first, *rest))
    return out


def linear_by_linear(
    x,
    y,
    *,
    x_scores: dict | None = None,
    y_scores: dict | None = None,
    exact: bool = True,
    n_perm: int = 10_000,
    seed=None,
) -> pd.DataFrame:
    """Linear-by-linear association (trend) test between two ordinal variables.

    Parameters
    ----------
    x, y : array-like
        One value per unit (e.g. award level and SAKIP grade code). Numbers are used as
        their own scores; other values (or an ordered categorical) get scores 0, 1, ...
        in sorted (category) order unless ``x_scores`` / ``y_scores`` map them.
    x_scores, y_scores : dict, optional
        Score of each category.
    exact : bool
        Also compute the exact conditional (permutation) distribution by dynamic
        programming (falls back with a note when the table is too large).
    n_perm : int
        Monte Carlo permutations (0 skips that row).
    seed : int or Generator, optional
        Seed of the permutations.

    Returns
    -------
    DataFrame
        Rows ``linear-by-linear association`` with ``method`` "asymptotic",
        "exact conditional" and "permutation (Monte Carlo, n_perm resamples)". The
        ``estimate`` is the Pearson correlation ``r`` of the scores (the effect size;
        sign gives the direction), ``p_value`` two-sided; extra columns
        ``test_statistic`` (``M^2 = (n - 1) r^2``; the Cochran-Armitage ``n r^2`` is in
        ``cochran_armitage``), ``df`` (1) and ``n_resamples``.

    Notes
    -----
    ``M^2 = (n - 1) r^2`` is asymptotically chi-square with 1 df under independence
    (Agresti 2013, section 3.4.1). With a binary ``y`` it is the Cochran-Armitage trend
    test up to the factor ``n / (n - 1)``: R's ``prop.trend.test`` reports ``n r^2``.
    The exact and permutation p-values condition on both margins (every assignment of
    the ``x`` values to the units equally likely) and count the tables whose
    ``T = sum x_i y_i`` is at least as far from its null mean as the observed one. The
    Monte Carlo p-value is ``(1 + #{|T* - E T| >= |T - E T|}) / (1 + n_perm)``, which
    is never 0 and is a valid p-value for any ``n_perm``. A constant ``x`` or ``y``
    leaves nothing to test: NaN with the reason.

    References
    ----------
    .. [1] Agresti, A. (2013). Categorical Data Analysis (3rd ed.), section 3.4. Wiley.
    .. [2] Armitage, P. (1955). Tests for linear trends in proportions and frequencies.
       Biometrics 11(3), 375-386.
    .. [3] Phipson, B., & Smyth, G. K. (2010). Permutation p-values should never be
       zero. Statistical Applications in Genetics and Molecular Biology 9(1), 39.

    Examples
    --------
    >>> t = linear_by_linear([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 1, 1], n_perm=0)
    >>> t[["method", "estimate", "test_statistic"]].round(3).values.tolist()[0]
    ['asymptotic', 0.433, 0.937]
    """
    xc, xs, xv = _scores(x, x_scores, "x")
    yc, ys, yv = _scores(y, y_scores, "y")
    n = xv.size
    if yv.size != n:
        raise ValueError(f"x and y differ in length ({n} vs {yv.size})")
    base = dict(n=n, df=1)
    name = "linear-by-linear association"
    if n < 3 or _flat(xv) or _flat(yv):
        why = "fewer than 3 units" if n < 3 else "x or y takes a single value: no trend can be tested"
        return _frame([_row(name, method="asymptotic", note=why, **base)])
    r = float(np.corrcoef(xv, yv)[0, 1])
    m2 = (n - 1) * r * r
    rows = [
        _row(
            name,
            estimate=r,
            p_value=float(stats.chi2.sf(m2, 1)),
            method="asymptotic",
            test_statistic=m2,
            cochran_armitage=n * r * r,
            **base,
        )
    ]
    t_obs = float(xv @ yv)
    e_t = n * xv.mean() * yv.mean()
    tol = 1e-9 * max(1.0, abs(t_obs))
    if exact:
        dist = _lbl_exact(xc, xs, yc, ys)
        if dist is None:
            rows.append(_row(name, method="exact conditional", note="too many tables to enumerate", **base))
        else:
            vals, prob = dist
            p = float(prob[np.abs(vals - e_t) >= abs(t_obs - e_t) - tol].sum())
            rows.append(
                _row(name, estimate=r, p_value=min(p, 1.0), method="exact conditional", test_statistic=m2, **base)
            )
    if n_perm:
        rng = check_rng(seed)
        perm = rng.permuted(np.broadcast_to(xv, (n_perm, n)), axis=1)
        t = perm @ yv
        k = int(np.sum(np.abs(t - e_t) >= abs(t_obs - e_t) - tol))
        rows.append(
            _row(
                name,
                estimate=r,
                p_value=(1 + k) / (1 + n_perm),
                method=f"permutation (Monte Carlo, {n_perm} resamples)",
                test_statistic=m2,
                n_resamples=n_perm,
                **base,
            )
        )
    return _frame(rows)


def permutation_pvalues(x, y, *, n_perm: int = 10_000, seed=None) -> pd.DataFrame:
    """Monte Carlo permutation p-values for a 2 x 2 association (award x high grade).

    The award labels are shuffled over the units ``n_perm`` times (margins kept); each
    shuffle gives a 2 x 2 table.

    Returns
    -------
    DataFrame
        Two rows: ``Fisher (permutation)`` (tables no more likely than the observed one
        under the null hypergeometric law, the Monte Carlo twin of
        :func:`fisher_test`'s p-value) and ``difference in proportions (permutation)``
        (``estimate`` = share of ``y`` among ``x`` minus share among not ``x``; two-sided
        p). ``n_resamples`` says how many; p = (1 + count) / (1 + n_perm).

    Examples
    --------
    >>> x = [True] * 4 + [False] * 4
    >>> y = [True, True, True, False, True, False, False, False]
    >>> t = permutation_pvalues(x, y, n_perm=2000, seed=1)
    >>> t["estimate"].round(2).tolist()
    [nan, 0.5]
    """
    xb = _as_bool(x, "x")
    yb = _as_bool(y, "y")
    n = xb.size
    t = two_by_two(xb, yb)
    method = f"permutation (Monte Carlo, {n_perm} resamples)"
    if n_perm <= 0 or xb.all() or (~xb).all() or yb.all() or (~yb).all():
        why = "no resamples asked" if n_perm <= 0 else "x or y is constant: nothing to permute"
        return _frame(
            [
                _row("Fisher (permutation)", n=n, method=method, note=why, n_resamples=n_perm),
                _row("difference in proportions (permutation)", n=n, method=method, note=why, n_resamples=n_perm),
            ]
        )
    rng = check_rng(seed)
    perm = rng.permuted(np.broadcast_to(xb, (n_perm, n)), axis=1)
    a = perm.astype(np.int64) @ yb.astype(np.int64)  # (1,1) cell of each shuffled table
    support, r1, c1, nn = _hypergeom_support(t)
    pmf0 = _nc_pmf(support, r1, c1, nn, 0.0)[:, 0]
    p_obs = pmf0[t[0, 0] - support[0]]
    k_f = int(np.sum(pmf0[a - support[0]] <= p_obs * _REL_TOL))
    nx, nnx = xb.sum(), (~xb).sum()
    diff_obs = t[0, 0] / nx - t[1, 0] / nnx
    diff = a / nx - (c1 - a) / nnx
    k_d = int(np.sum(np.abs(diff) >= abs(diff_obs) - 1e-12))
    return _frame(
        [
            _row("Fisher (permutation)", p_value=(1 + k_f) / (1 + n_perm), n=n, method=method, n_resamples=n_perm),
            _row(
                "difference in proportions (permutation)",
                estimate=float(diff_obs),
                p_value=(1 + k_d) / (1 + n_perm),
                n=n,
                method=method,
                n_resamples=n_perm,
            ),
        ]
    )


# ----------------------------------------------------------------------------------------
# Logistic regression of award on SAKIP total and category (ML, or Firth on separation)
# ----------------------------------------------------------------------------------------


def pool_small_categories(category, *, min_size: int = 3, other: str = "other") -> tuple[pd.Series, str]:
    """Pool categories with fewer than ``min_size`` members into one ``other`` level.

    Returns the pooled series and a note naming what was pooled (empty when nothing).
    If the pooled level itself stays below ``min_size`` it is merged into the largest
    category (and the note says so).

    >>> s, note = pool_small_categories(["Dinas"] * 5 + ["Badan"] * 3 + ["Kantor", "Inspektorat"])
    >>> s.value_counts().to_dict(), note
    ({'Dinas': 7, 'Badan': 3}, 'pooled Inspektorat, Kantor (fewer than 3 units each) into Dinas (the largest)')
    """
    s = pd.Series(category, dtype="object").astype(str).reset_index(drop=True)
    counts = s.value_counts()
    small = sorted(counts[counts < min_size].index)
    if not small:
        return s, ""
    pooled_n = int(counts[small].sum())
    big = counts[counts >= min_size]
    if pooled_n >= min_size or big.empty:
        return s.where(
            ~s.isin(small), other
        ), f"pooled {', '.join(small)} (fewer than {min_size} units each) as '{other}'"
    largest = str(big.sort_values(ascending=False, kind="stable").index[0])
    return (
        s.where(~s.isin(small), largest),
        f"pooled {', '.join(small)} (fewer than {min_size} units each) into {largest} (the largest)",
    )


def separation(y, X) -> str:
    """``"complete"``, ``"quasi-complete"`` or ``"none"``: whether some linear combination
    of the columns of ``X`` separates the outcomes ``y`` (then the ML logistic estimate
    does not exist).

    A linear programme (Konis 2007): maximise ``sum_i s_i x_i b`` subject to
    ``s_i x_i b >= 0`` for all ``i`` (``s_i = 2 y_i - 1``) and ``-1 <= b <= 1``. A positive
    optimum means a direction that never misclassifies: separation; it is complete when
    some direction also classifies every unit strictly.

    >>> separation([0, 0, 1, 1], np.c_[np.ones(4), [1, 2, 3, 4]])
    'complete'
    >>> separation([0, 1, 0, 1], np.c_[np.ones(4), [1, 2, 3, 4]])
    'none'
    """
    yv = np.asarray(y, float)
    Xm = np.asarray(X, float)
    s = 2 * yv - 1
    A = s[:, None] * Xm
    k = Xm.shape[1]
    res = optimize.linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(yv)), bounds=[(-1, 1)] * k, method="highs")
    if res.status != 0 or -res.fun <= 1e-7:
        return "none"
    # complete: maximise t subject to A b >= t, |b| <= 1
    c = np.zeros(k + 1)
    c[-1] = -1.0
    res2 = optimize.linprog(
        c,
        A_ub=np.c_[-A, np.ones(len(yv))],
        b_ub=np.zeros(len(yv)),
        bounds=[(-1, 1)] * k + [(None, 1)],
        method="highs",
    )
    return "complete" if res2.status == 0 and -res2.fun > 1e-7 else "quasi-complete"


def _firth_fit(y, X, fixed: dict | None = None, start=None, max_iter: int = 200, tol: float = 1e-10):
    """Firth's penalised ML (modified score, Newton steps with step halving).

    ``fixed`` = {column index: value} keeps coefficients fixed (for profiles). Returns
    (beta, penalised log-likelihood, covariance of the free coefficients).
    """
    n, k = X.shape
    fixed = fixed or {}
    free = np.array([j for j in range(k) if j not in fixed], dtype=int)
    beta = np.zeros(k) if start is None else np.array(start, float)
    for j, v in fixed.items():
        beta[j] = v

    def pll(b):
        eta = X @ b
        p = special.expit(eta)
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        sign, logdet = np.linalg.slogdet(info)
        if sign <= 0:
            return -np.inf
        loglik = float(np.sum(y * eta - np.logaddexp(0, eta)))
        return loglik + 0.5 * logdet

    cur = pll(beta)
    for _ in range(max_iter):
        eta = X @ beta
        p = special.expit(eta)
        w = p * (1 - p)
        info = X.T @ (X * w[:, None])
        inv = np.linalg.pinv(info)
        h = np.einsum("ij,jk,ik->i", X * w[:, None], inv, X)  # leverages of the weighted hat matrix
        score = X.T @ (y - p + h * (0.5 - p))
        if free.size == 0:
            break
        sub = info[np.ix_(free, free)]
        step = np.zeros(k)
        step[free] = np.linalg.solve(sub, score[free])
        mx = np.abs(step).max()
        if mx > 5:
            step *= 5 / mx
        t = 1.0
        while True:
            cand = beta + t * step
            new = pll(cand)
            if new >= cur - 1e-12 or t < 1e-8:
                break
            t /= 2
        beta, delta, cur = cand, np.abs(t * step).max(), new
        if delta < tol:
            break
    eta = X @ beta
    p = special.expit(eta)
    info = X.T @ (X * (p * (1 - p))[:, None])
    cov = np.full((k, k), np.nan)
    if free.size:
        cov[np.ix_(free, free)] = np.linalg.pinv(info[np.ix_(free, free)])
    return beta, cur, cov


def firth_logit(y, X, *, names: Sequence[str] | None = None, ci: float = 0.95, profile: bool = True) -> pd.DataFrame:
    """Logistic regression by Firth's penalised likelihood (bias-reduced; finite under
    separation), with profile penalised-likelihood intervals and tests.

    Parameters
    ----------
    y : array-like of 0/1
    X : array-like, n x k
        Design matrix including the intercept column.
    names : sequence of str, optional
        Column names (default ``x0, x1, ...``).
    ci : float
        Confidence level.
    profile : bool
        Profile penalised-likelihood CIs and likelihood-ratio p-values (as R
        ``logistf`` with ``pl = TRUE``); False gives Wald CIs and p-values from the
        penalised information.

    Returns
    -------
    DataFrame
        One row per coefficient: ``term``, ``estimate`` (log odds), ``se``, ``ci_low``,
        ``ci_high``, ``p_value``, ``n``, ``method``, ``note``; the leading columns of
        :data:`RESULT_COLUMNS` with ``statistic`` = "log odds ratio".

    Notes
    -----
    Firth (1993) penalises the log-likelihood by half the log-determinant of the Fisher
    information (the Jeffreys prior); the estimates solve the modified score
    ``X' (y - p + h (1/2 - p)) = 0`` with ``h`` the leverages, found by Newton steps on the
    penalised likelihood with step halving. Heinze & Schemper (2002) showed it gives
    finite estimates when the data separate and recommended profile penalised
    likelihood intervals: the limits are where ``2 (l*(b) - max l*(b | b_j = c))``
    equals the chi-square(1) quantile, the nuisance coefficients re-maximised for each
    ``c``. With one binary covariate the estimate equals the log odds ratio of the 2 x 2
    table with 0.5 added to each cell (checked in the tests); on Heinze & Schemper's
    endometrial data it reproduces R ``logistf`` to 5 decimals.

    References
    ----------
    .. [1] Firth, D. (1993). Bias reduction of maximum likelihood estimates.
       Biometrika 80(1), 27-38.
    .. [2] Heinze, G., & Schemper, M. (2002). A solution to the problem of separation
       in logistic regression. Statistics in Medicine 21(16), 2409-2419.

    Examples
    --------
    >>> X = np.c_[np.ones(8), [0, 0, 0, 0, 1, 1, 1, 1]]
    >>> y = [0, 0, 0, 1, 1, 1, 1, 1]          # x = 1 always has y = 1: separation
    >>> float(round(firth_logit(y, X, profile=False).loc[1, "estimate"], 4))  # log((4.5 * 3.5) / (0.5 * 1.5))
    3.0445
    """
    yv = np.asarray(y, float)
    Xm = np.asarray(X, float)
    n, k = Xm.shape
    names = list(names) if names is not None else [f"x{j}" for j in range(k)]
    beta, pll_hat, cov = _firth_fit(yv, Xm)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    q = stats.chi2.ppf(ci, 1)
    rows = []
    for j in range(k):
        if profile:
            warm = [beta]  # each profile fit starts where the last one ended (the
            # brentq steps are small): about half the Newton iterations of starting at beta

            def prof(c, j=j, warm=warm):
                b, val, _ = _firth_fit(yv, Xm, fixed={j: c}, start=warm[0])
                if np.isfinite(val):
                    warm[0] = b
                return 2 * (pll_hat - val)

            def dev(c, j=j):
                return prof(c) - q

            lo = hi = np.nan
            note = ""
            for side in (-1, 1):
                step = max(se[j], 0.1)
                edge = beta[j]
                for _ in range(60):
                    edge = edge + side * step
                    if dev(edge) > 0:
                        break
                    step *= 1.6
                else:
                    note = "profile did not reach the interval limit on one side"
                    continue
                warm[0] = beta
                lim = optimize.brentq(dev, beta[j], edge, xtol=1e-9)
                lo, hi = (lim, hi) if side < 0 else (lo, lim)
            warm[0] = beta
            lr = prof(0.0)
            p = float(stats.chi2.sf(max(lr, 0.0), 1))
            method = f"Firth penalised likelihood; profile penalised-likelihood {ci:.0%} CI and LR test"
        else:
            z = stats.norm.ppf(0.5 + ci / 2)
            lo, hi = beta[j] - z * se[j], beta[j] + z * se[j]
            p = float(2 * stats.norm.sf(abs(beta[j] / se[j]))) if se[j] > 0 else np.nan
            method = f"Firth penalised likelihood; Wald {ci:.0%} CI"
            note = ""
        rows.append(
            _row(
                "log odds ratio",
                term=names[j],
                estimate=float(beta[j]),
                se=float(se[j]),
                ci_low=float(lo),
                ci_high=float(hi),
                p_value=p,
                n=n,
                method=method,
                note=note,
            )
        )
    return _frame(rows, extra=("term", "se"))


def _design(frame: pd.DataFrame, predictors: Sequence[str], category: str | None, min_category: int):
    """Intercept, numeric predictors and treatment dummies of the pooled category."""
    cols = {"(intercept)": np.ones(len(frame))}
    for p in predictors:
        cols[p] = frame[p].to_numpy(float)
    notes = []
    ref = None
    if category is not None:
        pooled, note = pool_small_categories(frame[category], min_size=min_category)
        if note:
            notes.append(note)
        levels = pooled.value_counts().sort_index()
        if len(levels) < 2:
            notes.append(f"a single {category} after pooling: the category term is left out")
        else:
            ref = str(levels.sort_values(ascending=False, kind="stable").index[0])
            for lev in levels.index:
                if lev != ref:
                    cols[f"{category}[{lev}]"] = (pooled == lev).to_numpy(float)
    X = pd.DataFrame(cols, index=frame.index)
    return X, ref, notes


def _flat(x: np.ndarray) -> bool:
    """Constant up to float rounding (sums of means are not exactly equal)."""
    x = np.asarray(x, float)
    return x.size == 0 or bool(np.ptp(x) <= 1e-9 * (1.0 + np.abs(x).max()))


def _collinear(X: pd.DataFrame, term: str) -> str:
    """Why the design cannot separate ``term`` from the rest ("" when it can)."""
    if _flat(X[term].to_numpy()):
        return f"{term} is the same for every unit: nothing to model"
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        return f"{term} is collinear with the categories (e.g. every unit of a category in one group): no estimate"
    return ""


def award_logit(
    frame: pd.DataFrame,
    *,
    outcome: str = "awarded",
    total: str = "sakip_total",
    category: str | None = "category",
    min_category: int = 3,
    per: float = 5.0,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Logistic regression of an award on the SAKIP total (and the unit category).

    Parameters
    ----------
    frame : DataFrame
        One row per unit with ``outcome`` (bool / 0-1), ``total`` and ``category``.
        Rows with a missing outcome or total are left out and counted in ``note``.
    outcome, total, category : str
        Column names; ``category=None`` fits the total alone.
    min_category : int
        Categories with fewer units are pooled (:func:`pool_small_categories`).
    per : float
        The total's odds ratio is reported per ``per`` points.
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per term after the intercept: ``statistic`` ("odds ratio per 5 SAKIP
        points" or "odds ratio vs <reference category>"), ``term``, ``estimate`` (odds
        ratio), ``ci_low``, ``ci_high``, ``p_value``, ``n``, ``method``, ``note``,
        ``separation`` and ``log_odds`` / ``se`` (per point / per dummy). With fewer
        than 2 units of each outcome, a single row of NaN says why.

    Notes
    -----
    First the design is checked for separation (:func:`separation`): when no unit of
    some category won, or the total splits winners from the rest, the ML estimate is
    infinite. Without separation the model is fitted by maximum likelihood
    (:class:`statsmodels.discrete.discrete_model.Logit`, Wald CIs and p-values); with
    separation by Firth's penalised likelihood (:func:`firth_logit`, profile CIs and
    LR tests) and ``note`` says so. Categories smaller than ``min_category`` are pooled
    first, because a category of one or two units carries no information on its own
    and invites separation. The reference category is the largest.

    With ~30 units and ~10 awards the model holds about one predictor per 5-10 events:
    read the intervals, not the point estimates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"sakip_total": rng.normal(75, 5, 60)})
    >>> df["awarded"] = rng.random(60) < 1 / (1 + np.exp(-(df["sakip_total"] - 75) / 3))
    >>> r = award_logit(df, category=None).iloc[0]
    >>> r["statistic"], bool(r["estimate"] > 1)
    ('odds ratio per 5 SAKIP points', True)
    """
    need = [outcome, total] + ([category] if category else [])
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise KeyError(f"award_logit needs column(s) {missing}; the table has {list(frame.columns)}")
    keep = frame[outcome].notna() & frame[total].notna()
    if category:
        keep &= frame[category].notna()
    df = frame.loc[keep].reset_index(drop=True)
    dropped = int((~keep).sum())
    notes = [f"{dropped} unit(s) without {total} or {outcome} left out"] if dropped else []
    y = _as_bool(df[outcome], outcome).astype(float)
    n = len(df)
    stat_total = f"odds ratio per {per:g} SAKIP points"
    if n == 0 or y.sum() < 2 or (n - y.sum()) < 2:
        why = f"fewer than 2 units with and 2 without an award among {n}: the model cannot be fitted"
        return _frame(
            [_row(stat_total, term=total, n=n, note="; ".join([*notes, why]), separation="")],
            extra=("term", "separation"),
        )
    X, ref, dnotes = _design(df, [total], category, min_category)
    notes += dnotes
    # centre the total (numerical stability; the slope is unchanged)
    X[total] = X[total] - X[total].mean()
    why = _collinear(X, total)
    if why:
        return _frame(
            [_row(stat_total, term=total, n=n, note="; ".join([*notes, why]), separation="")],
            extra=("term", "separation"),
        )
    sep = separation(y, X.to_numpy())
    if sep == "none":
        import statsmodels.api as sm

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.Logit(y, X).fit(disp=0, method="newton", maxiter=100)
        b = fit.params.to_numpy()
        se = fit.bse.to_numpy()
        cint = fit.conf_int(alpha=1 - ci).to_numpy()
        pv = fit.pvalues.to_numpy()
        method = f"maximum likelihood logistic regression (statsmodels Logit); Wald {ci:.0%} CI"
        if not fit.mle_retvals.get("converged", True):
            notes.append("the ML fit did not converge")
    else:
        res = firth_logit(y, X.to_numpy(), names=list(X.columns), ci=ci)
        b = res["estimate"].to_numpy()
        se = res["se"].to_numpy()
        cint = res[["ci_low", "ci_high"]].to_numpy()
        pv = res["p_value"].to_numpy()
        method = res["method"].iloc[0]
        notes.append(f"{sep} separation: the ML estimate does not exist, so Firth's penalised likelihood is used")
    rows = []
    for j, term in enumerate(X.columns):
        if term == "(intercept)":
            continue
        scale = per if term == total else 1.0
        label = stat_total if term == total else f"odds ratio vs {ref}"
        rows.append(
            _row(
                label,
                term=term,
                estimate=math.exp(b[j] * scale),
                ci_low=math.exp(cint[j, 0] * scale) if np.isfinite(cint[j, 0]) else np.nan,
                ci_high=math.exp(cint[j, 1] * scale) if np.isfinite(cint[j, 1]) else np.nan,
                p_value=pv[j],
                n=n,
                method=method,
                note="; ".join(notes),
                separation=sep,
                log_odds=b[j],
                se=se[j],
            )
        )
    return _frame(rows, extra=("term", "separation", "log_odds", "se"))


# ----------------------------------------------------------------------------------------
# Gap in SAKIP totals between awarded and other units
# ----------------------------------------------------------------------------------------


def award_gap(
    frame: pd.DataFrame,
    *,
    total: str = "sakip_total",
    group: str = "awarded",
    category: str | None = "category",
    min_category: int = 3,
    ci: float = 0.95,
    n_perm: int = 10_000,
    seed=None,
) -> pd.DataFrame:
    """Difference in SAKIP totals between awarded and other units, adjusted for category.

    Ordinary least squares of ``total`` on ``group`` (and pooled category dummies);
    the estimate is the coefficient of ``group`` in points, with a t interval and, as a
    check that needs no normality, a permutation p-value (``group`` shuffled within the
    pooled categories, ``n_perm`` times).

    Returns
    -------
    DataFrame
        One row: ``statistic`` "difference in SAKIP total (awarded - other)",
        ``estimate`` (points), ``ci_low``, ``ci_high``, ``p_value`` (t test),
        ``n``, ``method``, ``note``, ``se``, ``p_permutation``, ``n_resamples``,
        ``n_group`` (units in the group), ``raw_difference`` (unadjusted means).

    Notes
    -----
    This is the estimator of an additive "innovation effect" on SAKIP totals. It is
    descriptive: an award and a good grade may share causes (a well-run unit does both),
    so a gap is not evidence that innovating *raises* grades.

    Examples
    --------
    >>> df = pd.DataFrame({"sakip_total": [70, 72, 74, 80, 82, 84.0], "awarded": [0, 0, 0, 1, 1, 1]})
    >>> float(round(award_gap(df, category=None, n_perm=0).loc[0, "estimate"], 6))
    10.0
    """
    keep = frame[total].notna() & frame[group].notna()
    df = frame.loc[keep].reset_index(drop=True)
    g = _as_bool(df[group], group).astype(float)
    n = len(df)
    name = "difference in SAKIP total (awarded - other)"
    notes = [f"{int((~keep).sum())} unit(s) without {total} left out"] if (~keep).any() else []
    if n < 4 or g.sum() < 1 or g.sum() == n:
        why = "needs units in both groups and at least 4 units"
        return _frame([_row(name, n=n, note="; ".join([*notes, why]), n_group=int(g.sum()))], extra=("n_group",))
    X, _, dnotes = _design(df.assign(**{group: g}), [group], category, min_category)
    notes += dnotes
    why = _collinear(X, group)
    if not why and _flat(df[total].to_numpy(float)):
        why = f"{total} is the same for every unit: there is no gap to estimate"
    if why:
        return _frame([_row(name, n=n, note="; ".join([*notes, why]), n_group=int(g.sum()))], extra=("n_group",))
    Xm = X.to_numpy()
    yv = df[total].to_numpy(float)
    beta, *_ = np.linalg.lstsq(Xm, yv, rcond=None)
    resid = yv - Xm @ beta
    dof = n - np.linalg.matrix_rank(Xm)
    if dof <= 0:
        return _frame([_row(name, n=n, note="; ".join([*notes, "no residual degrees of freedom"]))])
    s2 = resid @ resid / dof
    cov = s2 * np.linalg.pinv(Xm.T @ Xm)
    j = list(X.columns).index(group)
    se = math.sqrt(cov[j, j])
    tq = stats.t.ppf(0.5 + ci / 2, dof)
    p = float(2 * stats.t.sf(abs(beta[j] / se), dof)) if se > 0 else np.nan
    raw = float(yv[g == 1].mean() - yv[g == 0].mean())
    p_perm = np.nan
    if n_perm:
        rng = check_rng(seed)
        strata = [np.arange(n)]
        cat_cols = [c for c in X.columns if c.startswith(f"{category}[")] if category else []
        if cat_cols:
            code = np.zeros(n, int)
            for k, c in enumerate(cat_cols, start=1):
                code[X[c].to_numpy() == 1] = k
            strata = [np.flatnonzero(code == k) for k in np.unique(code)]
        perms = np.broadcast_to(g, (n_perm, n)).copy()
        for idx in strata:
            perms[:, idx] = rng.permuted(perms[:, idx], axis=1)
        # Frisch-Waugh: with the other columns spanning the strata, shuffling within strata
        # leaves their projection of the group column unchanged, so each permuted
        # coefficient is (g* - P g) . (y - P y) / |g* - P g|^2.
        others = np.delete(Xm, j, axis=1)
        proj = others @ np.linalg.lstsq(others, np.column_stack([g, yv]), rcond=None)[0]
        g_fit, y_res = proj[:, 0], yv - proj[:, 1]
        gp = perms - g_fit[None, :]
        bp = (gp @ y_res) / np.einsum("rn,rn->r", gp, gp)
        p_perm = (1 + int(np.sum(np.abs(bp) >= abs(beta[j]) - 1e-9))) / (1 + n_perm)
    return _frame(
        [
            _row(
                name,
                estimate=float(beta[j]),
                ci_low=float(beta[j] - tq * se),
                ci_high=float(beta[j] + tq * se),
                p_value=p,
                n=n,
                method=f"OLS{' with category' if len(X.columns) > 2 else ''}; t {ci:.0%} CI"
                + (f"; permutation p within categories ({n_perm} resamples)" if n_perm else ""),
                note="; ".join(notes),
                se=se,
                p_permutation=p_perm,
                n_resamples=n_perm,
                n_group=int(g.sum()),
                raw_difference=raw,
            )
        ]
    )


# ----------------------------------------------------------------------------------------
# Rank correlation
# ----------------------------------------------------------------------------------------


def rank_correlation(x, y, *, method: str = "spearman", ci: float = 0.95) -> pd.DataFrame:
    """Spearman's rho or Kendall's tau-b between two measurements of the same units, with
    a Fisher-z interval.

    Parameters
    ----------
    x, y : array-like
        Paired values; pairs with a missing value are left out (and counted in
        ``note``).
    method : {"spearman", "kendall"}
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row: ``statistic`` ("Spearman's rho" / "Kendall's tau-b"), ``estimate``,
        ``ci_low``, ``ci_high``, ``p_value`` (:func:`scipy.stats.spearmanr` /
        :func:`scipy.stats.kendalltau`, two-sided), ``n``, ``method``, ``note``.

    Notes
    -----
    Intervals: ``tanh(atanh(r) -/+ z sd)`` with Fieller, Hartley & Pearson's (1957)
    standard deviations ``sqrt(1.06 / (n - 3))`` for rho and ``sqrt(0.437 / (n - 4))``
    for tau, which keep close to nominal coverage for moderate correlations (Bonett &
    Wright 2000). Fewer than 5 pairs, or a constant variable, give NaN with the reason.

    References
    ----------
    .. [1] Fieller, E. C., Hartley, H. O., & Pearson, E. S. (1957). Tests for rank
       correlation coefficients. I. Biometrika 44(3/4), 470-481.
    .. [2] Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for
       estimating Pearson, Kendall and Spearman correlations. Psychometrika 65(1), 23-28.

    Examples
    --------
    >>> r = rank_correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]).iloc[0]
    >>> round(float(r["estimate"]), 4), bool(r["ci_low"] < r["estimate"] < r["ci_high"])
    (0.8286, True)
    """
    if method not in ("spearman", "kendall"):
        raise ValueError(f"method is 'spearman' or 'kendall', not {method!r}")
    xv = pd.to_numeric(pd.Series(x), errors="coerce").to_numpy(float)
    yv = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(float)
    if xv.size != yv.size:
        raise ValueError(f"x and y differ in length ({xv.size} vs {yv.size})")
    ok = np.isfinite(xv) & np.isfinite(yv)
    n = int(ok.sum())
    label = "Spearman's rho" if method == "spearman" else "Kendall's tau-b"
    note = f"{int((~ok).sum())} pair(s) with a missing value left out" if (~ok).any() else ""
    sd_const = (1.06, 3) if method == "spearman" else (0.437, 4)
    mth = f"{label} (scipy); Fisher-z {ci:.0%} CI with the Fieller-Hartley-Pearson SD"
    if n < 5 or _flat(xv[ok]) or _flat(yv[ok]):
        why = "fewer than 5 pairs" if n < 5 else "a constant variable: no ranking to correlate"
        return _frame([_row(label, n=n, method=mth, note="; ".join(x for x in (note, why) if x))])
    if method == "spearman":
        res = stats.spearmanr(xv[ok], yv[ok])
    else:
        res = stats.kendalltau(xv[ok], yv[ok])
    r = float(res.statistic)
    if abs(r) >= 1 - 1e-12:
        note = "; ".join(x for x in (note, "perfect rank agreement: the interval collapses to the estimate") if x)
    sd = math.sqrt(sd_const[0] / (n - sd_const[1]))
    z = stats.norm.ppf(0.5 + ci / 2)
    zr = math.atanh(min(max(r, -0.999999), 0.999999))
    return _frame(
        [
            _row(
                label,
                estimate=r,
                ci_low=math.tanh(zr - z * sd),
                ci_high=math.tanh(zr + z * sd),
                p_value=float(res.pvalue),
                n=n,
                method=mth,
                note=note,
            )
        ]
    )


# ----------------------------------------------------------------------------------------
# Juror leniency and the halo check
# ----------------------------------------------------------------------------------------


def juror_leniency(
    long: pd.DataFrame, *, subject: str = "subject_id", rater: str = "juror_id", value: str = "score"
) -> pd.DataFrame:
    """Each juror's leniency: how many points above the average juror they score the same
    subjects (additive two-way model, least squares, missing cells allowed).

    Parameters
    ----------
    long : DataFrame
        One row per (subject, juror) value, e.g. each juror's weighted total per unit.

    Returns
    -------
    DataFrame
        ``juror_id`` (the ``rater`` column), ``leniency`` (points; the jurors' leniencies
        sum to 0), ``n_subjects``; sorted by juror.

    Notes
    -----
    Fits ``value[s, j] = mu + a[s] + b[j] + e`` by least squares with ``sum_j b[j] = 0``;
    with complete data ``b[j]`` is the juror's mean minus the grand mean, with missing
    cells it compares jurors on the subjects they share. Jurors not connected to the
    others through shared subjects cannot be compared: NaN.

    Examples
    --------
    >>> d = pd.DataFrame({"subject_id": list("aabbcc"), "juror_id": ["J1", "J2"] * 3,
    ...                   "score": [70, 74, 80, 84, 60, 64.0]})
    >>> juror_leniency(d)["leniency"].round(6).tolist()
    [-2.0, 2.0]
    """
    d = long[[subject, rater, value]].dropna()
    subs = pd.Index(sorted(d[subject].unique()))
    jurs = pd.Index(sorted(d[rater].unique()))
    out = pd.DataFrame({rater: jurs, "leniency": np.nan, "n_subjects": 0})
    if len(jurs) == 0:
        return out
    counts = d.groupby(rater, observed=True)[subject].nunique()
    out["n_subjects"] = counts.reindex(jurs).fillna(0).astype(int).to_numpy()
    if len(jurs) == 1:
        out["leniency"] = 0.0
        return out
    si = subs.get_indexer(d[subject])
    ji = jurs.get_indexer(d[rater])
    ns, nj = len(subs), len(jurs)
    # columns: subject effects (ns), juror contrasts (nj - 1) with b_last = -sum(others)
    X = np.zeros((len(d), ns + nj - 1))
    X[np.arange(len(d)), si] = 1.0
    jm = ji < nj - 1
    X[np.flatnonzero(jm), ns + ji[jm]] = 1.0
    X[np.flatnonzero(~jm), ns:] = -1.0
    coef, *_ = np.linalg.lstsq(X, d[value].to_numpy(float), rcond=None)
    b = np.append(coef[ns:], -coef[ns:].sum())
    # identifiability: a juror is comparable when removing it changes the fit's rank
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        b[:] = np.nan  # disconnected design: leniencies are not identified
    out["leniency"] = b
    return out


def halo_check(
    first: pd.DataFrame,
    second: pd.DataFrame,
    *,
    labels: tuple[str, str] = ("sakip", "kovablik"),
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    ci: float = 0.95,
    n_perm: int = 10_000,
    seed=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Does a juror's leniency in one evaluation carry into the other?

    Parameters
    ----------
    first, second : DataFrame
        Long juror totals of the two evaluations (``subject``, ``rater``, ``value``).
    labels : (str, str)
        Names of the two evaluations (used in the juror table's columns).
    ci : float
        Confidence level.
    n_perm : int
        Permutations for the p-value when there are more than 8 shared jurors (up to 8
        all orderings are enumerated: an exact p-value).
    seed : int or Generator, optional

    Returns
    -------
    (jurors, result)
        ``jurors``: one row per juror in either evaluation: ``juror_id``,
        ``leniency_<label>`` and ``n_subjects_<label>`` for both, ``in_both``.
        ``result``: rows ``Pearson r of juror leniencies`` (Fisher-z CI, permutation
        p) and ``Spearman's rho of juror leniencies`` (Fieller CI, permutation p), each
        with ``n`` = jurors who judged both, plus ``reliability of leniency (<label>)``
        rows: split-half reliability of the leniency estimates (odd/even subjects,
        Spearman-Brown), which bounds how high the correlation can be.

    Notes
    -----
    Leniencies come from :func:`juror_leniency` in each evaluation separately, so the
    subjects' own quality is removed before jurors are compared. A high positive
    correlation says the same people are lenient (or severe) in both: one juror's
    generosity reaches two rankings. The estimates carry sampling error, which pulls
    the correlation towards 0 (attenuation); the split-half reliabilities show how
    much. With a handful of shared jurors the interval is wide; fewer than 3 give NaN.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> lenient = dict(zip("ABCDEF", rng.normal(0, 4, 6)))
    >>> def totals(n):
    ...     return pd.DataFrame([{"subject_id": s, "juror_id": j, "score": 70 + s + lenient[j] + rng.normal()}
    ...                          for s in range(n) for j in "ABCDEF"])
    >>> _, res = halo_check(totals(20), totals(15), seed=1)
    >>> bool(res.loc[0, "estimate"] > 0.8)
    True
    """
    a, b = labels
    la = juror_leniency(first, subject=subject, rater=rater, value=value)
    lb = juror_leniency(second, subject=subject, rater=rater, value=value)
    jur = la.rename(columns={"leniency": f"leniency_{a}", "n_subjects": f"n_subjects_{a}"}).merge(
        lb.rename(columns={"leniency": f"leniency_{b}", "n_subjects": f"n_subjects_{b}"}), on=rater, how="outer"
    )
    jur["in_both"] = jur[f"n_subjects_{a}"].fillna(0).gt(0) & jur[f"n_subjects_{b}"].fillna(0).gt(0)
    for c in (f"n_subjects_{a}", f"n_subjects_{b}"):
        jur[c] = jur[c].fillna(0).astype(int)
    jur = jur.sort_values(rater, kind="stable").reset_index(drop=True)
    both = jur[jur["in_both"]].dropna(subset=[f"leniency_{a}", f"leniency_{b}"])
    x = both[f"leniency_{a}"].to_numpy(float)
    y = both[f"leniency_{b}"].to_numpy(float)
    n = len(both)
    rows = []
    if n < 3 or _flat(x) or _flat(y):
        why = (
            f"{n} juror(s) judged both evaluations: a correlation needs at least 3"
            if n < 3
            else "leniency is constant in one evaluation"
        )
        rows.append(_row("Pearson r of juror leniencies", n=n, note=why))
        rows.append(_row("Spearman's rho of juror leniencies", n=n, note=why))
    else:
        r = float(np.corrcoef(x, y)[0, 1])
        if n > 3:
            pr = stats.pearsonr(x, y).confidence_interval(confidence_level=ci)
            lo, hi = float(pr.low), float(pr.high)
        else:
            lo = hi = np.nan
        p_r, p_rho, pm = _perm_corr(x, y, n_perm, seed)
        rows.append(
            _row(
                "Pearson r of juror leniencies",
                estimate=r,
                ci_low=lo,
                ci_high=hi,
                p_value=p_r,
                n=n,
                method=f"Pearson r; Fisher-z {ci:.0%} CI; {pm}",
                note="" if n > 3 else "3 jurors: no interval",
            )
        )
        rho = rank_correlation(x, y, method="spearman", ci=ci).iloc[0]
        rows.append(
            _row(
                "Spearman's rho of juror leniencies",
                estimate=float(stats.spearmanr(x, y).statistic),
                ci_low=rho["ci_low"],
                ci_high=rho["ci_high"],
                p_value=p_rho,
                n=n,
                method=f"Spearman's rho; Fisher-z {ci:.0%} CI (Fieller SD); {pm}",
                note=rho["note"],
            )
        )
    for lab, df in ((a, first), (b, second)):
        rel, m = _split_half_reliability(df, subject, rater, value)
        rows.append(
            _row(
                f"reliability of leniency ({lab})",
                estimate=rel,
                n=m,
                method="split-half (alternate subjects), Spearman-Brown",
                note="" if np.isfinite(rel) else "fewer than 3 jurors or 4 subjects",
            )
        )
    return jur, _frame(rows)


def _perm_corr(x: np.ndarray, y: np.ndarray, n_perm: int, seed) -> tuple[float, float, str]:
    """Two-sided permutation p-values of Pearson r and Spearman rho (exact up to 8 pairs)."""
    n = x.size
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    if n <= 8:
        perms = np.array(list(itertools.permutations(range(n))))
        how = f"exact permutation p ({len(perms)} orderings)"
        total = len(perms)
        plus = 0
    else:
        rng = check_rng(seed)
        perms = np.array([rng.permutation(n) for _ in range(n_perm)]) if n_perm else np.empty((0, n), int)
        how = f"permutation p (Monte Carlo, {n_perm} resamples)"
        total = len(perms) + 1
        plus = 1
    if len(perms) == 0:
        return np.nan, np.nan, "no permutation p (n_perm=0)"
    xc = (x - x.mean()) / np.linalg.norm(x - x.mean())
    yc = (y - y.mean()) / np.linalg.norm(y - y.mean())
    rxc = (rx - rx.mean()) / np.linalg.norm(rx - rx.mean())
    ryc = (ry - ry.mean()) / np.linalg.norm(ry - ry.mean())
    r_obs, rho_obs = float(xc @ yc), float(rxc @ ryc)
    r_p = yc[perms] @ xc
    rho_p = ryc[perms] @ rxc
    p_r = (plus + int(np.sum(np.abs(r_p) >= abs(r_obs) - 1e-12))) / total
    p_rho = (plus + int(np.sum(np.abs(rho_p) >= abs(rho_obs) - 1e-12))) / total
    return p_r, p_rho, how


def _split_half_reliability(df: pd.DataFrame, subject: str, rater: str, value: str) -> tuple[float, int]:
    subs = sorted(df[subject].dropna().unique())
    if len(subs) < 4:
        return np.nan, int(df[rater].nunique())
    half = {s: i % 2 for i, s in enumerate(subs)}
    parts = [df[df[subject].map(half) == h] for h in (0, 1)]
    l0 = juror_leniency(parts[0], subject=subject, rater=rater, value=value).set_index(rater)["leniency"]
    l1 = juror_leniency(parts[1], subject=subject, rater=rater, value=value).set_index(rater)["leniency"]
    both = pd.concat([l0, l1], axis=1, join="inner").dropna()
    if len(both) < 3 or both.iloc[:, 0].std() == 0 or both.iloc[:, 1].std() == 0:
        return np.nan, len(both)
    r = float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1])
    return (2 * r / (1 + r) if r > -1 else np.nan), len(both)
