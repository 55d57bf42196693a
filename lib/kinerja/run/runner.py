"""Run the report notebooks with papermill: the library behind ``kinerja run``.

A *run* executes a collection of parameterised notebooks (by default every
``notebooks/*.ipynb``, in file-name order) for one or more datasets and evaluation
years. Each (dataset, year) gets its own report folder, an immutable record of one
run::

    reports/<dataset>/<year>/
        00_data_overview.ipynb    executed notebook, code and outputs (errors included)
        00_data_overview.html     the same without code: what a reader sees
        ...                       tables and figures the notebooks write to ``out_dir``
        parameters.json           dataset, year, parameters of every notebook, status,
                                  timestamps, git commit, kinerja version
        environment.txt           exact version of every installed distribution

Before anything is executed the run is checked, and refused with a
:class:`RunConfigurationError` listing every problem found, when

* the Jupyter kernel is not installed;
* a notebook has no code cell tagged ``parameters`` (or more than one), or does not
  declare all the standard parameters ``data``, ``year`` and ``out_dir``;
* a user parameter is declared by none of the selected notebooks (papermill itself
  only warns), names a standard parameter, or cannot be converted to the declared
  type;
* a dataset or year does not exist, two datasets share a name, or a report folder
  already holds a previous run (pass ``overwrite=True`` to replace it).

A notebook that fails while running does not stop the others: its executed notebook
(with the traceback) and its HTML are still written, and the :class:`RunSummary`
names the failing cell.

How a notebook is run can be declared in its metadata, under ``"kinerja"``
(:data:`NOTEBOOK_OPTIONS`; unknown keys or values are refused)::

    "kinerja": {"after": "folder",                  # wait for the rest of its report folder
                "variants": {"lang": ["id", "en"]}, # run once per value of a parameter
                "template": "brief",                # nbconvert template (default "kinerja")
                "markdown": false,                  # leave markdown cells out of the HTML
                "pdf": true}                        # also <name>.pdf from the HTML (WeasyPrint)

A notebook with ``"after": "folder"`` starts only when every other notebook of its
report folder has finished (ok or failed), so that it can read what they wrote (the
policy brief). With ``variants`` it runs once per value, into
``<notebook>.<value>.ipynb/.html/.pdf`` (``06_policy_brief.id.pdf``); ``-p lang=en``
keeps only that variant. When a run ends, ``<out>/index.html`` links every report
folder under ``out`` (:func:`kinerja.run.index.write_index`).

Notes
-----
Kernels start with the project root as working directory (never the caller's), and
without any ``MPLBACKEND`` inherited from the caller, so that matplotlib uses the
inline backend and figures end up in the reports (``MPLBACKEND=Agg`` would make them
vanish silently). Notebooks run in a pool of ``jobs`` threads, each notebook in its own
kernel process. On Linux, a run of two kernels or more forks them from one process that
has imported the stack once (:mod:`kinerja.run.forkserver`; ``fork_kernels=False`` or
``KINERJA_FORK_KERNELS=0`` starts each the usual way). Ctrl-C stops the run: nothing
more starts, running cells are interrupted (a second Ctrl-C kills their kernels), and
``parameters.json`` marks the notebooks that did not run; :class:`KeyboardInterrupt` is
then raised again.

Examples
--------
>>> from kinerja.run import run_collection
>>> summary = run_collection("batu", years=2020, jobs=2)          # doctest: +SKIP
>>> print(summary.failure_table() or "all notebooks ran")         # doctest: +SKIP
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import datetime as _dt
import functools
import hashlib
import importlib.metadata
import io
import json
import logging
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import tokenize
import weakref
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinerja.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR
from kinerja.run import forkserver

__all__ = [
    "STANDARD_PARAMETERS",
    "DEFAULT_KERNEL",
    "RunConfigurationError",
    "KernelNotInstalledError",
    "NotebookParameter",
    "NotebookSpec",
    "CellFailure",
    "NotebookResult",
    "RunSummary",
    "inspect_notebooks",
    "coerce_parameter",
    "run_collection",
]

logger = logging.getLogger("kinerja.run")  # the name users configure (documented in run_collection)

#: Parameters every report notebook declares; the runner always sets them.
STANDARD_PARAMETERS = ("data", "year", "out_dir")
#: The Jupyter kernel the report notebooks run in.
DEFAULT_KERNEL = "kinerja"
DEFAULT_TIMEOUT = 1200
DEFAULT_START_TIMEOUT = 120
PARAMETERS_TAG = "parameters"
PARAMETERS_FILE = "parameters.json"
ENVIRONMENT_FILE = "environment.txt"
#: Keys of a notebook's ``metadata["kinerja"]`` and what they mean.
NOTEBOOK_OPTIONS = {
    "after": "'folder': start only when the other notebooks of the report folder have finished",
    "variants": "{parameter: [values]}: run once per value, outputs <notebook>.<value>.*",
    "template": "nbconvert template of the HTML page (a folder under kinerja/report/templates)",
    "markdown": "false: leave markdown cells out of the HTML page",
    "pdf": "true: also write <notebook>.pdf from the HTML page (WeasyPrint)",
    "spans_years": "true: the report speaks of earlier years of its dataset by design (trends, the brief)",
}
DEFAULT_TEMPLATE = "kinerja"

_INJECTED_TAG = "injected-parameters"  # papermill's tag on the cell it inserts
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"  # papermill's failure banners
_TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
_NONE = frozenset({"none", "null"})


# --------------------------------------------------------------------------- errors


class RunConfigurationError(ValueError):
    """The run was refused before any notebook was executed.

    Parameters
    ----------
    problems : sequence of str
        One message per problem found; all are reported at once.
    """

    def __init__(self, problems: Sequence[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)} problems:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class KernelNotInstalledError(RunConfigurationError):
    """The Jupyter kernel named for the run is not installed."""


# --------------------------------------------------------------------------- notebooks


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter declared in a notebook's ``parameters`` cell.

    Attributes
    ----------
    name : str
        Variable name.
    type : str or None
        The annotation as written (``"int"``, ``"list[str]"``), or None if the
        declaration has no annotation.
    default : str
        The default value as source code (``'"batu"'``, ``"2020"``).
    help : str
        The comment on the declaration line.
    """

    name: str
    type: str | None
    default: str
    help: str = ""

    def __str__(self) -> str:
        annotation = f": {self.type}" if self.type else ""
        comment = f"  # {self.help}" if self.help else ""
        return f"{self.name}{annotation} = {self.default}{comment}"


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook of the collection, with the parameters its tagged cell declares.

    Attributes
    ----------
    name : str
        File name without ``.ipynb``; also the name of its outputs in a report folder.
    path : Path
        Absolute path of the notebook.
    parameters : dict of str to NotebookParameter
        Declared parameters, in declaration order.
    problems : tuple of str
        Why the runner refuses this notebook (empty if it is runnable).
    options : dict
        How to run it, from ``metadata["kinerja"]`` (see :data:`NOTEBOOK_OPTIONS`).
    """

    name: str
    path: Path
    parameters: dict[str, NotebookParameter] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True if the notebook follows the conventions and can be run."""
        return not self.problems


def _parse_parameters_cell(source: str) -> dict[str, NotebookParameter]:
    """The parameters declared by a ``parameters`` cell, read with :mod:`ast`.

    Every top-level ``name = value`` or ``name: type = value`` is a parameter; the
    comment at the end of its last line is its help. (papermill's own inspector uses
    a regular expression that skips a line with a second ``=``, e.g. in its comment.)

    Raises
    ------
    SyntaxError
        If the cell is not valid Python.
    """
    tree = ast.parse(source)
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    declared = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name = node.target.id
            annotation = ast.get_source_segment(source, node.annotation) or ""
            if isinstance(node.annotation, ast.Constant) and isinstance(node.annotation.value, str):
                annotation = node.annotation.value  # quoted annotation: x: "int" = 1
            type_name = " ".join(annotation.split()) or None
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, type_name = node.targets[0].id, None
        else:
            continue
        default = ast.get_source_segment(source, node.value) or ""
        declared[name] = NotebookParameter(name, type_name, default, comments.get(node.end_lineno, ""))
    return declared


