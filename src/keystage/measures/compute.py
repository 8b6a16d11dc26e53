"""The single entry point of the measure stage: every measure table for every unit, and writing them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keystage.measures.attainment import ATTAINMENT_COLUMNS, attainment
from keystage.measures.benchmarks import comparators, national, with_benchmarks
from keystage.measures.case_studies import case_studies
from keystage.measures.distribution import change_bands, distribution, school_changes
from keystage.measures.floor import floor_counts, floor_schools
from keystage.measures.gaps import GAP_COLUMNS, gaps
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
    "rank",
    "n_las",
    "quartile",
]
GAP_RANK_COLUMNS = ["la_published", "rank", "n_las", "quartile"]


def _table(tables: dict[str, pd.DataFrame], name: str, columns: dict[str, str]) -> pd.DataFrame:
    """tables[name], or an empty table of the given columns and dtypes when it is absent."""
    found = tables.get(name)
    if found is not None:
        return found
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def compute_all(tables: dict[str, pd.DataFrame], standards: Standards, units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every measure table from the canonical tables, for all units at once.

    `tables` holds school_results (required) and optionally published_aggregates, benchmarks,
    stat_neighbours, lineage, support_days, subscriptions, case_studies; `units` comes from build_units.
    URNs are first mapped to their series URN (lineage); case studies become units of type "case".
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
    floor = floor_schools(results, standards)
    changes = school_changes(results, standards)
    gap = gaps(results, units, nat, standards)
    gap_ranks = comps[comps["measure"] == "gap"][["la_code", "year", *GAP_RANK_COLUMNS]].assign(unit_type="la")
    gap_ranks["unit_id"] = gap_ranks["la_code"].astype(str)
    gap = gap.merge(gap_ranks.drop(columns="la_code"), on=["unit_type", "unit_id", "year"], how="left")
    fit, band = support_fit(changes, floor, support, units, standards)
    return {
        # each unit type's rows grouped by LA (then by unit as before), so reading one LA's schools skips the rest
        "attainment": att[[*ATTAINMENT_COLUMNS, *BENCHMARK_COLUMNS]].sort_values(["unit_type", "la_code"], kind="stable",
                                                                                  ignore_index=True),
        "national": nat.sort_values(["measure", "year"], ignore_index=True),
        "comparators": comps,
        "floor_schools": floor,
        "floor_counts": floor_counts(floor, units),
        "school_changes": changes,
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


# Rows per Parquet row group. Tables come sorted by unit (attainment by unit type and LA first) or by URN, so with
# small groups a report's filtered read skips, by the groups' min/max statistics, most of an England-sized table.
ROW_GROUP_ROWS = 16_384


def write_measures(measures: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write one Parquet per measure table (rows already sorted, columns in fixed order); returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in sorted(measures):
        path = out / f"{name}.parquet"
        measures[name].reset_index(drop=True).to_parquet(path, index=False, row_group_size=ROW_GROUP_ROWS)
        paths.append(path)
    return paths
