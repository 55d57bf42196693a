"""Figures. Every function takes ``ax=`` (created if None), returns it, and stamps the
provenance of the data on it (see :mod:`kinerja.labels`).

The figures a policy brief may lift also take ``lang="id"``: their own words (axis
labels, legends, the provenance stamp) in Bahasa Indonesia (:data:`WORDS`), in the terms
of the Indonesian brief, and numbers on their axes with a decimal comma. Titles and
labels passed in by the notebook are its own to translate."""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import ScalarFormatter

from ..analyses.findings import fmt_number
from ..data.grades import GRADE_ORDER
from .labels import stamp, unit_labels

# Names in figures come from the user's data: '$100$' or 'PAD $x^2$' is text, not mathematics.
plt.rcParams["text.parse_math"] = False
# Glyphs as the font draws them, not snapped to the pixel grid: at the 200 dpi our figures
# are saved at, hinting makes no visible difference, and laying out text without it is a
# tenth of a figure's time (notebook 01's five figures: 3.8-4.0 s -> 3.35-3.4 s). Text
# widths also scale with the resolution, as they do in the SVG.
plt.rcParams["text.hinting"] = "no_hinting"
# Titles sit on top of the axes (our figures have no tick labels or axis label above them).
# Left to itself, matplotlib looks for such decorations before every layout pass and draw
# of every axes with a title, measuring its y tick labels once more each time (a tenth of
# laying notebook 01's figures out). Every PNG and SVG of batu 2020 and contoh 2022 came
# out identical with it.
plt.rcParams["axes.titley"] = 1.0

#: One colour per SAKIP grade, D (dark) to AA (light): a perceptually ordered palette
#: (viridis steps) whose neighbours stay distinguishable in print and for colour-blind
#: readers.
GRADE_COLORS = dict(zip(GRADE_ORDER, ("#440154", "#443a83", "#31688e", "#21908d", "#35b779", "#8fd744", "#fde725")))


#: The words the brief's figures write themselves, per language (``{z}`` and the like are
#: filled in with numbers in that language's convention).
WORDS = {
    "en": {
        "grade": "grade",
        "grade_g": "grade {g}",
        "n_units": "number of units",
        "inside_band": "interval inside one band",
        "crosses_band": "interval crosses a grade boundary",
        "precision_x": "panel-mean SAKIP total ± {z} standard errors; dashed: grade boundaries",
        "units_by_total": "{n} units, lowest total at the bottom",
        "change_x": "SAKIP total on record (mean of the jurors' totals); dashed: grade boundaries",
        "change_y": "probability of another grade\nunder a new jury of the same size",
        "k_of_n": "{k} of {n}",
        "grade_in": "grade in {year}",
        "transition_title": "Units by grade, {year_from} → {year_to}",
        "transition_key": "outlined: same grade\nleft of it: moved up\nright of it: moved down",
        "year_share_x": "share of the year's graded units (numbers: units)",
        # award groups of the innovation competition (codes top5, top10, none in the tables)
        "group_top5": "top 5",
        "group_top10": "top 10",
        "group_none": "no award",
    },
    "id": {
        "grade": "predikat",
        "grade_g": "predikat {g}",
        "n_units": "jumlah perangkat daerah",
        "inside_band": "interval dalam satu rentang predikat",
        "crosses_band": "interval melintasi batas predikat",
        "precision_x": "nilai total SAKIP rata-rata evaluator ± {z} galat baku; garis putus-putus: batas predikat",
        "units_by_total": "{n} perangkat daerah, nilai total terendah di bawah",
        "change_x": "nilai total SAKIP tercatat (rata-rata nilai total evaluator); garis putus-putus: batas predikat",
        "change_y": "peluang predikat lain bila dinilai\ntim evaluator baru berukuran sama",
        "k_of_n": "{k} dari {n}",
        "grade_in": "predikat {year}",
        "transition_title": "Perangkat daerah menurut predikat, {year_from} → {year_to}",
        "transition_key": "bergaris tepi: predikat tetap\ndi kirinya: naik\ndi kanannya: turun",
        "year_share_x": "proporsi perangkat daerah berpredikat tahun itu (angka: jumlah perangkat daerah)",
        # award groups of the innovation competition
        "group_top5": "5 terbaik",
        "group_top10": "10 terbaik",
        "group_none": "tanpa penghargaan",
    },
}


def words(key: str, lang: str = "en", **values) -> str:
    """A figure's own words in ``lang`` (:data:`WORDS`), with ``values`` filled in.

    >>> words("grade_g", "id", g="BB"), words("k_of_n", "en", k=3, n=10)
    ('predikat BB', '3 of 10')
    """
    if lang not in WORDS:
        raise ValueError(f"lang must be one of {', '.join(WORDS)}, not {lang!r}")
    return WORDS[lang][key].format(**values)


def _number(x: float, lang: str) -> str:
    """A number with as many decimals as ``:g`` gives it, in ``lang``'s convention
    (:func:`kinerja.analyses.findings.fmt_number`: ``62.5`` / ``62,5``)."""
    return fmt_number(x, len(f"{x:g}".partition(".")[2]), lang)


