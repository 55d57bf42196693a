"""Statistics of change between evaluation years: paired changes and their tests.

Plain arrays in, one-row tidy DataFrames out (``statistic, estimate, ci_low, ci_high,
p_value, n, method, note``), as everywhere in :mod:`kinerja.stats`. Used by the trends
analysis (notebook 05) on grade steps (``D`` = 0 ... ``AA`` = 6) and juror severities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .bootstrap import bootstrap_interval, check_rng, resample_counts

__all__ = ["RESULT_COLUMNS", "sign_test", "mean_change", "correlation"]

#: Columns of every result of this module.
RESULT_COLUMNS = ("statistic", "estimate", "ci_low", "ci_high", "p_value", "n", "method", "note")


def _one(**kw) -> pd.DataFrame:
    row = {c: kw.get(c, np.nan) for c in RESULT_COLUMNS}
    row["note"] = kw.get("note", "")
    row["method"] = kw.get("method", "")
    return pd.DataFrame([row], columns=list(RESULT_COLUMNS))


def _finite(x) -> np.ndarray:
    a = np.asarray(x, dtype=float).ravel()
    return a[np.isfinite(a)]


def sign_test(changes) -> pd.DataFrame:
    """Exact two-sided sign test: do more units move up than down?

    Parameters
    ----------
    changes : array-like
        One change per unit (e.g. grade steps from one year to another); NaN is dropped
        (the unit was not graded in both years).

    Returns
    -------
    DataFrame
        One row: ``statistic`` = ``"sign test"``, ``estimate`` = share of the units that
        moved which moved up (0.5 = as many up as down), ``ci_low``/``ci_high`` its exact
        Clopper-Pearson 95% interval, ``p_value`` (two-sided, H0: up and down equally
        likely), ``n`` = units that moved, and ``n_up``, ``n_down``, ``n_tied`` columns.

    Notes
    -----
    Ties (no change) carry no information on the direction and are set aside, as in the
    classical sign test (Conover 1999, section 3.4); their number is reported. The p-value
    is the exact binomial test of ``n_up`` successes in ``n_up + n_down`` trials with
    probability 1/2. With no unit moving the test is undefined (NaN and a note).

    References
    ----------
    Conover, W. J. (1999). *Practical Nonparametric Statistics*, 3rd ed. Wiley.

    Examples
    --------
    >>> t = sign_test([1, 1, 1, 1, 1, 1, 1, -1, -1, -1, 0, 0])
    >>> t[["estimate", "p_value", "n", "n_up", "n_down", "n_tied"]].round(5).iloc[0].tolist()
    [0.7, 0.34375, 10.0, 7.0, 3.0, 2.0]
    """
    d = _finite(changes)
    up, down = int((d > 0).sum()), int((d < 0).sum())
    tied = int((d == 0).sum())
    extra = {"n_up": up, "n_down": down, "n_tied": tied}
    moved = up + down
    if moved == 0:
        out = _one(
            statistic="sign test",
            n=0,
            method="exact binomial, p = 1/2",
            note="no unit moved: the direction of change is undefined",
        )
        return out.assign(**extra)
    res = stats.binomtest(up, moved, 0.5)
    ci = res.proportion_ci(0.95, method="exact")
    out = _one(
        statistic="sign test",
        estimate=up / moved,
        ci_low=ci.low,
        ci_high=ci.high,
        p_value=res.pvalue,
        n=moved,
        method="exact binomial, p = 1/2 (ties set aside)",
    )
    return out.assign(**extra)


def mean_change(changes, *, n_boot: int = 2000, seed=None, ci: float = 0.95) -> pd.DataFrame:
    """Mean of paired changes with a bootstrap interval over units.

    Parameters
    ----------
    changes : array-like
        One change per unit; NaN is dropped.
    n_boot : int
        Bootstrap resamples of the units (0: no interval).
    seed : int, Generator or None
        Seed of the resampling.
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row: ``statistic`` = ``"mean change"``, ``estimate``, BCa ``ci_low`` and
        ``ci_high`` (:func:`kinerja.stats.bootstrap.bootstrap_interval`, jackknife
        acceleration), ``n`` units.

    Notes
    -----
    Units are the resampling units (each unit's change is one observation). With grades,
    changes are whole steps and many are 0: the interval then moves in steps of 1/n and a
    BCa interval can be as narrow as the data allow; with fewer than 2 units, or all
    changes equal, the interval is undefined or degenerate (stated in ``note``).

    Examples
    --------
    >>> t = mean_change([0, 1, 1, 2, 0, 1, -1, 1], n_boot=500, seed=1)
    >>> float(t["estimate"].iloc[0]), bool(t["ci_low"].iloc[0] < 0.625 < t["ci_high"].iloc[0])
    (0.625, True)
    """
    d = _finite(changes)
    n = d.size
    if n == 0:
        return _one(statistic="mean change", n=0, note="no unit with a change to average")
    est = float(d.mean())
    note = ""
    lo = hi = np.nan
    if n < 2:
        note = "one unit: no interval"
    elif np.all(d == d[0]):
        lo = hi = est
        note = "every unit changed by the same amount: the interval is a point"
    elif n_boot > 0:
        counts = resample_counts(check_rng(seed), n_boot, n)
        boot = counts @ d / n
        jack = (d.sum() - d) / (n - 1)
        lo, hi = bootstrap_interval(boot, est, jack, ci=ci, method="bca")
    method = f"mean; BCa bootstrap over units ({n_boot} resamples)" if n_boot > 0 and n >= 2 else "mean"
    return _one(statistic="mean change", estimate=est, ci_low=lo, ci_high=hi, n=n, method=method, note=note)


def correlation(x, y, *, ci: float = 0.95) -> pd.DataFrame:
    """Pearson correlation of paired values with its Fisher-z interval and p-value.

    Parameters
    ----------
    x, y : array-like
        Paired values (e.g. a juror's severity in one year and the next); pairs with a
        NaN are dropped.
    ci : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row: ``statistic`` = ``"Pearson r"``, ``estimate``, ``ci_low``, ``ci_high``
        (Fisher z transformation, as R ``cor.test``), ``p_value`` (t test, H0: r = 0),
        ``n`` pairs; NaN with the reason in ``note`` for fewer than 3 pairs (no interval
        below 4) or a constant variable.

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced
    from a small sample. *Metron* 1, 3-32.

    Examples
    --------
    >>> t = correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> [round(float(t[c].iloc[0]), 4) for c in ("estimate", "ci_low", "ci_high", "p_value")]
    [0.8, -0.2796, 0.9862, 0.1041]
    """
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"x and y must be paired: {a.size} vs {b.size} values")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = a.size
    base = dict(statistic="Pearson r", n=n, method="Pearson; Fisher z interval, t test")
    if n < 3:
        return _one(**base, note=f"{n} pair(s): a correlation needs at least 3")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return _one(**base, note="a constant variable: the correlation is undefined")
    res = stats.pearsonr(a, b)
    lo = hi = np.nan
    note = ""
    if n > 3:
        c = res.confidence_interval(confidence_level=ci)
        lo, hi = float(c.low), float(c.high)
    else:
        note = "3 pairs: no Fisher-z interval (it needs n > 3)"
    return _one(**base, estimate=float(res.statistic), ci_low=lo, ci_high=hi, p_value=float(res.pvalue), note=note)
