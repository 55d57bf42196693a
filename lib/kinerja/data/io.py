"""Load a kinerja dataset, check it against the data model and account for every row.

A dataset is either a folder of CSV files named ``<table>.csv`` (plus an optional
``dataset.json`` with metadata) or one Excel workbook (``.xlsx``) with one sheet per
table. The tables and their columns are defined in :mod:`kinerja.schema`; nothing here
repeats them.

Reading is forgiving about the way spreadsheets are saved in practice (semicolon or
comma separators, decimal commas, a byte-order mark, stray spaces, header and
vocabulary case, ids typed as numbers in Excel). Checking is strict: every problem is
reported with the file (and sheet), the row as a spreadsheet numbers it (the header is
row 1), the column and the offending value, in one :class:`DataError` that lists the
first few problems and counts the rest. No row disappears silently: rows that are
excluded (blank rows, other years) are counted in :attr:`Dataset.accounts`.

Examples
--------
The untouched fill-in template is a valid one-row-per-table dataset:

>>> from kinerja.io import load_dataset
>>> from kinerja.template import TEMPLATE_PATH
>>> ds = load_dataset(TEMPLATE_PATH)
>>> ds
Dataset('kinerja_template', years=[2020], units=1, jurors=1, rubric=1, grades=1, innovations=1, scores=1)
>>> ds.scores[["subject_id", "juror_id", "criterion_id", "score"]]
  subject_id juror_id criterion_id  score
0     disdik      J01           A1   75.0
"""

from __future__ import annotations

import csv
import difflib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import DATA_DIR, PROJ_ROOT
from .grades import GRADE_ORDER, band, grade_dtype, grade_from_total, normalise_grade
from .schema import BASIS_VALUES, TABLES, WEIGHT_SUM_TOL, Column, ForeignKey, Table

__all__ = [
    "ACCOUNT_COLUMNS",
    "MAX_REPORTED",
    "DataError",
    "Dataset",
    "Problem",
    "dataset_years",
    "load_dataset",
    "normalise_header",
    "resolve_dataset",
]

#: How many problems a :class:`DataError` message lists one by one.
MAX_REPORTED = 10
#: Columns of :attr:`Dataset.accounts`.
ACCOUNT_COLUMNS = ("table", "file", "rows_read", "rows_kept", "rows_excluded", "reason")

#: Reasons used in :attr:`Dataset.accounts`.
REASON_BLANK = "blank row"
REASON_NONE = "nothing excluded"
REASON_ABSENT = "optional table absent"


def _reason_year(year: int) -> str:
    return f"not the requested year ({year})"


#: Workbook suffixes read with openpyxl.
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: The metadata file of a CSV folder.
_META_FILE = "dataset.json"
#: Where users are sent for the column definitions.
_SEE_DICTIONARY = "the data dictionary in data/README.md"

# The two rules that involve particular columns (the rest is generic over the schema).
# Rubric weights of one (year, evaluation, stage), i.e. the rubric key without its last
# column (criterion_id), must sum to 100; a published total must lie in its grade's band.
_RUBRIC, _WEIGHT, _WEIGHT_SUM = "rubric", "weight", 100.0
_GRADES, _GRADE, _TOTAL = "grades", "grade", "total"
_YEAR, _BASIS = "year", "basis"

# Problem phases: a missing file or column is listed before a bad cell, and a bad cell
# before a problem between rows or tables, so the root cause comes first.
_STRUCTURE, _CELL, _RELATION = 0, 1, 2


class DataError(ValueError):
    """The dataset cannot be used as given; the message says where and what to do.

    Attributes
    ----------
    problems : list of Problem
        The problems listed in the message (at most :data:`MAX_REPORTED`).
    n_problems : int
        How many problems were found in all.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = (), n_problems: int | None = None):
        super().__init__(message)
        self.problems = list(problems)
        self.n_problems = len(self.problems) if n_problems is None else n_problems


@dataclass(frozen=True)
class Problem:
    """One problem in one place of the input.

    Attributes
    ----------
    where : str
        The file, e.g. ``"scores.csv"``, or ``"my.xlsx, sheet 'scores'"``.
    rows : tuple of int
        Spreadsheet row numbers (header = 1, first data row = 2); empty when the
        problem concerns the whole file.
    column : str or None
        The column (or several, joined by ", ") concerned, if any.
    letter : str or None
        The spreadsheet column letter, when the problem concerns one column in the file.
    text : str
        What is wrong and what to do, in plain words.
    """

    where: str
    rows: tuple[int, ...]
    column: str | None
    text: str
    letter: str | None = None

    def __str__(self) -> str:
        parts = [self.where]
        if self.rows:
            parts.append(_rows_phrase(self.rows))
        if self.column:
            many = "," in self.column
            col = f"columns {self.column}" if many else f"column '{self.column}'"
            if self.letter:
                col += f" ({self.letter})"
            parts.append(col)
        return ", ".join(parts) + ": " + self.text


def _rows_phrase(rows: Sequence[int], limit: int = 6) -> str:
    """Spreadsheet rows in words, with runs collapsed.

    >>> _rows_phrase([14])
    'row 14'
    >>> _rows_phrase([5, 9])
    'rows 5 and 9'
    >>> _rows_phrase([2, 3, 4, 5, 9, 11])
    'rows 2–5, 9 and 11'
    >>> _rows_phrase([2, 3])
    'rows 2 and 3'
    >>> _rows_phrase([1])
    'row 1 (header)'
    """
    rows = sorted(set(int(r) for r in rows))
    if rows == [1]:
        return "row 1 (header)"
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    text = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs]
    if len(runs) == 1 and runs[0][1] == runs[0][0] + 1:  # two rows read better as "2 and 3"
        text = [str(runs[0][0]), str(runs[0][1])]
    more = ""
    if len(text) > limit:
        hidden = sum(b - a + 1 for a, b in runs[limit:])
        text, more = text[:limit], f" and {hidden} more rows"
    if len(rows) == 1:
        return f"row {text[0]}"
    if more:
        return "rows " + ", ".join(text) + more
    if len(text) == 1:
        return f"rows {text[0]}"
    return "rows " + ", ".join(text[:-1]) + " and " + text[-1]


def _letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def normalise_header(name: object) -> str:
    """The canonical form of a header cell: trimmed, lower case, spaces as underscores.

    >>> normalise_header("\\ufeff Score ")
    'score'
    >>> normalise_header("Unit ID")
    'unit_id'
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    text = _strip_cell(str(name)) or ""
    return re.sub(r"[\s\-]+", "_", text.lower())


