"""The Quarto back end against the pandoc one: the same text, captions, numbers and tables in HTML, PDF and DOCX,
web-only pages as HTML only, byte-identical reruns, and a _quarto.yml that cannot clean a built site.

Tests that render need a `quarto` on PATH (or QUARTO_PATH) and skip with that reason otherwise."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from pages import TAG, docx_table_layouts, docx_tables, docx_text, pdf_text
from pypdf import PdfReader

from keystage.render import quarto
from keystage.render.engine import RenderedReport, describe_engine, render_report, render_reports

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "notebooks" / "la_report.ipynb"
needs_quarto = pytest.mark.skipif(quarto.quarto_path() is None, reason="quarto is not installed (not on PATH, QUARTO_PATH unset)")
FIGCAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
IMG_ALT = re.compile(r'<img src="([^"]+)" alt="([^"]*)"')
FIGURE = re.compile(r"<figure>.*?</figure>", re.S)
BODY = re.compile(r"<body>(.*)</body>", re.S)


def visible_text(page: str) -> str:
    """The text a reader sees in an HTML page's body, whitespace collapsed."""
    return " ".join(html.unescape(TAG.sub(" ", BODY.search(page).group(1))).split())


def html_parts(report: RenderedReport) -> dict[str, object]:
    """What must match between engines in a report's HTML: text, captions, alt texts, figures, table count, links."""
    page = report.html.read_text(encoding="utf-8")
    return {"text": visible_text(page), "figcaptions": FIGCAPTION.findall(page), "captions": CAPTION.findall(page),
            "alt": [(src, html.unescape(alt)) for src, alt in IMG_ALT.findall(page)],
            "figures": [html.unescape(figure) for figure in FIGURE.findall(page)],
            "tables": page.count("<table"), "regions": page.count('class="table-wrap"'),
            "links": re.findall(r'<a [^>]*href="([^"#][^"]*)"', page)}


def docx_lines(path: Path) -> list[str]:
    """The DOCX's text line by line, trimmed (Quarto leaves a space where pandoc leaves an empty paragraph between tables)."""
    return [line.strip() for line in docx_text(path).splitlines()]


def docx_alt_texts(path: Path) -> list[str]:
    """The alternative text (descr) of every picture of a DOCX."""
    with zipfile.ZipFile(path) as docx:
        return [html.unescape(d) for d in re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', docx.read("word/document.xml").decode())]


def docx_properties(path: Path) -> list[str]:
    """The names of a DOCX's custom document properties."""
    with zipfile.ZipFile(path) as docx:
        return re.findall(r'<property [^>]*name="([^"]*)"', docx.read("docProps/custom.xml").decode())


def pdf_lines(path: Path) -> list[str]:
    """Every line of text of a PDF, in page order."""
    return [line for page in pdf_text(path) for line in page.splitlines()]


def assert_same_report(pandoc: RenderedReport, quarto_made: RenderedReport) -> None:
    """Both engines' HTML, PDF and DOCX carry the same text, captions, numbers, figures and tables."""
    assert (pandoc.engine, quarto_made.engine) == ("pandoc", "quarto")
    ours, theirs = html_parts(pandoc), html_parts(quarto_made)
    for key in ours:
        assert ours[key] == theirs[key], key
    assert ours["captions"] and ours["tables"] == ours["regions"]
    assert pdf_lines(pandoc.pdf) == pdf_lines(quarto_made.pdf)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(quarto_made.pdf).pages}
    assert sizes == {(595, 842)}  # A4 at 72 pt per inch: 210 x 297 mm
    assert docx_lines(pandoc.docx) == docx_lines(quarto_made.docx)
    assert docx_tables(pandoc.docx) == docx_tables(quarto_made.docx)
    assert docx_table_layouts(pandoc.docx) == docx_table_layouts(quarto_made.docx)
    assert docx_alt_texts(pandoc.docx) == docx_alt_texts(quarto_made.docx) == [alt for _, alt in ours["alt"]]
    assert docx_properties(pandoc.docx) == docx_properties(quarto_made.docx) == []
    assert sorted(p.name for p in pandoc.assets) == sorted(p.name for p in quarto_made.assets)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedReport, RenderedReport]:
    """The fixture report, with inline code added as in the provenance appendix, rendered by each engine."""
    root = tmp_path_factory.mktemp("engines")
    nb = json.loads(FIXTURE.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["3.2 Standards: `standards.yaml`\n",
                                                                            "(SHA-256 `cc268f28`)."]})
    source = root / FIXTURE.name
    source.write_text(json.dumps(nb), encoding="utf-8")
    shutil.copytree(FIXTURE.parent / "data", root / "data")
    return render_report(source, root / "pandoc", engine="pandoc"), render_report(source, root / "quarto", engine="quarto")


