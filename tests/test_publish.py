"""The site publisher: index latest first, listings, search index, and every internal link resolving."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from keystage.publish import build_site
from keystage.render import RenderedReport, render_report

FIXTURE = Path(__file__).parent / "fixtures" / "notebooks" / "la_report.ipynb"
LINK = re.compile(r'\b(?:href|src)="([^"]*)"')


def _variant(report: RenderedReport, dest: Path, **meta: object) -> Path:
    """A copy of a rendered report folder that describes another report (its manifest edited)."""
    shutil.copytree(report.dir, dest)
    manifest = json.loads((dest / "report.json").read_text(encoding="utf-8"))
    manifest["meta"].update(meta)
    manifest["slug"] = dest.name
    (dest / "report.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[RenderedReport | Path]:
    root = tmp_path_factory.mktemp("reports")
    la_2013 = render_report(FIXTURE, root / "la-999-2013", engine="pandoc")
    district_2014 = _variant(la_2013, root / "district-n-2014", kind="district", year=2014, unit_id="N",
                             unit_name="Northtown", title="Key Stage 2 in Northtown 2014")
    la_2012 = _variant(la_2013, root / "la-999-2012", year=2012, title="Key Stage 2: the Exampleshire story 2012")
    return [la_2012 / "report.json", la_2013, district_2014]


@pytest.fixture(scope="module")
def site(sources: list[RenderedReport | Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    build_site(sources, site_dir)
    return site_dir


def _report_links(page: str) -> list[str]:
    return re.findall(r'<a href="(reports/[^"/]+/index\.html)">', page)


def test_index_lists_reports_latest_first(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    assert _report_links(page) == ["reports/district-n-2014/index.html", "reports/la-999-2013/index.html",
                                   "reports/la-999-2012/index.html"]
    assert '<a href="reports/la-999-2013/la-999-2013.pdf">PDF</a>' in page
    assert '<a href="reports/la-999-2013/la-999-2013.docx">Word</a>' in page
    # the tables' CSVs are listed on the report's own page; the index says how many there are
    assert re.search(r'<a href="reports/la-999-2013/index.html#downloads-heading">\d+ tables as CSV</a>', page)
    assert "data/headline.csv" not in page


def test_every_internal_link_resolves_and_nothing_is_remote(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 6 + 3  # index, four listings, search; three report pages
    checked = 0
    for page in pages:
        for link in LINK.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{page}: {link}"
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                assert target.is_file(), f"{page.relative_to(site)} links to missing {link}"
                checked += 1
    assert checked > 100


def test_listings_group_reports(site: Path) -> None:
    by_year = (site / "by-year.html").read_text(encoding="utf-8")
    assert re.findall(r"<h2>(\d{4})</h2>", by_year) == ["2014", "2013", "2012"]
    by_district = (site / "by-district.html").read_text(encoding="utf-8")
    assert _report_links(by_district) == ["reports/district-n-2014/index.html"]
    assert "<h2>Northtown (Exampleshire)</h2>" in by_district
    by_kind = (site / "by-kind.html").read_text(encoding="utf-8")
    assert re.findall(r"<h2>([^<]+)</h2>", by_kind) == ["District report", "Local authority report"]
    by_la = (site / "by-la.html").read_text(encoding="utf-8")
    assert re.findall(r"<h2>([^<]+)</h2>", by_la) == ["Exampleshire"] and len(_report_links(by_la)) == 3
    assert '<a href="by-year.html" aria-current="page">' in by_year


def test_search_index_and_script_are_local(site: Path) -> None:
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert [e["url"] for e in index] == ["reports/district-n-2014/index.html", "reports/la-999-2013/index.html",
                                         "reports/la-999-2012/index.html"]
    assert all((site / e["url"]).is_file() for e in index)
    assert "1. Purpose of report" in index[1]["text"] and "debug: this stream text" not in index[1]["text"]
    script = (site / "search-index.js").read_text(encoding="utf-8")
    assert json.loads(script.removeprefix("window.KEYSTAGE_SEARCH = ").removesuffix(";\n")) == index
    search = (site / "search.html").read_text(encoding="utf-8")
    assert '<script src="search-index.js"></script>' in search and '<script src="search.js"></script>' in search
    assert "http" not in (site / "search.js").read_text(encoding="utf-8")


def test_build_is_deterministic_and_drops_stale_reports(sources: list[RenderedReport | Path], site: Path,
                                                         tmp_path: Path) -> None:
    (tmp_path / "reports" / "gone-2010").mkdir(parents=True)
    build_site(list(reversed(sources)), tmp_path)
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert all((site / f).read_bytes() == (tmp_path / f).read_bytes() for f in files)
    assert not (tmp_path / "reports" / "gone-2010").exists()


def test_publish_stops_on_an_open_data_file_that_breaks_the_standard(tmp_path):
    import pandas as pd

    from keystage.errors import InputError
    from keystage.publish.site import check_open_data

    folder = tmp_path / "850"
    folder.mkdir()
    pd.DataFrame({"time_period": ["201819"], "time_identifier": ["Academic year"], "geographic_level": ["National"],
                  "country_code": ["E92000001"], "country_name": ["England"], "pt rwm": ["65"]}).to_csv(
        folder / "ks2_attainment_la.csv", index=False)
    pd.DataFrame([["pt rwm", "Indicator", "RWM", "", "%", "0", "", ""]],
                 columns=["col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
                          "filter_hint", "filter_grouping_column"]).to_csv(folder / "ks2_attainment_la.meta.csv", index=False)
    with pytest.raises(InputError, match=r"ks2_attainment_la\.csv, line 1, column pt rwm: a snake_case column name"):
        check_open_data([], [folder])
