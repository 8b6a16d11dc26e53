# Helpers that turn the config and the data folder into the list of reports and each report's inputs.

import csv
import shlex
import sys
from pathlib import Path

import yaml

from keystage.errors import Rejects
from keystage.io.files import matching
from keystage.io.la_records import read_districts
from keystage.reportconfig import slug

DATA = Path(config["data_dir"])
REPORTS_DIR = Path(config["reports_dir"])
# The shell rules run keystage with the Python running Snakemake, so they find it however keystage was started
# (`.venv/bin/keystage build` without .venv/bin on PATH included).
KEYSTAGE = f"{shlex.quote(sys.executable)} -m keystage"


def data_files():
    """Every input file of the data folder, so a changed or replaced file reruns ingest."""
    return sorted(str(p) for p in DATA.rglob("*") if p.is_file() and not p.name.startswith("."))


def districts():
    """District slug -> name, from the LA's districts.csv read as ingest reads it (none when the LA has no records)."""
    found = matching(DATA / "la", "districts.csv")
    if not config["district_reports"] or not found:
        return {}
    return {slug(name): name for name in sorted(set(read_districts(found[0], Rejects())["district"]))}


def report_ids():
    """The reports of one LA: its committee report and one per district."""
    return ["la"] + [f"district-{s}" for s in districts()]


# Other rule files (cohort, partnership, school profiles) add functions here that list their reports'
# manifests for one LA; the publish rule takes them all.
REPORT_SETS = []


def all_reports():
    """Every rendered report's manifest, for every configured LA, from every kind of report."""
    committee = [f"{WORK}/rendered/{la}/{report}/report.json" for la in config["las"] for report in report_ids()]
    return committee + [path for la in config["las"] for listing in REPORT_SETS for path in listing(la)]


def report_parameters(wildcards):
    """The papermill parameters of one report (committee or district)."""
    district = wildcards.report.removeprefix("district-") if wildcards.report != "la" else None
    return {
        "work_dir": WORK,
        "reports_dir": str(REPORTS_DIR),
        "standards_path": config["standards"],
        "la_code": int(wildcards.la),
        "kind": "district" if district else "la",
        "unit_id": districts()[district] if district else wildcards.la,
        "downloads_dir": f"{WORK}/notebooks/{wildcards.la}/{wildcards.report}_data",
    }


def narrative_files(wildcards):
    """The officer-written files one report reads: report.yaml, its own narrative Markdown and, for a district,
    its district.yaml (committee, date, reference)."""
    folder = REPORTS_DIR / wildcards.la
    if wildcards.report == "la":
        text = folder / "narrative"
    else:
        text = folder / "districts" / wildcards.report.removeprefix("district-")
    found = [folder / "report.yaml"] if (folder / "report.yaml").is_file() else []
    found += sorted([*text.glob("*.md"), *text.glob("district.yaml")]) if text.is_dir() else []
    return [str(p) for p in found]
