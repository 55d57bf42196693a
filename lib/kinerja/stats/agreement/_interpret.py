"""Reading agreement coefficients in plain words, with the scale stated.

Verbal labels are conventions, not laws: they were proposed for particular fields, and a
coefficient's size depends on how spread the subjects are (a panel judging very similar
units cannot show a high ICC however careful its jurors). The label is therefore given
for the whole confidence interval: "moderate to good" when the interval spans two
bands, as Koo & Li (2016) recommend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: (upper bounds, labels, citation) per scale.
SCALES = {
    "koo_li_2016": (
        (0.5, 0.75, 0.9, np.inf),
        ("poor", "moderate", "good", "excellent"),
        "Koo & Li (2016), J. Chiropractic Medicine 15:155-163 (ICC)",
    ),
    "landis_koch_1977": (
        (0.0, 0.2, 0.4, 0.6, 0.8, np.inf),
        ("poor", "slight", "fair", "moderate", "substantial", "almost perfect"),
        "Landis & Koch (1977), Biometrics 33:159-174 (kappa-type coefficients)",
    ),
    "schmidt_1997": (
        (0.1, 0.3, 0.5, 0.7, 0.9, np.inf),
        ("very weak", "very weak", "weak", "moderate", "strong", "unusually strong"),
        "Schmidt (1997), Decision Sciences 28:763-774 (Kendall's W: .1 very weak, .3 weak, .5 moderate, "
        ".7 strong, .9 unusually strong)",
    ),
    "krippendorff_2004": (
        (0.667, 0.8, np.inf),
        ("unreliable", "tentative", "reliable"),
        "Krippendorff (2004), Content Analysis, 2nd ed., p. 241 (alpha >= .800 reliable; >= .667 tentative)",
    ),
}

#: Default scale per family of statistic.
DEFAULT_SCALE = {
    "icc": "koo_li_2016",
    "alpha": "krippendorff_2004",
    "kappa": "landis_koch_1977",
    "kendall_w": "schmidt_1997",
}


def label(value: float, scale: str) -> str:
    """Verbal label of one value on a scale.

    >>> label(0.62, "koo_li_2016"), label(0.62, "landis_koch_1977"), label(0.70, "krippendorff_2004")
    ('moderate', 'substantial', 'tentative')
    """
    if value is None or not np.isfinite(value):
        return "undefined"
    bounds, names, _ = SCALES[scale]
    for b, n in zip(bounds, names):
        if value < b:
            return n
    return names[-1]


def interpret(estimate: float, ci_low: float = np.nan, ci_high: float = np.nan, scale: str = "koo_li_2016") -> str:
    """Label for an estimate and its CI: ``"moderate (CI: poor to good)"``.

    >>> interpret(0.6, 0.45, 0.8)
    'moderate (CI spans poor to good)'
    >>> interpret(0.6)
    'moderate (no CI)'
    """
    point = label(estimate, scale)
    if point == "undefined":
        return "undefined"
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return f"{point} (no CI)"
    lo, hi = label(ci_low, scale), label(ci_high, scale)
    return f"{point} (CI within {lo})" if lo == hi else f"{point} (CI spans {lo} to {hi})"


def add_interpretation(table: pd.DataFrame, family_col: str = "family") -> pd.DataFrame:
    """Add ``reading`` and ``scale`` columns to a tidy table with ``estimate, ci_low, ci_high``
    and a column naming each row's family (``icc``, ``alpha``, ``kappa``, ``kendall_w``)."""
    out = table.copy()
    scales = out[family_col].map(DEFAULT_SCALE).fillna("landis_koch_1977")
    out["reading"] = [
        interpret(e, lo, hi, s) for e, lo, hi, s in zip(out["estimate"], out["ci_low"], out["ci_high"], scales)
    ]
    out["scale"] = scales.map(lambda s: SCALES[s][2])
    return out
