"""kinerja.stats._dist: the special functions behind scipy.stats' normal, t and chi-square
distributions. Peer: scipy.stats itself; the values must be the same to the last bit,
including at the ends of each range (0, 1, infinities) and for NaN."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kinerja.stats import _dist

Q = np.array([0.0, 1e-300, 1e-12, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975, 0.999, 1 - 1e-12, 1.0, np.nan])
X = np.array([-np.inf, -40.0, -8.5, -3.0, -1.96, -0.5, 0.0, 1e-9, 0.5, 1.96, 3.0, 8.5, 40.0, 400.0, np.inf, np.nan])
DF = np.array([1.0, 2.0, 2.5, 4.0, 9.0, 29.0, 100.0, 1e4])


def same(ours, theirs):
    np.testing.assert_array_equal(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float))


def test_normal():
    same(_dist.norm_cdf(X), stats.norm.cdf(X))
    same(_dist.norm_sf(X), stats.norm.sf(X))
    same(_dist.norm_ppf(Q), stats.norm.ppf(Q))
    assert isinstance(float(_dist.norm_ppf(0.975)), float)
    assert _dist.norm_ppf(0.975) == pytest.approx(1.959963984540054, abs=1e-15)


@pytest.mark.parametrize("df", DF)
def test_student_t(df):
    same(_dist.t_cdf(X, df), stats.t.cdf(X, df))
    same(_dist.t_sf(X, df), stats.t.sf(X, df))
    same(_dist.t_ppf(Q, df), stats.t.ppf(Q, df))


@pytest.mark.parametrize("df", DF)
def test_chi_square(df):
    x = np.abs(X)
    same(_dist.chi2_sf(x, df), stats.chi2.sf(x, df))
    same(_dist.chi2_ppf(Q, df), stats.chi2.ppf(Q, df))


def test_chi_square_quantiles_of_published_tables():
    # chi-square table values (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4): upper 5% points
    assert _dist.chi2_ppf(0.95, 1) == pytest.approx(3.841, abs=5e-4)
    assert _dist.chi2_ppf(0.95, 10) == pytest.approx(18.307, abs=5e-4)
    assert _dist.chi2_ppf(0.025, 5) == pytest.approx(0.831, abs=5e-4)
    # and Student t (two-sided 95%, 10 df): 2.228
    assert _dist.t_ppf(0.975, 10) == pytest.approx(2.228, abs=5e-4)
