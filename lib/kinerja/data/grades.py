"""SAKIP letter grades (predikat) and their score bands: the one place they live.

A SAKIP total on 0–100 maps to a grade by uneven bands, lower bound exclusive and
upper bound inclusive (D also includes 0):

=====  =========  ================
grade  total      label
=====  =========  ================
AA     (90, 100]  Sangat Memuaskan
A      (80, 90]   Memuaskan
BB     (70, 80]   Sangat Baik
B      (60, 70]   Baik
CC     (50, 60]   Cukup (Memadai)
C      (30, 50]   Kurang
D      [0, 30]    Sangat Kurang
=====  =========  ================

Source: ``resources/sakip_grade_bands.csv`` (interpretation table of PermenPANRB
88/2021 as implemented in evaluators' tools; the same bands were used under 12/2015).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..paths import RESOURCES_DIR

#: Grades from worst to best; use as an ordered categorical.
GRADE_ORDER: tuple[str, ...] = ("D", "C", "CC", "B", "BB", "A", "AA")


@lru_cache(maxsize=1)
def grade_bands() -> pd.DataFrame:
    """The grade bands table, one row per grade from best (AA) to worst (D).

    Columns: ``grade, score_lower_exclusive, score_upper_inclusive, label_id, source``.
    """
    bands = pd.read_csv(RESOURCES_DIR / "sakip_grade_bands.csv")
    if list(bands["grade"])[::-1] != list(GRADE_ORDER):
        raise RuntimeError("sakip_grade_bands.csv is out of order or incomplete")
    return bands


def grade_dtype() -> pd.CategoricalDtype:
    """Ordered categorical dtype D < C < CC < B < BB < A < AA."""
    return pd.CategoricalDtype(list(GRADE_ORDER), ordered=True)


def normalise_grade(label: object) -> str | None:
    """Return the canonical grade for ``label`` (any case, stray spaces), or None.

    >>> normalise_grade(" bb ")
    'BB'
    >>> normalise_grade("A+") is None
    True
    """
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return None
    text = str(label).strip().upper()
    return text if text in GRADE_ORDER else None


def band(grade: str) -> tuple[float, float]:
    """(lower exclusive, upper inclusive) total of a grade; D's lower bound 0 is inclusive.

    >>> band("A")
    (80.0, 90.0)
    """
    g = normalise_grade(grade)
    if g is None:
        raise ValueError(f"unknown SAKIP grade {grade!r}; expected one of {', '.join(GRADE_ORDER[::-1])}")
    row = grade_bands().set_index("grade").loc[g]
    return float(row["score_lower_exclusive"]), float(row["score_upper_inclusive"])


def grade_from_total(total):
    """Grade(s) for SAKIP total(s) on 0–100; NaN or out-of-range totals give None.

    Works on a scalar or array-like; returns a str/None or an object ndarray.

    >>> grade_from_total(80.0), grade_from_total(80.01), grade_from_total(0)
    ('BB', 'A', 'D')
    >>> grade_from_total([95, 71, np.nan]).tolist()
    ['AA', 'BB', None]
    """
    arr = np.asarray(total, dtype=float)
    uppers = np.array([band(g)[1] for g in GRADE_ORDER])  # D..AA ascending
    idx = np.searchsorted(uppers, arr, side="left")  # first upper >= total
    valid = np.isfinite(arr) & (arr >= 0) & (arr <= 100)
    out = np.where(valid, np.array(GRADE_ORDER + ("",), dtype=object)[np.minimum(idx, len(GRADE_ORDER))], None)
    if out.ndim == 0:
        return out.item()
    return out


def total_in_band(total: float, grade: str) -> bool:
    """Whether a published total lies in the band of its published grade.

    >>> total_in_band(85, "A"), total_in_band(80, "A")
    (True, False)
    """
    return grade_from_total(total) == normalise_grade(grade)
