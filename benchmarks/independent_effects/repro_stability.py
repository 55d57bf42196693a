"""Repro: grade_stability's p_change is over-confident for units it calls safe (p < 0.02)
when the jury is small (4-5 jurors), and the cause is the plug-in REML variance
components (the docstring's "taken as known"): the same predictive formula with the TRUE
components is calibrated.

Calls kinerja.stats.stability.grade_stability on the juror totals exactly as
kinerja.analyses.juror_effects.analyse passes them (subject_id, juror_id, score), and the
module's own _universe_scores/_band_probabilities with the true components.

usage: python repro_stability.py [n_units n_jurors reps]
"""

import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

_HERE = Path(__file__).resolve().parent
#: where datasets and results go: $KINERJA_BENCH_OUT, else a folder in the system's temp dir
WORK = os.environ.get("KINERJA_BENCH_OUT") or os.path.join(tempfile.gettempdir(), "kinerja_independent_effects")
sys.path.insert(0, str(_HERE))
from sim import Setting, fresh_jury_totals, grade_code, juror_totals, simulate  # noqa: E402

from kinerja.stats import stability as ST  # noqa: E402

warnings.filterwarnings("ignore")
U, J, R = (int(a) for a in sys.argv[1:4]) if len(sys.argv) > 3 else (20, 4, 300)
s = Setting("repro", n_units=U, n_jurors=J, n_crit=8)
rows = []
for rep in range(R):
    rng = np.random.default_rng([99, rep])
    d = simulate(s, rng)
    tot = juror_totals(d)
    gs = ST.grade_stability(tot, n_resamples=0)
    units = gs.units.set_index("subject_id")
    sw2 = float((d["w"] ** 2).sum()) / 1e4
    s2p = s.sd_unit**2 + s.sd_uc**2 * sw2
    s2r = s.sd_juror**2
    s2e = s.sd_uj**2 + s.sd_e**2 * sw2
    sc, sl = pd.factorize(tot["subject_id"], sort=True)
    rc, rl = pd.factorize(tot["juror_id"], sort=True)
    y = tot["score"].to_numpy()
    tau, cov, _ = ST._universe_scores(y, sc, rc, len(sl), len(rl), s2p, s2r, s2e)
    n_u = np.bincount(sc)
    total = np.bincount(sc, weights=y) / n_u
    code = ST._grade_code(total)
    probs = ST._band_probabilities(tau, np.sqrt(np.clip(np.diag(cov), 0, None) + (s2r + s2e) / n_u))
    p_true = 1 - probs[np.arange(len(sl)), code]
    fresh = np.array([fresh_jury_totals(d, rng) for _ in range(20)])
    obs = (grade_code(fresh) != grade_code(total)[None, :]).mean(axis=0)
    comp = gs.components.set_index("component")["variance"]
    for i, u in enumerate(sl):
        rows.append(
            dict(rep=rep, p_kinerja=units.loc[u, "p_change"], p_true_vc=p_true[i], obs=obs[i], s2r_hat=comp["juror_id"])
        )
df = pd.DataFrame(rows)
bins = [0, 0.02, 0.1, 0.2, 0.35, 0.5, 1.01]
for col in ("p_kinerja", "p_true_vc"):
    df["bin"] = pd.cut(df[col], bins, right=False)
    g = df.groupby("bin", observed=True).agg(n=("obs", "size"), predicted=(col, "mean"), observed=("obs", "mean"))
    # MC SE clustered by replication (bootstrap over reps)
    bs = []
    reps = df["rep"].unique()
    rr = np.random.default_rng(0)
    for _ in range(200):
        pick = rr.choice(reps, len(reps))
        x = (
            pd.concat([df[df["rep"] == p] for p in pick[:]], ignore_index=True)
            if False
            else df.set_index("rep").loc[pick].reset_index()
        )
        bs.append(x.groupby(pd.cut(x[col], bins, right=False), observed=True)["obs"].mean())
    g["mc_se"] = pd.concat(bs, axis=1).std(axis=1)
    print(f"\n{col}  (U={U}, J={J}, reps={R})")
    print(g.round(4).to_string())
low = df[df["p_kinerja"] < 0.02]
print(
    f"\nunits with p_kinerja < 0.02: juror variance estimate mean {low['s2r_hat'].mean():.2f} "
    f"vs all units {df['s2r_hat'].mean():.2f} (true {s.sd_juror**2:.2f})"
)
