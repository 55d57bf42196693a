"""Category comparisons: kinerja.stats.compare.group_effects (the function
kinerja.analyses.categories.analyse calls per measure) on the juror totals shaped as
the analysis shapes them (juror_measures 'total' rows: subject_id, juror_id, score,
category), plus pairwise_tests / score_tests (Welch, unit means) with n_perm = n_boot = 0.
The first 5 reps of each setting also go through the user's path (CSV -> load_dataset ->
categories.analyse) and are checked to give the same category_effects numbers.

usage: python run_cat.py SETTING NREPS
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent
#: where datasets and results go: $KINERJA_BENCH_OUT, else a folder in the system's temp dir
WORK = os.environ.get("KINERJA_BENCH_OUT") or os.path.join(tempfile.gettempdir(), "kinerja_independent_effects")
sys.path.insert(0, str(_HERE))
from sim import UID, YEAR, Setting, juror_totals, simulate, write_dataset  # noqa: E402

from kinerja.analyses import categories as CA  # noqa: E402
from kinerja.io import load_dataset  # noqa: E402
from kinerja.stats.compare import group_effects, pairwise_tests, score_tests, unit_means  # noqa: E402

warnings.filterwarnings("ignore")
EFF = {"Badan": 3.0, "Kecamatan": -4.0}
SETTINGS = {
    "C0_null": Setting("C0_null", n_units=30, n_jurors=6, miss=0.15),
    "C1_effect": Setting("C1_effect", n_units=30, n_jurors=6, miss=0.15, cat_effect=EFF),
    "C2_uneven_null": Setting("C2_uneven_null", n_units=30, n_jurors=6, sd_juror=5.0, uneven=0.7),
    "C3_uneven_effect": Setting("C3_uneven_effect", n_units=30, n_jurors=6, sd_juror=5.0, uneven=0.7, cat_effect=EFF),
    "C4_small_null": Setting("C4_small_null", n_units=20, n_jurors=4, miss=0.1),
    "C5_complete_null": Setting("C5_complete_null", n_units=40, n_jurors=8),
}


def one_rep(s: Setting, rep: int, seed: int, check: bool) -> dict:
    rng = np.random.default_rng([seed, rep, 7])
    d = simulate(s, rng)
    tot = juror_totals(d)
    cat_of = {UID(u): c for u, c in enumerate(d["cat_names"])}
    tot["category"] = tot["subject_id"].map(cat_of)
    ge = group_effects(tot)
    ref = ge["reference"].dropna().iloc[0]
    rows = []
    for _, x in ge.iterrows():
        if x["group"] == "all":
            rows.append(dict(rep=rep, model=x["model"], group="all", p=float(x["p_value"]), note=str(x["note"])))
        else:
            tr = s.cat_effect.get(x["group"], 0.0) - s.cat_effect.get(ref, 0.0)
            rows.append(
                dict(
                    rep=rep,
                    model=x["model"],
                    group=x["group"],
                    ref=ref,
                    truth=tr,
                    est=float(x["estimate"]),
                    se=float(x["se"]),
                    lo=float(x["ci_low"]),
                    hi=float(x["ci_high"]),
                    p=float(x["p_value"]),
                    juror_sd=float(x["juror_sd"]),
                )
            )
    um = unit_means(tot, by=["category"])
    pw = pairwise_tests(um, n_perm=0, n_boot=0, seed=rep)
    prow = []
    for _, x in pw.iterrows():
        tr = s.cat_effect.get(x["group_a"], 0.0) - s.cat_effect.get(x["group_b"], 0.0)
        prow.append(
            dict(
                rep=rep,
                a=x["group_a"],
                b=x["group_b"],
                truth=tr,
                est=float(x["estimate"]),
                lo=float(x["ci_low"]),
                hi=float(x["ci_high"]),
                p=float(x["p_value"]),
            )
        )
    st = score_tests(um, n_perm=0, n_boot=0, seed=rep)
    srow = [dict(rep=rep, statistic=x["statistic"], p=float(x["p_value"])) for _, x in st.iterrows()]
    out = dict(rep=rep, ge=rows, pw=prow, st=srow, check=None)
    if check:
        folder = f"{WORK}/ds_{s.name}"
        if os.path.exists(folder):
            shutil.rmtree(folder)
        write_dataset(d, folder)
        ds = load_dataset(folder, year=YEAR)
        r = CA.analyse(ds, n_boot=0, n_perm=0, seed=1)
        ce = r.tables["category_effects"]
        ce = ce[ce["measure"] == "total"]
        a = ce[["model", "category", "estimate", "ci_low", "ci_high", "p_value"]].reset_index(drop=True)
        b = ge[["model", "group", "estimate", "ci_low", "ci_high", "p_value"]].rename(columns={"group": "category"})
        m = a.merge(b, on=["model", "category"], suffixes=("_an", "_st"))
        diff = max(
            float(np.nanmax(np.abs(m[f"{c}_an"].astype(float) - m[f"{c}_st"].astype(float))))
            for c in ("estimate", "ci_low", "p_value")
        )
        out["check"] = (len(a), len(b), len(m), diff)
    return out


def main():
    name, n = sys.argv[1], int(sys.argv[2])
    seed = 777
    s = SETTINGS[name]
    os.makedirs(f"{WORK}/results", exist_ok=True)
    res, errors = [], []
    t0 = time.time()
    for rep in range(n):
        try:
            res.append(one_rep(s, rep, seed, check=rep < 5))
        except Exception as e:
            import traceback

            errors.append((rep, repr(e), traceback.format_exc()))
    with open(f"{WORK}/results/cat_{name}.pkl", "wb") as f:
        pickle.dump(dict(setting=s, res=res, errors=errors), f)
    print(f"{name} {n} reps {time.time() - t0:.0f}s errors={len(errors)}", flush=True)


if __name__ == "__main__":
    main()
