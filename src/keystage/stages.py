"""Stage 2 (measure): canonical Parquet tables in, every measure table for every unit out.

The heavy work happens here once, for all units together; report notebooks then read only
their own unit's rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keystage.measures.compute import WRITE_ORDER, compute_all, write_measures
from keystage.opendata import school_identities
from keystage.standards import Standards, load_standards
from keystage.units import build_units, map_urns


def read_canonical(canonical_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Every canonical table written by ingest, keyed by name."""
    return {p.stem: pd.read_parquet(p) for p in sorted(Path(canonical_dir).glob("*.parquet"))}


def school_list(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per URN a school is known by: each URN of the KS2 files with its latest KS2 identity, and each series
    URN no KS2 file names (a school that converted after its last KS2 results) with its predecessor's; `series_urn`
    says which series (the key of every measure table) each belongs to. With its LA's name where the LA code list
    gives it, and the LAESTAB, region and GSS LA code its open data needs (see keystage.opendata.school_identities)."""
    lineage = tables.get("lineage")
    columns = ["urn", "la_code", "name", "estab", "year"]
    own = tables["school_years"].sort_values(["urn", "year"], kind="stable").drop_duplicates("urn", keep="last")[columns]
    series = map_urns(own, lineage).sort_values(["urn", "year"], kind="stable").drop_duplicates("urn", keep="last")
    schools = pd.concat([own, series[~series["urn"].isin(own["urn"])]], ignore_index=True).drop(columns="year")
    schools = schools.assign(series_urn=map_urns(schools, lineage)["urn"])
    codes = tables.get("la_codes")
    if codes is not None:
        schools = schools.merge(codes[["la_code", "la_name"]], on="la_code", how="left")
        schools["la_name"] = schools["la_name"].fillna("LA " + schools["la_code"].astype(str))
    out = school_identities(schools, tables.get("establishments")).drop(columns="estab")
    return out.sort_values("urn", ignore_index=True)


def units_of(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every unit a report can be about: LAs, districts, partnerships and single schools, each school by its series
    URN (the key of every measure table), whichever of its URNs the LA's records name."""
    lineage = tables.get("lineage")
    schools = school_list(tables)
    members = {name: tables.get(name) for name in ("districts", "partnerships")}
    mapped = {name: None if frame is None else map_urns(frame, lineage) for name, frame in members.items()}
    return build_units(schools[schools["urn"] == schools["series_urn"]], mapped["districts"], mapped["partnerships"])


def measure(canonical_dir: str | Path, out_dir: str | Path, standards: Standards | None = None) -> dict[str, pd.DataFrame]:
    """Compute all measures from the canonical tables and write them (with the units) as Parquet."""
    tables = read_canonical(canonical_dir)
    units = units_of(tables)
    results = compute_all(tables, standards or load_standards(), units)
    results["units"] = units
    results["schools"] = school_list(tables)
    write_measures(results, out_dir, WRITE_ORDER)
    return results
