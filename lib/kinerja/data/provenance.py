"""Provenance of results: which rows behind a result are real, inferred or synthetic.

Every row of every table carries a ``basis`` (:data:`kinerja.data.schema.BASIS_VALUES`).
A result derived from rows inherits their bases; this module is the one place that
turns a set of bases into the words every table, figure, finding and brief uses
(:func:`provenance_label`). The report layer renders them (captions, figure stamps).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: Short human labels for each basis.
BASIS_LABEL = {
    "named": "real (published)",
    "observed": "real (your records)",
    "inferred": "INFERRED",
    "synthetic": "SYNTHETIC",
}


def basis_of(*frames: pd.DataFrame) -> list[str]:
    """The distinct bases present in the ``basis`` column of the given tables, sorted.

    >>> basis_of(pd.DataFrame({"basis": ["named", "synthetic", "named"]}))
    ['named', 'synthetic']
    """
    found: set[str] = set()
    for df in frames:
        if df is not None and "basis" in df.columns:
            found.update(str(b) for b in df["basis"].dropna().unique())
    return sorted(found)


#: The words of :func:`provenance_label` in Bahasa Indonesia, per basis (the terms of the
#: Indonesian brief).
PROVENANCE_WORDS_ID = {
    "synthetic": "baris SINTETIS (kinerja.synth, efek ditanamkan)",
    "inferred": "baris DISIMPULKAN (direkonstruksi, tidak dipublikasikan)",
    "named": "data nyata (dipublikasikan)",
    "observed": "data nyata (catatan sendiri)",
}


def provenance_label(bases: Iterable[str], lang: str = "en") -> str:
    """One line that says what a result is made of, loudest first, in ``lang`` (``en``
    or ``id``).

    >>> provenance_label(["named", "synthetic"])
    'SYNTHETIC rows (kinerja.synth, planted effects) + real (published) records'
    >>> provenance_label(["named"])
    'real (published) records'
    >>> provenance_label(["named", "synthetic"], "id")
    'baris SINTETIS (kinerja.synth, efek ditanamkan) + data nyata (dipublikasikan)'
    """
    bases = set(bases)
    if lang == "id":
        parts = [PROVENANCE_WORDS_ID[b] for b in ("synthetic", "inferred", "named", "observed") if b in bases]
        return " + ".join(parts) if parts else "asal data tidak diketahui"
    if lang != "en":
        raise ValueError(f"lang must be 'en' or 'id', not {lang!r}")
    parts = []
    if "synthetic" in bases:
        parts.append("SYNTHETIC rows (kinerja.synth, planted effects)")
    if "inferred" in bases:
        parts.append("INFERRED rows (reconstructed, not published)")
    real = [BASIS_LABEL[b] for b in ("named", "observed") if b in bases]
    if real:
        parts.append(" + ".join(real) + " records")
    return " + ".join(parts) if parts else "provenance unknown"


def bases_of_label(label: str) -> list[str]:
    """The bases an English :func:`provenance_label` was made from, sorted: how a saved
    results table (whose ``provenance`` column holds the label) gives its bases back.

    >>> bases_of_label("SYNTHETIC rows (kinerja.synth, planted effects) + real (published) records")
    ['named', 'synthetic']
    >>> bases_of_label("provenance unknown")
    []
    """
    text = str(label)
    marks = {
        "synthetic": "SYNTHETIC rows",
        "inferred": "INFERRED rows",
        "named": BASIS_LABEL["named"],
        "observed": BASIS_LABEL["observed"],
    }
    return sorted(b for b, mark in marks.items() if mark in text)