class _DecimalComma(ScalarFormatter):
    """matplotlib's default tick labels, with a decimal comma."""

    def __call__(self, x, pos=None):
        return super().__call__(x, pos).replace(".", ",")


def _finish(ax, bases: Iterable[str], lang: str = "en"):
    """Stamp the provenance of the data on ``ax``'s figure in ``lang`` and, in Indonesian,
    write the numbers of its numeric axes with a decimal comma; returns ``ax``."""
    if lang == "id":
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(_DecimalComma())
    return stamp(ax, bases, lang)


def _text_color(color) -> str:
    """Black or white, whichever has the higher contrast ratio on ``color`` (any
    matplotlib colour): WCAG 2's ratio of relative luminances, (L1 + 0.05) / (L2 + 0.05).

    Every label on a coloured cell (grade grids, heatmap values) takes its colour from
    here: one rule for all figures."""
    from matplotlib.colors import to_rgb

    channels = np.asarray(to_rgb(color))
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ np.array([0.2126, 0.7152, 0.0722]))
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


#: widest figure (inches) whose text can still be read once the page shrinks it to its width
MAX_FIGURE_WIDTH = 13.0
#: the least room (inches) a tick label of 7-8 points needs; thinner rows or columns show
#: every second (third, ...) label
LABEL_INCHES = 0.13


def _cell(n: int, per: float, extra: float, cap: float = MAX_FIGURE_WIDTH) -> float:
    """Inches per cell for ``n`` cells: ``per``, or less so that the figure (cells plus
    ``extra`` inches of labels and colour bar) stays within ``cap`` (a 198-unit grid had
    been 65 inches wide, unreadable at page width)."""
    return min(per, max(cap - extra, 1.0) / max(n, 1))


def _thin_labels(labels, cell_inches: float | None):
    """Every k-th tick label, k enough for ``LABEL_INCHES`` of room each (blank between)."""
    if not cell_inches or cell_inches >= LABEL_INCHES:
        return labels
    k = int(np.ceil(LABEL_INCHES / cell_inches))
    return [t if i % k == 0 else "" for i, t in enumerate(labels)]


