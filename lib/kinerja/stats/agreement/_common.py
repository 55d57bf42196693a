"""Shared input handling for the agreement statistics.

All public functions in :mod:`kinerja.agreement` take long-format data (one row per
subject x rater rating) and turn it into a subjects x raters matrix here, so that input
validation and its messages are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


class AgreementInputError(ValueError):
    """Raised when the data given to an agreement statistic cannot be used as given."""


@dataclass(frozen=True)
class RatingMatrix:
    """Ratings as a subjects x raters float matrix; NaN marks a missing cell.

    Attributes
    ----------
    values : ndarray, shape (n_subjects, n_raters)
    subjects, raters : Index
        Labels of the rows and columns, in sorted order of first appearance-independent
        (sorted) labels so that results do not depend on row order.
    """

    values: np.ndarray
    subjects: pd.Index
    raters: pd.Index

    @property
    def n_subjects(self) -> int:
        return self.values.shape[0]

    @property
    def n_raters(self) -> int:
        return self.values.shape[1]

    @property
    def complete(self) -> bool:
        return bool(np.isfinite(self.values).all())


def check_columns(data: pd.DataFrame, **columns: str) -> None:
    """Raise :class:`AgreementInputError` naming every requested column that is absent."""
    if not isinstance(data, pd.DataFrame):
        raise AgreementInputError(f"expected a long-format pandas DataFrame, got {type(data).__name__}")
    missing = [f"{role}={name!r}" for role, name in columns.items() if name not in data.columns]
    if missing:
        raise AgreementInputError(
            "column(s) not found: " + ", ".join(missing) + f"; the data have columns {list(data.columns)}"
        )


def to_matrix(
    data: pd.DataFrame,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    numeric: bool = True,
) -> RatingMatrix:
    """Pivot long-format ratings into a :class:`RatingMatrix`.

    Rows whose value is missing (NaN) are kept as missing cells. A duplicated
    (subject, rater) pair is an error, not silently averaged. Non-numeric values are an
    error when ``numeric`` is true.

    Examples
    --------
    >>> df = pd.DataFrame({"subject_id": [1, 1, 2], "juror_id": ["a", "b", "a"],
    ...                    "score": [3.0, 4.0, 5.0]})
    >>> m = to_matrix(df)
    >>> m.values
    array([[ 3.,  4.],
           [ 5., nan]])
    """
    check_columns(data, subject=subject, rater=rater, value=value)
    df = data[[subject, rater, value]]
    s_codes, s_labels = pd.factorize(df[subject], sort=True)
    r_codes, r_labels = pd.factorize(df[rater], sort=True)
    if (s_codes < 0).any() or (r_codes < 0).any():
        bad = df.index[(s_codes < 0) | (r_codes < 0)][:5].tolist()
        raise AgreementInputError(f"missing {subject!r} or {rater!r} in row(s) {bad}: every rating needs both")
    # Duplicate (subject, rater) pairs, found on the integer codes (much faster than
    # DataFrame.duplicated on large data).
    key = s_codes.astype(np.int64) * len(r_labels) + r_codes
    cnt = np.bincount(key, minlength=len(s_labels) * len(r_labels))
    if cnt.max(initial=0) > 1:
        dup = cnt[key] > 1
        first = df.loc[dup, [subject, rater]].iloc[0]
        raise AgreementInputError(
            f"{int(dup.sum())} rows share a ({subject}, {rater}) pair, e.g. "
            f"({first[subject]!r}, {first[rater]!r}); aggregate them first "
            "(each rater rates each subject at most once)"
        )
    vals = df[value]
    if numeric:
        conv = pd.to_numeric(vals, errors="coerce")
        bad = conv.isna() & vals.notna()
        if bad.any():
            i = df.index[bad][0]
            raise AgreementInputError(f"column {value!r} must be numeric; row {i} holds {vals.loc[i]!r}")
        vals = conv.astype(float)
    mat = np.full((len(s_labels), len(r_labels)), np.nan)
    mat[s_codes, r_codes] = vals.to_numpy(dtype=float)
    return RatingMatrix(mat, pd.Index(s_labels, name=subject), pd.Index(r_labels, name=rater))
