"""Read DfE school performance tables (KS2, KS4 "final" CSVs) into long canonical frames, vectorised.

One file holds one test year: schools (keyed by URN) and published aggregate rows (LA, England),
one column per measure, plus, in later files, earlier years' figures in suffixed columns. The
column map (io/columns/{stage}.yaml) names the columns; this module melts them into one row per
unit, year and measure, keeps each value's status, writes unreadable cells and rows to Rejects,
and lets a year's own file win over figures repeated in later files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keystage.errors import REJECT_COLUMNS, InputError, Rejects
from keystage.io.cells import ABSENT, PRESENT, parse_numbers
from keystage.io.columns import layout_for_year
from keystage.io.csvfile import LINE, read_text_table

NO_RECORD = ("blank", ABSENT)  # statuses that mean "this row has no figure here at all"
INVALID_CELL = "not a number or a known suppression code; kept as missing"


@dataclass(frozen=True)
class TableSpec:
    """What differs between key stages: the column map and what each RECTYPE means."""

    stage: str  # "ks2" or "ks4": the file name ends "_{stage}final.csv"
    column_map: dict[str, Any]
    school_rectypes: tuple[int, ...]
    aggregate_levels: dict[int, str]  # RECTYPE -> PublishedAggregates level


@dataclass(frozen=True)
class Block:
    """The columns of one file that hold one year's measures (the file's own year, or an earlier one)."""

    year: int
    measures: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class PerfFrames:
    """Unvalidated long frames read from performance tables, after precedence between files."""

    school_years: pd.DataFrame
    results: pd.DataFrame
    aggregates: pd.DataFrame


def file_year(path: Path, spec: TableSpec) -> int:
    """The test year in a name like `2017_850_ks2final.csv`; InputError if absent or not in the column map."""
    match = re.fullmatch(rf"(\d{{4}})_(?:.*_)?{spec.stage}final\.csv", path.name, flags=re.IGNORECASE)
    if match is None:
        raise InputError(path, None, None, f"file name has no test year; expected {{year}}_{{tag}}_{spec.stage}final.csv")
    year = int(match.group(1))
    if year not in spec.column_map["years"]:
        known = ", ".join(str(y) for y in spec.column_map["years"])
        raise InputError(path, None, None, f"test year {year} (from the file name) is not in {spec.stage}.yaml years ({known})")
    return year


def parse_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """parse_numbers over an array of cell text, parsing each distinct text once (files repeat values a lot)."""
    codes, uniques = pd.factorize(pd.Series(cells.ravel(), dtype=object))
    distinct = pd.Series(np.append(np.asarray(uniques, dtype=object), [None]), dtype=object)  # code -1 (NA) -> last
    values, status = parse_numbers(distinct)
    return values.to_numpy()[codes].reshape(cells.shape), status.to_numpy(dtype=object)[codes].reshape(cells.shape)


def file_blocks(columns: pd.Index, year: int, spec: TableSpec, source: str) -> tuple[list[Block], pd.DataFrame]:
    """The file's own-year block and the earlier-year blocks it carries, with a rejects row per absent column.

    An earlier year is carried when at least one of its suffixed columns (ks2.yaml `prior_year`) is present.
    """
    present = set(columns)
    candidates = [(year, layout_for_year(spec.column_map, year))]
    prior = spec.column_map.get("prior_year")
    if prior:
        prior_layout = {m: c.upper() for m, c in spec.column_map["layouts"][prior["layout"]].items()}
        for earlier in sorted((y for y in spec.column_map["years"] if y < year), reverse=True):
            named = {m: prior["pattern"].format(column=prior_layout[m], yy=earlier % 100).upper() for m in prior["measures"]}
            if present.intersection(named.values()):
                candidates.append((earlier, named))
    blocks, missing = [], []
    for block_year, layout in candidates:
        found = {m: c for m, c in layout.items() if c in present}
        missing += [
            (c, f"column not in file: measure {m} not published for {block_year}") for m, c in layout.items() if c not in present
        ]
        blocks.append(Block(block_year, tuple(found), tuple(found.values())))
    rejects = pd.DataFrame(
        {"file": source, "line": 1, "column": [c for c, _ in missing], "value": None, "reason": [r for _, r in missing]}
    )
    return blocks, rejects[REJECT_COLUMNS]


def unit_rows(frame: pd.DataFrame, spec: TableSpec, source: str, rejects: Rejects) -> pd.DataFrame:
    """Which rows are schools or aggregates, with their keys; rows that cannot be keyed go to rejects, skipped.

    Returns `row` (position in `frame`), `kind` ("school" or an aggregate level), `urn`, `la_code`
    and `estab` (Int64), `rectype` and `line`.
    """
    ident = identity_columns(spec)
    rectype, _ = parse_numbers(frame[ident["rectype"]])
    kinds = {r: "school" for r in spec.school_rectypes} | spec.aggregate_levels
    kind = rectype.map(kinds)
    is_school, needs_la = kind.eq("school"), kind.isin(["school", "la"])
    urn, lea, estab = (whole_numbers(frame[ident[key]]) for key in ("urn", "la_code", "estab"))
    checks = [
        (kind.isna(), ident["rectype"], f"RECTYPE is not one of {', '.join(map(str, kinds))}; row skipped"),
        (is_school & urn.isna(), ident["urn"], "school row without a numeric URN; row skipped"),
        (needs_la & lea.isna(), ident["la_code"], "row without a numeric LA code (LEA); row skipped"),
    ]
    bad = pd.Series(False, index=frame.index)
    for mask, column, reason in checks:
        reject_rows(frame, mask & ~bad, column, reason, source, rejects)
        bad |= mask
    keep = ~bad
    bad_estab = keep & is_school & estab.isna() & frame[ident["estab"]].fillna("").str.strip().ne("")
    reject_rows(frame, bad_estab, ident["estab"], "ESTAB is not a number; kept as missing", source, rejects)
    units = pd.DataFrame(
        {
            "row": np.flatnonzero(keep.to_numpy()),
            "kind": kind[keep].to_numpy(dtype=object),
            "urn": urn[keep].where(is_school[keep]).to_numpy(),
            "la_code": lea[keep].where(needs_la[keep]).to_numpy(),
            "estab": estab[keep].to_numpy(),
            "rectype": rectype[keep].astype("int64").to_numpy(),
            "line": frame.loc[keep, LINE].to_numpy(),
        }
    )
    check_unique(units, source)
    return units


def identity_columns(spec: TableSpec) -> dict[str, str]:
    """Identity key ("urn", "la_code", ...) -> upper-cased published column."""
    return {key: column.upper() for key, column in spec.column_map["identity"].items()}


def whole_numbers(text: pd.Series) -> pd.Series:
    """Cells holding a whole number as Int64; anything else (blank, codes, text, decimals) as <NA>."""
    values, status = parse_numbers(text)
    return values.where(status.eq(PRESENT) & values.mod(1).eq(0)).astype("Int64")


def reject_rows(frame: pd.DataFrame, mask: pd.Series, column: str, reason: str, source: str, rejects: Rejects) -> None:
    """Write one rejects entry per row of `frame` selected by `mask`, showing its `column` cell."""
    rejects.add_frame(
        pd.DataFrame(
            {"file": source, "line": frame.loc[mask, LINE], "column": column, "value": frame.loc[mask, column], "reason": reason}
        )
    )


def check_unique(units: pd.DataFrame, source: str) -> None:
    """Stop when a file has two rows for one school (URN) or one aggregate (level and LA), naming both lines."""
    keys = units[["kind", "urn", "la_code"]].astype(str)
    repeated = keys.duplicated(keep=False)
    if repeated.any():
        first_key = keys[repeated].iloc[0]
        lines = units.loc[repeated & keys.eq(first_key).all(axis=1), "line"].tolist()
        what = f"URN {units.loc[first_key.name, 'urn']}" if first_key["kind"] == "school" else f"the {first_key['kind']} row"
        column = "URN" if first_key["kind"] == "school" else "RECTYPE"
        raise InputError(
            source, lines[1], column, f"{what} appears twice in one file (lines {lines[0]} and {lines[1]}); expected one row each"
        )


def melt_block(
    frame: pd.DataFrame, units: pd.DataFrame, block: Block, own_year: int, source: str, rejects: Rejects
) -> pd.DataFrame:
    """One row per unit and measure of `block`: `unit` (position in `units`), year, measure, value, status.

    Invalid cells go to `rejects`. For an earlier year's block, units whose cells there are all blank or
    absent are left out: the file has no record of them that year (e.g. a school that opened since).
    """
    n, k = len(units), len(block.columns)
    cells = frame[list(block.columns)].to_numpy(dtype=object)[units["row"].to_numpy()]
    values, status = parse_cells(cells)
    invalid = status == "invalid"
    if invalid.any():
        at_unit, at_col = np.nonzero(invalid)
        rejects.add_frame(
            pd.DataFrame(
                {
                    "file": source,
                    "line": units["line"].to_numpy()[at_unit],
                    "column": np.asarray(block.columns, dtype=object)[at_col],
                    "value": cells[invalid],
                    "reason": INVALID_CELL,
                }
            )
        )
    unit = np.repeat(np.arange(n), k)
    measure = np.tile(np.asarray(block.measures, dtype=object), n)
    keep = np.ones(n * k, dtype=bool)
    if block.year != own_year:
        keep = np.repeat(~np.isin(status, NO_RECORD).all(axis=1), k)
    return pd.DataFrame(
        {
            "unit": unit[keep],
            "year": block.year,
            "measure": measure[keep],
            "value": values.ravel()[keep],
            "status": status.ravel()[keep],
        }
    )


def read_file(path: Path, spec: TableSpec, rejects: Rejects) -> PerfFrames:
    """One performance-table file as long frames, each row carrying `source`, `line` and `distance`
    (years between the file's own year and the row's year, 0 for the file's own figures)."""
    year = file_year(path, spec)
    source = path.name
    frame = read_text_table(path, "utf-8", required=spec.column_map["required"])
    blocks, missing = file_blocks(frame.columns, year, spec, source)
    rejects.add_frame(missing)
    units = unit_rows(frame, spec, source, rejects)
    long = pd.concat([melt_block(frame, units, block, year, source, rejects) for block in blocks], ignore_index=True)
    long = long.join(units[["kind", "urn", "la_code", "line"]], on="unit")
    long["distance"] = year - long["year"]
    is_school = long["kind"].eq("school")
    results = long.loc[is_school, ["urn", "year", "measure", "value", "status", "line", "distance"]]
    aggregates = long.loc[~is_school, ["kind", "la_code", "year", "measure", "value", "status", "line", "distance"]]
    schools = school_rows(frame, units, long.loc[is_school], year, spec)
    return PerfFrames(*(part.assign(source=source) for part in (schools, results, aggregates.rename(columns={"kind": "level"}))))


def school_rows(frame: pd.DataFrame, units: pd.DataFrame, results: pd.DataFrame, year: int, spec: TableSpec) -> pd.DataFrame:
    """Who each school was: one row per school and year it has figures for in this file, from its identity columns."""
    ident = identity_columns(spec)
    schools = units[units["kind"].eq("school")]
    rows = frame.iloc[schools["row"].to_numpy()]
    text = {key: rows[ident[key]].fillna("").str.strip().to_numpy(dtype=object) for key in ("name", "nftype", "age_range")}
    identity = schools[["urn", "la_code", "estab", "rectype", "line"]].assign(
        name=text["name"],
        nftype=pd.Series(text["nftype"]).replace("", None).to_numpy(),
        age_range=pd.Series(text["age_range"]).replace("", None).to_numpy(),
    )
    earlier = results.loc[results["distance"] > 0, ["unit", "year", "distance"]].drop_duplicates(["unit", "year"])
    own = pd.DataFrame({"unit": schools.index.to_numpy(), "year": year, "distance": 0})
    years = pd.concat([own, earlier], ignore_index=True).join(identity, on="unit")
    return years[["urn", "year", "la_code", "estab", "name", "rectype", "nftype", "age_range", "line", "distance"]]


def nearest_file_per_year(files: list[PerfFrames]) -> PerfFrames:
    """Keep each year's figures from one file only: its own file, else the nearest later file carrying it.

    Whole years, not single values, are chosen: a later file repeats a converted academy's earlier
    results under its new URN, so mixing files within a year would count that school twice.
    """
    parts = {
        name: pd.concat([getattr(f, name) for f in files], ignore_index=True)
        for name in ("school_years", "results", "aggregates")
    }
    carried = pd.concat([frame[["year", "distance"]] for frame in parts.values()])
    chosen = carried.groupby("year")["distance"].min()
    kept = {
        name: frame[frame["distance"].eq(frame["year"].map(chosen))].drop(columns="distance").reset_index(drop=True)
        for name, frame in parts.items()
    }
    return PerfFrames(**kept)


def read_files(paths: list[Path], spec: TableSpec, rejects: Rejects) -> PerfFrames:
    """Read every file (one per test year); each year's figures come from its own file, else the nearest later one."""
    if not paths:
        raise InputError(f"{spec.stage} files", None, None, f"no {spec.stage}final files given; expected at least one")
    paths = [Path(p) for p in paths]
    by_year: dict[int, Path] = {}
    for path in paths:
        year = file_year(path, spec)
        if year in by_year:
            expected = f"a second file for test year {year} (the first is {by_year[year].name}); expected one file per year"
            raise InputError(path, None, None, expected)
        by_year[year] = path
    files = [read_file(by_year[year], spec, rejects) for year in sorted(by_year)]
    return nearest_file_per_year(files)