def _ax(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _heatmap(
    ax,
    data: pd.DataFrame,
    *,
    cmap,
    norm=None,
    vmin: float | None = None,
    vmax: float | None = None,
    linewidths: float = 0.0,
    linecolor: str = "white",
    square: bool = False,
    cell_inches: float | None = None,
    row_inches: float | None = None,
    cbar_kws: dict | None = None,
    annot_fmt: str | None = None,
    annot_kws: dict | None = None,
):
    """A matrix of coloured cells, first row at the top, one tick per row and column
    (what ``seaborn.heatmap`` draws; missing cells are left blank).

    Not seaborn's own: to decide whether tick labels overlap it draws the whole figure,
    a fifth of a heatmap's cost. Here the column labels turn vertical when the widest
    is wider than a cell (``cell_inches``, the width the figure was sized for, else
    the axes' width over the columns), measured without drawing; row labels are
    always horizontal. Rows (``row_inches``) and columns thinner than a label show every
    k-th label. ``cbar_kws=None`` draws no colour bar; ``annot_fmt`` writes each value in
    its cell, in black or white (:func:`_text_color`).
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    values = np.ma.masked_invalid(data.to_numpy(dtype=float, na_value=np.nan))
    cmap = colormaps[cmap] if isinstance(cmap, str) else cmap
    norm = norm if norm is not None else Normalize(vmin=vmin, vmax=vmax)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    mesh = ax.pcolormesh(values, cmap=cmap, norm=norm, linewidths=linewidths, edgecolor=linecolor)
    n_rows, n_cols = values.shape
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)  # first row at the top
    if square:
        ax.set_aspect("equal")
    if cbar_kws is not None:
        bar = ax.figure.colorbar(mesh, ax=ax, **cbar_kws)
        bar.outline.set_linewidth(0)
    # columns (``cell_inches``) or rows (``row_inches``) thinner than a label show every
    # k-th label: one label per cell overlapped into a black band on national-size grids
    ax.set_xticks(np.arange(n_cols) + 0.5, _thin_labels([str(c) for c in data.columns], cell_inches))
    ax.set_yticks(
        np.arange(n_rows) + 0.5, _thin_labels([str(i) for i in data.index], row_inches), rotation=0, va="center"
    )
    xlabels = ax.get_xticklabels()
    if n_cols:
        renderer = ax.figure.canvas.get_renderer()
        widest = max(t.get_window_extent(renderer).width for t in xlabels)
        cell = cell_inches * ax.figure.dpi if cell_inches else ax.get_window_extent(renderer).width / n_cols
        if widest > cell:
            plt.setp(xlabels, rotation=90)
    if annot_fmt is not None:
        colors = cmap(norm(values))
        for (i, j), v in np.ndenumerate(values.filled(np.nan)):
            if np.isfinite(v):
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    format(v, annot_fmt),
                    ha="center",
                    va="center",
                    color=_text_color(colors[i, j]),
                    **(annot_kws or {}),
                )
    return mesh


def completeness_heatmap(
    grid: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, subject_labels: dict | None = None
):
    """Juror x subject completeness grid (share of criteria scored); white = not scored.
    With more than 40 subjects, and more subjects than jurors, subjects run down the page
    (one row each) and jurors across: a wide grid would be shrunk to the page's width."""
    shown = grid.rename(columns=subject_labels or {})
    down = shown.shape[1] > 40 and shown.shape[1] > shown.shape[0]
    if down:
        shown = shown.T
    col = _cell(shown.shape[1], 0.32, 2.5)
    row = min(0.32, max(col, 0.16)) if down else 0.32
    ax = _ax(ax, (max(6, col * shown.shape[1] + 2.5), max(2.5, row * shown.shape[0] + 1.5)))
    _heatmap(
        ax,
        shown,
        vmin=0,
        vmax=1,
        cmap="Blues",
        linewidths=0.5 if col >= 0.2 else 0.0,
        linecolor="white",
        cell_inches=col,
        row_inches=row,
        cbar_kws={"label": "share of criteria scored", "shrink": 0.8 if not down else 0.3},
    )
    ax.set_xlabel("juror" if down else "subject")
    ax.set_ylabel("subject" if down else "juror")
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    stamp(ax, bases)
    return ax


def component_boxplot(comp_scores: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Distribution of scores per component (box plot with the individual scores' spread)."""
    ax = _ax(ax, (8, 0.55 * comp_scores["component"].nunique() + 1.5))
    import seaborn as sns  # here, not at the top: seaborn imports scipy.stats (0.5-1 s)

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


def grade_bars(counts: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None, lang: str = "en"):
    """Stacked bars of units per category by grade (one colour per grade, legend outside)."""
    ax = _ax(ax, (7.5, 0.42 * len(counts) + 1.8))
    counts.plot.barh(stacked=True, ax=ax, color=[GRADE_COLORS[c] for c in counts.columns], edgecolor="white")
    ax.set_xlabel(words("n_units", lang))
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(title=words("grade", lang), loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return _finish(ax, bases, lang)


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
    ax.set_yticks(range(len(t)), [unit_labels(t)[u] for u in t["unit_id"]], fontsize=7)
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
    cell = _cell(len(matrix), 0.45, 3.5)
    ax = _ax(ax, (cell * len(matrix) + 3.5, cell * len(matrix) + 2))
    names = [f"{j} ({panels[j]})" if panels and j in panels else str(j) for j in matrix.index]
    shown = matrix.copy()
    shown.index, shown.columns = names, names
    _heatmap(
        ax,
        shown,
        vmin=vmin,
        vmax=1,
        cmap="RdYlBu",
        annot_fmt=".2f" if cell >= 0.35 else None,  # a value fits a cell of 0.35 inches
        annot_kws={"fontsize": 7, "in_layout": False},  # cell labels stay inside the axes
        square=True,
        cell_inches=cell,
        row_inches=cell,
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


#: Inches a cell of :func:`grade_grid` needs for a grade's letters.
LETTER_INCHES = 0.25


def grid_letters(n_jurors: int) -> bool:
    """Whether :func:`grade_grid` writes jurors' grades in their cells for ``n_jurors``
    jurors: with many jurors the cells are narrower than a letter needs, and only the
    colour shows the grade (a caption should say which)."""
    return _cell(n_jurors + 1, 0.55, 4) >= LETTER_INCHES


def grade_grid(
    juror_grades: pd.DataFrame,
    published: pd.Series,
    bases: Iterable[str],
    title: str = "",
    ax=None,
    subject_labels: dict | None = None,
):
    """Unit x juror grid of the grade each juror's total implies, the grade on record
    first (left of the black line); one colour per grade with a legend. The grade is
    written in the cells of the grade on record and in a juror's cell only where it
    differs from the grade on record (every cell of a unit with no grade on record), when
    the cells are wide enough for it (:func:`grid_letters`)."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    codes = {g: i for i, g in enumerate(GRADE_ORDER)}
    grid = juror_grades.pivot_table(index="subject_id", columns="juror_id", values="grade_code", observed=True)
    grid.insert(0, "on record", published.reindex(grid.index).map(codes).astype(float))
    grid = grid.sort_values("on record", ascending=False)
    col = _cell(grid.shape[1], 0.55, 4)
    letters = grid_letters(grid.shape[1] - 1)
    ax = _ax(ax, (col * grid.shape[1] + 4, 0.26 * grid.shape[0] + 1.8))
    colors = [GRADE_COLORS[g] for g in GRADE_ORDER]
    _heatmap(
        ax,
        grid,
        cmap=ListedColormap(colors),
        norm=BoundaryNorm(range(8), 7),
        linewidths=0.4,
        linecolor="white",
        cell_inches=col,
    )
    values = grid.to_numpy()
    for (i, j), v in np.ndenumerate(values):
        # the grade on record, and a juror's grade only where it differs from it: the
        # colour carries every grade, the labels point out the disagreements
        if np.isfinite(v) and (j == 0 or (v != values[i, 0] and letters)):
            g = GRADE_ORDER[int(v)]
            ax.text(
                j + 0.5,
                i + 0.5,
                g,
                ha="center",
                va="center",
                fontsize=7,
                color=_text_color(GRADE_COLORS[g]),
                in_layout=False,  # inside its cell: measuring ~300 labels for the layout cost ~0.5 s a figure
            )
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
    prec: pd.DataFrame,
    bases: Iterable[str],
    title: str = "",
    ax=None,
    labels: dict | None = None,
    z: float = 1.96,
    lang: str = "en",
    label_size: float = 7,
):
    """Each unit's panel-mean total with a ``z`` x standard-error bar, against the grade
    band boundaries; bars that cross a boundary (grade not settled by the data) in red;
    units named in ``label_size`` points, or (``label_size=0``, more units than can be
    named legibly) not named, the axis saying how many units it shows, lowest at the bottom.

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
            ax.text(e, len(t) - 0.2, f" {_number(e, lang)}", fontsize=8, color="#444444", va="bottom")
    for mask, color, lab in (
        (~crosses, "#31688e", words("inside_band", lang)),
        (crosses, "#b2182b", words("crosses_band", lang)),
    ):
        if mask.any():
            idx = t.index[mask]
            ax.hlines(idx, lo[mask], hi[mask], color=color, linewidth=2, label=lab, zorder=2)
            ax.plot(t.loc[mask, "total"], idx, "o", color=color, markersize=4, zorder=3)
    names = t["subject_id"].map(labels).fillna(t["subject_id"]) if labels else t["subject_id"]
    if label_size > 0:
        ax.set_yticks(range(len(t)), names, fontsize=label_size)
    else:
        ax.set_yticks([])
        ax.set_ylabel(words("units_by_total", lang, n=len(t)))
    ax.set_xlim(x0, x1)
    ax.set_ylim(-1, len(t) + 1)
    ax.set_xlabel(words("precision_x", lang, z=_number(z, lang)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(title)
    return _finish(ax, bases, lang)


# ----------------------------------------------------------------------------------------
# Juror effects (notebook 02)
# ----------------------------------------------------------------------------------------

#: Plain names of the effects of the juror models (columns of the long data).
EFFECT_LABELS = {
    "subject_id": "unit",
    "juror_id": "juror",
    "criterion_id": "criterion",
    "subject_id:juror_id": "unit × juror",
    "subject_id:criterion_id": "unit × criterion",
    "residual": "residual",
}


#: seaborn's "colorblind" palette (``seaborn.color_palette("colorblind").as_hex()``, tested
#: against it), kept here so that drawing panel colours does not import seaborn, which
#: imports scipy.stats.
COLORBLIND = (
    "#0173b2",
    "#de8f05",
    "#029e73",
    "#d55e00",
    "#cc78bc",
    "#ca9161",
    "#fbafe4",
    "#949494",
    "#ece133",
    "#56b4e9",
)


def _panel_colors(panels) -> dict:
    """One colour per panel name, in order of first appearance, cycling through
    :data:`COLORBLIND` (as ``seaborn.color_palette("colorblind", n)`` does)."""
    from matplotlib.colors import to_rgb

    names = list(dict.fromkeys(str(p) for p in panels))
    return {name: to_rgb(COLORBLIND[i % len(COLORBLIND)]) for i, name in enumerate(names)}


def leniency_caterpillar(sev: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Each juror's leniency with its interval, sorted, coloured by panel type (legend);
    filled markers: the interval excludes 0.

    ``sev`` has ``juror_id, panel, estimate, ci_low, ci_high, flag`` (as the
    ``juror_effects`` table of :mod:`kinerja.analyses.juror_effects`)."""
    from matplotlib.lines import Line2D

    s = sev.dropna(subset=["estimate"]).sort_values("estimate").reset_index(drop=True)
    ax = _ax(ax, (7.5, 0.32 * len(s) + 1.9))
    colors = _panel_colors(s["panel"])
    y = np.arange(len(s))
    for i, r in s.iterrows():
        c = colors[str(r["panel"])]
        if np.isfinite(r["ci_low"]) and np.isfinite(r["ci_high"]):
            ax.hlines(i, r["ci_low"], r["ci_high"], color=c, linewidth=2.2, zorder=2)
        ax.plot(
            r["estimate"],
            i,
            "o",
            markersize=7,
            color=c,
            markerfacecolor=c if bool(r["flag"]) else "white",
            markeredgewidth=1.6,
            zorder=3,
        )
    ax.axvline(0, color="#444444", linewidth=0.9, linestyle="--", zorder=1)
    ax.set_yticks(y, [f"{j} ({p})" for j, p in zip(s["juror_id"], s["panel"])], fontsize=8)
    ax.set_ylim(-0.8, len(s) - 0.2)
    ax.set_xlabel("leniency: points added to a score compared with the average juror (95% interval)")
    handles = [Line2D([], [], color=c, marker="o", linewidth=2, label=p) for p, c in colors.items()]
    handles += [
        Line2D(
            [], [], color="#444444", marker="o", linestyle="", markerfacecolor="#444444", label="interval excludes 0"
        ),
        Line2D([], [], color="#444444", marker="o", linestyle="", markerfacecolor="white", label="interval covers 0"),
    ]
    ax.legend(
        handles=handles, title="panel type", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
    )
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def effect_forest(
    df: pd.DataFrame, bases: Iterable[str], label_col: str, xlabel: str, title: str = "", ax=None, reference=None
):
    """Estimates with 95% intervals, one line per row of ``df`` (``estimate, ci_low,
    ci_high`` and ``label_col``); a row without an interval shows its point (e.g. the
    reference level, drawn as a diamond at 0)."""
    s = df.reset_index(drop=True)
    longest = int(s[label_col].astype(str).str.len().max()) if len(s) else 10
    ax = _ax(ax, (6 + 0.06 * longest, 0.42 * len(s) + 1.6))
    y = np.arange(len(s))[::-1]
    for yy, (_, r) in zip(y, s.iterrows()):
        if np.isfinite(r["ci_low"]) and np.isfinite(r["ci_high"]):
            ax.hlines(yy, r["ci_low"], r["ci_high"], color="#4575b4", linewidth=2.2)
            ax.plot(r["estimate"], yy, "o", color="#08306b", markersize=6)
        else:
            ax.plot(r["estimate"], yy, "D", color="#999999", markersize=6)
    ax.axvline(0, color="#444444", linewidth=0.9, linestyle="--")
    ax.set_yticks(y, s[label_col].astype(str), fontsize=8)
    ax.set_ylim(-0.8, len(s) - 0.2)
    ax.set_xlabel(xlabel)
    if reference is not None:
        ax.text(0.01, 0.01, f"diamond: {reference} (reference)", transform=ax.transAxes, fontsize=7.5, color="#555555")
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def variance_components_chart(comp: pd.DataFrame, bases: Iterable[str], title: str = "", ax=None):
    """Variance components as horizontal bars (points squared) with their 95% intervals,
    one group per model; an interval that runs off the chart ends in an arrow.

    ``comp`` has ``model, component, variance, ci_low, ci_high``."""
    c = comp.dropna(subset=["variance"]).reset_index(drop=True)
    models = list(dict.fromkeys(c["model"]))
    ax = _ax(ax, (8, 0.36 * len(c) + 0.5 * len(models) + 1.5))
    palette = dict(zip(models, ("#4575b4", "#d73027", "#1a9850", "#984ea3")))
    labels, ys, y = [], [], 0.0
    finite_hi = c["ci_high"].replace(np.inf, np.nan)
    top = float(np.nanmax([c["variance"].max(), np.nanmax(finite_hi) if finite_hi.notna().any() else 0])) * 1.05
    top = min(top, float(c["variance"].max()) * 3.0) if c["variance"].max() > 0 else 1.0
    for m in models:
        part = c[c["model"] == m]
        for _, r in part.iterrows():
            ax.barh(y, r["variance"], color=palette[m], alpha=0.75, height=0.7)
            lo, hi = r["ci_low"], r["ci_high"]
            if np.isfinite(lo):
                end = min(hi, top) if np.isfinite(hi) else top
                ax.hlines(y, lo, end, color="black", linewidth=1)
                if not np.isfinite(hi) or hi > top:
                    ax.annotate("", xy=(top, y), xytext=(top * 0.97, y), arrowprops={"arrowstyle": "->", "lw": 1})
            labels.append(EFFECT_LABELS.get(str(r["component"]), str(r["component"])))
            ys.append(y)
            y += 1
        y += 0.6
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, top)
    ax.set_xlabel("variance (points²) with 95% interval")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=palette[m], alpha=0.75, label=m) for m in models],
        title="model",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def d_study_curve(
    d: pd.DataFrame, bases: Iterable[str], target: float, observed: float | None = None, title: str = "", ax=None
):
    """Dependability Φ (and Eρ², grey) of a unit's total against the number of jurors per
    unit, the target Φ as a dashed line, the smallest number reaching it marked, and the
    number of jurors the data had (``observed``) as a dotted line."""
    ax = _ax(ax, (7, 4.2))
    ax.plot(d["n_jurors"], d["phi"], "o-", color="#08306b", markersize=4, label="Φ (dependability: grades)")
    if "e_rho2" in d:
        ax.plot(d["n_jurors"], d["e_rho2"], "s--", color="#999999", markersize=3, linewidth=1, label="Eρ² (rankings)")
    ax.axhline(target, color="#b2182b", linestyle="--", linewidth=1, label=f"target Φ = {target:g}")
    best = d[d["smallest"]] if "smallest" in d else d.iloc[0:0]
    if len(best):
        b = best.iloc[0]
        ax.plot(
            b["n_jurors"],
            b["phi"],
            "o",
            markersize=12,
            markerfacecolor="none",
            markeredgecolor="#b2182b",
            mew=2,
            label=f"smallest reaching it: {int(b['n_jurors'])}",
        )
    if observed is not None and np.isfinite(observed):
        ax.axvline(observed, color="#31688e", linestyle=":", linewidth=1.2, label=f"jurors per unit now: {observed:g}")
    ax.set_xlabel("jurors per unit")
    ax.set_ylabel("coefficient")
    ax.set_ylim(min(0.0, float(np.nanmin(d["phi"])) - 0.05) if len(d) else 0, 1.02)
    ax.set_xticks(d["n_jurors"])
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def grade_change_plot(
    stab: pd.DataFrame,
    bases: Iterable[str],
    title: str = "",
    ax=None,
    labels: dict | None = None,
    n_labels: int = 5,
    lang: str = "en",
):
    """Each unit's probability of another grade under a new jury against its total, with
    the grade band boundaries (dashed, bands named); dots coloured by the grade of the
    total; the ``n_labels`` units most at risk are named.

    ``stab`` has ``subject_id, total, grade, p_change`` (the ``grade_stability`` table)."""
    from ..data.grades import grade_bands

    t = stab.dropna(subset=["total", "p_change"]).reset_index(drop=True)
    ax = _ax(ax, (8, 4.5))
    x0, x1 = float(t["total"].min()) - 3, float(t["total"].max()) + 3
    edges = np.unique(grade_bands()["score_lower_exclusive"].to_numpy(float))
    bands = grade_bands().set_index("grade")
    for e in edges:
        if x0 < e < x1:
            ax.axvline(e, color="#444444", linestyle="--", linewidth=0.8, zorder=1)
    ax.set_xlim(x0, x1)  # before any text is placed: the band names' boxes are measured in pixels
    band_boxes = []
    for g, r in bands.iterrows():
        lo, hi = max(float(r["score_lower_exclusive"]), x0), min(float(r["score_upper_inclusive"]), x1)
        if hi - lo > 0.03 * (x1 - x0):
            by = ax.transAxes.transform((0, 0.98))[1]
            cx = ax.transData.transform(((lo + hi) / 2, 0))[0]
            w, h = 0.6 * 9 * len(g) * ax.figure.dpi / 72 + 6, 9 * 1.3 * ax.figure.dpi / 72
            band_boxes.append((cx - w / 2, by - h, w, h))
            ax.text(
                (lo + hi) / 2,
                0.98,
                g,
                ha="center",
                va="top",
                fontsize=9,
                color="#333333",
                transform=ax.get_xaxis_transform(),
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    for g in GRADE_ORDER:
        sel = t["grade"].astype(str) == g
        if sel.any():
            ax.scatter(
                t.loc[sel, "total"],
                t.loc[sel, "p_change"],
                s=30,
                color=GRADE_COLORS[g],
                edgecolor="black",
                linewidth=0.5,
                zorder=3,
                label=words("grade_g", lang, g=g),
            )
    top_p = max(0.55, float(t["p_change"].max()) + 0.08) if len(t) else 1.0
    ax.set_ylim(-0.02, top_p)
    if labels is not None and n_labels > 0:
        _place_labels(ax, t.nlargest(n_labels, "p_change"), "total", "p_change", labels, avoid=band_boxes)
    ax.set_xlabel(words("change_x", lang))
    ax.set_ylabel(words("change_y", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(title)
    return _finish(ax, bases, lang)


def _place_labels(
    ax, rows: pd.DataFrame, x: str, y: str, labels: dict, fontsize: float = 7.0, avoid: Iterable = ()
) -> None:
    """Name points without overlapping names: each label goes right of its point and moves
    down in steps until its box clears the labels already placed and the boxes of
    ``avoid`` (``(x0, y0, width, height)`` in display pixels: other text of the axes)."""
    placed: list[tuple[float, float, float, float]] = list(avoid)
    height = fontsize * 1.3
    for _, r in rows.iterrows():
        text = str(labels.get(r["subject_id"], r["subject_id"]))
        px, py = ax.transData.transform((r[x], r[y]))
        width = 0.6 * fontsize * len(text) * ax.figure.dpi / 72
        h = height * ax.figure.dpi / 72
        dy = 3.0
        for _ in range(12):
            box = (px + 4, py + dy * ax.figure.dpi / 72, width, h)
            clash = any(
                box[0] < b[0] + b[2] and b[0] < box[0] + box[2] and box[1] < b[1] + b[3] and b[1] < box[1] + box[3]
                for b in placed
            )
            if not clash:
                break
            dy -= height
        placed.append(box)
        ax.annotate(
            text,
            (r[x], r[y]),
            xytext=(4, dy),
            textcoords="offset points",
            fontsize=fontsize,
            arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "#777777"} if dy < 0 else None,
        )


def category_strips(
    unit_scores: pd.DataFrame,
    bases: Iterable[str],
    *,
    too_few: Iterable[str] = (),
    title: str = "",
):
    """One strip plot per measure of the unit means by category (one dot per unit, a black
    line at the category mean); categories with too few units to compare in grey and
    marked. ``unit_scores`` has columns ``measure, category, unit_id, score`` (the
    ``unit_scores`` table of :mod:`kinerja.analyses.categories`). Returns the figure."""
    too_few = set(too_few)
    measures = list(dict.fromkeys(unit_scores["measure"]))
    first = "total" if "total" in measures else measures[0]
    order = (
        unit_scores[unit_scores["measure"] == first]
        .groupby("category")["unit_id"]
        .nunique()
        .sort_values(ascending=False)
        .index.tolist()
    )
    ncol = 2 if len(measures) > 1 else 1
    nrow = int(np.ceil(len(measures) / ncol))
    # one set of category labels per row of panels (sharey hides the inner ones): the
    # categories are the same in every panel
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(5.2 * ncol, 0.32 * len(order) * nrow + 1.6 * nrow),
        layout="constrained",
        squeeze=False,
        sharey=True,
    )
    for k, (ax, ms) in enumerate(zip(axes.ravel(), measures)):
        part = unit_scores[unit_scores["measure"] == ms]
        # one line per colour (dots) and one for the means (segments apart by NaN): a
        # line per category drew, measured and saved 14 artists a panel for 3
        dots: dict[str, tuple[list, list]] = {}
        mean_x: list[float] = []
        mean_y: list[float] = []
        for i, c in enumerate(order):
            pts = part.loc[part["category"] == c, "score"].to_numpy(dtype=float)
            y = np.full(len(pts), float(i)) + (np.linspace(-0.15, 0.15, len(pts)) if len(pts) > 1 else 0.0)
            xs, ys = dots.setdefault("#9e9e9e" if c in too_few else "#2c7fb8", ([], []))
            xs.extend(pts)
            ys.extend(y)
            if len(pts):
                mean_x += [pts.mean()] * 2 + [np.nan]
                mean_y += [i - 0.3, i + 0.3, np.nan]
        for color, (xs, ys) in dots.items():
            ax.plot(xs, ys, "o", color=color, markersize=4, alpha=0.8)
        if mean_x:
            ax.plot(mean_x, mean_y, color="black", linewidth=1.5)
        ax.set_yticks(range(len(order)), [c + (" · too few" if c in too_few else "") for c in order], fontsize=8)
        ax.set_title(ms, fontsize=9)
        if k + ncol >= len(measures):  # the lowest panel of its column names the axis
            ax.set_xlabel("unit mean over jurors (0–100)", fontsize=8)
    axes[0, 0].invert_yaxis()  # once: the y axis is shared, a second call would undo it
    for ax in axes.ravel()[len(measures) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    stamp(axes.ravel()[0], bases)
    return fig


def leniency_scatter(
    jl: pd.DataFrame, bases: Iterable[str], *, x: str, y: str, xlabel: str, ylabel: str, title: str = "", ax=None
):
    """Each juror's leniency in two evaluations (columns ``x`` and ``y``), coloured by
    panel, labelled by ``juror_id``, with the zero lines (the average juror)."""
    ax = _ax(ax, (6.0, 4.6))
    pal = dict(zip(sorted(jl["panel"].dropna().unique()), plt.cm.tab10.colors))
    for p, part in jl.groupby("panel", observed=True):
        ax.scatter(part[x], part[y], s=44, color=pal[p], label=p, edgecolor="k", lw=0.4)
    for _, r in jl.iterrows():
        ax.annotate(r["juror_id"], (r[x], r[y]), xytext=(4, 3), textcoords="offset points", fontsize=8)
    ax.axhline(0, color="#999", lw=0.8)
    ax.axvline(0, color="#999", lw=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(title="panel", frameon=False, fontsize=8)
    stamp(ax, bases)
    return ax


def share_dots(
    shares: pd.DataFrame,
    bases: Iterable[str],
    *,
    overall: float,
    overall_label: str,
    xlabel: str,
    title: str = "",
    too_few=None,
    ax=None,
):
    """Each group's share (dot) with its interval (bar), the share of all units as a
    dotted line; groups with too few units in grey and marked. ``shares`` has columns
    ``category, estimate, ci_low, ci_high, successes, n`` (one row per group, in the
    order shown from the bottom); ``too_few`` a boolean per row."""
    s = shares.reset_index(drop=True)
    few = np.zeros(len(s), bool) if too_few is None else np.asarray(too_few, bool)
    ax = _ax(ax, (7.5, 0.42 * len(s) + 1.8))
    for i, r in s.iterrows():
        color = "#9e9e9e" if few[i] else "#08306b"
        ax.hlines(i, r["ci_low"], r["ci_high"], color=color, linewidth=2)
        ax.plot(r["estimate"], i, "o", color=color, markersize=6)
    ax.axvline(overall, color="#555555", linestyle=":", linewidth=1, label=overall_label)
    ax.set_yticks(
        range(len(s)),
        [
            f"{c} ({int(k)}/{int(n)})" + (" · too few" if f else "")
            for c, k, n, f in zip(s["category"], s["successes"], s["n"], few)
        ],
        fontsize=8,
    )
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(title)
    stamp(ax, bases)
    return ax


def paired_forest(
    est: pd.DataFrame,
    bases: Iterable[str],
    *,
    xlabel: str,
    models: dict | None = None,
    title: str = "",
    ax=None,
):
    """Two estimates per row, side by side: ``est`` has ``measure, category, model,
    estimate, ci_low, ci_high``; ``models`` maps each ``model`` value to its colour
    (default: "unadjusted" orange above "adjusted" blue). A line at 0."""
    models = models or {"unadjusted": "#fdae61", "adjusted": "#2c7bb6"}
    rows = est[["measure", "category"]].drop_duplicates().reset_index(drop=True)
    ax = _ax(ax, (8, 0.36 * len(rows) + 1.8))
    offsets = np.linspace(-0.16, 0.16, len(models)) if len(models) > 1 else [0.0]
    for (model, color), off in zip(models.items(), offsets):
        m = est[est["model"] == model].set_index(["measure", "category"])
        for i, (ms, c) in rows.iterrows():
            if (ms, c) in m.index:
                r = m.loc[(ms, c)]
                ax.hlines(i + off, r["ci_low"], r["ci_high"], color=color, linewidth=2)
                ax.plot(r["estimate"], i + off, "o", color=color, markersize=5, label=model if i == 0 else None)
    ax.axvline(0, color="#555555", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [f"{ms} · {c}" for ms, c in zip(rows["measure"], rows["category"])], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    handles, labs = ax.get_legend_handles_labels()
    unique = dict(zip(labs, handles))
    ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(title)
    stamp(ax, bases)
    return ax


#: Colours of the award groups of an innovation competition (top five, top ten, none).
AWARD_COLORS = {"top5": "#08519c", "top10": "#4292c6", "none": "#bdbdbd"}


def share_bars(
    counts: dict,
    bases: Iterable[str],
    *,
    xlabel: str,
    ylabel: str,
    colors: dict | None = None,
    ax=None,
    lang: str = "en",
):
    """One bar per group with its share and "k of n" beside it; ``counts`` maps each
    group (top bar first) to ``(k, n)``."""
    colors = colors or AWARD_COLORS
    groups = list(counts)[::-1]
    share = [counts[g][0] / counts[g][1] for g in groups]
    ax = _ax(ax, (6.4, 3.2))
    bars = ax.barh(groups, share, color=[colors.get(g, "#bdbdbd") for g in groups])
    for b, g in zip(bars, groups):
        k_of_n = words("k_of_n", lang, k=counts[g][0], n=counts[g][1])
        ax.text(b.get_width() + 0.01, b.get_y() + b.get_height() / 2, k_of_n, va="center")
    # the groups in words ('no award', not the code 'none'); other groups as they are named
    ax.set_yticks(range(len(groups)), [WORDS[lang].get(f"group_{g}", g) for g in groups])
    ax.set_xlim(0, 1.15)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return _finish(ax, bases, lang)


def group_scatter(
    frame: pd.DataFrame,
    bases: Iterable[str],
    *,
    x: str,
    y: str,
    group: str,
    order: Iterable[str],
    xlabel: str,
    ylabel: str,
    legend_title: str,
    colors: dict | None = None,
    ax=None,
):
    """Scatter of ``y`` against ``x``, one colour per value of ``group`` (in ``order``)."""
    colors = colors or AWARD_COLORS
    ax = _ax(ax, (6.6, 4.4))
    for g in order:
        part = frame[frame[group] == g]
        if len(part):
            ax.scatter(part[x], part[y], s=36, color=colors.get(g, "#bdbdbd"), label=g, edgecolor="k", lw=0.4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(title=legend_title, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    stamp(ax, bases)
    return ax


def rank_probability_bars(entries: pd.DataFrame, bases: Iterable[str], *, xlabel: str, ax=None):
    """Each entry's chance of a top-five place (bar; dark for the official top five) and
    of a top-ten place (tick), in official order from the top. ``entries`` has
    ``official_rank, label, p_top5, p_top10, official_top5``."""
    import textwrap

    from matplotlib.patches import Patch

    k = entries.reset_index(drop=True)
    ax = _ax(ax, (7.2, 0.36 * len(k) + 1.4))
    y = np.arange(len(k))[::-1]
    colour = np.where(k["official_top5"], "#08519c", "#9ecae1")
    ax.barh(y, k["p_top5"], color=colour, edgecolor="k", lw=0.3)
    handles = [Patch(color="#08519c", label="official top 5")]
    if not k["official_top5"].all():
        handles.append(Patch(color="#9ecae1", label="other entries"))
    if k["p_top10"].notna().any():  # undefined with 10 entries or fewer: all are in the top 10
        handles.append(
            ax.scatter(k["p_top10"], y, marker="|", s=120, color="#d94801", label="share in the top 10", zorder=3)
        )
    # two lines at most: longer names ran into the next entry's label
    lab = [
        textwrap.fill(f"{int(r)}. {t}", 36, max_lines=2, placeholder=" …")
        for r, t in zip(k["official_rank"], k["label"])
    ]
    ax.set_yticks(y, lab, fontsize=8)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="lower right")
    stamp(ax, bases)
    return ax
