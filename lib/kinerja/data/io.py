"""Load a kinerja dataset, check it against the data model and account for every row.

A dataset is either a folder of CSV files named ``<table>.csv`` (plus an optional
``dataset.json`` with metadata) or one Excel workbook (``.xlsx``) with one sheet per
table. The tables and their columns are defined in :mod:`kinerja.schema`; nothing here
repeats them.

Reading is forgiving about the way spreadsheets are saved in practice (semicolon or
comma separators, Excel's ``sep=;`` first line, decimal commas, a byte-order mark,
UTF-16 and Windows-1252 files, stray and invisible spaces, header and vocabulary case,
ids typed as numbers in Excel). Checking is strict: every problem is reported with the
file (and sheet), the row as a spreadsheet or text editor numbers it (the header is
row 1), the column and the offending value, in one :class:`DataError` that lists the
first few problems and counts the rest. No row disappears silently: the physical lines
of a CSV file are counted against the rows read (a stray quote that would swallow lines
is an error naming the line where the quoted cell starts), and rows that are excluded
(blank rows, other years) are counted in :attr:`Dataset.accounts`. Damaged files
(zero bytes, NUL bytes, a workbook that is not one) are reported for what they are.

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

import codecs
import csv
import datetime as _dt
import difflib
import json
import os
import posixpath
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from ..paths import DATA_DIR, PROJ_ROOT
from .grades import GRADE_ORDER, band, grade_dtype, grade_from_total, normalise_grade
from .pseudonyms import MAPPING_FILE as PSEUDONYM_FILE
from .pseudonyms import MODES as PSEUDONYM_MODES
from .pseudonyms import MappingError, looks_like_pseudonym, pseudonymise
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
REASON_OUTSIDE = "values only in columns outside the data model"


def _reason_year(year: int) -> str:
    return f"not the requested year ({year})"


#: Workbook suffixes read with openpyxl.
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Files in a dataset folder that could hold a table but are not read (only CSV is).
_TABLE_LIKE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".tsv", ".txt")
#: The metadata file of a CSV folder.
_META_FILE = "dataset.json"
#: Where users are sent for the column definitions.
_SEE_DICTIONARY = "the data dictionary in data/README.md"
#: Excel's last row: a CSV file with exactly this many lines was cut off by Excel.
_EXCEL_MAX_ROWS = 1_048_576
#: What Excel shows in a cell whose formula failed (also what it writes into a CSV file).
_EXCEL_ERRORS = frozenset(
    "#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! #FIELD! "
    "#BLOCKED! #CONNECT! #BUSY! #UNKNOWN! #N/A!".split()
)
#: Text columns that hold a date (``YYYY-MM-DD`` or ``YYYY-MM``).
_DATE_COLUMNS = ("announced",)

# The rules that involve particular columns (the rest is generic over the schema).
# Rubric weights of one (year, evaluation, stage), i.e. the rubric key without its last
# column (criterion_id), must sum to 100; a published total must lie in its grade's band.
_RUBRIC, _WEIGHT, _WEIGHT_SUM = "rubric", "weight", 100.0
_GRADES, _GRADE, _TOTAL = "grades", "grade", "total"
_SCORES = "scores"
_YEAR, _BASIS = "year", "basis"

# Problem phases: a missing file or column is listed before a bad cell, a bad cell before
# a row that explains problems elsewhere (root cause), and that before the problems
# between rows or tables, so the root cause comes first.
_STRUCTURE, _CELL, _ROOT, _RELATION = 0, 1, 2, 3


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
        Spreadsheet row numbers (header = 1, first data row = 2; in a CSV file the line
        numbers a text editor shows); empty when the problem concerns the whole file.
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
        text, more = text[:limit], f" and {hidden:,} more rows"
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


def _plural(n: int, word: str, many: str | None = None) -> str:
    """``'1 row'``, ``'2 rows'``, ``'1,234 rows'``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# Characters that never carry meaning in a cell are removed: every invisible format
# character (Unicode category Cf: zero-width spaces and joiners, the byte-order mark
# inside a text, the soft hyphen, left-to-right and other direction marks that text
# copied from a web page or a right-to-left document brings along), variation
# selectors and control characters other than tab and line breaks (DOS's end-of-file
# Ctrl-Z, DEL, the C1 controls). Unusual spaces (no-break, thin, ideographic, ...) and
# Unicode line ends become ordinary spaces.
_ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
#: Unicode line ends that CSV readers (Python's, Excel's) do not take as line breaks:
#: inside a cell they read as a space; ending the lines of a file, they are refused.
_UNICODE_LINE_ENDS = {
    "\u2028": "U+2028 (line separator)",
    "\u2029": "U+2029 (paragraph separator)",
    "\x85": "U+0085 (next line)",
}


class _CleanTable(dict):
    """``str.translate`` table of :func:`_strip_cell`, filled in as characters are met."""

    def __missing__(self, code: int):
        invisible = (
            (code < 0x20 and code not in (0x09, 0x0A, 0x0D))
            or 0x7F <= code <= 0x9F  # DEL and the C1 controls (U+0085 is a space: see below)
            or 0xFE00 <= code <= 0xFE0F
            or unicodedata.category(chr(code)) == "Cf"
        )
        self[code] = value = None if invisible else code
        return value


_CLEAN_TABLE = _CleanTable({ord(c): " " for c in _ODD_SPACES + "".join(_UNICODE_LINE_ENDS)})


def _strip_cell(text: str) -> str | None:
    """A cell's text as meant: invisible characters removed, unusual spaces made plain,
    composed to Unicode NFC, trimmed; empty -> None.

    >>> _strip_cell("\\u00a0J\\u200b01 ")
    'J01'
    >>> _strip_cell(" \\ufeff ") is None
    True
    >>> _strip_cell("\\u200eJ01\\u200f\\x1a"), _strip_cell("85\\u202c")
    ('J01', '85')
    >>> _strip_cell("Dinas\\u2028Pendidikan"), _strip_cell("J01\\x9d")
    ('Dinas Pendidikan', 'J01')
    """
    if not (text.isascii() and text.isprintable()):
        text = text.translate(_CLEAN_TABLE)
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
    text = text.strip()
    return text or None


def normalise_header(name: object) -> str:
    """The canonical form of a header cell: trimmed, lower case, spaces as underscores.

    >>> normalise_header("\\ufeff Score ")
    'score'
    >>> normalise_header("Unit ID")
    'unit_id'
    """
    if name is None or (isinstance(name, float) and np.isnan(name)) or isinstance(name, _Special):
        return ""
    text = _strip_cell(str(name)) or ""
    return re.sub(r"[\s\-]+", "_", text.lower())


#: How copies of a file or sheet are named: ``scores (1)`` (a browser's second download,
#: Excel's copied sheet ``scores (2)``), ``scores - Copy`` / ``scores - Salinan`` and
#: ``Copy of scores`` / ``Salinan scores`` (Windows, in English and Indonesian).
_COPY_MARK = re.compile(
    r"^(?:copy of|salinan(?: dari)?)\s+|\s*-\s*(?:copy|salinan)(?:\s*\(\d+\))?$|\s*\(\d+\)$", re.IGNORECASE
)


def _table_key(name: str) -> str:
    """The table a file stem or sheet title names: case, spaces, invisible characters and
    the marks of a copy (:data:`_COPY_MARK`) ignored.

    >>> [_table_key(n) for n in (" Scores", "scores (1)", "Scores - Copy (2)", "Salinan scores", "scores_2020")]
    ['scores', 'scores', 'scores', 'scores', 'scores_2020']
    """
    text = (_strip_cell(name) or "").lower()
    return _COPY_MARK.sub("", text).strip() or text


def _is_copy_name(name: str) -> bool:
    """Whether a file stem or sheet title names its table as a copy does (``scores (1)``)."""
    text = (_strip_cell(name) or "").lower()
    return _table_key(name) != text


#: Longest cell text a message quotes in full.
_SHOW_MAX = 80


def _show(value: object) -> str:
    """A value as a user typed it, for messages (a long text cut, with its length: a
    5,000-character cell had been quoted whole in a message of 5,570).

    >>> _show(72.5), _show("x" * 100)[-20:]
    ('72.5', 'xx… (100 characters)')
    """
    if isinstance(value, float):
        return f"{value:g}" if np.isfinite(value) else str(value)
    text = value.shown if isinstance(value, _Special) else str(value)
    return text if len(text) <= _SHOW_MAX else f"{text[: _SHOW_MAX - 1]}… ({len(text):,} characters)"


# Text garbled by reading UTF-8 as Windows-1252 (or saving it twice): 'Ã©' for 'é',
# 'â€™' for '’', 'ï»¿' for the byte-order mark; '\ufffd' is a character already lost.
_GARBLED = re.compile("ï»¿|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]|â€|\ufffd")


def _garbled_hint(text: str) -> str | None:
    """Why ``text`` looks garbled by a wrong encoding, or None if it does not."""
    m = _GARBLED.search(text)
    if not m:
        return None
    bit = m.group()
    if bit == "\ufffd":
        return (
            "it contains '\ufffd', the mark of a character that was lost when the file was converted between encodings"
        )
    if bit == "ï»¿":
        return (
            "it contains 'ï»¿', which is the invisible byte-order mark of a UTF-8 file read as "
            "Windows-1252: the file mixes two encodings"
        )
    try:
        fixed = text[m.start() :].encode("cp1252").decode("utf-8")[:1]
        meant = f"'{fixed}'"
    except UnicodeError:
        meant = "a special character"
    return (
        f"it contains '{bit}', which is how {meant} looks when UTF-8 text is read as Windows-1252: "
        "the text was converted with the wrong encoding (or the file mixes two encodings)"
    )


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
        # Consequences to append to a problem at (where, row, column): e.g. the rows of
        # another table that refer to a row whose key cell is bad.
        self.follow: dict[tuple[str, int, str | None], str] = {}

    def add(self, phase: int, where: str, column: str | None, count: int, make: Callable[[int], Problem]) -> None:
        if count:
            self.groups.append(_Group(phase, where, column, int(count), make))

    def one(self, phase: int, problem: Problem) -> None:
        self.add(phase, problem.where, problem.column, 1, lambda i: problem)

    def from_error(self, phase: int, exc: DataError) -> None:
        """Add the problems of a DataError raised while reading one file."""
        for problem in exc.problems:
            self.one(phase, problem)
        rest = exc.n_problems - len(exc.problems)
        if rest > 0 and exc.problems:
            last = exc.problems[-1]
            self.add(
                phase,
                last.where,
                last.column,
                rest,
                lambda i: Problem(last.where, (), last.column, f"{rest:,} more problems like the ones above."),
            )

    def __bool__(self) -> bool:
        return bool(self.groups)

    def _with_follow(self, p: Problem) -> Problem:
        if len(p.rows) == 1:
            extra = self.follow.get((p.where, p.rows[0], p.column))
            if extra:
                return replace(p, text=f"{p.text} {extra}")
        return p

    def raise_if_any(self, label: str) -> None:
        if not self.groups:
            return
        groups = sorted(self.groups, key=lambda g: g.phase)  # stable within a phase
        total = sum(g.count for g in groups)
        shown: list[Problem] = []
        rest: dict[tuple[str, str | None], int] = {}
        for g in groups:
            take = min(g.count, MAX_REPORTED - len(shown))
            shown.extend(self._with_follow(g.make(i)) for i in range(take))
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


def _file_error(where: str, text: str, rows: tuple[int, ...] = (), column: str | None = None, letter=None):
    """A DataError about one file (raised while reading; collected with the others)."""
    problem = Problem(where, rows, column, text, letter)
    return DataError(str(problem), [problem])


# ----------------------------------------------------------------------------------------
# What a file really is (whatever its name says)
# ----------------------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOM8 = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class _Kind:
    """What the bytes of a file are: a code and the same in words."""

    code: str  # text, xlsx, ods, zip, damaged-zip, xls, encrypted, ole2, pdf, html, xml, binary, empty
    what: str


