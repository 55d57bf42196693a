"""Benchmark the notebooks against the kernel floor, as issue 7 asks.

Run from the repository root (``make bench`` runs it):

    .venv/bin/python benchmarks/bench_notebooks.py [--data batu] [--year 2020] [--repeats 3]

The *floor* is what every report notebook pays before any analysis: papermill starting a
kernel, importing pandas, seaborn, statsmodels and kinerja, and loading the dataset. It is
measured with a one-cell notebook that does exactly that, in the same run as the real
notebooks, so that machine load moves both alike. Targets (issue 7):

* each notebook at most 2x the floor on the bundled data (default parameters);
* the whole collection (every notebook, ``jobs`` kernels at once) at most 1.5x
  ``floor x notebooks / jobs``: one dataset-year, and with ``--reports`` one run of
  every bundled dataset and year, which is what ``make reports`` does.

The floor's kernel is started the usual way (``python -m ipykernel_launcher``, fork
server off), as issue 7 defines it. The notebooks run as ``kinerja run`` runs them: a
run that starts two kernels or more forks them from a process that has imported the
stack once (:mod:`kinerja.run.forkserver`); a run of one notebook starts its kernel the
usual way, so a notebook timed alone pays the whole floor. The collection is also timed
with every kernel started the usual way, for comparison.

A notebook's time and the floor are both papermill's own execution time (kernel start,
every cell, kernel shutdown: ``metadata.papermill.duration`` of the executed notebook),
not the wall time of a whole ``kinerja run``: that also pays the runner's start-up
(reading the notebooks, the run record) and the HTML/PDF export, the same few seconds
for the floor as for a notebook, which made every ratio look closer to 1 than it is.
Those are reported beside it (``run_seconds``). The collection is the wall time of one
``kinerja run`` of every notebook, everything included.

Beside each verdict the ratio of every repeat to the floor of the same repeat is
printed (``paired_ratios``): its spread is what the machine's noise does to the ratio.
Timings are minima over ``--repeats`` runs (3 by default: on a shared virtual machine
the same notebook took 8.3 s and 11.4 s in two runs a minute apart, and the floor moved
between 3.0 and 5.7 s; the minimum of interleaved runs is the steadiest estimate). Writes
``benchmarks/results/notebooks.json`` and prints a table with PASS/FAIL per target.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "lib"))

from kinerja.paths import NOTEBOOKS_DIR  # noqa: E402
from kinerja.run import run_collection  # noqa: E402

RESULTS = HERE / "results" / "notebooks.json"

FLOOR_SOURCE = """\
import pandas, seaborn, statsmodels.api  # noqa: F401
import kinerja.analyses, kinerja.report.notebook  # noqa: F401
from kinerja.data.io import load_dataset
ds = load_dataset(data).for_year(year)
"""


def floor_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python (kinerja)", "language": "python", "name": "kinerja"}}
    params = nbformat.v4.new_code_cell(
        'data: str = "batu"  # dataset\nyear: int = 2020  # year\nout_dir: str = ""  # out'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def run_once(
    data: str, year: int | None, notebooks: list[Path] | None, jobs: int, fork: bool | None = None
) -> tuple[float, float]:
    """Wall time of one run of ``notebooks`` and the summed papermill execution time of
    their executed notebooks."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run_collection(
            data, years=year, out=Path(tmp), notebooks=notebooks, jobs=jobs, progress=False, fork_kernels=fork
        )
        total = time.perf_counter() - t0
        if not summary.ok:
            raise SystemExit(summary.failure_table())
        executed = sum(
            float(nbformat.read(r.output, as_version=4).metadata.papermill.duration) for r in summary.results
        )
    return total, executed


def _paired(times: list[float], floors: list[float], per_floor: float) -> list[float]:
    """Each repeat's time over the floor measured in the same repeat (x ``per_floor``).

    The verdict uses the minima over the repeats; these ratios show how far it moves
    with the machine: a notebook and the floor timed a minute apart share its speed."""
    return [round(t / (f * per_floor), 2) for t, f in zip(times, floors)]


