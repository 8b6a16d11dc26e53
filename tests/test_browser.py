"""End-to-end tests of the built demo site in headless Chromium, served on 127.0.0.1 (issue 7).

A reader goes from the index to a district report, opens a table's CSV, the PDF and the DOCX, finds a school
through search and reaches its profile; charts carry alternative text; nothing is fetched from another host.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, browser_fixture, is_local, search_entries, site_fixture, template_pages  # noqa: F401 - fixtures

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_build")]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def fetch(page: Any, url: str) -> tuple[str, bytes]:
    """GET a local URL with the page's browser context; returns (content type, body)."""
    assert is_local(url), url
    response = page.context.request.get(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    return response.headers["content-type"], response.body()


def test_index_lists_every_area_report_latest_first(browser: Browser, site: str, demo_build: Path) -> None:
    entries = {e["url"]: e for e in search_entries(demo_build / "site")}
    areas = sorted(url for url, e in entries.items() if e["kind"] != "school")
    page = browser.page()
    page.goto(site + "index.html")
    hrefs = page.locator("ul.report-list h2 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == areas and len(hrefs) == len(set(hrefs))
    assert {entries[h]["kind"] for h in hrefs} == {"la", "district", "partnership", "cohort"}
    years = [entries[h]["year"] for h in hrefs]
    assert years == sorted(years, reverse=True)
    first = page.locator("ul.report-list h2 a").nth(0)
    assert entries[hrefs[0]]["kind"] == "la" and first.inner_text() == entries[hrefs[0]]["title"]
    schools = len(entries) - len(areas)
    assert page.locator("main p", has_text=f"{schools} pages about single schools").count() == 1


def test_reader_goes_from_index_to_a_district_report_and_its_downloads(browser: Browser, site: str) -> None:
    page = browser.page()
    page.goto(site + "index.html")
    item = page.locator("ul.report-list li").filter(has_text="District report").first
    title = item.locator("h2 a").inner_text()
    item.locator("h2 a").click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == title
    assert "/reports/district-" in page.url

    downloads = page.locator("section.downloads")
    csv_link = downloads.locator("a", has_text="Table 1:")
    with page.expect_download() as clicked:
        csv_link.click()
    assert clicked.value.suggested_filename.endswith(".csv")
    content_type, body = fetch(page, page.url.rsplit("/", 1)[0] + "/" + csv_link.get_attribute("href"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert content_type.startswith("text/csv") and len(rows) > 1 and "time_period" in rows[0]

    for label, expected_type, magic in (("PDF copy", "application/pdf", b"%PDF-"), ("Word copy", DOCX_TYPE, b"PK")):
        link = downloads.get_by_role("link", name=label, exact=True)
        href = link.get_attribute("href")
        content_type, body = fetch(page, page.url.rsplit("/", 1)[0] + "/" + href)
        assert content_type == expected_type and body.startswith(magic) and len(body) > 1000, (href, content_type)
    with zipfile.ZipFile(io.BytesIO(body)) as docx:
        assert "word/document.xml" in docx.namelist()


def test_reader_finds_a_school_through_search_and_reaches_its_profile(browser: Browser, site: str, demo_build: Path) -> None:
    profile = template_pages(demo_build / "site")["school"]
    school = next(e for e in search_entries(demo_build / "site") if e["url"] == profile)
    page = browser.page()
    page.goto(site + "search.html")
    page.get_by_label("Search all reports").fill(school["unit_name"])
    status = page.locator("#search-status")
    status.filter(has_text="match").wait_for()
    result = page.locator("#search-results a", has_text=school["title"]).first
    result.click()
    page.wait_for_load_state()
    assert page.url == site + school["url"]
    assert page.locator("h1").first.inner_text() == school["title"] and school["unit_name"] in school["title"]


def test_search_reads_its_query_from_the_address(browser: Browser, site: str) -> None:
    page = browser.page()
    page.goto(site + "search.html?q=no-such-word-anywhere")
    assert page.locator("#search-status").inner_text() == "0 reports match \u201cno-such-word-anywhere\u201d."
    assert page.locator("#search-results li").count() == 0


def test_every_chart_has_alternative_text(browser: Browser, site: str, demo_build: Path) -> None:
    page = browser.page()
    charts = 0
    for url in sorted(set(template_pages(demo_build / "site").values())):
        page.goto(site + url)
        alts = page.locator("main img").evaluate_all("imgs => imgs.map(i => i.getAttribute('alt'))")
        assert all(alt and len(alt.split()) >= 5 for alt in alts), (url, alts)
        charts += len(alts)
        broken = page.locator("main img").evaluate_all("imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).length")
        assert broken == 0, url
    assert charts >= 5


def test_no_request_leaves_localhost(browser: Browser, site: str, demo_build: Path) -> None:
    page = browser.page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for url in sorted(set(template_pages(demo_build / "site").values())):
        page.goto(site + url)
        page.wait_for_load_state("networkidle")
    assert requested and all(is_local(u) for u in requested), [u for u in requested if not is_local(u)]
    assert browser.blocked == []


def test_the_guard_refuses_a_request_to_another_host(browser: Browser, site: str) -> None:
    page = browser.page()
    page.goto(site + "index.html")
    page.evaluate("fetch('http://example.org/x.js').catch(() => null)")
    page.wait_for_load_state("networkidle")
    assert browser.blocked == ["http://example.org/x.js"]
    browser.blocked.clear()
