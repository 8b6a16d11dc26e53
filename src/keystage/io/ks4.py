"""Read DfE KS4 school-level performance tables ("ks4final" CSVs) into canonical tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage import schema
from keystage.errors import Rejects
from keystage.io.columns import load_column_map
from keystage.io.perftables import TableSpec, read_files

# RECTYPE in KS4 files: 1 mainstream school, 2 special school, 4 LA, 5 England (all), 7 England (state-funded).
KS4_SCHOOL_RECTYPES = (1, 2)
KS4_AGGREGATE_LEVELS = {4: "la", 5: "england_all", 7: "england_state"}


@dataclass(frozen=True)
class Ks4Tables:
    """The canonical tables read from KS4 files, each validated against its schema model."""

    school_years: pd.DataFrame  # schema.SchoolYears
    results: pd.DataFrame  # schema.Ks4Results
    aggregates: pd.DataFrame  # schema.PublishedAggregates


def ks4_spec() -> TableSpec:
    """The KS4 column map (io/columns/ks4.yaml) and the meaning of each KS4 RECTYPE."""
    return TableSpec("ks4", load_column_map("ks4"), KS4_SCHOOL_RECTYPES, KS4_AGGREGATE_LEVELS)


def read_ks4_files(paths: list[Path], rejects: Rejects) -> Ks4Tables:
    """Read `{year}_{tag}_ks4final.csv` files into schools, long results (att8, p8, basics_94, basics_95,
    eligible) and published LA/England rows; unreadable cells and rows go to `rejects`."""
    frames = read_files(paths, ks4_spec(), rejects)
    source = ", ".join(sorted(Path(p).name for p in paths))
    return Ks4Tables(
        schema.validate(schema.SchoolYears, frames.school_years, source),
        schema.validate(schema.Ks4Results, frames.results, source),
        schema.validate(schema.PublishedAggregates, frames.aggregates, source),
    )
