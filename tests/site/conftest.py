"""Fixtures of the site tests: the built site (build/site/), a local HTTP server, Chromium.

The browser tests need a built site (``bash scripts/docs.sh``) and Debian's Chromium
(``apt-get install chromium``; Playwright drives it, never a browser it downloads). Without
them a developer's quick ``pytest`` skips these tests; in CI (``CI=true``) a missing site or
browser is a failure.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RFC6238_SITE_DIR", REPO / "build" / "site")).resolve()
ARTIFACTS = Path(os.environ.get("RFC6238_ARTIFACTS_DIR", REPO / "build" / "artifacts"))
CHROMIUM = os.environ.get("RFC6238_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, where every part must be there."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true: a missing part is a failure)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        missing(f"no built site in {SITE}: run `bash scripts/docs.sh` first")
    return SITE


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The site served by http.server on 127.0.0.1, on a free port, for this session."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        missing(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (Debian's package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (it is in the `test` extra)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page plus everything that went wrong on it: console errors, script errors, failed
    requests and HTTP error responses."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("requestfailed", self._failed)
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

    def _failed(self, request: Any) -> None:
        # Chromium fetches the tab icon last and cancels it when the next page is opened.
        if not (request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED"):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def open(self, url: str) -> Any:
        self.page.goto(url, wait_until="load")
        return self.page


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield Watched(context.new_page())
    finally:
        context.close()
