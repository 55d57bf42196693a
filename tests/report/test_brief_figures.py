"""The brief's figures drawn for print: from a run's results tables, at the width of the
brief's column, text at its printed size, in the brief's language, provenance kept."""

from __future__ import annotations

import io
import itertools
import struct

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from PIL import Image

from kinerja.data.provenance import bases_of_label, provenance_label
from kinerja.data.schema import BASIS_VALUES
from kinerja.report import brief_figures, notebook

BASES = ["inferred", "named", "synthetic"]


def test_the_bases_of_a_saved_table_come_back_from_its_provenance_label():
    for k in range(1, len(BASIS_VALUES) + 1):
        for bases in itertools.combinations(BASIS_VALUES, k):
            assert bases_of_label(provenance_label(bases)) == sorted(bases), bases


@pytest.fixture
def folder(tmp_path):
    """A report folder with the results tables two drawings read (as Report.save writes
    them: a provenance column with the English label)."""
    results = tmp_path / "results"
    results.mkdir()
    rng = np.random.default_rng(3)
    n = 36  # the most units of a bundled year: the tallest printed figure
    prec = pd.DataFrame(
        {"subject_id": [f"U{i:02d}" for i in range(n)], "total": rng.uniform(62, 92, n), "se": rng.uniform(0.5, 2.5, n)}
    )
    prec["provenance"] = provenance_label(BASES)
    prec.to_csv(results / "unit_precision.csv", index=False)
    counts = pd.DataFrame(
        {
            "category": ["Dinas", "Dinas", "Badan", "Kecamatan"],
            "grade": ["A", "BB", "BB", "B"],
            "n_units": [4, 12, 5, 3],
        }
    )
    counts["provenance"] = provenance_label(["named"])
    counts.to_csv(results / "grade_counts.csv", index=False)
    return tmp_path


def _png(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    i = data.find(b"pHYs")
    assert struct.unpack(">I", data[i + 4 : i + 8])[0] * 0.0254 >= notebook.FIGURE_DPI - 1  # 200 dpi
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_printed_figure_is_as_wide_as_the_briefs_column_and_no_taller_than_its_limit(folder, lang):
    names = {f"U{i:02d}": f"Dinas Nomor {i}" for i in range(36)}
    open_before = set(plt.get_fignums())
    for nb, file in (
        ("01_juror_agreement", "01_juror_agreement/fig01_unit_precision.png"),
        ("00_data_overview", "00_data_overview/fig04_grades_by_category.png"),
    ):
        image = _png(brief_figures.draw(folder, notebook=nb, file=file, year=2020, lang=lang, names=names))
        width_in, height_in = (px / notebook.FIGURE_DPI for px in image.size)
        # the column is about 87 mm; a few mm more is shrunk by the page, not cut
        assert brief_figures.PRINT_WIDTH_IN <= width_in <= brief_figures.PRINT_WIDTH_IN + 0.35, (file, width_in)
        assert height_in <= brief_figures.PRINT_MAX_HEIGHT_IN + 0.3, (file, height_in)
        # white margins all round: nothing drawn is cut at an edge of the PNG
        pixels = np.asarray(image.convert("L"))
        for edge in (pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]):
            assert (edge == 255).all(), file
    assert set(plt.get_fignums()) == open_before  # drawn and closed


def test_fit_for_print_drops_the_title_moves_the_legend_above_and_wraps_long_words():
    from kinerja.report.labels import stamp

    fig = plt.figure(figsize=(brief_figures.PRINT_WIDTH_IN, 2.5), layout="constrained")
    try:
        _fit_a_figure(fig, stamp)
    finally:
        plt.close(fig)


def _fit_a_figure(fig, stamp):
    with plt.rc_context(brief_figures.PRINT_RC):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], label="a line with a fairly long name")
        ax.plot([0, 1], [1, 0], label="another line with a long name")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_title("A title the caption says")
        ax.set_xlabel("a long axis label that runs far wider than the printed column allows, in words")
        stamp(ax, BASES, "id")
        brief_figures._fit_for_print(ax)
        assert ax.get_title() == "" and ax.get_legend() is None and len(fig.legends) == 1
        notebook._freeze_layout(fig)
        renderer = fig.canvas.get_renderer()
        legend_box, axes_box = fig.legends[0].get_window_extent(renderer), ax.get_window_extent(renderer)
        assert legend_box.y0 >= axes_box.y1 and legend_box.x1 <= fig.bbox.width  # above, inside the width
        assert "\n" in ax.get_xlabel()
        assert ax.xaxis.label.get_window_extent(renderer).width <= 0.66 * fig.bbox.width
        (label,) = [t for t in fig.texts if "SINTETIS" in t.get_text()]
        assert label.get_window_extent(renderer).width <= 0.97 * fig.bbox.width
        # wrapped between the bases first, and every word kept
        assert label.get_text().replace(" +\n", " + ").replace("\n", " ") == provenance_label(BASES, "id")


