"""The analysis layer: one module per notebook, a ``Dataset`` in, tidy tables out.

``overview`` (notebook 00) and ``agreement`` (notebook 01). Each module documents the
tables it returns and builds its ``findings`` (see :mod:`kinerja.analyses.findings`).
Imports from :mod:`kinerja.data` and :mod:`kinerja.stats` only.
"""
