"""The one set-up call of every report notebook, and how a notebook saves what it shows.

A report notebook is glue::

    rep = notebook.setup(data, year, out_dir, notebook="01_juror_agreement")
    res = agreement.analyse(rep.ds, year=year, ...)
    rep.findings(res)          # results/findings.csv, shown first
    rep.table(res.table("agreement"), "Agreement between jurors", bases=res.bases["agreement"])
    rep.figure(fig, name="forest", caption="...", alt="...", bases=...)
    rep.save(res)              # every result table to results/<name>.csv with its provenance

Where things go: ``out_dir`` when given (the runner always gives one:
``reports/<dataset>/<year>/``); otherwise a scratch folder in the system's temporary
directory (``<tmp>/kinerja-scratch/<dataset>/<year>``), so that running a notebook by
hand in JupyterLab never overwrites the record of a run in ``reports/``.

Figures are numbered in the order they are shown, saved beside the report as PNG
(200 dpi) and SVG under ``figures/<notebook>/`` with a caption and alt text, and displayed
as an HTML figure (image, alt text, caption) with the PNG alongside for other viewers.
Notebooks of one run share ``figures/``: each lists its own figures in
``figures/<notebook>/figures.csv`` and ``figures/figures.csv`` is rebuilt from all of
them (columns :data:`FIGURES_COLUMNS`), as for the findings. A figure marked ``key=True``
is one a policy brief may lift (:mod:`kinerja.report.brief`, which draws it again for
print from the results tables: :mod:`kinerja.report.brief_figures`). Saved SVGs carry no
date and fixed element ids, so that two runs write identical files.
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
import re
import struct
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analyses.base import Analysis
from ..analyses.findings import FINDINGS_COLUMNS, check_findings, format_ci, read_findings
from ..data.io import Dataset, load_dataset
from ..data.provenance import provenance_label
from . import labels

#: Resolution of saved PNG figures.
FIGURE_DPI = 200
#: Resolution at which a report page shows a figure (the saved PNG, scaled down).
SCREEN_DPI = 110

#: Columns of ``figures/figures.csv`` (``file`` is relative to ``figures/``).
FIGURES_COLUMNS = ("notebook", "number", "file", "caption", "caption_ind", "alt", "alt_ind", "key")

#: Environment variable that moves the scratch folder.
SCRATCH_ENV = "KINERJA_SCRATCH"


def scratch_dir(dataset: str, year: int) -> Path:
    """Where a notebook run without ``out_dir`` writes: never inside ``reports/``."""
    root = Path(os.environ.get(SCRATCH_ENV) or Path(tempfile.gettempdir()) / "kinerja-scratch")
    return root / dataset / str(year)


def _display(obj, raw: bool = False) -> None:
    from IPython.display import display

    display(obj, raw=raw)


def plain_markdown(text: str) -> str:
    """Markdown whose text shows as written: HTML special characters escaped (a unit or
    innovation named ``<b>Sip</b>`` or ``A & B`` is shown so, never run as HTML) and
    dollar signs escaped (a name holding ``$100$`` is not typeset as mathematics).
    Every sentence a report shows goes through here: names in it come from the user's
    data. Markdown emphasis of our own (``**...**``) is kept.

    >>> plain_markdown("**Unit** <i>Sip</i> & $100$")
    '**Unit** &lt;i&gt;Sip&lt;/i&gt; &amp; \\\\$100\\\\$'
    """
    return html.escape(text, quote=False).replace("$", "\\$")


def _markdown(text: str) -> None:
    from IPython.display import Markdown

    _display(Markdown(plain_markdown(text)))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "figure"


@dataclass
class Report:
    """One notebook run: the data of the year, where outputs go, and how they are shown."""

    ds: Dataset
    full: Dataset
    year: int
    notebook: str
    out: Path
    scratch: bool
    n_figures: int = 0
    figures: list[dict] = field(default_factory=list)

    @property
    def results(self) -> Path:
        p = self.out / "results"
        p.mkdir(parents=True, exist_ok=True)
        return p

    @property
    def figures_dir(self) -> Path:
        """``figures/<notebook>/``: this notebook's figures (the run's ``figures/`` is shared)."""
        p = self.out / "figures" / self.notebook
        p.mkdir(parents=True, exist_ok=True)
        return p

    @property
    def name(self) -> str:
        return self.ds.name

    # -- prose ---------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Show Markdown (a sentence computed from the data)."""
        _markdown(text)

    def banner(self) -> None:
        """Title, the dataset's own note (from its ``dataset.json``), the provenance of its
        rows this year and, when scores are synthetic, the warning that says so."""
        meta = self.ds.meta
        title = meta.get("title", self.ds.name)
        _markdown(f"## {title} — evaluation year {self.year}")
        note = dataset_note(meta, self.year)
        if note:
            _markdown(f"**About this dataset** (its own note, `dataset.json`): {note}")
        _markdown(labels.dataset_banner(self.ds.provenance()))
        if "synthetic" in labels.basis_of(self.ds.scores):
            _markdown(
                "⚠️ **Juror-level scores in this report are SYNTHETIC**: generated with planted effects "
                "(juror severity, panel, home bias, category, innovation) because real juror scores are not "
                "public. Results computed from them show what this audit finds when such effects exist, not "
                "how real jurors behaved."
            )
        if self.scratch:
            _markdown(
                f"*Outputs of this run go to a scratch folder ({self.out}); give `out_dir` to keep them, "
                "or use `kinerja run`.*"
            )

    # -- findings ------------------------------------------------------------------------

    def findings(self, analysis: Analysis | pd.DataFrame) -> None:
        """Write this notebook's findings (see :func:`write_findings`) and show them as the
        report's opening (returns nothing, so that a cell ending with it shows no table)."""
        table = analysis.findings if isinstance(analysis, Analysis) else analysis
        write_findings(self.results, self.notebook, table)
        _markdown(findings_markdown(table))

    # -- tables --------------------------------------------------------------------------

    def table(
        self,
        df: pd.DataFrame,
        title: str,
        *sources: pd.DataFrame,
        bases: Iterable[str] | None = None,
        precision: int = 2,
    ):
        """Show a table with its provenance caption (returns the Styler for display)."""
        return labels.styled(df, title, *sources, bases=bases, precision=precision)

    def save_table(self, name: str, df: pd.DataFrame, bases: Iterable[str]) -> Path:
        """Write ``results/<name>.csv`` with a ``provenance`` column naming what it rests on."""
        path = self.results / f"{name}.csv"
        bases = list(bases)
        out = df.copy()
        out["provenance"] = provenance_label(bases) if bases else ""
        out.to_csv(path, index=False)
        return path

    def save(self, analysis: Analysis) -> list[Path]:
        """Write every result table of ``analysis`` (with provenance) and its findings."""
        paths = [self.save_table(n, t, analysis.bases.get(n, [])) for n, t in analysis.tables.items()]
        write_findings(self.results, self.notebook, analysis.findings)
        return paths

    # -- figures -------------------------------------------------------------------------

    def figure(
        self,
        fig,
        *,
        name: str,
        caption: str,
        alt: str,
        caption_ind: str = "",
        alt_ind: str = "",
        key: bool = False,
    ) -> Path:
        """Number, save (PNG at :data:`FIGURE_DPI` and SVG) and show a figure with its
        caption and alt text; the figure is closed afterwards (shown once).

        ``caption_ind`` and ``alt_ind`` are the caption and the alt text in Bahasa Indonesia
        (the Indonesian brief uses them; without ``alt_ind`` its image is described by
        ``caption_ind``, never in English);
        ``key=True`` marks a figure that carries a key finding, one a policy brief may lift
        (the brief draws it again, for print and in its language, from the results tables:
        every key figure needs a drawing in :data:`kinerja.report.brief_figures.DRAWINGS`).
        """
        import matplotlib.pyplot as plt

        if not alt or not caption:
            raise ValueError("every figure needs a caption and alt text")
        self.n_figures += 1
        stem = f"fig{self.n_figures:02d}_{_slug(name)}"
        png = self.figures_dir / f"{stem}.png"
        writing = None
        try:
            with ticks_once(fig):
                bbox = _freeze_layout(fig)  # laid out once: the PNG and the SVG share the layout
                # the PNG is compressed on a thread while the SVG is drawn: zlib lets go of
                # the interpreter, so the two overlap (about 0.3 s of notebook 01's five figures)
                writing = _save_png(fig, png, bbox, wait=False)
                # ids that do not change between runs; text kept as text (editable,
                # searchable, and a third cheaper to write than glyphs as paths)
                with plt.rc_context({"svg.hashsalt": f"{self.notebook}/{stem}", "svg.fonttype": "none"}):
                    fig.savefig(self.figures_dir / f"{stem}.svg", bbox_inches=bbox, metadata={"Date": None})
        finally:
            if writing is not None:
                writing.result()
            plt.close(fig)
        # the page shows the saved PNG itself, drawn at SCREEN_DPI: rendering the figure a
        # third time (text layout is most of a render) cost a second per figure
        raw = png.read_bytes()
        width_px = struct.unpack(">I", raw[16:20])[0]  # from the PNG header (IHDR)
        width = round(width_px * SCREEN_DPI / FIGURE_DPI)
        data = base64.b64encode(raw).decode("ascii")
        label = f"Figure {self.n_figures}."
        self.figures.append(
            {
                "notebook": self.notebook,
                "number": self.n_figures,
                "file": f"{self.notebook}/{png.name}",
                "caption": caption,
                "caption_ind": caption_ind,
                "alt": alt,
                "alt_ind": alt_ind,
                "key": bool(key),
            }
        )
        write_figures(self.out / "figures", self.notebook, pd.DataFrame(self.figures, columns=list(FIGURES_COLUMNS)))
        body = (
            f'<figure class="kinerja-figure" id="{stem}">'
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'width="{width}" style="max-width:100%;height:auto"/>'
            f"<figcaption><b>{label}</b> {html.escape(caption)}</figcaption></figure>"
        )
        # HTML only: an image/png copy beside it doubled every notebook file (the page shows the HTML)
        _display({"text/html": body, "text/plain": f"{label} {caption}"}, raw=True)
        return png


