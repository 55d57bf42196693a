"""What changed since last year? Grades, agreement and juror severity across years (notebook 05).

Across the evaluation years of one dataset up to the report's year (never later years,
never another dataset): how units' SAKIP grades moved between consecutive years (a
transition matrix), whether the grade distribution drifts towards the top grades (mean
change in grade steps with a bootstrap interval and an exact sign test), how agreement
between jurors and each returning juror's severity evolve, and each unit's trajectory.

With one year up to the report's year the tables are empty and every finding is
``undefined`` with the reason: the notebook says so and stops cleanly.

Juror severity is, for now, a juror's mean deviation from the panel mean of the units
they scored (negative = harsher than the panel). When the juror-effects model of
notebook 02 lands, :func:`juror_severity` is the one place to switch to its estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER
from ..data.provenance import basis_of
from ..stats.agreement._icc import icc
from ..stats.trend import correlation, mean_change, sign_test
from .agreement import ICC_CI, icc_ci_label, juror_grades
from .base import Analysis, TableSpec, year_of
from .findings import QUESTIONS, Finding, format_ci, p_value, plural

NAME = "trends"
NOTEBOOK = "05_trends"

#: Grade steps: D = 0 ... AA = 6.
GRADE_CODE = {g: i for i, g in enumerate(GRADE_ORDER)}
#: ICC forms followed over the years (Shrout & Fleiss names; McGraw & Wong in the table).
TREND_ICC = ("ICC(2,1)", "ICC(2,k)")

TABLES = {
    "transitions": TableSpec(
        "units by their SAKIP grade in one year and in the next (consecutive years of the dataset up to the "
        "report's year); one row per pair of years and pair of grades that occurs",
        {
            "year_from": "earlier year",
            "year_to": "later year",
            "grade_from": "grade in the earlier year",
            "grade_to": "grade in the later year",
            "n_units": "units with these two grades",
        },
    ),
    "movement": TableSpec(
        "per pair of consecutive years: how many units graded in both moved up, kept or moved down their grade",
        {
            "year_from": "earlier year",
            "year_to": "later year",
            "n_units": "units graded in both years",
            "n_up": "units with a better grade in the later year",
            "n_same": "units with the same grade",
            "n_down": "units with a worse grade",
            "n_only_from": "units graded in the earlier year only",
            "n_only_to": "units graded in the later year only",
        },
    ),
    "grade_distribution": TableSpec(
        "SAKIP grades per year: units per grade and their share of the year's graded units",
        {
            "year": "evaluation year",
            "grade": "grade (AA best)",
            "n_units": "units with this grade",
            "share": "share of the year's graded units",
            "mean_grade_step": "the year's mean grade step (D = 0 ... AA = 6), repeated on each row",
        },
    ),
    "drift": TableSpec(
        "is there drift towards the top grades? change in grade steps of the units graded both in the first "
        "year of the window and in the report's year: its mean (BCa bootstrap CI over units) and the exact "
        "sign test of up against down",
        {
            "statistic": "mean change or sign test",
            "year_from": "first year",
            "year_to": "report year",
            "estimate": "mean change in grade steps; for the sign test the share of moving units that moved up",
            "ci_low": "lower 95% limit",
            "ci_high": "upper 95% limit",
            "p_value": "two-sided exact p-value of the sign test (NaN for the mean)",
            "n": "units (mean) or units that moved (sign test)",
            "method": "how it was computed",
            "note": "why a value is NaN or degenerate",
            "n_up": "units with a better grade in the report's year than in the first (sign test row)",
            "n_down": "units with a worse grade",
            "n_tied": "units with the same grade",
        },
    ),
    "agreement_over_time": TableSpec(
        "agreement between jurors on SAKIP totals per year: ICC(A,1) (single juror) and ICC(A,k) (panel mean)",
        {
            "year": "evaluation year",
            "statistic": "Shrout & Fleiss name",
            "also_known_as": "McGraw & Wong name",
            "estimate": "ICC",
            "ci_low": "lower 95% limit",
            "ci_high": "upper 95% limit",
            "ci_method": "exact F interval (ICC(1,1), ICC(3,1) of a complete design) or generalized CI from method-3 sums of squares (ICC(2,·), and every form with missing cells)",
            "n_subjects": "units",
            "n_raters": "jurors",
            "n_returning": "jurors of the year who also scored in another year of the window",
            "note": "why a value is NaN",
        },
    ),
    "juror_severity": TableSpec(
        "each juror's severity per year: mean deviation of their SAKIP totals from the panel mean of the same "
        "units (negative = harsher than the panel)",
        {
            "year": "evaluation year",
            "juror_id": "juror (pseudonym)",
            "panel": "panel type",
            "severity": "mean of (juror's total - unit's panel-mean total), points",
            "n_units": "units the juror scored",
            "returning": "the juror scored in another year of the window too",
            "method": "how severity was estimated",
        },
    ),
    "severity_stability": TableSpec(
        "do returning jurors keep their severity? Pearson correlation of a juror's severity in one year and the "
        "next, per pair of consecutive years and pooled over them (`all`)",
        {
            "year_from": "earlier year (`all` when pooled)",
            "year_to": "later year (`all` when pooled)",
            "n_jurors": "returning jurors in the pair of years",
            "estimate": "Pearson r",
            "ci_low": "lower 95% limit (Fisher z)",
            "ci_high": "upper 95% limit",
            "p_value": "t test of r = 0",
            "note": "why a value is NaN",
        },
    ),
    "trajectories": TableSpec(
        "each unit's grade and juror-mean total per year of the window",
        {
            "unit_id": "unit",
            "label": "abbreviation (or name)",
            "category": "unit category",
            "year": "evaluation year",
            "grade": "grade on record",
            "grade_step": "grade step (D = 0 ... AA = 6)",
            "total": "mean of the jurors' SAKIP totals (NaN without scores)",
            "basis": "basis of the grade row",
        },
    ),
    "unit_paths": TableSpec(
        "each unit's path of grades over the window, first to last year",
        {
            "unit_id": "unit",
            "label": "abbreviation (or name)",
            "category": "unit category",
            "first_year": "first year graded",
            "last_year": "last year graded",
            "n_years": "years graded",
            "path": "grades in year order",
            "change_steps": "grade steps from the first to the last year",
            "n_changes": "years in which the grade differed from the year before",
        },
    ),
}


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(TABLES[name].columns))


def window_years(dataset, year: int) -> list[int]:
    """The dataset's years up to ``year`` that have SAKIP grades (the trend window)."""
    g = dataset.grades
    return sorted(int(y) for y in pd.unique(g.loc[g["year"] <= year, "year"]))


