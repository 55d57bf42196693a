"""Repro: per-juror leniency 95% intervals under-cover with a small jury and missing cells
(20 units x 5 jurors, 8 criteria, 20% of unit x juror cells missing).

Calls kinerja.stats.effects.juror_model on the criterion scores shaped as
kinerja.analyses.juror_effects._inputs passes them (subject_id, juror_id, criterion_id,
score), criterion="criterion_id", alpha=0.05 -- exactly what analyse() does.
Truth: planted juror effect minus the mean over the jurors (the docstring's estimand).

usage: python repro_leniency_small.py [reps] [miss]
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
from sim import JID, Setting, long_scores, simulate  # noqa: E402

from kinerja.stats.effects import juror_model  # noqa: E402

warnings.filterwarnings("ignore")
R = int(sys.argv[1]) if len(sys.argv) > 1 else 300
miss = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
s = Setting("repro", n_units=20, n_jurors=5, n_crit=8, miss=miss)
rows = []
for rep in range(R):
    d = simulate(s, np.random.default_rng([4242, rep]))
    m = juror_model(long_scores(d), criterion="criterion_id", alpha=0.05)
    sev = m.severity.set_index("juror_id")
    vj = m.variance("juror_id")
    truth = d["juror_eff"] - d["juror_eff"].mean()
    for j in range(s.n_jurors):
        r = sev.loc[JID(j)]
        rows.append(
            dict(rep=rep, truth=truth[j], est=r["estimate"], se=r["se"], lo=r["ci_low"], hi=r["ci_high"], vj=vj)
        )
df = pd.DataFrame(rows)
df["cov"] = (df["lo"] <= df["truth"]) & (df["truth"] <= df["hi"])
per = df.groupby("rep")["cov"].mean()
print(
    f"U=20 J=5 miss={miss} reps={R}: coverage {df['cov'].mean():.3f} +- {per.std() / np.sqrt(len(per)):.3f} (nominal 0.95)"
)
err = df["est"] - df["truth"]
print(
    f"mean reported se {df['se'].mean():.3f}; empirical sd of (est - truth) {err.std():.3f}; ratio {df['se'].mean() / err.std():.3f}"
)
print(f"coverage of est +- 1.96 * empirical sd: {((err.abs()) <= 1.96 * err.std()).mean():.3f}")
df["vj_tercile"] = pd.qcut(df["vj"], 3, labels=["low", "mid", "high"])
print("coverage by tercile of the estimated juror variance (true 6.25):")
print(
    df.groupby("vj_tercile", observed=True)
    .agg(
        vj=("vj", "mean"),
        cov=("cov", "mean"),
        se=("se", "mean"),
        sd_err=("est", lambda v: (v - df.loc[v.index, "truth"]).std()),
    )
    .round(3)
    .to_string()
)
