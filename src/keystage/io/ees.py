"""Read an Explore Education Statistics (EES) tidy CSV of area figures into the Benchmarks table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keystage.errors import InputError, Rejects
from keystage.io.cells import INVALID, keep_to_rules, parse_numbers
from keystage.io.columns import load_column_map
from keystage.io.csvfile import LINE, read_text_table
from keystage.io.fields import blank, parse_ints, reject_cells
from keystage.schema import Benchmarks, validate

REQUIRED = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
KEY = ["area_level", "area_code", "year", "measure"]


def read_ees(path: str | Path, rejects: Rejects, indicators: Mapping[str, str] | None = None) -> pd.DataFrame:
    """EES National, Regional and Local authority rows as Benchmarks, one row per area, year and measure.

    `indicators` maps EES column -> canonical measure for all-pupil rows (default: ees.yaml). Symbols
    c, x, z, low become the status; other geographic levels and breakdowns are listed in rejects.
    """
    path = Path(path)
    spec = load_column_map("ees")
    raw = read_text_table(path, "utf-8", required=REQUIRED)
    raw = _known_levels(raw, spec["geographic_levels"], path, rejects)
    raw = _readable_rows(raw, path, rejects)
    groups = [dict(indicators or spec["measures"])] + [group["measures"] for group in spec["groups"]]
    if not any(column.upper() in raw.columns for group in groups for column in group):
        raise InputError(path, 1, None, "no indicator column of ees.yaml (e.g. pt_rwm_met_expected_standard) in the header")
    group = _breakdown_group(raw, spec, path, rejects)
    for column in {name.upper() for measures in groups for name in measures} & set(raw.columns):
        reject_cells(raw, column, parse_numbers(raw[column])[1].eq(INVALID), path, "expected a number or c, x, z, low", rejects)
    long = pd.concat([_melt(raw.loc[group.eq(k)], measures) for k, measures in enumerate(groups)], ignore_index=True)
    values, status = parse_numbers(long["TEXT"])
    cells = long.rename(columns={"COLUMN": "column", "TEXT": "text"})
    values, status = keep_to_rules(cells, values, status, path, rejects)
    frame = long.drop(columns=["TEXT", "COLUMN"]).assign(value=values, status=status, source=path.name)
    repeated = frame.duplicated(KEY)
    if repeated.any():
        first = frame.loc[repeated].iloc[0]
        raise InputError(
            path,
            int(first["line"]),
            None,
            f"a second {first['measure']} figure for {first['area_name']} in {first['year']}; "
            "expected one row per area and year (is a breakdown column missing from ees.yaml filters?)",
        )
    return validate(Benchmarks, frame, str(path))


def _known_levels(raw: pd.DataFrame, levels: dict[str, str], path: Path, rejects: Rejects) -> pd.DataFrame:
    """Rows at a geographic level Benchmarks holds, with AREA_LEVEL; one rejects entry per other level."""
    level = raw["GEOGRAPHIC_LEVEL"].fillna("").str.strip().map(levels)
    unused = raw.loc[level.isna()].drop_duplicates("GEOGRAPHIC_LEVEL")
    reject_cells(unused, "GEOGRAPHIC_LEVEL", pd.Series(True, index=unused.index), path, "geographic level not used", rejects)
    return raw.loc[level.notna()].assign(AREA_LEVEL=level)


def _readable_rows(raw: pd.DataFrame, path: Path, rejects: Rejects) -> pd.DataFrame:
    """Rows with a readable time period and (for LAs) LA code, with YEAR and AREA_CODE; the rest go to rejects."""
    period = raw["TIME_PERIOD"].fillna("").str.strip()
    digits = period.str.fullmatch(r"\d{4}(\d{2})?")
    start = pd.to_numeric(period.str[:4].where(digits), errors="coerce")
    year = start + (period.str.len().eq(6) & digits).astype(int)  # academic 201819 -> May 2019 tests
    reject_cells(raw, "TIME_PERIOD", ~digits, path, "expected a time period such as 201819 or 2019", rejects)
    la_code, bad_code = parse_ints(raw["OLD_LA_CODE"])
    is_la = raw["AREA_LEVEL"].eq("la")
    bad_code = is_la & digits & (bad_code | la_code.isna())
    reject_cells(raw, "OLD_LA_CODE", bad_code, path, "expected an LA number such as 850", rejects)
    code = np.select(
        [is_la, raw["AREA_LEVEL"].eq("region")],
        [la_code.astype(str), raw["REGION_CODE"].str.strip()],
        raw["COUNTRY_CODE"].str.strip(),
    )
    name = np.select(
        [is_la, raw["AREA_LEVEL"].eq("region")],
        [raw["LA_NAME"].str.strip(), raw["REGION_NAME"].str.strip()],
        raw["COUNTRY_NAME"].str.strip() if "COUNTRY_NAME" in raw.columns else "England",
    )
    region = raw["REGION_NAME"].str.strip().where(~raw["AREA_LEVEL"].eq("national") & ~blank(raw["REGION_NAME"]), None)
    keep = digits & ~bad_code
    return raw.assign(YEAR=year, AREA_CODE=code, AREA_NAME=name, REGION_=region).loc[keep]


def _breakdown_group(raw: pd.DataFrame, spec: dict[str, Any], path: Path, rejects: Rejects) -> pd.Series:
    """Each row's pupil group: 0 for all pupils, k for the k-th entry of spec["groups"], -1 for an unused breakdown."""
    filters = {column.upper(): value.casefold() for column, value in spec["filters"].items() if column.upper() in raw.columns}
    value = {column: raw[column].fillna("").str.strip().str.casefold() for column in filters}
    at_total = {column: value[column].eq(total) for column, total in filters.items()}
    group = pd.Series(-1, index=raw.index)
    group[np.logical_and.reduce([pd.Series(True, index=raw.index), *at_total.values()])] = 0
    for k, entry in enumerate(spec["groups"], start=1):
        where = {column.upper(): wanted.casefold() for column, wanted in entry["where"].items()}
        if not set(where) <= set(filters):
            continue
        tests = [value[column].eq(wanted) for column, wanted in where.items()]
        tests += [at_total[column] for column in filters if column not in where]
        group[np.logical_and.reduce(tests)] = k
    for column in filters:
        unused = raw.loc[group.eq(-1) & ~at_total[column]].drop_duplicates(column)
        reject_cells(unused, column, pd.Series(True, index=unused.index), path, "breakdown not used", rejects)
    return group


def _melt(rows: pd.DataFrame, measures: Mapping[str, str]) -> pd.DataFrame:
    """The indicator columns of `rows` that `measures` maps, long: one row per area, year and measure."""
    columns = {column.upper(): measure for column, measure in measures.items() if column.upper() in rows.columns}
    ids = {
        "AREA_LEVEL": "area_level",
        "AREA_CODE": "area_code",
        "AREA_NAME": "area_name",
        "REGION_": "region",
        "YEAR": "year",
        LINE: "line",
    }
    long = rows[[*ids, *columns]].melt(id_vars=list(ids), var_name="COLUMN", value_name="TEXT").rename(columns=ids)
    long["measure"] = long["COLUMN"].map(columns)
    return long
