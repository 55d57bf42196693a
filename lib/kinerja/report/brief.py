"""The policy brief: about two pages, in Bahasa Indonesia or English, from what a run wrote.

A brief is built ONLY from what the other notebooks of the same report folder wrote
(it reads, it does not recompute): ``results/findings.csv`` (the findings contract of
:mod:`kinerja.analyses.findings`), ``figures/figures.csv`` with the saved figures, the
run record ``parameters.json``, and, from the dataset itself, its
assumptions-and-caveats log (:func:`kinerja.data.notes.caveats`) and the provenance of
its rows for the year. Nothing in it is written for one dataset: every sentence about
the data is a finding's own sentence, or is put together from the contract's columns
(ids, statuses, estimates, intervals, bases).

What a brief holds, in this order: the question; three to five key findings, each with
its uncertainty (interval, or why there is none) and the provenance of its data; up to
two of the run's figures (``key`` figures first), drawn again from the run's results
tables at the size they are printed and in the brief's language
(:mod:`kinerja.report.brief_figures`); what the evidence supports
and what it does not; the dataset's caveats; provenance (which inputs are real,
inferred or synthetic); and where it all comes from (the run, kinerja's version).

How findings are chosen (:func:`key_findings`): analyses are taken in the order of the
collection's questions (:data:`kinerja.analyses.findings.QUESTIONS`; analyses that are
not listed there come after them, ``data`` last), one estimated finding from each in
turn, in the order its notebook wrote them (a notebook writes its headline first),
until :data:`MAX_KEY` are chosen. An analysis whose notebook did not run or failed simply
has no findings: the brief says so.

The HTML page goes through the nbconvert template ``brief`` (no code, A4, page numbers,
print styles); :func:`html_to_pdf` makes the PDF from that HTML with WeasyPrint (no
LaTeX, no browser). ``kinerja run`` does both for the brief notebook, once per language
(see :mod:`kinerja.run.runner`).

Examples
--------
>>> b = build("reports/batu/2020", data="batu", year=2020, lang="id")   # doctest: +SKIP
>>> b.show()                                                            # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analyses.findings import FINDINGS_COLUMNS, QUESTIONS, fmt_number, format_ci, p_value, plural, read_findings
from ..data.io import load_dataset
from ..data.notes import caveats_in
from . import brief_figures
from .labels import provenance_words

#: Languages of a brief.
LANGS = ("id", "en")
#: Most and fewest key findings.
MAX_KEY, MIN_KEY = 5, 3
#: Most figures lifted into a brief (two side by side keep it to about two pages).
MAX_FIGURES = 2

#: Fixed words of the brief, per language. Indonesian in the terms of PermenPANRB
#: 88/2021 (predikat, perangkat daerah, evaluator), written for an Indonesian reader.
TEXT = {
    "en": {
        "kind": "Policy brief",
        "title": "How reliable and fair is the {what} evaluation of {name}, {year}?",
        "what_sakip": "SAKIP",
        "question": "The question",
        "question_text": (
            "Grades (predikat) of the government performance accountability system (SAKIP) rest on juror scores. "
            "This brief asks how much a unit's grade depends on which jurors scored it and on the rules of the "
            "evaluation, and what changed since the previous year. It answers: {questions}"
        ),
        "key": "Key findings",
        "uncertainty": "Uncertainty",
        "ci": "{level} confidence interval",
        "no_ci": "no sampling interval (a count or share over all units of the year)",
        "no_ci_estimate": "no interval was computed",
        "n": "n = {n}",
        "data": "data: {prov}",
        "figures": "Figures",
        "figure": "Figure {i}.",
        "from_nb": "From notebook {nb}, figure {k}.",
        "supports": "What the evidence supports",
        "not_supports": "What it does not support",
        "supports_item": "{question} — {k} estimated; detail in the {notebook} report and {n} of its results tables.",
        "missing": "{question} — no findings in this run (its notebook did not run, or failed).",
        "synthetic_limit": (
            "Conclusions about how real jurors or units behaved: rows behind these findings are SYNTHETIC "
            "(generated with planted effects; see provenance). They show what the audit detects, not what happened."
        ),
        "inferred_limit": (
            "Certainty about rows marked INFERRED: they are reconstructed, not published (see provenance)."
        ),
        "method_limit": (
            "Whether any single grade is right or wrong: the audit measures how much grades depend on the jurors "
            "and the rules, not the true performance of a unit."
        ),
        "caveats": "Caveats (from the dataset's assumptions log)",
        "caveats_en": "Caveats (from the dataset's assumptions log)",
        "no_caveats": (
            "The dataset has no assumptions-and-caveats log (a README.md with an 'Assumptions and caveats' "
            "section beside the data): add one before using this brief."
        ),
        "provenance": "Provenance of the inputs, {year}",
        "prov_cols": ("table", "real (published)", "real (own records)", "inferred", "synthetic"),
        "prov_note": "Rows per table and basis for the year. Every result inherits the bases of the rows behind it.",
        "source": (
            "Built from results/findings.csv, the results tables and figures of the run in {folder} "
            "(started {started}; kinerja {version}{commit}). Every number in this brief is a value of those "
            "tables. Notebooks of the run: {notebooks}."
        ),
        "no_findings": (
            "No findings were found in {folder}: run the other notebooks of the collection for this dataset "
            "and year first (kinerja run), then this one."
        ),
        "status": {"ok": "ran", "failed": "FAILED", "running": "running", "not run": "not run"},
    },
    "id": {
        "kind": "Ringkasan kebijakan",
        "title": "Seberapa andal dan adil evaluasi {what} {name} tahun {year}?",
        "what_sakip": "SAKIP",
        "question": "Pertanyaan",
        "question_text": (
            "Predikat Sistem Akuntabilitas Kinerja Instansi Pemerintah (SAKIP) ditetapkan dari nilai para "
            "evaluator. Ringkasan ini menelaah seberapa jauh predikat suatu perangkat daerah bergantung pada "
            "evaluator yang menilainya dan pada aturan penilaian, serta apa yang berubah dibanding tahun "
            "sebelumnya. Pertanyaan yang dijawab: {questions}"
        ),
        "key": "Temuan utama",
        "uncertainty": "Ketidakpastian",
        "ci": "interval kepercayaan (IK) {level}",
        "no_ci": "tanpa interval sampel (hitungan atau proporsi atas seluruh perangkat daerah tahun itu)",
        "no_ci_estimate": "interval tidak dihitung",
        "n": "n = {n}",
        "data": "data: {prov}",
        "figures": "Gambar",
        "figure": "Gambar {i}.",
        "from_nb": "Dari notebook {nb}, gambar {k}.",
        "supports": "Yang didukung oleh bukti",
        "not_supports": "Yang tidak didukung",
        "supports_item": "{question} — {k} temuan dapat diestimasi; rincian dalam laporan {notebook} dan {n} tabel hasilnya.",
        "missing": "{question} — tidak ada temuan dalam proses ini (notebook-nya tidak dijalankan atau gagal).",
        "synthetic_limit": (
            "Kesimpulan tentang perilaku evaluator atau perangkat daerah yang sebenarnya: sebagian data di balik "
            "temuan ini SINTETIS (dibangkitkan dengan efek yang sengaja ditanamkan; lihat asal data). Temuan "
            "menunjukkan apa yang dapat dideteksi audit, bukan apa yang terjadi."
        ),
        "inferred_limit": (
            "Kepastian atas baris bertanda DISIMPULKAN: baris itu direkonstruksi, bukan dipublikasikan "
            "(lihat asal data)."
        ),
        "method_limit": (
            "Benar atau salahnya satu predikat tertentu: audit ini mengukur seberapa jauh predikat bergantung "
            "pada evaluator dan aturan penilaian, bukan kinerja sebenarnya suatu perangkat daerah."
        ),
        "caveats": "Catatan dan asumsi (dari log asumsi data)",
        "caveats_en": "Catatan dan asumsi (dari log asumsi data; tersedia dalam bahasa Inggris saja)",
        "no_caveats": (
            "Data ini tidak memiliki log asumsi dan catatan (README.md dengan bagian 'Assumptions and caveats' "
            "di samping data): tambahkan sebelum ringkasan ini digunakan."
        ),
        "provenance": "Asal data masukan, {year}",
        "prov_cols": ("tabel", "nyata (dipublikasikan)", "nyata (catatan sendiri)", "disimpulkan", "sintetis"),
        "prov_note": (
            "Jumlah baris per tabel dan dasar (basis) untuk tahun ini. Setiap hasil mewarisi dasar baris-baris "
            "yang mendasarinya."
        ),
        "source": (
            "Disusun dari results/findings.csv, tabel hasil dan gambar proses di {folder} (dimulai {started}; "
            "kinerja {version}{commit}). Setiap angka dalam ringkasan ini adalah nilai dari tabel-tabel "
            "tersebut. Notebook dalam proses: {notebooks}."
        ),
        "no_findings": (
            "Tidak ada temuan di {folder}: jalankan dahulu notebook lain untuk data dan tahun ini "
            "(kinerja run), kemudian notebook ini."
        ),
        "status": {"ok": "berhasil", "failed": "GAGAL", "running": "berjalan", "not run": "tidak dijalankan"},
        # the tables of the data model, named for the reader (the file name kept beside)
        "tables": {
            "units": "perangkat daerah (units)",
            "jurors": "evaluator (jurors)",
            "rubric": "rubrik (rubric)",
            "grades": "predikat (grades)",
            "innovations": "inovasi (innovations)",
            "scores": "nilai evaluator (scores)",
        },
    },
}


def _analysis(finding_id: str) -> str:
    return str(finding_id).split(".", 1)[0]


def analysis_order(findings: pd.DataFrame) -> list[str]:
    """Analyses present in ``findings``: those of the collection's questions first (in
    their order), then any others in the order they appear, ``data`` last."""
    present = list(dict.fromkeys(_analysis(f) for f in findings["finding_id"]))
    known = [a for a in QUESTIONS if a != "data" and a in present]
    other = [a for a in present if a not in QUESTIONS]
    return known + other + (["data"] if "data" in present else [])


def key_findings(findings: pd.DataFrame, *, max_key: int = MAX_KEY, min_key: int = MIN_KEY) -> pd.DataFrame:
    """Three to five findings for the brief, one estimated finding per analysis in turn.

    ``data.*`` findings (what the data hold) are context: they are taken only when the
    other analyses give fewer than ``min_key``.
    """
    est = findings[findings["status"] == "estimated"]
    order = analysis_order(est)
    queues = {a: list(est.index[est["finding_id"].map(_analysis) == a]) for a in order}
    chosen: list = []
    main = [a for a in order if a != "data"]
    while len(chosen) < max_key and any(queues[a] for a in main):
        for a in main:
            if queues[a] and len(chosen) < max_key:
                chosen.append(queues[a].pop(0))
    while len(chosen) < min_key and queues.get("data"):
        chosen.append(queues["data"].pop(0))
    return findings.loc[chosen]


#: Indonesian words for the generic measures of findings (statistics keep their names).
MEASURE_ID = {
    "Gwet's AC1": "AC1 Gwet",
    "units": "jumlah perangkat daerah",
    "count": "jumlah",
    "jurors": "jumlah evaluator",
    "points": "poin",
    "grade steps": "tingkat predikat",
    "share": "proporsi",
    "share of units whose grade changed": "proporsi perangkat daerah yang predikatnya berubah",
    "change in ICC(A,1)": "perubahan ICC(A,1)",
    "units graded": "jumlah perangkat daerah yang dinilai",
    "units expected to change grade": "jumlah perangkat daerah yang diperkirakan berubah predikat",
    "share of units": "proporsi perangkat daerah",
    "SD of juror leniency (points)": "SD kemurahan evaluator (poin)",
    "points (own unit minus other jurors)": "poin (unit kerja sendiri dikurangi evaluator lain)",
    "points (awarded - other, within category)": "poin (yang mendapat penghargaan dikurangi yang lain, dalam kategori)",
    "p-value (Freeman–Halton exact test)": "nilai p (uji eksak Freeman–Halton)",
    "p-value (Fisher's exact test)": "nilai p (uji eksak Fisher)",
    "odds ratio": "rasio odds",
    "odds ratio (conditional MLE)": "rasio odds (MLE bersyarat)",
    "odds ratio detectable with 80% power": "rasio odds yang terdeteksi dengan kuasa 80%",
    "smallest difference in share detectable with 80% power (exact Fisher test, alpha 0.05)": (
        "selisih proporsi terkecil yang terdeteksi dengan kuasa 80% (uji eksak Fisher, alfa 0,05)"
    ),
    "Pearson r of juror leniencies": "r Pearson kemurahan evaluator",
    "Kendall's tau-b to the official ranking (median over reweightings)": (
        "tau-b Kendall terhadap peringkat resmi (median atas pembobotan ulang)"
    ),
    "Phi (dependability)": "Phi (keterandalan)",
}

#: Measures written with names from the data: (English pattern, Indonesian form).
MEASURE_ID_PATTERNS = (
    (r"points, (.+) minus (.+)", r"poin, \1 dikurangi \2"),
    (
        r"points of SAKIP total, (.+) minus (.+) \(mixed model, jurors as random effects\)",
        r"poin total SAKIP, \1 dikurangi \2 (model campuran, evaluator sebagai efek acak)",
    ),
    (
        r"share graded (.+) on the evaluating side \(Clopper–Pearson CI\)",
        r"proporsi berpredikat \1 di pihak penilai (IK Clopper–Pearson)",
    ),
    (r"share graded (.+) \(Clopper–Pearson CI\)", r"proporsi berpredikat \1 (IK Clopper–Pearson)"),
    (r"ICC\(A,k\), (.+) stage", r"ICC(A,k), tahap \1"),
)


def measure_words(measure: str, lang: str) -> str:
    """A finding's ``measure`` in the brief's language.

    >>> measure_words("units", "id"), measure_words("ICC(A,k)", "id"), measure_words("units", "en")
    ('jumlah perangkat daerah', 'ICC(A,k)', 'units')
    >>> measure_words("points, inspektorat minus tim_sakip", "id")
    'poin, inspektorat dikurangi tim_sakip'
    >>> measure_words("share graded A or better (Clopper–Pearson CI)", "id")
    'proporsi berpredikat A atau lebih baik (IK Clopper–Pearson)'
    """
    measure = str(measure)
    if lang != "id":
        return measure
    if measure in MEASURE_ID:
        return MEASURE_ID[measure]
    for pattern, form in MEASURE_ID_PATTERNS:
        m = re.fullmatch(pattern, measure)
        if m:  # a captured grade range is English too ("A or better")
            return m.expand(form).replace(" or better", " atau lebih baik").replace(" or worse", " atau lebih buruk")
    return measure


def uncertainty_text(row, lang: str) -> str:
    """The uncertainty of one finding in words: interval, or why there is none."""
    t = TEXT[lang]
    parts = []
    est = row["estimate"]
    measure = measure_words(row["measure"], lang)
    if pd.notna(est) and pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]):
        level = fmt_number(100 * row["ci_level"], 0, lang) + "%" if pd.notna(row["ci_level"]) else ""
        parts.append(
            f"{measure} = {format_ci(est, row['ci_low'], row['ci_high'], lang=lang)}, "
            + t["ci"].format(level=level).replace("  ", " ")
        )
    elif pd.notna(est) and str(row["measure"]).startswith("p-value"):
        parts.append(f"{measure}: {p_value(est, lang)}")  # 'nilai p ... = 0,00' for p < 0.001
    elif pd.notna(est):
        m = str(row["measure"]).lower()
        count_like = m in ("units", "count", "jurors") or "share" in m
        digits = 0 if float(est).is_integer() else 2
        parts.append(
            f"{measure} = {fmt_number(est, digits, lang)}; " + (t["no_ci"] if count_like else t["no_ci_estimate"])
        )
    if pd.notna(row["n"]):
        parts.append(t["n"].format(n=fmt_number(row["n"], 0, lang)))
    return " · ".join(parts)


@dataclass
class Brief:
    """A policy brief ready to show (:meth:`show`) or render (:meth:`html`)."""

    lang: str
    title: str
    dataset: str
    year: int
    folder: Path
    findings: pd.DataFrame
    key: pd.DataFrame
    figures: list[dict] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    caveats_lang: str = "en"
    provenance: pd.DataFrame = field(default_factory=pd.DataFrame)
    bases: list[str] = field(default_factory=list)
    run: dict = field(default_factory=dict)

    @property
    def t(self) -> dict:
        return TEXT[self.lang]

    def _statement(self, row) -> str:
        return str(row["statement_ind"] if self.lang == "id" else row["statement"])

    def _question(self, analysis: str) -> str:
        q = QUESTIONS.get(analysis)
        if q:
            return q[1] if self.lang == "id" else q[0]
        rows = self.findings[self.findings["finding_id"].map(_analysis) == analysis]
        return str(rows["question"].iloc[0]) if len(rows) else analysis

    def sections(self) -> dict[str, str]:
        """The brief's sections as HTML fragments, by name."""
        t, esc = self.t, html.escape
        out = {}
        present = [a for a in analysis_order(self.findings) if a != "data"]
        questions = " ".join(f"({i}) {esc(self._question(a))}" for i, a in enumerate(present, 1))
        out["question"] = f"<h2>{t['question']}</h2><p>{esc(t['question_text'].format(questions=''))}{questions}</p>"

        if self.findings.empty:
            out["key"] = f"<h2>{t['key']}</h2><p>{esc(t['no_findings'].format(folder=self.folder))}</p>"
        else:
            items = []
            for _, r in self.key.iterrows():
                prov = provenance_words(str(r["basis"]).split(";"), self.lang)
                meta = " · ".join(x for x in (uncertainty_text(r, self.lang), t["data"].format(prov=prov)) if x)
                items.append(
                    f'<li><p class="statement">{esc(self._statement(r))}</p>'
                    f'<p class="uncertainty"><span class="label">{t["uncertainty"]}:</span> {esc(meta)}</p></li>'
                )
            out["key"] = f'<h2>{t["key"]}</h2><ol class="key-findings">{"".join(items)}</ol>'

        figs = []
        for i, f in enumerate(self.figures, 1):
            cap = f["caption_ind"] if self.lang == "id" and f.get("caption_ind") else f["caption"]
            # the image is described in the brief's language: its own alt text, else its caption
            alt = (f.get("alt_ind") or f.get("caption_ind") or f["alt"]) if self.lang == "id" else f["alt"]
            origin = t["from_nb"].format(nb=esc(f["notebook"]), k=f["number"])
            size = f' class="print" style="width:{f["width_mm"]}mm"' if f.get("width_mm") else ""
            figs.append(
                f'<figure class="brief-figure"><img{size} src="{f["src"]}" alt="{esc(alt, quote=True)}"/>'
                f'<figcaption><b>{t["figure"].format(i=i)}</b> {esc(cap)} <span class="origin">{origin}</span>'
                "</figcaption></figure>"
            )
        out["figures"] = "".join(figs)

        sup, nots = [], []
        est = self.findings[self.findings["status"] == "estimated"]
        for a in present:
            rows = est[est["finding_id"].map(_analysis) == a]
            if len(rows):
                evidence = sorted({e.strip() for ev in rows["evidence"] for e in str(ev).split(";") if e.strip()})
                sup.append(
                    t["supports_item"].format(
                        question=self._question(a),
                        k=plural(len(rows), "finding")
                        if self.lang != "id"
                        else len(rows),  # Indonesian does not inflect
                        ids=", ".join(rows["finding_id"]),
                        evidence=", ".join(evidence) or "results/",
                        notebook=", ".join(dict.fromkeys(rows["notebook"])),
                        n=len(evidence),
                    )
                )
        # one line per question and reason, in the reader's words (not the findings' ids):
        # a year without a previous one left five trend findings with the same sentence
        undefined: dict[tuple[str, str], None] = {}
        for _, r in self.findings[self.findings["status"] == "undefined"].iterrows():
            undefined[(self._question(_analysis(r["finding_id"])), self._statement(r))] = None
        nots += [f"{question} — {statement}" for question, statement in undefined]
        for a in (a for a in QUESTIONS if a not in ("data",) and a not in present):
            nots.append(t["missing"].format(question=self._question(a)))
        if "synthetic" in self.bases:
            nots.append(t["synthetic_limit"])
        if "inferred" in self.bases:
            nots.append(t["inferred_limit"])
        nots.append(t["method_limit"])
        out["evidence"] = (
            f'<section class="evidence"><div><h2>{t["supports"]}</h2><ul>'
            + "".join(f"<li>{esc(s)}</li>" for s in sup)
            + f"</ul></div><div><h2>{t['not_supports']}</h2><ul>"
            + "".join(f"<li>{esc(s)}</li>" for s in nots)
            + "</ul></div></section>"
        )

        cav = (
            "<ol>" + "".join(f"<li>{esc(c)}</li>" for c in self.caveats) + "</ol>"
            if self.caveats
            else f"<p>{esc(t['no_caveats'])}</p>"
        )
        head = t["caveats"] if self.caveats_lang == self.lang else t["caveats_en"]
        out["caveats"] = f'<section class="caveats"><h2>{head}</h2>{cav}</section>'

        prov_html = ""
        if len(self.provenance):
            cols = t["prov_cols"]
            wide = self.provenance.pivot_table(
                index="table", columns="basis", values="rows", aggfunc="sum", fill_value=0, observed=True, sort=False
            )
            names = t.get("tables", {})

            def rows(tab, basis) -> str:
                n = wide.loc[tab, basis] if basis in wide.columns else 0
                return fmt_number(n, 0, self.lang) if n else "—"

            body = "".join(
                f"<tr><td>{esc(names.get(str(tab), str(tab)))}</td>"
                + "".join(f"<td>{rows(tab, b)}</td>" for b in ("named", "observed", "inferred", "synthetic"))
                + "</tr>"
                for tab in wide.index
            )
            prov_html = (
                f'<table class="provenance"><thead><tr>{"".join(f"<th>{c}</th>" for c in cols)}</tr></thead>'
                f"<tbody>{body}</tbody></table>"
            )
        out["provenance"] = (
            f'<section class="provenance"><h2>{t["provenance"].format(year=self.year)}</h2>'
            f"<p>{esc(provenance_words(self.bases, self.lang))}. {esc(t['prov_note'])}</p>{prov_html}</section>"
        )

        run = self.run
        nbs = run.get("notebooks") or {}
        own = _stem(run.get("_self", ""))
        listed = ", ".join(
            f"{name} ({t['status'].get(v.get('status', ''), v.get('status', ''))})"
            for name, v in nbs.items()
            if not own or _stem(name) != own
        )
        commit = f", commit {str(run['git_commit'])[:10]}" if run.get("git_commit") else ""
        out["source"] = (
            '<footer class="source"><p>'
            + esc(
                t["source"].format(
                    folder="/".join(self.folder.parts[-3:]),  # <reports>/<dataset>/<year>: no machine's path
                    started=run.get("started", "—"),
                    version=run.get("kinerja_version", "—"),
                    commit=commit,
                    notebooks=listed or "—",
                )
            )
            + "</p></footer>"
        )
        return out

    def html(self) -> str:
        """The brief as one self-contained HTML fragment (``<article>``; images embedded)."""
        s = self.sections()
        t = self.t
        header = (
            f'<header><p class="kind">{t["kind"]} · {html.escape(self.dataset)} · {self.year}</p>'
            f"<h1>{html.escape(self.title)}</h1></header>"
        )
        return (
            f'<article class="kinerja-brief" lang="{self.lang}">{STYLE}{header}{s["question"]}{s["key"]}'
            f'{s["evidence"]}<section class="figures">{s["figures"]}</section>{s["caveats"]}{s["provenance"]}'
            f"{s['source']}</article>"
        )

    def show(self) -> None:
        """Display the brief in a notebook (the runner's ``brief`` template prints it)."""
        from IPython.display import HTML, display

        display(HTML(self.html()))


