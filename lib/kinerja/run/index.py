"""``reports/index.html``: one page linking every report and brief of a reports folder.

The page is rebuilt from what is on disk (every ``<out>/<dataset>/<year>/parameters.json``)
at the end of each run, so it also lists folders written by earlier runs. One row per
report folder: the dataset and year, a link to every notebook's HTML page (and to the
briefs' PDFs), the run's dates and status, the data status (which bases the findings
rest on: real, inferred or synthetic) and the versions (kinerja and its commit; the
key packages of ``environment.txt``). Links are relative, so the folder can be moved
or zipped. No script, no network: it opens offline and prints.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from kinerja.data.provenance import provenance_label

INDEX_FILE = "index.html"
#: Packages whose versions the index shows (from each folder's environment.txt).
KEY_PACKAGES = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "papermill", "nbconvert", "weasyprint")


def _versions(folder: Path) -> dict[str, str]:
    path = folder / "environment.txt"
    out = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, version = line.partition("==")
            if sep and not line.startswith("#"):
                out[name.strip().lower().replace("_", "-")] = version.strip()
    return out


def _data_status(folder: Path) -> str:
    path = folder / "results" / "findings.csv"
    if not path.is_file():
        return "unknown (no findings.csv)"
    bases = pd.read_csv(path, usecols=["basis"], dtype=str, keep_default_na=False)["basis"]
    found = sorted({b for v in bases for b in v.split(";") if b})
    return provenance_label(found) if found else "unknown"


def _title(record: dict) -> str:
    data = Path(str(record.get("data", "")))
    meta = data / "dataset.json"
    if meta.is_file():
        try:
            return str(json.loads(meta.read_text(encoding="utf-8-sig")).get("title") or record.get("dataset"))
        except (OSError, ValueError):
            pass
    return str(record.get("dataset", data.name))


def report_folders(out: str | os.PathLike) -> list[tuple[Path, dict]]:
    """``(folder, parameters.json contents)`` of every report folder under ``out``, by
    dataset and year."""
    rows = []
    for p in sorted(Path(out).glob(f"*/*/{'parameters.json'}")):
        try:
            record = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append((p.parent, record))
    return sorted(rows, key=lambda r: (str(r[1].get("dataset", "")), int(r[1].get("year", 0) or 0)))


def _href(path: Path, out: Path) -> str:
    """The link to ``path`` from the index in ``out``: relative, percent-encoded (a folder
    named 'kota makmur' or 'data#2' breaks a raw link) and escaped for an attribute."""
    return html.escape(quote(path.relative_to(out).as_posix()))


def _links(folder: Path, out: Path, record: dict) -> tuple[str, str]:
    """(report links, brief links) of one folder, as HTML."""
    reports, briefs = [], []
    for name, entry in (record.get("notebooks") or {}).items():
        page = folder / f"{name}.html"
        status = entry.get("status", "")
        mark = "" if status == "ok" else f' <span class="bad">({html.escape(status)})</span>'
        rel = _href(page, out)
        pdf = folder / f"{name}.pdf"
        if pdf.is_file():
            lang = name.rsplit(".", 1)[-1] if "." in name else ""
            label = {"id": "Bahasa Indonesia", "en": "English"}.get(lang, name)
            briefs.append(f'<a href="{rel}">{html.escape(label)}</a> (<a href="{_href(pdf, out)}">PDF</a>){mark}')
        elif page.is_file():
            reports.append(f'<a href="{rel}">{html.escape(name)}</a>{mark}')
        else:
            reports.append(f"{html.escape(name)}{mark or ' (no page)'}")
    return "<br>".join(reports), "<br>".join(briefs) or "—"


def index_html(out: str | os.PathLike) -> str:
    """The index page of the reports folder ``out`` (see the module docstring)."""
    out = Path(out).resolve()
    rows, seen_versions = [], {}
    for folder, record in report_folders(out):
        reports, briefs = _links(folder, out, record)
        versions = _versions(folder)
        for k in KEY_PACKAGES:
            if k in versions:
                seen_versions.setdefault(k, set()).add(versions[k])
        commit = str(record.get("git_commit") or "")[:10]
        dirty = " (uncommitted changes)" if record.get("git_dirty") else ""
        env = folder / "environment.txt"
        env_link = f' · <a href="{_href(env, out)}">all packages</a>' if env.is_file() else ""
        status = str(record.get("status", ""))
        rows.append(
            "<tr>"
            f"<td>{html.escape(_title(record))}<br><code>{html.escape(str(record.get('dataset', '')))}</code></td>"
            f"<td>{html.escape(str(record.get('year', '')))}</td>"
            f"<td>{reports}</td><td>{briefs}</td>"
            f"<td>{html.escape(str(record.get('started', '')))}<br>to {html.escape(str(record.get('finished') or '—'))}"
            f'<br><span class="{"ok" if status == "ok" else "bad"}">{html.escape(status)}</span></td>'
            f"<td>{html.escape(_data_status(folder))}</td>"
            f"<td>kinerja {html.escape(str(record.get('kinerja_version', '?')))}"
            f"{'<br>commit <code>' + html.escape(commit) + '</code>' + dirty if commit else ''}{env_link}</td>"
            "</tr>"
        )
    packages = ", ".join(f"{k} {' / '.join(sorted(v))}" for k, v in seen_versions.items()) or "—"
    body = (
        "\n".join(rows)
        if rows
        else '<tr><td colspan="7">No reports yet: run <code>make reports</code> or <code>kinerja run</code>.</td></tr>'
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>kinerja reports</title>
<style>
  body {{ font-family: "DejaVu Sans", Arial, sans-serif; font-size: 14px; margin: 1.5rem; color: #111; }}
  table {{ border-collapse: collapse; width: 100%; }}
  th, td {{ border-bottom: 1px solid #ddd; padding: 0.35em 0.6em; vertical-align: top; text-align: left; }}
  th {{ background: #f0f4f8; }}
  .bad {{ color: #b2182b; font-weight: bold; }}
  .ok {{ color: #1a7f37; }}
  code {{ font-size: 0.9em; }}
  @page {{ size: A4 landscape; margin: 12mm; }}
</style>
</head>
<body>
<h1>kinerja reports</h1>
<p>Every report folder under this directory: one row per dataset and evaluation year. Each report is the
record of one run (<code>parameters.json</code> beside it says how it was made). Data status: the bases of
the rows the findings rest on; SYNTHETIC results show what the audit detects, not real juror behaviour.</p>
<p>Key package versions in these runs: {html.escape(packages)}.</p>
<table>
<thead><tr><th>Dataset</th><th>Year</th><th>Reports</th><th>Policy brief</th><th>Run</th><th>Data status</th>
<th>Versions</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""


def write_index(out: str | os.PathLike) -> Path:
    """Write ``<out>/index.html`` (atomically) and return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{INDEX_FILE}.tmp"
    tmp.write_text(index_html(out), encoding="utf-8")
    tmp.replace(out / INDEX_FILE)
    return out / INDEX_FILE
