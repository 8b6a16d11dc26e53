"""Every measure behind the reports as Explore Education Statistics CSV files (with .meta.csv).

One file per measure table, rows for the LA, its districts and its schools, after disclosure
control: a percentage resting on fewer pupils than the minimum group shows "c", as DfE does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keystage.disclosure import suppress
from keystage.errors import InputError
from keystage.opendata import GEOGRAPHY_COLUMNS, Indicator, ees_frame, ees_meta, write_ees
from keystage.standards import Standards
from keystage.units import la_name

LEVELS = {"la": "Local authority", "district": "Local authority district", "school": "School"}

ATTAINMENT = [
    Indicator("value", "Percentage of pupils (or mean score) for the measure", "%", 1),
    Indicator("denominator", "Number of eligible pupils the figure rests on", "", 0),
    Indicator("n_schools", "Number of schools with a published result", "", 0),
    Indicator("national", "England (state-funded) figure", "%", 1),
    Indicator("diff_national", "Difference from England, percentage points", "pp", 1),
]
FLOOR = [
    Indicator("threshold", "Floor threshold, % meeting the headline measure", "%", 0),
    Indicator("n_assessed", "Schools assessed against the floor", "", 0),
    Indicator("n_below_attainment", "Schools below the threshold on attainment", "", 0),
    Indicator("n_lifted", "Schools below on attainment but lifted above the floor by progress", "", 0),
    Indicator("n_below_floor", "Schools below the floor", "", 0),
    Indicator("n_not_available", "Schools whose floor status cannot be evaluated", "", 0),
]
DISTRIBUTION = [
    Indicator("threshold", "Threshold, % meeting the headline measure", "%", 0),
    Indicator("n_schools", "Schools with a published headline result", "", 0),
    Indicator("n_at_or_above", "Schools at or above the threshold", "", 0),
    Indicator("pct_at_or_above", "Percentage of schools at or above the threshold", "%", 1),
    Indicator("mean_change", "Mean change on the previous year, percentage points", "pp", 1),
]
GAPS = [
    Indicator("disadv_pct", "Disadvantaged pupils meeting the headline measure", "%", 1),
    Indicator("other_pct", "Other pupils meeting the headline measure", "%", 1),
    Indicator("gap", "Gap: other minus disadvantaged, percentage points", "pp", 1),
    Indicator("national_gap", "England gap, percentage points", "pp", 1),
]


def _geography(frame: pd.DataFrame, unit_type: str, la_code: int, la_name: str) -> dict[str, str]:
    base = {"old_la_code": str(la_code), "la_name": la_name}
    if unit_type == "la":
        return base | {"region_name": "", "new_la_code": ""}
    if unit_type == "district":
        return base | {"lad_code": "", "lad_name": "unit_name"}
    return base | {"school_urn": "unit_id", "school_name": "unit_name"}


SUPPRESSED = "_suppressed"  # a boolean column: the row's indicators are hidden ("c")


def _ees_rows(
    frame: pd.DataFrame, units: pd.DataFrame, la_code: int, la_name: str, filters: list[str], indicators: list[Indicator]
) -> pd.DataFrame:
    """`frame` (unit_type, unit_id, year, ...) for one LA's units, laid out level by level as EES rows.

    Rows flagged in the SUPPRESSED column show "c" for every indicator whose value is hidden.
    """
    names = units[["unit_type", "unit_id", "unit_name"]].drop_duplicates(["unit_type", "unit_id"])
    frame = frame.merge(names, on=["unit_type", "unit_id"], how="left")
    parts = []
    for unit_type, level in LEVELS.items():
        rows = frame[frame["unit_type"] == unit_type].reset_index(drop=True)
        if rows.empty:
            continue
        hidden = rows[SUPPRESSED] if SUPPRESSED in rows else pd.Series(False, index=rows.index)
        status = pd.DataFrame({i.name: hidden.map({True: "c", False: ""}) for i in indicators})
        parts.append(ees_frame(rows, level, _geography(rows, unit_type, la_code, la_name), filters, indicators, status))
    if not parts:
        return pd.DataFrame()
    data = pd.concat(parts, ignore_index=True).fillna("")
    geography = [c for level in LEVELS.values() for c in GEOGRAPHY_COLUMNS[level]]
    first = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name"]
    ordered = first + list(dict.fromkeys(c for c in geography if c in data)) + filters + [i.name for i in indicators]
    return data[ordered]


def la_units(units: pd.DataFrame, la_code: int) -> pd.DataFrame:
    """The LA's own units: the LA, its districts and its schools."""
    schools = set(units.loc[(units["unit_type"] == "la") & (units["unit_id"] == str(la_code)), "urn"])
    return units[units["urn"].isin(schools) & units["unit_type"].isin(list(LEVELS))]


