"""Read DfE school performance tables (KS2, KS4 "final" CSVs) into long canonical frames, vectorised.

One file holds one test year: schools (keyed by URN) and published aggregate rows (LA, England),
one column per measure, plus, in later files, earlier years' figures in suffixed columns. The
column map (io/columns/{stage}.yaml) names the columns; this module melts them into one row per
unit, year and measure, keeps each value's status and writes unreadable cells and rows to Rejects.

Each year's figures come from one file only: its own file, else the nearest later file that
repeats it. Whole years, not single values, are chosen, because a later file repeats a converted
academy's earlier results under its new URN: mixing files within a year would count it twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keystage.errors import InputError, Rejects
from keystage.io.cells import ABSENT, INVALID, PRESENT, SUPPRESSION_CODES, parse_numbers
from keystage.io.columns import layout_for_year
from keystage.io.csvfile import LINE
from keystage.io.fastcsv import read_columns, read_header
from keystage.schema import value_problems

STATUSES = sorted({PRESENT, ABSENT, INVALID, *SUPPRESSION_CODES.values()})
NO_RECORD = ("blank", ABSENT)  # statuses that mean "this row has no figure here at all"
INVALID_CELL = "not a number or a known suppression code; kept as missing"
SCHOOL = "school"


@dataclass(frozen=True)
class TableSpec:
    """What differs between key stages: the column map and what each RECTYPE means."""

    stage: str  # "ks2" or "ks4": the file name ends "_{stage}final.csv"
    column_map: dict[str, Any]
    school_rectypes: tuple[int, ...]
    aggregate_levels: dict[int, str]  # RECTYPE -> PublishedAggregates level

    def measures(self) -> list[str]:
        """Every canonical measure of the column map, in first-mapped order."""
        return list(dict.fromkeys(m for layout in self.column_map["layouts"].values() for m in layout))

    def kinds(self) -> list[str]:
        """What a row can be: a school, or one of the aggregate levels."""
        return [SCHOOL, *dict.fromkeys(self.aggregate_levels.values())]

    def identity(self) -> dict[str, str]:
        """Identity key ("urn", "la_code", ...) -> upper-cased published column."""
        return {key: column.upper() for key, column in self.column_map["identity"].items()}


@dataclass(frozen=True)
class Block:
    """The columns of one file read for one year (the file's own year, or an earlier year it repeats)."""

    year: int
    measures: tuple[str, ...]
    columns: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]  # (measure, column) mapped for the year but not in the file


@dataclass(frozen=True)
class PerfFrames:
    """Unvalidated canonical frames read from performance tables: school_years, results, aggregates."""

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


def year_layouts(year: int, spec: TableSpec) -> list[tuple[int, dict[str, str]]]:
    """Measure -> column for the file's own year, then for each earlier year it may repeat (ks2.yaml `prior_year`)."""
    layouts = [(year, layout_for_year(spec.column_map, year))]
    prior = spec.column_map.get("prior_year")
    if prior:
        base = {m: c.upper() for m, c in spec.column_map["layouts"][prior["layout"]].items()}
        for earlier in sorted((y for y in spec.column_map["years"] if y < year), reverse=True):
            named = {m: prior["pattern"].format(column=base[m], yy=earlier % 100).upper() for m in prior["measures"]}
            layouts.append((earlier, named))
    return layouts


def check_file_year(path: Path, year: int, header: set[str], spec: TableSpec) -> None:
    """Stop when the earlier-year columns a file repeats (`*_18` in a 2019 file) say it is another year's file:
    a column of its own year or later, or none of the year before it (the latest of ks2.yaml's years before)."""
    prior = spec.column_map.get("prior_year")
    if not prior:
        return
    base = [c.upper() for m, c in spec.column_map["layouts"][prior["layout"]].items() if m in prior["measures"]]
    found: dict[int, str] = {}  # year -> the first mapped column of that year in the file
    for other in spec.column_map["years"]:
        for column in (prior["pattern"].format(column=b, yy=other % 100).upper() for b in base):
            if column in header:
                found.setdefault(other, column)
    earlier = [other for other in spec.column_map["years"] if other < year]
    expected = max(earlier) if earlier else None
    wrong = [other for other in found if other >= year] or ([max(found)] if found and max(found) != expected else [])
    if wrong:
        raise InputError(
            path, 1, found[wrong[0]], f"a column of {wrong[0]}'s results, so this is not the {year} file "
            f"(a {year} file repeats {expected}'s); check the year in its name"
        )


