"""Scaffold the report configuration of a new LA: report.yaml and narrative Markdown to fill in."""

from __future__ import annotations

from pathlib import Path

import yaml

from keystage.reportconfig import DEFAULT_TEXT

SECTIONS = {
    "purpose": "Why this paper comes to the committee.",
    "context": "What members should know about the LA and its schools before reading the figures.",
    "support": "How the school improvement service deploys support, statutory and traded.",
    "maths": "The mathematics team's work with schools this year.",
    "english": "The English team's work with schools this year.",
    "conclusions": "What the officers conclude; the figures are generated, so write no numbers here.",
}


def report_yaml(council: str) -> dict[str, object]:
    """The report.yaml of a new LA: the council's proper name as given, nothing invented, and marked as a draft
    until an officer fills in the meeting's committee, date and reference."""
    return {
        "council": council,
        "committee": "Children and Young People's Select Committee",
        "date": None,
        "title": None,
        "reference": None,
        "report_from": "Director of Children's Services",
        "draft": True,
        "authors": [],
        "contacts": [],
        "years": {"first": 2016, "last": None},
        "recommendations": [],
        "corporate": [],
        "impact_assessments": [
            {
                "heading": "Equalities Impact Assessment",
                "text": "No Equalities Impact Assessment has been completed for this report.",
            }
        ],
    }


GUIDE = """# Fill in date (the meeting, e.g. 2026-01-21, printed "21 January 2026"), reference, authors and contacts,
# and set draft: false when the paper is final. recommendations: a list of "That the Committee ..." lines
# (empty: "That the Committee notes the Key Stage 2 results ...").
"""


def new_la(reports_dir: str | Path, la_code: int, name: str, council: str) -> list[Path]:
    """Write config/reports/<la_code>/ for a new LA; refuses to overwrite an existing folder."""
    folder = Path(reports_dir) / str(la_code)
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; edit it rather than scaffolding again")
    (folder / "narrative").mkdir(parents=True)
    (folder / "districts").mkdir()
    written = [folder / "report.yaml"]
    header = f"# Report metadata for {name} (LA {la_code}). Every number in the report is computed from data.\n" + GUIDE
    written[0].write_text(header + yaml.safe_dump(report_yaml(council), sort_keys=False), encoding="utf-8")
    for section, hint in SECTIONS.items():
        path = folder / "narrative" / f"{section}.md"
        default = DEFAULT_TEXT.get(section, "").format(unit=name)
        path.write_text(f"<!-- {hint} Delete this file to use the default text. -->\n{default}\n", encoding="utf-8")
        written.append(path)
    return written
