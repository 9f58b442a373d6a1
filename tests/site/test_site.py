"""The documentation site as a reader's browser shows it: Debian's Chromium, driven by
Playwright, reading build/site/ from a local HTTP server on 127.0.0.1.

Build the site first (``bash scripts/docs.sh``); see conftest.py for when these tests skip.
"""

from __future__ import annotations

import functools
import inspect
import re
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from site_browser import ARTIFACTS, CHROMIUM, REPO, SITE, QuietHandler, Watched, missing

import rfc6238

NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Rich displays that each notebook's reader must see, by the text they show.
RICH = {
    "00_tour": ["TOTPTrace", "Match"],
    "04_drift_windows": ["Match"],
    "06_uris_qr": ["KeyURI"],
    "10_attacks": ["Match"],
    "11_end_to_end": ["KeyURI"],
}
# Notebooks that show a scannable QR code: a real decoder must read an otpauth URI off the page.
QR = ("06_uris_qr", "11_end_to_end")
SCREENSHOTS = ("00_tour", "06_uris_qr")


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        missing(f"no built site in {SITE}: run `bash scripts/docs.sh` first")
    return SITE


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The site served by http.server on 127.0.0.1, on a free port, for this session."""
    handler = functools.partial(QuietHandler, directory=str(site))
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


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def _pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


def test_every_page_loads_without_errors(site: Path, base_url: str, watched: Watched) -> None:
    pages = _pages(site)
    assert "index.html" in pages
    assert len(pages) > 40
    problems = []
    for page in pages:
        watched.problems.clear()
        shown = watched.open(f"{base_url}/{page}")
        assert shown.title(), page
        problems += [f"{page}: {p}" for p in watched.problems]
    assert problems == []


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        for name in ("href", "src"):
            if tag in ("a", "link", "img", "script") and found.get(name):
                self.hrefs.append(str(found[name]))


def test_internal_links_resolve(site: Path) -> None:
    parsed: dict[Path, _Links] = {}

    def parse(path: Path) -> _Links:
        if path not in parsed:
            parsed[path] = _Links()
            parsed[path].feed(path.read_text(encoding="utf-8"))
        return parsed[path]

    broken = []
    checked = 0
    for page in _pages(site):
        source = site / page
        for href in parse(source).hrefs:
            if urlsplit(href).scheme or href.startswith(("//", "mailto:")):
                continue  # the RFCs and other outside pages: not this site's to check
            parts = urlsplit(href)
            target, fragment = parts.path, parts.fragment
            path = (source.parent / unquote(target)).resolve() if target else source
            if path.is_dir():
                path = path / "index.html"
            checked += 1
            if not path.is_file():
                broken.append(f"{page}: {href} (no file)")
            elif fragment and path.suffix == ".html" and unquote(fragment) not in parse(path).ids:
                broken.append(f"{page}: {href} (no anchor #{fragment})")
    assert checked > 1000
    assert broken == []


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_page_shows_figures_and_displays(
    name: str, base_url: str, watched: Watched
) -> None:
    page = watched.open(f"{base_url}/notebooks/{name}.html")
    images = page.locator("article img")
    assert images.count() >= 1, "every notebook draws at least one figure"
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        size = image.evaluate("i => i.decode().then(() => [i.naturalWidth, i.naturalHeight])")
        assert min(size) > 0, image.get_attribute("src")
    outputs = page.locator("article .cell_output").all_inner_texts()
    assert outputs, "the notebook was executed during the build"
    shown = "\n".join(outputs)
    for display in RICH.get(name, []):
        assert display in shown, display
    assert "Traceback" not in shown
    assert watched.problems == []


@pytest.mark.parametrize("name", QR)
def test_qr_codes_on_the_page_scan(name: str, base_url: str, watched: Watched) -> None:
    from rfc6238.qr import read_qr

    page = watched.open(f"{base_url}/notebooks/{name}.html")
    read: list[str] = []
    for image in page.locator("article .cell_output img").all():
        image.scroll_into_view_if_needed()
        try:
            found = read_qr(image.screenshot())
        except rfc6238.QRCodeError:
            continue  # a figure without a QR code
        if not read:  # the first QR code on the page, as a reader sees it
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"site-{name}-qr.png")
        read += found
    assert any(uri.startswith("otpauth://totp/") for uri in read), read


def _search(page: Any, base_url: str, words: str) -> list[str]:
    page.goto(f"{base_url}/search.html?q={words}", wait_until="load")
    results = page.locator("#search-results li a")
    results.first.wait_for(timeout=20_000)
    return [str(a.get_attribute("href")) for a in results.all()]


def test_search_finds_dynamic_truncate(base_url: str, watched: Watched) -> None:
    hrefs = _search(watched.page, base_url, "dynamic_truncate")
    assert any("rfc6238.dynamic_truncate" in href for href in hrefs), hrefs
    assert watched.problems == []


def test_api_page_of_totp_shows_its_methods(base_url: str, watched: Watched) -> None:
    page = watched.open(f"{base_url}/api/generated/rfc6238.TOTP.html")
    methods = [
        name
        for name, value in vars(rfc6238.TOTP).items()
        if inspect.isfunction(value) and not name.startswith("_")
    ]
    assert {"at", "verify"} <= set(methods)
    for method in methods:
        entry = page.locator(f'dt[id="rfc6238.TOTP.{method}"]')
        assert entry.is_visible(), method
        assert method in entry.inner_text()
    # The doctest of the class shows as an example, with its output.
    assert ">>>" in page.locator("article").inner_text()
    assert watched.problems == []


def test_landing_page_says_where_to_start(base_url: str, watched: Watched) -> None:
    page = watched.open(f"{base_url}/index.html")
    text = page.locator("article").inner_text()
    for start in ("learn", "two-factor", "conformance", "command line"):
        assert re.search(start, text, re.IGNORECASE), start
    page.get_by_role("link", name="00 · A tour").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/notebooks/00_tour.html")
    assert page.locator(".nb-open").is_visible()
    assert watched.problems == []


def test_screenshots(base_url: str, watched: Watched) -> None:
    """The landing page and two notebooks, for a person to look at (CI keeps them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = watched.open(f"{base_url}/index.html")
    page.screenshot(path=ARTIFACTS / "site-landing.png", full_page=True)
    for name in SCREENSHOTS:
        page = watched.open(f"{base_url}/notebooks/{name}.html")
        page.screenshot(path=ARTIFACTS / f"site-{name}.png")
        figure = page.locator("article .cell_output img").first
        figure.scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / f"site-{name}-figure.png")
    for shot in ARTIFACTS.glob("site-*.png"):
        assert shot.stat().st_size > 10_000, shot
    assert watched.problems == []
