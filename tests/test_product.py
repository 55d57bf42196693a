"""The collection as a product: a whole run (every notebook of the collection, then the
briefs in both languages) on a small dataset whose jurors have NAMES, in temporary
folders only; checked as a user and a reviewer would check it.

* privacy: no juror name in any output (ipynb, html, pdf text, csv, svg, json, txt); the
  name -> pseudonym mapping stays in the data folder;
* determinism: a second run on the same inputs writes identical results tables;
* the briefs: HTML and PDF in both languages, A4, every number of the English brief is a
  value of the run's tables;
* a real browser (Debian's chromium, headless): reports/index.html and a brief load every
  image and every link resolves.

The run is shared by the tests of this module (module-scoped fixture) and uses small
resampling parameters.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kinerja.data.pseudonyms import MAPPING_FILE
from kinerja.paths import DATA_DIR
from kinerja.run import inspect_notebooks, run_collection

from .browser import Browser, find_chromium

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

#: Names given to jurors of the copy; each word of four letters or more is searched too.
NAMES = {"J01": "Budi Santoso", "J06": "Dr. Sri Wahyuni", "J12": "Wulandari Kusuma"}
YEAR = 2021
#: Resampling parameters small enough for a test, for the notebooks that declare them.
SMALL = {"n_boot": "20", "n_perm": "200", "n_reweight": "200", "n_resamples": "100"}
PARAMETERS = {k: v for k, v in SMALL.items() if any(k in s.parameters for s in inspect_notebooks())}


def _small_named_copy(folder: Path) -> Path:
    """Two years of batu (for trends), 12 units (with the jurors' home units), jurors named."""
    folder.mkdir(parents=True)
    t = {f.stem: pd.read_csv(f, dtype=str, keep_default_na=False) for f in (DATA_DIR / "batu").glob("*.csv")}
    t = {k: v[v["year"].isin([str(YEAR - 1), str(YEAR)])] for k, v in t.items()}
    homes = set(t["jurors"]["home_unit_id"]) - {""}
    keep = set(sorted(set(t["units"]["unit_id"]) - homes)[:10]) | homes
    t["units"] = t["units"][t["units"]["unit_id"].isin(keep)]
    t["grades"] = t["grades"][t["grades"]["unit_id"].isin(keep)]
    t["innovations"] = t["innovations"][t["innovations"]["unit_id"].isin(keep)]
    t["scores"] = t["scores"][t["scores"]["subject_id"].isin(keep | set(t["innovations"]["innovation_id"]))]
    for name in ("jurors", "scores"):
        t[name] = t[name].assign(juror_id=t[name]["juror_id"].replace(NAMES))
    j = t["jurors"]
    j.loc[j["juror_id"] == "Budi Santoso", "source"] = "evaluation form signed by Budi Santoso"
    for name, df in t.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    meta = {"name": folder.name, "title": "Kabupaten Uji (test copy)", "description": "A test copy with named jurors."}
    (folder / "dataset.json").write_text(json.dumps(meta), encoding="utf-8")
    shutil.copy(DATA_DIR / "batu" / "README.md", folder / "README.md")
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return _small_named_copy(tmp_path_factory.mktemp("data") / "uji")


def _run(data: Path, out: Path):
    return run_collection(data, years=YEAR, out=out, parameters=PARAMETERS, jobs=2, progress=False)


@pytest.fixture(scope="module")
def run(data, tmp_path_factory, kinerja_kernel):
    out = tmp_path_factory.mktemp("reports")
    summary = _run(data, out)
    return out, summary


@pytest.fixture(scope="module")
def folder(run) -> Path:
    return run[0] / "uji" / str(YEAR)


def test_every_notebook_ran_and_both_briefs_exist_as_html_and_pdf(run, folder):
    out, summary = run
    assert summary.ok, summary.failure_table()
    for lang in ("id", "en"):
        for ext in ("html", "pdf", "ipynb"):
            assert (folder / f"06_policy_brief.{lang}.{ext}").is_file(), (lang, ext)
    assert (out / "index.html").is_file()
    assert [r.notebook for r in summary.results][-2:] == ["06_policy_brief.id", "06_policy_brief.en"]


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _words():
    for name in NAMES.values():
        yield name
        yield from (w for w in re.split(r"[\s.]+", name) if len(w) >= 4)


def _leaks(root: Path) -> tuple[int, list[str]]:
    """(files searched, ``file: word`` for every juror name or name word found under ``root``)."""
    searched, leaks = 0, []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".png":
            continue
        text = _pdf_text(path) if path.suffix == ".pdf" else path.read_text(encoding="utf-8", errors="replace")
        # embedded images are base64 (a four-letter name occurs in them by chance); words never do
        text = re.sub(r"data:[^\"'\s)]+", " ", text)
        text = re.sub(r"(?:[A-Za-z0-9+/=]|\\n){120,}", " ", text)
        text = html.unescape(text)
        searched += 1
        for word in _words():
            if re.search(re.escape(word), text, re.IGNORECASE):
                leaks.append(f"{path.relative_to(root)}: {word}")
    return searched, leaks


def test_no_juror_name_appears_in_any_output(run, data, tmp_path):
    out, _ = run
    searched, leaks = _leaks(out)
    assert searched > 20 and not leaks, leaks
    suffixes = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert {".ipynb", ".html", ".pdf", ".csv", ".svg"} <= suffixes
    # the search finds a name where there is one (beside an image, in an ipynb-like file)
    (tmp_path / "planted.ipynb").write_text('{"image/png": "iVBORw0KGgo' + "A" * 200 + '", "text": "dr. sri wahyuni"}')
    assert _leaks(tmp_path)[1] == ["planted.ipynb: Dr. Sri Wahyuni", "planted.ipynb: Wahyuni"]
    # and in a PDF printed as the briefs are (its text read back with pypdf)
    from kinerja.report.brief import html_to_pdf

    planted = tmp_path / "pdf"
    planted.mkdir()
    (planted / "p.html").write_text("<p>Tabel 3, disusun oleh Dr. Sri Wahyuni (penguji).</p>", encoding="utf-8")
    html_to_pdf(planted / "p.html", planted / "p.pdf")
    (planted / "p.html").unlink()
    assert _leaks(planted)[1] == ["p.pdf: Dr. Sri Wahyuni", "p.pdf: Wahyuni"]
    mapping = pd.read_csv(data / MAPPING_FILE)
    assert sorted(mapping["juror_name"]) == sorted(NAMES.values())
    assert not list(out.rglob(MAPPING_FILE))


def test_a_second_run_on_the_same_inputs_writes_identical_results_tables(run, data, tmp_path):
    out, _ = run
    again = _run(data, tmp_path / "again")
    assert again.ok, again.failure_table()
    first = out / "uji" / str(YEAR)
    second = tmp_path / "again" / "uji" / str(YEAR)
    tables = sorted(p.relative_to(first) for p in first.rglob("*.csv"))
    assert any(str(t).startswith("results/") for t in tables)
    different = [str(t) for t in tables if (first / t).read_bytes() != (second / t).read_bytes()]
    assert sorted(p.relative_to(second) for p in second.rglob("*.csv")) == tables
    assert not different, different
    svgs = sorted(p.relative_to(first) for p in first.rglob("*.svg"))
    assert [str(s) for s in svgs if (first / s).read_bytes() != (second / s).read_bytes()] == []


def _numbers(text: str) -> list[str]:
    return re.findall(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?", text)


def _table_numbers(folder: Path) -> set[str]:
    """Every number of the run's tables as it could be printed (0-3 decimals, and x100)."""
    found: set[str] = set()
    for path in [*folder.glob("results/**/*.csv"), folder / "figures" / "figures.csv"]:
        t = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in t.columns:
            for cell in t[col]:
                found.update(n.replace(",", "") for n in _numbers(cell))
                try:
                    v = float(cell)
                except ValueError:
                    continue
                for x in (v, 100 * v):
                    found.update(f"{x:.{d}f}" for d in range(4))
    return found


def test_every_number_in_the_brief_is_a_value_of_the_runs_tables(folder):
    page = (folder / "06_policy_brief.en.html").read_text(encoding="utf-8")
    body = re.sub(r"<style.*?</style>|<footer.*?</footer>|<table class=\"provenance\".*?</table>", "", page, flags=re.S)
    body = re.sub(r'src="data:[^"]+"', "", body)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    known = _table_numbers(folder)
    missing = sorted({n.replace(",", "") for n in _numbers(text)} - known)
    assert not missing, f"numbers in the brief that no table of the run holds: {missing}"
    ind = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>|<footer.*?</footer>", "", (
        folder / "06_policy_brief.id.html").read_text(encoding="utf-8"), flags=re.S)))  # fmt: skip
    assert re.search(r"\b\d+,\d\d\b", ind), "the Indonesian brief writes decimals with a comma"
    assert not re.search(r"\b0\.\d\d\b", ind), "an English decimal point in the Indonesian brief"


