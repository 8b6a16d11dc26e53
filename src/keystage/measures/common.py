"""Shared machinery of the measures: published values, weights, sums over units, previous test years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.standards import Standards

UNIT_KEYS = ["unit_type", "unit_id", "year"]
COUNT_MEASURES = ("eligible", "disadv_count", "other_count")


def published(results: pd.DataFrame) -> pd.DataFrame:
    """The rows of a SchoolResults-shaped table whose value was published (status "" and a number)."""
    return results[(results["status"] == "") & results["value"].notna()]


def school_wide(results: pd.DataFrame, measures: list[str] | None = None) -> pd.DataFrame:
    """Published school values as one row per (urn, year) with a column per measure (NaN when missing)."""
    rows = published(results)
    if measures is not None:
        rows = rows[rows["measure"].isin(measures)]
    wide = rows.pivot(index=["urn", "year"], columns="measure", values="value")
    wide.columns.name = None
    for m in measures or []:
        if m not in wide:
            wide[m] = np.nan
    return wide.reset_index()


def unit_sums(frame: pd.DataFrame, units: pd.DataFrame, keys: list[str], values: list[str], func: str = "sum") -> pd.DataFrame:
    """Sum (or `func`: "max", "min") `values` of school rows over every unit's member schools, by unit and `keys`.

    `frame` has urn, `keys` and `values`; `units` is the membership table. One join and one groupby
    per unit type (never a loop over units); n_schools counts the school rows aggregated.
    """
    parts = []
    for unit_type, members in units.groupby("unit_type", sort=True):
        codes, ids = pd.factorize(members["unit_id"])
        joined = frame.merge(pd.DataFrame({"_unit": codes, "urn": members["urn"].to_numpy()}), on="urn", how="inner")
        grouped = joined.groupby(["_unit", *keys], sort=False, observed=True)
        sums = grouped[values].agg(func) if values else pd.DataFrame(index=grouped.size().index)
        sums["n_schools"] = grouped.size()
        sums = sums.reset_index()
        sums.insert(0, "unit_id", ids.to_numpy()[sums["_unit"].to_numpy()])
        parts.append(sums.drop(columns="_unit").assign(unit_type=unit_type))
    if not parts:
        return pd.DataFrame(columns=["unit_type", "unit_id", *keys, *values, "n_schools"])
    out = pd.concat(parts, ignore_index=True)
    return out[["unit_type", "unit_id", *keys, *values, "n_schools"]]


def previous_years(standards: Standards) -> dict[int, int]:
    """Each configured test year -> the previous configured test year of the same era (no entry when none)."""
    years = standards.years
    return {y: p for p, y in zip(years, years[1:], strict=False) if standards.year_eras[p] == standards.year_eras[y]}


def era_of(years: pd.Series, standards: Standards) -> pd.Series:
    """The era name of each year (NaN for a year the config does not cover)."""
    return years.map(standards.year_eras)


def add_change(frame: pd.DataFrame, keys: list[str], standards: Standards, value: str = "value") -> pd.DataFrame:
    """Add prev_year, change_1y (on the previous test year of the same era) and change_span (on the
    first year with a value in the same era, first_year), in unrounded pp.

    Rows are matched through integer keys (group number * 10000 + year), so this stays fast at
    England scale; (keys, year) must be unique.
    """
    gid = frame.groupby(keys, sort=False, observed=True).ngroup().to_numpy(dtype="int64")
    year = frame["year"].to_numpy(dtype="int64")
    vals = frame[value].to_numpy(dtype="float64")
    prev_year = frame["year"].map(previous_years(standards))
    era = era_of(frame["year"], standards)
    out = frame.assign(prev_year=prev_year.astype("Int64"), era=era)
    lookup = pd.Index(gid * 10000 + year)
    prev_key = gid * 10000 + prev_year.fillna(-1).to_numpy(dtype="int64")
    at = lookup.get_indexer(prev_key)
    out["change_1y"] = np.where(at >= 0, vals - vals[at], np.nan)
    era_code = pd.factorize(era)[0].astype("int64")
    span_key = gid * 100 + era_code
    order = np.lexsort((year, span_key))
    has = order[~np.isnan(vals[order])]
    first = pd.DataFrame({"k": span_key[has], "y": year[has], "v": vals[has]}).drop_duplicates("k").set_index("k")
    pos = first.index.get_indexer(span_key)
    found = pos >= 0
    out["first_year"] = pd.array(np.where(found, first["y"].to_numpy()[pos], 0), dtype="Int64")
    out.loc[~found, "first_year"] = pd.NA
    out["change_span"] = np.where(found, vals - first["v"].to_numpy()[pos], np.nan)
    return out


def band_of(change: pd.Series, standards: Standards) -> pd.Series:
    """The change band label of each change (NaN stays NaN); ties at an edge follow upper_inclusive.

    Changes are compared at 6 decimals so float error cannot move a value off an edge.
    """
    c = change.round(6)
    label = pd.Series(pd.NA, index=change.index, dtype="object")
    open_ = c.notna()
    for band in standards.change_bands:
        if band.upper is None:
            hit = open_
        else:
            hit = open_ & ((c < band.upper) | ((c == band.upper) & band.upper_inclusive))
        label[hit] = band.label
        open_ = open_ & ~hit
    return label


def sort_fixed(frame: pd.DataFrame, columns: list[str], keys: list[str]) -> pd.DataFrame:
    """Fixed column order and rows sorted by `keys`: the deterministic shape of every measure table."""
    return frame[columns].sort_values(keys, kind="stable", ignore_index=True)
