"""The statistics layer: estimators on plain tables (long-format DataFrames), no I/O.

``agreement`` (inter-rater reliability and agreement), ``varcomp`` (the one REML
engine for variance components), ``gtheory`` (G and D studies), ``effects`` (juror
leniency, rater fit, bias interactions, panel effects, home bias), ``stability`` (grade
stability under another jury), ``compare`` (grades and scores between groups of units),
``innovation`` and ``sensitivity`` (innovations and grades, rubric sensitivity). Every
function takes long data,
returns a tidy DataFrame with a leading ``statistic`` column and
``estimate, ci_low, ci_high`` where they apply, and states in ``note`` why a value is
NaN. Imports only from :mod:`kinerja.data`.

``varcomp`` (variance components): ``fit_reml``, the one REML engine for linear mixed
models with crossed and nested random intercepts (used by the ICCs with missing cells,
and by juror effects, G-studies and the category comparison).

``bootstrap``: the one bootstrap-interval helper.
"""