def _import_jsonschema_without_iri_grammar() -> None:
    """Import jsonschema (nbformat's validator) without building rfc3987-syntax's grammar.

    ``jsonschema._format`` imports ``rfc3987_syntax`` whenever it is installed (nbformat
    depends on ``jsonschema[format-nongpl]``), and that import compiles some 35 Earley
    parsers: 2-3.5 s of CPU at the start of every run, on one core, before any kernel
    starts (python-jsonschema/jsonschema#1428). Only the "iri" and "iri-reference" format
    checkers need it, and no notebook schema uses those formats. So the first import of
    jsonschema in this process sees the module as absent (jsonschema skips those two
    checkers); the block is lifted at once, so that an explicit ``import rfc3987_syntax``
    later still works. A process that imported jsonschema already is left as it is.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # "import" raises ImportError
    try:
        import jsonschema  # noqa: F401
    except ImportError:  # pragma: no cover - nbformat would fail the same way
        pass
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


def _read_notebook_spec(path: Path) -> NotebookSpec:
    """Read a notebook and check its ``parameters`` cell against the conventions."""
    _import_jsonschema_without_iri_grammar()
    import nbformat

    name = path.stem
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable JSON, unknown nbformat, ...
        return NotebookSpec(name, path, {}, (f"{path.name}: cannot be read as a notebook ({exc})",))

    language = (
        nb.metadata.get("kernelspec", {}).get("language")
        or nb.metadata.get("language_info", {}).get("name")
        or "python"
    )
    if language.lower() != "python":
        return NotebookSpec(
            name, path, {}, (f"{path.name}: is a {language} notebook; the runner runs Python notebooks",)
        )

    tagged = [c for c in nb.cells if c.cell_type == "code" and PARAMETERS_TAG in c.metadata.get("tags", [])]
    if not tagged:
        return NotebookSpec(
            name,
            path,
            {},
            (
                f"{path.name}: has no code cell tagged '{PARAMETERS_TAG}' (add the tag to the cell that "
                f"declares {', '.join(STANDARD_PARAMETERS)}; in JupyterLab: Property Inspector > Cell Tags)",
            ),
        )
    if len(tagged) > 1:
        return NotebookSpec(
            name, path, {}, (f"{path.name}: has {len(tagged)} cells tagged '{PARAMETERS_TAG}'; keep exactly one",)
        )
    try:
        declared = _parse_parameters_cell(tagged[0].source)
    except SyntaxError as exc:
        return NotebookSpec(
            name,
            path,
            {},
            (f"{path.name}: its '{PARAMETERS_TAG}' cell is not valid Python (line {exc.lineno}: {exc.msg})",),
        )
    missing = [s for s in STANDARD_PARAMETERS if s not in declared]
    problems: tuple[str, ...] = ()
    if missing:
        problems = (
            f"{path.name}: its '{PARAMETERS_TAG}' cell does not declare the standard parameter(s) "
            f"{', '.join(missing)} (every report notebook declares {', '.join(STANDARD_PARAMETERS)})",
        )
    options = nb.metadata.get("kinerja", {}) or {}
    problems += tuple(f"{path.name}: {p}" for p in _check_options(options, declared))
    return NotebookSpec(name, path, declared, problems, dict(options))


def _check_options(options: Any, declared: Mapping[str, NotebookParameter]) -> list[str]:
    """Problems with a notebook's ``metadata["kinerja"]`` (see :data:`NOTEBOOK_OPTIONS`)."""
    from kinerja.paths import PACKAGE_DIR

    if not isinstance(options, Mapping):
        return ["metadata 'kinerja' must be an object"]
    problems = [
        f"metadata 'kinerja' has an unknown key '{k}' (known: {', '.join(NOTEBOOK_OPTIONS)})"
        for k in options
        if k not in NOTEBOOK_OPTIONS
    ]
    if options.get("after", "folder") != "folder":
        problems.append(f"metadata kinerja.after must be 'folder', not {options['after']!r}")
    variants = options.get("variants", {})
    if not isinstance(variants, Mapping) or len(variants) > 1:
        problems.append('metadata kinerja.variants must name one parameter and its values: {"lang": ["id", "en"]}')
    else:
        for name, values in variants.items():
            if name not in declared or name in STANDARD_PARAMETERS:
                problems.append(f"metadata kinerja.variants names '{name}', which is not a notebook-specific parameter")
            if not isinstance(values, list) or not values or len(set(map(str, values))) != len(values):
                problems.append(f"metadata kinerja.variants.{name} must be a list of distinct values")
            elif not all(re.fullmatch(r"[A-Za-z0-9_-]+", str(v)) for v in values):
                problems.append(
                    f"metadata kinerja.variants.{name}: values name output files (letters, digits, - and _)"
                )
    template = options.get("template", DEFAULT_TEMPLATE)
    if not (PACKAGE_DIR / "report" / "templates" / str(template) / "index.html.j2").is_file():
        problems.append(f"metadata kinerja.template: no nbconvert template '{template}' in kinerja/report/templates")
    for flag in ("markdown", "pdf", "spans_years"):
        if flag in options and not isinstance(options[flag], bool):
            problems.append(f"metadata kinerja.{flag} must be true or false")
    return problems


def _available_notebooks(notebook_dir: Path) -> list[Path]:
    return sorted(p.resolve() for p in Path(notebook_dir).glob("*.ipynb") if not p.name.startswith("."))


def _select_notebooks(
    selection: Iterable[str | os.PathLike] | None, notebook_dir: Path
) -> tuple[list[Path], list[str]]:
    """Resolve notebook names/paths to files; returns (paths, problems)."""
    available = _available_notebooks(notebook_dir)
    selection = None if selection is None else _as_list(selection)
    if not selection:
        if not available:
            return [], [f"no notebooks (*.ipynb) in {notebook_dir}"]
        return available, []
    chosen: list[Path] = []
    problems = []
    for item in selection:
        as_path = Path(item).expanduser()
        if as_path.suffix == ".ipynb" and as_path.is_file():
            chosen.append(as_path.resolve())
            continue
        key = as_path.stem if as_path.suffix == ".ipynb" else str(item)
        exact = [p for p in available if p.stem == key]
        matches = exact or [p for p in available if p.stem.startswith(key)]
        if len(matches) == 1:
            chosen.append(matches[0])
        else:
            names = ", ".join(p.stem for p in available) or "none"
            what = "matches several notebooks" if matches else "is not a notebook"
            problems.append(f"--notebook {item}: {what} (notebooks in {notebook_dir}: {names})")
    unique = sorted(set(chosen), key=lambda p: (p.name, str(p)))
    stems = [p.stem for p in unique]
    for stem in sorted({s for s in stems if stems.count(s) > 1}):
        problems.append(f"two selected notebooks are named {stem}.ipynb; their reports would overwrite each other")
    return unique, problems


def inspect_notebooks(
    notebooks: Iterable[str | os.PathLike] | None = None, notebook_dir: str | os.PathLike = NOTEBOOKS_DIR
) -> list[NotebookSpec]:
    """Describe the notebooks of the collection and their declared parameters.

    Parameters
    ----------
    notebooks : iterable of str or path, optional
        Notebook names (``"00_data_overview"``, a unique prefix such as ``"00"``, or
        ``"00_data_overview.ipynb"``) looked up in `notebook_dir`, or paths to
        ``.ipynb`` files anywhere. Default: every notebook in `notebook_dir`.
    notebook_dir : path, default NOTEBOOKS_DIR
        Folder of the collection.

    Returns
    -------
    list of NotebookSpec
        In file-name order; ``spec.problems`` says why a notebook would be refused.

    Raises
    ------
    RunConfigurationError
        If a name matches no notebook (or several).
    """
    paths, problems = _select_notebooks(notebooks, Path(notebook_dir))
    if problems:
        raise RunConfigurationError(problems)
    return [_read_notebook_spec(p) for p in paths]