_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _strip_cell(text: str) -> str | None:
    """Trim whitespace (also non-breaking and zero-width spaces); empty -> None."""
    text = text.strip().strip(_INVISIBLE).strip()
    return text or None


def _show(value: object) -> str:
    """A value as a user typed it, for messages."""
    if isinstance(value, float):
        return f"{value:g}" if np.isfinite(value) else str(value)
    return str(value)


# ----------------------------------------------------------------------------------------
# Problem collection: vectorised checks add groups; only the listed ones are formatted.
# ----------------------------------------------------------------------------------------


@dataclass
class _Group:
    phase: int
    where: str
    column: str | None
    count: int
    make: Callable[[int], Problem]


class _Problems:
    def __init__(self) -> None:
        self.groups: list[_Group] = []

    def add(self, phase: int, where: str, column: str | None, count: int, make: Callable[[int], Problem]) -> None:
        if count:
            self.groups.append(_Group(phase, where, column, int(count), make))

    def one(self, phase: int, problem: Problem) -> None:
        self.add(phase, problem.where, problem.column, 1, lambda i: problem)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def raise_if_any(self, label: str) -> None:
        if not self.groups:
            return
        groups = sorted(self.groups, key=lambda g: g.phase)  # stable within a phase
        total = sum(g.count for g in groups)
        shown: list[Problem] = []
        rest: dict[tuple[str, str | None], int] = {}
        for g in groups:
            take = min(g.count, MAX_REPORTED - len(shown))
            shown.extend(g.make(i) for i in range(take))
            if g.count > take:
                key = (g.where, g.column)
                rest[key] = rest.get(key, 0) + g.count - take
        noun = "problem" if total == 1 else "problems"
        lines = [f"Cannot load the dataset {label}: {total:,} {noun} found."]
        lines += [f"{i}. {p}" for i, p in enumerate(shown, 1)]
        if rest:
            tally = "; ".join(
                f"{where}"
                + (f", column '{col}'" if col and "," not in col else f", columns {col}" if col else "")
                + f": {n:,}"
                for (where, col), n in sorted(rest.items(), key=lambda kv: -kv[1])
            )
            lines.append(f"... and {total - len(shown):,} more not listed ({tally}).")
        lines.append(f"Correct the cells named above and load again (the columns are explained in {_SEE_DICTIONARY}).")
        raise DataError("\n".join(lines), shown, total)


# ----------------------------------------------------------------------------------------
# Reading files into raw text columns
# ----------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """One table as read: header cells and one object array (str or None) per column."""

    table: str
    where: str
    file: str
    header: list[object]
    columns: list[np.ndarray]
    n_rows: int


def _sniff_csv(path: Path) -> tuple[str, str]:
    """(encoding, separator) of a CSV file, from its byte-order mark and header line."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    text = head.decode(encoding if encoding != "utf-8-sig" else "utf-8", errors="replace")
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    counts = {sep: first.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=lambda s: (counts[s], s == ","))
    return encoding, sep


def _empty_file(where: str) -> DataError:
    problem = Problem(
        where,
        (),
        None,
        f"the file is empty. It needs at least the header row naming the columns (see {_SEE_DICTIONARY}).",
    )
    return DataError(str(problem), [problem])


def _read_csv(path: Path, table: str, notes: list[str]) -> _Raw:
    where = path.name
    encoding, sep = _sniff_csv(path)
    kwargs = dict(sep=sep, header=None, dtype=object, na_filter=False, skip_blank_lines=False)
    try:
        try:
            df = pd.read_csv(path, encoding=encoding, **kwargs)
        except UnicodeDecodeError:
            df = pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **kwargs)
            notes.append(
                f"{where} is not saved as UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). "
                "Check that names with special characters look right, or save it as 'CSV UTF-8'."
            )
    except pd.errors.EmptyDataError:
        raise _empty_file(where) from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            expected, line, saw = (int(x) for x in m.groups())
            text = f"this line has {saw} cells but the header has {expected}. " + (
                "This usually means decimal commas (72,5) in a comma-separated file without "
                "quotes: save the file with ';' as separator, or use decimal points. "
                if sep == ","
                else "Check for an extra separator or a missing quote in the line. "
            )
            problem = Problem(where, (line,), None, text.strip())
        else:
            problem = Problem(
                where,
                (),
                None,
                f"the file cannot be read as a table ({msg}). "
                "Open it in a spreadsheet program and save it again as CSV.",
            )
        raise DataError(str(problem), [problem]) from None
    except OSError as exc:
        problem = Problem(where, (), None, f"the file cannot be opened ({exc.strerror or exc}).")
        raise DataError(str(problem), [problem]) from None
    values = df.to_numpy(dtype=object)
    if values.shape[0] == 0:
        raise _empty_file(where)
    header = list(values[0])
    columns = [values[1:, j] for j in range(values.shape[1])]
    return _Raw(table, where, path.name, header, columns, values.shape[0] - 1)


def _excel_text(value: object) -> str | None:
    """An Excel cell value as the text a user sees (numbers without a spurious .0)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):  # date, datetime, time
        iso = value.isoformat()
        return iso[:10] if iso.endswith("T00:00:00") else iso
    return str(value)


