"""Write the benchmark files: LAIT long format, the statistical-neighbours workbook, and the LA code list.

LAIT values come from the same totals and formatting as the KS2 files' LA and England rows, so the demo LA's
LAIT headline equals its KS2 LA row, as it does in DfE's own releases.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from keystage.rounding import round_half_up
from keystage.synth import params
from keystage.synth.aggregates import Totals, combine, is_progress
from keystage.synth.fmt import decimals, write_rows
from keystage.synth.ks2 import aggregate_dp
from keystage.synth.world import World

_PROGRESS_ITEM = (
    "Progress between age 7 and age 11. New progress measures capture progress pupils make from end of key stage 1"
    " to end of primary school - "
)
# LAIT indicator -> (canonical measure, LAIT's "Data item" text), in LAIT's own order.
LAIT_INDICATORS: dict[str, tuple[str, str]] = {
    "PriFSM": ("fsm_pct", "Primary FSM"),
    "DAP_NEW_KS2_RWM": ("headline_disadv", "KS2 RWM attainment for Disadvantaged pupils"),
    "NonDAP_NEW_KS2_RWM": ("headline_other", "KS2 RWM attainment for Non Disadvantaged pupils"),
    "KS2RWM_Expected_STD": (
        "headline",
        "Attainment at the end of key stage 2 Percentage in reading, writing and mathematics - Expected Standard All Pupils",
    ),
    "KS2RWM_Higher_STD": (
        "higher",
        "Attainment at the end of key stage 2 Percentage in reading, writing and mathematics - Higher Standard All Pupils",
    ),
    "KS2R_Expected_STD": (
        "read",
        "Attainment in key stage 2 tests Percentage reaching the Expected standard Reading - All Pupils",
    ),
    "KS2GPS_Expected_STD": (
        "gps",
        "Attainment in key stage 2 tests Percentage reaching the Expected standard Grammar, Punctuation & Spelling - All Pupils",
    ),
    "KS2M_Expected_STD": ("mat", "Attainment in key stage 2 tests Percentage reaching the Expected standard Maths - All Pupils"),
    "KS2R_Higher_STD": (
        "read_higher",
        "Attainment in key stage 2 tests Percentage reaching the Higher standard Reading - All Pupils",
    ),
    "KS2GPS_Higher_STD": (
        "gps_higher",
        "Attainment in key stage 2 tests Percentage reaching the Higher standard Grammar, Punctuation & Spelling - All Pupils",
    ),
    "KS2M_Higher_STD": (
        "mat_higher",
        "Attainment in key stage 2 tests Percentage reaching the Higher standard Maths - All Pupils",
    ),
    "KS2W_Teacher_Assess": (
        "writ",
        "Attainment in key stage 2 teacher assessments. Percentage reaching the expected standard Writing - All Pupils",
    ),
    "KS2GDW_Teacher_Assess": (
        "writ_higher",
        "Attainment in key stage 2 teacher assessments. Percentage working at greater depth in writing - All Pupils",
    ),
    "KS2R_Prog_VA": (
        "read_prog",
        _PROGRESS_ITEM + "Reading",
    ),
    "KS2W_Prog_VA": (
        "writ_prog",
        _PROGRESS_ITEM + "Writing",
    ),
    "KS2M_Prog_VA": (
        "mat_prog",
        _PROGRESS_ITEM + "Maths",
    ),
}
LAIT_HEADER = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]
FIXED_TIME = datetime(2025, 5, 23, 12, 0, 0)


def _areas(world: World, la: Totals) -> tuple[pd.DataFrame, Totals]:
    """LAIT's rows: LAs by name, then England, then regions (London also as inner and outer), with their totals."""
    las = world.las.set_index("code").loc[la.codes].reset_index()
    region_code = dict((name, code) for name, code, *_ in params.REGIONS)
    london_half = np.where(las["lait_region"].eq("Inner London"), params.INNER_LONDON_CODE, params.OUTER_LONDON_CODE)
    groups = [
        (np.full(len(las), params.ENGLAND_CODE), np.array([params.ENGLAND_CODE]), ["England"]),
        (las["region"].map(region_code).to_numpy(), np.array(sorted(region_code.values())), None),
    ]
    frames = [pd.DataFrame({"code": las["code"], "name": las["name"], "region": las["lait_region"], "order": 0})]
    totals = [la]
    for labels, codes, names in groups:
        totals.append(combine(la, labels, codes))
        if names is None:
            names = [next(n for n, c, *_ in params.REGIONS if c == code) for code in codes]
        frames.append(pd.DataFrame({"code": codes, "name": names, "region": "NA", "order": 1}))
    london = las["region"].eq("London").to_numpy()
    halves = np.array([params.INNER_LONDON_CODE, params.OUTER_LONDON_CODE])
    sub = Totals(
        la.codes[london],
        {m: v[london] for m, v in la.sums.items()},
        {m: v[london] for m, v in la.progress_sums.items()},
        la.progress_pupils[london],
    )
    totals.append(combine(sub, london_half[london], halves))
    frames.append(pd.DataFrame({"code": halves, "name": ["London (Inner)", "London (Outer)"], "region": "NA", "order": 1}))
    areas = pd.concat(frames, ignore_index=True)
    merged = Totals(
        np.concatenate([t.codes for t in totals]),
        {m: np.concatenate([t.sums[m] for t in totals]) for m in la.sums},
        {m: np.concatenate([t.progress_sums[m] for t in totals]) for m in la.progress_sums},
        np.concatenate([t.progress_pupils for t in totals]),
    )
    areas["row"] = np.arange(len(areas))
    areas["sort_code"] = np.where(areas["order"].eq(0), 0, areas["code"])
    areas["sort_name"] = np.where(areas["order"].eq(0), areas["name"], "")
    areas = areas.sort_values(["order", "sort_code", "sort_name"], kind="stable")
    return areas.reset_index(drop=True), merged