def make_block(year: int, layout: dict[str, str], present: set[str]) -> Block:
    """The part of `layout` found among the `present` columns, remembering what is missing."""
    found = {m: c for m, c in layout.items() if c in present}
    missing = tuple((m, c) for m, c in layout.items() if c not in present)
    return Block(year, tuple(found), tuple(found.values()), missing)


def plan_blocks(headers: dict[int, set[str]], spec: TableSpec) -> dict[int, list[Block]]:
    """For each file (by year), the blocks to read: its own year, and each earlier year that has no file
    of its own and that this file is the nearest later file to repeat (it has a column of that year)."""
    plan = {year: [make_block(year, layout_for_year(spec.column_map, year), headers[year])] for year in headers}
    taken = set(headers)
    for year in sorted(headers):
        for earlier, layout in year_layouts(year, spec)[1:]:
            if earlier not in taken and headers[year].intersection(layout.values()):
                plan[year].append(make_block(earlier, layout, headers[year]))
                taken.add(earlier)
    return plan


def whole_numbers(text: pd.Series) -> pd.Series:
    """Identity cells (URN, LEA, ESTAB, RECTYPE) holding a whole number, as Int64; anything else <NA>."""
    values = pd.to_numeric(text, errors="coerce")
    return values.where(values.mod(1).eq(0)).astype("Int64")


def reject_rows(frame: pd.DataFrame, mask: pd.Series, column: str, reason: str, source: str, rejects: Rejects) -> None:
    """Write one rejects entry per row of `frame` selected by `mask`, showing its `column` cell."""
    rejects.add_frame(
        pd.DataFrame(
            {"file": source, "line": frame.loc[mask, LINE], "column": column, "value": frame.loc[mask, column], "reason": reason}
        )
    )


def unit_rows(frame: pd.DataFrame, spec: TableSpec, path: Path, rejects: Rejects) -> pd.DataFrame:
    """Which rows are schools or aggregates, with their keys; rows that cannot be keyed go to rejects, skipped.

    Returns `row` (position in `frame`), `kind` (code in spec.kinds()), `urn`, `la_code` and `estab`
    (Int64), `rectype` and `line`.
    """
    ident, source = spec.identity(), path.name
    rectype, urn, lea, estab = (whole_numbers(frame[ident[key]]) for key in ("rectype", "urn", "la_code", "estab"))
    kind_of = {r: SCHOOL for r in spec.school_rectypes} | spec.aggregate_levels
    kind = rectype.map(kind_of)
    is_school, needs_la = kind.eq(SCHOOL), kind.isin([SCHOOL, "la"])
    checks = [
        (kind.isna(), ident["rectype"], f"RECTYPE is not one of {', '.join(map(str, kind_of))}; row skipped"),
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
            "kind": pd.Categorical(kind[keep], categories=spec.kinds()).codes,
            "urn": urn[keep].where(is_school[keep]).to_numpy(),
            "la_code": lea[keep].where(needs_la[keep]).to_numpy(),
            "estab": estab[keep].to_numpy(),
            "rectype": rectype[keep].to_numpy(),
            "line": frame.loc[keep, LINE].to_numpy(),
        }
    )
    check_unique(units, spec, path)
    return units


