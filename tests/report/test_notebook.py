"""The notebook set-up and saving helpers (kinerja.report.notebook), without a kernel."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # this test draws figures outside a notebook

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kinerja.analyses import overview
from kinerja.paths import REPORTS_DIR
from kinerja.report import notebook


@pytest.fixture
def shown(monkeypatch):
    seen = []
    monkeypatch.setattr(notebook, "_display", lambda obj, raw=False: seen.append(obj))
    return seen


def test_without_out_dir_outputs_go_to_scratch_not_reports(tmp_path, monkeypatch, shown):
    monkeypatch.setenv(notebook.SCRATCH_ENV, str(tmp_path / "scratch"))
    rep = notebook.setup("batu", 2021, "", notebook="00_data_overview")
    assert rep.scratch and rep.out == tmp_path / "scratch" / "batu" / "2021"
    assert REPORTS_DIR not in rep.out.parents
    assert any("scratch" in str(getattr(o, "data", o)) for o in shown)


def test_figures_are_numbered_saved_as_png_and_svg_with_caption_and_alt(tmp_path, shown):
    rep = notebook.setup("batu", 2021, str(tmp_path), notebook="00_data_overview", show=False)
    for i in range(2):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [i, 1])
        rep.figure(fig, name=f"Line {i}", caption=f"A line number {i}.", alt=f"A straight line {i}.")
    files = sorted(p.name for p in (tmp_path / "figures" / "00_data_overview").iterdir())
    assert files == ["fig01_line_0.png", "fig01_line_0.svg", "fig02_line_1.png", "fig02_line_1.svg", "figures.csv"]
    listed = pd.read_csv(tmp_path / "figures" / "figures.csv")
    assert listed["caption"].tolist() == ["A line number 0.", "A line number 1."]
    assert listed["file"].tolist() == ["00_data_overview/fig01_line_0.png", "00_data_overview/fig02_line_1.png"]
    html = shown[-1]["text/html"]
    assert 'alt="A straight line 1."' in html and "<b>Figure 2.</b>" in html
    assert plt.get_fignums() == []  # closed: shown once
    with pytest.raises(ValueError, match="caption and alt"):
        rep.figure(plt.figure(), name="x", caption="", alt="")


@pytest.mark.parametrize("transparent", [False, True])
def test_saved_png_has_matplotlibs_pixels_and_dpi(tmp_path, shown, transparent):
    # Report.figure encodes the PNG itself (RGB when opaque, faster zlib level): the
    # pixels must be exactly those of matplotlib's own savefig of the same laid-out figure
    import numpy as np
    from PIL import Image

    rep = notebook.setup("batu", 2021, str(tmp_path), notebook="00_data_overview", show=False)

    def draw():
        fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
        ax.plot([0, 1, 2], [2, 0, 1], marker="o")
        ax.set_title("a title with text: Ää")
        ax.text(1, 1, "BB", ha="center")
        if transparent:
            fig.patch.set_alpha(0.0)
            ax.patch.set_alpha(0.0)
        return fig

    png = rep.figure(draw(), name="check", caption="c.", alt="a.")
    fig = draw()
    fig.set_dpi(notebook.FIGURE_DPI)  # laid out where it is drawn (see the test below)
    notebook._lay_out(fig)
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    fig.set_layout_engine("none")
    fig.savefig(tmp_path / "reference.png", dpi=notebook.FIGURE_DPI, bbox_inches=bbox)
    plt.close(fig)
    ours, theirs = Image.open(png), Image.open(tmp_path / "reference.png")
    assert ours.mode == ("RGBA" if transparent else "RGB")
    assert ours.size == theirs.size
    assert np.array_equal(np.asarray(ours.convert("RGBA")), np.asarray(theirs.convert("RGBA")))
    assert [round(d) for d in ours.info["dpi"]] == [notebook.FIGURE_DPI] * 2


def test_findings_are_written_and_shown_first(tmp_path, shown):
    rep = notebook.setup("batu", 2020, str(tmp_path), notebook="00_data_overview", show=False)
    res = overview.analyse(rep.ds, year=2020)
    rep.findings(res)
    text = shown[-1].data
    assert text.startswith("## Findings")
    assert "29 units were graded in 2020" in text
    assert (tmp_path / "results" / "findings.csv").is_file()
    rep.save(res)
    assert {p.stem for p in (tmp_path / "results").glob("*.csv")} >= set(overview.TABLES) | {"findings"}
    saved = pd.read_csv(tmp_path / "results" / "grades_overview.csv")
    assert saved["provenance"].str.contains("INFERRED").all()


def test_dataset_note_shows_only_the_years_own_note():
    meta = {"description": "A city.", "year_notes": {"2020": "Record year."}}
    assert notebook.dataset_note(meta, 2020) == "A city. Record year."
    assert notebook.dataset_note(meta, 2021) == "A city."


def test_findings_of_the_notebooks_of_one_run_are_combined(tmp_path):
    from kinerja.analyses.findings import Finding, findings_frame, read_findings

    def one(nb, fid):
        return findings_frame([Finding(fid, "Q?", "S.", "K.")], dataset="d", year=2020, notebook=nb)

    notebook.write_findings(tmp_path, "01_b", one("01_b", "b.x"))
    notebook.write_findings(tmp_path, "00_a", one("00_a", "a.x"))
    notebook.write_findings(tmp_path, "01_b", one("01_b", "b.y"))  # a rerun replaces its own rows only
    combined = read_findings(tmp_path / "findings.csv")
    assert combined["finding_id"].tolist() == ["a.x", "b.y"]
    with pytest.raises(ValueError, match="another notebook"):
        notebook.write_findings(tmp_path, "00_a", one("01_b", "b.z"))


def test_every_text_of_a_figure_is_inside_its_png(tmp_path, shown):
    # The layout and the box saved were measured at the screen's 100 dpi, the PNG drawn at
    # 200: hinted small text is about 7% wider there, and the provenance stamp, right-aligned
    # under a narrow figure, lost "SYNTHE" of "SYNTHETIC" to the PNG's left edge.
    import numpy as np
    from PIL import Image

    from kinerja.report.labels import stamp

    rep = notebook.setup("batu", 2021, str(tmp_path), notebook="00_data_overview", show=False)
    fig, ax = plt.subplots(figsize=(6.2, 4.2), layout="constrained")
    ax.imshow(np.eye(3))
    stamp(ax, ["synthetic", "inferred", "named"])  # the longest stamp, about as wide as the figure
    texts = [t for t in fig.findobj(plt.Text) if t.get_visible() and t.get_text()]
    png = rep.figure(fig, name="narrow", caption="c.", alt="a.")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(notebook.FIGURE_DPI)  # closed, the figure keeps the layout it was saved with: measure it
    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = Image.open(png).size
    # the saved box, in the pixels of the PNG: each text's extent must lie inside it
    box = fig.get_tightbbox(renderer).padded(plt.rcParams["savefig.pad_inches"])
    # (Agg sizes its canvas by truncating: a box 1331.6 pixels wide is a PNG of 1331; unhinted
    # text has fractional widths, so rounding here would be off by one now and then)
    assert (int(box.width * notebook.FIGURE_DPI), int(box.height * notebook.FIGURE_DPI)) == (width, height)
    for t in texts:
        ext = t.get_window_extent(renderer)
        assert ext.x0 >= box.x0 * notebook.FIGURE_DPI - 1 and ext.x1 <= box.x1 * notebook.FIGURE_DPI + 1, t.get_text()
    # and the pixels say so: the stamp's red frame starts inside the PNG, after white margin
    pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert (pixels[:, :3] == 255).all(), "the PNG's left edge cuts through a drawn element"


def test_figures_of_the_notebooks_of_one_run_are_listed_together_and_svgs_are_reproducible(tmp_path, shown):
    """Two notebooks of one run both have a Figure 1: neither overwrites the other's file
    or its entry in figures/figures.csv; the SVG of the same figure is byte-identical."""

    def draw(nb, out, key=False):
        rep = notebook.setup("batu", 2021, str(out), notebook=nb, show=False)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        rep.figure(fig, name="line", caption=f"Line of {nb}.", alt="A line.", caption_ind="Garis.", key=key)

    draw("00_a", tmp_path / "one")
    draw("01_b", tmp_path / "one", key=True)
    listed = notebook.read_figures(tmp_path / "one" / "figures" / "figures.csv")
    assert listed["file"].tolist() == ["00_a/fig01_line.png", "01_b/fig01_line.png"]
    assert listed["key"].tolist() == [False, True]
    assert listed["caption_ind"].tolist() == ["Garis.", "Garis."]
    draw("00_a", tmp_path / "two")
    svg = "figures/00_a/fig01_line.svg"
    assert (tmp_path / "one" / svg).read_bytes() == (tmp_path / "two" / svg).read_bytes()


def test_figure_lists_written_by_notebooks_at_the_same_time_never_read_half_written(tmp_path):
    # two notebooks of one run save figures at the same moment: each rewrites its own
    # figures.csv while the other rebuilds the combined list from every notebook's file;
    # a list read while it was being rewritten (empty) failed a report with EmptyDataError
    import threading

    from kinerja.report.notebook import FIGURES_COLUMNS, read_figures, write_figures

    figures = tmp_path / "figures"
    errors = []

    def notebook(name: str) -> None:
        try:
            for i in range(150):
                rows = [
                    {
                        "notebook": name,
                        "number": j + 1,
                        "file": f"{name}/fig{j + 1:02d}.png",
                        "caption": "c",
                        "caption_ind": "",
                        "alt": "a",
                        "key": False,
                    }
                    for j in range(i % 7 + 1)
                ]
                write_figures(figures, name, pd.DataFrame(rows, columns=list(FIGURES_COLUMNS)))
        except Exception as exc:  # the failure is the test's finding
            errors.append(exc)

    threads = [threading.Thread(target=notebook, args=(f"0{i}_nb",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    combined = read_figures(figures / "figures.csv")
    assert sorted(combined["notebook"].unique()) == ["00_nb", "01_nb", "02_nb"]


def test_findings_written_by_notebooks_at_the_same_time_never_read_half_written(tmp_path):
    """The findings' twin of the test above: each notebook wrote its own findings file
    before taking the lock, and a notebook rebuilding the combined table read it half
    written (EmptyDataError in contoh 2022's notebook 01, in a collection run)."""
    import threading

    from kinerja.analyses.findings import Finding, findings_frame, read_findings

    errors = []

    def run(name: str) -> None:
        try:
            for i in range(50):
                fs = [Finding(f"{name}.f{j}", "Q?", "S." * 40, "K." * 40) for j in range(i % 9 + 1)]
                notebook.write_findings(tmp_path, name, findings_frame(fs, dataset="d", year=2020, notebook=name))
        except Exception as exc:  # the failure is the test's finding
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"0{i}_nb",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    combined = read_findings(tmp_path / "findings.csv")
    assert sorted(combined["notebook"].unique()) == ["00_nb", "01_nb", "02_nb"]


def test_names_from_the_data_are_shown_as_written(shown):
    """An innovation named '<script>alert(1)</script> Inovasi $100$ & <i>Sip</i>' was
    written raw into the report's tables and prose (found by an adversarial review)."""
    from kinerja.report import labels, plots

    name = "<script>alert(1)</script> Inovasi $100$ & <i>Sip</i>"
    df = pd.DataFrame({"innovation": [name], name: [1.5]}, index=pd.Index([name], name="unit"))
    page = labels.styled(df, f"Awards of {name}", bases=["synthetic"]).to_html()
    assert "<script>" not in page and "<i>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt; Inovasi $100$ &amp; &lt;i&gt;Sip&lt;/i&gt;") == 4
    notebook._markdown(f"**{name}** scored 80.")
    text = shown[-1].data if hasattr(shown[-1], "data") else str(shown[-1])
    assert text == "**&lt;script&gt;alert(1)&lt;/script&gt; Inovasi \\$100\\$ &amp; &lt;i&gt;Sip&lt;/i&gt;** scored 80."
    # figures draw such names as text, not as mathematics
    assert plots.plt.rcParams["text.parse_math"] is False
    fig, ax = plt.subplots()
    label = ax.set_title("Bapenda $PAD$ 2021")
    fig.canvas.draw()
    assert not label._preprocess_math(label.get_text())[1]  # not parsed as math
    plt.close(fig)