def _collection_row(name: str, t: float, floor: float, n: int, jobs: int, paired: list[float]) -> dict:
    """The verdict on a run of ``n`` notebooks taking ``t`` s: at most 1.5x ``floor x n / jobs``."""
    budget = floor * n / jobs
    return {
        "benchmark": name,
        "seconds": round(t, 2),
        "ratio_to_floor": round(t / budget, 2),
        "target": "<= 1.5x floor x notebooks / jobs",
        "pass": t <= 1.5 * budget,
        "paired_ratios": paired,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="batu")
    ap.add_argument("--year", type=int, default=2020)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--only", nargs="*", default=None, help="notebook stems, or their prefixes such as 01, to time (default: all)"
    )
    ap.add_argument(
        "--reports",
        action="store_true",
        help="also time one run of every bundled dataset and year, as `make reports` runs them (several minutes)",
    )
    args = ap.parse_args(argv)
    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    timed = [nb for nb in notebooks if not args.only or any(nb.stem.startswith(o) for o in args.only)]
    if args.only and not timed:
        ap.error(
            f"--only {' '.join(args.only)} names no notebook in {NOTEBOOKS_DIR} (stems or their prefixes, e.g. 01)"
        )
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        floor_nb = floor_notebook(Path(tmp))
        floors, floor_runs, each, each_run = [], [], {nb.stem: [] for nb in timed}, {nb.stem: [] for nb in timed}
        collection, collection_cold = [], []
        for _ in range(args.repeats):
            # the floor as issue 7 defines it: a kernel started by papermill the usual way
            wall, executed = run_once(args.data, args.year, [floor_nb], 1, fork=False)
            floors.append(executed)
            floor_runs.append(wall)
            for nb in timed:
                wall, executed = run_once(args.data, args.year, [nb], 1)
                each[nb.stem].append(executed)
                each_run[nb.stem].append(wall)
            if not args.only:
                collection.append(run_once(args.data, args.year, notebooks, args.jobs)[0])
                collection_cold.append(run_once(args.data, args.year, notebooks, args.jobs, fork=False)[0])
        reports = None
        if args.reports:
            from kinerja.data.io import dataset_years
            from kinerja.run.runner import bundled_datasets

            datasets = [str(p) for p in bundled_datasets()]
            n_reports = sum(len(dataset_years(d)) for d in datasets) * len(notebooks)
            reports = (run_once(datasets, None, None, args.jobs)[0], n_reports)
    floor = min(floors)
    rows = []
    for name, times in each.items():
        t = min(times)
        rows.append(
            {
                "benchmark": name,
                "seconds": round(t, 2),
                "ratio_to_floor": round(t / floor, 2),
                "target": "<= 2x floor",
                "pass": t <= 2 * floor,
                "run_seconds": round(min(each_run[name]), 2),
                "paired_ratios": _paired(times, floors, 1.0),
            }
        )
    if collection:
        for label, times in (("", collection), (", kernels started cold (for comparison)", collection_cold)):
            name = f"collection ({len(notebooks)} notebooks, jobs={args.jobs}{label})"
            rows.append(
                _collection_row(
                    name,
                    min(times),
                    floor,
                    len(notebooks),
                    args.jobs,
                    _paired(times, floors, len(notebooks) / args.jobs),
                )
            )
    if reports:
        t, n = reports
        name = f"make reports ({n} notebooks, jobs={args.jobs}, one run)"
        rows.append(_collection_row(name, t, floor, n, args.jobs, [round(t / (floor * n / args.jobs), 2)]))
    out = {
        "floor_seconds": round(floor, 2),
        "floor_run_seconds": round(min(floor_runs), 2),
        "rows": rows,
        "data": args.data,
        "year": args.year,
        "repeats": args.repeats,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    if not args.only:  # a partial run does not replace the table of the last full one
        RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(
        f"floor (kernel + imports + load {args.data} {args.year}): {floor:.2f} s "
        f"(a whole `kinerja run` of it: {min(floor_runs):.2f} s)"
    )
    for r in rows:
        print(
            f"{r['benchmark']:<45} {r['seconds']:>7.2f} s  x{r['ratio_to_floor']:<5} {r['target']:<34} "
            f"{'PASS' if r['pass'] else 'FAIL'}"
            + (f"  (whole run {r['run_seconds']:.2f} s)" if "run_seconds" in r else "")
            + f"  paired x{min(r['paired_ratios']):.2f}-{max(r['paired_ratios']):.2f}"
        )
    print(f"load average before {load_before[0]:.2f}, after {out['load_after'][0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
