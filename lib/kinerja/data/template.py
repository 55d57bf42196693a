"""The Excel fill-in template and the data dictionary, both generated from the schema.

``python -m kinerja.template`` writes ``data/templates/kinerja_template.xlsx`` and
refreshes the data dictionary block of ``data/README.md`` (between
``<!-- BEGIN DATA DICTIONARY -->`` and ``<!-- END DATA DICTIONARY -->``); with
``--check`` it only reports whether they are up to date (exit status 1 if not).

The template has a ``README`` sheet and one sheet per table of
:mod:`kinerja.schema`: a bold, frozen header row with a note on every header cell,
Excel data validation (number ranges, vocabularies as drop-down lists), text format
for identifier columns (so ``007`` stays ``007``) and, in row 2, one example row per
table. The example rows form a valid tiny dataset, so the untouched template loads;
they are marked ``basis = synthetic`` so that reports flag them if a user forgets to
overwrite or delete them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io as _io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..paths import DATA_DIR
from .grades import GRADE_ORDER, grade_bands
from .schema import BASIS_VALUES, TABLES, WEIGHT_SUM_TOL, Column, ForeignKey, Table

__all__ = [
    "BEGIN_MARKER",
    "END_MARKER",
    "README_PATH",
    "TEMPLATE_PATH",
    "data_dictionary_markdown",
    "example_rows",
    "main",
    "template_bytes",
    "update_data_readme",
    "write_template",
]

TEMPLATE_PATH = DATA_DIR / "templates" / "kinerja_template.xlsx"
README_PATH = DATA_DIR / "README.md"
BEGIN_MARKER = "<!-- BEGIN DATA DICTIONARY -->"
END_MARKER = "<!-- END DATA DICTIONARY -->"

#: Timestamp written into the workbook so that regenerating it gives identical bytes.
FIXED_TIME = _dt.datetime(2024, 1, 1)
#: Data validation is applied from row 2 down to this row (Excel's last row).
LAST_ROW = 1_048_576

#: Example values that differ from the schema's per-column examples, so that the example
#: rows form a valid dataset on their own (one criterion carries all 100 points; the
#: juror's home unit is the example unit) and are recognisably examples.
_EXAMPLE_BASIS = "synthetic"
_EXAMPLE_SOURCE = "example row of the kinerja template: overwrite or delete it"
_EXAMPLE_OVERRIDES: dict[tuple[str, str], str] = {
    ("rubric", "weight"): "100",
    ("jurors", "home_unit_id"): "disdik",
}

_KIND_NAMES = {"int": "whole number", "float": "number", "str": "text", "grade": "SAKIP grade"}
_GRADES_BEST_FIRST = tuple(reversed(GRADE_ORDER))


# ----------------------------------------------------------------------------------------
# Words shared by the workbook and the data dictionary
# ----------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:g}"


def _rule(col: Column) -> str:
    """Allowed values or range of a column, in words ('' when free)."""
    if col.kind == "grade":
        return ", ".join(_GRADES_BEST_FIRST) + " (any case)"
    if col.allowed is not None:
        return ", ".join(col.allowed)
    if col.lo is not None and col.hi is not None:
        return f"{_fmt(col.lo)}–{_fmt(col.hi)}"
    if col.lo is not None:
        return f"≥ {_fmt(col.lo)}"
    if col.hi is not None:
        return f"≤ {_fmt(col.hi)}"
    return ""


def _fk_sentence(table: Table, fk: ForeignKey, code: bool = False) -> str:
    """A foreign key in words.

    >>> from kinerja.schema import TABLES
    >>> _fk_sentence(TABLES["scores"], TABLES["scores"].foreign_keys[0])
    'juror_id must match the juror_id of a row in jurors with the same year'
    """
    q = (lambda s: f"`{s}`") if code else (lambda s: s)
    *context, (col, ref) = zip(fk.columns, fk.ref_columns)
    text = f"{q(col)} must match the {q(ref)} of a row in {q(fk.table)}"
    if context:
        text += " with the same " + ", ".join(q(c) if c == r else f"{q(c)} (as {q(r)})" for c, r in context)
    if fk.when:
        text = f"when {q(fk.when[0])} is {q(fk.when[1])}, " + text
    if any(not table.column(c).required for c in fk.columns):
        text += " (when filled in)"
    return text


def _column_note(table: Table, col: Column) -> str:
    lines = [col.description, "", "Required." if col.required else "Optional: may be left empty."]
    lines.append(f"Type: {_KIND_NAMES[col.kind]}.")
    rule = _rule(col)
    if rule:
        lines.append(("Allowed: " if col.allowed or col.kind == "grade" else "Range: ") + rule + ".")
    for fk in table.foreign_keys:
        if col.name in fk.columns and col.name != "year":
            lines.append("Must match: " + _fk_sentence(table, fk) + ".")
    if col.name in table.key:
        lines.append("Part of the key: (" + ", ".join(table.key) + ") appears once per sheet.")
    return "\n".join(lines)


def _rules_lines() -> list[str]:
    """The dataset-wide rules, one sentence each (README sheet and data dictionary).

    Lines starting with two spaces and a dash are sub-items of the line before.
    """
    rubric, grades = TABLES["rubric"], TABLES["grades"]
    return [
        "Headers are in row 1 and name the columns (case and surrounding spaces do not matter); "
        "keep the sheet names; extra columns and other sheets are ignored.",
        "Rubric weights of one (" + ", ".join(rubric.key[:-1]) + f") sum to 100 (tolerance {WEIGHT_SUM_TOL:g}).",
        "Scores are points from 0 to 100; a decimal comma (72,5) or point (72.5) are both fine.",
        "Identifiers must match across sheets:",
        *(f"  - {t.name}: {_fk_sentence(t, fk)}." for t in TABLES.values() for fk in t.foreign_keys),
        "Each key appears once: " + "; ".join(f"{t.name} ({', '.join(t.key)})" for t in TABLES.values()) + ".",
        "Grades are " + ", ".join(_GRADES_BEST_FIRST) + " in any case; a published "
        f"{grades.column('total').name} must lie in its grade's band (see 'SAKIP grade bands' in the data dictionary).",
        "basis says where a row comes from: "
        + ", ".join(BASIS_VALUES)
        + ". "
        + TABLES["units"].column("basis").description,
        "Empty rows are ignored (and counted); every other problem is reported with sheet, row "
        "and column, so you can correct it here.",
    ]


# ----------------------------------------------------------------------------------------
# Example rows
# ----------------------------------------------------------------------------------------


def example_rows() -> dict[str, dict[str, str]]:
    """One example row per table (as text), forming a valid tiny dataset.

    Built from the schema's per-column ``example`` values, with ``basis`` set to
    ``synthetic``, a ``source`` that says it is an example, and the few overrides needed
    for validity.

    >>> example_rows()["rubric"]["weight"]
    '100'
    """
    out = {}
    for name, table in TABLES.items():
        row = {c.name: c.example for c in table.columns}
        row["basis"] = _EXAMPLE_BASIS
        row["source"] = _EXAMPLE_SOURCE
        for (t, c), v in _EXAMPLE_OVERRIDES.items():
            if t == name:
                row[c] = v
        out[name] = row
    return out


def _typed(col: Column, text: str):
    if text == "":
        return None
    if col.kind == "int":
        return int(text)
    if col.kind == "float":
        return float(text)
    return text


# ----------------------------------------------------------------------------------------
# The workbook
# ----------------------------------------------------------------------------------------


def _list_formula(values: Sequence[str]) -> str:
    joined = ",".join(values)
    if len(joined) > 255 or any("," in v or '"' in v for v in values):
        raise ValueError(f"vocabulary too long or with commas for an Excel list: {joined!r}")
    return f'"{joined}"'


def _validation(col: Column):
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = _rule(col)
    if col.kind == "grade":
        dv = DataValidation(type="list", formula1=_list_formula(_GRADES_BEST_FIRST), allow_blank=not col.required)
    elif col.allowed is not None:
        dv = DataValidation(type="list", formula1=_list_formula(col.allowed), allow_blank=not col.required)
    elif col.kind in ("int", "float") and col.lo is not None and col.hi is not None:
        dv = DataValidation(
            type="whole" if col.kind == "int" else "decimal",
            operator="between",
            formula1=_fmt(col.lo),
            formula2=_fmt(col.hi),
            allow_blank=not col.required,
        )
    else:
        return None
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = f"Invalid {col.name}"[:32]
    dv.error = f"{col.name}: {rule}. {col.description}"[:255]
    dv.promptTitle = col.name[:32]
    dv.prompt = f"{rule}. {col.description}"[:255]
    return dv


def _build_workbook():
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    _fill_readme(readme)

    required_fill = PatternFill("solid", fgColor="FFF2CC")
    optional_fill = PatternFill("solid", fgColor="EDEDED")
    examples = example_rows()
    for name, table in TABLES.items():
        ws = wb.create_sheet(name)
        for j, col in enumerate(table.columns, 1):
            letter = get_column_letter(j)
            cell = ws.cell(row=1, column=j, value=col.name)
            cell.font = Font(bold=True)
            cell.fill = required_fill if col.required else optional_fill
            cell.alignment = Alignment(vertical="top")
            note = Comment(_column_note(table, col), "kinerja")
            note.width, note.height = 320, 200
            cell.comment = note
            ws.cell(row=2, column=j, value=_typed(col, examples[name][col.name]))
            if col.kind in ("str", "grade"):
                ws.column_dimensions[letter].number_format = "@"  # ids keep leading zeros
            width = max(len(col.name), min(len(examples[name][col.name]), 40)) + 3
            ws.column_dimensions[letter].width = width
            dv = _validation(col)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.freeze_panes = "A2"
    wb.properties.creator = "kinerja"
    wb.properties.title = "kinerja data template"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def _fill_readme(ws) -> None:
    from openpyxl.styles import Alignment, Font

    title = Font(bold=True, size=14)
    head = Font(bold=True)
    lines: list[tuple[str, object]] = [
        ("kinerja data template", title),
        (
            "Fill in one sheet per table for one local government, then load the workbook in Python with "
            'kinerja.io.load_dataset("my.xlsx"). Save it as .xlsx; the sheet names are the table names.',
            None,
        ),
        ("", None),
        ("Tables", head),
    ]
    for name, table in TABLES.items():
        lines.append((f"{name}: {table.description} One row per ({', '.join(table.key)}).", None))
    lines += [("", None), ("Rules", head)]
    lines += [(f"      – {r[4:]}" if r.startswith("  - ") else f"• {r}", None) for r in _rules_lines()]
    lines += [
        ("", None),
        ("Columns", head),
        (
            "Hover over a header cell to read its note (meaning, type, allowed values). Yellow headers are "
            "required, grey ones optional. Drop-down lists and number ranges are checked by Excel as you type.",
            None,
        ),
        ("The full data dictionary is in data/README.md of the kinerja project.", None),
        ("", None),
        ("Example rows", head),
        (
            "Row 2 of every sheet is an example; together they form a valid tiny dataset, so this template loads "
            f"as it is. They are marked basis = {_EXAMPLE_BASIS} and source = '{_EXAMPLE_SOURCE}', so reports "
            "flag them if left in: overwrite or delete them with your own rows.",
            None,
        ),
    ]
    for i, (text, font) in enumerate(lines, 1):
        cell = ws.cell(row=i, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
    ws.column_dimensions["A"].width = 120


def template_bytes() -> bytes:
    """The template workbook as bytes; identical on every call (fixed timestamps).

    >>> template_bytes() == template_bytes()
    True
    """
    from openpyxl.xml.functions import tostring

    wb = _build_workbook()
    buffer = _io.BytesIO()
    wb.save(buffer)
    # openpyxl stamps the save time into docProps/core.xml and zip entries carry the
    # current time: rewrite both with fixed values.
    wb.properties.modified = FIXED_TIME
    core = tostring(wb.properties.to_tree())
    out = _io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def write_template(path: str | Path = TEMPLATE_PATH) -> Path:
    """Write the fill-in workbook (README sheet + one sheet per schema table) to ``path``.

    Returns the path written. The bytes are identical on every run.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template_bytes())
    return path