def _fsm(world: World, la: Totals, areas: pd.DataFrame, merged: Totals, year: int) -> np.ndarray:
    """% of primary pupils on free school meals: England's figure scaled by each LA's deprivation, pupil-weighted."""
    fsm = world.las.set_index("code")["fsm"]
    pupils = merged.sums["eligible"][:, params.TEST_YEARS.index(2019)].astype(float)
    la_rows = np.arange(len(la.codes))
    weight = fsm.loc[la.codes].to_numpy() * pupils[la_rows]
    scale = params.PRIMARY_FSM[year] * pupils[la_rows].sum() / weight.sum()
    share = np.zeros(len(merged.codes))
    share[la_rows] = fsm.loc[la.codes].to_numpy() * scale
    offset = len(la.codes)
    for i in range(offset, len(merged.codes)):
        code = merged.codes[i]
        members = _members(world, la, code)
        share[i] = np.average(share[la_rows][members], weights=pupils[la_rows][members])
    return share[areas["row"].to_numpy()]


def _members(world: World, la: Totals, code: int) -> np.ndarray:
    """Which LAs (rows of `la`) make up England, a region or a half of London."""
    las = world.las.set_index("code").loc[la.codes]
    if code == params.ENGLAND_CODE:
        return np.ones(len(las), bool)
    if code in (params.INNER_LONDON_CODE, params.OUTER_LONDON_CODE):
        half = "Inner London" if code == params.INNER_LONDON_CODE else "Outer London"
        return las["lait_region"].eq(half).to_numpy()
    region = next(name for name, c, *_ in params.REGIONS if c == code)
    return las["region"].eq(region).to_numpy()


def lait_rows(world: World, la: Totals) -> list[list[str]]:
    """Every LAIT row, in LAIT's order: indicator, then year, then areas; "-" where nothing was published."""
    areas, merged = _areas(world, la)
    rows: list[list[str]] = []
    for indicator, (measure, label) in LAIT_INDICATORS.items():
        years = [y for y in params.LAIT_YEARS if not is_progress(measure) or y <= max(params.PROGRESS_YEARS)]
        for k, year in enumerate(years):
            if measure == "fsm_pct":
                cells = decimals(_fsm(world, la, areas, merged, year), 1)
            elif year not in params.TEST_YEARS:
                cells = np.full(len(areas), "-", dtype=object)
            else:
                value = merged.value(measure)[areas["row"].to_numpy(), params.TEST_YEARS.index(year)]
                if is_progress(measure):
                    cells = decimals(np.nan_to_num(value), aggregate_dp(year))
                else:
                    cells = np.array([str(int(v)) for v in round_half_up(np.nan_to_num(value))], dtype=object)
            item = label if k == 0 else ""
            rows += [
                [indicator, item, str(year), name, cell, f"{code}.0", region]
                for name, cell, code, region in zip(areas["name"], cells, areas["code"], areas["region"], strict=True)
            ]
    return rows


