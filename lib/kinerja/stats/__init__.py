"""The statistics layer: estimators on plain tables (long-format DataFrames), no I/O.

``agreement`` (inter-rater reliability and agreement). Every function takes long data,
returns a tidy DataFrame with a leading ``statistic`` column and
``estimate, ci_low, ci_high`` where they apply, and states in ``note`` why a value is
NaN. Imports only from :mod:`kinerja.data`.
"""
