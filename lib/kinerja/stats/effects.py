r"""Juror effects: who scores leniently or severely, who fits, whom a jury favours.

Statistics on long data (one row per score), no :class:`~kinerja.data.io.Dataset`:

* :func:`juror_model` fits the crossed random-effects model of subjects (units) x
  raters (jurors) x criteria on the shared REML engine
  (:func:`kinerja.stats.varcomp.fit_reml`) and returns a :class:`JurorModel` whose
  ``severity`` table gives each juror's leniency with a confidence interval, flagged with
  and without a correction for multiplicity;
* :func:`rater_fit`: each juror's residual mean squares as FACETS reports them (infit,
  outfit), central tendency (a compressed range) and halo (a flat criterion profile), each
  with the rule that flags it;
* :func:`bias_interactions`: juror x unit category, panel type x unit category and
  juror x rubric component biases;
* :func:`panel_effects`: whether panel types score systematically differently (fixed
  panel effects in a model with random subjects and raters, Wald test);
* :func:`home_bias`: whether jurors score the unit they work in higher than the other
  jurors score it (two-way fixed effects, permutation p-value);
* :func:`severity_adjusted_totals`: each unit's total had every juror been of average
  severity.

Every function takes ``subject``, ``rater`` and ``value`` column names as the agreement
statistics do (defaults ``subject_id``, ``juror_id``, ``score``); result tables keep
those names for their key columns.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from ..data.grades import grade_from_total
from .varcomp import VarCompFit, fit_reml

__all__ = [
    "EffectsInputError",
    "JurorModel",
    "PanelEffects",
    "bias_interactions",
    "jury_groups",
    "holm",
    "home_bias",
    "juror_model",
    "panel_effects",
    "rater_fit",
    "severity_adjusted_totals",
]

#: Columns of :attr:`JurorModel.severity` after the rater column.
SEVERITY_COLUMNS = (
    "statistic",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "z",
    "p_value",
    "p_holm",
    "flag",
    "flag_holm",
    "direction",
    "n_subjects",
    "n_scores",
    "note",
)
#: Columns of :func:`rater_fit` after the rater column.
FIT_COLUMNS = (
    "n_scores",
    "infit",
    "outfit",
    "fit_reading",
    "spread_slope",
    "spread_ci_low",
    "spread_ci_high",
    "spread_reading",
    "profile_slope",
    "profile_ci_low",
    "profile_ci_high",
    "profile_reading",
    "flags",
    "note",
)
#: Columns of :func:`bias_interactions`.
BIAS_COLUMNS = (
    "interaction",
    "level_a",
    "level_b",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "z",
    "p_value",
    "p_holm",
    "flag",
    "n",
    "method",
    "note",
)
#: Columns of :func:`home_bias`.
HOME_COLUMNS = (
    "statistic",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "p_value_t",
    "n_home_scores",
    "n_home_jurors",
    "n_home_units",
    "n_scores",
    "n_permutations",
    "permutation",
    "method",
    "note",
)


class EffectsInputError(ValueError):
    """The data given to a juror-effect statistic cannot be used as given."""


# --------------------------------------------------------------------------------------
# input handling
# --------------------------------------------------------------------------------------


def _long(data: pd.DataFrame, value: str, ids: list[str], *, unique: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Validated copy of the columns ``ids + [value]``; rows with a missing value dropped
    (counted in the returned notes). Missing ids, non-numeric or infinite values and a
    cell given twice are errors naming the column and the row."""
    if not isinstance(data, pd.DataFrame):
        raise EffectsInputError(f"expected a long-format pandas DataFrame, got {type(data).__name__}")
    absent = [c for c in [*ids, value] if c not in data.columns]
    if absent:
        raise EffectsInputError(f"column(s) {absent} not found; the data have columns {list(data.columns)}")
    notes = []
    raw = data[value]
    y = pd.to_numeric(raw, errors="coerce")
    bad = y.isna() & raw.notna()
    if bad.any():
        i = data.index[bad.to_numpy()][0]
        raise EffectsInputError(f"column {value!r} must be numeric; row {i!r} holds {raw.loc[i]!r}")
    if np.isinf(y.to_numpy(dtype=float)).any():
        i = data.index[np.isinf(y.to_numpy(dtype=float))][0]
        raise EffectsInputError(f"column {value!r} holds an infinite value in row {i!r}")
    for c in ids:
        na = data[c].isna().to_numpy()
        if na.any():
            i = data.index[na][0]
            raise EffectsInputError(f"column {c!r} is missing in row {i!r}: every score needs a {c}")
    out = data[ids].copy()
    out[value] = y.astype(float)
    n_na = int(out[value].isna().sum())
    if n_na:
        notes.append(f"{n_na} row(s) with a missing {value!r} left out")
        out = out[out[value].notna()]
    if unique:
        dup = out.duplicated(ids, keep=False)
        if dup.any():
            rows = list(out.index[dup.to_numpy()][:4])
            raise EffectsInputError(
                f"rows {rows} give the same cell ({', '.join(ids)}) more than one score; aggregate them first"
            )
    return out.reset_index(drop=True), notes


