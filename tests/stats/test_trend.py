"""kinerja.stats.trend against R and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kinerja.stats.trend import correlation, mean_change, sign_test


def test_sign_test_matches_r_binom_test():
    # R: binom.test(7, 10)  -> p-value = 0.3438, 95 percent CI 0.3475471 0.9332605
    t = sign_test([1] * 7 + [-2] * 3 + [0] * 4).iloc[0]
    assert t["p_value"] == pytest.approx(0.34375, abs=1e-12)  # 2 * 176 / 1024, exact
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((0.3475471, 0.9332605), abs=1e-7)
    assert (t["n"], t["n_up"], t["n_down"], t["n_tied"]) == (10, 7, 3, 4)
    # R: binom.test(15, 15) -> p-value = 6.104e-05
    assert sign_test([1] * 15 + [0] * 14).iloc[0]["p_value"] == pytest.approx(2 * 0.5**15, rel=1e-12)


def test_sign_test_without_movement_is_undefined_with_a_reason():
    t = sign_test([0, 0, np.nan]).iloc[0]
    assert np.isnan(t["p_value"]) and t["n"] == 0 and "no unit moved" in t["note"]


def test_mean_change_interval_covers_and_is_reproducible():
    rng = np.random.default_rng(5)
    d = rng.integers(-1, 3, size=40).astype(float)
    a = mean_change(d, n_boot=800, seed=11).iloc[0]
    b = mean_change(d, n_boot=800, seed=11).iloc[0]
    assert a["estimate"] == pytest.approx(d.mean())
    assert (a["ci_low"], a["ci_high"]) == (b["ci_low"], b["ci_high"])
    assert a["ci_low"] < d.mean() < a["ci_high"]
    # peer: scipy's BCa bootstrap of the mean gives nearly the same limits
    ref = stats.bootstrap((d,), np.mean, n_resamples=4000, method="BCa", random_state=1).confidence_interval
    assert a["ci_low"] == pytest.approx(ref.low, abs=0.06) and a["ci_high"] == pytest.approx(ref.high, abs=0.06)


def test_mean_change_degenerate_cases_are_explicit():
    assert "same amount" in mean_change([1, 1, 1]).iloc[0]["note"]
    assert "one unit" in mean_change([2]).iloc[0]["note"]
    assert mean_change([]).iloc[0]["n"] == 0


def test_correlation_matches_r_cor_test_and_scipy():
    x = [1, 2, 3, 4, 5, 6, 7, 8]
    y = [2.1, 1.9, 3.5, 3.0, 5.2, 4.8, 7.1, 6.4]
    t = correlation(x, y).iloc[0]
    ref = stats.pearsonr(x, y)
    ci = ref.confidence_interval(0.95)
    assert t["estimate"] == pytest.approx(ref.statistic) and t["p_value"] == pytest.approx(ref.pvalue)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((ci.low, ci.high))
    # by hand (Fisher 1921): tanh(atanh(r) -/+ 1.96 / sqrt(n - 3))
    z, se = np.arctanh(t["estimate"]), 1 / np.sqrt(len(x) - 3)
    q = stats.norm.ppf(0.975)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((np.tanh(z - q * se), np.tanh(z + q * se)))


def test_correlation_degenerate_cases_are_explicit():
    assert "at least 3" in correlation([1, 2], [2, 1]).iloc[0]["note"]
    assert "constant" in correlation([1, 1, 1, 1], [1, 2, 3, 4]).iloc[0]["note"]
    t = correlation([1, 2, 3], [1, 3, 2]).iloc[0]
    assert np.isfinite(t["estimate"]) and np.isnan(t["ci_low"]) and "n > 3" in t["note"]
    with pytest.raises(ValueError, match="paired"):
        correlation([1, 2, 3], [1, 2])
