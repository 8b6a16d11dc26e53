"""Distribution of schools (Hampshire Table 4, section 2.4): schools at or above a threshold, and
year-on-year change per school banded."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import add_change, band_of, published, sort_fixed, unit_sums
from keystage.standards import Standards

CHANGE_COLUMNS = ["urn", "year", "measure", "value", "prev_year", "change_1y", "band"]
DISTRIBUTION_COLUMNS = [
    "unit_type",
    "unit_id",
    "year",
    "threshold",
    "n_schools",
    "n_at_or_above",
    "pct_at_or_above",
    "n_with_change",
    "mean_change",
]
BAND_COLUMNS = ["unit_type", "unit_id", "year", "measure", "band", "band_order", "n_schools", "pct", "cum_n", "cum_pct"]
SUBJECTS = ["headline", "eng", "read", "writ", "mat"]


def school_changes(results: pd.DataFrame, standards: Standards, measures: list[str] = SUBJECTS) -> pd.DataFrame:
    """Per school, year and measure: value, change on the previous test year of the same era (pp,
    unrounded; NaN when either year is unpublished) and its band (standards.change_bands)."""
    rows = published(results)
    rows = rows[rows["measure"].isin(measures)][["urn", "year", "measure", "value"]]
    out = add_change(rows, ["urn", "measure"], standards)
    out["band"] = band_of(out["change_1y"], standards)
    return sort_fixed(out, CHANGE_COLUMNS, ["urn", "measure", "year"])


def distribution(changes: pd.DataFrame, units: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Per unit and year on the headline: schools with a result, number and % at or above
    standards.distribution_threshold, schools with a change, and their mean change (pp, unweighted)."""
    h = changes[changes["measure"] == "headline"]
    threshold = standards.distribution_threshold
    flags = pd.DataFrame({
        "urn": h["urn"], "year": h["year"], "n_at_or_above": (h["value"] >= threshold).astype(int),
        "n_with_change": h["change_1y"].notna().astype(int), "sum_change": h["change_1y"].fillna(0.0),
    })  # fmt: skip
    out = unit_sums(flags, units, ["year"], ["n_at_or_above", "n_with_change", "sum_change"])
    out["threshold"] = threshold
    out["pct_at_or_above"] = out["n_at_or_above"] / out["n_schools"] * 100
    out["mean_change"] = np.where(out["n_with_change"] > 0, out["sum_change"] / out["n_with_change"].clip(lower=1), np.nan)
    return sort_fixed(out, DISTRIBUTION_COLUMNS, ["unit_type", "unit_id", "year"])


def change_bands(changes: pd.DataFrame, units: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Per unit (not single schools: see school_changes), year, measure and band: schools whose change
    fell in the band, % of schools with a change, and cumulative n and % of this band and all higher
    ones ("improved by more than 5")."""
    labels = [b.label for b in standards.change_bands]
    c = changes[changes["band"].notna()]
    c = c.assign(band_order=pd.Categorical(c["band"], categories=labels).codes)
    counts = unit_sums(
        c[["urn", "year", "measure", "band_order"]], units[units["unit_type"] != "school"], ["year", "measure", "band_order"], []
    )
    keys = ["unit_type", "unit_id", "year", "measure"]
    wide = counts.pivot_table(index=keys, columns="band_order", values="n_schools", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=range(len(labels)), fill_value=0)
    n = wide.to_numpy(dtype="int64")
    cum = np.cumsum(n[:, ::-1], axis=1)[:, ::-1]
    total = n.sum(axis=1, keepdims=True)
    index = wide.index.to_frame(index=False)
    out = index.loc[index.index.repeat(len(labels))].reset_index(drop=True)
    out["band_order"] = np.tile(np.arange(len(labels)), len(index))
    out["band"] = np.array(labels, dtype=object)[out["band_order"]]
    out["n_schools"] = n.ravel()
    out["cum_n"] = cum.ravel()
    out["pct"] = (n / total * 100).ravel()
    out["cum_pct"] = (cum / total * 100).ravel()
    return sort_fixed(out, BAND_COLUMNS, [*keys, "band_order"])
