"""The report layer: what a reader sees.

``labels`` (provenance captions and stamps), ``plots`` (figures), ``wording``
(plain-language sentences), ``notebook`` (the set-up call of every report notebook and
the saving of tables, figures and findings). Imports from the layers below only.
"""
