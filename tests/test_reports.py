"""The whole collection, run by the runner as a user runs it, on the bundled dataset-years
and on deliberately degenerate datasets; the tests read what the reports say and wrote.

Each notebook runs once per parameter set in the suite: nbval executes the notebooks
with their default parameters (``notebooks/`` is a test path), so the default
dataset-year is not run again here.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from kinerja.analyses.findings import FINDINGS_COLUMNS, read_findings
from kinerja.data.io import load_dataset
from kinerja.paths import DATA_DIR, NOTEBOOKS_DIR
from kinerja.run import inspect_notebooks, run_collection

from . import datasets

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NOTEBOOKS = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
#: The report pages a run writes: one per notebook, one per variant of a notebook that has
#: variants (the policy brief: 06_policy_brief.id, 06_policy_brief.en).
PAGES = [
    spec.name + (f".{v}" if v is not None else "")
    for spec in inspect_notebooks()
    for v in (next(iter((spec.options.get("variants") or {None: [None]}).values())))
]
#: Pages of analysis reports (they open with their findings); briefs are not analyses.
ANALYSIS_PAGES = [
    p for p in PAGES if not next(s for s in inspect_notebooks() if p.startswith(s.name)).options.get("pdf")
]
#: The parameter set nbval runs (the notebooks' defaults): not repeated here.
DEFAULT = ("batu", 2020)
#: Less resampling than the defaults keeps the suite fast; the statistics are tested
#: with their defaults in the unit tests.
FAST = {"n_boot": "100", "n_perm": "500", "n_reweight": "500", "n_resamples": "200"}
#: Bundled datasets (their reports are checked against each other for leaked facts).
BUNDLED = [p.name for p in sorted(DATA_DIR.iterdir()) if (p / "dataset.json").is_file()]


@dataclass(frozen=True)
class Report:
    label: str  # bundled dataset name or degenerate case
    data: str  # what the runner was given
    year: int
    folder: Path


def _fast_parameters() -> dict[str, str]:
    declared: set[str] = set()
    for spec in inspect_notebooks():
        declared.update(spec.parameters)
    return {k: v for k, v in FAST.items() if k in declared}


#: Degenerate datasets the harness leaves to the analysis tests, with the bundled
#: dataset-year that runs the same case end to end.
COVERED_BY_BUNDLED = {"no_kovablik": "contoh 2022 is a whole bundled year without KOVABLIK"}


def _years(label: str, years: list[int]) -> list[int]:
    """Years run here: every year of the default dataset (issue 6: 'every year of batu') but
    the default one; of another bundled dataset, every year that follows another (its
    first year's one own path, trends with a single year, is every degenerate dataset's);
    a degenerate dataset's one year."""
    if label == DEFAULT[0]:
        return [y for y in years if y != DEFAULT[1]]
    if label in BUNDLED:
        return list(years[1:]) or list(years)
    return list(years)


@pytest.fixture(scope="module")
def collection(tmp_path_factory, kinerja_kernel) -> tuple[list[Report], list[str]]:
    """Notebooks of the collection, every one, on the bundled dataset-years of
    :func:`_years` and on the degenerate datasets of :mod:`tests.datasets` (but those in
    :data:`COVERED_BY_BUNDLED`)."""
    tmp = tmp_path_factory.mktemp("collection")
    out = tmp / "reports"
    plan = [(name, name) for name in BUNDLED]
    plan += [
        (case, str(make(tmp / "data" / case)))
        for case, make in datasets.FACTORIES.items()
        if case not in COVERED_BY_BUNDLED
    ]
    reports, failures = [], []
    # datasets that run the same years share one call, so that two kernels stay busy
    # until the last notebook (each call ends with its briefs alone)
    by_years: dict[tuple[int, ...], list[tuple[str, str]]] = {}
    for label, data in plan:
        ds = load_dataset(data)
        years = tuple(_years(label, ds.years))
        by_years.setdefault(years, []).append((label, data))
        reports += [Report(label, data, y, out / ds.name / str(y)) for y in years]
    for years, group in by_years.items():
        summary = run_collection(
            [data for _, data in group],
            years=list(years),
            out=out,
            parameters=_fast_parameters(),
            jobs=2,
            progress=False,
        )
        if summary.failures:
            failures.append(summary.failure_table())
    return reports, failures


