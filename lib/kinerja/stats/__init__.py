"""The statistics layer: estimators on plain tables (long-format DataFrames), no I/O.

``agreement`` (inter-rater reliability and agreement) and ``compare`` (grades and
scores between groups of units). Every function takes long data,
returns a tidy DataFrame with a leading ``statistic`` column and
``estimate, ci_low, ci_high`` where they apply, and states in ``note`` why a value is
NaN. Imports only from :mod:`kinerja.data`.
"""
