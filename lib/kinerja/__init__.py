"""kinerja: audit the fairness of Indonesian public-sector performance evaluations.

Sub-modules
-----------
schema     The data model: six tidy tables, their columns, keys and vocabularies.
grades     SAKIP grade bands (the single place they live in the code).
rubrics    Bundled rubrics (PermenPANRB 12/2015, 88/2021; KOVABLIK) and score totals.
io         ``load_dataset`` with validation, clear errors and row accounts.
template   The Excel fill-in template and the generated data dictionary.
synth      Synthetic juror-level scores with known planted effects.
agreement  Inter-rater reliability and agreement statistics (ICC, alpha, kappas, AC1, W).
labels     Provenance labels (real / inferred / synthetic) for tables and figures.
overview   Tables behind the data-overview notebook.
plots      Figures (each takes ``ax=`` and stamps the data's provenance).
run, cli   The papermill runner behind ``kinerja run``.
"""

__version__ = "0.1.0"