# --------------------------------------------------------------------------- parameters


def _split_optional(type_name: str) -> str | None:
    """'Optional[int]' or 'int | None' -> 'int'; otherwise None."""
    m = re.fullmatch(r"(?:typing\.)?Optional\[\s*(.+?)\s*\]", type_name)
    if m:
        return m.group(1)
    parts = [p.strip() for p in type_name.split("|")]
    if len(parts) > 1 and "None" in parts:
        rest = [p for p in parts if p != "None"]
        return " | ".join(rest) if rest else None
    return None


def coerce_parameter(value: Any, type_name: str | None, default: str | None = None, *, name: str = "value") -> Any:
    """Convert a parameter value to the type its notebook declares.

    Parameters
    ----------
    value : str or object
        The value; strings (as given on the command line) are parsed, other objects
        are checked.
    type_name : str or None
        The declared annotation: ``int``, ``float``, ``bool``, ``str``,
        ``Optional[...]`` or a container such as ``list[str]``. If None (no
        annotation) the type of the `default` literal is used.
    default : str, optional
        The declared default as source code, used when there is no annotation.
    name : str, default "value"
        Parameter name, for error messages.

    Returns
    -------
    object
        The converted value.

    Raises
    ------
    ValueError
        If the value cannot be converted.

    Notes
    -----
    Booleans accept ``true/false``, ``yes/no``, ``1/0``, ``on/off`` (any case).
    ``Optional[T]`` accepts ``none`` or ``null``. Containers (``list``, ``dict``,
    ``tuple``) are parsed as Python literals. An unannotated parameter whose default
    is not a simple literal gets the string parsed as a Python literal if possible,
    otherwise the string itself.

    Examples
    --------
    >>> coerce_parameter("2021", "int", name="year")
    2021
    >>> coerce_parameter("0.5", "float")
    0.5
    >>> coerce_parameter("no", "bool")
    False
    >>> coerce_parameter("[1, 2]", "list[int]")
    [1, 2]
    >>> coerce_parameter("none", "Optional[int]") is None
    True
    >>> coerce_parameter("200", None, default="1000")
    200
    >>> coerce_parameter("abc", "int", name="n_boot")
    Traceback (most recent call last):
    ...
    ValueError: n_boot: expected an int, got 'abc'
    """
    if type_name is None:
        try:
            literal = ast.literal_eval(default) if default is not None else None
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            literal = None
        if isinstance(literal, (bool, int, float, str)):
            type_name = type(literal).__name__
        elif isinstance(value, str):
            try:
                return ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return value
        else:
            return value

    type_name = type_name.strip()
    inner = _split_optional(type_name)
    if inner is not None:
        if value is None or (isinstance(value, str) and value.strip().lower() in _NONE):
            return None
        return coerce_parameter(value, inner, name=name)

    base = type_name.split("[", 1)[0].strip().removeprefix("typing.").lower()
    if not isinstance(value, str):
        return _check_type(value, base, type_name, name)
    text = value.strip()
    if base == "str":
        return value
    if base == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{name}: expected an int, got {value!r}") from None
    if base == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{name}: expected a float, got {value!r}") from None
    if base == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"{name}: expected a bool (true/false, yes/no, 1/0, on/off), got {value!r}")
    if base in ("list", "dict", "tuple", "set"):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise ValueError(f"{name}: expected a {type_name} written as a Python literal, got {value!r}") from None
        return _check_type(parsed, base, type_name, name)
    # Any other annotation (Path, Literal[...], ...): a literal if it parses, else the string.
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return value


def _check_type(value: Any, base: str, type_name: str, name: str) -> Any:
    """Check a non-string value against a declared base type (API callers)."""
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
        "list": isinstance(value, list),
        "dict": isinstance(value, dict),
        "tuple": isinstance(value, (tuple, list)),
        "set": isinstance(value, (set, list)),
    }.get(base, True)
    if not ok:
        raise ValueError(f"{name}: expected {type_name}, got {type(value).__name__} {value!r}")
    if base == "float":
        return float(value)
    if base in ("tuple", "set"):
        return list(value)  # papermill writes lists; tuples/sets are not translated
    return value


# --------------------------------------------------------------------------- datasets


def _resolve_dataset(name_or_path: str | os.PathLike) -> Path:
    """Absolute path of a dataset folder or workbook (see ``kinerja.io.resolve_dataset``)."""
    from kinerja.data.io import resolve_dataset

    return Path(resolve_dataset(name_or_path)).resolve()


def _dataset_years(path: Path) -> list[int]:
    """Evaluation years of a dataset (see ``kinerja.io.dataset_years``)."""
    from kinerja.data.io import dataset_years

    return sorted(int(y) for y in dataset_years(path))


def _validate_dataset(path: Path) -> str | None:
    """The loader's message if the dataset does not load (:class:`kinerja.data.io.DataError`),
    else None: the whole dataset is checked once before any notebook starts."""
    from kinerja.data.io import DataError, load_dataset

    try:
        load_dataset(path)
    except DataError as exc:
        return str(exc)
    return None


#: ``--data all``: every bundled dataset.
ALL_DATASETS = "all"


