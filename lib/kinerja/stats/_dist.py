"""The normal, Student t and chi-square functions the statistics use, from scipy.special.

Each is the special function that :mod:`scipy.stats`' distribution calls for it
(``norm.ppf`` is ``ndtri``, ``t.sf(x, df)`` is ``stdtr(df, -x)``, ``chi2.ppf(q, df)`` is
``2 gammaincinv(df/2, q)``, ...), so the values are the same to the last bit (tested
against scipy.stats over a grid that includes the ends of each range, where the special
function alone can differ: ``stdtrit`` gives +inf for the 0 quantile). What they save is
importing scipy.stats, about 0.5-1 s of a kernel's start that the agreement notebook
paid for these few quantiles and tail areas alone.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def norm_cdf(x):
    """Standard normal distribution function (``scipy.stats.norm.cdf``)."""
    return special.ndtr(x)


def norm_sf(x):
    """Standard normal upper tail, 1 - cdf (``scipy.stats.norm.sf``)."""
    return special.ndtr(np.negative(x))


def norm_ppf(q):
    """Standard normal quantile (``scipy.stats.norm.ppf``)."""
    return special.ndtri(q)


def t_cdf(x, df):
    """Student t distribution function (``scipy.stats.t.cdf``)."""
    return special.stdtr(df, x)


def t_sf(x, df):
    """Student t upper tail (``scipy.stats.t.sf``)."""
    return special.stdtr(df, np.negative(x))


def t_ppf(q, df):
    """Student t quantile (``scipy.stats.t.ppf``); the ends of the support at 0 and 1
    (``stdtrit`` alone gives +inf at 0)."""
    q = np.asarray(q, dtype=float)
    out = np.where(q == 0, -np.inf, np.where(q == 1, np.inf, special.stdtrit(df, q)))
    return out[()]


def chi2_sf(x, df):
    """Chi-square upper tail (``scipy.stats.chi2.sf``)."""
    return special.chdtrc(df, x)


def chi2_ppf(q, df):
    """Chi-square quantile (``scipy.stats.chi2.ppf``)."""
    return 2 * special.gammaincinv(np.divide(df, 2), q)
