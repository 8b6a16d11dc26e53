"""Read DfE's Local Authority Interactive Tool (LAIT) long-format file into the Benchmarks table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from keystage.errors import Rejects
from keystage.io.cells import INVALID, keep_to_rules, parse_numbers
from keystage.io.columns import load_column_map
from keystage.io.csvfile import LINE, read_text_table
from keystage.io.fields import parse_ints, reject_cells
from keystage.schema import Benchmarks, validate

REQUIRED = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region"]


def read_lait(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """LAIT rows of the mapped indicators as Benchmarks (England, regions, LAs); other indicators are listed in rejects.

    Unreadable years or LA numbers leave the row out; unreadable values, and values outside their measure's rule,
    stay missing with status "invalid"; both go to rejects.
    """
    path = Path(path)
    spec = load_column_map("lait")
    raw = read_text_table(path, "utf-8", required=REQUIRED)
    measure = raw["SHORT DESC"].str.strip().map(spec["measures"])
    _reject_unused_indicators(raw.loc[measure.isna()], path, rejects)
    raw = raw.loc[measure.notna()].assign(MEASURE=measure)
    year, bad_year = parse_ints(raw["YEARS"])
    code, bad_code = parse_ints(raw["LA NUMBER"])
    bad_year |= year.isna()
    bad_code |= code.isna() & ~bad_year
    reject_cells(raw, "YEARS", bad_year, path, "expected a year such as 2019", rejects)
    reject_cells(raw, "LA NUMBER", bad_code, path, "expected an LA number such as 850", rejects)
    keep = ~(bad_year | bad_code)
    raw, year, code = raw.loc[keep], year[keep], code[keep]
    values, status = parse_numbers(raw["VALUES"])
    reject_cells(raw, "VALUES", status.eq(INVALID), path, "expected a number or -", rejects)
    cells = pd.DataFrame({"measure": raw["MEASURE"], "line": raw[LINE], "column": "VALUES", "text": raw["VALUES"]})
    values, status = keep_to_rules(cells, values, status, path, rejects)
    level = np.select([code.eq(spec["national_code"]), code.isin(spec["region_codes"])], ["national", "region"], "la")
    name = raw["LA AND REGIONS"].str.strip()
    published_region = raw["REGION"].str.strip().replace(spec["region_names"])
    region = np.select([level == "la", level == "region"], [published_region, name], None)
    frame = pd.DataFrame(
        {
            "area_level": level,
            "area_code": code.astype(str).to_numpy(),
            "area_name": name.to_numpy(),
            "region": region,
            "year": year.to_numpy(),
            "measure": raw["MEASURE"].to_numpy(),
            "value": values.to_numpy(),
            "status": status.to_numpy(),
            "source": path.name,
            "line": raw[LINE].to_numpy(),
        }
    )
    return validate(Benchmarks, frame, str(path))


def _reject_unused_indicators(unused: pd.DataFrame, path: Path, rejects: Rejects) -> None:
    """One rejects entry per Short Desc that no canonical measure uses, at its first line."""
    first = unused.drop_duplicates("SHORT DESC")
    reject_cells(first, "SHORT DESC", pd.Series(True, index=first.index), path, "indicator not used", rejects)