def _stem(name: str) -> str:
    return str(name).split(".", 1)[0]


#: Styles of the brief itself (screen and print); the template adds the page rules.
STYLE = """<style>
.kinerja-brief { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
  line-height: 1.3; color: #111; max-width: 46rem; margin: 0 auto; }
.kinerja-brief header .kind { font-size: 8.5pt; text-transform: uppercase; letter-spacing: 0.06em; color: #555;
  margin: 0; }
.kinerja-brief h1 { font-size: 16pt; line-height: 1.2; margin: 0.2em 0 0.5em 0; string-set: brieftitle content(); }
.kinerja-brief h2 { font-size: 11.5pt; margin: 0.9em 0 0.3em 0; color: #0b3d61; border-bottom: 1px solid #c9d6e2;
  padding-bottom: 0.1em; }
.kinerja-brief p { margin: 0.3em 0; }
.kinerja-brief ol.key-findings { padding-left: 1.3em; margin: 0.2em 0; }
.kinerja-brief ol.key-findings li { margin-bottom: 0.45em; }
.kinerja-brief .statement { margin: 0; }
.kinerja-brief .uncertainty { margin: 0.1em 0 0 0; font-size: 8.5pt; color: #333; }
.kinerja-brief .uncertainty .label { font-weight: bold; }
.kinerja-brief section.figures { margin: 0.6em 0; }
.kinerja-brief figure.brief-figure { display: inline-block; vertical-align: top; width: 48.5%; margin: 0 0.5% 0.4em 0.5%;
  break-inside: avoid; page-break-inside: avoid; text-align: center; }
.kinerja-brief figure.brief-figure:only-child { width: 100%; }
.kinerja-brief figure.brief-figure img { max-width: 100%; max-height: 70mm; height: auto; }
.kinerja-brief figure.brief-figure img.print { max-height: none; }
.kinerja-brief figure.brief-figure figcaption { font-size: 8.5pt; text-align: left; color: #222;
  margin-top: 0.2em; }
.kinerja-brief figcaption .origin { color: #666; }
.kinerja-brief section.evidence { columns: 2; column-gap: 1.4em; font-size: 8pt; line-height: 1.25; }
.kinerja-brief section.evidence h2 { break-after: avoid; }
.kinerja-brief section.evidence ul, .kinerja-brief section.caveats ol { margin: 0.2em 0; padding-left: 1.3em; }
.kinerja-brief section.evidence li, .kinerja-brief section.caveats li { margin-bottom: 0.2em; }
.kinerja-brief section.caveats, .kinerja-brief section.provenance { font-size: 8pt; line-height: 1.25; }
.kinerja-brief table.provenance { border-collapse: collapse; margin-top: 0.3em; font-size: 8.5pt; }
.kinerja-brief table.provenance th, .kinerja-brief table.provenance td { border-bottom: 1px solid #ddd;
  padding: 0.1em 0.6em; text-align: right; }
.kinerja-brief table.provenance th:first-child, .kinerja-brief table.provenance td:first-child { text-align: left; }
.kinerja-brief footer.source { margin-top: 0.6em; font-size: 7.5pt; line-height: 1.25; color: #555; border-top: 1px solid #ccc;
  padding-top: 0.3em; }
</style>"""