def jury_groups(data: pd.DataFrame, *, subject: str = "subject_id", rater: str = "juror_id") -> pd.Series:
    """Which connected group of the design each rater belongs to (0, 1, ...; the largest
    group first): raters are linked when they scored a common subject.

    With two groups or more the design is *disconnected*: no subject links one group's
    raters to another's, so a group's severity and the level of the subjects it scored
    cannot be told apart (Searle 1987, ch. 5; the connectedness condition of Weeks &
    Williams 1964). Leniency, adjusted totals and category effects are then comparable
    only within a group.

    Returns a Series indexed by rater (sorted), named ``group``.

    >>> d = pd.DataFrame({"subject_id": ["a", "a", "b", "c", "c"], "juror_id": ["J1", "J2", "J2", "J3", "J4"]})
    >>> jury_groups(d).to_dict()
    {'J1': 0, 'J2': 0, 'J3': 1, 'J4': 1}
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pairs = data[[subject, rater]].dropna().drop_duplicates()
    s_codes, _subjects = pd.factorize(pairs[subject].astype(str), sort=True)
    r_codes, raters = pd.factorize(pairs[rater].astype(str), sort=True)
    n_r, n_s = len(raters), int(s_codes.max()) + 1 if len(s_codes) else 0
    if not n_r:
        return pd.Series(dtype=int, name="group")
    # bipartite graph: raters 0..n_r-1, subjects n_r..n_r+n_s-1
    g = coo_matrix((np.ones(len(pairs)), (r_codes, n_r + s_codes)), shape=(n_r + n_s, n_r + n_s))
    _n, labels = connected_components(g, directed=False)
    lab = pd.Series(labels[:n_r], index=pd.Index(raters, name=rater))
    order = lab.value_counts().sort_index().sort_values(ascending=False, kind="stable").index
    return lab.map({old: new for new, old in enumerate(order)}).rename("group").sort_index()


def holm(p_values) -> np.ndarray:
    """Holm's (1979) step-down adjusted p-values; NaN entries stay NaN and are not counted.

    >>> holm([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.06, 0.06, nan]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out


def _z_inference(est, se, ci: float):
    est = np.asarray(est, float)
    se = np.asarray(se, float)
    zq = special.ndtri(1 - (1 - ci) / 2)
    ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(ok, est / np.where(ok, se, 1.0), np.nan)
        p = np.where(ok, 2 * special.ndtr(-np.abs(z)), np.nan)
    lo = np.where(ok, est - zq * se, np.nan)
    hi = np.where(ok, est + zq * se, np.nan)
    return z, p, lo, hi


def _components(fit: VarCompFit) -> pd.DataFrame:
    # varcomp's Satterthwaite limits divide by a chi-square quantile that underflows to 0
    # when a component's df is tiny (the upper limit is then +inf, kept as such); the
    # warning that division raises is not news to the reader of the table.
    with np.errstate(divide="ignore", invalid="ignore"):
        return fit.components


def _variance(fit: VarCompFit, label: str) -> float:
    comp = _components(fit).set_index("component")["variance"]
    v = comp.get(label, np.nan)
    return float(v) if np.isfinite(v) else np.nan


# --------------------------------------------------------------------------------------
# the juror model and severity
# --------------------------------------------------------------------------------------


@dataclass
class JurorModel:
    r"""The crossed random-effects model of :func:`juror_model` and what it gives.

    Attributes
    ----------
    fit : VarCompFit or None
        The REML fit (None when the design has fewer than two raters or subjects).
    data : DataFrame
        The scores used, with ``fitted`` (intercept plus every predicted effect),
        ``expected`` (the same without the subject x rater interaction: what the additive
        facets model expects from this rater for this subject on this criterion) and
        ``residual`` (``value - expected``).
    severity : DataFrame
        One row per rater: the rater column, then :data:`SEVERITY_COLUMNS` (see
        :func:`juror_model`).
    components : DataFrame
        The variance components of the fit (:attr:`VarCompFit.components`).
    subject, rater, criterion, value : str
        Column names (``criterion`` is None when the model has no criterion facet).
    ci, alpha : float
    note : str
        What a reader must know (degenerate design, rows left out, the engine's notes).
    """

    data: pd.DataFrame
    severity: pd.DataFrame
    components: pd.DataFrame
    subject: str
    rater: str
    criterion: str | None
    value: str
    ci: float
    alpha: float
    fit: VarCompFit | None = None
    notes: list[str] = field(default_factory=list)
    degenerate: str = ""

    @property
    def note(self) -> str:
        return "; ".join(dict.fromkeys(n for n in self.notes if n))

    @property
    def terms(self) -> list:
        """The random terms of the model (as given to :func:`fit_reml`)."""
        return _terms(self.subject, self.rater, self.criterion)

    def variance(self, label: str) -> float:
        """The variance of one component (``"juror_id"``, ``"subject_id:juror_id"``,
        ``"residual"``, ...), NaN when it was not estimated."""
        if self.fit is None:
            return np.nan
        return _variance(self.fit, label)

    @functools.cached_property
    def effects(self) -> dict[str, pd.DataFrame]:
        """Predicted effects (BLUPs) of every random term, by label."""
        if self.fit is None:
            return {}
        out = {}
        for t in self.terms:
            label = t if isinstance(t, str) else ":".join(t)
            out[label] = self.fit.blups(t)
        return out


def _terms(subject: str, rater: str, criterion: str | None) -> list:
    if criterion is None:
        return [subject, rater]
    return [subject, rater, criterion, (subject, rater), (subject, criterion)]


def _effect_on_rows(rows: pd.DataFrame, blup: pd.DataFrame, cols) -> np.ndarray:
    cols = [cols] if isinstance(cols, str) else list(cols)
    merged = rows[cols].merge(blup[[*cols, "estimate"]], on=cols, how="left", validate="many_to_one")
    return merged["estimate"].to_numpy(dtype=float)


def juror_model(
    data: pd.DataFrame,
    *,
    subject: str = "subject_id",
    rater: str = "juror_id",
    criterion: str | None = "criterion_id",
    value: str = "score",
    ci: float = 0.95,
    alpha: float = 0.05,
) -> JurorModel:
    r"""Juror leniency (severity) from a crossed random-effects model, with intervals.

    Parameters
    ----------
    data : DataFrame
        Long format: one score per row.
    subject, rater, value : str
        Columns of the scored subject (unit), the juror and the score.
    criterion : str or None
        Column of the rubric criterion when each juror scored each criterion; None when
        ``value`` is one score per subject and juror (e.g. juror totals). A criterion
        column with a single criterion is treated as None.
    ci : float
        Confidence level of the intervals.
    alpha : float
        Level of the flags (an interval at level ``ci`` excludes 0 exactly when the
        two-sided p-value is below ``1 - ci``; ``alpha`` is used for the Holm flags).

    Returns
    -------
    JurorModel
        ``severity``: one row per juror with ``statistic`` (``"leniency"``),
        ``estimate`` (points the juror adds to a score compared with the average juror:
        positive = lenient, negative = severe), ``se``, ``ci_low``, ``ci_high``, ``z``,
        ``p_value`` (two-sided, from ``z``), ``p_holm`` (Holm-adjusted over the jurors),
        ``flag`` (the interval excludes 0), ``flag_holm`` (``p_holm < alpha``),
        ``direction`` (``lenient``/``severe`` for flagged jurors), ``n_subjects``,
        ``n_scores`` and ``note``; ``components``; ``data`` with fitted values and
        residuals (for :func:`rater_fit` and :func:`bias_interactions`).

    Notes
    -----
    **Model.** With criteria, subject :math:`u`, juror :math:`j`, criterion :math:`k`:

    .. math:: y_{ujk} = \mu + a_u + b_j + c_k + (ab)_{uj} + (ac)_{uk} + e_{ujk},

    every effect random and independent (a G-study ``p x r x i`` model without the
    juror x criterion term, whose variance goes to the residual; juror x component
    biases are reported by :func:`bias_interactions`). :math:`(ab)_{uj}` is the juror's
    particular view of one unit: it is what makes a juror's criteria scores for one unit
    move together, and leaving it out would make the severity intervals far too narrow.
    :math:`(ac)_{uk}` is the unit's own profile over the criteria. Without criteria the
    model is :math:`y_{uj} = \mu + a_u + b_j + e_{uj}`. Variance components by REML
    (:func:`kinerja.stats.varcomp.fit_reml`).

    **Leniency.** The estimate is the juror's BLUP of :math:`b_j` (Henderson 1975) minus
    the mean BLUP of all the jurors: how many points the juror adds to a score compared
    with the average of *these* jurors (as FACETS centres rater measures), in points of
    the score scale; on a rubric whose weights sum to 100 a shift of :math:`b` points on
    every criterion shifts the juror's total by the same :math:`b`. BLUPs are shrunk
    towards 0 in proportion to how little the data say about a juror. The interval is
    the estimate :math:`\pm z_{1-\alpha/2}` times the standard error of that contrast,
    from the joint prediction-error covariance of the BLUPs (the mixed-model equations at
    the REML estimates), so it includes the uncertainty of the intercept but not that of
    the variance components (as lme4's conditional intervals). Relative to the mean of
    the whole population of jurors, rather than of these jurors, every interval would be
    wider by about :math:`\sigma^2_b / J` in variance: that is the uncertainty about
    the jury as a whole, which no comparison within the jury can remove. Averaged over
    jurors drawn from the model the intervals cover the true contrast at about the
    nominal rate, a little less with few jurors (see the recovery tests): in an
    independent simulation (2026-12-01; benchmarks/README.md) 93-95% with 4-10 jurors
    and complete or 10-20% missing cells, but 91% with 5 jurors and 20% missing, where
    the juror variance is often estimated low and its uncertainty is not in the
    standard error. When the juror
    variance is estimated at 0 every leniency is 0 and has no interval.

    **Multiplicity.** With :math:`J` jurors, about :math:`\alpha J` intervals exclude 0 by
    chance when no juror differs (fewer, in fact: BLUP intervals are conservative under
    that null because of the shrinkage); ``flag_holm`` controls the chance of any false
    flag at ``alpha`` (Holm 1979).

    **Degenerate designs.** Fewer than two jurors or subjects: NaN with the reason.
    Identical scores everywhere: every leniency is 0 without an interval. A juror
    variance estimated at 0: every leniency is 0 (no juror differs beyond chance).

    References
    ----------
    .. [1] Henderson, C. R. (1975). Best linear unbiased estimation and prediction under
       a selection model. Biometrics, 31(2), 423-447.
    .. [2] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics, 6(2), 65-70.
    .. [3] Linacre, J. M. (1989). Many-Facet Rasch Measurement. Chicago: MESA Press.
    .. [4] Brennan, R. L. (2001). Generalizability Theory. New York: Springer.

    Examples
    --------
    Twenty units scored by four jurors on five criteria; the jurors add 0, -1, 6 and -2
    points, i.e. -0.75, -1.75, 5.25 and -2.75 compared with their mean:

    >>> rng = np.random.default_rng(7)
    >>> u, j, k = np.meshgrid(np.arange(20), np.arange(4), np.arange(5), indexing="ij")
    >>> y = 70 + 5 * rng.normal(size=20)[u] + np.array([0, -1, 6, -2])[j] + 3 * rng.normal(size=u.shape)
    >>> df = pd.DataFrame({"subject_id": u.ravel(), "juror_id": np.array(list("abcd"))[j.ravel()],
    ...                    "criterion_id": k.ravel(), "score": y.ravel()})
    >>> m = juror_model(df)
    >>> m.severity[["juror_id", "estimate", "ci_low", "ci_high", "flag"]].round(2)
      juror_id  estimate  ci_low  ci_high  flag
    0        a     -0.67   -1.15    -0.19  True
    1        b     -1.83   -2.31    -1.35  True
    2        c      5.12    4.64     5.60  True
    3        d     -2.61   -3.09    -2.13  True
    """
    ids = [subject, rater] + ([criterion] if criterion is not None else [])
    df, notes = _long(data, value, ids)
    if criterion is not None and df[criterion].nunique() < 2:
        notes.append("a single criterion: modelled as one score per subject and juror")
        df = df.drop(columns=criterion)
        criterion = None
    n_r = df[rater].nunique()
    n_s = df[subject].nunique()
    counts = df.groupby(rater, observed=True, sort=True).agg(n_subjects=(subject, "nunique"), n_scores=(value, "size"))
    base = dict(subject=subject, rater=rater, criterion=criterion, value=value, ci=ci, alpha=alpha)

    def undefined(reason: str, estimate=np.nan) -> JurorModel:
        sev = _severity_frame(counts, rater, np.full(len(counts), estimate), np.full(len(counts), np.nan), ci, alpha)
        sev["note"] = reason
        d = df.assign(fitted=np.nan, expected=np.nan, residual=np.nan)
        return JurorModel(d, sev, pd.DataFrame(), notes=[*notes, reason], degenerate=reason, **base)

    if len(df) == 0:
        return undefined("no scores")
    if n_r < 2:
        return undefined("a single juror: leniency relative to other jurors is undefined")
    if n_s < 2:
        return undefined("a single subject: juror differences cannot be told apart from the subject")
    if np.ptp(df[value].to_numpy()) == 0:
        m = undefined("every score is the same: no juror differs from another (no interval)", estimate=0.0)
        m.data["fitted"] = m.data["expected"] = df[value].to_numpy()
        m.data["residual"] = 0.0
        return m
    fit = fit_reml(df, response=value, random=_terms(subject, rater, criterion), ci=ci)
    notes.append(fit.note)
    comps = _components(fit)
    blup = fit.blups(rater)
    est, se, sev_note = _relative_to_average(fit, rater, blup)
    sev = _severity_frame(counts.loc[blup[rater]], rater, est, se, ci, alpha)
    v_r = _variance(fit, rater)
    if not fit.converged:
        sev_note = "REML did not converge: estimates are unreliable"
    elif v_r == 0:
        sev_note = "the juror variance is estimated at 0: no juror differs from the average beyond chance"
    sev["note"] = sev_note
    # fitted and expected values on the rows
    intercept = float(fit.fixed_effects.loc[0, "estimate"])
    fitted = np.full(len(df), intercept)
    expected = fitted.copy()
    for t in _terms(subject, rater, criterion):
        label = t if isinstance(t, str) else ":".join(t)
        b = _effect_on_rows(df, fit.blups(t), t)
        b = np.where(np.isfinite(b), b, 0.0)  # a term left out of the fit contributes nothing
        fitted += b
        if label != f"{subject}:{rater}":
            expected += b
    d = df.assign(fitted=fitted, expected=expected, residual=df[value].to_numpy() - expected)
    return JurorModel(d, sev, comps, fit=fit, notes=notes, **base)


def _blup_cov(fit: VarCompFit, term) -> np.ndarray | None:
    """Joint prediction-error covariance of one term's BLUPs (the matrix whose diagonal is
    ``fit.blups(term)["se"] ** 2``), from the engine's mixed-model equations at the REML
    estimates; None when the fit does not expose them."""
    try:
        i = fit._find_term(term)
        if fit.terms[i].dropped or fit._sol is None or fit._degenerate:
            return None
        core, sol = fit._core, fit._sol
        th = fit._fitted[i]
        t = float(sol.theta[th])
        s2 = fit._sigma2_s
        if th == core.absorbed:
            lam = core.lam(sol.theta)
            G = core.G
            T = (G @ np.diag(lam)) if not hasattr(G, "tocsr") else (G.multiply(lam[None, :])).toarray()
            T = np.asarray(T)
            d = sol.d_a
            inner = T @ fit._sinv @ T.T
            cov = s2 * t**2 * (np.diag(1.0 / d) + t**2 * inner / np.outer(d, d))
        else:
            cols = core.cols_of[th]
            cov = s2 * t**2 * fit._sinv[np.ix_(cols, cols)]
        return cov * fit._scale**2
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return None


def _relative_to_average(fit: VarCompFit, rater: str, blup: pd.DataFrame):
    """Each juror's BLUP minus the mean BLUP of the jurors, with the standard error of that
    contrast; falls back to the BLUPs and their own standard errors (relative to the
    population mean) when the joint covariance is not available."""
    est = blup["estimate"].to_numpy(dtype=float)
    se = blup["se"].to_numpy(dtype=float)
    cov = _blup_cov(fit, rater)
    if cov is None or not np.isfinite(cov).all():
        return est, se, "interval relative to the population of jurors (their joint covariance was not available)"
    k = len(est)
    L = np.eye(k) - 1.0 / k
    cov_c = L @ cov @ L.T
    return est - est.mean(), np.sqrt(np.clip(np.diag(cov_c), 0.0, None)), ""


def _severity_frame(counts: pd.DataFrame, rater: str, est, se, ci: float, alpha: float) -> pd.DataFrame:
    z, p, lo, hi = _z_inference(est, se, ci)
    flag = np.isfinite(lo) & ((lo > 0) | (hi < 0))
    ph = holm(p)
    flag_h = np.isfinite(ph) & (ph < alpha)
    direction = np.where(flag | flag_h, np.where(np.asarray(est) > 0, "lenient", "severe"), "")
    out = pd.DataFrame(
        {
            rater: counts.index.to_numpy(),
            "statistic": "leniency",
            "estimate": est,
            "se": se,
            "ci_low": lo,
            "ci_high": hi,
            "z": z,
            "p_value": p,
            "p_holm": ph,
            "flag": flag,
            "flag_holm": flag_h,
            "direction": direction,
            "n_subjects": counts["n_subjects"].to_numpy(dtype=np.int64),
            "n_scores": counts["n_scores"].to_numpy(dtype=np.int64),
            "note": "",
        }
    )
    return out[[rater, *SEVERITY_COLUMNS]]


# --------------------------------------------------------------------------------------
# rater fit: mean squares, central tendency, halo
# --------------------------------------------------------------------------------------


def _variance_function(expected: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """Model variance of each residual: squared residuals regressed on a quadratic in the
    expected score (so the variance may shrink towards the ends of a bounded scale),
    floored at a tenth of their mean."""
    mean = float(r2.mean())
    if len(r2) < 6 or np.ptp(expected) == 0:
        return np.full(len(r2), mean)
    x = (expected - expected.mean()) / expected.std()
    X = np.column_stack([np.ones_like(x), x, x * x])
    coef, *_ = np.linalg.lstsq(X, r2, rcond=None)
    return np.maximum(X @ coef, 0.1 * mean)


def _slope(y: np.ndarray, x: np.ndarray, noise: float, ci: float, df_lost: int = 2):
    """OLS slope of y on x with its t interval; NaN when x varies no more than its noise
    (reliability ``1 - noise / var(x)`` below 0.2). Returns (slope, ci_low, ci_high)."""
    n = len(y)
    dof = n - df_lost
    if n < 3 or dof < 1 or np.ptp(x) == 0:
        return np.nan, np.nan, np.nan
    xc = x - x.mean()
    sxx = float(xc @ xc)
    var_x = sxx / (n - 1)
    if not (np.isfinite(noise) and 1.0 - noise / var_x >= 0.2):
        return np.nan, np.nan, np.nan
    b = float(xc @ (y - y.mean())) / sxx
    resid = y - y.mean() - b * xc
    se = math.sqrt(float(resid @ resid) / dof / sxx)
    tq = stats.t.ppf(1 - (1 - ci) / 2, dof)
    return b, b - tq * se, b + tq * se


def _relative(slopes: dict) -> dict:
    """Each juror's slope and interval divided by the median slope of all jurors."""
    vals = np.array([v[0] for v in slopes.values()], float)
    med = float(np.nanmedian(vals)) if np.isfinite(vals).any() else np.nan
    if not (np.isfinite(med) and med > 0):
        return {j: (np.nan, np.nan, np.nan) for j in slopes}
    return {j: tuple(np.asarray(v, float) / med) for j, v in slopes.items()}


def rater_fit(
    model: JurorModel,
    *,
    muted: float = 0.5,
    noisy: float = 1.5,
    compressed: float = 0.75,
    expanded: float = 1.0 / 0.75,
) -> pd.DataFrame:
    r"""Rater fit as FACETS reports it, and the central-tendency and halo checks.

    Parameters
    ----------
    model : JurorModel
        From :func:`juror_model`.
    muted, noisy : float
        Mean-square limits: below ``muted`` (infit and outfit) the juror's scores are
        more predictable than the model expects (*muted*, overfit); above ``noisy``
        (infit or outfit) less predictable (*noisy*, underfit). Defaults 0.5 and 1.5
        (Linacre 2002: 0.5-1.5 "productive for measurement").
    compressed, expanded : float
        Slope limits for central tendency and halo (see Notes).

    Returns
    -------
    DataFrame
        One row per juror: the rater column, then :data:`FIT_COLUMNS`:

        - ``infit``, ``outfit``: information-weighted and unweighted mean squares of the
          juror's standardised residuals (1 = as much randomness as the model expects);
          ``fit_reading`` = ``noisy``, ``muted`` or ``as expected``.
        - ``spread_slope`` with its interval: how much of the differences between units
          the juror's scores reproduce (1 = as the other jurors see them; below 1 =
          compressed towards the middle); ``spread_reading`` = ``central tendency``,
          ``extreme scoring`` or ``as the others``.
        - ``profile_slope`` with its interval: how much of the differences between a
          unit's criteria the juror reproduces (below 1: a flatter profile than the
          other jurors see); ``profile_reading`` = ``halo`` or ``as the others``.
        - ``flags``: the readings that flag the juror, ``"; "``-separated.

    Notes
    -----
    **Mean squares** (Wright & Masters 1982; Linacre 2002). The residual of a score is
    :math:`r = y - E` with :math:`E` the score the additive model expects from this
    juror for this unit (and criterion): intercept, unit, juror, criterion and the unit's
    criterion profile, not the juror's particular view of the unit. Each residual has a
    model variance :math:`W`; here :math:`W` is the pooled squared residual as a
    quadratic function of :math:`E` (on a bounded 0-100 scale the spread shrinks towards
    the ends, as a rating scale's model variance does in FACETS), so that :math:`z^2 =
    r^2/W` averages 1 over all jurors. ``outfit`` :math:`= \overline{z^2}` (outlier
    sensitive), ``infit`` :math:`= \sum r^2 / \sum W` (information weighted, inlier
    sensitive). Both are relative to the pool of jurors: a juror's mean square says how
    much more (or less) randomness their scores carry than the average juror's. The
    rule of thumb 0.5-1.5 is Linacre's (2002); Wright & Linacre (1994) give narrower
    ranges (e.g. 0.4-1.2 for judged performances where agreement is encouraged).

    **Central tendency** (Saal, Downey & Lahey 1980; Myford & Wolfe 2004) is a
    compressed range. Each juror's unit-level score (the mean of their criterion scores
    for the unit, criterion effects removed) is regressed on the consensus: the mean over
    the *other* jurors of their leniency-adjusted unit-level scores. Noise in the
    consensus and a misbehaving juror among the others pull every juror's slope alike,
    so each slope (and its interval) is divided by the median slope of all jurors:
    ``spread_slope`` is 1 for a juror who spreads the units as the typical juror does,
    below 1 for one who compresses them towards the middle. Flagged *central tendency*
    when it is below ``compressed`` and its interval below 1; *extreme scoring* when
    above ``expanded`` and its interval above 1.

    **Halo** (Thorndike 1920; Myford & Wolfe 2004) is too little spread across a unit's
    criteria: a juror who scores every criterion of a unit from one general impression.
    The juror's criterion profile of each unit (scores minus the criterion effects, minus
    the juror's mean for the unit) is regressed on the other jurors' mean profile, and
    the slope divided by the median juror's: ``profile_slope``. Flagged *halo* when it
    is below ``compressed`` and its interval below 1. Needs at least three criteria and
    units whose profiles differ beyond noise (else NaN with the reason).

    Both slopes are undefined (NaN, with the reason) when the consensus varies no more
    than its noise (its reliability, from the fitted error variances, is below 0.2).
    Intervals are t intervals of the least-squares slope, divided by the median (taken
    as known). With many jurors some flags arise by chance: read them beside the
    leniency table and what is known of the jurors, never as a verdict.

    References
    ----------
    .. [1] Linacre, J. M. (2002). What do infit and outfit, mean-square and standardized
       mean? Rasch Measurement Transactions, 16(2), 878.
    .. [2] Wright, B. D., & Linacre, J. M. (1994). Reasonable mean-square fit values.
       Rasch Measurement Transactions, 8(3), 370.
    .. [3] Wright, B. D., & Masters, G. N. (1982). Rating Scale Analysis. Chicago: MESA.
    .. [4] Myford, C. M., & Wolfe, E. W. (2004). Detecting and measuring rater effects
       using many-facet Rasch measurement: Part II. Journal of Applied Measurement, 5(2),
       189-227.
    .. [5] Saal, F. E., Downey, R. G., & Lahey, M. A. (1980). Rating the ratings:
       Assessing the psychometric quality of rating data. Psychological Bulletin, 88(2),
       413-428.
    .. [6] Thorndike, E. L. (1920). A constant error in psychological ratings. Journal of
       Applied Psychology, 4(1), 25-29.

    Examples
    --------
    Juror ``d`` scores with twice the others' noise, juror ``e`` gives every criterion
    of a unit the same score (halo):

    >>> rng = np.random.default_rng(3)
    >>> u, j, k = np.meshgrid(np.arange(25), np.arange(5), np.arange(6), indexing="ij")
    >>> truth = 70 + 6 * rng.normal(size=25)[u] + 4 * rng.normal(size=(25, 6))[u, k]
    >>> y = truth + np.array([2, 2, 2, 4, 2])[j] * rng.normal(size=u.shape)
    >>> y[:, 4, :] = y[:, 4, :].mean(axis=1, keepdims=True)
    >>> df = pd.DataFrame({"subject_id": u.ravel(), "juror_id": np.array(list("abcde"))[j.ravel()],
    ...                    "criterion_id": k.ravel(), "score": y.ravel()})
    >>> fit = rater_fit(juror_model(df))
    >>> cols = ["juror_id", "infit", "outfit", "fit_reading", "profile_slope", "flags"]
    >>> fit[cols].round(2)  # doctest: +NORMALIZE_WHITESPACE
      juror_id  infit  outfit  fit_reading  profile_slope  flags
    0        a   0.54    0.55  as expected           1.00
    1        b   0.72    0.73  as expected           1.00
    2        c   0.71    0.72  as expected           1.01
    3        d   1.87    1.89        noisy           1.15  noisy
    4        e   1.15    1.13  as expected          -0.00   halo
    """
    rater, subject, crit, value = model.rater, model.subject, model.criterion, model.value
    sev = model.severity
    jurors = sev[rater].to_numpy()
    out = pd.DataFrame({rater: jurors})
    out["n_scores"] = sev["n_scores"].to_numpy()
    for c in FIT_COLUMNS[1:]:
        if c not in out:
            out[c] = "" if c.endswith("reading") or c in ("flags", "note") else np.nan
    if model.fit is None:
        out["note"] = model.degenerate or model.note
        for c in ("fit_reading", "spread_reading", "profile_reading"):
            out[c] = "not computed"
        return out[[rater, *FIT_COLUMNS]]
    d = model.data
    ci = model.ci
    notes = {j: [] for j in jurors}
    # ---- mean squares
    r = d["residual"].to_numpy()
    W = _variance_function(d["expected"].to_numpy(), r * r)
    z2 = r * r / W
    g = pd.DataFrame({rater: d[rater].to_numpy(), "r2": r * r, "W": W, "z2": z2})
    agg = g.groupby(rater, observed=True, sort=False).agg(r2=("r2", "sum"), W=("W", "sum"), z2=("z2", "mean"))
    out["infit"] = out[rater].map(agg["r2"] / agg["W"]).to_numpy(dtype=float)
    out["outfit"] = out[rater].map(agg["z2"]).to_numpy(dtype=float)
    out["fit_reading"] = np.where(
        (out["infit"] > noisy) | (out["outfit"] > noisy),
        "noisy",
        np.where((out["infit"] < muted) & (out["outfit"] < muted), "muted", "as expected"),
    )
    # ---- unit-level values with the criterion effects removed
    sev_of = dict(zip(jurors, np.nan_to_num(sev["estimate"].to_numpy(dtype=float))))
    adj = d[value].to_numpy()
    if crit is not None:
        adj = adj - _effect_on_rows(d, model.effects[crit], crit)
    dd = pd.DataFrame({subject: d[subject].to_numpy(), rater: d[rater].to_numpy(), "adj": adj})
    if crit is not None:
        dd[crit] = d[crit].to_numpy()
    unit = (
        dd.groupby([subject, rater], observed=True, sort=True).agg(v=("adj", "mean"), k=("adj", "size")).reset_index()
    )
    unit["v_adj"] = unit["v"] - unit[rater].map(sev_of).to_numpy(dtype=float)
    s2_e = model.variance("residual")
    if crit is not None:
        s2_unit = np.nan_to_num(model.variance(f"{subject}:{rater}")) + s2_e / unit["k"].mean()
    else:
        s2_unit = s2_e
    tot = unit.groupby(subject, observed=True, sort=False).agg(s=("v_adj", "sum"), m=("v_adj", "size"))
    spread = {}
    for j in jurors:
        mine = unit[unit[rater] == j]
        m_other = mine[subject].map(tot["m"]).to_numpy() - 1
        keep = m_other > 0
        if keep.sum() < 3:
            notes[j].append("spread: fewer than 3 units scored by this juror and another")
            spread[j] = (np.nan,) * 3
            continue
        x = (mine[subject].map(tot["s"]).to_numpy()[keep] - mine["v_adj"].to_numpy()[keep]) / m_other[keep]
        noise = float(np.mean(s2_unit / m_other[keep]))
        spread[j] = _slope(mine["v"].to_numpy()[keep], x, noise, ci)
        if not np.isfinite(spread[j][0]):
            notes[j].append("spread: the units' consensus is too noisy to measure the juror's range")
    spread = _relative(spread)
    out[["spread_slope", "spread_ci_low", "spread_ci_high"]] = np.array([spread[j] for j in jurors], dtype=float)
    s_lo, s_hi, s_b = out["spread_ci_low"], out["spread_ci_high"], out["spread_slope"]
    out["spread_reading"] = np.where(
        (s_b < compressed) & (s_hi < 1),
        "central tendency",
        np.where((s_b > expanded) & (s_lo > 1), "extreme scoring", np.where(s_b.notna(), "as the others", "")),
    )
    # ---- halo: criterion profiles
    if crit is not None and d[crit].nunique() >= 3:
        dd["dev"] = dd["adj"] - dd.groupby([subject, rater], observed=True, sort=False)["adj"].transform("mean")
        cell = dd.groupby([subject, crit], observed=True, sort=False)["dev"].agg(["sum", "size"])
        k_mean = float(unit["k"].mean())
        s2_prof = s2_e * (1 - 1 / k_mean)
        profile = {}
        for j in jurors:
            profile[j] = (np.nan,) * 3
            mine = dd[dd[rater] == j]
            key = pd.MultiIndex.from_frame(mine[[subject, crit]])
            csum = cell["sum"].reindex(key).to_numpy()
            m_other = cell["size"].reindex(key).to_numpy() - 1
            keep = m_other > 0
            if keep.sum() < 6:
                notes[j].append("profile: too few unit x criterion cells shared with other jurors")
                continue
            x = (csum[keep] - mine["dev"].to_numpy()[keep]) / m_other[keep]
            noise = float(np.mean(s2_prof / m_other[keep]))
            n_units = mine.loc[keep, subject].nunique()
            profile[j] = _slope(mine["dev"].to_numpy()[keep], x, noise, ci, df_lost=2 + n_units)
            if not np.isfinite(profile[j][0]):
                notes[j].append(
                    "profile: the units' criterion profiles do not differ beyond noise, so halo cannot be measured"
                )
        profile = _relative(profile)
        out[["profile_slope", "profile_ci_low", "profile_ci_high"]] = np.array(
            [profile[j] for j in jurors], dtype=float
        )
        p_b, p_hi = out["profile_slope"], out["profile_ci_high"]
        out["profile_reading"] = np.where(
            (p_b < compressed) & (p_hi < 1), "halo", np.where(p_b.notna(), "as the others", "")
        )
    else:
        for j in jurors:
            notes[j].append("profile: needs at least three criteria scored per unit")
    flags = []
    for _, row in out.iterrows():
        f = [row["fit_reading"]] if row["fit_reading"] in ("noisy", "muted") else []
        f += [row["spread_reading"]] if row["spread_reading"] in ("central tendency", "extreme scoring") else []
        f += ["halo"] if row["profile_reading"] == "halo" else []
        flags.append("; ".join(f))
    out["flags"] = flags
    out["note"] = [" ; ".join(notes[j]).replace(" ; ", "; ") for j in jurors]
    return out[[rater, *FIT_COLUMNS]]


# --------------------------------------------------------------------------------------
# bias interactions
# --------------------------------------------------------------------------------------


def bias_interactions(
    model: JurorModel,
    *,
    subject_groups: Mapping | pd.Series | None = None,
    rater_groups: Mapping | pd.Series | None = None,
    criterion_groups: Mapping | pd.Series | None = None,
    alpha: float = 0.05,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    r"""Bias interactions: does a juror (or a panel type) score some units, or some part
    of the rubric, differently from what their overall leniency predicts?

    Parameters
    ----------
    model : JurorModel
        From :func:`juror_model`.
    subject_groups : mapping or Series, optional
        Subject -> group (e.g. unit -> category): gives ``juror x category``.
    rater_groups : mapping or Series, optional
        Juror -> group (e.g. juror -> panel type): with ``subject_groups`` gives
        ``panel x category``.
    criterion_groups : mapping or Series, optional
        Criterion -> group (e.g. criterion -> rubric component): gives
        ``juror x component`` (needs a model with criteria).
    alpha : float
        Level of the Holm-adjusted flags.
    labels : dict, optional
        Names of the groups in the ``interaction`` column, default
        ``{"subject": "category", "rater": "panel", "criterion": "component"}``.

    Returns
    -------
    DataFrame
        :data:`BIAS_COLUMNS`: one row per cell of each interaction (``interaction`` such
        as ``"juror x category"``; ``level_a`` the juror or panel, ``level_b`` the
        category or component); ``estimate`` = bias in points (positive: scores higher
        than the juror's leniency predicts), ``se``, a normal interval at 95%, ``z``,
        ``p_value``, ``p_holm`` (Holm over the cells of the same interaction), ``flag``
        (``p_holm < alpha``), ``n`` (units in the cell), ``method``, ``note``.

    Notes
    -----
    As FACETS' bias/interaction analysis (Linacre 1989, ch. 11), the bias of a cell is
    the mean residual of its scores once the main effects are in the model: the residual
    :math:`r_{uj}` of a juror's unit-level score is its mean residual over criteria (see
    :attr:`JurorModel.data`), so it already removes the unit's level (as seen by all its
    jurors) and the juror's own leniency.

    - ``juror x category``: mean of :math:`r_{uj}` over the juror's units of the
      category; standard error :math:`s_j / \sqrt{n}` with :math:`s_j^2` the juror's mean
      squared :math:`r_{uj}` over all their units (pooled over categories, since a
      category may hold one unit); z test.
    - ``panel x category``: the same over every juror of the panel type (standard error
      from each juror's :math:`s_j^2`). *Juror x panel* is not an interaction here: a
      juror sits on one panel. The question "does a panel type favour a kind of unit?"
      is this panel x category table.
    - ``juror x component``: for each unit, the juror's mean residual on the component's
      criteria minus their mean residual on all criteria (their leniency towards that
      part of the rubric, beyond their view of the unit), averaged over units; one-sample
      t test over the units.

    A unit's own level is estimated from all its jurors including the one examined, so
    biases are slightly shrunk (by about one over the number of jurors per unit). With
    many cells some are flagged by chance before correction; the Holm flags control
    that within each interaction.

    References
    ----------
    .. [1] Linacre, J. M. (1989). Many-Facet Rasch Measurement. Chicago: MESA Press.
    .. [2] Myford, C. M., & Wolfe, E. W. (2003). Detecting and measuring rater effects
       using many-facet Rasch measurement: Part I. Journal of Applied Measurement, 4(4),
       386-422.

    Examples
    --------
    Eight jurors score thirty units; juror ``a`` adds 5 points to every Kecamatan:

    >>> rng = np.random.default_rng(5)
    >>> u, j = np.meshgrid(np.arange(30), np.arange(8), indexing="ij")
    >>> cat = np.where(np.arange(30) < 10, "Kecamatan", "Dinas")
    >>> y = 70 + 5 * rng.normal(size=30)[u] + 2 * rng.normal(size=u.shape)
    >>> y[:10, 0] += 5
    >>> df = pd.DataFrame({"subject_id": u.ravel(), "juror_id": np.array(list("abcdefgh"))[j.ravel()],
    ...                    "score": y.ravel()})
    >>> b = bias_interactions(juror_model(df, criterion=None), subject_groups=dict(enumerate(cat)))
    >>> b.loc[b["flag"], ["interaction", "level_a", "level_b", "estimate", "n"]].round(2)
            interaction level_a    level_b  estimate   n
    1  juror x category       a  Kecamatan      3.48  10
    """
    lab = {"subject": "category", "rater": "panel", "criterion": "component"}
    lab.update(labels or {})
    rater, subject, crit = model.rater, model.subject, model.criterion
    rows: list[dict] = []
    if model.fit is None:
        return pd.DataFrame(columns=list(BIAS_COLUMNS))
    d = model.data
    unit = d.groupby([subject, rater], observed=True, sort=True)["residual"].mean().rename("r").reset_index()
    s2 = unit.assign(r2=unit["r"] ** 2).groupby(rater, observed=True)["r2"].mean()
    zq = special.ndtri(1 - 0.05 / 2)

    def add(interaction, a, b, est, se, n, method, note=""):
        rows.append(
            dict(
                interaction=interaction,
                level_a=a,
                level_b=b,
                estimate=est,
                se=se,
                n=n,
                method=method,
                note=note,
            )
        )

    sg = pd.Series(subject_groups) if subject_groups is not None else None
    if sg is not None:
        unit["group"] = unit[subject].map(sg)
        u2 = unit[unit["group"].notna()]
        for (j, grp), part in u2.groupby([rater, "group"], observed=True, sort=True):
            n = len(part)
            add(
                f"juror x {lab['subject']}",
                j,
                grp,
                float(part["r"].mean()),
                math.sqrt(float(s2[j]) / n),
                n,
                "mean residual, z test (juror's pooled residual SD)",
            )
        rg = pd.Series(rater_groups) if rater_groups is not None else None
        if rg is not None:
            u2 = u2.assign(rgroup=u2[rater].map(rg), s2=u2[rater].map(s2).astype(float))
            u2 = u2[u2["rgroup"].notna()]
            one_group = u2["rgroup"].nunique() < 2
            for (pg, grp), part in u2.groupby(["rgroup", "group"], observed=True, sort=True):
                n = len(part)
                add(
                    f"{lab['rater']} x {lab['subject']}",
                    pg,
                    grp,
                    float(part["r"].mean()),
                    math.sqrt(float(part["s2"].sum())) / n,
                    n,
                    "mean residual of the panel's jurors, z test",
                    "a single panel type: its bias is 0 by construction" if one_group else "",
                )
    cg = pd.Series(criterion_groups) if criterion_groups is not None else None
    if cg is not None and crit is not None:
        dd = d[[subject, rater, crit, "residual"]].copy()
        dd["group"] = dd[crit].map(cg)
        dd = dd[dd["group"].notna()]
        dd["dev"] = dd["residual"] - dd.groupby([subject, rater], observed=True)["residual"].transform("mean")
        q = dd.groupby([rater, "group", subject], observed=True, sort=True)["dev"].mean().rename("q").reset_index()
        single = q["group"].nunique() < 2
        for (j, grp), part in q.groupby([rater, "group"], observed=True, sort=True):
            n = len(part)
            v = part["q"].to_numpy()
            se = float(v.std(ddof=1) / math.sqrt(n)) if n >= 3 else np.nan
            add(
                f"juror x {lab['criterion']}",
                j,
                grp,
                float(v.mean()),
                se,
                n,
                "mean residual over units, one-sample t test",
                "a single component: no contrast" if single else ("fewer than 3 units" if n < 3 else ""),
            )
    if not rows:
        return pd.DataFrame(columns=list(BIAS_COLUMNS))
    out = pd.DataFrame(rows)
    est = out["estimate"].to_numpy(float)
    se = out["se"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, est / np.where(se > 0, se, 1.0), np.nan)
    p = np.full(len(out), np.nan)
    t_rows = out["method"].str.contains("t test").to_numpy()
    norm_p = 2 * special.ndtr(-np.abs(z))
    p[~t_rows] = norm_p[~t_rows]
    if t_rows.any():
        dof = np.maximum(out.loc[t_rows, "n"].to_numpy() - 1, 1)
        p[t_rows] = 2 * stats.t.sf(np.abs(z[t_rows]), dof)
    p = np.where(np.isfinite(z), p, np.nan)
    out["z"] = z
    out["p_value"] = p
    out["ci_low"] = est - zq * se
    out["ci_high"] = est + zq * se
    out["p_holm"] = np.nan
    for _, idx in out.groupby("interaction", sort=False).groups.items():
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p_value"].to_numpy())
    out["flag"] = (out["p_holm"] < alpha).fillna(False).astype(bool)
    out["n"] = out["n"].astype(np.int64)
    return out[list(BIAS_COLUMNS)]


# --------------------------------------------------------------------------------------
# panel effects
# --------------------------------------------------------------------------------------


@dataclass
class PanelEffects:
    """Result of :func:`panel_effects`.

    Attributes
    ----------
    effects : DataFrame
        One row per panel type, the reference first: ``panel``, ``reference`` (True for
        the reference panel), ``estimate`` (difference from the reference, points),
        ``se``, ``ci_low``, ``ci_high``, ``t``, ``p_value``, ``n_raters``, ``n_scores``,
        ``note``.
    test : DataFrame
        One row: ``statistic`` (``"Wald F"``), ``df`` (contrasts), ``df_denominator``
        (containment degrees of freedom; NaN when the normal/chi-square reference is
        used), ``chi2`` (Wald chi-square), ``f`` (``chi2 / df``), ``p_value``,
        ``reference``, ``n_panels``, ``method``, ``note``.
    components : DataFrame
        Variance components of the model with the panel effects.
    fit : VarCompFit or None
    """

    effects: pd.DataFrame
    test: pd.DataFrame
    components: pd.DataFrame
    fit: VarCompFit | None = None


_EFFECT_COLUMNS = (
    "panel",
    "reference",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "t",
    "p_value",
    "n_raters",
    "n_scores",
    "note",
)
_TEST_COLUMNS = ("statistic", "df", "df_denominator", "chi2", "f", "p_value", "reference", "n_panels", "method", "note")


def panel_effects(
    data: pd.DataFrame,
    *,
    panel: str = "panel",
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    reference: str | None = None,
    ci: float = 0.95,
) -> PanelEffects:
    r"""Do panel types score systematically differently? Fixed panel effects in a model
    with random subjects and jurors, and a Wald test that they are all 0.

    Parameters
    ----------
    data : DataFrame
        One score per subject and juror (e.g. juror totals), with the juror's panel type
        in column ``panel``.
    panel, subject, rater, value : str
        Columns.
    reference : str, optional
        The panel type the others are compared with; default the one with the most
        jurors (ties: first in alphabetical order).
    ci : float
        Confidence level.

    Returns
    -------
    PanelEffects

    Notes
    -----
    **Model:** :math:`y_{uj} = \mu + \pi_{p(j)} + a_u + b_j + e_{uj}` with panel effects
    :math:`\pi` fixed (treatment contrasts against the reference panel), unit effects
    :math:`a_u` and juror effects :math:`b_j` random, by REML
    (:func:`kinerja.stats.varcomp.fit_reml`). A panel difference is judged against the
    variation between jurors within panels (:math:`b_j`), not only against the residual:
    with few jurors per panel the intervals are wide, as they should be.

    **Inference.** The panel effect is a property of jurors, so the jurors are its
    replicates: the contrasts' t intervals and tests, and the joint Wald F test
    (:math:`F = \chi^2_W / q` for :math:`q` contrasts), use the *containment* degrees of
    freedom :math:`J - P` (jurors minus panel types; SAS PROC MIXED ``DDFM=CONTAIN``,
    the between-juror degrees of freedom of a split-plot analysis). Wald z and
    :math:`\chi^2` tests without that correction reject a true null far too often with
    two or three jurors per panel (about 11% instead of 5% in the recovery tests of
    this module). With fewer jurors than panel types plus one, or when every panel has a
    single juror (panels and jurors are then the same thing, and the juror variance is
    left out of the fit), the normal and :math:`\chi^2` reference is used and ``note``
    says so. A panel with a single juror is compared through that juror alone.

    References
    ----------
    .. [1] Littell, R. C., Milliken, G. A., Stroup, W. W., Wolfinger, R. D., &
       Schabenberger, O. (2006). SAS for Mixed Models (2nd ed.). Cary, NC: SAS Institute.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> u, j = np.meshgrid(np.arange(25), np.arange(9), indexing="ij")
    >>> pan = np.array(["akademisi"] * 3 + ["praktisi"] * 3 + ["inspektorat"] * 3)
    >>> shift = {"akademisi": -3.0, "praktisi": 2.0, "inspektorat": 0.0}
    >>> y = 70 + 5 * rng.normal(size=25)[u] + np.vectorize(shift.get)(pan)[j] + rng.normal(size=9)[j]
    >>> y = y + 2 * rng.normal(size=u.shape)
    >>> df = pd.DataFrame({"subject_id": u.ravel(), "juror_id": j.ravel(), "panel": pan[j.ravel()],
    ...                    "score": y.ravel()})
    >>> pe = panel_effects(df, reference="inspektorat")
    >>> pe.effects[["panel", "estimate", "ci_low", "ci_high"]].round(2)
             panel  estimate  ci_low  ci_high
    0  inspektorat      0.00     NaN      NaN
    1    akademisi     -3.73   -6.42    -1.04
    2     praktisi     -0.06   -2.75     2.63
    >>> pe.test[["statistic", "df", "df_denominator", "p_value"]].round(4)
      statistic  df  df_denominator  p_value
    0    Wald F   2             6.0   0.0229
    """
    df, notes = _long(data, value, [subject, rater, panel])
    per_rater = df.groupby(rater, observed=True)[panel].nunique()
    if (per_rater > 1).any():
        j = per_rater.index[per_rater > 1][0]
        raise EffectsInputError(f"juror {j!r} appears with more than one {panel!r}; a juror sits on one panel")
    counts = (
        df.groupby(panel, observed=True, sort=True)
        .agg(n_raters=(rater, "nunique"), n_scores=(value, "size"))
        .sort_index()
    )
    panels = list(counts.index)
    if reference is None and panels:
        ref = counts.sort_values("n_raters", ascending=False, kind="stable").index[0]
    else:
        ref = reference
    if ref is not None and ref not in panels:
        raise EffectsInputError(f"reference panel {ref!r} is not among the panel types {panels}")

    def frame(est, se, dfd, note_each, test, comps=None, fit=None):
        est = np.asarray(est, float)
        se = np.asarray(se, float)
        ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
        q = special.ndtri(1 - (1 - ci) / 2) if dfd is None else stats.t.ppf(1 - (1 - ci) / 2, dfd)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(ok, est / np.where(ok, se, 1.0), np.nan)
        if dfd is None:
            p = np.where(ok, 2 * special.ndtr(-np.abs(t)), np.nan)
        else:
            p = np.where(ok, 2 * stats.t.sf(np.abs(t), dfd), np.nan)
        e = pd.DataFrame(
            {
                "panel": panels,
                "reference": [p_ == ref for p_ in panels],
                "estimate": est,
                "se": se,
                "ci_low": np.where(ok, est - q * se, np.nan),
                "ci_high": np.where(ok, est + q * se, np.nan),
                "t": t,
                "p_value": p,
                "n_raters": counts["n_raters"].to_numpy(dtype=np.int64),
                "n_scores": counts["n_scores"].to_numpy(dtype=np.int64),
                "note": note_each,
            }
        )
        if len(e):
            is_ref = e["reference"].astype(bool)
            e = pd.concat([e[is_ref], e[~is_ref]], ignore_index=True)
        row = dict(statistic="Wald F", reference=ref, n_panels=len(panels))
        row.update(test)
        tt = pd.DataFrame([row]).reindex(columns=list(_TEST_COLUMNS))
        tt["df"] = tt["df"].fillna(0).astype(np.int64)
        tt["df_denominator"] = tt["df_denominator"].astype(float)
        return PanelEffects(e[list(_EFFECT_COLUMNS)], tt, pd.DataFrame() if comps is None else comps, fit)

    nan = np.full(len(panels), np.nan)
    if len(panels) < 2 or df[subject].nunique() < 2:
        why = "a single panel type, so there is nothing to compare" if len(panels) < 2 else "a single subject"
        return frame(nan, nan, None, why, dict(df=0, note=why, method=""))
    if np.ptp(df[value].to_numpy()) == 0:
        why = "every score is the same: the panels do not differ (no test)"
        return frame(np.zeros(len(panels)), nan, None, why, dict(df=len(panels) - 1, note=why, method=""))
    # the reference first in sorted order (fit_reml codes treatment contrasts on the first level)
    key = {p_: ("0" if p_ == ref else "1") + str(p_) for p_ in panels}
    work = df.assign(_panel=df[panel].map(key))
    fit = fit_reml(work, response=value, random=[subject, rater], fixed=["_panel"], ci=ci)
    notes.append(fit.note)
    fe = fit.fixed_effects
    fe = fe[fe["term"] == "_panel"].set_index("level")
    est = np.array([0.0 if p_ == ref else fe["estimate"].get(key[p_], np.nan) for p_ in panels], dtype=float)
    se = np.array([np.nan if p_ == ref else fe["se"].get(key[p_], np.nan) for p_ in panels], dtype=float)
    note_each = ["reference" if p_ == ref else "" for p_ in panels]
    if (counts["n_raters"] == 1).any():
        singles = [p_ for p_ in panels if counts.loc[p_, "n_raters"] == 1]
        note_each = [
            (n + "; " if n else "") + "one juror: the panel's difference is that juror's" if p_ in singles else n
            for p_, n in zip(panels, note_each)
        ]
    n_j = int(counts["n_raters"].sum())
    if n_j <= len(panels):
        # one juror per panel type: panel and juror coincide, so there is nothing to judge
        # a panel difference against (a test against the residual called two jurors'
        # difference "significant", p < 0.001)
        why = (
            "every panel type has a single juror, so panel and juror coincide and whether panel types differ beyond "
            "how jurors differ cannot be tested (each difference is one juror's)"
        )
        return frame(est, nan, None, note_each, dict(df=len(panels) - 1, note=why, method=""), None, fit)
    juror_fitted = not any(t.dropped for t in fit.terms if t.label == rater)
    dfd = n_j - len(panels) if juror_fitted and n_j - len(panels) >= 1 else None
    w = fit.wald.iloc[0]
    q = int(w["df"])
    chi2 = float(w["chi2"])
    test_note = [w["note"], fit.note]
    if dfd is None:
        test_note.append("no juror replicates within panels: normal and chi-square reference (liberal with few jurors)")
        p = w["p_value"]
        method = "Wald chi-square"
    else:
        p = float(stats.f.sf(chi2 / q, q, dfd)) if q > 0 and np.isfinite(chi2) else np.nan
        method = f"Wald F with containment degrees of freedom ({n_j} jurors - {len(panels)} panel types)"
    comps = _components(fit).copy()
    comps["component"] = comps["component"].replace({"_panel": panel})
    test = dict(
        df=q,
        df_denominator=np.nan if dfd is None else float(dfd),
        chi2=chi2,
        f=chi2 / q if q > 0 else np.nan,
        p_value=p,
        method=method,
        note="; ".join(x for x in test_note if x),
    )
    return frame(est, se, dfd, note_each, test, comps, fit)


# --------------------------------------------------------------------------------------
# home bias
# --------------------------------------------------------------------------------------


def _fe_annihilator(s_codes: np.ndarray, r_codes: np.ndarray, n_s: int, n_r: int) -> tuple[np.ndarray, int]:
    """M = I - P of the two-way fixed-effects design (subjects and raters), and its rank."""
    n = len(s_codes)
    X = np.zeros((n, n_s + n_r - 1))
    X[np.arange(n), s_codes] = 1.0
    keep = r_codes > 0
    X[np.flatnonzero(keep), n_s + r_codes[keep] - 1] = 1.0
    Q, R = np.linalg.qr(X)
    diag = np.abs(np.diag(R))
    rank = int((diag > 1e-9 * max(diag.max(), 1.0)).sum())
    if rank < X.shape[1]:  # disconnected design: use the SVD for an orthonormal basis
        U, sv, _ = np.linalg.svd(X, full_matrices=False)
        rank = int((sv > 1e-9 * sv.max()).sum())
        Q = U[:, :rank]
    return np.eye(n) - Q @ Q.T, rank


def home_bias(
    data: pd.DataFrame,
    *,
    home: str | Mapping | pd.Series = "home_unit_id",
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
    n_permutations: int = 10000,
    seed=None,
    ci: float = 0.95,
) -> pd.DataFrame:
    r"""Do jurors score their own unit higher than the other jurors score it?

    Parameters
    ----------
    data : DataFrame
        One score per subject and juror (e.g. juror totals).
    home : str or mapping
        The unit each juror works in: a column of ``data`` (empty or missing = none) or a
        mapping juror -> unit.
    subject, rater, value : str
        Columns.
    n_permutations : int
        Largest number of permutations; when the possible re-assignments of home units
        are fewer, all of them are used (an exact test).
    seed : int or Generator, optional
        Seed of the random permutations.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row, :data:`HOME_COLUMNS`: ``estimate`` (points a juror adds to their own
        unit), ``se`` and the t interval ``ci_low, ci_high`` of the regression,
        ``p_value`` (two-sided permutation p-value), ``p_value_t`` (the regression's t
        test), ``n_home_scores``, ``n_home_jurors``, ``n_home_units``, ``n_scores``,
        ``n_permutations``, ``permutation`` (``exact`` or ``random``), ``method``,
        ``note``.

    Notes
    -----
    **Estimate.** The two-way fixed-effects regression of the compatriot-judging studies
    (Zitzewitz 2006; Emerson, Seltzer & Lin 2009),

    .. math:: y_{uj} = \alpha_u + \beta_j + \gamma\, H_{uj} + e_{uj},

    with :math:`H_{uj} = 1` when juror :math:`j` works in unit :math:`u`: :math:`\gamma` is
    the within-unit, within-juror contrast, how much more a juror gives their own unit
    than the other jurors give it, beyond the juror's general leniency. By ordinary least
    squares on the scored cells (Frisch-Waugh: :math:`\hat\gamma = w'y`, :math:`w =
    MH / H'MH` with :math:`M` the annihilator of the two fixed effects). Jurors differ in
    how noisy they are, and the few home scores belong to few jurors, so the standard
    error lets every juror's errors have their own variance:
    :math:`\widehat{\mathrm{Var}}(\hat\gamma) = \sum_i w_i^2 s^2_{j(i)}`, with
    :math:`s^2_j` the juror's squared residuals over their residual degrees of freedom
    (one minus the leverage, summed); with equal juror variances this is the OLS
    standard error. The interval and ``p_value_t`` are t based on the residual degrees
    of freedom.

    **Permutation test.** Jurors who share a home unit form a home group. Under the null
    hypothesis a group's home unit is like any other unit, so re-assigning the groups to
    other units (distinct units, drawn without replacement) gives the null distribution
    of :math:`\hat\gamma`; the p-value is the share of assignments with
    :math:`|\hat\gamma^*| \ge |\hat\gamma|`. When all assignments number at most
    ``n_permutations`` they are enumerated (the observed one included: exact); otherwise
    random assignments are drawn and :math:`p = (1 + \#) / (1 + B)`. Assignments under
    which no juror scored their "home" unit do not define :math:`\hat\gamma` and are
    left out (counted in ``note``). With few home groups the smallest attainable p-value
    is 1 over the number of assignments.

    **Not estimable** (NaN with the reason): no juror scored their own unit; a home
    unit scored only by its own jurors, or home jurors who scored nothing else (the
    contrast is then confounded with the fixed effects).

    References
    ----------
    .. [1] Zitzewitz, E. (2006). Nationalism in winter sports judging and its lessons for
       organizational decision making. Journal of Economics & Management Strategy,
       15(1), 67-99.
    .. [2] Emerson, J. W., Seltzer, M., & Lin, D. (2009). Assessing judging bias: An
       example from the 2000 Olympic Games. The American Statistician, 63(2), 124-131.

    Examples
    --------
    Twelve units, six jurors; jurors 0 and 1 work in unit 0, juror 2 in unit 5, and each
    adds 5 points to their own unit:

    >>> rng = np.random.default_rng(12)
    >>> u, j = np.meshgrid(np.arange(12), np.arange(6), indexing="ij")
    >>> homes = {0: 0, 1: 0, 2: 5}
    >>> H = np.vectorize(lambda uu, jj: homes.get(jj, -1) == uu)(u, j)
    >>> y = 70 + 5 * rng.normal(size=12)[u] + 2 * rng.normal(size=6)[j] + 5 * H + rng.normal(size=u.shape)
    >>> df = pd.DataFrame({"subject_id": u.ravel(), "juror_id": j.ravel(), "score": y.ravel()})
    >>> hb = home_bias(df, home=homes, seed=1)
    >>> hb[["estimate", "ci_low", "ci_high", "p_value", "n_permutations", "permutation"]].round(3)
       estimate  ci_low  ci_high  p_value  n_permutations permutation
    0     4.832   3.746    5.918    0.008             132       exact
    """
    if isinstance(home, str):
        df, notes = _long(data, value, [subject, rater])
        if home not in data.columns:
            raise EffectsInputError(f"column {home!r} not found; the data have columns {list(data.columns)}")
        hm = data[[rater, home]].dropna()
        hm = hm[hm[home].astype(str).str.strip() != ""]
        conflict = hm.groupby(rater, observed=True)[home].nunique()
        if (conflict > 1).any():
            raise EffectsInputError(f"juror {conflict.index[conflict > 1][0]!r} has more than one {home!r}")
        home_of = dict(zip(hm[rater], hm[home]))
    else:
        df, notes = _long(data, value, [subject, rater])
        home_of = {k: v for k, v in dict(home).items() if v is not None and not (isinstance(v, float) and np.isnan(v))}
        home_of = {k: v for k, v in home_of.items() if str(v).strip() != ""}
    out = dict.fromkeys(HOME_COLUMNS, np.nan)
    out.update(
        statistic="home bias",
        permutation="",
        method="two-way fixed effects (units, jurors), OLS; permutation of home units over home groups",
        n_scores=len(df),
        n_permutations=0,
    )

    def result(note):
        out["note"] = "; ".join(x for x in [*notes, note] if x)
        r = pd.DataFrame([out], columns=list(HOME_COLUMNS))
        for c in ("n_home_scores", "n_home_jurors", "n_home_units", "n_scores", "n_permutations"):
            r[c] = r[c].fillna(0).astype(np.int64)
        return r

    s_codes, s_levels = pd.factorize(df[subject], sort=True)
    r_codes, r_levels = pd.factorize(df[rater], sort=True)
    s_index = {s: i for i, s in enumerate(s_levels)}
    # home groups: jurors (present in the data) sharing a home unit
    groups: dict = {}
    for j in r_levels:
        h = home_of.get(j)
        if h is not None:
            groups.setdefault(h, []).append(j)
    cell = {(int(s), int(r)): i for i, (s, r) in enumerate(zip(s_codes, r_codes))}
    r_index = {j: i for i, j in enumerate(r_levels)}
    group_rows = {h: [r_index[j] for j in js] for h, js in groups.items()}

    def home_cells(assign: dict) -> list[int]:
        cells = []
        for h, unit in assign.items():
            if unit is None:
                continue
            for rr in group_rows[h]:
                c = cell.get((unit, rr))
                if c is not None:
                    cells.append(c)
        return cells

    observed = {h: s_index.get(h) for h in groups}
    obs_cells = home_cells(observed)
    out["n_home_jurors"] = len({int(r_codes[c]) for c in obs_cells})
    out["n_home_units"] = len({int(s_codes[c]) for c in obs_cells})
    out["n_home_scores"] = len(obs_cells)
    if not groups:
        return result("no juror works in a scored unit, so home bias cannot be estimated")
    if not obs_cells:
        return result("no juror scored their own unit, so home bias cannot be estimated")
    if np.ptp(df[value].to_numpy()) == 0:
        out.update(estimate=0.0)
        return result("every score is the same: no home bias, and no interval")
    M, rank = _fe_annihilator(s_codes, r_codes, len(s_levels), len(r_levels))
    y = df[value].to_numpy(dtype=float)
    my = M @ y

    def gamma(cells: list[int]) -> tuple[float, float]:
        if not cells:
            return np.nan, 0.0
        idx = np.asarray(cells)
        hmh = float(M[np.ix_(idx, idx)].sum())
        if hmh <= 1e-9:
            return np.nan, hmh
        return float(my[idx].sum()) / hmh, hmh

    g_obs, hmh = gamma(obs_cells)
    if not np.isfinite(g_obs):
        return result(
            "home scores are confounded with the unit and juror effects (home units scored only by their own "
            "jurors, or home jurors who scored no other unit), so home bias cannot be estimated"
        )
    dof = len(y) - rank - 1
    resid = my.copy()
    h_vec = np.zeros(len(y))
    h_vec[np.asarray(obs_cells)] = 1.0
    resid -= g_obs * (M @ h_vec)
    if dof > 0:
        # gamma-hat = w'y with w = M H / H'MH; each juror's errors get their own variance,
        # estimated from the juror's residuals (leverage-corrected): Var = sum w_i^2 s2_j(i)
        mh = M @ h_vec
        w = mh / hmh
        lev = 1.0 - (np.diag(M) - mh * mh / hmh)
        r2 = np.bincount(r_codes, weights=resid * resid, minlength=len(r_levels))
        room = np.bincount(r_codes, weights=1.0 - lev, minlength=len(r_levels))
        pooled = float(resid @ resid) / dof
        s2_j = np.where(room > 0.5, r2 / np.maximum(room, 1e-12), pooled)
        se = math.sqrt(float(w @ (w * s2_j[r_codes])))
        tq = stats.t.ppf(1 - (1 - ci) / 2, dof)
        out.update(se=se, ci_low=g_obs - tq * se, ci_high=g_obs + tq * se)
        out["p_value_t"] = float(2 * stats.t.sf(abs(g_obs) / se, dof)) if se > 0 else np.nan
    else:
        notes.append("no residual degrees of freedom: no interval")
    out["estimate"] = g_obs
    # ---- permutation over which unit is each group's home
    hs = list(groups)
    n_units = len(s_levels)
    n_assign = math.perm(n_units, len(hs))
    stats_ = []
    if n_permutations < 1:
        return result("no permutation test (n_permutations = 0)")
    if n_assign <= n_permutations:
        out["permutation"] = "exact"
        for combo in itertools.permutations(range(n_units), len(hs)):
            stats_.append(gamma(home_cells(dict(zip(hs, combo))))[0])
    else:
        out["permutation"] = "random"
        rng = np.random.default_rng(seed)
        for _ in range(n_permutations):
            combo = rng.choice(n_units, size=len(hs), replace=False)
            stats_.append(gamma(home_cells(dict(zip(hs, combo.tolist()))))[0])
    g_perm = np.asarray(stats_, float)
    ok = np.isfinite(g_perm)
    n_undefined = int((~ok).sum())
    g_perm = g_perm[ok]
    tol = 1e-10 * max(1.0, abs(g_obs))
    extreme = int((np.abs(g_perm) >= abs(g_obs) - tol).sum())
    if out["permutation"] == "exact":
        out["p_value"] = extreme / len(g_perm) if len(g_perm) else np.nan
    else:
        out["p_value"] = (1 + extreme) / (1 + len(g_perm))
    out["n_permutations"] = len(g_perm)
    if n_undefined:
        notes.append(f"{n_undefined} assignment(s) under which no juror scored their home unit left out")
    return result("")


# --------------------------------------------------------------------------------------
# severity-adjusted totals
# --------------------------------------------------------------------------------------


def severity_adjusted_totals(
    data: pd.DataFrame,
    severity: pd.DataFrame,
    *,
    subject: str = "subject_id",
    rater: str = "juror_id",
    value: str = "score",
) -> pd.DataFrame:
    r"""Each unit's total had every juror been of average severity.

    Parameters
    ----------
    data : DataFrame
        Each juror's total for each unit (0-100).
    severity : DataFrame
        The rater column and ``estimate`` (leniency in points, as
        :attr:`JurorModel.severity`).
    subject, rater, value : str
        Columns.

    Returns
    -------
    DataFrame
        One row per unit: the subject column, ``n_jurors``, ``total`` (the mean of the
        jurors' totals, as on record), ``grade`` (its SAKIP grade), ``adjusted_total``,
        ``adjustment`` (adjusted minus on record), ``adjusted_grade``, ``grade_changes``
        (the adjusted total falls in another band), ``note``.

    Notes
    -----
    :math:`\tilde T_u = \frac{1}{n_u}\sum_{j \in J(u)} (T_{uj} - \hat b_j)`: every juror's
    total minus their leniency, averaged over the unit's jurors. When every juror scored
    every unit the adjustment is the same for all units (minus the mean leniency, about
    0), so no ranking changes: severity matters where units drew different jurors. The
    adjustment uses the leniency estimates as if known (their uncertainty is in
    :func:`kinerja.stats.stability.grade_stability`). Grades from
    :mod:`kinerja.data.grades`.

    Examples
    --------
    >>> tot = pd.DataFrame({"subject_id": ["a", "a", "b"], "juror_id": ["x", "y", "x"],
    ...                     "score": [81.0, 79.0, 80.5]})
    >>> sev = pd.DataFrame({"juror_id": ["x", "y"], "estimate": [1.0, -1.0]})
    >>> severity_adjusted_totals(tot, sev)[["subject_id", "total", "grade", "adjusted_total", "adjusted_grade"]]
      subject_id  total grade  adjusted_total adjusted_grade
    0          a   80.0    BB            80.0             BB
    1          b   80.5     A            79.5             BB
    """
    df, notes = _long(data, value, [subject, rater])
    if rater not in severity.columns or "estimate" not in severity.columns:
        raise EffectsInputError(f"severity needs columns {rater!r} and 'estimate'")
    sev = dict(zip(severity[rater], severity["estimate"].astype(float)))
    missing = sorted(set(df[rater]) - set(sev))
    if missing:
        raise EffectsInputError(f"no leniency estimate for juror(s) {missing[:5]}")
    df["_adj"] = df[value] - df[rater].map(sev).astype(float)
    g = df.groupby(subject, observed=True, sort=True)
    out = g.agg(n_jurors=(value, "size"), total=(value, "mean"), adjusted_total=("_adj", "mean")).reset_index()
    out["grade"] = grade_from_total(out["total"].to_numpy())
    out["adjustment"] = out["adjusted_total"] - out["total"]
    out["adjusted_grade"] = grade_from_total(out["adjusted_total"].clip(0, 100).to_numpy())
    undefined = out["adjusted_total"].isna()
    out.loc[undefined, "adjusted_grade"] = None
    out["grade_changes"] = (~undefined) & (out["adjusted_grade"] != out["grade"])
    out["note"] = np.where(undefined, "no leniency estimate for its jurors", "")
    if notes:
        out["note"] = [("; ".join([n, *notes]) if n else "; ".join(notes)) for n in out["note"]]
    cols = [subject, "n_jurors", "total", "grade", "adjusted_total", "adjustment", "adjusted_grade", "grade_changes"]
    return out[[*cols, "note"]]
