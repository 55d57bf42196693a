"""The analysis layer: one module per notebook, a ``Dataset`` in, tidy tables out.

``overview`` (notebook 00), ``agreement`` (01), ``juror_effects`` (02), ``categories``
(03), ``innovations`` (04), among others. Each module documents the
tables it returns and builds its ``findings`` (see :mod:`kinerja.analyses.findings`).
Imports from :mod:`kinerja.data` and :mod:`kinerja.stats` only.
"""
