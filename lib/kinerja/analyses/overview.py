"""What a dataset holds for one year: the analysis behind ``notebooks/00_data_overview``.

:func:`analyse` returns the row accounts, the provenance of every table, who scored
what, score distributions, the published grades and awards, and whether the juror
scores reproduce the grades, with findings computed from them (see :data:`TABLES`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER, band, grade_dtype, grade_from_total
from ..data.rubrics import subject_totals, totals_account
from .base import Analysis, TableSpec, year_of
from .findings import QUESTIONS, Finding, as_sentence, fmt_number, join_words, plural, totals_left_out

NAME = "overview"
NOTEBOOK = "00_data_overview"


def completeness(scores: pd.DataFrame, rubric: pd.DataFrame, evaluation: str, stage: str | None = None) -> pd.DataFrame:
    """Juror x subject grid of the share of the stage's criteria each juror scored (0-1).

    A missing cell (juror never scored that subject) is 0; a partly scored subject shows
    the fraction. Rows are jurors, columns subjects, both sorted.

    >>> sc = pd.DataFrame({"year": 2020, "evaluation": "sakip", "stage": "lke",
    ...                    "subject_id": ["u1", "u1", "u2"], "juror_id": ["J1", "J2", "J1"],
    ...                    "criterion_id": "A1", "score": [80.0, 70.0, 60.0]})
    >>> rub = pd.DataFrame({"year": [2020], "evaluation": ["sakip"], "stage": ["lke"],
    ...                     "criterion_id": ["A1"], "weight": [100.0]})
    >>> completeness(sc, rub, "sakip").to_numpy().tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    sel = scores["evaluation"] == evaluation
    rsel = rubric["evaluation"] == evaluation
    if stage is not None:
        sel &= scores["stage"] == stage
        rsel &= rubric["stage"] == stage
    sc = scores[sel]
    n_crit = rubric[rsel].groupby(["year", "stage"], observed=True).size().rename("n_expected")
    counts = sc.groupby(["year", "stage", "juror_id", "subject_id"], observed=True).size().rename("n").reset_index()
    counts = counts.merge(n_crit.reset_index(), on=["year", "stage"], how="left")
    counts["share"] = counts["n"] / counts["n_expected"]
    grid = counts.pivot_table(
        index="juror_id", columns="subject_id", values="share", aggfunc="mean", fill_value=0.0, observed=True
    )
    return grid.sort_index().sort_index(axis=1)


