"""Build the static website from rendered reports: index (latest first), listings, search, downloads.

Layout of the site (every link is relative, so it works from file:// and under any path):
  index.html, by-la.html, by-district.html, by-year.html, by-kind.html, search.html,
  site.css, search.js, search-index.json (and search-index.js, the same index for file:// pages),
  reports/<slug>/ (each report's folder as rendered: index.html, PDF, DOCX, assets/, data/).
Output is deterministic: reports are sorted, and no time is written other than the metadata's own dates.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from keystage import __version__
from keystage.eesvalidate import check_folder, check_pair, is_ancillary
from keystage.render.cover import report_epoch
from keystage.render.engine import RenderedReport
from keystage.render.pandoc import SITE_TITLE, TEMPLATES

PUBLISH_TEMPLATES = files("keystage.publish") / "templates"
KIND_LABELS = {
    "la": "Local authority report",
    "district": "District report",
    "cohort": "Cohort report (KS2 to KS4)",
    "partnership": "Partnership report",
    "school": "School profile",
}
LISTINGS = (
    ("by-la.html", "Reports by local authority"),
    ("by-district.html", "Reports by district"),
    ("by-year.html", "Reports by year"),
    ("by-kind.html", "Reports by kind"),
)
SEARCH_TEXT_CHARS = 4000
TEXT_CHUNK = 16_384  # characters of HTML parsed at a time when collecting a page's text
KIND_ORDER = ("la", "district", "partnership", "cohort", "school")  # within a year, the committee paper first


def build_site(reports: Iterable[RenderedReport | Path], site_dir: Path, data_dirs: Iterable[Path] = ()) -> Path:
    """Write the whole site into `site_dir` from rendered reports (or their folders / report.json manifests).

    `data_dirs` are folders of EES open-data CSVs (one per LA, named by LA code) published under data/.
    """
    site_dir = Path(site_dir)
    ordered = latest_first([r if isinstance(r, RenderedReport) else RenderedReport.from_manifest(r) for r in reports])
    placed = place_reports(ordered, site_dir / "reports")
    shutil.copyfile(TEMPLATES / "site.css", site_dir / "site.css")
    shutil.copyfile(PUBLISH_TEMPLATES / "search.js", site_dir / "search.js")
    index = search_index(placed, site_dir)
    (site_dir / "search-index.json").write_text(json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                                encoding="utf-8")
    (site_dir / "search-index.js").write_text(f"window.KEYSTAGE_SEARCH = {json.dumps(index, sort_keys=True)};\n",
                                              encoding="utf-8")
    intro = ("<p>Reports latest first, the committee paper first in each year. Each has a web page, a PDF and a Word "
             "copy, and its tables as CSV.</p>")
    data_dirs = list(data_dirs)
    if data_dirs:
        _write_page(site_dir / "data.html", "Open data", publish_data(data_dirs, site_dir / "data"), current="data")
        intro += '<p>Every measure behind the reports is also available as <a href="data.html">open data (CSV)</a>.</p>'
    areas = [r for r in placed if r.meta["kind"] != "school"]
    schools = len(placed) - len(areas)
    if schools:
        intro += (f'<p>{schools} pages about single schools are not listed here: find a school with '
                  '<a href="search.html">search</a>, or see <a href="by-kind.html">reports by kind</a>.</p>')
    _write_page(site_dir / "index.html", SITE_TITLE, intro + report_list(areas, "h2"), current="index")
    for name, title in LISTINGS:
        _write_page(site_dir / name, title, listing_body(placed, name), current=name)
    _write_page(site_dir / "search.html", "Search reports", SEARCH_FORM, current="search",
                scripts='<script src="search-index.js"></script>\n<script src="search.js"></script>')
    return site_dir / "index.html"


DATA_FILES = {  # file name before the level suffix -> what it holds
    "ks2_attainment": "Key stage 2 attainment: % of pupils meeting the expected (and higher) standard in reading, "
                      "writing, maths and GPS, with the eligible pupils and schools, for all pupils and by disadvantage "
                      "(England's figures as national rows in the LA file). Columns carry DfE's own names "
                      "(pt_rwm_met_expected_standard, t_rwm_eligible_pupils...).",
    "floor_standard": "Schools assessed against the floor standard, below it on attainment, lifted by progress, and below it.",
    "distribution": "How many schools reach the headline threshold, and the mean change on the previous year.",
    "disadvantage_gap": "Disadvantaged and other pupils meeting the headline measure, the gap between them and England's gap.",
}
DATA_LEVELS = {  # level suffix -> how the rows are laid out
    "la": "the local authority and its own districts (at the standard's planning-area level)",
    "school": "each school (URN and LAESTAB); DfE's suppressed results shown as c",
}
DATA_NOTE = (
    "<p>Every file follows DfE's open data standard for Explore Education Statistics and passes its checks: tidy UTF-8 "
    "CSV with the time and geography columns filled (country, region code and name, old and new LA codes, LA name; "
    "for schools the URN, LAESTAB and name), one row per area, year and filter item, and a metadata file "
    "(<code>.meta.csv</code>) beside each that names every filter and indicator with its unit and decimal places. "
    "School-level rows are in their own files. Symbols: <code>c</code> suppressed (fewer pupils than the minimum "
    "group, or suppressed by DfE), <code>x</code> not available, <code>z</code> not applicable (a measure of "
    "another assessment era), <code>low</code> rounds to zero; a real 0 is always shown as 0.</p>\n"
    "<p>Each report's tables are also offered on its page as EES files with their metadata. The provenance "
    "(input files and their SHA-256) and rejects (values set aside) files there are ancillary files: records of "
    "the inputs, named <code>ancillary-*.csv</code>, not statistics; so are a district report's tables, which hold "
    "the district's rows alone (EES's table tool does not show a file of planning areas only).</p>"
)


def describe_data_file(path: Path) -> str:
    """What one open-data file holds, from its name: its table and its level."""
    for name, text in DATA_FILES.items():
        level = path.stem.removeprefix(f"{name}_")
        if path.stem.startswith(f"{name}_") and level in DATA_LEVELS:
            return f"{text} Rows: {DATA_LEVELS[level]}."
    return "Open data in the EES format."


def publish_data(data_dirs: list[Path], target: Path) -> str:
    """Copy each LA's EES CSV files (and their .meta.csv) to data/<la>/ and return the data page's HTML body:
    each file with what it holds and links to it and its metadata."""
    shutil.rmtree(target, ignore_errors=True)
    sections = []
    for folder in sorted(data_dirs, key=lambda p: p.name):
        shutil.copytree(folder, target / folder.name)
        base = f"data/{html.escape(folder.name)}"
        items = [f'<li><a href="{base}/{html.escape(f.name)}">{html.escape(f.name)}</a>'
                 f' (<a href="{base}/{html.escape(f.stem)}.meta.csv">metadata</a>): {html.escape(describe_data_file(f))}</li>'
                 for f in sorted(folder.glob("*.csv")) if not f.name.endswith(".meta.csv")]
        sections.append(f"<h2>LA {html.escape(folder.name)}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    return DATA_NOTE + "\n".join(sections)


def check_open_data(reports: Iterable[RenderedReport | Path], data_dirs: Iterable[Path]) -> int:
    """Check every EES file the site would publish (the LAs' open data and each report's table downloads) against
    the open data standard; the first failing file stops with an InputError. Returns the files checked."""
    checked = sum(check_folder(folder) for folder in data_dirs)
    for report in reports:
        report = report if isinstance(report, RenderedReport) else RenderedReport.from_manifest(report)
        for _, path in report.downloads:
            if not is_ancillary(path):
                check_pair(path)
                checked += 1
    return checked


def latest_first(reports: list[RenderedReport]) -> list[RenderedReport]:
    """Reports newest first: by year, then meeting date, then kind (the LA's committee paper first), title and slug."""
    by_kind = sorted(reports, key=lambda r: (KIND_ORDER.index(r.meta["kind"]), str(r.meta["title"]), r.slug))
    return sorted(by_kind, key=lambda r: (int(r.meta["year"]), report_epoch(r.meta)), reverse=True)


def place_reports(reports: list[RenderedReport], reports_dir: Path) -> list[RenderedReport]:
    """Copy each report folder to reports/<slug>/ (removing folders of reports no longer listed)."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    slugs = {r.slug for r in reports}
    for stale in sorted(p for p in reports_dir.iterdir() if p.is_dir() and p.name not in slugs):
        shutil.rmtree(stale)
    placed = []
    for report in reports:
        dest = reports_dir / report.slug
        if dest.resolve() != report.dir.resolve():
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(report.dir, dest)
        placed.append(RenderedReport.from_manifest(dest))
    return placed


def report_list(reports: list[RenderedReport], heading: str) -> str:
    """An HTML list of reports with their page, PDF and DOCX links and how many tables they offer as CSV
    (listed on the report's own page); hrefs are relative to the site root."""
    if not reports:
        return "<p>No reports of this kind yet.</p>"
    items = []
    for r in reports:
        base = f"reports/{r.slug}/"
        title = html.escape(str(r.meta["title"]))
        links = [(f"{base}{f.name}", label) for f, label in ((r.pdf, "PDF"), (r.docx, "Word")) if f is not None]
        if r.downloads:
            links.append((f"{base}index.html#downloads-heading", f"{len(r.downloads)} tables as CSV"))
        link_html = " ".join(f'<a href="{html.escape(h)}">{html.escape(t)}</a>' for h, t in links)
        items.append(f'<li><{heading}><a href="{base}index.html">{title}</a></{heading}>\n'
                     f'<p class="meta">{html.escape(describe(r))}</p>\n<p class="links">{link_html}</p></li>')
    return '<ul class="report-list">\n' + "\n".join(items) + "\n</ul>"


def describe(report: RenderedReport) -> str:
    """One line saying what a report is: place, kind, year and meeting date."""
    meta = report.meta
    parts = [meta.get("unit_name") or meta.get("la_name"), meta.get("kind_label") or KIND_LABELS[meta["kind"]], meta["year"],
             (meta.get("cover") or {}).get("date")]
    if meta.get("la_name") and meta.get("unit_name") and meta["la_name"] != meta["unit_name"]:
        parts[0] = f"{meta['unit_name']}, {meta['la_name']}"
    return " · ".join(str(p) for p in parts if p)


def listing_body(reports: list[RenderedReport], name: str) -> str:
    """The grouped report lists of one listing page (reports keep their latest-first order in each group)."""
    groupers: dict[str, tuple[Callable[[RenderedReport], Any], bool]] = {
        "by-la.html": (lambda r: str(r.meta.get("la_name") or "Unnamed authority"), False),
        "by-district.html": (lambda r: f"{r.meta.get('unit_name')} ({r.meta.get('la_name')})", False),
        "by-year.html": (lambda r: int(r.meta["year"]), True),
        "by-kind.html": (lambda r: KIND_LABELS[r.meta["kind"]], False),
    }
    key, newest_first = groupers[name]
    chosen = [r for r in reports if name != "by-district.html" or r.meta["kind"] == "district"]
    if not chosen:
        return "<p>No reports of this kind yet.</p>"
    groups: dict[Any, list[RenderedReport]] = {}
    for r in chosen:
        groups.setdefault(key(r), []).append(r)
    sections = [f"<h2>{html.escape(str(g))}</h2>\n{report_list(groups[g], 'h3')}"
                for g in sorted(groups, reverse=newest_first)]
    return "\n".join(sections)


def search_index(reports: list[RenderedReport], site_dir: Path) -> list[dict[str, Any]]:
    """One search entry per report: what it is, its URL relative to the site root, and its text."""
    return [{"title": str(r.meta["title"]), "subtitle": str(r.meta.get("subtitle") or ""),
             "url": r.html.relative_to(site_dir).as_posix(), "kind": r.meta["kind"], "kind_label": KIND_LABELS[r.meta["kind"]],
             "la_name": str(r.meta.get("la_name") or ""), "unit_name": str(r.meta.get("unit_name") or ""),
             "year": int(r.meta["year"]), "text": page_text(r.html.read_text(encoding="utf-8"), SEARCH_TEXT_CHARS)}
            for r in reports]


class _TextOfMain(HTMLParser):
    """Collects the visible text inside <main>, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "main"
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "main"
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if self.depth > 0 and self.skip == 0:
            self.parts.append(data)


def page_text(page: str, limit: int | None = None) -> str:
    """The visible text of a page's <main> element, whitespace collapsed, for the search index (its first `limit` characters).

    The page is parsed from <main> on, a chunk at a time, only until `limit` characters are found: parsing whole
    pages was most of the time a publish took.
    """
    parser = _TextOfMain()
    start = max(page.find("<main"), 0)
    while start < len(page):
        end = page.find("<", start + TEXT_CHUNK)  # chunks end before a tag, so no text is split in two
        end = len(page) if end < 0 else end
        parser.feed(page[start:end])
        text = " ".join(" ".join(parser.parts).split())
        if limit is not None and len(text) > limit:
            return text[:limit]
        start = end
    parser.close()
    return " ".join(" ".join(parser.parts).split())[:limit]


SEARCH_FORM = """<form id="search-form" class="search-form" action="search.html" method="get" role="search">
<label for="search-q">Search all reports</label>
<input id="search-q" name="q" type="search" autocomplete="off">
</form>
<p id="search-status" role="status" aria-live="polite">Search needs JavaScript; the listings above work without it.</p>
<ul id="search-results" class="report-list"></ul>"""


def _write_page(path: Path, title: str, body: str, current: str = "", scripts: str = "") -> None:
    """Write one site page from the shared page template."""
    listing_links = "\n".join(f'<li><a href="{name}"{_current(name == current)}>{html.escape(label)}</a></li>'
                              for name, label in LISTINGS)
    page = Template((PUBLISH_TEMPLATES / "site_page.html").read_text(encoding="utf-8")).substitute(
        title=html.escape(title), site_title=html.escape(SITE_TITLE), version=__version__, body=body, scripts=scripts,
        listing_links=listing_links, current_index=_current(current == "index"), current_search=_current(current == "search"))
    path.write_text(page, encoding="utf-8")


def _current(is_current: bool) -> str:
    """The aria-current attribute for the link to the page being shown."""
    return ' aria-current="page"' if is_current else ""
