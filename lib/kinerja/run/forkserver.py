"""Start notebook kernels by forking one process that has already imported the stack.

Every report notebook's kernel pays the same start-up before its first line of analysis:
starting Python and ipykernel, importing pandas, SciPy, matplotlib, seaborn and kinerja
(about 3 s of CPU on the bundled data's machine; issue 7 calls it the floor). A whole
``make reports`` starts 64 kernels, so the floor was most of its time. The fork server
pays the imports once: a process started with the kernel's own interpreter and
environment imports :data:`PRELOAD` and then, for every kernel the runner asks for,
forks a child that becomes an ipykernel with the runner's connection file. The child
shares the imported modules (copy on write) and starts in a fraction of a second. The
runner also has the briefs' PDFs printed by forked children (:meth:`KernelForkServer.call`),
on a core of their own with WeasyPrint already imported.

What a child is, compared with a kernel started by ``python -m ipykernel_launcher``:

* the same interpreter, flags (``-X ...``), working directory and environment (the
  runner's request replaces the server's environment; the server itself starts with the
  environment the kernels get, so that modules read the same variables at import);
* its own session and process group (as jupyter_client's launcher gives a kernel), so
  that interrupts and kills reach it and its subprocesses, and a Ctrl-C in the terminal
  reaches the runner, not the kernel;
* matplotlib imported but no backend chosen: ipykernel selects the inline backend in the
  child exactly as in a fresh kernel (``MPLBACKEND`` is set before the server imports
  matplotlib, as ipykernel does);
* Python's ``random`` is reseeded at fork (CPython does it); NumPy's legacy global
  generator is not, so every child starts with the same one. kinerja never uses it
  (every random draw takes a seeded ``numpy.random.Generator``).

The server is a child of the runner. It ignores SIGINT (the runner handles Ctrl-C),
reaps its children and remembers how each ended, and when the runner closes the
connection (or dies) it kills every kernel it forked and exits. Only Linux forks this
way: on macOS, forking a process that has loaded system frameworks is unsafe, and
Windows has no fork. Elsewhere, or with another kind of kernel, the runner starts
kernels the usual way.

Protocol: JSON lines over a socket pair. ``{"op": "fork", "argv": [...], "env": {...},
"cwd": "..."}`` answers ``{"pid": n}``; ``{"op": "call", "module": ..., "function":
..., "args": [...], "error": path}`` forks a child that runs that function and answers
``{"pid": n}`` (:meth:`KernelForkServer.call`); ``{"op": "status", "pid": n}`` answers
``{"returncode": int | null}``. The first line the server writes, once its imports are
done (and a first table and figure drawn, see :func:`_warm_up`), is ``{"ready": true,
"failed": {module: error}}``.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

#: Modules every report notebook imports, imported once by the server. A module that
#: fails to import is reported (``failed``) and left to the kernel to import itself.
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "scipy.optimize",
    "matplotlib.pyplot",
    "seaborn",
    "PIL.Image",
    "jinja2",
    "ipykernel.kernelapp",
    "kinerja.analyses.overview",
    "kinerja.analyses.agreement",
    "kinerja.analyses.juror_effects",
    "kinerja.analyses.categories",
    "kinerja.analyses.innovations",
    "kinerja.analyses.trends",
    "kinerja.report.notebook",
    "kinerja.report.plots",
    "kinerja.report.trend_plots",
)

#: Imported once the server is ready, while it waits for requests: what only some
#: notebooks (statsmodels: notebook 03) or the runner's PDF step (WeasyPrint) need, so
#: that the first kernels do not wait for it. A kernel forked before they are imported
#: imports them itself.
PRELOAD_IDLE = ("statsmodels.api", "weasyprint", "kinerja.report.brief")

#: The inline backend, set before matplotlib is imported (ipykernel sets the same when
#: ``MPLBACKEND`` is empty; a kernel's ``MPLBACKEND`` is always empty, see the runner).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

#: The kernel command the server can stand in for: ``<python> [-X... flags] -m
#: ipykernel_launcher <arguments>``.
LAUNCHER = "ipykernel_launcher"


def supported() -> bool:
    """Whether kernels may be forked on this platform (Linux only; see the module notes)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def split_kernel_command(cmd: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """``(interpreter and its flags, kernel arguments)`` of an ipykernel command, or None.

    >>> split_kernel_command(["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"])
    (['/venv/bin/python', '-Xfrozen_modules=off'], ['-f', 'c.json'])
    >>> split_kernel_command(["/usr/bin/R", "--slave", "-f", "c.json"]) is None
    True
    """
    cmd = list(cmd)
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == LAUNCHER:
            interpreter = cmd[:i]
            # interpreter flags only (such as -X...): anything else changes what runs
            if all(a.startswith(("-X", "-W", "-E", "-s", "-B", "-O", "-u")) for a in interpreter[1:]):
                return interpreter, cmd[i + 2 :]
            return None
    return None


# ----------------------------------------------------------------------------- client


class ForkServerError(RuntimeError):
    """The fork server could not start or stopped answering (then :attr:`KernelForkServer.dead`
    says why), or a function run by :meth:`KernelForkServer.call` failed."""


class KernelForkServer:
    """The runner's side: start the server, ask it for kernels, close it.

    Thread-safe: the runner's worker threads share one server; each request and its
    answer hold a lock.
    """

    def __init__(
        self,
        interpreter: Sequence[str],
        env: Mapping[str, str],
        cwd: str | os.PathLike,
        preload: Sequence[str] | None = None,
        timeout: float = 120,
        preload_idle: Sequence[str] | None = None,
    ):
        self.interpreter = list(interpreter)
        self.timeout = float(timeout)
        self.cwd = str(cwd)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.failed: dict[str, str] = {}
        self.dead: str | None = None
        ours, theirs = socket.socketpair()
        server_env = dict(env)
        server_env.setdefault("MPLBACKEND", INLINE_BACKEND)
        self.process = subprocess.Popen(
            [
                *self.interpreter,
                "-c",
                _SERVER_MAIN,
                str(theirs.fileno()),
                *(PRELOAD if preload is None else preload),
                "--",
                *(PRELOAD_IDLE if preload_idle is None else preload_idle),
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            cwd=self.cwd,
            env=server_env,
        )
        theirs.close()
        self._sock = ours
        self._reader = ours.makefile("rb")

    # -- requests ------------------------------------------------------------------

    def _ask(self, request: dict, timeout: float | None) -> dict:
        with self._lock:
            if self.dead:
                raise ForkServerError(self.dead)
            try:
                if not self._ready.is_set():
                    self._sock.settimeout(timeout)
                    first = json.loads(self._reader.readline() or b"null")
                    if not first or not first.get("ready"):
                        raise ForkServerError("the fork server stopped before it was ready")
                    self.failed = dict(first.get("failed", {}))
                    self._ready.set()
                self._sock.settimeout(timeout)
                self._sock.sendall(json.dumps(request).encode() + b"\n")
                line = self._reader.readline()
            except (OSError, ValueError) as exc:  # timeout, broken pipe, garbage
                self.dead = f"the fork server stopped answering ({exc!r})"
                raise ForkServerError(self.dead) from exc
            except ForkServerError as exc:
                self.dead = str(exc)
                raise
            if not line:
                self.dead = "the fork server has exited"
                raise ForkServerError(self.dead)
            answer = json.loads(line)
            if "error" in answer:
                raise ForkServerError(answer["error"])
            return answer

    def fork(self, argv: Sequence[str], env: Mapping[str, str], cwd: str | os.PathLike) -> int:
        """Fork a kernel child running ``ipykernel_launcher argv``; return its pid.

        Waits (up to :attr:`timeout` seconds, the runner's kernel start timeout) for the
        server to finish its imports."""
        request = {"op": "fork", "argv": list(argv), "env": dict(env), "cwd": str(cwd)}
        return int(self._ask(request, self.timeout)["pid"])

    def call(self, module: str, function: str, *args: str, timeout: float = 600) -> None:
        """Run ``module.function(*args)`` (string arguments) in a child forked from the
        server, wait for it, and raise :class:`ForkServerError` with the child's
        ``ExceptionType: message`` if it fails.

        For CPU-bound steps of the runner (the PDFs): a forked child has the server's
        imports and a core of its own, where a thread of the runner would share the
        runner's interpreter lock with every other notebook's export."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="kinerja-call-") as tmp:
            error_file = os.path.join(tmp, "error.txt")
            request = {"op": "call", "module": module, "function": function, "args": list(args), "error": error_file}
            pid = int(self._ask(request, self.timeout)["pid"])
            child = ForkedKernelProcess(pid, self)
            try:
                code = child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                raise ForkServerError(f"TimeoutError: {module}.{function} took more than {timeout:g} s") from None
            if code != 0:
                try:
                    with open(error_file, encoding="utf-8") as fh:
                        message = fh.read().strip()
                except OSError:
                    message = ""
                raise ForkServerError(message or f"{module}.{function} ended with exit code {code}")

    def returncode(self, pid: int) -> int | None:
        """How child `pid` ended (as :attr:`subprocess.Popen.returncode`), None while it runs."""
        try:
            return self._ask({"op": "status", "pid": int(pid)}, 30)["returncode"]
        except ForkServerError:
            # Without the server its children belong to init; one that has ended is gone,
            # or a zombie where init does not reap (some containers)
            try:
                os.kill(pid, 0)
                with open(f"/proc/{int(pid)}/stat", encoding="ascii", errors="replace") as fh:
                    zombie = fh.read().rpartition(")")[2].split()[0] == "Z"
            except (ProcessLookupError, FileNotFoundError):
                return -signal.SIGKILL
            except OSError:
                return None
            return -signal.SIGKILL if zombie else None

    def close(self, timeout: float = 5) -> None:
        """Close the connection: the server kills the kernels it forked and exits.

        Closing twice is harmless."""
        if self.process.returncode is not None:
            return
        if not self._ready.is_set():  # nothing forked yet: no need to wait for its imports
            self.process.kill()
        try:
            self._sock.close()
            self._reader.close()
        finally:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ForkedKernelProcess:
    """A :class:`subprocess.Popen` look-alike for a forked kernel (what jupyter_client's
    local provisioner polls, signals, kills and waits for)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, server: KernelForkServer):
        self.pid = pid
        self.server = server
        self.returncode: int | None = None
        self.args = [LAUNCHER]

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.returncode(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# ----------------------------------------------------------------------------- server


def _preload(modules: Sequence[str]) -> dict[str, str]:
    import importlib

    failed = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # the kernel will import (and fail) in its own time
            failed[name] = f"{type(exc).__name__}: {exc}"
    return failed


def _warm_up(modules: Sequence[str]) -> None:
    """Do once what every kernel otherwise does at its first table and first figure:
    render a pandas Styler (jinja compiles the included templates at the first render)
    and draw a small figure with text (matplotlib loads its font list and the fonts).

    Through matplotlib's object API, never pyplot: no backend is chosen here, so that
    each kernel selects the inline backend itself. Nothing here changes an output
    (the forked and usual kernels' tables and figures are compared in the tests)."""
    if "pandas" in modules:
        try:
            import pandas as pd

            pd.DataFrame({"a": [1.5], "b": ["x"]}).style.format(precision=2).set_caption("c").to_html()
        except Exception:  # pragma: no cover - a warm-up only
            pass
    if "matplotlib.pyplot" in modules:
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            fig = Figure(figsize=(2, 1.5), layout="constrained")
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            ax.plot([0, 1], [0, 1], label="line")
            ax.set_title("title")
            ax.set_xlabel("x")
            ax.legend()
            fig.canvas.draw()
        except Exception:  # pragma: no cover - a warm-up only
            pass


def _child(sock: socket.socket, work, on_error=None) -> None:
    """In a forked child: leave the server's connection and session, run ``work()`` and
    exit with its outcome (0; a ``SystemExit``'s code; else 1, after ``on_error(exc)``,
    or the traceback on stderr). Never returns."""
    code = 1
    try:
        sock.close()
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        work()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:
        try:
            if on_error is None:
                import traceback

                traceback.print_exc()
            else:
                on_error(exc)
        except Exception:
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _start_kernel(argv: list[str], env: dict[str, str], cwd: str) -> None:
    """Turn this (forked) process into ``python -m ipykernel_launcher argv``."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # as ipykernel_launcher: the working directory is not on the path while the kernel
    # loads (IPython puts it back)
    if sys.path and (sys.path[0] in ("", cwd) or os.path.abspath(sys.path[0]) == os.path.abspath(cwd)):
        del sys.path[0]
    import importlib.util

    spec = importlib.util.find_spec(LAUNCHER)
    sys.argv = [spec.origin if spec and spec.origin else LAUNCHER, *argv]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _call(request: dict) -> None:
    """``module.function(*args)`` of a ``call`` request."""
    import importlib

    getattr(importlib.import_module(request["module"]), request["function"])(*request["args"])


def _write_error(path: str):
    """An ``on_error`` for :func:`_child` that writes ``ExceptionType: message`` to `path`."""

    def write(exc: BaseException) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"{type(exc).__name__}: {exc}")

    return write


def _serve(fd: int, modules: Sequence[str]) -> int:
    import gc
    import importlib
    import selectors

    modules = list(modules)
    idle = modules[modules.index("--") + 1 :] if "--" in modules else []
    modules = modules[: modules.index("--")] if "--" in modules else modules

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    # ipykernel reads its parent's pid at import (a class default); the kernels' parent
    # is this process, and with it set each kernel exits if this process dies (as a
    # kernel does when its runner dies) and prints no connection banner
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    sock = socket.socket(fileno=fd)
    failed = _preload(modules)
    _warm_up(modules)
    children: dict[int, int | None] = {}

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children[pid] = os.waitstatus_to_exitcode(status)

    def send(obj: dict) -> None:
        sock.sendall(json.dumps(obj).encode() + b"\n")

    send({"ready": True, "failed": failed})
    reader = sock.makefile("rb")
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)
    try:
        while True:
            if not sel.select(timeout=0 if idle else 0.2):
                reap()
                if idle:  # nothing to do: import the next module of the idle list
                    try:
                        importlib.import_module(idle.pop(0))
                    except Exception:  # the kernel or call that needs it will say why
                        pass
                continue
            line = reader.readline()
            if not line:
                break  # the runner closed the connection or died
            reap()
            try:
                request = json.loads(line)
                if request["op"] in ("fork", "call"):
                    if request["op"] == "fork":
                        args = (list(request["argv"]), dict(request["env"]), str(request["cwd"]))
                        work, on_error = functools.partial(_start_kernel, *args), None
                    else:
                        work, on_error = functools.partial(_call, request), _write_error(str(request["error"]))
                    sys.stdout.flush()
                    sys.stderr.flush()
                    # what the server holds (the imported stack) is out of the collector's
                    # reach in the child: its full passes neither walk those objects nor
                    # write to their pages (which would copy them; see gc.freeze)
                    gc.freeze()
                    pid = os.fork()
                    if pid == 0:
                        sel.close()
                        reader.close()
                        _child(sock, work, on_error)
                    children[pid] = None
                    send({"pid": pid})
                elif request["op"] == "status":
                    pid = int(request["pid"])
                    if pid not in children:
                        send({"error": f"process {pid} was not forked by this server"})
                    else:
                        send({"returncode": children[pid]})
                else:
                    send({"error": f"unknown request {request['op']!r}"})
            except (KeyError, TypeError, ValueError) as exc:
                send({"error": f"bad request: {exc!r}"})
            except OSError as exc:  # fork failed (memory, process limit)
                send({"error": f"could not fork a kernel: {exc}"})
    finally:
        for pid, code in children.items():
            if code is None:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
    return 0


#: How the server process starts (``-c``, not ``-m``: ``-m kinerja.run.forkserver``
#: would import this module twice, once through the package).
#: It ends with ``os._exit``: tearing down an interpreter that holds pandas, SciPy,
#: matplotlib, statsmodels and WeasyPrint took over a second at the end of every run.
_SERVER_MAIN = (
    "import os, sys; from kinerja.run.forkserver import _serve; code = _serve(int(sys.argv[1]), sys.argv[2:]); "
    "sys.stdout.flush(); sys.stderr.flush(); os._exit(code)"
)