def bundled_datasets(data_dir: str | os.PathLike | None = None) -> list[Path]:
    """Every dataset bundled in ``data/``: a folder holding ``units.csv``, or a workbook.

    >>> [p.name for p in bundled_datasets()][:1]
    ['batu']
    """
    from kinerja.paths import DATA_DIR

    root = Path(data_dir or DATA_DIR)
    found = [p for p in root.iterdir() if (p.is_dir() and (p / "units.csv").is_file())]
    found += [p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")]
    return sorted(p.resolve() for p in found)


def _expand_all(items: list) -> list:
    """Replace ``"all"`` by every bundled dataset (unless a dataset is named ``all``)."""
    from kinerja.paths import DATA_DIR

    out = []
    for item in items:
        if str(item) == ALL_DATASETS and not (DATA_DIR / ALL_DATASETS).exists():
            out += bundled_datasets()
        else:
            out.append(item)
    return out


def _dataset_name(path: Path) -> str:
    """``batu`` for ``data/batu/`` and for ``data/batu.xlsx``."""
    return path.stem if path.suffix.lower() in (".xlsx", ".xlsm") else path.name


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CellFailure:
    """Where and how a notebook failed.

    Attributes
    ----------
    ename, evalue : str
        Exception name and message.
    cell_index : int or None
        0-based index of the failing cell in the source notebook (None when the
        failure is not in a cell, e.g. the kernel did not start or the HTML export
        failed).
    execution_count : int or None
        The ``In [n]`` number of the failing cell, if it ran.
    source_line : str
        First non-blank line of the failing cell's source.
    """

    ename: str
    evalue: str
    cell_index: int | None = None
    execution_count: int | None = None
    source_line: str = ""

    @property
    def location(self) -> str:
        """``"cell 3 [In 4]"``, or ``"-"`` if not in a cell."""
        if self.cell_index is None:
            return "-"
        count = f" [In {self.execution_count}]" if self.execution_count is not None else ""
        return f"cell {self.cell_index}{count}"

    def __str__(self) -> str:
        where = "" if self.cell_index is None else f"{self.location}: "
        return f"{where}{self.ename}: {self.evalue}".rstrip(": ")


@dataclass(frozen=True)
class NotebookResult:
    """The outcome of one notebook for one dataset and year.

    Attributes
    ----------
    dataset : str
        Dataset name (folder name or workbook stem).
    year : int
        Evaluation year.
    notebook : str
        Notebook name.
    source : Path
        The notebook that was run.
    output : Path
        The executed notebook.
    html : Path or None
        The HTML report (None if it could not be written).
    parameters : dict
        The parameters passed to the notebook.
    duration : float
        Wall time in seconds (execution and HTML export).
    error : CellFailure or None
        None if the notebook ran without error.
    """

    dataset: str
    year: int
    notebook: str
    source: Path
    output: Path
    html: Path | None
    parameters: dict[str, Any]
    duration: float
    error: CellFailure | None = None

    @property
    def ok(self) -> bool:
        """True if the notebook ran and its HTML was written."""
        return self.error is None

    @property
    def status(self) -> str:
        """``"ok"`` or ``"failed"``."""
        return "ok" if self.ok else "failed"

    @property
    def label(self) -> str:
        """``"<dataset>/<year>/<notebook>"``."""
        return f"{self.dataset}/{self.year}/{self.notebook}"


@dataclass(frozen=True)
class RunSummary:
    """What a run did: one :class:`NotebookResult` per (dataset, year, notebook).

    Attributes
    ----------
    results : list of NotebookResult
        In (dataset, year, notebook) order, whatever the order of completion.
    report_dirs : list of Path
        The report folders written, one per (dataset, year).
    started, finished : datetime
        Timezone-aware start and end of the run.
    """

    results: list[NotebookResult]
    report_dirs: list[Path]
    started: _dt.datetime
    finished: _dt.datetime

    @property
    def ok(self) -> bool:
        """True if every notebook succeeded."""
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[NotebookResult]:
        """The results of the notebooks that failed."""
        return [r for r in self.results if not r.ok]

    @property
    def duration(self) -> float:
        """Wall time of the whole run, in seconds."""
        return (self.finished - self.started).total_seconds()

    def failure_table(self, width: int = 100) -> str:
        """A short plain-text table of the failures ("" if there are none).

        Parameters
        ----------
        width : int, default 100
            Long source lines are cut to fit about this width; error messages are not.
        """
        failures = self.failures
        if not failures:
            return ""
        rows = [("notebook", "cell", "error", "first line of the cell")]
        for r in failures:
            e = r.error
            message = f"{e.ename}: {e.evalue}".strip().rstrip(":").splitlines()[0] if e.evalue else e.ename
            rows.append((r.label, e.location, message, e.source_line or "-"))
        # The error message is never cut (it is what the reader needs); the source line
        # gets what is left of the width, at least 22 characters.
        errors = [" ".join(row[2].split()) for row in rows]
        fixed = max(len(row[0]) for row in rows) + max(len(row[1]) for row in rows) + max(map(len, errors)) + 8
        source_limit = max(width - fixed, 22)
        cut = [(a, b, c, _shorten(d, source_limit)) for (a, b, _, d), c in zip(rows, errors)]
        widths = [max(len(row[i]) for row in cut) for i in range(3)]
        lines = [f"{len(failures)} of {len(self.results)} notebooks failed:"]
        for a, b, c, d in cut:
            lines.append(f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip())
        return "\n".join(lines)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: max(limit - 3, 1)] + "..."


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Job:
    dataset: str
    data_path: Path
    year: int
    spec: NotebookSpec
    report_dir: Path
    parameters: dict[str, Any]
    source_sha256: str
    name: str = ""  # output stem: the notebook's name, with ".<value>" for a variant

    @property
    def stem(self) -> str:
        return self.name or self.spec.name

    @property
    def after(self) -> bool:
        """Waits for the other notebooks of its report folder."""
        return self.spec.options.get("after") == "folder"


@dataclass
class _ReportFolder:
    dataset: str
    data_path: Path
    year: int
    path: Path
    jobs: list[_Job] = field(default_factory=list)
    results: dict[str, NotebookResult] = field(default_factory=dict)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike, int)):
        return [value]
    return list(value)


def _check_kernel(kernel: str) -> dict[str, Any]:
    """Return the kernelspec of `kernel`, or raise KernelNotInstalledError."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        hint = (
            (
                "run `make reports` or `python -m ipykernel install --sys-prefix --name kinerja "
                '--display-name "Python (kinerja)"`'
            )
            if kernel == DEFAULT_KERNEL
            else (
                f"install it (`python -m ipykernel install --sys-prefix --name {kernel}`) or pass "
                f"--kernel {DEFAULT_KERNEL}"
            )
        )
        raise KernelNotInstalledError(f"kernel '{kernel}' is not installed: {hint}") from None
    return {
        "name": kernel,
        "display_name": spec.display_name,
        "language": spec.language,
        "argv": list(spec.argv),
        "resource_dir": spec.resource_dir,
    }


def _plan(data, years, out, notebooks, notebook_dir, parameters, overwrite) -> list[_ReportFolder]:
    """Check everything that can be checked before running; build the jobs."""
    problems: list[str] = []

    # Notebooks.
    paths, notebook_problems = _select_notebooks(notebooks, Path(notebook_dir))
    problems += notebook_problems
    specs = [_read_notebook_spec(p) for p in paths]
    for s in specs:
        problems += list(s.problems)

    # User parameters: not standard, declared somewhere, convertible where declared.
    user = dict(parameters or {})
    for name in user:
        if name in STANDARD_PARAMETERS:
            flag = {"data": "--data", "year": "--year", "out_dir": "--out"}[name]
            problems.append(f"parameter '{name}' is set by the runner; use {flag} instead of -p {name}=...")
        elif not any(name in s.parameters for s in specs):
            known = sorted({p for s in specs for p in s.parameters if p not in STANDARD_PARAMETERS})
            problems.append(
                f"unknown parameter '{name}': none of the selected notebooks declares it "
                f"(declared: {', '.join(known) or 'only the standard ones'})"
            )
    per_notebook: dict[str, dict[str, Any]] = {}
    for s in specs:
        values = {}
        for name, value in user.items():
            declared = s.parameters.get(name)
            if declared is None or name in STANDARD_PARAMETERS:
                continue
            try:
                values[name] = coerce_parameter(value, declared.type, declared.default, name=name)
            except ValueError as exc:
                problems.append(
                    f"-p {name}={value}: {exc.args[0].split(': ', 1)[-1]} (declared in {s.path.name} as `{declared}`)"
                )
        per_notebook[s.name] = values

    # Datasets and years.
    wanted_years = sorted({int(y) for y in _as_list(years)})
    datasets: list[tuple[str, Path, list[int]]] = []
    seen: dict[str, Path] = {}
    data = _expand_all(_as_list(data))
    if not data:
        problems.append("no dataset given (e.g. --data batu)")
    for item in data:
        try:
            path = _resolve_dataset(item)
        except Exception as exc:
            problems.append(f"--data {item}: {exc}")
            continue
        name = _dataset_name(path)
        if name in seen:
            if seen[name] != path:
                problems.append(
                    f"datasets {seen[name]} and {path} are both named '{name}'; "
                    f"their reports would overwrite each other"
                )
            continue
        seen[name] = path
        try:
            available = _dataset_years(path)
        except Exception as exc:
            problems.append(f"--data {item}: cannot list its years ({type(exc).__name__}: {exc})")
            continue
        invalid = _validate_dataset(path)
        if invalid:  # every notebook would fail on it: say so once, before anything runs
            problems.append(f"--data {item}: {invalid}")
            continue
        if wanted_years:
            absent = [y for y in wanted_years if y not in available]
            if absent:
                problems.append(
                    f"dataset '{name}' has no year {', '.join(map(str, absent))} "
                    f"(its years: {', '.join(map(str, available)) or 'none'})"
                )
            chosen = [y for y in wanted_years if y in available]
        else:
            chosen = available
            if not available:
                problems.append(f"dataset '{name}' ({path}) has no years")
        datasets.append((name, path, chosen))

    # Report folders.
    hashes = {s.path: _sha256(s.path) for s in specs}
    out = Path(out).expanduser().resolve()
    folders = []
    for name, path, chosen in datasets:
        for year in chosen:
            folder = _ReportFolder(name, path, year, out / name / str(year))
            if folder.path.exists() and any(folder.path.iterdir()):
                if not overwrite:
                    problems.append(_existing_run_message(folder.path))
                elif not (folder.path / PARAMETERS_FILE).is_file():
                    problems.append(
                        f"{folder.path} is not empty and holds no {PARAMETERS_FILE}, so it is not "
                        f"a kinerja report folder; it is not replaced (move it away or choose --out)"
                    )
            for s in specs:
                params = {"data": str(path), "year": year, "out_dir": str(folder.path), **per_notebook.get(s.name, {})}
                for suffix, extra in _variants(s, params):
                    job = _Job(name, path, year, s, folder.path, {**params, **extra}, hashes[s.path], s.name + suffix)
                    folder.jobs.append(job)
            folders.append(folder)

    if problems:
        raise RunConfigurationError(problems)
    return folders


def _variants(spec: NotebookSpec, params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(suffix, parameters)`` of each run of a notebook: one per declared variant value
    (only the value given with -p when there is one), or a single plain run."""
    variants = spec.options.get("variants") or {}
    if not variants:
        return [("", {})]
    ((name, values),) = variants.items()
    declared = spec.parameters[name]
    if name in params:
        values = [params[name]]
    return [(f".{v}", {name: coerce_parameter(v, declared.type, declared.default, name=name)}) for v in values]


