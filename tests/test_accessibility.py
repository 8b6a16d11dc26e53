"""Accessibility of every page template of the built demo site (WCAG 2.2 AA, issue 7), checked in Chromium.

axe-core (npm, node_modules/axe-core) is injected into each page; tables must have captions and header cells;
at 360 px the page body must not scroll sideways (wide tables scroll inside their own region). Screenshots of
the index, an LA report and a school profile at 1280 and 360 px go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import AXE, DESKTOP, PHONE, Browser, browser_fixture, screenshot, site_fixture, template_pages  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_build")]

TEMPLATES = ("index", "by-la", "by-district", "by-year", "by-kind", "search", "data",
             "la", "district", "partnership", "cohort", "school", "cohort-school")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
SCREENSHOT_PAGES = ("index", "la", "school")


@pytest.fixture(scope="module")
def pages(demo_build: Path) -> dict[str, str]:
    """The URL (relative to the site) of one page of each template."""
    found = template_pages(demo_build / "site")
    assert set(TEMPLATES) <= set(found), f"templates without a page in the demo: {set(TEMPLATES) - set(found)}"
    return found


def run_axe(page: Any) -> dict[str, Any]:
    """Inject axe-core into the page and run its WCAG 2.x A/AA and best-practice rules; returns axe's results."""
    if not AXE.exists():
        pytest.skip(f"{AXE} not found: run `npm ci` at the repository root (make test does)")
    page.add_script_tag(path=str(AXE))
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations", "passes"]}
    return page.evaluate("options => axe.run(document, options)", options)


def serious(results: dict[str, Any]) -> list[str]:
    """One line per serious or critical axe violation: rule, impact and the first offending elements."""
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("template", TEMPLATES)
def test_axe_finds_no_serious_violation(browser: Browser, site: str, pages: dict[str, str], template: str) -> None:
    page = browser.page()
    page.goto(site + pages[template])
    results = run_axe(page)
    assert serious(results) == []
    assert "color-contrast" not in {v["id"] for v in results["violations"]}
    assert "color-contrast" in {p["id"] for p in results["passes"]}, "axe checked no text contrast"


def test_axe_catches_a_serious_violation(browser: Browser, site: str) -> None:
    page = browser.page()
    page.goto(site + "index.html")
    page.evaluate("""() => { const img = document.createElement('img'); img.src = 'site.css';
                             document.querySelector('main').appendChild(img);
                             document.querySelector('h1').style.color = '#bbbbbb'; }""")
    found = {line.split(" ")[0] for line in serious(run_axe(page))}
    assert {"image-alt", "color-contrast"} <= found


@pytest.mark.parametrize("template", ["la", "district", "partnership", "cohort", "school", "cohort-school"])
def test_tables_have_captions_and_header_cells(browser: Browser, site: str, pages: dict[str, str], template: str) -> None:
    page = browser.page()
    page.goto(site + pages[template])
    tables = page.locator("main table").evaluate_all("""tables => tables.map(t => ({
        caption: t.caption ? t.caption.textContent.trim() : '',
        headers: t.querySelectorAll('thead th, th[scope]').length,
        scroller: t.parentElement.classList.contains('table-wrap') && t.parentElement.getAttribute('role') === 'region'
                  && t.parentElement.getAttribute('aria-label').startsWith(t.caption ? t.caption.textContent.trim() : '#')}))""")
    assert tables, f"no tables on {pages[template]}"
    for number, table in enumerate(tables, start=1):
        assert table["caption"] and table["headers"] > 0 and table["scroller"], (pages[template], number, table)


@pytest.mark.parametrize("template", TEMPLATES)
def test_page_does_not_scroll_sideways_at_360px(browser: Browser, site: str, pages: dict[str, str], template: str) -> None:
    page = browser.page(PHONE)
    page.goto(site + pages[template])
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths == [PHONE["width"]] * 3, widths


@pytest.mark.parametrize("template", SCREENSHOT_PAGES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_for_a_person_to_look_at(browser: Browser, site: str, pages: dict[str, str], template: str,
                                              viewport: dict[str, int]) -> None:
    page = browser.page(viewport)
    page.goto(site + pages[template])
    size = "desktop" if viewport == DESKTOP else "phone"
    path = screenshot(page, f"{template}-{size}-{viewport['width']}")
    assert path.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
