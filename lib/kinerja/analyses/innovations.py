"""How innovations relate to SAKIP grades, and how much the rubric decides the ranking
(notebook ``04_innovation_and_grades``).

Three questions, on whatever a dataset holds for one year:

1. **The record.** Do units that won an innovation award (city KOVABLIK: a top-5 and a
   next-5 group) get better SAKIP grades? Exact tests on the unit-level table of awards
   and grades (Fisher's exact test of award x grade, a trend test across award levels,
   permutation p-values) and what a sample of this size can detect at all.
2. **Juror level.** With juror scores: a logistic regression of award on the SAKIP total
   and category, the gap in SAKIP totals between awarded and other units, the rank
   correlation between the innovation jury's totals and the SAKIP totals, and whether
   a juror's leniency in one evaluation carries into the other (halo).
3. **The rubric.** Would the awards (and the SAKIP grades) survive other weights: each
   criterion dropped (such as the provincial rubric's "head attends" criterion), equal
   weights, random reweightings around the official ones; SAKIP grades under the
   component weights of PermenPANRB 12/2015 and 88/2021.

:func:`analyse` returns an :class:`~kinerja.analyses.base.Analysis` with the tables of
:data:`TABLES` and 5 findings (:mod:`kinerja.analyses.findings`); every sentence is
computed from the data of the run.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER
from ..data.provenance import basis_of, provenance_label
from ..data.rubrics import subject_totals, totals_account, weighted_totals
from ..stats import innovation as inn
from ..stats import sensitivity as sens
from .base import Analysis, TableSpec, year_of
from .findings import QUESTIONS, Finding, fmt_number, fmt_share, format_ci, p_value, reason_id, totals_left_out

NAME = "innovations"
NOTEBOOK = "04_innovation_and_grades"

#: Award groups of the city competition, best first, and their trend-test scores.
AWARD_GROUPS = ("top5", "top10", "none")
AWARD_SCORE = {"top5": 2, "top10": 1, "none": 0}
#: Award values counted as "no award" in the city competition (entered, not awarded).
NO_AWARD = ("none", "finalist")

_R = "statistic, estimate, ci_low, ci_high, p_value, n, method, note: as in kinerja.stats.innovation"

TABLES: dict[str, TableSpec] = {
    "units": TableSpec(
        "One row per unit of the year (units without an entry included): its SAKIP grade and total, its "
        "entries in the competition and its best award. Units that are not graded (e.g. a BUMD) are rows "
        "with graded = False; they are reported, never used in the grade tests.",
        {
            "unit_id": "unit id",
            "name": "unit name",
            "category": "unit category",
            "graded": "the unit has a SAKIP grade this year",
            "grade": "SAKIP grade (empty when not graded)",
            "grade_code": "grade as a number, 0 = D ... 6 = AA",
            "high_grade": "grade in the upper group of the 2 x 2 table (see exact_test)",
            "published_total": "published SAKIP total (NaN when only the grade is published)",
            "juror_total": "mean over jurors of their weighted SAKIP totals (NaN without scores)",
            "sakip_total": "published total if there is one, else the juror-mean total",
            "total_source": "'published', 'juror scores' or '' (no total)",
            "n_entries": "entries in the competition",
            "award_group": "best award in the competition: top5, top10 or none (none = no award or no entry)",
            "awarded": "award_group is top5 or top10",
            "award_level": "2 = top5, 1 = top10, 0 = none (scores of the trend test)",
            "kovablik_total": "the unit's best entry's jury total in the first stage (NaN without scores)",
            "awarded_entries": "names of the awarded entries",
            "other_awards": "awards in other competitions (shown, not tested)",
            "role": "'graded' or 'not graded (awardee)' / 'not graded'",
            "basis": "bases of the rows behind the unit's row",
            "note": "what a reader should know about the row",
        },
    ),
    "accounts": TableSpec(
        "Every input row of the year accounted for: how many rows of units, grades and innovations went "
        "into the tests, which were reported apart, and why.",
        {
            "table": "input table",
            "rows": "number of rows",
            "status": "'used', 'reported apart' or 'shown only'",
            "reason": "why",
        },
    ),
    "contingency": TableSpec(
        "Graded units by award group and SAKIP grade (counts, long).",
        {
            "competition": "the competition whose awards define the groups (e.g. kovablik)",
            "award_group": "top5, top10 or none",
            "grade": "SAKIP grade",
            "n": "number of graded units",
        },
    ),
    "exact_test": TableSpec(
        "Fisher's exact test of award x grade on the graded units, with the 2 x 2 table it comes from.",
        {
            "statistic": "odds ratio (conditional MLE)",
            "estimate": "conditional MLE odds ratio (odds of a high grade, awarded vs not)",
            "ci_low": "exact CI, lower",
            "ci_high": "exact CI, upper",
            "p_value": "two-sided exact p-value",
            "n": "graded units",
            "method": "how it was computed",
            "note": "caveats",
            "awarded_high": "awarded units with a high grade",
            "awarded_low": "awarded units with a low grade",
            "other_high": "other graded units with a high grade",
            "other_low": "other graded units with a low grade",
            "high_grades": "grades counted as high",
            "low_grades": "grades counted as low",
            "sample_odds_ratio": "(awarded_high x other_low) / (awarded_low x other_high)",
        },
    ),
    "record_tests": TableSpec(
        "Every test of award x grade on the graded units: Fisher's exact test, permutation p-values, the "
        "trend test across award levels (asymptotic, exact, permutation) and the odds ratios detectable "
        "with 80% power.",
        {
            "test": "which test",
            "statistic": _R,
            "estimate": _R,
            "ci_low": _R,
            "ci_high": _R,
            "p_value": _R,
            "n": _R,
            "method": _R,
            "note": _R,
        },
    ),
    "juror_models": TableSpec(
        "Juror-level models on the graded units: logistic regression of award on SAKIP total and category, "
        "the gap in SAKIP totals (awarded - other), and rank correlations between innovation-jury and "
        "SAKIP totals.",
        {
            "analysis": "'logistic', 'award gap' or 'rank correlation'",
            "statistic": _R,
            "term": "model term (logistic)",
            "estimate": _R,
            "ci_low": _R,
            "ci_high": _R,
            "p_value": _R,
            "n": _R,
            "method": _R,
            "note": _R,
        },
    ),
    "halo": TableSpec(
        "Does a juror's leniency in SAKIP carry into KOVABLIK? Correlation of the leniencies of jurors who "
        "judged both, and the split-half reliability of the leniency estimates.",
        {c: _R for c in ("statistic", "estimate", "ci_low", "ci_high", "p_value", "n", "method", "note")},
    ),
    "juror_leniency": TableSpec(
        "Each juror's leniency (points above the average juror on the same subjects) in each evaluation.",
        {
            "juror_id": "juror",
            "panel": "panel type",
            "leniency_sakip": "leniency on SAKIP totals (points)",
            "leniency_kovablik": "leniency on KOVABLIK stage totals (points)",
            "n_subjects_sakip": "units the juror scored",
            "n_subjects_kovablik": "innovation-stage totals the juror scored",
            "in_both": "the juror judged both evaluations",
        },
    ),
    "sensitivity_scenarios": TableSpec(
        "Rankings under alternative rubric weights, per evaluation: Kendall's tau-b to the official "
        "ranking and how many of the official top 5 / top 10 keep their place.",
        {
            "evaluation": "sakip or kovablik",
            "scenario": "official, equal weights, without <criterion>, random reweighting",
            "kind": "official, equal, drop or random",
            "dropped": "criterion dropped",
            "criterion": "its name",
            "is_attendance": "the criterion is about attendance, not the entry",
            "statistic": "Kendall's tau-b to the official ranking",
            "estimate": "tau-b (random: median over reweightings)",
            "ci_low": "random: 2.5% point over reweightings (not a confidence interval)",
            "ci_high": "random: 97.5% point over reweightings",
            "n": "subjects ranked",
            "kept_top5": "of the official top 5, how many stay in the top 5 (random: mean)",
            "kept_top10": "of the official top 10, how many stay in the top 10 (random: mean)",
            "grade_changes": "SAKIP: units whose grade changes (random: mean)",
            "method": "weights used",
            "note": "caveats",
        },
    ),
    "sensitivity_entries": TableSpec(
        "Each ranked subject under random reweightings: probability of staying in the top 5 / top 10, rank "
        "range, and (SAKIP) probability of keeping its grade.",
        {
            "evaluation": "sakip or kovablik",
            "subject_id": "unit (sakip) or innovation (kovablik)",
            "label": "what the figure shows: unit abbreviation or innovation name",
            "unit_id": "owning unit",
            "award": "published award (kovablik)",
            "ranked": "scored in every stage, so ranked",
            "official_total": "total with the official weights",
            "official_rank": "rank with the official weights (1 = best)",
            "p_top5": "share of reweightings with the subject in the top 5",
            "p_top10": "share of reweightings with the subject in the top 10",
            "rank_median": "median rank over reweightings",
            "rank_low": "2.5% point of the rank",
            "rank_high": "97.5% point of the rank",
            "p_same_grade": "SAKIP: share of reweightings keeping the official grade",
            "note": "why a subject is not ranked",
        },
    ),
    "regulation_grades": TableSpec(
        "SAKIP totals and grades of each unit under its own rubric and under the component weights of "
        "PermenPANRB 12/2015 and 88/2021 (components mapped by name; see the note column).",
        {
            "subject_id": "unit",
            "total_official": "total with the dataset's rubric",
            "grade_official": "its grade",
            "total_12_2015": "total with 12/2015 component weights",
            "grade_12_2015": "its grade",
            "total_88_2021": "total with 88/2021 component weights",
            "grade_88_2021": "its grade",
            "grade_changed": "12/2015 and 88/2021 weights give different grades",
            "note": "the component mapping used",
        },
    ),
}


# ----------------------------------------------------------------------------------------
# The unit-level table
# ----------------------------------------------------------------------------------------


def grade_split(grades) -> tuple[list[str], list[str]]:
    """High and low grade groups: the band boundary that splits the graded units most
    evenly (ties go to the higher boundary). It looks only at the grades, never at the
    awards, so it cannot tune the test.

    >>> grade_split(["A"] * 10 + ["BB"] * 19)
    (['A'], ['BB'])
    >>> grade_split(["AA", "A", "A", "BB", "BB", "B", "CC"])
    (['AA', 'A'], ['BB', 'B', 'CC'])
    """
    g = pd.Series(list(grades), dtype="object").dropna()
    used = [x for x in GRADE_ORDER[::-1] if (g == x).any()]  # best first
    if len(used) < 2:
        return used, []
    counts = np.array([(g == x).sum() for x in used])
    best, best_gap = 1, math.inf
    for k in range(1, len(used)):
        gap = abs(counts[:k].sum() - counts[k:].sum())
        if gap < best_gap:
            best, best_gap = k, gap
    return used[:best], used[best:]


def _first_stage(rubric: pd.DataFrame, evaluation: str) -> str | None:
    st = rubric.loc[rubric["evaluation"] == evaluation, "stage"]
    return str(st.iloc[0]) if len(st) else None


def unit_table(
    units: pd.DataFrame,
    grades: pd.DataFrame,
    innovations: pd.DataFrame,
    *,
    competition: str = "kovablik",
    scores: pd.DataFrame | None = None,
    rubric: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The unit-level table of one year (see ``TABLES["units"]``) and its row accounts.

    Parameters
    ----------
    units, grades, innovations : DataFrame
        The year's rows (as ``load_dataset(...).for_year(year)`` gives them).
    competition : str
        The competition whose awards are tested (default the city's ``kovablik``);
        awards in other competitions appear in ``other_awards``.
    scores, rubric : DataFrame, optional
        Juror scores and rubric, for the juror-mean SAKIP total and the innovation
        jury's totals.

    Returns
    -------
    (units, accounts)
        ``accounts`` has one row per (table, status): every input row is counted once.
    """
    u = units[["unit_id", "name", "abbreviation", "category", "basis"]].copy()
    u["unit_id"] = u["unit_id"].astype(str)
    g = grades[["unit_id", "grade", "total", "basis"]].copy()
    g["unit_id"] = g["unit_id"].astype(str)
    g["grade"] = g["grade"].astype(object)
    comp = innovations[innovations["competition"] == competition].copy()
    other = innovations[innovations["competition"] != competition].copy()
    comp["unit_id"] = comp["unit_id"].astype(str)
    unknown_levels = sorted(set(comp["award"]) - set(AWARD_GROUPS) - set(NO_AWARD))
    comp["_group"] = comp["award"].where(comp["award"].isin(["top5", "top10"]), "none")
    comp["_score"] = comp["_group"].map(AWARD_SCORE)

    out = u.merge(g.rename(columns={"basis": "_gbasis", "total": "published_total"}), on="unit_id", how="left")
    out["graded"] = out["grade"].notna()
    out["grade_code"] = out["grade"].map({x: i for i, x in enumerate(GRADE_ORDER)}).astype(float)
    high, _low = grade_split(out.loc[out["graded"], "grade"])
    out["high_grade"] = out["grade"].isin(high).where(out["graded"])

    # juror-mean totals
    out["juror_total"] = np.nan
    out["kovablik_total"] = np.nan
    jury_by_entry = pd.Series(dtype=float)
    if scores is not None and rubric is not None and len(scores):
        sak = scores[scores["evaluation"] == "sakip"]
        if len(sak):
            tot = subject_totals(sak, rubric).set_index("subject_id")["total"]
            out["juror_total"] = out["unit_id"].map(tot.rename(index=str))
        st = _first_stage(rubric, "kovablik")
        kov = scores[(scores["evaluation"] == "kovablik") & (scores["stage"] == st)] if st else scores.iloc[0:0]
        if len(kov):
            jt = subject_totals(kov, rubric)
            jury_by_entry = jt.set_index(jt["subject_id"].astype(str))["total"]
    out["published_total"] = out["published_total"].astype(float)
    out["sakip_total"] = out["published_total"].where(out["published_total"].notna(), out["juror_total"])
    out["total_source"] = np.where(
        out["published_total"].notna(), "published", np.where(out["juror_total"].notna(), "juror scores", "")
    )

    comp["_jury"] = comp["innovation_id"].astype(str).map(jury_by_entry)
    agg = comp.groupby("unit_id", sort=False).agg(
        n_entries=("innovation_id", "size"),
        award_level=("_score", "max"),
        kovablik_total=("_jury", "max"),
    )
    awarded_names = (
        comp[comp["_score"] > 0].groupby("unit_id", sort=False)["name"].agg(lambda s: "; ".join(map(str, s)))
    )
    other_lab = (
        other["competition"].astype(str) + " " + other["award"].astype(str) + " (" + other["name"].astype(str) + ")"
    )
    other_awards = other_lab.groupby(other["unit_id"].astype(str), sort=False).agg("; ".join)
    out["n_entries"] = out["unit_id"].map(agg["n_entries"]).fillna(0).astype(int)
    out["award_level"] = out["unit_id"].map(agg["award_level"]).fillna(0).astype(int)
    out["kovablik_total"] = out["unit_id"].map(agg["kovablik_total"]).astype(float)
    out["award_group"] = out["award_level"].map({v: k for k, v in AWARD_SCORE.items()})
    out["awarded"] = out["award_level"] > 0
    out["awarded_entries"] = _text(out["unit_id"].map(awarded_names))
    out["other_awards"] = _text(out["unit_id"].map(other_awards))
    out["role"] = np.where(out["graded"], "graded", np.where(out["awarded"], "not graded (awardee)", "not graded"))

    # bases of each unit's row
    bases = {}
    for uid, b in zip(out["unit_id"], out["basis"]):
        bases[uid] = {str(b)}
    for uid, b in zip(out["unit_id"], out["_gbasis"]):
        if isinstance(b, str):
            bases[uid].add(b)
    for uid, b in zip(comp["unit_id"], comp["basis"]):
        bases.setdefault(uid, set()).add(str(b))
    out["basis"] = out["unit_id"].map(lambda x: ";".join(sorted(bases.get(x, set()))))
    notes = []
    for _, r in out.iterrows():
        n = []
        if not r["graded"] and r["awarded"]:
            n.append("awardee without a SAKIP grade: reported apart, not in the grade tests")
        if unknown_levels and r["unit_id"] in set(comp.loc[comp["award"].isin(unknown_levels), "unit_id"]):
            n.append(f"award level(s) {', '.join(unknown_levels)} counted as no award in the city groups")
        notes.append("; ".join(n))
    out["note"] = notes
    out = out.drop(columns=["_gbasis"])
    cols = list(TABLES["units"].columns)
    out = out[cols + ["abbreviation"]]
    out = out.sort_values(["graded", "award_level", "grade_code", "unit_id"], ascending=[False, False, False, True])
    out = out.reset_index(drop=True)

    # row accounts
    graded_ids = set(out.loc[out["graded"], "unit_id"])
    acc = []

    def add(table, rows, status, reason):
        if rows:
            acc.append(dict(table=table, rows=int(rows), status=status, reason=reason))

    add("units", len(graded_ids), "used", "graded units: the rows of the grade tests")
    n_apart_aw = int(((~out["graded"]) & out["awarded"]).sum())
    add("units", n_apart_aw, "reported apart", "awardees without a SAKIP grade (e.g. a BUMD)")
    add("units", int(((~out["graded"]) & ~out["awarded"]).sum()), "reported apart", "not graded, no award")
    add("grades", len(g), "used", "one grade per graded unit")
    in_graded = comp["unit_id"].isin(graded_ids)
    add(
        "innovations",
        int(in_graded.sum()),
        "used",
        f"{competition} entries of graded units (a unit's best award is its group)",
    )
    add("innovations", int((~in_graded).sum()), "reported apart", f"{competition} entries of units without a grade")
    add(
        "innovations",
        len(other),
        "shown only",
        "entries in other competitions: listed in other_awards, not tested",
    )
    accounts = pd.DataFrame(acc, columns=["table", "rows", "status", "reason"])
    return out, accounts


