"""Comparators for each LA: national, region and statistical-neighbour figures, and its rank (keystage.measures.ranks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.ranks import la_ranks
from keystage.standards import Standards

COMPARATOR_COLUMNS = [
    "la_code", "year", "measure", "la_published", "la_source", "national", "region_name", "region", "sn_mean",
    "n_neighbours", "rank", "n_las", "quartile",
]  # fmt: skip
LAIT_SOURCE = "DfE LAIT"
BENCHMARK_FIELDS = ["area_level", "area_code", "area_name", "region", "year", "measure", "value", "status", "source"]


def _present(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["status"] == "") & frame["value"].notna()]


def with_gap(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add the derived measure "gap" (headline_other - headline_disadv, pp) wherever both are present."""
    pair = frame[frame["measure"].isin(["headline_other", "headline_disadv"])]
    wide = pair.pivot_table(index=keys, columns="measure", values="value", aggfunc="first")
    if not {"headline_other", "headline_disadv"} <= set(wide.columns):
        return frame
    gap = (wide["headline_other"] - wide["headline_disadv"]).dropna().rename("value").reset_index().assign(measure="gap")
    return pd.concat([frame, gap], ignore_index=True)


def national(aggregates: pd.DataFrame | None, benchmarks: pd.DataFrame | None) -> pd.DataFrame:
    """England per year and measure: DfE's England state-funded row of the KS2 files when present,
    else the Benchmarks national row; national_source says which. Includes the derived gap."""
    parts = []
    if aggregates is not None and len(aggregates):
        a = _present(aggregates[aggregates["level"] == "england_state"])
        parts.append(a[["year", "measure", "value"]].assign(national_source="DfE England state-funded (KS2 file)"))
    if benchmarks is not None and len(benchmarks):
        b = _present(benchmarks[benchmarks["area_level"] == "national"])
        parts.append(b[["year", "measure", "value"]].assign(national_source=b["source"].astype(str)))
    if not parts:
        return pd.DataFrame(columns=["year", "measure", "national", "national_source"])
    both = pd.concat(parts, ignore_index=True).drop_duplicates(["year", "measure"], keep="first")
    pair = with_gap(both[["year", "measure", "value"]], ["year"])
    source = both.drop_duplicates("year").set_index("year")["national_source"]
    pair = pair.merge(both[["year", "measure", "national_source"]], on=["year", "measure"], how="left")
    pair["national_source"] = pair["national_source"].fillna(pair["year"].map(source))
    return pair.rename(columns={"value": "national"})[["year", "measure", "national", "national_source"]]


def la_rows(aggregates: pd.DataFrame | None) -> pd.DataFrame:
    """DfE's own LA figures (RECTYPE 3 of each performance-table file, its prior-year columns included) as
    official / official_source per la_code, year and measure, with the gap derived from the same row."""
    columns = ["la_code", "year", "measure", "official", "official_source"]
    if aggregates is None or not len(aggregates):
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "official" else "object") for c in columns})
    rows = _present(aggregates[aggregates["level"] == "la"]).astype({"la_code": "int64"})
    files = rows.drop_duplicates(["la_code", "year"]).set_index(["la_code", "year"])["source"]
    out = with_gap(rows[["la_code", "year", "measure", "value"]], ["la_code", "year"])
    at = pd.MultiIndex.from_frame(out[["la_code", "year"]])
    out["official_source"] = "DfE LA row, " + files.reindex(at).astype(str).to_numpy()
    return out.rename(columns={"value": "official"})[columns]