def component_scores(scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """Scores joined with their rubric component (``component`` column added)."""
    keys = ["year", "evaluation", "stage", "criterion_id"]
    return scores.merge(rubric[keys + ["component", "weight"]], on=keys, how="left", validate="many_to_one")


def score_summary(scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """Distribution of scores per evaluation, stage and component.

    Columns: ``evaluation, stage, component, weight, n, mean, sd, min, q25, median, q75, max``
    (``weight`` is the component's points out of 100).
    """
    sc = component_scores(scores, rubric)
    g = sc.groupby(["evaluation", "stage", "component"], observed=True, sort=False)["score"]
    out = g.agg(
        n="size",
        mean="mean",
        sd="std",
        min="min",
        q25=lambda s: s.quantile(0.25),
        median="median",
        q75=lambda s: s.quantile(0.75),
        max="max",
    )
    w = (
        rubric.groupby(["evaluation", "stage", "component"], observed=True, sort=False)["weight"].sum()
        / rubric.groupby(["evaluation", "stage", "component"], observed=True, sort=False)["year"].nunique()
    )
    return out.join(w.rename("weight")).reset_index()[
        ["evaluation", "stage", "component", "weight", "n", "mean", "sd", "min", "q25", "median", "q75", "max"]
    ]


def grades_table(
    units: pd.DataFrame,
    grades: pd.DataFrame,
    innovations: pd.DataFrame | None = None,
    scores: pd.DataFrame | None = None,
    rubric: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per graded unit: name, category, grade (with its basis), awards, and —
    when juror scores are given — the juror-mean total and the grade it implies.

    ``implied_matches`` is True where the scores' total falls in the published grade's band.
    """
    out = grades.merge(
        units[["year", "unit_id", "name", "abbreviation", "category"]],
        on=["year", "unit_id"],
        how="left",
        validate="one_to_one",
    )
    out = out.rename(columns={"basis": "grade_basis"})
    if innovations is not None and len(innovations):
        aw = innovations[innovations["award"].isin(["top5", "top10", "top30", "top45", "top99"])]
        lab = (
            aw["name"].str.split("(").str[-1].str.rstrip(")").where(aw["name"].str.contains(r"\("), aw["name"])
            + " ["
            + aw["competition"]
            + " "
            + aw["award"]
            + "]"
        )
        awards = lab.groupby([aw["year"], aw["unit_id"]]).agg("; ".join).rename("awards").reset_index()
        out = out.merge(awards, on=["year", "unit_id"], how="left")
        out["awards"] = out["awards"].fillna("")
    if scores is not None and rubric is not None:
        sak = scores[scores["evaluation"] == "sakip"]
        tot = subject_totals(sak, rubric).rename(columns={"subject_id": "unit_id", "total": "score_total"})
        out = out.merge(tot[["year", "unit_id", "score_total", "n_jurors"]], on=["year", "unit_id"], how="left")
        out["implied_grade"] = pd.Categorical(grade_from_total(out["score_total"].to_numpy()), dtype=grade_dtype())
        out["implied_matches"] = out["implied_grade"].astype(object) == out["grade"].astype(object)
    out["grade"] = out["grade"].astype(grade_dtype())
    return out.sort_values(["grade", "category", "unit_id"], ascending=[False, True, True]).reset_index(drop=True)


def grade_counts(grades_tbl: pd.DataFrame) -> pd.DataFrame:
    """Counts of units by category and grade (grades as columns, best first)."""
    tab = pd.crosstab(grades_tbl["category"], grades_tbl["grade"].astype(grade_dtype()), dropna=False)
    cols = [g for g in GRADE_ORDER[::-1] if g in tab.columns and tab[g].sum() > 0]
    return tab[cols]


def innovations_table(innovations: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Innovations with their unit's name and category, best award first."""
    from ..data.schema import AWARDS

    out = innovations.merge(units[["year", "unit_id", "abbreviation", "category"]], on=["year", "unit_id"], how="left")
    out["award"] = pd.Categorical(out["award"], categories=list(AWARDS), ordered=True)
    return out.sort_values(["competition", "award", "innovation_id"]).reset_index(drop=True)


def missing_cells(grid: pd.DataFrame) -> int:
    """Number of juror x subject cells with no score at all."""
    return int(np.sum(grid.to_numpy() == 0))


def coverage(scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """Who scored what, per evaluation and stage: jurors, subjects, criteria and the
    juror x subject cells without any score.

    Columns: ``evaluation, stage, n_jurors, n_subjects, n_criteria, n_cells,
    n_missing_cells, share_missing, n_partial_cells`` (a partial cell is a juror who
    scored some but not all of a subject's criteria).
    """
    cols = [
        "evaluation",
        "stage",
        "n_jurors",
        "n_subjects",
        "n_criteria",
        "n_cells",
        "n_missing_cells",
        "share_missing",
        "n_partial_cells",
    ]
    rows = []
    if scores.empty:
        return pd.DataFrame(columns=cols)
    stages = list(dict.fromkeys(zip(scores["evaluation"], scores["stage"])))
    for ev, st in stages:
        grid = completeness(scores, rubric, ev, st)
        n_cells = grid.size
        missing = int((grid.to_numpy() == 0).sum())
        partial = int(((grid.to_numpy() > 0) & (grid.to_numpy() < 1)).sum())
        n_crit = int(((rubric["evaluation"] == ev) & (rubric["stage"] == st)).sum())
        rows.append(
            dict(
                evaluation=ev,
                stage=st,
                n_jurors=grid.shape[0],
                n_subjects=grid.shape[1],
                n_criteria=n_crit,
                n_cells=n_cells,
                n_missing_cells=missing,
                share_missing=missing / n_cells if n_cells else np.nan,
                n_partial_cells=partial,
            )
        )
    return pd.DataFrame(rows, columns=cols)


def evaluating_side(units: pd.DataFrame, jurors: pd.DataFrame, grades: pd.DataFrame) -> pd.DataFrame:
    """The units on the evaluating side — those jurors work in (``jurors.home_unit_id``) —
    with their panel(s), number of jurors and grade.

    Columns: ``unit_id, name, category, panels, n_jurors, grade``.
    """
    cols = ["unit_id", "name", "category", "panels", "n_jurors", "grade"]
    if jurors.empty or "home_unit_id" not in jurors:
        return pd.DataFrame(columns=cols)
    home = jurors.dropna(subset=["home_unit_id"])
    home = home[home["home_unit_id"].astype(str).str.strip() != ""]
    if home.empty:
        return pd.DataFrame(columns=cols)
    g = (
        home.groupby("home_unit_id", observed=True, sort=True)
        .agg(panels=("panel", lambda s: ", ".join(sorted(set(map(str, s))))), n_jurors=("juror_id", "nunique"))
        .reset_index()
        .rename(columns={"home_unit_id": "unit_id"})
    )
    out = g.merge(units[["unit_id", "name", "category"]], on="unit_id", how="left")
    out = out.merge(grades[["unit_id", "grade"]], on="unit_id", how="left")
    out["grade"] = out["grade"].astype(object).where(out["grade"].notna(), None)
    return out[cols]


#: The tables :func:`analyse` returns.
TABLES = {
    "row_accounts": TableSpec(
        "every input row read, kept for this year or excluded, and why (per table: rows_read = rows_kept + "
        "sum of rows_excluded)",
        {
            "table": "table of the data model",
            "file": "file (and sheet) read",
            "rows_read": "rows in the file",
            "rows_kept": "rows of this year kept",
            "rows_excluded": "rows excluded for `reason`",
            "reason": "why rows were excluded",
        },
    ),
    "provenance": TableSpec(
        "rows of this year per table and basis",
        {
            "table": "table of the data model",
            "basis": "named, inferred, synthetic or observed",
            "rows": "number of rows",
            "share": "share of the table's rows",
        },
    ),
    "coverage": TableSpec(
        "who scored what, per evaluation and stage",
        {
            "evaluation": "sakip or kovablik",
            "stage": "stage",
            "n_jurors": "jurors who scored",
            "n_subjects": "units (sakip) or innovations (kovablik) scored",
            "n_criteria": "criteria of the rubric",
            "n_cells": "juror x subject cells",
            "n_missing_cells": "cells without any score",
            "share_missing": "share of cells without any score",
            "n_partial_cells": "cells where some but not all criteria were scored",
        },
    ),
    "score_summary": TableSpec(
        "distribution of criterion scores per evaluation, stage and rubric component",
        {
            "evaluation": "sakip or kovablik",
            "stage": "stage",
            "component": "rubric component",
            "weight": "the component's points out of 100",
            "n": "scores",
            "mean": "mean score",
            "sd": "SD",
            "min": "minimum",
            "q25": "first quartile",
            "median": "median",
            "q75": "third quartile",
            "max": "maximum",
        },
    ),
    "grades_overview": TableSpec(
        "one row per graded unit: grade and its basis, category, awards and, with juror scores, the "
        "juror-mean total and the grade it implies",
        {
            "unit_id": "unit",
            "name": "name",
            "category": "category",
            "grade": "published (or synthetic) grade",
            "grade_basis": "basis of the grade row",
            "awards": "innovation awards this year",
        },
    ),
    "grade_counts": TableSpec(
        "units per category and grade (tidy)",
        {"category": "unit category", "grade": "grade", "n_units": "number of units"},
    ),
    "innovations": TableSpec(
        "innovations entered this year with their award, unit and category",
        {
            "innovation_id": "innovation",
            "name": "name",
            "unit_id": "owning unit",
            "category": "its category",
            "competition": "competition",
            "award": "award level",
        },
    ),
    "evaluating_side": TableSpec(
        "units that jurors work in (home units), with their panels and grade",
        {
            "unit_id": "unit",
            "name": "name",
            "category": "category",
            "panels": "panels of its jurors",
            "n_jurors": "jurors working there",
            "grade": "its grade this year",
        },
    ),
}


def _grade_phrase(counts: pd.Series, lang: str) -> str:
    items = [f"{int(n)} {g}" for g, n in counts.items() if n > 0]
    return join_words(items, lang)


def _bands_used(grades: list[str]) -> str:
    order = [g for g in GRADE_ORDER[::-1] if g in grades]
    return ", ".join(f"{g} ({fmt_number(band(g)[0], 0)}–{fmt_number(band(g)[1], 0)})" for g in order)


def analyse(dataset, *, year: int | None = None) -> Analysis:
    """The data overview of one evaluation year.

    Parameters
    ----------
    dataset : kinerja.data.io.Dataset
        A loaded dataset (all years or one).
    year : int, optional
        Evaluation year; default the dataset's only year.

    Returns
    -------
    Analysis
        Tables of :data:`TABLES`; ``facts`` with ``n_graded``, ``grade_counts`` (grade ->
        units, best first), ``bands_used``, ``adjacent_bands``, ``has_scores``,
        ``has_kovablik``, ``n_implied_match``; findings ``data.grades``,
        ``data.evaluating_side``, ``data.scores``, ``data.totals_reproduce_grades``.
    """
    year = year_of(dataset, year)
    ds = dataset.for_year(year) if len(dataset.years) > 1 else dataset
    units, grades, inn, scores, rubric, jurors = (ds.units, ds.grades, ds.innovations, ds.scores, ds.rubric, ds.jurors)
    res = Analysis(NAME, NOTEBOOK, ds.name, year)
    res.add("row_accounts", ds.accounts, bases=[])
    res.add("provenance", ds.provenance(), bases=[])
    has_scores = not scores.empty
    res.add("coverage", coverage(scores, rubric), scores)
    res.add(
        "score_summary",
        score_summary(scores, rubric) if has_scores else pd.DataFrame(columns=list(TABLES["score_summary"].columns)),
        scores,
    )
    tbl = grades_table(units, grades, inn, scores if has_scores else None, rubric if has_scores else None)
    res.add("grades_overview", tbl, grades, *((scores,) if has_scores else ()))
    counts = grade_counts(tbl) if len(tbl) else pd.DataFrame()
    tidy = (
        counts.stack().rename("n_units").reset_index()
        if len(tbl)
        else pd.DataFrame(columns=["category", "grade", "n_units"])
    )
    if len(tidy):
        tidy["grade"] = tidy["grade"].astype(str)
    res.add("grade_counts", tidy, grades)
    itab = innovations_table(inn, units) if len(inn) else pd.DataFrame(columns=list(TABLES["innovations"].columns))
    res.add("innovations", itab, inn)
    side = evaluating_side(units, jurors, grades)
    res.add("evaluating_side", side, jurors, grades)

    gc = tbl["grade"].astype(str).value_counts() if len(tbl) else pd.Series(dtype=int)
    gc = gc.reindex([g for g in GRADE_ORDER[::-1] if g in gc.index])
    used = list(gc.index)
    idx = sorted(GRADE_ORDER.index(g) for g in used)
    adjacent = len(idx) == 2 and idx[1] - idx[0] == 1
    has_kov = bool((inn["competition"] == "kovablik").any()) if len(inn) else False
    n_match = int(tbl["implied_matches"].sum()) if "implied_matches" in tbl else None
    n_with_total = int(tbl["score_total"].notna().sum()) if "score_total" in tbl else 0
    sak = scores[scores["evaluation"] == "sakip"] if has_scores else scores
    account = totals_account(sak, rubric[rubric["evaluation"] == "sakip"])
    res.facts = dict(
        totals_account=account,
        totals_left_out=totals_left_out(account),
        n_graded=len(tbl),
        grade_counts=gc.to_dict(),
        bands_used=_bands_used(used),
        adjacent_bands=adjacent,
        has_scores=has_scores,
        has_kovablik=has_kov,
        n_implied_match=n_match,
        n_with_total=n_with_total,
        n_units=len(units),
    )
    res.set_findings(_findings(res, tbl, gc, side, scores, jurors, grades))
    return res


def _findings(res: Analysis, tbl, gc, side, scores, jurors, grades) -> list[Finding]:
    q, q_ind = QUESTIONS["data"]
    out = []
    gbases = res.bases["grades_overview"]
    if len(tbl):
        n = len(tbl)
        en = f"{n} units were graded in {res.year}: {_grade_phrase(gc, 'en')}"
        ind = f"{n} perangkat daerah dinilai pada {res.year}: {_grade_phrase(gc, 'id')}"
        if len(gc) == 1:
            en += ", all in one band."
            ind += ", semuanya dalam satu predikat."
        elif res.facts["adjacent_bands"]:
            en += " — two adjacent bands only."
            ind += " — hanya dua predikat yang bersebelahan."
        else:
            en += f", over {len(gc)} bands."
            ind += f", tersebar pada {len(gc)} predikat."
        out.append(
            Finding(
                "data.grades",
                q,
                en,
                ind,
                estimate=n,
                measure="units graded",
                n=n,
                bases=sorted(set(grades["basis"].astype(str))),
                evidence="grades_overview.csv",
            )
        )
    else:
        out.append(
            Finding(
                "data.grades",
                q,
                f"No unit has a grade for {res.year}.",
                f"Tidak ada perangkat daerah yang memiliki predikat untuk {res.year}.",
                status="undefined",
                evidence="grades_overview.csv",
            )
        )
    if len(side):
        parts_en = [
            f"{r['name'] if isinstance(r['name'], str) else r['unit_id']} "
            f"({r['grade'] if r['grade'] else 'not graded'})"
            for _, r in side.iterrows()
        ]
        parts_id = [
            f"{r['name'] if isinstance(r['name'], str) else r['unit_id']} "
            f"({r['grade'] if r['grade'] else 'tidak dinilai'})"
            for _, r in side.iterrows()
        ]
        en = (
            f"{plural(len(side), 'unit')} on the evaluating side (jurors work there) and their grades: "
            f"{join_words(parts_en, 'en')}."
        )
        ind = (
            f"{len(side)} unit di pihak penilai (tempat evaluator bekerja) dan predikatnya: "
            f"{join_words(parts_id, 'id')}."
        )
        out.append(
            Finding(
                "data.evaluating_side",
                q,
                en,
                ind,
                estimate=len(side),
                measure="units",
                n=len(side),
                bases=res.bases["evaluating_side"],
                evidence="evaluating_side.csv",
                note="exploratory: a unit on the evaluating side is not evidence of bias",
            )
        )
    else:
        why = "no juror works in an evaluated unit" if len(jurors) else "there is no juror table for this year"
        why_id = (
            "tidak ada evaluator yang bekerja di unit yang dinilai"
            if len(jurors)
            else "tidak ada tabel evaluator untuk tahun ini"
        )
        out.append(
            Finding(
                "data.evaluating_side",
                q,
                f"No unit is on the evaluating side: {why}.",
                f"Tidak ada unit di pihak penilai: {why_id}.",
                status="undefined",
                bases=res.bases["evaluating_side"],
                evidence="evaluating_side.csv",
            )
        )
    cov = res.tables["coverage"]
    if len(cov):
        sak = cov[cov["evaluation"] == "sakip"]
        if len(sak):
            r = sak.iloc[0]
            share = r["share_missing"]
            en = (
                f"{int(r['n_jurors'])} jurors scored {int(r['n_subjects'])} units on {int(r['n_criteria'])} "
                f"SAKIP criteria; {fmt_number(100 * share, 0)}% of juror x unit cells have no score."
            )
            ind = (
                f"{int(r['n_jurors'])} evaluator menilai {int(r['n_subjects'])} perangkat daerah pada "
                f"{int(r['n_criteria'])} kriteria SAKIP; {fmt_number(100 * share, 0, 'id')}% sel evaluator x "
                "perangkat daerah tidak bernilai."
            )
        else:
            en = "Juror-level scores exist for KOVABLIK only this year, not for SAKIP."
            ind = "Nilai per evaluator tahun ini hanya ada untuk KOVABLIK, tidak untuk SAKIP."
        out.append(
            Finding(
                "data.scores",
                q,
                en,
                ind,
                estimate=float(cov["n_jurors"].max()),
                measure="jurors",
                n=float(cov["n_subjects"].sum()),
                bases=res.bases["coverage"],
                evidence="coverage.csv",
            )
        )
    else:
        out.append(
            Finding(
                "data.scores",
                q,
                f"There are no juror-level scores for {res.year}: only the published "
                "record, so no agreement or juror statistic can be computed for this year.",
                f"Tidak ada nilai per evaluator untuk {res.year}: hanya data yang dipublikasikan, "
                "sehingga statistik kesepakatan dan efek evaluator tidak dapat dihitung.",
                status="undefined",
                evidence="coverage.csv",
            )
        )
    if res.facts["n_with_total"]:
        k, n = res.facts["n_implied_match"], res.facts["n_with_total"]
        en = f"For {k} of {n} units the juror-mean total falls in the band of the grade on record" + (
            "."
            if k == n
            else "; the others need explaining (another aggregation rule, moderation, or a transcription error)."
        )
        ind = (
            f"Untuk {k} dari {n} perangkat daerah, rata-rata nilai evaluator berada dalam rentang predikat yang "
            "tercatat"
            + ("." if k == n else "; selisihnya perlu dijelaskan (aturan agregasi lain, moderasi, atau salah catat).")
        )
        if res.facts["totals_left_out"]:  # the mean is over the jurors with a complete total
            acc = res.facts["totals_account"]
            en += " " + as_sentence(res.facts["totals_left_out"])
            ind += " " + as_sentence(totals_left_out(acc, "id"))
        out.append(
            Finding(
                "data.totals_reproduce_grades",
                q,
                en,
                ind,
                estimate=k / n,
                measure="share of units",
                n=n,
                bases=gbases,
                evidence="grades_overview.csv",
            )
        )
    elif res.facts["totals_account"]["n_cells"] and not res.facts["totals_account"]["n_subjects_complete"]:
        # juror scores without one complete total: say why, not "no juror scores"
        acc = res.facts["totals_account"]
        out.append(
            Finding(
                "data.totals_reproduce_grades",
                q,
                f"No unit has a juror-mean SAKIP total for {res.year}, so the grades cannot be checked against "
                f"totals: {acc['n_incomplete']} of {acc['n_cells']} juror totals are incomplete (a juror's total "
                "needs every criterion).",
                f"Tidak ada perangkat daerah dengan rata-rata total SAKIP dari evaluator untuk {res.year}, sehingga "
                f"predikat tidak dapat dicek terhadap total: {acc['n_incomplete']} dari {acc['n_cells']} total "
                "evaluator tidak lengkap (total evaluator memerlukan semua kriteria).",
                status="undefined",
                bases=gbases,
                evidence="grades_overview.csv",
            )
        )
    return out
