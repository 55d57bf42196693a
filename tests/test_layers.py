"""The package's layers: lower layers never import higher ones, and the short public
names are the layered modules themselves."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import kinerja
from kinerja.paths import PACKAGE_DIR

#: Layers from the bottom up; a module may import from its own layer and those below.
LAYERS = ["data", "stats", "analyses", "report", "run"]


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "kinerja" or len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def _imports(path: Path, module: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target


def _modules():
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        module = ".".join(rel.parts)
        if module.endswith(".__init__"):
            module = module[: -len(".__init__")]
        yield path, module


def test_lower_layers_never_import_higher_ones():
    problems = []
    for path, module in _modules():
        own = _layer(module)
        if own is None:
            continue
        for line, target in _imports(path, module):
            if target.startswith("kinerja.") and target.split(".")[1] in kinerja.PUBLIC_NAMES:
                target = kinerja._PublicNameFinder.real_name(target) or target
            other = _layer(target)
            if other is not None and other > own:
                problems.append(f"{path.relative_to(PACKAGE_DIR)}:{line} ({LAYERS[own]}) imports {target}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("short", sorted(kinerja.PUBLIC_NAMES))
def test_public_names_are_the_layered_modules(short):
    alias = importlib.import_module(f"kinerja.{short}")
    real = importlib.import_module(kinerja.PUBLIC_NAMES[short])
    assert alias is real
    assert getattr(kinerja, short) is real
    assert real.__spec__.name == kinerja.PUBLIC_NAMES[short]  # the alias leaves the real spec alone


def test_submodules_of_aliases_are_not_loaded_twice():
    from kinerja.agreement import _icc as via_alias
    from kinerja.stats.agreement import _icc as real

    assert via_alias is real


def test_moved_summary_helpers_warn_and_still_work():
    import kinerja.agreement as agreement
    from kinerja.analyses.agreement import agreement_summary

    with pytest.warns(DeprecationWarning, match="kinerja.analyses.agreement"):
        assert agreement.agreement_summary is agreement_summary


def test_documented_module_commands_run_under_their_public_names():
    """`python -m kinerja.synth` (data/README.md, `make data`'s docs) crashed in runpy:
    the alias loader gave no code to run."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "kinerja.synth", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: python -m kinerja.synth")