# ----------------------------------------------------------------------------------------
# The data dictionary
# ----------------------------------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def data_dictionary_markdown() -> str:
    """The data dictionary as Markdown, generated from :mod:`kinerja.schema`.

    One section per table (description, key, references, and a table of column | type |
    required | allowed / range | description | example), followed by the SAKIP grade
    bands from :mod:`kinerja.grades`.

    >>> md = data_dictionary_markdown()
    >>> "### `scores`" in md and "| `score` | number | yes | 0–100 |" in md
    True
    """
    out = [
        "<!-- Generated by `python -m kinerja.data.template` (make template) from lib/kinerja/data/schema.py; do not edit by hand. -->",
        "",
        "## Data dictionary",
        "",
        "A dataset is a folder with one CSV file per table ("
        + ", ".join(f"`{t}.csv`" for t in TABLES)
        + ") and an optional `dataset.json` with metadata, "
        "or one Excel workbook with one sheet per table (start from "
        "`data/templates/kinerja_template.xlsx`). Load it with `kinerja.io.load_dataset(path)`, "
        "which checks every rule below and names the file, row and column of each problem.",
        "",
        "Reading: `;`, `,` or tab separators (or Excel's `sep=;` first line), UTF-8 with or without "
        "byte-order mark, UTF-16 and Windows-1252 (noted), decimal commas (`72,5`), stray and invisible "
        "spaces, and any case in headers, grades and vocabularies are accepted; in the 0-100 columns a "
        "percentage (`85%`, or an Excel cell formatted as a percentage) is read as the number shown (85, "
        "noted); `announced` is a date `YYYY-MM-DD` or `YYYY-MM` (Excel dates are accepted); identifiers "
        "are text (leading zeros are kept); fully empty rows, rows whose only values are in columns "
        "not listed here (a helper formula filled down past the data; noted) and the Total Row of an "
        "Excel table (noted) are skipped and counted in `Dataset.accounts`; columns not listed here are "
        "ignored; workbook cells are read as Excel shows them (`_x000D_` escapes decoded, numbers to 15 "
        "significant digits). Every row of every year is checked, also when one year is loaded.",
        "",
        "Refused, with the file (and sheet), row and column: a file that is damaged or is not what its "
        "name says (e.g. a CSV file renamed `.xlsx`), two files or sheets (hidden ones too) that name one "
        "table, a quoted cell that runs over several lines (a stray quote swallows the lines after it), "
        "a file that mixes encodings, a second header row (labels under the column names) or the header "
        "row repeated further down, a row of totals or averages typed under the data (a cell reading "
        "`Jumlah`, `Total`, `Rata-rata`, ...), and, where a value belongs, an Excel date, logical value "
        "(TRUE), error value (`#N/A`), formula without a stored result or merged cell; where a number "
        "belongs, one beyond a float's range (`1e-400` is not read as 0) or typed with full-width "
        "digits (`８２`).",
        "",
        "Rules:",
        "",
    ]
    out += [r if r.startswith("  - ") else f"- {r}" for r in _rules_lines()]
    for name, table in TABLES.items():
        out += ["", f"### `{name}`", "", table.description, ""]
        out.append(f"- File: `{name}.csv` or sheet `{name}`" + (" (optional)." if table.optional else "."))
        out.append("- Key: " + ", ".join(f"`{k}`" for k in table.key) + " (each combination appears once).")
        for fk in table.foreign_keys:
            out.append("- Reference: " + _fk_sentence(table, fk, code=True) + ".")
        out += [
            "",
            "| column | type | required | allowed / range | description | example |",
            "|---|---|---|---|---|---|",
        ]
        for col in table.columns:
            out.append(
                "| "
                + " | ".join(
                    [
                        f"`{col.name}`",
                        _KIND_NAMES[col.kind].replace("whole number", "integer"),
                        "yes" if col.required else "no",
                        _cell(_rule(col)),
                        _cell(col.description),
                        f"`{_cell(col.example)}`" if col.example else "",
                    ]
                )
                + " |"
            )
    out += [
        "",
        "### SAKIP grade bands",
        "",
        "A total on 0–100 maps to a grade; the lower bound is exclusive, the upper inclusive (D includes 0).",
        "",
        "| grade | total above | total up to | label |",
        "|---|---|---|---|",
    ]
    for row in grade_bands().itertuples(index=False):
        out.append(
            f"| {row.grade} | {_fmt(row.score_lower_exclusive)} | {_fmt(row.score_upper_inclusive)} | {row.label_id} |"
        )
    return "\n".join(out) + "\n"


