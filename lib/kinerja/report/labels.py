"""Provenance labels: real, inferred and synthetic data say so wherever they appear.

Every table and figure a notebook shows is derived from rows that carry a ``basis``
(see :mod:`kinerja.schema`). The helpers here turn the bases behind a result into a
visible label: a caption for tables and a stamp on figures.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..data.provenance import BASIS_LABEL, basis_of, provenance_label  # noqa: F401  (one way to label provenance)


def caption(title: str, *frames: pd.DataFrame, bases: Iterable[str] | None = None) -> str:
    """A table caption: the title and the provenance of the rows behind it.

    ``bases=[]`` marks a table about the data rather than derived from it (row counts,
    accounts): the caption is then the title alone.

    >>> caption("Row accounts", bases=[])
    'Row accounts'
    """
    b = list(bases) if bases is not None else basis_of(*frames)
    if bases is not None and not b:
        return title
    return f"{title} — data: {provenance_label(b)}"


def styled(
    df: pd.DataFrame, title: str, *sources: pd.DataFrame, bases: Iterable[str] | None = None, precision: int = 2
):
    """A pandas Styler of ``df`` with a provenance caption (renders in notebooks and HTML).

    ``sources`` are the tables whose ``basis`` columns the result derives from (``df``
    itself is used when none are given).
    """
    srcs = sources or (df,)
    # cells, headers and caption shown as written: names come from the user's data
    sty = (
        df.style.set_caption(html.escape(caption(title, *srcs, bases=bases), quote=False))
        .format(precision=precision, na_rep="—", escape="html")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
    )
    counts = [c for c in df.columns if _is_count_column(c, df[c])]

    def number(v: float) -> str:
        if np.isinf(v):  # a bound no finite value reaches, as a sign, not as 'inf'
            return "∞" if v > 0 else "−∞"
        text = f"{v:.{precision}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text  # never '-0.00'

    floats = [c for c in df.columns if pd.api.types.is_float_dtype(df[c]) and c not in counts]
    if floats:
        sty = sty.format(number, subset=floats, na_rep="—")
    if counts:  # 'n 12.000': a count (float because of a missing cell) is shown whole
        sty = sty.format(lambda v: f"{v:,.0f}" if np.isfinite(v) else "—", subset=counts, na_rep="—")
    if isinstance(df.index, pd.RangeIndex):
        sty = sty.hide(axis="index")  # a 0..n-1 row number says nothing to a reader
    return sty.set_table_styles(
        [{"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"}]
    )


_COUNT_NAME = re.compile(r"(n|n_\w+|\w+_n|count|counts|units|jurors|subjects|successes|kept_top\d+|grade_changes)")


def _is_count_column(name, col: pd.Series) -> bool:
    """A float column of counts: its name says so (``n``, ``n_units``, ``kept_top5``, ...)
    and every finite value is whole."""
    if not isinstance(name, str) or not _COUNT_NAME.fullmatch(name) or not pd.api.types.is_float_dtype(col):
        return False
    v = col.to_numpy(dtype=float, na_value=np.nan)
    v = v[np.isfinite(v)]
    return bool(len(v)) and bool(np.all(v == np.round(v)))


#: Longest unit label a figure shows (characters); longer ones end in an ellipsis.
UNIT_LABEL_WIDTH = 28


def unit_labels(units: pd.DataFrame, width: int = UNIT_LABEL_WIDTH) -> dict:
    """``unit_id -> label`` for figures: the abbreviation, or the name when there is none
    (or the id when there is neither), shortened to ``width`` characters with an
    ellipsis. A label that long would take the figure's width from its data (a full
    name such as "Sekretariat Daerah Kabupaten ..." squeezed the axes to nothing).

    Labels are unique: names that shortening made equal keep their ends ("Dinas
    Pemerintah…Perhubungan"), and units that share a label keep it with their id.

    >>> u = pd.DataFrame({"unit_id": ["001", "002", "003"], "abbreviation": ["Setda", "", None],
    ...                   "name": ["Sekretariat Daerah", "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten", None]})
    >>> unit_labels(u)
    {'001': 'Setda', '002': 'Dinas Pekerjaan Umum dan Pe…', '003': '003'}
    >>> u = pd.DataFrame({"unit_id": ["a", "b", "c", "d"], "abbreviation": [None, None, "DPU", "DPU"],
    ...                   "name": ["Dinas Pemerintah Kota Makmur Bidang Pendidikan",
    ...                            "Dinas Pemerintah Kota Makmur Bidang Kesehatan", "x", "y"]})
    >>> unit_labels(u)
    {'a': 'Dinas Pemerintah…Pendidikan', 'b': 'Dinas Pemerintah K…Kesehatan', 'c': 'DPU (c)', 'd': 'DPU (d)'}
    """
    full = {}
    for uid, abbr, name in zip(units["unit_id"], units["abbreviation"], units["name"]):
        full[uid] = next((str(v).strip() for v in (abbr, name) if isinstance(v, str) and v.strip()), str(uid))

    def cut(text: str, w: int) -> str:
        return text if len(text) <= w else text[: max(w - 1, 1)].rstrip() + "…"

    out = {uid: cut(text, width) for uid, text in full.items()}
    groups: dict[str, list] = {}
    for uid, label in out.items():
        groups.setdefault(label, []).append(uid)
    for uids in groups.values():
        if len(uids) < 2:
            continue
        texts = [full[u] for u in uids]
        fixed = None
        if len(set(texts)) == len(texts):  # shortening made them equal: keep both ends
            trial = [t if len(t) <= width else _ends(t, width) for t in texts]
            fixed = trial if len(set(trial)) == len(trial) else None
        if fixed is None:  # the same abbreviation or name: the id tells them apart
            fixed = [f"{cut(full[u], max(width - len(str(u)) - 3, 4))} ({u})" for u in uids]
        out.update(zip(uids, fixed))
    return out


def _ends(text: str, width: int) -> str:
    """``text`` in ``width`` characters as its start, an ellipsis and its last words
    (about half the width; a last word longer than that is cut at its start)."""
    words, tail = text.split(), ""
    while words and len(words[-1]) + len(tail) + (1 if tail else 0) <= (width - 1) // 2:
        tail = words.pop() + (" " + tail if tail else "")
    if not tail:
        tail = text[-((width - 1) // 2) :]
    return text[: width - 1 - len(tail)].rstrip() + "…" + tail


def provenance_words(bases, lang: str = "en") -> str:
    """:func:`provenance_label` in ``lang``, or ``""`` when no basis is given (a brief's
    line about its data is then left out).

    >>> provenance_words(["named", "synthetic"], "id")
    'baris SINTETIS (kinerja.synth, efek ditanamkan) + data nyata (dipublikasikan)'
    >>> provenance_words(["", None], "en")
    ''
    """
    bases = {b for b in bases if b}
    return provenance_label(bases, lang) if bases else ""


def stamp(ax, bases: Iterable[str], lang: str = "en"):
    """Label the figure of ``ax`` with the provenance of its data in ``lang`` (red when
    synthetic or inferred), below the axes where it cannot hide data; returns ``ax``."""
    bases = list(bases)
    text = provenance_label(bases, lang)
    color = "#b2182b" if ("synthetic" in bases or "inferred" in bases) else "#444444"
    ax.figure.supxlabel(
        text,
        x=0.99,
        ha="right",
        fontsize=7.5,
        color=color,
        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": color},
    )
    return ax


def dataset_banner(provenance: pd.DataFrame, title: str = "") -> str:
    """Markdown banner stating which tables of a dataset are real, inferred or synthetic.

    ``provenance`` is tidy counts with columns ``table, basis, rows`` (as returned by
    ``Dataset.provenance()``).

    >>> prov = pd.DataFrame({"table": ["grades", "scores"], "basis": ["named", "synthetic"], "rows": [29, 100]})
    >>> print(dataset_banner(prov))
    **Data provenance.** ⚠️ **SYNTHETIC** rows: scores (100). Real (published) rows: grades (29).
    """
    parts = []
    for basis, head in (
        ("synthetic", "⚠️ **SYNTHETIC** rows"),
        ("inferred", "**INFERRED** rows"),
        ("named", "Real (published) rows"),
        ("observed", "Real (your records) rows"),
    ):
        sel = provenance[(provenance["basis"] == basis) & (provenance["rows"] > 0)]
        if len(sel):
            items = ", ".join(f"{t} ({int(n)})" for t, n in zip(sel["table"], sel["rows"]))
            parts.append(f"{head}: {items}.")
    lead = f"**{title} — data provenance.**" if title else "**Data provenance.**"
    return " ".join([lead, *parts])