def test_brief_pdfs_are_a4_and_short(folder):
    from pypdf import PdfReader

    for lang in ("id", "en"):
        pdf = PdfReader(folder / f"06_policy_brief.{lang}.pdf")
        box = pdf.pages[0].mediabox
        assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4, mm
        assert 1 <= len(pdf.pages) <= 4


def test_index_and_brief_in_a_real_browser(run, folder, tmp_path):
    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium; .ci/run installs it)")
    out, _ = run
    pages = [out / "index.html", folder / "06_policy_brief.id.html", folder / "06_policy_brief.en.html"]
    checked: set[str] = set()
    with Browser(exe, tmp_path / "profile") as browser:
        while pages:
            page = pages.pop(0)
            if str(page) in checked:
                continue
            checked.add(str(page))
            loaded = browser.open(page.resolve().as_uri())
            assert not loaded["failed"], (page, loaded["failed"])
            seen = browser.images_and_links()
            broken = [i["src"][:80] for i in seen["images"] if not (i["complete"] and i["width"] > 0)]
            assert not broken, (page, broken)
            for href in seen["links"]:
                assert href.startswith("file://"), (page, href)  # nothing from the network
                target = Path(re.sub(r"#.*$", "", href.removeprefix("file://")))
                assert target.is_file(), (page, href)
                if target.suffix == ".pdf":
                    assert target.read_bytes()[:5] == b"%PDF-", href
                elif target.suffix == ".html" and page.name == "index.html" and "06_policy_brief" in target.name:
                    pages.append(target)
            if page.name == "index.html":
                assert any("06_policy_brief.id.pdf" in h for h in seen["links"])
                assert len(seen["links"]) >= 8
            else:
                assert len(seen["images"]) >= 2, f"{page.name}: the brief shows its figures"
