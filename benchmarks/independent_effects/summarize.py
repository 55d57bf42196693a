"""Summaries of results/*.pkl: coverage with Monte Carlo SEs clustered by replication."""

from __future__ import annotations

import glob
import os
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

_HERE = Path(__file__).resolve().parent
#: where datasets and results go: $KINERJA_BENCH_OUT, else a folder in the system's temp dir
WORK = os.environ.get("KINERJA_BENCH_OUT") or os.path.join(tempfile.gettempdir(), "kinerja_independent_effects")
sys.path.insert(0, str(_HERE))
pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 30)
pd.set_option("display.max_rows", 300)


def clus(df, col, by="rep"):
    """mean of col and its MC SE, clustered by replication."""
    x = df.dropna(subset=[col]) if df[col].dtype != bool else df
    per = x.groupby(by)[col].mean()
    n = per.notna().sum()
    # ratio estimator: weight reps by counts
    cnt = x.groupby(by)[col].size()
    tot = (per * cnt).sum() / cnt.sum()
    resid = (per - tot) * cnt / cnt.mean()
    se = resid.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
    return float(tot), float(se), int(len(x))


def fmt(m, se, n=None):
    s = f"{100 * m:5.1f} ± {100 * se:.1f}"
    return s + (f" (n={n})" if n is not None else "")


def cover(df):
    df = df.copy()
    df["cov"] = (df["lo"] <= df["truth"]) & (df["truth"] <= df["hi"])
    df["nan"] = ~(np.isfinite(df["lo"]) & np.isfinite(df["hi"]))
    return df