# ----------------------------------------------------------------------------------------
# The analysis
# ----------------------------------------------------------------------------------------


def entry_label(name: str, unit: str = "", width: int = 34) -> str:
    """A short label for an entry in a figure: its name, or the short form in brackets
    when the name is long, followed by its unit unless the label names it already.

    >>> entry_label("Alih Media Arsip dan Tanah (Adiarta)", "Disperpusip")
    'Adiarta · Disperpusip'
    >>> entry_label("TV Desa", "Diskominfo"), entry_label("Synthetic entry 2020-05 (Satpol PP)", "Satpol PP")
    ('TV Desa · Diskominfo', 'Synthetic entry 2020-05 (Satpol PP)')
    """
    name = str(name)
    short = name
    if len(name) > width:
        m = re.search(r"\(([^()]{2,30})\)\s*$", name) or re.search(r"\(([^()]{2,30})\)", name)
        if m and m.group(1).strip() != unit:  # a short form that is not just the unit's name
            short = m.group(1).strip()
    if unit and unit not in short:
        short = f"{short} · {unit}"
    return short


def _text(s: pd.Series, fill="") -> pd.Series:
    """A text column with ``fill`` for missing values (whatever dtype the mapping gave)."""
    return s.astype(object).where(s.notna(), fill)


def _sources(*frames):
    return [f for f in frames if f is not None and len(f)]


