"""All agreement coefficients of one dataset-year in one tidy table (notebook 01)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER, grade_from_total
from ..data.rubrics import juror_measures
from ..stats.agreement._alpha import krippendorff_alpha
from ..stats.agreement._icc import icc, icc_bootstrap
from ..stats.agreement._interpret import add_interpretation
from ..stats.agreement._kappa import gwet_ac
from ..stats.agreement._kendall import kendall_w

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
#: Forms that get a bootstrap CI when the design has missing cells (for totals only:
#: each resample refits REML, ~12 ms for 29 x 10, so 1,000 resamples cost ~12 s).
BOOT_ICC = ("ICC(2,1)", "ICC(2,k)")


def _row(base: dict, **kw) -> dict:
    out = dict(base)
    out.update(kw)
    return out


def _coefficients(long: pd.DataFrame, base: dict, n_boot: int, seed, boot_icc: bool) -> list[dict]:
    """ICC forms, interval alpha and Kendall's W for one measure (one panel)."""
    rows = []
    tab = icc(long)
    boot = None
    incomplete = tab["method"].str.startswith("reml").any()
    if incomplete and boot_icc and n_boot > 0:
        boot = icc_bootstrap(long, types=BOOT_ICC, n_boot=n_boot, seed=seed).set_index("type")
    for _, r in tab[tab["type"].isin(SUMMARY_ICC)].iterrows():
        lo, hi, cim, note = r["ci_low"], r["ci_high"], "F (McGraw & Wong 1996)", r["note"]
        if boot is not None and r["type"] in boot.index:
            b = boot.loc[r["type"]]
            lo, hi, cim = b["ci_low"], b["ci_high"], f"bootstrap over subjects ({int(b['n_boot'])} resamples)"
            note = ""
        elif not np.isfinite(lo):
            cim = ""
            if incomplete and boot_icc is False and base.get("panel") == "all":
                note = (note + "; " if note else "") + (
                    "bootstrap CIs of ICCs with missing cells are computed for totals only "
                    "(each resample refits REML); see alpha's CI for this measure"
                )
        rows.append(
            _row(
                base,
                statistic=r["type"],
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
        w = kendall_w(sub).iloc[0]
        rows.append(
            _row(
                base,
                statistic="Kendall's W",
                also_known_as="",
                family="kendall_w",
                estimate=w["estimate"],
                ci_low=np.nan,
                ci_high=np.nan,
                ci_method="",
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
    seed: int | None = 2020,
    by_panel: bool = True,
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
        Bootstrap resamples for CIs that have no closed form (alpha; ICC with missing
        cells). 0 skips them (CIs NaN).
    seed : int, optional
        Seed of the bootstraps (reproducible reports).
    by_panel : bool
        Also report agreement within each panel type (ICC(2,1) and alpha with jurors of
        that panel only).
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
    ICC(2,k) the reliability of the panel mean, i.e. of the published total. With missing
    cells the ICCs come from REML variance components; the CIs of ICC(2,1) and ICC(2,k)
    of totals then come from a bootstrap over subjects (components report alpha's
    bootstrap CI instead: refitting REML a thousand times per component is slow). Kendall's W is computed on the subjects every juror scored (stated in
    ``note``). Every coefficient's degenerate cases give NaN with the reason in ``note``.
    """
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
        rows += _coefficients(long, base, n_boot, None if seed is None else seed + i, boot_icc=(ms == "total"))
        if by_panel:
            jp = long["juror_id"].map(panels)
            for panel in sorted(jp.dropna().unique()):
                sub = long[jp == panel]
                pbase = dict(base, panel=panel)
                if sub["juror_id"].nunique() < 2:
                    rows += _single_juror_rows(pbase, sub)
                    continue
                prows = _coefficients(sub, pbase, n_boot, None if seed is None else seed + i, boot_icc=False)
                rows += [r for r in prows if r["statistic"] in ("ICC(2,1)", "Krippendorff's alpha (interval)")]
    out = add_interpretation(pd.DataFrame(rows))
    return out[list(SUMMARY_COLUMNS)]


def juror_grades(dataset, year: int) -> pd.DataFrame:
    """The SAKIP grade each juror's total implies for each unit: ``subject_id, juror_id,
    total, grade, grade_code`` (``grade_code`` 0 = D ... 6 = AA, for ordinal weights)."""
    sc = dataset.scores[(dataset.scores["year"] == year) & (dataset.scores["evaluation"] == "sakip")]
    rub = dataset.rubric[dataset.rubric["year"] == year]
    m = juror_measures(sc, rub)
    tot = m[m["measure"] == "total"].dropna(subset=["score"]).rename(columns={"score": "total"})
    tot = tot[["subject_id", "juror_id", "total"]].reset_index(drop=True)
    tot["grade"] = grade_from_total(tot["total"].to_numpy())
    tot["grade_code"] = tot["grade"].map({g: i for i, g in enumerate(GRADE_ORDER)}).astype(float)
    return tot


def grade_agreement(dataset, year: int, weights: tuple[str, ...] = ("unweighted", "ordinal")) -> pd.DataFrame:
    """Agreement of jurors on the letter grade their own totals imply.

    Chance-corrected coefficients (AC1/AC2, Brennan–Prediger, Conger, Fleiss,
    Krippendorff, percent agreement; :func:`kinerja.agreement.gwet_ac`) over the full
    seven-grade SAKIP scale (D … AA), so that Gwet's AC1 counts every grade a juror could
    have given. Returns the tidy ``gwet_ac`` table with ``weights``, ``reading`` and
    ``scale`` columns.
    """
    g = juror_grades(dataset, year)
    if g.empty:
        return pd.DataFrame()
    long = g[["subject_id", "juror_id", "grade_code"]].rename(columns={"grade_code": "score"})
    cats = list(range(len(GRADE_ORDER)))
    frames = [gwet_ac(long, weights=w, categories=cats).assign(weights=w) for w in weights]
    out = pd.concat(frames, ignore_index=True)
    fam = out["coefficient"].map(
        lambda c: "alpha" if "alpha" in c.lower() else ("agreement" if "agreement" in c.lower() else "kappa")
    )
    out = add_interpretation(out.assign(family=fam))
    out.loc[out["family"] == "agreement", ["reading", "scale"]] = ["share of agreeing pairs", ""]
    return out.drop(columns="family")
