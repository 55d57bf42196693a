"""Kendall's coefficient of concordance W: do the jurors rank the subjects alike?"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._common import AgreementInputError, to_matrix

__all__ = ["kendall_w"]

KENDALL_COLUMNS = [
    "coefficient",
    "estimate",
    "ci_low",
    "ci_high",
    "chi2",
    "df",
    "p_value",
    "n_subjects",
    "n_raters",
    "correct_ties",
    "note",
]


def kendall_w(
    ratings: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    correct_ties: bool = True,
) -> pd.DataFrame:
    """Kendall's W with the Friedman chi-square test.

    Each rater's scores are turned into ranks of the ``n`` subjects (ties get mid
    ranks); W measures how alike the ``m`` raters' rankings are, from 0 (no
    concordance) to 1 (identical rankings).

    Parameters
    ----------
    ratings : DataFrame
        Long format: one row per (subject, rater) score. Complete data are
        required: every rater must score every subject.
    subject, rater, value : str
        Column names (defaults ``subject_id``, ``juror_id``, ``score``).
    correct_ties : bool, default True
        Use the tie-corrected W (Kendall & Babington Smith 1939; Kendall 1948).
        Without correction W is biased downwards when raters give equal scores,
        which rubric scores often do.

    Returns
    -------
    DataFrame
        One row: ``coefficient`` ("kendall_w"), ``estimate``, ``ci_low``,
        ``ci_high`` (NaN: W has no standard closed-form interval; the columns are
        kept so that all agreement tables share them), ``chi2``, ``df``,
        ``p_value``, ``n_subjects``, ``n_raters``, ``correct_ties``, ``note``.

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
    mat = to_matrix(ratings, subject=subject, rater=rater, value=value)
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

    def row(estimate, chi2=np.nan, p=np.nan, note=""):
        return pd.DataFrame(
            [
                {
                    "coefficient": "kendall_w",
                    "estimate": estimate,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "chi2": chi2,
                    "df": max(n - 1, 0),
                    "p_value": p,
                    "n_subjects": n,
                    "n_raters": m,
                    "correct_ties": bool(correct_ties),
                    "note": note,
                }
            ],
            columns=KENDALL_COLUMNS,
        )

    if n < 2:
        return row(np.nan, note="Kendall's W needs at least two subjects to rank")
    if m < 2:
        return row(np.nan, note="Kendall's W needs at least two raters")
    ranks = np.apply_along_axis(stats.rankdata, 0, x)  # rank subjects per rater
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
    return row(w, chi2, float(stats.chi2.sf(chi2, n - 1)))
