"""Do grades and scores differ across unit categories, once juror effects are accounted
for? The tables and findings behind ``notebooks/03_category_comparison``.

Two sources are compared by category (Dinas, Badan, Kecamatan, ...):

* the **grades on record** (one row per unit): the category x grade table with its exact
  test, the share graded A or better per category with exact intervals and the smallest
  difference the record could detect, and an ordinal regression of the grade on the
  category;
* the **juror-level scores** where the dataset has them: each juror's weighted total
  and component scores of each unit, compared between categories on unit means (Welch
  ANOVA, Kruskal–Wallis, permutation tests, effect sizes, pairwise comparisons) and in
  mixed models with and without juror random effects, so that a category scored by
  harsh jurors is not mistaken for a weaker category.

Plus an exploratory conflict-of-interest check: the units the jurors work in
(``jurors.home_unit_id``) against the rest.

**Units, not score rows, are the sampling units**; a category with fewer than
``min_units`` units is reported as "too few units to say anything" in every comparison
of scores or odds (never pooled with another category, never dropped silently). All
statistics come from :mod:`kinerja.stats.compare`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER
from ..data.provenance import basis_of
from ..data.rubrics import juror_measures, totals_account
from ..stats import effects as fx
from ..stats.compare import (
    MIN_UNITS,
    TOO_FEW,
    contingency_table,
    eligible_groups,
    exact_test,
    group_effects,
    ordinal_regression,
    pairwise_tests,
    permutation_test,
    score_tests,
    share_by_group,
    unit_means,
)
from .base import Analysis, TableSpec, year_of
from .findings import (
    QUESTIONS,
    Finding,
    fmt_number,
    fmt_share,
    format_ci,
    join_words,
    p_value,
    plural,
    reason_id,
    totals_left_out,
)

NAME = "categories"
NOTEBOOK = "03_category_comparison"

#: Labels of the evaluating-side comparison.
SIDE, REST = "evaluating side", "rest"

_TIDY = {
    "statistic": "what is estimated or tested",
    "estimate": "the value (see `statistic`)",
    "ci_low": "lower limit of the 95% confidence interval (NaN when there is none)",
    "ci_high": "upper limit",
    "p_value": "p-value (NaN when there is none)",
    "n": "units the row rests on (units are the sampling units, not score rows)",
    "method": "how it was computed",
    "note": "why a value is missing, or what to bear in mind",
}


def _spec(description: str, head: dict, tail: dict | None = None) -> TableSpec:
    return TableSpec(description, {"year": "evaluation year", **head, **_TIDY, **(tail or {})})


TABLES = {
    "categories": TableSpec(
        "one row per unit category of the year: its units and whether the comparisons include it",
        {
            "year": "evaluation year",
            "category": "unit category",
            "n_units": "units of the category",
            "n_graded": "units with a grade on record",
            "n_scored": "units with juror-level SAKIP scores",
            "status": f"`compared`; `{TOO_FEW}` (fewer than `min_units` graded or scored units: left out of "
            "every comparison of scores or odds, never pooled); or `not evaluated (no grade, no scores)`",
        },
    ),
    "grades_by_category": TableSpec(
        "the contingency table of the grades on record: units per category and grade (the table the exact "
        "test is computed on), grades actually used, worst to best",
        {
            "year": "evaluation year",
            "category": "unit category",
            "grade": "SAKIP grade",
            "n_units": "units of the category with this grade",
            "category_total": "graded units of the category",
            "share": "n_units / category_total",
            "expected": "count expected if grades did not depend on category (row total x column total / N)",
        },
    ),
    "grade_test": _spec(
        "the Freeman-Halton exact test of independence of category and grade on the grade record, with "
        "the table it was computed on",
        {},
        {
            "n_rows": "categories in the table",
            "n_cols": "grades used",
            "n_tables": "tables with the observed margins (all enumerated when the method is exact)",
            "n_resamples": "Monte Carlo resamples (0 when exact)",
            "p_observed": "probability of the observed table under independence",
            "chi2": "Pearson's chi-square (shown only; the p-value is exact)",
            "table": "the contingency table, one category after another",
        },
    ),
    "top_grade_shares": _spec(
        "share of units graded A or better (or the top grade used, when no unit got A) per category, with "
        "exact Clopper-Pearson CIs; each category against all other units with Fisher's exact test and the "
        "share it would have needed for the test to detect the difference with 80% power",
        {"category": "unit category, or `all`", "top": "what counts: `A or better` or the top grade used"},
        {
            "successes": "units graded `top`",
            "rest_n": "other units",
            "rest_successes": "other units graded `top`",
            "rest_share": "their share",
            "difference": "estimate - rest_share",
            "detectable_low": "largest share below rest_share that the exact test detects with 80% power",
            "detectable_high": "smallest share above rest_share that it detects with 80% power",
        },
    ),
    "ordinal": _spec(
        "proportional-odds regression of the grade on record on the category: odds of a better grade "
        "relative to the reference category, and the likelihood-ratio test of all categories",
        {"category": "unit category, or `all` for the likelihood-ratio test"},
        {"coef": "log odds ratio", "se": "its standard error", "df": "degrees of freedom of the LR test"},
    ),
    "unit_scores": TableSpec(
        "each unit's mean over its jurors of the juror-level SAKIP score, per measure (the weighted total and "
        "each rubric component, 0-100)",
        {
            "year": "evaluation year",
            "measure": "`total` or a rubric component",
            "unit_id": "unit",
            "unit": "short name",
            "category": "unit category",
            "score": "mean over jurors",
            "n_jurors": "jurors with a score",
            "sd": "SD between the jurors",
            "grade": "grade on record",
            "evaluating_side": "whether a juror works in this unit",
        },
    ),
    "score_tests": _spec(
        "do unit scores differ between categories? Welch ANOVA, Kruskal-Wallis (each also with a "
        "permutation p), omega squared, epsilon squared and rank epsilon squared with bootstrap CIs, per measure",
        {"measure": "`total` or a rubric component"},
        {"n_groups": "categories compared", "df1": "numerator df", "df2": "denominator df (Welch)"},
    ),
    "pairwise": _spec(
        "every pair of compared categories: difference in mean unit score with Welch's t and CI, exact or "
        "permutation p, Holm-adjusted p-values, Cliff's delta with bootstrap CI, per measure",
        {"measure": "`total` or a rubric component", "group_a": "category", "group_b": "category"},
        {
            "n_a": "units of a",
            "n_b": "units of b",
            "t": "Welch t",
            "df": "Welch df",
            "p_adjusted": "Holm-adjusted Welch p",
            "p_perm": "permutation p (exact when all splits are enumerated)",
            "p_perm_adjusted": "Holm-adjusted permutation p",
            "cliffs_delta": "Cliff's delta of a over b",
            "delta_ci_low": "its lower limit",
            "delta_ci_high": "its upper limit",
        },
    ),
    "category_effects": _spec(
        "category differences in juror-level scores from mixed models, unadjusted (random units) and adjusted "
        "for juror severity (random units and jurors), per measure; a `Wald test` row per model tests all "
        "categories at once",
        {
            "measure": "`total` or a rubric component",
            "model": "`unadjusted` or `adjusted`",
            "category": "unit category, or `all` for the Wald test",
        },
        {
            "reference": "the category the differences are taken from",
            "se": "standard error",
            "z": "Wald z",
            "df": "df of the Wald test",
            "n_obs": "juror-score rows in the model",
            "n_jurors": "jurors",
            "unit_sd": "SD of the unit random effect",
            "juror_sd": "SD of the juror random effect (adjusted model)",
        },
    ),
    "evaluating_side": _spec(
        "exploratory conflict-of-interest check: the units the jurors work in (jurors.home_unit_id) against "
        "all other units, on the grades on record and on the juror scores (unadjusted and adjusted)",
        {"comparison": "`grades`, `scores, unadjusted` or `scores, adjusted for jurors`"},
        {
            "rest_n": "other units",
            "rest_estimate": "the same quantity for the other units (grades) or NaN",
            "p_perm": "exact permutation p of the difference in mean unit total (scores, unadjusted)",
            "units": "the units on the evaluating side, with their grade on record",
        },
    ),
}


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------


def top_grade(grades_used) -> tuple[str, set[str]]:
    """What counts as a top grade: ``A or better`` when A or AA was given, else the best
    grade given.

    >>> [(label, sorted(top)) for label, top in (top_grade(["BB", "A"]), top_grade(["B", "BB"]))]
    [('A or better', ['A', 'AA']), ('BB', ['BB'])]
    """
    used = [g for g in GRADE_ORDER if g in set(grades_used)]
    if not used:
        return "", set()
    if "A" in used or "AA" in used:
        return "A or better", {"A", "AA"}
    return used[-1], {used[-1]}


def grade_counts_wide(grades_by_category: pd.DataFrame) -> pd.DataFrame:
    """Units by category (rows, smallest category first) and grade (columns, worst first)
    from the long ``grades_by_category`` table: what the grade bars of notebook 03 and of
    the policy brief draw.

    >>> long = pd.DataFrame({"category": ["Dinas", "Dinas", "Badan"], "grade": ["A", "BB", "BB"],
    ...                      "n_units": [2, 5, 3]})
    >>> grade_counts_wide(long).to_dict("index")
    {'Badan': {'BB': 3, 'A': 0}, 'Dinas': {'BB': 5, 'A': 2}}
    """
    wide = grades_by_category.pivot_table(
        index="category", columns="grade", values="n_units", aggfunc="sum", fill_value=0, observed=True, sort=False
    )
    wide = wide[[g for g in GRADE_ORDER if g in wide.columns]].astype("int64")
    wide.index.name, wide.columns.name = "category", "grade"
    return wide.loc[wide.sum(axis=1).sort_values(kind="stable").index]


def _unit_names(units: pd.DataFrame) -> dict:
    abbr = units["abbreviation"].astype(object).where(units["abbreviation"].notna() & (units["abbreviation"] != ""))
    return dict(zip(units["unit_id"].astype(object), abbr.fillna(units["name"].astype(object))))


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(TABLES[name].columns))


def _with_year(df: pd.DataFrame, year: int, **front) -> pd.DataFrame:
    out = df.copy()
    for i, (k, v) in enumerate({"year": year, **front}.items()):
        out.insert(i, k, v)
    return out


# ----------------------------------------------------------------------------------------
# the analysis
# ----------------------------------------------------------------------------------------


def analyse(
    dataset,
    *,
    year: int | None = None,
    n_boot: int = 2000,
    n_perm: int = 9999,
    seed: int | None = 12345,
    min_units: int = MIN_UNITS,
    progress: bool = False,
) -> Analysis:
    """Do grades and scores differ across unit categories, once juror effects are
    accounted for?

    Parameters
    ----------
    dataset : kinerja.data.io.Dataset
        A loaded dataset.
    year : int, optional
        Evaluation year; default the dataset's only year.
    n_boot : int
        Bootstrap resamples for effect-size CIs (0 skips them).
    n_perm : int
        Random relabellings for permutation p-values (exact enumeration is used where the
        splits are few; 0 skips the Monte Carlo ones).
    seed : int, optional
        Seed of bootstraps and permutations (reproducible reports).
    min_units : int
        Fewest units a category needs to be compared on scores or odds.
    progress : bool
        Show progress over the measures.

    Returns
    -------
    Analysis
        The tables of :data:`TABLES` (empty where the data do not allow them: no grades,
        no juror scores) and the findings ``categories.grade_test``,
        ``categories.top_share``, ``categories.detectable``, ``categories.adjusted`` and
        ``categories.evaluating_side``.
    """
    year = year_of(dataset, year)
    ds = dataset.for_year(year) if len(dataset.years) > 1 else dataset
    res = Analysis(NAME, NOTEBOOK, ds.name, year)
    rng = np.random.default_rng(seed)
    units = ds.units
    names = _unit_names(units)
    cat_of = dict(zip(units["unit_id"].astype(object), units["category"].astype(object)))

    # ---- the grade record ----------------------------------------------------------
    rec = ds.grades.merge(units[["unit_id", "category"]], on="unit_id", how="left")
    rec = rec.dropna(subset=["category", "grade"])
    rec["grade"] = rec["grade"].astype(object)
    grades_used = [g for g in GRADE_ORDER if g in set(rec["grade"])]
    label, top = top_grade(grades_used)
    grade_bases = basis_of(ds.grades, units)
    graded = set(rec["unit_id"].astype(object))
    if len(units) > len(graded & set(cat_of)):
        res.notes.append(f"{plural(len(set(cat_of) - graded), 'unit')} without a grade on record for {year}")

    # ---- juror-level SAKIP scores ------------------------------------------------------
    sak = ds.scores[ds.scores["evaluation"] == "sakip"]
    measures = pd.DataFrame()
    if len(sak):
        rub = ds.rubric[ds.rubric["evaluation"] == "sakip"]
        m = juror_measures(sak, rub)
        left = totals_left_out(totals_account(sak, rub))
        if left:  # unit means are over the jurors with a complete total: say who is not in them
            res.notes.append(left)
        groups = fx.jury_groups(sak)
        if groups.nunique() > 1:  # a disconnected design: the adjustment cannot separate groups from units
            sizes = groups.value_counts().sort_index().tolist()
            res.notes.append(
                f"the jurors fall into {len(sizes)} groups ({join_words([str(x) for x in sizes])} jurors) that scored "
                "no unit in common, so 'adjusted for jurors' cannot separate a group's severity from the level of "
                "the units (and categories) it scored"
            )
        stages = m["stage"].unique()
        if len(stages) > 1:
            m["measure"] = m["stage"].astype(object) + " · " + m["measure"].astype(object)
        m["category"] = m["subject_id"].astype(object).map(cat_of)
        measures = m.dropna(subset=["category"])
    scored = set(measures["subject_id"].astype(object)) if len(measures) else set()
    score_bases = basis_of(ds.scores, units) if len(measures) else []

    # ---- categories --------------------------------------------------------------------
    cats = sorted(set(cat_of.values()))
    ok_graded, _ = eligible_groups(rec, group="category", min_units=min_units)
    size = units.groupby("category", observed=True)["unit_id"].nunique()
    size.index = size.index.astype(object)
    cat_rows = []
    for c in cats:
        ids = {u for u, k in cat_of.items() if k == c}
        n_g, n_s = len(ids & graded), len(ids & scored)
        basis_n = max(n_s, n_g)
        status = "compared" if basis_n >= min_units else TOO_FEW
        if basis_n == 0:
            status = "not evaluated (no grade, no scores)"
        cat_rows.append(dict(year=year, category=c, n_units=len(ids), n_graded=n_g, n_scored=n_s, status=status))
    cat_table = pd.DataFrame(cat_rows, columns=list(TABLES["categories"].columns))
    res.add("categories", cat_table, units, ds.grades)
    too_few = [r["category"] for r in cat_rows if r["status"] == TOO_FEW]
    # the reference of every model: the largest category with enough units
    pool = ok_graded if ok_graded else [r["category"] for r in cat_rows if r["status"] == "compared"]
    reference = max(pool, key=lambda c: (int(size.get(c, 0)), str(c))) if pool else None

    # ---- grades by category --------------------------------------------------------------
    if len(rec):
        tab = contingency_table(rec, row="category", col="grade", col_levels=grades_used)
        n = tab.to_numpy().sum()
        long = tab.stack().rename("n_units").reset_index()
        long["category_total"] = long["category"].map(tab.sum(axis=1))
        long["share"] = long["n_units"] / long["category_total"]
        long["expected"] = long["category_total"] * long["grade"].map(tab.sum(axis=0)) / n
        res.add("grades_by_category", _with_year(long, year), units, ds.grades)
        test = exact_test(tab, n_resamples=100_000, seed=rng)
        res.add("grade_test", _with_year(test, year), units, ds.grades)
        shares = share_by_group(rec, group="category", outcome="grade", success=top, label=label, min_units=min_units)
        shares = shares.rename(columns={"group": "category"})
        res.add(
            "top_grade_shares",
            _with_year(shares, year, top=label)[list(TABLES["top_grade_shares"].columns)],
            units,
            ds.grades,
        )
        ordr = ordinal_regression(
            rec.assign(grade=pd.Categorical(rec["grade"], categories=list(GRADE_ORDER), ordered=True)),
            outcome="grade",
            group="category",
            reference=reference if reference in ok_graded else None,
            min_units=min_units,
        ).rename(columns={"group": "category"})
        res.add("ordinal", _with_year(ordr, year), units, ds.grades)
    else:
        res.notes.append(f"no grades on record for {year}: the grade comparisons are left out")
        for name in ("grades_by_category", "grade_test", "top_grade_shares", "ordinal"):
            res.add(name, _empty(name), bases=[])

    # ---- evaluating side ---------------------------------------------------------------
    jur = ds.jurors
    if len(sak):
        jur = jur[jur["juror_id"].isin(set(sak["juror_id"]))]
    home = sorted(set(jur["home_unit_id"].dropna().astype(object)) & set(cat_of))
    side_of = {u: (SIDE if u in home else REST) for u in cat_of}

    # ---- scores by category, per measure -------------------------------------------------
    unit_tables, tests, pairs, effects = [], [], [], []
    if len(measures):
        order = ["total"] + [x for x in dict.fromkeys(measures["measure"]) if x != "total"]
        grade_of = dict(zip(rec["unit_id"].astype(object), rec["grade"]))
        it = order
        if progress:
            from tqdm import tqdm

            it = tqdm(order, desc=f"categories {year}", unit="measure")
        for ms in it:
            part = measures[measures["measure"] == ms]
            um = unit_means(part, by=["category"]).rename(columns={"subject_id": "unit_id"})
            um.insert(0, "measure", ms)
            um["unit"] = um["unit_id"].map(names)
            um["grade"] = um["unit_id"].map(grade_of)
            um["evaluating_side"] = um["unit_id"].map(side_of) == SIDE
            unit_tables.append(um)
            tests.append(
                _with_year(
                    score_tests(um, min_units=min_units, n_perm=n_perm, n_boot=n_boot, seed=rng), year, measure=ms
                )
            )
            pairs.append(
                _with_year(
                    pairwise_tests(um, min_units=min_units, n_perm=n_perm, n_boot=n_boot, seed=rng), year, measure=ms
                )
            )
            ref = reference if reference in set(eligible_groups(um, group="category", min_units=min_units)[0]) else None
            eff = group_effects(part, reference=ref, min_units=min_units).rename(columns={"group": "category"})
            effects.append(_with_year(eff, year, measure=ms))
        ut = pd.concat(unit_tables, ignore_index=True)
        ut.insert(0, "year", year)
        res.add("unit_scores", ut[list(TABLES["unit_scores"].columns)], ds.scores, units, ds.grades)
        res.add("score_tests", pd.concat(tests, ignore_index=True), ds.scores, units)
        res.add("pairwise", pd.concat(pairs, ignore_index=True), ds.scores, units)
        res.add("category_effects", pd.concat(effects, ignore_index=True), ds.scores, units)
    else:
        res.notes.append(f"no juror-level SAKIP scores for {year}: score comparisons and mixed models are left out")
        for name in ("unit_scores", "score_tests", "pairwise", "category_effects"):
            res.add(name, _empty(name), bases=[])

    # ---- evaluating side: grades and scores -----------------------------------------------
    side_rows = []
    grade_of_unit = dict(zip(rec["unit_id"].astype(object), rec["grade"]))
    listing = "; ".join(f"{names.get(u, u)} ({grade_of_unit.get(u, 'no grade')})" for u in home)
    if home and len(rec):
        r = rec.assign(side=rec["unit_id"].astype(object).map(side_of))
        sh = share_by_group(
            r, group="side", outcome="grade", success=top, label=label, levels=[SIDE, REST], min_units=1
        )
        s = sh[sh["group"] == SIDE].iloc[0]
        side_rows.append(
            dict(
                year=year,
                comparison="grades",
                statistic=s["statistic"],
                estimate=s["estimate"],
                ci_low=s["ci_low"],
                ci_high=s["ci_high"],
                p_value=s["p_value"],
                n=s["n"],
                method=s["method"],
                note=s["note"],
                rest_n=s["rest_n"],
                rest_estimate=s["rest_share"],
                p_perm=np.nan,
                units=listing,
            )
        )
    if home and len(measures):
        tot = measures[measures["measure"] == "total"].assign(
            side=lambda d: d["subject_id"].astype(object).map(side_of)
        )
        um = unit_means(tot, by=["side"])
        p_perm, n_splits, exact = permutation_test(
            um.loc[um["side"] == SIDE, "score"], um.loc[um["side"] == REST, "score"], n_perm=max(n_perm, 1), seed=rng
        )
        eff = group_effects(tot, group="side", reference=REST, min_units=1)
        for model, label_m in (("unadjusted", "scores, unadjusted"), ("adjusted", "scores, adjusted for jurors")):
            e = eff[(eff["model"] == model) & (eff["group"] == SIDE)]
            if e.empty:
                e = eff[(eff["model"] == model)]
            e = e.iloc[0]
            side_rows.append(
                dict(
                    year=year,
                    comparison=label_m,
                    statistic="difference in SAKIP total (evaluating side - rest), points",
                    estimate=e["estimate"],
                    ci_low=e["ci_low"],
                    ci_high=e["ci_high"],
                    p_value=e["p_value"],
                    n=int(um["side"].eq(SIDE).sum()),
                    method=e["method"],
                    note=e["note"],
                    rest_n=int(um["side"].eq(REST).sum()),
                    rest_estimate=np.nan,
                    p_perm=p_perm if model == "unadjusted" else np.nan,
                    units=listing,
                )
            )
            if model == "unadjusted":
                side_rows[-1]["method"] += (
                    f"; permutation p {'exact over all' if exact else 'from'} {n_splits:,} splits of unit means"
                )
    side = pd.DataFrame(side_rows, columns=list(TABLES["evaluating_side"].columns))
    res.add("evaluating_side", side, ds.jurors, units, ds.grades, *([ds.scores] if len(measures) else []))

    # ---- facts and findings ------------------------------------------------------------
    res.facts = dict(
        year=year,
        n_units=len(cat_of),
        n_graded=len(rec),
        n_categories_graded=int(rec["category"].nunique()),
        n_scored=len(scored),
        n_jurors=int(measures["juror_id"].nunique()) if len(measures) else 0,
        categories={c: int(size.get(c, 0)) for c in cats},
        compared=[c for c in cats if c not in too_few],
        too_few=too_few,
        min_units=min_units,
        grades_used=grades_used,
        top_label=label,
        reference=reference,
        has_scores=bool(len(measures)),
        measures=list(dict.fromkeys(measures["measure"])) if len(measures) else [],
        evaluating_side={names.get(u, u): cat_of.get(u) for u in home},
        jurors_recorded=int(len(ds.jurors)),
        grade_bases=grade_bases,
        score_bases=score_bases,
    )
    res.set_findings(_findings(res))
    return res


# ----------------------------------------------------------------------------------------
# findings
# ----------------------------------------------------------------------------------------


def _findings(res: Analysis) -> list[Finding]:
    q, q_ind = QUESTIONS["categories"]
    f = res.facts
    year = res.year
    gb = res.bases["grade_test"] or f["grade_bases"]
    out: list[Finding] = []

    def undefined(fid, en, ind, bases, evidence):
        out.append(Finding(fid, q, en, ind, status="undefined", bases=bases, evidence=evidence))

    # 1. the exact test on the record
    test = res.tables["grade_test"]
    if test.empty:
        undefined(
            "categories.grade_test",
            f"Not computed: there are no grades on record for {year}, so grades cannot be compared between categories.",
            f"Tidak dihitung: tidak ada predikat yang tercatat untuk {year}, sehingga predikat tidak dapat "
            "dibandingkan antar-kategori.",
            gb,
            "grade_test.csv",
        )
    else:
        t = test.iloc[0]
        if len(f["grades_used"]) < 2 or t["n_rows"] < 2:
            what_en = (
                f"every graded unit got {f['grades_used'][0]}"
                if len(f["grades_used"]) == 1
                else "all graded units are in one category"
            )
            what_id = (
                f"semua perangkat daerah yang dinilai mendapat predikat {f['grades_used'][0]}"
                if len(f["grades_used"]) == 1
                else "semua perangkat daerah yang dinilai berada dalam satu kategori"
            )
            undefined(
                "categories.grade_test",
                f"Not tested: in {year} {what_en}, so there is no difference between categories to test.",
                f"Tidak diuji: pada {year} {what_id}, sehingga tidak ada perbedaan antar-kategori yang dapat diuji.",
                gb,
                "grade_test.csv",
            )
        else:
            p = float(t["p_value"])
            gu_en, gu_id = join_words(f["grades_used"]), join_words(f["grades_used"], "id")
            how = "exact" if t["n_resamples"] == 0 else f"Monte Carlo, {int(t['n_resamples']):,} resamples"
            how_id = "eksak" if t["n_resamples"] == 0 else f"Monte Carlo, {int(t['n_resamples']):,} sampel acak"
            if p < 0.05:
                en = (
                    f"The {year} grades on record differ between unit categories more than chance alone would "
                    f"explain (Freeman–Halton {how} test, {p_value(p)}; {int(t['n'])} units in "
                    f"{int(t['n_rows'])} categories, grades {gu_en})."
                )
                ind = (
                    f"Predikat {year} yang tercatat berbeda antar-kategori perangkat daerah lebih dari yang "
                    f"dapat dijelaskan oleh kebetulan (uji Freeman–Halton {how_id}, {p_value(p, 'id')}; "
                    f"{int(t['n'])} perangkat daerah dalam {int(t['n_rows'])} kategori, predikat {gu_id})."
                )
            else:
                en = (
                    f"The {year} grades on record give no evidence that unit categories are graded differently "
                    f"(Freeman–Halton {how} test, {p_value(p)}; {int(t['n'])} units in {int(t['n_rows'])} "
                    f"categories, grades {gu_en}) — with this few units only large differences could show."
                )
                ind = (
                    f"Predikat {year} yang tercatat tidak memberi bukti bahwa kategori perangkat daerah "
                    f"dinilai berbeda (uji Freeman–Halton {how_id}, {p_value(p, 'id')}; {int(t['n'])} perangkat "
                    f"daerah dalam {int(t['n_rows'])} kategori, predikat {gu_id}) — dengan jumlah unit sekecil ini "
                    "hanya perbedaan besar yang dapat terlihat."
                )
            out.append(
                Finding(
                    "categories.grade_test",
                    q,
                    en,
                    ind,
                    estimate=p,
                    measure="p-value (Freeman–Halton exact test)",
                    n=float(t["n"]),
                    bases=gb,
                    evidence="grade_test.csv; grades_by_category.csv",
                    note="the exact test keeps every category with a graded unit, whatever its size",
                )
            )

    # 2. the largest category's share of the top grade; 3. what the record can detect
    shares = res.tables["top_grade_shares"]
    ref = f["reference"]
    row = None
    if len(shares) and ref is not None and (shares["category"] == ref).any():
        row = shares[shares["category"] == ref].iloc[0]
    few_note = (
        f"categories with fewer than {f['min_units']} units ({', '.join(f['too_few'])}) are too few units to say "
        "anything about; their shares and exact intervals are in top_grade_shares.csv"
        if f["too_few"]
        else ""
    )
    if row is None or len(f["grades_used"]) < 2:
        why_en = (
            "there are no grades on record"
            if shares.empty
            else (
                "every graded unit got the same grade"
                if len(f["grades_used"]) < 2
                else f"no category has at least {f['min_units']} graded units"
            )
        )
        why_id = (
            "tidak ada predikat yang tercatat"
            if shares.empty
            else (
                "semua perangkat daerah mendapat predikat yang sama"
                if len(f["grades_used"]) < 2
                else f"tidak ada kategori dengan sedikitnya {f['min_units']} perangkat daerah yang dinilai"
            )
        )
        for fid in ("categories.top_share", "categories.detectable"):
            undefined(
                fid,
                f"Not computed for {year}: {why_en}.",
                f"Tidak dihitung untuk {year}: {why_id}.",
                gb,
                "top_grade_shares.csv",
            )
    else:
        lab = f["top_label"]
        lab_id = "A atau lebih baik" if lab == "A or better" else lab
        k, n_ = int(row["successes"]), int(row["n"])
        rk, rn = int(row["rest_successes"]), int(row["rest_n"])
        en = (
            f"In the largest category, {ref} ({n_} units), {k} {'was' if k == 1 else 'were'} graded {lab} in "
            f"{year} ({fmt_share(row['estimate'])}, 95% CI {fmt_share(row['ci_low'])}–{fmt_share(row['ci_high'])}), "
            f"against {rk} of the other {plural(rn, 'unit')} ({fmt_share(row['rest_share'])}); exact test "
            f"{p_value(row['p_value'])}."
        )
        ind = (
            f"Pada kategori terbesar, {ref} ({n_} perangkat daerah), {k} mendapat predikat {lab_id} pada {year} "
            f"({fmt_share(row['estimate'], lang='id')}, IK 95% {fmt_share(row['ci_low'], lang='id')}–"
            f"{fmt_share(row['ci_high'], lang='id')}), dibanding {rk} dari {rn} perangkat daerah lainnya "
            f"({fmt_share(row['rest_share'], lang='id')}); uji eksak {p_value(row['p_value'], 'id')}."
        )
        out.append(
            Finding(
                "categories.top_share",
                q,
                en,
                ind,
                estimate=float(row["estimate"]),
                ci_low=float(row["ci_low"]),
                ci_high=float(row["ci_high"]),
                ci_level=0.95,
                measure=f"share graded {lab} (Clopper–Pearson CI)",
                n=float(n_),
                bases=gb,
                evidence="top_grade_shares.csv",
                note=few_note,
            )
        )
        hi, lo, base = row["detectable_high"], row["detectable_low"], row["rest_share"]
        if np.isfinite(hi) or np.isfinite(lo):
            target = hi if np.isfinite(hi) else lo
            diff = abs(target - base)
            side_en = "or more" if np.isfinite(hi) else "or less"
            side_id = "atau lebih" if np.isfinite(hi) else "atau kurang"
            en = (
                f"The record is small: with {plural(n_, ref + ' unit')} against {rn} other{'s' if rn != 1 else ''}, a difference in the share graded "
                f"{lab} would be detected 80% of the time only if it reached {fmt_number(100 * diff, 0)} percentage "
                f"points ({ref} at {fmt_share(target)} {side_en}, the others at {fmt_share(base)}); smaller "
                "differences can hide in it."
            )
            ind = (
                f"Datanya kecil: dengan {n_} perangkat daerah {ref} dibanding {rn} lainnya, perbedaan proporsi "
                f"predikat {lab_id} baru terdeteksi pada 80% kesempatan bila mencapai "
                f"{fmt_number(100 * diff, 0, 'id')} poin persentase ({ref} {fmt_share(target, lang='id')} "
                f"{side_id}, lainnya {fmt_share(base, lang='id')}); perbedaan yang lebih kecil dapat tersembunyi."
            )
            out.append(
                Finding(
                    "categories.detectable",
                    q,
                    en,
                    ind,
                    estimate=float(diff),
                    measure="smallest difference in share detectable with 80% power (exact Fisher test, alpha 0.05)",
                    n=float(n_ + rn),
                    bases=gb,
                    evidence="top_grade_shares.csv",
                    note="power computed exactly over all outcomes; the other units held at their observed share",
                )
            )
        else:
            undefined(
                "categories.detectable",
                f"With {plural(n_, ref + ' unit')} against {rn} other{'s' if rn != 1 else ''}, no difference in the share graded {lab}, however "
                "large, would be detected with 80% power.",
                f"Dengan {n_} perangkat daerah {ref} dibanding {rn} lainnya, tidak ada perbedaan proporsi predikat "
                f"{lab_id}, sebesar apa pun, yang terdeteksi dengan kuasa 80%.",
                gb,
                "top_grade_shares.csv",
            )

    # 4. adjusted category effects on the SAKIP total
    eff = res.tables["category_effects"]
    sb = res.bases["category_effects"] or f["score_bases"]
    if eff.empty:
        undefined(
            "categories.adjusted",
            f"Not computed: there are no juror-level SAKIP scores for {year} (the data hold grades "
            "only), so category effects adjusted for juror severity cannot be estimated.",
            f"Tidak dihitung: tidak ada nilai SAKIP per evaluator untuk {year} (catatan publik hanya memuat "
            "predikat), sehingga efek kategori setelah memperhitungkan kekerasan evaluator tidak dapat diestimasi.",
            sb,
            "category_effects.csv",
        )
    else:
        tot = eff[(eff["measure"] == "total")]
        adj = tot[(tot["model"] == "adjusted") & (tot["category"] != "all") & tot["ci_low"].notna()]
        un = tot[(tot["model"] == "unadjusted") & (tot["category"] != "all")].set_index("category")
        wald = tot[(tot["model"] == "adjusted") & (tot["category"] == "all")]
        if adj.empty:
            parts = [
                p
                for n_ in tot.loc[tot["model"] == "adjusted", "note"].dropna()
                for p in str(n_).split("; ")
                if p and not p.startswith(TOO_FEW)
            ]
            reason = "; ".join(dict.fromkeys(parts)) or "no model could be fitted"
            undefined(
                "categories.adjusted",
                f"Not estimated for {year}: {reason}.",
                f"Tidak diestimasi untuk {year}: {reason_id(reason, _REASONS_ID, 'model tidak dapat diestimasi (lihat category_effects.csv)')}.",
                sb,
                "category_effects.csv",
            )
        else:
            a = adj.loc[adj["estimate"].abs().idxmax()]
            c = a["category"]
            u_est = un.loc[c, "estimate"] if c in un.index else np.nan
            wp = float(wald["p_value"].iloc[0]) if len(wald) else np.nan
            en = (
                f"Adjusted for each juror's severity, the {year} SAKIP totals of {c} units differ from {a['reference']} "
                f"by {format_ci(a['estimate'], a['ci_low'], a['ci_high'], 1)} points — the largest adjusted category "
                f"difference (joint test of all categories {p_value(wp)}; unadjusted {fmt_number(u_est, 1)} points)."
            )
            ind = (
                f"Setelah memperhitungkan kekerasan tiap evaluator, nilai total SAKIP {year} perangkat daerah {c} "
                f"berbeda dari {a['reference']} sebesar {format_ci(a['estimate'], a['ci_low'], a['ci_high'], 1, 'id')} "
                f"poin — perbedaan kategori terbesar setelah penyesuaian (uji gabungan semua kategori "
                f"{p_value(wp, 'id')}; tanpa penyesuaian {fmt_number(u_est, 1, 'id')} poin)."
            )
            out.append(
                Finding(
                    "categories.adjusted",
                    q,
                    en,
                    ind,
                    estimate=float(a["estimate"]),
                    ci_low=float(a["ci_low"]),
                    ci_high=float(a["ci_high"]),
                    ci_level=0.95,
                    measure=f"points of SAKIP total, {c} minus {a['reference']} (mixed model, jurors as random effects)",
                    n=float(wald["n"].iloc[0]) if len(wald) else np.nan,
                    bases=sb,
                    evidence="category_effects.csv; score_tests.csv; pairwise.csv",
                    note=_join_notes(
                        (
                            f"categories with fewer than {f['min_units']} scored units "
                            f"({', '.join(f['too_few'])}) are too few units to say anything about"
                            if f["too_few"]
                            else ""
                        ),
                        "Wald intervals without small-sample correction",
                    ),
                )
            )

    # 5. the evaluating side
    side = res.tables["evaluating_side"]
    eb = res.bases["evaluating_side"]
    members = f["evaluating_side"]
    if not members:
        why_en = "no jurors are recorded" if not f["jurors_recorded"] else "no juror works in an evaluated unit"
        why_id = (
            "tidak ada evaluator yang tercatat"
            if not f["jurors_recorded"]
            else "tidak ada evaluator yang bekerja di perangkat daerah yang dinilai"
        )
        undefined(
            "categories.evaluating_side",
            f"Not computed for {year}: {why_en}, so there is no evaluating side to compare with the rest.",
            f"Tidak dihitung untuk {year}: {why_id}, sehingga tidak ada pihak penilai yang dapat dibandingkan.",
            eb,
            "evaluating_side.csv",
        )
    else:
        g = side[side["comparison"] == "grades"]
        adj = side[side["comparison"] == "scores, adjusted for jurors"]
        listing = g["units"].iloc[0] if len(g) else side["units"].iloc[0] if len(side) else ", ".join(members)
        lab = f["top_label"]
        lab_id = "A atau lebih baik" if lab == "A or better" else lab
        extra_en = extra_id = ""
        if len(adj) and np.isfinite(adj["ci_low"].iloc[0]):
            r = adj.iloc[0]
            extra_en = (
                f"; adjusted for juror severity their SAKIP totals differ from the rest by "
                f"{format_ci(r['estimate'], r['ci_low'], r['ci_high'], 1)} points"
            )
            extra_id = (
                f"; setelah memperhitungkan kekerasan evaluator, nilai total SAKIP mereka berbeda dari yang lain "
                f"sebesar {format_ci(r['estimate'], r['ci_low'], r['ci_high'], 1, 'id')} poin"
            )
        if len(g):
            r = g.iloc[0]
            en = (
                f"Exploratory conflict-of-interest check: of the unit(s) where jurors work — {listing} — "
                f"{int(round(r['estimate'] * r['n']))} of {int(r['n'])} {'was' if r['n'] == 1 else 'were'} graded "
                f"{lab}, against "
                f"{fmt_share(r['rest_estimate'])} of the other {plural(int(r['rest_n']), 'unit')} (exact "
                f"{p_value(r['p_value'])}){extra_en}."
            )
            ind = (
                f"Pemeriksaan eksploratif konflik kepentingan: dari perangkat daerah tempat evaluator bekerja — "
                f"{listing} — {int(round(r['estimate'] * r['n']))} dari {int(r['n'])} mendapat predikat {lab_id}, "
                "dibanding "
                f"{fmt_share(r['rest_estimate'], lang='id')} dari {int(r['rest_n'])} perangkat daerah lainnya "
                f"(uji eksak {p_value(r['p_value'], 'id')}){extra_id}."
            )
            out.append(
                Finding(
                    "categories.evaluating_side",
                    q,
                    en,
                    ind,
                    estimate=float(r["estimate"]),
                    ci_low=float(r["ci_low"]),
                    ci_high=float(r["ci_high"]),
                    ci_level=0.95,
                    measure=f"share graded {lab} on the evaluating side (Clopper–Pearson CI)",
                    n=float(r["n"]),
                    bases=eb,
                    evidence="evaluating_side.csv",
                    note="exploratory: a handful of units, chosen because of who sits on the jury; not a test of "
                    "any one juror",
                )
            )
        else:
            # the units without their "(no grade)" marks: the sentence says it, in either language
            bare = re.sub(r" \(no grade\)", "", listing)
            undefined(
                "categories.evaluating_side",
                f"Not computed for {year}: the units where jurors work ({bare}) have no grade on record.",
                f"Tidak dihitung untuk {year}: perangkat daerah tempat evaluator bekerja ({bare}) tidak memiliki "
                "predikat yang tercatat.",
                eb,
                "evaluating_side.csv",
            )
    return out


def _join_notes(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


_REASONS_ID = [
    ("constant response", "semua nilai sama, sehingga tidak ada perbedaan yang dapat diestimasi"),
    ("fewer than 2 groups with at least", "kurang dari 2 kategori dengan jumlah perangkat daerah yang cukup"),
    ("one juror", "hanya satu evaluator, sehingga kekerasan evaluator tidak dapat dipisahkan"),
]
