"""Figures. Every function takes ``ax=`` (created if None), returns it, and stamps the
provenance of the data on it (see :mod:`kinerja.labels`)."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .labels import stamp


def _ax(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def completeness_heatmap(
    grid: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, subject_labels: dict | None = None
):
    """Juror x subject completeness grid (share of criteria scored); white = not scored."""
    ax = _ax(ax, (max(6, 0.32 * grid.shape[1] + 2), max(2.5, 0.32 * grid.shape[0] + 1.5)))
    shown = grid.rename(columns=subject_labels or {})
    sns.heatmap(
        shown,
        ax=ax,
        vmin=0,
        vmax=1,
        cmap="Blues",
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"label": "share of criteria scored", "shrink": 0.8},
    )
    ax.set_xlabel("subject")
    ax.set_ylabel("juror")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    stamp(ax, bases)
    return ax


def component_boxplot(comp_scores: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Distribution of scores per component (box plot with the individual scores' spread)."""
    ax = _ax(ax, (8, 0.55 * comp_scores["component"].nunique() + 1.5))
    order = list(dict.fromkeys(comp_scores["component"]))
    sns.boxplot(
        data=comp_scores, y="component", x="score", order=order, ax=ax, color="#9ecae1", fliersize=1.5, linewidth=0.8
    )
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (0-100)")
    ax.set_ylabel("")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def grade_bars(counts: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Stacked bars of units per category by grade."""
    ax = _ax(ax, (7, 3.5))
    palette = {
        "AA": "#1a9850",
        "A": "#66bd63",
        "BB": "#a6d96a",
        "B": "#fee08b",
        "CC": "#fdae61",
        "C": "#f46d43",
        "D": "#d73027",
    }
    counts.plot.barh(stacked=True, ax=ax, color=[palette[c] for c in counts.columns], edgecolor="white")
    ax.set_xlabel("number of units")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(title="grade", loc="upper right", fontsize=8)
    stamp(ax, bases)
    return ax


def totals_vs_grades(tbl: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Each unit's juror-mean total (dot) against the band of its published grade (shaded)."""
    from ..data.grades import band

    t = tbl.dropna(subset=["score_total"]).sort_values("score_total").reset_index(drop=True)
    ax = _ax(ax, (7, 0.22 * len(t) + 1.5))
    for g in t["grade"].astype(str).unique():
        lo, hi = band(g)
        ax.axvspan(lo, hi, color="#eeeeee" if g == "BB" else "#d9f0d3", zorder=0)
        ax.text((lo + hi) / 2, len(t) - 0.3, g, ha="center", va="bottom", fontsize=9, color="#555555")
    colors = t["grade"].astype(str).map({"A": "#1a9850", "BB": "#4575b4"}).fillna("#999999")
    ax.scatter(t["score_total"], range(len(t)), c=colors, s=18, zorder=3)
    ax.set_yticks(range(len(t)), t["abbreviation"].fillna(t["unit_id"]), fontsize=7)
    ax.set_xlabel("juror-mean SAKIP total (0-100)")
    ax.set_ylim(-1, len(t) + 0.5)
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def coefficient_forest(summary: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, label_col: str = "label"):
    """Estimates with their CIs, one line per row of ``summary`` (needs ``estimate, ci_low,
    ci_high`` and a ``label_col``); a missing CI shows the point alone."""
    s = summary.reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.32 * len(s) + 1.4))
    y = list(range(len(s)))[::-1]
    has_ci = s["ci_low"].notna() & s["ci_high"].notna()
    ax.hlines(
        [yy for yy, h in zip(y, has_ci) if h],
        s.loc[has_ci, "ci_low"],
        s.loc[has_ci, "ci_high"],
        color="#4575b4",
        linewidth=2,
    )
    ax.plot(s["estimate"], y, "o", color="#08306b", markersize=5)
    for x0 in (0.5, 0.75, 0.9):
        ax.axvline(x0, color="#bbbbbb", linewidth=0.7, linestyle=":")
    ax.set_yticks(y, s[label_col], fontsize=8)
    ax.set_xlim(min(-0.05, float(s["ci_low"].min(skipna=True) if has_ci.any() else 0) - 0.05), 1.02)
    ax.set_xlabel("coefficient (1 = perfect agreement); dotted lines at .50, .75, .90")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def pairwise_heatmap(
    matrix: pd.DataFrame,
    bases: Iterable[str],
    title: str = "",
    ax=None,
    panels: dict | None = None,
    vmin: float = 0.0,
    label: str = "ICC(A,1) of the pair",
):
    """Juror x juror agreement matrix; tick labels show each juror's panel when given."""
    ax = _ax(ax, (0.45 * len(matrix) + 3, 0.45 * len(matrix) + 2))
    names = [f"{j} ({panels[j]})" if panels and j in panels else str(j) for j in matrix.index]
    shown = matrix.copy()
    shown.index, shown.columns = names, names
    sns.heatmap(
        shown,
        ax=ax,
        vmin=vmin,
        vmax=1,
        cmap="RdYlBu",
        annot=True,
        fmt=".2f",
        annot_kws={"fontsize": 7},
        square=True,
        cbar_kws={"label": label, "shrink": 0.8},
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def bland_altman_plot(
    paired: pd.DataFrame, ba: pd.Series, bases: Iterable[str], title: str = "", ax=None, labels: pd.Series | None = None
):
    """Difference against mean of two jurors' scores with the bias and limits of agreement."""
    ax = _ax(ax, (7, 4.5))
    ax.scatter(paired["mean"], paired["diff"], s=22, color="#4575b4", zorder=3)
    for yv, style, text in (
        (ba["bias"], "-", "bias"),
        (ba["loa_low"], "--", "lower limit"),
        (ba["loa_high"], "--", "upper limit"),
    ):
        ax.axhline(yv, color="#b2182b" if text == "bias" else "#666666", linestyle=style, linewidth=1)
        ax.text(paired["mean"].max(), yv, f" {text} {yv:+.1f}", va="bottom", ha="right", fontsize=8)
    ax.axhline(0, color="#999999", linewidth=0.6)
    if labels is not None:
        for (_, r), lab in zip(paired.iterrows(), labels):
            ax.annotate(lab, (r["mean"], r["diff"]), fontsize=6, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel(f"mean of {ba['rater_a']} and {ba['rater_b']}")
    ax.set_ylabel(f"{ba['rater_a']} − {ba['rater_b']} (points)")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def grade_grid(
    juror_grades: pd.DataFrame,
    published: pd.Series,
    bases: Iterable[str],
    title: str = "",
    ax=None,
    subject_labels: dict | None = None,
):
    """Unit x juror grid of the grade each juror's total implies, published grade first."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    from ..data.grades import GRADE_ORDER

    codes = {g: i for i, g in enumerate(GRADE_ORDER)}
    grid = juror_grades.pivot_table(index="subject_id", columns="juror_id", values="grade_code", observed=True)
    grid.insert(0, "published", published.reindex(grid.index).map(codes).astype(float))
    grid = grid.sort_values("published", ascending=False)
    text = grid.apply(lambda col: col.map(lambda v: GRADE_ORDER[int(v)] if pd.notna(v) else ""))
    ax = _ax(ax, (0.55 * grid.shape[1] + 3, 0.26 * grid.shape[0] + 1.5))
    colors = ["#d73027", "#f46d43", "#fdae61", "#fee08b", "#a6d96a", "#66bd63", "#1a9850"]
    sns.heatmap(
        grid,
        ax=ax,
        cmap=ListedColormap(colors),
        norm=BoundaryNorm(range(8), 7),
        annot=text,
        fmt="",
        annot_kws={"fontsize": 7},
        cbar=False,
        linewidths=0.4,
        linecolor="white",
    )
    ax.set_yticks(
        [i + 0.5 for i in range(len(grid))],
        [subject_labels.get(s, s) if subject_labels else s for s in grid.index],
        fontsize=7,
    )
    ax.axvline(1, color="black", linewidth=1.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    stamp(ax, bases)
    return ax