@contextlib.contextmanager
def ticks_once(fig):
    """Inside this block each axis of ``fig`` works out its ticks once per state of the
    figure, not at every question about them.

    matplotlib recomputes an axis's ticks (locator, formatter, tick objects and their
    labels) every time anything asks where they are: for one bounding box of an axes, its
    own axis, the label alignment and each of its four spines ask again, so a layout pass
    and a save each did the same work four or five times (for notebook 03's six-panel
    figure, 120 recomputations in one layout, over half its time; upstream works on the
    same waste in matplotlib PR #31012). Here the answer is kept while nothing it depends
    on has changed: the axes' place and size on the canvas, its view limits, the figure's
    resolution, the tick lists, locators, formatters and scale. The layout moves the axes
    and a save crops or rescales the canvas, so each of those steps still computes the
    ticks afresh; what is saved is the repetition. The figures come out byte-identical
    (every PNG and SVG of two bundled datasets compared).

    Nothing else may change the figure inside the block (it lays out and saves only);
    what was kept is forgotten when it ends. Blocks do not nest (an inner one does
    nothing); with a matplotlib without ``Axis._update_ticks`` it does nothing.
    """
    from matplotlib import axis as maxis

    original = maxis.Axis.__dict__.get("_update_ticks")
    if original is None or getattr(original, "_kinerja_once", False):
        yield
        return
    kept: dict[int, tuple] = {}
    root = fig.get_figure(root=True)

    def update_ticks(self):
        if self.get_figure(root=True) is not root:  # another figure: as matplotlib does
            return original(self)
        last = kept.get(id(self))
        if last is not None and last[0] is self and last[1] == _tick_state(self):
            return list(last[2])
        ticks = original(self)
        kept[id(self)] = (self, _tick_state(self), list(ticks))  # as it is now (limits settled)
        return ticks

    update_ticks._kinerja_once = True
    maxis.Axis._update_ticks = update_ticks
    try:
        yield
    finally:
        maxis.Axis._update_ticks = original
        kept.clear()


