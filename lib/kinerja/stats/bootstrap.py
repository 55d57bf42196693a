"""The one bootstrap-interval helper of kinerja: resampling counts, percentile and BCa
limits. Every statistic that needs a bootstrap CI (agreement coefficients, effect
sizes, juror effects, ...) draws its resamples and forms its interval here, so that
the same seed, the same resampling scheme and the same interval rule hold everywhere.
"""

from __future__ import annotations

import numpy as np

from ._dist import norm_cdf, norm_ppf

__all__ = ["METHODS", "check_rng", "resample_counts", "bootstrap_interval", "bootstrap_intervals"]

#: Interval methods :func:`bootstrap_interval` knows.
METHODS = ("bca", "percentile")


def check_rng(seed) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from a seed, ``None`` or a Generator (passed through)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def resample_counts(rng: np.random.Generator, n_boot: int, n: int) -> np.ndarray:
    """``(n_boot, n)`` matrix: how often each of ``n`` sampling units is drawn in each
    resample (rows sum to ``n``). Statistics written for unit weights take these rows
    directly, which avoids copying the data for every resample.

    >>> resample_counts(np.random.default_rng(0), 2, 4).sum(axis=1).tolist()
    [4.0, 4.0]
    """
    idx = rng.integers(0, n, size=(n_boot, n))
    flat = idx + n * np.arange(n_boot)[:, None]
    return np.bincount(flat.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def bootstrap_interval(
    boot, estimate: float, jackknife=None, ci: float = 0.95, method: str = "bca"
) -> tuple[float, float]:
    """Percentile or BCa limits of one statistic from its bootstrap replicates.

    Parameters
    ----------
    boot : array-like
        Bootstrap replicates; non-finite ones (undefined in a resample) are ignored.
    estimate : float
        The estimate on the original data.
    jackknife : array-like, optional
        Leave-one-unit-out estimates, for the BCa acceleration (taken as 0 without them).
    ci : float
        Confidence level.
    method : {"bca", "percentile"}
        Bias-corrected and accelerated (Efron 1987) or plain percentile limits.

    Returns
    -------
    (ci_low, ci_high), NaN when fewer than 2 finite replicates or a non-finite estimate.

    Notes
    -----
    BCa shifts the percentile levels by the median bias ``z0`` (the share of replicates
    below the estimate, ties counted half, kept inside ``[1/(2B), 1 - 1/(2B)]``) and the
    acceleration ``a = sum(d^3) / (6 sum(d^2)^1.5)`` with ``d`` the jackknife deviations.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. JASA 82(397), 171-185.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> b = rng.normal(1.0, 0.1, 4000)
    >>> [round(x, 1) for x in bootstrap_interval(b, 1.0, method="percentile")]
    [0.8, 1.2]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    b = np.asarray(boot, float)
    b = b[np.isfinite(b)]
    if b.size < 2 or estimate is None or not np.isfinite(estimate):
        return np.nan, np.nan
    a = 1 - ci
    if method == "percentile":
        q = np.array([a / 2, 1 - a / 2])
    else:
        prop = (np.sum(b < estimate) + 0.5 * np.sum(b == estimate)) / b.size
        prop = min(max(prop, 1.0 / (2 * b.size)), 1 - 1.0 / (2 * b.size))
        z0 = norm_ppf(prop)
        acc = 0.0
        if jackknife is not None:
            j = np.asarray(jackknife, float)
            j = j[np.isfinite(j)]
            if j.size:
                d = j.mean() - j
                den = 6.0 * (d**2).sum() ** 1.5
                acc = (d**3).sum() / den if den > 0 else 0.0
        z = norm_ppf(np.array([a / 2, 1 - a / 2]))
        q = norm_cdf(z0 + (z0 + z) / (1 - acc * (z0 + z)))
    lo, hi = np.quantile(b, q)
    return float(lo), float(hi)


def zero_width_note(ci_low: float, ci_high: float, why: str = "the units are alike") -> str:
    """The note every bootstrap interval of zero width carries (empty otherwise): it
    shows that resampling found no variation (``why``: every unit alike, or one group
    above the other in every resample), not that the estimate is certain.

    >>> zero_width_note(0.5, 0.5)
    'every resample gave the same value, so the bootstrap interval has zero width (the units are alike): that is no variation under resampling, not certainty about the estimate'
    >>> zero_width_note(0.2, 0.7)
    ''
    """
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)) or ci_high - ci_low > 1e-12 * max(1.0, abs(ci_low)):
        return ""
    return (
        f"every resample gave the same value, so the bootstrap interval has zero width ({why}): that is no "
        "variation under resampling, not certainty about the estimate"
    )


def bootstrap_intervals(
    boot, estimates, jackknife=None, ci: float = 0.95, method: str = "bca"
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`bootstrap_interval` for each row of ``boot`` (statistics x resamples)."""
    boot = np.atleast_2d(np.asarray(boot, float))
    est = np.atleast_1d(np.asarray(estimates, float))
    lo = np.full(boot.shape[0], np.nan)
    hi = np.full(boot.shape[0], np.nan)
    for t in range(boot.shape[0]):
        jk = None if jackknife is None else np.asarray(jackknife)[t]
        lo[t], hi[t] = bootstrap_interval(boot[t], est[t], jk, ci, method)
    return lo, hi