def _empty_result(statistic: str, note: str, **extra) -> pd.DataFrame:
    row = dict.fromkeys(inn.RESULT_COLUMNS, np.nan)
    row.update(statistic=statistic, method="", note=note, **extra)
    return pd.DataFrame([row])


def analyse(
    dataset,
    *,
    year: int | None = None,
    competition: str = "kovablik",
    n_perm: int = 10_000,
    n_reweight: int = 10_000,
    concentration: float = 50.0,
    seed: int | None = 12345,
    progress: bool = False,
) -> Analysis:
    """Innovations and grades, and rubric sensitivity, for one dataset-year.

    Parameters
    ----------
    dataset : kinerja.data.io.Dataset
        A loaded dataset (all years, or ``for_year``).
    year : int, optional
        Evaluation year; default the dataset's only year.
    competition : str
        The competition whose awards are tested (the city's ``kovablik`` by default).
    n_perm : int
        Permutations for the permutation p-values (0 skips them).
    n_reweight : int
        Random rubric reweightings (0 skips them).
    concentration : float
        Dirichlet concentration of the random reweightings (see
        :func:`kinerja.stats.sensitivity.dirichlet_weights`).
    seed : int, optional
        Seed of every permutation and reweighting (each step gets its own stream).
    progress : bool
        Show a progress bar over the steps.

    Returns
    -------
    Analysis
        Tables of :data:`TABLES`; ``facts`` with the numbers the notebook quotes; five
        findings (``innovations.award_grade``, ``innovations.detectable``,
        ``innovations.award_gap``, ``innovations.halo``, ``innovations.rubric``),
        ``status = undefined`` with the reason when the data cannot give one.
    """
    year = year_of(dataset, year)
    ds = dataset.for_year(year) if len(dataset.years) > 1 else dataset
    res = Analysis(name=NAME, notebook=NOTEBOOK, dataset=dataset.name, year=year)
    # one independent stream per step, by position, so a step's draws do not depend on
    # which other steps ran
    seeds = dict(zip(("perm", "trend", "gap", "halo", "kovablik", "sakip"), np.random.SeedSequence(seed).spawn(6)))
    steps = ["units", "record", "juror", "halo", "sensitivity"]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(steps), desc=f"innovations {year}", unit="step")

    def tick():
        if bar is not None:
            bar.update(1)

    scores, rubric = ds.scores, ds.rubric
    units_tbl, accounts = unit_table(
        ds.units, ds.grades, ds.innovations, competition=competition, scores=scores, rubric=rubric
    )
    comp_rows = ds.innovations[ds.innovations["competition"] == competition]
    awarded_rows = comp_rows[comp_rows["award"].isin(["top5", "top10"])]
    res.add("units", units_tbl, ds.units, ds.grades, comp_rows)
    res.add("accounts", accounts, bases=[])
    graded = units_tbl[units_tbl["graded"]].reset_index(drop=True)
    high, low = grade_split(graded["grade"])
    tick()

    # ---- the record: award x grade -----------------------------------------------------
    record_src = _sources(ds.grades, awarded_rows)
    cont = (
        graded.groupby(["award_group", "grade"], observed=True)
        .size()
        .rename("n")
        .reset_index()
        .assign(
            _a=lambda d: d["award_group"].map({k: i for i, k in enumerate(AWARD_GROUPS)}),
            _g=lambda d: d["grade"].map({k: -i for i, k in enumerate(GRADE_ORDER)}),
        )
        .sort_values(["_a", "_g"])
        .drop(columns=["_a", "_g"])
        .reset_index(drop=True)
    )
    cont.insert(0, "competition", competition)  # what the groups mean, for whoever reads the table alone
    res.add("contingency", cont, *record_src)
    has_comp = len(comp_rows) > 0
    n_awarded = int(graded["awarded"].sum())
    if len(graded) and has_comp:
        table = inn.two_by_two(graded["awarded"], graded["high_grade"].astype(bool))
        ft = inn.fisher_test(table)
        if not low:
            ft.loc[0, "note"] = "every graded unit has the same grade: no grade difference to test"
        if n_awarded == 0:
            ft.loc[0, "note"] = f"no graded unit won a {competition} award this year, so there is nothing to compare"
    else:
        table = np.zeros((2, 2), int)
        why = (
            "no graded units this year"
            if not len(graded)
            else f"no {competition} entries are recorded for this year: the question cannot be asked"
        )
        ft = _empty_result("odds ratio (conditional MLE)", why, n11=0, n12=0, n21=0, n22=0, sample_odds_ratio=np.nan)
        ft["n"] = float(len(graded))
    exact = ft.rename(columns={"n11": "awarded_high", "n12": "awarded_low", "n21": "other_high", "n22": "other_low"})
    exact["high_grades"] = ", ".join(high)
    exact["low_grades"] = ", ".join(low)
    exact = exact[list(TABLES["exact_test"].columns)]
    res.add("exact_test", exact, *record_src)

    tests = [ft.drop(columns=["n11", "n12", "n21", "n22", "sample_odds_ratio"]).assign(test="Fisher's exact test")]
    if len(graded) and has_comp:
        perm = inn.permutation_pvalues(
            graded["awarded"],
            graded["high_grade"].astype(bool),
            n_perm=n_perm,
            seed=np.random.default_rng(seeds["perm"]),
        )
        tests.append(perm.assign(test="permutation"))
        lbl = inn.linear_by_linear(
            graded["award_level"], graded["grade_code"], n_perm=n_perm, seed=np.random.default_rng(seeds["trend"])
        ).assign(test="trend across award levels x grade")
        tests.append(lbl)
        pw = inn.fisher_power(table)
        tests.append(pw.assign(test="power of Fisher's exact test"))
    record_tests = pd.concat(tests, ignore_index=True)
    lead = ["test", *inn.RESULT_COLUMNS]
    record_tests = record_tests[lead + [c for c in record_tests.columns if c not in lead]]
    res.add("record_tests", record_tests, *record_src)
    tick()

    # ---- juror level --------------------------------------------------------------------
    sak_scores = scores[scores["evaluation"] == "sakip"]
    kov_scores = scores[scores["evaluation"] == "kovablik"]
    has_sak_scores = len(sak_scores) > 0
    has_kov_scores = len(kov_scores) > 0
    models = []
    has_totals = bool(graded["sakip_total"].notna().any()) if len(graded) else False
    if has_totals and has_comp:
        lg = inn.award_logit(graded, outcome="awarded", total="sakip_total", category="category")
        models.append(lg.assign(analysis="logistic"))
        gap = inn.award_gap(
            graded,
            total="sakip_total",
            group="awarded",
            category="category",
            n_perm=n_perm,
            seed=np.random.default_rng(seeds["gap"]),
        )
        models.append(gap.assign(analysis="award gap"))
    else:
        acc = (
            totals_account(sak_scores, rubric[rubric["evaluation"] == "sakip"])
            if has_sak_scores
            else dict(n_incomplete=0, n_cells=0)
        )
        if has_totals:
            why = f"no {competition_label(competition)} entries this year"
        elif not len(graded):
            why = "no unit is graded this year"
        elif has_sak_scores and not acc["n_incomplete"]:
            why = "no graded unit has a SAKIP total this year (none is published, and none was scored by the jurors)"
        elif has_sak_scores:
            # the juror scores are there; their totals are not (criteria left unscored)
            why = (
                f"no SAKIP totals this year (none is published, and {acc['n_incomplete']} of {acc['n_cells']} juror "
                "totals are incomplete: a criterion left unscored)"
            )
        else:
            why = "no SAKIP totals this year (neither published nor from juror scores)"
        models.append(_empty_result("odds ratio per 5 SAKIP points", why, analysis="logistic", term="sakip_total"))
        models.append(_empty_result("difference in SAKIP total (awarded - other)", why, analysis="award gap"))
    both = graded.dropna(subset=["sakip_total", "kovablik_total"])
    for m in ("spearman", "kendall"):
        if has_sak_scores and has_kov_scores:
            rc = inn.rank_correlation(both["kovablik_total"], both["sakip_total"], method=m)
        else:
            lab = "Spearman's rho" if m == "spearman" else "Kendall's tau-b"
            rc = _empty_result(lab, "needs juror scores of both evaluations this year")
        models.append(rc.assign(analysis="rank correlation"))
    juror_models = pd.concat(models, ignore_index=True)
    lead = ["analysis", "statistic", "term", *inn.RESULT_COLUMNS[1:]]
    juror_models = juror_models.reindex(columns=lead + [c for c in juror_models.columns if c not in lead])
    res.add("juror_models", juror_models, ds.grades, awarded_rows, sak_scores, kov_scores)
    tick()

    # ---- halo ---------------------------------------------------------------------------
    jur_panel = ds.jurors.assign(juror_id=ds.jurors["juror_id"].astype(str)).set_index("juror_id")["panel"]
    if has_sak_scores and has_kov_scores:
        jt = weighted_totals(scores, rubric).dropna(subset=["total"])
        s_long = jt[jt["evaluation"] == "sakip"].rename(columns={"total": "score"})
        k_long = jt[jt["evaluation"] == "kovablik"].assign(
            subject_id=lambda d: d["stage"].astype(str) + ":" + d["subject_id"].astype(str)
        )
        k_long = k_long.rename(columns={"total": "score"})
        jl, halo = inn.halo_check(
            s_long, k_long, labels=("sakip", "kovablik"), n_perm=n_perm, seed=np.random.default_rng(seeds["halo"])
        )
        left = [
            totals_left_out(
                totals_account(scores[scores["evaluation"] == ev], rubric[rubric["evaluation"] == ev]), what=w
            )
            for ev, w in (("sakip", "SAKIP"), ("kovablik", "KOVABLIK"))
        ]
        left = "; ".join(x for x in left if x)
        if left:  # a juror without a complete total is not in the correlation: say so beside it
            halo["note"] = ["; ".join(x for x in (str(n), left) if x) for n in halo["note"].fillna("")]
    else:
        jl = pd.DataFrame(
            {
                "juror_id": pd.Series(dtype="object"),
                "leniency_sakip": pd.Series(dtype=float),
                "leniency_kovablik": pd.Series(dtype=float),
                "n_subjects_sakip": pd.Series(dtype=int),
                "n_subjects_kovablik": pd.Series(dtype=int),
                "in_both": pd.Series(dtype=bool),
            }
        )
        why = "needs juror scores of both evaluations this year"
        halo = pd.concat(
            [
                _empty_result("Pearson r of juror leniencies", why),
                _empty_result("Spearman's rho of juror leniencies", why),
            ],
            ignore_index=True,
        )
    jl["juror_id"] = jl["juror_id"].astype(str)
    jl["panel"] = jl["juror_id"].map(jur_panel)
    jl = jl[list(TABLES["juror_leniency"].columns)]
    res.add("halo", halo, scores, ds.jurors)
    res.add("juror_leniency", jl, scores, ds.jurors)
    tick()

    # ---- rubric sensitivity -------------------------------------------------------------
    scen_frames, entry_frames = [], []
    # the competition's own name of an entry first (an id may be entered in other competitions too)
    names = dict(zip(ds.innovations["innovation_id"].astype(str), ds.innovations["name"].astype(str)))
    names.update(zip(comp_rows["innovation_id"].astype(str), comp_rows["name"].astype(str)))
    owner = dict(zip(ds.innovations["innovation_id"].astype(str), ds.innovations["unit_id"].astype(str)))
    award = dict(zip(comp_rows["innovation_id"].astype(str), comp_rows["award"].astype(str)))
    abbrev = dict(
        zip(
            ds.units["unit_id"].astype(str),
            ds.units["abbreviation"].fillna(ds.units["name"]).astype(str),
        )
    )
    kov_sens = sak_sens = None
    for ev in ("kovablik", "sakip"):
        sc = scores[scores["evaluation"] == ev]
        rb = rubric[rubric["evaluation"] == ev]
        if sc.empty or rb.empty:
            scen_frames.append(
                _empty_result(
                    "Kendall's tau-b to the official ranking", f"no {ev} scores this year", evaluation=ev, scenario=""
                )
            )
            continue
        r = sens.rubric_sensitivity(
            sc,
            rb,
            n_reweight=n_reweight,
            concentration=concentration,
            grades=(ev == "sakip"),
            seed=np.random.default_rng(seeds[ev]),
        )
        if ev == "kovablik":
            kov_sens = r
        else:
            sak_sens = r
        scen_frames.append(r.scenarios.assign(evaluation=ev))
        e = r.entries.assign(evaluation=ev)
        if ev == "kovablik":
            e["unit_id"] = e["subject_id"].map(owner)
            e["award"] = _text(e["subject_id"].map(award))
            e["label"] = [
                entry_label(names.get(i, i), abbrev.get(owner.get(i, ""), "")) for i in e["subject_id"].astype(str)
            ]
        else:
            e["unit_id"] = e["subject_id"]
            e["award"] = ""
            e["label"] = _text(e["subject_id"].map(abbrev), e["subject_id"])
        entry_frames.append(e)
    scen = pd.concat(scen_frames, ignore_index=True)
    lead = ["evaluation", "scenario", "kind", "dropped", "criterion", "is_attendance", *inn.RESULT_COLUMNS]
    scen = scen.reindex(columns=lead + [c for c in scen.columns if c not in lead])
    for c in ("kept_top5", "kept_top10", "grade_changes"):
        if c not in scen.columns:
            scen[c] = np.nan
    entries = (
        pd.concat(entry_frames, ignore_index=True)
        if entry_frames
        else pd.DataFrame(columns=list(TABLES["sensitivity_entries"].columns))
    )
    for c in TABLES["sensitivity_entries"].columns:
        if c not in entries.columns:
            entries[c] = np.nan
    lead = list(TABLES["sensitivity_entries"].columns)
    entries = entries[lead + [c for c in entries.columns if c not in lead]]
    res.add("sensitivity_scenarios", scen, scores, rubric)
    res.add("sensitivity_entries", entries, scores, rubric)
    if has_sak_scores:
        rg, rg_note = sens.regulation_grades(sak_scores, rubric[rubric["evaluation"] == "sakip"])
    else:
        rg = pd.DataFrame(columns=[c for c in TABLES["regulation_grades"].columns if c != "note"])
        rg_note = "no SAKIP scores this year"
    rg["note"] = rg_note
    res.add("regulation_grades", rg, sak_scores, rubric)
    tick()
    if bar is not None:
        bar.close()

    # ---- facts and findings --------------------------------------------------------------
    record_bases = basis_of(*record_src)
    res.facts = _facts(
        ds,
        units_tbl,
        graded,
        high,
        low,
        exact,
        record_tests,
        juror_models,
        halo,
        jl,
        kov_sens,
        sak_sens,
        rg,
        rg_note,
        record_bases=record_bases,
        competition=competition,
        n_perm=n_perm,
        n_reweight=n_reweight,
        concentration=concentration,
    )
    res.set_findings(_findings(res))
    if not has_comp:
        res.notes.append(f"No {competition} entries are recorded for {year}: the award questions cannot be asked.")
    if not (has_sak_scores and has_kov_scores):
        res.notes.append(
            "Juror-level scores of both evaluations are needed for the juror-level part and the halo check."
        )
    return res


