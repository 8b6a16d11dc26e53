"""Write the KS2 school-level performance tables ("ks2final") of each test year, in that year's DfE columns.

Column names come from io/columns/ks2.yaml (identity, the year's layout, prior-year `_yy` columns), so the
files and the reader share one map. Rows: schools (RECTYPE 1, special schools 2), then each LA (3), then
England (4 all schools, 5 state-funded; the synthetic world has only state-funded schools, so they agree).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from keystage.io.columns import layout_for_year, load_column_map
from keystage.rounding import round_half_up
from keystage.synth import params
from keystage.synth.aggregates import COUNT_MEASURES, Totals, area_totals, denominator, is_progress
from keystage.synth.fmt import decimals, integers, percents, write_rows
from keystage.synth.results import Results
from keystage.synth.world import World, urns_in_year

ROLL_YEARS = {"primary": 7, "junior": 4, "special": 9}
BLANK = " "  # DfE's aggregate rows carry a space in identity cells that do not apply


def aggregate_dp(year: int) -> int:
    """Decimal places of LA and national progress scores (DfE moved from one to two in 2019)."""
    return 2 if year >= 2019 else 1


def aggregate_cells(totals: Totals, measure: str, j: int, year: int) -> np.ndarray:
    """One measure for every area of `totals` in year column j, formatted as DfE prints LA and England rows."""
    if measure.endswith("_avg"):
        return integers(round_half_up(scaled_score(totals.value(measure.removesuffix("_avg"))[:, j])))
    value = totals.value(measure)[:, j]
    if measure in COUNT_MEASURES:
        return integers(value)
    if is_progress(measure):
        return np.where(np.isfinite(value), decimals(np.nan_to_num(value), aggregate_dp(year)), "")
    return np.array([f"{int(v)}%" for v in round_half_up(np.nan_to_num(value))], dtype=object)


def scaled_score(pct: np.ndarray) -> np.ndarray:
    """The generator's average scaled score for a % at the expected standard: 100 at 50%, 2 points per 10 pp."""
    return 100 + (np.nan_to_num(pct) - 50) / 5


def school_cells(results: Results, rows: np.ndarray, measure: str, j: int, year: int) -> np.ndarray:
    """One measure for the schools at `rows` in year column j, with DfE's suppression codes."""
    counts = results.counts
    n = counts["eligible"][rows, j]
    hidden = n <= params.SCHOOL_SUPPRESS[year]
    if measure == "eligible":
        return integers(n)
    if measure in COUNT_MEASURES:
        return np.where(hidden, "SUPP", integers(counts[measure][rows, j]))
    if measure.endswith("_avg"):
        subject = measure.removesuffix("_avg")
        pct = counts[subject][rows, j] / np.where(n > 0, n, 1) * 100
        return np.where(hidden, "SUPP", integers(round_half_up(scaled_score(pct))))
    if is_progress(measure):
        status = results.progress_status[rows, j]
        text = decimals(np.nan_to_num(results.progress[measure][rows, j]), 1)
        return np.where(hidden, "SUPP", np.where(status != "", status, text))
    group = counts[denominator(measure)][rows, j]
    text = percents(counts[measure][rows, j], group)
    small_group = (group <= params.GROUP_SUPPRESS) & (denominator(measure) != "eligible")
    return np.where(hidden | small_group, "SUPP", text)


def _dfe_case(column: str, year: int) -> str:
    """DfE spelled the 'not disadvantaged' columns in mixed case in 2017-2019 (TNotFSM6CLA1A); readers must cope."""
    return column.replace("NOTFSM6CLA1A", "NotFSM6CLA1A") if 2017 <= year <= 2019 else column


def _prior_years(year: int, column_map: dict) -> list[int]:
    """The up to two earlier expected-era years whose figures a file repeats in `_yy` columns, latest first."""
    expected = [y for y in params.TEST_YEARS if column_map["years"][y].startswith("expected")]
    return [y for y in expected if y < year][-2:][::-1] if year in expected else []


def _identity(world: World, rows: np.ndarray, urns: np.ndarray) -> pd.DataFrame:
    """RECTYPE, LEA, ESTAB, URN, SCHNAME, NFTYPE, AGERANGE, ICLOSE (all open) and TOTPUPS of the schools at `rows`."""
    sites = world.sites.iloc[rows]
    spans = world.urns.iloc[np.searchsorted(world.urns["urn"].to_numpy(), urns[rows])]
    special = sites["kind"].eq("special").to_numpy()
    roll = np.round(sites["cohort"].to_numpy() * sites["kind"].map(ROLL_YEARS).to_numpy()).astype(int)
    return pd.DataFrame(
        {
            "rectype": np.where(special, "2", "1"),
            "la_code": integers(sites["la_code"].to_numpy()),
            "estab": integers(sites["estab"].to_numpy()),
            "urn": integers(urns[rows]),
            "name": spans["name"].to_numpy(),
            "nftype": spans["nftype"].to_numpy(),
            "age_range": (spans["low_age"].astype(str) + "-" + sites["high_age"].astype(str).to_numpy()).to_numpy(),
            "closed": "0",
            "TOTPUPS": integers(roll),
        }
    )


