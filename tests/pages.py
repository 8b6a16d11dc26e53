"""Reading rendered reports back in tests: HTML tables by caption, PDF text, DOCX tables."""

from __future__ import annotations

import html
import re
from pathlib import Path

CAPTION = re.compile(r"<caption>(Table (\d+)[:.][^<]*)</caption>")
TABLE = re.compile(r"<table[^>]*>(.*?)</table>", re.S)
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")


def table_numbers(page: str) -> list[int]:
    """The numbers of the captioned tables of an HTML page, in order of appearance."""
    return [int(m.group(2)) for m in CAPTION.finditer(page)]


def html_table(page: str, number: int) -> list[list[str]]:
    """The rows (header first) of the table captioned "Table <number>" as lists of cell text."""
    for match in TABLE.finditer(page):
        caption = CAPTION.search(match.group(1))
        if caption and int(caption.group(2)) == number:
            return [[html.unescape(TAG.sub("", c)).strip() for c in CELL.findall(row)] for row in ROW.findall(match.group(1))]
    raise AssertionError(f"no Table {number} in the page")


def pdf_text(path: Path) -> list[str]:
    """The text of each page of a PDF."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def docx_tables(path: Path) -> list[list[list[str]]]:
    """Every table of a DOCX as rows of cell text."""
    from docx import Document

    return [[[cell.text.strip() for cell in row.cells] for row in table.rows] for table in Document(str(path)).tables]


def docx_text(path: Path) -> str:
    """All the text of a DOCX: its paragraphs and its tables' cells."""
    from docx import Document

    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def docx_opening(path: Path) -> str:
    """The text of a DOCX before its first page break, section break or body heading, paragraphs and table rows
    in order: what its first page opens with, whatever Word's layout does with the rest."""
    from docx import Document
    from docx.oxml.ns import qn

    def ends_opening(element) -> bool:
        styles = [s.get(qn("w:val")) or "" for s in element.iter(qn("w:pStyle"))]
        page_breaks = [b for b in element.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
        cut = [*element.iter(qn("w:sectPr")), *element.iter(qn("w:pageBreakBefore"))]
        return element.tag == qn("w:p") and any(s.startswith("Heading") for s in styles) or bool(page_breaks or cut)

    def text(element) -> str:
        return "".join("\n" if t.tag == qn("w:br") else t.text or "" for t in element.iter(qn("w:t"), qn("w:br")))

    lines = []
    for element in Document(str(path)).element.body.iterchildren():
        if ends_opening(element):
            break
        rows = element.iter(qn("w:tr")) if element.tag == qn("w:tbl") else [element]
        lines += ["\t".join(text(cell) for cell in row.iter(qn("w:tc"))) or text(row) for row in rows]
    return "\n".join(lines)


# Advance widths of Arial (metric-compatible with Helvetica) in thousandths of an em; other characters count as 0.667 em.
ARIAL = dict(zip("abcdefghijklmnopqrstuvwxyz", (556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
                                                 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500), strict=True))
ARIAL |= dict.fromkeys("0123456789", 556) | dict.fromkeys(",.:;/'\u2019", 278) | dict.fromkeys("()-", 333) | {"%": 889}


def arial_width(word: str, points: float) -> float:
    """The printed width in twips of `word` in Arial at `points` (upper-case letters and symbols at 0.667 em)."""
    return sum(ARIAL.get(c, 667) for c in word) / 1000 * points * 20


def docx_tables_past_the_page(path: Path, points: float = 9) -> list[str]:  # 9 pt: keystage.render.pandoc.TABLE_TEXT
    """The tables of a DOCX whose words Word cannot fit: a fixed column (its share of the text width, as its grid
    width is of the grid's) narrower than its longest word, or an autofit table whose columns' widest words are
    together wider than the text width (in Arial at the Table style's `points`, plus its cell margins). Word breaks
    such a word mid-word, or runs the table past the page."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(str(path))
    section = document.sections[0]
    text_width = (section.page_width - section.left_margin - section.right_margin) / 635  # EMU to twips
    found = []
    for table in document.tables:
        widest = [max((w for cell in column.cells for w in cell.text.split()), key=lambda w: arial_width(w, points),
                      default="") for column in table.columns]
        needed = [arial_width(word, points) + 2 * 108 for word in widest]
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        if any(layout.get(qn("w:type")) == "fixed" for layout in table._tbl.iter(qn("w:tblLayout"))):
            found += [f"{word!r} is wider than its column" for word, need, g in zip(widest, needed, grid, strict=True)
                      if need > text_width * g / sum(grid)]
        elif sum(needed) > text_width:
            found.append(f"the table of {widest} is wider than the page")
    return found


def docx_table_layouts(path: Path) -> list[tuple[str, list[str]]]:
    """Each DOCX table's layout (fixed or autofit) and its grid's column widths, as Word will lay it out."""
    from docx import Document
    from docx.oxml.ns import qn

    return [
        (
            next((layout.get(qn("w:type")) for layout in table._tbl.iter(qn("w:tblLayout"))), "autofit"),
            [col.get(qn("w:w")) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))],
        )
        for table in Document(str(path)).tables
    ]


def printed(text: str) -> str:
    """Text as a test compares it: typographic apostrophes (Typst's and pandoc's smart quotes) made straight."""
    return text.replace("\u2019", "'")


# Text an officer would have to delete before sending a paper: placeholders and boilerplate of absent records.
PLACEHOLDERS = (
    "(date of meeting)", "(draft)", "YYYY-MM-DD", "Name, Role", "00000 000000", "name@example.gov.uk",
    "is omitted", "are omitted", "Members are asked to note",
)  # fmt: skip
# Texts that speak of the LA's own records, wrong in a build whose LA supplied none.
LA_RECORD_TEXTS = ("no support days", "council's own records")


def placeholders_in(text: str, strings: tuple[str, ...] = PLACEHOLDERS) -> list[str]:
    """The placeholder strings found in a page's text (case-insensitive)."""
    low = text.casefold()
    return [p for p in strings if p.casefold() in low]


def outputs_text(root: Path) -> dict[Path, str]:
    """The text of every HTML, PDF and DOCX file under `root`, by path."""
    texts = {p: p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.html"))}
    texts.update({p: "\n".join(pdf_text(p)) for p in sorted(root.rglob("*.pdf"))})
    texts.update({p: docx_text(p) for p in sorted(root.rglob("*.docx"))})
    return texts


MARGIN = 2.2 / 2.54 * 72  # report.typ's left and right page margin, 2.2 cm, in points


def misprinted_text(pdfs: list[Path]) -> dict[str, list[tuple]]:
    """For each PDF with a fault, a few of its texts printed over other text, across a table rule or past the margin,
    and table captions left at a page's foot."""
    found = {pdf.name: overlapping_text(pdf)[:3] + text_across_rules(pdf)[:3] + text_past_margins(pdf, MARGIN)[:3]
             + stranded_captions(pdf)[:3] for pdf in pdfs}
    return {name: faults for name, faults in found.items() if faults}


def overlapping_text(path: Path, tolerance: float = 1.0) -> list[tuple[int, str, str]]:
    """(page, text, text) wherever two printed characters of a PDF overlap by more than `tolerance` points both
    ways: text of one cell printed over another. Characters, not words, because text drawn over text merges
    into one "word" when words are extracted."""
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            chars = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: c["x0"])
            for i, a in enumerate(chars):
                for b in chars[i + 1 :]:
                    if b["x0"] >= a["x1"] - tolerance:
                        break  # sorted by x0: no later character starts inside a
                    # more than a quarter of the narrower glyph: kerned pairs such as an italic "Av" overlap less
                    wide = min(a["x1"], b["x1"]) - b["x0"] > max(tolerance, 0.25 * min(a["width"], b["width"]))
                    if wide and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > tolerance:
                        found.append((number, _line_at(page, a), _line_at(page, b)))
    return found


def text_across_rules(path: Path, tolerance: float = 0.5) -> list[tuple[int, str]]:
    """(page, text) wherever a printed character straddles a vertical rule of a PDF: a table cell's text running
    out of its cell into the next one (as "National" once ran over the rule before it, reading "2025 National")."""
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            rules = [e for e in page.edges if e["orientation"] == "v"]
            for c in (c for c in page.chars if c["text"].strip()):
                if any(c["x0"] + tolerance < r["x0"] < c["x1"] - tolerance
                       and min(c["bottom"], r["bottom"]) - max(c["top"], r["top"]) > tolerance for r in rules):
                    found.append((number, _line_at(page, c)))
    return found


def text_past_margins(path: Path, margin: float) -> list[tuple[int, str]]:
    """(page, text) wherever a character of a PDF is printed less than `margin` points from the page's left or
    right edge: a long value (a hash, a list of URNs) running past the text column."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [(number, _line_at(page, c)) for number, page in enumerate(pdf.pages, start=1) for c in page.chars
                if c["text"].strip() and (c["x0"] < margin - 0.5 or c["x1"] > page.width - margin + 0.5)]


def stranded_captions(path: Path) -> list[tuple[int, str]]:
    """(page, caption) for each table caption ("Table 5: ...") with no table rule below it on its page: a caption
    left at the foot of one page while its table starts on the next."""
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words()
            rules = [e["top"] for e in page.edges if e["orientation"] == "h"]
            for word, label in zip(words, words[1:]):
                if (word["text"] == "Table" and re.fullmatch(r"\d+:", label["text"])
                        and abs(word["top"] - label["top"]) < 1 and not any(top > word["bottom"] for top in rules)):
                    found.append((number, f"Table {label['text']}"))
    return found


def _line_at(page, char) -> str:
    """The text printed on the line of a character, for an assertion message."""
    near = [c for c in page.chars if abs(c["top"] - char["top"]) < 1 and abs(c["x0"] - char["x0"]) < 60]
    return "".join(c["text"] for c in sorted(near, key=lambda c: c["x0"]))
