"""The figure helpers (kinerja.report.plots): the heatmap against seaborn's, the grade grid."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")  # this test draws figures outside a notebook

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import seaborn as sns

from kinerja.data.grades import GRADE_ORDER
from kinerja.paths import PROJ_ROOT
from kinerja.report import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _matrix(n_rows=4, n_cols=5, names=None, seed=1):
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, (n_rows, n_cols))
    values[1, 2] = np.nan
    cols = names or [f"J{j:02d}" for j in range(n_cols)]
    return pd.DataFrame(values, index=[f"U{i}" for i in range(n_rows)], columns=cols)


def _cells(ax):
    """Text of every label drawn inside the axes' cells, by position."""
    return {(round(t.get_position()[0], 3), round(t.get_position()[1], 3)): t.get_text() for t in ax.texts}


def test_heatmap_draws_the_cells_and_labels_that_seaborns_heatmap_draws():
    # peer: seaborn.heatmap, which the helper replaces (it draws the whole figure once to
    # decide about tick labels); same mesh colours, masked cells, limits, value labels
    data = _matrix()
    _, ours = plt.subplots(figsize=(6, 4))
    mesh = plots._heatmap(ours, data, cmap="RdYlBu", vmin=0, vmax=1, annot_fmt=".2f", cbar_kws={"shrink": 0.8})
    _, peer = plt.subplots(figsize=(6, 4))
    sns.heatmap(data, ax=peer, cmap="RdYlBu", vmin=0, vmax=1, annot=True, fmt=".2f", cbar_kws={"shrink": 0.8})
    theirs = peer.collections[0]
    for fig in (ours.figure, peer.figure):
        fig.canvas.draw()  # cell colours are computed at drawing
    np.testing.assert_allclose(mesh.get_facecolors(), theirs.get_facecolors())
    assert np.ma.getmaskarray(mesh.get_array()).tolist() == np.ma.getmaskarray(theirs.get_array()).tolist()
    assert ours.get_xlim() == peer.get_xlim() and ours.get_ylim() == peer.get_ylim()  # first row on top
    assert [t.get_text() for t in ours.get_xticklabels()] == [t.get_text() for t in peer.get_xticklabels()]
    assert [t.get_text() for t in ours.get_yticklabels()] == [t.get_text() for t in peer.get_yticklabels()]
    assert _cells(ours) == _cells(peer)
    assert len(ours.texts) == data.notna().to_numpy().sum()  # no label in the missing cell
    assert len(ours.figure.axes) == 2  # the colour bar
    # label colour: ours is the WCAG rule (below), not seaborn's luminance threshold
    cells = mesh.get_facecolors()[~np.ma.getmaskarray(mesh.get_array()).ravel()]
    by_position = {(t.get_position()[1], t.get_position()[0]): t.get_color() for t in ours.texts}
    assert len(by_position) == len(cells)
    for (_, colour), face in zip(sorted(by_position.items()), cells):
        assert colour == plots._text_color(face)


@pytest.mark.parametrize(
    "grey, expected",
    [
        # WebAIM contrast checker (webaim.org/resources/contrastchecker): #767676 on white
        # is 4.54:1, #757575 4.6:1. Ratios against white and black multiply to 21, so
        # #767676 reads better in black (4.63:1) and #757575 in white (4.6 > 4.56).
        ("#767676", "black"),
        ("#757575", "white"),
        ("#ffffff", "black"),
        ("#000000", "white"),
    ],
)
def test_label_colour_is_the_one_with_the_higher_wcag_contrast(grey, expected):
    assert plots._text_color(grey) == expected
    assert plots._text_color(matplotlib.colors.to_rgba(grey)) == expected  # colormap output too


def test_grade_labels_use_the_higher_contrast_colour():
    # B (#21908d): contrast 5.4:1 with black and 3.9:1 with white (WCAG 2), so black
    assert plots._text_color(plots.GRADE_COLORS["B"]) == "black"
    assert plots._text_color(plots.GRADE_COLORS["CC"]) == "white"


def test_heatmap_turns_column_labels_vertical_only_when_they_are_wider_than_a_cell():
    _, ax = plt.subplots(figsize=(6, 4))
    plots._heatmap(ax, _matrix(), cmap="Blues", cell_inches=0.6)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0.0}
    assert {t.get_rotation() for t in ax.get_yticklabels()} == {0.0}  # rows: always horizontal
    _, ax = plt.subplots(figsize=(6, 4))
    long = [f"J{j:02d} (a long panel name)" for j in range(5)]
    plots._heatmap(ax, _matrix(names=long), cmap="Blues", cell_inches=0.6)
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {90.0}
    assert {t.get_rotation() for t in ax.get_yticklabels()} == {0.0}
    # without a cell width: the axes' width over the columns (5 short labels fit in 6 in)
    _, ax = plt.subplots(figsize=(6, 4))
    plots._heatmap(ax, _matrix(), cmap="Blues")
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0.0}


