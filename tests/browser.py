"""A headless Chromium driven through the DevTools protocol (for the product tests).

Debian's ``chromium`` only, started here with ``--remote-debugging-port`` on a free
localhost port and talked to with ``websocket-client`` (already in the locks through
jupyter_server): no browser is downloaded and no other package is needed.
``find_chromium()`` returns None where it is absent; tests then skip with the reason.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

#: Executables tried, in order.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium executable, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One headless Chromium with one page; a context manager."""

    def __init__(self, executable: str, profile: Path, timeout: float = 60):
        self.timeout = timeout
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                executable,
                "--headless=new",
                "--no-sandbox",  # the test may run as root (CI)
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--allow-file-access-from-files",
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={self.port}",
                "--remote-allow-origins=*",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = None
        self._id = 0
        self.events: list[dict] = []

    def __enter__(self) -> Browser:
        import websocket

        deadline = time.monotonic() + self.timeout
        pages = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as r:
                    pages = [p for p in json.load(r) if p.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with code {self.proc.returncode}")
            time.sleep(0.2)
        if not pages:
            raise RuntimeError("chromium did not open its DevTools port in time")
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=self.timeout)
        self.call("Page.enable")
        self.call("Network.enable")
        return self

    def __exit__(self, *exc) -> None:
        if self.ws is not None:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def call(self, method: str, **params) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._id += 1
        me = self._id
        self.ws.send(json.dumps({"id": me, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == me:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def open(self, url: str) -> dict:
        """Load ``url`` and wait for its load event; returns the failed requests seen."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load in {self.timeout} s")
            self.events.append(json.loads(self.ws.recv()))
        failed = [e["params"] for e in self.events if e.get("method") == "Network.loadingFailed"]
        return {"failed": failed}

    def evaluate(self, expression: str):
        """The JSON value of a JavaScript expression in the page."""
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(res["exceptionDetails"])
        return res["result"].get("value")

    def images_and_links(self) -> dict:
        """Every ``<img>`` (src, loaded, natural width) and every ``<a href>`` of the page."""
        return self.evaluate(
            "({images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, "
            "complete: i.complete, width: i.naturalWidth})),"
            " links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href)})"
        )
