"""Notebook metadata 'kinerja': a notebook that waits for its report folder and runs once
per variant (as the policy brief does), and the index page of a run."""

from __future__ import annotations

import json

import nbformat
import pytest

from kinerja.run import run_collection
from kinerja.run.runner import RunConfigurationError, inspect_notebooks

from .conftest import FIXTURES


@pytest.mark.notebooks
def test_a_notebook_after_its_folder_sees_the_others_outputs_and_runs_per_variant(
    tmp_path, toy_dataset, kinerja_kernel
):
    out = tmp_path / "reports"
    summary = run_collection(
        toy_dataset,
        years=[2020, 2021],
        out=out,
        notebooks=[FIXTURES / "last.ipynb", FIXTURES / "second.ipynb"],
        parameters={"sleep_s": "2"},
        jobs=2,
        progress=False,
    )
    assert summary.ok, summary.failure_table()
    for year in (2020, 2021):
        folder = out / "toy" / str(year)
        for lang in ("a", "b"):
            seen = json.loads((folder / f"last_{lang}.json").read_text())
            # 'second' sleeps 2 s with two workers free: only ordering makes its output visible here
            assert "second_done.txt" in seen["seen"], seen
            assert (folder / f"last.{lang}.html").is_file() and (folder / f"last.{lang}.ipynb").is_file()
            assert f"variant {lang}" in (folder / f"last.{lang}.html").read_text()
        record = json.loads((folder / "parameters.json").read_text())
        assert list(record["notebooks"]) == ["last.a", "last.b", "second"]
        assert record["notebooks"]["last.b"]["parameters"]["lang"] == "b"
        assert record["status"] == "ok"
    assert [r.notebook for r in summary.results] == ["last.a", "last.b", "second"] * 2
    index = (out / "index.html").read_text()
    for year in (2020, 2021):
        assert f'href="toy/{year}/last.a.html"' in index and f'href="toy/{year}/second.html"' in index


@pytest.mark.notebooks
def test_a_parameter_given_keeps_only_that_variant(tmp_path, toy_dataset, kinerja_kernel):
    out = tmp_path / "reports"
    summary = run_collection(
        toy_dataset, years=2020, out=out, notebooks=[FIXTURES / "last.ipynb"], parameters={"lang": "b"}, progress=False
    )
    assert summary.ok and [r.notebook for r in summary.results] == ["last.b"]
    assert sorted(p.name for p in (out / "toy" / "2020").glob("last*.html")) == ["last.b.html"]


def test_bad_kinerja_metadata_is_refused_with_the_reason(tmp_path):
    nb = nbformat.read(FIXTURES / "last.ipynb", as_version=4)
    nb.metadata["kinerja"] = {"after": "everything", "variants": {"year": [1]}, "template": "nope", "colour": 1}
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    (spec,) = inspect_notebooks([path])
    text = " ".join(spec.problems)
    for words in ("unknown key 'colour'", "after must be 'folder'", "names 'year'", "no nbconvert template 'nope'"):
        assert words in text, words
    with pytest.raises(RunConfigurationError):
        run_collection(tmp_path, notebooks=[path], out=tmp_path / "r", progress=False)


def test_the_collections_brief_declares_its_order_variants_template_and_pdf():
    (spec,) = inspect_notebooks(["06_policy_brief"])
    assert spec.ok, spec.problems
    assert spec.options == {"after": "folder", "variants": {"lang": ["id", "en"]}, "template": "brief",
                            "markdown": False, "pdf": True, "spans_years": True}  # fmt: skip


def test_data_all_means_every_bundled_dataset():
    from kinerja.paths import DATA_DIR
    from kinerja.run.runner import _expand_all, bundled_datasets

    found = bundled_datasets()
    expected = sorted(p.resolve() for p in DATA_DIR.iterdir() if (p / "units.csv").is_file())
    assert found == expected and len(found) >= 2  # batu and contoh at least
    assert _expand_all(["all", "x"]) == [*found, "x"]


def test_every_figure_a_brief_may_lift_has_an_indonesian_caption_and_a_drawing_for_print():
    # the brief lifts key figures (and a notebook's first figure when it has none): each is
    # given its Indonesian caption, and a key figure has its printed drawing, in both
    # languages, in kinerja.report.brief_figures (by notebook and figure name)
    import ast

    from kinerja.report.brief_figures import DRAWINGS

    for spec in inspect_notebooks():
        source = "\n".join(c.source for c in nbformat.read(spec.path, as_version=4).cells if c.cell_type == "code")
        calls = [
            node
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "figure"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "rep"
        ]  # fmt: skip
        if not calls:
            continue
        calls.sort(key=lambda node: node.lineno)
        keyed = [c for c in calls if any(k.arg == "key" and getattr(k.value, "value", False) for k in c.keywords)]
        for call in keyed or calls[:1]:
            given = {k.arg for k in call.keywords}
            assert "caption_ind" in given, (spec.name, call.lineno, sorted(given))
        for call in keyed:
            (name,) = [k.value.value for k in call.keywords if k.arg == "name"]
            assert (spec.name, name) in DRAWINGS, (spec.name, name, "key figure without a drawing for print")
