"""Replications through the user's path: simulate -> CSV folder -> load_dataset ->
kinerja.analyses.juror_effects.analyse. Records per-rep outcomes to results/je_<setting>.pkl.

usage: python run_je.py SETTING NREPS [SEED]
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
from sim import JID, UID, YEAR, Setting, fresh_jury_totals, grade_code, simulate, write_dataset  # noqa: E402

from kinerja.analyses import juror_effects as JE  # noqa: E402
from kinerja.io import load_dataset  # noqa: E402

warnings.filterwarnings("ignore")

SETTINGS = {
    "S1_small": Setting("S1_small", n_units=20, n_jurors=4, n_crit=8, home_groups=((0,), (2,))),
    "S2_medium": Setting("S2_medium", n_units=30, n_jurors=8, n_crit=10, home_groups=((0, 1), (4,))),
    "S3_miss20": Setting("S3_miss20", n_units=30, n_jurors=8, n_crit=10, miss=0.2, home_groups=((0, 1), (4,))),
    "S4_alt": Setting(
        "S4_alt",
        n_units=40,
        n_jurors=10,
        n_crit=12,
        miss=0.1,
        panel_shift={"akademisi": -3.0, "praktisi": 2.0},
        home=4.0,
        home_groups=((0, 1), (4,), (6,)),
    ),
    "S5_fixedlen": Setting(
        "S5_fixedlen",
        n_units=30,
        n_jurors=6,
        n_crit=10,
        miss=0.1,
        fixed_leniency=(-4.0, -1.0, 0.0, 0.0, 1.0, 5.0),
        home_groups=((0,), (3,)),
    ),
    "S6_small_miss": Setting("S6_small_miss", n_units=20, n_jurors=5, n_crit=8, miss=0.2, home_groups=((0,), (2,))),
    "S6b_small_miss": Setting("S6b_small_miss", n_units=20, n_jurors=5, n_crit=8, miss=0.2, home_groups=((0,), (2,))),
    "S7_small5_complete": Setting("S7_small5_complete", n_units=20, n_jurors=5, n_crit=8, home_groups=((0,), (2,))),
}

N_FRESH = 20


def one_rep(s: Setting, rep: int, seed: int, folder: str) -> dict:
    rng = np.random.default_rng([seed, rep])
    d = simulate(s, rng)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    write_dataset(d, folder)
    ds = load_dataset(folder, year=YEAR)
    r = JE.analyse(ds, n_resamples=500, seed=rep)
    J = s.n_jurors
    U = s.n_units
    out = {"rep": rep, "clipped": d["clipped"]}
    # ---- leniency
    sev = r.tables["juror_effects"].set_index("juror_id")
    truth = d["juror_eff"] - d["juror_eff"].mean()
    rows = []
    for j in range(J):
        row = sev.loc[JID(j)]
        rows.append(
            dict(
                rep=rep,
                juror=j,
                truth=truth[j],
                est=float(row["estimate"]),
                se=float(row["se"]),
                lo=float(row["ci_low"]),
                hi=float(row["ci_high"]),
                flag=bool(row["flag"]),
                flag_holm=bool(row["flag_holm"]),
                p=float(row["p_value"]),
                n_subj=int(row["n_subjects"]),
                note=str(row["note"]),
            )
        )
    out["len"] = rows
    # ---- home bias
    hb = r.tables["home_bias"].iloc[0]
    out["home"] = dict(
        rep=rep,
        truth=s.home,
        est=float(hb["estimate"]),
        se=float(hb["se"]),
        lo=float(hb["ci_low"]),
        hi=float(hb["ci_high"]),
        p=float(hb["p_value"]),
        n_home=int(hb["n_home_scores"]),
        n_perm=int(hb["n_permutations"]),
        perm=str(hb["permutation"]),
        note=str(hb["note"]),
    )
    # p_value_t is in the stats table (not in the analysis table); recompute via fx if needed
    # ---- panels
    pe = r.tables["panel_effects"]
    pt = r.tables["panel_test"].iloc[0]
    ref = str(pt["reference"])
    prow = []
    for _, x in pe.iterrows():
        if bool(x["reference"]):
            continue
        tr = s.panel_shift.get(x["panel"], 0.0) - s.panel_shift.get(ref, 0.0)
        prow.append(
            dict(
                rep=rep,
                panel=x["panel"],
                truth=tr,
                est=float(x["estimate"]),
                lo=float(x["ci_low"]),
                hi=float(x["ci_high"]),
                p=float(x["p_value"]),
            )
        )
    out["panel"] = prow
    out["panel_test"] = dict(
        rep=rep,
        p=float(pt["p_value"]),
        dfd=float(pt["df_denominator"]),
        null=all(v == 0 for v in s.panel_shift.values()) or not s.panel_shift,
        note=str(pt["note"]),
    )
    # ---- grade stability calibration
    gs = r.tables["grade_stability"].set_index("subject_id")
    summ = r.tables["grade_stability_summary"].set_index("statistic")
    tot_rec = np.array([gs.loc[UID(u), "total"] for u in range(U)])
    code_rec = grade_code(tot_rec)
    fresh = np.array([fresh_jury_totals(d, rng) for _ in range(N_FRESH)])  # N_FRESH x U
    changed = grade_code(fresh) != code_rec[None, :]
    out["stab"] = dict(
        rep=rep,
        p_change=np.array([gs.loc[UID(u), "p_change"] for u in range(U)], float),
        p_change_res=np.array([gs.loc[UID(u), "p_change_resampled"] for u in range(U)], float),
        se=np.array([gs.loc[UID(u), "se"] for u in range(U)], float),
        p_higher=np.array([gs.loc[UID(u), "p_higher"] for u in range(U)], float),
        obs_change=changed.mean(axis=0),
        obs_higher=(grade_code(fresh) > code_rec[None, :]).mean(axis=0),
        n_changes=changed.sum(axis=1),  # per fresh jury
        exp_changes=float(summ.loc["expected_changes", "estimate"]),
        exp_lo=float(summ.loc["expected_changes", "ci_low"]),
        exp_hi=float(summ.loc["expected_changes", "ci_high"]),
        # the actual error sd of the total on record: fresh - universe
        fresh_sd=fresh.std(axis=0, ddof=1),
    )
    # ---- variance components
    comp = r.tables["effects_components"]
    w = d["w"]
    sw2 = float((w**2).sum()) / 1e4
    juror_var = s.sd_juror**2 if (s.fixed_leniency is None and not s.panel_shift) else np.nan
    tv = {
        ("scores", "subject_id"): s.sd_unit**2,
        ("scores", "juror_id"): juror_var,
        ("scores", "criterion_id"): s.sd_crit**2,
        ("scores", "subject_id:juror_id"): s.sd_uj**2,
        ("scores", "subject_id:criterion_id"): s.sd_uc**2,
        ("scores", "residual"): s.sd_e**2,
        ("totals", "subject_id"): s.sd_unit**2 + s.sd_uc**2 * sw2,
        ("totals", "juror_id"): juror_var,
        ("totals", "residual"): s.sd_uj**2 + s.sd_e**2 * sw2,
    }
    crow = []
    for _, x in comp.iterrows():
        m = "scores" if str(x["model"]).startswith("scores") else "totals"
        crow.append(
            dict(
                rep=rep,
                model=m,
                component=x["component"],
                truth=tv.get((m, x["component"]), np.nan),
                est=float(x["variance"]),
                lo=float(x["ci_low"]),
                hi=float(x["ci_high"]),
            )
        )
    out["comp"] = crow
    # ---- D study phi at n = 1 and n = J
    dst = r.tables["d_study"]
    sp = s.sd_unit**2 + s.sd_uc**2 * sw2
    sr = juror_var
    se_ = s.sd_uj**2 + s.sd_e**2 * sw2
    drow = []
    for n in (1, J):
        x = dst[dst["n_jurors"] == n]
        if len(x):
            drow.append(dict(rep=rep, n=n, est=float(x["phi"].iloc[0]), truth=sp / (sp + (sr + se_) / n)))
    out["dstudy"] = drow
    out["phi_observed"] = float(r.facts["phi_observed"])
    # ---- bias interactions (no interaction planted): coverage of 0 and flags
    bi = r.tables["bias_interactions"]
    brow = []
    for _, x in bi.iterrows():
        brow.append(
            dict(
                rep=rep,
                interaction=x["interaction"],
                a=x["level_a"],
                b=x["level_b"],
                est=float(x["estimate"]),
                lo=float(x["ci_low"]),
                hi=float(x["ci_high"]),
                p=float(x["p_value"]),
                flag=bool(x["flag"]),
                n=int(x["n"]),
            )
        )
    out["bias"] = brow
    # ---- findings with NaN / undefined
    out["undefined"] = [f.id for f in r.findings if getattr(f, "status", "") == "undefined"]
    return out


def main():
    name = sys.argv[1]
    n = int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20240917
    s = SETTINGS[name]
    os.makedirs(f"{WORK}/results", exist_ok=True)
    folder = f"{WORK}/ds_{name}"
    res, errors = [], []
    t0 = time.time()
    path = f"{WORK}/results/je_{name}.pkl"
    for rep in range(n):
        try:
            res.append(one_rep(s, rep, seed, folder))
        except Exception as e:  # record crashes
            import traceback

            errors.append((rep, repr(e), traceback.format_exc()))
        if (rep + 1) % 25 == 0 or rep == n - 1:
            with open(path, "wb") as f:
                pickle.dump(dict(setting=s, res=res, errors=errors), f)
            print(f"{name} {rep + 1}/{n} {time.time() - t0:.0f}s errors={len(errors)}", flush=True)


if __name__ == "__main__":
    main()