def _open_workbook(path: Path):
    import openpyxl  # deferred: CSV-only users never pay for it

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        raise DataError(
            f"Cannot open {path.name} as an Excel workbook ({type(exc).__name__}: {exc}). "
            "Save it from your spreadsheet program as 'Excel Workbook (.xlsx)'.",
            [Problem(path.name, (), None, "not a readable .xlsx workbook")],
        ) from None


def _read_sheet(ws, book: str, table: str) -> _Raw:
    where = f"{book}, sheet '{ws.title}'"
    ws.reset_dimensions()  # do not trust the stored sheet size: read every row
    # Rows that Excel stores without values (formatted, or emptied) come back as empty
    # tuples and are counted as blank rows.
    rows = [tuple(_excel_text(v) for v in r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    if not rows:
        return _Raw(table, where, where, [], [], 0)
    values = np.full((len(rows), width), None, dtype=object)
    for i, r in enumerate(rows):
        values[i, : len(r)] = r
    header = list(values[0])
    columns = [values[1:, j] for j in range(width)]
    return _Raw(table, where, where, header, columns, len(rows) - 1)


# ----------------------------------------------------------------------------------------
# Parsing one table: clean cells, exclude rows, convert types, check cells
# ----------------------------------------------------------------------------------------


@dataclass
class _Cells:
    """A column as codes into cleaned unique values (None = empty cell)."""

    codes: np.ndarray
    uniq: np.ndarray  # object: str or None; the last entry is None
    empty_u: np.ndarray  # bool per unique value: the cell is empty

    @classmethod
    def of(cls, values: np.ndarray) -> _Cells:
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
        clean = [None if u is None else _strip_cell(u if isinstance(u, str) else str(u)) for u in uniq]
        clean.append(None)
        codes = np.where(codes < 0, len(uniq), codes)
        return cls(codes, np.array(clean, dtype=object), np.array([u is None for u in clean], dtype=bool))

    def take(self, keep: np.ndarray) -> _Cells:
        return _Cells(self.codes[keep], self.uniq, self.empty_u)


def _parse_numbers(uniq: np.ndarray) -> np.ndarray:
    """Floats of cleaned cell texts; decimal comma accepted; NaN where not a number."""
    s = pd.Series(uniq, dtype=object)
    text = s.where(s.isna(), s.astype(str).str.replace(",", ".", regex=False))
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(num), num, np.nan)


@dataclass
class _Parsed:
    table: Table
    where: str
    file: str
    frame: pd.DataFrame  # checking dtypes: numbers float64 (NaN = empty or bad)
    rows: np.ndarray  # spreadsheet row numbers of the frame's rows
    rows_read: int
    excluded: dict[str, int]
    bad: set[str]  # columns that are missing or have bad cells
    letters: dict[str, str]
    absent: bool = False


def _vocabulary_hint(value: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(value.lower(), [a.lower() for a in allowed], n=1, cutoff=0.6)
    if close:
        match = next(a for a in allowed if a.lower() == close[0])
        return f" Did you mean '{match}'?"
    return ""


def _parse(raw: _Raw, table: Table, year: int | None, problems: _Problems, notes: list[str]) -> _Parsed:
    where = raw.where
    names = [normalise_header(h) for h in raw.header]
    if not any(names):
        problems.one(
            _STRUCTURE,
            Problem(
                where,
                (1,),
                None,
                "there are no column headers. Row 1 must hold the headers ("
                + ", ".join(table.required_columns)
                + ", ...), with no title rows above it"
                + (f"; the {raw.n_rows} rows below are not read" if raw.n_rows else "")
                + ".",
            ),
        )
        raw, names = _Raw(raw.table, raw.where, raw.file, [], [], raw.n_rows), []
        bad_all = True
    else:
        bad_all = False
    position: dict[str, int] = {}
    ignored: list[str] = []
    all_cells = [_Cells.of(col) for col in raw.columns]
    for j, name in enumerate(names):
        if not name:
            if not all_cells[j].empty_u[all_cells[j].codes].all():
                ignored.append(f"column {_letter(j)} (no header)")
            continue
        if name in position:
            first = position[name]
            problems.one(
                _STRUCTURE,
                Problem(
                    where,
                    (1,),
                    name,
                    f"columns {_letter(first)} and {_letter(j)} both have the header '{name}'. "
                    "Keep one of them (header names ignore case and spaces).",
                    _letter(j),
                ),
            )
            continue
        position[name] = j
        if name not in table.column_names:
            ignored.append(f"'{raw.header[j]}'")
    if ignored:
        notes.append(f"{where}: ignored columns that are not in the data model: {', '.join(ignored)}.")
    bad: set[str] = set(table.column_names) if bad_all else set()
    for col in table.columns:
        if col.required and col.name not in position and not bad_all:
            bad.add(col.name)
            found = ", ".join(f"'{n}'" for n in names if n) or "none"
            problems.one(
                _STRUCTURE,
                Problem(
                    where,
                    (1,),
                    col.name,
                    f"the required column is missing (columns found: {found}). Add a column with the "
                    f"header '{col.name}' in row 1 ({col.description}) — see {_SEE_DICTIONARY}.",
                ),
            )

    n = raw.n_rows
    row_numbers = np.arange(2, n + 2)
    if all_cells:
        blank = np.logical_and.reduce([c.empty_u[c.codes] for c in all_cells])
    else:
        blank = np.ones(n, dtype=bool)
    keep = ~blank
    excluded: dict[str, int] = {}
    if blank.any():
        excluded[REASON_BLANK] = int(blank.sum())
    if year is not None and _YEAR in position:
        ycells = all_cells[position[_YEAR]]
        yrow = _parse_numbers(ycells.uniq)[ycells.codes]
        other = keep & np.isfinite(yrow) & (yrow != year)
        if other.any():
            excluded[_reason_year(year)] = int(other.sum())
            keep &= ~other

    rows = row_numbers[keep]
    data: dict[str, object] = {}
    letters = {name: _letter(j) for name, j in position.items()}
    for col in table.columns:
        if col.name not in position:
            data[col.name] = _empty_column(col, len(rows))
            continue
        cells = all_cells[position[col.name]].take(keep)
        values, col_bad = _convert(cells, col, where, rows, letters[col.name], problems)
        if col_bad:
            bad.add(col.name)
        data[col.name] = values
    frame = pd.DataFrame(data)
    return _Parsed(table, where, raw.file, frame, rows, n, excluded, bad, letters)


def _empty_column(col: Column, n: int):
    if col.kind in ("int", "float"):
        return np.full(n, np.nan)
    if col.kind == "grade":
        return pd.Categorical([None] * n, dtype=grade_dtype())
    return pd.array([None] * n, dtype="str")


def _convert(
    cells: _Cells, col: Column, where: str, rows: np.ndarray, letter: str, problems: _Problems
) -> tuple[object, bool]:
    """Typed values of one column (NaN where empty or bad) and whether any cell was bad."""
    uniq, codes = cells.uniq, cells.codes
    empty_u = cells.empty_u
    bad_any = False

    def report(mask_u: np.ndarray, text: Callable[[str], str]) -> None:
        nonlocal bad_any
        mask = mask_u[codes]
        count = int(mask.sum())
        if not count:
            return
        bad_any = True
        where_rows = rows[mask]
        where_vals = codes[mask]

        def make(i: int) -> Problem:
            value = uniq[where_vals[i]]
            return Problem(where, (int(where_rows[i]),), col.name, text(value), letter)

        problems.add(_CELL, where, col.name, count, make)

    if col.required:
        report(
            empty_u,
            lambda v: (
                f"the cell is empty, but '{col.name}' is required: {col.description} "
                "Fill it in, or delete the row if it should not be there."
            ),
        )

    if col.kind in ("int", "float"):
        num_u = _parse_numbers(uniq)
        not_number = ~empty_u & np.isnan(num_u)
        if col.kind == "int":
            whole = "a whole number"
            report(
                not_number | (~np.isnan(num_u) & (num_u != np.round(num_u))),
                lambda v: f"'{v}' is not {whole}. Type it with digits only, e.g. '{col.example or 2020}'.",
            )
            num_u = np.where(num_u == np.round(num_u), num_u, np.nan)
        else:
            report(
                not_number,
                lambda v: (
                    f"'{v}' is not a number. '{col.name}' is: {col.description} Type only "
                    "digits, with a decimal comma or point (e.g. 72,5)."
                ),
            )
        if col.lo is not None or col.hi is not None:
            lo = -np.inf if col.lo is None else col.lo
            hi = np.inf if col.hi is None else col.hi
            out = ~np.isnan(num_u) & ((num_u < lo) | (num_u > hi))
            report(
                out,
                lambda v: (
                    f"'{v}' is outside {_show(float(lo))}–{_show(float(hi))}. "
                    f"'{col.name}' is: {col.description} Check the cell."
                ),
            )
            num_u = np.where(out, np.nan, num_u)
        return num_u[codes], bad_any

    if col.kind == "grade":
        grade_u = np.array([None if u is None else normalise_grade(u) for u in uniq], dtype=object)
        report(
            ~empty_u & pd.isna(grade_u),
            lambda v: f"'{v}' is not a SAKIP grade. Use one of {', '.join(GRADE_ORDER[::-1])} (upper or lower case).",
        )
        codes_g = pd.Categorical(grade_u, dtype=grade_dtype()).codes[codes]
        return pd.Categorical.from_codes(codes_g, dtype=grade_dtype()), bad_any

    if col.allowed is not None:
        canonical = {a.lower(): a for a in col.allowed}
        mapped = np.array([None if u is None else canonical.get(u.lower()) for u in uniq], dtype=object)
        report(
            ~empty_u & pd.isna(mapped),
            lambda v: (
                f"'{v}' is not an allowed value for '{col.name}'. Use one of: "
                f"{', '.join(col.allowed)} (upper or lower case).{_vocabulary_hint(v, col.allowed)}"
            ),
        )
        return pd.array(mapped[codes], dtype="str"), bad_any
    return pd.array(uniq[codes], dtype="str"), bad_any


# ----------------------------------------------------------------------------------------
# Checks between rows and tables
# ----------------------------------------------------------------------------------------


def _check_duplicates(p: _Parsed, problems: _Problems) -> None:
    key = list(p.table.key)
    if not key or not len(p.frame):
        return
    sub = p.frame[key]
    complete = sub.notna().all(axis=1).to_numpy()
    dup = complete & sub.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    d = sub[dup]
    d_rows = p.rows[dup]
    # Number the repeated combinations in order of first appearance.
    group = d.groupby(key, sort=False, observed=True, dropna=False).ngroup().to_numpy()
    count = int(group.max()) + 1
    columns = ", ".join(key)

    def make(i: int) -> Problem:
        members = np.flatnonzero(group == i)
        rows = tuple(int(r) for r in d_rows[members])
        values = d.iloc[members[0]]
        combo = ", ".join(f"{c} {_show(values[c])}" for c in key)
        times = "twice" if len(rows) == 2 else f"{len(rows)} times"
        return Problem(
            p.where,
            rows,
            columns,
            f"the same ({combo}) appears {times}. Each combination of {columns} must appear "
            "only once: delete the repeated row, or correct it if it is a different one.",
        )

    problems.add(_RELATION, p.where, columns, count, make)


def _check_foreign_key(p: _Parsed, fk: ForeignKey, parsed: dict[str, _Parsed], problems: _Problems) -> None:
    ref = parsed[fk.table]
    if set(fk.ref_columns) & ref.bad:
        return  # a bad or missing cell there would make correct rows here look wrong
    # Rows here with an empty or bad cell are skipped (that cell is reported already).
    if not len(p.frame):
        return
    child = p.frame[list(fk.columns)]
    use = child.notna().all(axis=1).to_numpy()
    if fk.when:
        use = use & (p.frame[fk.when[0]] == fk.when[1]).fillna(False).to_numpy()
    if not use.any():
        return
    target = ref.frame[list(fk.ref_columns)].dropna()
    target.columns = list(fk.columns)
    found = pd.MultiIndex.from_frame(child[use]).isin(pd.MultiIndex.from_frame(target))
    if found.all():
        return
    missing_pos = np.flatnonzero(use)[~found]
    miss = child.iloc[missing_pos]
    # Blame the first column whose prefix of the key is not found (a wrong year is a
    # wrong year, not a wrong juror_id).
    blame = np.full(len(miss), len(fk.columns) - 1)
    for k in range(len(fk.columns) - 1, 0, -1):
        cols = list(fk.columns[:k])
        ok = pd.MultiIndex.from_frame(miss[cols]).isin(pd.MultiIndex.from_frame(target[cols]))
        blame = np.where(~ok, k - 1, blame)
    rows = p.rows[missing_pos]
    for k in range(len(fk.columns)):
        sel = np.flatnonzero(blame == k)
        if not len(sel):
            continue
        col, ref_col = fk.columns[k], fk.ref_columns[k]
        before = list(zip(fk.columns[:k], fk.ref_columns[:k]))

        def make(i: int, sel=sel, k=k, col=col, ref_col=ref_col, before=before) -> Problem:
            r = sel[i]
            row = miss.iloc[r]
            last, last_ref = fk.columns[-1], fk.ref_columns[-1]
            if k == len(fk.columns) - 1:
                context = " and ".join(f"{rc} {_show(row[c])}" for c, rc in before)
                head = f"'{_show(row[col])}' is not listed in the '{ref_col}' column of {ref.where}" + (
                    f" for {context}" if context else ""
                )
            else:  # already the leading columns match no row: say so, not "unknown id"
                context = " and ".join(f"{rc} {_show(row[c])}" for c, rc in before + [(col, ref_col)])
                head = f"{ref.where} has no row with {context}, so {last} '{_show(row[last])}' cannot be matched"
            cond = f"This is a {fk.when[1]} row ({fk.when[0]} = {fk.when[1]}), so " if fk.when else ""
            same = (" with the same " + ", ".join(fk.columns[:-1])) if len(fk.columns) > 1 else ""
            text = (
                f"{head}. {cond}'{last}' must match the {last_ref} of a row in {ref.where}{same}: "
                "add the missing row there, or correct this cell."
            )
            return Problem(p.where, (int(rows[r]),), col, text, p.letters.get(col))

        problems.add(_RELATION, p.where, col, len(sel), make)


def _check_weights(p: _Parsed, problems: _Problems) -> None:
    group = list(p.table.key[:-1])
    if set(group) & p.bad or not len(p.frame):
        return  # a row with a bad year/evaluation/stage would be missing from its group
    f = p.frame[group + [_WEIGHT]].assign(_row=p.rows)
    f = f[f[group].notna().all(axis=1)]
    # A group with a bad or empty weight is skipped (that cell is reported already).
    sums = f.groupby(group, sort=False, dropna=False).agg(
        total=(_WEIGHT, "sum"), complete=(_WEIGHT, lambda w: bool(w.notna().all())), rows=("_row", list)
    )
    off = sums[sums["complete"] & ((sums["total"] - _WEIGHT_SUM).abs() > WEIGHT_SUM_TOL)]

    def make(i: int) -> Problem:
        keys = off.index[i] if len(group) > 1 else (off.index[i],)
        combo = ", ".join(f"{c} {_show(v)}" for c, v in zip(group, keys))
        total = off["total"].iloc[i]
        return Problem(
            p.where,
            tuple(off["rows"].iloc[i]),
            _WEIGHT,
            f"the weights of {combo} add up to {total:.10g}, not {_WEIGHT_SUM:g}. Within one "
            f"({', '.join(group)}) the weights are points out of {_WEIGHT_SUM:g}: correct them so "
            f"that they sum to {_WEIGHT_SUM:g}.",
            p.letters.get(_WEIGHT),
        )

    problems.add(_RELATION, p.where, _WEIGHT, len(off), make)


def _check_grade_totals(p: _Parsed, problems: _Problems) -> None:
    if _TOTAL not in p.letters or not len(p.frame):
        return
    total = p.frame[_TOTAL].to_numpy(dtype=float)
    grade = p.frame[_GRADE].astype(object).to_numpy()
    expected = grade_from_total(total)
    use = np.isfinite(total) & pd.notna(grade)
    wrong = np.flatnonzero(use & (expected != grade))

    def make(i: int) -> Problem:
        r = wrong[i]
        g, t, e = grade[r], total[r], expected[r]
        lo, hi = band(g)
        span = f"above {lo:g} up to {hi:g}" if g != GRADE_ORDER[0] else f"{lo:g} up to {hi:g}"
        return Problem(
            p.where,
            (int(p.rows[r]),),
            _GRADE,
            f"grade '{g}' contradicts the total {t:g} in the same row: {g} means a total {span}, "
            f"and {t:g} is grade {e}. Check the grade and the total against the published source.",
            p.letters.get(_GRADE),
        )

    problems.add(_RELATION, p.where, _GRADE, len(wrong), make)


# ----------------------------------------------------------------------------------------
# The Dataset
# ----------------------------------------------------------------------------------------


def _accounts_rows(table: str, file: str, rows_read: int, excluded: dict[str, int]) -> list[dict]:
    excluded = {r: n for r, n in excluded.items() if n}
    kept = rows_read - sum(excluded.values())
    if not excluded:
        excluded = {REASON_NONE if file else REASON_ABSENT: 0}
    return [
        dict(table=table, file=file, rows_read=rows_read, rows_kept=kept, rows_excluded=n, reason=r)
        for r, n in excluded.items()
    ]


def _accounts_frame(rows: Iterable[dict]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=list(ACCOUNT_COLUMNS))
    return df.astype(
        {
            "table": "str",
            "file": "str",
            "reason": "str",
            "rows_read": "int64",
            "rows_kept": "int64",
            "rows_excluded": "int64",
        }
    )


@dataclass(eq=False)
class Dataset:
    """A loaded, validated dataset: one DataFrame per table of :mod:`kinerja.schema`.

    Each table is an attribute named after it (``ds.units``, ``ds.scores``, ...), with the
    columns in schema order and dtypes ``int64`` (year), ``float64`` (score, weight,
    total), the ordered grade categorical (:func:`kinerja.grades.grade_dtype`) and pandas
    strings for the rest.

    Attributes
    ----------
    name : str
        Folder name or workbook stem, e.g. ``"batu"``.
    path : Path
        Where the data were read from.
    meta : dict
        Contents of ``dataset.json`` (empty when absent).
    tables : dict of str to DataFrame
        The tables in schema order (also available as attributes).
    accounts : DataFrame
        One row per (table, reason): ``table, file, rows_read, rows_kept, rows_excluded,
        reason``; per table ``rows_read == rows_kept + sum(rows_excluded)``.
    notes : list of str
        Things the loader did that a reader should know (ignored columns, encoding).
    """

    name: str
    path: Path
    meta: dict
    tables: dict[str, pd.DataFrame]
    accounts: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{t}={len(df):,}" for t, df in self.tables.items())
        return f"Dataset({self.name!r}, years={self.years}, {sizes})"

    def __getattr__(self, name: str) -> pd.DataFrame:
        # Only reached when normal lookup fails: expose tables as attributes.
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.tables))

    @property
    def years(self) -> list[int]:
        """Sorted evaluation years present in any table."""
        found: set[int] = set()
        for df in self.tables.values():
            found.update(int(y) for y in pd.unique(df[_YEAR].dropna()))
        return sorted(found)

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (one of :data:`kinerja.schema.TABLES`)."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(self.tables)}") from None

    def for_year(self, year: int) -> Dataset:
        """A copy with the rows of one evaluation year; the accounts count the rest.

        Raises
        ------
        DataError
            If no table has a row for ``year``.
        """
        year = _as_year(year)
        if year not in self.years:
            raise DataError(
                f"The dataset {self.name!r} has no rows for year {year}; "
                f"its years are {', '.join(map(str, self.years)) or 'none'}."
            )
        tables = {t: df[df[_YEAR] == year].reset_index(drop=True) for t, df in self.tables.items()}
        rows = []
        for t, acc in self.accounts.groupby("table", sort=False, observed=True):
            excluded = dict(zip(acc["reason"], acc["rows_excluded"]))
            excluded.pop(REASON_NONE, None)
            excluded.pop(REASON_ABSENT, None)
            removed = len(self.tables[t]) - len(tables[t])
            reason = _reason_year(year)
            excluded[reason] = excluded.get(reason, 0) + removed
            rows += _accounts_rows(t, acc["file"].iloc[0], int(acc["rows_read"].iloc[0]), excluded)
        return Dataset(self.name, self.path, dict(self.meta), tables, _accounts_frame(rows), list(self.notes))

    def provenance(self) -> pd.DataFrame:
        """Rows per table and basis: ``table, basis, rows, share`` (share of the table's rows).

        Only combinations that occur are listed, tables in schema order and bases in the
        order of :data:`kinerja.schema.BASIS_VALUES`.
        """
        out = []
        for t, df in self.tables.items():
            counts = df[_BASIS].value_counts(dropna=False)
            for b in list(BASIS_VALUES) + [b for b in counts.index if b not in BASIS_VALUES]:
                if b in counts.index and counts[b]:
                    out.append(dict(table=t, basis=str(b), rows=int(counts[b]), share=counts[b] / len(df)))
        return pd.DataFrame(out, columns=["table", "basis", "rows", "share"]).astype(
            {"table": "str", "basis": "str", "rows": "int64", "share": "float64"}
        )

    def synthetic_tables(self) -> list[str]:
        """Names of the tables that contain at least one row with basis ``synthetic``."""
        return [t for t, df in self.tables.items() if (df[_BASIS] == "synthetic").any()]