def _with_block(text: str, block: str) -> str:
    wrapped = f"{BEGIN_MARKER}\n{block.rstrip()}\n{END_MARKER}"
    pattern = re.compile(re.escape(BEGIN_MARKER) + r".*?" + re.escape(END_MARKER), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda m: wrapped, text, count=1)
    if not text.strip():
        return wrapped + "\n"
    return text.rstrip("\n") + "\n\n" + wrapped + "\n"


def update_data_readme(path: str | Path = README_PATH) -> bool:
    """Put the current data dictionary between the markers of ``path``.

    The text outside ``BEGIN_MARKER`` ... ``END_MARKER`` is kept; if the markers are
    absent the block is appended (and the file created if needed). Returns whether the
    file changed.
    """
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = _with_block(old, data_dictionary_markdown())
    if new == old:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return True


def readme_block(path: str | Path = README_PATH) -> str | None:
    """The text between the markers of ``path`` (None if the file or markers are absent)."""
    path = Path(path)
    if not path.exists():
        return None
    m = re.search(
        re.escape(BEGIN_MARKER) + r"\n?(.*?)" + re.escape(END_MARKER), path.read_text(encoding="utf-8"), re.DOTALL
    )
    return None if m is None else m.group(1)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the template and refresh the data dictionary (or ``--check``)."""
    parser = argparse.ArgumentParser(prog="python -m kinerja.template", description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx", type=Path, default=TEMPLATE_PATH, help="where to write the workbook")
    parser.add_argument("--readme", type=Path, default=README_PATH, help="Markdown file with the dictionary block")
    parser.add_argument("--check", action="store_true", help="only check that both are up to date")
    args = parser.parse_args(argv)
    if args.check:
        stale = []
        if not args.xlsx.exists() or args.xlsx.read_bytes() != template_bytes():
            stale.append(str(args.xlsx))
        if (readme_block(args.readme) or "").strip() != data_dictionary_markdown().strip():
            stale.append(str(args.readme))
        if stale:
            sys.stderr.write("out of date (run make template): " + ", ".join(stale) + "\n")
            return 1
        return 0
    write_template(args.xlsx)
    update_data_readme(args.readme)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
