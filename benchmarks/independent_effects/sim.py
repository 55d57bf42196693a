"""Independent simulator of juror-judged SAKIP scores (written for this audit; does not
use kinerja.data.synth or tests/stats/ratings_sim.py).

score_ujk = mu + a_u + cat_{c(u)} + c_k + (ac)_uk + b_j + pan_{p(j)} + home*H_uj
            + (ab)_uj + e_ujk, clipped to [0, 100], rounded to 2 decimals.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BANDS_UPPER = np.array([30.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0])
GRADES = np.array(["D", "C", "CC", "B", "BB", "A", "AA"])


def grade_code(t):
    t = np.asarray(t, float)
    return np.minimum(np.searchsorted(BANDS_UPPER, t, side="left"), 6)


def grade_of(t):
    return GRADES[grade_code(t)]


@dataclass
class Setting:
    name: str
    n_units: int = 30
    n_jurors: int = 6
    n_crit: int = 10
    mu: float = 72.0
    sd_unit: float = 6.0
    sd_crit: float = 3.0
    sd_uc: float = 2.0  # unit x criterion
    sd_juror: float = 2.5  # leniency (random)
    fixed_leniency: tuple | None = None  # planted fixed leniencies instead of random draws
    sd_uj: float = 2.0  # unit x juror
    sd_e: float = 4.0  # criterion-level noise
    panels: tuple = ("tim_sakip", "inspektorat", "akademisi", "praktisi", "biro_provinsi")
    panel_shift: dict = field(default_factory=dict)
    categories: tuple = ("Dinas", "Badan", "Kecamatan")
    cat_probs: tuple = (0.45, 0.25, 0.30)
    cat_effect: dict = field(default_factory=dict)  # category -> points
    home: float = 0.0  # home bias, points
    home_groups: tuple = ()  # tuple of tuples of juror indices sharing a home unit
    miss: float = 0.0  # share of unit x juror cells missing (at random)
    uneven: float = 0.0  # >0: lenient jurors score first category more, severe jurors the last
    min_jurors_per_unit: int = 2


def _panels_for(s: Setting, rng):
    P = len(s.panels)
    # at least two jurors in as many panels as possible: cycle panels in pairs
    out = [s.panels[(i // 2) % P] for i in range(s.n_jurors)]
    return np.array(out)


def simulate(s: Setting, rng: np.random.Generator) -> dict:
    U, J, K = s.n_units, s.n_jurors, s.n_crit
    # units and categories (every category gets at least 3 units)
    while True:
        cats = rng.choice(len(s.categories), size=U, p=np.asarray(s.cat_probs) / sum(s.cat_probs))
        if np.all(np.bincount(cats, minlength=len(s.categories)) >= 3):
            break
    cat_names = np.array(s.categories)[cats]
    cat_eff = np.array([s.cat_effect.get(c, 0.0) for c in s.categories])[cats]
    a = s.sd_unit * rng.standard_normal(U)
    # criteria, weights (integers summing to 100)
    raw = rng.uniform(0.5, 1.5, size=K)
    w = np.floor(raw / raw.sum() * 100).astype(int)
    w[: 100 - w.sum()] += 1
    assert w.sum() == 100
    c = s.sd_crit * rng.standard_normal(K)
    ac = s.sd_uc * rng.standard_normal((U, K))
    # jurors
    panel = _panels_for(s, rng)
    if s.fixed_leniency is not None:
        b = np.asarray(s.fixed_leniency, float)
    else:
        b = s.sd_juror * rng.standard_normal(J)
    pan = np.array([s.panel_shift.get(p, 0.0) for p in panel])
    juror_total_eff = b + pan
    # home units: each group gets a distinct unit (not in the last category, like Dinas/Badan)
    home_unit = np.full(J, -1)
    if s.home_groups:
        cand = rng.permutation(U)
        for g, members in enumerate(s.home_groups):
            for j in members:
                home_unit[j] = cand[g]
    H = np.zeros((U, J), bool)
    for j in range(J):
        if home_unit[j] >= 0:
            H[home_unit[j], j] = True
    # observed cells
    obs = np.ones((U, J), bool)
    if s.miss > 0 or s.uneven > 0:
        for _ in range(1000):
            p_obs = np.full((U, J), 1.0 - s.miss)
            if s.uneven > 0:
                # lenient jurors (above median) see first category often, last rarely; severe: reverse
                rank = np.argsort(np.argsort(juror_total_eff))
                lenient = rank >= J / 2
                first = cats == 0
                last = cats == len(s.categories) - 1
                p_obs = np.full((U, J), 0.6)
                p_obs[np.ix_(first, lenient)] = 1.0 - s.uneven * 0.1
                p_obs[np.ix_(first, ~lenient)] = 1.0 - s.uneven
                p_obs[np.ix_(last, lenient)] = 1.0 - s.uneven
                p_obs[np.ix_(last, ~lenient)] = 1.0 - s.uneven * 0.1
            obs = rng.random((U, J)) < p_obs
            obs |= H
            if obs.sum(axis=1).min() >= s.min_jurors_per_unit and obs.sum(axis=0).min() >= 2 and _connected(obs):
                break
        else:
            raise RuntimeError("could not draw a connected design")
    ab = s.sd_uj * rng.standard_normal((U, J))
    e = s.sd_e * rng.standard_normal((U, J, K))
    unit_true = s.mu + a + cat_eff  # per unit level (criterion mean 0 in expectation)
    y = (
        unit_true[:, None, None]
        + c[None, None, :]
        + ac[:, None, :]
        + juror_total_eff[None, :, None]
        + s.home * H[:, :, None]
        + ab[:, :, None]
        + e
    )
    clipped = float(((y < 0) | (y > 100)).mean())
    y = np.round(np.clip(y, 0, 100), 2)
    # universe score of each unit for totals: what the unit gets from an average-of-population jury
    # (juror effects mean 0 in the population; panel shift as drawn from the panel mix of the jury)
    crit_part = (w[None, :] * (c[None, :] + ac)).sum(axis=1) / 100.0
    uu, jj = np.nonzero(obs)
    totals = (y[uu, jj, :] * w[None, :]).sum(axis=1) / 100.0
    tot_df = pd.DataFrame({"u": uu, "j": jj, "total": totals})
    return dict(
        setting=s,
        cats=cats,
        cat_names=cat_names,
        a=a,
        cat_eff=cat_eff,
        w=w,
        c=c,
        ac=ac,
        crit_part=crit_part,
        panel=panel,
        b=b,
        pan=pan,
        juror_eff=juror_total_eff,
        home_unit=home_unit,
        H=H,
        obs=obs,
        ab=ab,
        y=y,
        totals=tot_df,
        clipped=clipped,
    )


def _connected(obs):
    U, J = obs.shape
    parent = list(range(U + J))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, j in zip(*np.nonzero(obs)):
        ru, rj = find(u), find(U + j)
        if ru != rj:
            parent[ru] = rj
    roots = {find(x) for x in range(U + J)}
    return len(roots) == 1


UID = lambda u: f"u{u:02d}"  # noqa: E731
JID = lambda j: f"J{j + 1:02d}"  # noqa: E731
CID = lambda k: f"K{k + 1:02d}"  # noqa: E731
YEAR = 2022
SRC = "hunt_cov sim"


def long_scores(d: dict) -> pd.DataFrame:
    """Criterion scores in the shape juror_effects._inputs gives to juror_model (crit)."""
    y, obs = d["y"], d["obs"]
    uu, jj = np.nonzero(obs)
    K = y.shape[2]
    return pd.DataFrame(
        {
            "subject_id": np.repeat([UID(u) for u in uu], K),
            "juror_id": np.repeat([JID(j) for j in jj], K),
            "criterion_id": np.tile([CID(k) for k in range(K)], len(uu)),
            "score": y[uu, jj, :].ravel(),
        }
    )


def juror_totals(d: dict) -> pd.DataFrame:
    """Juror totals in the shape juror_effects._inputs gives (subject_id, juror_id, score)."""
    t = d["totals"]
    # computed as kinerja's weighted_totals would from the rounded scores
    return pd.DataFrame(
        {"subject_id": [UID(u) for u in t["u"]], "juror_id": [JID(j) for j in t["j"]], "score": t["total"].to_numpy()}
    )


def unit_totals(d: dict) -> pd.Series:
    t = juror_totals(d)
    return t.groupby("subject_id")["score"].mean()


def write_dataset(d: dict, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    s: Setting = d["setting"]
    U, J, K = d["y"].shape
    units = pd.DataFrame(
        {
            "year": YEAR,
            "unit_id": [UID(u) for u in range(U)],
            "name": [f"Unit {u}" for u in range(U)],
            "abbreviation": [f"U{u}" for u in range(U)],
            "category": d["cat_names"],
            "basis": "synthetic",
            "source": SRC,
        }
    )
    jurors = pd.DataFrame(
        {
            "year": YEAR,
            "juror_id": [JID(j) for j in range(J)],
            "panel": d["panel"],
            "home_unit_id": [UID(h) if h >= 0 else "" for h in d["home_unit"]],
            "basis": "synthetic",
            "source": SRC,
        }
    )
    comps = ["Perencanaan", "Pengukuran", "Pelaporan"]
    rubric = pd.DataFrame(
        {
            "year": YEAR,
            "evaluation": "sakip",
            "stage": "lke",
            "criterion_id": [CID(k) for k in range(K)],
            "criterion": [f"Criterion {k}" for k in range(K)],
            "component": [comps[k * len(comps) // K] for k in range(K)],
            "weight": d["w"].astype(float),
            "basis": "synthetic",
            "source": SRC,
        }
    )
    sc = long_scores(d)
    scores = pd.DataFrame(
        {
            "year": YEAR,
            "evaluation": "sakip",
            "stage": "lke",
            "subject_id": sc["subject_id"],
            "juror_id": sc["juror_id"],
            "criterion_id": sc["criterion_id"],
            "score": sc["score"].map(lambda v: f"{v:.2f}"),
            "basis": "synthetic",
            "source": SRC,
        }
    )
    ut = unit_totals(d)
    tot = ut.round(2)
    grades = pd.DataFrame(
        {
            "year": YEAR,
            "unit_id": tot.index,
            "grade": grade_of(tot.to_numpy()),
            "total": [f"{v:.2f}" for v in tot.to_numpy()],
            "announced": "",
            "basis": "synthetic",
            "source": SRC,
        }
    )
    innov = pd.DataFrame(
        columns=["year", "innovation_id", "unit_id", "name", "competition", "award", "announced", "basis", "source"]
    )
    units.to_csv(os.path.join(folder, "units.csv"), index=False)
    jurors.to_csv(os.path.join(folder, "jurors.csv"), index=False)
    rubric.to_csv(os.path.join(folder, "rubric.csv"), index=False)
    scores.to_csv(os.path.join(folder, "scores.csv"), index=False)
    grades.to_csv(os.path.join(folder, "grades.csv"), index=False)
    innov.to_csv(os.path.join(folder, "innovations.csv"), index=False)
    with open(os.path.join(folder, "dataset.json"), "w") as f:
        json.dump({"title": f"hunt_cov {s.name}", "description": "simulated for a coverage audit"}, f)


def fresh_jury_totals(d: dict, rng: np.random.Generator, *, redraw_panels: bool = True) -> np.ndarray:
    """Each unit's total under a freshly drawn jury of the same size n_u per unit (new
    jurors from the population: new leniency, panel drawn from the panel mix, new
    unit x juror interaction, new criterion noise). New jurors are shared across units
    position-wise (unit's k-th juror position), as a real new jury would be; for the
    marginal probability per unit this does not matter. No home bias for new jurors."""
    s: Setting = d["setting"]
    U, J, K = d["y"].shape
    obs = d["obs"]
    if s.fixed_leniency is not None:
        pool = np.asarray(s.fixed_leniency, float)
        b_new = rng.choice(pool, size=J, replace=True)
    else:
        b_new = s.sd_juror * rng.standard_normal(J)
    if redraw_panels:
        pan_new = np.array([s.panel_shift.get(p, 0.0) for p in rng.choice(d["panel"], size=J, replace=True)])
    else:
        pan_new = d["pan"].copy()
    eff_new = b_new + pan_new
    ab_new = s.sd_uj * rng.standard_normal((U, J))
    e_new = s.sd_e * rng.standard_normal((U, J, K))
    w = d["w"]
    unit_part = s.mu + d["a"] + d["cat_eff"]
    out = np.empty(U)
    for u in range(U):
        js = np.nonzero(obs[u])[0]  # same juror positions (same sharing pattern as on record)
        yk = (
            unit_part[u]
            + d["c"][None, :]
            + d["ac"][u][None, :]
            + eff_new[js][:, None]
            + ab_new[u, js][:, None]
            + e_new[u, js, :]
        )
        yk = np.round(np.clip(yk, 0, 100), 2)
        out[u] = ((yk * w[None, :]).sum(axis=1) / 100.0).mean()
    return out
