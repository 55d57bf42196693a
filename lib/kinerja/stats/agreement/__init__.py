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
    "interpret": "_interpret",
}

#: Report-level helpers that lived here before the analysis layer existed: still
#: reachable under their old names (with a DeprecationWarning naming the new place),
#: so that users' notebooks keep running. Nothing in kinerja uses these redirects.
_MOVED = {
    "agreement_summary": "kinerja.analyses.agreement",
    "grade_agreement": "kinerja.analyses.agreement",
    "juror_grades": "kinerja.analyses.agreement",
    "summary_table": "kinerja.report.wording",
    "plain_words": "kinerja.report.wording",
    "format_ci": "kinerja.report.wording",
}

__all__ = ["AgreementInputError", "RatingMatrix", "to_matrix", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    if name in _MOVED:
        import warnings

        warnings.warn(
            f"kinerja.agreement.{name} moved to {_MOVED[name]}.{name}; import it from there",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
