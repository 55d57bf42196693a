"""Small degenerate datasets for notebook and analysis tests.

Each function writes one dataset folder (the six ``<table>.csv`` files and a
``dataset.json``) into ``folder`` and returns the folder; every one loads with
:func:`kinerja.data.io.load_dataset` and has one evaluation year, :data:`YEAR`. They are
cut from the bundled Kota Batu data of 2020 (the year with the published record) by
filtering its CSV files as text, so that every value that is kept is byte for byte the
bundled one; each takes a few tens of milliseconds.

>>> import tempfile
>>> from kinerja.data.io import load_dataset
>>> ds = load_dataset(one_juror(Path(tempfile.mkdtemp()) / "one_juror"))
>>> ds.years, ds.scores.groupby("evaluation")["juror_id"].nunique().to_dict()
([2020], {'kovablik': 1, 'sakip': 1})
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kinerja.data.schema import TABLES
from kinerja.paths import DATA_DIR

#: The evaluation year of every degenerate dataset.
YEAR = 2020
#: The bundled dataset they are cut from.
SOURCE = DATA_DIR / "batu"
#: The score every cell gets in :func:`constant_scores`.
CONSTANT_SCORE = "75"


@lru_cache(maxsize=1)
def _source_tables() -> dict[str, pd.DataFrame]:
    out = {}
    for name in TABLES:
        df = pd.read_csv(SOURCE / f"{name}.csv", dtype=str, keep_default_na=False)
        out[name] = df[df["year"] == str(YEAR)].reset_index(drop=True)
    return out


def _tables() -> dict[str, pd.DataFrame]:
    """A fresh copy of the source year's tables (text cells)."""
    return {name: df.copy() for name, df in _source_tables().items()}