def _existing_run_message(folder: Path) -> str:
    when = ""
    try:
        record = json.loads((folder / PARAMETERS_FILE).read_text(encoding="utf-8"))
        when = f" from {record.get('started', '?')} (kinerja {record.get('kinerja_version', '?')})"
    except (OSError, ValueError, AttributeError):
        pass
    return (
        f"{folder} already holds a run{when}; reports are an immutable record of one run: "
        f"pass --overwrite (overwrite=True) to replace it, or choose other --year/--out"
    )


# --------------------------------------------------------------------------- provenance


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).astimezone()


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(PROJ_ROOT), *args], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_state() -> dict[str, Any]:
    """Commit of the project and whether the work tree differs from it (None if unknown)."""
    commit = _git("rev-parse", "--verify", "--quiet", "HEAD")
    commit = commit.strip() if commit else None
    status = _git("status", "--porcelain") if commit else None
    return {"git_commit": commit, "git_dirty": None if status is None else bool(status.strip())}


_DISTRIBUTIONS_SCRIPT = r"""
import importlib.metadata as m, json, sys
out = {}
for d in m.distributions():
    name = d.metadata["Name"] if d.metadata else None
    if name:
        out.setdefault(name.lower().replace("_", "-").replace(".", "-"), (name, d.version))
json.dump(sorted(out.values(), key=lambda nv: nv[0].lower()), sys.stdout)
"""


def _distributions_here() -> list[tuple[str, str]]:
    seen: dict[str, tuple[str, str]] = {}
    for d in importlib.metadata.distributions():
        name = d.metadata["Name"] if d.metadata else None
        if name:
            seen.setdefault(re.sub(r"[-_.]+", "-", name).lower(), (name, d.version))
    return sorted(seen.values(), key=lambda nv: nv[0].lower())


def _kernel_python(kernel_info: Mapping[str, Any]) -> str | None:
    argv = kernel_info.get("argv") or []
    if not argv:
        return None
    exe = argv[0]
    if "python" not in Path(exe).name.lower():
        return None
    return exe if os.path.isabs(exe) else shutil.which(exe)


def _environment_record(kernel_info: Mapping[str, Any]) -> tuple[str, str]:
    """Text of environment.txt, from the interpreter of the kernel; and that interpreter."""
    python = _kernel_python(kernel_info)
    dists = None
    if python and Path(python).parent != Path(sys.executable).parent:
        try:
            done = subprocess.run(
                [python, "-c", _DISTRIBUTIONS_SCRIPT], capture_output=True, text=True, timeout=120, check=True
            )
            dists = [tuple(x) for x in json.loads(done.stdout)]
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            logger.warning(
                "could not list the distributions of the kernel's Python %s (%s); recording those of %s",
                python,
                exc,
                sys.executable,
            )
            python = sys.executable
    if dists is None:
        python = python or sys.executable
        dists = _distributions_here()
    header = [
        "# Installed Python distributions of the environment that ran the notebooks",
        f"# interpreter: {python}",
        f"# runner: Python {platform.python_version()} on {platform.platform()}",
    ]
    return "\n".join(header + [f"{n}=={v}" for n, v in dists]) + "\n", python


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(PROJ_ROOT))
    except ValueError:
        return str(path)


def _write_record(
    folder: _ReportFolder, base: Mapping[str, Any], finished: _dt.datetime | None, interrupted: bool = False
) -> None:
    notebooks = {}
    for job in folder.jobs:
        result = folder.results.get(job.stem)
        entry: dict[str, Any] = {
            "source": _display_path(job.spec.path),
            "sha256": job.source_sha256,
            "parameters": job.parameters,
            "status": result.status if result else "not run",
        }
        if result is not None:
            entry["duration_s"] = round(result.duration, 2)
            entry["error"] = (
                None
                if result.error is None
                else {
                    "cell_index": result.error.cell_index,
                    "execution_count": result.error.execution_count,
                    "source_line": result.error.source_line,
                    "ename": result.error.ename,
                    "evalue": result.error.evalue,
                }
            )
        notebooks[job.stem] = entry
    done = len(folder.results) == len(folder.jobs)
    record = {
        "dataset": folder.dataset,
        "data": str(folder.data_path),
        "year": folder.year,
        **base,
        "finished": finished.isoformat(timespec="seconds") if finished else None,
        "status": ("ok" if all(r.ok for r in folder.results.values()) else "failed")
        if done
        else ("interrupted" if interrupted else "running"),
        "notebooks": notebooks,
    }
    folder.path.mkdir(parents=True, exist_ok=True)
    tmp = folder.path / f".{PARAMETERS_FILE}.tmp"
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(folder.path / PARAMETERS_FILE)


# --------------------------------------------------------------------------- execution


