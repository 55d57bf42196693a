"""Scoring rubrics (criteria and weights) bundled with kinerja, with their sources.

Instruments differ between regions and years, so nothing in kinerja hard-codes a
rubric: a dataset's own ``rubric`` table is what analyses use. The bundled rubrics are
the national defaults the synthetic generator scores on:

* SAKIP under PermenPANRB 12/2015 (five components: 30/25/15/10/20), evaluation years
  up to 2021;
* SAKIP under PermenPANRB 88/2021 (four components: 30/30/15/25, each split 20/30/50),
  from evaluation year 2022;
* KOVABLIK: the 2025 East Java provincial rubric (stage ``proposal`` and stage
  ``presentasi``), used as an assumption for city-level competitions.
"""

from __future__ import annotations

import pandas as pd

from ..paths import RESOURCES_DIR

RUBRIC_FILES = {
    "sakip_12_2015": "sakip_permenpanrb_12_2015.csv",
    "sakip_88_2021": "sakip_permenpanrb_88_2021.csv",
    "kovablik_jatim_2025": "kovablik_jatim_2025.csv",
}

#: First evaluation year judged under PermenPANRB 88/2021.
FIRST_YEAR_88_2021 = 2022


def bundled_rubric(name: str) -> pd.DataFrame:
    """One bundled rubric: ``evaluation, stage, criterion_id, criterion, component, weight, source``.

    >>> r = bundled_rubric("sakip_12_2015")
    >>> float(r["weight"].sum()), r["component"].nunique()
    (100.0, 5)
    """
    try:
        fname = RUBRIC_FILES[name]
    except KeyError:
        raise ValueError(f"unknown rubric {name!r}; bundled rubrics: {', '.join(RUBRIC_FILES)}") from None
    return pd.read_csv(RESOURCES_DIR / "rubrics" / fname, dtype={"criterion_id": str})


def default_rubric_name(evaluation: str, year: int) -> str:
    """Name of the bundled rubric for an evaluation in an evaluation year.

    >>> default_rubric_name("sakip", 2021), default_rubric_name("sakip", 2022)
    ('sakip_12_2015', 'sakip_88_2021')
    """
    if evaluation == "sakip":
        return "sakip_12_2015" if year < FIRST_YEAR_88_2021 else "sakip_88_2021"
    if evaluation == "kovablik":
        return "kovablik_jatim_2025"
    raise ValueError(f"unknown evaluation {evaluation!r}; expected 'sakip' or 'kovablik'")


def weighted_totals(
    scores: pd.DataFrame,
    rubric: pd.DataFrame,
    by: tuple[str, ...] = ("year", "evaluation", "stage", "subject_id", "juror_id"),
) -> pd.DataFrame:
    """Each juror's weighted total per subject: ``sum(score x weight / 100)`` over criteria.

    A juror total is NaN (with ``n_criteria`` telling how many were scored) when the juror
    left any criterion of the stage unscored, because a partial total is not on the
    0-100 scale.

    Returns the ``by`` columns plus ``total`` and ``n_criteria``.
    """
    keys = ["year", "evaluation", "stage", "criterion_id"]
    merged = scores.merge(rubric[keys + ["weight"]], on=keys, how="left", validate="many_to_one")
    if merged["weight"].isna().any():
        bad = merged.loc[merged["weight"].isna(), keys].drop_duplicates().head(3).to_dict("records")
        raise ValueError(f"scores refer to criteria missing from the rubric: {bad}")
    merged["_pts"] = merged["score"] * merged["weight"] / 100.0
    out = (
        merged.groupby(list(by), observed=True, sort=True)
        .agg(total=("_pts", "sum"), n_criteria=("_pts", "size"))
        .reset_index()
    )
    n_crit = rubric.groupby(["year", "evaluation", "stage"], observed=True).size().rename("_n_expected").reset_index()
    out = out.merge(n_crit, on=["year", "evaluation", "stage"], how="left")
    out.loc[out["n_criteria"] < out["_n_expected"], "total"] = float("nan")
    return out.drop(columns="_n_expected")


