"""The pandoc back end: report Markdown to a standalone HTML page, a DOCX file and Typst source."""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pypandoc

from keystage import __version__
from keystage.render.cover import council, cover_markdown, cover_rows, footer, heading, report_epoch

# Numbers are assigned by keystage, so "@tbl-1" is text, not a citation, and "$" is never maths; raw HTML, TeX
# and raw blocks (```{=typst}```) are read as text, so no officer's or data file's text becomes markup or code.
READER = "markdown-citations-tex_math_dollars-tex_math_single_backslash-raw_tex-raw_html-raw_attribute"
SITE_TITLE = "Key Stage 2 reports"
TEMPLATES = files("keystage.render") / "templates"
A4_PAGE = (
    '<w:pgSz w:w="11906" w:h="16838"/>'
    '<w:pgMar w:top="1247" w:right="1247" w:bottom="1247" w:left="1247" w:header="709" w:footer="709" w:gutter="0"/>'
)
# A centred "Page N of M" footer (Word fields PAGE and NUMPAGES); pandoc keeps the reference document's footers.
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_FIELD = '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {0} </w:instrText></w:r>' \
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
PAGE_FOOTER = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr {_W}><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
    f'<w:r><w:t xml:space="preserve">Page </w:t></w:r>{_FIELD.format("PAGE")}'
    f'<w:r><w:t xml:space="preserve"> of </w:t></w:r>{_FIELD.format("NUMPAGES")}</w:p></w:ftr>'
)
FOOTER_REL = (
    '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" '
    'Id="rIdKsFooter" Target="footer1.xml" /></Relationships>'
)
FOOTER_TYPE = (
    '<Override PartName="/word/footer1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml" /></Types>'
)
# Pandoc gives a pipe table wider than --columns fixed relative column widths, which in Word squeeze a "Year" column
# below its word; with no table wider than this, Word sizes each column to its text. (Typst keeps the relative widths:
# its auto columns share out an overfull table equally, below the width of a label column's longest word.)
AUTOFIT_COLUMNS = 100000
AUTOFIT = f"--columns={AUTOFIT_COLUMNS}"
TABLE_TEXT = b'<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'  # 9 pt, in the reference's Table style
_TABLE_START = re.compile(r"<table\b[^>]*>(\s*<caption>(.*?)</caption>)?", re.S)
_IMAGE_ALT = re.compile(r'\]\(([^)\s]+\.png)\)\{alt="((?:[^"\\]|\\.)*)"\}')


@dataclass(frozen=True)
class PageLinks:
    """Relative hrefs from a report page to the site's index, search page and stylesheet, and to its downloads."""

    home: str
    search: str
    css: str
    downloads: tuple[tuple[str, str, str], ...]  # (label, href, format such as "PDF, A4")


def run_pandoc(args: list[str], markdown: str, cwd: Path, epoch: int) -> None:
    """Run the pandoc binary of pypandoc-binary on `markdown` in `cwd`, with a fixed SOURCE_DATE_EPOCH."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    cmd = [pypandoc.get_pandoc_path(), "--from", READER, *args]
    done = subprocess.run(cmd, input=markdown.encode("utf-8"), cwd=cwd, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pandoc {' '.join(args)} failed: {done.stderr.decode('utf-8', 'replace').strip()}")


def page_variables(meta: dict[str, Any], links: PageLinks, escape: Callable[[str], str]) -> dict[str, Any]:
    """The page template's `ks` values (title, cover rows, downloads, site links), each string passed through `escape`."""
    cover = cover_rows(meta) if meta.get("cover") else []  # a page with no committee cover gets no block repeating its title
    return {
        "title": escape(str(meta["title"])),
        "subtitle": escape(str(meta.get("subtitle") or "")),
        "council": escape(council(meta)),
        "cover": [{"label": escape(label), "values": [escape(v) for v in values]} for label, values in cover],
        "downloads": [{"label": escape(lab), "href": escape(href), "format": escape(fmt)} for lab, href, fmt in links.downloads],
        "home": escape(links.home),
        "search": escape(links.search),
        "css": escape(links.css),
        "site_title": escape(SITE_TITLE),
        "version": escape(__version__),
        "records": bool(meta.get("la_records")),
    }


