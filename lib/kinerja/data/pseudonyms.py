"""Jurors appear only under pseudonyms: names in a user's data are replaced when it is loaded.

The data model asks for pseudonymous juror ids (``J01``), but a user's own worksheets
often carry the evaluators' names. :func:`kinerja.data.io.load_dataset` therefore calls
:func:`pseudonymise` on every dataset it loads, before any analysis sees a table: every
juror id that does not look like a pseudonym (:data:`PSEUDONYM`) is replaced by one
(``P01``, ``P02``, ...) in ``jurors`` and ``scores``, and each name is also replaced
wherever it appears as a word in those tables' ``source`` cells. No analysis, table,
figure, notebook or brief can then show a name, because none ever receives one.

The mapping ``name -> pseudonym`` stays with the user's data, in
``juror_pseudonyms.csv`` inside the dataset folder (``<stem>.juror_pseudonyms.csv``
beside a workbook); it is never written anywhere else. It is read on every load, so a
juror keeps the same pseudonym across years and runs; a name seen for the first time
gets the next free number (names new in one load are numbered in sorted order, so the
result does not depend on row order). Keep that file private: it is the only link
between the reports and the people.

A dataset can ask for every juror id to be replaced, pseudonym-like or not, with
``"pseudonymise_jurors": "all"`` in its ``dataset.json`` (default ``"auto"``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

#: A juror id that already is a pseudonym: a number (``7``, ``012``), or one to three
#: letters, an optional ``-``/``_`` and one to six digits (``J01``, ``JR-7``, ``E12``).
#: Anything else is taken for a name; so is a long number such as an 18-digit NIP (Nomor
#: Induk Pegawai), which identifies a civil servant (and encodes their birth date).
PSEUDONYM = re.compile(r"^(?:[A-Za-z]{1,3}[-_]?)?\d{1,6}$")
#: File name of the mapping inside a dataset folder.
MAPPING_FILE = "juror_pseudonyms.csv"
#: Prefix of the pseudonyms given here.
PREFIX = "P"
#: Values of ``pseudonymise_jurors`` in ``dataset.json``.
MODES = ("auto", "all")


def looks_like_pseudonym(juror_id: str) -> bool:
    """True for ids such as ``J01``; False for anything that may be a name.

    >>> [looks_like_pseudonym(x) for x in ("J01", "JR-7", "12", "Budi Santoso", "budi", "Dr. Sari 2")]
    [True, True, True, False, False, False]
    """
    return bool(PSEUDONYM.match(str(juror_id).strip()))


def mapping_path(dataset_path: str | os.PathLike) -> Path:
    """Where the mapping of a dataset lives: in its folder, or beside its workbook.

    >>> mapping_path("/data/kab").name, mapping_path("/data/kab.xlsx").name
    ('juror_pseudonyms.csv', 'kab.juror_pseudonyms.csv')
    """
    path = Path(dataset_path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return path.with_name(f"{path.stem}.{MAPPING_FILE}")
    return path / MAPPING_FILE


class MappingError(ValueError):
    """The juror pseudonym mapping cannot be read, is inconsistent, or cannot be written;
    the message names the file and says what to do (the loader raises it as a
    :class:`kinerja.data.io.DataError` whose problem names the file and row).

    Attributes: ``path`` (the mapping file), ``row`` (its line, or None for the whole
    file) and ``text`` (what is wrong and what to do)."""

    def __init__(self, path, text: str, row: int | None = None):
        self.path, self.text, self.row = Path(path), text, row
        super().__init__(f"{path}{f', row {row}' if row else ''}: {text}")


def _restore_or_delete(path: Path) -> str:
    return (
        f"Restore {path.name} from a backup, or correct it (two columns, juror_name and pseudonym, one juror a "
        "line). Deleting it numbers the jurors anew: their pseudonyms in earlier reports would then not match."
    )


def read_mapping(path: Path) -> dict[str, str]:
    """``name -> pseudonym`` from a mapping file (empty when there is none).

    The file is read as a spreadsheet program may have saved it again: UTF-8 (with or
    without a byte-order mark) or Windows-1252, separated by commas, semicolons or tabs.
    An empty or unreadable file, a file without the two columns, or a name or pseudonym
    given twice is a :class:`MappingError`: the mapping is the only link between reports
    and people, so it is never guessed at or rebuilt without the user's say."""
    if not path.is_file():
        return {}
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise MappingError(path, f"the juror pseudonym mapping is empty. {_restore_or_delete(path)}")
    sep = max((",", ";", "\t"), key=lines[0].count)
    import csv

    rows = list(csv.reader(lines, delimiter=sep))
    header = [h.strip().lower() for h in rows[0]]
    if "juror_name" not in header or "pseudonym" not in header:
        raise MappingError(
            path,
            "a juror pseudonym mapping needs the columns juror_name and pseudonym (found: "
            f"{', '.join(repr(h) for h in rows[0])}). {_restore_or_delete(path)}",
            row=1,
        )
    i, j = header.index("juror_name"), header.index("pseudonym")
    mapping: dict[str, str] = {}
    owner: dict[str, str] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        name = row[i].strip() if i < len(row) else ""
        pseudonym = row[j].strip() if j < len(row) else ""
        if not name and not pseudonym:
            continue
        if not name or not pseudonym:
            raise MappingError(
                path, f"a juror name without a pseudonym, or the reverse. {_restore_or_delete(path)}", line_no
            )
        if not looks_like_pseudonym(pseudonym):
            raise MappingError(
                path,
                f"the pseudonym {pseudonym!r} does not look like one (a few letters and digits, such as "
                f"P01), so it might be a name, and names never reach a report. {_restore_or_delete(path)}",
                line_no,
            )
        if name in mapping:
            raise MappingError(path, f"a juror name is listed twice. {_restore_or_delete(path)}", line_no)
        if pseudonym in owner:
            raise MappingError(
                path,
                f"the pseudonym {pseudonym} is given to two jurors, which would merge their scores into "
                f"one juror's. {_restore_or_delete(path)}",
                line_no,
            )
        mapping[name] = pseudonym
        owner[pseudonym] = name
    return mapping


