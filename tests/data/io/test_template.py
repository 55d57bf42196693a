"""The Excel fill-in template and the generated data dictionary."""

from __future__ import annotations

import io

import openpyxl
import pytest

from kinerja import template
from kinerja.grades import GRADE_ORDER
from kinerja.io import load_dataset
from kinerja.schema import TABLES
from kinerja.template import (
    BEGIN_MARKER,
    END_MARKER,
    README_PATH,
    TEMPLATE_PATH,
    data_dictionary_markdown,
    readme_block,
    template_bytes,
    update_data_readme,
    write_template,
)


@pytest.fixture(scope="module")
def workbook():
    return openpyxl.load_workbook(io.BytesIO(template_bytes()))


def validations(ws) -> dict[str, object]:
    """Data validation per column letter of a sheet."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.min_row == 2 and rng.max_row >= 100_000
            assert rng.min_col == rng.max_col
            out[openpyxl.utils.get_column_letter(rng.min_col)] = dv
    return out


def test_sheets_readme_first_then_tables(workbook):
    assert workbook.sheetnames == ["README", *TABLES]
    text = "\n".join(str(c.value) for c in workbook["README"]["A"] if c.value)
    assert 'kinerja.io.load_dataset("my.xlsx")' in text
    for name in TABLES:
        assert f"{name}: " in text
    for rule in ("sum to 100", "0 to 100", "must match", "basis", "Row 2 of every sheet is an example"):
        assert rule in text


def test_header_rows_bold_frozen_with_notes(workbook):
    for name, table in TABLES.items():
        ws = workbook[name]
        header = [c.value for c in ws[1]]
        assert header == list(table.column_names)
        assert ws.freeze_panes == "A2"
        for cell, col in zip(ws[1], table.columns):
            assert cell.font.b
            assert cell.comment is not None and col.description in cell.comment.text
            assert ("Required." if col.required else "Optional") in cell.comment.text


def test_data_validations(workbook):
    for name, table in TABLES.items():
        ws = workbook[name]
        dvs = validations(ws)
        for j, col in enumerate(table.columns, 1):
            dv = dvs.get(openpyxl.utils.get_column_letter(j))
            if col.kind == "grade":
                assert dv.type == "list" and dv.formula1 == '"' + ",".join(reversed(GRADE_ORDER)) + '"'
            elif col.allowed is not None:
                assert dv.type == "list" and dv.formula1.strip('"').split(",") == list(col.allowed)
            elif col.lo is not None and col.hi is not None:
                assert dv.type == ("whole" if col.kind == "int" else "decimal")
                assert (dv.operator, float(dv.formula1), float(dv.formula2)) == ("between", col.lo, col.hi)
            else:
                assert dv is None, (name, col.name)
            if dv is not None:
                assert dv.showErrorMessage and dv.allow_blank == (not col.required)
    score = validations(workbook["scores"])[
        openpyxl.utils.get_column_letter(TABLES["scores"].column_names.index("score") + 1)
    ]
    assert (score.type, score.formula1, score.formula2) == ("decimal", "0", "100")
    listed = {c.name for t in TABLES.values() for c in t.columns if c.allowed}
    assert {"evaluation", "basis", "category", "panel", "award"} <= listed


def test_untouched_template_loads_as_a_flagged_example(tmp_path):
    ds = load_dataset(write_template(tmp_path / "kinerja_template.xlsx"))
    assert all(len(df) == 1 for df in ds.tables.values())
    assert ds.synthetic_tables() == list(TABLES)
    assert set(ds.provenance()["basis"]) == {"synthetic"}
    assert ds.notes == []


def test_template_is_deterministic_and_committed_copy_is_current(tmp_path):
    first = write_template(tmp_path / "a.xlsx").read_bytes()
    assert first == write_template(tmp_path / "b.xlsx").read_bytes()
    assert TEMPLATE_PATH.read_bytes() == first, "run `python -m kinerja.template` to regenerate the template"
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == template.FIXED_TIME


def test_data_dictionary_covers_every_schema_column():
    md = data_dictionary_markdown()
    sections = md.split("\n### ")
    for name, table in TABLES.items():
        section = next(s for s in sections if s.startswith(f"`{name}`"))
        assert table.description in section
        assert "Key: " + ", ".join(f"`{k}`" for k in table.key) in section
        assert section.count("- Reference: ") == len(table.foreign_keys)
        for col in table.columns:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{col.name}` |"))
            assert col.description in row and ("| yes |" if col.required else "| no |") in row
    assert "### SAKIP grade bands" in md


def test_data_readme_block_is_in_sync():
    block = readme_block(README_PATH)
    if block is None:
        pytest.skip(f"{README_PATH} has no data dictionary block yet")
    assert block.strip() == data_dictionary_markdown().strip(), (
        "run `python -m kinerja.template` to refresh the data dictionary in data/README.md"
    )


def test_update_data_readme_keeps_prose(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(f"# Data\n\nIntro.\n\n{BEGIN_MARKER}\nOLD PLACEHOLDER\n{END_MARKER}\n\nOutro.\n", encoding="utf-8")
    assert update_data_readme(path) is True
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Data\n\nIntro.\n\n" + BEGIN_MARKER) and text.endswith(END_MARKER + "\n\nOutro.\n")
    assert "OLD PLACEHOLDER" not in text and readme_block(path).strip() == data_dictionary_markdown().strip()
    assert update_data_readme(path) is False  # idempotent


def test_update_data_readme_appends_or_creates(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# Data\n", encoding="utf-8")
    update_data_readme(path)
    assert path.read_text(encoding="utf-8").startswith("# Data\n\n" + BEGIN_MARKER)
    new = tmp_path / "sub" / "README.md"
    update_data_readme(new)
    assert new.read_text(encoding="utf-8").startswith(BEGIN_MARKER)


def test_command_line(tmp_path):
    xlsx, readme = tmp_path / "t.xlsx", tmp_path / "README.md"
    args = ["--xlsx", str(xlsx), "--readme", str(readme)]
    assert template.main([*args, "--check"]) == 1
    assert template.main(args) == 0
    assert xlsx.read_bytes() == template_bytes()
    assert template.main([*args, "--check"]) == 0
