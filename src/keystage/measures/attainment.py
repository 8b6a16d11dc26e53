"""Attainment and progress per unit, year and measure (Hampshire Tables 1, 2, 7, 9), with change and trend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import COUNT_MEASURES, add_change, published, sort_fixed, unit_sums
from keystage.rounding import round_half_up
from keystage.standards import Standards

ATTAINMENT_COLUMNS = [
    "unit_type", "unit_id", "year", "era", "measure", "kind", "numerator", "denominator", "value", "n_schools",
    "prev_year", "change_1y", "first_year", "change_span", "trend",
]  # fmt: skip


def measure_kind(measure: str) -> str | None:
    """How a measure aggregates: "pct" (pupil-weighted %), "mean" (pupil-weighted progress or average scaled score),
    "count" (summed), or None (confidence limits, which do not aggregate)."""
    if measure.endswith(("_lower", "_upper")):
        return None
    if measure in COUNT_MEASURES:
        return "count"
    if measure.endswith(("_prog", "_avg")):
        return "mean"
    return "pct"


def weight_of(measure: str) -> str:
    """The count a percentage is of: disadvantaged or other pupils for their breakdowns, else all eligible."""
    if measure.endswith("_disadv"):
        return "disadv_count"
    if measure.endswith("_other"):
        return "other_count"
    return "eligible"


def school_values(results: pd.DataFrame) -> pd.DataFrame:
    """Each published school value as a numerator and denominator (urn, year, measure, kind, num, den).

    pct: num = weight * value / 100, den = weight; mean: num = weight * value, den = weight;
    count: num = value, den = 1. Rows without a published weight cannot be weighted and are left out.
    """
    rows = published(results)[["urn", "year", "measure", "value"]]
    names = pd.Series(rows["measure"].unique())
    spec = pd.DataFrame({"measure": names, "kind": names.map(measure_kind), "weight": names.map(weight_of)}).dropna()
    rows = rows.merge(spec, on="measure", how="inner")
    weights = rows[rows["measure"].isin(COUNT_MEASURES)][["urn", "year", "measure", "value"]]
    weights = weights.rename(columns={"measure": "weight", "value": "w"})
    rows = rows.merge(weights, on=["urn", "year", "weight"], how="left")
    rows = rows[(rows["kind"] == "count") | (rows["w"] > 0)]
    kind = rows["kind"].to_numpy()
    v, w = rows["value"].to_numpy(), rows["w"].to_numpy()
    rows = rows.assign(
        num=np.select([kind == "pct", kind == "mean"], [w * v / 100.0, w * v], v),
        den=np.where(kind == "count", 1.0, w),
    )
    return rows[["urn", "year", "measure", "kind", "num", "den"]]


def trend(change: pd.Series, digits: int) -> pd.Series:
    """ "up", "down" or "same" (a change that rounds to 0 at display precision); NaN without a change."""
    shown = round_half_up(change, digits)
    return pd.Series(np.select([shown > 0, shown < 0, shown == 0], ["up", "down", "same"], ""), index=change.index).replace(
        "", pd.NA
    )


def attainment(results: pd.DataFrame, units: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Per unit, year and measure: numerator, denominator, value, n_schools, change on last year and
    over the era's span (pp, unrounded) and the trend flag. Percentages are pupil-weighted."""
    values = school_values(results)
    values["measure"] = values["measure"].astype("category")
    sums = unit_sums(values, units, ["year", "measure", "kind"], ["num", "den"])
    sums = sums[sums["n_schools"] > 0].rename(columns={"num": "numerator", "den": "denominator"})
    sums["measure"] = sums["measure"].astype(str)
    scale = np.where(sums["kind"] == "pct", 100.0, 1.0)
    sums["value"] = np.where(sums["kind"] == "count", sums["numerator"], sums["numerator"] / sums["denominator"] * scale)
    out = add_change(sums, ["unit_type", "unit_id", "measure"], standards)
    out["trend"] = trend(out["change_1y"], standards.rounding.display_dp)
    return sort_fixed(out, ATTAINMENT_COLUMNS, ["unit_type", "unit_id", "measure", "year"])
