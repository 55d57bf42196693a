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


def completeness_heatmap(grid: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None,
                         subject_labels: dict | None = None):
    """Juror x subject completeness grid (share of criteria scored); white = not scored."""
    ax = _ax(ax, (max(6, 0.32 * grid.shape[1] + 2), max(2.5, 0.32 * grid.shape[0] + 1.5)))
    shown = grid.rename(columns=subject_labels or {})
    sns.heatmap(shown, ax=ax, vmin=0, vmax=1, cmap="Blues", linewidths=0.5, linecolor="white",
                cbar_kws={"label": "share of criteria scored", "shrink": 0.8})
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
    sns.boxplot(data=comp_scores, y="component", x="score", order=order, ax=ax, color="#9ecae1",
                fliersize=1.5, linewidth=0.8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (0-100)")
    ax.set_ylabel("")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def grade_bars(counts: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Stacked bars of units per category by grade."""
    ax = _ax(ax, (7, 3.5))
    palette = {"AA": "#1a9850", "A": "#66bd63", "BB": "#a6d96a", "B": "#fee08b", "CC": "#fdae61",
               "C": "#f46d43", "D": "#d73027"}
    counts.plot.barh(stacked=True, ax=ax, color=[palette[c] for c in counts.columns], edgecolor="white")
    ax.set_xlabel("number of units")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(title="grade", loc="upper right", fontsize=8)
    stamp(ax, bases)
    return ax


def totals_vs_grades(tbl: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Each unit's juror-mean total (dot) against the band of its published grade (shaded)."""
    from .grades import band

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
