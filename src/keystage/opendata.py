"""Write tables as Explore Education Statistics open data: tidy CSV plus a `.meta.csv` beside it.

DfE's open data standard ("Open data standards", DfE analysts' guide, see config/standards.yaml): UTF-8,
snake_case headers, the mandatory time and geography columns first (time_period, time_identifier,
geographic_level, country_code, country_name, then the level's own columns, all filled), filters (each with
a Total or a default item), then indicators; GSS symbols for missing values (c suppressed, x not available,
z not applicable, low rounds to zero), never for a real 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from keystage.rounding import round_half_up

COUNTRY = {"country_code": "E92000001", "country_name": "England"}
TIME_COLUMNS = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name"]
LA_COLUMNS = ["region_code", "region_name", "old_la_code", "new_la_code", "la_name"]
GEOGRAPHY_COLUMNS = {
    "National": [],
    "Local authority": LA_COLUMNS,
    "Planning area": [*LA_COLUMNS, "planning_area_code", "planning_area_name"],
    "School": [*LA_COLUMNS, "school_urn", "school_laestab", "school_name"],
}
# GSS codes of the English regions (ONS register of geographic codes, E12 entity), by the GIAS "GOR (name)"
REGION_CODES = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and the Humber": "E12000003",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}
GSS_SYMBOLS = ("c", "x", "z", "low")
ANCILLARY_PREFIX = "ancillary-"  # provenance and rejects: documented beside the data, not screened as statistics
TOTAL = "Total"
META_COLUMNS = [
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
    "filter_default",
]


@dataclass(frozen=True)
class Indicator:
    """One indicator column: its name, label, unit ("%", "pp" or "") and decimal places."""

    name: str
    label: str
    unit: str = ""
    dp: int = 1


def snake(name: str) -> str:
    """A column name in the standard's snake_case: "band_0 to 5" -> "band_0_to_5", "% KS2" -> "pct_ks2"."""
    text = re.sub(r"[^a-z0-9]+", "_", name.replace("%", "pct ").replace("+", " plus").lower()).strip("_")
    return text if text[:1].isalpha() else f"n_{text}"


def planning_area_code(la_code: int, district: str) -> str:
    """The code of an LA's own district, published at the standard's planning-area level: "701-eastharbour"."""
    return f"{int(la_code)}-{re.sub(r'[^a-z0-9]+', '-', district.lower()).strip('-')}"


def time_periods(years: pd.Series) -> pd.Series:
    """The EES academic-year codes of May test years: 2019 -> "201819"."""
    years = years.astype("int64")
    return (years - 1).astype(str) + (years % 100).astype(str).str.zfill(2)


def la_geography(schools: pd.DataFrame, la_code: int) -> dict[str, str]:
    """The EES LA columns (region code and name, old and new LA codes, LA name) of one LA, from the measure
    stage's school list (`la_code`, `la_name`, `region_name`, `new_la_code`: see `school_identities`)."""
    rows = schools[schools["la_code"].astype("int64") == int(la_code)]

    def first(column: str) -> str:
        values = rows[column].dropna().astype(str) if column in rows else pd.Series(dtype=str)
        values = values[values != ""]
        return str(values.mode().iloc[0]) if len(values) else ""

    region = first("region_name")
    return {"region_code": REGION_CODES.get(region, ""), "region_name": region, "old_la_code": str(int(la_code)),
            "new_la_code": first("new_la_code"), "la_name": first("la_name") or f"LA {la_code}"}


def school_identities(schools: pd.DataFrame, establishments: pd.DataFrame | None) -> pd.DataFrame:
    """`schools` (urn, la_code, estab) with the DfE LAESTAB and, by LA, the region and GSS LA code GIAS gives
    its schools (the most common non-blank value among them), so every open-data file can fill its geography."""
    laestab = schools["la_code"].astype("Int64") * 10000 + schools["estab"].astype("Int64")
    out = schools.assign(laestab=[str(v) if pd.notna(v) else "" for v in laestab])
    columns = {"region": "region_name", "gss_la_code": "new_la_code"}
    if establishments is None or not set(columns) <= set(establishments.columns):
        return out.assign(region_name="", new_la_code="")
    gias = establishments[["la_code", *columns]].rename(columns=columns).replace("", pd.NA)
    by_la = gias.groupby("la_code").agg(lambda s: s.dropna().mode().iloc[0] if s.notna().any() else "").reset_index()
    out = out.merge(by_la, on="la_code", how="left")
    return out.fillna({c: "" for c in columns.values()})