def _kernel_env() -> dict[str, str]:
    """The caller's environment without MPLBACKEND (the kernel then uses the inline backend)."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    return env


#: Kernel managers started by this process (to interrupt them on Ctrl-C).
_LIVE_KERNELS: weakref.WeakSet = weakref.WeakSet()


def _signal_kernels(sig: int) -> None:
    """Send `sig` to every kernel process of this runner that is still alive."""
    for km in list(_LIVE_KERNELS):
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            try:
                process.send_signal(sig)
            except OSError:
                pass


@functools.lru_cache(maxsize=1)
def _kernel_manager_class() -> type:
    """An AsyncKernelManager that starts kernels with :func:`_kernel_env`."""
    import zmq
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class KinerjaKernelManager(AsyncKernelManager):
        @default("transport_encryption")
        def _default_transport_encryption(self):
            # CurveZMQ between runner and kernel when both support it (ipykernel >= 7
            # otherwise warns on every start that it runs unencrypted over TCP).
            has_policy = "transport_encryption" in AsyncKernelManager.class_trait_names()
            return "auto" if has_policy and zmq.has("curve") else "disabled"

        async def _async_pre_start_kernel(self, **kw):
            kw.setdefault("env", _kernel_env())
            _LIVE_KERNELS.add(self)
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # Fork the kernel from the run's fork server when there is one and the
            # command is the one it stands in for; otherwise start it as usual.
            server = _FORK_SERVER.get()
            split = forkserver.split_kernel_command(kernel_cmd) if server is not None else None
            provisioner = self.provisioner
            if split is None or split[0] != server.interpreter or not hasattr(provisioner, "pgid"):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            env = dict(kw.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(server.process.pid)  # the kernel's parent is the server
            cwd = str(kw.get("cwd") or os.getcwd())
            try:
                pid = await asyncio.get_running_loop().run_in_executor(None, server.fork, split[1], env, cwd)
            except forkserver.ForkServerError as exc:
                _warn_fork_fallback(exc)
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            provisioner.process = forkserver.ForkedKernelProcess(pid, server)
            provisioner.pid = provisioner.pgid = pid  # the child leads its own session
            provisioner.cwd = cwd
            self._reconcile_connection_info(provisioner.connection_info)

    return KinerjaKernelManager


#: The fork server of the running :func:`run_collection` (set in each job's context).
_FORK_SERVER: contextvars.ContextVar = contextvars.ContextVar("kinerja_fork_server", default=None)
_FORK_FALLBACK_WARNED: set = set()


def _warn_fork_fallback(exc: BaseException) -> None:
    message = str(exc)
    if message not in _FORK_FALLBACK_WARNED:
        _FORK_FALLBACK_WARNED.add(message)
        logger.warning("fork server not available (%s): kernels start, and PDFs are printed, the usual way", message)


def _start_fork_server(
    kernel_info: Mapping[str, Any], enabled: bool | None, start_timeout: float
) -> forkserver.KernelForkServer | None:
    """The fork server for this run's kernels, or None (see :mod:`kinerja.run.forkserver`).

    ``enabled=None`` means: on Linux, unless ``KINERJA_FORK_KERNELS=0``; and only for a
    kernel started as ``<python> -m ipykernel_launcher``."""
    if enabled is None:
        enabled = os.environ.get("KINERJA_FORK_KERNELS", "1").strip().lower() not in ("0", "false", "no", "off")
    if not enabled or not forkserver.supported():
        return None
    split = forkserver.split_kernel_command(kernel_info.get("argv", []))
    if split is None:
        return None
    try:
        return forkserver.KernelForkServer(split[0], _kernel_env(), PROJ_ROOT, timeout=start_timeout)
    except OSError as exc:
        _warn_fork_fallback(exc)
        return None


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _locate_failure(nb, exc: BaseException, timeout: float) -> tuple[CellFailure, Any]:
    """Find where an executed notebook failed.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook as written by papermill.
    exc : BaseException
        What papermill raised.
    timeout : float
        The cell timeout of the run (for the message of a timeout).

    Returns
    -------
    failure : CellFailure
    cell : NotebookNode or None
        The failing cell, None if the failure is not in a cell.

    Notes
    -----
    A cell that raised has an ``error`` output (papermill raises
    ``PapermillExecutionError`` for the first one). A timeout, a dead kernel or a
    lost connection leaves no error of its own: the failing cell is then the last
    cell that papermill started.
    """
    from papermill.exceptions import PapermillExecutionError

    cells = []  # (index in the source notebook, cell)
    index = -1
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if _PAPERMILL_ERROR_TAG in tags:
            continue
        if _INJECTED_TAG not in tags:
            index += 1  # the injected cell stands for the parameters cell before it
        cells.append((max(index, 0), cell))

    if isinstance(exc, PapermillExecutionError):
        for idx, cell in cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and not (
                    output.get("ename") == "SystemExit" and output.get("evalue") in ("", "0")
                ):
                    return CellFailure(
                        output.get("ename") or "Error",
                        output.get("evalue") or "",
                        idx,
                        cell.get("execution_count"),
                        _first_line(cell.source),
                    ), cell
        for idx, cell in cells:
            if cell.metadata.get("papermill", {}).get("exception") is True:
                return CellFailure(
                    exc.ename, exc.evalue, idx, cell.get("execution_count"), _first_line(cell.source)
                ), cell

    name = type(exc).__name__
    if name == "CellTimeoutError":
        message = f"cell exceeded the timeout of {timeout:g} s (--timeout)"
    elif name == "DeadKernelError":
        message = f"the kernel died ({_shorten(str(exc), 200)}); out of memory?"
    else:
        message = _shorten(str(exc), 300)
    started = [(idx, cell) for idx, cell in cells if cell.metadata.get("papermill", {}).get("start_time")]
    if not started:
        return CellFailure(name, message), None
    idx, cell = started[-1]
    return CellFailure(name, message, idx, cell.get("execution_count"), _first_line(cell.source)), cell


def _execute_in_thread(
    job: _Job, kernel: str, timeout: float, start_timeout: float, server: forkserver.KernelForkServer | None = None
) -> NotebookResult:
    """:func:`_execute` in a pool thread, then close the event loops it left behind.

    jupyter_client creates an asyncio loop per thread (kept in a context variable) and
    never closes it; running the job in its own context lets us find and close it. The
    run's fork server (if any) is given to the kernel manager in the same context.
    """
    context = contextvars.Context()
    context.run(_FORK_SERVER.set, server)
    try:
        return context.run(_execute, job, kernel, timeout, start_timeout)
    finally:
        for value in context.values():
            if isinstance(value, asyncio.AbstractEventLoop) and not value.is_running() and not value.is_closed():
                value.close()
        asyncio.set_event_loop(None)


class _NoAltTextNotice(logging.Filter):
    """nbconvert warns on every figure that it lacks alternative text (matplotlib
    output never has one); it fills in a generic text itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Alternative text is missing")


_html_log = logging.getLogger(f"{__name__}.html")
_html_log.addFilter(_NoAltTextNotice())


_HTML_EXPORTERS = threading.local()


def _html_exporter(template: str, markdown: bool):
    """This thread's exporter for ``template`` (one per thread and configuration: building
    one compiles its Jinja templates, about 0.15 s of CPU each time; rendering with one
    exporter from two threads at once is not something nbconvert promises)."""
    from nbconvert import HTMLExporter

    from kinerja.paths import PACKAGE_DIR

    cache = _HTML_EXPORTERS.__dict__.setdefault("by_config", {})
    key = (template, markdown)
    if key not in cache:
        cache[key] = HTMLExporter(
            extra_template_basedirs=[str(PACKAGE_DIR / "report" / "templates")],
            template_name=template,
            exclude_markdown=not markdown,
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            log=_html_log,
        )
    return cache[key]


def _export_html(nb, name: str, template: str = DEFAULT_TEMPLATE, markdown: bool = True) -> str:
    """The report page: kinerja's template (nbconvert ``lab`` without code, prompts or
    scripts from the network, with print styles; ``report/templates/kinerja``), or the
    notebook's own (``metadata.kinerja.template``), without markdown cells if asked."""
    body, _ = _html_exporter(template, markdown).from_notebook_node(nb, resources={"metadata": {"name": name}})
    return body


def _execute(job: _Job, kernel: str, timeout: float, start_timeout: float) -> NotebookResult:
    """Execute one notebook and export its HTML; never raises for notebook errors."""
    _import_jsonschema_without_iri_grammar()
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    output = job.report_dir / f"{job.stem}.ipynb"
    html = job.report_dir / f"{job.stem}.html"
    job.report_dir.mkdir(parents=True, exist_ok=True)
    raised: BaseException | None = None
    try:
        papermill.execute_notebook(
            str(job.spec.path),
            str(output),
            parameters=job.parameters,
            kernel_name=kernel,
            language="python",
            progress_bar=False,
            request_save_on_cell_execute=True,
            engine_name=_papermill_engine(),
            start_timeout=start_timeout,
            execution_timeout=timeout,
            # Kernel cwd: nbclient starts the kernel in resources["metadata"]["path"]. Not
            # papermill's cwd=, which os.chdir()s the whole (multi-threaded) process.
            resources={"metadata": {"path": str(PROJ_ROOT)}},
            kernel_manager_class=_kernel_manager_class(),
            # Every cell has finished (and written its files) when the kernel is shut down;
            # a graceful shutdown then waited about 1 s per notebook for the kernel's
            # interpreter to tear down pandas, scipy and matplotlib. Kill it instead.
            shutdown_kernel="immediate",
        )
    except Exception as exc:  # a cell raised; or timeout, dead kernel, kernel that did not start
        raised = exc

    error: CellFailure | None = None
    nb = None
    if output.is_file():
        try:
            nb = nbformat.read(output, as_version=4)
        except Exception as exc:
            logger.warning("could not read the executed notebook %s: %s", output, exc)
    if raised is not None:
        if nb is None:
            error = CellFailure(type(raised).__name__, _shorten(str(raised), 300))
        else:
            error, cell = _locate_failure(nb, raised, timeout)
            if cell is not None and cell.cell_type == "code" and not isinstance(raised, PapermillExecutionError):
                # A timeout or dead kernel leaves no error in the cell: record it there, so
                # that the executed notebook and its HTML say why they stop.
                cell.setdefault("outputs", []).append(
                    nbformat.v4.new_output(
                        "error",
                        ename=error.ename,
                        evalue=error.evalue,
                        traceback=[f"{error.ename}: {error.evalue} (recorded by kinerja run)"],
                    )
                )
                nbformat.write(nb, output)
    written: Path | None = None
    if nb is not None:
        try:
            options = job.spec.options
            page = _export_html(
                nb,
                job.stem,
                template=options.get("template", DEFAULT_TEMPLATE),
                markdown=options.get("markdown", True),
            )
            html.write_text(page, encoding="utf-8")
            written = html
        except Exception as exc:
            logger.warning("HTML export of %s failed: %s", output, exc)
            if error is None:
                error = CellFailure(type(exc).__name__, f"HTML export failed: {exc}")
    if written is not None and job.spec.options.get("pdf") and error is None:
        error = _export_pdf(written, job.report_dir / f"{job.stem}.pdf")
    return NotebookResult(
        job.dataset,
        job.year,
        job.stem,
        job.spec.path,
        output,
        written,
        dict(job.parameters),
        time.perf_counter() - start,
        error,
    )