def test_a_figure_without_a_printed_drawing_gives_none_and_a_missing_table_names_the_file(folder):
    assert (
        brief_figures.draw(folder, notebook="01_juror_agreement", file="x/fig02_other.png", year=2020, lang="en")
        is None
    )
    with pytest.raises(FileNotFoundError, match="grade_stability.csv"):
        brief_figures.draw(
            folder, notebook="02_juror_effects", file="02_juror_effects/fig05_grade_change.png", year=2020, lang="en"
        )


def test_ids_that_look_like_numbers_are_read_as_the_text_they_are(tmp_path):
    # a dataset whose unit ids are "007", "010": the names of the units must still be found
    (tmp_path / "results").mkdir()
    pd.DataFrame(
        {
            "subject_id": ["007", "010"],
            "total": [70.0, 80.0],
            "se": [1.0, 1.0],
            "provenance": provenance_label(["named"]),
        }
    ).to_csv(tmp_path / "results" / "unit_precision.csv", index=False)
    run = brief_figures.RunTables(tmp_path, names={"007": "Dinas A", "010": "Dinas B"})
    table = run.table("unit_precision")
    assert table["subject_id"].tolist() == ["007", "010"] and "provenance" not in table
    assert table["subject_id"].map(run.names).tolist() == ["Dinas A", "Dinas B"]
    assert run.bases("unit_precision") == ["named"]


def test_figure_names_come_from_the_file_names_the_notebooks_write():
    assert brief_figures.figure_name("01_juror_agreement/fig01_unit_precision.png") == "unit_precision"
    assert brief_figures.figure_name("05_trends/fig12_grade_distribution.png") == "grade_distribution"
    assert brief_figures.figure_name("x/plain.png") == "plain"


def test_long_row_names_are_wrapped_rather_than_squeezing_the_axes(tmp_path):
    # a dataset whose categories are spelled out in full (held-out datasets have other names)
    (tmp_path / "results").mkdir()
    cats = ["Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "Badan Perencanaan Pembangunan Daerah", "Kecamatan"]
    rows = [(c, g, n) for c in cats for g, n in (("A", 2), ("BB", 3))]
    table = pd.DataFrame(rows, columns=["category", "grade", "n_units"]).assign(provenance=provenance_label(["named"]))
    table.to_csv(tmp_path / "results" / "grade_counts.csv", index=False)
    drawing = brief_figures.DRAWINGS[("00_data_overview", "grades_by_category")]
    with plt.rc_context(brief_figures.PRINT_RC):
        ax = drawing(brief_figures.RunTables(tmp_path), 2020, "en")
        try:
            brief_figures._fit_for_print(ax)
            notebook._freeze_layout(ax.figure)
            share = ax.get_position().width  # of the figure's width
            names = [t.get_text() for t in ax.get_yticklabels()]
        finally:
            plt.close(ax.figure)
    assert share >= 0.45, share
    assert sorted(n.replace("\n", " ") for n in names) == sorted(cats)  # every word kept
    assert any("\n" in n for n in names)


@pytest.mark.parametrize(("n", "named"), [(20, True), (29, True), (36, False), (60, False)])
def test_the_printed_interval_plot_names_units_only_where_the_names_can_be_read(tmp_path, n, named):
    # batu has 29 units a year, contoh 36; a national dataset may have 60. Names print at
    # 5.5-6 pt on rows at least 1.08 times as high, or not at all (then the axis says so)
    (tmp_path / "results").mkdir()
    rng = np.random.default_rng(n)
    ids = [f"U{i:02d}" for i in range(n)]
    prec = pd.DataFrame({"subject_id": ids, "total": rng.uniform(60, 92, n), "se": rng.uniform(0.5, 2, n)})
    prec.assign(provenance=provenance_label(["synthetic"])).to_csv(tmp_path / "results" / "unit_precision.csv")
    run = brief_figures.RunTables(tmp_path, names={u: f"Dinas {u}" for u in ids})
    with plt.rc_context(brief_figures.PRINT_RC):
        ax = brief_figures.DRAWINGS[("01_juror_agreement", "unit_precision")](run, 2020, "en")
        try:
            brief_figures._fit_for_print(ax)
            notebook._freeze_layout(ax.figure)
            labels = [t for t in ax.get_yticklabels() if t.get_text()]
            pitch_pt = ax.get_window_extent().height / ax.figure.dpi * 72 / (n + 2)
            height = ax.figure.get_figheight()
        finally:
            plt.close(ax.figure)
    assert height <= brief_figures.PRINT_MAX_HEIGHT_IN
    if named:
        assert len(labels) == n and all(t.get_fontsize() >= 5.5 for t in labels)
        assert pitch_pt >= 1.0 * max(t.get_fontsize() for t in labels), pitch_pt  # rows do not overlap
    else:
        assert not labels and ax.get_ylabel() == f"{n} units, lowest total at the bottom"
        assert pitch_pt >= 3.0, pitch_pt  # the intervals still stand apart