def _html_text(path: Path) -> str:
    """The words a reader sees in a report page (no markup, styles or embedded images)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r'src="data:[^"]*"', "", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


def _without_kovablik(r: Report) -> bool:
    one = load_dataset(r.data).for_year(r.year)
    return one.innovations.empty and not (one.scores["evaluation"] == "kovablik").any()


def test_every_notebook_runs_on_every_dataset_year(collection):
    reports, failures = collection
    assert not failures, "\n".join(failures)
    assert {r.label for r in reports} == set(BUNDLED) | set(datasets.FACTORIES) - set(COVERED_BY_BUNDLED)
    assert {(r.label, r.year) for r in reports} >= {("batu", y) for y in (2019, 2021, 2022, 2023)}
    # what COVERED_BY_BUNDLED relies on: a bundled year run here has no KOVABLIK at all
    assert any(_without_kovablik(r) for r in reports if r.label in BUNDLED)
    for r in reports:
        for nb in PAGES:
            assert (r.folder / f"{nb}.html").is_file(), f"{r.label} {r.year}: no {nb}.html"


def test_findings_follow_the_contract_and_open_every_report(collection):
    reports, _ = collection
    for r in reports:
        f = read_findings(r.folder / "results" / "findings.csv")
        assert list(f.columns) == list(FINDINGS_COLUMNS)
        assert (f["year"] == r.year).all()
        for nb in ANALYSIS_PAGES:
            text = _html_text(r.folder / f"{nb}.html")
            head = text.find("Findings")
            assert head >= 0, f"{r.label} {r.year} {nb}: no findings section"
            first_table = text.find("— data:")
            assert first_table == -1 or head < first_table, f"{r.label} {r.year} {nb}: a table before the findings"
            assert not re.search(r"\bnan\b", text, flags=re.I), f"{r.label} {r.year} {nb}: prints 'nan'"
            assert "Traceback" not in text, f"{r.label} {r.year} {nb}: a traceback"


def test_undefined_findings_say_why(collection):
    reports, _ = collection
    for r in reports:
        f = read_findings(r.folder / "results" / "findings.csv")
        undefined = f[f["status"] == "undefined"]
        assert undefined["estimate"].isna().all()
        assert undefined["statement"].str.len().gt(20).all(), undefined["statement"].tolist()


def test_figures_are_numbered_with_caption_alt_text_png_and_svg(collection):
    reports, _ = collection
    for r in reports:
        fig_dir = r.folder / "figures"
        if not fig_dir.exists():
            continue
        listed = pd.read_csv(fig_dir / "figures.csv")
        assert listed["caption"].str.len().gt(10).all() and listed["alt"].str.len().gt(10).all()
        key = listed[listed["key"]]
        assert key["caption_ind"].fillna("").str.len().gt(10).all(), key["file"].tolist()
        for png in fig_dir.rglob("fig*.png"):
            assert png.with_suffix(".svg").is_file(), png
            data = png.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            i = data.find(b"pHYs")
            ppm = struct.unpack(">I", data[i + 4 : i + 8])[0]
            assert ppm * 0.0254 >= 199, f"{png.name}: {ppm * 0.0254:.0f} dpi"
        html = "".join((r.folder / f"{nb}.html").read_text(encoding="utf-8") for nb in PAGES)
        assert html.count("<figcaption>") >= 1
        assert 'alt=""' not in html


def _names(ds) -> set[str]:
    """A dataset's own names: its title and its units' names and abbreviations."""
    out: set[str] = set()
    for col in ("name", "abbreviation"):
        out |= {str(v) for v in ds.units[col].dropna().unique() if len(str(v)) > 3}
    out.add(str(ds.meta.get("title", ds.name)))
    return out


def _foreign(own: set[str], others: set[str]) -> set[str]:
    """Names of other datasets that cannot occur in this one's reports by coincidence:
    not a category word of the data model (an 'Inspektorat' is in every local
    government) and not part of one of this dataset's own names."""
    from kinerja.data.schema import CATEGORIES

    generic = {c.lower() for c in CATEGORIES}
    return {n for n in others if n.lower() not in generic and not any(n in o for o in own)}