def _export_pdf(html: Path, pdf: Path) -> CellFailure | None:
    """``html`` printed to ``pdf`` (:func:`kinerja.report.brief.html_to_pdf`); the failure,
    if any. In a child of the run's fork server when there is one (on a core of its own,
    with WeasyPrint already imported), else in this process."""
    server = _FORK_SERVER.get()
    if server is not None:
        try:
            server.call("kinerja.report.brief", "html_to_pdf", str(html), str(pdf))
            return None
        except forkserver.ForkServerError as exc:
            if not server.dead:  # the renderer failed: report it as the usual path does
                ename, _, message = str(exc).partition(": ")
                logger.warning("PDF of %s failed: %s", html, exc)
                return CellFailure(ename if message else "ForkServerError", f"PDF export failed: {message or exc}")
            _warn_fork_fallback(exc)
    try:
        from kinerja.report.brief import html_to_pdf

        html_to_pdf(html, pdf)
    except Exception as exc:
        logger.warning("PDF of %s failed: %s", html, exc)
        return CellFailure(type(exc).__name__, f"PDF export failed: {exc}")
    return None


_PAPERMILL_LOGGERS = ("papermill", "papermill.translators")


class _QuietPapermillInspector(logging.Filter):
    """Drop papermill's parameter-inspection warnings: the runner validated the parameters.

    papermill re-inspects the parameters cell with a regular expression that cannot
    read some valid declarations (a second ``=`` in the comment), then warns
    "Passed unknown parameter" for parameters the notebook does declare.
    """

    _NOISE = ("Passed unknown parameter", "Unable to parse line")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self._NOISE)


class _QuietKilledKernelPoll(logging.Filter):
    """Drop asyncio's "Task was destroyed but it is pending!" for nbclient's output poll.

    Kernels are killed as soon as their notebook ends (``shutdown_kernel="immediate"``).
    When a cell timed out, nbclient's task polling that kernel's output is still pending
    then, and asyncio reports it when the task is garbage-collected, after the runner has
    already said which cell timed out. Only that task's report is dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # asyncio's message is "Task was destroyed but it is pending!\ntask: <Task ...>"
        message = record.getMessage()
        return not (message.startswith("Task was destroyed but it is pending") and "_async_poll_output_msg" in message)


_KILLED_KERNEL_POLL = _QuietKilledKernelPoll()


#: While a notebook runs, its output notebook is rewritten at most this often (seconds).
SAVE_EVERY = 2.0
_ENGINE = "kinerja"


@functools.cache
def _sparse_saves_engine() -> type:
    """papermill's nbclient engine with sparse saves (see :func:`_papermill_engine`)."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager

    class SparseSaves(NotebookExecutionManager):
        def save(self, **kwargs):
            running = self.end_time is None
            if running and (self.now() - self.last_save_time).total_seconds() < SAVE_EVERY:
                if kwargs.get("nb") is not None:  # what papermill's decorator would do
                    self.nb = kwargs["nb"]
                return
            super().save(**kwargs)

    class SparseSavesEngine(NBClientEngine):
        """papermill's ``Engine.execute_notebook`` with :class:`SparseSaves` as manager."""

        @classmethod
        def execute_notebook(
            cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kw
        ):
            nb_man = SparseSaves(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kw)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return SparseSavesEngine


def _papermill_engine() -> str:
    """Register and name papermill's nbclient engine with sparse saves.

    papermill rewrites the whole output notebook when each cell starts and again when it
    ends: 40 writes of a notebook growing to 1.4 MB for notebook 01, 0.44 s of its 10 s,
    and 2.6 s of the runner's CPU in a run of the collection, taken from the kernels on a
    two-core machine. This engine writes it at most every :data:`SAVE_EVERY` seconds while
    cells run (someone watching the file still sees it fill in), and always once at the
    end: after the last cell, after a failing cell, a timeout or an interrupt (papermill
    completes the notebook in a ``finally``).
    """
    from papermill.engines import papermill_engines

    # registered on every run, not once: the name must resolve even if papermill's
    # registry was rebuilt (the classes themselves are made once)
    papermill_engines.register(_ENGINE, _sparse_saves_engine())
    return _ENGINE


