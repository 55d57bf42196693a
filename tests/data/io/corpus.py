"""Writers for malformed and borderline inputs, and the checks every outcome must pass.

Each test of the ``test_corpus_*`` modules writes one case into ``tmp_path`` (CSV folders
with :func:`folder`, workbooks with :func:`book`), then either expects a DataError whose
message names the file (or workbook and sheet), the row as a spreadsheet or text editor
shows it, and the column (:func:`expect_error`), or a correct load with every row
accounted for (:func:`expect_load`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kinerja.io import ACCOUNT_COLUMNS, DataError, Dataset, dataset_years, load_dataset
from kinerja.schema import TABLES

from .helpers import valid_tables, write_csv, write_xlsx

#: Words that mean a traceback leaked into a message instead of an explanation.
LEAKS = ("Traceback", "IndexError", "KeyError", "BadZipFile", "ParserError", "C error", "UnicodeDecodeError", "nan")

#: Workbook part of each sheet as helpers.write_xlsx writes them (README is sheet1).
SHEET_PART = {name: f"xl/worksheets/sheet{i}.xml" for i, name in enumerate(["README", *TABLES], 1)}


def folder(tmp_path: Path, tables: dict[str, pd.DataFrame] | None = None, name: str = "ds", **kwargs) -> Path:
    """A CSV dataset folder (the small valid dataset unless ``tables`` is given)."""
    return write_csv(tmp_path / name, valid_tables() if tables is None else tables, **kwargs)


def edit_lines(path: Path, edit: Callable[[list[str]], list[str]], encoding: str = "utf-8") -> Path:
    """Rewrite a text file line by line (lines without their line breaks)."""
    lines = path.read_text(encoding=encoding).splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding=encoding)
    return path


def book(
    tmp_path: Path, edit: Callable | None = None, tables: dict[str, pd.DataFrame] | None = None, name: str = "book"
) -> Path:
    """A workbook of the small valid dataset, changed by ``edit(workbook)`` (openpyxl)."""
    path = write_xlsx(tmp_path / f"{name}.xlsx", valid_tables() if tables is None else tables)
    if edit is not None:
        wb = openpyxl.load_workbook(path)
        edit(wb)
        wb.save(path)
    return path


def rewrite_part(path: Path, part: str, edit: Callable[[str], str]) -> Path:
    """Change one XML part of a workbook (e.g. to store a formula's result, as Excel does)."""
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            z.writestr(info, data)
    return path


def ole2_file(path: Path, stream: str) -> Path:
    """A stand-in for an OLE2 compound file (old .xls, or an encrypted .xlsx): its signature
    and a directory entry named ``stream`` (UTF-16), which is what tells them apart."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    entry = stream.encode("utf-16-le").ljust(64, b"\0")
    path.write_bytes(header + b"\xff" * 512 + entry + b"\0" * 448)
    return path


def assert_says(err: DataError, prefix: str, *fragments: str) -> str:
    """The message lists a problem starting with ``prefix`` (file, row, column) with ``fragments``."""
    lines = [line.split(". ", 1)[1] for line in str(err).splitlines() if re.match(r"\d+\. ", line)]
    hits = [line for line in lines if line.startswith(prefix)]
    assert hits, f"no problem line starts with {prefix!r}:\n{err}"
    good = [line for line in hits if all(f in line for f in fragments)]
    assert good, f"{fragments} not in:\n{err}"
    return good[0]


def expect_error(path: Path, prefix: str, *fragments: str, year: int | None = None, count: int | None = None):
    """Loading fails with a DataError listing ``prefix`` + ``fragments``, with no traceback words."""
    with pytest.raises(DataError) as info:
        load_dataset(path, year=year)
    err = info.value
    assert_says(err, prefix, *fragments)
    leaked = [w for w in LEAKS if re.search(rf"\b{re.escape(w)}\b", str(err))]
    assert not leaked, f"{leaked} in:\n{err}"
    if count is not None:
        assert err.n_problems == count, str(err)
    return err


def expect_years_error(path: Path, prefix: str, *fragments: str) -> DataError:
    """``dataset_years`` (what ``kinerja run`` calls first) fails as cleanly as loading."""
    with pytest.raises(DataError) as info:
        dataset_years(path)
    assert_says(info.value, prefix, *fragments)
    return info.value


def assert_accounts_add_up(ds: Dataset) -> None:
    acc = ds.accounts
    assert list(acc.columns) == list(ACCOUNT_COLUMNS)
    for table, rows in acc.groupby("table", sort=False):
        assert rows["rows_read"].iloc[0] == rows["rows_kept"].iloc[0] + rows["rows_excluded"].sum(), table
        assert rows["rows_kept"].iloc[0] == len(ds.table(table))


def expect_load(path: Path, year: int | None = None, rows: dict[str, int] | None = None) -> Dataset:
    """Loading succeeds, every row read is kept or excluded with a reason, and (by default)
    every table has the rows of the small valid dataset."""
    ds = load_dataset(path, year=year)
    assert_accounts_add_up(ds)
    expected = {n: len(t) for n, t in valid_tables().items()} if rows is None else rows
    for name, n in expected.items():
        assert len(ds.table(name)) == n, (name, len(ds.table(name)), n)
    return ds
