"""Grade-record category tests under no category effect (and even juror spread):
type-I error of the Freeman-Halton exact test (exact_test), the proportional-odds LR test
(ordinal_regression, 'all' row) and the per-category Fisher tests (share_by_group), called
as categories.analyse calls them on the grades on record (one row per unit).
usage: python run_grades.py NREPS"""

import os
import pickle
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

_HERE = Path(__file__).resolve().parent
#: where datasets and results go: $KINERJA_BENCH_OUT, else a folder in the system's temp dir
WORK = os.environ.get("KINERJA_BENCH_OUT") or os.path.join(tempfile.gettempdir(), "kinerja_independent_effects")
sys.path.insert(0, str(_HERE))
from sim import UID, Setting, grade_of, simulate, unit_totals  # noqa: E402

from kinerja.analyses.categories import top_grade  # noqa: E402
from kinerja.data.grades import GRADE_ORDER  # noqa: E402
from kinerja.stats.compare import contingency_table, exact_test, ordinal_regression, share_by_group  # noqa: E402

warnings.filterwarnings("ignore")
R = int(sys.argv[1])
s = Setting("G0", n_units=30, n_jurors=6, miss=0.15)
rows = []
t0 = time.time()
for rep in range(R):
    d = simulate(s, np.random.default_rng([31337, rep]))
    ut = unit_totals(d).round(2)
    rec = pd.DataFrame({"unit_id": ut.index, "grade": grade_of(ut.to_numpy())})
    rec["category"] = rec["unit_id"].map({UID(u): c for u, c in enumerate(d["cat_names"])})
    used = [g for g in GRADE_ORDER if g in set(rec["grade"])]
    label, top = top_grade(used)
    tab = contingency_table(rec, row="category", col="grade", col_levels=used)
    et = exact_test(tab, n_resamples=20000, seed=rep)
    orr = ordinal_regression(
        rec.assign(grade=pd.Categorical(rec["grade"], categories=list(GRADE_ORDER), ordered=True)),
        outcome="grade",
        group="category",
    )
    sh = share_by_group(rec, group="category", outcome="grade", success=top, label=label)
    rows.append(
        dict(
            rep=rep,
            p_exact=float(et["p_value"].iloc[0]),
            method=str(et["method"].iloc[0]),
            p_ord=float(orr.loc[orr["group"] == "all", "p_value"].iloc[0]) if (orr["group"] == "all").any() else np.nan,
            p_fisher=list(sh.loc[sh["group"] != "all", "p_value"].astype(float)),
        )
    )
df = pd.DataFrame(rows)
os.makedirs(f"{WORK}/results", exist_ok=True)
with open(f"{WORK}/results/grades_G0.pkl", "wb") as fh:
    pickle.dump(df, fh)
for c in ("p_exact", "p_ord"):
    r = (df[c] < 0.05).mean()
    print(f"{c}: reject {r:.3f} +- {np.sqrt(r * (1 - r) / len(df)):.3f}  NaN {df[c].isna().mean():.3f}")
pf = np.concatenate([np.asarray(x, float) for x in df["p_fisher"]])
pf = pf[np.isfinite(pf)]
print(
    f"per-category Fisher: reject {(pf < 0.05).mean():.3f} over {len(pf)} tests; exact_test methods {df['method'].value_counts().to_dict()}; {time.time() - t0:.0f}s"
)