def write_lait(out: Path, world: World, la: Totals) -> Path:
    """lait/lait_ks2.csv: LAIT's long format, CRLF, no byte-order mark."""
    return write_rows(out / "lait" / "lait_ks2.csv", LAIT_HEADER, lait_rows(world, la))


def neighbours(world: World) -> pd.DataFrame:
    """Each LA's ten closest LAs by deprivation and attainment (same region counts as closer), with DfE's closeness words."""
    las = world.las.sort_values("code").reset_index(drop=True)
    features = np.column_stack([np.log(las["fsm"]) / 0.3, las["effect"] / params.LA_EFFECT_SD])
    distance = np.sqrt(((features[:, None, :] - features[None, :, :]) ** 2).sum(axis=2))
    distance += 0.7 * (las["region"].to_numpy()[:, None] != las["region"].to_numpy()[None, :])
    np.fill_diagonal(distance, np.inf)
    order = np.lexsort((np.broadcast_to(las["code"].to_numpy(), distance.shape), distance), axis=1)[:, :10]
    chosen = np.take_along_axis(distance, order, axis=1)
    edges = np.quantile(chosen, [0.08, 0.45, 0.8, 0.95])
    words = np.array(["Extremely close", "Very close", "Close", "Somewhat close", "Not close"])
    rows = []
    for i in range(len(las)):
        for rank in range(10):
            rows.append(
                (
                    int(las.at[i, "code"]),
                    rank + 1,
                    int(las.at[order[i, rank], "code"]),
                    str(words[np.searchsorted(edges, chosen[i, rank])]),
                )
            )
    return pd.DataFrame(rows, columns=["la_code", "rank", "neighbour_code", "closeness"])


def _stable_xlsx(workbook: openpyxl.Workbook) -> bytes:
    """The workbook's bytes with every timestamp fixed, so the same world gives the same file."""
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    workbook.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return fixed.getvalue()


def write_neighbours(out: Path, world: World) -> Path:
    """lait/statistical_neighbours_2025.xlsx in DfE's layout: two index rows, a header row, one LA per row by name."""
    table = neighbours(world)
    las = world.las.set_index("code")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "LA SN Groups"
    sheet.append(["A", "B", "C", "D", "E", *range(3, 23)])
    sheet.append(list(range(1, 26)))
    sheet.append(["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [x for k in range(1, 11) for x in (f"SN{k}", "SNP")])
    go_reg = {"Inner London": "London (Inner)", "Outer London": "London (Outer)"}
    ranked = table.sort_values(["la_code", "rank"])
    codes = ranked["neighbour_code"].to_numpy().reshape(-1, 10)
    words = ranked["closeness"].to_numpy().reshape(-1, 10)
    row_of = {int(c): i for i, c in enumerate(ranked["la_code"].to_numpy()[::10])}
    for code in las.sort_values(["name"], kind="stable").index:
        la, i = las.loc[code], row_of[int(code)]
        region = go_reg.get(la["lait_region"], la["region"])
        pairs = [x for k in range(10) for x in (int(codes[i, k]), str(words[i, k]))]
        sheet.append([int(code), la["name"], int(code), int(la["go_ind"]), region, *pairs])
    path = out / "lait" / "statistical_neighbours_2025.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_stable_xlsx(workbook))
    return path


def write_la_codes(out: Path, world: World) -> Path:
    """meta/la_and_region_codes.csv: LEA, LA Name, REGION, REGION NAME, by LA code, as DfE's list."""
    las = world.las.sort_values("code")
    rows = [
        [str(c), n, str(s), sn] for c, n, s, sn in zip(las["code"], las["name"], las["sub_code"], las["sub_name"], strict=True)
    ]
    return write_rows(out / "meta" / "la_and_region_codes.csv", ["LEA", "LA Name", "REGION", "REGION NAME"], rows)