# ----------------------------------------------------------------------------------------
# Facts (numbers the notebook's sentences quote) and findings
# ----------------------------------------------------------------------------------------


def _facts(
    ds,
    units_tbl,
    graded,
    high,
    low,
    exact,
    record_tests,
    juror_models,
    halo,
    jl,
    kov_sens,
    sak_sens,
    rg,
    rg_note,
    *,
    record_bases,
    competition,
    n_perm,
    n_reweight,
    concentration,
) -> dict:
    ex = exact.iloc[0]
    apart = units_tbl[(~units_tbl["graded"]) & units_tbl["awarded"]]
    f = dict(
        competition=competition,
        n_units=len(units_tbl),
        n_graded=len(graded),
        n_awarded_graded=int(graded["awarded"].sum()),
        n_top5_graded=int((graded["award_group"] == "top5").sum()),
        n_top10_graded=int((graded["award_group"] == "top10").sum()),
        n_entries=int(units_tbl["n_entries"].sum()),
        n_units_with_entry=int((units_tbl["n_entries"] > 0).sum()),
        awardees_not_graded=[f"{r['name']} ({r['category']})" for _, r in apart.iterrows()],
        grades_used=[g for g in GRADE_ORDER[::-1] if (graded["grade"] == g).any()],
        high_grades=list(high),
        low_grades=list(low),
        record_bases=record_bases,
        record_provenance=provenance_label(record_bases) if record_bases else "",
        record_is_published=bool(record_bases) and set(record_bases) <= {"named", "observed", "inferred"},
        has_competition=bool((units_tbl["n_entries"] > 0).any()),
        # entries of the year's other competitions, {competition: n}: named when the one
        # analysed has none ("no KOVABLIK entries" beside 8 kovablik_provinsi ones)
        other_competitions={
            str(c): int(n)
            for c, n in ds.innovations.loc[ds.innovations["competition"] != competition, "competition"]
            .value_counts(sort=False)
            .sort_index()
            .items()
        },
        # the other competition whose entries the KOVABLIK jury scored (most of them), or ""
        scored_competition=_scored_competition(ds, competition),
        has_sakip_scores=bool((ds.scores["evaluation"] == "sakip").any()),
        has_kovablik_scores=bool((ds.scores["evaluation"] == "kovablik").any()),
        n_perm=n_perm,
        n_reweight=n_reweight,
        concentration=concentration,
        exact=dict(
            estimate=ex["estimate"],
            ci_low=ex["ci_low"],
            ci_high=ex["ci_high"],
            p_value=ex["p_value"],
            table=[[int(ex["awarded_high"]), int(ex["awarded_low"])], [int(ex["other_high"]), int(ex["other_low"])]],
            note=ex["note"],
        ),
    )
    pw = record_tests[record_tests["test"] == "power of Fisher's exact test"]
    f["detectable_above"] = float(pw["estimate"].iloc[0]) if len(pw) else np.nan
    f["detectable_below"] = float(pw["estimate"].iloc[1]) if len(pw) > 1 else np.nan
    trend = record_tests[record_tests["test"] == "trend across award levels x grade"]
    ex_tr = trend[trend["method"] == "exact conditional"]
    f["trend_r"] = float(trend["estimate"].iloc[0]) if len(trend) else np.nan
    f["trend_p_exact"] = float(ex_tr["p_value"].iloc[0]) if len(ex_tr) else np.nan
    f["trend_p_asymptotic"] = float(trend["p_value"].iloc[0]) if len(trend) else np.nan
    # shares of high grades by award group
    shares = {}
    for grp in AWARD_GROUPS:
        sub = graded[graded["award_group"] == grp]
        shares[grp] = (int(sub["high_grade"].astype(bool).sum()), len(sub))
    f["high_by_group"] = shares
    gap = juror_models[juror_models["analysis"] == "award gap"].iloc[0]
    f["gap"] = dict(gap[["estimate", "ci_low", "ci_high", "p_value", "n", "note"]])
    lg = juror_models[(juror_models["analysis"] == "logistic")]
    f["logit_total"] = dict(lg.iloc[0][["estimate", "ci_low", "ci_high", "p_value", "n", "method", "note"]])
    rc = juror_models[juror_models["analysis"] == "rank correlation"].iloc[0]
    f["rank_corr"] = dict(rc[["statistic", "estimate", "ci_low", "ci_high", "p_value", "n", "note"]])
    h = halo.iloc[0]
    f["halo"] = dict(h[["estimate", "ci_low", "ci_high", "p_value", "n", "method", "note"]])
    rel = halo[halo["statistic"].str.startswith("reliability")]
    f["halo_reliability"] = dict(zip(rel["statistic"], rel["estimate"]))
    f["n_jurors_both"] = int(jl["in_both"].sum()) if len(jl) else 0
    for ev, r in (("kovablik", kov_sens), ("sakip", sak_sens)):
        d = {"available": r is not None}
        if r is not None:
            sc = r.scenarios
            rnd = sc[sc["kind"] == "random"]
            att = sc[sc["is_attendance"].astype(bool)]
            eq = sc[sc["kind"] == "equal"].iloc[0]
            n_stages = int(ds.rubric.loc[ds.rubric["evaluation"] == ev, "stage"].nunique())
            d.update(
                n_stages=n_stages,
                ranked_what="finalists (entries scored in every stage)" if n_stages > 1 else "entries",
                ranked_what_id="finalis (entri yang dinilai di setiap tahap)" if n_stages > 1 else "entri",
                n_ranked=int(sc["n"].iloc[0]),
                random_tau=float(rnd["estimate"].iloc[0]) if len(rnd) else np.nan,
                random_tau_low=float(rnd["ci_low"].iloc[0]) if len(rnd) else np.nan,
                random_tau_high=float(rnd["ci_high"].iloc[0]) if len(rnd) else np.nan,
                random_kept_top5=float(rnd["kept_top5"].iloc[0]) if len(rnd) else np.nan,
                equal_tau=float(eq["estimate"]),
                equal_kept_top5=float(eq["kept_top5"]),
                attendance=[
                    dict(
                        criterion_id=str(a["dropped"]),
                        criterion=str(a["criterion"]),
                        tau=float(a["estimate"]),
                        kept_top5=float(a["kept_top5"]),
                    )
                    for _, a in att.iterrows()
                ],
                worst_drop=None,
            )
            drops = sc[sc["kind"] == "drop"].dropna(subset=["estimate"])
            if len(drops):
                w = drops.sort_values("estimate", kind="stable").iloc[0]
                d["worst_drop"] = dict(
                    criterion_id=str(w["dropped"]),
                    criterion=str(w["criterion"]),
                    tau=float(w["estimate"]),
                    kept_top5=float(w["kept_top5"]),
                )
            ent = r.entries[r.entries["ranked"]]
            if "p_top5" in ent and ent["p_top5"].notna().any():
                top5 = ent[ent["official_top5"]]
                d["top5_secure"] = int((top5["p_top5"] >= 0.9).sum())
                d["n_top5"] = len(top5)
                d["outsiders_in_top5"] = int(((~ent["official_top5"]) & (ent["p_top5"] >= 0.1)).sum())
            if ev == "sakip" and "grade_changes" in sc:
                d["random_grade_changes"] = float(rnd["grade_changes"].iloc[0]) if len(rnd) else np.nan
        f[f"sens_{ev}"] = d
    f["regulation"] = dict(
        n=len(rg),
        changed=int(rg["grade_changed"].sum()) if len(rg) else 0,
        note=rg_note,
        changed_units=list(rg.loc[rg["grade_changed"].astype(bool), "subject_id"]) if len(rg) else [],
    )
    return f


