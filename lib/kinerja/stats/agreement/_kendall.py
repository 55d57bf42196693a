"""Kendall's coefficient of concordance W: do the jurors rank the subjects alike?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._dist import chi2_sf
from ..bootstrap import METHODS, bootstrap_interval, check_rng, resample_counts, zero_width_note
from ._common import INFERENCE_COLUMNS, AgreementInputError, agreement_api, join_notes, result_frame, to_matrix

__all__ = ["kendall_w"]

#: Own columns of :func:`kendall_w`, after ``statistic`` and the inference columns.
KENDALL_EXTRAS = ("chi2", "df", "correct_ties", "n_boot")
KENDALL_COLUMNS = ("statistic", *INFERENCE_COLUMNS, *KENDALL_EXTRAS)
_CHUNK_ELEMS = 2_000_000  # resamples x subjects per block of the bootstrap


class _WeightedW:
    """W of the data with subject ``i`` taken ``w_i`` times, for many weight rows at once.

    A subject drawn twice is tied with itself in every rater's ranking, so the
    mid-ranks of a resample follow from counting, per rater, how much weight lies
    below and at each distinct score: O(B n m) for B weight rows, no sorting per
    resample. ``w(weights)`` gives W for each row of ``weights`` (B x n).
    """

    def __init__(self, x: np.ndarray, correct_ties: bool):
        self.n, self.m = x.shape
        self.correct_ties = correct_ties
        self.raters = []
        for j in range(self.m):
            order = np.argsort(x[:, j], kind="stable")
            v = x[order, j]
            new = np.r_[True, v[1:] != v[:-1]]  # first subject of each distinct score
            group = np.empty(self.n, dtype=np.intp)  # distinct score of each subject
            group[order] = np.cumsum(new) - 1
            starts = np.flatnonzero(new)
            self.raters.append((order, None if starts.size == self.n else starts, group))

    def w(self, weights: np.ndarray) -> np.ndarray:
        wt = np.ascontiguousarray(np.atleast_2d(weights).T)  # subjects x resamples
        big_n = wt.sum(axis=0)
        rank_sum = np.zeros(wt.shape)
        ties = np.zeros(wt.shape[1])
        for order, starts, group in self.raters:
            gc = wt[order] if starts is None else np.add.reduceat(wt[order], starts, axis=0)  # weight per score
            mid = np.cumsum(gc, axis=0)  # mid-rank of each score: weight below + (weight at + 1) / 2
            mid -= gc / 2.0
            mid += 0.5
            rank_sum += mid[group]
            if self.correct_ties:
                ties += (gc * (gc * gc - 1.0)).sum(axis=0)  # sum of t^3 - t (x * x * x: no slow pow)
        centre = self.m * (big_n + 1.0) / 2.0
        s = (wt * (rank_sum - centre) ** 2).sum(axis=0)
        denom = self.m**2 * (big_n**3 - big_n) - self.m * ties
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denom > 0, 12.0 * s / denom, np.nan)


@agreement_api()
def kendall_w(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    correct_ties: bool = True,
    n_boot: int = 0,
    seed=None,
    ci: float = 0.95,
    ci_method: str = "bca",
) -> pd.DataFrame:
    """Kendall's W with the Friedman chi-square test.

    Each rater's scores are turned into ranks of the ``n`` subjects (ties get mid
    ranks); W measures how alike the ``m`` raters' rankings are, from 0 (no
    concordance) to 1 (identical rankings).

    Parameters
    ----------
    data : DataFrame
        Long format: one row per (subject, rater) score. Complete data are
        required: every rater must score every subject.
    subject, rater, value : str
        Column names (defaults ``subject_id``, ``juror_id``, ``score``).
    correct_ties : bool, default True
        Use the tie-corrected W (Kendall & Babington Smith 1939; Kendall 1948).
        Without correction W is biased downwards when raters give equal scores,
        which rubric scores often do.
    n_boot : int, default 0
        Resamples of the subject bootstrap for the confidence interval; 0 gives no
        interval (as :func:`krippendorff_alpha`). 2000 is a good choice.
    seed : int, Generator or None
        Seed of the resampling (the same seed gives the same interval).
    ci : float, default 0.95
        Confidence level.
    ci_method : {"bca", "percentile"}, default "bca"
        Bias-corrected and accelerated (acceleration from the subject jackknife)
        or percentile interval.

    Returns
    -------
    DataFrame
        One row with the contract's columns (:mod:`kinerja.agreement`):
        ``statistic`` ("kendall_w"), ``estimate``, ``se`` (standard deviation of the
        bootstrap replicates), ``ci_low``, ``ci_high``, ``ci_level`` (NaN without a
        bootstrap), ``p_value`` (Friedman test), ``n_subjects``, ``n_raters``,
        ``method``, ``note``; then ``chi2``, ``df``, ``correct_ties``, ``n_boot``.

    Raises
    ------
    AgreementInputError
        If a score is missing (a missing row or a NaN score): W and its test are
        defined for complete rankings only. Drop the incomplete subjects or raters
        first, or use :func:`kinerja.agreement.gwet_ac` /
        :func:`kinerja.agreement.krippendorff_alpha`, which allow missing ratings.

    Notes
    -----
    With ``R_i`` the sum of subject ``i``'s ranks over the ``m`` raters and
    ``S = sum_i (R_i - m (n + 1) / 2)^2``,

    ``W = 12 S / (m^2 (n^3 - n) - m sum_j T_j)``, ``T_j = sum (t^3 - t)`` over the
    groups of ``t`` tied scores of rater ``j`` (``T_j = 0`` when
    ``correct_ties=False``).

    The test of H0 "no concordance" uses the Friedman statistic
    ``chi2 = m (n - 1) W`` with ``n - 1`` df (large-sample chi-square
    approximation; Friedman 1937). It is computed from the W reported (tie-corrected
    or not), as R irr's ``kendall`` does; with ties corrected it equals
    :func:`scipy.stats.friedmanchisquare` with subjects as treatments and raters
    as blocks. With few subjects (n < 8) the chi-square approximation is rough.

    Undefined cases give NaN with the reason in ``note``: fewer than two subjects
    or two raters, or (tie-corrected) every rater giving every subject the same
    score, which leaves nothing to rank.

    **Confidence interval.** Subjects are resampled with replacement (the raters and
    their columns are kept), W is recomputed on each resample from mid-ranks (a
    subject drawn twice is tied with itself for every rater) and the BCa (or
    percentile) limits are taken with :func:`kinerja.stats.bootstrap.bootstrap_interval`.
    What it covers: with the raters fixed and subjects a random sample, the
    population concordance of these raters, ``W_inf = ((m - 1) rho_S + 1) / m`` with
    ``rho_S`` the mean population Spearman correlation between two raters (the
    limit of W as the number of subjects grows; for a finite ``n`` W is biased
    downwards by about ``3 (m - 1) (rho_S - tau) / (m (n + 1))``, ``tau`` Kendall's
    tau, from Kendall's expectation of Spearman's rho). Coverage of ``W_inf`` in
    simulation (``benchmarks/coverage_agreement.py``: normal scores ``y_ij = s_i +
    e_ij``, two raters correlating 0.5; 1,000 datasets per design, 1,000 resamples;
    nominal 0.95, Monte Carlo SE 0.007): BCa 0.92-0.96 with 10 subjects, 0.93-0.97
    with 20 and 0.94-0.95 with 40, for 3, 5 and 10 raters (lowest with many raters
    and few subjects), and 0.95 for scores on a 1-7 rubric (ties; 20 subjects, 5
    raters); the percentile interval is up to 0.03 lower. No interval (NaN, with
    the reason) with fewer than 5 subjects: a bootstrap over so few subjects cannot
    describe the sampling distribution.

    References
    ----------
    .. [1] Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings.
       Annals of Mathematical Statistics, 10(3), 275-287.
    .. [2] Kendall, M. G. (1948). Rank Correlation Methods. Griffin.
    .. [3] Friedman, M. (1937). The use of ranks to avoid the assumption of
       normality implicit in the analysis of variance. Journal of the American
       Statistical Association, 32, 675-701.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "subject_id": [1, 2, 3, 4] * 3,
    ...     "juror_id": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
    ...     "score": [1, 2, 3, 4, 1, 3, 2, 4, 2, 1, 3, 4]})
    >>> kendall_w(df)[["estimate", "chi2", "df", "p_value"]].round(4)
       estimate  chi2  df  p_value
    0    0.7778   7.0   3   0.0719
    """
    if not isinstance(correct_ties, (bool, np.bool_)):
        raise AgreementInputError(f"correct_ties must be True or False, got {correct_ties!r}")
    if ci_method not in METHODS:
        raise AgreementInputError(f"ci_method must be 'bca' or 'percentile', got {ci_method!r}")
    try:
        n_boot = int(n_boot)
    except (TypeError, ValueError):
        raise AgreementInputError(f"n_boot must be a non-negative integer, got {n_boot!r}") from None
    if n_boot < 0 or n_boot == 1:
        raise AgreementInputError(f"n_boot must be 0 (no interval) or at least 2, got {n_boot}")
    if not isinstance(ci, (int, float)) or isinstance(ci, bool) or not 0.0 < ci < 1.0:
        raise AgreementInputError(f"ci is a confidence level in (0, 1), e.g. 0.95; got {ci!r}")
    mat = to_matrix(data, subject=subject, rater=rater, value=value)
    x = mat.values
    n, m = x.shape
    if not mat.complete:
        miss = np.argwhere(~np.isfinite(x))
        i, j = miss[0]
        raise AgreementInputError(
            f"Kendall's W needs complete data, but {len(miss)} of {n * m} "
            f"(subject, rater) scores are missing, e.g. {subject}={mat.subjects.tolist()[i]!r}, "
            f"{rater}={mat.raters.tolist()[j]!r}; drop the incomplete subjects or raters first "
            "(e.g. keep subjects scored by every rater), or use gwet_ac / "
            "krippendorff_alpha, which allow missing ratings"
        )

    def row(estimate, chi2=np.nan, p=np.nan, note="", se=np.nan, lo=np.nan, hi=np.nan, how=""):
        method = "Friedman chi-square test" + (
            f"; ci: subject bootstrap ({ci_method}), {n_boot} resamples" if how else ""
        )
        return result_frame(
            [
                {
                    "statistic": "kendall_w",
                    "estimate": estimate,
                    "se": se,
                    "ci_low": lo,
                    "ci_high": hi,
                    "ci_level": ci if n_boot else np.nan,
                    "p_value": p,
                    "n_subjects": n,
                    "n_raters": m,
                    "method": method,
                    "note": note,
                    "chi2": chi2,
                    "df": max(n - 1, 0),
                    "correct_ties": bool(correct_ties),
                    "n_boot": n_boot,
                }
            ],
            KENDALL_EXTRAS,
        )

    if n < 2:
        return row(np.nan, note="Kendall's W needs at least two subjects to rank")
    if m < 2:
        return row(np.nan, note="Kendall's W needs at least two raters")
    ranks = pd.DataFrame(x).rank(axis=0, method="average").to_numpy()  # rank subjects per rater (complete data)
    rank_sums = ranks.sum(axis=1)
    s = float(((rank_sums - m * (n + 1) / 2.0) ** 2).sum())
    ties = 0.0
    if correct_ties:
        for j in range(m):
            _, t = np.unique(x[:, j], return_counts=True)
            ties += float((t**3 - t).sum())
    denom = m**2 * (n**3 - n) - m * ties
    if denom <= 0:
        return row(np.nan, note="every rater gave every subject the same score: there is no ranking, W is undefined")
    w = 12.0 * s / denom
    chi2 = m * (n - 1) * w
    p = float(chi2_sf(chi2, n - 1))
    if n_boot == 0:
        return row(w, chi2, p, note="no interval requested (n_boot=0)")
    if n < _MIN_BOOT_SUBJECTS:
        return row(w, chi2, p, note=f"no bootstrap interval with fewer than {_MIN_BOOT_SUBJECTS} subjects")
    ww = _WeightedW(x, bool(correct_ties))
    rng = check_rng(seed)
    step = max(1, _CHUNK_ELEMS // (n * m))
    boot = np.concatenate([ww.w(resample_counts(rng, min(step, n_boot - b), n)) for b in range(0, n_boot, step)])
    jack = ww.w(1.0 - np.eye(n)) if ci_method == "bca" else None
    lo, hi = bootstrap_interval(boot, w, jack, ci, ci_method)
    finite = boot[np.isfinite(boot)]
    se = float(np.std(finite, ddof=1)) if finite.size > 1 else np.nan
    n_bad = n_boot - finite.size
    note = join_notes(
        f"{n_bad} of {n_boot} resamples had nothing to rank and were dropped" if n_bad else "", zero_width_note(lo, hi)
    )
    return row(w, chi2, p, note=note, se=se, lo=lo, hi=hi, how="boot")


#: Fewest subjects for a bootstrap interval of W.
_MIN_BOOT_SUBJECTS = 5