def _figure_choice(
    folder: Path, key: pd.DataFrame, max_figures: int, lang: str = "en", *, year: int | None = None, names=None
) -> list[dict]:
    """Figures for the brief from ``figures/figures.csv``: ``key`` figures first (notebook
    order), then the first figure of each notebook that gave a key finding.

    Each is drawn again for print in ``lang`` (:mod:`kinerja.report.brief_figures`: text
    at its printed size, ``width_mm`` wide); a figure without a printed drawing, or whose
    drawing fails (a warning says why), is the notebook's own PNG, shrunk to fit
    (``print`` False). ``src`` is the image shown; nothing is written to ``folder``."""
    import warnings

    from .notebook import FIGURE_DPI, read_figures

    path = folder / "figures" / "figures.csv"
    if not path.is_file():
        return []
    figs = read_figures(path)
    figs = figs[[(folder / "figures" / f).is_file() for f in figs["file"]]]
    rank = {nb: i for i, nb in enumerate(dict.fromkeys(key["notebook"]))}  # notebooks of the key findings first
    keyed = figs[figs["key"]]
    chosen = sorted(keyed.index, key=lambda i: (rank.get(keyed.loc[i, "notebook"], len(rank)), i))
    for nb in dict.fromkeys(key["notebook"]):
        first = figs.index[figs["notebook"] == nb]
        if len(first) and first[0] not in chosen:
            chosen.append(first[0])
    out = []
    for i in chosen[:max_figures]:
        f = figs.loc[i].to_dict()
        drawn = None
        if year is not None:
            try:
                drawn = brief_figures.draw(
                    folder, notebook=f["notebook"], file=f["file"], year=int(year), lang=lang, names=names
                )
            except Exception as exc:  # a figure is worth less than the brief: show the notebook's
                warnings.warn(
                    f"the brief shows {f['file']} as the notebook drew it: drawing it for print failed ({exc!r})",
                    stacklevel=2,
                )
        f["print"] = drawn is not None
        data = drawn if drawn is not None else (folder / "figures" / f["file"]).read_bytes()
        f["width_mm"] = round(struct.unpack(">I", data[16:20])[0] / FIGURE_DPI * 25.4, 1) if drawn else None
        f["src"] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        out.append(f)
    return out


