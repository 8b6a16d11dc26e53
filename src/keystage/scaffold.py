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


def report_yaml(la_code: int, name: str) -> dict[str, object]:
    """The report.yaml of a new LA, with placeholders an officer replaces."""
    return {
        "council": f"{name} Council",
        "committee": "Children and Young People's Select Committee",
        "date": "YYYY-MM-DD",
        "title": None,
        "reference": f"{la_code}/KS2",
        "report_from": "Director of Children's Services",
        "authors": ["Name, Role"],
        "contacts": [{"name": "Name", "role": "Role", "tel": "00000 000000", "email": "name@example.gov.uk"}],
        "years": {"first": 2016, "last": None},
        "corporate": [],
        "impact_assessments": [
            {
                "heading": "Equalities Impact Assessment",
                "text": "No Equalities Impact Assessment has been completed for this report.",
            }
        ],
    }


def new_la(reports_dir: str | Path, la_code: int, name: str) -> list[Path]:
    """Write config/reports/<la_code>/ for a new LA; refuses to overwrite an existing folder."""
    folder = Path(reports_dir) / str(la_code)
    if folder.exists():
        raise FileExistsError(f"{folder} already exists; edit it rather than scaffolding again")
    (folder / "narrative").mkdir(parents=True)
    (folder / "districts").mkdir()
    written = [folder / "report.yaml"]
    header = f"# Report metadata for {name} (LA {la_code}). Every number in the report is computed from data.\n"
    written[0].write_text(header + yaml.safe_dump(report_yaml(la_code, name), sort_keys=False), encoding="utf-8")
    for section, hint in SECTIONS.items():
        path = folder / "narrative" / f"{section}.md"
        default = DEFAULT_TEXT.get(section, "").format(unit=name)
        path.write_text(f"<!-- {hint} Delete this file to use the default text. -->\n{default}\n", encoding="utf-8")
        written.append(path)
    return written
