"""Generalizability theory: G studies and D studies in Brennan's notation.

``g_study(data, "p x (r:t)")`` estimates the variance components of a crossed and/or
nested design of single-letter facets, labelled as Brennan (2001) labels them (``p``,
``t``, ``r:t``, ``pt``, ``pr:t``), and gives the generalizability coefficient Eρ² and
the dependability coefficient Φ for the sample sizes observed. The result's
``d_study(n={...})`` gives them for other sample sizes (a grid of them for a plot) and
``smallest_design(target=...)`` the cheapest design that reaches a target.

The variance components come from the shared engine :mod:`kinerja.stats.varcomp`:
expected mean squares (ANOVA) for balanced data, Henderson's method 1 (Brennan's
analogous ANOVA, as urGENOVA) or REML for unbalanced data.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kinerja.stats.varcomp._anova import RESIDUAL, VarCompInputError, fit_anova

__all__ = ["Design", "Effect", "GStudy", "GTheoryInputError", "g_study", "parse_design"]

_RESPONSE = "value"  # internal response column; facet columns are single letters
_METHODS = ("auto", "anova", "henderson1", "reml")
_STAT_SYMBOLS = {
    "universe_score_var": "σ²(τ)",
    "relative_error_var": "σ²(δ)",
    "absolute_error_var": "σ²(Δ)",
    "sem_relative": "σ(δ)",
    "sem_absolute": "σ(Δ)",
    "e_rho2": "Eρ²",
    "phi": "Φ",
}


class GTheoryInputError(VarCompInputError):
    """Raised when a design or the data given to a G study cannot be used as given."""


# --------------------------------------------------------------------------------------
# designs


@dataclass(frozen=True)
class Effect:
    """One effect (variance component) of a design.

    ``primary`` are the letters before the colon, ``nesting`` those after it, both in the
    order the facets appear in the design; ``index`` is their union (the columns whose
    combinations are the effect's levels).
    """

    primary: tuple[str, ...]
    nesting: tuple[str, ...]

    @property
    def index(self) -> frozenset[str]:
        return frozenset(self.primary) | frozenset(self.nesting)

    @property
    def label(self) -> str:
        head = "".join(self.primary)
        return head + (":" + "".join(self.nesting) if self.nesting else "")


@dataclass(frozen=True)
class Design:
    """A G-study design parsed from Brennan's notation (see :func:`parse_design`)."""

    text: str
    facets: tuple[str, ...]
    nested_in: Mapping[str, frozenset[str]]
    effects: tuple[Effect, ...]

    @property
    def residual(self) -> Effect:
        """The effect that contains every facet: the highest interaction, confounded with error."""
        return self.effects[-1]

    def order(self, letters: Iterable[str]) -> tuple[str, ...]:
        s = set(letters)
        return tuple(f for f in self.facets if f in s)


def parse_design(design: str) -> Design:
    """Parse a design in Brennan's notation.

    ``x`` (or ``×``, ``*``) crosses, ``:`` nests (``r:t`` = raters nested within tasks;
    ``a:b:c`` = ``a:(b:c)``), parentheses group; facets are single letters (case is
    ignored, so ``"p x (R:T)"`` is ``"p x (r:t)"``). The effects are every set of facets
    none of which is nested in another of the set, each followed after a colon by the
    facets its members are nested in (Brennan 2001, sec. 3.1).

    Examples
    --------
    >>> [e.label for e in parse_design("p x (r:t)").effects]
    ['p', 't', 'r:t', 'pt', 'pr:t']
    >>> [e.label for e in parse_design("(p:c) x i").effects]
    ['c', 'i', 'p:c', 'ci', 'pi:c']
    """
    if not isinstance(design, str) or not design.strip():
        raise GTheoryInputError(f"design must be a string in Brennan's notation such as 'p x i', got {design!r}")
    tokens = []
    for ch in design.replace("×", "x").replace("*", "x"):
        if ch.isspace():
            continue
        if ch in "():":
            tokens.append(ch)
        elif ch.lower() == "x":
            tokens.append("x")
        elif ch.isalpha() and ch.isascii():
            tokens.append(ch.lower())
        else:
            raise GTheoryInputError(f"design {design!r}: unexpected character {ch!r}; use letters, 'x', ':' and ()")
    for a, b in itertools.pairwise(tokens):
        if a.isalpha() and a != "x" and b.isalpha() and b != "x":
            raise GTheoryInputError(
                f"design {design!r}: facets are single letters joined by ' x ' or ':' (found {a!r}{b!r})"
            )
    pos = 0
    order: list[str] = []
    nested: dict[str, set[str]] = {}

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take(expected=None):
        nonlocal pos
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            want = repr(expected) if expected else "a facet"
            raise GTheoryInputError(f"design {design!r}: expected {want} at position {pos + 1} of its tokens")
        pos += 1
        return tok

    def atom() -> list[str]:
        tok = peek()
        if tok == "(":
            take("(")
            inner = cross()
            take(")")
            return inner
        tok = take()
        if tok in ("x", ":", ")"):
            raise GTheoryInputError(f"design {design!r}: expected a facet letter, found {tok!r}")
        if tok in nested:
            raise GTheoryInputError(f"design {design!r}: facet {tok!r} appears twice")
        nested[tok] = set()
        order.append(tok)
        return [tok]

    def nest() -> list[str]:
        groups = [atom()]
        while peek() == ":":
            take(":")
            groups.append(atom())
        for j, g in enumerate(groups):
            for f in g:
                for outer in groups[j + 1 :]:
                    nested[f].update(outer)
        return [f for g in groups for f in g]

    def cross() -> list[str]:
        out = nest()
        while peek() == "x":
            take("x")
            out += nest()
        return out

    cross()
    if pos != len(tokens):
        raise GTheoryInputError(f"design {design!r}: unexpected {tokens[pos]!r} (unbalanced parentheses?)")
    # transitive closure of nesting
    changed = True
    while changed:
        changed = False
        for f in order:
            extra = set().union(*(nested[g] for g in nested[f])) - nested[f]
            if extra:
                nested[f] |= extra
                changed = True
    rank = {f: j for j, f in enumerate(order)}
    effects = []
    for size in range(1, len(order) + 1):
        for subset in itertools.combinations(order, size):
            if any(f in nested[g] for f in subset for g in subset):
                continue
            outer = set().union(*(nested[f] for f in subset))
            effects.append(Effect(tuple(subset), tuple(sorted(outer, key=rank.get))))
    effects.sort(key=lambda e: (len(e.index), len(e.primary), sorted(rank[f] for f in e.index)))
    text = _render(order, nested) or " ".join(design.split())
    return Design(text, tuple(order), {f: frozenset(nested[f]) for f in order}, tuple(effects))


def _render(order: list[str], nested: dict[str, set[str]]) -> str | None:
    """A normalised spelling (crossed parts joined by ' x ', nesting 'a:b'), or None when
    the nesting cannot be written as one such expression."""

    def components(members: list[str]) -> list[list[str]]:
        groups: list[list[str]] = []
        for f in members:
            linked = [g for g in groups if any(f in nested[h] or h in nested[f] for h in g)]
            merged = [h for g in linked for h in g] + [f]
            groups = [g for g in groups if g not in linked] + [sorted(merged, key=order.index)]
        return sorted(groups, key=lambda g: order.index(g[0]))

    def block(members: list[str]) -> str | None:
        parts = components(members)
        if len(parts) > 1:
            texts = [block(g) for g in parts]
            if any(t is None for t in texts):
                return None
            return " x ".join(f"({t})" if ":" in t else t for t in texts)
        outer = [f for f in members if not (nested[f] & set(members))]
        inner = [f for f in members if f not in outer]
        if not inner:
            return " x ".join(outer)
        if any(not set(outer) <= nested[f] for f in inner):
            return None
        head = block(inner)
        if head is None:
            return None
        head = f"({head})" if " x " in head else head
        tail = " x ".join(outer)
        return f"{head}:({tail})" if len(outer) > 1 else f"{head}:{tail}"

    return block(list(order))


# --------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True)
class GStudy:
    """Result of :func:`g_study`.

    Attributes
    ----------
    components : DataFrame
        One row per variance component in Brennan's labels: ``component``, ``variance``
        (the estimate, negative values kept), ``variance_used`` (what D studies use:
        negative estimates set to zero, Brennan's convention), ``sd``, ``share`` (of the
        sum of ``variance_used``), ``n_levels``, ``df``, ``ss``, ``ms``, ``ems`` (the
        expected mean square, e.g. ``"pr:t + 4 pt"``; ANOVA and Henderson's method 1
        only), ``method`` and ``note``.
    coefficients : DataFrame
        ``statistic, symbol, estimate, method, note`` for the observed sample sizes:
        universe-score variance σ²(τ), relative and absolute error variances σ²(δ),
        σ²(Δ), their square roots, Eρ² and Φ.
    ems : DataFrame or None
        The expected-mean-square coefficients (row: mean square, column: component).
    design : Design
    facets : dict
        Facet letter -> data column.
    object_of_measurement : str
    differentiation : tuple of str
        The object of measurement and the facets it is nested in (their effects make up
        the universe score).
    fixed : tuple of str
        Fixed facets (the universe of generalization holds only their observed levels).
    method : str
        ``"anova"``, ``"henderson1"`` or ``"reml"``.
    balanced : bool
    n_obs : int
    n_levels : dict
        Levels of each facet per cell of the facets it is nested in (a mean if unequal).
    note : str
    """

    components: pd.DataFrame
    coefficients: pd.DataFrame
    ems: pd.DataFrame | None
    design: Design
    facets: dict[str, str]
    object_of_measurement: str
    differentiation: tuple[str, ...]
    fixed: tuple[str, ...]
    method: str
    balanced: bool
    n_obs: int
    n_levels: dict[str, float]
    note: str = ""
    _observed_weights: dict[str, float] = field(default_factory=dict, repr=False)

    # -- convenience --------------------------------------------------------------------
    @property
    def e_rho2(self) -> float:
        """Generalizability coefficient Eρ² for the observed sample sizes."""
        return float(self.coefficients.set_index("statistic").loc["e_rho2", "estimate"])

    @property
    def phi(self) -> float:
        """Dependability coefficient Φ for the observed sample sizes."""
        return float(self.coefficients.set_index("statistic").loc["phi", "estimate"])

    @property
    def generalization_facets(self) -> tuple[str, ...]:
        """Random facets of generalization: the facets a D study samples anew."""
        return tuple(f for f in self.design.facets if f not in self.differentiation and f not in self.fixed)

    # -- D studies ------------------------------------------------------------------------
    def d_study(self, n: Mapping[str, int | Iterable[int]] | None = None, *, design: str | None = None) -> pd.DataFrame:
        """Error variances, Eρ² and Φ for other sample sizes (and, optionally, another design).

        Parameters
        ----------
        n : dict, optional
            D-study sample size of each facet of generalization, per cell of the facets
            it is nested in (``{"t": 3, "r": 4}`` for four raters in each of three tasks).
            A list or range gives every combination (a grid for a plot). A facet not
            named keeps its G-study size (the mean, rounded, if it was unequal). A fixed
            facet's size is the size of its universe; changing it is allowed and noted.
        design : str, optional
            A D-study design that nests facets the G study crossed, e.g. ``"(r:p) x i"``
            (a different set of jurors for every unit) from a ``"p x r x i"`` G study. Each
            D-study component is the sum of the G-study components it confounds
            (σ²(r:p) = σ²(r) + σ²(pr); Brennan 2001, sec. 4.3). A facet the G study nested
            cannot be crossed in the D study.

        Returns
        -------
        DataFrame
            One row per design: ``n_<facet>`` for every facet other than the object of
            measurement, ``obs_per_object`` (scores per object of measurement),
            ``universe_score_var``, ``relative_error_var``, ``absolute_error_var``,
            ``sem_relative``, ``sem_absolute``, ``e_rho2``, ``phi``, ``note``.

        Notes
        -----
        A D-study component is ``σ²(α̅) = σ²(α) / π``, ``π`` the product of the D-study
        sizes of the facets of ``α`` other than the object of measurement (and the
        facets it is nested in). Universe-score variance sums the components whose facets
        are all of the object of measurement or fixed; relative error those with the
        object of measurement and a random facet of generalization; absolute error adds
        those with a random facet of generalization but not the object of measurement
        (Brennan 2001, sec. 4.1-4.4). Eρ² = σ²(τ) / (σ²(τ) + σ²(δ)) and
        Φ = σ²(τ) / (σ²(τ) + σ²(Δ)). Components with negative estimates enter as zero.
        """
        n = dict(n or {})
        view = self._view(design)
        unknown = set(n) - set(view.design.facets)
        if unknown:
            raise GTheoryInputError(f"n names facet(s) {sorted(unknown)} not in the design {view.design.text!r}")
        inside = set(n) & set(view.differentiation)
        if inside:
            raise GTheoryInputError(
                f"n names {sorted(inside)}: the object of measurement (and facets it is nested in) has no D-study size"
            )
        others = [f for f in view.design.facets if f not in view.differentiation]
        grid_axes = {}
        for f in others:
            v = n.get(f, round(self.n_levels[f]))
            vals = [v] if np.isscalar(v) else list(v)
            if not vals or any((not float(x).is_integer()) or x < 1 for x in vals):
                raise GTheoryInputError(f"n[{f!r}] must be whole numbers >= 1, got {v!r}")
            grid_axes[f] = np.asarray(vals, dtype=float)
        mesh = np.meshgrid(*grid_axes.values(), indexing="ij") if grid_axes else []
        sizes = {f: m.ravel() for f, m in zip(grid_axes, mesh)}
        rows = len(next(iter(sizes.values()))) if sizes else 1
        out = pd.DataFrame({f"n_{f}": sizes[f].astype(int) for f in others}) if sizes else pd.DataFrame(index=[0])
        coef = self._coefficients(sizes, rows, view)
        out["obs_per_object"] = np.prod([sizes[f] for f in others], axis=0).astype(int) if others else 1
        for k, v in coef.items():
            if k != "note":
                out[k] = v
        note = _join(view.note, coef["note"])
        changed = [f for f in self.fixed if f in n and np.any(grid_axes[f] != self.n_levels[f])]
        if changed:
            note = _join(note, f"fixed facet(s) {changed}: the D-study size is the size of the universe")
        out["note"] = note
        return out.reset_index(drop=True)

    def smallest_design(
        self,
        target: float,
        *,
        coefficient: str = "phi",
        max_n: int | Mapping[str, int] = 50,
        cost: Callable[[dict], float] | Mapping[str, float] | None = None,
        n: Mapping[str, int] | None = None,
        design: str | None = None,
    ) -> pd.DataFrame:
        """The cheapest D study whose coefficient reaches ``target``.

        Parameters
        ----------
        target : float
            The value of Φ (or Eρ²) to reach.
        coefficient : {"phi", "e_rho2"}
        max_n : int or dict
            Largest size tried for each random facet of generalization (one for all, or
            per facet). Sizes 1..max_n are searched exhaustively.
        cost : None, dict or callable
            ``None``: the number of scores per object of measurement. A dict
            ``{facet: cost of one level}``: the sum over facets of that cost times the
            number of levels used per object (``n_r * n_t`` raters for four raters in
            each of three tasks). A callable takes ``{facet: size}`` and returns a number.
        n : dict, optional
            Sizes to hold fixed (not searched).
        design : str, optional
            A D-study design (see :meth:`d_study`).

        Returns
        -------
        DataFrame
            One row: the :meth:`d_study` columns plus ``cost``, ``target``,
            ``coefficient``, ``reached``. Ties in cost go to the larger coefficient.
            When no design in the grid reaches the target, the sizes are missing,
            ``reached`` is false and ``note`` gives the limit of the coefficient as every
            size grows (reached only if it exceeds the target).
        """
        if coefficient not in ("phi", "e_rho2"):
            raise GTheoryInputError(f"coefficient must be 'phi' or 'e_rho2', got {coefficient!r}")
        if not 0 < target < 1:
            raise GTheoryInputError(f"target must be between 0 and 1, got {target!r}")
        held = dict(n or {})
        view = self._view(design)
        search = [
            f for f in view.design.facets if f not in view.differentiation and f not in self.fixed and f not in held
        ]
        grid = dict(held)
        for f in search:
            top = max_n.get(f, 50) if isinstance(max_n, Mapping) else max_n
            grid[f] = range(1, int(top) + 1)
        table = self.d_study(grid, design=design)
        sizes = {f: table[f"n_{f}"].to_numpy() for f in view.design.facets if f"n_{f}" in table}
        if cost is None:
            c = table["obs_per_object"].to_numpy(dtype=float)
        elif isinstance(cost, Mapping):
            bad = set(cost) - set(sizes)
            if bad:
                raise GTheoryInputError(f"cost names facet(s) {sorted(bad)} that a D study does not sample")
            c = np.zeros(len(table))
            for f, unit in cost.items():
                levels = sizes[f].astype(float)
                for g in view.design.nested_in[f]:
                    if g in sizes:
                        levels = levels * sizes[g]
                c += unit * levels
        elif callable(cost):
            c = np.array([float(cost({f: int(v[j]) for f, v in sizes.items()})) for j in range(len(table))])
        else:
            raise GTheoryInputError("cost must be None, a dict {facet: cost per level} or a callable")
        table["cost"] = c
        table["target"] = target
        table["coefficient"] = coefficient
        ok = table[coefficient].to_numpy() >= target
        if ok.any():
            cand = table[ok].sort_values(["cost", coefficient], ascending=[True, False], kind="stable")
            best = cand.iloc[[0]].copy()
            best["reached"] = True
            return best.reset_index(drop=True)
        limit = self._limit(coefficient, view)
        best = table.iloc[[0]].copy()
        for col in best.columns:
            if col.startswith("n_") or col in ("obs_per_object", "cost"):
                best[col] = pd.NA
        for col in ("universe_score_var", "relative_error_var", "absolute_error_var", "sem_relative"):
            best[col] = np.nan
        best[["sem_absolute", "e_rho2", "phi"]] = np.nan
        best["reached"] = False
        best["note"] = (
            f"no design with sizes up to max_n reaches {coefficient} = {target}; "
            f"as every size grows {coefficient} tends to {limit:.4g}"
        )
        return best.reset_index(drop=True)

    # -- internals ------------------------------------------------------------------------
    def _view(self, design: str | None) -> _DView:
        """The components as a D-study design sees them (the G-study design by default)."""
        used = self.components.set_index("component")["variance_used"]
        if design is None:
            return _DView(self.design, used.to_dict(), self.differentiation, observed=True)
        dd = parse_design(design)
        if set(dd.facets) != set(self.design.facets):
            raise GTheoryInputError(
                f"the D-study design {dd.text!r} must have the facets of the G study {self.design.text!r}"
            )
        crossed = [f for f in dd.facets if not self.design.nested_in[f] <= dd.nested_in[f]]
        if crossed:
            raise GTheoryInputError(
                f"the D-study design {dd.text!r} crosses facet(s) {crossed} that the G study "
                f"{self.design.text!r} nested: the G study cannot separate those components"
            )
        by_index = {e.index: e.label for e in dd.effects}
        sums: dict[str, float] = dict.fromkeys(by_index.values(), 0.0)
        parts: dict[str, list[str]] = {lab: [] for lab in by_index.values()}
        for e in self.design.effects:
            closure = frozenset(e.index).union(*(dd.nested_in[f] for f in e.index))
            target = by_index[closure]
            sums[target] += float(used[e.label])
            parts[target].append(e.label)
        merged = [f"σ²({k}) = " + " + ".join(f"σ²({p})" for p in v) for k, v in parts.items() if len(v) > 1]
        obj = self.object_of_measurement
        diff = dd.order({obj} | dd.nested_in[obj])
        note = f"D-study design {dd.text}" + (": " + "; ".join(merged) if merged else "")
        return _DView(dd, sums, diff, observed=False, note=note)

    def _coefficients(self, sizes: dict[str, np.ndarray] | None, rows: int, view: _DView | None = None) -> dict:
        """τ, δ, Δ, Eρ², Φ for D-study sizes (arrays over a grid), or as observed (sizes=None)."""
        view = view or self._view(None)
        d, fixed = set(view.differentiation), set(self.fixed)
        acc = {r: np.zeros(rows) for r in ("tau", "delta", "Delta")}
        missing = []
        for e in view.design.effects:
            idx = e.index
            has_d, has_r = bool(idx & d), bool(idx - d - fixed)
            if not has_d and not has_r:
                continue  # only fixed facets: constant over objects and over replications
            role = "tau" if not has_r else "delta" if has_d else "Delta"
            v = float(view.variances[e.label])
            if not np.isfinite(v):
                missing.append(e.label)
            if sizes is None:
                w = np.full(rows, self._observed_weights[e.label])
            else:
                w = np.ones(rows)
                for f in idx - d:
                    w = w / sizes[f]
            acc[role] = acc[role] + v * w
        tau, delta = acc["tau"], acc["delta"]
        big_delta = delta + acc["Delta"]
        with np.errstate(divide="ignore", invalid="ignore"):
            e_rho2 = np.where(tau + delta > 0, tau / (tau + delta), np.nan)
            phi = np.where(tau + big_delta > 0, tau / (tau + big_delta), np.nan)
        notes = []
        if missing:
            notes.append(f"not estimable: σ²({'), σ²('.join(missing)}) (see the components' notes)")
        elif np.any(tau + big_delta == 0):
            notes.append("universe-score and error variances are all zero: the coefficients are undefined")
        return {
            "universe_score_var": tau,
            "relative_error_var": delta,
            "absolute_error_var": big_delta,
            "sem_relative": np.sqrt(delta),
            "sem_absolute": np.sqrt(big_delta),
            "e_rho2": e_rho2,
            "phi": phi,
            "note": "; ".join(notes),
        }

    def _limit(self, coefficient: str, view: _DView | None = None) -> float:
        """Eρ² or Φ as every random facet's size grows without bound."""
        view = view or self._view(None)
        big = {f: np.array([1e12]) for f in view.design.facets if f not in view.differentiation}
        for f in self.fixed:
            big[f] = np.array([self.n_levels[f]])
        return float(self._coefficients(big, 1, view)[coefficient][0])


@dataclass(frozen=True)
class _DView:
    design: Design
    variances: dict[str, float]
    differentiation: tuple[str, ...]
    observed: bool
    note: str = ""


def _join(a: str, b: str) -> str:
    return "; ".join(x for x in (a, b) if x)


# --------------------------------------------------------------------------------------
# the G study


def g_study(
    data: pd.DataFrame,
    design: str,
    *,
    facets: Mapping[str, str] | None = None,
    value: str = "score",
    method: str = "auto",
    fixed: Iterable[str] | None = None,
    object_of_measurement: str | None = None,
) -> GStudy:
    """Generalizability study: variance components, Eρ² and Φ of a crossed/nested design.

    Parameters
    ----------
    data : DataFrame
        Long format: one score per row, one column per facet.
    design : str
        The design in Brennan's notation: ``"p x i"``, ``"p x i x o"``, ``"p x (r:t)"``,
        ``"p x (i:h)"``, ``"(p:c) x i"``, ...; facets are single letters (see
        :func:`parse_design`).
    facets : dict, optional
        Facet letter -> column, e.g. ``{"p": "unit_id", "r": "juror_id", "i":
        "criterion_id"}``. A letter not mapped is the column of that name.
    value : str
        Column of the scores. Rows with a missing score are left out (they are missing
        cells; the count is in ``note``).
    method : {"auto", "anova", "henderson1", "reml"}
        ``"auto"`` and ``"anova"``: ANOVA (expected mean squares) for balanced data,
        Brennan's analogous ANOVA (Henderson's method 1, as urGENOVA) for unbalanced
        data; the result names which. ``"henderson1"``: method 1 always (on balanced
        data it equals the ANOVA). ``"reml"``: REML from
        :func:`kinerja.stats.varcomp.fit_reml` (the shared engine), for balanced or
        unbalanced data.
    fixed : list of str, optional
        Fixed facets: the universe of generalization contains only their observed
        levels. The G study estimates every component as random; the D study averages
        the components of the object of measurement with a fixed facet into the
        universe-score variance (Brennan 2001, ch. 4).
    object_of_measurement : str, optional
        The facet whose universe scores are measured; ``"p"`` when the design has a
        ``p``, else its first facet. The facets it is nested in belong to it (for
        ``"(p:c) x i"`` the universe-score variance is σ²(c) + σ²(p:c)).

    Returns
    -------
    GStudy
        ``components``, ``coefficients`` (σ²(τ), σ²(δ), σ²(Δ), Eρ², Φ for the observed
        sizes), ``d_study(n=...)``, ``smallest_design(target=...)``.

    Notes
    -----
    **Components.** ANOVA/Henderson estimates solve all expected-mean-square equations
    at once, so a negative estimate is reported as estimated in ``variance`` and is used
    unchanged in the estimates of the other components; D studies use it as zero
    (``variance_used``). This is Brennan's (2001, sec. 3.4) convention; Cronbach et al.
    (1972) set it to zero before estimating the others, which changes them. REML
    estimates are never negative. The highest-order effect (e.g. ``pr:t``) is confounded
    with error: the design has one score per cell, a second score in a cell is an error.

    **Unbalanced data.** A balanced design with missing cells is unbalanced. Method 1
    is unbiased, needs no normality and no iterations, and is what urGENOVA reports, so
    "auto" uses it; it can give negative estimates and is less efficient than REML,
    which is one argument away (``method="reml"``; it iterates, and on thousands of
    scores in a three-facet crossed design takes far longer). For the observed sample sizes of an unbalanced design each component's
    D-study weight is the mean over objects of measurement of ``sum_l (n_ol / n_o) ** 2``
    (``n_ol`` = scores of object ``o`` in level ``l`` of the effect, ``n_o`` its scores),
    the error variance of the mean of each object's scores averaged over objects; for
    ``p x (i:h)`` with unequal items per ``h`` this is Brennan's (2001, sec. 7.2) result.
    For crossed designs with missing cells the relative error so computed omits the part
    of the item effects that does not cancel between objects who took different items.

    **Degenerate designs.** A facet with one level, or effects whose cells coincide,
    make some components not estimable: NaN with the reason; the coefficients that need
    them are NaN too. Constant scores give zero components and undefined (NaN)
    coefficients.

    References
    ----------
    Brennan, R. L. (2001). *Generalizability Theory*. New York: Springer.

    Cronbach, L. J., Gleser, G. C., Nanda, H., & Rajaratnam, N. (1972). *The
    Dependability of Behavioral Measurements*. New York: Wiley.

    Henderson, C. R. (1953). Estimation of variance and covariance components.
    *Biometrics*, 9(2), 226-252.

    Examples
    --------
    Thirty units scored by four jurors on six criteria (simulated):

    >>> rng = np.random.default_rng(1)
    >>> p, r, i = np.meshgrid(np.arange(30), np.arange(4), np.arange(6), indexing="ij")
    >>> score = (rng.normal(size=30)[p] + 0.5 * rng.normal(size=4)[r] + 0.3 * rng.normal(size=6)[i]
    ...          + rng.normal(size=p.shape))
    >>> df = pd.DataFrame({"unit": p.ravel(), "juror": r.ravel(), "criterion": i.ravel(),
    ...                    "score": score.ravel()})
    >>> g = g_study(df, "p x r x i", facets={"p": "unit", "r": "juror", "i": "criterion"})
    >>> g.method
    'anova'
    >>> g.components[["component", "variance", "variance_used"]].round(3)
      component  variance  variance_used
    0         p     0.653          0.653
    1         r     0.738          0.738
    2         i     0.083          0.083
    3        pr    -0.027          0.000
    4        pi    -0.007          0.000
    5        ri    -0.010          0.000
    6       pri     0.955          0.955
    >>> round(g.e_rho2, 3), round(g.phi, 3)
    (0.943, 0.733)
    >>> g.d_study(n={"r": [1, 2, 3], "i": 6})[["n_r", "n_i", "phi"]].round(3)
       n_r  n_i    phi
    0    1    6  0.417
    1    2    6  0.585
    2    3    6  0.676
    >>> g.smallest_design(0.8, cost={"r": 100.0, "i": 1.0})[["n_r", "n_i", "cost", "phi"]].round(3)
       n_r  n_i   cost  phi
    0    5   18  518.0  0.8
    """
    if method not in _METHODS:
        raise GTheoryInputError(f"method must be one of {_METHODS}, got {method!r}")
    if not isinstance(data, pd.DataFrame):
        raise GTheoryInputError(f"expected a long-format pandas DataFrame, got {type(data).__name__}")
    des = parse_design(design)
    facets = dict(facets or {})
    unknown = set(facets) - set(des.facets)
    if unknown:
        raise GTheoryInputError(f"facets maps letter(s) {sorted(unknown)} that are not in the design {des.text!r}")
    cols = {f: facets.get(f, f) for f in des.facets}
    absent = [f"{f} -> {c!r}" for f, c in cols.items() if c not in data.columns]
    if value not in data.columns:
        absent.append(f"value -> {value!r}")
    if absent:
        raise GTheoryInputError(
            f"column(s) not found: {', '.join(absent)}; the data have columns {list(data.columns)} "
            "(map facets to columns with facets={'p': 'unit_id', ...})"
        )
    if len(set(cols.values())) < len(cols):
        raise GTheoryInputError(f"two facets map to the same column: {cols}")
    obj = object_of_measurement or ("p" if "p" in des.facets else des.facets[0])
    if obj not in des.facets:
        raise GTheoryInputError(f"object_of_measurement {obj!r} is not a facet of {des.text!r}")
    differentiation = des.order({obj} | des.nested_in[obj])
    fixed_t = des.order(fixed or [])
    if set(fixed or []) - set(des.facets):
        raise GTheoryInputError(f"fixed names facet(s) {sorted(set(fixed) - set(des.facets))} not in {des.text!r}")
    if set(fixed_t) & set(differentiation):
        raise GTheoryInputError(
            f"fixed facet(s) {sorted(set(fixed_t) & set(differentiation))} are the object of measurement "
            "or contain it; only facets of generalization can be fixed"
        )

    # internal frame: one column per facet letter, the score as 'value'
    y = pd.to_numeric(data[value], errors="coerce").to_numpy(dtype=float)
    missing_y = np.isnan(y)
    if missing_y.any():
        bad = data[value].notna().to_numpy() & missing_y
        if bad.any():
            row = data.index[np.flatnonzero(bad)[0]]
            raise GTheoryInputError(f"column {value!r} is not numeric: row {row!r} holds {data[value].loc[row]!r}")
    # integer codes of every facet (-1 marks a missing value): the engines get codes, not text
    codes = {}
    for f, c in cols.items():
        code = pd.factorize(data[c], sort=False, use_na_sentinel=True)[0].astype(np.int64)
        if (code < 0).any():
            row = data.index[np.flatnonzero(code < 0)[0]]
            raise GTheoryInputError(f"column {c!r} (facet {f!r}) has a missing value in row {row!r}")
        codes[f] = code
    notes = []
    kept_index = data.index
    if missing_y.any():
        notes.append(f"{int(missing_y.sum())} row(s) with a missing {value!r} left out (missing cells)")
        keep = ~missing_y
        kept_index = data.index[keep]
        y = y[keep]
        codes = {f: pd.factorize(c[keep], sort=False)[0].astype(np.int64) for f, c in codes.items()}
    if len(y) == 0:
        raise GTheoryInputError(f"no scores: column {value!r} is empty or all missing")
    frame = pd.DataFrame(codes)
    frame[_RESPONSE] = y
    sizes = {f: int(codes[f].max()) + 1 for f in des.facets}
    _check_one_score_per_cell(codes, sizes, des, cols, kept_index)

    terms = [des.order(e.index) for e in des.effects[:-1]]
    anova = fit_anova(frame, response=_RESPONSE, random=terms, method="henderson1")
    balanced = anova.balanced
    use = method
    ems = None
    if use == "reml":
        comp, used_method, reml_note = _reml_components(frame, terms, des)
        notes.append(reml_note)
    else:
        comp = anova.components.copy()
        used_method = "anova" if (use in ("auto", "anova") and balanced) else "henderson1"
        if not balanced:
            notes.append("unbalanced data: analogous ANOVA = Henderson's method 1 (Brennan 2001, ch. 7)")
        ems = anova.ems
    if used_method != "reml":
        comp["component"] = [e.label for e in des.effects]
    comp = comp.set_index("component").reindex([e.label for e in des.effects]).reset_index()
    if ems is not None:
        lab = [e.label for e in des.effects]
        ems = ems.copy()
        ems.index = pd.Index(lab, name="mean_square")
        ems.columns = lab
    components = _components_table(comp, ems, used_method)

    n_levels = _levels_per_nest(codes, des)
    if balanced:
        d = set(differentiation)
        weights = {e.label: 1.0 / math.prod(n_levels[f] for f in e.index - d) for e in des.effects}
    else:
        weights = _observed_weights(codes, des, differentiation)
        if not all(float(v).is_integer() for v in n_levels.values()):
            notes.append("levels per nesting cell are unequal: n_levels holds their mean")
    result = GStudy(
        components=components,
        coefficients=pd.DataFrame(),
        ems=ems,
        design=des,
        facets=cols,
        object_of_measurement=obj,
        differentiation=differentiation,
        fixed=fixed_t,
        method=used_method,
        balanced=balanced,
        n_obs=len(frame),
        n_levels=n_levels,
        note="; ".join(x for x in notes if x),
        _observed_weights=weights,
    )
    coefs = result._coefficients(None, 1)
    stats = [k for k in coefs if k != "note"]
    table = pd.DataFrame(
        {
            "statistic": stats,
            "symbol": [_STAT_SYMBOLS[k] for k in stats],
            "estimate": [float(coefs[k][0]) for k in stats],
            "method": used_method,
            "note": coefs["note"],
        }
    )
    object.__setattr__(result, "coefficients", table)
    return result


def _check_one_score_per_cell(codes, sizes, des: Design, cols, index) -> None:
    """A second score in a cell of all the facets is an input error (name the rows)."""
    code = np.zeros(len(next(iter(codes.values()))), dtype=np.int64)
    size = 1
    for f in des.facets:
        if size * sizes[f] >= 2**62:
            code, uniq = pd.factorize(code, sort=False)
            size = len(uniq)
        code = code * sizes[f] + codes[f]
        size *= sizes[f]
    dup = pd.Series(code).duplicated(keep=False).to_numpy()
    if dup.any():
        first = np.flatnonzero(dup)[0]
        rows = [index[j] for j in np.flatnonzero(code == code[first])[:5]]
        raise GTheoryInputError(
            f"design {des.text!r} has one score per cell of {', '.join(repr(c) for c in cols.values())}, "
            f"but rows {rows} share a cell; aggregate them or add the facet that tells them apart "
            "(e.g. an occasion 'o')"
        )


def _levels_per_nest(codes, des: Design) -> dict[str, float]:
    """Levels of each facet per cell of the facets it is nested in (the mean if unequal)."""
    out = {}
    for f in des.facets:
        outer = des.order(des.nested_in[f])
        if not outer:
            out[f] = float(codes[f].max() + 1)
            continue
        inner_code = _combine([codes[g] for g in (*outer, f)])
        outer_code = _combine([codes[g] for g in outer])
        n_inner = inner_code.max() + 1
        outer_of_inner = np.empty(n_inner, dtype=np.int64)
        outer_of_inner[inner_code] = outer_code
        per_outer = np.bincount(outer_of_inner, minlength=outer_code.max() + 1)
        out[f] = float(per_outer.mean())
    return out


def _combine(arrays: list[np.ndarray]) -> np.ndarray:
    code = np.zeros(len(arrays[0]), dtype=np.int64)
    for a in arrays:
        code, _ = pd.factorize(code * (int(a.max()) + 1) + a, sort=False)
        code = code.astype(np.int64)
    return code


def _observed_weights(codes, des: Design, differentiation) -> dict[str, float]:
    """Mean over objects of sum_l (n_ol / n_o)^2 for every effect (see g_study Notes)."""
    obj_code = _combine([codes[f] for f in differentiation])
    n_obj = np.bincount(obj_code).astype(float)
    out = {}
    for e in des.effects:
        joint = _combine([codes[f] for f in des.order(e.index | set(differentiation))])
        n_joint = np.bincount(joint).astype(float)
        obj_of_joint = np.empty(len(n_joint), dtype=np.int64)
        obj_of_joint[joint] = obj_code
        per_obj = np.bincount(obj_of_joint, weights=(n_joint / n_obj[obj_of_joint]) ** 2, minlength=len(n_obj))
        out[e.label] = float(per_obj.mean())
    return out


def _reml_components(frame, terms, des: Design):
    """Components by REML from the shared engine (kinerja.stats.varcomp.fit_reml)."""
    try:
        from kinerja.stats.varcomp import fit_reml
    except ImportError:
        raise GTheoryInputError(
            "method='reml' needs kinerja.stats.varcomp.fit_reml, which this installation does not have"
        ) from None
    fit = fit_reml(frame, response=_RESPONSE, random=[tuple(t) for t in terms])
    comp = fit.components.copy()
    by_label = {":".join(t): e.label for t, e in zip(terms, des.effects[:-1])}
    by_label[RESIDUAL] = des.residual.label
    unknown = set(comp["component"]) - set(by_label)
    if unknown:
        raise RuntimeError(f"REML engine returned unexpected components {sorted(unknown)}")
    comp["component"] = comp["component"].map(by_label)
    note = "REML" + ("" if getattr(fit, "converged", True) else " (did not converge)")
    if getattr(fit, "note", ""):
        note += f": {fit.note}"
    for col in ("df", "ss", "ms"):
        comp[col] = np.nan
    return comp, "reml", note


def _components_table(comp: pd.DataFrame, ems: pd.DataFrame | None, method: str) -> pd.DataFrame:
    variance = comp["variance"].to_numpy(dtype=float)
    used = np.where(np.isfinite(variance), np.maximum(variance, 0.0), np.nan)
    total = np.nansum(used)
    notes = []
    for j, v in enumerate(variance):
        base = str(comp["note"].iloc[j]) if "note" in comp and pd.notna(comp["note"].iloc[j]) else ""
        base = base.replace("negative estimate (sd is NaN)", "").strip("; ")
        if np.isfinite(v) and v < 0:
            base = _join(
                base,
                f"negative estimate {v:.4g} set to 0 for D studies (Brennan's convention: kept as estimated "
                "when the other components were estimated)",
            )
        notes.append(base)
    ems_text = [""] * len(comp)
    if ems is not None:
        for j, lab in enumerate(comp["component"]):
            row = ems.loc[lab]
            parts = []
            for other in reversed(list(ems.columns)):
                c = row[other]
                if np.isfinite(c) and abs(c) > 1e-9:
                    parts.append(other if abs(c - 1) < 1e-9 else f"{_num(c)} {other}")
            ems_text[j] = " + ".join(parts)
    return pd.DataFrame(
        {
            "component": comp["component"].to_numpy(),
            "variance": variance,
            "variance_used": used,
            "sd": np.sqrt(used),
            "share": used / total if total > 0 else np.full(len(used), np.nan),
            "n_levels": comp["n_levels"].to_numpy(),
            "df": comp["df"].to_numpy(dtype=float) if "df" in comp else np.nan,
            "ss": comp["ss"].to_numpy(dtype=float) if "ss" in comp else np.nan,
            "ms": comp["ms"].to_numpy(dtype=float) if "ms" in comp else np.nan,
            "ems": ems_text,
            "method": method,
            "note": notes,
        }
    )


def _num(c: float) -> str:
    return str(int(round(c))) if abs(c - round(c)) < 1e-9 else f"{c:.4g}"
