"""Floor standard per school and year, and counts per unit (Hampshire Table 3), on DfE's in-scope set."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import published, school_wide, sort_fixed, unit_sums
from keystage.measures.scope import CLOSED, EXCLUDED, IN_SCOPE, INDEPENDENT, NO_COHORT, SPECIAL
from keystage.standards import ProgressTest, Standards

ABOVE, LIFTED, BELOW, NOT_AVAILABLE, NO_RESULT = "above", "lifted by progress", "below floor", "not available", "no result"
ASSESSED = (ABOVE, LIFTED, BELOW, NOT_AVAILABLE)  # in scope, with a headline: the schools the floor was applied to
SCHOOL_COLUMNS = [
    "urn", "year", "era", "rule_source", "threshold", "min_cohort", "eligible", "headline", "below_attainment",
    "progress_test", "failed_subjects", "writing_only", "status",
]  # fmt: skip
COUNT_COLUMNS = [
    "unit_type", "unit_id", "year", "rule_source", "threshold", "heading", "n_assessed", "n_excluded", "n_special",
    "n_independent", "n_closed", "n_below_attainment", "n_lifted", "n_below_floor", "n_writing_only", "n_not_available",
]  # fmt: skip
WRITING = "writ_prog"


def rule_tables(tests: dict[int, tuple[float, ProgressTest]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attainment threshold and progress test of each year as a table, and its cut-offs per year and measure."""
    rules = pd.DataFrame(
        [(y, t, p.kind, p.fails_when, p.significant, p.single_subject_significant) for y, (t, p) in tests.items()],
        columns=["year", "threshold", "kind", "fails_when", "significant", "single_significant"],
    )
    cutoffs = pd.DataFrame(
        [(y, m, c) for y, (_, p) in tests.items() for m, c in p.cutoffs.items()], columns=["year", "measure", "cutoff"]
    )
    return rules, cutoffs


def progress_test(results: pd.DataFrame, tests: dict[int, tuple[float, ProgressTest]], keys: pd.DataFrame) -> pd.DataFrame:
    """ "pass", "fail", "not available" or "none" for each (urn, year) of `keys`, and the subjects that failed.

    A subject is below when its value is under the cut-off; when the test is `significant` (or
    `single_subject_significant` and it is the only subject under), only when its upper confidence limit
    (measure + "_upper") is below zero as well, and unknown when that limit is missing. fails_when "all":
    the test fails only when every subject is below, passes when any is not; "any": fails when any subject
    is below, passes when none is and all are known. Otherwise "not available".
    """
    rules, cutoffs = rule_tables(tests)
    k = keys[["urn", "year"]].merge(rules, on="year", how="left")
    need = k[["urn", "year", "significant", "single_significant"]].merge(cutoffs, on="year", how="inner")
    vals = published(results)[["urn", "year", "measure", "value"]]
    upper = vals.assign(measure=vals["measure"].str.removesuffix("_upper"))[vals["measure"].str.endswith("_upper")]
    need = need.merge(vals, on=["urn", "year", "measure"], how="left")
    need = need.merge(upper.rename(columns={"value": "upper"}), on=["urn", "year", "measure"], how="left")
    under = need["value"] < need["cutoff"]
    n_under = under.groupby([need["urn"], need["year"]]).transform("sum")
    check = need["significant"] | (need["single_significant"] & (n_under == 1))
    known = need["value"].notna() & ~(under & check & need["upper"].isna())
    below = under & known & (~check | (need["upper"] < 0))
    need = need.assign(below=below, ok=known & ~below, failed=need["measure"].where(below))
    tally = (
        need.groupby(["urn", "year"])
        .agg(n=("cutoff", "size"), n_below=("below", "sum"), n_ok=("ok", "sum"),
             failed=("failed", lambda f: ",".join(sorted(f.dropna()))))
        .reset_index()
    )  # fmt: skip
    k = k.merge(tally, on=["urn", "year"], how="left").fillna({"n": 0, "n_below": 0, "n_ok": 0, "failed": ""})
    every = k["fails_when"] == "all"
    fail = np.where(every, k["n_below"] == k["n"], k["n_below"] > 0) & (k["n"] > 0)
    passed = np.where(every, k["n_ok"] > 0, k["n_ok"] == k["n"])
    out = np.select(
        [k["kind"] == "none", k["kind"] == "not_available", k["kind"].isna(), fail, passed],
        ["none", NOT_AVAILABLE, NOT_AVAILABLE, "fail", "pass"],
        NOT_AVAILABLE,
    )
    return pd.DataFrame({"progress_test": out, "failed_subjects": np.where(out == "fail", k["failed"], "")}, index=keys.index)


