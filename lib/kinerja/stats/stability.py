r"""Grade precision: would each unit's letter grade survive another draw of jurors?

:func:`grade_stability` takes each juror's total for each unit (0-100), fits the crossed
random-effects model of units x jurors on the shared REML engine and answers, for every
unit, how precise its total is, how far it lies from a grade boundary in standard errors,
and the probability that another jury of the same size would give it another grade; for
the dataset, how many grades would be expected to change. Grade bands come from
:mod:`kinerja.data.grades`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..data.grades import GRADE_ORDER, band, grade_from_total
from .effects import _components, _long
from .varcomp import VarCompFit, fit_reml

__all__ = ["GradeStability", "UNIT_COLUMNS", "grade_stability"]

#: Columns of :attr:`GradeStability.units` after the subject column.
UNIT_COLUMNS = (
    "n_jurors",
    "total",
    "grade",
    "nearest_boundary",
    "distance",
    "se",
    "distance_se",
    "expected_total",
    "expected_total_se",
    "p_change",
    "p_higher",
    "p_lower",
    "likely_grade",
    "se_resampled",
    "p_change_resampled",
    "note",
)
SUMMARY_COLUMNS = ("statistic", "estimate", "ci_low", "ci_high", "n", "method", "note")
#: Rows of :attr:`GradeStability.summary`, in order.
_STATISTICS = (
    "expected_changes",
    "expected_changes_resampled",
    "expected_upgrades",
    "expected_downgrades",
    "units_likely_to_change",
    "p_no_change",
)
#: Upper (inclusive) band limits from D to AA.
_UPPERS = np.array([band(g)[1] for g in GRADE_ORDER])
#: Interior boundaries between bands.
_EDGES = _UPPERS[:-1]


def _grade_code(total) -> np.ndarray:
    """Index into GRADE_ORDER (0 = D ... 6 = AA) of totals, extended beyond 0-100 (a total
    below 0 is a D, above 100 an AA), as :func:`kinerja.data.grades.grade_from_total` in
    0-100."""
    return np.minimum(np.searchsorted(_UPPERS, np.asarray(total, float), side="left"), len(GRADE_ORDER) - 1)


@dataclass
class GradeStability:
    """Result of :func:`grade_stability`.

    Attributes
    ----------
    units : DataFrame
        One row per unit: the subject column, then :data:`UNIT_COLUMNS`.
    summary : DataFrame
        The dataset's expected number of grade changes and related counts:
        :data:`SUMMARY_COLUMNS`.
    components : DataFrame
        Variance components of the units x jurors model (unit, juror, residual).
    fit : VarCompFit or None
    note : str
    """

    units: pd.DataFrame
    summary: pd.DataFrame
    components: pd.DataFrame
    fit: VarCompFit | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        return "; ".join(dict.fromkeys(n for n in self.notes if n))


def _universe_scores(y, s, r, n_s, n_r, s2p, s2r, s2e):
    """Best linear unbiased prediction of every unit's universe score mu + a_u (mean over
    the population of jurors) with an unknown mean mu (universal kriging), and the
    covariance matrix of the prediction errors.

    ``V = s2p Z Z' + s2r W W' + s2e I``; V^-1 is applied through the unit-block-diagonal
    part (closed form) and a Woodbury correction over the jurors, so the cost grows with
    the cells times (units + jurors), not with cells cubed.
    """
    n = len(y)
    n_u = np.bincount(s, minlength=n_s).astype(float)
    shrink = s2p / (s2e * (s2e + n_u * s2p))  # per unit

    def unit_sums(X):
        out = np.zeros((n_s,) + X.shape[1:])
        np.add.at(out, s, X)
        return out

    def dinv(X):
        return X / s2e - shrink[s].reshape((-1,) + (1,) * (X.ndim - 1)) * unit_sums(X)[s]

    W = np.zeros((n, n_r))
    W[np.arange(n), r] = 1.0
    if s2r > 0:
        DW = dinv(W)
        cap = np.eye(n_r) / s2r + W.T @ DW
        cap_inv = np.linalg.inv(cap)

        def vinv(X):
            return dinv(X) - DW @ (cap_inv @ (DW.T @ X))
    else:
        vinv = dinv
    one = np.ones(n)
    v1 = vinv(one)
    a = float(one @ v1)
    mu = float(v1 @ y) / a
    Z = np.zeros((n, n_s))
    Z[np.arange(n), s] = 1.0
    VZ = vinv(Z)
    ZVZ = Z.T @ VZ
    tau = mu + s2p * (VZ.T @ (y - mu))
    c = 1.0 - s2p * (Z.T @ v1)
    cov = s2p * np.eye(n_s) - s2p**2 * ZVZ + np.outer(c, c) / a
    return tau, 0.5 * (cov + cov.T), mu


def _band_probabilities(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """P(total in each band) under N(mean, sd^2): units x grades (D..AA)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = (_EDGES[None, :] - mean[:, None]) / sd[:, None]
    cdf = special.ndtr(zs)
    cdf = np.where(sd[:, None] > 0, cdf, (_EDGES[None, :] >= mean[:, None]).astype(float))
    full = np.column_stack([np.zeros(len(mean)), cdf, np.ones(len(mean))])
    return np.diff(full, axis=1)


