"""Check an LA's report folder (report.yaml and narrative Markdown) before a build reads it, one clear message each.

Only the structure and types of what is there are checked here (each field that exists has the kind of value
the report uses); which fields are required is reportconfig's, which `check_report_folder` also runs.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from keystage.errors import InputError
from keystage.reportconfig import load_report_config
from keystage.yamlfile import YamlFile, read_yaml

SCALAR = (str, int, float, datetime.date)
TEXT_FIELDS = ("council", "committee", "date", "title", "reference", "report_from")
CONTACT_FIELDS = ("name", "role", "tel", "email")
LISTS_OF_MAPPINGS = ("corporate", "impact_assessments")


REPORT_FIELDS = (*TEXT_FIELDS, "authors", "contacts", "years", *LISTS_OF_MAPPINGS, "recommendations", "draft")
DISTRICT_TEXT_FIELDS = ("committee", "date", "reference")
DISTRICT_FIELDS = (*DISTRICT_TEXT_FIELDS, "recommendations")  # what ReportConfig.for_district reads


def _check_known(doc: YamlFile, known: tuple[str, ...]) -> None:
    """Stop at the first key the report does not read (a misspelt field would otherwise be ignored)."""
    for key in doc.data:
        if key not in known:
            raise doc.error([key], f"unknown key; expected one of {', '.join(known)}", at_key=True)


def _check_text(doc: YamlFile, keys: tuple[str, ...]) -> None:
    """Each of `keys` that is present is a single line of text (or a number or date, printed as written)."""
    for key in keys:
        value = doc.data.get(key)
        if value is not None and not isinstance(value, SCALAR):
            raise doc.error([key], f"expected a single line of text, found a {type(value).__name__}")


def _check_lines(doc: YamlFile, key: str, what: str) -> None:
    """`key`, when present, is a list of single lines of text."""
    value = doc.data.get(key)
    if value is not None and not (isinstance(value, list) and all(isinstance(v, SCALAR) for v in value)):
        raise doc.error([key], f"expected a list of {what}, one per line starting with -")


def check_report_yaml(path: Path) -> None:
    """Each field of report.yaml that is present is one the report reads and has the type it uses (text, lists,
    contacts, years)."""
    doc = read_yaml(path)
    raw = doc.data
    _check_known(doc, REPORT_FIELDS)
    _check_text(doc, TEXT_FIELDS)
    _check_lines(doc, "authors", "names")
    _check_lines(doc, "recommendations", "recommendations")
    for at, contact in enumerate(raw.get("contacts") or []):
        if isinstance(contact, dict):
            wrong = [k for k in CONTACT_FIELDS if contact.get(k) is not None and not isinstance(contact[k], SCALAR)]
            if wrong:
                raise doc.error(["contacts", at, wrong[0]], "expected a single line of text")
    years = raw.get("years")
    if years is not None:
        _check_years(doc, years)
    for key in LISTS_OF_MAPPINGS:
        value = raw.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            raise doc.error([key], "expected a list of entries, each a mapping such as label: ... value: ...")


def check_district_yaml(path: Path) -> None:
    """A district paper's district.yaml holds only the fields its cover reads, each of the type it uses."""
    doc = read_yaml(path)
    _check_known(doc, DISTRICT_FIELDS)
    _check_text(doc, DISTRICT_TEXT_FIELDS)
    _check_lines(doc, "recommendations", "recommendations")


def _check_years(doc: YamlFile, years: object) -> None:
    """years: a mapping whose first and last (when given) are test years, first not after last."""
    if not isinstance(years, dict):
        raise doc.error(["years"], "expected a mapping with first: and last: test years")
    for key in ("first", "last"):
        value = years.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100):
            raise doc.error(["years", key], f"value {value!r} is not a test year; expected a year such as 2019")
    if isinstance(years.get("first"), int) and isinstance(years.get("last"), int) and years["first"] > years["last"]:
        raise doc.error(["years"], f"first ({years['first']}) is after last ({years['last']}); expected first <= last")


def check_narrative(folder: Path) -> list[Path]:
    """Every narrative Markdown file of an LA's report folder, each readable as UTF-8; returns them."""
    paths = sorted(folder.rglob("*.md")) if folder.is_dir() else []
    for path in paths:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            line = raw.count(b"\n", 0, err.start) + 1
            raise InputError(path, line, None, f"byte {raw[err.start]:#04x} is not valid UTF-8; expected a UTF-8 file") from None
    return paths


def check_report_folder(reports_dir: str | Path, la_code: int) -> list[Path]:
    """Check config/reports/<la>/ as a build reads it: report.yaml (types, then reportconfig's required fields), each
    district's district.yaml and the narrative; returns the files checked (none when the LA has no folder: its reports
    use default text)."""
    folder = Path(reports_dir) / str(la_code)
    path = folder / "report.yaml"
    checked = []
    if path.is_file():
        check_report_yaml(path)
        load_report_config(reports_dir, la_code)
        checked.append(path)
    districts = sorted((folder / "districts").glob("*/district.yaml"))
    for district in districts:
        check_district_yaml(district)
    return checked + districts + check_narrative(folder)
