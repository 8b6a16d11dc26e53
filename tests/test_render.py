"""The render back ends: the fixture notebook to HTML, A4 PDF and DOCX (rendered once per module)."""

from __future__ import annotations

import base64
import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
from pages import docx_opening, printed
from pypdf import PdfReader

from keystage.errors import InputError
from keystage.render import quarto, render_report
from keystage.render.engine import RenderedReport, choose_engine
from keystage.render.notebook import caption_tables, notebook_to_markdown

FIXTURE = Path(__file__).parent / "fixtures" / "notebooks" / "la_report.ipynb"
TABLE_1 = "Table 1: Level 4+ in reading, writing and maths, Exampleshire and England"
ALT = "Line chart: Exampleshire rose from 71% in 2011 to 77% in 2013; England rose from 67% to 75%."
# href/src of everything a browser would fetch: scripts, stylesheets, images, fonts, media
RESOURCE = re.compile(r'<(?:script|link|img|source|iframe|embed|object|audio|video)\b[^>]*?\b(?:src|href|data)="([^"]*)"')


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> RenderedReport:
    return render_report(FIXTURE, tmp_path_factory.mktemp("render") / "la", engine="pandoc")


@pytest.fixture(scope="module")
def page(report: RenderedReport) -> str:
    return report.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pdf(report: RenderedReport) -> PdfReader:
    return PdfReader(report.pdf)


def test_files_are_where_the_manifest_says(report: RenderedReport) -> None:
    assert report.engine == "pandoc" and report.slug == "la-999-2013"
    assert [p.name for p in (report.html, report.pdf, report.docx)] == ["index.html", "la-999-2013.pdf", "la-999-2013.docx"]
    assert RenderedReport.from_manifest(report.dir) == report


def test_html_table_has_its_caption_header_cells_and_values(page: str) -> None:
    assert f"<caption>{TABLE_1}</caption>" in page
    assert '<th style="text-align: right;">Exampleshire</th>' in page
    # 2013 row of Table 1: 77% against 75%, gap 77 - 75 = 2
    assert re.search(r"<td[^>]*>2013</td>\s*<td[^>]*>77%</td>\s*<td[^>]*>75%</td>\s*<td[^>]*>2</td>", page)
    assert page.count("<table>") == 2 and page.count('class="table-wrap"') == 2


