"""Two jurors at a time: Bland–Altman limits of agreement and juror x juror matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from ._common import AgreementInputError, to_matrix


def paired_scores(
    scores: pd.DataFrame, rater_a, rater_b, subject: str = "subject_id", rater: str = "juror_id", score: str = "score"
) -> pd.DataFrame:
    """Subjects scored by both jurors: ``subject, a, b, mean, diff`` (diff = a - b)."""
    m = to_matrix(scores, subject, rater, score)
    for r in (rater_a, rater_b):
        if r not in m.raters:
            raise AgreementInputError(f"rater {r!r} not found; the raters are {list(m.raters)}")
    a = m.values[:, m.raters.get_loc(rater_a)]
    b = m.values[:, m.raters.get_loc(rater_b)]
    both = np.isfinite(a) & np.isfinite(b)
    return pd.DataFrame(
        {
            subject: m.subjects[both],
            "a": a[both],
            "b": b[both],
            "mean": (a[both] + b[both]) / 2,
            "diff": a[both] - b[both],
        }
    )


def bland_altman(
    scores: pd.DataFrame,
    rater_a,
    rater_b,
    subject: str = "subject_id",
    rater: str = "juror_id",
    score: str = "score",
    ci: float = 0.95,
    k: float | None = None,
) -> pd.DataFrame:
    r"""Bland–Altman bias and limits of agreement between two jurors.

    Parameters
    ----------
    scores : DataFrame
        Long data; only subjects scored by both jurors are used (their number is ``n``).
    rater_a, rater_b : label
        The two jurors; differences are ``a - b``.
    ci : float
        Level of the confidence intervals of the bias and of each limit.
    k : float, optional
        Multiplier of the SD of the differences; default the normal quantile for ``ci``
        (1.96 for 0.95). Bland & Altman (1986) used 2.

    Returns
    -------
    DataFrame
        One row: ``rater_a, rater_b, n, bias, sd_diff, loa_low, loa_high, bias_ci_low,
        bias_ci_high, loa_low_ci_low, loa_low_ci_high, loa_high_ci_low, loa_high_ci_high,
        note``.

    Notes
    -----
    bias = mean(d), limits = bias ± k·s_d. The CI of the bias uses t(n-1) with SE
    s_d/√n; the CIs of the limits use the approximate SE √(3 s_d² / n) of Bland & Altman
    (1986, 1999) with t(n-1). Fewer than two common subjects give NaN with the reason.

    References
    ----------
    Bland, J. M., & Altman, D. G. (1986). Statistical methods for assessing agreement
    between two methods of clinical measurement. Lancet, 327(8476), 307–310.
    Bland, J. M., & Altman, D. G. (1999). Measuring agreement in method comparison
    studies. Statistical Methods in Medical Research, 8(2), 135–160.

    Examples
    --------
    >>> df = pd.DataFrame({"subject_id": [1, 1, 2, 2, 3, 3], "juror_id": list("ababab"),
    ...                    "score": [80, 78, 70, 71, 90, 86]})
    >>> float(bland_altman(df, "a", "b")["bias"].iloc[0])
    1.6666666666666667
    """
    p = paired_scores(scores, rater_a, rater_b, subject, rater, score)
    n = len(p)
    z = float(stats.norm.ppf(0.5 + ci / 2)) if k is None else float(k)
    row = {"rater_a": rater_a, "rater_b": rater_b, "n": n}
    names = [
        "bias",
        "sd_diff",
        "loa_low",
        "loa_high",
        "bias_ci_low",
        "bias_ci_high",
        "loa_low_ci_low",
        "loa_low_ci_high",
        "loa_high_ci_low",
        "loa_high_ci_high",
    ]
    if n < 2:
        row.update({c: np.nan for c in names})
        row["note"] = f"{n} subject(s) scored by both jurors: limits of agreement need at least 2"
        return pd.DataFrame([row])
    d = p["diff"].to_numpy()
    bias, sd = float(d.mean()), float(d.std(ddof=1))
    t = float(stats.t.ppf(0.5 + ci / 2, n - 1))
    se_b, se_l = sd / np.sqrt(n), np.sqrt(3 * sd**2 / n)
    lo, hi = bias - z * sd, bias + z * sd
    row.update(
        bias=bias,
        sd_diff=sd,
        loa_low=lo,
        loa_high=hi,
        bias_ci_low=bias - t * se_b,
        bias_ci_high=bias + t * se_b,
        loa_low_ci_low=lo - t * se_l,
        loa_low_ci_high=lo + t * se_l,
        loa_high_ci_low=hi - t * se_l,
        loa_high_ci_high=hi + t * se_l,
        note="" if sd > 0 else "the two jurors differ by the same amount on every subject",
    )
    return pd.DataFrame([row])


def pairwise(
    scores: pd.DataFrame,
    statistic: str = "icc_a1",
    subject: str = "subject_id",
    rater: str = "juror_id",
    score: str = "score",
    min_common: int = 3,
) -> pd.DataFrame:
    """Juror x juror matrix of a two-juror agreement statistic.

    ``statistic``: ``"icc_a1"`` (absolute-agreement ICC(A,1) of the pair, from
    :func:`kinerja.agreement.icc`), ``"pearson"`` (consistency only) or
    ``"mean_abs_diff"`` (mean |a - b| in score points). Pairs with fewer than
    ``min_common`` common subjects are NaN. The diagonal is 1 (0 for mean_abs_diff).
    """
    from ._icc import icc

    m = to_matrix(scores, subject, rater, score)
    raters = list(m.raters)
    diag = 0.0 if statistic == "mean_abs_diff" else 1.0
    out = pd.DataFrame(np.nan, index=pd.Index(raters, name=rater), columns=pd.Index(raters, name=rater))
    for r in raters:
        out.loc[r, r] = diag
    for a, b in itertools.combinations(raters, 2):
        x, y = m.values[:, raters.index(a)], m.values[:, raters.index(b)]
        both = np.isfinite(x) & np.isfinite(y)
        if both.sum() < min_common:
            continue
        if statistic == "mean_abs_diff":
            v = float(np.abs(x[both] - y[both]).mean())
        elif statistic == "pearson":
            v = float(np.corrcoef(x[both], y[both])[0, 1]) if x[both].std() > 0 and y[both].std() > 0 else np.nan
        elif statistic == "icc_a1":
            sub = pd.DataFrame(
                {
                    subject: np.tile(np.arange(both.sum()), 2),
                    rater: np.repeat([0, 1], both.sum()),
                    score: np.concatenate([x[both], y[both]]),
                }
            )
            res = icc(sub, subject=subject, rater=rater, score=score, ci=None)
            v = float(res.loc[res["type"] == "ICC(2,1)", "estimate"].iloc[0])
        else:
            raise AgreementInputError(f"unknown statistic {statistic!r}; use 'icc_a1', 'pearson' or 'mean_abs_diff'")
        out.loc[a, b] = out.loc[b, a] = v
    return out


def most_discrepant_pair(
    scores: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    score: str = "score",
    min_common: int = 3,
) -> tuple:
    """The juror pair with the largest mean absolute difference over common subjects."""
    mad = pairwise(scores, "mean_abs_diff", subject, rater, score, min_common)
    arr = mad.to_numpy(copy=True)
    np.fill_diagonal(arr, np.nan)
    if np.isnan(arr).all():
        raise AgreementInputError("no juror pair shares enough subjects to compare")
    i, j = np.unravel_index(np.nanargmax(arr), arr.shape)
    return mad.index[min(i, j)], mad.columns[max(i, j)]
