"""The environment files agree: pyproject (direct deps), the locks, and environment.yml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kinerja.paths import PROJ_ROOT


def _norm(name: str) -> str:
    return re.split(r"[<>=!~\[; ]", name, maxsplit=1)[0].strip().lower().replace("_", "-")


def _lock(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{path.name}: '{line}' is not pinned with =="
            pins[_norm(name)] = version
    return pins


def _direct() -> tuple[list[str], list[str]]:
    meta = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    return [_norm(r) for r in meta["dependencies"]], [_norm(r) for r in meta["optional-dependencies"]["test"]]


def _environment_yml() -> dict[str, str]:
    pins = {}
    for line in (PROJ_ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^  - ([A-Za-z0-9_.-]+)=([^=\s]+)$", line)
        if m and m.group(1) != "python":
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def test_locks_pin_every_direct_dependency():
    runtime, test = _direct()
    run_lock, dev_lock = _lock(PROJ_ROOT / "requirements.lock"), _lock(PROJ_ROOT / "requirements-dev.lock")
    assert set(runtime) <= set(run_lock), set(runtime) - set(run_lock)
    assert set(runtime + test) <= set(dev_lock), set(runtime + test) - set(dev_lock)
    # the runtime lock is a consistent subset of the dev lock
    for name, version in run_lock.items():
        assert dev_lock.get(name) == version, f"{name}: {version} (runtime) vs {dev_lock.get(name)} (dev)"


def test_environment_yml_names_the_same_packages_as_the_lock():
    runtime, test = _direct()
    env = _environment_yml()
    assert set(env) == set(runtime + test)
    dev_lock = _lock(PROJ_ROOT / "requirements-dev.lock")
    for name, version in env.items():
        assert dev_lock[name] == version, f"environment.yml pins {name}={version}, the lock {dev_lock[name]}"


def test_design_card_packages_are_declared():
    runtime, test = _direct()
    for pkg in ("jupyterlab", "pandas", "seaborn", "statsmodels", "papermill"):
        assert pkg in runtime
    assert "nbval" in test


def test_nothing_reads_the_shared_folder_at_run_or_test_time():
    """A user's clone has no ../shared: code, notebooks and tests must not point there."""
    offenders = []
    for pattern in ("lib/**/*.py", "tests/**/*.py", "notebooks/*.ipynb", "benchmarks/*.py", "Makefile", ".ci/run"):
        for path in PROJ_ROOT.glob(pattern):
            if path.resolve() == Path(__file__).resolve():
                continue
            text = path.read_text(errors="ignore")
            if re.search(r"\.\./shared|/work/shared", text):
                offenders.append(str(path.relative_to(PROJ_ROOT)))
    assert not offenders, offenders