class _Progress:
    """A tqdm bar over the jobs and one line per finished job (or log records if quiet)."""

    def __init__(self, total: int, enabled: bool):
        self.enabled = enabled
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=total, unit="notebook", desc="kinerja run", file=sys.stderr, dynamic_ncols=True, leave=False
            )

    def done(self, result: NotebookResult) -> None:
        if result.ok:
            line = f"ok      {result.label}  {result.duration:.1f} s"
        else:
            line = f"FAILED  {result.label}  {result.duration:.1f} s  ({result.error})"
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
            self.bar.update(1)
        else:
            logger.info(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _warm_pdf_renderer() -> threading.Thread:
    """Import the PDF renderer (WeasyPrint, about 0.7 s) in a background thread.

    The PDFs are the last step of a run: the brief waits for every other notebook of its
    folder, then its HTML is rendered. Imported there, the import ran while one core had
    nothing else to do; imported here, it overlaps the kernels. A failing import is left
    to the PDF step, which reports it for its notebook.
    """

    def work() -> None:
        try:
            import weasyprint  # noqa: F401

            import kinerja.report.brief  # noqa: F401
        except Exception:  # reported by the PDF step
            pass

    thread = threading.Thread(target=work, name="kinerja-pdf-warm-up", daemon=True)
    thread.start()
    return thread


def run_collection(
    data: str | os.PathLike | Sequence[str | os.PathLike],
    years: int | Iterable[int] | None = None,
    out: str | os.PathLike = REPORTS_DIR,
    notebooks: Iterable[str | os.PathLike] | None = None,
    parameters: Mapping[str, Any] | None = None,
    jobs: int = 1,
    kernel: str = DEFAULT_KERNEL,
    timeout: float = DEFAULT_TIMEOUT,
    start_timeout: float = DEFAULT_START_TIMEOUT,
    overwrite: bool = False,
    progress: bool = True,
    notebook_dir: str | os.PathLike = NOTEBOOKS_DIR,
    fork_kernels: bool | None = None,
) -> RunSummary:
    """Execute the report notebooks for datasets and years, writing report folders.

    Parameters
    ----------
    data : str or path, or a sequence of them
        Datasets: a folder name under ``data/`` (``"batu"``), or a path to a dataset
        folder or ``.xlsx`` workbook.
    years : int or iterable of int, optional
        Evaluation years to run. Default: every year of each dataset. A year missing
        from a dataset is refused.
    out : path, default REPORTS_DIR
        Reports go to ``<out>/<dataset>/<year>/``.
    notebooks : iterable of str or path, optional
        Notebook names (or unique prefixes, e.g. ``"01"``) in `notebook_dir`, or
        paths to notebooks. Default: all notebooks of `notebook_dir`.
    parameters : mapping, optional
        Extra parameters by name. Strings are converted to the type each notebook
        declares (see :func:`coerce_parameter`); each notebook receives only the
        parameters it declares. The standard parameters cannot be given here.
    jobs : int, default 1
        Notebooks executed at the same time (each in its own kernel).
    kernel : str, default "kinerja"
        Jupyter kernel to execute with (always named, never taken from the notebook).
    timeout : float, default 1200
        Seconds a single cell may run before the notebook fails.
    start_timeout : float, default 120
        Seconds to wait for a kernel to start.
    overwrite : bool, default False
        Replace report folders that already hold a run. Without it such folders are
        refused: a report folder records exactly one run.
    progress : bool, default True
        Show a progress bar and one line per finished notebook on stderr. If False,
        the lines go to the ``kinerja.run`` logger at INFO level.
    notebook_dir : path, default NOTEBOOKS_DIR
        Folder of the collection.
    fork_kernels : bool, optional
        Fork kernels from one process that has imported pandas, SciPy, matplotlib,
        seaborn, statsmodels and kinerja once (:mod:`kinerja.run.forkserver`), instead
        of starting each kernel from scratch: a kernel then starts in a fraction of a
        second instead of about 3 s of imports. Default: on Linux, unless the
        environment variable ``KINERJA_FORK_KERNELS`` is ``0``. Only kernels started as
        ``python -m ipykernel_launcher`` are forked; any other kernel, or a server that
        fails, falls back to the usual start (with a warning). A run of one kernel always
        starts it the usual way.

    Returns
    -------
    RunSummary
        One result per (dataset, year, notebook); ``summary.ok`` is False if any
        notebook failed. Notebook failures do not raise.

    Raises
    ------
    KernelNotInstalledError
        If `kernel` is not installed.
    RunConfigurationError
        If the run is refused (see the module docstring); nothing has been run.

    Notes
    -----
    Each notebook is executed by papermill into ``<notebook>.ipynb`` and exported to
    ``<notebook>.html`` (nbconvert ``lab`` template, no code, no prompts, images
    embedded). Kernels start in the project root with the caller's environment minus
    ``MPLBACKEND``. ``parameters.json`` is written when a folder's first notebook
    starts (status ``running``) and rewritten when its last notebook ends.
    """
    if int(jobs) < 1:
        raise RunConfigurationError(f"jobs must be at least 1, got {jobs}")
    if not timeout or timeout <= 0:
        raise RunConfigurationError(f"timeout must be a positive number of seconds, got {timeout}")
    if not start_timeout or start_timeout <= 0:
        raise RunConfigurationError(f"start_timeout must be a positive number of seconds, got {start_timeout}")
    kernel_info = _check_kernel(kernel)
    # started first: its imports run while the plan is checked
    server = _start_fork_server(kernel_info, fork_kernels, start_timeout)
    with contextlib.ExitStack() as cleanup:
        if server is not None:
            cleanup.callback(server.close)  # also when the plan refuses the run
        folders = _plan(data, years, out, notebooks, notebook_dir, parameters, overwrite)

        started = _now()
        environment, python = _environment_record(kernel_info)
        base = {
            "started": started.isoformat(timespec="seconds"),
            "kinerja_version": _kinerja_version(),
            **_git_state(),
            "kernel": {"name": kernel, "display_name": kernel_info["display_name"], "python": python},
            "execution_timeout_s": timeout,
            "runner": {"python": platform.python_version(), "platform": platform.platform(), "jobs": int(jobs)},
        }
        for folder in folders:
            if overwrite and folder.path.exists():
                shutil.rmtree(folder.path)
            folder.path.mkdir(parents=True, exist_ok=True)
            (folder.path / ENVIRONMENT_FILE).write_text(environment, encoding="utf-8")
            _write_record(folder, base, None)

        all_jobs = [job for folder in folders for job in folder.jobs]
        if server is not None and len(all_jobs) < 2:
            # one kernel: it would wait for the server's imports, which include modules it
            # may not need; a kernel started the usual way is as fast
            server.close()
            server = None
        folder_of = {id(job): folder for folder in folders for job in folder.jobs}
        # WeasyPrint is imported by the fork server when there is one (its children print the PDFs)
        warm = _warm_pdf_renderer() if server is None and any(job.spec.options.get("pdf") for job in all_jobs) else None
        bar = _Progress(len(all_jobs), progress)

        def finished(job: _Job, result: NotebookResult) -> None:
            folder = folder_of[id(job)]
            if job.stem in folder.results:
                return
            folder.results[job.stem] = result
            bar.done(result)
            # the record says after each notebook what has run (a brief reads it)
            _write_record(folder, base, _now() if len(folder.results) == len(folder.jobs) else None)

        noise = _QuietPapermillInspector()
        for name in _PAPERMILL_LOGGERS:
            logging.getLogger(name).addFilter(noise)
        # stays installed: the pending task is reported when it is collected, which can be
        # after this function has returned (adding the same filter twice is a no-op)
        logging.getLogger("asyncio").addFilter(_KILLED_KERNEL_POLL)
        # Notebooks always run in worker threads, so that Ctrl-C reaches this thread (nbclient
        # takes over SIGINT when it runs in the main thread) and stops the run cleanly.
        pool = ThreadPoolExecutor(max_workers=int(jobs), thread_name_prefix="kinerja-run")
        futures: dict[Any, _Job] = {}
        # Jobs are handed to the pool one free worker at a time, so that a notebook released by
        # its folder (the brief) starts next, not after every other dataset's notebooks.
        ready = [job for job in all_jobs if not job.after]
        waiting = [job for job in all_jobs if job.after]  # start when the rest of their folder has finished

        def release() -> None:
            freed = []
            for job in list(waiting):
                folder = folder_of[id(job)]
                if all(j.stem in folder.results for j in folder.jobs if not j.after):
                    waiting.remove(job)
                    freed.append(job)
            ready[:0] = freed

        def fill(pending: set) -> None:
            while ready and len(pending) < int(jobs):
                job = ready.pop(0)
                future = pool.submit(_execute_in_thread, job, kernel, timeout, start_timeout, server)
                futures[future] = job
                pending.add(future)

        try:
            pending: set = set()
            release()
            fill(pending)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: all_jobs.index(futures[f])):
                    finished(futures[future], future.result())
                release()
                fill(pending)
        except KeyboardInterrupt:
            _stop_running_notebooks(futures, finished)
            for folder in folders:
                if len(folder.results) < len(folder.jobs):
                    _write_record(folder, base, _now(), interrupted=True)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if warm is not None:
                warm.join()  # never leave an import running into interpreter shutdown
            bar.close()
            for name in _PAPERMILL_LOGGERS:
                logging.getLogger(name).removeFilter(noise)
            if folders:
                try:
                    from kinerja.run.index import write_index

                    write_index(folders[0].path.parent.parent)
                except Exception as exc:  # the index is a convenience: never lose the run over it
                    logger.warning("could not write the index page: %s", exc)

        results = [folder.results[job.stem] for folder in folders for job in folder.jobs]
        return RunSummary(results, [f.path for f in folders], started, _now())


def _stop_running_notebooks(futures: Mapping[Any, _Job], finished) -> None:
    """After Ctrl-C: run nothing more, interrupt the running cells, collect their results.

    A terminal sends SIGINT to the kernels too; kernels still busy after a grace period
    are interrupted here. A second Ctrl-C kills them.
    """
    for future in futures:
        future.cancel()
    running = [f for f in futures if not f.cancelled()]
    try:
        wait(running, timeout=3)
        _signal_kernels(signal.SIGINT)
        for future in as_completed(running):
            if future.exception() is None:
                finished(futures[future], future.result())
    except KeyboardInterrupt:
        _signal_kernels(signal.SIGKILL)


def _kinerja_version() -> str:
    try:
        return importlib.metadata.version("kinerja")
    except importlib.metadata.PackageNotFoundError:
        from kinerja import __version__

        return __version__
