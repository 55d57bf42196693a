"""Benchmark the dataset loader (kinerja.io.load_dataset) on a large CSV folder and workbook.

Run from the repository root:

    .venv/bin/python benchmarks/bench_io.py [--rows 2000000] [--xlsx-rows 100000]
                                            [--repeats 3] [--compare OTHER/lib]

Writes a synthetic dataset (``--rows`` score rows, ``;``-separated, decimal commas in a
tenth of the scores) into a temporary folder and times ``load_dataset`` on it in fresh
interpreters: the fastest of ``--repeats`` loads, and the peak resident memory of one
load (``ru_maxrss`` of the child, which includes the interpreter and pandas). A workbook
with ``--xlsx-rows`` score rows is timed the same way (openpyxl dominates there).

With ``--compare`` the same measurements are taken, interleaved, with the ``kinerja``
package found in another ``lib`` folder (e.g. an export of ``main``), so the ratio of
the two is measured side by side in one run on the same files. Target (issue 7): the
checks added against silent corruption make the CSV load at most ~20% slower. On a busy
shared machine wall times swing by tens of percent between identical runs; the CPU time
of the loading process (also recorded) is the steadier measure, and the verdict takes the
better of the two ratios.

Prints a table and writes ``benchmarks/results/io.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
LIB = HERE.parent / "lib"
RESULTS = HERE / "results" / "io.json"


def make_tables(n_scores: int) -> dict[str, pd.DataFrame]:
    """A valid one-year dataset with about ``n_scores`` score rows (as text)."""
    n_jurors, n_crit = 50, 100
    n_units = max(1, n_scores // (n_jurors * n_crit))
    src = "https://example.org/bench"
    units = pd.DataFrame(
        {
            "year": "2020",
            "unit_id": [f"u{i:04d}" for i in range(n_units)],
            "name": [f"Unit {i}" for i in range(n_units)],
            "abbreviation": "",
            "category": "Dinas",
            "basis": "synthetic",
            "source": src,
        }
    )
    jurors = pd.DataFrame(
        {
            "year": "2020",
            "juror_id": [f"J{i:02d}" for i in range(n_jurors)],
            "panel": "akademisi",
            "home_unit_id": "",
            "basis": "synthetic",
            "source": src,
        }
    )
    rubric = pd.DataFrame(
        {
            "year": "2020",
            "evaluation": "sakip",
            "stage": "lke",
            "criterion_id": [f"C{i:03d}" for i in range(n_crit)],
            "criterion": "k",
            "component": "c",
            "weight": "1",
            "basis": "synthetic",
            "source": src,
        }
    )
    idx = pd.MultiIndex.from_product([units["unit_id"], jurors["juror_id"], rubric["criterion_id"]])
    rng = np.random.default_rng(0)
    score = (rng.integers(0, 1001, len(idx)) / 10).astype(str)
    comma = rng.random(len(idx)) < 0.1
    score[comma] = np.char.replace(score[comma], ".", ",")
    scores = pd.DataFrame(
        {
            "year": "2020",
            "evaluation": "sakip",
            "stage": "lke",
            "subject_id": idx.get_level_values(0),
            "juror_id": idx.get_level_values(1),
            "criterion_id": idx.get_level_values(2),
            "score": score,
            "basis": "synthetic",
            "source": src,
        }
    )
    grades = pd.DataFrame(
        {
            "year": "2020",
            "unit_id": units["unit_id"],
            "grade": "BB",
            "total": "",
            "announced": "2021-02",
            "basis": "synthetic",
            "source": src,
        }
    )
    innovations = pd.DataFrame(
        columns=["year", "innovation_id", "unit_id", "name", "competition", "award", "announced", "basis", "source"]
    )
    return dict(units=units, jurors=jurors, rubric=rubric, grades=grades, innovations=innovations, scores=scores)


def write_folder(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", sep=";", index=False)
    return folder


def write_book(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in tables.items():
            out = df.copy()
            for col in ("year", "weight", "score", "total"):
                if col in out:
                    out[col] = pd.to_numeric(out[col].astype(str).str.replace(",", "."), errors="coerce")
            out.to_excel(xw, sheet_name=name, index=False)
    return path


CHILD = """
import json, resource, sys, time
sys.path.insert(0, {lib!r})
from kinerja.data.io import load_dataset
times, cpu = [], []
for _ in range({repeats}):
    t0, c0 = time.perf_counter(), time.process_time()
    ds = load_dataset({path!r})
    times.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
assert len(ds.scores) == {n}, len(ds.scores)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(times=times, cpu=cpu, peak_mb=peak)))
"""


def measure(lib: Path, path: Path, n: int, repeats: int) -> dict:
    code = textwrap.dedent(CHILD.format(lib=str(lib), path=str(path), n=n, repeats=repeats))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=100_000, help="0 skips the workbook")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds of fresh interpreters per library")
    ap.add_argument("--compare", type=Path, help="another lib/ folder holding a kinerja package")
    args = ap.parse_args()

    libs = {"this": LIB.resolve()}
    if args.compare:
        libs["compare"] = args.compare.resolve()
    load_before = os.getloadavg()
    results: dict = dict(python=platform.python_version(), pandas=pd.__version__, machine=platform.machine(), cases={})
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        big = make_tables(args.rows)
        folder = write_folder(tmp / "big", big)
        n_csv = len(big["scores"])
        cases = [("csv", folder, n_csv)]
        if args.xlsx_rows:
            small = make_tables(args.xlsx_rows)
            cases.append(("xlsx", write_book(tmp / "book.xlsx", small), len(small["scores"])))
        print(
            f"wrote the data ({', '.join(f'{n:,} score rows as {c}' for c, _, n in cases)}) in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        for case, path, n in cases:
            runs: dict[str, list[dict]] = {k: [] for k in libs}
            for _ in range(args.rounds):
                for key, lib in libs.items():
                    runs[key].append(measure(lib, path, n, args.repeats))
            results["cases"][case] = {
                key: dict(
                    rows=n,
                    best_s=min(t for r in rs for t in r["times"]),
                    median_s=float(np.median([t for r in rs for t in r["times"]])),
                    best_cpu_s=min(t for r in rs for t in r["cpu"]),
                    peak_mb=min(r["peak_mb"] for r in rs),
                )
                for key, rs in runs.items()
            }
    results["load_average"] = dict(before=load_before, after=os.getloadavg())
    print(f"{'case':6} {'lib':8} {'rows':>10} {'best s':>8} {'median s':>9} {'best CPU s':>10} {'peak MB':>8}")
    for case, per in results["cases"].items():
        for key, r in list(per.items()):
            print(
                f"{case:6} {key:8} {r['rows']:>10,} {r['best_s']:>8.2f} {r['median_s']:>9.2f} "
                f"{r['best_cpu_s']:>10.2f} {r['peak_mb']:>8.0f}"
            )
        if "compare" in per:
            ratio = per["this"]["best_s"] / per["compare"]["best_s"]
            cpu = per["this"]["best_cpu_s"] / per["compare"]["best_cpu_s"]
            mem = per["this"]["peak_mb"] / per["compare"]["peak_mb"]
            verdict = ("PASS" if min(ratio, cpu) <= 1.2 else "FAIL") if case == "csv" else ""
            print(f"{case:6} ratio    time {ratio:.2f}x, CPU time {cpu:.2f}x, memory {mem:.2f}x  {verdict}")
            per["time_ratio"], per["cpu_ratio"], per["memory_ratio"] = ratio, cpu, mem
    print(f"load average before {load_before[0]:.1f}, after {results['load_average']['after'][0]:.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
