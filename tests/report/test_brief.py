"""The policy brief (kinerja.report.brief) on a report folder made here, without a kernel:
findings chosen from the contract, both languages, caveats from the dataset's log, figures
lifted from figures.csv, and the HTML -> PDF path (brief template, WeasyPrint, A4)."""

from __future__ import annotations

import json
import re

import matplotlib

matplotlib.use("Agg")  # figures drawn outside a notebook

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

from kinerja.analyses.findings import Finding, findings_frame
from kinerja.data.io import load_dataset
from kinerja.data.notes import caveats, caveats_in
from kinerja.report import brief, notebook
from kinerja.run.runner import _export_html

YEAR = 2020


def _f(
    fid, est=float("nan"), lo=float("nan"), hi=float("nan"), status="estimated", measure="ICC(A,1)", n=29, said=None
):
    q = "Q?"
    return Finding(
        fid,
        q,
        said or (f"{fid} in English is {est:.2f}." if est == est else f"{fid}: not computed."),
        said
        or (
            f"{fid} dalam bahasa Indonesia {str(round(est, 2)).replace('.', ',')}." if est == est else f"{fid}: tidak."
        ),
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        ci_level=0.95 if lo == lo else float("nan"),
        measure=measure,
        n=n,
        bases=["named", "synthetic"],
        evidence=f"{fid.split('.')[0]}.csv",
        status=status,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A report folder as a run of notebooks 00, 01, a future 02 and 05 would leave it."""
    out = tmp_path_factory.mktemp("report")
    results = out / "results"
    results.mkdir()
    parts = {
        "00_data_overview": [_f("data.grades", 29, measure="units"), _f("data.jurors", 10, measure="count")],
        "01_juror_agreement": [
            _f("agreement.two_jurors", 0.62, 0.54, 0.69),
            _f("agreement.published_total", 0.94, 0.92, 0.96, measure="ICC(A,k)"),
            _f("agreement.near_boundary", 9, measure="units"),
        ],
        "02_juror_effects": [_f("juror_effects.grade_change", 0.31, 0.22, 0.40, measure="share")],
        "05_trends": [
            _f("trends.drift", 0.41, 0.14, 0.62, measure="grade steps"),
            _f("trends.severity", status="undefined"),
            _f("trends.transitions", status="undefined", said="Not computed: no previous year."),
            _f("trends.stable_units", status="undefined", said="Not computed: no previous year."),
        ],
    }
    for nb, fs in parts.items():
        notebook.write_findings(results, nb, findings_frame(fs, dataset="batu", year=YEAR, notebook=nb))
    for nb, key in (
        ("00_data_overview", False),
        ("01_juror_agreement", True),
        ("05_trends", True),
        ("05_trends", False),
    ):
        rep = notebook.Report(ds=None, full=None, year=YEAR, notebook=nb, out=out, scratch=False)
        rep.n_figures = (
            len(notebook.read_figures(out / "figures" / nb / "figures.csv"))
            if (out / "figures" / nb / "figures.csv").is_file()
            else 0
        )
        rep.figures = (
            notebook.read_figures(out / "figures" / nb / "figures.csv").to_dict("records") if rep.n_figures else []
        )
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.plot([0, 1], [0, 1])
        rep.figure(fig, name=f"{nb}_{key}", caption=f"English caption {nb} {key}.", alt="A line.",
                   caption_ind=f"Keterangan {nb} {key}.", alt_ind="Sebuah garis." if nb == "01_juror_agreement" else "",
                   key=key)  # fmt: skip
    record = {"started": "2026-01-01T00:00:00+00:00", "kinerja_version": "0.1.0", "git_commit": "abc123def456",
              "notebooks": {"00_data_overview": {"status": "ok"}, "01_juror_agreement": {"status": "ok"},
                            "03_categories": {"status": "failed"}, "06_policy_brief.id": {"status": "running"}}}  # fmt: skip
    (out / "parameters.json").write_text(json.dumps(record))
    return out


@pytest.fixture(scope="module")
def briefs(folder):
    return {
        lang: brief.build(folder, data="batu", year=YEAR, lang=lang, notebook="06_policy_brief")
        for lang in ("id", "en")
    }


def _text(page: str) -> str:
    import html

    return html.unescape(
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", page, flags=re.S)))
    )


def test_three_to_five_key_findings_one_analysis_at_a_time(briefs):
    key = briefs["en"].key["finding_id"].tolist()
    # the collection's question order, one estimated finding per analysis in turn; data.* only to fill up
    assert key == [
        "agreement.two_jurors",
        "juror_effects.grade_change",
        "trends.drift",
        "agreement.published_total",
        "agreement.near_boundary",
    ]
    few = briefs["en"].findings[briefs["en"].findings["finding_id"].str.startswith(("data.", "trends."))]
    assert brief.key_findings(few)["finding_id"].tolist() == ["trends.drift", "data.grades", "data.jurors"]


def test_indonesian_brief_uses_statement_ind_indonesian_terms_and_decimal_commas(briefs):
    text = _text(briefs["id"].html())
    assert "agreement.two_jurors dalam bahasa Indonesia 0,62" in text
    assert "ICC(A,1) = 0,62 [0,54; 0,69], interval kepercayaan (IK) 95%" in text
    assert "jumlah perangkat daerah = 9; tanpa interval sampel" in text
    for word in ("Temuan utama", "predikat", "perangkat daerah", "evaluator", "Yang tidak didukung"):
        assert word in text, word
    assert "Key findings" not in text and "in English" not in text
    en = _text(briefs["en"].html())
    assert "ICC(A,1) = 0.62 [0.54, 0.69], 95% confidence interval" in en and "dalam bahasa" not in en


def test_caveats_come_from_the_datasets_log_for_the_year(briefs):
    ds = load_dataset("batu")
    text = _text(briefs["en"].html())
    items = caveats(ds, YEAR)
    assert items and all(re.sub(r"\s+", " ", c) in text for c in items)
    other_year = set(caveats(ds, 2021)) ^ set(items)
    assert not any(c in text for c in other_year - set(items))
    # the Indonesian brief takes the log's Indonesian section ("Asumsi dan catatan")
    ind, lang = caveats_in(ds, YEAR, "id")
    assert lang == "id" and len(ind) == len(items)
    text_id = _text(briefs["id"].html())
    assert all(re.sub(r"\s+", " ", c) in text_id for c in ind) and items[0] not in text_id


def test_figures_are_the_key_ones_embedded_with_the_captions_of_the_language(briefs):
    b = briefs["id"]
    assert [f["file"] for f in b.figures] == ["01_juror_agreement/fig01_01_juror_agreement_true.png",
                                              "05_trends/fig01_05_trends_true.png"]  # fmt: skip
    html = b.html()
    assert html.count('src="data:image/png;base64,') == 2
    assert "Keterangan 01_juror_agreement True." in html and "English caption" not in html
    assert "English caption 05_trends True." in briefs["en"].html()


def test_the_indonesian_brief_describes_its_images_in_indonesian(briefs):
    """The Indonesian brief's images had the notebooks' English alt texts: now their
    Indonesian one, or the Indonesian caption where a figure has none."""
    page = briefs["id"].html()
    assert 'alt="Sebuah garis."' in page and 'alt="Keterangan 05_trends True."' in page
    assert 'alt="A line."' not in page
    assert briefs["en"].html().count('alt="A line."') == 2


def test_a_figure_without_a_drawing_for_print_is_shown_as_the_notebook_drew_it(folder, briefs):
    import base64

    for b in briefs.values():
        for f in b.figures:  # the fixture's figures have names no printed drawing knows
            assert not f["print"] and f["width_mm"] is None
            data = base64.b64encode((folder / "figures" / f["file"]).read_bytes()).decode("ascii")
            assert data in b.html(), f["file"]
        assert 'class="print"' not in b.html()


def test_what_is_not_supported_names_undefined_and_missing_analyses_and_synthetic_data(briefs):
    text = _text(briefs["en"].html())
    trends_q = brief.QUESTIONS["trends"][0]
    # in the reader's words, once per question and reason (not the findings' ids, five
    # times over for a year without a previous one)
    assert f"{trends_q} — trends.severity: not computed." in text
    assert text.count("Not computed: no previous year.") == 1
    assert f"{trends_q} — Not computed: no previous year." in text
    assert "trends.transitions:" not in text
    assert "Do scores differ across unit categories" in text and "no findings in this run" in text
    assert "SYNTHETIC" in text
    assert "03_categories (FAILED)" in text and "06_policy_brief.id" not in text


def test_the_brief_template_prints_an_a4_pdf_with_page_numbers(briefs, tmp_path):
    from pypdf import PdfReader

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("This sentence is for people opening the notebook, not for the brief."),
        nbformat.v4.new_code_cell(
            "b.show()",
            outputs=[
                nbformat.v4.new_output("display_data", data={"text/html": briefs["id"].html(), "text/plain": "x"})
            ],
        ),
    ]
    page = _export_html(nb, "06_policy_brief.id", template="brief", markdown=False)
    assert "b.show()" not in page and "for people opening" not in page and "<script" not in page
    html = tmp_path / "b.html"
    html.write_text(page, encoding="utf-8")
    pdf = PdfReader(brief.html_to_pdf(html, tmp_path / "b.pdf"))
    width, height = (float(v) * 25.4 / 72 for v in (pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height))
    assert (round(width), round(height)) == (210, 297)  # A4, in mm
    pages = len(pdf.pages)
    assert 1 <= pages <= 4
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert re.search(rf"\b1\s*/\s*{pages}\b", text) and re.search(rf"\b{pages}\s*/\s*{pages}\b", text)
    assert "Temuan utama" in text


def test_a_folder_without_findings_gives_a_brief_that_says_so(tmp_path):
    b = brief.build(tmp_path, data="batu", year=YEAR, lang="en")
    assert "No findings were found" in _text(b.html())
    with pytest.raises(ValueError, match="lang"):
        brief.build(tmp_path, data="batu", year=YEAR, lang="fr")


def test_results_read_are_not_changed(folder):
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    brief.build(folder, data="batu", year=YEAR, lang="id").html()
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before == after
    assert pd.read_csv(folder / "results" / "findings.csv")["finding_id"].is_unique


def test_provenance_table_names_the_tables_and_counts_rows_in_the_briefs_language(briefs):
    def table(lang):
        page = briefs[lang].html()
        return re.search(r'<table class="provenance">.*?</table>', page, flags=re.S).group(0)

    n_scores = int(load_dataset("batu").for_year(YEAR).scores.shape[0])
    assert n_scores >= 1000  # the thousands separator is exercised
    ind, en = table("id"), table("en")
    assert "<td>nilai evaluator (scores)</td>" in ind and "<td>perangkat daerah (units)</td>" in ind
    assert f"<td>{n_scores:,}</td>".replace(",", ".") in ind  # Indonesian thousands separator
    assert "<td>scores</td>" in en and f"<td>{n_scores:,}</td>" in en


#: Measures that are the names of statistics, the same in both languages.
STATISTIC_NAMES = {"ICC(A,k)", "ICC(A,1)", "Gwet's AC1", "Pearson r", "ms"}


def test_every_measure_a_finding_can_have_is_in_indonesian_in_the_indonesian_brief():
    """The Indonesian brief showed 'SD of juror leniency (points)', 'p-value (Freeman–Halton
    exact test)' and 'points, inspektorat minus tim_sakip' in English (found on a run of
    another dataset). Every literal measure of the analyses, and each pattern, is checked."""
    import ast

    from kinerja.paths import PACKAGE_DIR

    literals, patterns = set(), []
    for path in (PACKAGE_DIR / "analyses").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "measure":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    literals.add(node.value.value)
                elif isinstance(node.value, ast.JoinedStr):
                    patterns.append("".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.value.values))
    assert len(literals) >= 20 and len(patterns) >= 5
    for m in sorted(literals - STATISTIC_NAMES):
        assert brief.measure_words(m, "id") != m, m
    for m in patterns:
        assert brief.measure_words(m, "id") != m, m


def test_a_p_value_estimate_is_said_as_a_p_value():
    """The Indonesian brief's uncertainty line read 'nilai p (uji eksak Fisher) = 0,00' for
    p < 0.001: two decimals of a p-value."""
    from kinerja.report.brief import uncertainty_text

    row = pd.Series(
        {
            "estimate": 0.0004,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "ci_level": np.nan,
            "n": 29,
            "measure": "p-value (Fisher's exact test)",
        }
    )
    assert uncertainty_text(row, "id").startswith("nilai p (uji eksak Fisher): p < 0,001")
    assert uncertainty_text(row.replace(0.0004, 0.0312), "en").startswith("p-value (Fisher's exact test): p = 0.031")


def test_what_the_evidence_supports_counts_findings_in_number(briefs):
    """'5 finding(s) estimated': the count agrees with its noun in English; Indonesian
    nouns do not inflect."""
    text = _text(briefs["en"].html())
    counts = re.findall(r"— (\d+) (findings?) estimated", text)
    assert counts, text
    assert all((n == "1") == (noun == "finding") for n, noun in counts)
    assert "finding(s)" not in text and "temuan dapat diestimasi" in _text(briefs["id"].html())