def _tick_state(axis) -> tuple:
    """What an axis's ticks depend on (see :func:`ticks_once`): its place, limits,
    resolution and scale, its tick lists and the locators and formatters themselves
    (held, so that a replaced one is never mistaken for another at the same address)."""
    d = axis.__dict__
    return (
        axis.axes.bbox.bounds,
        axis.axes.viewLim.bounds,
        axis.get_figure(root=True).dpi,
        axis.get_scale(),
        d.get("majorTicks"),
        d.get("minorTicks"),
        axis.major.locator,
        axis.major.formatter,
        axis.minor.locator,
        axis.minor.formatter,
    )


def _freeze_layout(fig):
    """Lay ``fig`` out once at :data:`FIGURE_DPI` and drop its layout engine, so that the
    axes keep their places in every save; returns the padded tight box (inches) to save.

    Laid out at the resolution the PNG is drawn at: text is measured in pixels, and with
    font hinting a line of small text measured at 100 dpi came out 7% narrower than the
    same line drawn at 200 dpi. The provenance stamp, right-aligned under a narrow figure,
    then lost its first word ("SYNTHETIC") to the edge of the PNG. (Text is no longer
    hinted, see :mod:`kinerja.report.plots`, so widths now scale with the resolution; the
    layout is still measured where it is drawn.)

    Not ``set_layout_engine("none")``: that leaves a placeholder engine, and savefig then
    measures every text once more before it draws (about 40% of a save; the output is
    pixel-identical without it).
    """
    import matplotlib.pyplot as plt

    fig.set_dpi(FIGURE_DPI)
    _lay_out(fig)
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    with plt.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # None with both rc settings off: no engine at all
    if fig.get_layout_engine() is not None:  # pragma: no cover - matplotlib changed
        fig.set_layout_engine("none")
    return bbox