def je(name):
    r = pickle.load(open(f"{WORK}/results/je_{name}.pkl", "rb"))
    res = r["res"]
    s = r["setting"]
    print(
        f"\n===== {name}: reps={len(res)} errors={len(r['errors'])}  clipped share={np.mean([x['clipped'] for x in res]):.2e}"
    )
    for e in r["errors"][:2]:
        print("ERROR", e[0], e[1])
    L = cover(pd.DataFrame([row for x in res for row in x["len"]]))
    m, se, n = clus(L, "cov")
    print(f"leniency coverage overall {fmt(m, se, n)}; NaN intervals {L['nan'].mean():.3f}")
    print("   notes:", L["note"].value_counts().to_dict())
    byj = L.groupby("juror").apply(
        lambda g: pd.Series(
            dict(
                cov=g["cov"].mean(),
                se=np.sqrt(g["cov"].mean() * (1 - g["cov"].mean()) / len(g)),
                truth=g["truth"].mean(),
                bias=(g["est"] - g["truth"]).mean(),
                rmse=np.sqrt(((g["est"] - g["truth"]) ** 2).mean()),
                mean_se=g["se"].mean(),
                sd_err=(g["est"] - g["truth"]).std(),
                flag=g["flag"].mean(),
            )
        )
    )
    print(byj.round(3))
    ok = np.isfinite(L["est"])
    slope = np.polyfit(L.loc[ok, "truth"], L.loc[ok, "est"], 1)[0]
    print(
        f"  bias mean(est-truth)={np.mean(L['est'] - L['truth']):.3f}  slope est~truth={slope:.3f}  mean se={L['se'].mean():.3f}  sd(est-truth)={np.std(L['est'] - L['truth']):.3f}"
    )
    # coverage by |truth| tercile
    L["absq"] = pd.qcut(L["truth"].abs(), 4, labels=False, duplicates="drop")
    print(
        "  coverage by |truth| quartile:",
        L.groupby("absq")["cov"].mean().round(3).tolist(),
        " |truth| means",
        L.groupby("absq")["truth"].apply(lambda v: v.abs().mean()).round(2).tolist(),
    )
    # home
    H = cover(pd.DataFrame([x["home"] for x in res]))
    H["rej"] = H["p"] < 0.05
    Hc = H[~H["nan"]]
    cm = Hc["cov"].mean()
    print(
        f"home: truth={s.home} cov={fmt(cm, np.sqrt(cm * (1 - cm) / len(Hc)), len(Hc))} NaN={H['nan'].mean():.3f} perm p<.05 rate={H['rej'].mean():.3f}±{np.sqrt(H['rej'].mean() * (1 - H['rej'].mean()) / len(H)):.3f}; CI excl 0 rate={((H['lo'] > 0) | (H['hi'] < 0)).mean():.3f}; bias={np.nanmean(H['est'] - H['truth']):.3f}; mean se={H['se'].mean():.3f} sd(est)={H['est'].std():.3f}; perm kinds {H['perm'].value_counts().to_dict()}"
    )
    # panel
    P = pd.DataFrame([row for x in res for row in x["panel"]])
    if len(P):
        P = cover(P)
        m, se, n = clus(P, "cov")
        print(
            f"panel contrasts coverage {fmt(m, se, n)} NaN={P['nan'].mean():.3f} bias={np.nanmean(P['est'] - P['truth']):.3f}"
        )
        PT = pd.DataFrame([x["panel_test"] for x in res])
        rej = (PT["p"] < 0.05).mean()
        print(
            f"panel Wald F: {'null' if PT['null'].iloc[0] else 'alt'} reject rate={rej:.3f}±{np.sqrt(rej * (1 - rej) / len(PT)):.3f}; dfd={PT['dfd'].value_counts().to_dict()}; NaN p={PT['p'].isna().mean():.3f}"
        )
        pr = P["p"] < 0.05
        print(
            f"   per-contrast t-test rejection rate {pr.mean():.3f} (truth==0 rows: {pr[P['truth'] == 0].mean():.3f})"
        )
    # stability
    pc = np.concatenate([x["stab"]["p_change"] for x in res])
    pcr = np.concatenate([x["stab"]["p_change_res"] for x in res])
    oc = np.concatenate([x["stab"]["obs_change"] for x in res])
    repid = np.concatenate([[i] * len(x["stab"]["p_change"]) for i, x in enumerate(res)])
    bins = [0, 0.02, 0.1, 0.2, 0.35, 0.5, 0.7, 1.0001]
    b = np.digitize(pc, bins) - 1
    rows = []
    rng = np.random.default_rng(0)
    R = len(res)
    boots = []
    for _ in range(200):
        pick = rng.integers(0, R, R)
        mask_idx = np.concatenate([np.flatnonzero(repid == i) for i in pick])
        boots.append(
            [
                (oc[mask_idx][b[mask_idx] == k].mean() if (b[mask_idx] == k).any() else np.nan)
                for k in range(len(bins) - 1)
            ]
        )
    boots = np.array(boots)
    for k in range(len(bins) - 1):
        sel = b == k
        if sel.sum() == 0:
            continue
        rows.append(
            dict(
                bin=f"[{bins[k]:.2f},{bins[k + 1]:.2f})",
                n_units=int(sel.sum()),
                predicted=pc[sel].mean(),
                predicted_resampled=pcr[sel].mean(),
                observed=oc[sel].mean(),
                mc_se=np.nanstd(boots[:, k]),
            )
        )
    print("grade stability calibration (p_change vs fresh-jury frequency):")
    print(pd.DataFrame(rows).round(4).to_string(index=False))
    tot_p = np.array([x["stab"]["p_change"].sum() for x in res])
    tot_o = np.array([x["stab"]["obs_change"].sum() for x in res])
    d = tot_o - tot_p
    print(
        f"  expected_changes mean={tot_p.mean():.3f} observed changes/jury mean={tot_o.mean():.3f} diff={d.mean():.3f}±{d.std(ddof=1) / np.sqrt(len(d)):.3f}"
    )
    inr = np.array(
        [
            np.mean((x["stab"]["n_changes"] >= x["stab"]["exp_lo"]) & (x["stab"]["n_changes"] <= x["stab"]["exp_hi"]))
            for x in res
        ]
    )
    print(
        f"  95% range of #changes covers realized #changes under a fresh jury: {inr.mean():.3f}±{inr.std(ddof=1) / np.sqrt(len(inr)):.3f}"
    )
    se_rep = np.concatenate([x["stab"]["se"] for x in res])
    fsd = np.concatenate([x["stab"]["fresh_sd"] for x in res])
    print(f"  reported se mean={se_rep.mean():.3f}; sd of fresh-jury totals (true error sd) mean={fsd.mean():.3f}")
    # components
    C = cover(pd.DataFrame([row for x in res for row in x["comp"]]))
    C = C[np.isfinite(C["truth"])]
    g = C.groupby(["model", "component"]).apply(
        lambda g: pd.Series(
            dict(
                truth=g["truth"].mean(),
                mean_est=g["est"].mean(),
                rel_bias=(g["est"] / g["truth"] - 1).mean(),
                cov_defined=g.loc[~g["nan"], "cov"].mean(),
                mc_se=np.sqrt(
                    g.loc[~g["nan"], "cov"].mean() * (1 - g.loc[~g["nan"], "cov"].mean()) / max((~g["nan"]).sum(), 1)
                ),
                cov_nan_as_miss=g["cov"].mean(),
                nan_rate=g["nan"].mean(),
                miss_low=(g["hi"] < g["truth"]).mean(),
                miss_high=(g["lo"] > g["truth"]).mean(),
            )
        )
    )
    print("variance components (Satterthwaite 95%):")
    print(g.round(3))
    D = pd.DataFrame([row for x in res for row in x["dstudy"]])
    if len(D) and D["truth"].notna().any():
        print(
            "D-study phi bias:",
            D.groupby("n")
            .apply(
                lambda g: pd.Series(
                    dict(
                        truth=g["truth"].mean(),
                        est=g["est"].mean(),
                        bias=(g["est"] - g["truth"]).mean(),
                        se=(g["est"] - g["truth"]).std() / np.sqrt(len(g)),
                    )
                )
            )
            .round(4)
            .to_string(),
        )
    B = pd.DataFrame([row for x in res for row in x["bias"]])
    if len(B) and s.home == 0:
        B["truth"] = 0.0
        B = cover(B)
        B["rej"] = B["p"] < 0.05
        fw = B.groupby(["interaction", "rep"])["flag"].any().groupby("interaction").mean()
        out = B.groupby("interaction").apply(
            lambda g: pd.Series(dict(cov0=g["cov"].mean(), rej_raw=g["rej"].mean(), cells=len(g)))
        )
        out["holm_any_flag_per_rep"] = fw
        print("bias interactions (none planted): coverage of 0 / raw rejection / family-wise Holm flag rate")
        print(out.round(3))
    und = pd.Series([u for x in res for u in x["undefined"]]).value_counts()
    if len(und):
        print("undefined findings:", und.to_dict())


