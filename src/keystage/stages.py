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
    """One row per school series (its series URN, as the measures are keyed, and its latest KS2 identity) with its
    LA's name where the LA code list gives it, and the LAESTAB, region and GSS LA code its open data needs (see
    keystage.opendata.school_identities). A school that converted after its last KS2 results is listed under its
    academy's URN, which no KS2 file names."""
    years = map_urns(tables["school_years"], tables.get("lineage")).sort_values(["urn", "year"], kind="stable")
    schools = years.drop_duplicates("urn", keep="last")[["urn", "la_code", "name", "estab"]]
    codes = tables.get("la_codes")
    if codes is not None:
        schools = schools.merge(codes[["la_code", "la_name"]], on="la_code", how="left")
        schools["la_name"] = schools["la_name"].fillna("LA " + schools["la_code"].astype(str))
    return school_identities(schools, tables.get("establishments")).drop(columns="estab").reset_index(drop=True)


def units_of(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every unit a report can be about: LAs, districts, partnerships and single schools, each school by its series
    URN (the key of every measure table), whichever of its URNs the LA's records name."""
    lineage = tables.get("lineage")
    members = {name: tables.get(name) for name in ("districts", "partnerships")}
    mapped = {name: None if frame is None else map_urns(frame, lineage) for name, frame in members.items()}
    return build_units(school_list(tables), mapped["districts"], mapped["partnerships"])


def measure(canonical_dir: str | Path, out_dir: str | Path, standards: Standards | None = None) -> dict[str, pd.DataFrame]:
    """Compute all measures from the canonical tables and write them (with the units) as Parquet."""
    tables = read_canonical(canonical_dir)
    units = units_of(tables)
    results = compute_all(tables, standards or load_standards(), units)
    results["units"] = units
    results["schools"] = school_list(tables)
    write_measures(results, out_dir, WRITE_ORDER)
    return results