def competition_label(competition: str) -> str:
    """How a competition id reads in a sentence.

    >>> competition_label("kovablik"), competition_label("kovablik_provinsi")
    ('KOVABLIK', 'KOVABLIK provinsi')
    """
    head, _, rest = str(competition).partition("_")
    return " ".join([head.upper(), rest.replace("_", " ")]).strip()


#: Indonesian wording of the reasons an estimate is undefined (English fallback in brackets).
_REASONS_ID = [
    (
        r"^no SAKIP totals this year \(none is published, and (\d+) of (\d+) juror totals are incomplete.*",
        r"tidak ada total SAKIP tahun ini (tidak ada yang dipublikasikan, dan \1 dari \2 total evaluator tidak "
        r"lengkap: ada kriteria yang tidak dinilai)",
    ),
    (
        r"^no SAKIP totals this year.*",
        "tidak ada total SAKIP tahun ini (baik yang dipublikasikan maupun dari nilai evaluator)",
    ),
    (r"^no (.+) entries this year$", r"tidak ada entri \1 tahun ini"),
    (r"^no unit is graded this year$", "tidak ada unit yang diberi predikat tahun ini"),
    (
        r"^no graded unit has a SAKIP total this year.*",
        "tidak ada unit berpredikat yang memiliki total SAKIP tahun ini (tidak ada yang dipublikasikan, dan tidak "
        "ada yang dinilai evaluator)",
    ),
    (r"^.+ is the same for every unit.*", "total SAKIP sama untuk semua unit, jadi tidak ada selisih"),
    (r"^.+ is collinear with the categories.*", "kelompok penghargaan berimpit dengan kategori unit"),
    (r"^needs units in both groups.*", "perlu unit di kedua kelompok dan minimal 4 unit"),
    (r"^needs juror scores of both evaluations.*", "memerlukan nilai evaluator untuk kedua evaluasi tahun ini"),
    (
        r"^(\d+) juror\(s\) judged both evaluations.*",
        r"hanya \1 evaluator yang menilai kedua evaluasi; korelasi memerlukan minimal 3",
    ),
    (r"^leniency is constant.*", "kemurahan evaluator konstan pada salah satu evaluasi"),
    (r"^no shared jurors$", "tidak ada evaluator yang menilai kedua evaluasi"),
]