def _grades(dataset, years: list[int]) -> pd.DataFrame:
    units = dataset.units
    lab = units["abbreviation"].astype("string").fillna(units["name"].astype("string"))
    info = (
        pd.DataFrame({"year": units["year"], "unit_id": units["unit_id"], "label": lab, "category": units["category"]})
        .drop_duplicates(["year", "unit_id"])
        .astype({"unit_id": "string"})
    )
    g = dataset.grades[dataset.grades["year"].isin(years)].copy()
    g = g.assign(grade=g["grade"].astype(str), unit_id=g["unit_id"].astype("string"))
    g["grade_step"] = g["grade"].map(GRADE_CODE).astype(float)
    g = g.merge(info, on=["year", "unit_id"], how="left", validate="one_to_one")
    return g.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)


def transitions(grades: pd.DataFrame, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Transition counts and up/same/down movement for each pair of consecutive years."""
    rows, moves = [], []
    for y0, y1 in zip(years[:-1], years[1:]):
        a = grades[grades["year"] == y0].set_index("unit_id")
        b = grades[grades["year"] == y1].set_index("unit_id")
        both = a.index.intersection(b.index).sort_values()
        pair = pd.DataFrame(
            {
                "grade_from": a.loc[both, "grade"].to_numpy(),
                "grade_to": b.loc[both, "grade"].to_numpy(),
                "d": (b.loc[both, "grade_step"] - a.loc[both, "grade_step"]).to_numpy(),
            }
        )
        counts = pair.groupby(["grade_from", "grade_to"], observed=True, dropna=False).size()
        for (gf, gt), n in counts.items():
            rows.append(dict(year_from=y0, year_to=y1, grade_from=gf, grade_to=gt, n_units=int(n)))
        moves.append(
            dict(
                year_from=y0,
                year_to=y1,
                n_units=len(both),
                n_up=int((pair["d"] > 0).sum()),
                n_same=int((pair["d"] == 0).sum()),
                n_down=int((pair["d"] < 0).sum()),
                n_only_from=len(a.index.difference(b.index)),
                n_only_to=len(b.index.difference(a.index)),
            )
        )
    t = pd.DataFrame(rows, columns=list(TABLES["transitions"].columns))
    if len(t):
        order = {g: i for i, g in enumerate(GRADE_ORDER[::-1])}
        t = t.sort_values(
            ["year_from", "grade_from", "grade_to"], key=lambda s: s.map(order) if s.name != "year_from" else s
        ).reset_index(drop=True)
    return t, pd.DataFrame(moves, columns=list(TABLES["movement"].columns))


def grade_distribution(grades: pd.DataFrame) -> pd.DataFrame:
    """Units per grade and year, best grade first; with the year's mean grade step."""
    rows = []
    for y, part in grades.groupby("year", observed=True, sort=True):
        counts = part["grade"].value_counts(dropna=True)
        mean_step = float(part["grade_step"].mean())
        for g in GRADE_ORDER[::-1]:
            if g in counts.index:
                rows.append(
                    dict(
                        year=int(y),
                        grade=g,
                        n_units=int(counts[g]),
                        share=counts[g] / len(part),
                        mean_grade_step=mean_step,
                    )
                )
    return pd.DataFrame(rows, columns=list(TABLES["grade_distribution"].columns))


def drift(grades: pd.DataFrame, first: int, last: int, *, n_boot: int, seed) -> pd.DataFrame:
    """Mean change in grade steps from ``first`` to ``last`` (bootstrap CI) and the sign test."""
    a = grades[grades["year"] == first].set_index("unit_id")["grade_step"]
    b = grades[grades["year"] == last].set_index("unit_id")["grade_step"]
    both = a.index.intersection(b.index).sort_values()
    d = (b.loc[both] - a.loc[both]).to_numpy(float)
    out = pd.concat([mean_change(d, n_boot=n_boot, seed=seed), sign_test(d)], ignore_index=True)
    out.insert(1, "year_from", first)
    out.insert(2, "year_to", last)
    return out.reset_index(drop=True)[list(TABLES["drift"].columns)]


def juror_totals(dataset, years: list[int]) -> pd.DataFrame:
    """Each juror's SAKIP total per unit and year: ``year, subject_id, juror_id, score``."""
    parts = []
    for y in years:
        if not ((dataset.scores["year"] == y) & (dataset.scores["evaluation"] == "sakip")).any():
            continue
        jg = juror_grades(dataset, y)
        parts.append(jg[["subject_id", "juror_id", "total"]].rename(columns={"total": "score"}).assign(year=y))
    if not parts:
        return pd.DataFrame(columns=["year", "subject_id", "juror_id", "score"])
    return pd.concat(parts, ignore_index=True)[["year", "subject_id", "juror_id", "score"]]


def juror_severity(totals: pd.DataFrame, jurors: pd.DataFrame) -> pd.DataFrame:
    """Mean deviation of each juror's totals from the panel mean of the same units, per year.

    Notes
    -----
    ``severity = mean over the units u a juror scored of (x_uj - mean_j' x_uj')``: the
    panel mean includes the juror. A simple, transparent measure; a juror who scored only
    units with strong or weak panels is not adjusted for them (the crossed random-effects
    model of notebook 02 is). A juror is *returning* when they scored in at least two
    years of the window.
    """
    if totals.empty:
        return _empty("juror_severity")
    t = totals.dropna(subset=["score"]).copy()
    t["dev"] = t["score"] - t.groupby(["year", "subject_id"], observed=True)["score"].transform("mean")
    sev = (
        t.groupby(["year", "juror_id"], observed=True, sort=True)
        .agg(severity=("dev", "mean"), n_units=("dev", "size"))
        .reset_index()
    )
    years_of = sev.groupby("juror_id", observed=True)["year"].nunique()
    sev["returning"] = sev["juror_id"].map(years_of).ge(2).astype(bool)
    panel = jurors.drop_duplicates(["year", "juror_id"]).set_index(["year", "juror_id"])["panel"]
    sev["panel"] = [panel.get((y, j), pd.NA) for y, j in zip(sev["year"], sev["juror_id"])]
    sev["method"] = "mean deviation from the unit's panel mean"
    return sev[list(TABLES["juror_severity"].columns)]


def severity_stability(sev: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Correlation of returning jurors' severity between consecutive years (and pooled
    over the pairs of years with at least 3 returning jurors: with two, the deviations
    from the panel are mirror images and correlate at +-1 whatever the jurors did)."""
    rows, xs, ys, ids = [], [], [], set()
    wide = sev.pivot_table(index="juror_id", columns="year", values="severity", observed=True) if len(sev) else None
    for y0, y1 in zip(years[:-1], years[1:]):
        if wide is None or y0 not in wide.columns or y1 not in wide.columns:
            pair = pd.DataFrame(columns=[y0, y1])
        else:
            pair = wide[[y0, y1]].dropna()
        r = correlation(pair[y0].to_numpy(float), pair[y1].to_numpy(float)).iloc[0]
        rows.append(
            dict(
                year_from=str(y0),
                year_to=str(y1),
                n_jurors=len(pair),
                estimate=r["estimate"],
                ci_low=r["ci_low"],
                ci_high=r["ci_high"],
                p_value=r["p_value"],
                note=r["note"],
            )
        )
        # severities are deviations from the panel, so they sum to about 0 within a year:
        # two jurors' are mirror images and would correlate at +-1 whatever they did;
        # pairs of years with fewer than 3 returning jurors add nothing to the pooled r
        if len(pair) >= 3:
            xs += pair[y0].tolist()
            ys += pair[y1].tolist()
            ids |= set(pair.index)
    if len(years) > 2:
        r = correlation(np.array(xs, float), np.array(ys, float)).iloc[0]
        note = r["note"] or (
            f"{len(xs)} juror-year pairs of {len(ids)} jurors; pairs of the same juror are not independent"
        )
        rows.append(
            dict(
                year_from="all",
                year_to="all",
                n_jurors=len(ids),
                estimate=r["estimate"],
                ci_low=r["ci_low"],
                ci_high=r["ci_high"],
                p_value=r["p_value"],
                note=note,
            )
        )
    return pd.DataFrame(rows, columns=list(TABLES["severity_stability"].columns))


def agreement_over_time(totals: pd.DataFrame, sev: pd.DataFrame) -> pd.DataFrame:
    """ICC(A,1) and ICC(A,k) of the SAKIP totals per year, with the intervals of
    :func:`kinerja.stats.agreement.icc` itself: McGraw & Wong's F interval for complete
    data, the generalized confidence interval (method-3 sums of squares) with missing
    cells, whose coverage benchmarks/coverage_icc.py measures. (A bootstrap over units
    held the jurors fixed and cost a thousand REML refits a year.)"""
    rows = []
    returning = set(sev.loc[sev["returning"], "juror_id"]) if len(sev) else set()
    for y, part in totals.groupby("year", observed=True, sort=True):
        long = part[["subject_id", "juror_id", "score"]].dropna(subset=["score"])
        n_r = long["juror_id"].nunique()
        n_ret = len(set(long["juror_id"]) & returning)
        if n_r < 2:
            for s in TREND_ICC:
                rows.append(
                    dict(
                        year=int(y),
                        statistic=s,
                        also_known_as="",
                        estimate=np.nan,
                        ci_low=np.nan,
                        ci_high=np.nan,
                        ci_method="",
                        n_subjects=long["subject_id"].nunique(),
                        n_raters=n_r,
                        n_returning=n_ret,
                        note="one juror: agreement between jurors is undefined",
                    )
                )
            continue
        tab = icc(long, ci_method=ICC_CI).set_index("statistic")
        for s in TREND_ICC:
            r = tab.loc[s]
            lo, hi = r["ci_low"], r["ci_high"]
            note = r["note"] if isinstance(r["note"], str) else ""
            how = icc_ci_label(lo, note)
            rows.append(
                dict(
                    year=int(y),
                    statistic=s,
                    also_known_as=r["mcgraw_wong"],
                    estimate=r["estimate"],
                    ci_low=lo,
                    ci_high=hi,
                    ci_method=how,
                    n_subjects=int(r["n_subjects"]),
                    n_raters=int(r["n_raters"]),
                    n_returning=n_ret,
                    note=note,
                )
            )
    return pd.DataFrame(rows, columns=list(TABLES["agreement_over_time"].columns))


def unit_paths(traj: pd.DataFrame) -> pd.DataFrame:
    """Each unit's grades in year order, first to last."""
    rows = []
    for uid, part in traj.groupby("unit_id", observed=True, sort=True):
        part = part.sort_values("year")
        steps = part["grade_step"].to_numpy(float)
        rows.append(
            dict(
                unit_id=uid,
                label=part["label"].iloc[-1],
                category=part["category"].iloc[-1],
                first_year=int(part["year"].iloc[0]),
                last_year=int(part["year"].iloc[-1]),
                n_years=len(part),
                path=" → ".join(part["grade"].astype(str)),
                change_steps=float(steps[-1] - steps[0]),
                n_changes=int((np.diff(steps) != 0).sum()),
            )
        )
    return pd.DataFrame(rows, columns=list(TABLES["unit_paths"].columns))


def rubric_changes(dataset, years: list[int]) -> list[tuple[int, int]]:
    """Pairs of successive years with a SAKIP rubric between which it (criteria or weights)
    differs. A year without a rubric (grades only) is skipped, not a break: 2021 and 2023
    on different instruments with 2022 between them is a change between 2021 and 2023."""
    r = dataset.rubric[dataset.rubric["evaluation"] == "sakip"]
    sig = {}
    for y in years:
        part = r[r["year"] == y].sort_values(["stage", "criterion_id"])
        sig[y] = tuple(zip(part["stage"], part["criterion_id"], part["component"], part["weight"].round(6)))
    known = [y for y in years if sig[y]]
    return [(a, b) for a, b in zip(known[:-1], known[1:]) if sig[a] != sig[b]]


def analyse(dataset, *, year: int | None = None, n_boot: int = 1000, seed: int | None = 12345) -> Analysis:
    """What changed since last year? Grades, agreement and juror severity across the years
    of the dataset up to ``year``.

    Parameters
    ----------
    dataset : kinerja.data.io.Dataset
        A loaded dataset with all its years (not cut to one year).
    year : int, optional
        The report's year: the window is every year of the dataset up to it that has
        grades. Default: the dataset's only year.
    n_boot : int
        Bootstrap resamples of the drift interval; 0 skips it.
    seed : int, optional
        Seed of every bootstrap.

    Returns
    -------
    Analysis
        Tables of :data:`TABLES` and findings ``trends.transitions``, ``trends.drift``,
        ``trends.stable_units``, ``trends.agreement``, ``trends.severity`` (all
        ``undefined`` with the reason when the window has one year).
    """
    year = year_of(dataset, year)
    years = window_years(dataset, year)
    ds_name = dataset.name
    res = Analysis(NAME, NOTEBOOK, ds_name, year)
    grades = _grades(dataset, years)
    scores = dataset.scores[dataset.scores["year"].isin(years)]
    g_bases = basis_of(grades)
    res.facts = dict(years=years, n_years=len(years), first_year=years[0] if years else year, previous_year=None)
    if len(years) < 2:
        for name in TABLES:
            res.add(name, _empty(name), bases=g_bases)
        reason = (
            f"the dataset holds grades for only one evaluation year up to {year}; trends need at least two",
            f"data hanya memuat predikat untuk satu tahun evaluasi sampai {year}; tren memerlukan sekurang-kurangnya "
            "dua tahun",
        )
        if not years:
            reason = (
                f"the dataset holds no grades up to {year}",
                f"data tidak memuat predikat sampai {year}",
            )
        res.notes.append(reason[0][0].upper() + reason[0][1:] + ".")
        res.facts["reason"] = reason
        res.set_findings(_undefined(reason, g_bases))
        return res

    prev, last = years[-2], years[-1]
    res.facts.update(previous_year=prev, last_year=last, rubric_changes=rubric_changes(dataset, years))
    if last != year:
        res.notes.append(
            f"{year} has no grades on record yet: the grade trend runs from {years[0]} to {last}, the last year "
            "with grades."
        )
    trans, moves = transitions(grades, years)
    res.add("transitions", trans, bases=g_bases)
    res.add("movement", moves, bases=g_bases)
    res.add("grade_distribution", grade_distribution(grades), bases=g_bases)
    res.add("drift", drift(grades, years[0], last, n_boot=n_boot, seed=seed), bases=g_bases)
    totals = juror_totals(dataset, years)
    s_bases = basis_of(scores[scores["evaluation"] == "sakip"])
    sev = juror_severity(totals, dataset.jurors)
    res.add("juror_severity", sev, bases=s_bases)
    res.add("severity_stability", severity_stability(sev, sorted(totals["year"].unique().tolist())), bases=s_bases)
    res.add("agreement_over_time", agreement_over_time(totals, sev), bases=s_bases)
    mean_tot = (
        totals.groupby(["year", "subject_id"], observed=True)["score"].mean().rename("total").reset_index()
        if len(totals)
        else pd.DataFrame(columns=["year", "subject_id", "total"])
    )
    traj = grades.merge(
        mean_tot.rename(columns={"subject_id": "unit_id"}).astype({"unit_id": "string"}),
        on=["year", "unit_id"],
        how="left",
        suffixes=("_published", ""),
    )
    traj = traj[list(TABLES["trajectories"].columns)].sort_values(["unit_id", "year"]).reset_index(drop=True)
    res.add("trajectories", traj, bases=g_bases)
    res.add("unit_paths", unit_paths(traj), bases=g_bases)
    if res.facts["rubric_changes"]:
        changes = ", ".join(f"{a}–{b}" for a, b in res.facts["rubric_changes"])
        res.facts["rubric_note"] = (
            f"The SAKIP rubric (criteria or weights) differs between {changes}: totals of those years are not on the "
            "same instrument, and a grade change across them may reflect the instrument as well as the unit."
        )
        res.notes.append(res.facts["rubric_note"])
    res.set_findings(_findings(res, g_bases, s_bases))
    return res


def _undefined(reason: tuple[str, str], bases) -> list[Finding]:
    q, _ = QUESTIONS["trends"]
    return [
        Finding(
            fid,
            q,
            f"Not computed: {reason[0]}.",
            f"Tidak dihitung: {reason[1]}.",
            status="undefined",
            bases=bases,
            evidence=ev,
        )
        for fid, ev in (
            ("trends.transitions", "transitions.csv; movement.csv"),
            ("trends.drift", "drift.csv; grade_distribution.csv"),
            ("trends.stable_units", "unit_paths.csv"),
            ("trends.agreement", "agreement_over_time.csv"),
            ("trends.severity", "juror_severity.csv; severity_stability.csv"),
        )
    ]


def _findings(res: Analysis, g_bases, s_bases) -> list[Finding]:
    q, _ = QUESTIONS["trends"]
    # grade sentences run to the last year with grades (the report's year may have none yet)
    year, prev, first = res.facts["last_year"], res.facts["previous_year"], res.facts["first_year"]
    out = []
    changes = res.facts.get("rubric_changes", [])
    note = res.facts.get("rubric_note", "")

    def rubric_caveat(lo: int, hi: int) -> tuple[str, str]:
        """The caveat for a comparison of ``lo`` with ``hi``: a rubric change overlapping it
        is said in the sentence too (both languages); one elsewhere does not concern it."""
        hit = [(a, b) for a, b in changes if a < hi and b > lo]
        if not hit:
            return "", ""
        a, b = hit[-1]
        return (
            f" The SAKIP rubric changed between {a} and {b}, so part of any change may come from the instrument.",
            f" Instrumen SAKIP berubah antara {a} dan {b}, sehingga sebagian perubahan dapat berasal dari instrumennya.",
        )

    rubric_en, rubric_id = rubric_caveat(prev, year)
    drift_en, drift_id = rubric_caveat(first, year)

    m = res.tables["movement"].iloc[-1]
    n = int(m["n_units"])
    share = (m["n_up"] + m["n_down"]) / n if n else np.nan
    # no unit in both years (units added, removed, or every id recoded): say so, not "0 of 0"
    none_en = f"Not computed: no unit has a grade in both {prev} and {year} (units added, removed or given new ids)."
    none_id = (
        f"Tidak dihitung: tidak ada perangkat daerah yang berpredikat pada {prev} dan {year} (perangkat daerah "
        "ditambah, dihapus, atau diberi kode baru)."
    )
    out.append(
        Finding(
            "trends.transitions",
            q,
            f"Between {prev} and {year}, {int(m['n_up'])} of the {n} units graded in both years moved up at least "
            f"one grade, {int(m['n_down'])} moved down and {int(m['n_same'])} kept their grade." + rubric_en
            if n
            else none_en,
            f"Antara {prev} dan {year}, dari {n} perangkat daerah yang dinilai pada kedua tahun, {int(m['n_up'])} "
            f"naik sekurang-kurangnya satu predikat, {int(m['n_down'])} turun dan {int(m['n_same'])} tetap." + rubric_id
            if n
            else none_id,
            estimate=share,
            measure="share of units whose grade changed",
            n=n,
            bases=g_bases,
            evidence="transitions.csv; movement.csv",
            status="estimated" if n else "undefined",
            note=note,
        )
    )

    d = res.tables["drift"].set_index("statistic")
    mc, st = d.loc["mean change"], d.loc["sign test"]
    ok = np.isfinite(mc["estimate"])
    ci_en = format_ci(mc["estimate"], mc["ci_low"], mc["ci_high"])
    ci_id = format_ci(mc["estimate"], mc["ci_low"], mc["ci_high"], lang="id")
    # a drift is claimed when the interval and the sign test agree: with a handful of units
    # the bootstrap interval can exclude 0 (3 up, 0 down) while the sign test cannot (p = 0.25)
    signed = np.isfinite(st["p_value"]) and st["p_value"] < 0.05
    excludes = (np.isfinite(mc["ci_low"]) and mc["ci_low"] > 0) or (np.isfinite(mc["ci_high"]) and mc["ci_high"] < 0)
    if excludes and signed and mc["ci_low"] > 0:
        verdict = ("a drift towards the top grades", "terjadi pergeseran ke predikat yang lebih tinggi")
    elif excludes and signed:
        verdict = ("a drift towards lower grades", "terjadi pergeseran ke predikat yang lebih rendah")
    elif excludes:
        verdict = (
            "no clear drift: the interval excludes no change, but too few units changed grade for the sign test "
            "to rule out chance",
            "tidak tampak pergeseran yang jelas: intervalnya tidak mencakup nol, tetapi terlalu sedikit perangkat "
            "daerah yang berubah predikat untuk menyingkirkan kebetulan dengan uji tanda",
        )
    else:
        verdict = (
            "no clear drift (the interval includes no change)",
            "tidak tampak pergeseran yang jelas (intervalnya mencakup nol)",
        )
    p_en, p_id = p_value(st["p_value"]), p_value(st["p_value"], "id")
    out.append(
        Finding(
            "trends.drift",
            q,
            f"From {first} to {year} the units' grades changed on average by {ci_en} grade steps (95% CI; "
            f"{int(st['n_up'])} up, {int(st['n_down'])} down, sign test {p_en}): {verdict[0]}." + drift_en
            if ok
            else f"Not computed: no unit has a grade in both {first} and {year} (units added, removed or given new "
            "ids), so no change can be measured.",
            f"Dari {first} ke {year} predikat perangkat daerah berubah rata-rata {ci_id} tingkat (IK 95%; "
            f"{int(st['n_up'])} naik, {int(st['n_down'])} turun, uji tanda {p_id}): {verdict[1]}." + drift_id
            if ok
            else f"Tidak dihitung: tidak ada perangkat daerah yang berpredikat pada {first} dan {year}, jadi "
            "perubahan tidak dapat diukur.",
            estimate=mc["estimate"] if ok else np.nan,
            ci_low=mc["ci_low"] if ok else np.nan,
            ci_high=mc["ci_high"] if ok else np.nan,
            ci_level=0.95 if ok and np.isfinite(mc["ci_low"]) else np.nan,
            measure="grade steps",
            n=mc["n"],
            bases=g_bases,
            evidence="drift.csv; grade_distribution.csv",
            status="estimated" if ok else "undefined",
            note="; ".join(x for x in (mc["note"], note) if x),
        )
    )

    paths = res.tables["unit_paths"]
    full = paths[paths["n_years"] == res.facts["n_years"]]
    stable = int((full["n_changes"] == 0).sum())
    every = "both" if res.facts["n_years"] == 2 else f"all {res.facts['n_years']}"
    out.append(
        Finding(
            "trends.stable_units",
            q,
            f"{stable} of the {len(full)} units graded in {every} years with grades from {first} "
            f"to {year} kept the same grade throughout."
            if len(full)
            else f"Not computed: no unit has a grade in {every} years with grades from {first} to {year}.",
            f"{stable} dari {len(full)} perangkat daerah yang dinilai pada semua {res.facts['n_years']} tahun "
            f"berpredikat dari {first} sampai {year} memperoleh predikat yang sama sepanjang periode itu."
            if len(full)
            else f"Tidak dihitung: tidak ada perangkat daerah yang berpredikat pada semua {res.facts['n_years']} "
            f"tahun dari {first} sampai {year}.",
            estimate=stable if len(full) else np.nan,
            measure="units",
            n=len(full),
            bases=g_bases,
            evidence="unit_paths.csv; trajectories.csv",
            status="estimated" if len(full) else "undefined",
        )
    )

    at = res.tables["agreement_over_time"]
    a1 = at[at["statistic"] == "ICC(2,1)"].set_index("year")
    scored = [int(y) for y in a1.index if np.isfinite(a1.loc[y, "estimate"])]
    if len(scored) >= 2:  # the two most recent years with juror scores
        y_before, y_now = scored[-2], scored[-1]
        now, before = a1.loc[y_now], a1.loc[y_before]
        ch = now["estimate"] - before["estimate"]
        overlap = not (
            np.isfinite(now["ci_low"])
            and np.isfinite(before["ci_high"])
            and (now["ci_low"] > before["ci_high"] or before["ci_low"] > now["ci_high"])
        )
        tail = (
            (
                "the intervals overlap: the data do not show a change",
                "intervalnya tumpang tindih: data tidak menunjukkan perubahan",
            )
            if overlap
            else ("the intervals do not overlap", "intervalnya tidak tumpang tindih")
        )
        out.append(
            Finding(
                "trends.agreement",
                q,
                f"Agreement between single jurors on SAKIP totals, ICC(A,1), was "
                f"{format_ci(before['estimate'], before['ci_low'], before['ci_high'])} in {y_before} and "
                f"{format_ci(now['estimate'], now['ci_low'], now['ci_high'])} in {y_now} (95% CIs); {tail[0]}.",
                f"Kesepakatan antar-evaluator atas nilai total SAKIP, ICC(A,1), sebesar "
                f"{format_ci(before['estimate'], before['ci_low'], before['ci_high'], lang='id')} pada {y_before} dan "
                f"{format_ci(now['estimate'], now['ci_low'], now['ci_high'], lang='id')} pada {y_now} (IK 95%); "
                f"{tail[1]}.",
                estimate=ch if np.isfinite(ch) else np.nan,
                measure="change in ICC(A,1)",
                n=now["n_subjects"],
                bases=s_bases,
                evidence="agreement_over_time.csv",
                status="estimated" if np.isfinite(ch) else "undefined",
                note="each year's interval is in agreement_over_time.csv; no interval for the change itself",
            )
        )
    else:
        out.append(
            Finding(
                "trends.agreement",
                q,
                f"Not computed: agreement between jurors needs SAKIP scores of at least two jurors in two years "
                f"from {first} to {res.year}; {plural(len(scored), 'year')} {'has' if len(scored) == 1 else 'have'} them.",
                f"Tidak dihitung: kesepakatan antar-evaluator memerlukan nilai SAKIP dari sekurang-kurangnya dua "
                f"evaluator pada dua tahun dari {first} sampai {res.year}; {len(scored)} tahun memilikinya.",
                status="undefined",
                bases=s_bases,
                evidence="agreement_over_time.csv",
            )
        )

    ss = res.tables["severity_stability"]
    row = ss[ss["year_from"] == "all"] if (ss["year_from"] == "all").any() else ss.tail(1)
    if len(row) and np.isfinite(row["estimate"].iloc[0]):
        r = row.iloc[0]
        span = f"from {first} to {year}" if r["year_from"] == "all" else f"between {r['year_from']} and {r['year_to']}"
        span_id = (
            f"dari {first} sampai {year}" if r["year_from"] == "all" else f"antara {r['year_from']} dan {r['year_to']}"
        )
        if np.isfinite(r["ci_low"]) and r["ci_low"] > 0:
            read = (
                "a juror who is harsher than the panel one year tends to be harsher the next",
                "evaluator yang lebih ketat dari panelnya pada satu tahun cenderung tetap lebih ketat pada tahun "
                "berikutnya",
            )
        else:
            read = (
                "the data do not show that jurors keep their severity from year to year",
                "data tidak menunjukkan bahwa evaluator mempertahankan tingkat keketatannya dari tahun ke tahun",
            )
        out.append(
            Finding(
                "trends.severity",
                q,
                f"{int(r['n_jurors'])} jurors scored in more than one year {span}; their severity (mean deviation "
                f"from the panel) correlates between successive years with scores at r = "
                f"{format_ci(r['estimate'], r['ci_low'], r['ci_high'])}: {read[0]}.",
                f"{int(r['n_jurors'])} evaluator menilai pada lebih dari satu tahun {span_id}; tingkat keketatan "
                f"mereka (selisih rata-rata terhadap panel) berkorelasi antartahun sebesar r = "
                f"{format_ci(r['estimate'], r['ci_low'], r['ci_high'], lang='id')}: {read[1]}.",
                estimate=r["estimate"],
                ci_low=r["ci_low"],
                ci_high=r["ci_high"],
                ci_level=0.95 if np.isfinite(r["ci_low"]) else np.nan,
                measure="Pearson r",
                n=r["n_jurors"],
                bases=s_bases,
                evidence="juror_severity.csv; severity_stability.csv",
                note=r["note"],
            )
        )
    else:
        why = row["note"].iloc[0] if len(row) else "no juror scored in two consecutive years"
        out.append(
            Finding(
                "trends.severity",
                q,
                f"Not computed: too few returning jurors to follow their severity ({why}).",
                "Tidak dihitung: terlalu sedikit evaluator yang menilai lagi pada tahun berikutnya untuk mengikuti "
                "tingkat keketatannya.",
                status="undefined",
                bases=s_bases,
                evidence="juror_severity.csv; severity_stability.csv",
            )
        )
    return out