def build(
    folder: str | os.PathLike,
    *,
    data: str,
    year: int,
    lang: str = "id",
    max_key: int = MAX_KEY,
    max_figures: int = MAX_FIGURES,
    notebook: str = "",
) -> Brief:
    """Read a report folder and the dataset's own notes; return the brief.

    Parameters
    ----------
    folder : path
        The report folder of one run (``reports/<dataset>/<year>/``).
    data : str
        The dataset (name or path), for its title, caveats log and row provenance.
    year : int
        Evaluation year.
    lang : {"id", "en"}
        Language of the brief.
    max_key, max_figures : int
        Most key findings and figures.
    notebook : str
        The brief's own notebook name (left out of the list of the run's notebooks).
    """
    if lang not in LANGS:
        raise ValueError(f"lang is one of {LANGS}, not {lang!r}")
    folder = Path(folder)
    full = load_dataset(data)
    ds = full.for_year(year)
    path = folder / "results" / "findings.csv"
    findings = read_findings(path) if path.is_file() else pd.DataFrame(columns=list(FINDINGS_COLUMNS))
    if len(findings):
        findings = findings[findings["year"] == int(year)].reset_index(drop=True)
    key = key_findings(findings, max_key=max_key) if len(findings) else findings
    run = {}
    if (folder / "parameters.json").is_file():
        run = json.loads((folder / "parameters.json").read_text(encoding="utf-8"))
    run["_self"] = notebook
    bases = sorted({b for v in findings.get("basis", pd.Series(dtype=str)) for b in str(v).split(";") if b})
    if not bases:
        bases = sorted(set(ds.provenance()["basis"]))
    items, items_lang = caveats_in(ds, year, lang)
    title_name = ds.meta.get("title", ds.name)
    title = TEXT[lang]["title"].format(what=TEXT[lang]["what_sakip"], name=title_name, year=year)
    return Brief(
        lang=lang,
        title=title,
        dataset=str(title_name),
        year=int(year),
        folder=folder,
        findings=findings,
        key=key,
        figures=(
            _figure_choice(folder, key, max_figures, lang, year=year, names=brief_figures.unit_names(full.units))
            if len(key)
            else []
        ),
        caveats=items,
        caveats_lang=items_lang,
        provenance=ds.provenance(),
        bases=bases,
        run=run,
    )