@needs_quarto
def test_fixture_report_is_the_same_paper_under_both_engines(both: tuple[RenderedReport, RenderedReport]) -> None:
    pandoc, made = both
    assert_same_report(pandoc, made)
    page = made.html.read_text(encoding="utf-8")
    assert html_parts(made)["figcaptions"] == ["Figure 1: Level 4+ in reading, writing and maths, 2011 to 2013"]
    assert "<caption>Table 1: Level 4+ in reading, writing and maths, Exampleshire and England</caption>" in page
    assert 'href="../../index.html">All reports</a>' in page and 'href="../../search.html">Search</a>' in page
    assert "Produced with keystage" in page and "execute:" not in page and "papersize" not in page
    assert "<p>3.2 Standards: <code>standards.yaml</code> (SHA-256 <code>cc268f28</code>).</p>" in page
    first = pdf_text(made.pdf)[0]
    assert "EXAMPLESHIRE COUNTY COUNCIL" in first and "Committee:" in first and "Page 1 of 3" in first
    assert "Table 1: Level 4+ in reading, writing and maths, Exampleshire and England" in first


@needs_quarto
def test_quarto_renders_are_byte_identical_on_rerun(both: tuple[RenderedReport, RenderedReport], tmp_path: Path) -> None:
    first = both[1]
    again = render_report(first.dir.parent / FIXTURE.name, tmp_path / "again", engine="quarto")
    for one, two in ((first.html, again.html), (first.pdf, again.pdf), (first.docx, again.docx)):
        assert one.read_bytes() == two.read_bytes(), one.name
    assert PdfReader(again.pdf).metadata["/CreationDate"] == "D:20131121000000Z"  # the meeting date, 21 November 2013


def _school_page(tmp_path: Path, unit: str) -> Path:
    """A copy of the fixture notebook as a school page (its own slug), with no CSV downloads."""
    nb = json.loads(FIXTURE.read_text(encoding="utf-8"))
    nb["metadata"]["keystage"] |= {"kind": "school", "unit_id": unit, "downloads": []}
    path = tmp_path / f"school-{unit}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


@needs_quarto
def test_web_only_pages_are_html_only_and_match_pandoc(tmp_path: Path) -> None:
    notebooks = [_school_page(tmp_path, unit) for unit in ("100001", "100002")]
    made = render_reports([(nb, tmp_path / "q" / nb.stem, None) for nb in notebooks], engine="quarto", html_only=True)
    plain = render_reports([(nb, tmp_path / "p" / nb.stem, None) for nb in notebooks], engine="pandoc", html_only=True)
    assert [r.slug for r in made] == ["school-100001-2013", "school-100002-2013"]
    for ours, theirs in zip(plain, made, strict=True):
        assert (theirs.pdf, theirs.docx) == (None, None) and theirs.engine == "quarto"
        assert sorted(p.name for p in theirs.dir.iterdir()) == ["assets", "index.html", "report.json", "style.css"]
        assert html_parts(ours) == html_parts(theirs)
        assert "PDF copy" not in theirs.html.read_text(encoding="utf-8")


