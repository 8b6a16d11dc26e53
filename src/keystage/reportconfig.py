"""Report metadata (report.yaml) and officer narrative (Markdown), with defaults where text is absent."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from keystage.yamlfile import read_yaml

IMPLICATIONS = {
    "financial": "Financial",
    "personnel": "Personnel",
    "legal": "Legal",
    "learning": "Learning and Development",
}

DEFAULT_TEXT = {
    "purpose": "The purpose of this paper is to report the Key Stage 2 results of {unit} and to set them "
    "beside national and local comparators.",
    **{key: f"There are no {label.lower()} implications arising from this report." for key, label in IMPLICATIONS.items()},
}


def slug(text: str) -> str:
    """A lower-case, hyphenated name safe for files and URLs ("St Mary's" -> "st-mary-s")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Contact:
    """A named contact on the cover block."""

    name: str
    role: str = ""
    tel: str = ""
    email: str = ""


@dataclass(frozen=True)
class ReportConfig:
    """Everything an LA's officers supply for its reports, read from config/reports/<la>/."""

    folder: Path
    council: str
    committee: str
    date: str
    title: str | None
    reference: str
    report_from: str
    authors: list[str]
    contacts: list[Contact]
    first_year: int | None = None
    last_year: int | None = None
    corporate: list[dict[str, str]] = field(default_factory=list)
    impact_assessments: list[dict[str, str]] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    draft: bool = False

    def cover(self, default_title: str) -> dict[str, Any]:
        """The cover block the renderers print on page 1 (the date in British long form, "21 January 2026")."""
        return {
            "council": self.council,
            "committee": self.committee,
            "date": long_date(self.date),
            "draft": self.draft,
            "title": self.title or default_title,
            "reference": self.reference,
            "report_from": self.report_from,
            "authors": list(self.authors),
            "contacts": [vars(c) for c in self.contacts],
        }

    def for_district(self, district: str) -> ReportConfig:
        """The config of a district's paper: its own committee (audience), date and reference from
        districts/<slug>/district.yaml, never the LA paper's; without that file, none are printed."""
        path = self.folder / "districts" / slug(district) / "district.yaml"
        raw = read_yaml(path).data if path.is_file() else {}
        return replace(
            self,
            committee=str(raw.get("committee") or ""),
            date=long_date(raw.get("date")) if raw.get("date") else self.date,
            reference=str(raw.get("reference") or ""),
            recommendations=[str(r) for r in raw.get("recommendations") or []],
        )

    def narrative_path(self, section: str, district: str | None = None) -> Path:
        """Where the officer text for a section lives (district text in districts/<slug>/)."""
        base = self.folder / "districts" / slug(district) if district else self.folder / "narrative"
        return base / f"{section}.md"

    def narrative(self, section: str, unit: str, district: str | None = None) -> str:
        """The officer's Markdown for a section, or the default text, or "" when the section has none."""
        path = self.narrative_path(section, district)
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
        return DEFAULT_TEXT.get(section, "").format(unit=unit)


REQUIRED = ("council", "committee", "report_from")


def long_date(value: object) -> str:
    """A date as a British committee paper prints it: 2026-01-21 -> "21 January 2026"; other text as it is."""
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    try:
        return long_date(dt.date.fromisoformat(str(value).strip()))
    except ValueError:
        return str(value or "")


def default_config(folder: Path) -> ReportConfig:
    """The metadata used when an LA has no report.yaml yet: only what is known (no council name, so the cover is
    headed by the LA's name as GIAS or LAIT spell it; no committee, date or reference), so the paper carries nothing
    to delete."""
    return ReportConfig(
        folder=folder,
        council="",
        committee="",
        date="",
        title=None,
        reference="",
        report_from="Director of Children's Services",
        authors=[],
        contacts=[],
    )


def load_report_config(reports_dir: str | Path, la_code: int) -> ReportConfig:
    """Read config/reports/<la_code>/report.yaml, checking the fields the cover block needs."""
    folder = Path(reports_dir) / str(la_code)
    path = folder / "report.yaml"
    if not path.is_file():
        return default_config(folder)
    doc = read_yaml(path)
    raw = doc.data
    for key in REQUIRED:
        if not raw.get(key):
            raise doc.error([key], f"expected a value for {key} (required)")
    contacts = raw.get("contacts") or []
    if not isinstance(contacts, list) or not all(isinstance(c, dict) and c.get("name") for c in contacts):
        raise doc.error(["contacts"], "expected a list of entries each with a name (and role, tel, email)")
    years = raw.get("years") or {}
    return ReportConfig(
        folder=folder,
        council=str(raw["council"]),
        committee=str(raw["committee"]),
        date=long_date(raw.get("date")),
        title=raw.get("title"),
        reference=str(raw.get("reference") or ""),
        report_from=str(raw["report_from"]),
        authors=[str(a) for a in raw.get("authors") or []],
        contacts=[Contact(**{k: str(v) for k, v in c.items() if k in ("name", "role", "tel", "email")}) for c in contacts],
        first_year=years.get("first"),
        last_year=years.get("last"),
        corporate=list(raw.get("corporate") or []),
        impact_assessments=list(raw.get("impact_assessments") or []),
        recommendations=[str(r) for r in raw.get("recommendations") or []],
        draft=bool(raw.get("draft", False)),
    )