def _as_year(year: object) -> int:
    try:
        value = int(year)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"year must be a whole number such as 2020, not {year!r}") from None
    if value != year and str(value) != str(year).strip():
        raise TypeError(f"year must be a whole number such as 2020, not {year!r}")
    return value


def _final_frame(p: _Parsed) -> pd.DataFrame:
    """The checked frame in its published dtypes."""
    out = {}
    for col in p.table.columns:
        s = p.frame[col.name]
        if col.kind == "int":
            out[col.name] = s.astype("int64" if col.required or s.notna().all() else "Int64")
        elif col.kind == "float":
            out[col.name] = s.astype("float64")
        else:
            out[col.name] = s
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------------------
# Finding and loading datasets
# ----------------------------------------------------------------------------------------


def resolve_dataset(name_or_path: str | os.PathLike) -> Path:
    """The folder or workbook meant by a dataset name or path.

    A bare name without a path separator (``"batu"``) means ``DATA_DIR / "batu"`` (or
    ``DATA_DIR / "batu.xlsx"``) when that exists; anything else is used as a path. A
    relative path that does not exist from the working directory is also tried from
    the project root (notebooks run with their own folder as working directory).

    Raises
    ------
    DataError
        If neither exists; the message lists the datasets in ``DATA_DIR``.

    Examples
    --------
    >>> resolve_dataset(DATA_DIR) == DATA_DIR
    True
    """
    text = os.fspath(name_or_path)
    is_bare = isinstance(name_or_path, str) and text and not any(s in text for s in ("/", "\\", os.sep))
    if is_bare:
        for candidate in (DATA_DIR / text, DATA_DIR / f"{text}.xlsx"):
            if candidate.exists():
                return candidate
    path = Path(text).expanduser()
    if path.exists():
        return path
    if not path.is_absolute() and (PROJ_ROOT / path).exists():
        return PROJ_ROOT / path
    known = (
        sorted(
            p.name
            for p in DATA_DIR.glob("*")
            if (p.is_dir() and any(p.glob("*.csv"))) or p.suffix.lower() in _EXCEL_SUFFIXES
        )
        if DATA_DIR.is_dir()
        else []
    )
    raise DataError(
        f"No dataset {text!r}: it is neither a folder or workbook at that path"
        + (f" nor a dataset in {DATA_DIR}" if is_bare else "")
        + f". Datasets in {DATA_DIR}: {', '.join(known) or 'none'}."
    )