def floor_schools(results: pd.DataFrame, standards: Standards, scope: pd.DataFrame) -> pd.DataFrame:
    """Floor status of every school and year in `scope` (measures.scope.school_scope): out-of-scope schools
    carry their reason ("special school", "independent school", "closed school", "excluded" under the minimum
    cohort, "no school record") and no floor label; in scope, "above", "lifted by progress" (below the threshold
    but through the progress test), "below floor", "not available" (the progress test cannot be evaluated) or
    "no result" (headline not published). writing_only marks a school below only on writing in a year whose
    rule carries DfE's writing caveat."""
    tests = {y: (r.threshold, r.progress) for y, r in standards.floors.items()}
    rules = pd.DataFrame(
        [(y, standards.year_eras[y], r.source, r.threshold, r.min_cohort, r.writing_caveat) for y, r in standards.floors.items()],
        columns=["year", "era", "rule_source", "threshold", "min_cohort", "writing_caveat"],
    )
    wide = scope[["urn", "year", "eligible", "scope"]].merge(school_wide(results, ["headline"]), on=["urn", "year"], how="left")
    wide = wide.merge(rules, on="year", how="inner")
    wide = pd.concat([wide, progress_test(results, tests, wide)], axis=1)
    wide["below_attainment"] = wide["headline"] < wide["threshold"]
    out_of_scope = wide["scope"] != IN_SCOPE
    wide["status"] = np.select(
        [
            out_of_scope,
            wide["headline"].isna(),
            ~wide["below_attainment"],
            wide["progress_test"].isin(["none", "fail"]),
            wide["progress_test"] == "pass",
        ],
        [wide["scope"], NO_RESULT, ABOVE, BELOW, LIFTED],
        NOT_AVAILABLE,
    )
    not_applied = out_of_scope | (wide["status"] == NO_RESULT)
    wide.loc[not_applied, "below_attainment"] = False
    wide.loc[not_applied, ["progress_test", "failed_subjects"]] = ["not applied", ""]
    wide["writing_only"] = wide["writing_caveat"] & (wide["status"] == BELOW) & (wide["failed_subjects"] == WRITING)
    return sort_fixed(wide, SCHOOL_COLUMNS, ["urn", "year"])


def floor_counts(schools: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit and year: schools assessed (in scope, with a result), out of scope by reason (excluded under the
    minimum cohort, special, independent, closed), below on attainment, lifted above by progress (the paper's
    "(n)"), below the floor (of which on writing alone), not available (progress test or cohort size unknown); the
    heading shows the threshold."""
    s = schools[schools["status"].isin([*ASSESSED, EXCLUDED, SPECIAL, INDEPENDENT, CLOSED, NO_COHORT])]
    flags = pd.DataFrame({
        "urn": s["urn"], "year": s["year"],
        "n_assessed": s["status"].isin(ASSESSED).astype(int), "n_excluded": (s["status"] == EXCLUDED).astype(int),
        "n_special": (s["status"] == SPECIAL).astype(int), "n_independent": (s["status"] == INDEPENDENT).astype(int),
        "n_closed": (s["status"] == CLOSED).astype(int),
        "n_below_attainment": s["below_attainment"].astype(int), "n_lifted": (s["status"] == LIFTED).astype(int),
        "n_below_floor": (s["status"] == BELOW).astype(int), "n_writing_only": s["writing_only"].astype(int),
        "n_not_available": s["status"].isin([NOT_AVAILABLE, NO_COHORT]).astype(int),
    })  # fmt: skip
    counts = unit_sums(flags, units, ["year"], [c for c in flags.columns if c.startswith("n_")])
    rule = schools.drop_duplicates("year")[["year", "rule_source", "threshold"]]
    counts = counts.merge(rule, on="year", how="left")
    counts["heading"] = [f"{y} ({t:g}%)" for y, t in zip(counts["year"], counts["threshold"], strict=True)]
    return sort_fixed(counts, COUNT_COLUMNS, ["unit_type", "unit_id", "year"])
