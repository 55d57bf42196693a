"""Two jurors at a time: Bland–Altman limits of agreement and juror x juror matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .._dist import norm_ppf, t_ppf, t_sf
from ._common import AgreementInputError, agreement_api, result_frame, to_matrix

#: Own columns of :func:`bland_altman`, after ``statistic`` and the inference columns.
BLAND_ALTMAN_EXTRAS = (
    "rater_a",
    "rater_b",
    "sd_diff",
    "k",
    "loa_low",
    "loa_high",
    "loa_low_ci_low",
    "loa_low_ci_high",
    "loa_high_ci_low",
    "loa_high_ci_high",
)


def _pair_columns(m, rater_a, rater_b):
    if rater_a is None or rater_b is None:
        raise AgreementInputError("name the two raters: rater_a=..., rater_b=...")
    for r in (rater_a, rater_b):
        if r not in m.raters:
            raise AgreementInputError(f"rater {r!r} not found; the raters are {list(m.raters)}")
    return m.values[:, m.raters.get_loc(rater_a)], m.values[:, m.raters.get_loc(rater_b)]


@agreement_api(legacy_positional=("rater_a", "rater_b", "subject", "rater", "value"))
def paired_scores(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    rater_a=None,
    rater_b=None,
) -> pd.DataFrame:
    """Subjects scored by both jurors: ``<subject>, a, b, mean, diff`` (diff = a - b).

    This returns data (one row per subject), not a statistic, so it has no
    ``statistic`` column; :func:`bland_altman` summarises it.

    >>> df = pd.DataFrame({"subject_id": [1, 1, 2, 2, 3], "juror_id": list("ababa"),
    ...                    "score": [80, 78, 70, 71, 90]})
    >>> paired_scores(df, rater_a="a", rater_b="b")
       subject_id     a     b  mean  diff
    0           1  80.0  78.0  79.0   2.0
    1           2  70.0  71.0  70.5  -1.0
    """
    m = to_matrix(data, subject, rater, value)
    a, b = _pair_columns(m, rater_a, rater_b)
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


@agreement_api(legacy_positional=("rater_a", "rater_b", "subject", "rater", "value", "ci", "k"))
def bland_altman(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    rater_a=None,
    rater_b=None,
    ci: float = 0.95,
    k: float | None = None,
) -> pd.DataFrame:
    r"""Bland–Altman bias and limits of agreement between two jurors.

    Parameters
    ----------
    data : DataFrame
        Long data; only subjects scored by both jurors are used (their number is ``n``).
    subject, rater, value : str
        Column names (defaults ``subject_id``, ``juror_id``, ``score``).
    rater_a, rater_b : label
        The two jurors (required); differences are ``a - b``.
    ci : float
        Level of the confidence intervals of the bias and of each limit.
    k : float, optional
        Multiplier of the SD of the differences; default the normal quantile for ``ci``
        (1.96 for 0.95). Bland & Altman (1986) used 2.

    Returns
    -------
    DataFrame
        One row with the contract's columns (:mod:`kinerja.agreement`):
        ``statistic`` ("bias": the mean difference a - b), ``estimate`` (the bias),
        ``se`` (``s_d / sqrt(n)``), ``ci_low``, ``ci_high`` (its t interval),
        ``ci_level``, ``p_value`` (paired t test of no bias), ``n_subjects``
        (``n``), ``n_raters`` (2), ``method``, ``note``; then ``rater_a, rater_b,
        sd_diff, k, loa_low, loa_high, loa_low_ci_low, loa_low_ci_high,
        loa_high_ci_low, loa_high_ci_high``.

    Notes
    -----
    bias = mean(d), limits = bias ± k·s_d. The CI of the bias uses t(n-1) with SE
    s_d/√n, and ``p_value`` is the matching paired t test of H0: bias = 0 (is one
    juror systematically more lenient?); the CIs of the limits use the approximate SE
    √(3 s_d² / n) of Bland & Altman (1986, 1999) with t(n-1). Fewer than two common
    subjects give NaN with the reason.

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
    >>> float(bland_altman(df, rater_a="a", rater_b="b")["estimate"].iloc[0])
    1.6666666666666667
    """
    p = paired_scores(data, subject=subject, rater=rater, value=value, rater_a=rater_a, rater_b=rater_b)
    n = len(p)
    z = float(norm_ppf(0.5 + ci / 2)) if k is None else float(k)
    row = {
        "statistic": "bias",
        "ci_level": ci,
        "n_subjects": n,
        "n_raters": 2,
        "method": "mean difference with t interval and paired t test; limits of agreement bias ± k·SD "
        "with Bland & Altman's (1986) approximate CIs",
        "rater_a": rater_a,
        "rater_b": rater_b,
        "k": z,
    }
    if n < 2:
        row["note"] = f"{n} subject(s) scored by both jurors: limits of agreement need at least 2"
        return result_frame([row], BLAND_ALTMAN_EXTRAS)
    d = p["diff"].to_numpy()
    bias, sd = float(d.mean()), float(d.std(ddof=1))
    t = float(t_ppf(0.5 + ci / 2, n - 1))
    se_b, se_l = sd / np.sqrt(n), np.sqrt(3 * sd**2 / n)
    lo, hi = bias - z * sd, bias + z * sd
    if sd > 0:
        p_value = float(2 * t_sf(abs(bias / se_b), n - 1))
    else:
        p_value = 1.0 if bias == 0 else 0.0
    row.update(
        estimate=bias,
        se=se_b,
        ci_low=bias - t * se_b,
        ci_high=bias + t * se_b,
        p_value=p_value,
        note="" if sd > 0 else "the two jurors differ by the same amount on every subject",
        sd_diff=sd,
        loa_low=lo,
        loa_high=hi,
        loa_low_ci_low=lo - t * se_l,
        loa_low_ci_high=lo + t * se_l,
        loa_high_ci_low=hi - t * se_l,
        loa_high_ci_high=hi + t * se_l,
    )
    return result_frame([row], BLAND_ALTMAN_EXTRAS)


_PAIR_STATISTICS = ("icc_a1", "pearson", "mean_abs_diff")


@agreement_api(legacy_positional=("statistic", "subject", "rater", "value", "min_common"))
def pairwise(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    statistic: str = "icc_a1",
    min_common: int = 3,
) -> pd.DataFrame:
    """Juror x juror matrix of a two-juror agreement statistic (for heatmaps).

    ``statistic``: ``"icc_a1"`` (absolute-agreement ICC(A,1) of the pair, from
    :func:`kinerja.agreement.icc`), ``"pearson"`` (consistency only) or
    ``"mean_abs_diff"`` (mean |a - b| in score points). Pairs with fewer than
    ``min_common`` common subjects are NaN. The diagonal is 1 (0 for mean_abs_diff).

    This returns a square matrix (raters in the index and columns), not a tidy
    result table, so it has no ``statistic`` column.

    >>> df = pd.DataFrame({"subject_id": [1, 2, 3] * 2, "juror_id": list("aaabbb"),
    ...                    "score": [1.0, 2.0, 4.0, 2.0, 3.0, 5.0]})
    >>> pairwise(df, statistic="mean_abs_diff").to_numpy()
    array([[0., 1.],
           [1., 0.]])
    """
    from ._icc import icc

    if statistic not in _PAIR_STATISTICS:
        raise AgreementInputError(f"unknown statistic {statistic!r}; use 'icc_a1', 'pearson' or 'mean_abs_diff'")
    m = to_matrix(data, subject, rater, value)
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
        else:
            sub = pd.DataFrame(
                {
                    "subject_id": np.tile(np.arange(both.sum()), 2),
                    "juror_id": np.repeat([0, 1], both.sum()),
                    "score": np.concatenate([x[both], y[both]]),
                }
            )
            res = icc(sub, ci=None)
            v = float(res.loc[res["statistic"] == "ICC(2,1)", "estimate"].iloc[0])
        out.loc[a, b] = out.loc[b, a] = v
    return out


@agreement_api(legacy_positional=("subject", "rater", "value", "min_common"))
def most_discrepant_pair(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    *,
    min_common: int = 3,
) -> tuple:
    """The juror pair with the largest mean absolute difference over common subjects.

    Returns the two rater labels ``(rater_a, rater_b)`` (a tuple, not a table).

    >>> df = pd.DataFrame({"subject_id": [1, 2, 3] * 3, "juror_id": list("aaabbbccc"),
    ...                    "score": [1.0, 2.0, 4.0, 2.0, 3.0, 5.0, 1.0, 2.0, 3.0]})
    >>> most_discrepant_pair(df)
    ('b', 'c')
    """
    mad = pairwise(data, subject=subject, rater=rater, value=value, statistic="mean_abs_diff", min_common=min_common)
    arr = mad.to_numpy(copy=True)
    np.fill_diagonal(arr, np.nan)
    if np.isnan(arr).all():
        raise AgreementInputError("no juror pair shares enough subjects to compare")
    i, j = np.unravel_index(np.nanargmax(arr), arr.shape)
    return mad.index[min(i, j)], mad.columns[max(i, j)]
