"""Coverage of the ICC intervals with missing cells (issue 7, "Interval coverage").

Run from the repository root:

    .venv/bin/python benchmarks/coverage_icc.py [--reps 1000] [--jobs 2] [--quick]

Simulates subjects x raters designs from the two-way random model
``y = s_i + r_j + e_ij`` (subjects AND raters drawn anew in every replicate, since an
audit's jurors are a sample of the jurors who could have been asked), deletes cells
completely at random, and records how often the 95% intervals of :func:`kinerja.agreement.icc`
cover the population values

    ICC(2,1) = v_s / (v_s + v_r + v_e),   ICC(2,k) = v_s / (v_s + (v_r + v_e) / k_h),
    ICC(3,1) = v_s / (v_s + v_e),

``k_h`` being the harmonic mean of the ratings per subject of the replicate's design
(the reliability of a subject's mean of its observed ratings, the quantity icc()
estimates with missing cells). The grid: n = 20, 40, 60 subjects; k = 3, 5, 10
raters; 0, 10, 25% missing cells; four variance configurations (ICC(2,1) = 0.2, 0.5
with small and with large rater variance, 0.8).

Intervals compared:

- ``gci``: the generalized confidence interval icc() reports with missing cells
  (method-3 sums of squares; ``ci_method="gci"`` gives it for complete data too). The
  script calls the very function icc() uses, with icc()'s fixed Monte Carlo seed, and
  checks on the first replicate of every cell that icc() returns the same limits.
- ``f``: McGraw & Wong's F-based interval, icc()'s default for complete data (0% only).
- ``subject bootstrap``: icc_bootstrap's BCa interval over subjects (raters held
  fixed), at 0% missing for n = 30-ish cells only (``--bootstrap``), as the baseline
  issue 7 measured (0.877).

Every replicate is seeded (``--seed`` + cell index), so the table is reproducible.
Writes ``benchmarks/results/coverage_icc.json`` and prints the markdown table of
benchmarks/README.md. With ``--reps 1000`` the Monte Carlo SE of a coverage near 0.95
is 0.007.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "coverage_icc.json"

#: (label, v_s, v_r, v_e): ICC(2,1) = v_s / (v_s + v_r + v_e)
CONFIGS = (
    ("ICC 0.5, rater var 0.25", 1.0, 0.25, 0.75),
    ("ICC 0.5, rater var 0.5", 1.0, 0.5, 0.5),
    ("ICC 0.2", 0.25, 0.25, 0.75),
    ("ICC 0.8", 4.0, 0.25, 0.75),
)
NS = (20, 40, 60)
KS = (3, 5, 10)
MISSING = (0.0, 0.10, 0.25)


def one_cell(args) -> dict:
    cfg_i, n, k, miss, reps, seed, bootstrap = args
    import pandas as pd

    from kinerja.agreement import _icc, icc, icc_bootstrap

    label, vs, vr, ve = CONFIGS[cfg_i]
    rng = np.random.default_rng(seed)
    hits = {"gci_icc21": 0, "gci_icc2k": 0, "gci_icc31": 0, "f_icc21": 0, "f_icc31": 0, "boot_icc21": 0}
    width = {"gci": 0.0, "f": 0.0}
    t0 = time.perf_counter()
    t_gci = 0.0
    for rep in range(reps):
        y = (
            np.sqrt(vs) * rng.normal(size=(n, 1))
            + np.sqrt(vr) * rng.normal(size=(1, k))
            + np.sqrt(ve) * rng.normal(size=(n, k))
        )
        if miss:
            y[rng.random(y.shape) < miss] = np.nan
            y = y[~np.isnan(y).all(axis=1)]  # icc() drops subjects / raters with no rating
            y = y[:, ~np.isnan(y).all(axis=0)]
        ki = (~np.isnan(y)).sum(axis=1)
        k_h = len(ki) / (1.0 / ki).sum()
        truth = np.array([vs / (vs + vr + ve), vs / (vs + (vr + ve) / k_h), vs / (vs + ve)])
        t1 = time.perf_counter()
        lo, hi, _ = _icc._gci_limits(y, k_h, 0.95)
        t_gci += time.perf_counter() - t1
        got = (lo[[1, 4, 2]] <= truth) & (truth <= hi[[1, 4, 2]])
        hits["gci_icc21"] += got[0]
        hits["gci_icc2k"] += got[1]
        hits["gci_icc31"] += got[2]
        width["gci"] += hi[1] - lo[1]
        long = None
        if rep == 0 or miss == 0:
            rows, cols = np.nonzero(~np.isnan(y))
            long = pd.DataFrame({"subject_id": rows, "juror_id": cols, "score": y[rows, cols]})
        if rep == 0:  # the script measures exactly what icc() reports
            res = icc(long, ci_method="gci")
            assert np.allclose(res["ci_low"].to_numpy(), lo, equal_nan=True), (label, n, k, miss)
        if miss == 0:
            f = icc(long)
            flo, fhi = f["ci_low"].to_numpy(), f["ci_high"].to_numpy()
            hits["f_icc21"] += flo[1] <= truth[0] <= fhi[1]
            hits["f_icc31"] += flo[2] <= truth[2] <= fhi[2]
            width["f"] += fhi[1] - flo[1]
            if bootstrap:
                b = icc_bootstrap(long, types=["ICC(2,1)"], n_boot=1000, seed=int(rng.integers(2**31)))
                hits["boot_icc21"] += b["ci_low"].iloc[0] <= truth[0] <= b["ci_high"].iloc[0]
    out = {
        "config": label,
        "v_s": vs,
        "v_r": vr,
        "v_e": ve,
        "n": n,
        "k": k,
        "missing": miss,
        "reps": reps,
        "seed": seed,
        "coverage_gci_icc21": hits["gci_icc21"] / reps,
        "coverage_gci_icc2k": hits["gci_icc2k"] / reps,
        "coverage_gci_icc31": hits["gci_icc31"] / reps,
        "mean_width_gci_icc21": width["gci"] / reps,
        "seconds": time.perf_counter() - t0,
        "seconds_per_gci": t_gci / reps,
    }
    if miss == 0:
        out.update(
            coverage_f_icc21=hits["f_icc21"] / reps,
            coverage_f_icc31=hits["f_icc31"] / reps,
            mean_width_f_icc21=width["f"] / reps,
        )
        if bootstrap:
            out["coverage_subject_bootstrap_icc21"] = hits["boot_icc21"] / reps
    return out


def table(rows: list[dict]) -> str:
    lines = [
        "| configuration | n | k | missing | GCI ICC(2,1) | GCI ICC(2,k) | GCI ICC(3,1) | F ICC(2,1) (complete) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f = f"{r['coverage_f_icc21']:.3f}" if "coverage_f_icc21" in r else ""
        lines.append(
            f"| {r['config']} | {r['n']} | {r['k']} | {r['missing']:.0%} | {r['coverage_gci_icc21']:.3f} "
            f"| {r['coverage_gci_icc2k']:.3f} | {r['coverage_gci_icc31']:.3f} | {f} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=1000, help="replicates per cell (default 1000)")
    ap.add_argument("--seed", type=int, default=2024, help="base seed (cell i uses seed + i)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--quick", action="store_true", help="200 replicates per cell")
    ap.add_argument("--bootstrap", action="store_true", help="also the subject bootstrap at 0%% missing (slow)")
    args = ap.parse_args(argv)
    reps = 200 if args.quick else args.reps
    cells = []
    for ci in range(len(CONFIGS)):
        for n in NS:
            for k in KS:
                for miss in MISSING:
                    cells.append((ci, n, k, miss, reps, args.seed + len(cells), args.bootstrap))
    t0 = time.perf_counter()
    load0 = os.getloadavg()

    def progress(r):
        print(
            f"{r['config']:<26} n={r['n']:<3} k={r['k']:<3} miss={r['missing']:.0%}: "
            f"gci {r['coverage_gci_icc21']:.3f}  ({r['seconds']:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    done: dict[int, dict] = {}
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as ex:
            futures = {ex.submit(one_cell, c): i for i, c in enumerate(cells)}
            for fut in as_completed(futures):
                done[futures[fut]] = fut.result()
                progress(done[futures[fut]])
    else:
        for i, c in enumerate(cells):
            done[i] = one_cell(c)
            progress(done[i])
    rows = [done[i] for i in range(len(cells))]
    cov = np.array([r["coverage_gci_icc21"] for r in rows])
    cov_k = np.array([r["coverage_gci_icc2k"] for r in rows])
    summary = {
        "what": "coverage of 95% ICC intervals, two-way random model, MCAR missing cells",
        "reps_per_cell": reps,
        "cells": len(rows),
        "gci_icc21_min": float(cov.min()),
        "gci_icc21_max": float(cov.max()),
        "gci_icc2k_min": float(cov_k.min()),
        "gci_icc2k_max": float(cov_k.max()),
        "target": "every cell within 0.92-0.98 for ICC(2,1) and ICC(2,k)",
        "pass": bool((np.abs(cov - 0.95) <= 0.03).all() and (np.abs(cov_k - 0.95) <= 0.03).all()),
        "seconds": time.perf_counter() - t0,
        "loadavg_before_after": [load0, os.getloadavg()],
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"summary": summary, "cells": rows}, indent=1))
    print(table(rows))
    print()
    print(
        f"GCI ICC(2,1) coverage {summary['gci_icc21_min']:.3f}-{summary['gci_icc21_max']:.3f}, "
        f"ICC(2,k) {summary['gci_icc2k_min']:.3f}-{summary['gci_icc2k_max']:.3f} over {len(rows)} cells "
        f"x {reps} replicates: {'PASS' if summary['pass'] else 'FAIL'} ({summary['seconds']:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
