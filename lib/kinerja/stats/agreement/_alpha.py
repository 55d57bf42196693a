"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, with missing values.

Closed forms per metric, so no values x values matrix is built for continuous scores
(interval, ordinal); a unit bootstrap gives confidence intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ..bootstrap import bootstrap_interval, check_rng, resample_counts, zero_width_note
from ._common import (
    FEW_UNITS,
    MIN_UNITS,
    AgreementInputError,
    agreement_api,
    barely_identified,
    blank_note,
    blanks_to_missing,
    check_columns,
    join_notes,
    result_frame,
    to_matrix,
)

__all__ = ["krippendorff_alpha"]

#: Columns of :func:`krippendorff_alpha` after ``statistic`` and the inference columns.
ALPHA_EXTRAS = ("level", "n_pairable", "n_boot")
#: Identification rule (see :func:`krippendorff_alpha`, Notes, and
#: :data:`kinerja.stats.agreement._common.MIN_UNITS`): fewer pairable units than
#: MIN_UNITS give NaN; fewer than FEW_UNITS give the estimate with a note and no
#: bootstrap interval.

_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_CHUNK_ELEMS = 4_000_000  # max elements of a temporary block (32 MB of float64)
_MAX_DENSE_PAIRS = 4000  # ratio bootstrap: largest V (or U) for a V x V (U x U) matrix


# --------------------------------------------------------------------------------------
# Preparation: pairable units, value codes, counts
# --------------------------------------------------------------------------------------


class _Units:
    """Pairable units (>= 2 values) of a rating matrix, in the forms the metrics need."""

    def __init__(self, mat: np.ndarray):
        obs = ~np.isnan(mat)
        m_all = obs.sum(axis=1)
        pair = m_all >= 2
        self.n_single = int((m_all == 1).sum())
        self.mat = mat[pair]
        self.obs = obs[pair]
        self.m = m_all[pair].astype(float)
        self.n_units = int(pair.sum())
        # long form of the pairable values
        rows, _ = np.nonzero(self.obs)
        self.unit = rows
        self.values = self.mat[self.obs]
        self.n = float(self.m.sum())

    def codes(self):
        """Distinct sorted values, the code of every value and the sparse U x V counts."""
        if not hasattr(self, "_codes"):
            distinct, code = np.unique(self.values, return_inverse=True)
            counts = sparse.csr_matrix((np.ones(code.size), (self.unit, code)), shape=(self.n_units, distinct.size))
            counts.sum_duplicates()
            self._codes = (distinct, code, counts)
        return self._codes