def check_unique(units: pd.DataFrame, spec: TableSpec, path: Path) -> None:
    """Stop when a file has two rows for one school (URN) or one aggregate (level and LA), naming both lines."""
    keys = ["kind", "urn", "la_code"]
    repeated = units[units.duplicated(keys, keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        lines = repeated.loc[repeated[keys].eq(first[keys]).all(axis=1), "line"].tolist()
        kind = spec.kinds()[int(first["kind"])]
        what, column = (f"URN {int(first['urn'])}", "URN") if kind == SCHOOL else (f"the {kind} row", "RECTYPE")
        raise InputError(
            path, lines[1], column, f"{what} appears twice in one file (lines {lines[0]} and {lines[1]}); expected one row each"
        )


def check_aggregates(units: pd.DataFrame, spec: TableSpec, path: Path, last_line: int) -> None:
    """Stop when the LA row of an LA with schools, or every England row, is missing: DfE's files end with them,
    so a file without them was cut short (or filtered), and its LA's figures could not be checked."""
    kinds = pd.Series(spec.kinds()).take(units["kind"].to_numpy()).to_numpy()
    school_las = set(units.loc[kinds == SCHOOL, "la_code"].dropna().astype(int))
    la_rows = set(units.loc[kinds == "la", "la_code"].dropna().astype(int))
    england = {code for code, level in spec.aggregate_levels.items() if level.startswith("england")}
    lost = [f"the LA row (RECTYPE {_rectype(spec, 'la')}) of LA {la}" for la in sorted(school_las - la_rows)]
    if not set(units["rectype"].dropna().astype(int)) & england:
        lost.append(f"an England row (RECTYPE {' or '.join(map(str, sorted(england)))})")
    if lost:
        raise InputError(
            path, last_line, "RECTYPE", f"missing {' and '.join(lost)} after line {last_line}; the file may be truncated"
        )


def _rectype(spec: TableSpec, level: str) -> int:
    """The RECTYPE of an aggregate level in this key stage's files."""
    return next(code for code, name in spec.aggregate_levels.items() if name == level)


def parse_cells(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values (float) and status codes (positions in STATUSES) of an array of cell text, as parse_numbers
    gives them; each distinct text is parsed once, as files repeat values a lot."""
    codes, uniques = pd.factorize(pd.Series(cells.ravel(), dtype=object))
    distinct = pd.Series(np.append(np.asarray(uniques, dtype=object), [None]), dtype=object)  # code -1 (NA) -> last
    values, status = parse_numbers(distinct)
    status_codes = status.map({s: i for i, s in enumerate(STATUSES)}).to_numpy(dtype=np.int8)
    return values.to_numpy()[codes].reshape(cells.shape), status_codes[codes].reshape(cells.shape)


def melt_file(
    frame: pd.DataFrame, units: pd.DataFrame, blocks: list[Block], spec: TableSpec, source: str, rejects: Rejects
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per unit, year and measure of `blocks`: `unit` (position in `units`), year, measure (code in
    spec.measures()), value, status (code in STATUSES); and the (unit, year) pairs those rows cover.
    Invalid cells, and values outside their measure's rule (schema.value_rule), go to `rejects` and are kept
    as missing. In an earlier year's block, units whose cells are all blank or absent are left out: the file
    has no record of them that year (e.g. a school that opened since).
    """
    columns = [c for block in blocks for c in block.columns]
    cells = frame[columns].to_numpy(dtype=object)[units["row"].to_numpy()]
    values, status = parse_cells(cells)
    reasons = np.where(status == STATUSES.index(INVALID), INVALID_CELL, "")
    reasons = np.where(reasons == "", value_problems(values, np.array([m for b in blocks for m in b.measures])), reasons)
    invalid = reasons != ""
    if invalid.any():
        at_unit, at_col = np.nonzero(invalid)
        found = {
            "line": units["line"].to_numpy()[at_unit],
            "column": np.asarray(columns, dtype=object)[at_col],
            "value": cells[invalid],
        }
        rejects.add_frame(pd.DataFrame({"file": source, **found, "reason": reasons[invalid]}))
        values[invalid], status[invalid] = np.nan, STATUSES.index(INVALID)
    no_record = np.isin(status, [STATUSES.index(s) for s in NO_RECORD])
    measure_codes = {m: i for i, m in enumerate(spec.measures())}
    parts, covered, start = [], [], 0
    for block, own in zip(blocks, [True] + [False] * (len(blocks) - 1), strict=True):
        k = len(block.columns)
        span = slice(start, start + k)
        start += k
        rows = np.arange(len(units)) if own else np.flatnonzero(~no_record[:, span].all(axis=1))
        covered.append(pd.DataFrame({"unit": rows, "year": block.year}))
        parts.append(
            pd.DataFrame(
                {
                    "unit": np.repeat(rows, k),
                    "year": block.year,
                    "measure": np.tile(np.array([measure_codes[m] for m in block.measures], dtype=np.int16), len(rows)),
                    "value": values[rows, span].ravel(),
                    "status": status[rows, span].ravel(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True), pd.concat(covered, ignore_index=True)


def school_rows(frame: pd.DataFrame, units: pd.DataFrame, covered: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Who each school was: one row per school and year it has figures for in this file, from its identity columns."""
    ident = spec.identity()
    schools = units[units["kind"].eq(spec.kinds().index(SCHOOL))]
    rows = frame.iloc[schools["row"].to_numpy()]
    text = {key: rows[ident[key]].fillna("").str.strip() for key in ("name", "nftype", "age_range")}
    identity = schools[["urn", "la_code", "estab", "rectype", "line"]].assign(
        name=text["name"].to_numpy(dtype=object),
        nftype=text["nftype"].replace("", None).to_numpy(dtype=object),
        age_range=text["age_range"].replace("", None).to_numpy(dtype=object),
        closed=closed_flags(rows, ident.get("closed")).to_numpy(),
    )
    years = covered[covered["unit"].isin(schools.index)].join(identity, on="unit")
    years["closed"] = years["closed"].where(years["year"] == years["year"].max())  # ICLOSE speaks of the file's own year
    return years[["urn", "year", "la_code", "estab", "name", "rectype", "nftype", "age_range", "closed", "line"]]


def closed_flags(rows: pd.DataFrame, column: str | None) -> pd.Series:
    """DfE's ICLOSE flag of each school row: True ("1", closed), False ("0"), <NA> when blank or the file has no such
    column (older files, KS4), so a school is never called open or closed without DfE saying so."""
    if column is None or column not in rows.columns:
        return pd.Series(pd.NA, index=rows.index, dtype="boolean")
    text = rows[column].fillna("").str.strip()
    return text.map({"1": True, "0": False}).astype("boolean")


def read_file(path: Path, blocks: list[Block], spec: TableSpec, rejects: Rejects) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One file's (school_years, long figures); the long frame has codes for kind, measure and status."""
    source = path.name
    wanted = set(spec.identity().values()) | {c.upper() for c in spec.column_map["required"]}
    frame = read_columns(path, wanted | {c for block in blocks for c in block.columns}, spec.column_map["required"])
    for block in blocks:
        for measure, column in block.missing:
            rejects.add(source, 1, column, None, f"column not in file: measure {measure} not published for {block.year}")
    if frame.empty:
        raise InputError(path, 2, None, "the file has a header line but no rows; expected schools and the LA and England rows")
    units = unit_rows(frame, spec, path, rejects)
    check_aggregates(units, spec, path, int(frame[LINE].iloc[-1]))
    long, covered = melt_file(frame, units, blocks, spec, source, rejects)
    schools = school_rows(frame, units, covered, spec)
    at = long.pop("unit").to_numpy()
    for key in ("kind", "urn", "la_code", "line"):
        long[key] = units[key].array.take(at)
    return schools.assign(source=source), long


def decode_text(codes: pd.Series, labels: list[str]) -> pd.Series:
    """Integer codes -> their labels as a string column, built in one take (much faster than from objects)."""
    return pd.Series(pd.array(np.asarray(labels, dtype=object), dtype="str").take(codes.to_numpy()), index=codes.index)


def read_files(paths: list[Path], spec: TableSpec, rejects: Rejects) -> PerfFrames:
    """Read every file (one per test year); each year's figures come from its own file, else the nearest later one."""
    if not paths:
        raise InputError(f"{spec.stage} files", None, None, f"no {spec.stage}final files given; expected at least one")
    by_year: dict[int, Path] = {}
    for path in map(Path, paths):
        year = file_year(path, spec)
        if year in by_year:
            raise InputError(
                path,
                None,
                None,
                f"a second file for test year {year} (the first is {by_year[year].name}); expected one file per year",
            )
        by_year[year] = path
    headers = {year: read_header(path) for year, path in by_year.items()}
    for year, header in headers.items():
        check_file_year(by_year[year], year, header, spec)
    plan = plan_blocks(headers, spec)
    read = [read_file(by_year[year], plan[year], spec, rejects) for year in sorted(by_year)]
    school_years = pd.concat([schools for schools, _ in read], ignore_index=True)
    long = pd.concat([figures.assign(source=i) for i, (_, figures) in enumerate(read)], ignore_index=True)
    long["measure"] = decode_text(long["measure"], spec.measures())
    long["status"] = decode_text(long["status"], STATUSES)
    long["source"] = decode_text(long["source"], [by_year[year].name for year in sorted(by_year)])
    is_school = long["kind"].eq(spec.kinds().index(SCHOOL)).to_numpy()
    results = long.loc[is_school, ["urn", "year", "measure", "value", "status", "source", "line"]].reset_index(drop=True)
    aggregates = long.loc[~is_school, ["kind", "la_code", "year", "measure", "value", "status", "source"]].reset_index(drop=True)
    aggregates["kind"] = decode_text(aggregates["kind"], spec.kinds())
    return PerfFrames(school_years, results, aggregates.rename(columns={"kind": "level"}))