def grade_stability(
    data: pd.DataFrame,
    *,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    n_resamples: int = 2000,
    seed=None,
    ci: float = 0.95,
) -> GradeStability:
    r"""How precise each unit's total is, and how likely another jury would change its grade.

    Parameters
    ----------
    data : DataFrame
        Each juror's total for each unit they scored (0-100), long format.
    subject, rater, value : str
        Columns.
    n_resamples : int
        Juries drawn from the fitted model for the resampled columns and for the
        interval of the expected number of changes (0 skips them).
    seed : int or Generator, optional
        Seed of the resampling.
    ci : float
        Level of the interval of the expected number of grade changes.

    Returns
    -------
    GradeStability
        ``units``: per unit ``n_jurors``, ``total`` (mean of its jurors' totals),
        ``grade`` (of ``total``), ``nearest_boundary``, ``distance`` (points to it),
        ``se`` (standard error of the total, :math:`\sigma(\Delta)` for its number of
        jurors), ``distance_se`` (distance in standard errors), ``expected_total``
        (predicted universe score) and ``expected_total_se``, ``p_change`` (probability
        that a new jury of the same size gives another grade), ``p_higher``,
        ``p_lower``, ``likely_grade`` (most probable grade under a new jury),
        ``se_resampled`` and ``p_change_resampled`` (the same by resampling juries),
        ``note``; ``summary``: ``expected_changes`` (the sum of ``p_change``, with the
        resampling interval of the number of changes), ``expected_changes_resampled``,
        ``expected_upgrades``, ``expected_downgrades``, ``units_likely_to_change``
        (``p_change >= 0.5``), ``p_no_change`` (share of resampled juries under which no
        grade changes).

    Notes
    -----
    **Model.** :math:`T_{uj} = \mu + a_u + b_j + e_{uj}` for juror :math:`j`'s total of
    unit :math:`u`, unit, juror and residual effects random (REML,
    :func:`kinerja.stats.varcomp.fit_reml`); the juror facet is random because the
    question is about *another draw* of jurors. A unit's total on record is the mean of
    its :math:`n_u` jurors' totals; its absolute error variance (Brennan 2001, sec. 4.1,
    design :math:`p \times R`) is :math:`\sigma^2(\Delta_u) = (\sigma^2_b +
    \sigma^2_e)/n_u`, and ``se`` its square root: the standard error with which the total
    estimates the unit's universe score :math:`\tau_u = \mu + a_u` (its mean over all
    juries). Grades are absolute (fixed bands), so the juror variance is error.

    **Another jury.** A new jury of :math:`n_u` jurors gives :math:`T'_u = \tau_u +
    \bar b'_u + \bar e'_u`. Given the data, :math:`\tau_u` is predicted by the best
    linear unbiased predictor with the mean :math:`\mu` unknown (universal kriging;
    Henderson 1975), which adjusts the unit's total for the leniency of the jurors it drew
    and shrinks it by its reliability; its prediction error variance includes the
    uncertainty about the current jury's mean leniency (which no data can separate from
    :math:`\mu`). So :math:`T'_u \mid \text{data} \sim N(\hat\tau_u,\ \mathrm{PEV}_u +
    \sigma^2(\Delta_u))` and ``p_change`` is the probability that it falls outside the
    band of the unit's grade on record. Under the model with the variance components
    known these probabilities are calibrated: the expected number of units whose grade
    changes between the jury on record and a new one equals the sum of ``p_change``
    (checked against brute-force simulation in the tests). The variance components are
    taken as known (as lme4's conditional intervals do); with few jurors this makes small
    probabilities too small. An independent simulation (2026-12-01; benchmarks/README.md)
    with 4-5 jurors per unit: units given under 2% changed grade 3-6% of the time, those
    given 2-10% about 8%; above 10%, and the expected number of changes, were calibrated;
    with 8 jurors, 0.8% against 1.2%. Averaging over draws of the juror variance from its
    Satterthwaite distribution overshot (5.0 changes expected against 4.05 observed, 20 units
    x 4 jurors), so it was not adopted.

    **Resampling.** Each of ``n_resamples`` replicates draws all universe scores jointly
    from their predictive distribution (their errors are correlated: units share
    jurors), and a new jury from the fitted model: a new leniency for every juror
    position of the design (each unit keeps the positions that scored it, so units
    scored by the same jurors share the new jurors) and new residuals. ``se_resampled``
    is the standard deviation of the new jury's error, ``p_change_resampled`` the share
    of replicates with another grade, and the interval of ``expected_changes`` the
    central ``ci`` range of the number of units whose grade changes in one replicate:
    because units share jurors, grades tend to move together and this range is wider
    than independent units would give.

    **Distance.** ``distance_se`` = points from the total on record to the nearest band
    boundary over ``se``: below 1, the grade rests on less than one standard error.

    **Degenerate designs.** Fewer than two jurors or units: the error variance cannot
    be estimated (NaN with the reason). Identical totals everywhere: no error is
    visible, every ``p_change`` is 0 and ``note`` says so.

    References
    ----------
    .. [1] Brennan, R. L. (2001). Generalizability Theory. New York: Springer.
    .. [2] Henderson, C. R. (1975). Best linear unbiased estimation and prediction under a
       selection model. Biometrics, 31(2), 423-447.
    .. [3] Livingston, S. A., & Lewis, C. (1995). Estimating the consistency and accuracy
       of classifications based on test scores. Journal of Educational Measurement,
       32(2), 179-197.

    Examples
    --------
    Eight units scored by five jurors; one total sits on the boundary between B and BB
    (70.00 is BB by a hair), so a new jury would give it either grade about equally often:

    >>> rng = np.random.default_rng(4)
    >>> true = np.array([62.0, 66.0, 70.0, 74.0, 78.0, 83.0, 86.0, 93.0])
    >>> u, j = np.meshgrid(np.arange(8), np.arange(5), indexing="ij")
    >>> y = true[u] + 1.5 * rng.normal(size=5)[j] + 1.0 * rng.normal(size=u.shape)
    >>> df = pd.DataFrame({"subject_id": u.ravel(), "juror_id": j.ravel(), "score": y.ravel()})
    >>> gs = grade_stability(df, n_resamples=2000, seed=1)
    >>> gs.units[["subject_id", "total", "grade", "se", "distance_se", "p_change"]].round(2)
       subject_id  total grade    se  distance_se  p_change
    0           0  61.59     B  0.98         1.63      0.12
    1           1  66.19     B  0.98         3.91      0.00
    2           2  70.00    BB  0.98         0.00      0.50
    3           3  74.04    BB  0.98         4.14      0.00
    4           4  77.14    BB  0.98         2.93      0.02
    5           5  82.87     A  0.98         2.94      0.02
    6           6  85.95     A  0.98         4.15      0.00
    7           7  92.85    AA  0.98         2.92      0.02
    >>> summary = gs.summary.set_index("statistic")
    >>> summary.loc["expected_changes", ["estimate", "ci_low", "ci_high"]].round(2).tolist()
    [0.68, 0.0, 2.0]
    """
    df, notes = _long(data, value, [subject, rater])
    s_codes, s_levels = pd.factorize(df[subject], sort=True)
    r_codes, r_levels = pd.factorize(df[rater], sort=True)
    n_s, n_r = len(s_levels), len(r_levels)
    y = df[value].to_numpy(dtype=float)
    n_u = np.bincount(s_codes, minlength=n_s)
    total = np.bincount(s_codes, weights=y, minlength=n_s) / np.maximum(n_u, 1)
    units = pd.DataFrame({subject: s_levels, "n_jurors": n_u.astype(np.int64), "total": total})
    units["grade"] = grade_from_total(np.clip(total, 0, 100)) if n_s else []
    if n_s:
        idx = np.abs(total[:, None] - _EDGES[None, :]).argmin(axis=1)
        units["nearest_boundary"] = _EDGES[idx]
        units["distance"] = np.abs(total - _EDGES[idx])
    else:
        units["nearest_boundary"] = units["distance"] = np.array([], float)
    for c in UNIT_COLUMNS:
        if c not in units:
            units[c] = "" if c in ("note", "likely_grade") else np.nan
    summary_rows = []

    def summary(stat, est=np.nan, lo=np.nan, hi=np.nan, method="", note=""):
        summary_rows.append((stat, est, lo, hi, n_s, method, note))

    def result(reason="", fit=None, comps=None, missing=""):
        if reason:
            notes.append(reason)
            units["note"] = reason
        reason = reason or missing
        have = {row[0] for row in summary_rows}
        for stat in _STATISTICS:
            if stat not in have:
                summary(stat, note=reason)
        summ = pd.DataFrame(summary_rows, columns=list(SUMMARY_COLUMNS))
        summ = summ.set_index("statistic").loc[list(_STATISTICS)].reset_index()
        summ["n"] = summ["n"].astype(np.int64)
        return GradeStability(
            units[[subject, *UNIT_COLUMNS]].reset_index(drop=True),
            summ,
            comps if comps is not None else pd.DataFrame(),
            fit,
            notes,
        )

    if n_s == 0:
        return result("no totals")
    if n_r < 2:
        return result("a single juror: the error of a unit's total cannot be estimated")
    if n_s < 2:
        return result("a single unit: juror and unit effects cannot be told apart")
    if np.ptp(y) == 0:
        reason = "every juror gave every unit the same total: the data show no error, so no grade can change"
        units["se"] = 0.0
        units["expected_total"] = total
        units["expected_total_se"] = 0.0
        units[["p_change", "p_higher", "p_lower"]] = 0.0
        units["likely_grade"] = units["grade"]
        units["distance_se"] = np.inf
        units["distance_se"] = units["distance_se"].where(units["distance"] > 0, np.nan)
        for stat in ("expected_changes", "expected_upgrades", "expected_downgrades", "units_likely_to_change"):
            summary(stat, 0.0, method="normal predictive distribution", note=reason)
        return result(reason)

    fit = fit_reml(df, response=value, random=[subject, rater], ci=0.95)
    notes.append(fit.note)
    comps = _components(fit)
    var = comps.set_index("component")["variance"]
    s2p, s2r, s2e = (float(var.get(k, np.nan)) for k in (subject, rater, "residual"))
    if not np.isfinite(s2e) or not fit.converged:
        return result(
            "the units x jurors model could not be fitted: " + (fit.note or "REML did not converge"), fit, comps
        )
    if not np.isfinite(s2r):
        notes.append("juror variance not estimable (taken as 0)")
        s2r = 0.0
    if not np.isfinite(s2p):
        notes.append("unit variance not estimable (taken as 0)")
        s2p = 0.0
    s2e = max(s2e, 1e-12 * max(s2p + s2r, 1.0))
    err_var = (s2r + s2e) / n_u
    se = np.sqrt(err_var)
    units["se"] = se
    with np.errstate(divide="ignore", invalid="ignore"):
        units["distance_se"] = units["distance"].to_numpy() / se
    tau, cov, _mu = _universe_scores(y, s_codes, r_codes, n_s, n_r, s2p, s2r, s2e)
    pev = np.clip(np.diag(cov), 0.0, None)
    units["expected_total"] = tau
    units["expected_total_se"] = np.sqrt(pev)
    pred_sd = np.sqrt(pev + err_var)
    probs = _band_probabilities(tau, pred_sd)
    code = _grade_code(total)
    rows = np.arange(n_s)
    p_stay = probs[rows, code]
    cum = np.cumsum(probs, axis=1)
    p_lower = np.where(code > 0, cum[rows, np.maximum(code - 1, 0)], 0.0)
    p_higher = np.clip(1.0 - cum[rows, code], 0.0, 1.0)
    units["p_change"] = np.clip(1.0 - p_stay, 0.0, 1.0)
    units["p_higher"] = p_higher
    units["p_lower"] = p_lower
    units["likely_grade"] = np.array(GRADE_ORDER, dtype=object)[probs.argmax(axis=1)]
    method = "normal predictive distribution of a new jury's total (REML components, universal kriging)"
    summary("expected_changes", float(units["p_change"].sum()), method=method)
    # ---- resampled juries
    if n_resamples and n_resamples > 0:
        rng = np.random.default_rng(seed)
        evals, evecs = np.linalg.eigh(cov)
        root = evecs * np.sqrt(np.clip(evals, 0.0, None))
        A = np.zeros((n_s, len(y)))
        A[s_codes, np.arange(len(y))] = 1.0 / n_u[s_codes]
        changes = np.zeros(n_s)
        err_sum = np.zeros(n_s)
        err_sq = np.zeros(n_s)
        counts = []
        chunk = max(1, min(n_resamples, 4_000_000 // max(len(y), 1)))
        done = 0
        while done < n_resamples:
            b = min(chunk, n_resamples - done)
            t = tau[None, :] + rng.standard_normal((b, n_s)) @ root.T
            cells = np.sqrt(s2r) * rng.standard_normal((b, n_r))[:, r_codes] + np.sqrt(s2e) * rng.standard_normal(
                (b, len(y))
            )
            err = cells @ A.T
            moved = _grade_code(t + err) != code[None, :]
            changes += moved.sum(axis=0)
            counts.append(moved.sum(axis=1))
            err_sum += err.sum(axis=0)
            err_sq += (err * err).sum(axis=0)
            done += b
        counts = np.concatenate(counts)
        units["p_change_resampled"] = changes / n_resamples
        mean_err = err_sum / n_resamples
        units["se_resampled"] = np.sqrt(np.maximum(err_sq / n_resamples - mean_err**2, 0.0))
        lo, hi = np.quantile(counts, [(1 - ci) / 2, 1 - (1 - ci) / 2])
        rs = f"{n_resamples} juries resampled from the fitted model"
        how = f"interval: central {ci:.0%} of the number of changes over {rs}"
        # A count's central range can miss its own expectation: 3.7e-6 expected changes,
        # every resampled jury changing none, is [0, 0]. Widened to the whole numbers
        # around the expectation, the range still holds at least that share of the juries.
        means = (float(units["p_change"].sum()), float(counts.mean()))
        if not all(lo <= m <= hi for m in means):
            lo, hi = min(lo, np.floor(min(means))), max(hi, np.ceil(max(means)))
            how += ", widened to the whole numbers around the expected number, which it did not contain"
        summary_rows[0] = summary_rows[0][:2] + (float(lo), float(hi)) + summary_rows[0][4:6] + (how,)
        summary("expected_changes_resampled", float(counts.mean()), float(lo), float(hi), method=rs)
    summary("expected_upgrades", float(units["p_higher"].sum()), method=method)
    summary("expected_downgrades", float(units["p_lower"].sum()), method=method)
    summary("units_likely_to_change", float((units["p_change"] >= 0.5).sum()), method="p_change >= 0.5")
    if n_resamples and n_resamples > 0:
        summary("p_no_change", float(np.mean(counts == 0)), method=rs)
        return result("", fit, comps)
    return result("", fit, comps, missing="no resampling (n_resamples = 0)")
