"""Who is severe, whom a jury favours, how precise each grade is, how many jurors are
enough: the analysis behind ``notebooks/02_juror_effects``.

:func:`analyse` takes the SAKIP scores of one evaluation year and returns the jurors'
leniency with intervals (:func:`kinerja.stats.effects.juror_model`), their fit
(:func:`~kinerja.stats.effects.rater_fit`), bias interactions, panel effects, home bias,
severity-adjusted totals, each unit's grade stability
(:func:`kinerja.stats.stability.grade_stability`) and the D study of the number of
jurors (:mod:`kinerja.stats.gtheory`), with findings computed from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.rubrics import totals_account, weighted_totals
from ..stats import effects as fx
from ..stats.stability import grade_stability
from .base import Analysis, TableSpec, year_of
from .findings import (
    QUESTIONS,
    Finding,
    fmt_number,
    format_ci,
    join_words,
    p_value,
    plural,
    poorly_determined,
    reason_id,
    totals_left_out,
    why_no_juror_totals,
)

NAME = "juror_effects"
NOTEBOOK = "02_juror_effects"

#: Level of the flags and of every interval.
ALPHA = 0.05
#: Target dependability of a unit's total for the D study (default of :func:`analyse`).
TARGET_PHI = 0.8
#: Largest number of jurors per unit the D study searches.
MAX_JURORS = 50

_CI = "lower 95% limit"
_CH = "upper 95% limit"

TABLES = {
    "juror_effects": TableSpec(
        "each SAKIP juror's leniency (points added to a score compared with the average juror) from the crossed "
        "units x jurors x criteria model, with its 95% interval and flags with and without Holm's correction",
        {
            "juror_id": "juror",
            "panel": "panel type",
            "home_unit_id": "unit the juror works in (empty: none)",
            "estimate": "leniency, points (positive = lenient, negative = severe)",
            "se": "prediction standard error",
            "ci_low": _CI,
            "ci_high": _CH,
            "p_value": "two-sided p-value that the juror is as lenient as the average juror",
            "p_holm": "Holm-adjusted over the jurors",
            "flag": "the 95% interval excludes 0",
            "flag_holm": "p_holm < 0.05",
            "direction": "lenient or severe (flagged jurors)",
            "n_subjects": "units scored",
            "n_scores": "criterion scores given",
            "note": "why a value is missing or what limits it",
        },
    ),
    "rater_fit": TableSpec(
        "each juror's fit as FACETS reports it (infit and outfit mean squares) and the central-tendency and "
        "halo checks, each with the rule that flags it",
        {
            "juror_id": "juror",
            "panel": "panel type",
            "infit": "information-weighted mean square (1 = as random as the average juror)",
            "outfit": "unweighted mean square",
            "fit_reading": "noisy (> 1.5), muted (< 0.5) or as expected",
            "spread_slope": "spread of the units relative to the median juror (< 1 = compressed)",
            "spread_reading": "central tendency (< 0.75, interval below 1), extreme scoring, or as the others",
            "profile_slope": "spread over a unit's criteria relative to the median juror",
            "profile_reading": "halo (< 0.75, interval below 1) or as the others",
            "flags": "the readings that flag the juror",
            "note": "why a value is missing",
        },
    ),
    "bias_interactions": TableSpec(
        "bias interactions: juror x unit category, panel type x unit category and juror x rubric component "
        "(points above what the juror's leniency predicts), Holm-adjusted within each interaction",
        {
            "interaction": "which interaction",
            "level_a": "juror or panel type",
            "level_b": "unit category or rubric component",
            "estimate": "bias, points",
            "ci_low": _CI,
            "ci_high": _CH,
            "p_value": "p-value",
            "p_holm": "Holm-adjusted within the interaction",
            "flag": "p_holm < 0.05",
            "n": "units in the cell",
            "method": "how the bias was tested",
        },
    ),
    "panel_effects": TableSpec(
        "difference of each panel type from the reference panel in juror totals (fixed panel effects, random "
        "units and jurors)",
        {
            "panel": "panel type",
            "reference": "the reference panel",
            "estimate": "difference from the reference, points",
            "ci_low": _CI,
            "ci_high": _CH,
            "p_value": "t test with the containment degrees of freedom (jurors minus panel types)",
            "n_raters": "jurors of the panel",
            "note": "remarks",
        },
    ),
    "panel_test": TableSpec(
        "joint Wald test that every panel type scores alike",
        {
            "statistic": "the test (Wald F)",
            "df": "numerator degrees of freedom (contrasts)",
            "df_denominator": "containment degrees of freedom: jurors minus panel types (empty: chi-square)",
            "chi2": "Wald chi-square",
            "f": "Wald F = chi2 / df",
            "p_value": "p-value",
            "method": "reference distribution used",
            "reference": "reference panel",
            "n_panels": "panel types",
            "note": "remarks",
        },
    ),
    "home_bias": TableSpec(
        "how much more jurors give the unit they work in than the other jurors give it (two-way fixed effects "
        "on juror totals), with a permutation p-value",
        {
            "estimate": "home bias, points",
            "ci_low": _CI,
            "ci_high": _CH,
            "p_value": "permutation p-value (two-sided)",
            "n_home_scores": "juror totals of a juror's own unit",
            "n_home_jurors": "jurors who scored their own unit",
            "n_home_units": "units scored by their own jurors",
            "n_permutations": "assignments of home units compared",
            "permutation": "exact (all assignments) or random",
            "note": "why a value is missing",
        },
    ),
    "adjusted_totals": TableSpec(
        "each unit's SAKIP total on record and the total had every juror been of average severity",
        {
            "subject_id": "unit",
            "n_jurors": "jurors",
            "total": "mean of the jurors' totals (as on record)",
            "grade": "grade of that total",
            "grade_on_record": "grade on record",
            "adjusted_total": "total with every juror's leniency removed",
            "adjustment": "adjusted minus on record, points",
            "adjusted_grade": "grade of the adjusted total",
            "grade_changes": "the adjusted total falls in another band",
        },
    ),
    "grade_stability": TableSpec(
        "each unit's standard error, distance to the nearest grade boundary, and the probability that another "
        "draw of jurors of the same number gives another grade",
        {
            "subject_id": "unit",
            "n_jurors": "jurors",
            "total": "mean of the jurors' totals",
            "grade": "grade of that total",
            "grade_on_record": "grade on record",
            "nearest_boundary": "nearest band boundary",
            "distance": "points to it",
            "se": "standard error of the total (absolute error variance for its number of jurors)",
            "distance_se": "distance in standard errors",
            "expected_total": "predicted total over all possible juries",
            "p_change": "probability of another grade under a new jury",
            "p_higher": "probability of a better grade",
            "p_lower": "probability of a worse grade",
            "likely_grade": "most probable grade under a new jury",
            "se_resampled": "standard error from resampled juries",
            "p_change_resampled": "p_change from resampled juries",
        },
    ),
    "grade_stability_summary": TableSpec(
        "for the dataset: the expected number of units whose grade another jury would change",
        {
            "statistic": "what is counted",
            "estimate": "value",
            "ci_low": "lower limit (resampled juries)",
            "ci_high": "upper limit",
            "n": "units",
            "method": "how it was computed",
        },
    ),
    "effects_components": TableSpec(
        "variance components of the two models: criterion scores (units x jurors x criteria) and juror totals "
        "(units x jurors)",
        {
            "model": "scores or totals",
            "component": "effect",
            "variance": "variance, points squared",
            "sd": "standard deviation, points",
            "share": "share of the model's total variance",
            "ci_low": "lower 95% limit (Satterthwaite)",
            "ci_high": "upper 95% limit",
            "note": "remarks",
        },
    ),
    "d_study": TableSpec(
        "dependability Phi of a unit's total against the number of jurors per unit (G study p x r of the "
        "juror totals, REML)",
        {
            "n_jurors": "jurors per unit",
            "phi": "dependability (absolute decisions)",
            "e_rho2": "generalizability (rankings)",
            "sem_absolute": "absolute standard error, points",
            "target": "target Phi",
            "reaches_target": "Phi at least the target",
            "smallest": "the smallest number of jurors reaching the target",
        },
    ),
}

_MODEL_SCORES = "scores: units x jurors x criteria"
_MODEL_TOTALS = "totals: units x jurors"


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[name].columns})


def _inputs(ds) -> dict:
    """The SAKIP criterion scores, juror totals and the jurors', units' and criteria's
    attributes of one dataset-year."""
    notes = []
    if (ds.scores["evaluation"] == "kovablik").any():
        notes.append(
            "KOVABLIK jury scores are not analysed here: this notebook is about the SAKIP grades of units "
            "(the innovation competition is notebook 04's subject)"
        )
    sc = ds.scores[ds.scores["evaluation"] == "sakip"]
    rub = ds.rubric[ds.rubric["evaluation"] == "sakip"]
    stages = list(dict.fromkeys(rub["stage"])) or list(dict.fromkeys(sc["stage"]))
    if len(stages) > 1:
        notes.append(f"SAKIP has {len(stages)} stages; juror effects are computed on the first ({stages[0]})")
    if stages:
        sc = sc[sc["stage"] == stages[0]]
        rub = rub[rub["stage"] == stages[0]]
    crit = sc[["subject_id", "juror_id", "criterion_id", "score"]].dropna(subset=["score"]).reset_index(drop=True)
    if len(sc):
        tot = weighted_totals(sc, rub)
        account = totals_account(sc, rub)
        left_out = totals_left_out(account)
        if left_out:
            notes.append(left_out)
        tot = tot.dropna(subset=["total"]).rename(columns={"total": "score"})
        tot = tot[["subject_id", "juror_id", "score"]].reset_index(drop=True)
    else:
        account = totals_account(sc, rub)
        tot = pd.DataFrame({c: pd.Series(dtype=object) for c in ("subject_id", "juror_id")}).assign(
            score=pd.Series(dtype=float)
        )
    jur = ds.jurors.drop_duplicates("juror_id").set_index("juror_id")
    home = jur["home_unit_id"].where(jur["home_unit_id"].notna(), "").astype(str).str.strip()
    return dict(
        scores=sc,
        crit=crit,
        totals=tot,
        panel=jur["panel"].astype(str),
        home=home[home != ""],
        category=ds.units.drop_duplicates("unit_id").set_index("unit_id")["category"].astype(str),
        component=rub.drop_duplicates("criterion_id").set_index("criterion_id")["component"].astype(str),
        record=ds.grades.drop_duplicates("unit_id").set_index("unit_id")["grade"].astype(str),
        notes=notes,
        account=account,
    )


def _d_study(totals: pd.DataFrame, target: float, n_obs: float) -> tuple[pd.DataFrame, dict]:
    """Phi against the number of jurors per unit, and the smallest number reaching the target."""
    from ..stats.gtheory import GTheoryInputError, g_study

    info = dict(phi_observed=np.nan, n_needed=np.nan, reached=False, method="", note="")
    try:
        # errstate: see kinerja.stats.effects._components (varcomp's Satterthwaite upper limit
        # divides by a chi-square quantile that underflows to 0 when a component's df is tiny)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = g_study(totals, "p x r", facets={"p": "subject_id", "r": "juror_id"}, value="score", method="reml")
    except (GTheoryInputError, ValueError) as err:
        info["note"] = f"no D study: {err}"
        return _empty("d_study"), info
    top = int(max(12, 2 * np.ceil(n_obs) if np.isfinite(n_obs) else 12))
    d = g.d_study(n={"r": range(1, top + 1)})
    best = g.smallest_design(target, max_n=MAX_JURORS)
    reached = bool(best["reached"].iloc[0])
    n_needed = float(best["n_r"].iloc[0]) if reached else np.nan
    out = pd.DataFrame(
        {
            "n_jurors": d["n_r"].astype(np.int64),
            "phi": d["phi"].astype(float),
            "e_rho2": d["e_rho2"].astype(float),
            "sem_absolute": d["sem_absolute"].astype(float),
            "target": target,
        }
    )
    out["reaches_target"] = out["phi"] >= target
    out["smallest"] = out["n_jurors"] == n_needed
    info.update(
        phi_observed=float(g.phi),
        n_needed=n_needed,
        reached=reached,
        method=g.method,
        note="; ".join(x for x in (g.note, str(best["note"].iloc[0] or "")) if x and x != "nan"),
        limit_note=str(best["note"].iloc[0] or ""),
    )
    return out, info


def analyse(
    dataset,
    *,
    year: int | None = None,
    n_resamples: int = 2000,
    target_phi: float = TARGET_PHI,
    seed: int | None = 12345,
    progress: bool = False,
) -> Analysis:
    """Juror effects and grade precision for the SAKIP evaluation of one year.

    Parameters
    ----------
    dataset : kinerja.data.io.Dataset
        A loaded dataset.
    year : int, optional
        Evaluation year; default the dataset's only year.
    n_resamples : int
        Juries resampled for grade stability, and the largest number of permutations of
        the home-bias test (all assignments are used when there are fewer: exact).
    target_phi : float
        Dependability a unit's total should reach (D study).
    seed : int, optional
        Seed of the resampling and permutations.
    progress : bool
        Show the steps as a progress bar.

    Returns
    -------
    Analysis
        Tables of :data:`TABLES` (empty, or NaN with the reason, where the design does
        not allow them); findings ``juror_effects.leniency``, ``juror_effects.panels``,
        ``juror_effects.home_bias``, ``juror_effects.grade_changes``,
        ``juror_effects.jurors_needed``; ``facts`` quoted by the notebook.
    """
    if not 0 < target_phi < 1:
        raise ValueError(f"target_phi must be between 0 and 1, got {target_phi!r}")
    year = year_of(dataset, year)
    ds = dataset.for_year(year) if len(dataset.years) > 1 else dataset
    res = Analysis(NAME, NOTEBOOK, ds.name, year)
    inp = _inputs(ds)
    res.notes += inp["notes"]
    sc = inp["scores"]
    steps = iter(range(8))
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=8, desc=f"juror effects {year}", unit="step")

    def tick():
        next(steps, None)
        if bar is not None:
            bar.update(1)

    crit, totals = inp["crit"], inp["totals"]
    # ---- leniency (criterion-level model) and what rests on it
    model = fx.juror_model(crit, criterion="criterion_id", alpha=ALPHA)
    tick()
    sev = model.severity.copy()
    sev.insert(1, "panel", sev["juror_id"].map(inp["panel"]))
    sev.insert(2, "home_unit_id", sev["juror_id"].map(inp["home"]).fillna(""))
    res.add("juror_effects", sev, sc)
    fit = fx.rater_fit(model)
    fit.insert(1, "panel", fit["juror_id"].map(inp["panel"]))
    res.add("rater_fit", fit, sc)
    tick()
    bias = fx.bias_interactions(
        model,
        subject_groups=inp["category"],
        rater_groups=inp["panel"],
        criterion_groups=inp["component"],
        alpha=ALPHA,
    )
    res.add("bias_interactions", bias, sc, ds.units)
    tick()
    # ---- panels and home bias (juror totals)
    if len(totals):
        pe = fx.panel_effects(totals.assign(panel=totals["juror_id"].map(inp["panel"])))
        hb = fx.home_bias(totals, home=inp["home"].to_dict(), n_permutations=n_resamples, seed=seed)
        adj = fx.severity_adjusted_totals(totals, model.severity)
    else:
        pe = fx.panel_effects(pd.DataFrame({"subject_id": [], "juror_id": [], "panel": [], "score": []}))
        hb = fx.home_bias(pd.DataFrame({"subject_id": [], "juror_id": [], "score": []}), home={})
        adj = _empty("adjusted_totals")
    res.add("panel_effects", pe.effects, sc, ds.jurors)
    res.add("panel_test", pe.test, sc, ds.jurors)
    res.add("home_bias", hb, sc, ds.jurors)
    tick()
    if len(adj):
        adj.insert(4, "grade_on_record", adj["subject_id"].map(inp["record"]))
    res.add("adjusted_totals", adj, sc, ds.grades)
    # ---- grade stability and the D study
    gs = grade_stability(totals, n_resamples=n_resamples, seed=seed)
    tick()
    units = gs.units.copy()
    units.insert(4, "grade_on_record", units["subject_id"].map(inp["record"]))
    res.add("grade_stability", units, sc, ds.grades)
    res.add("grade_stability_summary", gs.summary, sc)
    comps = []
    if len(model.components):
        comps.append(model.components.assign(model=_MODEL_SCORES))
    if len(gs.components):
        comps.append(gs.components.assign(model=_MODEL_TOTALS))
    comp = pd.concat(comps, ignore_index=True) if comps else _empty("effects_components")
    if len(comp):
        comp = comp[["model", *[c for c in comp.columns if c != "model"]]]
    res.add("effects_components", comp, sc)
    n_obs = float(units["n_jurors"].median()) if len(units) else np.nan
    if totals["juror_id"].nunique() >= 2 and totals["subject_id"].nunique() >= 2 and np.ptp(totals["score"]) > 0:
        dtab, dinfo = _d_study(totals, target_phi, n_obs)
    else:
        dtab = _empty("d_study")
        dinfo = dict(phi_observed=np.nan, n_needed=np.nan, reached=False, method="", note="", limit_note="")
    res.add("d_study", dtab, sc)
    tick()
    if bar is not None:
        bar.close()
    res.facts = _facts(res, model, inp, gs, dinfo, target_phi, n_obs)
    res.set_findings(_findings(res))
    return res


def _facts(res, model, inp, gs, dinfo, target_phi, n_obs) -> dict:
    sev = res.tables["juror_effects"]
    n_j = int(inp["crit"]["juror_id"].nunique()) if len(inp["crit"]) else 0
    summ = gs.summary.set_index("statistic")
    units = res.tables["grade_stability"]
    adj = res.tables["adjusted_totals"]
    comp = model.components.set_index("component") if len(model.components) else pd.DataFrame()
    juror_var = comp.loc["juror_id"] if "juror_id" in comp.index else None
    sd = float(np.sqrt(juror_var["variance"])) if juror_var is not None else np.nan
    sd_ci = (
        (float(np.sqrt(juror_var["ci_low"])), float(np.sqrt(juror_var["ci_high"])))
        if juror_var is not None
        else (np.nan, np.nan)
    )
    if not (np.isfinite(sd_ci).all() and sd_ci[0] <= sd <= sd_ci[1]):
        # a juror variance near 0 gets a degenerate Satterthwaite interval (df near 0): show none
        sd_ci = (np.nan, np.nan)
    # why the analyses of totals (grade stability, the D study) have nothing to work on,
    # when the criterion scores are there but too few jurors have a complete total
    totals_why = why_no_juror_totals(inp["account"]) if n_j >= 2 else None
    groups = fx.jury_groups(inp["crit"]) if len(inp["crit"]) else pd.Series(dtype=int)
    return dict(
        # jurors in groups that share no unit (a disconnected design): sizes, largest first
        jury_groups=groups.value_counts().sort_index().tolist() if len(groups) else [],
        totals_why=totals_why,
        n_adjusted_units=len(adj),
        n_jurors=n_j,
        n_units=int(inp["crit"]["subject_id"].nunique()) if len(inp["crit"]) else 0,
        n_units_graded=len(units),
        n_criteria=int(inp["crit"]["criterion_id"].nunique()) if len(inp["crit"]) else 0,
        n_panels=int(sev["panel"].nunique()) if len(sev) else 0,
        severity_defined=bool(model.fit is not None),
        severity_note=model.degenerate or "",
        n_flagged=int(sev["flag"].sum()) if len(sev) else 0,
        n_flagged_holm=int(sev["flag_holm"].sum()) if len(sev) else 0,
        expected_by_chance=ALPHA * n_j,
        alpha=ALPHA,
        juror_sd=sd,
        juror_sd_ci=sd_ci,
        # a sentence when that interval's upper limit is ten times its lower or more ("" otherwise)
        juror_sd_caveat=poorly_determined(*sd_ci, n_j, "the spread between jurors"),
        n_adjusted_changes=int(adj["grade_changes"].sum()) if len(adj) else 0,
        expected_changes=float(summ.loc["expected_changes", "estimate"]) if len(summ) else np.nan,
        expected_changes_ci=(
            (float(summ.loc["expected_changes", "ci_low"]), float(summ.loc["expected_changes", "ci_high"]))
            if len(summ)
            else (np.nan, np.nan)
        ),
        n_within_1se=int((units["distance_se"] < 1).sum()) if len(units) else 0,
        stability_note=totals_why[0] if totals_why else gs.note,
        median_jurors=n_obs,
        target_phi=target_phi,
        phi_observed=dinfo["phi_observed"],
        n_jurors_needed=dinfo["n_needed"],
        target_reached=dinfo["reached"],
        d_study_method=dinfo.get("method", ""),
        d_study_note=totals_why[0] if totals_why else dinfo.get("note", ""),
        has_home=bool(len(inp["home"])),
    )


# ----------------------------------------------------------------------------------------
# findings
# ----------------------------------------------------------------------------------------


#: Indonesian wording of the reasons the panel comparison is undefined (stats.effects.panel_effects)
_PANEL_REASONS_ID = [
    (r"^a single panel type", "hanya satu jenis panel yang menilai, jadi tidak ada yang dibandingkan"),
    (r"^a single subject", "hanya satu unit yang dinilai"),
    (r"^every score is the same", "semua nilai sama: jenis panel tidak berbeda (tanpa uji)"),
    (
        r"^every panel type has a single juror",
        "setiap jenis panel hanya beranggotakan satu evaluator, sehingga panel dan evaluator berimpit dan tidak dapat "
        "diuji apakah jenis panel berbeda melebihi perbedaan antarevaluator (setiap selisih adalah selisih satu "
        "evaluator)",
    ),
    (r"^fewer than two panel types", "kurang dari dua jenis panel menilai SAKIP"),
]


def _undefined(fid: str, en: str, ind: str, bases, evidence: str) -> Finding:
    q, _ = QUESTIONS["juror_effects"]
    return Finding(
        fid, q, f"Not computed: {en}.", f"Tidak dihitung: {ind}.", status="undefined", bases=bases, evidence=evidence
    )


def _why_no_scores(res) -> tuple[str, str] | None:
    f = res.facts
    if f["n_jurors"] == 0:
        return (
            f"there are no SAKIP juror scores in {res.year}",
            f"tidak ada nilai SAKIP per evaluator pada {res.year}",
        )
    if f["n_jurors"] < 2:
        return (
            "only one juror scored SAKIP this year, so jurors cannot be compared with one another",
            "hanya satu evaluator yang menilai SAKIP tahun ini, sehingga evaluator tidak dapat dibandingkan",
        )
    return None


def _signed(x: float, digits: int = 1, lang: str = "en") -> str:
    return ("+" if x > 0 else "") + fmt_number(x, digits, lang) if np.isfinite(x) else "—"


def _findings(res) -> list[Finding]:
    q, _ = QUESTIONS["juror_effects"]
    f = res.facts
    out: list[Finding] = []
    bases = res.bases["juror_effects"]
    why = _why_no_scores(res)
    # ---- leniency
    sev = res.tables["juror_effects"]
    if why or not f["severity_defined"]:
        en, ind = why or (
            f["severity_note"] or "the juror model could not be fitted",
            "model evaluator tidak dapat diestimasi",
        )
        out.append(_undefined("juror_effects.leniency", en, ind, bases, "juror_effects.csv"))
    else:
        sd, (lo, hi) = f["juror_sd"], f["juror_sd_ci"]
        nj, k, kh, chance = f["n_jurors"], f["n_flagged"], f["n_flagged_holm"], f["expected_by_chance"]
        e_max, e_min = float(sev["estimate"].max()), float(sev["estimate"].min())
        ch = f["n_adjusted_changes"]
        if f["n_adjusted_units"]:
            regrade = (
                "Scoring every unit as if all its jurors were of average severity would change "
                f"{ch} grade{'' if ch == 1 else 's'}."
            )
        else:  # no complete juror totals: nothing to regrade (not "0 grades change")
            regrade = "No unit has a complete juror total to regrade without severity" + (
                f": {f['totals_why'][0]}." if f["totals_why"] else "."
            )
        en = (
            f"Jurors differ in leniency with a standard deviation of {format_ci(sd, lo, hi, 1)} points between "
            f"jurors: the most lenient adds {_signed(e_max)} and the most severe {_signed(e_min)} points to a "
            f"score compared with the average juror. {k} of {nj} jurors score significantly more leniently or "
            f"more severely than the average (95% interval excludes 0; about {fmt_number(chance, 1)} would by "
            f"chance if none differed; {kh} after Holm's correction). {regrade}"
        )
        ind = (
            f"Tingkat kemurahan evaluator berbeda dengan simpangan baku {format_ci(sd, lo, hi, 1, 'id')} poin "
            f"antar-evaluator: evaluator paling murah menambah {_signed(e_max, 1, 'id')} dan paling ketat "
            f"{_signed(e_min, 1, 'id')} poin pada nilai dibanding evaluator rata-rata. {k} dari {nj} evaluator "
            f"menilai lebih murah atau lebih ketat secara signifikan (interval 95% tidak memuat 0; sekitar "
            f"{fmt_number(chance, 1, 'id')} terjadi karena kebetulan bila tidak ada perbedaan; {kh} setelah "
            + (
                f"koreksi Holm). Jika semua evaluator dianggap setara ketatnya, {ch} predikat akan berubah."
                if f["n_adjusted_units"]
                else "koreksi Holm). Tidak ada perangkat daerah dengan total evaluator lengkap untuk dinilai ulang."
            )
        )
        split = f["jury_groups"]
        if len(split) > 1:  # a disconnected design: severity is comparable only within a group
            sizes = join_words([str(x) for x in split])
            en += (
                f" But the jurors fall into {len(split)} groups ({sizes} jurors) that scored no unit in common: a "
                "group's severity cannot be told apart from the level of the units it scored, so leniency and the "
                "adjusted grades compare jurors only within a group."
            )
            ind += (
                f" Namun evaluator terbagi dalam {len(split)} kelompok ({join_words([str(x) for x in split], 'id')} "
                "evaluator) yang tidak menilai satu perangkat daerah pun bersama: keketatan sebuah kelompok tidak "
                "dapat dipisahkan dari tingkat perangkat daerah yang dinilainya, sehingga kemurahan dan predikat "
                "yang disesuaikan hanya membandingkan evaluator di dalam satu kelompok."
            )
        wide = poorly_determined(lo, hi, nj, "the spread between jurors")
        if wide:  # "a standard deviation of 1.2 [0.6, 8.6]" read as settled
            en += " " + wide
            ind += " " + poorly_determined(lo, hi, nj, "sebaran antar-evaluator", "id")
        if sd == 0:
            en = (
                f"The {nj} jurors do not differ in leniency beyond chance: the variance between jurors is "
                f"estimated at 0, so every juror counts as average and none is flagged (about "
                f"{fmt_number(chance, 1)} would be by chance)."
            )
            ind = (
                f"Kemurahan {nj} evaluator tidak berbeda melebihi kebetulan: varians antar-evaluator diestimasi 0, "
                f"sehingga setiap evaluator dianggap rata-rata dan tidak ada yang ditandai."
            )
        ok = np.isfinite(sd)
        out.append(
            Finding(
                "juror_effects.leniency",
                q,
                en,
                ind,
                estimate=sd if ok else np.nan,
                ci_low=lo if ok else np.nan,
                ci_high=hi if ok else np.nan,
                ci_level=0.95 if ok and np.isfinite(lo) else np.nan,
                measure="SD of juror leniency (points)",
                n=nj,
                bases=bases,
                evidence="juror_effects.csv; adjusted_totals.csv; rater_fit.csv",
                status="estimated" if ok else "undefined",
                note=str(sev["note"].iloc[0]) if len(sev) else "",
            )
        )
    # ---- panels
    pe, pt = res.tables["panel_effects"], res.tables["panel_test"]
    pbases = res.bases["panel_effects"]
    t = pt.iloc[0] if len(pt) else None
    others = pe[~pe["reference"].astype(bool)] if len(pe) else pe
    if why:
        out.append(_undefined("juror_effects.panels", why[0], why[1], pbases, "panel_effects.csv"))
    elif t is None or len(others) == 0 or not np.isfinite(t["chi2"]):
        reason = str(t["note"]) if t is not None and t["note"] else "fewer than two panel types scored SAKIP"
        out.append(
            _undefined(
                "juror_effects.panels",
                reason,
                reason_id(reason, _PANEL_REASONS_ID, "perbedaan antarjenis panel tidak dapat diestimasi"),
                pbases,
                "panel_effects.csv; panel_test.csv",
            )
        )
    else:
        big = others.loc[others["estimate"].abs().idxmax()]
        ref = t["reference"]
        # a panel type of one juror is that juror: its difference is one juror's leniency
        lone = set(pe.loc[pe["n_raters"] == 1, "panel"])
        one_en = {p_: f"{p_} (one juror, so this is that juror's leniency)" for p_ in lone}
        one_id = {p_: f"{p_} (satu evaluator, jadi ini kemurahan evaluator itu)" for p_ in lone}
        all_en = "both" if int(t["n_panels"]) == 2 else f"all {int(t['n_panels'])}"
        all_id = "kedua" if int(t["n_panels"]) == 2 else f"semua {int(t['n_panels'])}"
        if np.isfinite(t["df_denominator"]):
            test_en = f"Wald F = {fmt_number(t['f'], 2)} on {int(t['df'])} and {int(t['df_denominator'])} df"
            test_id = (
                f"F Wald = {fmt_number(t['f'], 2, 'id')}, derajat bebas {int(t['df'])} dan {int(t['df_denominator'])}"
            )
        else:
            test_en = f"Wald chi-square {fmt_number(t['chi2'], 1)}, {int(t['df'])} df"
            test_id = f"khi-kuadrat Wald {fmt_number(t['chi2'], 1, 'id')}, derajat bebas {int(t['df'])}"
        en = (
            f"Relative to the {one_en.get(ref, ref)} panel, the panel type that differs most is "
            f"{one_en.get(big['panel'], big['panel'])} at "
            f"{format_ci(big['estimate'], big['ci_low'], big['ci_high'], 1)} points; the test that {all_en} "
            f"panel types score alike gives {p_value(t['p_value'])} ({test_en}), "
            "judged against how much jurors differ within panels."
        )
        ind = (
            f"Dibanding panel {one_id.get(ref, ref)}, jenis panel yang paling berbeda adalah "
            f"{one_id.get(big['panel'], big['panel'])} sebesar "
            f"{format_ci(big['estimate'], big['ci_low'], big['ci_high'], 1, 'id')} poin; uji bahwa {all_id} "
            f"jenis panel menilai sama memberi {p_value(t['p_value'], 'id')} "
            f"({test_id})."
        )
        out.append(
            Finding(
                "juror_effects.panels",
                q,
                en,
                ind,
                estimate=float(big["estimate"]),
                ci_low=float(big["ci_low"]),
                ci_high=float(big["ci_high"]),
                ci_level=0.95,
                measure=f"points, {big['panel']} minus {ref}",
                n=int(pe["n_raters"].sum()),
                bases=pbases,
                evidence="panel_effects.csv; panel_test.csv",
                note=str(t["note"] or ""),
            )
        )
    # ---- home bias
    hb = res.tables["home_bias"].iloc[0]
    hbases = res.bases["home_bias"]
    if why:
        out.append(_undefined("juror_effects.home_bias", why[0], why[1], hbases, "home_bias.csv"))
    elif not np.isfinite(hb["estimate"]) or not np.isfinite(hb["ci_low"]):
        reason = str(hb["note"]) if hb["note"] else "home bias could not be estimated"
        ind = (
            "tidak ada evaluator yang menilai unit kerjanya sendiri"
            if hb["n_home_scores"] == 0
            else "nilai evaluator untuk unitnya sendiri tidak dapat dipisahkan dari efek unit dan evaluator"
        )
        out.append(_undefined("juror_effects.home_bias", reason, ind, hbases, "home_bias.csv"))
    else:
        p_txt = fmt_number(hb["p_value"], 3) if np.isfinite(hb["p_value"]) else "not computed"
        p_ind = fmt_number(hb["p_value"], 3, "id") if np.isfinite(hb["p_value"]) else "tidak dihitung"
        kind = "exact" if hb["permutation"] == "exact" else "random"
        # "-1.1 [-3.8, 1.7] points higher" read as a contradiction: a negative estimate is
        # said as points lower, with the interval turned round
        lower = float(hb["estimate"]) < 0
        sign = -1.0 if lower else 1.0
        lo_, hi_ = sorted((sign * float(hb["ci_low"]), sign * float(hb["ci_high"])))
        shown_en = format_ci(sign * float(hb["estimate"]), lo_, hi_, 1)
        shown_id = format_ci(sign * float(hb["estimate"]), lo_, hi_, 1, "id")
        en = (
            f"Jurors scored the unit they work in {shown_en} "
            f"points {'lower' if lower else 'higher'} than the other jurors scored it, beyond their own leniency ({int(hb['n_home_scores'])} "
            f"such {'total' if int(hb['n_home_scores']) == 1 else 'totals'} by {plural(int(hb['n_home_jurors']), 'juror')} "
            f"for {plural(int(hb['n_home_units']), 'unit')}; "
            f"permutation p = {p_txt}, {kind} over {int(hb['n_permutations'])} assignments of home units)."
        )
        ind = (
            f"Evaluator memberi unit kerjanya sendiri nilai "
            f"{shown_id} poin lebih {'rendah' if lower else 'tinggi'} daripada "
            f"evaluator lain, di luar kemurahannya sendiri ({int(hb['n_home_scores'])} nilai total oleh "
            f"{int(hb['n_home_jurors'])} evaluator untuk {int(hb['n_home_units'])} unit; p permutasi = {p_ind})."
        )
        out.append(
            Finding(
                "juror_effects.home_bias",
                q,
                en,
                ind,
                estimate=float(hb["estimate"]),
                ci_low=float(hb["ci_low"]),
                ci_high=float(hb["ci_high"]),
                ci_level=0.95,
                measure="points (own unit minus other jurors)",
                n=int(hb["n_home_scores"]),
                bases=hbases,
                evidence="home_bias.csv",
                note=str(hb["note"] or ""),
            )
        )
    # ---- grade changes under another jury
    summ = res.tables["grade_stability_summary"].set_index("statistic")
    gbases = res.bases["grade_stability"]
    units = res.tables["grade_stability"]
    e_c = f["expected_changes"]
    if why or f["totals_why"]:
        en, ind = why or f["totals_why"]
        out.append(_undefined("juror_effects.grade_changes", en, ind, gbases, "grade_stability.csv"))
    elif not np.isfinite(e_c):
        out.append(
            _undefined(
                "juror_effects.grade_changes",
                f["stability_note"] or "the grade stability model could not be fitted",
                "model stabilitas predikat tidak dapat diestimasi",
                gbases,
                "grade_stability.csv",
            )
        )
    else:
        lo, hi = f["expected_changes_ci"]
        n_u = len(units)
        top = units.loc[units["p_change"].idxmax()] if n_u else None
        rng_en = (
            f" (95% range over resampled juries {fmt_number(lo, 0)} to {fmt_number(hi, 0)})" if np.isfinite(lo) else ""
        )
        rng_id = f" (rentang 95% {fmt_number(lo, 0, 'id')} sampai {fmt_number(hi, 0, 'id')})" if np.isfinite(lo) else ""
        no_record = int(units["grade_on_record"].isna().sum()) if n_u else 0
        # the grade a jury's mean total implies; a unit without a grade on record has no
        # published grade to change, and the count says so
        of_en = f"{n_u} units" + (f", {no_record} of them without a grade on record" if no_record else "")
        of_id = f"{n_u} perangkat daerah" + (f", {no_record} di antaranya tanpa predikat resmi" if no_record else "")
        en = (
            f"Another draw of jurors, as many per unit as now, would be expected to change the grade "
            f"their mean total implies for {fmt_number(e_c, 1)} of the {of_en}{rng_en}; "
            f"{plural(f['n_within_1se'], 'unit')} {'lies' if f['n_within_1se'] == 1 else 'lie'} less than one "
            f"standard error from a grade boundary, and the unit most at risk has a "
            f"{fmt_number(100 * top['p_change'], 0)}% chance of another grade."
        )
        ind = (
            f"Dengan evaluator lain dalam jumlah yang sama, predikat yang tersirat dari nilai rata-rata "
            f"evaluator diperkirakan berubah pada {fmt_number(e_c, 1, 'id')} dari {of_id}{rng_id}; "
            f"{f['n_within_1se']} perangkat "
            f"daerah berjarak kurang dari satu galat baku dari batas predikat, dan yang paling berisiko memiliki "
            f"peluang {fmt_number(100 * top['p_change'], 0, 'id')}% mendapat predikat lain."
        )
        out.append(
            Finding(
                "juror_effects.grade_changes",
                q,
                en,
                ind,
                estimate=e_c,
                ci_low=lo if np.isfinite(lo) else np.nan,
                ci_high=hi if np.isfinite(hi) else np.nan,
                ci_level=0.95 if np.isfinite(lo) else np.nan,
                measure="units expected to change grade",
                n=n_u,
                bases=gbases,
                evidence="grade_stability.csv; grade_stability_summary.csv",
                note=str(summ.loc["expected_changes", "note"] or ""),
            )
        )
    # ---- jurors needed
    dbases = res.bases["d_study"]
    phi = f["phi_observed"]
    if why or f["totals_why"]:
        en, ind = why or f["totals_why"]
        out.append(_undefined("juror_effects.jurors_needed", en, ind, dbases, "d_study.csv"))
    elif not np.isfinite(phi):
        reason = f["d_study_note"] or "the jurors' totals do not vary, so dependability is undefined"
        out.append(
            _undefined(
                "juror_effects.jurors_needed",
                reason,
                "nilai total evaluator tidak bervariasi atau studi-D tidak dapat dihitung",
                dbases,
                "d_study.csv",
            )
        )
    else:
        tgt, need = f["target_phi"], f["n_jurors_needed"]
        nm = fmt_number(f["median_jurors"], 0)
        if np.isfinite(need):
            tail_en = f"reaching Phi = {fmt_number(tgt, 2)} needs at least {plural(int(need), 'juror')} per unit"
            tail_id = (
                f"untuk mencapai Phi = {fmt_number(tgt, 2, 'id')} diperlukan paling sedikit {int(need)} "
                "evaluator per unit"
            )
        else:
            tail_en = f"no number of jurors up to {MAX_JURORS} per unit reaches Phi = {fmt_number(tgt, 2)}"
            tail_id = f"hingga {MAX_JURORS} evaluator per unit pun tidak mencapai Phi = {fmt_number(tgt, 2, 'id')}"
        en = (
            f"With the jurors each unit had (median {nm}), the dependability of a unit's total for its grade is "
            f"Phi = {fmt_number(phi, 2)}; {tail_en}."
        )
        ind = (
            f"Dengan evaluator yang ada (median {nm} per unit), keterandalan nilai total untuk predikat adalah "
            f"Phi = {fmt_number(phi, 2, 'id')}; {tail_id}."
        )
        out.append(
            Finding(
                "juror_effects.jurors_needed",
                q,
                en,
                ind,
                estimate=phi,
                measure="Phi (dependability)",
                n=f["n_units_graded"],
                bases=dbases,
                evidence="d_study.csv; effects_components.csv",
                note=f["d_study_note"],
            )
        )
    return out
