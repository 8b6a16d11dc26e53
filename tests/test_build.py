"""The demo built end to end with `keystage build`: the site, the committee report in HTML, PDF and
DOCX with the right numbers, open data with small groups suppressed, and reruns that do only what a
change touches."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import EDIT, EDITED_DISTRICT
from pages import (
    docx_opening,
    docx_tables,
    docx_tables_past_the_page,
    docx_text,
    html_table,
    misprinted_text,
    outputs_text,
    pdf_text,
    placeholders_in,
    printed,
    table_numbers,
)

from keystage.eesvalidate import check_folder, published_pairs, validate_pair
from keystage.render.engine import RenderedReport
from keystage.rounding import round_half_up

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_build")]

DISTRICTS = ["avonford", "brackmoor", "chalkdown", "downsmere", "eastharbour", "fernvale", "greywater", "hollowfield"]


def committee_reports(out: Path) -> dict[str, RenderedReport]:
    """The LA report and the district reports, by report id ("la", "district-avonford", ...)."""
    return {p.parent.name: RenderedReport.from_manifest(p) for p in sorted((out / "rendered" / "701").glob("*/report.json"))
            if p.parent.name == "la" or p.parent.name.startswith("district-")}


def reruns(out: Path) -> dict[str, str]:
    """What the fixture's rebuilds printed and logged: "second", "edited" (one district's narrative) and "third"."""
    return json.loads((out.parent / "reruns.json").read_text(encoding="utf-8"))


def test_site_lists_the_committee_report_and_eight_district_reports(demo_build):
    reports = committee_reports(demo_build)
    assert sorted(reports) == ["district-" + d for d in DISTRICTS] + ["la"]
    index = (demo_build / "site" / "index.html").read_text(encoding="utf-8")
    for report in reports.values():
        assert f'href="reports/{report.slug}/index.html"' in index
        site_copy = demo_build / "site" / "reports" / report.slug
        assert (site_copy / report.pdf.name).stat().st_size > 10_000
        assert (site_copy / report.docx.name).stat().st_size > 5_000


def test_html_tables_are_numbered_without_gaps_and_hold_the_computed_values(demo_build):
    reports = committee_reports(demo_build)
    measures = pd.read_parquet(demo_build / "measures" / "attainment.parquet")
    for report in reports.values():
        numbers = table_numbers(report.html.read_text(encoding="utf-8"))
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8
    page = reports["la"].html.read_text(encoding="utf-8")
    table = html_table(page, 1)
    header, last = table[0], table[-1]
    year = int(last[0])
    la = measures[(measures["unit_type"] == "la") & (measures["unit_id"] == "701")]
    headline = la[(la["measure"] == "headline") & (la["year"] == year)]
    # the LA report shows DfE's published LA figure (the LA row), which the school-based value rounds to as well
    published = headline["la_published"].item()
    assert last[header.index("RWM")] == str(int(round_half_up(published))) == str(int(round_half_up(headline["value"].item())))


def test_pdf_is_a4_with_page_numbers_and_the_tables(demo_build):
    from pypdf import PdfReader

    report = committee_reports(demo_build)["la"]
    box = PdfReader(report.pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    body = "\n".join(pdf_text(report.pdf))
    assert "Table 1" in body and "Table 5" in body and "Page 2 of" in body


def own_cover(demo_build: Path, report_id: str) -> list[str]:
    """What a paper's cover must print, read from the demo's report.yaml and its district's district.yaml."""
    folder = demo_build.parent / "reports" / "701"
    config = yaml.safe_load((folder / "report.yaml").read_text(encoding="utf-8"))
    if report_id == "la":
        return [config["committee"], "Key Stage 2: the Wessex story 2025", config["reference"]]
    district = report_id.removeprefix("district-")
    own = yaml.safe_load((folder / "districts" / district / "district.yaml").read_text(encoding="utf-8"))
    return [own["committee"], f"Key Stage 2 in {district.title()}: 2025", own["reference"]]


def print_copies(report: RenderedReport) -> dict[str, str]:
    """The opening of a report's PDF (page one up to its body: "Summary", or its title repeated as a heading) and
    of its DOCX (everything before its first break or heading): its cover block."""
    first = printed(pdf_text(report.pdf)[0]).split("\n")
    body = next(i for i, line in enumerate(first) if i and line.strip() in ("Summary", report.meta["title"]))
    return {"pdf": "\n".join(first[:body]), "docx": printed(docx_opening(report.docx))}