def _table_files(folder: Path, notes: list[str]) -> dict[str, Path]:
    csvs = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"]
    by_name: dict[str, Path] = {}
    for p in sorted(csvs):
        stem = p.stem.strip().lower()
        if stem in TABLES and (stem not in by_name or p.stem == stem):
            by_name[stem] = p
    others = [p.name for p in sorted(csvs) if p not in by_name.values()]
    if others:
        notes.append(f"{folder.name}: ignored files that are not tables of the data model: {', '.join(others)}.")
    return by_name


def _read_meta(folder: Path) -> dict:
    path = folder / _META_FILE
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            f"{_META_FILE} in {folder} is not valid JSON ({exc}). Fix it or remove it (it is optional)."
        ) from None
    if not isinstance(meta, dict):
        raise DataError(f"{_META_FILE} in {folder} must contain a JSON object {{...}}, not a {type(meta).__name__}.")
    return meta


def _read_all(path: Path, problems: _Problems, notes: list[str]) -> tuple[dict[str, _Raw | None], dict]:
    """Raw tables (None when absent) and metadata of a folder or workbook."""
    raws: dict[str, _Raw | None] = {}
    if path.is_dir():
        meta = _read_meta(path)
        files = _table_files(path, notes)
        present = ", ".join(sorted(p.name for p in path.iterdir() if p.suffix.lower() == ".csv")) or "none"
        for name, table in TABLES.items():
            if name in files:
                try:
                    raws[name] = _read_csv(files[name], name, notes)
                except DataError as exc:  # report it with the other files' problems
                    raws[name] = None
                    for problem in exc.problems:
                        problems.one(_STRUCTURE, problem)
            else:
                raws[name] = None
                if not table.optional:
                    problems.one(
                        _STRUCTURE,
                        Problem(
                            f"{name}.csv",
                            (),
                            None,
                            f"the file is missing from {path}. A dataset folder needs "
                            f"{', '.join(t + '.csv' for t, tt in TABLES.items() if not tt.optional)} "
                            f"(CSV files found: {present}). Add it, or use the template "
                            "data/templates/kinerja_template.xlsx.",
                        ),
                    )
        return raws, meta
    if path.suffix.lower() in _EXCEL_SUFFIXES:
        wb = _open_workbook(path)
        try:
            sheets = {s.strip().lower(): s for s in wb.sheetnames}
            for name, table in TABLES.items():
                if name in sheets:
                    try:
                        raws[name] = _read_sheet(wb[sheets[name]], path.name, name)
                    except Exception as exc:  # a damaged sheet: openpyxl raises many kinds
                        raws[name] = None
                        problems.one(
                            _STRUCTURE,
                            Problem(
                                f"{path.name}, sheet '{sheets[name]}'",
                                (),
                                None,
                                f"the sheet cannot be read ({type(exc).__name__}: {exc}). Open the workbook in "
                                "your spreadsheet program and save it again as .xlsx.",
                            ),
                        )
                else:
                    raws[name] = None
                    if not table.optional:
                        problems.one(
                            _STRUCTURE,
                            Problem(
                                f"{path.name}, sheet '{name}'",
                                (),
                                None,
                                f"the sheet is missing. The workbook needs one sheet per table "
                                f"({', '.join(n for n, t in TABLES.items() if not t.optional)}); sheets found: "
                                f"{', '.join(wb.sheetnames)}. Add or rename the sheet (see the template "
                                "data/templates/kinerja_template.xlsx).",
                            ),
                        )
        finally:
            wb.close()
        return raws, {}
    if path.suffix.lower() == ".xls":
        raise DataError(
            f"{path.name} is an old-style Excel file (.xls). Open it in your spreadsheet program "
            "and save it as 'Excel Workbook (.xlsx)'."
        )
    raise DataError(
        f"{path} is neither a folder of CSV files nor an Excel workbook (.xlsx). Give the folder that "
        f"contains {', '.join(t + '.csv' for t in TABLES)}, or a workbook with one sheet per table."
    )


