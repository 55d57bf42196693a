r"""Comparisons between groups of units: do grades and scores differ across categories?

Long-format data in, tidy tables out (``statistic, estimate, ci_low, ci_high, p_value,
n, method, note`` plus what each function documents). Two kinds of data are compared:

* **the published record**: one row per unit with its letter grade. Functions:
  :func:`contingency_table`, :func:`exact_test` (Freeman–Halton exact test of an
  r x c table, by enumeration or, when the tables are too many, a Monte Carlo test with a
  stated number of resamples), :func:`share_by_group` (share of the top grade per group
  with exact Clopper–Pearson intervals, the exact test of each group against the rest and
  the smallest difference that test detects with 80% power, :func:`detectable_share`),
  :func:`ordinal_regression` (proportional-odds model of the grade on the group);
* **juror-level scores**: one row per unit and juror (a juror's weighted total or
  component score of a unit). :func:`unit_means` turns them into one score per unit,
  on which :func:`score_tests` (Welch ANOVA, Kruskal–Wallis, their permutation versions,
  :math:`\omega^2`, :math:`\varepsilon^2`) and :func:`pairwise_tests` (Welch t tests,
  permutation tests, Holm-adjusted p-values, Cliff's delta) work; :func:`group_effects`
  fits the mixed model ``score ~ group + (1|unit) [+ (1|juror)]`` with the shared REML
  engine (:func:`kinerja.stats.varcomp.fit_reml`), without and with jurors, so that a
  juror's severity cannot pose as a group effect.

**The sampling unit is the unit** (an OPD), not the juror-score row: a unit's jurors
score the same performance, so their rows are repeated measurements of one unit. Every
``n`` below counts units unless a column says otherwise (``n_obs``, ``n_jurors``).

**Small groups.** A group with fewer than :data:`MIN_UNITS` units is *too few units to
say anything* about in any comparison of scores or odds (no within-group variance worth
the name): it appears in the result with that note and NaN, never pooled with another
group and never dropped silently. The exact test of the grade table keeps every group
(an exact conditional test is valid for any cell counts), and shares are given for every
group with their exact intervals, which show how little one unit says.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import special, stats

from .bootstrap import bootstrap_interval, check_rng, resample_counts, zero_width_note

__all__ = [
    "MIN_UNITS",
    "TOO_FEW",
    "CompareInputError",
    "FreemanHalton",
    "contingency_table",
    "freeman_halton",
    "exact_test",
    "describe_table",
    "fisher_power",
    "detectable_share",
    "share_by_group",
    "unit_means",
    "eligible_groups",
    "score_tests",
    "pairwise_tests",
    "holm",
    "permutation_test",
    "cliffs_delta",
    "ordinal_regression",
    "group_effects",
]

#: Fewest units a group needs before its scores or odds are compared with others.
MIN_UNITS = 3
#: The note of a group with fewer than :data:`MIN_UNITS` units.
TOO_FEW = "too few units to say anything"

#: Columns every tidy result has, in this order, before its own columns.
TIDY = ("statistic", "estimate", "ci_low", "ci_high", "p_value", "n", "method", "note")

#: Relative tolerance for "as probable as the observed table" (R's fisher.test uses 1e-7).
_REL_TOL = 1e-7


class CompareInputError(ValueError):
    """Input that a comparison cannot use; the message names the column and the rows."""


def _require(data: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise CompareInputError(f"{where}: expected a DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise CompareInputError(
            f"{where}: column(s) {missing} not found; the data have {', '.join(map(str, data.columns))}"
        )


def _numeric(data: pd.DataFrame, column: str, where: str) -> np.ndarray:
    values = pd.to_numeric(data[column], errors="coerce")
    bad = values.isna() & data[column].notna()
    if bad.any():
        rows = list(data.index[bad.to_numpy()][:5])
        raise CompareInputError(f"{where}: column {column!r} is not numeric in row(s) {rows}")
    return values.to_numpy(dtype=float)


def _join(*parts: str) -> str:
    return "; ".join(dict.fromkeys(p for p in parts if p))


def _tidy(rows: list[dict], extra: Sequence[str]) -> pd.DataFrame:
    cols = list(TIDY) + [c for c in extra if c not in TIDY]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("estimate", "ci_low", "ci_high", "p_value"):
        out[c] = out[c].astype("float64")
    return out


# ----------------------------------------------------------------------------------------
# Contingency table and the Freeman-Halton exact test
# ----------------------------------------------------------------------------------------


def contingency_table(
    data: pd.DataFrame,
    *,
    row: str,
    col: str,
    row_levels: Sequence | None = None,
    col_levels: Sequence | None = None,
) -> pd.DataFrame:
    """Counts of units by ``row`` (e.g. category) and ``col`` (e.g. grade).

    Parameters
    ----------
    data : DataFrame
        One row per unit.
    row, col : str
        The two classifications.
    row_levels, col_levels : sequence, optional
        Levels in display order. Default: the levels present; for an ordered
        categorical the categories present in their order, otherwise sorted.

    Returns
    -------
    DataFrame
        ``int64`` counts, index named ``row``, columns named ``col``. Rows with a missing
        ``row`` or ``col`` value are not counted (the caller reports them).

    Examples
    --------
    >>> d = pd.DataFrame({"category": ["Dinas", "Dinas", "Badan"], "grade": ["A", "BB", "BB"]})
    >>> contingency_table(d, row="category", col="grade", col_levels=["BB", "A"]).to_dict("index")
    {'Badan': {'BB': 1, 'A': 0}, 'Dinas': {'BB': 1, 'A': 1}}
    """
    _require(data, [row, col], "contingency_table")
    sub = data[[row, col]].dropna()

    def levels(s: pd.Series, given):
        if given is not None:
            return list(given)
        if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered:
            present = set(s.astype(object))
            return [c for c in s.cat.categories if c in present]
        return sorted(pd.unique(s.astype(object)))

    rl, cl = levels(sub[row], row_levels), levels(sub[col], col_levels)
    counts = sub.astype(object).groupby([row, col], observed=True, dropna=True).size()
    out = pd.DataFrame(0, index=pd.Index(rl, name=row), columns=pd.Index(cl, name=col), dtype="int64")
    for (r, c), k in counts.items():
        if r in out.index and c in out.columns:
            out.loc[r, c] = int(k)
    return out


@dataclass(frozen=True)
class FreemanHalton:
    """Result of :func:`freeman_halton`.

    Attributes
    ----------
    p_value : float
        Probability, under independence with both margins fixed, of a table no more
        probable than the observed one.
    p_observed : float
        Probability of the observed table.
    n_tables : float
        Number of tables with the observed margins (enumerated; NaN for Monte Carlo).
    n_resamples : int
        Monte Carlo resamples (0 when exact).
    exact : bool
        Whether ``p_value`` is exact (enumeration) or a Monte Carlo estimate.
    """

    p_value: float
    p_observed: float
    n_tables: float
    n_resamples: int
    exact: bool


def _clean_table(table) -> np.ndarray:
    t = np.asarray(table.to_numpy() if isinstance(table, pd.DataFrame) else table)
    if t.ndim != 2:
        raise CompareInputError(f"a contingency table must be 2-dimensional, got shape {t.shape}")
    if not np.issubdtype(t.dtype, np.number) or np.any(~np.isfinite(t.astype(float))):
        raise CompareInputError("a contingency table holds finite counts")
    if np.any(t < 0) or np.any(t != np.round(t)):
        bad = np.argwhere((t < 0) | (t != np.round(t)))[0]
        raise CompareInputError(
            f"counts must be whole numbers >= 0; cell {tuple(int(i) for i in bad)} is {t[tuple(bad)]}"
        )
    t = t.astype(np.int64)
    return t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]


def _log_factorials(n: int) -> np.ndarray:
    return special.gammaln(np.arange(n + 1, dtype=float) + 1.0)


def _splits(c: int, caps: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Every way to put ``c`` units into the rows of each node: rows ``n`` of ``S`` with
    ``sum(n) = c`` and ``0 <= n <= caps[node]``; returns ``(node index, S)``, or None as
    soon as there are more than ``limit`` (before the arrays are built: a 5 x 6 table of
    198 units had asked for 1.8 GB at one step and run a machine out of memory)."""
    n_nodes, r = caps.shape
    suffix = np.zeros((n_nodes, r + 1), np.int64)
    suffix[:, :r] = np.cumsum(caps[:, ::-1], axis=1)[:, ::-1]
    src = np.arange(n_nodes)
    rem = np.full(n_nodes, c, np.int64)
    cols: list[np.ndarray] = []
    for i in range(r - 1):
        lo = np.maximum(0, rem - suffix[src, i + 1])
        hi = np.minimum(caps[src, i], rem)
        m = np.maximum(hi - lo + 1, 0)
        # every partial split here completes (lo leaves what the later rows can take),
        # so the count never falls: past the limit, stop
        if limit is not None and int(m.sum()) > limit:
            return None
        idx = np.repeat(np.arange(len(rem)), m)
        offset = np.arange(int(m.sum())) - np.repeat(np.cumsum(m) - m, m)
        v = lo[idx] + offset
        cols = [x[idx] for x in cols] + [v]
        src, rem = src[idx], rem[idx] - v
    cols.append(rem)
    return src, np.column_stack(cols)