def html_page(markdown: str, meta: dict[str, Any], links: PageLinks, out_html: Path) -> Path:
    """Write the report as a standalone, accessible HTML page (own template, local CSS, no external resources)."""
    page = page_variables(meta, links, html.escape)
    args = ["--to", "html5", "--standalone", "--template", str(TEMPLATES / "page.html"), "--toc", "--toc-depth=3",
            "--wrap=none", "--section-divs", f"--variable-json=ks:{json.dumps(page)}",
            f"--variable=pagetitle:{page['title']}", "--output", str(out_html)]
    run_pandoc(args, markdown, out_html.parent, report_epoch(meta))
    out_html.write_text(wrap_tables(out_html.read_text(encoding="utf-8")), encoding="utf-8")
    return out_html


def wrap_tables(page: str) -> str:
    """Put each table in a focusable scroll region named by its caption, so wide tables work on a 360 px screen (WCAG 1.4.10)."""

    def region(match: re.Match[str]) -> str:
        name = html.unescape(re.sub(r"<[^>]+>", "", match.group(2) or "Table"))
        label = html.escape(f"{name} (scrolls sideways)")
        return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">{match.group(0)}'

    return _TABLE_START.sub(region, page).replace("</table>", "</table></div>")


def docx_file(markdown: str, meta: dict[str, Any], out_docx: Path) -> Path:
    """Write the report as an editable A4 DOCX, cover block first, for the committee clerk."""
    reference = out_docx.parent / ".keystage-reference.docx"
    reference.write_bytes(a4_reference_docx())
    try:
        args = ["--to", "docx", "--reference-doc", str(reference), "--metadata=lang:en-GB", AUTOFIT, "--output", str(out_docx)]
        run_pandoc(args, cover_markdown(meta) + "\n" + markdown, out_docx.parent, report_epoch(meta))
    finally:
        reference.unlink()
    return out_docx


def a4_reference_docx() -> bytes:
    """Pandoc's default reference.docx with an A4 page, Arial, 9 pt table text (so a nine-column case-study table's
    words fit the page) and page numbers in the footer (and fixed zip dates, for reproducible DOCX)."""
    default = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                             capture_output=True, check=True).stdout
    out = io.BytesIO()
    footer_ref = '<w:footerReference xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ' \
        'w:type="default" r:id="rIdKsFooter"/>'
    with zipfile.ZipFile(io.BytesIO(default)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = {item.filename: src.read(item.filename) for item in src.infolist()}
        parts["word/footer1.xml"] = PAGE_FOOTER.encode()
        for name, data in parts.items():
            if name == "word/document.xml":
                data = data.replace(b"<w:sectPr>", b"<w:sectPr>" + footer_ref.encode())
                data = data.replace(b"</w:sectPr>", A4_PAGE.encode() + b"</w:sectPr>")
            elif name == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", FOOTER_REL.encode())
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", FOOTER_TYPE.encode())
            elif name == "word/styles.xml":
                data = re.sub(rb'(w:styleId="Table">.*?)(<w:tblPr>)', rb"\1" + TABLE_TEXT + rb"\2", data, count=1, flags=re.S)
            elif name == "word/theme/theme1.xml":
                data = re.sub(rb'<a:latin typeface="[^"]*"', b'<a:latin typeface="Arial"', data)
            dst.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def typst_source(markdown: str, meta: dict[str, Any], out_typ: Path) -> Path:
    """Write the report as Typst source (own template; cover data in a JSON file beside it) ready to compile."""
    cover_json = write_cover_json(meta, out_typ.with_suffix(".json"))
    args = ["--to", "typst", "--template", str(TEMPLATES / "report.typ"), "--wrap=none",
            f"--variable=ks-json:{cover_json.name}", "--output", str(out_typ)]
    run_pandoc(args, markdown, out_typ.parent, report_epoch(meta))
    out_typ.write_text(typst_image_alt(out_typ.read_text(encoding="utf-8"), markdown), encoding="utf-8")
    return out_typ


def write_cover_json(meta: dict[str, Any], path: Path) -> Path:
    """Write the cover data report.typ reads (title, heading, cover rows, authors, footer) as JSON, so no string is markup."""
    rows = [{"label": label, "values": values} for label, values in cover_rows(meta)]
    data = {"title": str(meta["title"]), "heading": list(heading(meta)), "cover": rows,
            "authors": [str(a) for a in (meta.get("cover") or {}).get("authors") or []],
            "footer": footer(meta)}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def typst_image_alt(source: str, markdown: str) -> str:
    """Give each Typst image the alt text its Markdown image carries (pandoc's typst writer drops it)."""
    for path, alt in _IMAGE_ALT.findall(markdown):
        text = re.sub(r"\\(.)", r"\1", alt).replace("\\", "\\\\").replace('"', '\\"')
        source = source.replace(f'image("{path}")', f'image("{path}", alt: "{text}")')
    return source
