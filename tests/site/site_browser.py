"""Helpers of the site tests (test_site.py holds the fixtures that use them): where the built
site is, a quiet local HTTP server, and a page that records what went wrong on it.

The browser tests need a built site (``bash scripts/docs.sh``) and Debian's Chromium
(``apt-get install chromium``; Playwright drives it, never a browser it downloads). Without
them a developer's quick ``pytest`` skips these tests; in CI (``CI=true``) a missing site or
browser is a failure.
"""

from __future__ import annotations

import os
from http.server import SimpleHTTPRequestHandler
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


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Watched:
    """A page plus everything that went wrong on it: console errors, script errors, failed
    requests and HTTP error responses."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _failed(self, request: Any) -> None:
        # Chromium fetches the tab icon last and cancels it when the next page is opened.
        if not (request.url.endswith("/favicon.svg") and request.failure == "net::ERR_ABORTED"):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def open(self, url: str) -> Any:
        self.page.goto(url, wait_until="load")
        return self.page