def test_grade_grid_labels_the_grade_on_record_and_only_the_juror_grades_that_differ():
    codes = {g: i for i, g in enumerate(GRADE_ORDER)}
    rows = [("u1", "j1", "A"), ("u1", "j2", "BB"), ("u2", "j1", "BB"), ("u2", "j2", "BB"), ("u3", "j1", "B")]
    rows += [("u3", "j2", "A")]
    jg = pd.DataFrame(rows, columns=["subject_id", "juror_id", "grade"])
    jg["grade_code"] = jg["grade"].map(codes)
    published = pd.Series({"u1": "A", "u2": "BB"})  # u3 has no grade on record
    ax = plots.grade_grid(jg, published, ["synthetic"])
    labels = sorted(t.get_text() for t in ax.texts if t.get_text() in codes)
    # on record: A, BB; u1: j2's BB differs; u2: none; u3 (no record): both
    assert labels == sorted(["A", "BB", "BB", "B", "A"])


def test_heatmap_leaves_a_missing_cell_of_a_nullable_column_blank():
    # pivot tables of loaded data can hold pandas' nullable floats: NA is a blank cell, no label
    data = pd.DataFrame({"a": pd.array([0.1, None], dtype="Float64"), "b": [0.5, 0.7]}, index=["x", "y"])
    _, ax = plt.subplots()
    mesh = plots._heatmap(ax, data, cmap="Blues", vmin=0, vmax=1, annot_fmt=".1f")
    assert np.ma.getmaskarray(mesh.get_array()).tolist() == [[False, False], [True, False]]
    assert sorted(t.get_text() for t in ax.texts) == ["0.1", "0.5", "0.7"]


def test_transition_heatmap_labels_take_the_higher_contrast_colour_of_their_cell():
    from kinerja.report import trend_plots

    matrix = pd.DataFrame([[9, 0], [1, 5]], index=["A", "BB"], columns=["A", "BB"])
    ax = trend_plots.transition_heatmap(matrix, ["synthetic"], year_from=2020, year_to=2021)
    colours = {t.get_text(): t.get_color() for t in ax.texts if t.get_text() in {"9", "1", "5"}}
    # the darkest Blues cell (9 of 9) reads in white, the palest (1 of 9) in black
    assert colours["9"] == "white" and colours["1"] == "black"
    blues = matplotlib.colormaps["Blues"]
    assert colours["5"] == plots._text_color(blues(5 / 9))


def test_transition_heatmap_key_says_where_a_unit_that_moved_up_is_drawn():
    """The key said 'right of it: moved up' while a unit from BB to A is drawn left of the
    diagonal (both axes run best grade first); the caption and alt text said the same."""
    from kinerja.report import trend_plots

    tr = pd.DataFrame(
        {"year_from": 2020, "year_to": 2021, "grade_from": ["BB", "A"], "grade_to": ["A", "A"], "n_units": [1, 4]}
    )
    mat = trend_plots.transition_matrix(tr, 2020, 2021)
    assert list(mat.index) == list(mat.columns) == ["A", "BB"]
    ax = trend_plots.transition_heatmap(mat, ["synthetic"], year_from=2020, year_to=2021)
    cell = next(t for t in ax.texts if t.get_text() == "1")
    col, row = cell.get_position()
    assert col < row  # the moved-up unit: left of (and below) the diagonal
    for lang, up in (("en", "left of it: moved up"), ("id", "di kirinya: naik")):
        assert up in plots.words("transition_key", lang)
    nb = (PROJ_ROOT / "notebooks" / "05_trends.ipynb").read_text(encoding="utf-8")
    assert "cells left of it moved up" in nb and "right of it moved up" not in nb


def test_panel_colors_are_seaborns_colorblind_palette():
    import seaborn as sns

    for n in (1, 3, 10, 11, 25):
        names = [f"panel {i}" for i in range(n)]
        assert list(plots._panel_colors(names).values()) == list(sns.color_palette("colorblind", n))
    assert list(plots._panel_colors(["b", "a", "b"])) == ["b", "a"]  # order of first appearance