def test_infinite_values_in_a_table_are_shown_as_signs():
    """The detectable odds ratio of a table whose margins allow no test is inf (with a
    note): the report's table showed 'inf'."""
    from kinerja.report import labels

    df = pd.DataFrame({"statistic": ["above 1", "below 1", "x"], "estimate": [np.inf, 0.0, np.nan], "n": [29, 29, 29]})
    df.loc[1, "estimate"] = -np.inf
    page = labels.styled(df, "Detectable odds ratios", bases=["synthetic"], precision=3).to_html()
    assert ">∞<" in page and ">−∞<" in page and ">—<" in page
    assert "inf" not in page.replace("Detectable", "")
    finite = labels.styled(df.assign(estimate=[1.23456, 0.5, np.nan]), "t", precision=3).to_html()
    assert ">1.235<" in finite and ">0.500<" in finite


def test_text_is_laid_out_without_hinting_so_its_width_scales_with_the_resolution():
    # hinting snaps glyphs to the pixel grid: a line of small text measured at 100 dpi came
    # out 7% narrower than at 200 dpi (and cost a tenth of a figure's time to lay out)
    from kinerja.report import plots

    assert plots.plt.rcParams["text.hinting"] == "no_hinting"
    fig = plt.figure()
    text = fig.text(0, 0, "SYNTHETIC rows (kinerja.synth, planted effects) · Kec. Junrejo", fontsize=7)
    widths = {}
    for dpi in (100, 200):
        fig.set_dpi(dpi)
        widths[dpi] = text.get_window_extent(fig.canvas.get_renderer()).width
    plt.close(fig)
    assert widths[200] == pytest.approx(2 * widths[100], rel=0.01)


