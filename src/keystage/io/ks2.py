"""Read DfE KS2 school-level performance tables ("ks2final" CSVs) of any year into canonical tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage import schema
from keystage.errors import Rejects
from keystage.io.columns import load_column_map
from keystage.io.perftables import TableSpec, read_files

# RECTYPE in KS2 files: 1 mainstream school, 2 special school, 3 LA, 4 England (all), 5 England (state-funded).
KS2_SCHOOL_RECTYPES = (1, 2)
KS2_AGGREGATE_LEVELS = {3: "la", 4: "england_all", 5: "england_state"}


@dataclass(frozen=True)
class Ks2Tables:
    """The canonical tables read from KS2 files, each validated against its schema model."""

    school_years: pd.DataFrame  # schema.SchoolYears
    results: pd.DataFrame  # schema.SchoolResults
    aggregates: pd.DataFrame  # schema.PublishedAggregates


def ks2_spec() -> TableSpec:
    """The KS2 column map (io/columns/ks2.yaml) and the meaning of each KS2 RECTYPE."""
    return TableSpec("ks2", load_column_map("ks2"), KS2_SCHOOL_RECTYPES, KS2_AGGREGATE_LEVELS)


def read_ks2_files(paths: list[Path], rejects: Rejects) -> Ks2Tables:
    """Read `{year}_{tag}_ks2final.csv` files into schools, long results and published LA/England rows.

    A year without its own file is read, whole, from the nearest later file that repeats it (`*_yy`
    columns); unreadable cells and rows go to `rejects`; a wrongly shaped file raises InputError.
    """
    frames = read_files(paths, ks2_spec(), rejects)
    source = ", ".join(sorted(Path(p).name for p in paths))
    return Ks2Tables(
        schema.validate(schema.SchoolYears, frames.school_years, source),
        schema.validate(schema.SchoolResults, frames.results, source),
        schema.validate(schema.PublishedAggregates, frames.aggregates, source),
    )
