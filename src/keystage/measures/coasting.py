"""Coasting (DfE, 2016-2018): a school meeting the coasting criteria in each of three successive years."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import school_wide, sort_fixed, unit_sums
from keystage.measures.floor import progress_test
from keystage.measures.scope import IN_SCOPE
from keystage.standards import Standards

COASTING, NOT_COASTING, NOT_AVAILABLE, TOO_FEW_YEARS, OUT_OF_SCOPE = (
    "coasting", "not coasting", "not available", "fewer than three years", "out of scope",
)  # fmt: skip
SCHOOL_COLUMNS = ["urn", "year", "window", "n_years", "n_met", "n_not_met", "status"]
COUNT_COLUMNS = ["unit_type", "unit_id", "year", "window", "n_determined", "n_coasting", "n_too_few_years", "n_not_available"]


def coasting_years(results: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Per school and criteria year: whether it met that year's coasting criteria (headline below the threshold
    and progress test failed): "met", "not met" or "not available" (no headline, or progress unknown)."""
    tests = {y: c for rule in standards.coasting.values() for y, c in rule.criteria.items()}
    wide = school_wide(results, ["headline"])
    wide = wide[wide["year"].isin(tests)].reset_index(drop=True)
    wide["threshold"] = wide["year"].map({y: t for y, (t, _) in tests.items()})
    wide = pd.concat([wide, progress_test(results, tests, wide)], axis=1)
    under = wide["headline"] < wide["threshold"]
    wide["criteria"] = np.select(
        [wide["headline"].isna(), ~under, wide["progress_test"] == "fail", wide["progress_test"] == "pass"],
        [NOT_AVAILABLE, "not met", "met", "not met"],
        NOT_AVAILABLE,
    )
    return wide[["urn", "year", "headline", "progress_test", "criteria"]]


def coasting_schools(results: pd.DataFrame, standards: Standards, scope: pd.DataFrame) -> pd.DataFrame:
    """Per school in scope in a determination year (standards.coasting): "coasting" when it met the criteria in
    every year of the window, "not coasting" when it did not meet them in some year, "fewer than three years"
    when a year of the window has no result, else "not available". Out-of-scope schools carry "out of scope"."""
    met = coasting_years(results, standards)
    parts = []
    for year, rule in standards.coasting.items():
        here = scope.loc[scope["year"] == year, ["urn", "scope"]]
        window = met[met["year"].isin(rule.window)]
        tally = window.groupby("urn")["criteria"].agg(
            n_years="size", n_met=lambda c: (c == "met").sum(), n_not_met=lambda c: (c == "not met").sum()
        )
        rows = here.join(tally, on="urn").fillna({"n_years": 0, "n_met": 0, "n_not_met": 0})
        full = len(rule.window)
        rows["status"] = np.select(
            [rows["scope"] != IN_SCOPE, rows["n_not_met"] > 0, rows["n_years"] < full, rows["n_met"] == full],
            [OUT_OF_SCOPE, NOT_COASTING, TOO_FEW_YEARS, COASTING],
            NOT_AVAILABLE,
        )
        parts.append(rows.assign(year=year, window=f"{rule.window[0]}-{rule.window[-1]}"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in SCHOOL_COLUMNS})
    out = pd.concat(parts, ignore_index=True).astype({"n_years": int, "n_met": int, "n_not_met": int})
    return sort_fixed(out, SCHOOL_COLUMNS, ["urn", "year"])


def coasting_counts(schools: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit and determination year: schools in scope, coasting, with fewer than three years, not available."""
    s = schools[schools["status"] != OUT_OF_SCOPE]
    flags = pd.DataFrame({
        "urn": s["urn"], "year": s["year"], "window": s["window"], "n_determined": 1,
        "n_coasting": (s["status"] == COASTING).astype(int), "n_too_few_years": (s["status"] == TOO_FEW_YEARS).astype(int),
        "n_not_available": (s["status"] == NOT_AVAILABLE).astype(int),
    })  # fmt: skip
    counts = unit_sums(flags, units, ["year", "window"], [c for c in flags.columns if c.startswith("n_")])
    return sort_fixed(counts, COUNT_COLUMNS, ["unit_type", "unit_id", "year"])
