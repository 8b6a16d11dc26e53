"""Check an LA's report folder (report.yaml and narrative Markdown) before a build reads it, one clear message each.

Only the structure and types of what is there are checked here (each field that exists has the kind of value
the report uses); which fields are required is reportconfig's, which `check_report_folder` also runs.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import yaml

from keystage.errors import InputError
from keystage.reportconfig import load_report_config

SCALAR = (str, int, float, datetime.date)
TEXT_FIELDS = ("council", "committee", "date", "title", "reference", "report_from")
CONTACT_FIELDS = ("name", "role", "tel", "email")
LISTS_OF_MAPPINGS = ("corporate", "impact_assessments")


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file whose top level is a mapping (an empty file is an empty mapping); anything else stops."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(path, None, None, f"not valid UTF-8 ({err.reason} at byte {err.start}); expected a UTF-8 file") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        raise InputError(path, mark.line + 1 if mark else None, None, f"not valid YAML ({problem})") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(path, 1, None, f"the file holds a {type(raw).__name__}; expected a mapping of field: value")
    return raw


def check_report_yaml(path: Path) -> None:
    """Each field of report.yaml that is present has the type the report uses (text, lists, contacts, years)."""
    raw = read_yaml_mapping(path)
    for key in TEXT_FIELDS:
        if raw.get(key) is not None and not isinstance(raw[key], SCALAR):
            raise InputError(path, None, key, f"{key} is a {type(raw[key]).__name__}; expected a single line of text")
    authors = raw.get("authors")
    if authors is not None and not (isinstance(authors, list) and all(isinstance(a, SCALAR) for a in authors)):
        raise InputError(path, None, "authors", "expected a list of names, one per line starting with -")
    for at, contact in enumerate(raw.get("contacts") or [], start=1):
        if isinstance(contact, dict):
            wrong = [k for k in CONTACT_FIELDS if contact.get(k) is not None and not isinstance(contact[k], SCALAR)]
            if wrong:
                raise InputError(path, None, f"contacts {at}: {wrong[0]}", "expected a single line of text")
    years = raw.get("years")
    if years is not None:
        _check_years(path, years)
    for key in LISTS_OF_MAPPINGS:
        value = raw.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            raise InputError(path, None, key, "expected a list of entries, each a mapping such as label: ... value: ...")


def _check_years(path: Path, years: object) -> None:
    """years: a mapping whose first and last (when given) are test years, first not after last."""
    if not isinstance(years, dict):
        raise InputError(path, None, "years", "expected a mapping with first: and last: test years")
    for key in ("first", "last"):
        value = years.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100):
            raise InputError(path, None, f"years: {key}", f"value {value!r} is not a test year; expected a year such as 2019")
    if isinstance(years.get("first"), int) and isinstance(years.get("last"), int) and years["first"] > years["last"]:
        raise InputError(path, None, "years", f"first ({years['first']}) is after last ({years['last']})")


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
    """Check config/reports/<la>/ as a build reads it: report.yaml (types, then reportconfig's required fields) and
    the narrative; returns the files checked (none when the LA has no folder: its reports use default text)."""
    folder = Path(reports_dir) / str(la_code)
    path = folder / "report.yaml"
    checked = []
    if path.is_file():
        check_report_yaml(path)
        load_report_config(reports_dir, la_code)
        checked.append(path)
    return checked + check_narrative(folder)