def cat(name):
    r = pickle.load(open(f"{WORK}/results/cat_{name}.pkl", "rb"))
    res = r["res"]
    print(
        f"\n===== {name}: reps={len(res)} errors={len(r['errors'])}; path-check {[x['check'] for x in res if x['check']][:5]}"
    )
    for e in r["errors"][:2]:
        print("ERROR", e[0], e[1])
    G = pd.DataFrame([row for x in res for row in x["ge"]])
    W = G[G["group"] == "all"]
    for model in ("unadjusted", "adjusted"):
        w = W[W["model"] == model]
        rej = (w["p"] < 0.05).mean()
        c = cover(G[(G["model"] == model) & (G["group"] != "all")])
        m, se, n = clus(c, "cov")
        by = c.groupby("group").apply(
            lambda g: pd.Series(
                dict(
                    truth=g["truth"].mean(),
                    bias=(g["est"] - g["truth"]).mean(),
                    bias_se=(g["est"] - g["truth"]).std() / np.sqrt(len(g)),
                    cov=g["cov"].mean(),
                    mean_se=g["se"].mean(),
                    sd_est=g["est"].std(),
                )
            )
        )
        print(
            f"[{model}] Wald test reject rate {rej:.3f}±{np.sqrt(rej * (1 - rej) / len(w)):.3f} (NaN p {w['p'].isna().mean():.3f}); contrast coverage {fmt(m, se, n)}"
        )
        print(by.round(3).to_string())
    PW = cover(pd.DataFrame([row for x in res for row in x["pw"]]))
    m, se, n = clus(PW, "cov")
    rej0 = (PW.loc[PW["truth"] == 0, "p"] < 0.05).mean()
    print(
        f"[pairwise Welch on unit means, unadjusted] coverage {fmt(m, se, n)}; rejection when truth 0: {rej0:.3f}; bias by pair:"
    )
    print(
        PW.groupby(["a", "b"])
        .apply(
            lambda g: pd.Series(dict(truth=g["truth"].mean(), bias=(g["est"] - g["truth"]).mean(), cov=g["cov"].mean()))
        )
        .round(3)
        .to_string()
    )
    ST = pd.DataFrame([row for x in res for row in x["st"]])
    for stat in ("Welch ANOVA", "Kruskal-Wallis"):
        v = ST[ST["statistic"] == stat]["p"]
        print(f"[{stat}] reject rate {(v < 0.05).mean():.3f} (NaN {v.isna().mean():.3f})")


if __name__ == "__main__":
    for f in sorted(glob.glob(f"{WORK}/results/je_*.pkl")):
        je(os.path.basename(f)[3:-4])
    for f in sorted(glob.glob(f"{WORK}/results/cat_*.pkl")):
        cat(os.path.basename(f)[4:-4])
