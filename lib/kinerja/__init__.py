"""kinerja: audit the fairness of Indonesian public-sector performance evaluations.

Sub-modules
-----------
grades     SAKIP grade bands (the single place they live in the code).
schema     The data model: tables, columns, keys.
io         ``load_dataset`` with validation and row accounts (``DataError``).
synth      Synthetic juror-level scores with known planted effects.
agreement  Inter-rater reliability and agreement statistics.
run        The papermill runner behind ``kinerja run``.
"""

__version__ = "0.1.0"