def load_dataset(path: str | os.PathLike, year: int | None = None) -> Dataset:
    """Read, check and account for a dataset (CSV folder or ``.xlsx`` workbook).

    Parameters
    ----------
    path : str or path-like
        A folder with ``<table>.csv`` files (and optionally ``dataset.json``), an Excel
        workbook with one sheet per table (other sheets, e.g. ``README``, are ignored),
        or a bare dataset name such as ``"batu"`` (see :func:`resolve_dataset`).
        Other files and sub-folders (e.g. ``truth/``) are ignored.
    year : int, optional
        Keep only the rows of this evaluation year; the other rows are counted in
        :attr:`Dataset.accounts` and are not checked beyond their year cell.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        When a table or required column is missing, a cell cannot be read or breaks a
        rule of :mod:`kinerja.schema`, a key repeats, an id is unknown in the table it
        refers to, rubric weights of one evaluation stage do not sum to 100, or a grade
        contradicts its published total. The message lists the first
        :data:`MAX_REPORTED` problems with file, row, column and value, and counts
        the rest.

    Notes
    -----
    Reading rules: CSV separators ``;``, ``,`` or tab are detected from the header
    line; UTF-8 (with or without byte-order mark), UTF-16 and, failing those,
    Windows-1252 are accepted (the last is mentioned in :attr:`Dataset.notes`).
    Headers ignore case, surrounding spaces and spaces vs. underscores. Cells are
    trimmed; an empty cell is missing. Numbers accept a decimal comma (``72,5``);
    ids are text, so leading zeros are kept (in Excel, type them into text cells).
    Grades and vocabulary columns ignore case. Rows whose every cell is empty are
    excluded and counted as ``blank row``. Columns not in the schema are ignored and
    listed in :attr:`Dataset.notes`.

    Examples
    --------
    >>> from kinerja.template import TEMPLATE_PATH
    >>> ds = load_dataset(TEMPLATE_PATH, year=2020)
    >>> ds.accounts[["table", "rows_read", "rows_kept", "reason"]].head(2)
        table  rows_read  rows_kept            reason
    0   units          1          1  nothing excluded
    1  jurors          1          1  nothing excluded
    >>> ds.provenance().head(2)
        table      basis  rows  share
    0   units  synthetic     1    1.0
    1  jurors  synthetic     1    1.0
    """
    requested = None if year is None else _as_year(year)
    path = resolve_dataset(path)
    label = f"'{path.name}' ({path})"
    notes: list[str] = []
    problems = _Problems()
    raws, meta = _read_all(path, problems, notes)

    parsed: dict[str, _Parsed] = {}
    for name, table in TABLES.items():
        raw = raws[name]
        if raw is None:
            where = f"{name}.csv" if path.is_dir() else f"{path.name}, sheet '{name}'"
            frame = pd.DataFrame({c.name: _empty_column(c, 0) for c in table.columns})
            # A missing required table is reported already: skip checks that refer to it.
            # A missing optional table is empty: references to it are reported.
            parsed[name] = _Parsed(
                table,
                where,
                "",
                frame,
                np.arange(0),
                0,
                {},
                set() if table.optional else set(table.column_names),
                {},
                absent=True,
            )
            continue
        parsed[name] = _parse(raw, table, requested, problems, notes)

    for name, p in parsed.items():
        if p.absent:
            continue
        _check_duplicates(p, problems)
        for fk in p.table.foreign_keys:
            _check_foreign_key(p, fk, parsed, problems)
        if name == _RUBRIC:
            _check_weights(p, problems)
        if name == _GRADES:
            _check_grade_totals(p, problems)
    problems.raise_if_any(label)

    tables = {name: _final_frame(p) for name, p in parsed.items()}
    accounts = _accounts_frame(
        row for name, p in parsed.items() for row in _accounts_rows(name, p.file, p.rows_read, p.excluded)
    )
    ds = Dataset(path.stem if path.is_file() else path.name, path, meta, tables, accounts, notes)
    if requested is not None and not any(len(df) for df in tables.values()):
        present = dataset_years(path)
        raise DataError(
            f"The dataset {label} has no rows for year {requested}; its years are "
            f"{', '.join(map(str, present)) or 'none'}."
        )
    return ds


