"""Coverage of the bootstrap intervals of Krippendorff's alpha and Kendall's W (issue 7).

Run from the repository root (a few minutes with the defaults):

    .venv/bin/python benchmarks/coverage_agreement.py [--reps 300] [--n-boot 1000] [--seed 2024]

For each design, ``reps`` datasets are simulated, the public function is called with
``n_boot`` resamples (BCa and percentile, the same resamples: same seed), and the share
of intervals that contain the true value is counted. Prints a Markdown table (the one
in ``benchmarks/README.md``) with the Monte Carlo standard error, and writes
``benchmarks/results/coverage_agreement.json``.

Designs
-------
Krippendorff's alpha, interval metric (``krippendorff_alpha(level="interval")``):
scores ``y_ij = s_i + r_j + e_ij`` with subject variance 1, rater variance ``var_r`` and
residual variance ``1 - var_r``, so that with random raters the population alpha is
``1 / (1 + 1) = 0.5`` (alpha for interval data equals ICC(2,1) in the population). Two
targets are scored:

- ``population``: 0.5, the reliability of a juror drawn from a population of jurors;
- ``these raters``: alpha for the raters actually drawn (their effects ``r_j`` fixed),
  ``1 - (var_e + S1^2) / (var_s + var_e + S0^2)``, ``S1^2`` and ``S0^2`` the variance of
  the drawn ``r_j`` with divisor k - 1 and k (the limit of alpha as the number of
  subjects grows with these raters).

Kendall's W (``kendall_w``): ``y_ij = s_i + e_ij`` (normal, equal variances, so two
raters' scores correlate 0.5); the target is ``W_inf = ((m - 1) rho_S + 1) / m`` with
``rho_S = (6 / pi) asin(0.5 / 2)`` the population Spearman correlation. One design
rounds the scores to a 1-7 rubric (ties); its ``rho_S`` (Spearman correlation with
mid-ranks) is computed once on 2,000,000 simulated pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "coverage_agreement.json"

ALPHA_DESIGNS = [  # (n subjects, k raters, rater variance, share of cells missing)
    (30, 5, 0.25, 0.0),
    (30, 5, 0.0, 0.0),
    (60, 5, 0.25, 0.0),
    (30, 5, 0.25, 0.2),
]
W_DESIGNS = [(n, m, False) for n in (10, 20, 40) for m in (3, 5, 10)] + [(20, 5, True)]


def to_long(y: np.ndarray) -> pd.DataFrame:
    n, k = y.shape
    return pd.DataFrame(
        {"subject_id": np.repeat(np.arange(n), k), "juror_id": np.tile(np.arange(k), n), "score": y.ravel()}
    ).dropna(subset=["score"])


def wilson_se(p: float, reps: int) -> float:
    return float(np.sqrt(max(p * (1 - p), 1e-12) / reps))


def alpha_design(n, k, var_r, missing, reps, n_boot, rng):
    from kinerja.agreement import krippendorff_alpha

    var_s, var_e = 1.0, 1.0 - var_r
    hits = {("bca", "population"): 0, ("bca", "these raters"): 0, ("percentile", "population"): 0}
    hits[("percentile", "these raters")] = 0
    widths = []
    for rep in range(reps):
        r = rng.normal(size=k) * np.sqrt(var_r)
        y = rng.normal(size=(n, 1)) * np.sqrt(var_s) + r[None, :] + rng.normal(size=(n, k)) * np.sqrt(var_e)
        if missing:
            y[rng.random(y.shape) < missing] = np.nan
        truth = {
            "population": var_s / (var_s + var_r + var_e),
            "these raters": 1 - (var_e + r.var(ddof=1)) / (var_s + var_e + r.var(ddof=0)),
        }
        long = to_long(y)
        for method in ("bca", "percentile"):
            res = krippendorff_alpha(long, n_boot=n_boot, seed=rep, ci_method=method).iloc[0]
            if method == "bca":
                widths.append(res["ci_high"] - res["ci_low"])
            for target, value in truth.items():
                hits[(method, target)] += bool(res["ci_low"] <= value <= res["ci_high"])
    return {
        "statistic": "krippendorff_alpha (interval)",
        "design": f"n={n}, k={k}, rater var {var_r:g}, {missing:.0%} missing",
        "coverage": {f"{m} / {t}": h / reps for (m, t), h in hits.items()},
        "median_width_bca": float(np.median(widths)),
    }


_RHO_TIED: dict = {}


def rho_s_tied(rng) -> float:
    """Population Spearman (mid-rank) correlation of two raters on the 1-7 rubric."""
    if "v" not in _RHO_TIED:
        from scipy import stats

        s = rng.normal(size=2_000_000)
        a = rubric(s + rng.normal(size=s.size))
        b = rubric(s + rng.normal(size=s.size))
        _RHO_TIED["v"] = float(stats.spearmanr(a, b).statistic)
    return _RHO_TIED["v"]


def rubric(x: np.ndarray) -> np.ndarray:
    """Scores on a 1-7 scale: the latent score cut at 6 equally spaced points."""
    return np.digitize(x, np.linspace(-2.5, 2.5, 6)).astype(float) + 1.0


def w_design(n, m, tied, reps, n_boot, rng):
    from kinerja.agreement import kendall_w

    rho = rho_s_tied(rng) if tied else 6 / np.pi * np.arcsin(0.25)
    truth = ((m - 1) * rho + 1) / m
    hits = {"bca": 0, "percentile": 0}
    widths = []
    for rep in range(reps):
        y = rng.normal(size=(n, 1)) + rng.normal(size=(n, m))
        if tied:
            y = rubric(y)
        long = to_long(y)
        for method in hits:
            res = kendall_w(long, n_boot=n_boot, seed=rep, ci_method=method).iloc[0]
            hits[method] += bool(res["ci_low"] <= truth <= res["ci_high"])
            if method == "bca":
                widths.append(res["ci_high"] - res["ci_low"])
    return {
        "statistic": "kendall_w",
        "design": f"n={n}, m={m}" + (", 1-7 rubric (ties)" if tied else ""),
        "truth": truth,
        "coverage": {f"{k} / W_inf": v / reps for k, v in hits.items()},
        "median_width_bca": float(np.median(widths)),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=300, help="simulated datasets per design (default 300)")
    ap.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples per interval (default 1000)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--only", choices=("alpha", "w"), help="run one statistic only")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning from kinerja would be a bug
        if args.only in (None, "alpha"):
            for d in ALPHA_DESIGNS:
                rows.append(alpha_design(*d, args.reps, args.n_boot, rng))
                print(f"  {rows[-1]['design']}: {rows[-1]['coverage']}", file=sys.stderr)
        if args.only in (None, "w"):
            for d in W_DESIGNS:
                rows.append(w_design(*d, args.reps, args.n_boot, rng))
                print(f"  {rows[-1]['design']}: {rows[-1]['coverage']}", file=sys.stderr)
    elapsed = time.time() - t0
    se = wilson_se(0.95, args.reps)
    print(f"\nNominal 0.95; {args.reps} datasets per design, {args.n_boot} resamples; Monte Carlo SE about {se:.3f}.\n")
    print("| statistic | design | target | BCa | percentile | median BCa width |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        targets = sorted({k.split(" / ")[1] for k in r["coverage"]}, key=lambda t: t != "population")
        for t in targets:
            print(
                f"| {r['statistic']} | {r['design']} | {t} | {r['coverage'][f'bca / {t}']:.3f} "
                f"| {r['coverage'][f'percentile / {t}']:.3f} | {r['median_width_bca']:.2f} |"
            )
    print(f"\n{elapsed:.0f} s on {os.cpu_count()} cores (load {os.getloadavg()[0]:.1f})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"reps": args.reps, "n_boot": args.n_boot, "seed": args.seed, "seconds": elapsed, "rows": rows}, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