def ees_frame(
    frame: pd.DataFrame,
    level: str,
    geography: dict[str, str],
    filters: list[str],
    indicators: list[Indicator],
    status: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Lay out `frame` (with `year`, the geography columns, filters and indicators) as an EES data file.

    `geography` maps each of the level's EES geography columns to a column of `frame` or, when absent
    from `frame`, a constant; `status` (same index, indicator columns) holds the GSS symbol to show
    where a value is missing ("c", "x", "z", "low"); missing values without a status show "x".
    """
    out = pd.DataFrame(index=frame.index)
    out["time_period"] = time_periods(frame["year"])
    out["time_identifier"] = "Academic year"
    out["geographic_level"] = level
    for key, value in COUNTRY.items():
        out[key] = value
    for column in GEOGRAPHY_COLUMNS[level]:
        source = geography.get(column, "")
        out[column] = frame[source].astype(str) if source in frame.columns else source
    for column in filters:
        out[snake(column)] = frame[column].astype(str)
    for indicator in indicators:
        values = round_half_up(frame[indicator.name].astype("float64"), indicator.dp)
        text = pd.Series(np.char.mod(f"%.{indicator.dp}f", values.to_numpy()), index=values.index, dtype=object)
        text = text.where(text != f"-{0:.{indicator.dp}f}", f"{0:.{indicator.dp}f}")  # -0.0 is a real 0
        symbol = status[indicator.name] if status is not None and indicator.name in status else pd.Series("x", index=frame.index)
        out[snake(indicator.name)] = text.where(values.notna(), symbol.replace("", "x"))
    keys = ["time_period", *GEOGRAPHY_COLUMNS[level], *(snake(f) for f in filters)]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def filter_defaults(frame: pd.DataFrame, filters: list[str]) -> dict[str, str]:
    """The default item of each filter that has no Total (its first item), as the standard asks of every filter."""
    return {f: str(frame[f].iloc[0]) for f in filters if len(frame) and TOTAL not in set(frame[f].astype(str))}


def ees_meta(filters: dict[str, str], indicators: list[Indicator], defaults: dict[str, str] | None = None) -> pd.DataFrame:
    """The `.meta.csv` describing each filter (name -> label, with its default item when it has no Total)
    and indicator of an EES data file."""
    defaults = defaults or {}
    rows = [[snake(name), "Filter", label, "", "", "", "", "", defaults.get(name, "")] for name, label in filters.items()]
    rows += [[snake(i.name), "Indicator", i.label, "", i.unit, i.dp, "", "", ""] for i in indicators]
    meta = pd.DataFrame(rows, columns=META_COLUMNS)
    repeated = meta["label"].duplicated(keep=False)  # the standard asks one label per column: name the column in it
    return meta.assign(label=meta["label"].where(~repeated, meta["label"] + " (" + meta["col_name"] + ")"))


def write_ees(data: pd.DataFrame, meta: pd.DataFrame, path: str | Path) -> tuple[Path, Path]:
    """Write `<path>.csv` and `<path>.meta.csv` (UTF-8, no index); returns both paths."""
    path = Path(path).with_suffix("")
    path.parent.mkdir(parents=True, exist_ok=True)
    data_path, meta_path = path.with_name(path.name + ".csv"), path.with_name(path.name + ".meta.csv")
    data.to_csv(data_path, index=False, encoding="utf-8", lineterminator="\n")
    meta.to_csv(meta_path, index=False, encoding="utf-8", lineterminator="\n")
    return data_path, meta_path
