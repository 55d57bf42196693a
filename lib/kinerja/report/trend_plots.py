"""Figures of the trends notebook (05). As in :mod:`kinerja.report.plots`: every function
takes ``ax=`` (created if None), returns it, and stamps the provenance of the data."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..data.grades import GRADE_ORDER
from .labels import stamp
from .plots import GRADE_COLORS, _finish, _text_color, words

#: Best grade first, as tables and legends list them.
BEST_FIRST = tuple(GRADE_ORDER[::-1])


def _ax(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def transition_matrix(transitions: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Units by grade in ``year_from`` (rows) and ``year_to`` (columns), best grade first,
    for the grades that occur in either year (zeros where no unit moved that way)."""
    t = transitions[(transitions["year_from"] == year_from) & (transitions["year_to"] == year_to)]
    used = [g for g in BEST_FIRST if g in set(t["grade_from"]) | set(t["grade_to"])]
    m = t.pivot_table(
        index="grade_from", columns="grade_to", values="n_units", aggfunc="sum", fill_value=0, observed=True
    )
    return m.reindex(index=used, columns=used, fill_value=0).astype(int)


def transition_heatmap(
    matrix: pd.DataFrame, bases: Iterable[str], *, year_from, year_to, title: str = "", ax=None, lang: str = "en"
):
    """Counts of units by grade in two years, best grade first on both axes; the diagonal
    (same grade) is outlined. A unit with a better grade in the later year is left of the
    diagonal (below it), a worse one right of it (above it); the key beside says so."""
    n = len(matrix)
    ax = _ax(ax, (1.0 * n + 3.2, 0.8 * n + 1.8))
    vals = matrix.to_numpy(float)
    image = ax.imshow(vals, cmap="Blues", vmin=0, vmax=max(vals.max(), 1), aspect="equal")
    for (i, j), v in np.ndenumerate(vals):
        color = _text_color(image.cmap(image.norm(v)))
        ax.text(j, i, f"{int(v)}" if v else "·", ha="center", va="center", fontsize=11, color=color, in_layout=False)
        if i == j:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#333333", linewidth=1.6))
    ax.set_xticks(range(n), matrix.columns)
    ax.set_yticks(range(n), matrix.index)
    ax.set_xlabel(words("grade_in", lang, year=year_to))
    ax.set_ylabel(words("grade_in", lang, year=year_from))
    ax.set_title(title or words("transition_title", lang, year_from=year_from, year_to=year_to))
    ax.text(1.02, 0.0, words("transition_key", lang), transform=ax.transAxes, fontsize=8, va="bottom")
    return _finish(ax, bases, lang)


def grade_distribution_bars(dist: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, lang: str = "en"):
    """One horizontal bar per year, split by the share of units per grade (best grade on
    the right), with the counts in the segments and a legend of the grades."""
    years = sorted(dist["year"].unique())
    ax = _ax(ax, (8, 0.55 * len(years) + 1.8))
    used = [g for g in GRADE_ORDER if g in set(dist["grade"])]
    left = np.zeros(len(years))
    for g in used:
        part = dist[dist["grade"] == g].set_index("year").reindex(years)
        share = part["share"].fillna(0).to_numpy(float)
        count = part["n_units"].fillna(0).to_numpy(float)
        ax.barh([str(y) for y in years], share, left=left, color=GRADE_COLORS[g], edgecolor="white", label=g)
        for i, (s, c) in enumerate(zip(share, count)):
            if s >= 0.06:
                ax.text(
                    left[i] + s / 2, i, f"{int(c)}", ha="center", va="center", fontsize=8,
                    color=_text_color(GRADE_COLORS[g]),
                )  # fmt: skip
        left += share
    ax.set_xlim(0, 1)
    ax.set_xlabel(words("year_share_x", lang))
    ax.invert_yaxis()
    handles, labels_ = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1],
        labels_[::-1],
        title=words("grade", lang),
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        frameon=False,
    )
    ax.set_title(title)
    return _finish(ax, bases, lang)


