"""Variance components by the method of moments: ANOVA (expected mean squares) for
balanced data and Henderson's method 1 (Brennan's "analogous ANOVA") for unbalanced
data, on the same term convention as the REML engine.

A model is a list of random terms; a term is a column name or a tuple of column names
(an interaction, or a nested effect: the levels are the combinations of the columns, so
raters nested in tasks are the term ``("r", "t")``). The residual is implicit: it is the
variation between single observations inside the finest cells, so with one observation
per cell of all the columns it is the highest interaction, confounded with error.

The estimator is one computation for both cases. For every term (and for the grand mean
and the single observations) the "T term" is the sum over its cells of
``cell total ** 2 / cell count``. Sums of squares are Moebius sums of T terms over the
lattice of terms ordered by inclusion (for a balanced design this is the usual
``SS(pr:t) = T(prt) - T(pt) - T(rt) + T(t)``); the expected value of every T term is a
linear function of the variance components whose coefficients are counts (Henderson
1953, Method 1; Searle, Casella & McCulloch 1992, sec. 5.3). Equating the sums of
squares to their expectations gives one linear system. On balanced data its
coefficients are the EMS coefficients, so the estimates are the ANOVA estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = ["AnovaFit", "fit_anova"]

RESIDUAL = "residual"
_OBS = "<obs>"  # the lattice's top element: every observation its own cell


class VarCompInputError(ValueError):
    """Raised when the data or the model given to a variance-components fit cannot be used."""


@dataclass(frozen=True)
class AnovaFit:
    """Result of :func:`fit_anova`.

    Attributes
    ----------
    components : DataFrame
        One row per random term, then ``residual``: ``component`` (``":".join(term)``),
        ``variance`` (the estimate as the equations give it, negative values kept),
        ``sd`` (its square root; NaN when negative), ``n_levels`` (cells observed),
        ``share`` (``max(variance, 0)`` over the sum of those), ``df``, ``ss``, ``ms``
        (analogous degrees of freedom, sums of squares and mean squares) and ``note``.
    ems : DataFrame
        Expected mean squares: row = mean square of a component, column = component,
        value = coefficient of that variance component in the expected mean square.
    method : str
        ``"anova"`` for balanced data, ``"henderson1"`` otherwise (or when requested).
    balanced : bool
    n_obs : int
    note : str
    converged : bool
        Always true (a moment estimator has nothing to converge); present so that code
        can treat an ANOVA and a REML fit alike.
    """

    components: pd.DataFrame
    ems: pd.DataFrame
    method: str
    balanced: bool
    n_obs: int
    note: str = ""
    converged: bool = True
    terms: tuple = field(default=())


def _as_term(term) -> tuple[str, ...]:
    if isinstance(term, str):
        return (term,)
    out = tuple(term)
    if not out or not all(isinstance(c, str) for c in out):
        raise VarCompInputError(f"a random term is a column name or a tuple of column names, got {term!r}")
    return out


class _Cells:
    """Cell codes and counts for sets of columns, computed once each."""

    def __init__(self, codes: dict[str, np.ndarray], n_levels: dict[str, int], n: int):
        self._codes = codes
        self._n_levels = n_levels
        self.n = n
        self._cache: dict[frozenset, tuple[np.ndarray, np.ndarray]] = {}

    def get(self, cols: frozenset) -> tuple[np.ndarray, np.ndarray]:
        """(cell code of every row, count of every cell) for the columns ``cols``."""
        if cols in self._cache:
            return self._cache[cols]
        if not cols:
            out = (np.zeros(self.n, dtype=np.int64), np.array([self.n], dtype=np.int64))
        elif cols == frozenset([_OBS]):
            out = (np.arange(self.n, dtype=np.int64), np.ones(self.n, dtype=np.int64))
        else:
            names = sorted(cols)
            code = self._codes[names[0]].astype(np.int64)
            size = self._n_levels[names[0]]
            for name in names[1:]:
                k = self._n_levels[name]
                if size * k >= 2**62:  # compress before the product could overflow
                    code, uniques = pd.factorize(code, sort=False)
                    size = len(uniques)
                code = code * k + self._codes[name]
                size *= k
            code, uniques = pd.factorize(code, sort=False)
            code = code.astype(np.int64)
            out = (code, np.bincount(code, minlength=len(uniques)))
        self._cache[cols] = out
        return out


def fit_anova(
    data: pd.DataFrame,
    *,
    response: str,
    random: list,
    method: str = "auto",
) -> AnovaFit:
    """Variance components by ANOVA (balanced) or Henderson's method 1 (unbalanced).

    Parameters
    ----------
    data : DataFrame
        Long format: one row per observation.
    response : str
        Column of the numeric response. Rows where it is missing are left out and
        counted in ``note`` (they are missing cells, not zeros).
    random : list
        Random terms: a column name, or a tuple of column names for an interaction or a
        nested effect (levels = combinations). The residual is implicit.
    method : {"auto", "anova", "henderson1"}
        ``"auto"`` and ``"anova"`` name the result ``"anova"`` when the data are balanced
        and ``"henderson1"`` otherwise; ``"henderson1"`` names it so always. The
        numbers are the same: method 1 reproduces the ANOVA estimates on balanced data.

    Returns
    -------
    AnovaFit

    Notes
    -----
    For every term ``A`` (and for the grand mean ``0`` and the single observations)
    ``T(A) = sum over cells c of A of y_c. ** 2 / n_c``, computed on scores centred at
    their mean (which leaves every sum of squares unchanged and avoids cancellation).
    The sum of squares of ``A`` is ``SS(A) = sum_{B <= A} mu(B, A) T(B)`` with the Moebius
    function ``mu`` of the lattice of terms ordered by inclusion of their columns; the
    degrees of freedom are the same sum over the numbers of cells. Under the random
    model ``y = mu + sum_b u_b + e`` with independent effects,
    ``E T(A) = N mu**2 + sum_b k_A(b) sigma2_b + cells(A) sigma2_e`` with
    ``k_A(b) = sum_c sum_l n_cl ** 2 / n_c`` (``n_cl`` = observations in cell ``c`` of
    ``A`` and level ``l`` of ``b``). The system ``E SS = SS`` is solved for all
    components at once, so a negative estimate is kept while the others are estimated
    (Brennan's convention; setting it to zero is left to the caller). A component that
    the data cannot separate from another (a facet with one level, a term whose cells
    coincide with another's) is NaN with the reason in ``note``.

    Balanced means that every cell of every term has the same count and every pair of
    terms is completely crossed within their common columns.

    References
    ----------
    Henderson, C. R. (1953). Estimation of variance and covariance components.
    *Biometrics*, 9(2), 226-252.

    Searle, S. R., Casella, G., & McCulloch, C. E. (1992). *Variance Components*.
    Wiley. Chapter 5.

    Brennan, R. L. (2001). *Generalizability Theory*. Springer. Chapter 7 (analogous
    T terms and sums of squares for unbalanced designs).

    Examples
    --------
    >>> df = pd.DataFrame({"p": [1, 1, 2, 2, 3, 3], "i": ["a", "b"] * 3,
    ...                    "y": [2.0, 4.0, 3.0, 6.0, 7.0, 8.0]})
    >>> fit = fit_anova(df, response="y", random=["p", "i"])
    >>> fit.method
    'anova'
    >>> fit.components[["component", "variance", "df", "ss"]].round(4)
      component  variance  df    ss
    0         p    5.0000   2  21.0
    1         i    1.8333   1   6.0
    2  residual    0.5000   2   1.0
    """
    if method not in ("auto", "anova", "henderson1"):
        raise VarCompInputError(f"method must be 'auto', 'anova' or 'henderson1', got {method!r}")
    if not isinstance(data, pd.DataFrame):
        raise VarCompInputError(f"expected a long-format pandas DataFrame, got {type(data).__name__}")
    terms = [_as_term(t) for t in random]
    if not terms:
        raise VarCompInputError("random must name at least one term")
    columns = sorted({c for t in terms for c in t})
    missing = [c for c in [response, *columns] if c not in data.columns]
    if missing:
        raise VarCompInputError(f"column(s) not found: {missing}; the data have columns {list(data.columns)}")
    sets = [frozenset(t) for t in terms]
    for a, b in combinations(range(len(terms)), 2):
        if sets[a] == sets[b]:
            raise VarCompInputError(f"terms {terms[a]!r} and {terms[b]!r} have the same columns")

    y = pd.to_numeric(data[response], errors="coerce")
    bad = data[response].notna() & y.isna()
    if bad.any():
        row = data.index[np.flatnonzero(bad.to_numpy())[0]]
        raise VarCompInputError(f"column {response!r} is not numeric: row {row!r} holds {data[response].loc[row]!r}")
    notes = []
    keep = y.notna().to_numpy()
    if not keep.all():
        notes.append(f"{int((~keep).sum())} row(s) with a missing {response!r} left out (missing cells)")
    for c in columns:
        na = data[c].isna().to_numpy() & keep
        if na.any():
            row = data.index[np.flatnonzero(na)[0]]
            raise VarCompInputError(f"column {c!r} has a missing value in row {row!r}")
    yv = y.to_numpy(dtype=float)[keep]
    n = len(yv)
    if n == 0:
        raise VarCompInputError(f"no non-missing values in column {response!r}")
    codes, n_levels = {}, {}
    for c in columns:
        code, uniques = pd.factorize(data[c].to_numpy()[keep], sort=False)
        codes[c], n_levels[c] = code.astype(np.int64), len(uniques)
    cells = _Cells(codes, n_levels, n)

    yc = yv - yv.mean()
    obs = frozenset([_OBS])
    lattice = [frozenset(), *sets, obs]  # bottom, the terms, top
    # Moebius sums run over the terms below each term (and the bottom)
    lat_order = sorted(range(len(lattice)), key=lambda j: len(lattice[j]) if lattice[j] != obs else 10**9)
    lattice = [lattice[j] for j in lat_order]
    top = lattice.index(obs)

    def le(b, a):
        return a == top or (b != top and lattice[b] <= lattice[a])

    # Moebius function on this (finite) poset
    mu: dict[tuple[int, int], int] = {}
    for a in range(len(lattice)):
        below = [b for b in range(len(lattice)) if le(b, a)]
        for b in sorted(below, key=lambda j: -(len(lattice[j]) if j != top else 10**9)):
            if b == a:
                mu[(b, a)] = 1
            else:
                mu[(b, a)] = -sum(mu[(z, a)] for z in below if z != b and le(b, z) and (z, a) in mu)

    t_val = np.empty(len(lattice))
    n_cells = np.empty(len(lattice))
    for j, s in enumerate(lattice):
        code, count = cells.get(s)
        tot = np.bincount(code, weights=yc, minlength=len(count))
        t_val[j] = float(np.sum(tot**2 / count))
        n_cells[j] = len(count)

    # k[j, m]: coefficient of component m (terms..., residual) in E T(lattice[j])
    comp_sets = [*sets, obs]
    k = np.empty((len(lattice), len(comp_sets)))
    for j, s in enumerate(lattice):
        code_s, count_s = cells.get(s)
        for m, b in enumerate(comp_sets):
            if b == obs:
                k[j, m] = len(count_s)
                continue
            u = s | b if s != obs else obs
            if u == s:  # every cell of s lies in one level of b
                k[j, m] = n
                continue
            code_u, count_u = cells.get(u)
            s_of_u = np.empty(len(count_u), dtype=np.int64)
            s_of_u[code_u] = code_s
            k[j, m] = float(np.sum(count_u.astype(float) ** 2 / count_s[s_of_u]))

    # the balanced check: uniform counts, complete crossing of every pair of terms
    balanced = True
    for s in sets:
        _, count = cells.get(s)
        balanced &= bool(count.min() == count.max())
    for a, b in combinations(sets, 2):
        ca, cb = len(cells.get(a)[1]), len(cells.get(b)[1])
        cab, cinter = len(cells.get(a | b)[1]), len(cells.get(a & b)[1])
        balanced &= bool(cab * cinter == ca * cb) and bool(cells.get(a | b)[1].min() == cells.get(a | b)[1].max())
    full = frozenset(columns)
    full_count = cells.get(full)[1]
    balanced &= bool(full_count.min() == full_count.max())

    comp_rows = [lattice.index(s) for s in comp_sets]
    n_comp = len(comp_sets)
    ss = np.zeros(n_comp)
    df = np.zeros(n_comp)
    a_mat = np.zeros((n_comp, n_comp))
    for r, a in enumerate(comp_rows):
        for b in range(len(lattice)):
            m = mu.get((b, a), 0)
            if m:
                ss[r] += m * t_val[b]
                df[r] += m * n_cells[b]
                a_mat[r] += m * k[b]
    df = np.rint(df)
    # exact zeros where the algebra gives them (counts are integers; T terms are sums)
    a_mat[np.abs(a_mat) < 1e-9 * max(1.0, np.abs(a_mat).max())] = 0.0

    labels = [":".join(t) for t in terms] + [RESIDUAL]
    comp_notes = [[] for _ in range(n_comp)]
    usable = df > 0
    variance = np.full(n_comp, np.nan)
    if usable.any():
        a_use = a_mat[usable]
        # identifiable components: unit vectors in the row space of the used equations
        _, sv, vt = np.linalg.svd(a_use)
        tol = max(a_use.shape) * np.finfo(float).eps * (sv[0] if len(sv) else 0.0) * 1e3
        rank = int(np.sum(sv > tol))
        null = vt[rank:]
        ident = np.ones(n_comp, dtype=bool)
        if len(null):
            ident = np.abs(null).max(axis=0) < 1e-8
        sol, *_ = np.linalg.lstsq(a_use, ss[usable], rcond=None)
        variance = np.where(ident, sol, np.nan)
        for m in np.flatnonzero(~ident):
            partners = sorted(
                {labels[j] for v in null if abs(v[m]) >= 1e-8 for j in np.flatnonzero(np.abs(v) >= 1e-8) if j != m}
            )
            why = "not separable from " + ", ".join(partners) if partners else "not estimable"
            comp_notes[m].append(why + " with these data (a facet with one level, or cells that coincide)")
    else:
        for m in range(n_comp):
            comp_notes[m].append("not estimable: every sum of squares has zero degrees of freedom")
    for m in np.flatnonzero(df == 0):
        comp_notes[m].append("zero degrees of freedom (a facet with one level, or one observation per cell)")
    for m in np.flatnonzero(df < 0):
        # method 1 takes the terms as crossed; nested or coinciding terms (each subject
        # rated by one juror only) give a row whose "sum of squares" is a difference of
        # other rows, not a sum of squares
        comp_notes[m].append(
            f"{int(df[m])} degrees of freedom: the terms are nested or coincide in these data (e.g. each subject "
            "rated by one juror only), which Henderson's method 1 does not allow for; no sum of squares"
        )
        ss[m] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ms = np.where(df > 0, ss / np.where(df > 0, df, 1), np.nan)
        ems = np.where(df[:, None] > 0, a_mat / np.where(df > 0, df, 1)[:, None], np.nan)
    pos = np.where(np.isfinite(variance), np.maximum(variance, 0.0), 0.0)
    total = pos.sum()
    share = np.where(np.isfinite(variance), pos / total if total > 0 else np.nan, np.nan)
    unseparated = [labels[m] for m in range(n_comp) if not np.isfinite(variance[m])]
    if unseparated and np.isfinite(variance).any():
        # a share of a total that leaves out what cannot be separated would overstate the rest
        share = np.full(n_comp, np.nan)
        notes.append(f"no shares: {', '.join(unseparated)} cannot be estimated, so the total variance is unknown")
    sd = np.where(np.isfinite(variance) & (variance >= 0), np.sqrt(np.abs(variance)), np.nan)
    for m in range(n_comp):
        if np.isfinite(variance[m]) and variance[m] < 0:
            comp_notes[m].append("negative estimate (sd is NaN)")

    if method == "henderson1":
        name = "henderson1"
    else:
        name = "anova" if balanced else "henderson1"
    if not balanced:
        notes.append("unbalanced data: Henderson's method 1 (analogous ANOVA)")
    if not np.any(yc):
        notes.append("no variation in the response")
    elif total == 0 and np.isfinite(variance).any():
        notes.append("every component that can be estimated is 0 or negative")
    components = pd.DataFrame(
        {
            "component": labels,
            "variance": variance,
            "sd": sd,
            "n_levels": [int(len(cells.get(s)[1])) for s in comp_sets],
            "share": share,
            "df": df.astype(int),
            "ss": ss,
            "ms": ms,
            "note": ["; ".join(x) for x in comp_notes],
        }
    )
    ems_frame = pd.DataFrame(ems, index=pd.Index(labels, name="mean_square"), columns=labels)
    return AnovaFit(
        components=components,
        ems=ems_frame,
        method=name,
        balanced=balanced,
        n_obs=n,
        note="; ".join(notes),
        terms=tuple(terms),
    )
