"""Floor standard per school and year, and counts per unit (Hampshire Table 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import published, school_wide, sort_fixed, unit_sums
from keystage.standards import Standards

ABOVE, LIFTED, BELOW, NOT_AVAILABLE, EXCLUDED, NO_RESULT = (
    "above", "lifted by progress", "below floor", "not available", "excluded", "no result",
)  # fmt: skip
SCHOOL_COLUMNS = [
    "urn", "year", "era", "rule_source", "threshold", "min_cohort", "eligible", "headline", "below_attainment",
    "progress_test", "status",
]  # fmt: skip
COUNT_COLUMNS = [
    "unit_type", "unit_id", "year", "rule_source", "threshold", "heading", "n_assessed", "n_excluded", "n_below_attainment",
    "n_lifted", "n_below_floor", "n_not_available",
]  # fmt: skip


def _rules(standards: Standards) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The floor rules as a table per year and a table of progress cut-offs per year and measure."""
    rules = pd.DataFrame(
        [
            (y, standards.year_eras[y], r.source, r.threshold, r.min_cohort, r.progress.kind, r.progress.fails_when)
            for y, r in standards.floors.items()
        ],
        columns=["year", "era", "rule_source", "threshold", "min_cohort", "kind", "fails_when"],
    )
    cutoffs = pd.DataFrame(
        [(y, m, c) for y, r in standards.floors.items() for m, c in r.progress.cutoffs.items()],
        columns=["year", "measure", "cutoff"],
    )
    return rules, cutoffs


def progress_test(results: pd.DataFrame, standards: Standards, keys: pd.DataFrame) -> pd.Series:
    """ "pass", "fail", "not available" or "none" for each (urn, year) of `keys`, by that year's rule.

    A subject fails when its value is below the cut-off (the national median % 2LP, or the progress
    score cut-off). fails_when "all": the test fails only when every subject is below, and passes when
    any published subject is at or above; "any": fails when any published subject is below, passes
    when every subject is published and none is below. Otherwise (missing values) "not available".
    """
    rules, cutoffs = _rules(standards)
    k = keys[["urn", "year"]].merge(rules[["year", "kind", "fails_when"]], on="year", how="left")
    need = k.merge(cutoffs, on="year", how="inner")
    vals = published(results)[["urn", "year", "measure", "value"]]
    need = need.merge(vals, on=["urn", "year", "measure"], how="left")
    need["below"] = need["value"] < need["cutoff"]
    need["at_or_above"] = need["value"] >= need["cutoff"]
    tally = (
        need.groupby(["urn", "year"])
        .agg(n=("cutoff", "size"), n_below=("below", "sum"), n_ok=("at_or_above", "sum"))
        .reset_index()
    )
    k = k.merge(tally, on=["urn", "year"], how="left").fillna({"n": 0, "n_below": 0, "n_ok": 0})
    every = k["fails_when"] == "all"
    fail = np.where(every, k["n_below"] == k["n"], k["n_below"] > 0)
    passed = np.where(every, k["n_ok"] > 0, k["n_ok"] == k["n"])
    out = np.select(
        [k["kind"] == "none", k["kind"] == "not_available", k["kind"].isna(), fail & (k["n"] > 0), passed],
        ["none", NOT_AVAILABLE, NOT_AVAILABLE, "fail", "pass"],
        NOT_AVAILABLE,
    )
    return pd.Series(out, index=keys.index)


def floor_schools(results: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Floor status of every school and year with a KS2 row: "above", "lifted by progress" (below the
    threshold but through the progress test), "below floor", "not available" (the progress test cannot
    be evaluated), "excluded" (cohort under the minimum) or "no result" (headline not published)."""
    rules, _ = _rules(standards)
    wide = school_wide(results, ["eligible", "headline"])
    wide = wide.merge(rules, on="year", how="inner")
    wide["below_attainment"] = wide["headline"] < wide["threshold"]
    wide["progress_test"] = progress_test(results, standards, wide)
    small = wide["eligible"] < wide["min_cohort"]
    wide["status"] = np.select(
        [
            wide["headline"].isna(),
            small,
            ~wide["below_attainment"],
            wide["progress_test"].isin(["none", "fail"]),
            wide["progress_test"] == "pass",
        ],
        [NO_RESULT, EXCLUDED, ABOVE, BELOW, LIFTED],
        NOT_AVAILABLE,
    )
    wide.loc[wide["status"].isin([NO_RESULT, EXCLUDED]), "below_attainment"] = False
    return sort_fixed(wide, SCHOOL_COLUMNS, ["urn", "year"])


def floor_counts(schools: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit and year: schools assessed, excluded, below on attainment, lifted above by progress (the
    paper's "(n)"), below the floor, not available; the heading shows the threshold ("2011 (60%)")."""
    s = schools[schools["status"] != NO_RESULT]
    flags = pd.DataFrame({
        "urn": s["urn"], "year": s["year"],
        "n_assessed": (s["status"] != EXCLUDED).astype(int), "n_excluded": (s["status"] == EXCLUDED).astype(int),
        "n_below_attainment": s["below_attainment"].astype(int), "n_lifted": (s["status"] == LIFTED).astype(int),
        "n_below_floor": (s["status"] == BELOW).astype(int), "n_not_available": (s["status"] == NOT_AVAILABLE).astype(int),
    })  # fmt: skip
    counts = unit_sums(flags, units, ["year"], [c for c in flags.columns if c.startswith("n_")])
    rule = schools.drop_duplicates("year")[["year", "rule_source", "threshold"]]
    counts = counts.merge(rule, on="year", how="left")
    counts["heading"] = [f"{y} ({t:g}%)" for y, t in zip(counts["year"], counts["threshold"], strict=True)]
    return sort_fixed(counts, COUNT_COLUMNS, ["unit_type", "unit_id", "year"])
