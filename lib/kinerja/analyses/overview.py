"""What a dataset holds for one year: tables behind ``notebooks/00_data_overview``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER, grade_dtype, grade_from_total
from ..data.rubrics import subject_totals


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