def _chunks(total: int, per_row: int):
    step = max(1, _CHUNK_ELEMS // max(per_row, 1))
    for start in range(0, total, step):
        yield slice(start, min(total, start + step))


def _ratio_delta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Krippendorff's ratio metric ((a - b) / (a + b))^2, defined as 0 when a = b = 0."""
    s = a + b
    d = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (d / s) ** 2
    return np.where(s == 0, 0.0, out)


# --------------------------------------------------------------------------------------
# Observed and expected disagreement for a batch of unit weights
# --------------------------------------------------------------------------------------
# For unit weights W (B x U; ones for the estimate, bootstrap counts, or jackknife
# leave-one-out), each function returns (do_num, de_num, n), arrays of shape (B,):
#   do_num = sum_u w_u / (m_u - 1) * sum_{i != j in u} delta(v_i, v_j)
#   de_num = sum_{i != j over all pairable values} delta(v_i, v_j)
#   n      = number of pairable values
# and alpha = 1 - (n - 1) * do_num / de_num  (= 1 - D_o / D_e).


class _Interval:
    """delta = (a - b)^2: sum_{i != j} (v_i - v_j)^2 = 2 m SS over any set of m values."""

    def __init__(self, u: _Units, values: np.ndarray | None = None):
        x = u.values if values is None else values
        x = x - x.mean()  # alpha is shift and scale invariant: centre and scale so
        spread = np.abs(x).max() if x.size else 0.0  # that squares neither lose digits
        if spread > 0:  # nor underflow
            x = x / spread
        s1 = np.bincount(u.unit, weights=x, minlength=u.n_units)
        s2 = np.bincount(u.unit, weights=x * x, minlength=u.n_units)
        ss = np.maximum(s2 - s1**2 / u.m, 0.0)
        self.do_u = 2.0 * u.m * ss / (u.m - 1)
        self.m, self.s1, self.s2 = u.m, s1, s2

    def parts(self, w: np.ndarray):
        n = w @ self.m
        s1 = w @ self.s1
        s2 = w @ self.s2
        return w @ self.do_u, np.maximum(2.0 * (n * s2 - s1**2), 0.0), n


class _Nominal:
    """delta = [a != b]: sum_{i != j} delta = m^2 - sum_c n_c^2 over any set of values."""

    def __init__(self, u: _Units):
        _, _, counts = u.codes()
        self.counts = counts
        sq = np.asarray(counts.multiply(counts).sum(axis=1)).ravel()
        self.do_u = (u.m**2 - sq) / (u.m - 1)
        self.m = u.m

    def parts(self, w: np.ndarray):
        n = w @ self.m
        nc = np.asarray(self.counts.T @ w.T).T  # B x V value counts
        return w @ self.do_u, n**2 - (nc**2).sum(axis=1), n


class _Ordinal:
    """Krippendorff's ordinal metric: delta_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2.

    That is (r_k - r_c)^2 with the mid-rank r_c = sum_{g<c} n_g + n_c / 2 of value c
    among all pairable values, so ordinal alpha is interval alpha of the mid-ranks. In
    a resample the counts n_g, hence the ranks, change; ``parts`` recomputes them.
    """

    def __init__(self, u: _Units):
        _, code, counts = u.codes()
        self.counts = counts
        self.m = u.m
        self.g = 2.0 * u.m / (u.m - 1)
        self.h = 2.0 / (u.m - 1)
        self.code = code

    def point_values(self) -> np.ndarray:
        nc = np.asarray(self.counts.sum(axis=0)).ravel()
        r = np.cumsum(nc) - nc / 2.0
        return r[self.code]

    def parts(self, w: np.ndarray):
        n = w @ self.m
        nc = np.asarray(self.counts.T @ w.T).T  # B x V
        r = np.cumsum(nc, axis=1) - nc / 2.0
        r = r - (nc * r).sum(axis=1, keepdims=True) / n[:, None]  # centre per resample
        de = 2.0 * (n * (nc * r**2).sum(axis=1))  # sum over values of n_c (r_c - mean)^2
        term1 = (np.asarray(self.counts.T @ (w * self.g).T).T * r**2).sum(axis=1)
        p = np.asarray(self.counts @ r.T)  # U x B: sum of ranks per unit
        term2 = ((w.T * self.h[:, None]) * p**2).sum(axis=0)
        return term1 - term2, np.maximum(de, 0.0), n


class _Ratio:
    """delta = ((a - b)/(a + b))^2 (0 when a = b = 0); no closed form.

    Within units: O(sum_u m_u^2). Expected disagreement: a chunked loop over the
    distinct values, O(V^2) time and O(V) memory. Resamples: through a V x V matrix
    of the metric (when V <= 4000) or a U x U matrix of unit-by-unit sums (when
    U <= 4000); otherwise no bootstrap (too costly).
    """

    def __init__(self, u: _Units):
        distinct, _, counts = u.codes()
        self.u = u
        top = distinct[-1] if distinct.size else 0.0
        self.scale = top if top > 0 else 1.0  # the metric is scale invariant; scaling
        distinct = distinct / self.scale  # avoids overflow in a + b
        self.distinct = distinct
        self.counts = counts
        self.nc = np.asarray(counts.sum(axis=0)).ravel()
        self.m = u.m
        # within-unit sums, in chunks of units
        n_r = u.mat.shape[1]
        self.do_u = np.zeros(u.n_units)
        for sl in _chunks(u.n_units, n_r * n_r):
            v = u.mat[sl] / self.scale
            d = _ratio_delta(v[:, :, None], v[:, None, :])
            d = np.where(np.isnan(d), 0.0, d)
            self.do_u[sl] = d.sum(axis=(1, 2)) / (u.m[sl] - 1)
        self._pair = None

    def de_point(self) -> float:
        """sum_{c, k} n_c n_k delta(c, k) over distinct values, upper triangle only."""
        v, c = self.distinct, self.nc  # sorted ascending, non-negative
        total = 0.0
        if v[0] == 0:  # delta(0, b) = 1 for b > 0, delta(0, 0) = 0
            total += 2.0 * c[0] * c[1:].sum()
            v, c = v[1:], c[1:]
        step = max(1, _CHUNK_ELEMS // max(v.size, 1))
        for start in range(0, v.size, step):
            stop = min(v.size, start + step)
            a = v[start:stop, None]
            b = v[None, start:]  # diagonal block (both orders) and everything above it
            ratio = b - a
            ratio /= b + a
            ratio *= ratio
            cc = c[start:stop]
            width = stop - start
            total += float(cc @ (ratio[:, :width] @ cc))
            total += 2.0 * float(cc @ (ratio[:, width:] @ c[stop:]))
        return total

    def pair_matrix(self):
        """(kind, matrix) used by the bootstrap, or None when too large."""
        if self._pair is None:
            v = self.distinct
            if v.size <= _MAX_DENSE_PAIRS:
                self._pair = ("values", _ratio_delta(v[:, None], v[None, :]))
            elif self.u.n_units <= _MAX_DENSE_PAIRS:
                # K[u, u'] = sum of delta over values of u times values of u'
                counts = self.counts.tocsc()
                k = np.zeros((self.u.n_units, self.u.n_units))
                for sl in _chunks(v.size, v.size):
                    block = _ratio_delta(v[sl, None], v[None, :])  # chunk x V
                    right = np.asarray(self.counts @ block.T)  # U x chunk
                    k += np.asarray(counts[:, sl] @ right.T)
                self._pair = ("units", k)
            else:
                self._pair = ("none", None)
        return self._pair

    def parts(self, w: np.ndarray):
        n = w @ self.m
        kind, mat = self.pair_matrix()
        if kind == "values":
            nc = np.asarray(self.counts.T @ w.T).T
            de = ((nc @ mat) * nc).sum(axis=1)
        elif kind == "units":
            de = ((w @ mat) * w).sum(axis=1)
        else:
            de = np.full(w.shape[0], np.nan)
        return w @ self.do_u, de, n


def _alpha_from_parts(do, de, n):
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.0 - (n - 1.0) * do / de
    return np.where(de > 0, a, np.nan)


def _batched(metric, weights_iter):
    out = []
    for w in weights_iter:
        out.append(_alpha_from_parts(*metric.parts(w)))
    return np.concatenate(out) if out else np.array([])


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


@agreement_api(legacy_positional=("subject", "rater", "value", "level", "n_boot", "seed", "ci", "ci_method"))
def krippendorff_alpha(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    level: str = "interval",
    n_boot: int = 0,
    seed=None,
    ci: float = 0.95,
    ci_method: str = "bca",
) -> pd.DataFrame:
    r"""Krippendorff's alpha reliability coefficient, any number of raters, missing values.

    Parameters
    ----------
    data : DataFrame
        Long format, one row per (unit, rater) value; NaN = missing, and so is a blank
        label (an empty or whitespace-only string such as ``" "``). A duplicated
        (unit, rater) pair is an error.
    subject, rater, value : str
        Column names of the unit (agency), the rater (juror) and the value.
    level : {"interval", "nominal", "ordinal", "ratio"}
        Level of measurement, i.e. the difference function (metric). Nominal values may
        be any labels; the other levels need numbers; ratio needs non-negative numbers.
    n_boot : int
        Number of unit-bootstrap resamples for the interval; 0 (default) gives none.
    seed : int, Generator or None
        Seed of the resampling.
    ci : float
        Confidence level.
    ci_method : {"bca", "percentile"}
        Bias-corrected and accelerated (default; acceleration from the unit jackknife)
        or percentile bootstrap interval.

    Returns
    -------
    DataFrame
        One row with the contract's columns (:mod:`kinerja.agreement`):
        ``statistic`` ("krippendorff_alpha"), ``estimate``, ``se`` (standard deviation
        of the bootstrap replicates; NaN without a bootstrap), ``ci_low``,
        ``ci_high``, ``ci_level`` (NaN without a bootstrap), ``p_value`` (NaN: no
        test), ``n_subjects`` (pairable units), ``n_raters`` (raters with a pairable
        value), ``method``, ``note``; then ``level``, ``n_pairable`` (pairable values)
        and ``n_boot``.

    Notes
    -----
    With :math:`m_u` values in unit :math:`u`, :math:`n = \sum_u m_u` pairable values
    and a difference function :math:`\delta`,

    .. math::

        D_o = \frac{1}{n}\sum_u \frac{1}{m_u - 1}\sum_{i \ne j \in u}\delta(v_i, v_j),
        \qquad
        D_e = \frac{1}{n(n-1)}\sum_{i \ne j}\delta(v_i, v_j),
        \qquad \alpha = 1 - \frac{D_o}{D_e},

    the second sum over all pairs of pairable values (Krippendorff 2011). This equals
    the coincidence-matrix computation. Metrics and how they are computed (:math:`N`
    values, :math:`U` units, :math:`V` distinct values):

    - interval, :math:`(a-b)^2`: :math:`\sum_{i \ne j}(v_i - v_j)^2 = 2m\,SS` for any
      set of :math:`m` values with sum of squared deviations :math:`SS`, so
      :math:`\alpha = 1 - (n-1)\sum_u \frac{m_u SS_u}{m_u - 1} / (n\,SS_{total})`;
      O(N) time and memory.
    - nominal, :math:`[a \ne b]`: from value counts per unit (sparse), O(N log N).
    - ordinal, :math:`\delta_{ck} = (\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`: this is
      :math:`(r_k - r_c)^2` with :math:`r_c` the mid-rank of value :math:`c` among the
      pairable values, so ordinal alpha is interval alpha of the mid-ranks;
      O(N log N). It reproduces alpha = 0.815 on Krippendorff's (2011) example C.
      Gwet's "ordinal weights" (R irrCAC) are a different metric (0.834 there).
    - ratio, :math:`((a-b)/(a+b))^2` (0 when :math:`a = b = 0`): no closed form;
      within units O(sum of :math:`m_u^2`), the expected disagreement by a chunked
      loop over distinct values, O(:math:`V^2`) time, O(:math:`V`) memory.

    **Missing values.** A unit with a single value is unpairable and is dropped (not
    an error); their number is in ``note``. Blank labels (``""``, ``" "``,
    ``"\u00a0"``, ...: strings with nothing visible in them, as spreadsheet exports
    leave them) are missing values, never a category; ``note`` says how many.

    **Identification rule.** Alpha is NaN, with the reason in ``note``, when fewer
    than 2 units are pairable: with a single unit :math:`D_o = D_e` identically, so
    alpha would be 0 whatever the values. With 2 to 4 pairable units the estimate is
    given with a note that it is barely identified, and no bootstrap interval (a unit
    bootstrap over so few units has too few distinct resamples to describe the
    sampling distribution). Alpha is also NaN when all pairable values are identical
    (expected disagreement 0).

    **Confidence interval.** Units (agencies) are resampled with replacement and alpha
    is recomputed from per-unit sums for all resamples at once. This differs from
    Krippendorff's own bootstrap (Hayes & Krippendorff 2007), which resamples pairable
    values from the coincidence matrix as if pairs were independent; values within a
    unit are not independent (the same agency is seen by every juror), and the units
    are what was sampled, so the unit bootstrap respects the design. Resamples in which
    alpha is undefined are dropped; ``se`` is the standard deviation of the replicates.
    Ratio level: resampling needs a :math:`V \times V` or :math:`U \times U` matrix;
    with more than 4000 distinct values *and* units the interval is NaN (noted).

    **What the interval covers.** The raters are kept in every resample, so the
    interval describes how alpha would vary over new samples of units judged by *these*
    raters; it does not carry the uncertainty that comes from the raters being a
    sample of a population of jurors. Coverage in simulation
    (``benchmarks/coverage_agreement.py``: interval scores ``y_ij = s_i + r_j +
    e_ij``, subject variance 1, population alpha 0.5, 5 raters; 1,000 datasets per
    design, 1,000 resamples; nominal 0.95, Monte Carlo SE 0.007):

    - of alpha for the raters drawn (their effects fixed): BCa 0.92 with 30 units,
      0.91 with 60, 0.92 with 30 units and 20% of cells missing; percentile
      0.89-0.91;
    - of the population alpha, when raters differ in leniency (rater variance 0.25,
      residual 0.75): BCa 0.87 with 30 units, 0.85 with 60, 0.88 with 20% missing
      (percentile 0.83-0.85). More units do not help: the uncertainty left out is
      that of the raters. With raters that do not differ (rater variance 0) the two
      targets coincide and BCa covers 0.92.

    So read the interval as a statement about these jurors, a little liberal at 30-60
    units; for a claim about jurors in general it is too narrow.

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
       Annenberg School for Communication, University of Pennsylvania.
       https://repository.upenn.edu/asc_papers/43
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
       reliability measure for coding data. Communication Methods and Measures, 1(1),
       77-89.
    .. [3] Krippendorff, K. (2019). Content analysis: An introduction to its
       methodology (4th ed.). Sage.

    Examples
    --------
    The 3 coders x 15 units example from Wikipedia ("Krippendorff's alpha"):

    >>> import numpy as np, pandas as pd
    >>> wide = pd.DataFrame({
    ...     "A": [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
    ...     "B": [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan,
    ...           np.nan, np.nan],
    ...     "C": [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4]})
    >>> long = wide.rename_axis("subject_id").reset_index().melt(
    ...     "subject_id", var_name="juror_id", value_name="score")
    >>> res = krippendorff_alpha(long, level="nominal")
    >>> res[["statistic", "estimate", "n_subjects", "n_raters"]].round(6)
                statistic  estimate  n_subjects  n_raters
    0  krippendorff_alpha  0.691358          12         3
    >>> round(float(res.loc[0, "estimate"]), 6), int(res.loc[0, "n_pairable"])
    (0.691358, 26)
    >>> round(float(krippendorff_alpha(long).loc[0, "estimate"]), 6)
    0.810845
    """
    if level not in _LEVELS:
        raise AgreementInputError(f"level must be one of {_LEVELS}, got {level!r}")
    if ci_method not in ("bca", "percentile"):
        raise AgreementInputError(f"ci_method must be 'bca' or 'percentile', got {ci_method!r}")
    try:
        n_boot = int(n_boot)
    except (TypeError, ValueError):
        raise AgreementInputError(f"n_boot must be a non-negative integer, got {n_boot!r}") from None
    if n_boot < 0 or n_boot == 1:
        raise AgreementInputError(f"n_boot must be 0 (no interval) or at least 2, got {n_boot}")
    ci = float(ci)
    if not 0.0 < ci < 1.0:
        raise AgreementInputError(f"ci is a confidence level in (0, 1), e.g. 0.95; got {ci}")

    check_columns(data, subject=subject, rater=rater, value=value)
    data, n_blank = blanks_to_missing(data, value)
    col = data[value]
    if level == "nominal" and not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        codes, _ = pd.factorize(col, sort=True)  # labels -> codes, NaN -> -1
        data = pd.DataFrame(
            {subject: data[subject], rater: data[rater], value: np.where(codes < 0, np.nan, codes.astype(float))},
            index=data.index,
        )
    mat = to_matrix(data, subject=subject, rater=rater, value=value).values
    if np.isinf(mat).any():
        raise AgreementInputError(f"column {value!r} holds infinite values")
    if level == "ratio" and (mat < 0).any():
        raise AgreementInputError(
            f"level='ratio' needs non-negative values (a ratio scale has a true zero); "
            f"column {value!r} has {int((mat < 0).sum())} negative value(s). "
            "Use level='interval' for scores that can be negative."
        )

    u = _Units(mat)
    notes: list[str] = [blank_note(n_blank)]
    if u.n_single:
        notes.append(f"{u.n_single} unit(s) with a single value dropped (unpairable)")
    method = f"krippendorff alpha, {level} metric"
    est = np.nan
    lo = hi = se = np.nan
    metric = None
    if u.n_units == 0:
        notes.append("no unit has two or more values: alpha undefined")
    elif u.n_units < MIN_UNITS:
        notes.append(
            "not identified: a single pairable unit (with one unit the observed and the expected "
            "disagreement are the same numbers, so alpha would be 0 whatever the values; "
            f"rule: at least {MIN_UNITS} pairable units)"
        )
    else:
        if level == "interval":
            metric = _Interval(u)
            est = float(_alpha_from_parts(*metric.parts(np.ones((1, u.n_units))))[0])
        elif level == "nominal":
            metric = _Nominal(u)
            est = float(_alpha_from_parts(*metric.parts(np.ones((1, u.n_units))))[0])
        elif level == "ordinal":
            metric = _Ordinal(u)
            point = _Interval(u, metric.point_values())
            est = float(_alpha_from_parts(*point.parts(np.ones((1, u.n_units))))[0])
        else:
            metric = _Ratio(u)
            do = float(metric.do_u.sum())
            de = metric.de_point()
            est = float(_alpha_from_parts(np.array([do]), np.array([de]), np.array([u.n]))[0])
        if not np.isfinite(est):
            notes.append("all pairable values are identical: expected disagreement is 0, alpha undefined")
        elif u.n_units < FEW_UNITS:
            notes.append(barely_identified(u.n_units, "pairable units", "treat alpha as rough"))

    if n_boot == 0:
        notes.append("no interval requested (n_boot=0)")
    elif metric is not None and np.isfinite(est) and u.n_units < FEW_UNITS:
        notes.append(f"no bootstrap interval with fewer than {FEW_UNITS} pairable units")
    elif metric is not None and np.isfinite(est):
        if isinstance(metric, _Ratio) and metric.pair_matrix()[0] == "none":
            notes.append(
                f"no bootstrap for the ratio metric with {metric.distinct.size} distinct values "
                f"and {u.n_units} units (would need a matrix over more than {_MAX_DENSE_PAIRS})"
            )
        else:
            rng = check_rng(seed)
            n_u = u.n_units
            per_row = max(n_u, metric.counts.shape[1] if hasattr(metric, "counts") else 0)

            def boot_weights():
                for sl in _chunks(n_boot, per_row * 4):
                    yield resample_counts(rng, sl.stop - sl.start, n_u)

            boot = _batched(metric, boot_weights())
            jack = np.array([])
            if ci_method == "bca":

                def jack_weights():  # leave one unit out
                    for sl in _chunks(n_u, per_row * 4):
                        w = np.ones((sl.stop - sl.start, n_u))
                        w[np.arange(sl.stop - sl.start), np.arange(sl.start, sl.stop)] = 0.0
                        yield w

                jack = _batched(metric, jack_weights())
            lo, hi = bootstrap_interval(boot, est, jack if jack.size else None, ci, ci_method)
            if zero_width_note(lo, hi):
                notes.append(zero_width_note(lo, hi))
            finite = boot[np.isfinite(boot)]
            se = float(np.std(finite, ddof=1)) if finite.size > 1 else np.nan
            n_bad = int((~np.isfinite(boot)).sum())
            if n_bad:
                notes.append(f"{n_bad} of {n_boot} resamples had no expected disagreement and were dropped")
            method += f"; ci: unit bootstrap ({ci_method}), {n_boot} resamples"
    n_raters = int(u.obs.any(axis=0).sum()) if u.n_units else 0
    return result_frame(
        [
            {
                "statistic": "krippendorff_alpha",
                "estimate": est,
                "se": se,
                "ci_low": lo,
                "ci_high": hi,
                "ci_level": ci if n_boot else np.nan,
                "p_value": np.nan,
                "n_subjects": u.n_units,
                "n_raters": n_raters,
                "method": method,
                "note": join_notes(*notes),
                "level": level,
                "n_pairable": int(u.n),
                "n_boot": n_boot,
            }
        ],
        ALPHA_EXTRAS,
    )