def _grades_text(gs, lang="en"):
    word = " atau lebih baik" if lang == "id" else " or better"
    if not gs:
        return ""
    return f"{gs[-1]}{word}" if len(gs) > 1 or gs[0] != GRADE_ORDER[-1] else gs[0]


def _award_split(n: int, k: int, table, comp: str, high: str, lang: str = "en") -> str:
    """'Of the 29 graded units, 8 won a KOVABLIK award; 3 of those 8 (38%) got A or better,
    against 7 of the other 21 (33%)' (Indonesian with ``lang="id"``), from the 2 x 2 table
    ``[[awarded high, awarded low], [other high, other low]]``."""
    (a, b), (c, d) = table
    sa, so = fmt_share(a / (a + b), lang=lang), fmt_share(c / (c + d), lang=lang)
    if lang == "id":
        # one winner: "1 dari 1 itu (100%)" said nothing a reader needs
        got = "mendapat" if a else "tidak mendapat"
        won = f"unit itu {got} {high}" if k == 1 else f"{a} dari {k} itu ({sa}) mendapat {high}"
        return f"Dari {n} unit yang dinilai, {k} memenangkan penghargaan {comp}; {won}, dibanding {c} dari {c + d} lainnya ({so})"
    # one winner: "1 of those 1 (100%) got A or better" read as a count, not a sentence
    won = f"it {'got' if a else 'did not get'} {high}" if k == 1 else f"{a} of those {k} ({sa}) got {high}"
    return f"Of the {n} graded units, {k} won a {comp} award; {won}, against {c} of the other {c + d} ({so})"


def _scored_competition(ds, competition: str) -> str:
    """The other competition with most entries scored by the KOVABLIK jury this year, or ""."""
    scored = set(ds.scores.loc[ds.scores["evaluation"] == "kovablik", "subject_id"].astype(str))
    inn = ds.innovations[ds.innovations["competition"] != competition]
    counts = inn[inn["innovation_id"].astype(str).isin(scored)]["competition"].astype(str).value_counts()
    return str(counts.index[0]) if len(counts) else ""


def _both_grade_sides(ex: dict) -> bool:
    """Whether the 2 x 2 table has units on both sides of the grade split (with every
    unit on one side there is no grade difference for awards to explain)."""
    (a, b), (c, d) = ex["table"]
    return a + c > 0 and b + d > 0


