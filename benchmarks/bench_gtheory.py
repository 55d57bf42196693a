"""Benchmark kinerja.gtheory: a G study of p x r x i with 500 units x 10 jurors x 20 criteria.

Run from the repository root:

    .venv/bin/python benchmarks/bench_gtheory.py [--quick]

Measures in a fresh interpreter (so the memory numbers are the call's own):

(a) ``g_study(scores, "p x r x i")`` on 100,000 balanced scores with text ids (as
    ``load_dataset`` gives them): variance components by ANOVA, Eρ² and Φ, plus a
    ``d_study`` grid of 20 x 40 sizes and ``smallest_design``; target <= 2 s and
    <= 500 MB (tracemalloc peak of the call; the process's max RSS is printed too);
(b) for information: the same scores with 10% of the cells missing by Henderson's
    method 1 (what ``method="auto"`` uses on unbalanced data), and REML when
    ``kinerja.stats.varcomp.fit_reml`` is present on 30 x 5 x 20 with 10% missing (the
    juror-effects size of issue 8; REML on 90,000 scores takes far too long to run here).

Prints PASS/FAIL per target and writes ``benchmarks/results/gtheory.json``. Timings are
the minimum and median of repeated calls (the minimum is what the code costs; larger
values come from other processes on a shared machine); the target is judged on the
median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import textwrap
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "gtheory.json"

_CODE = """
import json, time, resource, tracemalloc
import numpy as np, pandas as pd
from kinerja.gtheory import g_study

rng = np.random.default_rng(8)
n_p, n_r, n_i = {size}
p, r, i = np.meshgrid(np.arange(n_p), np.arange(n_r), np.arange(n_i), indexing="ij")
y = (rng.normal(size=n_p)[p] + 0.5 * rng.normal(size=n_r)[r] + 0.4 * rng.normal(size=n_i)[i]
     + 0.3 * rng.normal(size=(n_p, n_r))[p, r] + 0.3 * rng.normal(size=(n_p, n_i))[p, i]
     + 0.2 * rng.normal(size=(n_r, n_i))[r, i] + rng.normal(size=p.shape))
df = pd.DataFrame({{
    "subject_id": pd.array([f"u{{k:03d}}" for k in p.ravel()], dtype="string"),
    "juror_id": pd.array([f"j{{k:02d}}" for k in r.ravel()], dtype="string"),
    "criterion_id": pd.array([f"c{{k:02d}}" for k in i.ravel()], dtype="string"),
    "score": y.ravel(),
}})
facets = {{"p": "subject_id", "r": "juror_id", "i": "criterion_id"}}
method = "{method}"
if {missing}:
    df = df.sample(frac=1 - {missing}, random_state=1).sort_index()

def run():
    g = g_study(df, "p x r x i", facets=facets, method=method)
    g.d_study(n={{"r": range(1, 21), "i": range(1, 41)}})
    g.smallest_design(0.9)
    return g

g_study(df.iloc[:500], "p x r x i", facets=facets, method="henderson1")  # warm imports
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t0 = time.perf_counter(); g = run(); first = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
times = [first]
for _ in range({repeats}):
    t0 = time.perf_counter(); run(); times.append(time.perf_counter() - t0)
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"n_scores": len(df), "method": g.method, "balanced": g.balanced,
                  "seconds_median": float(np.median(times)), "seconds_min": float(np.min(times)),
                  "seconds_first": first, "repeats": len(times),
                  "tracemalloc_peak_mb": peak / 1e6, "maxrss_mb": rss1 / 1024,
                  "maxrss_before_call_mb": rss0 / 1024, "phi": g.phi, "e_rho2": g.e_rho2,
                  "components": dict(zip(g.components["component"], g.components["variance"]))}}))
"""


def run_subprocess(code: str, timeout: int = 900) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, cwd=HERE.parent
    )
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"ok": False, "error": tail[:300]}
    return {"ok": True, **json.loads(lines[-1])}


def has_reml() -> bool:
    try:
        from kinerja.stats.varcomp import fit_reml  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args(argv)
    reps = 2 if args.quick else 6
    info = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": list(os.getloadavg()),
        "versions": {p: metadata.version(p) for p in ("numpy", "pandas", "kinerja")},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    big, small = "500, 10, 20", "30, 5, 20"
    results = {"a_balanced": run_subprocess(_CODE.format(size=big, method="auto", missing=0.0, repeats=reps))}
    results["b_missing_henderson1"] = run_subprocess(_CODE.format(size=big, method="auto", missing=0.1, repeats=1))
    if has_reml():
        results["b_missing_reml_30x5x20"] = run_subprocess(
            _CODE.format(size=small, method="reml", missing=0.1, repeats=0), timeout=1800
        )
    info["load_average_at_end"] = list(os.getloadavg())

    a = results["a_balanced"]
    passed = bool(a.get("ok") and a["seconds_median"] <= 2.0 and a["tracemalloc_peak_mb"] <= 500)
    results["a_balanced"]["target"] = "median <= 2 s and tracemalloc peak <= 500 MB"
    results["a_balanced"]["pass"] = passed

    def describe(d):
        if not d.get("ok"):
            return f"failed: {d.get('error')}"
        return (
            f"{d['seconds_median']:.3f} s median (fastest {d['seconds_min']:.3f} s), "
            f"{d['tracemalloc_peak_mb']:.0f} MB peak, maxrss {d['maxrss_mb']:.0f} MB [{d['method']}]"
        )

    print("(a) g_study p x r x i, 500 x 10 x 20 balanced (+ d_study grid, smallest_design)")
    print(f"    {describe(a)}  target <= 2 s, <= 500 MB: {'PASS' if passed else 'FAIL'}")
    for key in ("b_missing_henderson1", "b_missing_reml_30x5x20"):
        if key in results:
            print(f"(b) {key[2:]}, 10% cells missing (info): {describe(results[key])}")
    print(
        f"\nmachine: {info['cpu_count']} cores, load {info['load_average_at_start']} -> {info['load_average_at_end']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"info": info, "results": results}, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"written: {RESULTS.relative_to(HERE.parent)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