def dataset_years(path: str | os.PathLike) -> list[int]:
    """Evaluation years present in a dataset, read cheaply (only the year columns).

    Cells that are not whole numbers are skipped here; :func:`load_dataset` reports
    them.

    Examples
    --------
    >>> from kinerja.template import TEMPLATE_PATH
    >>> dataset_years(TEMPLATE_PATH)
    [2020]
    """
    path = resolve_dataset(path)
    found: set[int] = set()

    def add(values: Iterable[object]) -> None:
        texts = np.array([None if v is None else _strip_cell(str(v)) for v in values], dtype=object)
        num = _parse_numbers(pd.unique(texts)) if len(texts) else np.array([])
        found.update(int(v) for v in num if np.isfinite(v) and v == int(v))

    if path.is_dir():
        for _name, file in _table_files(path, []).items():
            encoding, sep = _sniff_csv(file)
            try:
                with open(file, encoding=encoding, newline="", errors="replace") as fh:
                    header = next(csv.reader(fh, delimiter=sep), [])
            except OSError:
                continue
            names = [normalise_header(h) for h in header]
            if _YEAR not in names:
                continue
            try:
                col = pd.read_csv(
                    file,
                    sep=sep,
                    usecols=[names.index(_YEAR)],
                    dtype=object,
                    na_filter=False,
                    encoding=encoding,
                    encoding_errors="replace",
                ).iloc[:, 0]
            except (pd.errors.ParserError, ValueError):
                continue
            add(pd.unique(col.to_numpy(dtype=object)))
    elif path.suffix.lower() in _EXCEL_SUFFIXES:
        wb = _open_workbook(path)
        try:
            for s in wb.sheetnames:
                if s.strip().lower() not in TABLES:
                    continue
                ws = wb[s]
                ws.reset_dimensions()
                header = next(ws.iter_rows(max_row=1, values_only=True), ())
                names = [normalise_header(h) for h in header]
                if _YEAR in names:
                    j = names.index(_YEAR) + 1
                    add(_excel_text(r[0]) for r in ws.iter_rows(min_row=2, min_col=j, max_col=j, values_only=True))
        finally:
            wb.close()
    else:
        raise DataError(f"{path} is neither a folder of CSV files nor an Excel workbook (.xlsx).")
    return sorted(found)
