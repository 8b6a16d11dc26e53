"""Write tables as Explore Education Statistics open data: tidy CSV plus a `.meta.csv` beside it.

DfE's open data standard: UTF-8, snake_case headers, the mandatory time and geography columns
first (time_period, time_identifier, geographic_level, country_code, country_name, then the level's
own columns), filters, then indicators; GSS symbols for missing values (c suppressed, x not
available, z not applicable, low rounds to zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from keystage.rounding import round_half_up

COUNTRY = {"country_code": "E92000001", "country_name": "England"}
GEOGRAPHY_COLUMNS = {
    "National": [],
    "Local authority": ["region_name", "old_la_code", "new_la_code", "la_name"],
    "Local authority district": ["old_la_code", "la_name", "lad_code", "lad_name"],
    "School": ["old_la_code", "la_name", "school_urn", "school_name"],
}
META_COLUMNS = [
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
]


@dataclass(frozen=True)
class Indicator:
    """One indicator column: its name, label, unit ("%" or "") and decimal places."""

    name: str
    label: str
    unit: str = ""
    dp: int = 1


def time_periods(years: pd.Series) -> pd.Series:
    """The EES academic-year codes of May test years: 2019 -> "201819"."""
    years = years.astype("int64")
    return (years - 1).astype(str) + (years % 100).astype(str).str.zfill(2)


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
        out[column] = frame[column].astype(str)
    for indicator in indicators:
        values = round_half_up(frame[indicator.name].astype("float64"), indicator.dp)
        text = pd.Series(np.char.mod(f"%.{indicator.dp}f", values.to_numpy()), index=values.index, dtype=object)
        symbol = status[indicator.name] if status is not None and indicator.name in status else pd.Series("x", index=frame.index)
        out[indicator.name] = text.where(values.notna(), symbol.replace("", "x"))
    return out.sort_values([c for c in out.columns[:1]] + GEOGRAPHY_COLUMNS[level] + filters, kind="stable").reset_index(
        drop=True
    )


def ees_meta(filters: dict[str, str], indicators: list[Indicator]) -> pd.DataFrame:
    """The `.meta.csv` describing each filter (name -> label) and indicator of an EES data file."""
    rows = [[name, "Filter", label, "", "", "", "", ""] for name, label in filters.items()]
    rows += [[i.name, "Indicator", i.label, "", i.unit, i.dp, "", ""] for i in indicators]
    return pd.DataFrame(rows, columns=META_COLUMNS)


def write_ees(data: pd.DataFrame, meta: pd.DataFrame, path: str | Path) -> tuple[Path, Path]:
    """Write `<path>.csv` and `<path>.meta.csv` (UTF-8, no index); returns both paths."""
    path = Path(path).with_suffix("")
    path.parent.mkdir(parents=True, exist_ok=True)
    data_path, meta_path = path.with_name(path.name + ".csv"), path.with_name(path.name + ".meta.csv")
    data.to_csv(data_path, index=False, encoding="utf-8", lineterminator="\n")
    meta.to_csv(meta_path, index=False, encoding="utf-8", lineterminator="\n")
    return data_path, meta_path
