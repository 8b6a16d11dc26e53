"""Helpers for the browser tests: serve a built site on 127.0.0.1 and drive Debian's Chromium through Playwright.

Every request a page makes to any host other than 127.0.0.1 is refused and recorded, so a test can assert that
the site works offline. Tests skip with a clear message when Chromium or Playwright is missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from keystage.publish.site import LISTINGS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      ".csv": "text/csv", ".js": "text/javascript"}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Say nothing: the tests report what matters."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 at a free port in a background thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def is_local(url: str) -> bool:
    """True for a URL the site may load: one on 127.0.0.1, or one that needs no network (data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == LOCAL_HOST


@dataclass
class Browser:
    """A running Chromium whose pages may only reach 127.0.0.1; `blocked` lists every refused URL."""

    browser: Any
    blocked: list[str] = field(default_factory=list)

    def page(self, viewport: dict[str, int] = DESKTOP) -> Any:
        """A new page in a fresh context of the given viewport, with requests leaving localhost refused."""
        context = self.browser.new_context(viewport=viewport, accept_downloads=True, service_workers="block")
        context.route("**/*", self._only_local)
        return context.new_page()

    def _only_local(self, route: Any) -> None:
        """Let a local request through; refuse and record any other."""
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch headless Debian Chromium via Playwright (never a downloaded browser); skips when either is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package (make test does so when run as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield Browser(browser)
        finally:
            browser.close()


@pytest.fixture(scope="module", name="site")
def site_fixture(demo_build: Path) -> Iterator[str]:
    """The built demo site served on 127.0.0.1; yields its base URL."""
    with serve(demo_build / "site") as base:
        yield base


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Browser]:
    """A headless Chromium for the module's tests; fails the module's last test if any request left localhost."""
    with chromium() as running:
        yield running
        assert not running.blocked, f"requests left localhost: {running.blocked}"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot to tests/artifacts/screenshots/<name>.png for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def search_entries(site_dir: Path) -> list[dict[str, Any]]:
    """The site's search index: one entry per report with its title, kind, unit and URL (relative to the site)."""
    return json.loads((site_dir / "search-index.json").read_text(encoding="utf-8"))


def template_pages(site_dir: Path) -> dict[str, str]:
    """One URL (relative to the site root) for each page template of the site, the first listed of its kind.

    A school's cohort page ("how our pupils did at secondary school") is a report of kind "school" named *-secondary-*.
    """
    pages = {"index": "index.html", **{name.removesuffix(".html"): name for name, _ in LISTINGS},
             "search": "search.html", "data": "data.html"}
    for entry in search_entries(site_dir):
        name = "cohort-school" if "-secondary-" in entry["url"] else entry["kind"]
        pages.setdefault(name, entry["url"])
    return pages