def test_html_figure_has_alt_text_and_visible_caption(report: RenderedReport, page: str) -> None:
    assert f'<img src="assets/fig-1.png" alt="{ALT}">' in page
    assert "<figcaption>Figure 1: Level 4+ in reading, writing and maths, 2011 to 2013</figcaption>" in page
    nb = json.loads(FIXTURE.read_text(encoding="utf-8"))
    png = next(o["data"]["image/png"] for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert (report.dir / "assets" / "fig-1.png").read_bytes() == base64.b64decode(png)


def test_html_fetches_nothing_from_the_network(report: RenderedReport, page: str) -> None:
    resources = RESOURCE.findall(page)
    assert resources == ["style.css", "assets/fig-1.png"]
    assert not [r for r in resources if r.startswith(("http:", "https:", "//"))]
    assert "http://" not in (report.dir / "style.css").read_text() and "https://" not in (report.dir / "style.css").read_text()


def test_html_is_accessible_page_with_site_navigation(page: str) -> None:
    assert '<html lang="en-GB">' in page and '<a class="skip-link" href="#main">' in page and '<main id="main"' in page
    assert '<a class="site-name" href="../../index.html">' in page and 'href="../../search.html"' in page
    assert '<nav class="toc" aria-labelledby="toc-heading">' in page and 'href="#purpose-of-report"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_html_links_to_pdf_docx_and_csv_downloads_that_exist(report: RenderedReport, page: str) -> None:
    hrefs = re.findall(r'<a href="([^"]+)" download>', page)
    assert hrefs == ["la-999-2013.pdf", "la-999-2013.docx", "data/headline.csv", "data/schools.csv"]
    assert all((report.dir / h).is_file() for h in hrefs)


def test_code_streams_and_stderr_are_never_published(report: RenderedReport, page: str, pdf: PdfReader) -> None:
    text = page + "".join(p.extract_text() for p in pdf.pages) + "".join(p.text for p in docx.Document(report.docx).paragraphs)
    for hidden in ("debug: this stream text", "stderr is never published", "matplotlib", "display(Markdown"):
        assert hidden not in text


def test_pdf_is_a4_with_the_cover_block_on_page_one(pdf: PdfReader) -> None:
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4: 210 x 297 mm at 72 pt per inch
    first = pdf.pages[0].extract_text()
    for field in ("EXAMPLESHIRE COUNTY COUNCIL", "Report", "Committee:", "Cabinet Member for Education", "21 November 2013",
                  "Key Stage 2: the Exampleshire story 2013", "EX/CS/2013/17", "Director of Children's Services",
                  "Alex Officer", "Bea Analyst", "Jane Smith, Head of Performance", "Raj Patel, School Improvement Manager",
                  "01234 567890", "01234 567891", "jane.smith@example.gov.uk", "raj.patel@example.gov.uk"):
        assert field in first, field
    assert f"Page 1 of {len(pdf.pages)}" in first


def test_pdf_holds_table_values_and_the_long_table_breaks_across_pages(pdf: PdfReader) -> None:
    pages = [p.extract_text() for p in pdf.pages]
    assert TABLE_1 in pages[0] and "2013 77% 75% 2" in pages[0]
    first_row = next(i for i, t in enumerate(pages) if "School 01 100001 57%" in t)  # 50 + (1 * 7) % 50 = 57
    last_row = next(i for i, t in enumerate(pages) if "School 60 100060 70%" in t)  # 50 + (60 * 7) % 50 = 70
    assert last_row > first_row
    assert "School URN Level 4+" in pages[last_row]  # the header row repeats on the next page


def test_docx_is_a4_with_cover_and_tables(report: RenderedReport) -> None:
    document = docx.Document(report.docx)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    rows = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    assert rows[0][0] == ["Committee:", "Cabinet Member for Education"]
    assert rows[1] == [["Year", "Exampleshire", "England", "Gap"], ["2011", "71%", "67%", "4"],
                       ["2012", "74%", "75%", "-1"], ["2013", "77%", "75%", "2"]]
    assert len(rows[2]) == 1 + 60 and rows[2][60] == ["School 60", "100060", "70%", "0"]  # (60 * 3) % 20 = 0
    assert any(p.text == TABLE_1 for p in document.paragraphs)


def test_docx_opens_with_the_same_cover_facts_as_the_pdf(report: RenderedReport, pdf: PdfReader) -> None:
    opening, first = docx_opening(report.docx), pdf.pages[0].extract_text()
    assert opening.split()[:4] == first.split()[:4] == ["EXAMPLESHIRE", "COUNTY", "COUNCIL", "Report"]
    for field in ("Cabinet Member for Education", "21 November 2013", "Key Stage 2: the Exampleshire story 2013",
                  "EX/CS/2013/17", "Jane Smith, Head of Performance", "Raj Patel, School Improvement Manager",
                  "01234 567891", "raj.patel@example.gov.uk"):
        assert field in printed(opening) and field in printed(first), field


def test_every_format_is_in_british_english(report: RenderedReport, page: str, pdf: PdfReader) -> None:
    with zipfile.ZipFile(report.docx) as docx_zip:
        styles = docx_zip.read("word/styles.xml").decode("utf-8")
    assert re.search(r'<w:rPrDefault>.*<w:lang [^>]*w:val="en-GB"', styles, re.S)  # Word's spelling and hyphenation
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"
    assert '<html lang="en-GB">' in page


def test_rendering_twice_gives_identical_files(report: RenderedReport, tmp_path: Path) -> None:
    again = render_report(FIXTURE, tmp_path / "again", engine="pandoc")
    for first, second in ((report.html, again.html), (report.pdf, again.pdf), (report.docx, again.docx)):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_caption_line_before_a_pipe_table_becomes_its_caption() -> None:
    text = "2.1 Prose.\n\n**Table 3: Floor**\n\n| a |\n|---|\n| 1 |\n\n**Table 4: not followed by a table**\n"
    assert caption_tables(text) == (
        "2.1 Prose.\n\nTable: Table 3: Floor\n\n| a |\n|---|\n| 1 |\n\n**Table 4: not followed by a table**"
    )


def _notebook(tmp_path: Path, outputs: list[dict], meta: dict | None = None) -> Path:
    nb = {"cells": [{"cell_type": "code", "source": "x", "metadata": {}, "outputs": outputs}], "metadata": {},
          "nbformat": 4, "nbformat_minor": 5}
    nb["metadata"]["keystage"] = {"title": "T", "kind": "la", "year": 2019} if meta is None else meta
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_image_without_alt_text_stops_with_an_input_error(tmp_path: Path) -> None:
    png = {"output_type": "display_data", "data": {"image/png": base64.b64encode(b"png").decode()}, "metadata": {}}
    with pytest.raises(InputError, match=r"nb.ipynb, column cells\[0\].outputs\[0\].metadata: .*'alt'"):
        notebook_to_markdown(_notebook(tmp_path, [png]), tmp_path / "assets")


def test_error_output_and_bad_metadata_stop_with_input_errors(tmp_path: Path) -> None:
    error = {"output_type": "error", "ename": "KeyError", "evalue": "x", "traceback": []}
    with pytest.raises(InputError, match="executed without errors"):
        notebook_to_markdown(_notebook(tmp_path, [error]), tmp_path / "assets")
    with pytest.raises(InputError, match="metadata.keystage.kind: one of la, district"):
        notebook_to_markdown(_notebook(tmp_path, [], {"title": "T", "kind": "county", "year": 2019}), tmp_path / "a")
    with pytest.raises(InputError, match="metadata.keystage.year"):
        notebook_to_markdown(_notebook(tmp_path, [], {"title": "T", "kind": "la"}), tmp_path / "a")


def test_missing_download_csv_stops_before_rendering(tmp_path: Path) -> None:
    meta = {"title": "T", "kind": "la", "year": 2019, "downloads": [{"label": "L", "path": "gone.csv"}]}
    with pytest.raises(InputError, match=r"downloads\[0\].path: an existing CSV file"):
        render_report(_notebook(tmp_path, [], meta), tmp_path / "out", engine="pandoc")


def test_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quarto, "quarto_path", lambda: None)
    assert choose_engine("auto") == "pandoc"
    with pytest.raises(InputError, match="QUARTO_PATH"):
        choose_engine("quarto")
    monkeypatch.setattr(quarto, "quarto_path", lambda: "/opt/quarto/bin/quarto")
    assert (choose_engine("auto"), choose_engine("pandoc")) == ("quarto", "pandoc")
