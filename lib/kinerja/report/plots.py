"""Figures. Every function takes ``ax=`` (created if None), returns it, and stamps the
provenance of the data on it (see :mod:`kinerja.labels`)."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ..data.grades import GRADE_ORDER
from .labels import stamp

#: One colour per SAKIP grade, D (dark) to AA (light): a perceptually ordered palette
#: (viridis steps) whose neighbours stay distinguishable in print and for colour-blind
#: readers.
GRADE_COLORS = dict(zip(GRADE_ORDER, ("#440154", "#443a83", "#31688e", "#21908d", "#35b779", "#8fd744", "#fde725")))


def _text_color(hex_color: str) -> str:
    """Black or white, whichever reads better on ``hex_color``."""
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


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
    """Stacked bars of units per category by grade (one colour per grade, legend outside)."""
    ax = _ax(ax, (7.5, 0.42 * len(counts) + 1.8))
    counts.plot.barh(stacked=True, ax=ax, color=[GRADE_COLORS[c] for c in counts.columns], edgecolor="white")
    ax.set_xlabel("number of units")
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(title="grade", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    stamp(ax, bases)
    return ax


def totals_vs_grades(tbl: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Each unit's juror-mean total (dot, coloured by the grade on record) against the
    bands of the grades (shaded, labelled); a dot outside its colour's band is a unit
    whose total does not reproduce its grade."""
    from ..data.grades import band

    t = tbl.dropna(subset=["score_total"]).sort_values("score_total").reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.2 * len(t) + 1.8))
    grades = [g for g in GRADE_ORDER if g in set(t["grade"].astype(str))]
    lo_all = min(t["score_total"].min(), min(band(g)[0] for g in grades)) - 1
    hi_all = max(t["score_total"].max(), max(band(g)[1] for g in grades)) + 1
    for i, g in enumerate(GRADE_ORDER):
        lo, hi = band(g)
        if hi < lo_all or lo > hi_all:
            continue
        ax.axvspan(max(lo, lo_all), min(hi, hi_all), color="#f2f2f2" if i % 2 else "#e0e0e0", zorder=0)
        ax.text(
            (max(lo, lo_all) + min(hi, hi_all)) / 2,
            len(t) - 0.2,
            g,
            ha="center",
            va="bottom",
            fontsize=9,
            color="#333333",
        )
    for g in grades:
        sel = t["grade"].astype(str) == g
        ax.scatter(
            t.loc[sel, "score_total"],
            t.index[sel],
            color=GRADE_COLORS[g],
            edgecolor="black",
            linewidth=0.4,
            s=24,
            zorder=3,
            label=f"grade on record: {g}",
        )
    ax.set_yticks(range(len(t)), t["abbreviation"].fillna(t["name"]).fillna(t["unit_id"]), fontsize=7)
    ax.set_xlim(lo_all, hi_all)
    ax.set_xlabel("juror-mean SAKIP total (0-100); shaded bands: grade boundaries")
    ax.set_ylim(-1, len(t) + 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def coefficient_forest(summary: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, label_col: str = "label"):
    """Estimates with their CIs, one line per row of ``summary`` (needs ``estimate, ci_low,
    ci_high`` and a ``label_col``); a missing CI shows the point alone. Labels are never
    cut: the figure widens to fit the longest."""
    s = summary.reset_index(drop=True)
    longest = int(s[label_col].astype(str).str.len().max()) if len(s) else 10
    ax = _ax(ax, (6 + 0.065 * longest, 0.3 * len(s) + 1.5))
    y = list(range(len(s)))[::-1]
    has_ci = s["ci_low"].notna() & s["ci_high"].notna()
    ax.hlines(
        [yy for yy, h in zip(y, has_ci) if h],
        s.loc[has_ci, "ci_low"],
        s.loc[has_ci, "ci_high"],
        color="#4575b4",
        linewidth=2,
        label="95% CI",
    )
    ax.plot(s["estimate"], y, "o", color="#08306b", markersize=5, label="estimate")
    for x0 in (0.5, 0.75, 0.9):
        ax.axvline(x0, color="#bbbbbb", linewidth=0.7, linestyle=":")
    ax.set_yticks(y, s[label_col], fontsize=8)
    ax.set_xlim(min(-0.05, float(s["ci_low"].min(skipna=True) if has_ci.any() else 0) - 0.05), 1.02)
    ax.set_xlabel("coefficient (1 = perfect agreement); dotted lines at .50, .75, .90")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
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
    paired: pd.DataFrame,
    ba: pd.Series,
    bases: Iterable[str],
    title: str = "",
    ax=None,
    labels: pd.Series | None = None,
    n_labels: int = 6,
):
    """Difference against mean of two jurors' scores with the bias and limits of agreement.

    Only the ``n_labels`` points farthest from the bias are labelled (labelling every unit
    makes the labels overlap); the limit lines are labelled in the right margin."""
    ax = _ax(ax, (7.5, 4.5))
    ax.scatter(paired["mean"], paired["diff"], s=22, color="#4575b4", zorder=3)
    lines = (
        (ba["estimate"], "-", "#b2182b", "bias"),
        (ba["loa_low"], "--", "#666666", "lower limit"),
        (ba["loa_high"], "--", "#666666", "upper limit"),
    )
    for yv, style, color, _text in lines:
        ax.axhline(yv, color=color, linestyle=style, linewidth=1)
    ax.axhline(0, color="#999999", linewidth=0.6)
    trans = ax.get_yaxis_transform()
    for yv, _style, color, text in lines:
        ax.text(
            1.01,
            yv,
            f"{text} {yv:+.1f}",
            transform=trans,
            va="center",
            ha="left",
            fontsize=8,
            color=color,
            clip_on=False,
        )
    if labels is not None and n_labels > 0:
        far = (paired["diff"] - ba["estimate"]).abs().nlargest(n_labels).index
        for i in far:
            ax.annotate(
                str(labels.loc[i]),
                (paired.loc[i, "mean"], paired.loc[i, "diff"]),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
            )
    ax.set_xlabel(f"mean of {ba['rater_a']} and {ba['rater_b']} (points)")
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
    """Unit x juror grid of the grade each juror's total implies, the grade on record
    first (left of the black line); one colour per grade with a legend."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    codes = {g: i for i, g in enumerate(GRADE_ORDER)}
    grid = juror_grades.pivot_table(index="subject_id", columns="juror_id", values="grade_code", observed=True)
    grid.insert(0, "on record", published.reindex(grid.index).map(codes).astype(float))
    grid = grid.sort_values("on record", ascending=False)
    ax = _ax(ax, (0.55 * grid.shape[1] + 4, 0.26 * grid.shape[0] + 1.8))
    colors = [GRADE_COLORS[g] for g in GRADE_ORDER]
    sns.heatmap(
        grid,
        ax=ax,
        cmap=ListedColormap(colors),
        norm=BoundaryNorm(range(8), 7),
        cbar=False,
        linewidths=0.4,
        linecolor="white",
    )
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        if np.isfinite(v):
            g = GRADE_ORDER[int(v)]
            ax.text(j + 0.5, i + 0.5, g, ha="center", va="center", fontsize=7, color=_text_color(GRADE_COLORS[g]))
    ax.set_yticks(
        [i + 0.5 for i in range(len(grid))],
        [subject_labels.get(s, s) if subject_labels else s for s in grid.index],
        fontsize=7,
    )
    ax.axvline(1, color="black", linewidth=1.5)
    used = [g for g in GRADE_ORDER[::-1] if codes[g] in set(np.unique(grid.to_numpy()[np.isfinite(grid.to_numpy())]))]
    ax.legend(
        handles=[Patch(facecolor=GRADE_COLORS[g], edgecolor="#999999", label=g) for g in used],
        title="grade",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def precision_plot(
    prec: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, labels: dict | None = None, z: float = 1.96
):
    """Each unit's panel-mean total with a ``z`` x standard-error bar, against the grade
    band boundaries; bars that cross a boundary (grade not settled by the data) in red.

    ``prec`` has ``subject_id, total, se`` (as from
    :func:`kinerja.analyses.agreement.unit_precision`)."""
    from ..data.grades import grade_bands

    t = prec.dropna(subset=["total"]).sort_values("total").reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.2 * len(t) + 1.8))
    lo, hi = t["total"] - z * t["se"].fillna(0), t["total"] + z * t["se"].fillna(0)
    edges = np.unique(grade_bands()["score_lower_exclusive"].to_numpy(float))
    crosses = np.array([((edges > a) & (edges < b)).any() for a, b in zip(lo, hi)])
    x0, x1 = float(lo.min()) - 1, float(hi.max()) + 1
    for e in edges:
        if x0 < e < x1:
            ax.axvline(e, color="#444444", linewidth=0.8, linestyle="--", zorder=1)
            ax.text(e, len(t) - 0.2, f" {e:g}", fontsize=8, color="#444444", va="bottom")
    for mask, color, lab in (
        (~crosses, "#31688e", "interval inside one band"),
        (crosses, "#b2182b", "interval crosses a grade boundary"),
    ):
        if mask.any():
            idx = t.index[mask]
            ax.hlines(idx, lo[mask], hi[mask], color=color, linewidth=2, label=lab, zorder=2)
            ax.plot(t.loc[mask, "total"], idx, "o", color=color, markersize=4, zorder=3)
    names = t["subject_id"].map(labels).fillna(t["subject_id"]) if labels else t["subject_id"]
    ax.set_yticks(range(len(t)), names, fontsize=7)
    ax.set_xlim(x0, x1)
    ax.set_ylim(-1, len(t) + 1)
    ax.set_xlabel(f"panel-mean SAKIP total ± {z:g} standard errors; dashed: grade boundaries")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(title)
    stamp(ax, bases)
    return ax
