"""Kernels forked from the run's fork server (kinerja.run.forkserver).

What a forked kernel must be: the same as a kernel started by ``python -m
ipykernel_launcher`` for everything a notebook can see (working directory, path,
environment, matplotlib backend, outputs), in its own session, killed with the run; and
when the server cannot help, the run falls back to the usual start.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time

import nbformat
import numpy as np
import pytest
from PIL import Image

from kinerja.paths import PROJ_ROOT
from kinerja.run import forkserver
from kinerja.run import runner as run

pytestmark = pytest.mark.skipif(not forkserver.supported(), reason="kernels are forked on Linux only")

PROBE = """\
import json, os, sys
preloaded = "kinerja.data.grades" in sys.modules
import matplotlib.pyplot as plt
fig = plt.figure(); plt.close(fig)
print("PROBE" + json.dumps({
    "pid": os.getpid(), "ppid": os.getppid(), "sid": os.getsid(0), "cwd": os.getcwd(),
    "path0": sys.path[:2], "argv0": os.path.basename(sys.argv[0]),
    "mplbackend": os.environ.get("MPLBACKEND"), "backend": plt.get_backend(),
    "preloaded": preloaded, "jpy_parent": os.environ.get("JPY_PARENT_PID"),
    "probe_env": os.environ.get("KINERJA_PROBE"),
}))
"""


def code_notebook(folder, name, code):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python (kinerja)", "language": "python", "name": "kinerja"}}
    params = nbformat.v4.new_code_cell('data: str = "toy"\nyear: int = 2020\nout_dir: str = ""')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(code)]
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def probe_notebook(folder, name="probe"):
    return code_notebook(folder, name, PROBE)


def probes(summary):
    out = {}
    for result in summary.results:
        nb = nbformat.read(result.output, as_version=4)
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
        out[result.notebook] = json.loads(text.split("PROBE", 1)[1])
    return out


@pytest.fixture
def small_preload(monkeypatch):
    """A server that imports less than the real list, but pandas and pyplot (so that it
    warms them up), plus one kinerja module the probe looks for."""
    monkeypatch.setattr(
        forkserver, "PRELOAD", ("pandas", "matplotlib.pyplot", "kinerja.data.grades", "ipykernel.kernelapp")
    )


@pytest.fixture
def servers(monkeypatch):
    """The fork servers started by runs in this test."""
    started = []
    original = run._start_fork_server

    def spy(*args, **kwargs):
        server = original(*args, **kwargs)
        started.append(server)
        return server

    monkeypatch.setattr(run, "_start_fork_server", spy)
    return started


def test_split_kernel_command():
    assert forkserver.split_kernel_command(["py", "-m", "ipykernel_launcher", "-f", "c.json"]) == (
        ["py"],
        ["-f", "c.json"],
    )
    assert forkserver.split_kernel_command(["py", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "x"]) == (
        ["py", "-Xfrozen_modules=off"],
        ["-f", "x"],
    )
    # anything else before -m changes what runs: not ours to stand in for
    assert forkserver.split_kernel_command(["py", "-c", "pass", "-m", "ipykernel_launcher"]) is None
    assert forkserver.split_kernel_command(["py", "-m", "other_kernel", "-f", "x"]) is None
    assert forkserver.split_kernel_command(["ipykernel_launcher"]) is None


def test_forked_kernel_looks_like_a_fresh_one(tmp_path, toy_dataset, small_preload, servers, monkeypatch):
    monkeypatch.setenv("KINERJA_PROBE", "seen")
    notebooks = [probe_notebook(tmp_path, "one"), probe_notebook(tmp_path, "two")]
    forked = run.run_collection(
        toy_dataset, years=2020, out=tmp_path / "fork", notebooks=notebooks, jobs=2, progress=False, fork_kernels=True
    )
    cold = run.run_collection(
        toy_dataset, years=2020, out=tmp_path / "cold", notebooks=notebooks, jobs=2, progress=False, fork_kernels=False
    )
    assert forked.ok and cold.ok
    server = servers[0]
    assert server is not None and servers[1] is None
    f, c = probes(forked), probes(cold)
    for name in ("one", "two"):
        # forked from the server, each in a session of its own (as the usual launcher does)
        assert f[name]["ppid"] == server.process.pid
        assert f[name]["sid"] == f[name]["pid"]
        assert f[name]["jpy_parent"] == str(server.process.pid)
        assert f[name]["preloaded"] is True
        assert c[name]["ppid"] == os.getpid()
        assert c[name]["sid"] == c[name]["pid"]
        assert c[name]["preloaded"] is False
        # what a notebook can see is the same
        for key in ("cwd", "path0", "argv0", "mplbackend", "backend", "probe_env"):
            assert f[name][key] == c[name][key], key
    assert f["one"]["cwd"] == str(PROJ_ROOT)
    assert f["one"]["probe_env"] == "seen"
    assert f["one"]["backend"] == "module://matplotlib_inline.backend_inline"
    assert f["one"]["pid"] != f["two"]["pid"]
    # the server is gone with the run, and its kernels with it
    assert server.process.returncode is not None
    for name in ("one", "two"):
        with pytest.raises(ProcessLookupError):
            os.kill(f[name]["pid"], 0)


def test_one_kernel_is_started_the_usual_way(tmp_path, toy_dataset, small_preload, servers):
    summary = run.run_collection(
        toy_dataset,
        years=2020,
        out=tmp_path,
        notebooks=[probe_notebook(tmp_path)],
        progress=False,
        fork_kernels=True,
    )
    assert summary.ok
    assert probes(summary)["probe"]["ppid"] == os.getpid()
    assert servers[0].process.returncode is not None  # started early, stopped once the plan said one kernel


def test_switched_off_by_environment(monkeypatch):
    info = run._check_kernel(run.DEFAULT_KERNEL)
    monkeypatch.setenv("KINERJA_FORK_KERNELS", "0")
    assert run._start_fork_server(info, None, 10) is None
    assert run._start_fork_server({"argv": ["R", "-f", "{connection_file}"]}, True, 10) is None


def test_falls_back_when_the_server_dies(tmp_path, toy_dataset, monkeypatch, caplog):
    monkeypatch.setattr(forkserver, "_SERVER_MAIN", "import sys; sys.exit(3)")
    run._FORK_FALLBACK_WARNED.clear()
    notebooks = [probe_notebook(tmp_path, "one"), probe_notebook(tmp_path, "two")]
    with caplog.at_level(logging.WARNING, logger="kinerja.run"):
        summary = run.run_collection(
            toy_dataset, years=2020, out=tmp_path / "out", notebooks=notebooks, jobs=2, progress=False
        )
    assert summary.ok, summary.failure_table()
    assert all(p["ppid"] == os.getpid() for p in probes(summary).values()), probes(summary)
    warnings = [r.getMessage() for r in caplog.records if "usual way" in r.getMessage()]
    assert len(warnings) == 1 and "fork server" in warnings[0], [r.getMessage() for r in caplog.records]


def test_forked_kernels_time_out_and_die_like_usual_ones(tmp_path, toy_dataset, small_preload, servers):
    notebooks = [
        code_notebook(tmp_path, "sleeps", "import os, time\nprint('PID', os.getpid(), flush=True)\ntime.sleep(60)"),
        code_notebook(tmp_path, "dies", "import os\nos._exit(3)"),
        probe_notebook(tmp_path, "fine"),
    ]
    start = time.monotonic()
    summary = run.run_collection(
        toy_dataset, years=2020, out=tmp_path / "out", notebooks=notebooks, jobs=3, timeout=3, progress=False
    )
    assert time.monotonic() - start < 45
    assert servers[0] is not None
    results = {r.notebook: r for r in summary.results}
    assert results["sleeps"].error.ename == "CellTimeoutError"
    assert results["dies"].error is not None and "Dead" in results["dies"].error.ename
    assert results["fine"].ok
    nb = nbformat.read(results["sleeps"].output, as_version=4)
    pid = int("".join(o.get("text", "") for o in nb.cells[-1].outputs).split()[1])
    assert _gone(pid)  # the timed-out kernel was killed


def _connection_file(tmp_path):
    from jupyter_client.connect import write_connection_file

    path, _ = write_connection_file(str(tmp_path / "kernel.json"))
    return path


def _gone(pid, within=10.0):
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_status_signals_and_close(tmp_path):
    interpreter = [sys.executable]
    server = forkserver.KernelForkServer(
        interpreter, run._kernel_env(), PROJ_ROOT, preload=("json",), preload_idle=(), timeout=60
    )
    try:
        env = run._kernel_env()
        first = forkserver.ForkedKernelProcess(server.fork(["-f", _connection_file(tmp_path)], env, tmp_path), server)
        second = forkserver.ForkedKernelProcess(server.fork(["-f", _connection_file(tmp_path)], env, tmp_path), server)
        assert first.poll() is None and second.poll() is None
        assert os.getsid(first.pid) == first.pid
        first.kill()
        assert first.wait(10) == -signal.SIGKILL
        with pytest.raises(forkserver.ForkServerError, match="not forked by this server"):
            server._ask({"op": "status", "pid": os.getpid()}, 10)
    finally:
        server.close()
    # closing the server kills the kernels it still had
    assert _gone(second.pid)
    server.close()  # twice is harmless


@pytest.mark.slow
@pytest.mark.notebooks
def test_forked_and_usual_kernels_write_the_same_reports(tmp_path):
    """Two real notebooks on the bundled data, forked and started the usual way: every
    results table byte for byte and every figure pixel for pixel."""
    kw = dict(years=2020, notebooks=["01", "02"], jobs=2, progress=False)
    forked = run.run_collection("batu", out=tmp_path / "fork", fork_kernels=True, **kw)
    cold = run.run_collection("batu", out=tmp_path / "cold", fork_kernels=False, **kw)
    assert forked.ok and cold.ok
    a, b = tmp_path / "fork" / "batu" / "2020", tmp_path / "cold" / "batu" / "2020"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.suffix in (".csv", ".png", ".svg"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.suffix in (".csv", ".png", ".svg"))
    assert sum(p.suffix == ".png" for p in files) >= 5 and sum(p.suffix == ".csv" for p in files) >= 10
    for rel in files:
        if rel.suffix == ".png":
            assert np.array_equal(np.asarray(Image.open(a / rel)), np.asarray(Image.open(b / rel))), rel
        else:
            assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_call_runs_a_function_in_a_forked_child_and_reports_its_error(tmp_path):
    server = forkserver.KernelForkServer(
        [sys.executable], run._kernel_env(), PROJ_ROOT, preload=("json",), preload_idle=(), timeout=60
    )
    try:
        src = tmp_path / "a.txt"
        src.write_text("kinerja", encoding="utf-8")
        server.call("shutil", "copyfile", str(src), str(tmp_path / "b.txt"))
        assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "kinerja"
        with pytest.raises(forkserver.ForkServerError, match=r"^FileNotFoundError: .*missing\.txt"):
            server.call("shutil", "copyfile", str(tmp_path / "missing.txt"), str(tmp_path / "c.txt"))
        assert server.dead is None  # a failing call is the function's failure, not the server's
    finally:
        server.close()


def test_forked_children_start_with_the_servers_objects_frozen(tmp_path):
    """The imported stack the server holds is out of the children's garbage collection
    (gc.freeze before fork): their full passes neither walk it nor write to its pages."""
    server = forkserver.KernelForkServer(
        [sys.executable], run._kernel_env(), PROJ_ROOT, preload=("json",), preload_idle=(), timeout=60
    )
    try:
        out = tmp_path / "frozen.txt"
        script = tmp_path / "count.py"
        script.write_text(f"import gc\nopen({str(out)!r}, 'w').write(str(gc.get_freeze_count()))\n", encoding="utf-8")
        server.call("runpy", "run_path", str(script))
        assert int(out.read_text(encoding="utf-8")) > 1_000
    finally:
        server.close()


@pytest.mark.slow
def test_pdf_printed_by_a_forked_child_is_the_same_file(tmp_path, monkeypatch, caplog):
    """The runner prints PDFs in children of the fork server: byte for byte what the
    in-process path writes; with a dead server it falls back to printing in-process."""
    from kinerja.report.brief import html_to_pdf

    html = tmp_path / "brief.html"
    html.write_text("<html><body><h1>Ringkasan</h1><p>Satu halaman.</p></body></html>", encoding="utf-8")
    html_to_pdf(html, tmp_path / "here.pdf")
    server = forkserver.KernelForkServer(
        [sys.executable], run._kernel_env(), PROJ_ROOT, preload=("kinerja.report.brief",), preload_idle=(), timeout=60
    )
    try:
        token = run._FORK_SERVER.set(server)
        assert run._export_pdf(html, tmp_path / "child.pdf") is None
        failure = run._export_pdf(tmp_path / "missing.html", tmp_path / "none.pdf")
        assert failure is not None and failure.evalue.startswith("PDF export failed")
    finally:
        run._FORK_SERVER.reset(token)
        server.close()
    assert (tmp_path / "child.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    # the server gone: printed here, with a warning
    run._FORK_FALLBACK_WARNED.clear()
    token = run._FORK_SERVER.set(server)
    try:
        with caplog.at_level(logging.WARNING, logger="kinerja.run"):
            assert run._export_pdf(html, tmp_path / "fallback.pdf") is None
    finally:
        run._FORK_SERVER.reset(token)
    assert (tmp_path / "fallback.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()
    assert any("usual way" in r.getMessage() for r in caplog.records)
