"""Build only the committee reports (HTML, PDF, DOCX) of some LAs, as the England benchmark scenarios need.

Usage: build_reports.py DATA_DIR OUT [--measures-only] LA [LA ...]. The same workflow as `keystage build`
(keystage.workflow, with its kernel pool), with district, cohort, partnership and profile reports switched off.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from keystage.workflow import build_config, run_snakemake

ONLY_COMMITTEE = {"district_reports": False, "cohort_reports": False, "partnership_reports": False, "school_profiles": False}


def build(data_dir: Path, out: Path, las: list[int], measures_only: bool, cores: int = 2) -> int:
    """Run the workflow for `las`' committee reports (or only as far as the measures); returns Snakemake's exit code."""
    base = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))
    config = build_config(data_dir, las, out, "pandoc", base) | ONLY_COMMITTEE
    target = [f"{out}/measures"] if measures_only else []
    result = run_snakemake(config, cores, lambda done, total: None, target)
    return result.returncode


if __name__ == "__main__":
    arguments = sys.argv[1:]
    only = "--measures-only" in arguments
    arguments = [a for a in arguments if a != "--measures-only"]
    sys.exit(build(Path(arguments[0]), Path(arguments[1]), [int(code) for code in arguments[2:]], only))
