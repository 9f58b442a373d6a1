"""The live controls work in a real JupyterLab, driven by headless Chromium (DevTools protocol).

A JupyterLab server really serves copies of notebooks 03-06; Chromium opens each, runs all
cells, moves a control the way a user would (types into the slider's readout, clicks play)
and reads what the widget shows. Without Chromium the tests are skipped locally and fail in
CI (``CI=true``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "controls-test"

if CHROMIUM is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but no chromium: install Debian's chromium package")
    pytest.skip("chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (a local server)
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


class Page:
    """One Chromium tab over the DevTools protocol (websocket-client, a Jupyter dependency)."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=120)
        self.n = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.n:
                return dict(message.get("result", message))

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait(self, expression: str, timeout: float = 120) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if value := self.js(expression):
                return value
            time.sleep(0.5)
        return None

    def shows(self, text: str, timeout: float = 60) -> bool:
        return bool(self.wait(f"document.body.innerText.includes({json.dumps(text)})", timeout))

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot")["data"]))

    def set_slider(self, label: str, value: str) -> bool:
        """Type a value into a slider's readout and press Enter, as a user would."""
        return bool(
            self.js(f"""(() => {{
            const el = [...document.querySelectorAll('.widget-slider')]
                .find(s => s.innerText.includes({json.dumps(label)}));
            if (!el) return false;
            el.scrollIntoView();
            const r = el.querySelector('.widget-readout');
            r.focus(); r.textContent = {json.dumps(value)};
            const enter = {{key: 'Enter', keyCode: 13, bubbles: true}};
            r.dispatchEvent(new KeyboardEvent('keydown', enter));
            r.blur(); return true; }})()""")
        )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, int]]:
    root = tmp_path_factory.mktemp("lab")
    for name in ("03_time_steps", "04_drift_windows", "05_brute_force", "06_uris_qr"):
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", root)
    settings = root / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (JupyterLab 4 otherwise draws only the cells in view).
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser",
         "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.token={TOKEN}",
         "--expose-app-in-browser", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={root / 'settings'}",
         f"--LabApp.workspaces_dir={root / 'workspaces'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    profile = root / "chromium"
    browser = subprocess.Popen(
        [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--window-size=1280,1500", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_http(f"http://127.0.0.1:{port}/lab?token={TOKEN}")
        active = profile / "DevToolsActivePort"
        end = time.monotonic() + 60
        while not active.exists() and time.monotonic() < end:
            time.sleep(0.2)
        devtools = int(active.read_text().split()[0])
        url = f"http://127.0.0.1:{devtools}/json/list"
        with urllib.request.urlopen(url, timeout=10) as response:
            tab = next(t for t in json.load(response) if t["type"] == "page")
        yield Page(tab["webSocketDebuggerUrl"]), port
    finally:
        browser.terminate()
        server.terminate()
        browser.wait(30)
        server.wait(30)


def _run_all(lab: tuple[Page, int], name: str) -> Page:
    page, port = lab
    page.call("Page.navigate", url=f"http://127.0.0.1:{port}/lab/tree/{name}?token={TOKEN}&reset")
    panel = f"Array.from(jupyterapp.shell.widgets('main')).find(w => w.title.label === '{name}')"
    assert page.wait(f"typeof jupyterapp !== 'undefined' && !!({panel})"), (
        "JupyterLab did not open it"
    )
    kernel = f"({panel}.sessionContext.session?.kernel?.status === 'idle')"
    assert page.wait(kernel), "no idle kernel"
    page.js(f"jupyterapp.shell.activateById({panel}.id)")
    time.sleep(1)
    page.js("jupyterapp.commands.execute('notebook:run-all-cells')")
    return page


def test_skew_window_control_follows_its_slider(lab: tuple[Page, int]) -> None:
    page = _run_all(lab, "04_drift_windows.ipynb")
    assert page.shows("67% of the 30 instants of a step", timeout=180)
    assert page.set_slider("skew", "0")
    assert page.shows("100% of the 30 instants of a step")


def test_live_clock_ticks(lab: tuple[Page, int]) -> None:
    page = _run_all(lab, "03_time_steps.ipynb")
    assert page.shows("next code in", timeout=180)
    read = """(() => { const t = document.body.innerText; const i = t.indexOf('t (Unix seconds)');
                       return parseInt(t.slice(i + 16).trim()); })()"""
    before = page.js(read)
    page.js("document.querySelector('.widget-play button').click()")
    assert page.wait(f"({read}) >= {before} + 2", timeout=30), "the clock did not tick"


def test_odds_control_follows_digits(lab: tuple[Page, int]) -> None:
    page = _run_all(lab, "05_brute_force.ipynb")
    assert page.shows("p = 3.00e-06", timeout=180)
    assert page.set_slider("digits", "8")
    assert page.shows("p = 3.00e-08")


def test_qr_control_runs_the_decoder(lab: tuple[Page, int], tmp_path: Path) -> None:
    page = _run_all(lab, "06_uris_qr.ipynb")
    assert page.shows("erased)", timeout=180)
    assert page.set_slider("erased", "0%")
    assert page.shows("the decoder reads it (0% erased)")
    assert page.set_slider("erased", "40%")
    assert page.shows("the decoder fails (40% erased)")
    page.screenshot(tmp_path / "06.png")
    assert (tmp_path / "06.png").read_bytes().startswith(b"\x89PNG")
