"""An independent simulator of juror scores for the recovery tests.

Written for the tests, without :mod:`kinerja.data.synth`: its own model, parameters and
draws, so that recovery does not rest on one generator. Units x jurors x criteria::

    score[u, j, k] = mu + unit[u] + criterion[k] + profile[u, k]
                     + lam[j] * (unit[u] + profile[u, k])        (lam = 0: a normal juror)
                     + juror[j] + panel_shift[panel[j]] + home_bias * (home[j] == u)
                     + unit_juror[u, j] + noise_sd[j] * eps[u, j, k]

``lam[j] = compress - 1`` shrinks (central tendency) or stretches a juror's view of the
units; a halo juror replaces their criterion profile by its mean over criteria. A share
``missing`` of unit x juror cells is left out (every unit keeps two jurors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Simulated:
    scores: pd.DataFrame  # subject_id, juror_id, criterion_id, score (text ids)
    totals: pd.DataFrame  # subject_id, juror_id, panel, score: the mean over criteria
    leniency: pd.Series  # true juror effect (juror + panel shift), centred on the jurors' mean
    panel_shift: dict
    home: dict  # juror -> unit
    universe: pd.Series  # true unit total over all juries (mu + unit + mean profile)


def simulate(
    *,
    seed: int,
    n_units: int = 24,
    n_jurors: int = 8,
    n_criteria: int = 6,
    mu: float = 72.0,
    unit_sd: float = 6.0,
    juror_sd: float = 3.0,
    criterion_sd: float = 2.0,
    profile_sd: float = 3.0,
    unit_juror_sd: float = 1.0,
    noise_sd=4.0,
    panels: list[str] | None = None,
    panel_shift: dict | None = None,
    home: dict | None = None,
    home_bias: float = 0.0,
    compress: dict | None = None,
    halo: tuple = (),
    missing: float = 0.0,
) -> Simulated:
    rng = np.random.default_rng(seed)
    U, J, K = n_units, n_jurors, n_criteria
    jurors = [f"R{j + 1:02d}" for j in range(J)]
    units = [f"unit-{u + 1:03d}" for u in range(U)]
    panels = panels or ["panel-a"] * J
    panel_shift = panel_shift or {}
    shift = np.array([panel_shift.get(p, 0.0) for p in panels])
    unit = unit_sd * rng.standard_normal(U)
    crit = criterion_sd * rng.standard_normal(K)
    prof = profile_sd * rng.standard_normal((U, K))
    jur = juror_sd * rng.standard_normal(J)
    uj = unit_juror_sd * rng.standard_normal((U, J))
    sd = np.broadcast_to(np.asarray(noise_sd, float), (J,))
    eps = rng.standard_normal((U, J, K)) * sd[None, :, None]
    lam = np.array([(compress or {}).get(j, 1.0) - 1.0 for j in jurors])
    view = unit[:, None] + prof  # what a juror sees of the unit on each criterion
    jview = np.repeat(view[:, None, :], J, axis=1)
    for j, name in enumerate(jurors):
        if name in halo:
            jview[:, j, :] = view.mean(axis=1, keepdims=True)
    H = np.zeros((U, J))
    for jn, u in (home or {}).items():
        H[u, jurors.index(jn)] = 1.0
    y = (
        mu
        + crit[None, None, :]
        + jview * (1 + lam[None, :, None])
        + (jur + shift)[None, :, None]
        + home_bias * H[:, :, None]
        + uj[:, :, None]
        + eps
    )
    keep = rng.random((U, J)) >= missing
    for u in range(U):  # every unit keeps at least two jurors
        if keep[u].sum() < 2:
            keep[u, rng.choice(J, 2, replace=False)] = True
    ui, ji, ki = np.nonzero(np.broadcast_to(keep[:, :, None], y.shape))
    scores = pd.DataFrame(
        {
            "subject_id": pd.array(np.array(units)[ui], dtype="string"),
            "juror_id": pd.array(np.array(jurors)[ji], dtype="string"),
            "criterion_id": pd.array([f"k{k + 1}" for k in ki], dtype="string"),
            "score": y[ui, ji, ki],
        }
    )
    totals = scores.groupby(["subject_id", "juror_id"], observed=True, sort=True)["score"].mean().reset_index()
    totals["panel"] = totals["juror_id"].map(dict(zip(jurors, panels)))
    eff = jur + shift
    leniency = pd.Series(eff - eff.mean(), index=jurors)
    universe = pd.Series(mu + crit.mean() + unit + prof.mean(axis=1), index=units)
    return Simulated(
        scores,
        totals[["subject_id", "juror_id", "panel", "score"]],
        leniency,
        panel_shift,
        {j: units[u] for j, u in (home or {}).items()},
        universe,
    )
