"""A small valid dataset for the loader tests, and writers for CSV folders and workbooks.

The tables are written as text (what a user types), so each test can corrupt exactly
one cell and know its spreadsheet row: data row ``i`` (0-based) is spreadsheet row
``i + 2``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kinerja.schema import TABLES

SRC = "test fixture"


def valid_tables() -> dict[str, pd.DataFrame]:
    """One year (2020) of a tiny, valid dataset with both evaluations."""
    units = [
        dict(year="2020", unit_id="disdik", name="Dinas Pendidikan", abbreviation="Disdik", category="Dinas"),
        dict(year="2020", unit_id="dinkes", name="Dinas Kesehatan", abbreviation="", category="Dinas"),
        dict(year="2020", unit_id="inspektorat", name="Inspektorat", abbreviation="", category="Inspektorat"),
    ]
    jurors = [
        dict(year="2020", juror_id="J01", panel="akademisi", home_unit_id=""),
        dict(year="2020", juror_id="J02", panel="inspektorat", home_unit_id="inspektorat"),
    ]
    rubric = [
        dict(
            year="2020",
            evaluation="sakip",
            stage="lke",
            criterion_id="A1",
            criterion="Renstra",
            component="Perencanaan",
            weight="60",
        ),
        dict(
            year="2020",
            evaluation="sakip",
            stage="lke",
            criterion_id="A2",
            criterion="Renja",
            component="Perencanaan",
            weight="40",
        ),
        dict(
            year="2020",
            evaluation="kovablik",
            stage="proposal",
            criterion_id="P1",
            criterion="Kebaruan",
            component="Proposal",
            weight="50",
        ),
        dict(
            year="2020",
            evaluation="kovablik",
            stage="proposal",
            criterion_id="P2",
            criterion="Manfaat",
            component="Proposal",
            weight="50",
        ),
    ]
    grades = [
        dict(year="2020", unit_id="disdik", grade="BB", total="75", announced="2021-02-17"),
        dict(year="2020", unit_id="dinkes", grade="A", total="", announced=""),
        dict(year="2020", unit_id="inspektorat", grade="B", total="65.5", announced=""),
    ]
    innovations = [
        dict(
            year="2020",
            innovation_id="inov1",
            unit_id="disdik",
            name="Ada Kelas",
            competition="kovablik",
            award="top5",
            announced="",
        ),
    ]
    scores = []
    for unit in ("disdik", "dinkes"):
        for juror in ("J01", "J02"):
            for crit, s in (("A1", "70"), ("A2", "80.5")):
                scores.append(
                    dict(
                        year="2020",
                        evaluation="sakip",
                        stage="lke",
                        subject_id=unit,
                        juror_id=juror,
                        criterion_id=crit,
                        score=s,
                    )
                )
    for juror in ("J01", "J02"):
        for crit in ("P1", "P2"):
            scores.append(
                dict(
                    year="2020",
                    evaluation="kovablik",
                    stage="proposal",
                    subject_id="inov1",
                    juror_id=juror,
                    criterion_id=crit,
                    score="66",
                )
            )
    raw = dict(units=units, jurors=jurors, rubric=rubric, grades=grades, innovations=innovations, scores=scores)
    out = {}
    for name, rows in raw.items():
        df = pd.DataFrame(rows)
        df["basis"] = "named"
        df["source"] = SRC
        out[name] = df[list(TABLES[name].column_names)].astype(object)
    return out


def rename_unit(tables: dict[str, pd.DataFrame], old: str, new: str) -> dict[str, pd.DataFrame]:
    """Give unit ``old`` the id ``new`` in every table that names it (in place)."""
    for name, col in (
        ("units", "unit_id"),
        ("grades", "unit_id"),
        ("innovations", "unit_id"),
        ("scores", "subject_id"),
    ):
        tables[name][col] = tables[name][col].replace(old, new)
    return tables


def two_years(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same tables for 2020 and 2021 (2021 appended after 2020)."""
    out = {}
    for name, df in tables.items():
        later = df.copy()
        later["year"] = "2021"
        out[name] = pd.concat([df, later], ignore_index=True)
    return out


def write_csv(
    folder: Path, tables: dict[str, pd.DataFrame], sep: str = ",", encoding: str = "utf-8", skip: tuple[str, ...] = ()
) -> Path:
    """Write tables as ``<table>.csv`` files (all cells as text) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if name in skip:
            continue
        df.to_csv(folder / f"{name}.csv", sep=sep, index=False, encoding=encoding)
    return folder


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame], numeric: bool = True) -> Path:
    """Write tables to one workbook, one sheet per table, after a README sheet.

    With ``numeric`` the year, weight, score and total cells are stored as Excel
    numbers (as a user's spreadsheet would), otherwise as text.
    """
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        pd.DataFrame({"about": ["test workbook"]}).to_excel(xw, sheet_name="README", index=False)
        for name, df in tables.items():
            out = df.copy()
            if numeric:
                for col in TABLES[name].columns:
                    if col.kind in ("int", "float"):
                        out[col.name] = pd.to_numeric(out[col.name].replace("", None))
            out.to_excel(xw, sheet_name=name, index=False)
    return path
