"""Every notebook runs on the bundled data under papermill and shows what it promises.

nbval (lax) also executes the notebooks with their default parameters in the same test
run (``notebooks/`` is a test path). The notebooks are committed without outputs, so
nbval checks that every cell runs without error; the numbers a reader relies on are
checked here, from the tables the notebooks write, and in the library's own tests.
"""

from __future__ import annotations

import base64

import nbformat
import pandas as pd
import papermill as pm
import pytest

from kinerja.paths import NOTEBOOKS_DIR, PROJ_ROOT

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))


def _execute(name, tmp_path, **params):
    out_nb = tmp_path / name
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / name),
        str(out_nb),
        kernel_name="kinerja",
        parameters={"data": "batu", "year": 2020, "out_dir": str(tmp_path), **params},
        cwd=str(PROJ_ROOT),
        progress_bar=False,
        execution_timeout=600,
    )
    return nbformat.read(out_nb, as_version=4)


def _images(nb):
    return [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]


def _text(nb):
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            parts.append(o.get("text", ""))
            parts.extend(str(v) for k, v in o.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_typed_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    src = tagged[0].source
    for param in ("data: str", "year: int", "out_dir: str"):
        assert param in src
    assert nb.metadata["kernelspec"]["name"] == "kinerja"
    assert not any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks without outputs"
    )


def test_overview_2020(tmp_path):
    nb = _execute("00_data_overview.ipynb", tmp_path)
    imgs = _images(nb)
    assert len(imgs) >= 5
    for img in imgs:
        assert base64.b64decode(img["data"]["image/png"])[:4] == b"\x89PNG"
    text = _text(nb)
    assert "SYNTHETIC" in text and "INFERRED" in text
    grades = pd.read_csv(tmp_path / "results" / "grades_overview.csv")
    assert len(grades) == 29
    assert grades["grade"].value_counts().to_dict() == {"BB": 19, "A": 10}
    assert grades["implied_matches"].all()
    assert grades["provenance"].str.contains("SYNTHETIC").all()
    acc = pd.read_csv(tmp_path / "results" / "row_accounts.csv")
    per_table = acc.groupby("table").agg(
        read=("rows_read", "first"), kept=("rows_kept", "first"), excluded=("rows_excluded", "sum")
    )
    assert (per_table["read"] == per_table["kept"] + per_table["excluded"]).all()


def test_overview_synthetic_year(tmp_path):
    nb = _execute("00_data_overview.ipynb", tmp_path, year=2022)
    assert len(_images(nb)) >= 5
    grades = pd.read_csv(tmp_path / "results" / "grades_overview.csv")
    assert (grades["grade_basis"] == "synthetic").all()


def test_juror_agreement_2020(tmp_path):
    nb = _execute("01_juror_agreement.ipynb", tmp_path, n_boot=200)
    assert len(_images(nb)) >= 4  # forest plot, pair heatmap, Bland-Altman, grade grid
    text = _text(nb)
    assert "SYNTHETIC" in text and "kappa" in text.lower()
    res = pd.read_csv(tmp_path / "results" / "agreement.csv")
    assert {"estimate", "ci_low", "ci_high", "reading", "note", "provenance"} <= set(res.columns)
    assert res["provenance"].str.contains("SYNTHETIC").all()
    assert set(res["evaluation"]) == {"sakip", "kovablik"}
    ga = pd.read_csv(tmp_path / "results" / "grade_agreement.csv")
    assert {"gwet_ac1", "fleiss_kappa", "percent_agreement"} <= set(ga["coefficient"])
