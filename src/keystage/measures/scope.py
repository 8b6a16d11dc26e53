"""Who DfE's floor and coasting standards apply to: each school and year in scope, or why not (special,
independent, closed, under the minimum cohort), so that every out-of-scope school is counted apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.measures.common import school_wide
from keystage.standards import Standards
from keystage.units import map_urns

IN_SCOPE, SPECIAL, INDEPENDENT, CLOSED, EXCLUDED, UNLISTED, NO_COHORT = (
    "in scope", "special school", "independent school", "closed school", "excluded", "no school record",
    "cohort not published",
)  # fmt: skip
SCOPE_COLUMNS = ["urn", "year", "rectype", "nftype", "closed", "eligible", "min_cohort", "scope"]


def school_identity(school_years: pd.DataFrame, results: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """Who each series URN was in each year: the identity row of the URN whose results the series uses that year
    (results' source_urn, from apply_lineage; the headline's first), else of an open URN of the series."""
    cols = ["urn", "year", "rectype", "nftype", "closed"]
    rows = school_years[cols]
    if "source_urn" in results.columns:
        order = results.assign(_first=results["measure"].ne("headline")).sort_values(["_first"], kind="stable")
        used = order.drop_duplicates(["urn", "year"])[["urn", "year", "source_urn"]]
        used = used.merge(rows.rename(columns={"urn": "source_urn"}), on=["source_urn", "year"], how="inner")[cols]
    else:
        used = rows.iloc[0:0]
    mapped = map_urns(rows, lineage)
    open_last = mapped["closed"].map({True: 0, False: 2}).fillna(1).to_numpy()
    mapped = mapped.iloc[np.argsort(open_last, kind="stable")[::-1]]
    return pd.concat([used, mapped], ignore_index=True).drop_duplicates(["urn", "year"], keep="first")


def school_scope(
    school_years: pd.DataFrame, results: pd.DataFrame, standards: Standards, lineage: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per school and configured year with a KS2 row: its scope, in this order of precedence: special school
    (not a mainstream RECTYPE), independent school (NFTYPE), closed school (ICLOSE = 1), excluded (fewer eligible
    pupils than the year's min_cohort), cohort not published (no eligible pupils figure, as for 2016 from the 2017
    file's prior-year columns, so the minimum cannot be checked), no school record (results without an identity
    row), else in scope.

    `results` are on series URNs (units.apply_lineage); `school_years` on the URNs DfE published, mapped here by
    `lineage` (school_identity), so a school closed on conversion whose results the series uses is a closed school.
    """
    wide = school_wide(results, ["eligible"])
    wide = wide[wide["year"].isin(standards.floors)]
    ident = school_identity(school_years, results, lineage)
    keys = pd.concat([wide[["urn", "year"]], ident.loc[ident["year"].isin(standards.floors), ["urn", "year"]]])
    out = keys.drop_duplicates().merge(ident, on=["urn", "year"], how="left").merge(wide, on=["urn", "year"], how="left")
    out["min_cohort"] = out["year"].map({y: r.min_cohort for y, r in standards.floors.items()})
    mainstream = out["rectype"].isin(sorted(standards.scope.mainstream_rectypes))
    out["scope"] = np.select(
        [
            out["rectype"].isna(),
            ~mainstream,
            out["nftype"].isin(sorted(standards.scope.independent_nftypes)),
            out["closed"].fillna(False).astype(bool),
            out["eligible"] < out["min_cohort"],
            out["eligible"].isna(),
        ],
        [UNLISTED, SPECIAL, INDEPENDENT, CLOSED, EXCLUDED, NO_COHORT],
        IN_SCOPE,
    )
    out["rectype"] = out["rectype"].astype("Int64")
    out["closed"] = out["closed"].astype("boolean")
    return out[SCOPE_COLUMNS].sort_values(["urn", "year"], ignore_index=True)


def in_scope(frame: pd.DataFrame, scope: pd.DataFrame) -> pd.Series:
    """For each row of a school-level table (urn, year, ...): was its school in scope that year."""
    keys = pd.MultiIndex.from_frame(scope.loc[scope["scope"] == IN_SCOPE, ["urn", "year"]])
    return pd.Series(pd.MultiIndex.from_frame(frame[["urn", "year"]]).isin(keys), index=frame.index)


def scope_note(standards: Standards, years: list[int]) -> str:
    """The sentence a table's note uses to say which schools it counts (DfE's in-scope set of those years)."""
    cohorts = sorted({standards.floor(y).min_cohort for y in years if y in standards.floors})
    smallest = " or ".join(str(c) for c in cohorts) or "the minimum number of"
    return (
        f"Counts mainstream state-funded schools open when DfE published the results and with at least {smallest} "
        "eligible pupils, the schools DfE's floor and coasting standards applied to; special, independent and closed "
        "schools and smaller cohorts are left out and counted apart in the floor standard table."
    )