def test_every_pdf_and_docx_opens_with_its_own_cover_block(demo_build):
    manifests = (demo_build / "rendered" / "701").glob("*/report.json")
    printed_reports = {p.parent.name: r for p in manifests if (r := RenderedReport.from_manifest(p)).pdf or r.docx}
    partnerships = {name for name in printed_reports if name.startswith("partnership-")}
    assert len(partnerships) == 37  # 24 clusters, 8 federations, 4 trusts and all partnerships together
    assert sorted(set(printed_reports) - partnerships) == sorted(committee_reports(demo_build))
    for name, report in printed_reports.items():
        for copy, text in print_copies(report).items():
            assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text) and "draft" not in text.lower(), (name, copy)
            if name in partnerships:  # no committee paper: headed by the LA's name, then its title
                assert [" ".join(line.split()) for line in text.split("\n")[:2]] == ["Wessex", f"Title: {report.meta['title']}"]
                continue
            assert text.split()[:4] == ["WESSEX", "COUNTY", "COUNCIL", "Report"], (name, copy)
            for fact in [*own_cover(demo_build, name), "21 January 2026", "Director of Children's Services", "Alex Morgan"]:
                assert fact in text, (name, copy, fact)
            if name != "la":  # a district paper never carries the LA paper's committee or reference
                assert "Select Committee" not in text and not re.search(r"CYP/2026/014(?!-)", text), (name, copy)


def test_docx_holds_the_tables(demo_build):
    report = committee_reports(demo_build)["la"]
    page = report.html.read_text(encoding="utf-8")
    expected = html_table(page, 1)
    tables = docx_tables(report.docx)
    assert any(t[0] == expected[0] and t[-1] == expected[-1] for t in tables)


def test_no_published_csv_shows_a_percentage_of_a_group_under_the_minimum(demo_build):
    data = pd.read_csv(demo_build / "site" / "data" / "701" / "ks2_attainment_school.csv", dtype=str, keep_default_na=False)
    pupils = pd.to_numeric(data["t_rwm_eligible_pupils"], errors="coerce")
    shown = pd.to_numeric(data["pt_rwm_met_expected_standard"], errors="coerce").notna()
    assert not (shown & (pupils < 6)).any()  # no percentage of fewer than 6 pupils
    assert not (shown & pupils.isna()).any()  # nor one whose group size is hidden
    assert (data["pt_rwm_met_expected_standard"] == "c").sum() > 0  # the demo has small groups, shown "c"


def test_every_csv_the_site_publishes_passes_the_open_data_standard(demo_build):
    site = demo_build / "site"
    files = published_pairs(site)
    assert validate_pair(files[0]) == [] and check_folder(site) == len(files)
    assert {f.parent.name for f in files} >= {"701", "data"}  # the open data and the reports' table downloads
    assert any(f.name.startswith("cohort_") for f in files) and any(f.name == "partnership_did.csv" for f in files)
    records = [p for p in site.rglob("ancillary-*.csv") if p.name.endswith(("provenance.csv", "rejects.csv"))]
    assert records and not any(p.with_name(p.stem + ".meta.csv").exists() for p in records)
    district = site / "reports" / "district-avonford-2025" / "data"
    assert all(p.name.startswith("ancillary-") for p in district.glob("*.csv"))  # EES shows no file of planning areas only
    page = (site / "data.html").read_text(encoding="utf-8")
    assert 'href="data/701/ks2_attainment_school.meta.csv">metadata</a>' in page and "LAESTAB" in page


def test_second_build_does_nothing_and_a_district_edit_reruns_that_district_alone(demo_build):
    logs = reruns(demo_build)
    assert "Nothing to do" in logs["second"]
    ran = re.findall(r"\n(?:local)?rule (\w+):\n(?:    .*\n)*?    wildcards: ([^\n]*)", logs["edited"])
    assert sorted(ran) == [("narrate", f"la=701, report=district-{EDITED_DISTRICT}"),
                           ("render", f"la=701, report=district-{EDITED_DISTRICT}")]
    assert sorted(re.findall(r"\n(?:local)?rule (\w+):", logs["edited"])) == ["all", "narrate", "publish", "render"]
    district = committee_reports(demo_build)[f"district-{EDITED_DISTRICT}"]
    assert EDIT.strip() in (demo_build / "site" / "reports" / district.slug / "index.html").read_text(encoding="utf-8")
    assert "Nothing to do" in logs["third"]