def _file_kind(path: Path, head: bytes) -> _Kind:
    """What a file is, judged from its content (``head``: its first bytes)."""
    if not head:
        return _Kind("empty", "an empty file (0 bytes)")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
        except Exception:  # zipfile raises several kinds for a broken archive
            return _Kind(
                "damaged-zip",
                "a damaged or incomplete zip file (an .xlsx workbook is a zip file, and the end of this one "
                "is missing or broken, as when a copy, download or save is cut off)",
            )
        if "xl/workbook.bin" in names:
            return _Kind("xlsb", "an Excel Binary Workbook (.xlsb)")
        if any(n.startswith("xl/") for n in names):
            return _Kind("xlsx", "an Excel workbook (.xlsx)")
        if b"spreadsheet" in mimetype:
            return _Kind("ods", "an OpenDocument spreadsheet (.ods, as LibreOffice saves it)")
        if any(n.startswith("word/") for n in names):
            return _Kind("zip", "a Word document (.docx)")
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        return _Kind("zip", f"a zip archive (holding {shown or 'nothing'})")
    if head.startswith(_OLE2):
        try:
            with open(path, "rb") as fh:
                data = fh.read(64 << 20)
        except OSError:
            data = head
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            return _Kind("encrypted", "a password-protected (encrypted) Excel workbook")
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return _Kind("xls", "an old-style Excel 97-2003 workbook (.xls)")
        if "WordDocument".encode("utf-16-le") in data:
            return _Kind("ole2", "a Word 97-2003 document (.doc)")
        return _Kind("ole2", "an old-style Microsoft Office file")
    for magic, what in (
        (b"%PDF", "a PDF document"),
        (b"{\\rtf", "a Rich Text (RTF) document"),
        (b"\x1f\x8b", "a gzip-compressed file"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
        (b"Rar!", "a RAR archive"),
    ):
        if head.startswith(magic):
            return _Kind("binary", what)
    lead = head[3:] if head.startswith(_BOM8) else head
    lead = lead.lstrip()[:400].lower()
    if lead.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")):
        return _Kind("html", "a web page (HTML), as some systems export under a spreadsheet name")
    if lead.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return _Kind("xml", "an Excel 2003 XML spreadsheet")
        return _Kind("xml", "an XML file")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _bomless_wide(head):
        return _Kind("text", "a text file (UTF-16)")
    if b"\0" in head:
        return _Kind("binary", "a binary file, not text")
    return _Kind("text", "a text file")


def _first_line(head: bytes) -> str:
    """The first line of a text file's first bytes, for messages."""
    for enc in ("utf-16", "utf-8-sig", "cp1252"):
        if enc == "utf-16" and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        text = head.decode(enc, errors="replace").lstrip("\ufeff")
        line = text.splitlines()[0] if text.strip() else ""
        return line[:60] + ("..." if len(line) > 60 else "")
    return ""


@dataclass
class _Raw:
    """One table as read: header cells and one object array (str, _Special or None) per column."""

    table: str
    where: str
    file: str
    header: list[object]
    columns: list[np.ndarray]
    n_rows: int
    header_row: int = 1  # the row (CSV: line) of the header; data rows follow it
    positions: list[int] | None = None  # the file's column indexes of ``columns`` (when not all were read)
    is_csv: bool = False
    sep: str = ""  # a CSV file's separator
    hidden: frozenset[int] = frozenset()  # indexes into ``columns`` of columns hidden in Excel


# ----------------------------------------------------------------------------------------
# Reading CSV files: bytes checked first (encoding, NUL bytes, lines), then parsed
# ----------------------------------------------------------------------------------------

_BOMS = (
    (_BOM8, "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CHUNK = 1 << 24
_SEP_LINE = re.compile(r'\s*"?sep=(.)"?\s*', re.IGNORECASE)
# well-formed UTF-8 sequences of two to four bytes (RFC 3629: no overlong forms, no surrogates)
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# a UTF-16 surrogate written as three bytes: CESU-8 or Java's "modified UTF-8" (an emoji
# exported by some Java or Oracle tools), or a string cut in the middle of a character
_SURROGATE_SEQ = re.compile(rb"\xed[\xa0-\xbf][\x80-\xbf]")
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SEP_NAMES = {";": "';'", ",": "','", "\t": "a tab"}


@dataclass
class _CsvScan:
    """What the bytes of a CSV file say about how to parse it."""

    encoding: str  # for pandas and open()
    sep: str
    skip: int  # lines before the header (1 for Excel's "sep=;" line)
    lines: int  # physical lines from the header on, as a text editor counts them
    header: list[str]  # the header cells
    unended: str | None = None  # the last line, when the file does not end with a line break


def _bomless_wide(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` for UTF-16 text without a byte-order mark (every other byte 0)."""
    sample = head[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _terminators(b: bytes, prev_cr: bool = False) -> int:
    r"""Line ends in ``b`` (``\n``, ``\r\n`` or a lone ``\r``), as pandas and editors count them."""
    cr = b.count(b"\r")
    n = b.count(b"\n") + cr
    if cr:
        n -= b.count(b"\r\n")
    if prev_cr and b[:1] == b"\n":
        n -= 1
    return n


def _guess_sep(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", ",", "\t")}
    return max(counts, key=lambda s: (counts[s], s == ","))


def _names_year(line: str) -> bool:
    """Whether ``line``, split at its likeliest separator, has a cell naming the column
    ``year`` (which every table has): the mark of a header row."""
    cells = next(csv.reader([line], delimiter=_guess_sep(line)), [])
    return len(cells) >= 2 and any(normalise_header(c) == _YEAR for c in cells)


def _header_line_below(text: str) -> int | None:
    """The line (2-10) holding the header row when line 1 does not: titles or empty lines
    above it. Each line's separator is guessed on its own, since a title line has none
    (guessed from line 1 alone, the header of a ';' file under a title was one cell)."""
    lines = re.split(r"\r\n|\r|\n", text, maxsplit=10)[:10]
    return next((i for i, line in enumerate(lines[1:], 2) if _names_year(line)), None)


def _header_of(text: str, where: str, notes: list[str]) -> tuple[str, int, list[str]]:
    """(separator, lines to skip, header cells) from the start of the decoded file."""
    text = text.lstrip("\ufeff")
    parts = re.split(r"\r\n|\r|\n", text, maxsplit=2)
    skip = 0
    m = _SEP_LINE.fullmatch(parts[0])
    if m:
        sep, skip = m.group(1), 1
        line = parts[1] if len(parts) > 1 else ""
        used = _guess_sep(line)
        if sep not in line and used in line:  # obeyed, it made the header one cell
            raise _file_error(
                where,
                f"line 1 says '{parts[0].strip()}', but the header row below it separates its cells with "
                f"{_SEP_NAMES[used]}: delete line 1, or correct it to 'sep={used}'.",
                (1,),
            )
        notes.append(
            f"{where} starts with Excel's '{parts[0].strip()}' line, which names the separator; it was used, "
            "and row numbers in messages count it as line 1 (as a text editor shows)."
        )
    else:
        line = parts[0]
        sep = _guess_sep(line)
        if not _names_year(line):
            below = _header_line_below(text)
            if below is not None:  # a title or empty line above the headers
                raise _file_error(
                    where,
                    f"the column headers are in row {below}, not in row 1: delete the "
                    f"{'row' if below == 2 else f'{below - 1} rows'} above them (a title, notes or empty lines), "
                    "so that the headers are the first row.",
                    (1,),
                )
    after = parts[skip + 1] if len(parts) > skip + 1 else ""
    _check_line_ends(line, after.partition("\n")[0], sep, where, skip + 1)
    header = next(csv.reader([line], delimiter=sep), [])
    return sep, skip, header


def _check_line_ends(line: str, next_line: str, sep: str, where: str, line_no: int) -> None:
    """Refuse a file whose lines end with a Unicode line end (:data:`_UNICODE_LINE_ENDS`)
    instead of a line break: CSV readers see its rows as one line, which had read as a
    header with dozens of unknown columns. The header line is cut at each such
    character; the pieces are rows when each has the same number of separators (one or
    more), and as many as the next line of the file, if it has one (a header cell with
    such a character inside is not a row end: it is read as a space)."""
    pieces = re.split("[" + "".join(_UNICODE_LINE_ENDS) + "]", line)
    if len(pieces) < 2 or not all(p.strip() for p in pieces):
        return
    counts = {p.count(sep) for p in pieces}
    if next_line.strip():
        counts.add(next_line.count(sep))
    if len(counts) == 1 and counts.pop() >= 1:
        name = _UNICODE_LINE_ENDS[next(c for c in line if c in _UNICODE_LINE_ENDS)]
        raise _file_error(
            where,
            f"its lines are separated by the character {name}, not by line breaks, so a CSV reader sees "
            f"{len(pieces)} rows in this line, the header among them. Save it again from a spreadsheet program "
            "as 'CSV UTF-8', or replace that character by a line break in a text editor.",
            (line_no,),
        )


def _scan_csv(path: Path, where: str, notes: list[str]) -> _CsvScan:
    """Check the bytes of a CSV file and find its encoding, separator and line count.

    Raises a DataError (one problem) for a file that is empty, is not text (a workbook,
    a PDF, ...), holds NUL bytes, or mixes encodings.
    """
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise _file_error(where, f"the file cannot be opened ({exc.strerror or exc}).") from None
    with fh:
        head = fh.read(1 << 16)
        encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), None)
        if encoding is None and b"\0" in head[:4096]:
            encoding = _bomless_wide(head)
        if encoding in (None, "utf-8-sig"):
            kind = _file_kind(path, head)
            if kind.code == "empty":
                raise _file_error(
                    where,
                    f"the file is empty (0 bytes). It needs at least the header row naming the columns "
                    f"(see {_SEE_DICTIONARY}).",
                )
            if kind.code not in ("text", "binary") or (kind.code == "binary" and not kind.what.startswith("a binary")):
                advice = (
                    "Open it in Excel and save it as 'CSV UTF-8' under this name, or load the workbook itself "
                    "(a workbook with one sheet per table is a dataset too)."
                    if kind.code == "xlsx"
                    else "Export the table again from the program that made it, as 'CSV UTF-8'."
                )
                raise _file_error(where, f"the file is {kind.what}, not a CSV text file. {advice}")
        if encoding is not None and encoding != "utf-8-sig":
            fh.seek(0)
            return _scan_wide(fh.read(), encoding, where, notes)
        fh.seek(0)
        total = n_nul = offset = 0
        first_nul: tuple[int, int] | None = None  # (byte offset, line)
        bad_utf8: int | None = None  # byte offset of the first byte that is not UTF-8
        decoder = codecs.getincrementaldecoder("utf-8")()
        prev_cr, last, tail = False, b"", b""
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            i = chunk.find(b"\0")
            if i >= 0:
                if first_nul is None:
                    first_nul = (offset + i, total + _terminators(chunk[:i], prev_cr) + 1)
                n_nul += chunk.count(b"\0")
            if bad_utf8 is None and not chunk.isascii():
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_utf8 = offset - pending + exc.start
            total += _terminators(chunk, prev_cr)
            prev_cr, last = chunk.endswith(b"\r"), chunk[-1:]
            offset += len(chunk)
            tail = chunk[max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) + 1 :]
        if bad_utf8 is None and decoder.getstate()[0]:
            bad_utf8 = offset - len(decoder.getstate()[0])  # the file ends inside a character
    size = offset
    lines = total + (1 if last not in (b"\n", b"\r") else 0)
    if first_nul is not None:
        at, line = first_nul
        if n_nul == size - at:
            text = (
                f"the file is damaged: from line {line} to its end it holds {n_nul:,} NUL bytes (binary zeros) "
                "instead of text, as when saving or copying it was cut off, so rows are missing. "
                "Restore the file from a backup or export it again."
            )
        else:
            text = (
                f"the file holds {n_nul:,} NUL bytes (binary zeros), the first in line {line}: it is damaged, "
                "or it is not a text file. Restore it from a backup or export it again as 'CSV UTF-8'."
            )
        raise _file_error(where, text, (line,))
    body = head[3:] if head.startswith(_BOM8) else head
    if size <= len(head) and not body.strip():
        what = "only a byte-order mark (the invisible mark of a UTF-8 file)" if head.startswith(_BOM8) else None
        raise _file_error(
            where,
            f"the file is empty: it holds {what or 'only spaces or empty lines'}. It needs at least the header "
            f"row naming the columns (see {_SEE_DICTIONARY}).",
        )
    encoding = "utf-8-sig" if head.startswith(_BOM8) else "utf-8"
    sep, skip, header = _header_of(head.decode("utf-8", errors="replace"), where, [])
    if bad_utf8 is not None:
        _diagnose_encoding(path, bad_utf8, where, sep, header)
        encoding = "cp1252"
        notes.append(
            f"{where} is not saved as UTF-8; it was read as Windows-1252 (Excel's 'CSV' format). "
            "Check that names with special characters look right, or save it as 'CSV UTF-8'."
        )
    sep, skip, header = _header_of(head.decode(encoding, errors="replace"), where, notes)
    unended = tail.decode(encoding, errors="replace") if tail and lines > 1 else None
    return _CsvScan(encoding, sep, skip, lines - skip, header, unended)


def _scan_wide(data: bytes, encoding: str, where: str, notes: list[str]) -> _CsvScan:
    """:func:`_scan_csv` for UTF-16 and UTF-32 files (read whole: they are small)."""
    name = encoding.upper().replace("-LE", "").replace("-BE", "")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = _terminators(data[: exc.start].decode(encoding, errors="replace").encode("utf-8")) + 1
        raise _file_error(
            where,
            f"the file is saved as {name}, but this line holds bytes that are not {name}: it is damaged or "
            "mixes encodings. Save it again from your spreadsheet program as 'CSV UTF-8'.",
            (line,),
        ) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise _file_error(
            where,
            f"the file is empty: it holds only a byte-order mark or spaces. It needs at least the header "
            f"row naming the columns (see {_SEE_DICTIONARY}).",
        )
    nul = text.find("\0")
    if nul >= 0:
        line = _terminators(text[:nul].encode("utf-8")) + 1
        raise _file_error(
            where,
            f"the file holds NUL characters (binary zeros), the first in line {line}: it is damaged. "
            "Restore it from a backup or export it again.",
            (line,),
        )
    raw = text.encode("utf-8")
    lines = _terminators(raw) + (0 if text.endswith(("\n", "\r")) else 1)
    sep, skip, header = _header_of(text, where, notes)
    return _CsvScan(encoding, sep, skip, lines - skip, header)


def _diagnose_encoding(path: Path, bad: int, where: str, sep: str, header: list[str]) -> None:
    """Raise for a file that mixes encodings or is no known text; return for Windows-1252."""
    data = path.read_bytes()
    line = _terminators(data[:bad]) + 1
    start = max(data.rfind(b"\n", 0, bad), data.rfind(b"\r", 0, bad)) + 1
    j = data[start:bad].count(sep.encode("utf-8", errors="replace"))
    names = [normalise_header(h) for h in header]
    column = names[j] if j < len(names) and names[j] else None
    letter = _letter(j)
    sur = _SURROGATE_SEQ.search(data)
    if sur is not None:
        at = _terminators(data[: sur.start()]) + 1
        start = max(data.rfind(b"\n", 0, sur.start()), data.rfind(b"\r", 0, sur.start())) + 1
        k = data[start : sur.start()].count(sep.encode("utf-8", errors="replace"))
        raise _file_error(
            where,
            "this line holds a character written as a UTF-16 surrogate (CESU-8 or Java's 'modified UTF-8', as "
            "some database and Java exports write emoji), which is not UTF-8. Save the file again as "
            "'CSV UTF-8' from a spreadsheet program, or remove the character (often an emoji).",
            (at,),
            names[k] if k < len(names) and names[k] else None,
            _letter(k),
        )
    if bad >= len(data) - 3 and _UTF8_SEQ.match(data[bad:] + b"\x80\x80\x80") and not data[bad:].isascii():
        raise _file_error(
            where,
            "the file ends in the middle of a character: it was cut off (truncated), so its end is missing. "
            "Restore it from a backup or export it again.",
            (line,),
        )
    has_bom = data.startswith(_BOM8)
    seq = _UTF8_SEQ.search(data, 3 if has_bom else 0)
    if has_bom or seq is not None:
        byte = data[bad]
        as1252 = bytes([byte]).decode("cp1252", errors="replace")
        if has_bom:
            evidence = "it starts with the byte-order mark of a UTF-8 file"
        else:
            seq_line = _terminators(data[: seq.start()]) + 1
            evidence = (
                f"line {seq_line} has '{data[seq.start() : seq.end()].decode('utf-8', errors='replace')}' "
                "written in UTF-8"
            )
        raise _file_error(
            where,
            f"this line holds the byte {byte:#04x} ('{as1252}' in Windows-1252), which is not UTF-8, although "
            f"the file is otherwise UTF-8 ({evidence}): it mixes two encodings, e.g. rows pasted in from a file "
            "saved by another program. Save it again from your spreadsheet program as 'CSV UTF-8', or retype "
            "the special characters of this line.",
            (line,),
            column,
            letter,
        )
    m = _CP1252_UNDEFINED.search(data)
    if m is not None:
        line = _terminators(data[: m.start()]) + 1
        raise _file_error(
            where,
            f"this line holds the byte {data[m.start()]:#04x}, which is a character neither in UTF-8 nor in "
            "Windows-1252: the file is damaged or in an encoding that is not supported. Save it again from "
            "your spreadsheet program as 'CSV UTF-8'.",
            (line,),
        )


def _ends_blank(path: Path, scan: _CsvScan) -> bool:
    """Whether the last line of a CSV file holds nothing but separators and spaces: a file
    of Excel's full height whose data ended earlier (its used range ran on), not one cut off."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 4096))
        tail = fh.read().decode(scan.encoding, errors="replace")
    lines = tail.splitlines()
    return bool(lines) and not lines[-1].replace(scan.sep, "").strip()


def _read_csv(path: Path, table: str, notes: list[str], only: Sequence[str] | None = None) -> _Raw:
    """Read a CSV file into raw text columns, with every physical line accounted for."""
    where = path.name
    scan = _scan_csv(path, where, notes)
    if scan.lines + scan.skip == _EXCEL_MAX_ROWS and not _ends_blank(path, scan):
        raise _file_error(
            where,
            f"the file has exactly {_EXCEL_MAX_ROWS:,} lines, the most an Excel sheet holds: it was probably "
            "saved from Excel, which drops the rows beyond its last row without a word. Split the data, or "
            "export it from the original source. (If the file really has exactly this many lines, add an empty "
            "line at its end.)",
        )
    kwargs = dict(
        sep=scan.sep,
        header=None,
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        encoding=scan.encoding,
        skiprows=scan.skip,
        quotechar='"',
    )
    positions = None
    if only is not None:
        names = [normalise_header(h) for h in scan.header]
        positions = [j for j, n in enumerate(names) if n in only] or [0]
        kwargs["usecols"] = positions
    try:
        try:
            df = pd.read_csv(path, **kwargs)
        except pd.errors.ParserError:
            width = _explain_csv(path, scan, where)  # raises unless only empty cells stick out
            df = pd.read_csv(path, names=list(range(width)), **kwargs)
    except pd.errors.EmptyDataError:
        raise _file_error(
            where,
            f"the file is empty. It needs at least the header row naming the columns (see {_SEE_DICTIONARY}).",
        ) from None
    except DataError:
        raise
    except (pd.errors.ParserError, ValueError, OSError) as exc:  # e.g. an odd separator in a 'sep=' line
        raise _file_error(
            where,
            f"the file cannot be read as a table ({exc}). Open it in a spreadsheet program and save it again "
            "as 'CSV UTF-8'.",
        ) from None
    if len(df) != scan.lines:
        _explain_csv(path, scan, where)
        raise _file_error(
            where,
            f"the file has {scan.lines:,} lines but {len(df):,} rows were read from it: some lines were read "
            "as part of other rows (check the quotes). Open it in a spreadsheet program and save it again as "
            "'CSV UTF-8'.",
        )
    if scan.unended and scan.unended.strip() and only is None:
        _check_unended(scan, where, TABLES[table] if table in TABLES else None)
    values = df.to_numpy(dtype=object)
    if values.shape[0] == 0:
        raise _file_error(where, f"the file is empty. It needs at least the header row (see {_SEE_DICTIONARY}).")
    header = list(values[0])
    columns = [values[1:, j] for j in range(values.shape[1])]
    return _Raw(table, where, path.name, header, columns, values.shape[0] - 1, 1 + scan.skip, positions, True, scan.sep)


def _check_unended(scan: _CsvScan, where: str, table: Table | None) -> None:
    """A last line without a line break and with required cells missing: the file was cut off."""
    cells = next(csv.reader([scan.unended], delimiter=scan.sep), [])
    if not any(_strip_cell(c) for c in cells):
        return  # nothing but spaces or DOS's end-of-file mark (Ctrl-Z): a blank row, not a cut
    names = [normalise_header(h) for h in scan.header]
    lost = [n for n in names[len(cells) :] if table is not None and n in table.required_columns]
    if len(cells) < len(names) and lost:
        raise _file_error(
            where,
            f"the last line has {len(cells)} cells but the header has {len(names)}, and the file does not end "
            "with a line break: it seems cut off (truncated), so its end is missing. Restore the file from a "
            f"backup or export it again (if the line is complete, fill in its cells: {', '.join(lost)}).",
            (scan.lines + scan.skip,),
        )


def _explain_csv(path: Path, scan: _CsvScan, where: str) -> int:
    """Find the lines where a CSV file's rows and lines part ways.

    Re-reads the file with Python's csv module, which counts physical lines. Raises a
    DataError naming the line where a quoted cell that runs over several lines starts
    (a stray quote swallows the lines after it), and each line with more cells than the
    header. Returns the widest row when the only thing sticking out is empty cells (which
    are accepted).
    """
    width = len(scan.header)
    names = [normalise_header(h) for h in scan.header]
    widest = width
    multi: list[tuple[int, int, int]] = []  # (first line, last line, cell index)
    long: list[tuple[int, list[str]]] = []
    # a stray quote can swallow the rest of the file into one cell: let the csv module
    # read a cell as long as the file (its default limit, 131,072 characters, is a few
    # thousand lines of scores, and it would stop with an error of its own)
    limit = csv.field_size_limit()
    with open(path, encoding=scan.encoding, newline="", errors="replace") as fh:
        for _ in range(scan.skip):
            fh.readline()
        reader = csv.reader(fh, delimiter=scan.sep, quotechar='"', strict=False)
        prev = scan.skip
        csv.field_size_limit(max(limit, path.stat().st_size + 1))
        try:
            for k, rec in enumerate(reader):
                start, end = prev + 1, scan.skip + reader.line_num
                prev = end
                if end > start:
                    j = next((i for i, c in enumerate(rec) if "\n" in c or "\r" in c), 0)
                    multi.append((start, end, j))
                elif len(rec) > width and k:
                    if any(c.strip() for c in rec[width:]):
                        long.append((start, rec))
                    else:
                        widest = max(widest, len(rec))
        finally:
            csv.field_size_limit(limit)
    last_line = prev
    problems: list[Problem] = []
    for start, end, j in multi:
        tail = " (the end of the file)" if end == last_line else ""
        problems.append(
            Problem(
                where,
                (start,),
                names[j] if j < len(names) and names[j] else None,
                f'a cell that starts with a quote (") in this line runs over {end - start + 1} lines, to line '
                f"{end}{tail}: the quote is not closed where the cell ends, so the lines after it were read into "
                "this one cell instead of as rows. Remove the stray quote or close it (a quote inside a cell is "
                'written twice: ""). If the cell really holds a line break, replace it by a space: line breaks '
                "inside cells are not accepted in CSV files, because they hide rows.",
                _letter(j),
            )
        )
    for start, rec in long:
        problems.append(
            Problem(
                where,
                (start,),
                None,
                f"this line has {len(rec)} cells but the header has {width}. {_long_line_hint(rec, scan.sep)}",
            )
        )
    if problems:
        problems.sort(key=lambda p: p.rows)
        raise DataError(str(problems[0]), problems[:MAX_REPORTED], len(problems))
    return widest


def _long_line_hint(rec: list[str], sep: str) -> str:
    """The likely reason why a CSV line has more cells than its header."""
    if any('"' in c for c in rec):
        return (
            "Check the quotes in this line: a cell that contains the separator must be enclosed in quotes, "
            'and a quote inside a quoted cell is written twice ("").'
        )
    if sep == "," and any(
        re.fullmatch(r"-?\d+", a.strip()) and re.fullmatch(r"\d{1,3}", b.strip()) for a, b in zip(rec, rec[1:])
    ):
        return (
            "This usually means decimal commas (72,5) in a comma-separated file without quotes: save the file "
            "with ';' as separator, or use decimal points."
        )
    return (
        f"A cell probably contains the separator ({_SEP_NAMES.get(sep, repr(sep))}): enclose that cell in quotes, "
        "or remove the separator from it."
    )


# ----------------------------------------------------------------------------------------
# Reading workbooks: values with openpyxl, and from the workbook's XML what openpyxl's
# values hide (number formats that change a value's meaning, formulas without a stored
# result, merged cells, hidden sheets)
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Special:
    """An Excel cell that is not plain text or a number, with what it shows.

    ``kind`` is ``date`` (``value``: the date as ISO text, None when it has a time of
    day; ``number``: Excel's serial number), ``time``, ``bool``, ``percent`` (``value``:
    the percent number shown, ``number``: the stored fraction), ``formula`` (a formula
    without a stored result; ``value``: the formula) or ``merged`` (a cell covered by a
    merged range other than its first cell; ``shown``: the range, ``value``: its first cell)
    or ``merged hidden`` (such a cell that still holds a value under a range whose first
    cell is empty, so Excel shows nothing).
    """

    kind: str
    shown: str
    value: object = None
    number: float | None = None


@dataclass
class _SheetInfo:
    title: str
    state: str  # visible, hidden or veryHidden
    part: str | None  # the sheet's XML part in the zip


def _xml_local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _rel_targets(z: zipfile.ZipFile, rels_path: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part) of one relationships part of a workbook."""
    try:
        root = ET.fromstring(z.read(rels_path))
    except KeyError:
        return {}
    out = {}
    for el in root:
        if _xml_local(el.tag) != "Relationship" or el.get("TargetMode") == "External":
            continue
        target = el.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[el.get("Id", "")] = (el.get("Type", ""), part)
    return out


def _format_kind(code: str) -> str | None:
    """What an Excel number format does to a number, when that changes its meaning.

    >>> [_format_kind(c) for c in ("0%", "0.00%", "General", "000", "mmm-yy", "dd/mm/yyyy", '0.0"%"')]
    ['percent', 'percent', None, 'zeros3', 'month', None, None]
    >>> [_format_kind(c) for c in ('"J"00', "00-00", '[Blue]0" poin"')]
    ['literal:"J"00', 'literal:00-00', 'literal:0" poin"']
    """
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).split(";")[0].strip()
    if "%" in plain:
        return "percent"
    section = re.sub(r"\[[^\]]*\]", "", code.split(";")[0])  # without [Red], [$-421] ...
    if _LITERAL_FORMAT.fullmatch(section) and re.search(r'"[^"]+"|\\.|[^0#?"\\]', section):
        return "literal:" + section
    if re.fullmatch(r"0{2,}", plain):
        return f"zeros{len(plain)}"
    low = plain.lower()
    if "y" in low and "m" in low and "d" not in low and not re.search(r"[hs]", low):
        return "month"
    return None


#: A number format of digit placeholders and literal text only (``"J"00``, ``00-00``,
#: ``0" poin"``): what Excel shows is text the number does not hold.
_LITERAL_FORMAT = re.compile(
    r'(?:"[^"]*"|\\.|[0#?]|[^0#?.,eE@"\\*_\[;%ymdhs])*[0#?](?:"[^"]*"|\\.|[0#?]|[^0#?.,eE@"\\*_\[;%ymdhs])*'
)


def _shown_number(code: str, value: float) -> str | None:
    """What Excel shows for a whole number ``value`` >= 0 in a number format of digit
    placeholders and literal text (:data:`_LITERAL_FORMAT`); None for anything else.

    >>> [_shown_number(c, v) for c, v in (('"J"00', 1), ("00-00", 1201), ('0" poin"', 85), ("#-0", 7))]
    ['J01', '12-01', '85 poin', '-7']
    """
    section = code.split(";")[0]
    if value < 0 or not float(value).is_integer() or not _LITERAL_FORMAT.fullmatch(section):
        return None
    tokens = re.findall(r'"[^"]*"|\\.|.', section)
    slots = [i for i, t in enumerate(tokens) if t in ("0", "#", "?")]
    digits = str(int(value))
    fill = {}
    for k, i in enumerate(reversed(slots)):  # digits fill the placeholders from the right
        d = digits[len(digits) - 1 - k] if k < len(digits) else None
        fill[i] = d if d is not None else {"0": "0", "#": "", "?": " "}[tokens[i]]
    if len(digits) > len(slots):  # more digits than placeholders: the first one takes the rest
        fill[slots[0]] = digits[: len(digits) - len(slots) + 1]
    out = []
    for i, t in enumerate(tokens):
        if i in fill:
            out.append(fill[i])
        elif t.startswith('"'):
            out.append(t[1:-1])
        elif t.startswith("\\"):
            out.append(t[1:])
        else:
            out.append(t)
    return "".join(out)


def _style_kinds(z: zipfile.ZipFile, part: str | None) -> dict[int, str]:
    """Style index -> :func:`_format_kind` of its number format, for the styles that have one."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    if not part:
        return {}
    try:
        root = ET.fromstring(z.read(part))
        custom: dict[int, str] = {}
        xfs: list[int] = []
        for el in root:
            tag = _xml_local(el.tag)
            if tag == "numFmts":
                for f in el:
                    custom[int(f.get("numFmtId", "-1"))] = f.get("formatCode", "")
            elif tag == "cellXfs":
                xfs = [int(x.get("numFmtId", "0") or 0) for x in el if _xml_local(x.tag) == "xf"]
    except (KeyError, ValueError, ET.ParseError):
        return {}
    out = {}
    for i, fid in enumerate(xfs):
        kind = _format_kind(custom.get(fid, BUILTIN_FORMATS.get(fid, "General")))
        if kind:
            out[i] = kind
    return out


def _book_structure(z: zipfile.ZipFile) -> tuple[list[_SheetInfo], dict[int, str]]:
    """The sheets in workbook order (title, visibility, XML part) and :func:`_style_kinds`."""
    root_rels = _rel_targets(z, "_rels/.rels", "")
    wb_part = next((p for t, p in root_rels.values() if t.endswith("/officeDocument")), "xl/workbook.xml")
    base = posixpath.dirname(wb_part)
    rels = _rel_targets(z, posixpath.join(base, "_rels", posixpath.basename(wb_part) + ".rels"), base)
    root = ET.fromstring(z.read(wb_part))
    if "purl.oclc.org/ooxml" in str(root.tag):
        raise _file_error(
            z.filename and Path(z.filename).name or "workbook",
            "the workbook is saved as 'Strict Open XML Spreadsheet', which cannot be read. Open it in Excel and "
            "save it as 'Excel Workbook (.xlsx)'.",
        )
    sheets = []
    for el in root.iter():
        if _xml_local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            typ, part = rels.get(rid or "", ("", None))
            sheets.append(_SheetInfo(el.get("name", ""), el.get("state", "visible"), part if "sheet" in typ else None))
    styles = next((p for t, p in rels.values() if t.endswith("/styles")), None)
    return sheets, _style_kinds(z, styles)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"')


_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\s([^>]*\bhidden="(?:1|true)"[^>]*)>')
_HIDDEN_COLS = re.compile(rb'<(?:\w+:)?col\s([^>]*\bhidden="(?:1|true)"[^>]*)>')
_NUMBER_ATTR = re.compile(rb'\b(r|min|max)="(\d+)"')


@dataclass
class _SheetScan:
    """What a sheet's raw XML says that openpyxl's values do not."""

    has_formula: bool = False
    merges: list[str] = field(default_factory=list)
    styled: bool = False  # uses a number format that changes a value's meaning
    hidden_rows: list[int] = field(default_factory=list)
    hidden_cols: list[int] = field(default_factory=list)


def _scan_sheet(z: zipfile.ZipFile, part: str, style_ids: Sequence[int]) -> _SheetScan:
    """Formulas, merged ranges, meaningful number formats and hidden rows and columns of a
    sheet, from one pass over its raw XML."""
    styled_re = re.compile(rb'\ss="(?:' + b"|".join(str(i).encode() for i in style_ids) + rb')"') if style_ids else None
    out = _SheetScan()
    merges: dict[str, None] = {}
    rows: set[int] = set()
    cols: set[int] = set()
    tail = b""
    with z.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            if not out.has_formula and _FORMULA_TAG.search(buf):
                out.has_formula = True
            if styled_re is not None and not out.styled and styled_re.search(buf):
                out.styled = True
            if b"mergeCell" in buf:
                merges.update((m.group(1).decode(), None) for m in _MERGE_REF.finditer(buf))
            if b"hidden=" in buf:
                for m in _HIDDEN_ROW.finditer(buf):
                    attrs = dict(_NUMBER_ATTR.findall(m.group(1)))
                    if b"r" in attrs:
                        rows.add(int(attrs[b"r"]))
                for m in _HIDDEN_COLS.finditer(buf):
                    attrs = dict(_NUMBER_ATTR.findall(m.group(1)))
                    lo = int(attrs.get(b"min", 0))
                    cols.update(range(lo, min(int(attrs.get(b"max", lo)), 16384) + 1))
            tail = buf[-512:]
    out.merges, out.hidden_rows, out.hidden_cols = list(merges), sorted(rows), sorted(cols)
    return out


def _table_total_rows(z: zipfile.ZipFile, part: str) -> dict[int, str]:
    """Row -> table name of the total rows of the Excel tables (Insert > Table) on a sheet.

    A table's Total Row (a 'Total' label and SUBTOTAL formulas) is part of the sheet's
    cells but not a row of data."""
    from openpyxl.utils.cell import range_boundaries

    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    out: dict[int, str] = {}
    for kind, target in _rel_targets(z, rels, posixpath.dirname(part)).values():
        if not kind.endswith("/table"):
            continue
        try:
            root = ET.fromstring(z.read(target))
            count = int(root.get("totalsRowCount", "0") or 0)
            _c1, _r1, _c2, r2 = range_boundaries(root.get("ref", ""))
        except (KeyError, ET.ParseError, TypeError, ValueError):
            continue
        for r in range(r2 - count + 1, r2 + 1) if count > 0 else ():
            out[r] = root.get("displayName") or root.get("name") or "?"
    return out


def _bad_text_reference(z: zipfile.ZipFile, part: str) -> tuple[str, int, int] | None:
    """(cell, index, number of shared strings) of the first cell of a sheet whose text
    index points past the workbook's shared-string table, or None."""
    try:
        name = next((n for n in z.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        n_texts = 0
        if name is not None:
            with z.open(name) as fh:
                for _event, el in ET.iterparse(fh):
                    if el.tag.rsplit("}", 1)[-1] == "si":
                        n_texts += 1
                        el.clear()
        with z.open(part) as fh:
            for _event, el in ET.iterparse(fh):
                if el.tag.rsplit("}", 1)[-1] == "c" and el.get("t") == "s":
                    v = next((ch.text for ch in el if ch.tag.rsplit("}", 1)[-1] == "v"), None)
                    if v is not None and v.strip().isdigit() and int(v) >= n_texts:
                        return str(el.get("r") or "?"), int(v), n_texts
                    el.clear()
    except (KeyError, ET.ParseError, OSError, zipfile.BadZipFile):
        return None
    return None


def _formulas_without_result(z: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row, column) -> formula of the cells that hold a formula but no stored result."""
    from openpyxl.utils.cell import coordinate_to_tuple

    out: dict[tuple[int, int], str] = {}
    row = col = 0
    with z.open(part) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            tag = _xml_local(el.tag)
            if event == "start":
                if tag == "row":
                    row, col = int(el.get("r") or row + 1), 0
                continue
            if tag == "c":
                ref = el.get("r")
                if ref:
                    r, col = coordinate_to_tuple(ref)
                else:
                    r, col = row, col + 1
                f = next((ch for ch in el if _xml_local(ch.tag) == "f"), None)
                v = next((ch for ch in el if _xml_local(ch.tag) in ("v", "is")), None)
                # A stored result is a <v> with text; an empty one counts only for a text
                # result (t="str", a formula that gives ""), as Excel writes it.
                has_value = v is not None and (bool(v.text) or _xml_local(v.tag) == "is" or el.get("t") == "str")
                if f is not None and not has_value:
                    out[(r, col)] = "=" + f.text if f.text else "a formula shared with the cell above"
                el.clear()
            elif tag == "row":
                el.clear()
    return out


def _excel_serial(value: object, epoch) -> float | None:
    from openpyxl.utils.datetime import to_excel

    try:
        return float(to_excel(value, epoch))
    except (TypeError, ValueError, OverflowError):
        return None


#: A sheet read as a grid of more cells than this keeps only its columns that hold
#: anything (Excel's full grid is 1,048,576 x 16,384 cells).
_DENSE_CELLS = 20_000_000

_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_text(text: str) -> str:
    """A workbook's text with Excel's ``_xHHHH_`` escapes decoded, as Excel shows it.

    Excel writes a character that XML cannot hold as ``_xHHHH_`` (a carriage return,
    from text pasted out of Word or a web form, is ``_x000D_``) and a literal ``_x`` as
    ``_x005F_x``; openpyxl leaves both as written, so a unit id read 'disdik_x000D_'.

    >>> _ooxml_text("Dinas_x000D_\\nPendidikan"), _ooxml_text("a_x005F_x000D_b"), _ooxml_text("J_01")
    ('Dinas\\r\\nPendidikan', 'a_x000D_b', 'J_01')
    """
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _excel_value(value: object, kind: str | None, epoch) -> str | _Special | None:
    """An Excel cell value as the text a user sees (numbers to Excel's 15 significant
    digits, without a spurious .0), or a :class:`_Special` for a date, time, logical
    value or percentage.

    >>> _excel_value(80.00000000000001, None, None), _excel_value(0.1 + 0.2, None, None), _excel_value(72.5, None, None)
    ('80', '0.3', '72.5')
    """
    if value is None:
        return value
    if isinstance(value, str):
        return _ooxml_text(value)
    if isinstance(value, bool):
        return _Special("bool", "TRUE" if value else "FALSE")
    if isinstance(value, int | float):
        if kind == "percent":
            pct = float(f"{value * 100:.12g}")
            return _Special("percent", f"{_show(pct)}%", pct, float(value))
        if abs(value) >= 1e15 and float(value).is_integer():  # Excel keeps 15 significant digits
            shown = str(int(Decimal(f"{value:.15g}")))
            return _Special("long", shown, shown, float(value))
        if kind and kind.startswith("zeros") and float(value).is_integer() and value >= 0:
            return str(int(value)).zfill(int(kind[5:]))
        if kind and kind.startswith("literal:"):
            number = str(int(value)) if float(value).is_integer() else repr(float(value))
            return _Special("formatted", _shown_number(kind[8:], value), number, float(value))
        if isinstance(value, float):
            # Excel shows (and computes with) 15 significant digits: a SUMPRODUCT total of
            # 80.00000000000001 is the 80 on screen, not a total just above a grade boundary
            shown = float(f"{value:.15g}")
            return str(int(shown)) if shown.is_integer() else repr(shown)
        return str(value)
    if isinstance(value, _dt.date):  # also datetime
        serial = _excel_serial(value, epoch)
        if isinstance(value, _dt.datetime) and value.time() != _dt.time():
            return _Special("date", value.isoformat(sep=" "), None, serial)
        day = value.date() if isinstance(value, _dt.datetime) else value
        iso = day.isoformat()
        if kind == "month" and day.day == 1:
            iso = iso[:7]
        return _Special("date", iso, iso, serial)
    if isinstance(value, _dt.time | _dt.timedelta):
        return _Special("time", str(value), None, _excel_serial(value, epoch))
    return str(value)


def _not_a_workbook(name: str, kind: _Kind, head: bytes) -> str:
    """Why a file given as a workbook is not one, and what to do."""
    if kind.code == "text":
        first = _first_line(head)
        return (
            f"the file is not an Excel workbook but a text file (it starts with '{first}'), probably a CSV "
            "file renamed to .xlsx. Give it its real name (.csv) and put it in a dataset folder as "
            "<table>.csv, or open it in your spreadsheet program and save it as 'Excel Workbook (.xlsx)'."
        )
    if kind.code == "empty":
        return "the file is empty (0 bytes), not a workbook. Restore it from a backup or save it again."
    if kind.code == "damaged-zip":
        return (
            f"the file is {kind.what}. Restore it from a backup or copy or download it again; Excel can sometimes "
            "repair it (File > Open > Open and Repair)."
        )
    if kind.code == "encrypted":
        return (
            "the workbook is protected with a password (encrypted), so it cannot be read. Open it in Excel, "
            "remove the password (File > Info > Protect Workbook > Encrypt with Password: clear it) and save it."
        )
    if kind.code == "binary" and kind.what.startswith("a binary"):
        return (
            "the file is not an Excel workbook (.xlsx): it is not a zip archive (it starts with the bytes "
            f"{head[:8].hex(' ')}). It may be damaged: restore it from a backup or save it again as .xlsx."
        )
    return (
        f"the file is {kind.what}, not an Excel workbook (.xlsx). Open it in your spreadsheet program and save "
        "it as 'Excel Workbook (.xlsx)'."
    )


def _file_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1 << 16)
    except OSError as exc:
        raise _file_error(path.name, f"the file cannot be opened ({exc.strerror or exc}).") from None


def _open_workbook(path: Path):
    """(openpyxl workbook, zip file, open file, sheets, style kinds) of a workbook; a DataError saying
    what the file is otherwise. The caller closes the workbook, the zip file and the file."""
    import openpyxl  # deferred: CSV-only users never pay for it

    head = _file_head(path)
    kind = _file_kind(path, head)
    if kind.code != "xlsx":
        raise _file_error(path.name, _not_a_workbook(path.name, kind, head))
    z = fh = None
    try:
        z = zipfile.ZipFile(path)
        sheets, kinds = _book_structure(z)
        fh = open(path, "rb")  # a file, not a name: openpyxl refuses some names (e.g. '.xls')
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a damaged workbook
        for f in (z, fh):
            if f is not None:
                f.close()
        if isinstance(exc, DataError):
            raise
        raise _file_error(
            path.name,
            f"the workbook is damaged and cannot be read ({type(exc).__name__}: {exc}). Open it in Excel or "
            "LibreOffice (which can often repair it) and save it again as .xlsx.",
        ) from None
    return wb, z, fh, sheets, kinds


#: openpyxl's warning for a number in a date-formatted cell that is no date.
_BAD_DATE = re.compile(r"Cell ([A-Z]+[0-9]+) is marked as a date but the serial value (\S+) is outside the limits")


def _read_sheet(
    ws, book: str, table: str, z: zipfile.ZipFile, info: _SheetInfo | None, kinds: dict[int, str], notes: list[str]
) -> _Raw:
    where = f"{book}, sheet '{ws.title}'"
    scan = _SheetScan()
    if info is not None and info.part and info.part in z.NameToInfo:
        scan = _scan_sheet(z, info.part, sorted(kinds))
    has_formula, merges, styled = scan.has_formula, scan.merges, scan.styled
    epoch = getattr(ws.parent, "epoch", None)
    ws.reset_dimensions()  # do not trust the stored sheet size: read every row
    # Rows that Excel stores without values (formatted, or emptied) come back as empty
    # tuples and are counted as blank rows.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if styled:  # a percentage or zero-padded format is in use: read each cell's format
            fmt_kinds: dict[str, str | None] = {}

            def value_of(cell):
                v = cell.value
                if v is None or isinstance(v, str):
                    return v if v is None else _ooxml_text(v)
                fmt = cell.number_format
                if fmt not in fmt_kinds:
                    fmt_kinds[fmt] = _format_kind(fmt)
                return _excel_value(v, fmt_kinds[fmt], epoch)

            rows = [tuple(value_of(c) for c in r) for r in ws.iter_rows()]
        else:
            rows = [tuple(_excel_value(v, None, epoch) for v in r) for r in ws.iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return _Raw(table, where, where, [], [], max(len(rows) - 1, 0))
    bad_dates: dict[tuple[int, int], _Special] = {}
    for w in caught:  # openpyxl turns a number it cannot make a date of into '#VALUE!'
        m = _BAD_DATE.match(str(w.message))
        if m:
            from openpyxl.utils.cell import coordinate_to_tuple

            number = float(m.group(2))
            shown = str(int(number)) if number.is_integer() and abs(number) < 1e21 else m.group(2)
            bad_dates[coordinate_to_tuple(m.group(1))] = _Special("bad date", shown, None, number)
    formulas = _formulas_without_result(z, info.part) if has_formula else {}
    merge_boxes = []
    if merges:
        from openpyxl.utils.cell import range_boundaries

        for ref in merges:
            try:
                merge_boxes.append((ref, *range_boundaries(ref)))
            except (TypeError, ValueError):
                continue
    positions = None  # the sheet's column index of each column read, when not all are
    if len(rows) * width > _DENSE_CELLS:
        # a stray cell far out (Excel's last cell XFD1048576, typed after Ctrl+End) made
        # the grid 1,048,576 x 16,384: keep only the columns that hold anything
        used = {j for r in rows for j, v in enumerate(r) if v is not None}
        used |= {c - 1 for _r, c in (*bad_dates, *formulas)}
        for _ref, c1, _r1, c2, _r2 in merge_boxes:
            used |= set(range(c1 - 1, min(c2, width)))
        positions = sorted(used)
    if positions is None:
        values = np.full((len(rows), width), None, dtype=object)
        for i, r in enumerate(rows):
            values[i, : len(r)] = r

        def col(c: int) -> int | None:
            return c - 1 if c <= width else None
    else:
        index = {j: k for k, j in enumerate(positions)}
        values = np.full((len(rows), max(len(positions), 1)), None, dtype=object)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                if v is not None:
                    values[i, index[j]] = v

        def col(c: int) -> int | None:
            return index.get(c - 1)

    n_rows = len(rows)
    for (r, c), special in bad_dates.items():
        if r <= n_rows and col(c) is not None:
            values[r - 1, col(c)] = special
    for (r, c), formula in formulas.items():
        if r <= n_rows and col(c) is not None:
            values[r - 1, col(c)] = _Special("formula", formula, formula)
    if merge_boxes:
        from openpyxl.utils.cell import get_column_letter

        for ref, c1, r1, c2, r2 in merge_boxes:
            if r1 > n_rows or col(c1) is None:
                continue
            anchor = f"{get_column_letter(c1)}{r1}"
            cols = [k for k in (col(c) for c in range(c1, c2 + 1)) if k is not None]
            first = col(c1)
            if values[r1 - 1, first] is None:
                # Excel shows the whole range empty; a value left under it (Format Painter,
                # LibreOffice's "keep contents of hidden cells") is one nobody sees
                for r in range(r1, min(r2, n_rows) + 1):
                    for k in cols:
                        v = values[r - 1, k]
                        if (r, k) != (r1, first) and v is not None and not (isinstance(v, str) and not v.strip()):
                            values[r - 1, k] = _Special("merged hidden", ref, anchor, None)
                continue
            shadow = _Special("merged", ref, anchor)
            for r in range(r1, min(r2, n_rows) + 1):
                for k in cols:
                    if (r, k) != (r1, first):
                        values[r - 1, k] = shadow
    if info is not None and info.part and info.part in z.NameToInfo:
        totals = {r: t for r, t in _table_total_rows(z, info.part).items() if 1 < r <= n_rows}
        if totals:  # not data: read as a blank row, and said
            for r in totals:
                values[r - 1, :] = None
            names = ", ".join(f"'{t}'" for t in dict.fromkeys(totals.values()))
            notes.append(
                f"{where}: {_rows_phrase(sorted(totals))} {'is' if len(totals) == 1 else 'are'} the Total Row of the "
                f"Excel table {names}; not read as data (Table Design > Total Row turns it off)."
            )
    hidden_rows = [r for r in scan.hidden_rows if 1 < r <= len(rows)]
    hidden_cols = [c for c in scan.hidden_cols if col(c) is not None and values[0, col(c)] is not None]
    if hidden_rows:
        notes.append(
            f"{where}: {_rows_phrase(hidden_rows)} are hidden in Excel (e.g. by a filter); read like the others."
        )
    if hidden_cols:
        letters = ", ".join(_letter(c - 1) for c in hidden_cols)
        notes.append(
            f"{where}: column{'s' if len(hidden_cols) > 1 else ''} {letters} hidden in Excel; read like the others."
        )
    header = list(values[0])
    columns = [values[1:, j] for j in range(values.shape[1])]
    hidden = frozenset(col(c) for c in hidden_cols)
    return _Raw(table, where, where, header, columns, len(rows) - 1, positions=positions, hidden=hidden)


# ----------------------------------------------------------------------------------------
# Parsing one table: clean cells, exclude blank rows, convert types, check every cell
# ----------------------------------------------------------------------------------------


@dataclass
class _Cells:
    """A column as codes into cleaned unique values (None = empty cell), with what each
    unique value is, found in one pass (the checks then look closer only where needed)."""

    codes: np.ndarray
    uniq: np.ndarray  # object: str, _Special or None; the last entry is None
    empty_u: np.ndarray  # bool per unique value: the cell is empty
    special_u: np.ndarray  # the cell is a _Special
    blank_u: np.ndarray  # the cell counts as empty for blank rows (empty, or covered by a merged range)
    hash_u: np.ndarray  # text starting with '#' (an Excel error value?)
    wide_u: np.ndarray  # text with characters beyond ASCII (garbled by an encoding?)
    pct_u: np.ndarray  # text ending with '%'
    sci_u: np.ndarray  # text with 'E+' (a long number Excel wrote in scientific notation?)
    comma_u: np.ndarray  # text with ','
    point_u: np.ndarray  # text with '.'

    @classmethod
    def of(cls, values: np.ndarray) -> _Cells:
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
        clean: list[object] = []
        empty, special, blank, hashed, wide, pct, sci, comma, point = [], [], [], [], [], [], [], [], []
        for u in uniq:
            if isinstance(u, _Special):
                t: object = u
                flags = (False, True, u.kind == "merged", False, False, False, False, False, False)
            else:
                t = None if u is None else _strip_cell(u if isinstance(u, str) else str(u))
                if t is None:
                    flags = (True, False, True, False, False, False, False, False, False)
                else:
                    flags = (
                        False,
                        False,
                        False,
                        t[0] == "#",
                        not t.isascii(),
                        t[-1] == "%",
                        "E+" in t.upper(),
                        "," in t,
                        "." in t,
                    )
            clean.append(t)
            for lst, flag in zip((empty, special, blank, hashed, wide, pct, sci, comma, point), flags):
                lst.append(flag)
        clean.append(None)
        codes = np.where(codes < 0, len(uniq), codes)
        arr = np.empty(len(clean), dtype=object)
        arr[:] = clean

        def mask(flags: list[bool], last: bool) -> np.ndarray:
            return np.array([*flags, last], dtype=bool)

        return cls(
            codes,
            arr,
            mask(empty, True),
            mask(special, False),
            mask(blank, True),
            mask(hashed, False),
            mask(wide, False),
            mask(pct, False),
            mask(sci, False),
            mask(comma, False),
            mask(point, False),
        )

    def take(self, keep: np.ndarray) -> _Cells:
        return replace(self, codes=self.codes[keep])


#: a number in scientific notation whose digits before the exponent are not all 0
_NONZERO_MANTISSA = re.compile(r"[+-]?[0.,]*[1-9][\d.,]*[eE][+-]?\d+")


#: what the label cell of a row of totals or averages says, in Indonesian or English
#: ("Jumlah", "Total nilai", "Rata-rata", "Grand total", "Average:")
_SUMMARY_LABEL = re.compile(
    r"(grand\s+|sub\s*-?\s*)?(jumlah|total|sum|rata\s*-?\s*rata|rerata|average|mean)"
    r"(\s+(nilai|skor|score|akhir|keseluruhan|total))?\s*:?",
    re.IGNORECASE,
)


def _summary_rows(all_cells: list[_Cells], position: dict[str, int]) -> np.ndarray:
    """Rows in which a cell of a column of the data model says only 'Jumlah', 'Total',
    'Rata-rata' or the like: a row of totals typed under the data (an Excel table's own
    Total Row is recognised from the workbook, see :func:`_table_total_rows`)."""
    n = len(all_cells[0].codes) if all_cells else 0
    out = np.zeros(n, dtype=bool)
    for j in position.values():
        cells = all_cells[j]
        hit = np.array([isinstance(u, str) and bool(_SUMMARY_LABEL.fullmatch(u)) for u in cells.uniq], dtype=bool)
        if hit.any():
            out |= hit[cells.codes]
    return out


def _summary_label(all_cells: list[_Cells], position: dict[str, int], i: int) -> tuple[str, str]:
    """(column, text) of the first cell of row ``i`` that labels it a row of totals."""
    for name, j in sorted(position.items(), key=lambda kv: kv[1]):
        u = all_cells[j].uniq[all_cells[j].codes[i]]
        if isinstance(u, str) and _SUMMARY_LABEL.fullmatch(u):
            return name, u
    raise AssertionError("not a row of totals")  # pragma: no cover - called for those only


def _parse_numbers(uniq: np.ndarray) -> np.ndarray:
    """Floats of cleaned cell texts; decimal comma accepted; NaN where not a number.

    A number too large for a float (``1e400``) or so small that it reads as 0 although
    its digits are not 0 (``1e-400``) is not a number: neither is what the cell says.

    >>> _parse_numbers(np.array(["72,5", "1e-400", "0e5", "1e400", None], dtype=object))
    array([72.5,  nan,  0. ,  nan,  nan])
    """
    s = pd.Series(uniq, dtype=object)
    text = s.where(s.isna(), s.astype(str).str.replace(",", ".", regex=False))
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        lost = (num == 0) & np.array([isinstance(t, str) and bool(_NONZERO_MANTISSA.fullmatch(t)) for t in uniq])
    return np.where(np.isfinite(num) & ~lost, num, np.nan)


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


def _some(items: Sequence[str], limit: int = 20) -> str:
    """The first ``limit`` items joined, then how many more: a sheet of 3,000 extra columns
    had made a 38,000-character message.

    >>> _some(["a", "b", "c"], 2)
    'a, b and 1 more'
    """
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit:,} more" if len(items) > limit else "")


def _vocabulary_hint(value: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(value.lower(), [a.lower() for a in allowed], n=1, cutoff=0.6)
    if close:
        match = next(a for a in allowed if a.lower() == close[0])
        return f" Did you mean '{match}'?"
    return ""


def _special_header(sp: _Special) -> str:
    if sp.kind == "merged":
        return (
            f"the header cells {sp.shown} are merged, so this column has no header of its own. Unmerge them "
            "and give every column its own header."
        )
    if sp.kind == "formula":
        return f"the header cell holds a formula ({sp.value}) without a stored result. Type the column name instead."
    if sp.kind == "merged hidden":
        return (
            f"the header cell is covered by the merged cells {sp.shown}, whose first cell ({sp.value}) is empty: "
            "Excel shows no header here, but the cell holds one underneath. Unmerge them and give every column "
            "its own header."
        )
    return f"the header cell holds a {sp.kind} ({sp.shown}), not a column name. Type the column name as text."


def _unmangle_header(name: str, columns: Sequence[str]) -> str:
    """The column a garbled header names ('ï»¿year' -> 'year'), or ''."""
    for candidate in (name.replace("ï»¿", ""), name):
        try:
            candidate = candidate.encode("cp1252").decode("utf-8")
        except UnicodeError:
            pass
        candidate = normalise_header(candidate)
        if candidate in columns:
            return candidate
    return ""


def _header_row_below(raw: _Raw, required: Sequence[str]) -> int | None:
    """The row (among the first ten) that holds the headers when row 1 does not."""
    need = max(2, (len(required) + 1) // 2)
    for i in range(min(10, raw.n_rows)):
        cells = {normalise_header(c[i]) for c in raw.columns}
        if len(cells & set(required)) >= need:
            return raw.header_row + 1 + i
    return None


def _parse(raw: _Raw, table: Table, problems: _Problems, notes: list[str], only: Sequence[str] | None = None):
    """Check one table's header and cells; return its rows (blank rows excluded) as typed columns."""
    where, hrow = raw.where, raw.header_row
    wanted = table.columns if only is None else tuple(c for c in table.columns if c.name in only)
    source = raw.positions or list(range(len(raw.header)))

    def letter_of(j: int) -> str:
        return _letter(source[j]) if j < len(source) else _letter(j)

    header = list(raw.header)
    specials = [(j, h) for j, h in enumerate(header) if isinstance(h, _Special)]
    # a merged title above the headers is a title row: the problem below ("the column
    # headers are in row 3") says what to do, not one line per column it covers
    title_above = bool(specials) and _header_row_below(raw, [c.name for c in wanted if c.required]) is not None
    said: set[tuple[str, str]] = set()
    for j, h in specials:
        header[j] = None
        if title_above or (h.kind.startswith("merged") and (h.kind, h.shown) in said):
            continue
        said.add((h.kind, h.shown))
        problems.one(_STRUCTURE, Problem(where, (hrow,), None, _special_header(h), letter_of(j)))
    names = [normalise_header(h) for h in header]
    error_headers: list[str] = []  # header cells that show an Excel error value: "G (#REF!)"
    error_at: set[int] = set()
    for j, h in enumerate(header):
        if names[j] and isinstance(h, str) and h.strip().upper() in _EXCEL_ERRORS:
            error_headers.append(f"{letter_of(j)} ({h.strip().upper()})")
            error_at.add(j)
            names[j] = ""  # said below: a problem if a column is missing, else a note
            continue
        if names[j] and names[j] not in table.column_names and isinstance(h, str):
            hint = _garbled_hint(h)
            if hint:
                fixed = _unmangle_header(names[j], table.column_names)
                problems.one(
                    _STRUCTURE,
                    Problem(
                        where,
                        (hrow,),
                        fixed or None,
                        f"the header '{h.strip()}' looks garbled: {hint}. "
                        + (
                            "Save the file again as 'CSV UTF-8' from the original (or retype the header)."
                            if raw.is_csv
                            else "Retype the header."
                        ),
                        letter_of(j),
                    ),
                )
                names[j] = fixed or names[j]
    required = [c.name for c in wanted if c.required]
    structure_ok = True
    if not any(names):
        below = _header_row_below(raw, required)
        problems.one(
            _STRUCTURE,
            Problem(
                where,
                (hrow,),
                None,
                "there are no column headers. Row 1 must hold the headers ("
                + ", ".join(table.required_columns)
                + ", ...), with no title rows above it"
                + (f"; they seem to be in row {below}: delete the rows above them" if below else "")
                + (f"; the {raw.n_rows} rows below are not read" if raw.n_rows and not below else "")
                + ".",
            ),
        )
        raw = _Raw(raw.table, raw.where, raw.file, [], [], raw.n_rows, hrow)
        names, structure_ok = [], False
    position: dict[str, int] = {}
    ignored: list[str] = []
    all_cells = [_Cells.of(col) for col in raw.columns]
    for j, name in enumerate(names):
        if not name:
            if only is None and j not in error_at and not all_cells[j].blank_u[all_cells[j].codes].all():
                ignored.append(f"column {letter_of(j)} (no header)")
            continue
        if name in position:
            if name not in table.column_names:  # two columns of the user's own, both ignored
                ignored.append(f"'{raw.header[j]}'")
                continue
            if only is None or name in only:
                first = position[name]
                shut = [letter_of(k) for k in (first, j) if k in raw.hidden]
                why = (
                    f" Column {shut[0]} is hidden in Excel (an old copy?)."
                    if len(shut) == 1
                    else " Both are hidden in Excel."
                    if shut
                    else ""
                )
                problems.one(
                    _STRUCTURE,
                    Problem(
                        where,
                        (hrow,),
                        name,
                        f"columns {letter_of(first)} and {letter_of(j)} both have the header '{name}'.{why} "
                        "Keep one of them (header names ignore case and spaces).",
                        letter_of(j),
                    ),
                )
            continue
        position[name] = j
        if name not in table.column_names:
            ignored.append(f"'{raw.header[j]}'")
    if ignored and only is None:
        notes.append(f"{where}: ignored columns that are not in the data model: {_some(ignored)}.")
    if error_headers and only is None:
        notes.append(
            f"{where}: the header of column{'s' if len(error_headers) > 1 else ''} {', '.join(error_headers)} "
            f"{'are Excel error values' if len(error_headers) > 1 else 'is an Excel error value'}; "
            f"{'those columns are' if len(error_headers) > 1 else 'that column is'} not read."
        )
    bad: set[str] = set() if structure_ok else set(table.column_names)
    missing = [c for c in wanted if c.required and c.name not in position] if structure_ok and only is None else []
    if missing:
        bad.update(c.name for c in missing)
        below = _header_row_below(raw, required)
        real = [n for n in names if n]
        if below is not None:
            problems.one(
                _STRUCTURE,
                Problem(
                    where,
                    (hrow,),
                    None,
                    f"the column headers are in row {below}, not in row {hrow}: delete the rows above them "
                    f"(titles or notes), so that the headers are the first row.",
                ),
            )
        elif raw.is_csv and len(real) == 1 and any(r in real[0] for r in required):
            problems.one(
                _STRUCTURE,
                Problem(
                    where,
                    (hrow,),
                    None,
                    f"the header row is one single cell ('{str(raw.header[names.index(real[0])])[:60]}'): its "
                    "cells are separated by a character other than ';', ',' or a tab. Save the file with ';' or "
                    "',' between the cells.",
                ),
            )
        else:
            found = _some([f"'{n}'" for n in names if n]) or "none"
            unknown = [n for n in names if n and n not in table.column_names]
            for col in missing:
                close = difflib.get_close_matches(col.name, unknown, n=1, cutoff=0.75)
                hint = f" Did you mean '{close[0]}'? Rename that header to '{col.name}'." if close else ""
                if not hint and error_headers:
                    hint = (
                        f" The header of column{'s' if len(error_headers) > 1 else ''} {', '.join(error_headers)} "
                        f"{'are' if len(error_headers) > 1 else 'is an'} Excel error value{'s' if len(error_headers) > 1 else ''} "
                        "(a formula whose result is an error, e.g. a reference to a deleted cell), not a column "
                        f"name: if {'one of them' if len(error_headers) > 1 else 'it'} holds this column, type "
                        f"'{col.name}' there as text."
                    )
                problems.one(
                    _STRUCTURE,
                    Problem(
                        where,
                        (hrow,),
                        col.name,
                        f"the required column is missing (columns found: {found}).{hint} Add a column with the "
                        f"header '{col.name}' in row 1 ({col.description}) — see {_SEE_DICTIONARY}.",
                    ),
                )

    n = raw.n_rows
    row_numbers = np.arange(hrow + 1, hrow + 1 + n)
    if all_cells:
        blank = np.logical_and.reduce([c.blank_u[c.codes] for c in all_cells])
    else:
        blank = np.ones(n, dtype=bool)
    keep = ~blank
    excluded: dict[str, int] = {}
    if blank.any():
        excluded[REASON_BLANK] = int(blank.sum())
    model = [j for name, j in position.items() if name in table.column_names]
    if only is None and model and len(model) < len(all_cells):
        # rows whose only values are in the user's own columns (a helper formula filled
        # down past the data shows 0 there) are no data rows: one note, not a problem
        # for every empty required cell of theirs
        outside = np.logical_and.reduce([all_cells[j].blank_u[all_cells[j].codes] for j in model]) & keep
        if outside.any():
            keep &= ~outside
            excluded[REASON_OUTSIDE] = int(outside.sum())
            letters = [
                letter_of(j)
                for j in range(len(all_cells))
                if j not in model and (~all_cells[j].blank_u[all_cells[j].codes] & outside).any()
            ]
            notes.append(
                f"{where}: {_rows_phrase(row_numbers[outside].tolist())} hold values only in column"
                f"{'s' if len(letters) > 1 else ''} {', '.join(letters)}, which the data model does not use (a "
                "helper formula filled down past the data?); they are not read as data rows."
            )
    if raw.is_csv and len(all_cells) >= 3:  # lines written with another separator than the header
        first, others = all_cells[0], ",;\t".replace(raw.sep, "")
        need = len(all_cells) - 2
        odd_u = np.array(
            [isinstance(u, str) and max(u.count(c) for c in others) >= need for u in first.uniq], dtype=bool
        )
        if odd_u.any():
            rest_blank = np.logical_and.reduce([c.blank_u[c.codes] for c in all_cells[1:]])
            odd = odd_u[first.codes] & rest_blank & keep
            if odd.any():
                odd_rows = tuple(int(r) for r in row_numbers[odd])
                used = max(others, key=lambda c: sum(str(u).count(c) for u in first.uniq[odd_u]))
                problems.one(
                    _CELL,
                    Problem(
                        where,
                        odd_rows,
                        None,
                        f"{'these lines use' if len(odd_rows) > 1 else 'this line uses'} "
                        f"{_SEP_NAMES.get(used, repr(used))} between the cells, but the header row uses "
                        f"{_SEP_NAMES.get(raw.sep, repr(raw.sep))}, so each of these lines was read as one cell. "
                        "Save the file again with one separator throughout.",
                    ),
                )
                keep &= ~odd
                bad.update(table.column_names)
    if _YEAR in position:  # the header row again, further down (files pasted together)
        ycells = all_cells[position[_YEAR]]
        again_u = np.array([isinstance(u, str) and normalise_header(u) == _YEAR for u in ycells.uniq], dtype=bool)
        if again_u.any():
            again = again_u[ycells.codes] & keep
            again_rows = tuple(int(r) for r in row_numbers[again])
            problems.one(
                _CELL,
                Problem(
                    where,
                    again_rows,
                    None,
                    ("these rows repeat" if len(again_rows) > 1 else "this row repeats")
                    + " the header row (as when two files are pasted together): delete "
                    + ("them." if len(again_rows) > 1 else "it."),
                ),
            )
            keep &= ~again
            bad.add(_YEAR)
    summary = _summary_rows(all_cells, position) & keep if position else None
    if summary is not None and summary.any():  # one root cause, not an empty id or a wrong type in each cell
        found: dict[tuple[str, str], list[int]] = {}
        for i in np.flatnonzero(summary):
            name, text = _summary_label(all_cells, position, int(i))
            found.setdefault((name, text), []).append(int(row_numbers[i]))
        for (name, text), at in found.items():
            problems.one(
                _CELL,
                Problem(
                    where,
                    tuple(at),
                    name,
                    f"{'these rows look' if len(at) > 1 else 'this row looks'} like a row of totals or averages "
                    f"('{_show(text)}' in '{name}'), not data: kinerja computes totals and means itself from the "
                    f"rows of data. Delete {'them' if len(at) > 1 else 'it'}.",
                    letter_of(position[name]),
                ),
            )
        keep &= ~summary
    labels = _label_row(all_cells, position, table) if only is None and n and keep[0] else []
    if labels:  # one root cause, not a wrong type in every cell of the row
        problems.one(
            _STRUCTURE,
            Problem(
                where,
                (int(row_numbers[0]),),
                None,
                f"this row holds labels, not data ({', '.join(repr(t) for t in labels[:4])}"
                f"{', ...' if len(labels) > 4 else ''}): a second header row. Delete it; the headers are "
                f"row {hrow} only.",
            ),
        )
        keep[0] = False
        bad.update(table.column_names)

    rows = row_numbers[keep]
    data: dict[str, object] = {}
    letters = {name: letter_of(j) for name, j in position.items()}
    for col in table.columns:
        if col.name not in position or col not in wanted:
            data[col.name] = _empty_column(col, len(rows))
            continue
        cells = all_cells[position[col.name]].take(keep)
        values, col_bad = _convert(cells, col, where, rows, letters[col.name], problems, notes)
        if col_bad:
            bad.add(col.name)
        data[col.name] = values
    frame = pd.DataFrame(data)
    return _Parsed(table, where, raw.file, frame, rows, n, excluded, bad, letters)


_WORD = re.compile(r"[^\W\d_]{2}")


def _label_row(all_cells: list[_Cells], position: dict[str, int], table: Table) -> list[str]:
    """The texts of the first data row when it is a second header row (labels such as
    'Tahun', 'Kategori' under the column names), else [].

    Such a row has words in every number column and a value outside the vocabulary in every
    column that has one, in at least two cells: a data row with one mistyped cell fails
    one of the two. The answer does not depend on the words (any language)."""
    checked, texts = 0, []
    for col in table.columns:
        j = position.get(col.name)
        if j is None:
            continue
        cells = all_cells[j]
        value = cells.uniq[cells.codes[0]]
        if not isinstance(value, str):
            if col.kind in ("int", "float") or col.allowed:
                return []  # an empty or special number/vocabulary cell: not a row of labels
            continue
        texts.append(value)
        if col.kind in ("int", "float"):
            if not _WORD.search(value) or not np.isnan(_parse_numbers(np.array([value], dtype=object))[0]):
                return []
            checked += 1
        elif col.allowed or col.kind == "grade":
            allowed = col.allowed or GRADE_ORDER
            if value.strip().lower() in {a.lower() for a in allowed}:
                return []
            checked += 1
    return texts if checked >= 2 else []


def _empty_column(col: Column, n: int):
    if col.kind in ("int", "float"):
        return np.full(n, np.nan)
    if col.kind == "grade":
        return pd.Categorical([None] * n, dtype=grade_dtype())
    return pd.array([None] * n, dtype="str")


def _is_points(col: Column) -> bool:
    """A number of points out of 100 (a percentage of 100 points is the same number)."""
    return col.kind == "float" and col.lo == 0 and col.hi == 100


def _what(col: Column) -> str:
    return {"int": "a whole number", "float": "a number", "grade": "a SAKIP grade"}.get(col.kind, "text")


def _special_text(sp: _Special, col: Column) -> str:
    """What is wrong with a date, logical value, percentage, formula or merged cell in ``col``."""
    if sp.kind == "merged":
        return (
            f"the cell is covered by the merged cells {sp.shown}, so it is empty: only the first cell "
            f"({sp.value}) holds a value. Unmerge the cells (Home > Merge & Center) and fill in every cell."
        )
    if sp.kind == "merged hidden":
        return (
            f"the cell is covered by the merged cells {sp.shown}, whose first cell ({sp.value}) is empty, so Excel "
            "shows nothing here; but the cell still holds a value underneath. Unmerge the cells (Home > Merge & "
            "Center), check what each cell should hold, and fill it in or clear it."
        )
    if sp.kind == "formula":
        return (
            f"the cell holds a formula ({sp.value}) with no stored result: the workbook was saved by a program "
            "that does not calculate formulas. Open it in Excel or LibreOffice and save it again (this stores "
            "the results), or replace the formula by its value."
        )
    if sp.kind == "bool":
        return (
            f"the cell holds the logical value {sp.shown} (TRUE/FALSE), not {_what(col)}. "
            f"Type the value: '{col.name}' is: {col.description}"
        )
    if sp.kind == "long":
        return (
            f"the cell holds the number {sp.shown} ({len(sp.shown.lstrip('-'))} digits): Excel keeps only 15 digits "
            "of a number, so the digits after the 15th are lost. Format the column as Text and type the value "
            "again (ids such as an 18-digit NIP must be text)."
        )
    if sp.kind == "bad date":
        return (
            f"the cell holds the number {sp.shown} and is formatted as a date, but no date has that number (it is "
            "too large or below zero; Excel shows ####). Format the column as "
            f"{'Number' if col.kind in ('int', 'float') else 'Text'} and check the value: '{col.name}' is: "
            f"{col.description}"
        )
    if sp.kind == "formatted":
        return (
            f"the cell holds the number {sp.value} with a number format that shows it with other text, which "
            f"cannot be read back for sure. Format the column as Text and type '{col.name}' as it should read."
        )
    if sp.kind == "percent":
        return (
            f"the cell is formatted as a percentage ({sp.shown}, stored as {_show(sp.number)}), but '{col.name}' "
            f"is: {col.description} Format the column as Number (or Text) and type the value, e.g. "
            f"'{col.example or 2020}'."
        )
    if sp.kind == "date" and col.name in _DATE_COLUMNS:
        return f"the cell holds a date and a time of day ({sp.shown}); type only the date, as YYYY-MM-DD."
    if col.kind in ("int", "float"):
        number = f"the number {_show(sp.number)}" if sp.number is not None else "the number"
        return (
            f"the cell holds a {sp.kind} ({sp.shown}), not a number: it is formatted as a {sp.kind}, so Excel shows "
            f"{number} as {sp.shown}. Format the column as Number (Home > Number Format) and check the value."
        )
    return (
        f"Excel turned what was typed into the {sp.kind} {sp.shown}. Format the column as Text (Home > Number "
        "Format > Text), type the value again, and check the other cells of the column."
    )


_DATE_TEXT = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def _valid_date_text(text: str) -> bool:
    """``YYYY-MM-DD`` or ``YYYY-MM`` naming a real day or month.

    >>> [_valid_date_text(t) for t in ("2021-02-17", "2021-02", "2021-02-30", "17/02/2021", "2021-13")]
    [True, True, False, False, False]
    """
    m = _DATE_TEXT.fullmatch(text)
    if not m:
        return False
    try:
        _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return False
    return True


def _date_hint(text: str) -> str:
    """A suggestion for a date written another way.

    >>> _date_hint("17/02/2021")
    ' Did you mean 2021-02-17?'
    >>> _date_hint("03/02/2021")
    ' (03/02/2021 could be 3 February or 2 March: write it as YYYY-MM-DD.)'
    """

    def iso(y: int, m: int, d: int | None) -> str | None:
        try:
            _dt.date(y, m, d or 1)
        except ValueError:
            return None
        return f"{y:04d}-{m:02d}" + (f"-{d:02d}" if d else "")

    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    if m:
        a, b, y = (int(x) for x in m.groups())
        if a > 12 and (s := iso(y, b, a)):
            return f" Did you mean {s}?"
        if b > 12 and (s := iso(y, a, b)):
            return f" Did you mean {s}?"
        if iso(y, b, a) and iso(y, a, b):
            month = ("January February March April May June July August September October November December").split()
            return f" ({text} could be {a} {month[b - 1]} or {b} {month[a - 1]}: write it as YYYY-MM-DD.)"
        return ""
    m = re.fullmatch(r"(\d{4})[/.\-](\d{1,2})(?:[/.\-](\d{1,2}))?", text)
    if m and (s := iso(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)):
        return f" Did you mean {s}?"
    return ""


#: what people type for "none" in an optional cell
_PLACEHOLDER = re.compile(r"[-\u2013\u2014]+|n/?a|\?|x|none|tidak ada|tdk ada")


def _number_hint(text: str, col: Column) -> str:
    """Why a cell is not a (whole) number, when it can be told."""
    plain = unicodedata.normalize("NFKC", text)
    if plain != text and re.fullmatch(r"[+-]?\d+([.,]\d+)?", plain) and plain.isascii():
        return (
            f" Its digits are full-width characters (as an East Asian keyboard types them), not the digits "
            f"0-9: retype it as {plain}."
        )
    if _NONZERO_MANTISSA.fullmatch(text):
        return " Its exponent is out of range: as a number it is 0 or infinite, not what the cell says."
    if col.kind == "int" and re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return f" It looks like {re.sub(r'[.,]', '', text)} written with a thousands separator."
    if "." in text and "," in text and re.fullmatch(r"[\d.,]+", text):
        return " It has both '.' and ',' (a thousands separator?): use only one decimal comma or point."
    if re.fullmatch(r"\d{1,4}[/\-]\d{1,2}[/\-]\d{1,4}", text) or re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
        return " It looks like a date."
    if re.fullmatch(r"[\u2212\u2012\u2013\u2014\ufe63\uff0d]\s*\d+([.,]\d+)?", text):
        return " Its minus sign is a dash character, not the '-' of the keyboard: retype it."
    if _PLACEHOLDER.fullmatch(text.strip().lower()) and not col.required:
        return " If there is no value, leave the cell empty."
    return ""


_THOUSANDS = {".": re.compile(r"[+-]?\d{1,3}(\.\d{3})+"), ",": re.compile(r"[+-]?\d{1,3}(,\d{3})+")}
_DECIMAL = {".": re.compile(r"[+-]?\d*\.\d+"), ",": re.compile(r"[+-]?\d*,\d+")}


def _ambiguous_separators(cells: _Cells, text_u: np.ndarray, codes: np.ndarray, rows: np.ndarray, report) -> None:
    """Report '1.234' in a column that writes decimals as '72,5' (and '1,234' among '72.5').

    Alone, '1.234' is the decimal number 1.234 (a score of 1234 is not possible); next to
    decimal commas, its '.' may as well be a thousands separator.
    """
    for mark, other_u, this_u in ((",", cells.comma_u, cells.point_u), (".", cells.point_u, cells.comma_u)):
        other = "." if mark == "," else ","
        example = next(
            (
                k
                for k in np.flatnonzero(other_u)
                if isinstance(text_u[k], str)
                and _DECIMAL[mark].fullmatch(text_u[k])
                and not _THOUSANDS[mark].fullmatch(text_u[k])
            ),
            None,
        )
        if example is None:
            continue
        hit = np.zeros(len(text_u), dtype=bool)
        for k in np.flatnonzero(this_u):
            hit[k] = isinstance(text_u[k], str) and _THOUSANDS[other].fullmatch(text_u[k]) is not None
        if not hit.any():
            continue
        first = int(rows[np.flatnonzero(codes == example)[0]])
        report(hit, _ambiguous_text(mark, other, str(text_u[example]), first))


def _ambiguous_text(mark: str, other: str, example: str, row: int) -> Callable[[object], str]:
    def text(v: object) -> str:
        shown = _show(v)
        return (
            f"'{shown}' is ambiguous: this column writes decimals with '{mark}' (e.g. '{example}' in row {row}), "
            f"so the '{other}' here may be a thousands separator ({re.sub(r'[.,]', '', shown)}) or a decimal point "
            f"({shown.replace(other, '.')}). Write it with '{mark}' as the other cells do."
        )

    return text


def _convert(
    cells: _Cells, col: Column, where: str, rows: np.ndarray, letter: str, problems: _Problems, notes: list[str]
) -> tuple[object, bool]:
    """Typed values of one column (NaN where empty or bad) and whether any cell was bad.

    Every cell is checked once: a cell reported by one check is not checked further.
    """
    uniq, codes = cells.uniq, cells.codes
    empty_u = cells.empty_u
    done_u = np.zeros(len(uniq), dtype=bool)  # reported already
    bad_any = False

    def report(mask_u: np.ndarray, text: Callable[[object], str], grouped: bool = False) -> None:
        nonlocal bad_any
        mask_u = mask_u & ~done_u
        if not mask_u.any():
            return
        done_u[mask_u] = True
        mask = mask_u[codes]
        count = int(mask.sum())
        if not count:
            return
        bad_any = True
        where_rows = rows[mask]
        where_vals = codes[mask]
        if grouped:  # one problem per value (e.g. a merged range), naming all its rows
            values = pd.unique(where_vals)

            def make(i: int) -> Problem:
                sel = where_rows[where_vals == values[i]]
                return Problem(where, tuple(int(r) for r in sel), col.name, text(uniq[values[i]]), letter)

            problems.add(_CELL, where, col.name, len(values), make)
            return

        def make(i: int) -> Problem:
            return Problem(where, (int(where_rows[i]),), col.name, text(uniq[where_vals[i]]), letter)

        problems.add(_CELL, where, col.name, count, make)

    def note_rows(mask_u: np.ndarray) -> tuple[int, int]:
        mask = mask_u[codes]
        hit = np.flatnonzero(mask)
        return len(hit), (int(rows[hit[0]]) if len(hit) else 0)

    # Text as meant: a date in a date column and a percentage of points are values;
    # every other date, logical value, percentage, formula or merged cell is reported.
    text_u = uniq.copy()
    if cells.special_u.any():
        converted = np.zeros(len(uniq), dtype=bool)
        for k in np.flatnonzero(cells.special_u):
            sp = uniq[k]
            text_u[k] = None
            if sp.kind == "date" and col.name in _DATE_COLUMNS and sp.value is not None:
                text_u[k], converted[k] = sp.value, True
            elif sp.kind == "percent" and _is_points(col):
                text_u[k], converted[k] = repr(sp.value), True
            elif sp.kind == "long" and col.kind in ("int", "float"):
                text_u[k], converted[k] = sp.value, True
            elif sp.kind == "formatted" and col.kind in ("int", "float"):
                text_u[k], converted[k] = sp.value, True  # 85 shown as '85 poin' is 85
            elif sp.kind == "formatted" and sp.shown is not None:
                text_u[k], converted[k] = sp.shown, True  # 1 shown as 'J01' is the id J01
        pct_u = converted & np.array([isinstance(u, _Special) and u.kind == "percent" for u in uniq], dtype=bool)
        if pct_u.any():
            n, first = note_rows(pct_u)
            example = next(uniq[k] for k in np.flatnonzero(pct_u) if (uniq[k] is not None))
            notes.append(
                f"{where}, column '{col.name}': {_plural(n, 'cell')} formatted as percentages (e.g. row {first}) "
                f"were read as the number shown ({example.shown} -> {_show(example.value)}), because "
                f"'{col.name}' is in points out of 100."
            )
        shown_u = converted & np.array([isinstance(u, _Special) and u.kind == "formatted" for u in uniq], dtype=bool)
        if shown_u.any():
            n, first = note_rows(shown_u)
            example = next(uniq[k] for k in np.flatnonzero(shown_u))
            read = (
                f"the number ({example.shown} -> {example.value})"
                if col.kind in ("int", "float")
                else f"the text Excel shows ({example.value} -> {example.shown})"
            )
            notes.append(
                f"{where}, column '{col.name}': {_plural(n, 'cell')} holding numbers that their number format shows "
                f"with other text (e.g. row {first}) were read as {read}."
            )
        merged_u = np.array([isinstance(u, _Special) and u.kind == "merged" for u in uniq], dtype=bool)
        report(merged_u, lambda v: _special_text(v, col), grouped=True)
        report(cells.special_u & ~converted, lambda v: _special_text(v, col))

    def where_u(flag_u: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
        """``flag_u`` narrowed by ``test`` on the (few) flagged texts."""
        out = np.zeros(len(uniq), dtype=bool)
        for k in np.flatnonzero(flag_u):
            out[k] = isinstance(text_u[k], str) and test(text_u[k])
        return out

    errors_u = where_u(cells.hash_u, lambda t: t.upper() in _EXCEL_ERRORS)
    report(
        errors_u,
        lambda v: (
            f"'{_show(v)}' is an Excel error value: the formula that filled this cell failed (or its result was "
            "pasted as text). Correct the formula's inputs, or type the value."
        ),
    )
    if col.required:
        report(
            empty_u,
            lambda v: (
                f"the cell is empty, but '{col.name}' is required: {col.description} "
                "Fill it in, or delete the row if it should not be there."
            ),
        )

    if col.kind in ("int", "float"):
        pct_text = where_u(cells.pct_u, lambda t: True)
        if pct_text.any():
            stripped = np.array([t[:-1].strip() if p else None for t, p in zip(text_u, pct_text)], dtype=object)
            ok = pct_text & ~np.isnan(_parse_numbers(stripped))
            if _is_points(col):
                n, first = note_rows(ok & ~done_u)
                if n:
                    notes.append(
                        f"{where}, column '{col.name}': {_plural(n, 'cell')} written as percentages (e.g. row "
                        f"{first}) were read as the number without '%', because '{col.name}' is in points out "
                        "of 100."
                    )
                text_u = np.where(ok, stripped, text_u)
            else:
                report(
                    ok,
                    lambda v: (
                        f"'{_show(v)}' is a percentage, but '{col.name}' is: {col.description} "
                        "Type the number without '%'."
                    ),
                )
        if col.kind == "float" and cells.comma_u.any() and cells.point_u.any():
            _ambiguous_separators(cells, text_u, codes, rows, report)
        num_u = _parse_numbers(np.where(done_u, None, text_u))
        not_number = ~empty_u & np.isnan(num_u)
        if col.kind == "int":
            report(
                not_number | (~np.isnan(num_u) & (num_u != np.round(num_u))),
                lambda v: (
                    f"'{_show(v)}' is not a whole number.{_number_hint(_show(v), col)} Type it with digits only, "
                    f"e.g. '{col.example or 2020}'."
                ),
            )
        else:
            report(
                not_number,
                lambda v: (
                    f"'{_show(v)}' is not a number.{_number_hint(_show(v), col)} '{col.name}' is: "
                    f"{col.description} Type only digits, with a decimal comma or point (e.g. 72,5)."
                ),
            )
        if col.lo is not None or col.hi is not None:
            lo = -np.inf if col.lo is None else col.lo
            hi = np.inf if col.hi is None else col.hi
            report(
                ~np.isnan(num_u) & ((num_u < lo) | (num_u > hi)),
                lambda v: (
                    f"'{_show(v)}' is outside {_show(float(lo))}–{_show(float(hi))}. "
                    f"'{col.name}' is: {col.description} Check the cell."
                ),
            )
        num_u = np.where(done_u, np.nan, num_u)
        return num_u[codes], bad_any

    garbled_u = where_u(cells.wide_u, lambda t: _GARBLED.search(t) is not None)
    report(
        garbled_u,
        lambda v: (
            f"'{_show(v)}' looks garbled: {_garbled_hint(_show(v))}. Correct the text (for a CSV file: save it again "
            "as 'CSV UTF-8' from the original)."
        ),
    )

    if col.kind == "grade":
        grade_u = np.array(
            [None if (t is None or d) else normalise_grade(t) for t, d in zip(text_u, done_u)], dtype=object
        )
        report(
            ~empty_u & pd.isna(grade_u),
            lambda v: (
                f"'{_show(v)}' is not a SAKIP grade. Use one of {', '.join(GRADE_ORDER[::-1])} (upper or lower case)."
            ),
        )
        codes_g = pd.Categorical(grade_u, dtype=grade_dtype()).codes[codes]
        return pd.Categorical.from_codes(codes_g, dtype=grade_dtype()), bad_any

    if col.allowed is None and col.kind == "str":
        report(
            where_u(cells.sci_u, lambda t: re.fullmatch(r"[+-]?\d+([.,]\d+)?[eE]\+\d+", t) is not None),
            lambda v: (
                f"'{_show(v)}' is a number in scientific notation, as Excel shows a long number: a long id typed "
                "as a number keeps only 15 digits in Excel, and a CSV file saved from it only the digits shown. "
                "In the workbook, format the column as Text, type the ids again, and save the CSV file again."
            ),
            grouped=True,
        )

    if col.name in _DATE_COLUMNS:
        report(
            np.array([isinstance(t, str) and not _valid_date_text(t) for t in text_u], dtype=bool),
            lambda v: (
                f"'{_show(v)}' is not a date in the form YYYY-MM-DD or YYYY-MM (e.g. 2021-02-17, or 2021-02 when "
                f"the day is not known).{_date_hint(_show(v))} Type it in that form (in Excel, as text, or as a date)."
            ),
        )

    if col.allowed is not None:
        canonical = {a.lower(): a for a in col.allowed}
        mapped = np.array(
            [None if (t is None or d) else canonical.get(t.lower()) for t, d in zip(text_u, done_u)], dtype=object
        )
        report(
            ~empty_u & pd.isna(mapped),
            lambda v: (
                f"'{_show(v)}' is not an allowed value for '{col.name}'. Use one of: "
                f"{', '.join(col.allowed)} (upper or lower case).{_vocabulary_hint(_show(v), col.allowed)}"
            ),
        )
        return pd.array(mapped[codes], dtype="str"), bad_any
    text_u = np.where(done_u, None, text_u)
    return pd.array(text_u[codes], dtype="str"), bad_any


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


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame)


def _id_text(columns: Sequence[str], values: Sequence[object]) -> str:
    return " and ".join(f"{c} '{_show(v)}'" for c, v in zip(columns, values))


def _similar_id(value: str, candidates: Sequence[str]) -> str:
    """' Did you mean 'J05'?' for an id that differs from a listed one in case or a typo."""
    candidates = [c for c in candidates if c != value]  # never the value itself back
    folded = {re.sub(r"\W|_", "", c).lower(): c for c in candidates}
    key = re.sub(r"\W|_", "", value).lower()
    if key in folded and folded[key] != value:
        return f" Did you mean '{folded[key]}'?"
    # Excel turns an id typed as digits into a number: '007' becomes 7, and a number read
    # back as text may carry '.0' ('7.0' for 7)
    same = None
    bare = value[:-2] if value.endswith(".0") and value[:-2].isdecimal() else value
    if bare.isdecimal():
        zeros = {c.lstrip("0"): c for c in candidates if c.isdecimal()}
        same = zeros.get(bare.lstrip("0"))
    if same is not None and same != value:
        why = (
            "leading zeros, which Excel drops from an id typed into a number cell"
            if bare == value
            else "'.0', which an id stored as a number gains when it is written as text"
        )
        return (
            f" Did you mean '{same}'? They differ only in {why}: format the id columns as Text and type the ids again."
        )
    close = difflib.get_close_matches(value, list(candidates)[:5000], n=1, cutoff=0.8)
    return f" Did you mean '{close[0]}'?" if close else ""


def _elsewhere(ref: _Parsed, fk: ForeignKey, row: pd.Series) -> str:
    """' (jurors.csv lists it for year 2021.)' when the id is listed for other years."""
    if fk.columns[0] != _YEAR or len(fk.columns) < 2:
        return ""
    ids = list(zip(fk.columns[1:], fk.ref_columns[1:]))
    m = np.logical_and.reduce([ref.frame[rc].to_numpy(dtype=object) == row[c] for c, rc in ids])
    years = sorted({int(y) for y in ref.frame[fk.ref_columns[0]].to_numpy()[m] if np.isfinite(y)})
    if not years:
        return _listed_under(ref, fk, row)
    listed = ", ".join(map(str, years))
    return f" ({ref.where} lists it for year{'s' if len(years) > 1 else ''} {listed}.)"


def _listed_under(ref: _Parsed, fk: ForeignKey, row: pd.Series) -> str:
    """' (rubric.csv lists it for evaluation kovablik and stage proposal.)' when the id is
    listed under other values of the key's leading columns (a criterion of another stage,
    a stage written 'Lke'); it had been answered with "Did you mean 'P1'?" for 'P1'."""
    last, last_ref = fk.columns[-1], fk.ref_columns[-1]
    lead = [rc for rc in fk.ref_columns[:-1] if rc != _YEAR or len(fk.ref_columns) == 2]
    if not lead:
        return ""
    hits = ref.frame.loc[ref.frame[last_ref].to_numpy(dtype=object) == row[last], lead].drop_duplicates()
    if hits.empty:
        return ""
    shown = [
        " and ".join(f"{c} {_show(v)}" for c, v in zip(lead, vals)) for vals in hits.head(3).itertuples(index=False)
    ]
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    return f" ({ref.where} lists it for {'; '.join(shown)}{more}.)"


def _follow_bad_keys(p: _Parsed, fk: ForeignKey, ref: _Parsed, child: pd.DataFrame, use: np.ndarray, problems):
    """Rows here that refer to a row of ``ref`` whose key cell is bad: said in that cell's problem."""
    cols = list(fk.columns)
    target = ref.frame[list(fk.ref_columns)].copy()
    target.columns = cols
    incomplete = target.isna().any(axis=1).to_numpy()
    partial = incomplete & target.notna().any(axis=1).to_numpy()
    if not partial.any() or not use.any():
        return
    refs, ref_rows = child[use], p.rows[use]
    valid = target[~incomplete]
    if len(valid):
        unmatched = ~_keys(refs).isin(_keys(valid))
        refs, ref_rows = refs[unmatched], ref_rows[unmatched]
    if not len(refs):
        return
    for i in np.flatnonzero(partial)[:200]:
        row = target.iloc[i]
        known = [c for c in cols if pd.notna(row[c])]
        if not any(c != _YEAR for c in known):
            continue  # "the rows of year 2020" would say nothing
        m = np.logical_and.reduce([refs[c].to_numpy(dtype=object) == row[c] for c in known])
        n = int(np.sum(m))
        if not n:
            continue
        what = _id_text([rc for c, rc in zip(cols, fk.ref_columns) if c in known], [row[c] for c in known])
        text = (
            f"{_plural(n, 'row')} of {p.where} {'refers' if n == 1 else 'refer'} to {what} "
            f"({_rows_phrase(ref_rows[m])}); {'it is' if n == 1 else 'they are'} checked once this cell is corrected."
        )
        for c, rc in zip(cols, fk.ref_columns):
            if pd.isna(row[c]) and rc in ref.letters:
                key = (ref.where, int(ref.rows[i]), rc)
                problems.follow[key] = (problems.follow.get(key, "") + " " + text).strip()


def _root_cause_years(
    p: _Parsed,
    fk: ForeignKey,
    ref: _Parsed,
    referenced: pd.DataFrame,
    miss: pd.DataFrame,
    miss_rows: np.ndarray,
    year_counts: dict[float, int],
    problems: _Problems,
) -> np.ndarray:
    """Missing references explained by one row of ``ref`` with a wrong year.

    When nothing here refers to a row of ``ref``, that row is the only one of ``ref``
    with its id (or its year is a year no other row of the dataset has), and rows here
    refer to the same id for another year, that row's year is most likely mistyped: it
    is reported, with the rows here that follow from it, instead of every row here.
    Returns which rows of ``miss`` are explained so.
    """
    cols, ids = list(fk.columns), list(fk.columns[1:])
    parent = ref.frame[list(fk.ref_columns)].copy()
    parent.columns = cols
    ok = parent.notna().all(axis=1).to_numpy()
    parent, prow = parent[ok], ref.rows[ok]
    if not len(parent):
        return np.zeros(len(miss), dtype=bool)
    single = ~_keys(parent[ids]).duplicated(keep=False)
    orphan = parent[cols[0]].map(lambda y: year_counts.get(y, 0) == 1).to_numpy(dtype=bool)
    unref = ~_keys(parent).isin(_keys(referenced))
    chosen = (single | orphan) & unref
    cand, cand_rows = parent[chosen], prow[chosen]
    cand_single = single[chosen]
    if not len(cand):
        return np.zeros(len(miss), dtype=bool)
    rooted = np.asarray(_keys(miss[ids]).isin(_keys(cand[ids])))
    if not rooted.any():
        return rooted
    # Blame the row there only when its year is the odd one: rarer in the dataset than
    # the year the rows here give (otherwise the year here is the likely typo).
    cand_ids = [tuple(r) for r in cand[ids].itertuples(index=False, name=None)]
    cand_year = dict(zip(reversed(cand_ids), reversed(cand[cols[0]].tolist())))
    miss_ids = list(miss[ids].itertuples(index=False, name=None))
    for i in np.flatnonzero(rooted):
        theirs = year_counts.get(cand_year[tuple(miss_ids[i])], 0)
        rooted[i] = theirs < year_counts.get(miss[cols[0]].iloc[i], 0)
    if not rooted.any():
        return rooted
    sub, sub_rows = miss[rooted], miss_rows[rooted]
    groups = list(sub.groupby(ids, sort=False, observed=True, dropna=False).indices.items())
    year_col = fk.ref_columns[0]

    def make(i: int) -> Problem:
        key, pos = groups[i]
        key = key if isinstance(key, tuple) else (key,)
        j = cand_ids.index(tuple(key))
        there = int(cand[cols[0]].iloc[j])
        here = ", ".join(str(y) for y in sorted({int(y) for y in sub[cols[0]].iloc[pos]}))
        what = _id_text(fk.ref_columns[1:], key)
        listed = f"for year {there} only" if cand_single[j] else f"for year {there}, a year no other row has"
        text = (
            f"{what} is listed here {listed}, and no row of {p.where} refers to it for {there}; "
            f"but {_plural(len(pos), 'row')} of {p.where} {'refers' if len(pos) == 1 else 'refer'} to {what} "
            f"for year {here} "
            f"({_rows_phrase(sub_rows[pos])}), for which {ref.where} has no row. If {there} is a typo for {here}, "
            f"correct this cell; otherwise add a row for {what} and year {here} to {ref.where}."
        )
        return Problem(ref.where, (int(cand_rows[j]),), year_col, text, ref.letters.get(year_col))

    problems.add(_ROOT, ref.where, year_col, len(groups), make)
    return rooted


def _check_foreign_key(
    p: _Parsed, fk: ForeignKey, parsed: dict[str, _Parsed], problems: _Problems, year_counts: dict[float, int]
) -> None:
    ref = parsed[fk.table]
    # Rows here with an empty or bad cell are skipped (that cell is reported already).
    if not len(p.frame):
        return
    child = p.frame[list(fk.columns)]
    use = child.notna().all(axis=1).to_numpy()
    if fk.when:
        use = use & (p.frame[fk.when[0]] == fk.when[1]).fillna(False).to_numpy()
    if set(fk.ref_columns) & ref.bad:
        # A bad or missing cell there would make correct rows here look wrong: say in
        # that cell's problem which rows here refer to it, and check them once it is fixed.
        _follow_bad_keys(p, fk, ref, child, use, problems)
        return
    if not use.any():
        return
    target = ref.frame[list(fk.ref_columns)].dropna()
    target.columns = list(fk.columns)
    found = _keys(child[use]).isin(_keys(target))
    if found.all():
        return
    missing_pos = np.flatnonzero(use)[~found]
    miss = child.iloc[missing_pos]
    miss_rows = p.rows[missing_pos]
    last, last_ref = fk.columns[-1], fk.ref_columns[-1]
    if not len(ref.frame) and not ref.absent:
        problems.one(
            _ROOT,
            Problem(
                ref.where,
                (),
                None,
                f"the table has no data rows (only its header), but {_plural(len(miss), 'row')} of {p.where} "
                f"{'refers' if len(miss) == 1 else 'refer'} to it ({_rows_phrase(miss_rows)}, column '{last}'). "
                f"Fill in {ref.where}, or delete {'that row' if len(miss) == 1 else 'those rows'}.",
            ),
        )
        return
    if fk.columns[0] == _YEAR and len(fk.columns) > 1:
        rooted = _root_cause_years(p, fk, ref, child[use], miss, miss_rows, year_counts, problems)
        miss, miss_rows = miss[~rooted], miss_rows[~rooted]
        if not len(miss):
            return
    # Blame the first column whose prefix of the key is not found (a wrong year is a
    # wrong year, not a wrong juror_id).
    blame = np.full(len(miss), len(fk.columns) - 1)
    for k in range(len(fk.columns) - 1, 0, -1):
        cols = list(fk.columns[:k])
        ok = _keys(miss[cols]).isin(_keys(target[cols]))
        blame = np.where(~ok, k - 1, blame)
    listed: dict[str, list[str]] = {}

    for k in range(len(fk.columns)):
        sel = np.flatnonzero(blame == k)
        if not len(sel):
            continue
        col, ref_col = fk.columns[k], fk.ref_columns[k]
        before = list(zip(fk.columns[:k], fk.ref_columns[:k]))
        groups = list(
            miss.iloc[sel].groupby(list(fk.columns[: k + 1]), sort=False, observed=True, dropna=False).indices.items()
        )

        def make(i: int, sel=sel, k=k, col=col, ref_col=ref_col, before=before, groups=groups) -> Problem:
            _key, pos = groups[i]
            at = sel[pos]
            row = miss.iloc[at[0]]
            n = len(at)
            if k == len(fk.columns) - 1:
                context = " and ".join(f"{rc} {_show(row[c])}" for c, rc in before)
                head = f"'{_show(row[col])}' is not listed in the '{ref_col}' column of {ref.where}" + (
                    f" for {context}" if context else ""
                )
                if ref_col not in listed:
                    listed[ref_col] = [str(v) for v in pd.unique(ref.frame[ref_col].dropna())]
                hint = _elsewhere(ref, fk, row) if str(row[col]) in listed[ref_col] else ""
                hint = hint or _similar_id(str(row[col]), listed[ref_col])
                if _PLACEHOLDER.fullmatch(str(row[col]).strip().lower()) and not p.table.column(col).required:
                    hint = " If there is none, leave the cell empty."
            else:  # already the leading columns match no row: say so, not "unknown id"
                context = " and ".join(f"{rc} {_show(row[c])}" for c, rc in before + [(col, ref_col)])
                what = f"{last} '{_show(row[last])}' cannot" if n == 1 else f"the {last} of these rows cannot"
                head = f"{ref.where} has no row with {context}, so {what} be matched"
                hint = ""
                if col == _YEAR and year_counts.get(row[col], 0) <= n:
                    hint = f" No other table has a row for year {_show(row[col])}: is it a typo?"
            cond = f"This is a {fk.when[1]} row ({fk.when[0]} = {fk.when[1]}), so " if fk.when else ""
            same = (" with the same " + ", ".join(fk.columns[:-1])) if len(fk.columns) > 1 else ""
            many = f" ({_plural(n, 'row')})" if n > 1 else ""
            text = (
                f"{head}{many}.{hint} {cond}'{last}' must match the {last_ref} of a row in {ref.where}{same}: "
                f"add the missing row there, or correct {'this cell' if n == 1 else 'these cells'}."
            )
            return Problem(p.where, tuple(int(r) for r in miss_rows[at]), col, text, p.letters.get(col))

        problems.add(_RELATION, p.where, col, len(groups), make)


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


def _modified(p: Path) -> str:
    try:
        return _dt.datetime.fromtimestamp(p.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    except OSError:
        return "?"


def _table_files(folder: Path, problems: _Problems, notes: list[str]) -> tuple[dict[str, Path], dict[str, list[Path]]]:
    """The CSV file of each table in a folder, and the files of other formats named after a table.

    Files whose names differ only in case, spaces, invisible characters or the marks
    of a copy (``scores (1).csv``, ``scores - Copy.csv``) name the same table: two of
    them are a problem (naming both), never a silent choice.
    """
    files = sorted(p for p in folder.iterdir() if p.is_file())
    locks = [p for p in files if p.name.startswith(("~$", ".~lock."))]
    for p in locks:
        notes.append(
            f"{folder.name}: {p.name} is the lock file of a file open in a spreadsheet program; changes not yet "
            "saved there are not read (save and close the file, then load again)."
        )
    by_key: dict[str, list[Path]] = {}
    others: list[str] = []
    for p in files:
        if p in locks or p.name.startswith("._") or p.name == _META_FILE or p.name.endswith(PSEUDONYM_FILE):
            continue  # (and kinerja's own mapping of juror pseudonyms)
        key, suffix = _table_key(p.stem), p.suffix.strip().lower()
        if key in TABLES and (suffix == ".csv" or suffix in _TABLE_LIKE_SUFFIXES):
            by_key.setdefault(key, []).append(p)
        elif suffix == ".csv" or suffix in _EXCEL_SUFFIXES:
            others.append(p.name)
    found: dict[str, Path] = {}
    unread: dict[str, list[Path]] = {}
    for key, paths in by_key.items():
        csvs = [p for p in paths if p.suffix.strip().lower() == ".csv"]
        if len(paths) > 1 and csvs:
            times = sorted((p.stat().st_mtime, p.name) for p in paths)
            keep = f", which is probably {times[-1][1]} (the last modified)" if times[-1][0] - times[-2][0] >= 1 else ""
            listed = " and ".join(f"{p.name} (modified {_modified(p)})" for p in paths)
            extra = [p.name for p in paths if p.suffix.strip().lower() != ".csv"]
            problems.one(
                _STRUCTURE,
                Problem(
                    " and ".join(p.name for p in paths),
                    (),
                    None,
                    f"{len(paths)} files name the table '{key}' ({listed}; file names ignore case, spaces and the "
                    "marks of a copy such as ' (1)' or ' - Copy'), so it "
                    f"is not clear which one holds the data"
                    + (
                        f" (a folder is read from CSV files only, so {', '.join(extra)} would be ignored)"
                        if extra
                        else ""
                    )
                    + f". Keep the current one{keep}, and delete or move the other"
                    + ("s" if len(paths) > 2 else "")
                    + ".",
                ),
            )
            found[key] = None  # type: ignore[assignment]
        elif csvs:
            found[key] = csvs[0]
            if _is_copy_name(csvs[0].stem) or csvs[0].suffix != csvs[0].suffix.strip():
                notes.append(f"{folder.name}: {csvs[0].name!r} was read as the table '{key}' ({key}.csv).")
        else:
            unread[key] = paths
    if others:
        notes.append(f"{folder.name}: ignored files that are not tables of the data model: {', '.join(others)}.")
    return found, unread


def _read_meta(folder: Path, notes: list[str] | None = None) -> dict:
    path = folder / _META_FILE
    if not path.is_file():
        return {}
    raw = path.read_bytes()
    # Notepad's "Unicode" (UTF-16 with a byte-order mark) and "ANSI" (Windows-1252) saves
    # are read too, as the CSV files are; the file had been called "not valid JSON"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        try:
            raw.decode("utf-8-sig")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "cp1252"
            if notes is not None:
                notes.append(f"{_META_FILE}: not UTF-8; read as Windows-1252.")
    twice: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        seen: dict = {}
        for k, v in items:
            if k in seen:
                twice.append(k)
            seen[k] = v
        return seen

    try:
        meta = json.loads(raw.decode(encoding), object_pairs_hook=pairs)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        hint = ""
        if isinstance(exc, json.JSONDecodeError) and re.match(r"\s*[}\]]", exc.doc[exc.pos :]):
            hint = " A comma before a closing } or ] is not allowed in JSON: delete it."
        line = (exc.lineno,) if isinstance(exc, json.JSONDecodeError) else ()
        raise _meta_error(
            folder, f"is not valid JSON ({exc}).{hint} Fix it or remove it (it is optional).", line
        ) from None
    if not isinstance(meta, dict):
        raise _meta_error(folder, f"must contain a JSON object {{...}}, not a {type(meta).__name__}.")
    if twice:  # JSON readers keep the last one without a word
        raise _meta_error(
            folder,
            "gives the key "
            + ", ".join(json.dumps(k, ensure_ascii=False) for k in dict.fromkeys(twice))
            + " more than once: keep one.",
        )
    return _check_meta(meta, f"{_META_FILE} in {folder}")


def _meta_error(folder: Path, text: str, lines: tuple[int, ...] = ()) -> DataError:
    """A DataError about ``dataset.json``: the message names the file in its folder; the
    problem names the file and, where JSON says, the line (as :class:`Problem` rows)."""
    return DataError(f"{_META_FILE} in {folder} {text}", [Problem(_META_FILE, lines, None, f"the file {text}")])


def _json_type(value: object) -> str:
    return {dict: "an object {...}", list: "a list [...]", str: "a text", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def _check_meta(meta: dict, where: str) -> dict:
    """The keys of ``dataset.json`` that kinerja reads, checked before anything uses them:
    ``title`` and ``description`` are texts, ``year_notes`` maps years to texts and
    ``pseudonymise_jurors`` is one of :data:`kinerja.data.pseudonyms.MODES` (any case;
    returned in lower case). Other keys are the dataset's own and are kept as they are."""
    problems = []
    for key in ("title", "description"):
        if key in meta and not isinstance(meta[key], str):
            problems.append(f'"{key}" is {_json_type(meta[key])}; it must be a text in quotes ("...")')
    notes = meta.get("year_notes")
    if "year_notes" in meta:
        if not isinstance(notes, dict):
            problems.append(
                f'"year_notes" is {_json_type(notes)}; it must be an object of years and notes, '
                'e.g. {"2022": "No competition was held this year."}'
            )
        else:
            # keys as the reports look them up ("2020"): " 2020 " or full-width digits had
            # passed the check and then matched no year, so the note was never shown
            canonical: dict[str, str] = {}
            keys_of: dict[str, list[str]] = {}
            for y, text in notes.items():
                if not re.fullmatch(r"\d{4}", str(y).strip()):
                    problems.append(f'"year_notes" has the key "{y}", which is not a year such as "2022"')
                elif not isinstance(text, str):
                    problems.append(f'"year_notes" gives year {y} {_json_type(text)}; a note is a text in quotes')
                else:
                    year = str(int(str(y).strip()))
                    canonical[year] = text
                    keys_of.setdefault(year, []).append(str(y))
            for year, keys in keys_of.items():
                if len(keys) > 1:
                    problems.append(
                        f'"year_notes" has {len(keys)} notes for year {year} (keys '
                        + ", ".join(json.dumps(k, ensure_ascii=False) for k in keys)
                        + "): keep one"
                    )
            meta = {**meta, "year_notes": canonical}
    if "pseudonymise_jurors" in meta:
        mode = meta["pseudonymise_jurors"]
        if isinstance(mode, str) and mode.strip().lower() in PSEUDONYM_MODES:
            meta = {**meta, "pseudonymise_jurors": mode.strip().lower()}
        else:
            shown = json.dumps(mode, ensure_ascii=False)
            problems.append(
                f'"pseudonymise_jurors" is {shown}; it must be "auto" (replace juror ids that look like names) '
                'or "all" (replace every juror id)'
            )
    if problems:
        advice = " Correct it, or remove the key (every key is optional)."
        raise DataError(
            f"{where}: " + "; ".join(problems) + "." + advice,
            [Problem(_META_FILE, (), None, p + "." + advice) for p in problems],
        )
    return meta


def _table_subfolders(folder: Path) -> list[str]:
    """Names of the sub-folders of ``folder`` that hold a table file (``scores.csv``, ...)."""
    try:
        subs = [d for d in folder.iterdir() if d.is_dir()]
    except OSError:
        return []
    return sorted(d.name for d in subs if any((d / f"{n}.csv").is_file() for n in TABLES))


def _missing_file(folder: Path, name: str, unread: dict[str, list[Path]]) -> Problem:
    present = ", ".join(sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".csv")) or "none"
    hint = ""
    if name in unread:
        hint = (
            f" The folder has {', '.join(p.name for p in unread[name])}, which is not read: a dataset folder is "
            f"read from CSV files. Save it as 'CSV UTF-8' named {name}.csv."
        )
    else:
        stems = [p.stem for p in folder.iterdir() if p.suffix.lower() == ".csv"]
        close = difflib.get_close_matches(name, [s.strip().lower() for s in stems], n=1, cutoff=0.75)
        books = sorted(p.name for p in folder.iterdir() if p.suffix.strip().lower() in _EXCEL_SUFFIXES)
        if close:
            actual = next(s for s in stems if s.strip().lower() == close[0])
            hint = f" Did you mean {actual}.csv? Rename it to {name}.csv."
        elif books and not stems:
            hint = (
                f" The folder holds the workbook {books[0]}: to load a workbook, give its own path "
                f"({folder / books[0]}), not the folder's."
            )
    return Problem(
        f"{name}.csv",
        (),
        None,
        f"the file is missing from {folder}. A dataset folder needs "
        f"{', '.join(t + '.csv' for t, tt in TABLES.items() if not tt.optional)} "
        f"(CSV files found: {present}).{hint} Add it, or use the template data/templates/kinerja_template.xlsx.",
    )


def _ambiguous_sheets(book: str, name: str, titles: list[str], states: dict[str, str]) -> Problem:
    def label(t: str) -> str:
        state = states.get(t, "visible")
        return f"'{t}'" + ("" if state == "visible" else " (very hidden)" if state == "veryHidden" else " (hidden)")

    hidden = [t for t in titles if states.get(t, "visible") != "visible"]
    text = (
        f"{len(titles)} sheets name the table '{name}' ({', '.join(label(t) for t in titles)}; sheet names ignore "
        "case, surrounding spaces and the marks of a copy such as ' (2)'), so it is not clear which one holds "
        "the data. "
    )
    if hidden and len(hidden) < len(titles):
        text += (
            f"The hidden {'sheets' if len(hidden) > 1 else 'sheet'} {', '.join(repr(t) for t in hidden)} "
            f"{'are' if len(hidden) > 1 else 'is'} probably a stale copy: delete "
            f"{'them' if len(hidden) > 1 else 'it'}"
        )
        if any(states.get(t) == "veryHidden" for t in hidden):
            text += (
                " (a 'very hidden' sheet is not offered by Unhide: in the VBA editor, Alt+F11, set its Visible "
                "property to -1 - xlSheetVisible, then delete it)"
            )
        else:
            text += " (right-click a sheet tab > Unhide shows it; then right-click its tab > Delete)"
        text += "."
    else:
        text += f"Delete the sheets that are not current, or rename them (e.g. to '{name}_old')."
    return Problem(f"{book}, sheets " + " and ".join(f"'{t}'" for t in titles), (), None, text)


def _read_book(
    path: Path, problems: _Problems, notes: list[str], only: Sequence[str] | None
) -> tuple[dict[str, _Raw | None], set[str]]:
    book = path.name
    wb, z, fh, sheets, kinds = _open_workbook(path)
    raws: dict[str, _Raw | None] = {}
    failed: set[str] = set()
    try:
        titles = list(wb.sheetnames)
        info = {s.title: s for s in sheets}
        states = {t: info[t].state if t in info else getattr(wb[t], "sheet_state", "visible") for t in titles}
        charts = {c.title for c in getattr(wb, "chartsheets", [])}  # a chart sheet holds no cells
        groups: dict[str, list[str]] = {}
        for t in titles:
            if _table_key(t) in TABLES and t not in charts:
                groups.setdefault(_table_key(t), []).append(t)
        ignored = [t for t in titles if _table_key(t) not in TABLES or t in charts]
        shown_ignored = [t for t in ignored if _table_key(t) != "readme"]
        if shown_ignored and only is None:
            notes.append(
                f"{book}: ignored sheets that are not tables of the data model: "
                f"{', '.join(repr(t) for t in shown_ignored)}."
            )
        for name, table in TABLES.items():
            found = groups.get(name, [])
            raws[name] = None
            if len(found) > 1:
                failed.add(name)
                problems.one(_STRUCTURE, _ambiguous_sheets(book, name, found, states))
                continue
            if not found:
                if not table.optional and only is None:
                    failed.add(name)
                    close = difflib.get_close_matches(name, [_table_key(t) for t in ignored], n=1, cutoff=0.75)
                    hint = ""
                    chart = next((t for t in charts if _table_key(t) == name), None)
                    if chart is not None:
                        hint = (
                            f" The sheet '{chart}' is a chart sheet (it shows a chart and holds no cells): name the "
                            f"sheet that holds the data '{name}', and the chart sheet otherwise."
                        )
                    elif close:
                        actual = next(t for t in ignored if _table_key(t) == close[0])
                        hint = f" Did you mean the sheet '{actual}'? Rename it to '{name}'."
                    problems.one(
                        _STRUCTURE,
                        Problem(
                            f"{book}, sheet '{name}'",
                            (),
                            None,
                            f"the sheet is missing. The workbook needs one sheet per table "
                            f"({', '.join(n for n, t in TABLES.items() if not t.optional)}); sheets found: "
                            f"{', '.join(titles)}.{hint} Add or rename the sheet (see the template "
                            "data/templates/kinerja_template.xlsx).",
                        ),
                    )
                continue
            title = found[0]
            if _is_copy_name(title) and only is None:
                notes.append(f"{book}: the sheet '{title}' was read as the table '{name}'.")
            if states.get(title, "visible") != "visible" and only is None:
                state = "very hidden" if states[title] == "veryHidden" else "hidden"
                notes.append(f"{book}: the sheet '{title}' is {state}; it was read as the table '{name}'.")
            try:
                raws[name] = _read_sheet(
                    wb[title], book, name, z, info.get(title), kinds, notes if only is None else []
                )
            except Exception as exc:  # a damaged sheet: openpyxl raises many kinds
                failed.add(name)
                sheet_info = info.get(title)
                bad = _bad_text_reference(z, sheet_info.part) if sheet_info is not None and sheet_info.part else None
                if bad is not None:
                    cell, index, n_texts = bad
                    problems.one(
                        _STRUCTURE,
                        Problem(
                            f"{book}, sheet '{title}'",
                            (int(re.sub(r"[A-Z]", "", cell)),),
                            None,
                            f"cell {cell} refers to text number {index + 1:,} of the workbook's table of texts "
                            f"(shared strings), which holds {n_texts:,}: the workbook is damaged. Open it in Excel "
                            "(which offers to repair it), check that cell, and save it again as .xlsx.",
                            re.sub(r"\d", "", cell),
                        ),
                    )
                    continue
                what = (
                    "it is too large to read in memory"
                    if isinstance(exc, MemoryError)
                    else f"it is damaged, or uses something the reader does not know ({exc})"
                )
                problems.one(
                    _STRUCTURE,
                    Problem(
                        f"{book}, sheet '{title}'",
                        (),
                        None,
                        f"the sheet cannot be read: {what}. Open the workbook in your spreadsheet program and save "
                        "it again as .xlsx.",
                    ),
                )
    finally:
        wb.close()
        z.close()
        fh.close()
    return raws, failed


def _read_all(
    path: Path, problems: _Problems, notes: list[str], label: str, only: Sequence[str] | None = None
) -> tuple[dict[str, _Raw | None], dict, set[str]]:
    """Raw tables (None when absent or unreadable), metadata, and the tables that failed."""
    if path.is_dir():
        meta = _read_meta(path, notes) if only is None else {}
        files, unread = _table_files(path, problems, notes)
        raws: dict[str, _Raw | None] = {}
        failed: set[str] = set()
        subs = _table_subfolders(path) if not unread and all(files.get(n) is None for n in TABLES) else []
        if subs:  # one folder per year: one problem, not "the file is missing" per table
            problems.one(
                _STRUCTURE,
                Problem(
                    path.name,
                    (),
                    None,
                    f"the folder holds no tables, but its sub-folder{'s' if len(subs) > 1 else ''} "
                    f"{', '.join(subs[:5])}{', ...' if len(subs) > 5 else ''} {'do' if len(subs) > 1 else 'does'}. "
                    "A dataset is one folder whose tables hold every year (the 'year' column): give the path of "
                    "one sub-folder, or put the rows of all years into one set of files.",
                ),
            )
            return dict.fromkeys(TABLES), meta, set(TABLES)
        for name, table in TABLES.items():
            raws[name] = None
            if files.get(name) is not None:
                try:
                    raws[name] = _read_csv(files[name], name, notes, only)
                except DataError as exc:  # report it with the other files' problems
                    failed.add(name)
                    problems.from_error(_STRUCTURE, exc)
            elif name in files:  # ambiguous: reported already
                failed.add(name)
            elif not table.optional:
                failed.add(name)
                if only is None:  # dataset_years lists the years of the tables there are
                    problems.one(_STRUCTURE, _missing_file(path, name, unread))
        return raws, meta, failed
    head = _file_head(path)
    kind = _file_kind(path, head)
    suffix = path.suffix.lower()
    if kind.code == "xlsx":
        if suffix not in _EXCEL_SUFFIXES:
            notes.append(f"{path.name} is an Excel workbook (.xlsx) with a '{suffix}' name; it was read as one.")
        try:
            raws, failed = _read_book(path, problems, notes, only)
        except DataError as exc:
            problems.from_error(_STRUCTURE, exc)
            problems.raise_if_any(label)
            raise
        return raws, {}, failed
    if suffix in _EXCEL_SUFFIXES:
        text = _not_a_workbook(path.name, kind, head)
    elif suffix == ".xls":
        text = (
            f"the file has the name of an old-style Excel file (.xls){'' if kind.code == 'xls' else f' but is {kind.what}'}. "
            "Open it in your spreadsheet program and save it as 'Excel Workbook (.xlsx)'."
        )
    elif suffix == ".csv" or kind.code == "text":
        text = (
            f"this is a single {'CSV' if suffix == '.csv' else 'text'} file, not a dataset. A dataset is a folder "
            f"holding {', '.join(t + '.csv' for t in TABLES)} (give the folder, e.g. {path.parent}), or an Excel "
            "workbook with one sheet per table."
        )
    else:
        text = (
            f"the file is {kind.what}, neither a folder of CSV files nor an Excel workbook (.xlsx). Give the folder "
            f"that contains {', '.join(t + '.csv' for t in TABLES)}, or a workbook with one sheet per table."
        )
        if kind.code in ("xlsb", "ods", "xml", "html"):
            text += " Open it in your spreadsheet program and save it as 'Excel Workbook (.xlsx)'."
    problems.one(_STRUCTURE, Problem(path.name, (), None, text))
    problems.raise_if_any(label)
    raise AssertionError("unreachable")


def _absent(name: str, table: Table, path: Path, failed: bool) -> _Parsed:
    """An empty table for a file or sheet that is absent (optional) or could not be read."""
    where = f"{name}.csv" if path.is_dir() else f"{path.name}, sheet '{name}'"
    frame = pd.DataFrame({c.name: _empty_column(c, 0) for c in table.columns})
    # A missing required table is reported already: skip checks that refer to it.
    # A missing optional table is empty: references to it are reported.
    bad = set(table.column_names) if (failed or not table.optional) else set()
    return _Parsed(table, where, "", frame, np.arange(0), 0, {}, bad, {}, absent=True)


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
        :attr:`Dataset.accounts`. Every row of every year is checked first, so a
        problem in another year is reported too (a year filter never hides a bad cell).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        When a file is damaged or is not what its name says, a table or required
        column is missing or named twice, a cell cannot be read or breaks a rule of
        :mod:`kinerja.schema`, a key repeats, an id is unknown in the table it refers
        to, rubric weights of one evaluation stage do not sum to 100, or a grade
        contradicts its published total. The message lists the first
        :data:`MAX_REPORTED` problems with file, row, column and value, and counts the
        rest; a row that explains problems elsewhere (e.g. a juror listed under a
        mistyped year) is listed before them, with the rows that follow from it.

    Notes
    -----
    Files: a folder is read from its CSV files (``<table>.csv``, any case); two files
    that name one table (``scores.csv`` and ``Scores.csv``, or ``scores.csv`` and
    ``scores.xlsx``) are an error, as are two sheets (also hidden ones) that name one
    table in a workbook. A hidden sheet that is the only one for its table is read
    and mentioned in :attr:`Dataset.notes`.

    CSV files: separators ``;``, ``,`` or tab are detected from the header line, or
    taken from Excel's ``sep=;`` first line; UTF-8 (with or without byte-order mark),
    UTF-16 and, failing those, Windows-1252 are accepted (the last is mentioned in
    :attr:`Dataset.notes`); a file that mixes UTF-8 and another encoding, holds NUL
    bytes or is not text is an error. The physical lines are counted: a quoted cell
    that runs over several lines (a stray quote) is an error at the line where it
    starts, and so is a line with more cells than the header (unless the extra cells
    are empty).

    Cells: headers ignore case, surrounding spaces and spaces vs. underscores. Cells
    are trimmed, invisible characters (zero-width spaces, byte-order marks, direction
    marks, control characters such as Ctrl-Z) removed and unusual spaces (no-break)
    and Unicode line separators (U+2028, U+2029, U+0085) made plain; an empty cell is
    missing. A CSV file whose lines end with such a separator instead of a line break is
    refused (CSV readers see one line). A number whose Excel format shows it with
    text (``"J"00`` shows 1 as J01) is read as shown in text columns and as the number
    in number columns, with a note. Numbers
    accept a decimal comma (``72,5``) and scientific notation (not beyond a float's
    range: ``1e-400`` is refused, not read as 0; full-width digits such as ``８２`` are
    refused with the number to type); in the 0-100 columns
    (score, weight, total) a percentage (``85%``, or an Excel cell formatted as a
    percentage, which stores 0.85) is read as the number shown (85) and mentioned in
    :attr:`Dataset.notes`; elsewhere it is an error. Excel dates are accepted in
    ``announced`` (which must read ``YYYY-MM-DD`` or ``YYYY-MM``); a date, logical
    value (TRUE/FALSE), error value (``#N/A``), formula without a stored result or
    merged cell anywhere else is reported as what it is. Ids are text, so leading
    zeros are kept (in Excel, type them into text cells). Grades and vocabulary
    columns ignore case. Rows whose every cell is empty are excluded and counted as
    ``blank row``. A row of totals or averages typed under the data (a cell reading only
    ``Jumlah``, ``Total``, ``Rata-rata``, ``Average``, ...) is refused as one problem. Columns not in the schema are ignored and listed in
    :attr:`Dataset.notes`.

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
    raws, meta, failed = _read_all(path, problems, notes, label)

    parsed: dict[str, _Parsed] = {}
    for name, table in TABLES.items():
        raw = raws[name]
        if raw is None:
            parsed[name] = _absent(name, table, path, name in failed)
            continue
        parsed[name] = _parse(raw, table, problems, notes)

    year_counts: dict[float, int] = {}
    for p in parsed.values():
        for y, n in p.frame[_YEAR].value_counts(dropna=True).items():
            year_counts[y] = year_counts.get(y, 0) + int(n)
    for name, p in parsed.items():
        if p.absent:
            continue
        _check_duplicates(p, problems)
        for fk in p.table.foreign_keys:
            _check_foreign_key(p, fk, parsed, problems, year_counts)
        if name == _RUBRIC:
            _check_weights(p, problems)
        if name == _GRADES:
            _check_grade_totals(p, problems)
    problems.raise_if_any(label)

    tables = {name: _final_frame(p) for name, p in parsed.items()}
    notes += _case_twins(tables, parsed)
    notes += _fraction_scale(tables, parsed)
    # Juror names never get past the loader: pseudonyms here, the mapping beside the data.
    try:
        tables, renamed = pseudonymise(tables, path, mode=meta.get("pseudonymise_jurors", "auto"))
    except MappingError as exc:
        raise DataError(str(exc), [Problem(exc.path.name, (exc.row,) if exc.row else (), None, exc.text)]) from None
    notes += renamed
    accounts = _accounts_frame(
        row for name, p in parsed.items() for row in _accounts_rows(name, p.file, p.rows_read, p.excluded)
    )
    ds = Dataset(path.stem if path.is_file() else path.name, path, meta, tables, accounts, notes)
    if not any(len(df) for df in tables.values()):
        raise DataError(
            f"The dataset {label} has no data rows: every table holds only its header row (or blank rows). "
            f"Fill in the tables (see {_SEE_DICTIONARY})."
        )
    if requested is not None:
        if requested not in ds.years:
            raise DataError(
                f"The dataset {label} has no rows for year {requested}; its years are "
                f"{', '.join(map(str, ds.years)) or 'none'}."
            )
        ds = ds.for_year(requested)
    return ds


def _fraction_scale(tables: dict[str, pd.DataFrame], parsed: dict) -> list[str]:
    """A note when every score of an evaluation is between 0 and 1: points are 0-100, and
    shares (0.85 for 85) loaded without a word, to grade every unit D."""
    scores = tables.get(_SCORES)
    if scores is None or not len(scores):
        return []
    out = []
    for ev, s in scores.groupby("evaluation", observed=True)["score"]:
        if s.notna().sum() >= 2 and s.max() <= 1 and s.max() > 0:
            out.append(
                f"{parsed[_SCORES].where}: every {ev} score is between 0 and 1, but scores are points from 0 to "
                "100: if they are shares (0.85 for 85), multiply them by 100."
            )
    return out


def _case_twins(tables: dict[str, pd.DataFrame], parsed: dict) -> list[str]:
    """Notes on unit and juror ids that differ only in case (``disdik`` and ``Disdik``):
    ids are compared exactly, so they are two units (or jurors), which is seldom meant.
    Juror ids that look like names are not shown (they are replaced by pseudonyms)."""
    out = []
    for name, column in (("units", "unit_id"), ("jurors", "juror_id")):
        df = tables.get(name)
        if df is None or column not in df or not len(df):
            continue
        ids = pd.Series(df[column].dropna().astype(str).unique())
        groups = ids.groupby(ids.str.casefold()).agg(list)
        twins = [sorted(g) for g in groups if len(g) > 1]
        if not twins:
            continue
        shown = [g for g in twins if name == "units" or all(looks_like_pseudonym(i) for i in g)]
        listed = "; ".join(" and ".join(repr(i) for i in g) for g in shown[:5]) + ("; ..." if len(shown) > 5 else "")
        hidden = len(twins) - len(shown)
        what = "unit" if name == "units" else "juror"
        given = (listed + (f"; and {hidden} more, of names" if hidden else "")) if shown else f"{hidden}, of names"
        out.append(
            f"{parsed[name].file}, column '{column}': ids that differ only in case ({given}) are read as different "
            f"{what}s, since ids are compared exactly. If they are the same {what}, write them alike."
        )
    return out


def dataset_years(path: str | os.PathLike) -> list[int]:
    """Evaluation years present in a dataset, read cheaply (only the year columns).

    The files there are checked as :func:`load_dataset` checks them (a damaged file, a
    file that is not what its name says, two files or sheets for one table, a year cell
    that is not a whole number from 1990 to 2100 is a :class:`DataError`); a missing
    table or year column is left to :func:`load_dataset`, and other columns are not
    checked here.

    Examples
    --------
    >>> from kinerja.template import TEMPLATE_PATH
    >>> dataset_years(TEMPLATE_PATH)
    [2020]
    """
    path = resolve_dataset(path)
    label = f"'{path.name}' ({path})"
    problems = _Problems()
    raws, _meta, _failed = _read_all(path, problems, [], label, only=(_YEAR,))
    found: set[int] = set()
    for name, raw in raws.items():
        if raw is None:
            continue
        p = _parse(raw, TABLES[name], problems, [], only=(_YEAR,))
        found.update(int(y) for y in pd.unique(p.frame[_YEAR].dropna()))
    problems.raise_if_any(label)
    return sorted(found)