def _save_png(fig, path, bbox, *, wait: bool = True) -> Future:
    """Save ``fig`` (inside ``bbox``, inches) as a PNG at :data:`FIGURE_DPI` to ``path`` (a
    file name or a binary file object).

    The pixels are matplotlib's own (Agg at ``FIGURE_DPI``). What differs from
    ``savefig(path)`` is the encoding: an opaque figure (every one of ours: the white
    figure background covers it) is written as RGB, not RGBA, with zlib level 3. That
    is half the encoding time for the same file size (encoding was a quarter of a PNG's
    time: 0.52 s of notebook 01's five figures, 0.26 s now; 0.96 MB before, 0.98 MB
    now). A figure with any transparent pixel keeps its alpha channel.

    With ``wait=False`` the figure is drawn here and the pixels are encoded and written on
    a thread: the returned future's ``result()`` waits for the file (and raises what the
    writing raised). The figure may be drawn again meanwhile; the pixels are a copy.
    """
    import io

    size: list[tuple[int, int]] = []
    cid = fig.canvas.mpl_connect(
        "draw_event", lambda ev: size.append((int(ev.renderer.width), int(ev.renderer.height)))
    )
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="rgba", dpi=FIGURE_DPI, bbox_inches=bbox)
    finally:
        fig.canvas.mpl_disconnect(cid)
    raw = buf.getvalue()
    if len(size) != 1 or size[0][0] * size[0][1] * 4 != len(raw):  # pragma: no cover - matplotlib changed
        fig.savefig(path, dpi=FIGURE_DPI, bbox_inches=bbox)
        done: Future = Future()
        done.set_result(None)
        return done
    if wait:
        _write_png(raw, size[0], path)
        done = Future()
        done.set_result(None)
        return done
    return _png_writer().submit(_write_png, raw, size[0], path)


_PNG_WRITER: tuple[int, ThreadPoolExecutor] | None = None


def _png_writer() -> ThreadPoolExecutor:
    """The one thread of this process that encodes PNGs, started on first use (a process
    forked from one that had it, as the runner's kernels are, starts its own)."""
    global _PNG_WRITER
    if _PNG_WRITER is None or _PNG_WRITER[0] != os.getpid():
        _PNG_WRITER = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinerja-png"))
    return _PNG_WRITER[1]