@needs_quarto
def test_a_batch_of_reports_renders_as_each_alone_dated_by_its_own_meeting(both: tuple[RenderedReport, RenderedReport],
                                                                         tmp_path: Path) -> None:
    source = both[1].dir.parent / FIXTURE.name
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["metadata"]["keystage"] |= {"kind": "district", "unit_id": "north"}
    nb["metadata"]["keystage"]["cover"]["date"] = "5 March 2014"
    later = source.with_name("district-north.ipynb")
    later.write_text(json.dumps(nb), encoding="utf-8")
    alone, batch = both[1], render_reports([(source, tmp_path / "la", None), (later, tmp_path / "north", None)], "quarto")
    assert [r.slug for r in batch] == ["la-999-2013", "district-north-2013"]
    for one, two in ((alone.html, batch[0].html), (alone.pdf, batch[0].pdf), (alone.docx, batch[0].docx)):
        assert one.read_bytes() == two.read_bytes(), one.name
    assert PdfReader(batch[1].pdf).metadata["/CreationDate"] == "D:20140305000000Z"  # its own meeting, 5 March 2014


@pytest.mark.slow
@pytest.mark.xdist_group("demo_build")
@needs_quarto
def test_demo_committee_report_is_the_same_paper_under_both_engines(demo_build: Path, tmp_path: Path) -> None:
    pandoc = RenderedReport.from_manifest(demo_build / "rendered" / "701" / "la")
    notebook = demo_build / "notebooks" / "701" / "la.ipynb"
    made = render_report(notebook, tmp_path / "la", engine="quarto", data_dir=notebook.parent / "la_data")
    assert_same_report(pandoc, made)
    assert len(html_parts(made)["captions"]) >= 5


def test_engine_choice_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quarto, "quarto_path", lambda: None)
    assert describe_engine("auto") == ("pandoc", "Rendering with pandoc + Typst (the Python wheels), chosen by "
                                                 "--engine auto: quarto is not installed.")
    monkeypatch.setattr(quarto, "quarto_path", lambda: "/opt/quarto/bin/quarto")
    monkeypatch.setattr(quarto, "quarto_version", lambda: "1.10.18")
    assert describe_engine("auto") == ("quarto", "Rendering with Quarto 1.10.18 (/opt/quarto/bin/quarto), chosen by "
                                                 "--engine auto: quarto is installed; --engine pandoc to use pandoc.")
    assert describe_engine("pandoc")[1].endswith("asked for with --engine pandoc.")


def test_quarto_project_file_renders_one_page_and_never_the_site() -> None:
    config = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    site_dir = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["site_dir"]
    assert config["project"] == {"type": "default", "output-dir": "_quarto", "render": ["reports/index.qmd"]}
    assert config["project"]["output-dir"] != site_dir and (REPO / "reports" / "index.qmd").is_file()


@needs_quarto
def test_quarto_render_at_the_root_leaves_a_built_site_alone(tmp_path: Path) -> None:
    for name in ("_quarto.yml", "reports", "README.md"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, tmp_path / name)
    (tmp_path / "_site").mkdir()
    (tmp_path / "_site" / "index.html").write_text("built site", encoding="utf-8")
    subprocess.run([quarto.quarto_path(), "render"], cwd=tmp_path, capture_output=True, check=True)
    assert (tmp_path / "_site" / "index.html").read_text(encoding="utf-8") == "built site"
    assert (tmp_path / "_quarto" / "reports" / "index.html").is_file() and not (tmp_path / "README.html").exists()


@pytest.mark.slow
@pytest.mark.xdist_group("demo_build")
def test_every_build_says_first_which_engine_renders(demo_build: Path) -> None:
    logs = json.loads((demo_build.parent / "reruns.json").read_text(encoding="utf-8"))
    for build in ("second", "edited", "third"):
        assert logs[build].startswith("Rendering with pandoc + Typst (the Python wheels), asked for with --engine pandoc.\n")
