"""Shared input handling for the agreement statistics.

All public functions in :mod:`kinerja.agreement` take long-format data (one row per
subject x rater rating) and turn it into a subjects x raters matrix here, so that input
validation and its messages are the same everywhere.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Columns every agreement result has, in this order, right after its leading
#: ``statistic`` column (NaN where a column does not apply); each function's own
#: columns follow them. See the package docstring of :mod:`kinerja.agreement`.
INFERENCE_COLUMNS = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "ci_level",
    "p_value",
    "n_subjects",
    "n_raters",
    "method",
    "note",
)


#: Identification rule of the agreement coefficients: fewer subjects (units) with two or
#: more ratings than MIN_UNITS give NaN with the reason; fewer than FEW_UNITS give the
#: estimate with a note that it is barely identified (:func:`krippendorff_alpha` then
#: gives no bootstrap interval; the Gwet family keeps its analytic SE).
MIN_UNITS = 2
FEW_UNITS = 5


def barely_identified(n: int, what: str, consequence: str) -> str:
    """The note of the identification rule for ``MIN_UNITS <= n < FEW_UNITS``, the same
    words for every coefficient (``what``: e.g. "subjects have two or more ratings").

    >>> barely_identified(3, "pairable units", "treat alpha as rough")
    'barely identified: only 3 pairable units (rule: fewer than 5); treat alpha as rough'
    """
    return f"barely identified: only {n} {what} (rule: fewer than {FEW_UNITS}); {consequence}"


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


def _factorize_few(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted factorisation of a (short) array: hash first, sort only the uniques."""
    codes, uniques = pd.factorize(values, sort=False)
    uniques = np.asarray(uniques)
    if uniques.size > 1:
        try:
            if not (uniques[1:] > uniques[:-1]).all():
                order = np.argsort(uniques, kind="stable")
                rank = np.empty(order.size, dtype=np.intp)
                rank[order] = np.arange(order.size)
                codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
                uniques = uniques[order]
        except TypeError:  # labels of mixed types: let pandas order them
            codes, uniques = pd.factorize(values, sort=True)
            uniques = np.asarray(uniques)
    return codes, uniques