def _unit_totals_claimed(text: str) -> set[int]:
    """Totals a report states as 'of N units' or 'N units were graded'."""
    found = {int(m) for m in re.findall(r"\bof (\d+) units\b", text)}
    return found | {int(m) for m in re.findall(r"\b(\d+) units were graded\b", text)}


def test_no_report_states_a_fact_of_another_dataset_or_year(collection):
    reports, _ = collection
    names = {d: _names(load_dataset(d)) for d in BUNDLED}
    for r in reports:
        ds = load_dataset(r.data)
        one = ds.for_year(r.year)
        others = set().union(*(n for d, n in names.items() if d != ds.name))
        foreign = _foreign(_names(ds), others) if r.label in names else set()
        counts = {
            len(one.units),
            len(one.grades),
            one.scores.loc[one.scores["evaluation"] == "sakip", "subject_id"].nunique(),
        }
        for nb in PAGES:
            text = _html_text(r.folder / f"{nb}.html")
            leaked = sorted(n for n in foreign if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text))
            assert not leaked, f"{r.label} {r.year} {nb}: names from another dataset: {leaked[:5]}"
            prose = text.split("References")[0]
            # a report never knows a later year; only a notebook that spans years by design
            # (metadata kinerja.spans_years, e.g. trends) speaks of earlier ones
            source = NOTEBOOKS_DIR / f"{nb.split('.')[0]}.ipynb"
            spans = nbformat.read(source, as_version=4).metadata.get("kinerja", {})
            for other in ds.years:
                if other == r.year or (other < r.year and spans.get("spans_years")):
                    continue
                # a regulation's number ('PermenPANRB 88/2021') names a rule, not a year of the data
                assert not re.search(rf"(?<!/)\b{other}\b", prose), f"{r.label} {r.year} {nb}: mentions {other}"
            bad = sorted(n for n in _unit_totals_claimed(text) if n not in counts)
            assert not bad, f"{r.label} {r.year} {nb}: states totals {bad}; the data have {sorted(counts)}"


def test_results_derived_from_synthetic_scores_say_so(collection):
    reports, _ = collection
    for r in reports:
        one = load_dataset(r.data).for_year(r.year)
        if not (one.scores["basis"] == "synthetic").any():
            continue
        agreement = pd.read_csv(r.folder / "results" / "agreement.csv")
        assert agreement["provenance"].str.contains("SYNTHETIC").all()


def test_parameters_json_records_each_run(collection):
    reports, _ = collection
    for r in reports:
        rec = json.loads((r.folder / "parameters.json").read_text())
        assert rec["year"] == r.year