def agreement_trend(at: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """ICC(A,1) and ICC(A,k) per year with their 95% intervals."""
    ax = _ax(ax, (7, 3.4))
    for k, (stat, marker) in enumerate((("ICC(2,1)", "o"), ("ICC(2,k)", "s"))):
        part = at[at["statistic"] == stat].sort_values("year")
        if part.empty:
            continue
        x = part["year"].to_numpy(float) + (k - 0.5) * 0.08
        y = part["estimate"].to_numpy(float)
        lo = y - part["ci_low"].to_numpy(float)
        hi = part["ci_high"].to_numpy(float) - y
        name = part["also_known_as"].iloc[0] or stat
        label = f"{name}: {'single juror' if stat == 'ICC(2,1)' else 'panel mean (the total behind the grade)'}"
        ax.errorbar(x, y, yerr=np.vstack([lo, hi]), marker=marker, capsize=3, linestyle="-", label=label)
    ax.set_xticks(sorted(at["year"].unique()))
    ax.set_ylim(0, 1)
    ax.set_ylabel("ICC (95% CI)")
    ax.set_xlabel("evaluation year")
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title(title)
    stamp(ax, bases)
    return ax


#: juror lines labelled at most (half the most severe, half the most lenient)
MAX_LINE_LABELS = 12


def severity_lines(sev: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Each returning juror's severity per year (mean deviation from the panel), labelled
    at its last year (with more than :data:`MAX_LINE_LABELS` jurors, the most severe and
    the most lenient ones); 0 is the panel mean."""
    ret = sev[sev["returning"]]
    ax = _ax(ax, (7.5, 4.2))
    ax.axhline(0, color="#888888", linewidth=1, linestyle="--")
    last_y = {}
    colors = plt.get_cmap("tab20").colors  # twenty distinct colours: no two jurors share one below 21
    for i, (jid, part) in enumerate(ret.groupby("juror_id", observed=True, sort=True)):
        part = part.sort_values("year")
        (line,) = ax.plot(
            part["year"], part["severity"], marker="o", linewidth=1.2, color=colors[(2 * i) % 20 + (i // 10) % 2]
        )
        last_y[jid] = (part["year"].iloc[-1], part["severity"].iloc[-1], line.get_color())
    # labels at the right end, nudged apart so that they do not overlap; with many jurors
    # only the most severe and most lenient ones (48 labels nudged upwards had run far
    # above the axes, and the layout collapsed)
    placed: list[float] = []
    span = (ret["severity"].max() - ret["severity"].min()) if len(ret) else 1.0
    gap = 0.045 * (span if span > 0 else 1.0)
    ordered = sorted(last_y.items(), key=lambda kv: kv[1][1])
    if len(ordered) > MAX_LINE_LABELS:
        ordered = ordered[: MAX_LINE_LABELS // 2] + ordered[-(MAX_LINE_LABELS // 2) :]
    for jid, (x, y, color) in ordered:
        yy = y
        while any(abs(yy - p) < gap for p in placed):
            yy += gap
        placed.append(yy)
        ax.annotate(jid, (x, y), xytext=(x + 0.12, yy), fontsize=7.5, color=color, va="center", in_layout=False)
    if placed:
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, min(placed) - gap), max(high, max(placed) + gap))
    years = sorted(ret["year"].unique()) if len(ret) else []
    ax.set_xticks(years)
    if years:
        ax.set_xlim(min(years) - 0.2, max(years) + 0.6)
    ax.set_xlabel("evaluation year")
    ax.set_ylabel("severity (points vs panel mean)")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def trajectory_grid(traj: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Units (rows, best last grade first) by year (columns), each cell the grade on record."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    # one row per unit (its id), labelled with its latest label: grouping by label split a
    # renamed unit in two and averaged units that share an abbreviation (A and B shown as BB)
    key = traj["unit_id"].astype(str)
    grid = traj.assign(_unit=key).pivot_table(index="_unit", columns="year", values="grade_step", observed=True)
    latest = traj.assign(_unit=key).sort_values("year").groupby("_unit", observed=True)
    last = latest["grade_step"].last()
    labels = latest["label"].last().astype(str)
    grid = grid.loc[last.reindex(grid.index).sort_values(ascending=False, kind="stable").index]
    shown = labels.reindex(grid.index)
    twice = shown.duplicated(keep=False)
    shown = shown.where(~twice, shown + " (" + pd.Series(grid.index, index=grid.index) + ")")
    grid.index = shown.to_numpy()
    ax = _ax(ax, (0.7 * grid.shape[1] + 3.6, 0.24 * grid.shape[0] + 1.6))
    vals = grid.to_numpy(float)
    cmap = ListedColormap([GRADE_COLORS[g] for g in GRADE_ORDER])
    ax.imshow(np.ma.masked_invalid(vals), cmap=cmap, norm=BoundaryNorm(np.arange(-0.5, 7.5), 7), aspect="auto")
    for (i, j), v in np.ndenumerate(vals):
        if np.isfinite(v):
            g = GRADE_ORDER[int(v)]
            ax.text(j, i, g, ha="center", va="center", fontsize=7, color=_text_color(GRADE_COLORS[g]), in_layout=False)
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), grid.index, fontsize=7)
    used = [g for g in BEST_FIRST if GRADE_ORDER.index(g) in set(vals[np.isfinite(vals)].astype(int))]
    ax.legend(
        handles=[Patch(facecolor=GRADE_COLORS[g], edgecolor="#999999", label=g) for g in used],
        title="grade",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title)
    stamp(ax, bases)
    return ax