def _ranges(start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    m = stop - start
    return np.repeat(start - (np.cumsum(m) - m), m) + np.arange(int(m.sum()))


def _enumerate_fh(t: np.ndarray, max_edges: int) -> tuple[float, float] | None:
    """Exact Freeman-Halton p and number of tables by the network algorithm, or None when
    the network exceeds ``max_edges``."""
    if t.shape[0] < t.shape[1]:
        t = t.T
    rows = np.sort(t.sum(axis=1))
    cols = np.sort(t.sum(axis=0))[::-1]
    n = int(rows.sum())
    r, c = len(rows), len(cols)
    lf = _log_factorials(n)
    const = lf[rows].sum() + lf[cols].sum() - lf[n]
    threshold = -lf[t.ravel()].sum() + math.log1p(_REL_TOL)
    if (n + 1) ** r >= 2**62:
        return None
    base = (n + 1) ** np.arange(r, dtype=np.int64)
    # network: nodes of stage k are the sorted row sums left after k columns
    keys = [rows[None, :]]
    edges = []
    total = 0
    for k in range(c - 1):
        nodes = keys[k]
        split = _splits(int(cols[k]), nodes, max_edges - total)
        if split is None:
            return None
        src, s = split
        total += len(src)
        if total > max_edges:
            return None
        code = np.sort(nodes[src] - s, axis=1) @ base
        val = -lf[s].sum(axis=1)
        ucode, child = np.unique(code, return_inverse=True)
        # paths from a node to a child with the same value are merged (their count kept)
        vi = np.rint(val * 1e9).astype(np.int64)
        sc = src * len(ucode) + child
        order = np.lexsort((vi, sc))
        sc, vi, val = sc[order], vi[order], val[order]
        first = np.ones(len(sc), bool)
        first[1:] = (sc[1:] != sc[:-1]) | (vi[1:] != vi[:-1])
        mult = np.bincount(np.cumsum(first) - 1).astype(float)
        s_id = sc[first] // len(ucode)
        start = np.searchsorted(s_id, np.arange(len(nodes)), "left")
        stop = np.searchsorted(s_id, np.arange(len(nodes)), "right")
        edges.append((s_id, sc[first] % len(ucode), val[first], mult, start, stop))
        keys.append((ucode[:, None] // base[None, :]) % (n + 1))
    # longest and shortest remaining path, log of the sum over completions, and counts
    last = -lf[keys[-1]].sum(axis=1)
    fmax, fmin, flog, fcount = [None] * c, [None] * c, [None] * c, [None] * c
    fmax[-1], fmin[-1], flog[-1], fcount[-1] = last, last, last, np.ones(len(last))
    for k in range(c - 2, -1, -1):
        s_id, child, val, mult, _, _ = edges[k]
        size = len(keys[k])
        fmax[k] = np.full(size, -np.inf)
        np.maximum.at(fmax[k], s_id, val + fmax[k + 1][child])
        fmin[k] = np.full(size, np.inf)
        np.minimum.at(fmin[k], s_id, val + fmin[k + 1][child])
        fcount[k] = np.bincount(s_id, weights=mult * fcount[k + 1][child], minlength=size)
        nodes = keys[k]
        flog[k] = lf[nodes.sum(axis=1)] - lf[nodes].sum(axis=1) - lf[cols[k:]].sum()
    p = 0.0
    node = np.zeros(1, np.int64)
    past = np.zeros(1)
    count = np.ones(1)
    for k in range(c):
        all_in = past + fmax[k][node] <= threshold
        p += float((count[all_in] * np.exp(const + past[all_in] + flog[k][node[all_in]])).sum())
        keep = ~all_in & (past + fmin[k][node] <= threshold)
        if k == c - 1 or not keep.any():
            break
        node, past, count = node[keep], past[keep], count[keep]
        s_id, child, val, mult, start, stop = edges[k]
        deg = (stop - start)[node]
        if int(deg.sum()) > max_edges:
            return None
        pi = np.repeat(np.arange(len(node)), deg)
        ei = _ranges(start[node], stop[node])
        nn, nv, nc = child[ei], past[pi] + val[ei], count[pi] * mult[ei]
        rv = np.rint(nv * 1e9).astype(np.int64)
        order = np.lexsort((rv, nn))
        nn, rv, nc, nv = nn[order], rv[order], nc[order], nv[order]
        new = np.ones(len(nn), bool)
        new[1:] = (nn[1:] != nn[:-1]) | (rv[1:] != rv[:-1])
        node, past, count = nn[new], nv[new], np.bincount(np.cumsum(new) - 1, weights=nc)
    return min(p, 1.0), float(fcount[0][0])


def freeman_halton(
    table,
    *,
    method: str = "auto",
    n_resamples: int = 100_000,
    seed=None,
    max_edges: int = 3_000_000,
) -> FreemanHalton:
    """Freeman–Halton exact test of independence in an r x c table (Fisher's exact test
    generalised).

    Parameters
    ----------
    table : array-like or DataFrame
        Counts (whole numbers >= 0). Empty rows and columns are dropped.
    method : {"auto", "exact", "monte_carlo"}
        ``auto`` enumerates when the network of tables has at most ``max_edges`` edges
        and falls back to Monte Carlo otherwise; ``exact`` raises instead of falling back.
    n_resamples : int
        Monte Carlo resamples (random tables with the observed margins, Patefield 1981).
    seed : int, Generator or None
        Seed of the Monte Carlo resamples.
    max_edges : int
        Work limit of the enumeration.

    Returns
    -------
    FreemanHalton

    Notes
    -----
    With both margins fixed, a table has the multivariate hypergeometric probability
    :math:`P(T) = \\prod_i R_i! \\prod_j C_j! / (N! \\prod_{ij} n_{ij}!)`. The p-value is
    the total probability of the tables with :math:`P(T) \\le P(T_{obs})(1 + 10^{-7})`
    (the relative tolerance of R's ``fisher.test``; Freeman & Halton 1951). The tables
    are enumerated column by column as paths through a network whose nodes are the row
    sums still to be filled (Mehta & Patel 1983): at each node the longest and shortest
    remaining paths decide whether all of its completions count (their total probability
    has a closed form) or none does, so most tables are never visited. The Monte Carlo
    p-value is :math:`(1 + \\#\\{P(T_b) \\le P(T_{obs})(1+10^{-7})\\}) / (B + 1)`, as R's
    ``simulate.p.value``.

    References
    ----------
    Freeman, G. H., & Halton, J. H. (1951). Note on an exact treatment of contingency,
    goodness of fit and other problems of significance. Biometrika, 38(1/2), 141-149.
    Mehta, C. R., & Patel, N. R. (1983). A network algorithm for performing Fisher's
    exact test in r x c contingency tables. JASA, 78(382), 427-434.
    Patefield, W. M. (1981). An efficient method of generating random r x c tables with
    given row and column totals. Applied Statistics, 30(1), 91-97.

    Examples
    --------
    >>> r = freeman_halton([[3, 1], [1, 3]])          # Fisher's tea-tasting table
    >>> round(r.p_value, 4), r.n_tables, r.exact
    (0.4857, 5.0, True)
    """
    if method not in ("auto", "exact", "monte_carlo"):
        raise ValueError(f"method must be 'auto', 'exact' or 'monte_carlo', got {method!r}")
    t = _clean_table(table)
    if t.shape[0] < 2 or t.shape[1] < 2:
        return FreemanHalton(1.0 if t.size else np.nan, 1.0 if t.size else np.nan, float(bool(t.size)), 0, True)
    n = int(t.sum())
    lf = _log_factorials(n)
    rows, cols = t.sum(axis=1), t.sum(axis=0)
    const = lf[rows].sum() + lf[cols].sum() - lf[n]
    kernel = -lf[t.ravel()].sum()
    p_obs = float(np.exp(const + kernel))
    if method != "monte_carlo":
        res = _enumerate_fh(t, max_edges)
        if res is not None:
            return FreemanHalton(res[0], p_obs, res[1], 0, True)
        if method == "exact":
            raise ValueError(f"the {t.shape[0]} x {t.shape[1]} table with N = {n} is too large to enumerate")
    if n_resamples < 1:
        raise ValueError("n_resamples must be >= 1")
    rng = check_rng(seed)
    dist = stats.random_table(rows, cols, seed=rng)
    threshold = kernel + math.log1p(_REL_TOL)
    hits = 0
    done = 0
    while done < n_resamples:
        b = min(20_000, n_resamples - done)
        sims = dist.rvs(size=b, method="patefield")
        k = -lf[sims.reshape(b, -1)].sum(axis=1)
        hits += int((k <= threshold).sum())
        done += b
    return FreemanHalton((1 + hits) / (n_resamples + 1), p_obs, np.nan, int(n_resamples), False)


def describe_table(table: pd.DataFrame) -> str:
    """A contingency table in one line, for a CSV cell or a caption.

    >>> t = pd.DataFrame([[3, 1], [11, 6]], index=["Badan", "Dinas"], columns=["BB", "A"])
    >>> describe_table(t)
    'Badan: BB 3, A 1; Dinas: BB 11, A 6'
    """
    return "; ".join(f"{r}: " + ", ".join(f"{c} {int(v)}" for c, v in row.items()) for r, row in table.iterrows())


def exact_test(table, *, method: str = "auto", n_resamples: int = 100_000, seed=None) -> pd.DataFrame:
    """Test of independence of an r x c table of counts, in one tidy row.

    Parameters
    ----------
    table : DataFrame or array-like
        Counts, e.g. :func:`contingency_table` (units by category and grade).
    method, n_resamples, seed
        See :func:`freeman_halton`.

    Returns
    -------
    DataFrame
        One row: ``statistic`` (``"Freeman-Halton exact test"``), ``estimate``
        (Cramér's V of the table, descriptive, no CI), ``p_value``, ``n`` (units in the
        table), ``method`` (exact enumeration of how many tables, or Monte Carlo with how
        many resamples), ``note``, and ``n_rows, n_cols`` (non-empty rows and columns),
        ``n_tables``, ``n_resamples``, ``p_observed`` (probability of the observed
        table), ``chi2`` (Pearson's statistic, shown, not used for the p-value),
        ``table`` (:func:`describe_table`, so that the row carries the table it was
        computed on).

    Notes
    -----
    A table with a single non-empty row or column holds no association to test: p is 1
    by definition and the note says why. Cramér's V is
    :math:`\\sqrt{\\chi^2 / (N (\\min(r, c) - 1))}`.

    Examples
    --------
    >>> t = pd.DataFrame([[3, 1], [11, 6], [0, 1]], index=["Badan", "Dinas", "Inspektorat"], columns=["BB", "A"])
    >>> r = exact_test(t).iloc[0]
    >>> r["statistic"], round(float(r["p_value"]), 4), int(r["n"]), int(r["n_tables"])  # R: 0.5245
    ('Freeman-Halton exact test', 0.5245, 22, 10)
    """
    desc = describe_table(table) if isinstance(table, pd.DataFrame) else ""
    t = _clean_table(table)
    n = int(t.sum())
    row = dict(
        statistic="Freeman-Halton exact test",
        estimate=np.nan,
        ci_low=np.nan,
        ci_high=np.nan,
        p_value=np.nan,
        n=n,
        method="",
        note="",
        n_rows=t.shape[0],
        n_cols=t.shape[1],
        n_tables=np.nan,
        n_resamples=0,
        p_observed=np.nan,
        chi2=np.nan,
        table=desc,
    )
    if n == 0:
        row["note"] = "no units in the table"
        return _tidy([row], list(row))
    if t.shape[0] < 2 or t.shape[1] < 2:
        what = "every unit is in the same column (e.g. the same grade)" if t.shape[1] < 2 else "one row only"
        row.update(p_value=1.0, n_tables=1.0, method="exact (a single table has these margins)")
        row["note"] = f"{what}: there is no association to test"
        return _tidy([row], list(row))
    res = freeman_halton(t, method=method, n_resamples=n_resamples, seed=seed)
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / n
    chi2 = float(((t - expected) ** 2 / expected).sum())
    row.update(
        estimate=math.sqrt(chi2 / (n * (min(t.shape) - 1))),
        p_value=res.p_value,
        n_tables=res.n_tables,
        n_resamples=res.n_resamples,
        p_observed=res.p_observed,
        chi2=chi2,
    )
    if res.exact:
        row["method"] = f"exact: all {res.n_tables:,.0f} tables with the observed margins (network algorithm)"
    else:
        row["method"] = f"Monte Carlo: {res.n_resamples:,} random tables with the observed margins (Patefield)"
        row["note"] = "too many tables to enumerate; p-value estimated from random tables"
    small = (expected < 5).mean()
    if small > 0.2:
        row["note"] = _join(
            row["note"], f"{small:.0%} of expected counts are below 5: the chi-square approximation would not hold"
        )
    return _tidy([row], list(row))


# ----------------------------------------------------------------------------------------
# Shares of the top grade, exact power
# ----------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _fisher_2x2_reject(n1: int, n2: int, alpha: float) -> np.ndarray:
    """``(n1+1, n2+1)`` booleans: whether the two-sided Fisher exact test of ``x1`` of
    ``n1`` against ``x2`` of ``n2`` rejects at ``alpha``."""
    out = np.zeros((n1 + 1, n2 + 1), bool)
    for m in range(n1 + n2 + 1):
        lo, hi = max(0, m - n2), min(n1, m)
        x1 = np.arange(lo, hi + 1)
        pmf = stats.hypergeom.pmf(x1, n1 + n2, n1, m)
        srt = np.sort(pmf)
        cum = np.cumsum(srt)
        idx = np.searchsorted(srt, pmf * (1 + _REL_TOL), side="right") - 1
        pval = cum[idx]
        out[x1, m - x1] = pval <= alpha
    return out


def fisher_power(n1: int, n2: int, p1, p2: float, *, alpha: float = 0.05) -> np.ndarray:
    """Exact power of the two-sided Fisher exact test of two independent proportions.

    Parameters
    ----------
    n1, n2 : int
        Group sizes (units).
    p1 : float or array-like
        True share in group 1 (vectorised).
    p2 : float
        True share in group 2.
    alpha : float
        Level of the test.

    Returns
    -------
    ndarray
        :math:`\\sum_{x_1, x_2} \\mathrm{Bin}(x_1; n_1, p_1) \\mathrm{Bin}(x_2; n_2, p_2)
        \\, 1[\\text{Fisher rejects } (x_1, x_2)]`, exactly (every outcome is enumerated).

    Examples
    --------
    >>> float(np.round(fisher_power(10, 10, 0.9, 0.1), 3))
    0.958
    """
    reject = _fisher_2x2_reject(int(n1), int(n2), float(alpha)).astype(float)
    b1 = stats.binom.pmf(np.arange(n1 + 1)[None, :], n1, np.atleast_1d(np.asarray(p1, float))[:, None])
    b2 = stats.binom.pmf(np.arange(n2 + 1), n2, p2)
    out = b1 @ reject @ b2
    return out if np.ndim(p1) else out[0]


def detectable_share(
    n1: int, n2: int, p0: float, *, alpha: float = 0.05, power: float = 0.8, step: float = 0.001
) -> tuple[float, float]:
    """The shares in a group of ``n1`` units that a two-sided Fisher exact test against
    ``n2`` other units (true share ``p0``) detects with the given power.

    Returns
    -------
    (low, high)
        ``high``: the smallest share above ``p0`` detected with at least ``power``
        (NaN when not even 100% is); ``low``: the largest share below ``p0`` detected
        so (NaN when not even 0% is). Searched on a grid of ``step``.

    Notes
    -----
    Power is computed exactly (:func:`fisher_power`), not from a normal approximation,
    which is far off for the handful of units a category holds. The minimum detectable
    difference is ``high - p0`` (or ``p0 - low``).

    Examples
    --------
    >>> detectable_share(17, 12, 0.33)      # 17 units against 12 with a share of 33%
    (nan, 0.845)
    >>> detectable_share(1, 28, 0.33)       # one unit: nothing is detectable
    (nan, nan)
    """
    if n1 < 1 or n2 < 1:
        return np.nan, np.nan
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 10)
    pw = fisher_power(n1, n2, grid, p0, alpha=alpha)
    ok = pw >= power
    above, below = ok & (grid > p0), ok & (grid < p0)
    high = float(grid[above].min()) if above.any() else np.nan
    low = float(grid[below].max()) if below.any() else np.nan
    return low, high


def share_by_group(
    data: pd.DataFrame,
    *,
    group: str,
    outcome: str,
    success: Collection,
    label: str | None = None,
    levels: Sequence | None = None,
    ci: float = 0.95,
    alpha: float = 0.05,
    power: float = 0.8,
    min_units: int = MIN_UNITS,
) -> pd.DataFrame:
    """Share of units with a ``success`` outcome (e.g. grade A or better) per group,
    each group against the rest.

    Parameters
    ----------
    data : DataFrame
        One row per unit.
    group, outcome : str
        Grouping column (category) and outcome column (grade).
    success : collection
        Outcome values that count (``{"A", "AA"}``).
    label : str, optional
        What a success is, for ``statistic`` (default: the values joined by "/").
    levels : sequence, optional
        Groups in display order (default sorted).
    ci : float
        Level of the Clopper–Pearson intervals.
    alpha, power : float
        Level of the exact test and the power of the minimum detectable share.
    min_units : int
        Groups with fewer units get the note :data:`TOO_FEW` (their share and exact
        interval are still given; the test against the rest is too).

    Returns
    -------
    DataFrame
        One row per group, then ``all``: ``group, statistic, estimate`` (share),
        ``ci_low, ci_high`` (exact), ``p_value`` (two-sided Fisher exact test of the group
        against the rest, :func:`freeman_halton` on the 2 x 2 table), ``n`` (units),
        ``method, note``, ``successes``, ``rest_n``, ``rest_successes``, ``rest_share``,
        ``difference`` (share minus rest share), ``detectable_low``, ``detectable_high``
        (:func:`detectable_share` with the rest at its observed share).

    Notes
    -----
    Units with a missing outcome or group are left out before counting (say so in the
    caller). The Clopper–Pearson interval inverts two one-sided binomial tests; it is
    conservative (coverage at least ``ci``), which is the honest choice with 1–20 units.

    References
    ----------
    Clopper, C. J., & Pearson, E. S. (1934). The use of confidence or fiducial limits
    illustrated in the case of the binomial. Biometrika, 26(4), 404-413.

    Examples
    --------
    >>> d = pd.DataFrame({"category": ["Dinas"] * 4 + ["Badan"] * 3, "grade": list("AABBABB")})
    >>> t = share_by_group(d, group="category", outcome="grade", success={"A"})
    >>> t[["group", "successes", "n"]].values.tolist()
    [['Badan', 1, 3], ['Dinas', 2, 4], ['all', 3, 7]]
    >>> t["estimate"].round(2).tolist()
    [0.33, 0.5, 0.43]
    """
    from statsmodels.stats.proportion import proportion_confint

    _require(data, [group, outcome], "share_by_group")
    d = data[[group, outcome]].dropna()
    hit = d[outcome].astype(object).isin(set(success)).to_numpy()
    g = d[group].astype(object).to_numpy()
    label = label or "/".join(map(str, success))
    groups = list(levels) if levels is not None else sorted(pd.unique(g))
    n_all, k_all = len(d), int(hit.sum())
    rows = []

    def share_row(name, k, n):
        est = k / n if n else np.nan
        lo, hi = proportion_confint(k, n, alpha=1 - ci, method="beta") if n else (np.nan, np.nan)
        return dict(
            group=name,
            statistic=f"share {label}",
            estimate=est,
            ci_low=float(lo),
            ci_high=float(hi),
            n=n,
            successes=k,
            method=f"Clopper-Pearson exact {ci:.0%} CI",
        )

    for name in groups:
        sel = g == name
        n, k = int(sel.sum()), int(hit[sel].sum())
        row = share_row(name, k, n)
        rn, rk = n_all - n, k_all - k
        row.update(rest_n=rn, rest_successes=rk, rest_share=rk / rn if rn else np.nan)
        row["difference"] = row["estimate"] - row["rest_share"]
        notes = []
        if n == 0:
            notes.append("no units in this group")
        elif rn == 0:
            notes.append("no other units to compare with")
        else:
            tab = np.array([[k, n - k], [rk, rn - rk]])
            row["p_value"] = freeman_halton(tab).p_value if (tab.sum(axis=0) > 0).all() else 1.0
            lo, hi = detectable_share(n, rn, rk / rn, alpha=alpha, power=power)
            row.update(detectable_low=lo, detectable_high=hi)
            row["method"] += f"; two-sided Fisher exact test against the other {rn} units"
            if np.isnan(lo) and np.isnan(hi):
                notes.append(f"with {n} unit(s) no share, however extreme, is detected with {power:.0%} power")
        if 0 < n < min_units:
            notes.insert(0, f"{TOO_FEW} (fewer than {min_units} units)")
        row["note"] = _join(*notes)
        rows.append(row)
    rows.append(share_row("all", k_all, n_all) | {"note": "" if n_all else "no units"})
    extra = [
        "group",
        "successes",
        "rest_n",
        "rest_successes",
        "rest_share",
        "difference",
        "detectable_low",
        "detectable_high",
    ]
    out = _tidy(rows, extra)
    for c in ("rest_share", "difference", "detectable_low", "detectable_high"):
        out[c] = out[c].astype("float64")
    out["note"] = out["note"].fillna("")
    return out[["group", *TIDY, *extra[1:]]]


# ----------------------------------------------------------------------------------------
# Scores: one value per unit
# ----------------------------------------------------------------------------------------


def unit_means(
    data: pd.DataFrame,
    *,
    response: str = "score",
    unit: str = "subject_id",
    juror: str = "juror_id",
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """One score per unit: the mean over its jurors (the published-total logic).

    Returns ``by..., unit, response`` (mean), ``n_jurors`` (jurors with a score) and
    ``sd`` (between-juror SD). Rows with a missing ``response`` are left out (a juror
    who left a criterion unscored has no total); a unit without any score is not listed.

    >>> d = pd.DataFrame({"subject_id": ["a", "a", "b"], "juror_id": ["J1", "J2", "J1"], "score": [70, 80, 60.0]})
    >>> unit_means(d)
      subject_id  score  n_jurors        sd
    0          a   75.0         2  7.071068
    1          b   60.0         1       NaN
    """
    _require(data, [response, unit, juror, *by], "unit_means")
    d = data[[*by, unit, juror]].copy()
    d[response] = _numeric(data, response, "unit_means")
    d = d.dropna(subset=[response])
    keys = [*by, unit]
    out = (
        d.groupby(keys, observed=True, sort=True, dropna=False)[response]
        .agg(["mean", "count", "std"])
        .reset_index()
        .rename(columns={"mean": response, "count": "n_jurors", "std": "sd"})
    )
    out["n_jurors"] = out["n_jurors"].astype("int64")
    return out


def eligible_groups(
    data: pd.DataFrame, *, group: str, unit: str | None = None, min_units: int = MIN_UNITS
) -> tuple[list, dict]:
    """Groups with at least ``min_units`` units, and ``{group: n_units}`` of the others.

    ``unit`` names the unit column when ``data`` has several rows per unit (default: one
    row per unit).

    >>> d = pd.DataFrame({"category": ["Dinas"] * 3 + ["Inspektorat"]})
    >>> eligible_groups(d, group="category")
    (['Dinas'], {'Inspektorat': 1})
    """
    _require(data, [group] + ([unit] if unit else []), "eligible_groups")
    d = data.dropna(subset=[group])
    sizes = (
        d.groupby(group, observed=True)[unit].nunique() if unit else d.groupby(group, observed=True).size()
    ).astype(int)
    sizes.index = sizes.index.astype(object)
    ok = sorted(k for k, v in sizes.items() if v >= min_units)
    few = {k: int(v) for k, v in sorted(sizes.items()) if v < min_units}
    return ok, few


def _too_few_note(few: dict, min_units: int) -> str:
    if not few:
        return ""
    names = ", ".join(f"{k} ({v})" for k, v in few.items())
    return f"{TOO_FEW} in {names}: fewer than {min_units} units, not compared (not pooled)"


def _welch_f(means, variances, sizes):
    """Welch's F, df1, df2 for arrays of group means/variances/sizes (last axis = groups)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        w = sizes / variances
        wsum = w.sum(axis=-1, keepdims=True)
        mw = (w * means).sum(axis=-1, keepdims=True) / wsum
        k = means.shape[-1]
        a = (w * (means - mw) ** 2).sum(axis=-1) / (k - 1)
        lam = ((1 - w / wsum) ** 2 / (sizes - 1)).sum(axis=-1)
        b = 1 + 2 * (k - 2) / (k**2 - 1) * lam
        f = a / b
        df2 = (k**2 - 1) / (3 * lam)
    return f, float(k - 1), df2


def _group_codes(g: np.ndarray, levels: list) -> np.ndarray:
    lookup = {v: i for i, v in enumerate(levels)}
    return np.array([lookup[v] for v in g], dtype=np.int64)


def _anova_effects(x: np.ndarray, codes: np.ndarray, k: int, weights: np.ndarray | None = None):
    """omega^2 and epsilon^2 of a one-way layout; ``weights`` (B x n) for resamples."""
    w = np.ones((1, len(x))) if weights is None else weights
    b = w.shape[0]
    flat = (codes[None, :] + k * np.arange(b)[:, None]).ravel()
    ng = np.bincount(flat, weights=w.ravel(), minlength=b * k).reshape(b, k)
    sg = np.bincount(flat, weights=(w * x).ravel(), minlength=b * k).reshape(b, k)
    n = w.sum(axis=1)
    total = (w * x).sum(axis=1)
    sst = (w * x**2).sum(axis=1) - total**2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        ssb = (sg**2 / ng).sum(axis=1) - total**2 / n
        ssw = sst - ssb
        msw = ssw / (n - k)
        omega = (ssb - (k - 1) * msw) / (sst + msw)
        eps = (ssb - (k - 1) * msw) / sst
    return omega, eps


def _rank_h(x: np.ndarray, codes: np.ndarray, k: int, weights: np.ndarray | None = None):
    """Kruskal-Wallis H (tie-corrected) with units weighted by resample counts."""
    w = np.ones((1, len(x))) if weights is None else weights
    b = w.shape[0]
    vals, tie = np.unique(x, return_inverse=True)
    wt = np.zeros((b, len(vals)))
    np.add.at(wt, (slice(None), tie), w)
    below = np.cumsum(wt, axis=1) - wt
    rank_of_value = below + (wt + 1) / 2
    ranks = rank_of_value[:, tie]
    n = w.sum(axis=1)
    flat = (codes[None, :] + k * np.arange(b)[:, None]).ravel()
    ng = np.bincount(flat, weights=w.ravel(), minlength=b * k).reshape(b, k)
    rg = np.bincount(flat, weights=(w * ranks).ravel(), minlength=b * k).reshape(b, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = 12.0 / (n * (n + 1)) * (rg**2 / ng).sum(axis=1) - 3 * (n + 1)
        corr = 1 - (wt**3 - wt).sum(axis=1) / (n**3 - n)
        h = h / corr
    return h


def _stratified_counts(rng, n_boot: int, codes: np.ndarray, k: int) -> np.ndarray:
    """Resample counts (n_boot x n) drawn within each group (group sizes kept)."""
    out = np.zeros((n_boot, len(codes)))
    for j in range(k):
        idx = np.flatnonzero(codes == j)
        out[:, idx] = resample_counts(rng, n_boot, len(idx))
    return out


def score_tests(
    units: pd.DataFrame,
    *,
    response: str = "score",
    group: str = "category",
    min_units: int = MIN_UNITS,
    n_perm: int = 9999,
    n_boot: int = 2000,
    ci: float = 0.95,
    seed=None,
) -> pd.DataFrame:
    """Do unit scores differ between groups? Omnibus tests and effect sizes.

    Parameters
    ----------
    units : DataFrame
        One row per unit (:func:`unit_means`): the group and the unit's score.
    response, group : str
        Score and group columns.
    min_units : int
        Groups with fewer units are left out of every row and named in ``note``
        (:data:`TOO_FEW`).
    n_perm : int
        Label permutations for the permutation p-values (0 skips them).
    n_boot : int
        Bootstrap resamples for the effect-size CIs (0 skips them).
    ci : float
        Confidence level.
    seed : int, Generator or None
        Seed of permutations and bootstrap.

    Returns
    -------
    DataFrame
        Rows (``statistic``): ``Welch ANOVA`` (``estimate`` = F, ``df1, df2``,
        ``p_value`` from the F distribution), ``Welch ANOVA (permutation)`` (the same F,
        p from ``n_perm`` random relabellings of the units), ``Kruskal-Wallis`` (H,
        chi-square p with tie correction), ``Kruskal-Wallis (permutation)``,
        ``omega squared`` and ``epsilon squared`` (ANOVA on unit scores, BCa bootstrap CI
        stratified by group), ``epsilon squared (ranks)`` (:math:`H/(N-1)`, its bootstrap
        CI); ``n`` = units compared, ``n_groups``, ``method``, ``note``.

    Notes
    -----
    **n is the number of units**: juror-level rows must first be averaged per unit
    (:func:`unit_means`), since a unit's jurors score one performance. Welch's ANOVA does
    not assume equal variances (Welch 1951): with weights :math:`w_g = n_g / s_g^2`,
    :math:`F = \\frac{\\sum w_g (\\bar x_g - \\bar x_w)^2/(k-1)}{1 + \\frac{2(k-2)}{k^2-1}
    \\sum \\frac{(1-w_g/W)^2}{n_g-1}}`. With a handful of units per group its F
    distribution is an approximation, hence the permutation p-value
    :math:`(1 + \\#\\{F_b \\ge F\\})/(B+1)`, which is exact in level under exchangeability.
    Effect sizes on the one-way ANOVA of unit scores:
    :math:`\\omega^2 = (SS_b - (k-1)MS_w)/(SS_t + MS_w)`,
    :math:`\\varepsilon^2 = (SS_b - (k-1)MS_w)/SS_t`; both fall below 0 when groups differ
    less than chance would make them, and are then reported as 0 with the raw value in
    ``note`` (as R's effectsize does since 0.8.2); for ranks
    :math:`\\varepsilon^2_R = H/(N-1)` (Tomczak & Tomczak 2014). Their CIs come from
    :func:`kinerja.stats.bootstrap.bootstrap_interval` (BCa, jackknife acceleration) with
    units resampled within groups; when the estimate sits at the edge of its range (0)
    and BCa's bias correction pushes both limits past it, the percentile interval is
    used instead (said in ``method``). A group whose units all have the same score makes
    Welch's F undefined (NaN, said in ``note``).

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: an alternative
    approach. Biometrika, 38(3/4), 330-336.
    Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance
    analysis. JASA, 47(260), 583-621.
    Okada, K. (2013). Is omega squared less biased? A comparison of three major effect
    size indices in one-way ANOVA. Behaviormetrika, 40(2), 129-147.
    Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates
    revisited. Trends in Sport Sciences, 1(21), 19-25.

    Examples
    --------
    >>> d = pd.DataFrame({"category": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
    ...                   "score": [70, 72, 71, 74, 75, 77, 76, 79, 70, 73, 69, 71.0]})
    >>> t = score_tests(d, n_perm=0, n_boot=0)
    >>> t.set_index("statistic").loc[["Welch ANOVA", "Kruskal-Wallis"], ["estimate", "p_value"]].round(4).values.tolist()
    [[12.7543, 0.0069], [7.7852, 0.0204]]

    (R: ``oneway.test`` F = 12.754, p = 0.006905; ``kruskal.test`` 7.7852, p = 0.02039.)
    """
    from statsmodels.stats.oneway import anova_oneway

    _require(units, [response, group], "score_tests")
    d = units[[group]].copy()
    d[response] = _numeric(units, response, "score_tests")
    d = d.dropna()
    ok, few = eligible_groups(d, group=group, min_units=min_units)
    note_few = _too_few_note(few, min_units)
    d = d[d[group].astype(object).isin(ok)]
    x = d[response].to_numpy(float)
    codes = _group_codes(d[group].astype(object).to_numpy(), ok)
    k, n = len(ok), len(x)
    rng = check_rng(seed)
    base = dict(n=n, n_groups=k, df1=np.nan, df2=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan)
    names = [
        ("Welch ANOVA", "F test with Welch's df (statsmodels anova_oneway, use_var='unequal')"),
        ("Welch ANOVA (permutation)", f"Welch's F, p from {n_perm:,} random relabellings of the units"),
        ("Kruskal-Wallis", "H with tie correction, chi-square p (scipy kruskal)"),
        ("Kruskal-Wallis (permutation)", f"H, p from {n_perm:,} random relabellings of the units"),
        ("omega squared", "one-way ANOVA on unit scores"),
        ("epsilon squared", "one-way ANOVA on unit scores"),
        ("epsilon squared (ranks)", "H / (N - 1)"),
    ]
    rows = {s: dict(base, statistic=s, estimate=np.nan, method=m, note=note_few) for s, m in names}
    extra = ["n_groups", "df1", "df2"]
    if k < 2:
        reason = f"fewer than 2 groups with at least {min_units} units, so there is nothing to compare"
        for r in rows.values():
            r["note"] = _join(reason, note_few)
        return _tidy(list(rows.values()), extra)
    var = np.array([x[codes == j].var(ddof=1) for j in range(k)])
    # Welch
    if np.any(var == 0):
        const = ", ".join(str(ok[j]) for j in np.flatnonzero(var == 0))
        for s in ("Welch ANOVA", "Welch ANOVA (permutation)"):
            rows[s]["note"] = _join(f"every unit in {const} has the same score: Welch's F is undefined", note_few)
    else:
        res = anova_oneway([x[codes == j] for j in range(k)], use_var="unequal", welch_correction=True)
        f_obs = float(res.statistic)
        rows["Welch ANOVA"].update(
            estimate=f_obs, df1=float(res.df_num), df2=float(res.df_denom), p_value=float(res.pvalue)
        )
        rows["Welch ANOVA (permutation)"].update(estimate=f_obs, df1=float(res.df_num), df2=float(res.df_denom))
        if n_perm > 0:
            f_perm = _perm_stat(x, codes, k, n_perm, rng, "welch")
            rows["Welch ANOVA (permutation)"]["p_value"] = (1 + np.sum(f_perm >= f_obs * (1 - 1e-12))) / (n_perm + 1)
        else:
            rows["Welch ANOVA (permutation)"]["note"] = _join("n_perm = 0: not computed", note_few)
    # Kruskal-Wallis
    if np.ptp(x) == 0:
        for s in ("Kruskal-Wallis", "Kruskal-Wallis (permutation)", "epsilon squared (ranks)"):
            rows[s]["note"] = _join("every unit has the same score: H is undefined", note_few)
    else:
        h, p = stats.kruskal(*[x[codes == j] for j in range(k)])
        rows["Kruskal-Wallis"].update(estimate=float(h), df1=float(k - 1), p_value=float(p))
        rows["Kruskal-Wallis (permutation)"].update(estimate=float(h), df1=float(k - 1))
        if n_perm > 0:
            h_perm = _perm_stat(x, codes, k, n_perm, rng, "kw")
            rows["Kruskal-Wallis (permutation)"]["p_value"] = (1 + np.sum(h_perm >= h * (1 - 1e-12))) / (n_perm + 1)
        else:
            rows["Kruskal-Wallis (permutation)"]["note"] = _join("n_perm = 0: not computed", note_few)
        rows["epsilon squared (ranks)"]["estimate"] = float(h) / (n - 1)
    # ANOVA effect sizes
    if n > k and np.ptp(x) > 0:
        omega, eps = _anova_effects(x, codes, k)
        for s, raw in (("omega squared", float(omega[0])), ("epsilon squared", float(eps[0]))):
            rows[s]["estimate"] = max(raw, 0.0)
            if raw < 0:
                rows[s]["note"] = _join(
                    f"raw estimate {raw:.3f} is below 0 (groups differ less than chance would make them): "
                    "reported as 0",
                    note_few,
                )
    else:
        for s in ("omega squared", "epsilon squared"):
            rows[s]["note"] = _join("no within-group variation to compare with", note_few)
    if n_boot > 0:
        w = _stratified_counts(rng, n_boot, codes, k)
        om_b, ep_b = (np.maximum(v, 0.0) for v in _anova_effects(x, codes, k, w))
        om_j, ep_j = (np.maximum(v, 0.0) for v in _anova_effects(x, codes, k, np.ones((n, n)) - np.eye(n)))
        h_b = _rank_h(x, codes, k, w) / (n - 1)
        h_j = _rank_h(x, codes, k, np.ones((n, n)) - np.eye(n)) / (n - 2)
        for s, b, j in (
            ("omega squared", om_b, om_j),
            ("epsilon squared", ep_b, ep_j),
            ("epsilon squared (ranks)", h_b, h_j),
        ):
            est = rows[s]["estimate"]
            if np.isfinite(est):
                lo, hi = bootstrap_interval(b, est, j, ci=ci, method="bca")
                how = "BCa"
                if not lo <= est <= hi:  # BCa's bias correction breaks down at the edge of the range
                    lo, hi = bootstrap_interval(b, est, ci=ci, method="percentile")
                    how = "percentile"
                if lo <= est <= hi:
                    rows[s].update(ci_low=lo, ci_high=hi)
                    rows[s]["method"] += f"; {how} bootstrap CI, {n_boot:,} resamples of units within groups"
                else:
                    rows[s]["note"] = _join(
                        rows[s]["note"], "no bootstrap CI: the resamples do not cover the estimate (edge of its range)"
                    )
    return _tidy(list(rows.values()), extra)


def _perm_stat(x: np.ndarray, codes: np.ndarray, k: int, n_perm: int, rng, kind: str) -> np.ndarray:
    """Welch F or Kruskal-Wallis H for ``n_perm`` random relabellings (group sizes kept)."""
    n = len(x)
    out = np.empty(n_perm)
    values = x if kind == "welch" else stats.rankdata(x)
    sizes = np.bincount(codes, minlength=k).astype(float)
    for start in range(0, n_perm, 5000):
        b = min(5000, n_perm - start)
        perm = np.argsort(rng.random((b, n)), axis=1)
        lab = codes[perm]
        flat = (lab + k * np.arange(b)[:, None]).ravel()
        s1 = np.bincount(flat, weights=np.tile(values, b), minlength=b * k).reshape(b, k)
        if kind == "welch":
            s2 = np.bincount(flat, weights=np.tile(values**2, b), minlength=b * k).reshape(b, k)
            m = s1 / sizes
            v = (s2 - sizes * m**2) / (sizes - 1)
            out[start : start + b] = _welch_f(m, v, sizes)[0]
        else:
            ties = np.unique(values, return_counts=True)[1].astype(float)
            corr = 1 - (ties**3 - ties).sum() / (n**3 - n)
            out[start : start + b] = (12.0 / (n * (n + 1)) * (s1**2 / sizes).sum(axis=1) - 3 * (n + 1)) / corr
    return np.where(np.isnan(out), np.inf, out)


def permutation_test(x, y, *, n_perm: int = 9999, seed=None, max_exact: int = 50_000) -> tuple[float, int, bool]:
    """Two-sided permutation test of a difference in means between two sets of units.

    Returns ``(p_value, n_permutations, exact)``: every split of the pooled units into
    groups of the observed sizes is enumerated when there are at most ``max_exact``
    (exact p = share of splits with ``|difference| >=`` the observed one); otherwise
    ``n_perm`` random splits, :math:`p = (1 + \\#)/(B + 1)`.

    >>> p, m, exact = permutation_test([1.0, 2.0, 3.0], [7.0, 8.0, 9.0])
    >>> round(p, 3), m, exact                # 2 of the 20 splits are as extreme
    (0.1, 20, True)
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    pooled = np.concatenate([x, y])
    n, nx = len(pooled), len(x)
    if nx == 0 or len(y) == 0:
        return np.nan, 0, True
    obs = abs(x.mean() - y.mean())
    total = pooled.sum()
    tol = 1e-9 * max(1.0, np.abs(pooled).max())
    n_splits = math.comb(n, nx)
    if n_splits <= max_exact:
        idx = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(n), nx)), dtype=np.int64)
        sx = pooled[idx.reshape(-1, nx)].sum(axis=1)
        diff = np.abs(sx / nx - (total - sx) / (n - nx))
        return float(np.mean(diff >= obs - tol)), int(n_splits), True
    rng = check_rng(seed)
    hits = 0
    for start in range(0, n_perm, 5000):
        b = min(5000, n_perm - start)
        perm = np.argsort(rng.random((b, n)), axis=1)[:, :nx]
        sx = pooled[perm].sum(axis=1)
        hits += int(np.sum(np.abs(sx / nx - (total - sx) / (n - nx)) >= obs - tol))
    return (1 + hits) / (n_perm + 1), int(n_perm), False


def cliffs_delta(x, y, *, n_boot: int = 2000, ci: float = 0.95, seed=None) -> pd.DataFrame:
    """Cliff's delta of ``x`` over ``y`` with a bootstrap CI, in one tidy row.

    :math:`\\delta = P(X > Y) - P(X < Y)`, estimated over all pairs; -1 to 1, 0 when
    neither group tends to score higher. ``n`` is ``len(x) + len(y)`` (units).

    Notes
    -----
    The CI is the BCa interval of :func:`kinerja.stats.bootstrap.bootstrap_interval`,
    resampling units within each group (jackknife acceleration; percentile-like without
    it when a group has one unit). :math:`\\delta = 2U/(n_x n_y) - 1` with ``U`` the
    Mann–Whitney statistic of ``x`` (ties count half).

    References
    ----------
    Cliff, N. (1993). Dominance statistics: ordinal analyses to answer ordinal
    questions. Psychological Bulletin, 114(3), 494-509.

    Examples
    --------
    >>> cliffs_delta([3, 4, 5], [1, 2, 3], n_boot=0)[["statistic", "estimate", "n"]]
           statistic  estimate  n
    0  Cliff's delta  0.888889  6
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    # +-inf are the largest and smallest values, which is all a rank statistic needs;
    # missing values are left out and counted
    n_missing = int(np.isnan(x).sum() + np.isnan(y).sum())
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    nx, ny = len(x), len(y)
    row = dict(
        statistic="Cliff's delta",
        estimate=np.nan,
        ci_low=np.nan,
        ci_high=np.nan,
        p_value=np.nan,
        n=nx + ny,
        method="share of pairs x > y minus share x < y",
        note=f"{n_missing} missing value(s) left out" if n_missing else "",
    )
    if nx == 0 or ny == 0:
        row["note"] = _join(row["note"], "a group has no units")
        return _tidy([row], [])
    with np.errstate(invalid="ignore"):  # inf - inf: two equal extremes, a tie
        dom = np.nan_to_num(np.sign(x[:, None] - y[None, :]), nan=0.0)
    est = float(dom.mean())
    row["estimate"] = est
    if n_boot > 0:
        rng = check_rng(seed)
        cx, cy = resample_counts(rng, n_boot, nx), resample_counts(rng, n_boot, ny)
        boot = ((cx @ dom) * cy).sum(axis=1) / (nx * ny)
        jack = []
        if nx > 1:
            jack += list((dom.sum() - dom.sum(axis=1)) / ((nx - 1) * ny))
        if ny > 1:
            jack += list((dom.sum() - dom.sum(axis=0)) / (nx * (ny - 1)))
        lo, hi = bootstrap_interval(boot, est, jack if jack else None, ci=ci, method="bca")
        row.update(ci_low=lo, ci_high=hi)
        row["method"] += f"; BCa bootstrap CI, {n_boot:,} resamples of units within groups"
        if nx < 3 or ny < 3:
            row["note"] = _join(row["note"], "a group has fewer than 3 units: the bootstrap CI is unreliable")
        apart = "the groups do not overlap: one is above the other in every resample"
        row["note"] = _join(row["note"], zero_width_note(lo, hi, apart if abs(est) == 1 else "the units are alike"))
    return _tidy([row], [])


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values: the same numbers as statsmodels
    ``multipletests(p, method="holm")[1]`` (checked in the tests), without the full
    garbage collection that statsmodels runs on every Holm call (about half a second each
    in a process holding many objects, such as a notebook kernel).

    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adj = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = adj
    return out


def pairwise_tests(
    units: pd.DataFrame,
    *,
    response: str = "score",
    group: str = "category",
    min_units: int = MIN_UNITS,
    adjust: str = "holm",
    n_perm: int = 9999,
    n_boot: int = 2000,
    ci: float = 0.95,
    seed=None,
) -> pd.DataFrame:
    """Every pair of groups (with at least ``min_units`` units): difference in mean unit
    score with Welch's t, an exact or permutation p-value, adjusted p-values and Cliff's
    delta.

    Returns
    -------
    DataFrame
        One row per pair ``group_a, group_b`` (a before b in sorted order):
        ``statistic`` (``"difference in mean score"``), ``estimate`` (mean of a minus mean
        of b, points), ``ci_low, ci_high`` (Welch CI), ``p_value`` (Welch t test),
        ``n`` (units in both), ``method, note``, ``n_a, n_b, t, df``,
        ``p_adjusted`` (``adjust`` over all pairs: :func:`holm`, or any other method of
        statsmodels ``multipletests``),
        ``p_perm`` (:func:`permutation_test`: exact when the splits can be enumerated),
        ``p_perm_adjusted``, ``cliffs_delta, delta_ci_low, delta_ci_high``
        (:func:`cliffs_delta`).

    Notes
    -----
    Welch's t uses :math:`se = \\sqrt{s_a^2/n_a + s_b^2/n_b}` and the Welch–Satterthwaite
    df. With groups of 3–5 units the t distribution is an approximation; the exact
    permutation p-value is the one to read. The Holm adjustment controls the familywise
    error over the pairs of one measure (Holm 1979). Groups below ``min_units`` are left
    out and named in ``note``.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics, 6(2), 65-70.
    """
    from statsmodels.stats.multitest import multipletests

    _require(units, [response, group], "pairwise_tests")
    d = units[[group]].copy()
    d[response] = _numeric(units, response, "pairwise_tests")
    d = d.dropna()
    ok, few = eligible_groups(d, group=group, min_units=min_units)
    note_few = _too_few_note(few, min_units)
    rng = check_rng(seed)
    rows = []
    for a, b in itertools.combinations(ok, 2):
        xa = d.loc[d[group].astype(object) == a, response].to_numpy(float)
        xb = d.loc[d[group].astype(object) == b, response].to_numpy(float)
        na, nb = len(xa), len(xb)
        diff = xa.mean() - xb.mean()
        va, vb = xa.var(ddof=1) / na, xb.var(ddof=1) / nb
        se = math.sqrt(va + vb)
        row = dict(
            group_a=a,
            group_b=b,
            statistic="difference in mean score",
            estimate=diff,
            n=na + nb,
            n_a=na,
            n_b=nb,
            note=note_few,
            method="Welch t test",
            t=np.nan,
            df=np.nan,
            ci_low=np.nan,
            ci_high=np.nan,
            p_value=np.nan,
        )
        if se > 0:
            df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
            t = diff / se
            q = stats.t.ppf(0.5 + ci / 2, df)
            row.update(t=t, df=df, ci_low=diff - q * se, ci_high=diff + q * se, p_value=2 * stats.t.sf(abs(t), df))
        else:
            row["note"] = _join("both groups have constant scores: no t test", note_few)
        p, m, exact = permutation_test(xa, xb, n_perm=n_perm, seed=rng)
        row["p_perm"] = p
        row["method"] += (
            f"; permutation p {'exact over all' if exact else 'from'} {m:,} {'splits' if exact else 'random splits'}"
        )
        cd = cliffs_delta(xa, xb, n_boot=n_boot, ci=ci, seed=rng).iloc[0]
        row.update(cliffs_delta=cd["estimate"], delta_ci_low=cd["ci_low"], delta_ci_high=cd["ci_high"])
        rows.append(row)
    extra = [
        "group_a",
        "group_b",
        "n_a",
        "n_b",
        "t",
        "df",
        "p_adjusted",
        "p_perm",
        "p_perm_adjusted",
        "cliffs_delta",
        "delta_ci_low",
        "delta_ci_high",
    ]
    out = _tidy(rows, extra)
    for col, adj in (("p_value", "p_adjusted"), ("p_perm", "p_perm_adjusted")):
        out[adj] = np.nan
        p = out[col].to_numpy(float)
        fin = np.isfinite(p)
        if fin.any():
            out.loc[fin, adj] = holm(p[fin]) if adjust == "holm" else multipletests(p[fin], method=adjust)[1]
    if rows:
        out["method"] = out["method"] + f"; {adjust} adjustment over {len(rows)} pair(s)"
    for c in extra[2:]:
        if c not in ("n_a", "n_b"):
            out[c] = out[c].astype("float64")
    return out[["group_a", "group_b", *TIDY, *extra[2:]]]


# ----------------------------------------------------------------------------------------
# Ordinal regression of the grade on the group
# ----------------------------------------------------------------------------------------


#: A log odds ratio beyond this (an odds ratio beyond about 3 million) is a fit running
#: off to infinity under separation, not an estimate.
_SEPARATED_LOG_OR = 15.0


def ordinal_regression(
    units: pd.DataFrame,
    *,
    outcome: str = "grade",
    group: str = "category",
    order: Sequence | None = None,
    reference=None,
    min_units: int = MIN_UNITS,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Proportional-odds (ordinal logistic) regression of a grade on the group.

    Parameters
    ----------
    units : DataFrame
        One row per unit.
    outcome : str
        Ordered outcome (an ordered categorical, or give ``order``).
    group : str
        Group column; treatment-coded against ``reference``.
    order : sequence, optional
        Outcome levels worst to best (default: the categorical's order).
    reference : optional
        Reference group (default: the largest eligible group).
    min_units : int
        Groups with fewer units are left out (rows with :data:`TOO_FEW`).
    ci : float
        Level of the Wald intervals.

    Returns
    -------
    DataFrame
        One row per group other than the reference: ``group``, ``statistic``
        (``"odds ratio vs <reference>"``), ``estimate`` (odds of a better grade relative
        to the reference), ``ci_low, ci_high`` (Wald, exponentiated), ``p_value`` (Wald
        z), ``n`` (units in the group), ``method, note``, ``coef, se``; then a
        ``likelihood-ratio test`` row (``estimate`` = LR chi-square, ``df``, p against the
        model without groups, ``n`` = units in the fit).

    Notes
    -----
    The model is :math:`\\mathrm{logit}\\,P(Y \\le j) = \\theta_j - \\beta_{g}` (statsmodels
    ``OrderedModel``, logit link; the same parameterisation as R's ``MASS::polr``), so
    :math:`e^{\\beta_g} > 1` means better grades than the reference. With two grade
    levels it is the logistic regression. A group whose units all got the lowest or all
    the highest grade used has no finite maximum-likelihood estimate (separation): it
    gets NaN with that reason and its units are left out of the fit. Wald intervals are
    poor with few units per group; read them together with the exact test of the table.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B, 42(2), 109-142.

    Examples
    --------
    >>> d = pd.DataFrame({"category": ["D"] * 6 + ["B"] * 5,
    ...                   "grade": pd.Categorical(list("AABBBB") + list("AAABB"), ["B", "A"], ordered=True)})
    >>> t = ordinal_regression(d)
    >>> t[["group", "statistic", "estimate"]].round(3).to_dict("records")  # R glm: OR 3, LR 0.790
    [{'group': 'B', 'statistic': 'odds ratio vs D', 'estimate': 3.0}, {'group': 'all', 'statistic': 'likelihood-ratio test', 'estimate': 0.79}]
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    _require(units, [outcome, group], "ordinal_regression")
    d = units[[group, outcome]].dropna()
    if order is None:
        if not (isinstance(d[outcome].dtype, pd.CategoricalDtype) and d[outcome].cat.ordered):
            raise CompareInputError(f"ordinal_regression: column {outcome!r} is not ordered; give order=")
        order = list(d[outcome].cat.categories)
    y_all = d[outcome].astype(object)
    bad = ~y_all.isin(list(order))
    if bad.any():
        raise CompareInputError(
            f"ordinal_regression: {outcome!r} value(s) {sorted(set(y_all[bad]))} not in order {list(order)}"
        )
    used = [lev for lev in order if (y_all == lev).any()]
    ok, few = eligible_groups(d, group=group, min_units=min_units)
    g_all = d[group].astype(object)
    rows: list[dict] = []
    extra = ["group", "coef", "se", "df"]

    def empty(name, note, n):
        return dict(group=name, statistic="odds ratio", estimate=np.nan, n=n, note=note, method="", p_value=np.nan)

    for name, size in few.items():
        rows.append(empty(name, f"{TOO_FEW} (fewer than {min_units} units)", size))
    lr = dict(group="all", statistic="likelihood-ratio test", estimate=np.nan, n=0, p_value=np.nan, method="", note="")
    if len(used) < 2 or len(ok) < 2:
        why = (
            f"every unit got the same {outcome} ({used[0] if used else '-'}): no ordering to model"
            if len(used) < 2
            else f"fewer than 2 groups with at least {min_units} units"
        )
        rows += [empty(name, why, int((g_all == name).sum())) for name in ok]
        lr["note"] = why
        return _tidy(rows + [lr], extra).pipe(lambda t: t[["group", *TIDY, "coef", "se", "df"]])
    separated = {}
    for name in ok:
        ys = y_all[g_all == name]
        if (ys == used[0]).all() or (ys == used[-1]).all():
            separated[name] = ys.iloc[0]
    fit_groups = [gname for gname in ok if gname not in separated]
    sizes = {gname: int((g_all == gname).sum()) for gname in fit_groups}
    if reference is None and fit_groups:
        reference = max(fit_groups, key=lambda gname: (sizes[gname], str(gname)))
    for name, lev in separated.items():
        rows.append(
            empty(
                name,
                f"every unit in {name} got {lev}: the odds ratio is not finite (separation); left out of the fit",
                int((g_all == name).sum()),
            )
        )
    if len(fit_groups) < 2 or reference not in fit_groups:
        lr["note"] = "fewer than 2 groups without separation: no model to fit"
        rows += [empty(name, lr["note"], sizes[name]) for name in fit_groups if name != reference]
        return _tidy(rows + [lr], extra).pipe(lambda t: t[["group", *TIDY, "coef", "se", "df"]])
    keep = g_all.isin(fit_groups).to_numpy()
    y = y_all[keep]
    used_fit = [lev for lev in order if (y == lev).any()]
    y = pd.Series(pd.Categorical(y, categories=used_fit, ordered=True))
    others = [gname for gname in fit_groups if gname != reference]
    gk = g_all[keep].to_numpy()
    exog = pd.DataFrame({f"g{i}": (gk == gname).astype(float) for i, gname in enumerate(others)})
    model = OrderedModel(y, exog, distr="logit")
    res = None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            res = model.fit(method="newton", disp=False, maxiter=200)
            converged = bool(res.mle_retvals.get("converged", False)) and np.all(np.isfinite(res.bse))
            if not converged:
                res = model.fit(method="bfgs", disp=False, maxiter=5000, gtol=1e-10)
                converged = bool(res.mle_retvals.get("converged", False))
        except (np.linalg.LinAlgError, OverflowError, ValueError, FloatingPointError):
            res = None
    coefs = np.array([float(res.params[f"g{i}"]) for i in range(len(others))]) if res is not None else None
    if res is None or not (
        np.all(np.isfinite(coefs))
        and np.all(np.isfinite([float(res.bse[f"g{i}"]) for i in range(len(others))]))
        and np.all(np.abs(coefs) <= _SEPARATED_LOG_OR)
    ):
        # groups whose grades do not overlap (each above or below another, not only at
        # the ends of the scale): the likelihood grows without bound as odds ratios run
        # to 0 or infinity, and the fit fails (a singular Hessian) or diverges
        lr["note"] = (
            "no finite estimate: the groups' grades hardly overlap (separation), so the odds ratios run to 0 or "
            "infinity; the exact test of the table still applies"
        )
        rows += [empty(name, lr["note"], sizes[name]) for name in others]
        return _tidy(rows + [lr], extra).pipe(lambda t: t[["group", *TIDY, "coef", "se", "df"]])
    counts = y.value_counts().to_numpy(float)
    llnull = float((counts[counts > 0] * np.log(counts[counts > 0] / counts.sum())).sum())
    z = stats.norm.ppf(0.5 + ci / 2)
    for i, name in enumerate(others):
        b, se = float(res.params[f"g{i}"]), float(res.bse[f"g{i}"])
        rows.append(
            dict(
                group=name,
                statistic=f"odds ratio vs {reference}",
                estimate=math.exp(b),
                ci_low=math.exp(b - z * se),
                ci_high=math.exp(b + z * se),
                p_value=float(2 * stats.norm.sf(abs(b / se))),
                n=sizes[name],
                coef=b,
                se=se,
                method=f"proportional-odds logit (statsmodels OrderedModel), Wald {ci:.0%} CI",
                note="" if converged else "the optimiser did not converge",
            )
        )
    stat = 2 * (float(res.llf) - llnull)
    lr.update(
        estimate=stat,
        df=len(others),
        p_value=float(stats.chi2.sf(stat, len(others))),
        n=int(keep.sum()),
        method=f"likelihood ratio against thresholds only ({len(used_fit)} {outcome} levels)",
        note=_join(
            f"reference group {reference} ({sizes[reference]} units)",
            _too_few_note(few, min_units),
            ("left out (separation): " + ", ".join(map(str, separated))) if separated else "",
        ),
    )
    out = _tidy(rows + [lr], extra)
    return out[["group", *TIDY, "coef", "se", "df"]]


# ----------------------------------------------------------------------------------------
# Mixed model: group effects without and with juror effects
# ----------------------------------------------------------------------------------------


def group_effects(
    data: pd.DataFrame,
    *,
    response: str = "score",
    group: str = "category",
    unit: str = "subject_id",
    juror: str = "juror_id",
    reference=None,
    min_units: int = MIN_UNITS,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Group effects on juror-level scores, unadjusted and adjusted for juror severity.

    Two linear mixed models are fitted by REML with :func:`kinerja.stats.varcomp.fit_reml`:

    * ``unadjusted``: ``score ~ group + (1 | unit)``: the group difference in unit
      scores, jurors ignored;
    * ``adjusted``: ``score ~ group + (1 | unit) + (1 | juror)``: jurors' severity is a
      crossed random effect, so a group scored mostly by harsh jurors is not mistaken for
      a weaker group.

    Parameters
    ----------
    data : DataFrame
        One row per unit and juror (a juror's total or component score of a unit), with
        the unit's group.
    response, group, unit, juror : str
        Columns.
    reference : optional
        Reference group (default: the eligible group with most units).
    min_units : int
        Groups with fewer units are left out of both models (rows with :data:`TOO_FEW`).
    ci : float
        Level of the Wald intervals.

    Returns
    -------
    DataFrame
        Per model (``model`` = ``unadjusted`` / ``adjusted``): one row per non-reference
        group (``statistic`` = ``"difference from <reference>"``, ``estimate`` in points,
        Wald CI, z, p) and a ``Wald test`` row (``estimate`` = chi-square, ``df``, p: all
        groups equal); ``n`` = units, ``n_obs`` = score rows, ``n_jurors``; ``se, z``;
        ``juror_sd`` and ``unit_sd`` (the model's random-effect SDs) for reading.

    Notes
    -----
    Group is a between-unit factor, so its effects are estimated from differences
    between units, and the unit random effect makes units, not score rows, the units of
    inference. Without the juror term a juror's severity stays in the residual and, when
    jurors do not score every group alike, in the group means; with it, each juror's
    offset is estimated from all the units they scored. When every juror scores every
    unit the two models give the same group differences (jurors' offsets cancel) and
    only the standard errors change. Wald z intervals have no small-sample correction
    (see :func:`kinerja.stats.varcomp.fit_reml`).

    References
    ----------
    Patterson, H. D., & Thompson, R. (1971). Recovery of inter-block information when
    block sizes are unequal. Biometrika, 58(3), 545-554.
    """
    from .varcomp import fit_reml

    _require(data, [response, group, unit, juror], "group_effects")
    d = data[[group, unit, juror]].copy()
    d[response] = _numeric(data, response, "group_effects")
    d = d.dropna(subset=[response, group])
    n_missing = len(data) - len(d)
    ok, few = eligible_groups(d, group=group, unit=unit, min_units=min_units)
    rows: list[dict] = []
    extra = ["model", "group", "reference", "se", "z", "df", "n_obs", "n_jurors", "unit_sd", "juror_sd"]
    for name, size in few.items():
        for model in ("unadjusted", "adjusted"):
            rows.append(
                dict(
                    model=model,
                    group=name,
                    statistic="difference",
                    estimate=np.nan,
                    n=size,
                    note=f"{TOO_FEW} (fewer than {min_units} units)",
                    method="",
                )
            )
    d = d[d[group].astype(object).isin(ok)]
    if len(ok) < 2:
        why = f"fewer than 2 groups with at least {min_units} units"
        for model in ("unadjusted", "adjusted"):
            rows.append(
                dict(model=model, group="all", statistic="Wald test", estimate=np.nan, n=0, note=why, method="")
            )
        return _tidy(rows, extra)[["model", "group", *TIDY, *extra[2:]]]
    sizes = d.groupby(group, observed=True)[unit].nunique()
    sizes.index = sizes.index.astype(object)
    if reference is None:
        reference = max(ok, key=lambda gname: (int(sizes[gname]), str(gname)))
    if reference not in ok:
        raise CompareInputError(f"group_effects: reference {reference!r} is not one of the compared groups {ok}")
    # fit_reml codes contrasts against the first level in sorted order: relabel so that
    # the reference sorts first
    ordered = [reference] + [gname for gname in ok if gname != reference]
    code = {gname: f"g{i:03d}" for i, gname in enumerate(ordered)}
    back = {v: k for k, v in code.items()}
    d = d.assign(_group=d[group].astype(object).map(code))
    n_units = d[unit].nunique()
    n_jurors = d[juror].nunique()
    for model, random in (("unadjusted", [unit]), ("adjusted", [unit, juror])):
        base_note = f"{n_missing} row(s) without a score left out" if n_missing else ""
        if model == "adjusted" and n_jurors < 2:
            rows.append(
                dict(
                    model=model,
                    group="all",
                    statistic="Wald test",
                    estimate=np.nan,
                    n=n_units,
                    n_obs=len(d),
                    n_jurors=n_jurors,
                    method="",
                    note="one juror: juror severity cannot be separated from anything",
                )
            )
            continue
        fit = fit_reml(d, response=response, random=random, fixed=["_group"], ci=ci)
        comp = fit.components.set_index("component")
        usd = float(comp.loc[unit, "sd"]) if unit in comp.index else np.nan
        jsd = float(comp.loc[juror, "sd"]) if juror in comp.index else np.nan
        method = f"REML mixed model score ~ {group} + (1|unit)" + (" + (1|juror)" if model == "adjusted" else "")
        common = dict(
            model=model,
            reference=reference,
            n_obs=int(fit.n_obs),
            n_jurors=n_jurors,
            unit_sd=usd,
            juror_sd=jsd,
            method=method + f", Wald {ci:.0%} CI",
        )
        fe = fit.fixed_effects
        fe = fe[fe["term"] == "_group"]
        for _, r in fe.iterrows():
            name = back.get(str(r["level"]), r["level"])
            rows.append(
                dict(
                    common,
                    group=name,
                    statistic=f"difference from {reference}",
                    estimate=float(r["estimate"]),
                    se=float(r["se"]),
                    ci_low=float(r["ci_low"]),
                    ci_high=float(r["ci_high"]),
                    z=float(r["z"]),
                    p_value=float(r["p_value"]),
                    n=int(sizes[name]),
                    note=_join(str(r.get("note", "") or ""), base_note),
                )
            )
        w = fit.wald
        w = w[w["term"] == "_group"]
        if len(w):
            w = w.iloc[0]
            rows.append(
                dict(
                    common,
                    group="all",
                    statistic="Wald test",
                    estimate=float(w["chi2"]),
                    df=float(w["df"]),
                    p_value=float(w["p_value"]),
                    n=n_units,
                    note=_join(str(w.get("note", "") or ""), fit.note, base_note, _too_few_note(few, min_units)),
                )
            )
    out = _tidy(rows, extra)
    return out[["model", "group", *TIDY, *extra[2:]]]