def year_table(world: World, results: Results, la_totals: Totals, england: Totals, year: int, las: list[int]) -> pd.DataFrame:
    """Every row of one year's file for the LAs `las`, as text, keyed for prior-year look-ups; `short` marks cut-short rows."""
    column_map = load_column_map("ks2")
    layout = layout_for_year(column_map, year)
    j = params.TEST_YEARS.index(year)
    urns = urns_in_year(world, year)
    listed = results.exists[:, j] & np.isin(world.sites["la_code"].to_numpy(), las) & (urns > 0)
    rows = np.flatnonzero(listed)
    schools = _identity(world, rows, urns)
    for measure in layout:
        schools[measure] = school_cells(results, rows, measure, j, year)
    schools["key"] = "u" + schools["urn"]
    schools["short"] = results.counts["eligible"][rows, j] == 0
    la_rows = np.searchsorted(la_totals.codes, las)
    la_names = world.las.set_index("code").loc[las, "name"].to_numpy()
    areas = pd.DataFrame(
        {
            "rectype": "3",
            "la_code": integers(np.asarray(las)),
            "estab": BLANK,
            "urn": BLANK,
            "name": la_names,
            "nftype": BLANK,
            "age_range": BLANK,
            "closed": BLANK,
            "TOTPUPS": BLANK,
            "key": [f"la{c}" for c in las],
            "short": False,
        }
    )
    for measure in layout:
        areas[measure] = aggregate_cells(la_totals, measure, j, year)[la_rows]
    nation = pd.DataFrame(
        {
            "rectype": ["4", "5"],
            "la_code": BLANK,
            "estab": BLANK,
            "urn": BLANK,
            "name": BLANK,
            "nftype": BLANK,
            "age_range": BLANK,
            "closed": BLANK,
            "TOTPUPS": BLANK,
            "key": ["e4", "e5"],
            "short": False,
        }
    )
    for measure in layout:
        cells = aggregate_cells(england, measure, j, year)
        nation[measure] = BLANK if is_progress(measure) else cells[0]
    schools["order"] = schools["la_code"].astype(int) * 10 + 0
    areas["order"] = areas["la_code"].astype(int) * 10 + 1
    nation["order"] = 100000
    table = pd.concat([schools, areas, nation], ignore_index=True)
    table["estab_order"] = pd.to_numeric(table["estab"], errors="coerce").fillna(0)
    return (
        table.sort_values(["order", "estab_order", "key"], kind="stable")
        .drop(columns=["order", "estab_order"])
        .reset_index(drop=True)
    )


def write_ks2(out: Path, world: World, results: Results, la_totals: Totals, las: list[int], tag: str) -> list[Path]:
    """Write ks2/{year}_{tag}_ks2final.csv for every test year: UTF-8 with a BOM, CRLF, short rows where DfE has them."""
    column_map = load_column_map("ks2")
    identity = column_map["identity"]
    prior = column_map["prior_year"]
    prior_layout = {m: c.upper() for m, c in column_map["layouts"][prior["layout"]].items()}
    labels = np.zeros(len(world.sites), dtype=np.int64)
    england = area_totals(results, labels, np.array([0]))
    tables: dict[int, pd.DataFrame] = {}
    written = []
    for year in params.TEST_YEARS:
        table = year_table(world, results, la_totals, england, year, las)
        tables[year] = table
        layout = layout_for_year(column_map, year)
        header = [identity[k] for k in identity] + ["TOTPUPS"] + [layout[m] for m in layout]
        frame = table[list(identity) + ["TOTPUPS"] + list(layout)].copy()
        frame.columns = header
        for earlier in _prior_years(year, column_map):
            source = tables[earlier].set_index("key")
            earlier_layout = layout_for_year(column_map, earlier)
            for measure in prior["measures"]:
                if measure not in earlier_layout:
                    continue
                column = prior["pattern"].format(column=prior_layout[measure], yy=earlier % 100)
                values = table["key"].map(source[measure]).fillna("")
                frame[column] = np.where(table["rectype"].isin(["4", "5"]) & values.eq(""), BLANK, values)
        header = [_dfe_case(c, year) for c in frame.columns]
        cells = frame.to_numpy().tolist()
        short = table["short"].to_numpy()
        width = len(identity) + 1
        rows = [row[:width] if cut else row for row, cut in zip(cells, short, strict=True)]
        written.append(write_rows(out / "ks2" / f"{year}_{tag}_ks2final.csv", header, rows, bom=True))
    return written