def _write_png(raw: bytes, size: tuple[int, int], path) -> None:
    """Encode ``raw`` RGBA pixels of ``size`` as a PNG at :data:`FIGURE_DPI` into ``path``."""
    import matplotlib
    from PIL import Image, PngImagePlugin

    image = Image.frombuffer("RGBA", size, raw, "raw", "RGBA", 0, 1)
    if image.getextrema()[3][0] == 255:
        image = image.convert("RGB")
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")
    image.save(path, format="png", dpi=(FIGURE_DPI, FIGURE_DPI), pnginfo=info, compress_level=3)


def _lay_out(fig) -> None:
    """Run ``fig``'s layout engine once, as a draw would, without drawing.

    A draw (``draw_without_rendering``) also measures every text of the figure, those
    that take no part in the layout too (the ~300 cell labels of a grade grid): about a
    third of a figure's cost. The layout engine measures only what it lays out. Aspect
    ratios are applied first, as ``Figure.draw`` does.
    """
    engine = fig.get_layout_engine()
    if engine is None:
        return
    for ax in fig.axes:
        locator = ax.get_axes_locator()
        ax.apply_aspect(locator(ax, fig.canvas.get_renderer()) if locator else None)
    engine.execute(fig)


def write_figures(figures: Path, notebook: str, table: pd.DataFrame) -> Path:
    """Write one notebook's figure list and rebuild the run's ``figures/figures.csv``
    (every notebook's figures, in notebook order, under a file lock).

    Both files are written under the lock and replaced whole (write, then rename): the
    notebooks of a run save figures at the same time, and a list read while another
    notebook was rewriting it used to be empty (EmptyDataError in the reading notebook).
    """
    import fcntl

    own = figures / notebook
    own.mkdir(parents=True, exist_ok=True)
    with open(figures / ".figures.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mine = own / ".figures.csv.tmp"
        table[list(FIGURES_COLUMNS)].to_csv(mine, index=False)
        mine.replace(own / "figures.csv")
        parts = [read_figures(p) for p in sorted(figures.glob("*/figures.csv"))]
        combined = pd.concat(parts, ignore_index=True) if parts else table.iloc[:0]
        tmp = figures / ".figures.csv.tmp"
        combined[list(FIGURES_COLUMNS)].to_csv(tmp, index=False)
        tmp.replace(figures / "figures.csv")
    return figures / "figures.csv"


def read_figures(path) -> pd.DataFrame:
    """A ``figures.csv`` (combined or one notebook's) with every column of
    :data:`FIGURES_COLUMNS` (absent ones empty: lists written before they existed)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in FIGURES_COLUMNS:
        if c not in table.columns:
            table[c] = ""
    table["number"] = pd.to_numeric(table["number"], errors="coerce").astype("Int64")
    table["key"] = table["key"].astype(str).str.lower().isin(["true", "1", "yes"])
    return table[list(FIGURES_COLUMNS)]


def write_findings(results: Path, notebook: str, table: pd.DataFrame) -> Path:
    """Write one notebook's findings and rebuild the run's ``results/findings.csv``.

    Notebooks of one run share ``results/`` (and may run at the same time), so each
    writes its own ``results/findings/<notebook>.csv``; ``results/findings.csv`` is then
    rebuilt from all of them, in notebook order. Both are written under a file lock and
    replaced whole (write, then rename), as :func:`write_figures` does.
    """
    import fcntl

    check_findings(table)
    if (table["notebook"] != notebook).any():
        raise ValueError(f"findings of another notebook passed to {notebook}")
    own = results / "findings"
    own.mkdir(parents=True, exist_ok=True)
    with open(results / ".findings.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # this notebook's own file too is written under the lock and replaced whole: written
        # before taking it, a half-written file was read by a notebook rebuilding the
        # combined table at that moment (EmptyDataError in contoh 2022's notebook 01)
        mine = own / f".{notebook}.csv.tmp"
        table[list(FINDINGS_COLUMNS)].to_csv(mine, index=False)
        mine.replace(own / f"{notebook}.csv")
        parts = [read_findings(p) for p in sorted(own.glob("*.csv"))]
        combined = pd.concat(parts, ignore_index=True) if parts else table.iloc[:0]
        tmp = results / ".findings.csv.tmp"
        combined[list(FINDINGS_COLUMNS)].to_csv(tmp, index=False)
        tmp.replace(results / "findings.csv")
    return results / "findings.csv"


def dataset_note(meta: dict, year: int) -> str:
    """The dataset's own description plus its note for ``year`` (``year_notes``), if any.

    >>> dataset_note({"description": "A city.", "year_notes": {"2020": "Record year."}}, 2020)
    'A city. Record year.'
    >>> dataset_note({"description": "A city.", "year_notes": {"2020": "Record year."}}, 2021)
    'A city.'
    """
    parts = [str(meta.get("description", "")).strip()]
    parts.append(str((meta.get("year_notes") or {}).get(str(year), "")).strip())
    return " ".join(p for p in parts if p)


def findings_markdown(table: pd.DataFrame, lang: str = "en") -> str:
    """The findings as the Markdown block a report opens with (a finding worded exactly
    as one before it, as undefined findings with one reason are, is shown once; the
    table keeps every row)."""
    if table.empty:
        return "## Findings\n\nNo findings could be computed for this dataset and year."
    lines = ["## Findings", ""]
    text_col = "statement" if lang == "en" else "statement_ind"
    for _, r in table.iterrows():
        est = ""
        if pd.notna(r["estimate"]) and pd.notna(r["ci_low"]):
            ci_text = format_ci(r["estimate"], r["ci_low"], r["ci_high"], lang=lang)
            if ci_text not in str(r[text_col]):  # the sentence quotes it already: say it once
                level = f"{r['ci_level']:.0%} CI" if pd.notna(r["ci_level"]) else "CI"
                est = f" — {r['measure']} {ci_text} ({level})"
        prov = f" *Data: {r['provenance']}.*" if r["provenance"] else ""
        line = f"- {r[text_col]}{est}{prov}"
        if line not in lines:  # one reason behind several undefined findings is said once
            lines.append(line)
    lines.append("")
    lines.append("*Each finding is one row of `results/findings.csv`; the sections below show why.*")
    return "\n".join(lines)


_HEAP_FROZEN_IN: int | None = None


def _freeze_heap() -> None:
    """Take what is alive now out of the garbage collector's full passes, once per process.

    A notebook's imports (pandas, matplotlib, statsmodels, SciPy: 160,000-300,000
    objects) and its dataset live as long as its kernel. Every full collection walked all
    of them again to find none free (full passes took 0.38-0.41 s of notebooks 01 and 03,
    imports included, measured with ``gc.callbacks``; 0.20-0.26 s with the freeze, most
    of it during the imports). :func:`gc.freeze` moves them to the permanent generation;
    what the analyses create later is collected as before. Alternating whole runs put the
    gain at about 0.5 s a notebook (``benchmarks/README.md``). Once per process: a second
    call would also freeze the garbage of whatever ran in between (a test session calls
    :func:`setup` hundreds of times).
    """
    import gc

    global _HEAP_FROZEN_IN
    if _HEAP_FROZEN_IN != os.getpid():
        _HEAP_FROZEN_IN = os.getpid()
        gc.freeze()


def setup(data: str, year: int, out_dir: str = "", *, notebook: str, show: bool = True) -> Report:
    """Load the dataset, keep the year, decide where outputs go, show the banner.

    Parameters
    ----------
    data : str
        Dataset name (folder under ``data/``) or a path to a folder or workbook.
    year : int
        Evaluation year.
    out_dir : str
        Output folder; empty means a scratch folder (:func:`scratch_dir`).
    notebook : str
        The notebook's name, e.g. ``"01_juror_agreement"`` (recorded in the findings).
    show : bool
        Display the banner (title, dataset note, provenance).
    """
    full = load_dataset(data)
    ds = full.for_year(year)
    _freeze_heap()
    scratch = not out_dir
    out = scratch_dir(ds.name, year) if scratch else Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep = Report(ds=ds, full=full, year=int(year), notebook=notebook, out=out, scratch=scratch)
    if show:
        rep.banner()
    return rep
