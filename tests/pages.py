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