def test_agreement_notebook_path_does_not_import_scipy_stats():
    """Notebook 01 needs a few normal, t and chi-square quantiles (kinerja.stats._dist),
    not scipy.stats, whose import was 0.5-1 s of the notebook's kernel start (issue 7).
    Its analysis and its figures, in a fresh interpreter, must not import it or seaborn."""
    import subprocess
    import sys

    code = """
import sys
import matplotlib
matplotlib.use("Agg")
from kinerja.data.io import load_dataset
from kinerja.analyses import agreement
from kinerja.report import plots
ds = load_dataset("batu").for_year(2020)
res = agreement.analyse(ds, year=2020, n_boot=50, seed=1)
s = res.table("agreement")
sak = s[(s["panel"] == "all") & s["estimate"].notna()].head(5).assign(label="x")
plots.coefficient_forest(sak, res.bases["agreement"])
prec = res.table("unit_precision")
plots.precision_plot(prec, res.bases["agreement"])
pairs = res.table("juror_pairs")
ids = sorted(set(pairs["juror_a"]) | set(pairs["juror_b"]))
mat = pairs.pivot(index="juror_a", columns="juror_b", values="estimate").reindex(index=ids, columns=ids)
plots.pairwise_heatmap(mat, res.bases["agreement"], panels=dict(zip(ds.jurors["juror_id"], ds.jurors["panel"])))
print(sorted(m for m in ("scipy.stats", "seaborn", "statsmodels") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_category_strips_share_category_labels_and_name_x_once_per_column():
    rows = []
    for m in ["total", "c1", "c2", "c3", "c4"]:  # 5 panels in a 3 x 2 grid: one left empty
        for cat, n in (("Dinas", 4), ("Badan", 2), ("Kantor", 1)):
            rows += [{"measure": m, "category": cat, "unit_id": f"{cat}{i}", "score": 70 + 3 * i} for i in range(n)]
    fig = plots.category_strips(pd.DataFrame(rows), ["synthetic"], too_few={"Kantor"}, title="t")
    axes = fig.axes
    shown = [ax for ax in axes if ax.get_visible()]
    assert len(shown) == 5
    # categories top to bottom in order of size, on every panel (shared), labelled on the left column only
    assert shown[0].get_ylim()[0] > shown[0].get_ylim()[1]
    assert all(ax.get_ylim() == shown[0].get_ylim() for ax in shown)
    labels = [t.get_text() for t in shown[0].get_yticklabels()]
    assert labels == ["Dinas", "Badan", "Kantor · too few"]
    left = [ax.yaxis.get_tick_params()["labelleft"] for ax in shown]
    assert left == [True, False, True, False, True]
    # the x axis is named by the lowest panel of each column
    assert [bool(ax.get_xlabel()) for ax in shown] == [False, False, False, True, True]
    plt.close(fig)


def _brief_figures(lang):
    """Every figure a policy brief may lift, drawn in ``lang`` from small tables."""
    from kinerja.report import trend_plots

    bases = ["synthetic", "inferred", "named"]
    counts = pd.DataFrame({"A": [3, 1], "BB": [5, 2]}, index=["Badan", "Dinas"])
    prec = pd.DataFrame({"subject_id": ["U1", "U2", "U3"], "total": [71.0, 79.5, 84.2], "se": [1.2, 0.8, 2.5]})
    stab = pd.DataFrame(
        {"subject_id": ["U1", "U2", "U3"], "total": [71.0, 79.5, 84.2], "grade": ["BB", "BB", "A"],
         "p_change": [0.3, 0.05, 0.12]}
    )  # fmt: skip
    mat = pd.DataFrame([[1, 2], [3, 4]], index=["A", "BB"], columns=["A", "BB"])
    dist = pd.DataFrame(
        {"year": [2019, 2019, 2020, 2020], "grade": ["A", "BB", "A", "BB"], "share": [0.25, 0.75, 0.5, 0.5],
         "n_units": [1, 3, 2, 2]}
    )  # fmt: skip
    return {
        "grade_bars": plots.grade_bars(counts, bases, title="t", lang=lang),
        "precision_plot": plots.precision_plot(prec, bases, title="t", lang=lang),
        "grade_change_plot": plots.grade_change_plot(stab, bases, title="t", labels={"U1": "Unit 1"}, lang=lang),
        "share_bars": plots.share_bars(
            {"top5": (1, 5), "top10": (2, 3), "none": (7, 21)}, bases, xlabel="x", ylabel="y", lang=lang
        ),
        "transition_heatmap": trend_plots.transition_heatmap(mat, bases, year_from=2019, year_to=2020, lang=lang),
        "grade_distribution_bars": trend_plots.grade_distribution_bars(dist, bases, title="t", lang=lang),
    }


def _texts(ax):
    """Every text a reader sees on the figure of ``ax``, tick labels as drawn."""
    fig = ax.figure
    fig.canvas.draw()  # tick labels are formatted at draw time
    return [t.get_text() for t in fig.findobj(plt.Text) if t.get_visible() and t.get_text()]


BRIEF_FIGURES = (
    "grade_bars",
    "precision_plot",
    "grade_change_plot",
    "share_bars",
    "transition_heatmap",
    "grade_distribution_bars",
)


@pytest.mark.parametrize("name", BRIEF_FIGURES)
def test_brief_figures_in_indonesian_have_no_english_words_and_decimal_commas(name):
    ax_en, ax_id = _brief_figures("en")[name], _brief_figures("id")[name]
    en, ind = _texts(ax_en), _texts(ax_id)
    own_en = {w.split("{")[0].strip() for w in plots.WORDS["en"].values()} - {""}
    # none of the figure's own English words is left (titles and labels given are the caller's)
    assert not [t for t in ind for w in own_en if w in t], ind
    assert not [t for t in ind if "grade" in t.lower() or "SYNTHETIC" in t or "units" in t], ind
    stamp_id = [t for t in ind if "SINTETIS" in t]
    assert stamp_id == ["baris SINTETIS (kinerja.synth, efek ditanamkan) + baris DISIMPULKAN (direkonstruksi, "
                        "tidak dipublikasikan) + data nyata (dipublikasikan)"]  # fmt: skip
    # numbers on the axes: a decimal comma in Indonesian where English has a point
    decimals_en = [t for t in en if re.fullmatch(r"[−-]?\d+\.\d+", t)]
    decimals_id = [t for t in ind if re.fullmatch(r"[−-]?\d+,\d+", t)]
    assert [t.replace(".", ",") for t in decimals_en] == decimals_id
    assert not [t for t in ind if re.fullmatch(r"[−-]?\d+\.\d+", t)]
    # and the English drawing is what it was: English words, decimal points
    assert any("SYNTHETIC" in t for t in en)


def test_indonesian_axis_numbers_are_the_english_ones_with_a_comma():
    axes = _brief_figures("id")
    labels = [t.get_text() for t in axes["grade_distribution_bars"].get_xticklabels()]
    assert labels == ["0,0", "0,2", "0,4", "0,6", "0,8", "1,0"]
    assert [t.get_text() for t in axes["share_bars"].get_yticklabels()] == [
        "tanpa penghargaan",
        "10 terbaik",
        "5 terbaik",
    ]
    with pytest.raises(ValueError, match="lang"):
        plots.words("grade", "fr")


def test_award_groups_are_named_in_words_not_codes():
    # the English chart (notebook 04's key figure) had shown the codes 'none', 'top10', 'top5'
    axes = _brief_figures("en")
    assert [t.get_text() for t in axes["share_bars"].get_yticklabels()] == ["no award", "top 10", "top 5"]


def test_unit_names_in_the_grade_change_plot_keep_clear_of_the_band_names():
    # units most at risk sit right under the band names (C, CC, B, ...) at the top of the
    # axes: their names move down rather than print over them (seen in contoh 2023)
    stab = pd.DataFrame(
        {
            "subject_id": ["a", "b", "c", "d", "e"],
            "total": [52.0, 62.0, 72.0, 68.0, 45.0],
            "grade": ["CC", "B", "BB", "B", "C"],
            "p_change": [0.47, 0.46, 0.45, 0.05, 0.02],
        }
    )
    names = {"a": "Kecamatan Contoh Hulu", "b": "Dinas Pariwisata", "c": "Badan Keuangan"}
    _, ax = plt.subplots(figsize=(3.35, 2.7), layout="constrained")  # as printed in a brief
    ax = plots.grade_change_plot(stab, ["synthetic"], labels=names, n_labels=3, ax=ax)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text() in {"C", "CC", "B", "BB", "A"}]
    unit_names = [t for t in ax.texts if t.get_text() in names.values()]
    assert len(unit_names) == 3 and len(texts) >= 3
    for name in unit_names:
        box = name.get_window_extent(renderer)
        for band in texts:
            assert not box.overlaps(band.get_window_extent(renderer)), (name.get_text(), band.get_text())
    plt.close(fig)


def test_national_size_grids_stay_readable_at_page_width():
    """198 units x 48 jurors: the coverage grid was 65 inches wide (13,062 px), the grade
    grid 31 and the pair heatmap 25, so the page shrank their text to nothing."""
    rng = np.random.default_rng(1)
    jurors = [f"J{j:02d}" for j in range(48)]
    units = [f"u{u:03d}" for u in range(198)]
    cov = pd.DataFrame(rng.choice([0.0, 1.0], size=(48, 198)), index=jurors, columns=units)
    ax = plots.completeness_heatmap(cov, ["synthetic"])
    w, h = ax.figure.get_size_inches()
    assert w <= plots.MAX_FIGURE_WIDTH
    assert ax.get_ylabel() == "subject" and len(ax.get_yticks()) == 198  # subjects run down the page
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert shown[0] == "J00" and all(shown)  # 48 jurors across: each keeps its label
    plt.close(ax.figure)

    mat = pd.DataFrame(rng.uniform(0, 1, (48, 48)), index=jurors, columns=jurors)
    ax = plots.pairwise_heatmap(mat, ["synthetic"])
    assert ax.figure.get_size_inches()[0] <= plots.MAX_FIGURE_WIDTH + 0.01
    assert not [t for t in ax.texts if re.fullmatch(r"\d\.\d\d", t.get_text())]  # no values squeezed into cells
    plt.close(ax.figure)

    jg = pd.DataFrame(
        [(u, j, int(rng.integers(1, 5))) for u in units[:60] for j in jurors],
        columns=["subject_id", "juror_id", "grade_code"],
    )
    published = pd.Series(rng.choice(["A", "BB", "B"], 60), index=units[:60])
    ax = plots.grade_grid(jg, published, ["synthetic"])
    assert ax.figure.get_size_inches()[0] <= plots.MAX_FIGURE_WIDTH + 0.01
    # cells too narrow for letters carry none beyond the grade on record, and grid_letters
    # says so, for the caption (it had claimed that differing cells are labelled)
    assert not plots.grid_letters(48) and plots.grid_letters(10)
    assert len([t for t in ax.texts if t.get_text() in plots.GRADE_COLORS]) == 60  # one per unit, on record
    plt.close(ax.figure)


def test_labels_thinner_than_a_label_show_every_kth():
    assert plots._thin_labels(list("abcdef"), 0.3) == list("abcdef")
    assert plots._thin_labels(list("abcdef"), 0.05) == ["a", "", "", "d", "", ""]


def test_many_returning_jurors_label_only_the_extremes_and_keep_the_layout():
    """48 returning jurors: every label nudged upwards ran far above the axes and the
    layout collapsed ('constrained_layout not applied', printed into notebook 05's page)."""
    import warnings

    from kinerja.report import trend_plots
    from kinerja.report.notebook import _freeze_layout

    rng = np.random.default_rng(2)
    rows = [(f"J{j:02d}", y, float(rng.normal(0, 3))) for j in range(48) for y in (2022, 2023)]
    sev = pd.DataFrame(rows, columns=["juror_id", "year", "severity"]).assign(returning=True)
    ax = trend_plots.severity_lines(sev, ["synthetic"])
    assert len(ax.texts) == trend_plots.MAX_LINE_LABELS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _freeze_layout(ax.figure)
    plt.close(ax.figure)


def test_count_columns_are_shown_whole_in_tables():
    """'n 12.000', 'kept_top5 5.000': counts stored as floats (a missing cell) were shown
    with the table's decimals."""
    from kinerja.report.labels import styled

    df = pd.DataFrame({"n": [12.0, np.nan], "kept_top5": [5.0, 3.0], "estimate": [0.5, 1.0], "n_units": [1.5, 2.0]})
    html_ = styled(df, "t", precision=3).to_html()
    assert ">12<" in html_ and ">5<" in html_ and ">3<" in html_
    assert ">1.000<" in html_ and ">1.500<" in html_  # an estimate, and a column that is not whole


def test_a_tiny_negative_value_is_not_shown_as_minus_zero():
    from kinerja.report.labels import styled

    df = pd.DataFrame({"estimate": [-0.0004, -0.5, float("inf"), float("nan")]})
    html_ = styled(df, "t", precision=2).to_html()
    assert ">-0.00<" not in html_ and ">0.00<" in html_ and ">-0.50<" in html_ and ">∞<" in html_ and ">—<" in html_
