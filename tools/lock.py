"""Regenerate the lock files and environment.yml from pyproject.toml (``make lock``).

Builds two throw-away virtual environments, installs the project's dependencies
(runtime; runtime + test extras) at their newest versions, and freezes them:

* ``requirements.lock``      exact versions for ``make reports``;
* ``requirements-dev.lock``  exact versions for ``make test`` (runtime + test extras);
* ``environment.yml``        the same direct dependencies, pinned, for conda users.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = "# Exact versions installed by make; regenerate with `make lock`. Do not edit by hand.\n"


def _req_name(req: str) -> str:
    for sep in "<>=!~[; ":
        req = req.split(sep)[0]
    return req.strip().lower().replace("_", "-")


def freeze(extras: str) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "-q", f"{ROOT}{extras}"], check=True)
        out = subprocess.run([*pip, "freeze", "--exclude", "kinerja"], check=True, capture_output=True, text=True)
    return sorted((line for line in out.stdout.splitlines() if line and not line.startswith("-e")), key=str.lower)


def main() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = freeze("")
    dev = freeze("[test]")
    (ROOT / "requirements.lock").write_text(HEADER + "\n".join(runtime) + "\n")
    (ROOT / "requirements-dev.lock").write_text(HEADER + "\n".join(dev) + "\n")
    pins = {line.split("==")[0].lower().replace("_", "-"): line.split("==")[1] for line in dev}
    direct = [_req_name(r) for r in meta["dependencies"]] + [
        _req_name(r) for r in meta["optional-dependencies"]["test"]
    ]
    lines = [
        "# Conda environment for kinerja; generated from requirements-dev.lock by `make lock`.",
        "# The same packages at the same versions as the lock (tests/test_environment.py checks).",
        "name: kinerja",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
    ]
    lines += [f"  - {name}={pins[name]}" for name in direct]
    lines += ["  - pip:", "      - -e ."]
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n")
    print(f"locked {len(runtime)} runtime and {len(dev)} dev packages")


if __name__ == "__main__":
    main()