def subject_totals(scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """Each subject's total: the mean over jurors of their complete weighted totals.

    Returns ``year, evaluation, stage, subject_id, total, n_jurors, n_incomplete`` where
    ``n_incomplete`` counts jurors whose partial scoring left their total undefined
    (they are not averaged in; the count makes that visible).
    """
    jt = weighted_totals(scores, rubric)
    keys = ["year", "evaluation", "stage", "subject_id"]
    return (
        jt.groupby(keys, observed=True, sort=True)
        .agg(
            total=("total", "mean"),
            n_jurors=("total", "count"),
            n_incomplete=("total", lambda s: int(s.isna().sum())),
        )
        .reset_index()
    )


def totals_account(scores: pd.DataFrame, rubric: pd.DataFrame) -> dict:
    """How many juror totals one evaluation's scores give, and how many are undefined.

    A juror's total of a subject (in a stage) needs every criterion of the stage
    (:func:`weighted_totals`). This counts, over the juror x subject x stage cells that
    have any score, those whose total is undefined because a criterion is unscored, so
    that an analysis can say what it left out, and why it has nothing, in one wording
    (:func:`kinerja.analyses.findings.totals_left_out`).

    Returns a dict: ``n_cells`` (cells with any score), ``n_incomplete`` (of them, cells
    with an unscored criterion), ``n_jurors`` (jurors with any score),
    ``n_jurors_complete`` (jurors with at least one complete total) and
    ``n_subjects_complete`` (subjects with at least one complete total).

    >>> sc = pd.DataFrame({"year": 2020, "evaluation": "sakip", "stage": "s", "subject_id": ["a", "a", "a", "b"],
    ...                    "juror_id": ["J1", "J1", "J2", "J1"], "criterion_id": ["x", "y", "x", "x"],
    ...                    "score": [80, 70, 60, 50.0]})
    >>> rub = pd.DataFrame({"year": 2020, "evaluation": "sakip", "stage": "s", "criterion_id": ["x", "y"],
    ...                     "weight": [50, 50.0]})
    >>> totals_account(sc, rub)
    {'n_cells': 3, 'n_incomplete': 2, 'n_jurors': 2, 'n_jurors_complete': 1, 'n_subjects_complete': 1}
    """
    if not len(scores):
        return dict(n_cells=0, n_incomplete=0, n_jurors=0, n_jurors_complete=0, n_subjects_complete=0)
    jt = weighted_totals(scores, rubric)
    done = jt[jt["total"].notna()]
    return dict(
        n_cells=int(len(jt)),
        n_incomplete=int(jt["total"].isna().sum()),
        n_jurors=int(jt["juror_id"].nunique()),
        n_jurors_complete=int(done["juror_id"].nunique()),
        n_subjects_complete=int(done["subject_id"].nunique()),
    )


def juror_measures(scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """Per juror and subject, the score of each component and the weighted total.

    A component score is the weight-averaged criterion score within the component (so it
    stays on 0-100); the total is :func:`weighted_totals`. These are the quantities whose
    agreement between jurors the agreement notebook reports.

    Returns long data: ``year, evaluation, stage, measure, subject_id, juror_id, score``
    where ``measure`` is a component name or ``"total"``; a juror's component score is
    NaN where they left a criterion of it unscored.
    """
    keys = ["year", "evaluation", "stage", "criterion_id"]
    m = scores.merge(rubric[keys + ["component", "weight"]], on=keys, how="left", validate="many_to_one")
    m["_wx"] = m["score"] * m["weight"]
    by = ["year", "evaluation", "stage", "component", "subject_id", "juror_id"]
    comp = (
        m.groupby(by, observed=True, sort=False)
        .agg(_wx=("_wx", "sum"), _w=("weight", "sum"), _n=("score", "size"))
        .reset_index()
    )
    n_exp = rubric.groupby(["year", "evaluation", "stage", "component"], observed=True).size().rename("_n_exp")
    comp = comp.merge(n_exp.reset_index(), on=["year", "evaluation", "stage", "component"], how="left")
    comp["score"] = (comp["_wx"] / comp["_w"]).where(comp["_n"] == comp["_n_exp"])
    comp = comp.rename(columns={"component": "measure"})
    tot = weighted_totals(scores, rubric).rename(columns={"total": "score"}).assign(measure="total")
    cols = ["year", "evaluation", "stage", "measure", "subject_id", "juror_id", "score"]
    return pd.concat([comp[cols], tot[cols]], ignore_index=True)
