"""The partnership stage: partnership tables from the canonical and measure tables, written as Parquet.

Runs once for every partnership of every LA after the measure stage; the partnership and profile
notebooks read only these files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from keystage.errors import Rejects
from keystage.measures.compute import write_measures
from keystage.measures.partnerships import (
    did_summary,
    matched_did,
    membership_spells,
    partnership_attainment,
    partnership_floor,
    read_targets,
    school_sizes,
    size_band_attainment,
    targets_vs_results,
)
from keystage.profiles import data_folder_urns
from keystage.stages import read_canonical
from keystage.standards import Standards
from keystage.units import apply_lineage

EMPTY_PARTNERSHIPS = {
    "partnership_id": str,
    "partnership_name": str,
    "partnership_type": str,
    "urn": "int64",
    "joined": "datetime64[ns]",
    "left": "datetime64[ns]",
}


def partnership_tables(
    tables: dict[str, pd.DataFrame], measures: dict[str, pd.DataFrame], standards: Standards, targets: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Every partnership table: spells, sizes, did_schools, did_summary, attainment, floor_counts,
    size_bands and (when targets are given) targets."""
    lineage = tables.get("lineage")
    partnerships = tables.get("partnerships")
    if partnerships is None:
        partnerships = pd.DataFrame({c: pd.Series(dtype=t) for c, t in EMPTY_PARTNERSHIPS.items()})
    results, _ = apply_lineage(tables["school_results"], lineage)
    spells = membership_spells(partnerships, lineage)
    sizes = school_sizes(tables.get("establishments"), measures["schools"], lineage)
    did = matched_did(results, spells, sizes, standards)
    att = partnership_attainment(results, spells, standards)
    out = {
        "spells": spells,
        "sizes": sizes,
        "did_schools": did,
        "did_summary": did_summary(did),
        "attainment": att,
        "floor_counts": partnership_floor(measures["floor_schools"], spells, standards),
        "size_bands": size_band_attainment(results, sizes, standards),
    }
    if targets is not None:
        out["targets"] = targets_vs_results(targets, att, standards)
    return out


def data_folder_partnerships(data_dir: str | Path) -> dict[int, list[str]]:
    """LA code -> ids of the partnerships in la/partnerships.csv with a member school in that LA (by URN or
    series URN), read cheaply for listing the partnership reports when a workflow is parsed."""
    path = Path(data_dir) / "la" / "partnerships.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(handle)]
    members = pd.DataFrame([(r.get("partnership_id", ""), r.get("urn", "")) for r in rows], columns=["partnership_id", "urn"])
    members = members[members["urn"].str.isdigit() & members["partnership_id"].ne("")].astype({"urn": "int64"})
    schools = data_folder_urns(data_dir)
    by_urn = pd.concat([schools[["urn", "la_code"]], schools[["series_urn", "la_code"]].rename(columns={"series_urn": "urn"})])
    found = members.merge(by_urn.drop_duplicates(), on="urn")
    return {int(la): sorted(set(g["partnership_id"])) for la, g in found.groupby("la_code")}


def run_partnerships(
    canonical_dir: str | Path,
    measures_dir: str | Path,
    out_dir: str | Path,
    standards: Standards,
    targets_path: str | Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Read canonical and measure tables (and the targets CSV when given and present), write the
    partnership tables to `out_dir` and return them; unreadable target rows go to out_dir/rejects.parquet."""
    rejects = Rejects()
    targets = read_targets(targets_path, rejects) if targets_path and Path(targets_path).is_file() else None
    out = partnership_tables(read_canonical(canonical_dir), read_canonical(measures_dir), standards, targets)
    out["rejects"] = rejects.table()
    write_measures(out, out_dir)
    return out