def _next_pseudonyms(names: list[str], taken: set[str], width: int) -> dict[str, str]:
    out, i = {}, 0
    for name in names:
        while True:
            i += 1
            candidate = f"{PREFIX}{i:0{width}d}"
            if candidate not in taken:
                break
        taken.add(candidate)
        out[name] = candidate
    return out


def _write_mapping(path: Path, mapping: dict[str, str]) -> None:
    table = pd.DataFrame(sorted(mapping.items(), key=lambda kv: kv[1]), columns=["juror_name", "pseudonym"])
    tmp = path.with_name(f".{path.name}.tmp")
    table.to_csv(tmp, index=False)
    tmp.replace(path)


def pseudonymise(
    tables: dict[str, pd.DataFrame], dataset_path: str | os.PathLike, *, mode: str = "auto"
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Replace juror names by pseudonyms in ``jurors`` and ``scores`` (see the module docstring).

    Parameters
    ----------
    tables : dict of str to DataFrame
        The loaded tables (``jurors`` and ``scores`` are used; others pass through).
    dataset_path : path
        The dataset folder or workbook: the mapping lives there (:func:`mapping_path`).
    mode : {"auto", "all"}
        ``auto`` replaces ids that do not look like pseudonyms; ``all`` replaces every id.

    Returns
    -------
    tables : dict of str to DataFrame
        The same tables, juror ids and names in ``source`` replaced.
    notes : list of str
        A note for :attr:`kinerja.data.io.Dataset.notes` when something was replaced
        (it names the mapping file, never a juror).

    Notes
    -----
    The mapping file is updated under a lock (notebooks of one run load the data at the
    same time) and replaced atomically. Names are matched exactly (after trimming) in
    the id columns and as whole words, ignoring case, in ``source``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> jurors = pd.DataFrame({"juror_id": ["Budi Santoso", "J02"], "source": ["form of Budi Santoso", "x"]})
    >>> scores = pd.DataFrame({"juror_id": ["J02", "Budi Santoso"], "source": ["", ""]})
    >>> out, notes = pseudonymise({"jurors": jurors, "scores": scores}, folder)
    >>> out["jurors"]["juror_id"].tolist(), out["jurors"]["source"].tolist(), out["scores"]["juror_id"].tolist()
    (['P01', 'J02'], ['form of P01', 'x'], ['J02', 'P01'])
    >>> (folder / MAPPING_FILE).read_text().splitlines()
    ['juror_name,pseudonym', 'Budi Santoso,P01']
    """
    mode = str(mode).strip().lower()
    if mode not in MODES:
        raise ValueError(f"pseudonymise_jurors must be one of {MODES}, not {mode!r} (dataset.json)")
    ids = set()
    for t in ("jurors", "scores"):
        if t in tables and "juror_id" in tables[t]:
            ids.update(str(x).strip() for x in tables[t]["juror_id"].dropna().unique())
    names = sorted(i for i in ids if mode == "all" or not looks_like_pseudonym(i))
    if not names:
        return tables, []
    path = mapping_path(dataset_path)
    mapping = read_mapping(path)
    new = [n for n in names if n not in mapping]
    if new:
        import fcntl

        try:
            with open(path.with_name(f".{path.name}.lock"), "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                mapping = read_mapping(path)  # another process may have added names meanwhile
                new = [n for n in names if n not in mapping]
                if new:
                    taken = set(mapping.values()) | (ids - set(names))
                    width = max(2, len(str(len(mapping) + len(new))))
                    mapping.update(_next_pseudonyms(new, taken, width))
                    _write_mapping(path, mapping)
        except OSError as exc:
            raise MappingError(
                path,
                f"{len(new)} juror id(s) look like names and need pseudonyms, but the mapping that keeps "
                f"them cannot be written there ({exc.strerror or exc}). Copy the dataset to a folder you can write "
                "to and load it from there, or replace the names by pseudonyms yourself (J01, J02, ...).",
            ) from None
    used = {n: mapping[n] for n in names}
    clash = sorted(set(used.values()) & (ids - set(names)))
    if clash:
        raise MappingError(
            path,
            f"the pseudonym(s) {', '.join(clash)} of the mapping are also juror ids in the data as they "
            "are, so two jurors would become one. Give those jurors other ids in the data, or other pseudonyms in "
            "the mapping.",
        )
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(used, key=len, reverse=True)) + r")\b", re.I)
    lower = {n.lower(): p for n, p in used.items()}
    out = dict(tables)
    for t in ("jurors", "scores"):
        if t not in out:
            continue
        df = out[t].copy()
        if "juror_id" in df:
            stripped = df["juror_id"].astype("string").str.strip()
            df["juror_id"] = stripped.map(lambda x: used.get(x, x) if isinstance(x, str) else x).astype(
                df["juror_id"].dtype
            )
        if "source" in df:
            df["source"] = (
                df["source"]
                .astype("string")
                .str.replace(pattern, lambda m: lower[m.group(0).lower()], regex=True)
                .astype(df["source"].dtype)
            )
        out[t] = df
    note = (
        f"{len(used)} juror id(s) that look like names were replaced by pseudonyms ({', '.join(sorted(used.values()))}); "
        f"the mapping stays with the data in {path.name} (keep it private)."
    )
    return out, [note]