def test_notebooks_committed_without_outputs_with_typed_parameters():
    for p in NOTEBOOKS_DIR.glob("*.ipynb"):
        nb = nbformat.read(p, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{p.name}: exactly one cell tagged 'parameters'"
        for param in ("data: str", "year: int", "out_dir: str"):
            assert param in tagged[0].source, f"{p.name}: {param}"
        assert nb.metadata["kernelspec"]["name"] == "kinerja"
        assert not any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def test_briefs_show_their_figures_drawn_for_print(collection):
    # every figure a brief shows is drawn again at its printed size (kinerja.report.brief_figures),
    # never a notebook's screen figure shrunk into the column; the drawing writes nothing
    reports, _ = collection
    shown = 0
    for r in reports:
        for page in sorted(r.folder.glob("06_policy_brief.*.html")):
            html = page.read_text(encoding="utf-8")
            figures = html.count('<figure class="brief-figure">')
            printed = re.findall(r'<img [^>]*class="print"[^>]*style="width:[\d.]+mm"', html)
            assert len(printed) == figures, f"{r.label} {r.year} {page.name}"
            shown += figures
        assert not list((r.folder / "figures").rglob("*.print.*")), r.label
    assert shown >= 2 * len([r for r in reports if r.label in BUNDLED])


def test_briefs_of_the_bundled_data_fit_on_two_a4_pages(collection):
    # the mission asks for a two-page policy brief; every bundled dataset-year run here,
    # in both languages (Indonesian runs longer), must keep to it
    from pypdf import PdfReader

    reports, _ = collection
    checked = 0
    for r in reports:
        if r.label not in BUNDLED:
            continue
        for pdf in sorted(r.folder.glob("06_policy_brief.*.pdf")):
            pages = len(PdfReader(pdf).pages)
            assert pages <= 2, f"{r.label} {r.year}: {pdf.name} has {pages} pages"
            checked += 1
    assert checked >= 2 * len([r for r in reports if r.label in BUNDLED])


def test_no_sentence_prints_an_undefined_value_as_a_dash(collection):
    """'Equal weights give τ = — and keep 12 of the top five', 'the correlation ... is —',
    'Fleiss' kappa = —.', 'changed on average by — grade steps', 'its exact 95% CI up to —)':
    an undefined value is said in words with its reason, never printed as a dash in a
    sentence (found on a dataset whose every score is equal, and on multi-year data)."""
    reports, _ = collection
    for r in reports:
        for nb in PAGES:
            text = _html_text(r.folder / f"{nb}.html")
            bad = re.findall(
                r"[^.]{0,60}(?:=|\bis|\bof|\bby|\bto|\bfrom|\bat|\bwas|\bwere|\bbe|\bbetween|\band|\bor|:) —(?! \()"
                r"(?:[;.,)]| (?:points?|pp|percentage|grade|%))[^.]{0,20}",
                text,
            )
            assert not bad, f"{r.label} {r.year} {nb}: {bad[:3]}"


def test_a_jury_whose_pairs_are_all_undefined_gets_a_sentence_not_an_empty_heatmap(collection):
    """Every score equal: the juror-pair heatmap had only its diagonal, and its alt text
    read 'pair values from nan (J02 and J02) to nan'."""
    reports, _ = collection
    for r in reports:
        if r.label != "constant_scores":
            continue
        text = _html_text(r.folder / "01_juror_agreement.html")
        assert "No pair of jurors has a defined ICC(A,1)" in text
        assert "pair values from nan" not in text
        break
    else:
        raise AssertionError("no constant_scores report in the collection")


def test_partly_scored_cells_are_described_as_such(collection):
    """The coverage grid's alt text said 'the rest are fully scored' beside a table that
    counted 138 partly scored cells (found on a dataset with incomplete worksheets)."""
    reports, _ = collection
    r = next(r for r in reports if r.label == "partial_cells")
    text = _html_text(r.folder / "00_data_overview.html")
    assert re.search(r"are scored on some criteria only", text)
    page = (r.folder / "00_data_overview.html").read_text(encoding="utf-8")
    assert re.search(r"cells are white \(not scored\), \d+ are shaded \(some criteria scored\)", page)


def test_scores_without_a_complete_total_are_not_called_missing_scores(collection):
    """Every juror left one criterion of every unit unscored: the pages said "there are no
    SAKIP juror scores", "Only 0 juror(s) scored SAKIP" and "a severity adjustment would
    change 0 grade(s)" beside thousands of score rows. They must give the cause."""
    reports, _ = collection
    r = next(r for r in reports if r.label == "no_complete_totals")
    pages = {p.name: _html_text(p) for p in sorted(r.folder.glob("0[0-5]_*.html"))}
    assert len(pages) == 6
    for name, text in pages.items():
        for wrong in ("no SAKIP juror scores", "No juror scores for", "Only 0 juror", "would change 0 grade"):
            assert wrong not in text, (name, wrong)
    for name in ("00_data_overview.html", "01_juror_agreement.html", "02_juror_effects.html"):
        assert re.search(r"juror totals are (incomplete|left out)", pages[name]), name
    assert "no juror scored every criterion of any unit" in pages["01_juror_agreement.html"]


def test_juror_totals_left_out_are_counted_where_totals_are_used(collection):
    reports, _ = collection
    r = next(r for r in reports if r.label == "partial_cells")
    for name in ("00_data_overview.html", "01_juror_agreement.html", "02_juror_effects.html"):
        assert re.search(r"\d+ of \d+ juror totals are left out", _html_text(r.folder / name)), name