def _findings(res: Analysis) -> list[Finding]:
    f = res.facts
    q_en, q_id = QUESTIONS["innovations"]
    out = []
    bases_record = f["record_bases"]
    comp = competition_label(f["competition"])
    ex = f["exact"]
    n, k = f["n_graded"], f["n_awarded_graded"]
    hi_en, hi_id = _grades_text(f["high_grades"]), _grades_text(f["high_grades"], "id")

    # 1. award x grade, exact test
    record_note = ex["note"] or (
        "" if f["record_is_published"] else "grades or awards of this year are not published ones"
    )
    if not f["has_competition"]:
        why = f"No {comp} entries are recorded for {res.year}, so awards cannot be compared with grades."
        why_id = f"Tidak ada entri {comp} tercatat untuk {res.year}, jadi penghargaan tidak dapat dibandingkan dengan predikat."
        others = f["other_competitions"]
        if others:
            listed = ", ".join(f"{n} of {c}" for c, n in others.items())
            listed_id = ", ".join(f"{n} entri {c}" for c, n in others.items())
            # the competition the jury's scores belong to, else the one with most entries
            best = f["scored_competition"] or max(others, key=lambda c: (others[c], c))
            scored_en = f"; the KOVABLIK jury scores below are of {best} entries" if f["scored_competition"] else ""
            scored_id = f"; nilai juri KOVABLIK di bawah adalah nilai entri {best}" if f["scored_competition"] else ""
            why += (
                f" The innovations table has entries of other competitions ({listed}{scored_en}): run with "
                f"-p competition={best} to compare those awards with grades."
            )
            why_id += (
                f" Tabel inovasi memuat entri kompetisi lain ({listed_id}{scored_id}): jalankan dengan "
                f"-p competition={best} untuk membandingkan penghargaan itu dengan predikat."
            )
        out.append(
            Finding(
                "innovations.award_grade",
                q_en,
                why,
                why_id,
                bases=bases_record,
                evidence="exact_test.csv",
                status="undefined",
                measure="odds ratio",
            )
        )
    elif not np.isfinite(ex["estimate"]) and 0 < k < n and np.isfinite(ex["p_value"]) and _both_grade_sides(ex):
        # every award winner on one side of the grade split (or none): the odds ratio is
        # 0 or infinite, but the exact test is computed; it had been called "no graded
        # unit won an award" beside a table of six winners
        (a, b), (c, d) = ex["table"]
        p = ex["p_value"]
        above = a / (a + b) > c / (c + d)
        side_en = f"every winner got {hi_en}" if above else f"no winner got {hi_en}"
        side_id = f"semua pemenang mendapat {hi_id}" if above else f"tidak ada pemenang yang mendapat {hi_id}"
        bound = ex["ci_low"] if above else ex["ci_high"]
        bound_en = (
            f"its exact 95% CI from {fmt_number(bound)} up" if above else f"its exact 95% CI up to {fmt_number(bound)}"
        )
        bound_id = (
            f"IK 95% eksak mulai {fmt_number(bound, lang='id')}"
            if above
            else f"IK 95% eksak sampai {fmt_number(bound, lang='id')}"
        )
        if p < 0.05:
            verdict, verdict_id = (
                "an association this strong would be unlikely by chance",
                "asosiasi sekuat ini tidak mungkin terjadi secara kebetulan",
            )
        else:
            verdict, verdict_id = (
                "no evidence of an association at the 5% level, with so few units",
                "tidak ada bukti asosiasi pada taraf 5%, dengan unit sesedikit ini",
            )
        st = (
            f"{_award_split(n, k, ex['table'], comp, hi_en)}: since {side_en}, the odds ratio is "
            f"{'infinite' if above else '0'} ({bound_en}), {p_value(p)} (Fisher's exact test) — {verdict}."
        )
        st_id = (
            f"{_award_split(n, k, ex['table'], comp, hi_id, 'id')}: karena {side_id}, rasio odds "
            f"{'tak hingga' if above else '0'} ({bound_id}), {p_value(p, 'id')} (uji eksak Fisher) — {verdict_id}."
        )
        out.append(
            Finding(
                "innovations.award_grade",
                q_en,
                st,
                st_id,
                estimate=p,
                measure="p-value (Fisher's exact test)",
                n=n,
                bases=bases_record,
                evidence="exact_test.csv",
                note=record_note,
            )
        )
    elif not np.isfinite(ex["estimate"]):
        if n == 0:
            why, why_id = "No unit is graded this year.", "Tidak ada unit yang dinilai tahun ini."
        elif not f["low_grades"]:
            why = f"All {n} graded units got the same grade, so there is no grade difference for awards to explain."
            why_id = f"Ke-{n} unit yang dinilai mendapat predikat yang sama, jadi tidak ada perbedaan predikat untuk dijelaskan."
        elif k == n:
            why = f"Every graded unit won a {comp} award in {res.year}, so there is no other group to compare with."
            why_id = (
                f"Semua unit yang dinilai memenangkan penghargaan {comp} pada {res.year}, jadi tidak ada kelompok "
                "lain sebagai pembanding."
            )
        else:
            why = f"No graded unit won a {comp} award in {res.year}, so there is nothing to compare."
            why_id = f"Tidak ada unit yang dinilai yang memenangkan penghargaan {comp} pada {res.year}, jadi tidak ada yang dibandingkan."
        out.append(
            Finding(
                "innovations.award_grade",
                q_en,
                why,
                why_id,
                bases=bases_record,
                evidence="exact_test.csv",
                status="undefined",
                measure="odds ratio",
                n=n,
            )
        )
    else:
        ci_en = format_ci(ex["estimate"], ex["ci_low"], ex["ci_high"])
        ci_id = format_ci(ex["estimate"], ex["ci_low"], ex["ci_high"], lang="id")
        p = ex["p_value"]
        if p < 0.05:
            verdict = "an association this strong would be unlikely by chance"
            verdict_id = "asosiasi sekuat ini tidak mungkin terjadi secara kebetulan"
        else:
            verdict = "no evidence of an association, and the interval is too wide to rule one out"
            verdict_id = "tidak ada bukti asosiasi, dan intervalnya terlalu lebar untuk menyingkirkannya"
        st = (
            f"{_award_split(n, k, ex['table'], comp, hi_en)}: odds ratio {ci_en} (exact 95% CI), "
            f"{p_value(p)} — {verdict}."
        )
        st_id = (
            f"{_award_split(n, k, ex['table'], comp, hi_id, 'id')}: rasio odds {ci_id} "
            f"(IK 95% eksak), {p_value(p, 'id')} — {verdict_id}."
        )
        out.append(
            Finding(
                "innovations.award_grade",
                q_en,
                st,
                st_id,
                estimate=ex["estimate"],
                ci_low=ex["ci_low"],
                ci_high=ex["ci_high"],
                ci_level=0.95,
                measure="odds ratio (conditional MLE)",
                n=n,
                bases=bases_record,
                evidence="exact_test.csv",
                note=record_note,
            )
        )

    # 2. what the sample can detect
    up, down = f["detectable_above"], f["detectable_below"]
    comparable = np.isfinite(ex["estimate"]) or (0 < k < n and np.isfinite(ex["p_value"]))
    if f["has_competition"] and comparable and np.isfinite(up) and math.isfinite(up):
        st = (
            f"With {n} graded units and these margins, Fisher's exact test reaches 80% power only for an odds ratio of "
            f"at least {fmt_number(up, 1)} (or at most {fmt_number(down, 2)}): weaker links between awards and grades "
            "would most likely go unnoticed."
        )
        st_id = (
            f"Dengan {n} unit yang dinilai dan marginal ini, uji eksak Fisher baru mencapai kuasa 80% untuk rasio odds "
            f"minimal {fmt_number(up, 1, 'id')} (atau maksimal {fmt_number(down, 2, 'id')}): hubungan yang lebih lemah "
            "antara penghargaan dan predikat kemungkinan besar tidak terdeteksi."
        )
        out.append(
            Finding(
                "innovations.detectable",
                q_en,
                st,
                st_id,
                estimate=up,
                measure="odds ratio detectable with 80% power",
                n=n,
                bases=bases_record,
                evidence="record_tests.csv",
                note="conditional power at the observed margins, two-sided alpha 0.05",
            )
        )
    else:
        why = "What the exact test could detect cannot be stated: " + (
            "no award comparison is possible this year."
            if not (f["has_competition"] and comparable)
            else "no odds ratio, however large, would reach 80% power at these margins."
        )
        why_id = "Apa yang dapat dideteksi uji eksak tidak dapat dinyatakan: " + (
            "perbandingan penghargaan tidak mungkin tahun ini."
            if not (f["has_competition"] and comparable)
            else "tidak ada rasio odds, sebesar apa pun, yang mencapai kuasa 80% pada marginal ini."
        )
        out.append(
            Finding(
                "innovations.detectable",
                q_en,
                why,
                why_id,
                measure="odds ratio detectable with 80% power",
                n=n,
                bases=bases_record,
                evidence="record_tests.csv",
                status="undefined",
            )
        )

    # 3. gap in SAKIP totals (juror level)
    g = f["gap"]
    jm_bases = res.bases.get("juror_models", [])
    if np.isfinite(g["estimate"]):
        direction = "higher" if g["estimate"] > 0 else "lower"
        direction_id = "lebih tinggi" if g["estimate"] > 0 else "lebih rendah"
        st = (
            f"Units with a {comp} award have SAKIP totals {fmt_number(abs(g['estimate']))} points {direction} than "
            f"the other graded units of their category ({format_ci(g['estimate'], g['ci_low'], g['ci_high'])}, 95% CI; "
            f"{int(g['n'])} units) — a description, not proof that innovating raises grades."
        )
        st_id = (
            f"Unit yang memenangkan penghargaan {comp} memiliki total SAKIP {fmt_number(abs(g['estimate']), lang='id')} poin "
            f"{direction_id} daripada unit lain sekategori ({format_ci(g['estimate'], g['ci_low'], g['ci_high'], lang='id')}, "
            f"IK 95%; {int(g['n'])} unit) — gambaran, bukan bukti bahwa inovasi menaikkan predikat."
        )
        out.append(
            Finding(
                "innovations.award_gap",
                q_en,
                st,
                st_id,
                estimate=g["estimate"],
                ci_low=g["ci_low"],
                ci_high=g["ci_high"],
                ci_level=0.95,
                measure="points (awarded - other, within category)",
                n=g["n"],
                bases=jm_bases,
                evidence="juror_models.csv",
                note=str(g["note"] or ""),
            )
        )
    else:
        reason = str(g["note"] or "no totals").split("; ")[-1]
        why = f"The gap in SAKIP totals between awarded and other units cannot be estimated: {reason}."
        why_id = f"Selisih total SAKIP antara unit pemenang dan lainnya tidak dapat diestimasi: {reason_id(reason, _REASONS_ID)}."
        out.append(
            Finding(
                "innovations.award_gap",
                q_en,
                why,
                why_id,
                measure="points (awarded - other, within category)",
                bases=jm_bases,
                evidence="juror_models.csv",
                status="undefined",
            )
        )

    # 4. halo
    h = f["halo"]
    halo_bases = res.bases.get("halo", [])
    if np.isfinite(h["estimate"]):
        strength = (
            "strongly"
            if h["estimate"] >= 0.7
            else "moderately"
            if h["estimate"] >= 0.4
            else "weakly"
            if h["estimate"] >= 0.1
            else "hardly"
        )
        strength_id = {"strongly": "kuat", "moderately": "sedang", "weakly": "lemah", "hardly": "hampir tidak"}[
            strength
        ]
        # the reading follows the interval: a strong r whose interval reaches below 0 (four
        # jurors: 0.90 [-0.44, 1.00]) says the data cannot tell, not that leniency carries over
        shown = h["estimate"] >= 0.4 and np.isfinite(h["ci_low"]) and h["ci_low"] > 0
        unsure = np.isfinite(h["ci_low"]) and h["ci_low"] <= 0 and h["estimate"] >= 0.1
        tail = (
            ", so a lenient juror's generosity reaches both rankings."
            if shown
            else f"; with {int(h['n'])} jurors the interval reaches below 0, so the data cannot tell."
            if unsure
            else "."
        )
        tail_id = (
            ", jadi kemurahan seorang evaluator menjangkau kedua peringkat."
            if shown
            else f"; dengan {int(h['n'])} evaluator intervalnya mencapai di bawah 0, jadi data belum dapat memastikannya."
            if unsure
            else "."
        )
        st = (
            f"Among the {int(h['n'])} jurors who judged both evaluations, leniency in SAKIP and in {comp} go together "
            f"{strength}: r = {format_ci(h['estimate'], h['ci_low'], h['ci_high'])} (95% CI){tail}"
        )
        st_id = (
            f"Di antara {int(h['n'])} evaluator yang menilai kedua evaluasi, kemurahan dalam SAKIP dan {comp} "
            f"berhubungan {strength_id}: r = {format_ci(h['estimate'], h['ci_low'], h['ci_high'], lang='id')} (IK 95%)"
            + tail_id
        )
        out.append(
            Finding(
                "innovations.halo",
                q_en,
                st,
                st_id,
                estimate=h["estimate"],
                ci_low=h["ci_low"],
                ci_high=h["ci_high"],
                ci_level=0.95,
                measure="Pearson r of juror leniencies",
                n=h["n"],
                bases=halo_bases,
                evidence="halo.csv",
                note="leniencies are estimates: their error pulls r towards 0",
            )
        )
    else:
        why = f"The halo check cannot be computed: {h['note'] or 'no shared jurors'}."
        why_id = (
            f"Pemeriksaan efek halo tidak dapat dihitung: {reason_id(h['note'] or 'no shared jurors', _REASONS_ID)}."
        )
        out.append(
            Finding(
                "innovations.halo",
                q_en,
                why,
                why_id,
                measure="Pearson r of juror leniencies",
                bases=halo_bases,
                evidence="halo.csv",
                status="undefined",
            )
        )

    # 5. rubric sensitivity of the innovation ranking
    s = f["sens_kovablik"]
    sens_bases = res.bases.get("sensitivity_scenarios", [])
    if s["available"] and s["n_ranked"] >= 2 and np.isfinite(s["random_tau"]):
        att = s["attendance"][0] if s["attendance"] else None
        # with 5 entries or fewer every one is in the top 5 under any weights ("keep 3.00 of
        # their 5 places" read as two lost): the sentence says so instead of a count
        top5 = np.isfinite(s["random_kept_top5"])
        parts = [
            f"Across {fmt_number(f['n_reweight'], 0)} random reweightings of the {comp} rubric (Dirichlet, concentration "
            f"{f['concentration']:g}), the ranking of the {s['n_ranked']} {s['ranked_what']} keeps a median Kendall's "
            f"tau of {fmt_number(s['random_tau'])} with the official one and "
            + (
                f"the official top 5 keep {fmt_number(s['random_kept_top5'])} of their 5 places on average"
                if top5
                else f"all {s['n_ranked']} are in the top 5 under any weights"
            )
        ]
        parts_id = [
            f"Dari {fmt_number(f['n_reweight'], 0, 'id')} pembobotan ulang acak rubrik {comp} (Dirichlet, konsentrasi "
            f"{f['concentration']:g}), peringkat {s['n_ranked']} {s['ranked_what_id']} mempertahankan median tau Kendall "
            f"{fmt_number(s['random_tau'], lang='id')} terhadap peringkat resmi dan "
            + (
                f"5 besar resmi mempertahankan rata-rata {fmt_number(s['random_kept_top5'], lang='id')} dari 5 tempatnya"
                if top5
                else f"ke-{s['n_ranked']} entri selalu masuk 5 besar, apa pun bobotnya"
            )
        ]
        if att and not np.isfinite(att["kept_top5"]):
            parts.append(
                f"; dropping the attendance criterion ({att['criterion_id']}) gives tau = {fmt_number(att['tau'])}"
            )
            parts_id.append(
                f"; tanpa kriteria kehadiran ({att['criterion_id']}) tau = {fmt_number(att['tau'], lang='id')}"
            )
        elif att:
            parts.append(
                f"; dropping the attendance criterion ({att['criterion_id']}) gives tau = {fmt_number(att['tau'])} and "
                f"keeps {int(att['kept_top5'])} of the top 5"
            )
            parts_id.append(
                f"; tanpa kriteria kehadiran ({att['criterion_id']}) tau = {fmt_number(att['tau'], lang='id')} dan "
                f"{int(att['kept_top5'])} dari 5 besar bertahan"
            )
        st = "".join(parts) + "."
        st_id = "".join(parts_id) + "."
        out.append(
            Finding(
                "innovations.rubric",
                q_en,
                st,
                st_id,
                estimate=s["random_tau"],
                measure="Kendall's tau-b to the official ranking (median over reweightings)",
                n=s["n_ranked"],
                bases=sens_bases,
                evidence="sensitivity_scenarios.csv",
                note=f"middle 95% of reweightings: {fmt_number(s['random_tau_low'])} to {fmt_number(s['random_tau_high'])} (a spread, not a confidence interval)",
            )
        )
    else:
        if not s["available"]:
            reason = (
                "no juror scores of the competition this year.",
                "tidak ada nilai evaluator untuk kompetisi ini tahun ini.",
            )
        elif s["n_ranked"] < 2:
            reason = (
                "fewer than 2 entries have a complete juror total in every stage.",
                "kurang dari 2 entri yang memiliki total evaluator lengkap di setiap tahap.",
            )
        elif f["n_reweight"] <= 0:
            reason = ("no random reweightings were asked for.", "tidak ada pembobotan ulang acak yang diminta.")
        else:
            reason = (
                "every entry has the same total, so there is no ranking to perturb.",
                "semua entri memiliki total yang sama, jadi tidak ada peringkat yang dapat diuji.",
            )
        why = f"The sensitivity of the {comp} ranking to its rubric cannot be computed: {reason[0]}"
        why_id = f"Kepekaan peringkat {comp} terhadap rubriknya tidak dapat dihitung: {reason[1]}"
        out.append(
            Finding(
                "innovations.rubric",
                q_en,
                why,
                why_id,
                measure="Kendall's tau-b to the official ranking (median over reweightings)",
                bases=sens_bases,
                evidence="sensitivity_scenarios.csv",
                status="undefined",
            )
        )
    return out
