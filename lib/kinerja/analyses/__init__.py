"""The analysis layer: one module per notebook, a ``Dataset`` in, tidy tables out.

``overview`` (notebook 00), ``agreement`` (notebook 01) and ``categories`` (notebook 03). Each module documents the
tables it returns and builds its ``findings`` (see :mod:`kinerja.analyses.findings`).
Imports from :mod:`kinerja.data` and :mod:`kinerja.stats` only.
"""
