"""All agreement coefficients of one dataset-year in one tidy table (notebook 01)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER, grade_from_total
from ..data.rubrics import juror_measures, totals_account
from ..stats.agreement._alpha import krippendorff_alpha
from ..stats.agreement._common import FEW_UNITS
from ..stats.agreement._icc import icc
from ..stats.agreement._interpret import add_interpretation
from ..stats.agreement._kappa import gwet_ac
from ..stats.agreement._kendall import kendall_w
from .base import Analysis, TableSpec, year_of
from .findings import QUESTIONS, as_sentence, totals_left_out, why_no_juror_totals

#: Columns of :func:`agreement_summary` (and of ``results/agreement.csv``).
SUMMARY_COLUMNS = (
    "year",
    "evaluation",
    "stage",
    "measure",
    "panel",
    "statistic",
    "also_known_as",
    "family",
    "estimate",
    "ci_low",
    "ci_high",
    "ci_method",
    "n_subjects",
    "n_raters",
    "method",
    "note",
    "reading",
    "scale",
)

#: ICC forms reported in the summary (all six are available from :func:`icc`).
SUMMARY_ICC = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(2,k)")
#: How the reports ask :func:`icc` for intervals: "coverage" = the exact F intervals of
#: complete data for the one-way and consistency forms, the generalized CI (GCI) for the
#: absolute-agreement forms and for every form with missing cells. McGraw & Wong's F
#: interval of ICC(2,1) covered as little as 88% in our simulation when jurors differ
#: much in leniency; the GCI held 94-97.5% (see :func:`kinerja.agreement.icc`, Notes).
ICC_CI = "coverage"
#: The two kinds of ICC interval, as the tables name them.
ICC_CI_METHODS = {"f": "F (McGraw & Wong 1996)", "gci": "generalized CI (method-3 sums of squares)"}


def icc_ci_label(ci_low: float, note: str) -> str:
    """Which interval an :func:`icc` row carries (``""`` when it has none)."""
    if not np.isfinite(ci_low):
        return ""
    note = note if isinstance(note, str) else ""
    return ICC_CI_METHODS["gci" if "generalized confidence interval" in note else "f"]


def _row(base: dict, **kw) -> dict:
    out = dict(base)
    out.update(kw)
    return out


def _coefficients(long: pd.DataFrame, base: dict, n_boot: int, seed, kendall: bool = True) -> list[dict]:
    """ICC forms, interval alpha and (unless ``kendall=False``) Kendall's W for one
    measure (one panel)."""
    rows = []
    tab = icc(long, ci_method=ICC_CI)
    for _, r in tab[tab["statistic"].isin(SUMMARY_ICC)].iterrows():
        lo, hi, note = r["ci_low"], r["ci_high"], r["note"]
        cim = icc_ci_label(lo, note)
        rows.append(
            _row(
                base,
                statistic=r["statistic"],
                also_known_as=r["mcgraw_wong"],
                family="icc",
                estimate=r["estimate"],
                ci_low=lo,
                ci_high=hi,
                ci_method=cim,
                n_subjects=r["n_subjects"],
                n_raters=r["n_raters"],
                method=r["method"],
                note=note,
            )
        )
    a = krippendorff_alpha(long, level="interval", n_boot=n_boot, seed=seed).iloc[0]
    rows.append(
        _row(
            base,
            statistic="Krippendorff's alpha (interval)",
            also_known_as="",
            family="alpha",
            estimate=a["estimate"],
            ci_low=a["ci_low"],
            ci_high=a["ci_high"],
            ci_method=f"bootstrap over subjects ({n_boot} resamples)" if n_boot else "",
            n_subjects=a["n_subjects"],
            n_raters=long["juror_id"].nunique(),
            method=a["method"],
            note=a["note"],
        )
    )
    if not kendall:
        return rows
    # Kendall's W needs complete data: use the subjects every juror scored, and say so.
    wide = long.pivot_table(index="subject_id", columns="juror_id", values="score", observed=True)
    complete = wide.dropna()
    note = ""
    if len(complete) < len(wide):
        note = (
            f"computed on the {len(complete)} of {len(wide)} subjects scored by every juror (W needs complete rankings)"
        )
    if len(complete) >= 2 and wide.shape[1] >= 2:
        sub = complete.stack().rename("score").reset_index()
        w = kendall_w(sub, n_boot=n_boot, seed=seed).iloc[0]
        rows.append(
            _row(
                base,
                statistic="Kendall's W",
                also_known_as="",
                family="kendall_w",
                estimate=w["estimate"],
                ci_low=w["ci_low"],
                ci_high=w["ci_high"],
                ci_method=f"bootstrap over subjects ({n_boot} resamples)" if n_boot else "",
                n_subjects=w["n_subjects"],
                n_raters=w["n_raters"],
                method=f"chi2={w['chi2']:.2f}, df={w['df']:.0f}, p={w['p_value']:.3g}",
                note="; ".join(x for x in (note, w["note"]) if x),
            )
        )
    else:
        rows.append(
            _row(
                base,
                statistic="Kendall's W",
                also_known_as="",
                family="kendall_w",
                estimate=np.nan,
                ci_low=np.nan,
                ci_high=np.nan,
                ci_method="",
                n_subjects=len(complete),
                n_raters=wide.shape[1],
                method="",
                note="fewer than 2 subjects scored by every juror, or a single juror",
            )
        )
    return rows


def _single_juror_rows(base: dict, long: pd.DataFrame) -> list[dict]:
    reason = "one juror on this panel: agreement between jurors is undefined"
    return [
        _row(
            base,
            statistic=s,
            also_known_as="",
            family=f,
            estimate=np.nan,
            ci_low=np.nan,
            ci_high=np.nan,
            ci_method="",
            n_subjects=long["subject_id"].nunique(),
            n_raters=1,
            method="",
            note=reason,
        )
        for s, f in (("ICC(2,1)", "icc"), ("Krippendorff's alpha (interval)", "alpha"))
    ]


def agreement_summary(
    dataset,
    year: int | None = None,
    n_boot: int = 1000,
    seed: int | None = 12345,
    by_panel: bool | str = True,
    progress: bool = False,
) -> pd.DataFrame:
    """Agreement between jurors for every evaluation, stage and measure of one year.

    Parameters
    ----------
    dataset : kinerja.io.Dataset
        A loaded dataset (``kinerja.io.load_dataset``).
    year : int, optional
        Evaluation year; default the dataset's only year (error if it has several).
    n_boot : int
        Bootstrap resamples for the CI of Krippendorff's alpha. 0 skips them (CIs NaN).
    seed : int, optional
        Seed of the bootstraps (reproducible reports).
    by_panel : bool or "totals"
        Also report agreement within each panel type (ICC(2,1) and alpha with jurors of
        that panel only): True for every measure, ``"totals"`` for the totals only (the
        rows notebook 01 shows; a panel has two or three jurors a year, and the rows of
        the components were two thirds of this function's time), False for none.
    progress : bool
        Show a progress bar (tqdm) over the measures.

    Returns
    -------
    DataFrame
        One row per (evaluation, stage, measure, panel, statistic) with the columns of
        :data:`SUMMARY_COLUMNS`. ``measure`` is a rubric component (its score is the
        weight-averaged criterion score, 0-100) or ``total`` (the juror's weighted total);
        a stage with one component reports only its total. ``panel`` is ``all`` or a panel
        type. ``reading`` puts the estimate and CI in words on the ``scale`` named.

    Notes
    -----
    ICC forms: ICC(1,1) one-way; ICC(2,1) = ICC(A,1) absolute agreement of single jurors
    (the one that matters when a unit's grade depends on *which* jurors it drew);
    ICC(3,1) = ICC(C,1) consistency (jurors rank alike even if some are harsher);
    ICC(2,k) the reliability of the panel mean, i.e. of the total behind the grade. With missing
    cells the ICCs come from REML variance components. ICC(2,1) and ICC(2,k) always get
    generalized confidence intervals, which treat the jurors as a sample too (coverage
    0.938-0.975 for 20-60 units, 3-10 jurors, 0-25% missing cells, where McGraw & Wong's
    F interval fell to 0.88); ICC(1,1) and ICC(3,1) keep their exact F intervals when the
    design is complete (:data:`ICC_CI`; see :func:`kinerja.agreement.icc`). Kendall's W is computed on the subjects every juror
    scored (stated in ``note``). Every coefficient's degenerate cases give NaN with the reason in ``note``.
    """
    if isinstance(by_panel, str) and by_panel != "totals":
        raise ValueError(f'by_panel must be True, False or "totals", got {by_panel!r}')
    # "totals": within-panel rows on totals only; otherwise a truth value (numpy's too)
    panel_measures = "total" if isinstance(by_panel, str) else ("every" if bool(by_panel) else "none")
    years = dataset.years if year is None else [year]
    if len(years) != 1:
        raise ValueError(f"give year=; the dataset holds years {dataset.years}")
    year = years[0]
    scores = dataset.scores[dataset.scores["year"] == year]
    rubric = dataset.rubric[dataset.rubric["year"] == year]
    if scores.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    measures = juror_measures(scores, rubric)
    n_comp = rubric.groupby(["evaluation", "stage"], observed=True)["component"].nunique()
    panels = dataset.jurors[dataset.jurors["year"] == year].set_index("juror_id")["panel"]
    groups = []
    for (ev, st, ms), part in measures.groupby(["evaluation", "stage", "measure"], sort=False, observed=True):
        if ms != "total" and n_comp.get((ev, st), 1) <= 1:
            continue
        groups.append((ev, st, ms, part))
    # sakip first, stages in rubric order, totals before components
    stage_order = {k: i for i, k in enumerate(dict.fromkeys(zip(rubric["evaluation"], rubric["stage"])))}
    groups.sort(key=lambda g: (g[0] != "sakip", stage_order.get((g[0], g[1]), 99), g[2] != "total"))
    it = groups
    if progress:
        from tqdm import tqdm

        it = tqdm(groups, desc=f"agreement {year}", unit="measure")
    rows: list[dict] = []
    for i, (ev, st, ms, part) in enumerate(it):
        long = part[["subject_id", "juror_id", "score"]].dropna(subset=["score"])
        base = dict(year=year, evaluation=ev, stage=st, measure=ms, panel="all")
        start = len(rows)
        rows += _coefficients(long, base, n_boot, None if seed is None else seed + i)
        left = _left_out(ms, len(part), len(part) - len(long))
        for r in rows[start:] if left else ():  # a reader of the table sees who is not in it
            r["note"] = "; ".join(x for x in (r["note"], left) if x)
        if panel_measures == "every" or (panel_measures == "total" and ms == "total"):
            jp = long["juror_id"].map(panels)
            for panel in sorted(jp.dropna().unique()):
                sub = long[jp == panel]
                pbase = dict(base, panel=panel)
                if sub["juror_id"].nunique() < 2:
                    rows += _single_juror_rows(pbase, sub)
                    continue
                # within a panel only ICC(2,1) and alpha are reported: no Kendall's W
                # (its bootstrap was a third of this loop's time, thrown away)
                prows = _coefficients(sub, pbase, n_boot, None if seed is None else seed + i, kendall=False)
                rows += [r for r in prows if r["statistic"] in ("ICC(2,1)", "Krippendorff's alpha (interval)")]
    out = add_interpretation(pd.DataFrame(rows))
    return out[list(SUMMARY_COLUMNS)]


def _left_out(measure: str, n: int, n_undefined: int) -> str:
    """The note for juror scores of a measure left out because a criterion of it is
    unscored ("" when none is)."""
    if not n_undefined:
        return ""
    if measure == "total":
        return totals_left_out(dict(n_cells=n, n_incomplete=n_undefined))
    return (
        f"{n_undefined} of {n} juror scores of this component are left out: the juror did not score every "
        "criterion of it"
    )


def juror_grades(dataset, year: int) -> pd.DataFrame:
    """The SAKIP grade each juror's total implies for each unit: ``subject_id, juror_id,
    total, grade, grade_code`` (``grade_code`` 0 = D ... 6 = AA, for ordinal weights),
    ``grade_on_record`` (the unit's published grade that year; NaN if it has none) and
    ``differs_from_record`` (whether the implied grade differs from it; NA without one)."""
    sc = dataset.scores[(dataset.scores["year"] == year) & (dataset.scores["evaluation"] == "sakip")]
    rub = dataset.rubric[dataset.rubric["year"] == year]
    m = juror_measures(sc, rub)
    tot = m[m["measure"] == "total"].dropna(subset=["score"]).rename(columns={"score": "total"})
    tot = tot[["subject_id", "juror_id", "total"]].reset_index(drop=True)
    tot["grade"] = grade_from_total(tot["total"].to_numpy())
    tot["grade_code"] = tot["grade"].map({g: i for i, g in enumerate(GRADE_ORDER)}).astype(float)
    grades = dataset.grades[dataset.grades["year"] == year]
    record = grades.set_index(grades["unit_id"].astype(str))["grade"].astype(str)
    tot["grade_on_record"] = tot["subject_id"].astype(str).map(record)
    differs = pd.array(tot["grade"].astype(str) != tot["grade_on_record"], dtype="boolean")
    differs[tot["grade_on_record"].isna().to_numpy()] = pd.NA
    tot["differs_from_record"] = differs
    return tot


def grade_agreement(
    dataset, year: int, weights: tuple[str, ...] = ("unweighted", "ordinal"), *, implied: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Agreement of jurors on the letter grade their own totals imply.

    Chance-corrected coefficients (AC1/AC2, Brennan–Prediger, Conger, Fleiss,
    Krippendorff, percent agreement; :func:`kinerja.agreement.gwet_ac`) over the full
    seven-grade SAKIP scale (D … AA), so that Gwet's AC1 counts every grade a juror could
    have given. Returns the tidy ``gwet_ac`` table with ``weights``, ``reading`` and
    ``scale`` columns. ``implied``: :func:`juror_grades` of the same dataset and year when
    the caller has it already (it is not computed twice).
    """
    g = juror_grades(dataset, year) if implied is None else implied
    if g.empty:
        return pd.DataFrame()
    long = g[["subject_id", "juror_id", "grade_code"]].rename(columns={"grade_code": "score"})
    cats = list(range(len(GRADE_ORDER)))
    frames = [gwet_ac(long, weights=w, categories=cats).assign(weights=w) for w in weights]
    out = pd.concat(frames, ignore_index=True)
    fam = out["statistic"].map(
        lambda c: "alpha" if "alpha" in c.lower() else ("agreement" if "agreement" in c.lower() else "kappa")
    )
    out = add_interpretation(out.assign(family=fam))
    out.loc[out["family"] == "agreement", ["reading", "scale"]] = ["share of agreeing pairs", ""]
    return out.drop(columns="family")


# ----------------------------------------------------------------------------------------
# The analysis behind notebook 01
# ----------------------------------------------------------------------------------------

NAME = "agreement"
NOTEBOOK = "01_juror_agreement"

#: Share of juror pairs whose difference :func:`pair_differences` summarises.
PAIR_QUANTILE = 0.95


def pair_differences(totals: pd.DataFrame) -> pd.DataFrame:
    """Every pair of jurors who scored the same unit, with the absolute difference of
    their totals: ``subject_id, juror_a, juror_b, diff`` (``diff = |a - b|``)."""
    rows = []
    for sid, part in totals.groupby("subject_id", observed=True, sort=True):
        v = part[["juror_id", "score"]].dropna().sort_values("juror_id").to_numpy()
        for i in range(len(v)):
            for j in range(i + 1, len(v)):
                rows.append((sid, v[i][0], v[j][0], abs(float(v[i][1]) - float(v[j][1]))))
    return pd.DataFrame(rows, columns=["subject_id", "juror_a", "juror_b", "diff"])


def unit_precision(totals: pd.DataFrame, grades: pd.DataFrame | None = None) -> pd.DataFrame:
    """How precise each unit's panel-mean total is, and how far it is from a grade boundary.

    The error variance of one juror's total is the pooled within-unit variance of the
    jurors' totals (the one-way mean square within units; its expectation is juror
    variance + residual variance when jurors are a random draw). The standard error of a
    unit's mean of ``k`` jurors is ``sqrt(pooled / k)``.

    Returns ``subject_id, total, n_jurors, se, grade_implied, grade_on_record,
    nearest_boundary, distance, distance_se`` (``distance_se`` = distance in standard
    errors; NaN with one juror).
    """
    from ..data.grades import grade_bands

    g = totals.dropna(subset=["score"]).groupby("subject_id", observed=True, sort=True)["score"]
    stats_ = g.agg(total="mean", n_jurors="size", var="var").reset_index()
    df_within = (stats_["n_jurors"] - 1).clip(lower=0)
    pooled = float((stats_["var"].fillna(0) * df_within).sum() / df_within.sum()) if df_within.sum() > 0 else np.nan
    stats_["se"] = np.sqrt(pooled / stats_["n_jurors"])
    edges = np.unique(grade_bands()["score_lower_exclusive"].to_numpy(float))
    edges = edges[(edges > 0) & (edges < 100)]
    t = stats_["total"].to_numpy()
    near = edges[np.abs(t[:, None] - edges[None, :]).argmin(axis=1)] if len(edges) else np.full(len(t), np.nan)
    stats_["grade_implied"] = grade_from_total(t)
    stats_["nearest_boundary"] = near
    stats_["distance"] = np.abs(t - near)
    stats_["distance_se"] = stats_["distance"] / stats_["se"]
    if grades is not None and len(grades):
        rec = grades.set_index("unit_id")["grade"].astype(str)
        stats_["grade_on_record"] = stats_["subject_id"].map(rec)
    else:
        stats_["grade_on_record"] = None
    stats_.attrs["pooled_within_var"] = pooled
    return stats_[
        [
            "subject_id",
            "total",
            "n_jurors",
            "se",
            "grade_implied",
            "grade_on_record",
            "nearest_boundary",
            "distance",
            "distance_se",
        ]
    ]


TABLES = {
    "agreement": TableSpec(
        "every agreement coefficient per evaluation, stage, measure (rubric component or total) and panel "
        "(within a panel type on totals only, unless analysed with by_panel=True: notebook 01's "
        "panel_components)",
        {
            c: d
            for c, d in (
                ("year", "evaluation year"),
                ("evaluation", "sakip or kovablik"),
                ("stage", "stage"),
                ("measure", "rubric component or `total`"),
                ("panel", "`all` or a panel type"),
                ("statistic", "coefficient"),
                ("estimate", "estimate"),
                ("ci_low", "lower 95% limit"),
                ("ci_high", "upper 95% limit"),
                ("ci_method", "how the CI was formed"),
                ("n_subjects", "subjects"),
                ("n_raters", "jurors"),
                ("method", "estimation method"),
                ("note", "why a value is NaN or approximate"),
                ("reading", "verbal reading on `scale`"),
                ("scale", "the verbal scale used"),
            )
        },
    ),
    "grade_agreement": TableSpec(
        "chance-corrected agreement of jurors on the SAKIP grade their own totals imply, unweighted and with "
        "ordinal weights (near misses partly credited)",
        {
            "weights": "unweighted or ordinal",
            "estimate": "coefficient",
            "ci_low": "lower 95% limit",
            "ci_high": "upper 95% limit",
        },
    ),
    "juror_grades": TableSpec(
        "the SAKIP total of each juror for each unit and the grade it implies",
        {
            "subject_id": "unit",
            "juror_id": "juror",
            "total": "the juror's weighted total",
            "grade": "implied grade",
            "grade_on_record": "the unit's published grade (empty if none)",
            "differs_from_record": "the implied grade differs from the published one (empty without one)",
        },
    ),
    "juror_pairs": TableSpec(
        "absolute agreement ICC(A,1) of every pair of jurors on the SAKIP totals of the units both scored",
        {
            "juror_a": "juror",
            "juror_b": "juror",
            "estimate": f"ICC(A,1) of the pair; NaN when they scored fewer than {FEW_UNITS} units in common (or it is "
            "undefined)",
            "n_common": "units both scored",
        },
    ),
    "bland_altman": TableSpec(
        "bias and 95% limits of agreement of the most discrepant pair of jurors (SAKIP totals)",
        {
            "rater_a": "juror",
            "rater_b": "juror",
            "estimate": "bias: mean difference a - b",
            "loa_low": "lower limit",
            "loa_high": "upper limit",
            "n_subjects": "units both scored",
        },
    ),
    "unit_precision": TableSpec(
        "each unit's panel-mean SAKIP total, its standard error and its distance to the nearest grade boundary",
        {
            "subject_id": "unit",
            "total": "mean of the jurors' totals",
            "n_jurors": "jurors",
            "se": "standard error",
            "grade_implied": "grade of the total",
            "grade_on_record": "grade on record",
            "nearest_boundary": "nearest band boundary",
            "distance": "points to it",
            "distance_se": "distance in standard errors",
        },
    ),
}


def _stat_col(df: pd.DataFrame) -> str:
    return "statistic" if "statistic" in df.columns else "coefficient"


def analyse(
    dataset,
    *,
    year: int | None = None,
    n_boot: int = 1000,
    seed: int | None = 12345,
    by_panel: bool | str = "totals",
    progress: bool = False,
) -> Analysis:
    """Do the jurors agree? Every coefficient, the two-juror views, grade agreement, and
    the findings that reconcile them (how far two jurors differ, how reliable the
    panel-mean total behind each grade is, what that means near a band boundary).

    Parameters
    ----------
    dataset : kinerja.data.io.Dataset
        A loaded dataset.
    year : int, optional
        Evaluation year; default the dataset's only year.
    n_boot : int
        Bootstrap resamples for CIs without a closed form (0 skips them).
    seed : int, optional
        Seed of every bootstrap (reproducible reports).
    by_panel : bool or "totals"
        Agreement within each panel type on the totals only (default), on every measure
        (True) or not at all (False); see :func:`agreement_summary`.
    progress : bool
        Show progress over the measures.

    Returns
    -------
    Analysis
        Tables of :data:`TABLES` (empty where the design does not allow them: one juror,
        no scores) and findings ``agreement.two_jurors``, ``agreement.published_total``,
        ``agreement.near_boundary``, ``agreement.grade``, ``agreement.kovablik``.
    """
    year = year_of(dataset, year)
    ds = dataset.for_year(year) if len(dataset.years) > 1 else dataset
    res = Analysis(NAME, NOTEBOOK, ds.name, year)
    scores = ds.scores
    summary = agreement_summary(ds, year, n_boot=n_boot, seed=seed, by_panel=by_panel, progress=progress)
    res.add("agreement", summary, scores)
    jg = (
        juror_grades(ds, year)
        if len(scores)
        else pd.DataFrame(
            columns=["subject_id", "juror_id", "total", "grade", "grade_code", "grade_on_record", "differs_from_record"]
        )
    )
    res.add("juror_grades", jg, scores)
    multi = jg["juror_id"].nunique() >= 2 if len(jg) else False
    ga = grade_agreement(ds, year, implied=jg) if multi else pd.DataFrame()
    res.add("grade_agreement", ga, scores, ds.grades)
    totals = jg.rename(columns={"total": "score"})[["subject_id", "juror_id", "score"]]
    pairs = pd.DataFrame(columns=["juror_a", "juror_b", "estimate", "n_common"])
    ba_why = "" if multi else "fewer than two jurors have a SAKIP total"
    ba = pd.DataFrame(columns=["rater_a", "rater_b", "estimate", "loa_low", "loa_high", "n_subjects"])
    if multi:
        from ..stats.agreement import AgreementInputError, bland_altman, most_discrepant_pair, pairwise

        # a pair that scored fewer units in common than the identification rule's "few"
        # is left blank: an ICC(A,1) from 2-4 shared units (as low as -1.39 on a sparse
        # national design) is noise drawn as a finding
        mat = pairwise(totals, statistic="icc_a1", min_common=FEW_UNITS)
        scored = totals.pivot_table(index="subject_id", columns="juror_id", values="score", observed=True).notna()
        common = scored.T.astype(int) @ scored.astype(int)
        common = common.reindex(index=mat.index, columns=mat.columns).to_numpy()
        # each pair once (i < j), an undefined one kept as NaN: masking the lower triangle
        # and stacking kept its NaN cells too (pandas' new stack), so the alt text counted
        # 36 'undefined' pairs among 8 jurors with all 28 defined
        ia, ib = np.triu_indices(len(mat), k=1)
        pairs = pd.DataFrame(
            {
                "juror_a": mat.index[ia],
                "juror_b": mat.columns[ib],
                "estimate": mat.to_numpy(dtype=float)[ia, ib],
                "n_common": common[ia, ib].astype(int),
            }
        )
        # the same rule as the heatmap: a 'most discrepant' pair over 4 units is noise;
        # a design whose pairs all share fewer units falls back to the function's default
        try:
            a, b = most_discrepant_pair(totals, min_common=FEW_UNITS)
        except AgreementInputError:
            try:
                a, b = most_discrepant_pair(totals)
            except AgreementInputError:  # no pair shares 3 units (2 units x 2 jurors): no plot
                a = b = None
                ba_why = "no pair of jurors has SAKIP totals of 3 or more units in common"
        if a is not None:
            ba = bland_altman(totals, rater_a=a, rater_b=b)
    res.add("juror_pairs", pairs, scores)
    res.add("bland_altman", ba, scores)
    prec = (
        unit_precision(totals, ds.grades)
        if len(totals)
        else pd.DataFrame(columns=list(TABLES["unit_precision"].columns))
    )
    res.add("unit_precision", prec, scores)
    sak = scores[scores["evaluation"] == "sakip"] if len(scores) else scores
    account = totals_account(sak, ds.rubric[ds.rubric["evaluation"] == "sakip"])
    res.facts = dict(
        # pairs of jurors with fewer units in common are blank in juror_pairs
        pairs_min_common=FEW_UNITS,
        totals_account=account,
        # why fewer than two jurors have a total to compare (en, id), or None
        no_totals_why=why_no_juror_totals(account),
        totals_left_out=totals_left_out(account),
        n_jurors_sakip=int(jg["juror_id"].nunique()) if len(jg) else 0,
        n_units_sakip=int(jg["subject_id"].nunique()) if len(jg) else 0,
        has_kovablik=bool((scores["evaluation"] == "kovablik").any()) if len(scores) else False,
        pooled_within_var=prec.attrs.get("pooled_within_var", np.nan) if len(prec) else np.nan,
        # why there is no Bland-Altman pair ("" when there is one)
        bland_altman_why=ba_why,
    )
    res.set_findings(_findings(res, totals, prec))
    return res


def _get(summary: pd.DataFrame, evaluation: str, stage: str | None, statistic: str):
    s = summary[
        (summary["evaluation"] == evaluation)
        & (summary["measure"] == "total")
        & (summary["panel"] == "all")
        & (summary["statistic"] == statistic)
    ]
    if stage is not None:
        s = s[s["stage"] == stage]
    return None if s.empty else s.iloc[0]


def _inline(reading: str) -> str:
    """A verbal reading to sit inside parentheses: 'good (CI spans poor to excellent)' ->
    'good; its CI spans poor to excellent'.

    >>> _inline("good (CI spans poor to excellent)"), _inline("excellent")
    ('good; its CI spans poor to excellent', 'excellent')
    >>> _inline("excellent (CI within excellent)"), _inline("moderate (no CI)")
    ('excellent; its CI lies within excellent', 'moderate; no CI')
    """
    head, sep, rest = str(reading).partition(" (")
    if not sep:
        return head
    rest = rest.rstrip(")")
    if rest == "no CI":
        return f"{head}; {rest}"
    if rest.startswith("CI within "):  # a clause needs its verb: "its CI within excellent" had none
        rest = "CI lies " + rest.removeprefix("CI ")
    return f"{head}; its {rest}"


def _findings(res: Analysis, totals: pd.DataFrame, prec: pd.DataFrame) -> list:
    from .findings import Finding, fmt_number, format_ci

    q, q_ind = QUESTIONS["agreement"]
    sb = res.bases["agreement"]
    summary = res.tables["agreement"]
    out = []
    a1 = _get(summary, "sakip", None, "ICC(2,1)")
    ak = _get(summary, "sakip", None, "ICC(2,k)")
    undefined_why = res.facts["no_totals_why"]
    if undefined_why and res.facts["totals_account"]["n_cells"]:
        undefined_why = (
            f"{undefined_why[0]}, so agreement between jurors is undefined",
            f"{undefined_why[1]}, sehingga kesepakatan antar-evaluator tidak terdefinisi",
        )
    if undefined_why:
        for fid in ("agreement.two_jurors", "agreement.published_total", "agreement.near_boundary", "agreement.grade"):
            out.append(
                Finding(
                    fid,
                    q,
                    f"Not computed: {undefined_why[0]}.",
                    f"Tidak dihitung: {undefined_why[1]}.",
                    status="undefined",
                    bases=sb,
                    evidence="agreement.csv",
                )
            )
    else:
        diffs = pair_differences(totals)
        d95 = float(np.quantile(diffs["diff"], PAIR_QUANTILE)) if len(diffs) else np.nan
        est = a1["estimate"] if a1 is not None else np.nan
        ok = np.isfinite(est)
        en = (
            f"Two jurors' SAKIP totals for the same unit differ by up to {fmt_number(d95, 1)} points in 95% of "
            f"juror pairs (largest {fmt_number(diffs['diff'].max(), 1)}); a single juror's total agrees with "
            f"another's at ICC(A,1) = {format_ci(est, a1['ci_low'], a1['ci_high'])} ({a1['reading']})."
        )
        ind = (
            f"Nilai total SAKIP dua evaluator untuk perangkat daerah yang sama berbeda hingga "
            f"{fmt_number(d95, 1, 'id')} poin pada 95% pasangan evaluator (terbesar "
            f"{fmt_number(diffs['diff'].max(), 1, 'id')}); kesepakatan nilai satu evaluator dengan evaluator "
            f"lain ICC(A,1) = {format_ci(est, a1['ci_low'], a1['ci_high'], lang='id')}"
            + ("." if ok else " (tidak terdefinisi).")
        )
        out.append(
            Finding(
                "agreement.two_jurors",
                q,
                en,
                ind,
                estimate=est if ok else np.nan,
                ci_low=a1["ci_low"] if ok else np.nan,
                ci_high=a1["ci_high"] if ok else np.nan,
                ci_level=0.95 if ok and np.isfinite(a1["ci_low"]) else np.nan,
                measure="ICC(A,1)",
                n=a1["n_subjects"],
                bases=sb,
                evidence="agreement.csv; unit_precision.csv",
                status="estimated" if ok else "undefined",
                note=a1["note"] or "",
            )
        )
        se_med = float(prec["se"].median())
        k_med = float(prec["n_jurors"].median())
        ek = ak["estimate"] if ak is not None else np.nan
        okk = np.isfinite(ek)
        # "the mean of 4 jurors" where 9 scored read as a jury of 4: say who is in it, and
        # who is not
        left_out = res.facts["totals_left_out"]
        who_en = " who scored every criterion" if left_out else ""
        who_id = " yang menilai semua kriteria" if left_out else ""
        en = (
            # the reading keeps what the interval spans ("good (CI spans poor to excellent)"):
            # the label alone read as settled where the interval was not
            # "the published total" where only grades are published (Kota Batu 2020): the total
            # behind a grade is the jurors' mean whether or not it is published
            f"The total behind each grade is the mean of {fmt_number(k_med, 0)} jurors{who_en} (median): its reliability is "
            f"ICC(A,k) = {format_ci(ek, ak['ci_low'], ak['ci_high'])} ({_inline(ak['reading'])}) and its standard error "
            f"about {fmt_number(se_med, 1)} points."
        )
        ind = (
            f"Nilai total yang mendasari predikat adalah rata-rata {fmt_number(k_med, 0, 'id')} evaluator{who_id} (median): "
            f"reliabilitasnya ICC(A,k) = {format_ci(ek, ak['ci_low'], ak['ci_high'], lang='id')}"
            + ("" if okk else " (tidak terdefinisi)")
            + f" dan galat bakunya sekitar {fmt_number(se_med, 1, 'id')} poin."
        )
        if left_out:
            en += " " + as_sentence(left_out)
            ind += " " + as_sentence(totals_left_out(res.facts["totals_account"], "id"))
        out.append(
            Finding(
                "agreement.published_total",
                q,
                en,
                ind,
                estimate=ek if okk else np.nan,
                ci_low=ak["ci_low"] if okk else np.nan,
                ci_high=ak["ci_high"] if okk else np.nan,
                ci_level=0.95 if okk and np.isfinite(ak["ci_low"]) else np.nan,
                measure="ICC(A,k)",
                n=ak["n_subjects"],
                bases=sb,
                evidence="agreement.csv; unit_precision.csv",
                status="estimated" if okk else "undefined",
                note=ak["note"] or "",
            )
        )
        near = int((prec["distance_se"] < 2).sum())
        n_u = len(prec)
        en = (
            f"{near} of {n_u} units have a total within two standard errors of a grade boundary: their grade "
            "could change with another draw of jurors (notebook 02 gives each unit's probability)."
        )
        ind = (
            f"{near} dari {n_u} perangkat daerah memiliki nilai dalam jarak dua galat baku dari batas predikat: "
            "predikatnya dapat berubah bila evaluatornya lain (notebook 02 memberi peluang tiap perangkat "
            "daerah)."
        )
        out.append(
            Finding(
                "agreement.near_boundary",
                q,
                en,
                ind,
                estimate=near,
                measure="units",
                n=n_u,
                bases=sb,
                evidence="unit_precision.csv",
            )
        )
        ga = res.tables["grade_agreement"]
        if len(ga):
            col = _stat_col(ga)
            u = ga[ga["weights"] == "unweighted"].set_index(col)
            pa, ac1, kap = u.loc["percent_agreement"], u.loc["gwet_ac1"], u.loc["fleiss_kappa"]
            # an undefined kappa (e.g. every juror's total gives one grade: chance agreement 1)
            # is said in words with its reason, not printed as '= —'
            kap_en = (
                f" and Fleiss' kappa = {format_ci(kap['estimate'], kap['ci_low'], kap['ci_high'])}."
                if np.isfinite(kap["estimate"])
                else f"; Fleiss' kappa is undefined ({str(kap['note']).split('; ')[0] or 'see grade_agreement.csv'})."
            )
            kap_id = (
                f" dan kappa Fleiss = {format_ci(kap['estimate'], kap['ci_low'], kap['ci_high'], lang='id')}."
                if np.isfinite(kap["estimate"])
                else "; kappa Fleiss tidak terdefinisi (alasannya dalam grade_agreement.csv)."
            )
            en = (
                f"Jurors' own totals imply the same letter grade in {fmt_number(100 * pa['estimate'], 0)}% of "
                f"juror pairs; chance-corrected, Gwet's AC1 = {format_ci(ac1['estimate'], ac1['ci_low'], ac1['ci_high'])}"
                + kap_en
            )
            ind = (
                f"Nilai total masing-masing evaluator menghasilkan predikat yang sama pada "
                f"{fmt_number(100 * pa['estimate'], 0, 'id')}% pasangan evaluator; setelah koreksi peluang, AC1 "
                f"Gwet = {format_ci(ac1['estimate'], ac1['ci_low'], ac1['ci_high'], lang='id')}" + kap_id
            )
            okg = np.isfinite(ac1["estimate"])
            out.append(
                Finding(
                    "agreement.grade",
                    q,
                    en,
                    ind,
                    estimate=ac1["estimate"] if okg else np.nan,
                    ci_low=ac1["ci_low"] if okg else np.nan,
                    ci_high=ac1["ci_high"] if okg else np.nan,
                    ci_level=0.95 if okg and np.isfinite(ac1["ci_low"]) else np.nan,
                    measure="Gwet's AC1",
                    n=ac1.get("n_subjects", np.nan),
                    bases=res.bases["grade_agreement"],
                    evidence="grade_agreement.csv",
                    status="estimated" if okg else "undefined",
                )
            )
    kov = summary[
        (summary["evaluation"] == "kovablik")
        & (summary["measure"] == "total")
        & (summary["panel"] == "all")
        & (summary["statistic"] == "ICC(2,k)")
    ]
    if len(kov):
        parts_en, parts_id = [], []
        first = None
        for _, r in kov.iterrows():
            if np.isfinite(r["estimate"]):
                parts_en.append(f"{r['stage']} stage ICC(A,k) = {format_ci(r['estimate'], r['ci_low'], r['ci_high'])}")
                parts_id.append(
                    f"tahap {r['stage']} ICC(A,k) = {format_ci(r['estimate'], r['ci_low'], r['ci_high'], lang='id')}"
                )
            else:  # said with its reason, not printed as '= —'
                why = str(r["note"] or "").split("; ")[0] or "see agreement.csv"
                parts_en.append(f"{r['stage']} stage ICC(A,k) undefined ({why})")
                parts_id.append(f"tahap {r['stage']} ICC(A,k) tidak terdefinisi (alasannya dalam agreement.csv)")
            first = first if first is not None else r
        okv = np.isfinite(first["estimate"])
        out.append(
            Finding(
                "agreement.kovablik",
                q,
                "The reliability of the KOVABLIK jury's mean scores: " + "; ".join(parts_en) + ".",
                "Reliabilitas rata-rata nilai juri KOVABLIK: " + "; ".join(parts_id) + ".",
                estimate=first["estimate"] if okv else np.nan,
                ci_low=first["ci_low"] if okv else np.nan,
                ci_high=first["ci_high"] if okv else np.nan,
                ci_level=0.95 if okv and np.isfinite(first["ci_low"]) else np.nan,
                measure=f"ICC(A,k), {first['stage']} stage",
                n=first["n_subjects"],
                bases=sb,
                evidence="agreement.csv",
                status="estimated" if okv else "undefined",
                note=first["note"] or "",
            )
        )
    else:
        out.append(
            Finding(
                "agreement.kovablik",
                q,
                f"No KOVABLIK jury scores in {res.year}: nothing to say about the innovation jury's agreement.",
                f"Tidak ada nilai juri KOVABLIK pada {res.year}: kesepakatan juri inovasi tidak dapat dinilai.",
                status="undefined",
                bases=sb,
                evidence="agreement.csv",
            )
        )
    return out
