"""Reading parameters cells and converting -p values (no kernel needed)."""

from __future__ import annotations

import math

import pytest

from kinerja.run import NotebookParameter, coerce_parameter
from kinerja.run import runner as run

from .conftest import FIXTURES, write_toy_dataset


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        ("2021", "int", 2021),
        (" 7 ", "int", 7),
        ("-3", "int", -3),
        ("0.25", "float", 0.25),
        ("3", "float", 3.0),
        ("1e-3", "float", 0.001),
        ("true", "bool", True),
        ("Yes", "bool", True),
        ("1", "bool", True),
        ("off", "bool", False),
        ("FALSE", "bool", False),
        ("n", "bool", False),
        ("batu", "str", "batu"),
        ("  spaced  ", "str", "  spaced  "),
        ("", "str", ""),
        ("none", "Optional[int]", None),
        ("5", "Optional[int]", 5),
        ("null", "int | None", None),
        ("0.5", "float | None", 0.5),
        ("[1, 2]", "list[int]", [1, 2]),
        ("['a', 'b']", "list", ["a", "b"]),
        ("{'a': 1}", "dict[str, int]", {"a": 1}),
        ("(1, 2)", "tuple[int, int]", [1, 2]),  # papermill writes lists
    ],
)
def test_coerce_by_declared_type(value, type_name, expected):
    result = coerce_parameter(value, type_name, name="p")
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "type_name", "message"),
    [
        ("abc", "int", "expected an int, got 'abc'"),
        ("2.5", "int", "expected an int"),
        ("", "int", "expected an int"),
        ("ten", "float", "expected a float"),
        ("maybe", "bool", "expected a bool"),
        ("2", "bool", "expected a bool"),
        ("[1, 2", "list[int]", "Python literal"),
        ("{'a': 1}", "list[int]", "expected list[int], got dict"),
        ("x", "Optional[int]", "expected an int"),
    ],
)
def test_coerce_refuses_with_clear_message(value, type_name, message):
    with pytest.raises(ValueError, match="^n_boot: ") as info:
        coerce_parameter(value, type_name, name="n_boot")
    assert message in str(info.value)


def test_coerce_without_annotation_uses_type_of_default():
    assert coerce_parameter("200", None, default="1000") == 200
    assert coerce_parameter("0.1", None, default="0.05") == 0.1
    assert coerce_parameter("no", None, default="True") is False
    assert coerce_parameter("batu", None, default='"x"') == "batu"
    with pytest.raises(ValueError, match="expected an int"):
        coerce_parameter("many", None, default="1000")
    # no usable default: a Python literal if it parses, else the string
    assert coerce_parameter("[1, 2]", None, default="None") == [1, 2]
    assert coerce_parameter("batu", None, default="None") == "batu"


def test_coerce_checks_values_given_from_python():
    assert coerce_parameter(3, "int") == 3
    assert coerce_parameter(3, "float") == 3.0 and isinstance(coerce_parameter(3, "float"), float)
    assert coerce_parameter(None, "Optional[int]") is None
    assert math.isnan(coerce_parameter(float("nan"), "float"))
    with pytest.raises(ValueError, match="expected int, got bool"):
        coerce_parameter(True, "int", name="n")
    with pytest.raises(ValueError, match="expected bool, got int"):
        coerce_parameter(1, "bool", name="flag")


def test_parameters_cell_is_read_with_types_defaults_and_help():
    source = (
        "# a comment line\n"
        'data: str = "batu"  # dataset: folder name under data/, or a path\n'
        "year: int = 2020  # evaluation year\n"
        'out_dir: str = ""  # where this run writes; "" = reports/<dataset>/<year>/\n'
        "n_boot = 1000  # bootstrap replicates\n"
        "panels: list[str] = [\n"
        '    "akademisi",\n'
        '    "praktisi",\n'
        "]  # panels to compare\n"
        'alpha: "float" = 0.05\n'
        "import math\n"
        "x: int\n"
    )
    declared = run._parse_parameters_cell(source)
    assert list(declared) == ["data", "year", "out_dir", "n_boot", "panels", "alpha"]
    # papermill's regular expression skips this line (a second "=" in the comment)
    assert declared["out_dir"] == NotebookParameter(
        "out_dir", "str", '""', 'where this run writes; "" = reports/<dataset>/<year>/'
    )
    assert declared["year"].type == "int" and declared["year"].default == "2020"
    assert declared["n_boot"].type is None and declared["n_boot"].help == "bootstrap replicates"
    assert declared["panels"].type == "list[str]" and declared["panels"].help == "panels to compare"
    assert declared["alpha"].type == "float" and declared["alpha"].help == ""


def test_inspect_notebooks_flags_convention_breaches():
    specs = {s.name: s for s in run.inspect_notebooks(sorted(FIXTURES.glob("*.ipynb")))}
    assert specs["ok_figure"].ok
    assert list(specs["ok_figure"].parameters) == [
        "data",
        "year",
        "out_dir",
        "n_points",
        "scale",
        "show_title",
        "label",
    ]
    assert "no code cell tagged 'parameters'" in specs["no_parameters"].problems[0]
    assert "does not declare the standard parameter(s) out_dir" in specs["missing_standard"].problems[0]


def test_notebook_names_resolve_by_name_prefix_or_path(tmp_path):
    for name in ("00_data_overview", "01_juror_agreement", "01b_extra"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    paths, problems = run._select_notebooks(["00", "01_juror_agreement.ipynb"], tmp_path)
    assert [p.name for p in paths] == ["00_data_overview.ipynb", "01_juror_agreement.ipynb"]
    assert not problems
    _, problems = run._select_notebooks(["01", "zz"], tmp_path)
    assert "matches several notebooks" in problems[0] and "is not a notebook" in problems[1]
    paths, _ = run._select_notebooks(None, tmp_path)
    assert [p.stem for p in paths] == ["00_data_overview", "01_juror_agreement", "01b_extra"]


def test_dataset_lookup_with_kinerja_io(tmp_path, monkeypatch):
    io = pytest.importorskip("kinerja.io")
    if not (hasattr(io, "resolve_dataset") and hasattr(io, "dataset_years")):
        pytest.skip("kinerja.io does not provide resolve_dataset and dataset_years yet")
    folder = write_toy_dataset(tmp_path / "toy")
    monkeypatch.chdir(tmp_path)
    assert run._resolve_dataset("toy") == folder.resolve()  # relative to the working directory
    assert run._dataset_years(folder) == [2020, 2021]
    assert run._dataset_name(folder) == "toy"
    assert run._dataset_name(tmp_path / "kota_malang.xlsx") == "kota_malang"
