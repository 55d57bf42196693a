"""Inter-rater reliability and agreement: do the jurors agree?

Long-format data in (one row per subject x juror rating; default column names follow
the data model: ``subject_id``, ``juror_id``, ``score``), tidy DataFrames out. Every
result row has ``estimate, ci_low, ci_high`` and a ``note`` column that states why a
value is NaN when the design makes it undefined (one rater, constant scores, ...).

Functions are imported lazily so that importing :mod:`kinerja.agreement` stays cheap.
"""

from __future__ import annotations

import importlib

from ._common import AgreementInputError, RatingMatrix, to_matrix

_LAZY = {
    "icc": "_icc",
    "icc_bootstrap": "_icc",
    "krippendorff_alpha": "_alpha",
    "fleiss_kappa": "_kappa",
    "cohen_kappa": "_kappa",
    "gwet_ac": "_kappa",
    "fleiss_kappa_counts": "_kappa",
    "gwet_ac_counts": "_kappa",
    "cohen_kappa_table": "_kappa",
    "gwet_ac_table": "_kappa",
    "subject_agreement": "_kappa",
    "weight_matrix": "_weights",
    "bland_altman": "_pairs",
    "paired_scores": "_pairs",
    "pairwise": "_pairs",
    "most_discrepant_pair": "_pairs",
    "kendall_w": "_kendall",
    "agreement_summary": "_summary",
    "grade_agreement": "_summary",
    "juror_grades": "_summary",
    "summary_table": "_summary",
    "plain_words": "_summary",
    "format_ci": "_summary",
    "interpret": "_interpret",
}

__all__ = ["AgreementInputError", "RatingMatrix", "to_matrix", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
