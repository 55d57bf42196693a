"""Plain-language wording of results for the notebooks and briefs.

Sentences are built from result tables, never written for one dataset. Number
formatting (English and Indonesian conventions) lives with the findings contract
(:mod:`kinerja.analyses.findings`) and is re-exported here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analyses.findings import fmt_number, fmt_share, format_ci, join_words, p_value, plural  # noqa: F401  (re-exported)

#: Short column names of the wide agreement table (so that it prints on A4).
SHORT_NAMES = {"Krippendorff's alpha (interval)": "alpha", "Kendall's W": "W"}


def summary_table(summary: pd.DataFrame, panel: str = "all") -> pd.DataFrame:
    """Wide view of an agreement summary for one panel: one row per (evaluation, stage,
    measure), one column per statistic (McGraw & Wong names: ``ICC(A,1)`` = Shrout &
    Fleiss ``ICC(2,1)``), cells ``estimate [CI]``. Column names are short so that the
    table prints without losing columns."""
    s = summary[summary["panel"] == panel].copy()
    s["value"] = [format_ci(e, lo, hi) for e, lo, hi in zip(s["estimate"], s["ci_low"], s["ci_high"])]
    aka = s["also_known_as"].fillna("")
    s["statistic"] = np.where(aka != "", aka, s["statistic"].map(lambda x: SHORT_NAMES.get(x, x)))
    order = list(dict.fromkeys(s["statistic"]))
    wide = s.pivot_table(
        index=["evaluation", "stage", "measure"],
        columns="statistic",
        values="value",
        aggfunc="first",
        sort=False,
        observed=True,
    )
    return wide[[c for c in order if c in wide.columns]]


def plain_words(summary: pd.DataFrame, evaluation: str, stage: str, measure: str = "total") -> str:
    """A paragraph reading the key coefficients of one measure in plain words (Markdown)."""
    s = summary[
        (summary["evaluation"] == evaluation)
        & (summary["stage"] == stage)
        & (summary["measure"] == measure)
        & (summary["panel"] == "all")
    ].set_index("statistic")
    if s.empty or "ICC(2,1)" not in s.index:
        return f"No agreement statistics for {evaluation} {stage} {measure}."

    def g(stat):
        r = s.loc[stat]
        return r, format_ci(r["estimate"], r["ci_low"], r["ci_high"])

    a1, a1s = g("ICC(2,1)")
    if not np.isfinite(a1["estimate"]):
        return f"Agreement on the {evaluation.upper()} {stage} {measure} is undefined: {a1['note']}"
    c1, c1s = g("ICC(3,1)")
    ak, aks = g("ICC(2,k)")
    n_raters = int(a1["n_raters"])
    what = f"the {evaluation.upper()} {measure}" + (f" ({stage} stage)" if evaluation != "sakip" else "")
    rests = "grade" if evaluation == "sakip" else "award"
    text = [
        f"**{what[0].upper() + what[1:]}.** A single juror's score agrees with another's "
        f"(absolute agreement) at ICC(A,1) = {a1s} — {a1['reading']} on Koo & Li's scale."
    ]
    text.append(
        f"The mean of all {n_raters} jurors, the number the {rests} rests on, is more reliable: "
        f"ICC(A,k) = {aks} — {ak['reading']}."
    )
    gap = c1["estimate"] - a1["estimate"]
    if np.isfinite(gap) and gap > 0.1:
        text.append(
            f"Consistency ICC(C,1) = {c1s} is clearly higher than absolute agreement: jurors *rank* "
            "the subjects alike but differ in *level* — some are systematically harsher or more "
            "lenient. A unit's total then depends on which jurors it drew, which matters wherever "
            "jurors do not score every unit or a grade boundary is close."
        )
    elif np.isfinite(gap):
        text.append(
            f"Consistency ICC(C,1) = {c1s} is close to absolute agreement: little systematic "
            "difference in juror severity."
        )
    if "Krippendorff's alpha (interval)" in s.index:
        al, als = g("Krippendorff's alpha (interval)")
        text.append(
            f"Krippendorff's alpha (interval) = {als} — {al['reading']} (Krippendorff asks for ≥ .800 "
            "before relying on data, ≥ .667 for tentative conclusions)."
        )
    return " ".join(text)