def comparators(
    benchmarks: pd.DataFrame | None, aggregates: pd.DataFrame | None, neighbours: pd.DataFrame | None, standards: Standards
) -> pd.DataFrame:
    """Per LA, year and measure: the LA's published figure (DfE's LA row of the performance tables first, LAIT
    second; la_source says which), national, its region, the mean of its statistical neighbours' LAIT figures (and
    how many), its rank among LAs and quartile (on LAIT, which covers every LA)."""
    official = la_rows(aggregates)
    if (benchmarks is None or not len(benchmarks)) and official.empty:
        return pd.DataFrame(columns=COMPARATOR_COLUMNS)
    b = _present(benchmarks if benchmarks is not None and len(benchmarks) else pd.DataFrame(columns=BENCHMARK_FIELDS))
    las = b[(b["area_level"] == "la") & b["area_code"].astype(str).str.fullmatch(r"\d+")]
    las = las.assign(la_code=las["area_code"].astype(int))
    region_of = las.dropna(subset=["region"]).drop_duplicates("la_code", keep="last").set_index("la_code")["region"]
    la_values = with_gap(las[["la_code", "year", "measure", "value"]], ["la_code", "year"])
    ranked = la_ranks(la_values, standards).rename(columns={"value": "lait"})
    ranked = ranked.merge(official, on=["la_code", "year", "measure"], how="outer")
    ranked["la_published"] = ranked["official"].fillna(ranked["lait"])
    ranked["la_source"] = ranked["official_source"].where(ranked["official"].notna(), LAIT_SOURCE)
    ranked["region_name"] = ranked["la_code"].map(region_of)
    regions = b[b["area_level"] == "region"]
    region_keys = pd.concat([regions.assign(region_name=regions["area_name"]), regions.assign(region_name=regions["area_code"])])
    region_values = with_gap(
        region_keys[["region_name", "year", "measure", "value"]].drop_duplicates(["region_name", "year", "measure"]),
        ["region_name", "year"],
    )
    out = ranked.merge(region_values.rename(columns={"value": "region"}), on=["region_name", "year", "measure"], how="left")
    if neighbours is not None and len(neighbours):
        sn = neighbours[["la_code", "neighbour_code"]].merge(
            la_values.rename(columns={"la_code": "neighbour_code"}), on="neighbour_code", how="inner"
        )
        sn = (
            sn.groupby(["la_code", "year", "measure"])
            .agg(sn_mean=("value", "mean"), n_neighbours=("value", "size"))
            .reset_index()
        )
        out = out.merge(sn, on=["la_code", "year", "measure"], how="left")
    else:
        out = out.assign(sn_mean=np.nan, n_neighbours=np.nan)
    nat = national(aggregates, benchmarks)[["year", "measure", "national"]]
    out = out.merge(nat, on=["year", "measure"], how="left")
    out = out.astype({"n_neighbours": "Int64", "rank": "Int64", "n_las": "Int64"})
    return out[COMPARATOR_COLUMNS].sort_values(["la_code", "measure", "year"], ignore_index=True)


def unit_las(units: pd.DataFrame) -> pd.DataFrame:
    """The LA of each unit: the one LA all its member schools belong to (no row when they span LAs)."""
    la = units[units["unit_type"] == "la"][["urn", "unit_id"]].rename(columns={"unit_id": "la_code"})
    joined = units[["unit_type", "unit_id", "urn"]].merge(la, on="urn", how="inner")
    counts = joined.groupby(["unit_type", "unit_id"])["la_code"].agg(["nunique", "first"]).reset_index()
    single = counts[counts["nunique"] == 1]
    return pd.DataFrame({"unit_type": single["unit_type"], "unit_id": single["unit_id"], "la_code": single["first"].astype(int)})


def with_benchmarks(table: pd.DataFrame, comps: pd.DataFrame, nat: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add national, region, sn_mean and differences from each (unit minus comparator, pp, unrounded) to a
    unit table keyed by unit_type, unit_id, year, measure; LA units also get la_published, rank, quartile."""
    out = table.merge(unit_las(units), on=["unit_type", "unit_id"], how="left")
    out = out.merge(nat[["year", "measure", "national"]], on=["year", "measure"], how="left")
    per_la = comps[
        ["la_code", "year", "measure", "region", "sn_mean", "n_neighbours", "la_published", "la_source", "rank", "n_las",
         "quartile"]
    ]  # fmt: skip
    out = out.merge(per_la, on=["la_code", "year", "measure"], how="left")
    not_la = out["unit_type"] != "la"
    out.loc[not_la, ["la_published", "la_source", "rank", "n_las", "quartile"]] = pd.NA
    for col in ("national", "region", "sn_mean"):
        out[f"diff_{col}"] = out["value"] - out[col]
    return out
