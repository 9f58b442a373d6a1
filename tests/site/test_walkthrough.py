"""scripts/walkthrough.sh as a newcomer meets it: as root and as a normal user, with a busy
port, with arguments for JupyterLab, and (in scripts/test.sh's walkthrough phase) really
serving the tour over HTTP on 127.0.0.1 from the environment it made itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "walkthrough.sh"
IS_ROOT = os.geteuid() == 0


def run(*args: str, user: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    command = ["bash", str(SCRIPT), *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    environment = {k: v for k, v in os.environ.items() if k != "RFC6238_PORT"} | env
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=environment, check=False
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_dry_run_adds_allow_root_only_as_root() -> None:
    own = run("--dry-run", JUPYTER_TOKEN="t0k3n")
    assert own.returncode == 0, own.stderr
    command, url = own.stdout.splitlines()
    assert command.startswith(f"jupyter lab --ServerApp.root_dir={REPO} ")
    assert "--LabApp.default_url=/lab/tree/notebooks/00_tour.ipynb" in command.split()
    assert ("--allow-root" in command.split()) is IS_ROOT
    assert url == "http://127.0.0.1:8888/lab/tree/notebooks/00_tour.ipynb?token=t0k3n"


@pytest.mark.skipif(not IS_ROOT or not shutil.which("setpriv"), reason="needs root and setpriv")
def test_dry_run_as_a_normal_user_has_no_allow_root() -> None:
    user = run("--dry-run", "--port", "8890", user="65534")
    assert user.returncode == 0, user.stderr
    command = user.stdout.splitlines()[0].split()
    assert "--allow-root" not in command
    assert "--ServerApp.port=8890" in command


def test_arguments_go_to_jupyterlab_and_the_port_is_chosen() -> None:
    flag = run("--dry-run", "--port=9123", "--no-browser", "--ServerApp.ip=0.0.0.0")
    assert flag.returncode == 0, flag.stderr
    command = flag.stdout.splitlines()[0].split()
    assert command[-2:] == ["--no-browser", "--ServerApp.ip=0.0.0.0"]
    assert "--ServerApp.port=9123" in command
    assert "--ServerApp.port_retries=0" in command
    from_env = run("--dry-run", RFC6238_PORT="9124")
    assert "--ServerApp.port=9124" in from_env.stdout.split()


@pytest.mark.parametrize("port", ["abc", "0", "70000", ""])
def test_a_bad_port_is_refused_plainly(port: str) -> None:
    result = run("--port", port)
    assert result.returncode == 2
    assert "the port must be a number from 1 to 65535" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_busy_port_fails_at_once_with_a_clear_message(busy_port: int) -> None:
    start = time.monotonic()
    result = run("--port", str(busy_port))
    assert result.returncode == 2
    assert f"port {busy_port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr  # says how to choose another one
    assert "Traceback" not in result.stderr + result.stdout
    assert "setting up" not in result.stdout  # refused before the (slow) install
    assert time.monotonic() - start < 30


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)  # noqa: S310 (http://127.0.0.1 only)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (urllib.error.URLError, ConnectionError):
        return 0, b""  # not listening (yet)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(
    not os.environ.get("RFC6238_WALKTHROUGH_VENV"),
    reason="slow (installs the notebooks extra): run by scripts/test.sh's walkthrough phase",
)
def test_walkthrough_serves_the_tour(tmp_path: Path) -> None:
    """Start the script non-interactively, read the tour over HTTP, stop it."""
    port, token = _free_port(), "walkthrough-check-token"
    log = (tmp_path / "walkthrough.log").open("w+")
    env = os.environ | {"VENV": os.environ["RFC6238_WALKTHROUGH_VENV"], "JUPYTER_TOKEN": token}
    process = subprocess.Popen(
        ["bash", str(SCRIPT), "--port", str(port), "--no-browser"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        env=env, cwd=REPO, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900  # a fresh environment: the install comes first
        while _get(f"{base}/api/status", token)[0] != 200:
            assert process.poll() is None, (tmp_path / "walkthrough.log").read_text()
            assert time.monotonic() < deadline, "JupyterLab did not answer in 15 minutes"
            time.sleep(1)
        status, page = _get(f"{base}/lab?token={token}")
        assert status == 200
        assert b"JupyterLab" in page
        status, body = _get(f"{base}/api/contents/notebooks/00_tour.ipynb", token)
        assert status == 200
        model = json.loads(body)
        assert model["type"] == "notebook"
        assert model["content"]["cells"][0]["source"].startswith("# 00 · A tour")
        assert _get(f"{base}/api/contents/notebooks/00_tour.ipynb")[0] == 403  # no token
        log.seek(0)
        printed = log.read()
        assert f"{base}/lab/tree/notebooks/00_tour.ipynb?token={token}" in printed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
    assert process.returncode is not None
    with socket.socket() as again:  # stopped: nothing listens on the port any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no listener
        again.bind(("127.0.0.1", port))
