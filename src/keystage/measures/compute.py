"""The single entry point of the measure stage: every measure table for every unit, and writing them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from keystage.measures.attainment import ATTAINMENT_COLUMNS, attainment
from keystage.measures.benchmarks import comparators, national, with_benchmarks
from keystage.measures.case_studies import case_studies
from keystage.measures.coasting import coasting_counts, coasting_schools
from keystage.measures.distribution import change_bands, distribution, school_changes
from keystage.measures.floor import floor_counts, floor_schools
from keystage.measures.gaps import GAP_COLUMNS, gaps
from keystage.measures.scope import in_scope, school_scope
from keystage.measures.support import support_by_band, support_fit, support_summary
from keystage.standards import Standards
from keystage.units import apply_lineage, case_units, map_urns, units_on_series

BENCHMARK_COLUMNS = [
    "la_code",
    "national",
    "region",
    "sn_mean",
    "n_neighbours",
    "diff_national",
    "diff_region",
    "diff_sn_mean",
    "la_published",
    "la_source",
    "rank",
    "n_las",
    "quartile",
]
GAP_RANK_COLUMNS = ["la_published", "la_source", "rank", "n_las", "quartile"]


def _table(tables: dict[str, pd.DataFrame], name: str, columns: dict[str, str]) -> pd.DataFrame:
    """tables[name], or an empty table of the given columns and dtypes when it is absent."""
    found = tables.get(name)
    if found is not None:
        return found
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def with_school_counts(every: pd.DataFrame, scoped: pd.DataFrame) -> pd.DataFrame:
    """Gap rows over every school's pupils, with the counts of schools (and of those matching national) taken over
    DfE's in-scope schools, as the other school-count tables are."""
    keys = ["unit_type", "unit_id", "year"]
    counts = ["n_schools_disadv", "n_match_national", "pct_match_national"]
    out = every.drop(columns=counts).merge(scoped[[*keys, *counts]], on=keys, how="left")
    out[["n_schools_disadv", "n_match_national"]] = out[["n_schools_disadv", "n_match_national"]].fillna(0).astype(int)
    return out[every.columns]


def compute_all(tables: dict[str, pd.DataFrame], standards: Standards, units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every measure table from the canonical tables, for all units at once.

    `tables` holds school_results and school_years (required) and optionally published_aggregates, benchmarks,
    stat_neighbours, lineage, support_days, subscriptions, case_studies; `units` comes from build_units.
    URNs are first mapped to their series URN (lineage); case studies become units of type "case". The floor,
    coasting, distribution, change-band and support tables and the gap table's school counts count DfE's in-scope
    schools only (measures.scope);
    school_changes keeps every school, for the school lists, with an in_scope flag.
    """
    lineage = tables.get("lineage")
    results, conflicts = apply_lineage(tables["school_results"], lineage)
    support = map_urns(
        _table(tables, "support_days", {"urn": "int64", "year": "int64", "team": str, "kind": str, "days": "float64"}), lineage
    )
    subs = map_urns(_table(tables, "subscriptions", {"urn": "int64", "year": "int64", "service": str, "subject": str}), lineage)
    cases = map_urns(case_units(_table(tables, "case_studies", {"case_id": str, "title": str, "urn": "int64"})), lineage)
    units = pd.concat([units_on_series(units, lineage), cases], ignore_index=True)

    nat = national(tables.get("published_aggregates"), tables.get("benchmarks"))
    comps = comparators(tables.get("benchmarks"), tables.get("published_aggregates"), tables.get("stat_neighbours"), standards)
    att = with_benchmarks(attainment(results, units, standards), comps, nat, units)
    scope = school_scope(tables["school_years"], results, standards, lineage)
    floor = floor_schools(results, standards, scope)
    coasting = coasting_schools(results, standards, scope)
    every_change = school_changes(results, standards)
    every_change["in_scope"] = in_scope(every_change, scope)
    changes = every_change[every_change["in_scope"]]
    gap = with_school_counts(gaps(results, units, nat, standards), gaps(results[in_scope(results, scope)], units, nat, standards))
    gap_ranks = comps[comps["measure"] == "gap"][["la_code", "year", *GAP_RANK_COLUMNS]].assign(unit_type="la")
    gap_ranks["unit_id"] = gap_ranks["la_code"].astype(str)
    gap = gap.merge(gap_ranks.drop(columns="la_code"), on=["unit_type", "unit_id", "year"], how="left")
    fit, band = support_fit(changes, floor, support, units, standards)
    return {
        "attainment": att[[*ATTAINMENT_COLUMNS, *BENCHMARK_COLUMNS]],
        "national": nat.sort_values(["measure", "year"], ignore_index=True),
        "comparators": comps,
        "school_scope": scope,
        "floor_schools": floor,
        "floor_counts": floor_counts(floor, units),
        "coasting_schools": coasting,
        "coasting_counts": coasting_counts(coasting, units),
        "school_changes": every_change,
        "distribution": distribution(changes, units, standards),
        "change_bands": change_bands(changes, units, standards),
        "gaps": gap[[*GAP_COLUMNS, *GAP_RANK_COLUMNS]],
        "support_summary": support_summary(changes, floor, support, units, standards),
        "support_by_band": support_by_band(changes, support, subs, units),
        "support_fit": fit,
        "support_band": band,
        "case_studies": case_studies(att, floor, support, cases),
        "lineage_conflicts": conflicts,
    }


# Rows per Parquet row group. Tables come sorted by unit (unit_type, unit_id) or by URN, and attainment, the largest,
# is written with each unit type's rows grouped by LA (WRITE_ORDER), so with small groups a report's filtered read
# skips, by the groups' min/max statistics, most of an England-sized table.
ROW_GROUP_ROWS = 16_384
WRITE_ORDER = {"attainment": ["unit_type", "la_code"]}  # stable: within an LA, rows keep their unit order


def write_measures(
    measures: dict[str, pd.DataFrame], out_dir: str | Path, order: dict[str, list[str]] | None = None
) -> list[Path]:
    """Write one Parquet per table (rows already sorted, columns in fixed order), the tables named in `order` in the
    stable order of its columns (the measure stage passes WRITE_ORDER); returns the paths."""
    order = order or {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in sorted(measures):
        path = out / f"{name}.parquet"
        frame = measures[name].reset_index(drop=True)
        if name in order:
            write_ordered(frame, order[name], path)
        else:
            frame.to_parquet(path, index=False, row_group_size=ROW_GROUP_ROWS)
        paths.append(path)
    return paths


def write_ordered(frame: pd.DataFrame, keys: list[str], path: Path) -> None:
    """Write `frame` as Parquet in the stable order of `keys`, one row group at a time, so the reordered table is
    never whole in memory (England's attainment table is about a gigabyte)."""
    order = frame[keys].sort_values(keys, kind="stable").index.to_numpy()
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, len(order), ROW_GROUP_ROWS):
            rows = frame.iloc[order[start : start + ROW_GROUP_ROWS]]
            writer.write_table(pa.Table.from_pandas(rows, schema=schema, preserve_index=False))
