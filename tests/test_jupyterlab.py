"""JupyterLab from the venv: the server starts on a free localhost port, serves the Lab
page, opens every notebook of the collection through its REST API, and starts the
'kinerja' kernel. Runtime files go to a temporary folder; nothing is saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from kinerja.paths import NOTEBOOKS_DIR, PROJ_ROOT

from .browser import free_port

pytestmark = pytest.mark.slow

TOKEN = "kinerja-test-token"


def _get(url: str, method: str = "GET", body: dict | None = None):
    req = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        raw = r.read()
        return r.status, (json.loads(raw) if raw and r.headers.get_content_type() == "application/json" else raw)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, kinerja_kernel):
    tmp = tmp_path_factory.mktemp("jupyter")
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            "--allow-root",  # CI runs as root
            f"--port={port}",
            "--port-retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={PROJ_ROOT}",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
            f"--LabApp.user_settings_dir={tmp / 'settings'}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(f"{base}/api/status")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"jupyter lab did not start: {proc.stderr.read()[-2000:]}") from None
            time.sleep(0.5)
    yield base
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_lab_page_is_served(lab):
    status, page = _get(f"{lab}/lab")
    assert status == 200 and b"JupyterLab" in page


@pytest.mark.parametrize("nb", sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")))
def test_every_notebook_opens_through_the_contents_api(lab, nb):
    status, model = _get(f"{lab}/api/contents/notebooks/{nb}?content=1")
    assert status == 200 and model["type"] == "notebook"
    cells = model["content"]["cells"]
    assert any("parameters" in c["metadata"].get("tags", []) for c in cells)
    assert model["content"]["metadata"]["kernelspec"]["name"] == "kinerja"


def test_the_kinerja_kernel_starts_and_imports_kinerja(lab):
    import uuid

    import websocket

    status, specs = _get(f"{lab}/api/kernelspecs")
    assert "kinerja" in specs["kernelspecs"]
    status, kernel = _get(f"{lab}/api/kernels", "POST", {"name": "kinerja", "path": "notebooks"})
    assert status == 201
    ws = None
    try:
        url = lab.replace("http://", "ws://") + f"/api/kernels/{kernel['id']}/channels?token={TOKEN}"
        ws = websocket.create_connection(url, timeout=120)
        msg_id = uuid.uuid4().hex
        ws.send(
            json.dumps(
                {
                    "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test", "session": "t",
                               "version": "5.3", "date": ""},
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {"code": "import kinerja; print('kinerja', kinerja.__version__)", "silent": False},
                }
            )
        )  # fmt: skip
        printed, replied, idle, deadline = "", False, False, time.monotonic() + 120
        while not (replied and idle) and time.monotonic() < deadline:  # the reply and the output arrive apart
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                printed += msg["content"]["text"]
            elif msg["msg_type"] == "execute_reply":
                assert msg["content"]["status"] == "ok", msg["content"]
                replied = True
            elif msg["msg_type"] == "status":
                idle = msg["content"]["execution_state"] == "idle"
        import kinerja

        assert printed.strip() == f"kinerja {kinerja.__version__}"
    finally:
        if ws is not None:
            ws.close()
        _get(f"{lab}/api/kernels/{kernel['id']}", "DELETE")