def factorize_sorted(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(col, sort=True)``, fast for the id columns of long data.

    Long data are usually sorted by subject and then rater: the subject column comes
    in runs of equal values and the rater column repeats with a period. Both are
    recognised (by comparisons, which are cheap) so that only one value per run or
    per period is hashed and sorted; any other order falls back to hashing every row.
    pandas' python-backed string arrays are read through their object ndarray. On
    30,000 rows of text ids this is about 5-10x faster than ``pd.factorize``.
    Missing labels get code -1, as in pandas.
    """
    if isinstance(col.dtype, pd.StringDtype):
        values = col.to_numpy(dtype=object)
    elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "iufO":
        values = col.to_numpy()
    else:  # categorical (keeps its category order), datetimes, ...
        codes, uniques = pd.factorize(col, sort=True)
        return codes, np.asarray(uniques)
    n = len(values)
    if n > 64:
        try:
            if int((values[1:65] != values[:64]).sum()) <= 32:  # runs of equal values
                change = np.empty(n, dtype=bool)
                change[0] = True
                np.not_equal(values[1:], values[:-1], out=change[1:])
                starts = np.flatnonzero(change)
                if starts.size <= n // 2:
                    codes, uniques = _factorize_few(values[starts])
                    return np.repeat(codes, np.diff(np.append(starts, n))), uniques
            else:  # a repeating cycle, e.g. the raters of every subject in the same order
                again = np.flatnonzero(values[1 : min(n, 4097)] == values[0])
                p = int(again[0]) + 1 if again.size else 0
                if p and (values[p:] == values[:-p]).all():
                    codes, uniques = _factorize_few(values[:p])
                    return np.tile(codes, -(-n // p))[:n], uniques
        except TypeError:  # pd.NA cannot be compared: hash every row below
            pass
    return _factorize_few(values)


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
    s_codes, s_labels = factorize_sorted(data[subject])
    r_codes, r_labels = factorize_sorted(data[rater])
    if (s_codes < 0).any() or (r_codes < 0).any():
        bad = data.index[(s_codes < 0) | (r_codes < 0)][:5].tolist()
        raise AgreementInputError(f"missing {subject!r} or {rater!r} in row(s) {bad}: every rating needs both")
    # Duplicate (subject, rater) pairs, found on the integer codes (much faster than
    # DataFrame.duplicated on large data).
    key = s_codes.astype(np.int64) * len(r_labels) + r_codes
    cnt = np.bincount(key, minlength=len(s_labels) * len(r_labels))
    if cnt.max(initial=0) > 1:
        dup = cnt[key] > 1
        first = data.loc[dup, [subject, rater]].iloc[0]
        raise AgreementInputError(
            f"{int(dup.sum())} rows share a ({subject}, {rater}) pair, e.g. "
            f"({first[subject]!r}, {first[rater]!r}); aggregate them first "
            "(each rater rates each subject at most once)"
        )
    vals = data[value]
    if numeric and not (vals.dtype.kind == "f" and isinstance(vals.dtype, np.dtype)):
        conv = pd.to_numeric(vals, errors="coerce")
        bad = conv.isna() & vals.notna()
        if bad.any():
            i = data.index[bad][0]
            raise AgreementInputError(f"column {value!r} must be numeric; row {i} holds {vals.loc[i]!r}")
        vals = conv.astype(float)
    mat = np.full((len(s_labels), len(r_labels)), np.nan)
    mat[s_codes, r_codes] = vals.to_numpy(dtype=float)
    return RatingMatrix(mat, pd.Index(s_labels, name=subject), pd.Index(r_labels, name=rater))


# --------------------------------------------------------------------------------------
# Result tables: one leading ``statistic`` column, then INFERENCE_COLUMNS, then extras
# --------------------------------------------------------------------------------------

_DEFAULTS = {"method": "", "note": ""}
_FLOAT_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "ci_level", "p_value")
_INT_COLUMNS = ("n_subjects", "n_raters")


def result_frame(rows, extras: Sequence[str] = ()) -> pd.DataFrame:
    """A result table in the contract's column order.

    ``rows`` is a list of dicts (one per result row) or a dict of equal-length columns.
    Inference columns a statistic does not have may be left out: they are filled with
    NaN (``method`` and ``note`` with ""). The estimate, SE, interval, level and
    p-value are float64, ``n_subjects`` and ``n_raters`` int64.
    """
    order = ["statistic", *INFERENCE_COLUMNS, *extras]
    if isinstance(rows, dict):
        given = set(rows)
        n = len(next(iter(rows.values())))
        cols = {c: rows[c] if c in rows else [_DEFAULTS.get(c, np.nan)] * n for c in order}
    else:
        given = set().union(*rows) if rows else set()
        cols = {c: [r.get(c, _DEFAULTS.get(c, np.nan)) for r in rows] for c in order}
    unknown = given - set(order)
    if unknown:  # pragma: no cover - a programming error, caught by the contract test
        raise AssertionError(f"columns outside the contract: {sorted(unknown)}")
    for c in _FLOAT_COLUMNS:
        cols[c] = np.asarray(cols[c], dtype=np.float64)
    for c in _INT_COLUMNS:
        cols[c] = np.asarray(cols[c], dtype=np.int64)
    for c in ("statistic", "method", "note"):
        cols[c] = np.asarray(cols[c], dtype=object)
    return pd.DataFrame(cols, columns=order, copy=False)


def join_notes(*parts) -> str:
    """``"; "``-joined non-empty notes."""
    return "; ".join(p for p in parts if p)


# --------------------------------------------------------------------------------------
# Old spellings: one decorator translates them, with a DeprecationWarning
# --------------------------------------------------------------------------------------

#: Old names of the data argument (the first one) and of the value column.
_OLD_DATA_NAMES = ("scores", "ratings", "table", "counts")
_OLD_VALUE_NAMES = ("score",)
#: Old spellings of ``weights="unweighted"``.
_OLD_UNWEIGHTED = ("none", "identity")


def _is_old_weights(w) -> bool:
    return isinstance(w, str) and w.strip().lower() in _OLD_UNWEIGHTED


def agreement_api(legacy_positional: Sequence[str] | None = None):
    """Decorator giving a public agreement function the contract's argument spelling.

    The decorated function is written with the new spelling only: ``data`` first, then
    (for long-format functions) ``subject``, ``rater``, ``value``, then keyword-only
    options. Calls with an old spelling still work and raise one
    :class:`DeprecationWarning` (attributed to the caller) that names the new spelling:

    - the data passed as ``scores=``, ``ratings=``, ``table=`` or ``counts=``;
    - the value column passed as ``score=``;
    - options passed by position, in the function's old positional order
      ``legacy_positional`` (the names after the data, in their *new* spelling);
    - ``weights="none"`` (or ``"identity"``) for ``weights="unweighted"``.

    When the old and new positional orders differ at the first positions (e.g. old
    ``bland_altman(df, "a", "b")`` with the two raters second and third), a positional
    call is read the new way if its values are columns of ``data``, else the old way.
    """

    def deco(fn):
        sig = inspect.signature(fn)
        params = sig.parameters
        positional = [p.name for p in params.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        new_order = positional[1:]
        old_order = tuple(new_order if legacy_positional is None else legacy_positional)
        prefix = 0  # how many leading positions the old and new orders share
        while prefix < min(len(old_order), len(new_order)) and old_order[prefix] == new_order[prefix]:
            prefix += 1
        has_value = "value" in params
        has_weights = "weights" in params
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if (
                len(args) - 1 <= prefix
                and not any(k in kwargs for k in _OLD_DATA_NAMES)
                and not (has_value and "score" in kwargs)
                and not (has_weights and _is_old_weights(kwargs.get("weights")))
            ):
                return fn(*args, **kwargs)  # the contract's spelling: nothing to translate
            args, kwargs = _translate(args, kwargs)
            return fn(*args, **kwargs)

        def _translate(args, kwargs):
            kwargs = dict(kwargs)
            said = []
            for old in _OLD_DATA_NAMES:
                if old in kwargs:
                    if args or "data" in kwargs:
                        raise TypeError(f"{name}() got the data twice (as the first argument or data=, and as {old}=)")
                    kwargs["data"] = kwargs.pop(old)
                    said.append(f"{old}= is now data= (or pass the data as the first argument)")
            if has_value:
                for old in _OLD_VALUE_NAMES:
                    if old in kwargs:
                        if "value" in kwargs:
                            raise TypeError(f"{name}() got the value column twice ({old}= and value=)")
                        kwargs["value"] = kwargs.pop(old)
                        said.append(f"{old}={kwargs['value']!r} is now value={kwargs['value']!r}")
            extra = args[1:]
            if extra:
                data = args[0] if args else kwargs.get("data")
                as_new = len(extra) <= prefix
                if not as_new and len(extra) <= len(new_order):
                    cols = getattr(data, "columns", ())
                    as_new = all(isinstance(v, str) and v in cols for v in extra)
                if as_new:
                    names = new_order[: len(extra)]
                else:
                    if len(extra) > len(old_order):
                        raise TypeError(
                            f"{name}() takes at most {1 + len(old_order)} positional arguments "
                            f"({len(args)} given); pass options as keywords"
                        )
                    names = list(old_order[: len(extra)])
                    moved = [f"{n}={v!r}" for i, (n, v) in enumerate(zip(names, extra)) if i >= prefix]
                    said.append(f"pass {', '.join(moved)} as keyword(s), not by position")
                for n_, v in zip(names, extra):
                    if n_ in kwargs:
                        raise TypeError(f"{name}() got multiple values for argument {n_!r}")
                    kwargs[n_] = v
                args = args[:1]
            if has_weights and _is_old_weights(kwargs.get("weights")):
                said.append(f"weights={kwargs['weights']!r} is now weights='unweighted'")
                kwargs["weights"] = "unweighted"
            if said:
                warnings.warn(
                    f"{name}(): deprecated spelling: {'; '.join(said)}. The old spelling will stop working "
                    "in a future release.",
                    DeprecationWarning,
                    stacklevel=3,
                )
            return args, kwargs

        wrapper.__signature__ = sig
        wrapper._legacy_positional = old_order
        return wrapper

    return deco


# --------------------------------------------------------------------------------------
# Blank ratings
# --------------------------------------------------------------------------------------

#: A rating whose label is only whitespace (any Unicode space, e.g. " ", "\u00a0")
#: or zero-width characters, or the empty string, is missing, never a category.
_BLANK_PATTERN = r"[\s\u200b\u200c\u200d\u2060\ufeff]*"


def is_blank_label(v) -> bool:
    """True for a string with nothing visible in it (``""``, ``" "``, ``"\\u00a0"``, ...)."""
    import re

    return isinstance(v, str) and re.fullmatch(_BLANK_PATTERN, v) is not None


def blank_mask(values: pd.Series) -> np.ndarray:
    """Boolean array: which values are blank labels (see :func:`is_blank_label`)."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return np.zeros(len(values), dtype=bool)
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        blank_cats = np.array([is_blank_label(c) for c in cats], dtype=bool)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, blank_cats[np.maximum(codes, 0)], False) if len(cats) else codes < -1
    matched = values.astype(object).str.fullmatch(_BLANK_PATTERN)
    return matched.fillna(False).to_numpy(dtype=bool)


def blanks_to_missing(data: pd.DataFrame, value: str) -> tuple[pd.DataFrame, int]:
    """``data`` with blank labels in column ``value`` set to missing, and how many there were.

    The frame is returned unchanged (not copied) when there is no blank.
    """
    mask = blank_mask(data[value])
    n = int(mask.sum())
    if n == 0:
        return data, 0
    col = data[value].astype(object).where(~mask, np.nan)
    remaining = col[col.notna()]
    if len(remaining) and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in remaining):
        col = col.astype(float)
    return data.assign(**{value: col}), n


def blank_note(n: int) -> str:
    return f"{n} blank rating(s) (empty or whitespace-only labels) treated as missing" if n else ""
