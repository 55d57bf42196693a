"""The policy brief's figures, drawn at the size they are printed, in the brief's language.

The notebooks draw their figures for the screen (7-8 inches wide). A brief prints two
figures side by side, each about 88 mm wide: a screen figure shrunk into that box came out
at a third to a half of its size (8 pt labels printed at 3 pt, unit names at 2.5 pt). So
the brief draws the figures it shows again, from the run's saved results tables, with the
same drawing functions as the notebooks (:mod:`kinerja.report.plots`,
:mod:`kinerja.report.trend_plots`), on a figure :data:`PRINT_WIDTH_IN` wide whose text is
printed at its own size (7-8 pt), with the legend below the axes, no title (the brief's
caption says it) and the provenance stamp wrapped to the width.

Each figure a notebook marks as ``key`` (one a brief may lift) has a drawing here, keyed
by notebook and figure name (:data:`DRAWINGS`); a test holds every key figure of every
notebook to that. Only the (at most two) figures a brief shows are drawn, in its language:
four drawings per report folder, instead of every key figure in both languages.

Drawing is not computing: every number comes from ``results/<table>.csv`` of the run, its
bases from the table's ``provenance`` column (:func:`kinerja.data.provenance.bases_of_label`),
unit names from the dataset.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..data.grades import GRADE_ORDER
from ..data.provenance import bases_of_label
from .labels import unit_labels

#: Width of a printed brief figure: one of the brief's two columns (48.5% of a 180 mm
#: text block, about 87 mm) less a little margin.
PRINT_WIDTH_IN = 3.35
#: The tallest a printed brief figure is drawn (two of them and the first page's text
#: fit on two A4 pages).
PRINT_MAX_HEIGHT_IN = 3.9
#: What a printed interval plot needs besides its rows (inches): legend, axis, stamp.
_PRECISION_FRAME_IN = 1.3
#: Font sizes of a printed figure (points, printed at that size).
PRINT_RC = {
    "font.size": 7.5,
    "axes.titlesize": 8,
    "axes.labelsize": 7.5,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
}


#: Columns of the results tables read as text, as the dataset's own ids and labels are
#: (an id such as "007" stays "007" and finds its unit's name).
TEXT_COLUMNS = ("subject_id", "unit_id", "juror_id", "category", "award_group", "grade", "grade_from", "grade_to")


@dataclass
class RunTables:
    """The saved results of one report folder, as the drawings need them."""

    folder: Path
    names: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """``results/<name>.csv`` without its ``provenance`` column."""
        if name not in self._cache:
            path = self.folder / "results" / f"{name}.csv"
            if not path.is_file():
                raise FileNotFoundError(f"the brief's figure needs {path}, which the run did not write")
            self._cache[name] = pd.read_csv(path, dtype=dict.fromkeys(TEXT_COLUMNS, str))
        return self._cache[name].drop(columns=["provenance"], errors="ignore")

    def bases(self, name: str) -> list[str]:
        """The bases of the rows behind ``results/<name>.csv`` (from its ``provenance``)."""
        self.table(name)
        labels = self._cache[name].get("provenance", pd.Series(dtype=str)).dropna().unique()
        return sorted({b for label in labels for b in bases_of_label(label)})


def _print_axes(height: float):
    import matplotlib.pyplot as plt

    height = min(max(height, 1.9), PRINT_MAX_HEIGHT_IN)
    fig = plt.figure(figsize=(PRINT_WIDTH_IN, height), layout="constrained")
    return fig.add_subplot()


def _fit_for_print(ax) -> None:
    """A screen drawing made to fit a narrow printed column: no title (the brief's caption
    says it), the legend that sat right of the axes moved above them, axis labels and the
    provenance stamp wrapped to the width (measured at the resolution the PNG is drawn at,
    where small hinted text is wider than at the screen's)."""
    from .notebook import FIGURE_DPI

    fig = ax.figure
    fig.set_dpi(FIGURE_DPI)
    for a in fig.axes:
        a.set_title("")
    legend = ax.get_legend()
    if legend is not None:
        handles = legend.legend_handles
        texts = [t.get_text() for t in legend.get_texts()]
        title = legend.get_title().get_text()
        legend.remove()
        # as many entries side by side as fit across the figure
        renderer = fig.canvas.get_renderer()
        for n_cols in range(len(texts), 0, -1):
            probe = fig.legend(handles, texts, title=title or None, ncols=n_cols, frameon=False)
            fits = probe.get_window_extent(renderer).width <= 0.95 * fig.bbox.width
            probe.remove()
            if fits:
                break
        fig.legend(handles, texts, title=title or None, loc="outside upper center", ncols=n_cols, frameon=False)
    # long words wrapped to what the column leaves them: an axis label spans its axes (about
    # two thirds of the width once tick labels are placed), the stamp the whole figure
    for a in fig.axes:
        _wrap_to(a.xaxis.label, 0.66 * fig.bbox.width)
        _wrap_to(a.yaxis.label, 0.8 * fig.bbox.height)
        _wrap_row_names(a, 0.4 * fig.bbox.width)
    for t in fig.texts:  # the stamp is the figure's supxlabel (labels.stamp)
        _wrap_to(t, 0.97 * fig.bbox.width, parts=True)


def _wrap_to(text, limit_px: float, parts: bool = False) -> None:
    """Wrap ``text`` (an artist) onto more lines until its longest line is at most
    ``limit_px`` long, measured as drawn (at most 6 lines)."""
    renderer = text.figure.canvas.get_renderer()
    words = text.get_text().replace("\n", " ")
    if not words:
        return

    def length() -> float:
        ext = text.get_window_extent(renderer)
        vertical = text.get_rotation() % 180 == 90
        return ext.height if vertical else ext.width

    width = len(words)
    while length() > limit_px and width > 12:
        width = int(width * 0.85)
        wrapped = _wrap_parts(words, width) if parts else textwrap.fill(words, width)
        text.set_text(wrapped)
        if wrapped.count("\n") >= 5:
            break


def _wrap_row_names(ax, limit_px: float) -> None:
    """Row names (y tick labels) longer than ``limit_px`` wrapped onto at most three lines,
    so that a long category or unit name does not squeeze the axes to a sliver."""
    renderer = ax.figure.canvas.get_renderer()
    ticks, labels = ax.get_yticks(), ax.get_yticklabels()
    texts = [t.get_text() for t in labels]
    if not texts or max(t.get_window_extent(renderer).width for t in labels) <= limit_px:
        return
    size = labels[0].get_fontsize()
    width = max(len(t) for t in texts)
    while width > 12:
        width = int(width * 0.85)
        wrapped = [textwrap.fill(t, width) for t in texts]
        ax.set_yticks(ticks, wrapped, fontsize=size)
        new = ax.get_yticklabels()
        if (
            max(t.get_window_extent(renderer).width for t in new) <= limit_px
            or max(w.count("\n") for w in wrapped) >= 2
        ):
            break


def _wrap_parts(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken at " + " first (between
    the bases of a provenance label), within a part only where a part is too long."""
    lines: list[str] = []
    for part in text.split(" + "):
        candidate = f"{lines[-1]} + {part}" if lines else part
        if lines and len(candidate) <= width:
            lines[-1] = candidate
        else:
            if lines:
                lines[-1] += " +"
            lines.extend(textwrap.wrap(part, width) or [part])
    return "\n".join(lines)


def _grade_bars_overview(run: RunTables, year: int, lang: str):
    from . import plots

    long = run.table("grade_counts")
    counts = long.pivot_table(
        index="category", columns="grade", values="n_units", aggfunc="sum", fill_value=0, sort=False
    )
    counts = counts[[g for g in GRADE_ORDER[::-1] if g in counts.columns and counts[g].sum() > 0]].astype(int)
    ax = _print_axes(0.3 * len(counts) + 1.3)
    return plots.grade_bars(counts, run.bases("grade_counts"), ax=ax, lang=lang)


def _grade_bars_categories(run: RunTables, year: int, lang: str):
    from ..analyses.categories import grade_counts_wide
    from . import plots

    tab = run.table("grades_by_category")
    wide = grade_counts_wide(tab[tab["year"] == year] if "year" in tab else tab)
    ax = _print_axes(0.3 * len(wide) + 1.3)
    return plots.grade_bars(wide, run.bases("grades_by_category"), ax=ax, lang=lang)


def _unit_precision(run: RunTables, year: int, lang: str):
    from . import plots

    prec = run.table("unit_precision")
    n = int(prec["total"].notna().sum())
    # a row per unit, named where the names can be read: 6 pt (5.5 pt if need be) on rows
    # 1.08 times as high; more units than that fit are drawn unnamed, sorted by total
    for size in (6.0, 5.5):
        height = (n + 2) * 1.08 * size / 72 + _PRECISION_FRAME_IN
        if height <= PRINT_MAX_HEIGHT_IN:
            ax = _print_axes(height)
            return plots.precision_plot(prec, run.bases("unit_precision"), ax=ax, labels=run.names, lang=lang,
                                        label_size=size)  # fmt: skip
    ax = _print_axes(min(0.06 * n + _PRECISION_FRAME_IN, PRINT_MAX_HEIGHT_IN))
    return plots.precision_plot(prec, run.bases("unit_precision"), ax=ax, lang=lang, label_size=0)


def _grade_change(run: RunTables, year: int, lang: str):
    from . import plots

    stab = run.table("grade_stability")
    ax = _print_axes(2.7)
    return plots.grade_change_plot(stab, run.bases("grade_stability"), ax=ax, labels=run.names, n_labels=3, lang=lang)


def _high_grade_by_award(run: RunTables, year: int, lang: str):
    from ..analyses.findings import join_words
    from ..analyses.innovations import AWARD_GROUPS, competition_label
    from . import plots

    cont = run.table("contingency")
    exact = run.table("exact_test").iloc[0]
    high = [g.strip() for g in str(exact["high_grades"]).split(",") if g.strip()]
    counts = {}
    for grp in AWARD_GROUPS:
        sub = cont[cont["award_group"] == grp]
        n = int(sub["n"].sum())
        if n:
            counts[grp] = (int(sub.loc[sub["grade"].isin(high), "n"].sum()), n)
    comp = competition_label(cont["competition"].iloc[0])
    hi = join_words(high, lang=lang)
    ax = _print_axes(1.5 + 0.35 * len(counts))
    if lang == "id":
        xlabel, ylabel = f"proporsi perangkat daerah berpredikat {hi}", f"penghargaan {comp}"
    else:
        xlabel, ylabel = f"share of graded units with {hi}", f"{comp} award"
    return plots.share_bars(counts, run.bases("contingency"), xlabel=xlabel, ylabel=ylabel, ax=ax, lang=lang)


def _transitions(run: RunTables, year: int, lang: str):
    from . import trend_plots

    tr = run.table("transitions")
    tr = tr[tr["year_to"] == year]
    prev = int(tr["year_from"].max())
    mat = trend_plots.transition_matrix(tr, prev, year)
    ax = _print_axes(0.42 * len(mat) + 1.4)
    return trend_plots.transition_heatmap(mat, run.bases("transitions"), year_from=prev, year_to=year, ax=ax, lang=lang)


def _grade_distribution(run: RunTables, year: int, lang: str):
    from . import trend_plots

    dist = run.table("grade_distribution")
    dist = dist[dist["year"] <= year]
    ax = _print_axes(0.32 * dist["year"].nunique() + 1.4)
    return trend_plots.grade_distribution_bars(dist, run.bases("grade_distribution"), ax=ax, lang=lang)


#: The printed drawing of each figure a brief may lift: (notebook, figure name) -> drawing
#: from the run's results tables (``run, year, lang`` -> axes).
DRAWINGS: dict[tuple[str, str], Callable] = {
    ("00_data_overview", "grades_by_category"): _grade_bars_overview,
    ("01_juror_agreement", "unit_precision"): _unit_precision,
    ("02_juror_effects", "grade_change"): _grade_change,
    ("03_category_comparison", "grades_by_category"): _grade_bars_categories,
    ("04_innovation_and_grades", "high_grade_by_award"): _high_grade_by_award,
    ("05_trends", "transitions"): _transitions,
    ("05_trends", "grade_distribution"): _grade_distribution,
}


def figure_name(file: str) -> str:
    """The name a notebook gave a figure, from its file (``.../fig01_unit_precision.png``)."""
    stem = Path(str(file)).name.split(".", 1)[0]
    head, _, rest = stem.partition("_")
    return rest if head.startswith("fig") and head[3:].isdigit() else stem


def unit_names(units: pd.DataFrame) -> dict:
    """Unit id -> short name, as the notebooks label units (:func:`labels.unit_labels`)."""
    return unit_labels(units.drop_duplicates("unit_id"))


def draw(folder: Path, *, notebook: str, file: str, year: int, lang: str, names: dict | None = None) -> bytes | None:
    """The figure ``file`` of ``notebook`` drawn for a printed brief in ``lang``, as PNG
    bytes (:data:`kinerja.report.notebook.FIGURE_DPI`; the brief embeds them and writes
    nothing into the report folder); ``None`` when the figure has no printed drawing (the
    brief then shows the notebook's own PNG, shrunk)."""
    import io

    import matplotlib.pyplot as plt

    from .notebook import _freeze_layout, _save_png, ticks_once

    drawing = DRAWINGS.get((notebook, figure_name(file)))
    if drawing is None:
        return None
    run = RunTables(Path(folder), names=names or {})
    with plt.rc_context(PRINT_RC):
        ax = drawing(run, int(year), lang)
        fig = ax.figure
        try:
            _fit_for_print(ax)
            buf = io.BytesIO()
            with ticks_once(fig):
                _save_png(fig, buf, _freeze_layout(fig))
        finally:
            plt.close(fig)
    return buf.getvalue()


__all__ = ["DRAWINGS", "PRINT_WIDTH_IN", "RunTables", "draw", "figure_name", "unit_names"]