DOWNLOAD_TABLES = ("attainment", "floor_counts", "distribution", "gaps")


def read_la_measures(measures_dir: str | Path, la_code: int) -> dict[str, pd.DataFrame]:
    """The measure rows `write_downloads` needs for one LA: its units and their rows of each table, read with
    Parquet filters so an England-sized measure folder costs one LA's rows, not every LA's."""
    folder = Path(measures_dir)
    for name in ("units", "schools", *DOWNLOAD_TABLES):
        if not (folder / f"{name}.parquet").is_file():
            raise InputError(folder / f"{name}.parquet", None, None, "a Parquet table written by `keystage measure`")
    la = pd.read_parquet(folder / "units.parquet", filters=[("unit_type", "==", "la"), ("unit_id", "==", str(la_code))])
    urns = sorted(int(u) for u in la["urn"].unique())
    units = pd.read_parquet(folder / "units.parquet", filters=[("urn", "in", urns)]) if urns else la
    ids = sorted(set(la_units(units, la_code)["unit_id"]))
    keyed = [("unit_type", "in", list(LEVELS)), ("unit_id", "in", ids)]
    tables = {name: pd.read_parquet(folder / f"{name}.parquet", filters=keyed) for name in DOWNLOAD_TABLES[1:]}
    # attainment, the largest table, is grouped by LA (see keystage.measures.compute): filtering on la_code skips the rest
    tables["attainment"] = pd.read_parquet(folder / "attainment.parquet", filters=[("la_code", "==", int(la_code)), *keyed])
    schools = pd.read_parquet(folder / "schools.parquet", filters=[("la_code", "==", int(la_code))])
    return tables | {"units": units, "schools": schools}


def la_downloads(measures_dir: str | Path, la_code: int, standards: Standards, out_dir: str | Path) -> list[Path]:
    """Read one LA's measure rows from `measures_dir` and write its EES files into `out_dir`."""
    tables = read_la_measures(measures_dir, la_code)
    return write_downloads(tables, standards, la_code, la_name(tables["schools"], la_code), out_dir)


def write_downloads(
    measures: dict[str, pd.DataFrame], standards: Standards, la_code: int, la_name: str, out_dir: str | Path
) -> list[Path]:
    """Write attainment, floor, distribution and gap measures of one LA as EES files in `out_dir`."""
    units = la_units(measures["units"], la_code)
    keys = units[["unit_type", "unit_id"]].drop_duplicates()
    written: list[Path] = []
    attainment = measures["attainment"].merge(keys, on=["unit_type", "unit_id"])
    attainment = attainment[attainment["kind"] == "pct"].reset_index(drop=True)
    safe = suppress(attainment, standards.disclosure, percents={"value": "denominator"})
    hidden = safe["value"].astype(str).eq(standards.disclosure.symbol)
    attainment = attainment.assign(value=attainment["value"].where(~hidden), **{SUPPRESSED: hidden})
    specs = [
        ("attainment", attainment, ["measure"], ATTAINMENT),
        ("floor_standard", measures["floor_counts"].merge(keys, on=["unit_type", "unit_id"]), [], FLOOR),
        ("distribution", measures["distribution"].merge(keys, on=["unit_type", "unit_id"]), [], DISTRIBUTION),
        ("disadvantage_gap", _gaps(measures["gaps"].merge(keys, on=["unit_type", "unit_id"]), standards), [], GAPS),
    ]
    for name, frame, filters, indicators in specs:
        data = _ees_rows(frame, units, la_code, la_name, filters, indicators)
        if data.empty:
            continue
        meta = ees_meta({f: f.replace("_", " ").capitalize() for f in filters}, indicators)
        written.extend(write_ees(data, meta, Path(out_dir) / name))
    return written


def _gaps(gaps: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Gap rows with group percentages hidden where either group is under the minimum size."""
    small = (gaps["disadv_denominator"] < standards.disclosure.min_group) | (
        gaps["other_denominator"] < standards.disclosure.min_group
    )
    return gaps.assign(**{c: gaps[c].where(~small) for c in ("disadv_pct", "other_pct", "gap")}, **{SUPPRESSED: small})