def test_setup_freezes_the_heap_once_per_process(tmp_path, monkeypatch):
    """A notebook's imports and dataset live as long as its kernel: setup takes them out of
    the collector's full passes (gc.freeze), but only at the first call of the process,
    so that a second call does not also freeze the garbage of whatever ran in between."""
    import gc

    monkeypatch.setattr(notebook, "_HEAP_FROZEN_IN", None)
    gc.unfreeze()
    try:
        notebook.setup("batu", 2021, str(tmp_path), notebook="00_data_overview", show=False)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the imported stack, at least
        garbage = [[i] for i in range(5_000)]
        notebook.setup("batu", 2021, str(tmp_path), notebook="00_data_overview", show=False)
        assert gc.get_freeze_count() < frozen + len(garbage)
    finally:
        gc.unfreeze()


def test_ticks_once_computes_each_axis_ticks_once_per_state_and_draws_the_same(monkeypatch):
    """ticks_once keeps an axis's ticks while its place, limits and resolution stay put:
    the same pixels and the same SVG as matplotlib's own recomputation at every question,
    with far fewer computations (a layout asked 4-5 times per axis and pass)."""
    import contextlib
    import io

    from matplotlib import axis as maxis

    def draw():
        fig, axes = plt.subplots(2, 2, figsize=(6, 5), layout="constrained", sharey=True)
        for k, ax in enumerate(axes.ravel()):
            ax.plot(np.arange(10) * (k + 1), np.arange(10) % 4, "o")
            ax.set_yticks(range(4), [f"category {i}" for i in range(4)])
            ax.set_title(f"panel {k}")
        axes[1, 0].set_xlabel("score")
        fig.suptitle("four panels")
        return fig

    calls = []
    matplotlibs = maxis.Axis._update_ticks

    def counted(self):
        calls.append(self)
        return matplotlibs(self)

    monkeypatch.setattr(maxis.Axis, "_update_ticks", counted)

    def save(fig, once: bool):
        calls.clear()
        png, svg = io.BytesIO(), io.BytesIO()
        with notebook.ticks_once(fig) if once else contextlib.nullcontext():
            bbox = notebook._freeze_layout(fig)
            notebook._save_png(fig, png, bbox)
            with plt.rc_context({"svg.hashsalt": "t", "svg.fonttype": "none"}):
                fig.savefig(svg, format="svg", bbox_inches=bbox, metadata={"Date": None})
        plt.close(fig)
        return png.getvalue(), svg.getvalue(), len(calls)

    png_all, svg_all, n_all = save(draw(), once=False)
    png_once, svg_once, n_once = save(draw(), once=True)
    assert png_once == png_all and svg_once == svg_all
    assert n_once * 3 < n_all  # measured: 40 against 228
    assert maxis.Axis._update_ticks is counted  # put back as it was


def test_ticks_once_leaves_other_figures_and_later_changes_alone(monkeypatch):
    """Only the figure of the block is kept (another figure's ticks are computed at every
    question, as matplotlib does); a change made after the block is drawn."""
    from matplotlib import axis as maxis

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 10], [0, 1])
    other, oax = plt.subplots(figsize=(3, 2))
    oax.plot([0, 10], [0, 1])
    calls = []
    matplotlibs = maxis.Axis._update_ticks
    monkeypatch.setattr(maxis.Axis, "_update_ticks", lambda self: calls.append(self.axes) or matplotlibs(self))
    other.canvas.draw()
    n_plain = calls.count(oax)
    with notebook.ticks_once(fig):
        calls.clear()
        other.canvas.draw()
        assert calls.count(oax) == n_plain  # not kept: another figure
        calls.clear()
        fig.canvas.draw()
        assert 0 < calls.count(ax) < n_plain  # kept: the block's figure
    ax.set_xticks([0, 5, 10], ["none", "half", "all"])
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "half", "all"]
    plt.close(fig)
    plt.close(other)