def _write(folder: str | Path, tables: dict[str, pd.DataFrame], title: str, description: str) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in TABLES.items():
        tables[name][list(table.column_names)].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    meta = {
        "name": folder.name,
        "title": title,
        "description": description + f" A test dataset cut from the bundled batu data of evaluation year {YEAR}.",
        "years": [YEAR],
    }
    (folder / "dataset.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


def _keep_units(t: dict[str, pd.DataFrame], keep: set[str]) -> None:
    """Drop every unit not in ``keep`` and whatever refers to it (grades, innovations and
    their scores, SAKIP scores); a juror whose home unit is dropped keeps no home unit."""
    t["units"] = t["units"][t["units"]["unit_id"].isin(keep)]
    t["grades"] = t["grades"][t["grades"]["unit_id"].isin(keep)]
    t["innovations"] = t["innovations"][t["innovations"]["unit_id"].isin(keep)]
    t["jurors"].loc[~t["jurors"]["home_unit_id"].isin(keep), "home_unit_id"] = ""
    sc = t["scores"]
    subjects = keep | set(t["innovations"]["innovation_id"])
    t["scores"] = sc[sc["subject_id"].isin(subjects)]


def one_juror(folder: str | Path) -> Path:
    """SAKIP and KOVABLIK each scored by a single juror.

    For checking that agreement, juror-effect and reliability analyses say that they need
    two jurors instead of failing. The SAKIP juror is the first (by id) who works in an
    evaluated unit and scored every graded unit, so home scoring still occurs; the KOVABLIK
    juror is the first external juror of the KOVABLIK jury. The jurors table lists only
    these two; units, grades and innovations are unchanged.
    """
    t = _tables()
    sc, jur = t["scores"], t["jurors"]
    sak = sc[sc["evaluation"] == "sakip"]
    n_graded = len(t["grades"])
    complete = sak.groupby("juror_id")["subject_id"].nunique()
    complete = set(complete.index[complete == n_graded])
    home = set(jur.loc[jur["home_unit_id"] != "", "juror_id"])
    sakip_juror = min(complete & home)
    kov_jurors = set(sc.loc[sc["evaluation"] == "kovablik", "juror_id"])
    kov_juror = min(kov_jurors - home)
    keep = ((sc["evaluation"] == "sakip") & (sc["juror_id"] == sakip_juror)) | (
        (sc["evaluation"] == "kovablik") & (sc["juror_id"] == kov_juror)
    )
    t["scores"] = sc[keep]
    t["jurors"] = jur[jur["juror_id"].isin([sakip_juror, kov_juror])]
    return _write(
        folder,
        t,
        "Degenerate test dataset: one juror per evaluation",
        f"SAKIP is scored by juror {sakip_juror} alone and KOVABLIK by juror {kov_juror} alone.",
    )


def one_unit_category(folder: str | Path) -> Path:
    """A unit category with exactly one unit: every Dinas, the two Sekretariat and one
    Kecamatan (``kec_bumiaji``).

    For checking that category comparisons (means, models, tests by category) report a
    one-unit group as not estimable rather than failing or silently dropping it. The other
    units are removed with their grades, innovations and scores; jurors whose home unit is
    removed (the Inspektorat panel) keep no home unit.
    """
    t = _tables()
    units = t["units"]
    keep = set(units.loc[units["category"].isin(["Dinas", "Sekretariat"]), "unit_id"]) | {"kec_bumiaji"}
    _keep_units(t, keep)
    return _write(
        folder,
        t,
        "Degenerate test dataset: a category with one unit",
        "Units of three categories; the Kecamatan category has a single unit.",
    )


def no_kovablik(folder: str | Path) -> Path:
    """SAKIP scores and grades but no KOVABLIK at all: no innovations (of any
    competition), no KOVABLIK rubric, no KOVABLIK scores.

    For checking that innovation analyses and the innovation-effect parts of other
    notebooks say that the year had no competition instead of failing.
    """
    t = _tables()
    t["innovations"] = t["innovations"].iloc[0:0]
    t["rubric"] = t["rubric"][t["rubric"]["evaluation"] == "sakip"]
    t["scores"] = t["scores"][t["scores"]["evaluation"] == "sakip"]
    return _write(
        folder,
        t,
        "Degenerate test dataset: no KOVABLIK",
        "SAKIP scores and grades only; no innovation competition.",
    )


def record_only(folder: str | Path) -> Path:
    """The published record only: units, grades and innovations (Kota Batu's real 2020
    record, copied byte for byte from ``data/batu/record``), and empty jurors, rubric and
    scores tables (header rows only).

    For checking that every notebook reports what it cannot compute without juror-level
    scores (agreement, juror effects, totals) and still shows what the grades and awards
    alone support.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    t = _tables()
    for name in ("jurors", "rubric", "scores"):
        t[name] = t[name].iloc[0:0]
    for name in ("units", "grades", "innovations"):
        t[name] = pd.read_csv(SOURCE / "record" / f"{name}.csv", dtype=str, keep_default_na=False)
    out = _write(
        folder,
        t,
        "Degenerate test dataset: published record only",
        "Units, grades and innovation awards only: no jurors, no rubric, no scores.",
    )
    for name in ("units", "grades", "innovations"):
        shutil.copyfile(SOURCE / "record" / f"{name}.csv", out / f"{name}.csv")
    return out


def constant_scores(folder: str | Path) -> Path:
    """Every score of every juror, subject and criterion is :data:`CONSTANT_SCORE` (75).

    For checking the zero-variance case: agreement coefficients, correlations and
    variance components are undefined (0/0) and must come out as NaN with the reason in
    a ``note``, never as a traceback or a warning. Units, jurors, rubric, grades and
    innovations are unchanged (so the published grades differ from the computed ones).
    """
    t = _tables()
    t["scores"]["score"] = CONSTANT_SCORE
    return _write(
        folder,
        t,
        "Degenerate test dataset: constant scores",
        f"Every juror gave every subject the score {CONSTANT_SCORE} on every criterion.",
    )


def _drop_one_criterion(scores: pd.DataFrame, every: int) -> pd.DataFrame:
    """Leave out one SAKIP criterion score of every ``every``-th juror x unit cell (in
    sorted order; the criterion left out rotates), as when worksheets come back with a
    blank."""
    sak = scores[scores["evaluation"] == "sakip"]
    keys = ["year", "stage", "subject_id", "juror_id"]
    cell = sak.groupby(keys, sort=True).ngroup()
    pos = sak.groupby(keys, sort=True).cumcount()
    drop = sak.index[
        (cell % every == 0) & (pos == (cell // every) % sak.groupby(keys)["criterion_id"].transform("size"))
    ]
    return scores.drop(index=drop).reset_index(drop=True)


def partial_cells(folder: str | Path) -> Path:
    """One SAKIP criterion score is left out of every 5th juror x unit cell: a fifth of
    the cells are scored on some criteria only, as when a few worksheets come back with
    a blank. Those jurors have no total for that unit; every unit keeps complete totals
    from its other jurors."""
    t = _tables()
    t["scores"] = _drop_one_criterion(t["scores"], 5)
    return _write(
        folder,
        t,
        "Degenerate test dataset: partly scored cells",
        "Some jurors left one criterion of some units unscored.",
    )


def no_complete_totals(folder: str | Path) -> Path:
    """One SAKIP criterion score is left out of every juror x unit cell: there are juror
    scores, but no juror has a complete total of any unit (a partial total is not on the
    0-100 scale). Reports had called this "no SAKIP juror scores"."""
    t = _tables()
    t["scores"] = _drop_one_criterion(t["scores"], 1)
    return _write(
        folder,
        t,
        "Degenerate test dataset: no complete juror total",
        "Every juror left one criterion of every unit unscored.",
    )


#: Every factory by name, e.g. for ``pytest.mark.parametrize``.
FACTORIES: dict[str, Callable[[str | Path], Path]] = {
    f.__name__: f
    for f in (
        one_juror,
        one_unit_category,
        no_kovablik,
        record_only,
        constant_scores,
        partial_cells,
        no_complete_totals,
    )
}
