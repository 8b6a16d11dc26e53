"""Disadvantage gap (Hampshire Table 5): disadvantaged pupils against the rest, per unit and year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import school_wide, sort_fixed, unit_sums
from keystage.standards import Standards

GAP_COLUMNS = [
    "unit_type", "unit_id", "year", "era", "definition", "disadv_numerator", "disadv_denominator", "disadv_pct",
    "other_numerator", "other_denominator", "other_pct", "gap", "national_disadv", "national_other", "national_gap",
    "gap_vs_national", "national_all", "n_schools_disadv", "n_match_national", "pct_match_national",
]  # fmt: skip
_PARTS = ["headline_disadv", "headline_other", "disadv_count", "other_count"]


def gaps(results: pd.DataFrame, units: pd.DataFrame, nat: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Per unit and year: pupil-weighted headline for disadvantaged pupils (sum of disadv_count *
    headline_disadv / 100 over sum of disadv_count) and for the rest, gap = other - disadvantaged (pp),
    labelled with the era's definition, beside national; and the schools whose disadvantaged pupils
    match or beat the national headline for all pupils."""
    w = school_wide(results, _PARTS)
    national_all = nat[nat["measure"] == "headline"].set_index("year")["national"]
    has_d = w["headline_disadv"].notna() & (w["disadv_count"] > 0)
    has_o = w["headline_other"].notna() & (w["other_count"] > 0)
    beat = w["headline_disadv"] >= w["year"].map(national_all)
    school = pd.DataFrame({
        "urn": w["urn"], "year": w["year"],
        "disadv_numerator": np.where(has_d, w["disadv_count"] * w["headline_disadv"] / 100, 0.0),
        "disadv_denominator": np.where(has_d, w["disadv_count"], 0.0),
        "other_numerator": np.where(has_o, w["other_count"] * w["headline_other"] / 100, 0.0),
        "other_denominator": np.where(has_o, w["other_count"], 0.0),
        "n_schools_disadv": has_d.astype(int), "n_match_national": (has_d & beat).astype(int),
    })  # fmt: skip
    school = school[has_d | has_o]
    out = unit_sums(school, units, ["year"], [c for c in school.columns if c not in ("urn", "year")])
    out["disadv_pct"] = out["disadv_numerator"] / out["disadv_denominator"].where(out["disadv_denominator"] > 0) * 100
    out["other_pct"] = out["other_numerator"] / out["other_denominator"].where(out["other_denominator"] > 0) * 100
    out["gap"] = out["other_pct"] - out["disadv_pct"]
    out["era"] = out["year"].map(standards.year_eras)
    out["definition"] = out["era"].map({k: e.disadvantage_label for k, e in standards.eras.items()})
    by_measure = nat.pivot_table(index="year", columns="measure", values="national", aggfunc="first")
    for col, measure in (("national_disadv", "headline_disadv"), ("national_other", "headline_other"), ("national_gap", "gap")):
        out[col] = out["year"].map(by_measure[measure]) if measure in by_measure else np.nan
    out["national_all"] = out["year"].map(national_all)
    out["gap_vs_national"] = out["gap"] - out["national_gap"]
    out["pct_match_national"] = out["n_match_national"] / out["n_schools_disadv"].where(out["n_schools_disadv"] > 0) * 100
    return sort_fixed(out, GAP_COLUMNS, ["unit_type", "unit_id", "year"])
