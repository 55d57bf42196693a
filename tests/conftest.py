"""Suite-wide pytest configuration.

Also the guard that the test suite never touches a user's reports: the digest of every
file under ``reports/`` is taken when the session starts and compared when it ends
(in the controlling process, so once per ``make test`` whatever the number of xdist
workers); any change fails the run and names the files.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from hypothesis import settings

from kinerja.paths import REPORTS_DIR
from kinerja.run.runner import DEFAULT_KERNEL

# Fixture notebooks of the runner tests are inputs (some fail on purpose), not notebooks
# for nbval to execute.
collect_ignore_glob = ["run/fixtures/*"]

# CI runs the property tests derandomized (the same examples every run, so a red CI
# is reproducible) and without per-example deadlines (CI machines are shared and slow).
# Developers get hypothesis' random exploration, which is how the rounding-noise bugs in
# the kappa SEs were found.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def reports_digest(root=REPORTS_DIR) -> dict[str, str]:
    """``relative path -> sha256`` of every file under ``root`` (empty when absent)."""
    out = {}
    if root.exists():
        for p in sorted(root.rglob("*")):
            if p.is_file():
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _is_controller(config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session):
    if _is_controller(session.config):
        session.config._kinerja_reports_before = reports_digest()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_kinerja_reports_before", None)
    if before is None:
        return
    after = reports_digest()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        msg = (
            f"the test suite changed {len(changed)} file(s) under {REPORTS_DIR} (tests must write to temporary "
            f"folders only): {', '.join(changed[:10])}"
        )
        if reporter:
            reporter.write_line(f"ERROR: {msg}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def kinerja_kernel() -> str:
    """The ``kinerja`` Jupyter kernel, installed into the running environment if missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(DEFAULT_KERNEL)
    except NoSuchKernel:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ipykernel",
                "install",
                "--sys-prefix",
                "--name",
                DEFAULT_KERNEL,
                "--display-name",
                "Python (kinerja)",
            ],
            check=True,
            capture_output=True,
        )
    return DEFAULT_KERNEL