def test_one_measure_pass_covers_the_la_every_district_and_every_school(demo_build):
    attainment = pd.read_parquet(demo_build / "measures" / "attainment.parquet")
    units = pd.read_parquet(demo_build / "measures" / "units.parquet")
    wessex = set(units.loc[(units["unit_type"] == "la") & (units["unit_id"] == "701"), "urn"])
    mine = units[units["urn"].isin(wessex)]
    headline = attainment[(attainment["measure"] == "headline") & (attainment["year"] == 2019)]
    covered = set(zip(headline["unit_type"], headline["unit_id"], strict=True))
    assert ("la", "701") in covered
    assert {d for t, d in covered if t == "district"} == set(mine.loc[mine["unit_type"] == "district", "unit_id"])
    assert len({d for t, d in covered if t == "district"}) == 8
    results = pd.read_parquet(demo_build / "canonical" / "school_results.parquet")
    published = results[(results["measure"] == "headline") & (results["year"] == 2019) & (results["status"] == "")]
    lineage = pd.read_parquet(demo_build / "canonical" / "lineage.parquet").set_index("urn")["series_urn"]
    expected = {str(lineage.get(u, u)) for u in published["urn"] if lineage.get(u, u) in wessex}
    assert expected and expected <= {d for t, d in covered if t == "school"}


def test_every_school_named_in_a_committee_report_links_to_an_existing_profile(demo_build):
    site = demo_build / "site" / "reports"
    links = 0
    for report in committee_reports(demo_build).values():
        page = (site / report.slug / "index.html").read_text(encoding="utf-8")
        for href in re.findall(r'href="\.\./(school-\d+-\d+)/index\.html"', page):
            assert (site / href / "index.html").is_file(), href
            links += 1
    assert links >= 6  # the six case studies of the LA report name at least six schools


def test_no_published_file_of_the_site_holds_a_pupil_identifier(demo_build):
    pupils = pd.read_csv(demo_build.parent / "data" / "la" / "pupils.csv", usecols=["pupil_id"], dtype=str)
    ids = set(pupils["pupil_id"])
    pattern = re.compile(r"\bP\d{7}\b")  # the demo's pupil_id format
    assert ids and all(pattern.fullmatch(i) for i in ids)
    for path in (demo_build / "site").rglob("*"):
        if path.suffix in {".html", ".csv", ".json", ".js", ".txt"}:
            text = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".pdf":
            text = "\n".join(pdf_text(path))
        elif path.suffix == ".docx":
            text = docx_text(path)
        else:
            continue
        found = set(pattern.findall(text)) & ids
        assert not found, f"{path} holds pupil identifiers {sorted(found)[:3]}"


def test_no_text_is_printed_over_other_text_across_a_rule_or_past_the_margin_in_any_pdf(demo_build):
    pdfs = sorted((demo_build / "rendered" / "701").glob("*/*.pdf"))
    assert len(pdfs) == 46  # the committee paper, eight district papers and 37 partnership reports
    assert misprinted_text(pdfs) == {}


def test_every_docx_table_fits_its_columns(demo_build):
    docx_files = sorted((demo_build / "rendered" / "701").glob("*/*.docx"))
    assert len(docx_files) == 46
    assert {p.name: found for p in docx_files if (found := docx_tables_past_the_page(p)[:3])} == {}


def test_no_placeholder_in_any_html_pdf_or_docx(demo_build):
    texts = outputs_text(demo_build / "rendered" / "701") | outputs_text(demo_build / "site")
    assert any(p.suffix == ".docx" for p in texts) and any(p.suffix == ".pdf" for p in texts)
    found = {str(p): placeholders_in(t) for p, t in texts.items()}
    assert {p: f for p, f in found.items() if f} == {}


def test_every_committee_and_district_paper_opens_with_its_summary(demo_build):
    for report in committee_reports(demo_build).values():
        page = report.html.read_text(encoding="utf-8")
        summary = page.index("Key messages")  # the contents list names sections before the body begins
        purpose = page.index("1 Purpose of Report", summary)
        assert "That the " in page[summary:purpose]  # the recommendation, before section 1
        text = "\n".join(pdf_text(report.pdf))
        assert text.index("Key messages") < text.index("1 Purpose of Report")


def test_district_papers_address_their_own_audience_and_list_their_schools(demo_build):
    report = committee_reports(demo_build)[f"district-{EDITED_DISTRICT}"]
    page = report.html.read_text(encoding="utf-8")
    assert "The schools of Avonford" in page and "That the Avonford District Schools Forum notes" in page
    assert 'href="../school-' in page  # each school links to its profile


def test_docx_pages_are_numbered(demo_build):
    from docx import Document

    footer = Document(str(committee_reports(demo_build)["la"].docx)).sections[0].footer
    xml = footer._element.xml
    assert "Page" in footer.paragraphs[0].text and " PAGE " in xml and " NUMPAGES " in xml
