"""The committee-paper cover block (council, committee, date, title ...) as labelled rows, for every format."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from keystage.render.notebook import escape_markdown


def cover_rows(meta: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The cover's label and value lines in committee-paper order; rows with no value are left out."""
    cover = meta.get("cover") or {}
    contacts = cover.get("contacts") or []
    authors = [str(a) for a in cover.get("authors") or []]
    rows = [
        ("Committee", [cover.get("committee")]),
        ("Date", [cover.get("date")]),
        ("Title", [cover.get("title") or meta.get("title")]),
        ("Reference", [cover.get("reference")]),
        ("Report from", [cover.get("report_from")]),
        ("Author" if len(authors) == 1 else "Authors", authors),
        ("Contact name" if len(contacts) == 1 else "Contact names", [_name_role(c) for c in contacts]),
        ("Tel", [c.get("tel") for c in contacts]),
        ("Email", [c.get("email") for c in contacts]),
        ("Status", ["Draft" if cover.get("draft") else None]),
    ]
    return [(label, [str(v) for v in values if v]) for label, values in rows if any(values)]


def footer(meta: dict[str, Any]) -> str:
    """The print footer: the reference (else the title), "Draft: " before it only when report.yaml says draft."""
    cover = meta.get("cover") or {}
    text = str(cover.get("reference") or meta["title"])
    return f"Draft: {text}" if cover.get("draft") else text


def council(meta: dict[str, Any]) -> str:
    """The council's proper name from report.yaml (empty when the LA has none)."""
    return str((meta.get("cover") or {}).get("council") or "")


def heading(meta: dict[str, Any]) -> tuple[str, str]:
    """The cover's first line, left and right: the council's name in capitals and "Report", as committee papers
    head it; without a configured council, the LA's name as GIAS or LAIT spell it and nothing beside it."""
    name = council(meta)
    return (name.upper(), "Report") if name else (str(meta.get("la_name") or ""), "")


def cover_markdown(meta: dict[str, Any]) -> str:
    """The cover block as pandoc Markdown (the heading's two parts, then a two-column table), for DOCX."""
    head = "\n\n".join(f"**{escape_markdown(part)}**" for part in heading(meta) if part)
    lines = [head, "", "-" * 20 + "  " + "-" * 50]
    for label, values in cover_rows(meta):
        cells = [escape_markdown(v) for v in values]
        cells = [cell + "\\" for cell in cells[:-1]] + cells[-1:]
        lines.append(f"**{label}:**".ljust(20) + "  " + cells[0])
        lines += [" " * 22 + cell for cell in cells[1:]] + [""]
    lines[-1] = "-" * 20 + "  " + "-" * 50
    return "\n".join(lines) + "\n"


def _name_role(contact: dict[str, Any]) -> str:
    """"Name, Role" for one contact (just the name when the role is blank)."""
    return ", ".join(str(contact[k]) for k in ("name", "role") if contact.get(k))


def report_epoch(meta: dict[str, Any]) -> int:
    """Seconds since 1970 of the meeting date (else 1 January of the report year): the only timestamp outputs carry."""
    text = str((meta.get("cover") or {}).get("date") or "").strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y"):
        try:
            return int(datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    return int(datetime(int(meta["year"]), 1, 1, tzinfo=UTC).timestamp())
