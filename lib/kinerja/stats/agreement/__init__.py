"""Inter-rater reliability and agreement: do the jurors agree?

Long-format data in (one row per subject x juror rating), tidy DataFrames out. Every
public function follows one contract, so that results can be stacked and read the same
way whatever the statistic.

Arguments
---------
- ``data`` is the first argument: long-format ratings, or for the ``*_counts`` and
  ``*_table`` forms a subject x category count table or a two-rater contingency table.
- The columns of long data are named by ``subject="subject_id"``, ``rater="juror_id"``
  and ``value="score"`` (the data model's names), in that order, in every function.
- Every other argument is keyword-only (``icc(data, ci=0.9)``, not ``icc(data, ..., 0.9)``);
  the two raters of :func:`bland_altman` and :func:`paired_scores` are ``rater_a=`` and
  ``rater_b=``.
- Agreement weights are spelled ``weights="unweighted"`` or a scheme name
  (``"linear"``, ``"quadratic"``, ``"ordinal"``, ``"radical"``, ``"ratio"``,
  ``"circular"``, ``"bipolar"``) or a q x q matrix.
- Bootstrap intervals are asked for with ``n_boot=`` (and ``seed=``, ``ci=``,
  ``ci_method="bca"`` or ``"percentile"``) wherever they exist.

Old spellings keep working for now, with a :class:`DeprecationWarning` that names the
new one: the data as ``scores=``, ``ratings=``, ``table=`` or ``counts=``; the value
column as ``score=``; options passed by position (e.g. ``icc(df, "s", "r", "x", 0.9)``,
``bland_altman(df, "a", "b")``, ``pairwise(df, "pearson")``); ``weights="none"``.

Results
-------
Every result table starts with one ``statistic`` column (what the row estimates:
``"ICC(2,1)"``, ``"krippendorff_alpha"``, ``"gwet_ac1"``, ``"fleiss_kappa"``,
``"cohen_kappa"``, ``"kendall_w"``, ``"bias"``, ...), then the inference columns
:data:`INFERENCE_COLUMNS`, in this order, in every function:

==============  =====================================================================
``estimate``    the point estimate
``se``          its standard error (bootstrap SD for bootstrap intervals; NaN if none)
``ci_low``      lower confidence limit (NaN when no interval was asked for or exists)
``ci_high``     upper confidence limit
``ci_level``    confidence level of the interval (NaN when there is none)
``p_value``     p-value of the function's test of no agreement (NaN if none)
``n_subjects``  subjects (units) the estimate rests on
``n_raters``    raters (jurors) the estimate rests on
``method``      how the estimate, interval and test were computed
``note``        why a value is NaN, what was dropped or treated as missing, choices made
==============  =====================================================================

and then the function's own columns:

=========================  =========================================================
:func:`icc`                ``mcgraw_wong, description, f, df1, df2``
:func:`icc_bootstrap`      ``mcgraw_wong, description, n_boot, n_boot_valid``
:func:`krippendorff_alpha` ``level, n_pairable, n_boot``
:func:`gwet_ac`,           ``weights, z, pa, pe``
:func:`gwet_ac_counts`,
:func:`gwet_ac_table`
:func:`fleiss_kappa`,      ``weights, z, se_h0, pa, pe``
:func:`fleiss_kappa_counts`
:func:`cohen_kappa`        ``rater_a, rater_b, weights, z, se_h0, pa, pe``
:func:`cohen_kappa_table`  ``weights, z, se_h0, pa, pe``
:func:`kendall_w`          ``chi2, df, correct_ties, n_boot``
:func:`bland_altman`       ``rater_a, rater_b, sd_diff, k, loa_low, loa_high,
                           loa_low_ci_low, loa_low_ci_high, loa_high_ci_low,
                           loa_high_ci_high``
:func:`subject_agreement`  ``<subject column>, weights`` (one row per subject)
=========================  =========================================================

Three helpers return data rather than statistics and so have no ``statistic``
column: :func:`paired_scores` (the subjects both jurors scored, with their difference),
:func:`pairwise` (a rater x rater matrix, for heatmaps) and
:func:`most_discrepant_pair` (a pair of rater labels).

Missing data
------------
A NaN rating is a missing cell, and so is a blank label (``""``, ``" "``, ``"\u00a0"``:
a string with nothing visible in it) in every kappa, AC and alpha function: it is never
a category, and ``note`` says how many blanks were treated as missing. Degenerate
designs (one rater, constant scores, too few subjects or units to identify the
statistic) give NaN with the reason in ``note``, never a traceback; each function's
docstring states its rule.

Functions are imported lazily so that importing :mod:`kinerja.agreement` stays cheap.
"""

from __future__ import annotations

import importlib

from ._common import INFERENCE_COLUMNS, AgreementInputError, RatingMatrix, to_matrix

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

__all__ = ["INFERENCE_COLUMNS", "AgreementInputError", "RatingMatrix", "to_matrix", *_LAZY]


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