#: Most pages a printed brief takes (the mission's two-page brief).
MAX_PAGES = 2
#: Heights (mm) the brief's figures are shrunk to, in turn, while its PDF would run over
#: :data:`MAX_PAGES` (a long caveats log, or a figure of many units, next to the findings).
FIT_FIGURE_HEIGHTS_MM = (85, 72, 60, 50)


def html_to_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, max_pages: int = MAX_PAGES) -> Path:
    """Render an HTML brief (as written with the ``brief`` template) to an A4 PDF with
    WeasyPrint; images are embedded in the HTML, so nothing is fetched.

    When the brief runs over ``max_pages``, its figures are shrunk (kept in proportion) to
    each height of :data:`FIT_FIGURE_HEIGHTS_MM` in turn until it fits; if none does, the
    smallest is printed. The figures are drawn at their printed size, so a brief that fits
    shows them at 1:1. WeasyPrint's warnings about CSS it does not implement are dropped;
    errors are raised.
    """
    import logging

    from weasyprint import CSS, HTML

    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        page = HTML(filename=str(html_path), base_url=str(Path(html_path).parent))
        document = page.render()
        for height in FIT_FIGURE_HEIGHTS_MM:
            if len(document.pages) <= max_pages:
                break
            shrink = CSS(
                string=f".kinerja-brief figure.brief-figure img {{ max-height: {height}mm !important; "
                "width: auto !important; height: auto !important; }"
            )
            document = page.render(stylesheets=[shrink])
        document.write_pdf(str(pdf_path))
    finally:
        log.setLevel(level)
    return Path(pdf_path)


__all__ = ["LANGS", "MAX_PAGES", "TEXT", "Brief", "build", "key_findings", "analysis_order", "html_to_pdf"]
