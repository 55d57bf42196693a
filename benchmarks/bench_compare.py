"""Benchmark kinerja.compare against the targets of issue 9.

Run from the repository root (``make bench`` runs it):

    .venv/bin/python benchmarks/bench_compare.py [--repeats 5]

Measures, in one run on this machine:

(a) the Freeman-Halton exact test on the real 29-unit Kota Batu 2020 record (categories x
    grades, from ``data/batu/record``): :func:`kinerja.compare.exact_test`, every table
    enumerated (target: at most 1 s); for context, R's two examples from ``?fisher.test``
    (Job 4 x 4, N = 104; MP6 5 x 7, N = 42), which take the network far further;
(b) the adjusted mixed model on 30 units x 5 jurors x 20 criteria: juror totals from the
    criterion scores (:func:`kinerja.rubrics.juror_measures`), then
    ``score ~ category + (1|unit) + (1|juror)`` by REML (:func:`kinerja.compare.group_effects`
    fits it together with the unadjusted model; both are timed, and the adjusted fit alone)
    (target: at most 2 s); for context, statsmodels MixedLM on the same totals with crossed
    variance components.

Timings are the minimum over ``--repeats`` runs (medians printed and saved too); the load
average before and after is recorded, since a busy 2-core machine moves every number.
Writes ``benchmarks/results/compare.json`` and prints PASS/FAIL per target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "lib"))

from kinerja.compare import contingency_table, exact_test, group_effects  # noqa: E402
from kinerja.rubrics import juror_measures  # noqa: E402

RESULTS = HERE / "results" / "compare.json"
JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]).T
MP6 = np.array(
    [
        [1, 2, 2, 1, 1, 0, 1],
        [2, 0, 0, 2, 3, 0, 0],
        [0, 1, 1, 1, 2, 7, 3],
        [1, 1, 2, 0, 0, 0, 1],
        [0, 1, 1, 1, 1, 0, 0],
    ]
)


def timed(fn, repeats: int) -> tuple[list[float], object]:
    out, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        out.append(time.perf_counter() - t0)
    return out, value


def record_table() -> pd.DataFrame:
    rec = ROOT / "data" / "batu" / "record"
    units = pd.read_csv(rec / "units.csv", dtype=str)
    grades = pd.read_csv(rec / "grades.csv", dtype=str)
    d = grades.merge(units[["year", "unit_id", "category"]], on=["year", "unit_id"])
    d = d[d["year"] == "2020"]
    return contingency_table(d, row="category", col="grade", col_levels=["BB", "A"])


def criterion_scores(n_units: int = 30, n_jurors: int = 5, n_criteria: int = 20, seed: int = 9):
    """Criterion-level SAKIP scores of 30 units in 3 categories by 5 jurors, 20 criteria
    (5 points each), and the rubric they are weighted with."""
    rng = np.random.default_rng(seed)
    cats = np.array(["Dinas", "Badan", "Kecamatan"])[np.arange(n_units) % 3]
    unit_eff = rng.normal(0, 4, n_units) + np.select([cats == "Badan", cats == "Kecamatan"], [2.0, -3.0], 0.0)
    severity = rng.normal(0, 3, n_jurors)
    crit = rng.normal(0, 2, n_criteria)
    u, j, c = np.meshgrid(np.arange(n_units), np.arange(n_jurors), np.arange(n_criteria), indexing="ij")
    score = np.clip(np.rint(75 + unit_eff[u] + severity[j] + crit[c] + rng.normal(0, 5, u.shape)), 0, 100)
    scores = pd.DataFrame(
        {
            "year": 2020,
            "evaluation": "sakip",
            "stage": "lke",
            "subject_id": pd.array([f"u{x:02d}" for x in u.ravel()], dtype="string"),
            "juror_id": pd.array([f"J{x}" for x in j.ravel()], dtype="string"),
            "criterion_id": pd.array([f"K{x:02d}" for x in c.ravel()], dtype="string"),
            "score": score.ravel().astype(float),
        }
    )
    rubric = pd.DataFrame(
        {
            "year": 2020,
            "evaluation": "sakip",
            "stage": "lke",
            "criterion_id": pd.array([f"K{x:02d}" for x in range(n_criteria)], dtype="string"),
            "component": [f"C{x // 5}" for x in range(n_criteria)],
            "weight": 100.0 / n_criteria,
        }
    )
    category = dict(zip([f"u{x:02d}" for x in range(n_units)], cats))
    return scores, rubric, category


def juror_totals(scores, rubric, category):
    m = juror_measures(scores, rubric)
    tot = m[m["measure"] == "total"].copy()
    tot["category"] = tot["subject_id"].astype(object).map(category)
    return tot


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    rows = []

    # (a) exact test on the real record
    table = record_table()
    assert int(table.to_numpy().sum()) == 29, "the 2020 record has 29 graded units"
    t, res = timed(lambda: exact_test(table), args.repeats)
    r = res.iloc[0]
    rows.append(
        dict(
            benchmark="Freeman-Halton exact test, real 29-unit record (7 x 2)",
            seconds=min(t),
            median=float(np.median(t)),
            target="<= 1 s",
            passed=min(t) <= 1.0,
            detail=f"p = {r['p_value']:.6f}, {r['method']}",
        )
    )
    for name, tab in (("R ?fisher.test Job, 4 x 4, N = 104", JOB), ("R ?fisher.test MP6, 5 x 7, N = 42", MP6)):
        t, res = timed(lambda tab=tab: exact_test(tab), max(1, args.repeats // 2))
        r = res.iloc[0]
        rows.append(
            dict(
                benchmark=f"Freeman-Halton exact test, {name} (context)",
                seconds=min(t),
                median=float(np.median(t)),
                target="",
                passed=None,
                detail=f"p = {r['p_value']:.6f}, {r['method']}",
            )
        )

    # (b) adjusted mixed model on 30 units x 5 jurors x 20 criteria
    scores, rubric, category = criterion_scores()
    assert len(scores) == 30 * 5 * 20
    t, tot = timed(lambda: juror_totals(scores, rubric, category), args.repeats)
    t_tot = min(t)

    def adjusted_only():
        from kinerja.stats.varcomp import fit_reml

        return fit_reml(tot, response="score", random=["subject_id", "juror_id"], fixed=["category"])

    t_adj, fit = timed(adjusted_only, args.repeats)
    rows.append(
        dict(
            benchmark="adjusted mixed model (REML, units + jurors random), 30 units x 5 jurors x 20 criteria",
            seconds=t_tot + min(t_adj),
            median=float(np.median(t)) + float(np.median(t_adj)),
            target="<= 2 s",
            passed=t_tot + min(t_adj) <= 2.0,
            detail=f"juror totals {t_tot:.3f} s + fit {min(t_adj):.3f} s; {len(tot)} juror totals; {fit.method}",
        )
    )
    t_both, eff = timed(lambda: group_effects(juror_totals(scores, rubric, category), reference="Dinas"), args.repeats)
    rows.append(
        dict(
            benchmark="group_effects: unadjusted + adjusted models with their tables, same data",
            seconds=min(t_both),
            median=float(np.median(t_both)),
            target="",
            passed=None,
            detail="what the analysis runs per measure",
        )
    )
    import statsmodels.formula.api as smf

    d = tot.astype({"subject_id": object, "juror_id": object, "category": object}).assign(one=1)

    def mixedlm():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return smf.mixedlm(
                "score ~ C(category, Treatment('Dinas'))",
                d,
                groups="one",
                re_formula="0",
                vc_formula={"unit": "0 + C(subject_id)", "juror": "0 + C(juror_id)"},
            ).fit(reml=True)

    t_sm, m = timed(mixedlm, max(1, args.repeats // 2))
    adj = eff[(eff["model"] == "adjusted") & (eff["group"] == "Badan")].iloc[0]
    rows.append(
        dict(
            benchmark="statsmodels MixedLM, crossed units + jurors, same totals (peer, context)",
            seconds=min(t_sm),
            median=float(np.median(t_sm)),
            target="",
            passed=None,
            detail=(
                f"Badan - Dinas: MixedLM {m.params.iloc[1]:.4f} vs kinerja {adj['estimate']:.4f} "
                f"(SE {m.bse.iloc[1]:.4f} vs {adj['se']:.4f})"
            ),
        )
    )

    load_after = os.getloadavg()
    width = max(len(r["benchmark"]) for r in rows)
    print(f"{'benchmark':<{width}}  {'min s':>8}  {'median s':>8}  target   result")
    for r in rows:
        verdict = "" if r["passed"] is None else ("PASS" if r["passed"] else "FAIL")
        print(f"{r['benchmark']:<{width}}  {r['seconds']:8.3f}  {r['median']:8.3f}  {r['target']:<7}  {verdict}")
        print(f"{'':<{width}}  {r['detail']}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    out = dict(
        rows=rows,
        repeats=args.repeats,
        load_average_before=load_before,
        load_average_after=load_after,
        python=platform.python_version(),
        machine=platform.machine(),
        cpus=os.cpu_count(),
        versions={p: metadata.version(p) for p in ("numpy", "scipy", "pandas", "statsmodels")},
    )
    RESULTS.write_text(json.dumps(out, indent=1, default=float) + "\n")
    return 0 if all(r["passed"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
