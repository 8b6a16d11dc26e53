"""Case studies (the paper's appendix): one row per case and year, a federation pupil-weighted as one."""

from __future__ import annotations

import pandas as pd

from keystage.measures.common import sort_fixed, unit_sums
from keystage.measures.support import school_days

CASE_MEASURES = ["headline", "eng", "read", "writ", "mat"]
CASE_COLUMNS = ["case_id", "title", "year", "cohort", *CASE_MEASURES, "floor_status", "support_days"]


def case_studies(attainment: pd.DataFrame, floor: pd.DataFrame, support: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Per case and year: cohort (eligible pupils), headline and per-subject % (pupil-weighted over the
    case's schools, from the attainment table's "case" units), the floor status of each school
    ("urn: status", "; "-joined) and the support days of all its schools."""
    att = attainment[(attainment["unit_type"] == "case") & attainment["measure"].isin(["eligible", *CASE_MEASURES])]
    wide = att.pivot(index=["unit_id", "year"], columns="measure", values="value").reindex(columns=["eligible", *CASE_MEASURES])
    wide = wide.rename(columns={"eligible": "cohort"}).reset_index().rename(columns={"unit_id": "case_id"})
    members = cases.rename(columns={"unit_id": "case_id", "unit_name": "title"})
    status = floor[["urn", "year", "status"]].merge(members[["case_id", "urn"]], on="urn").sort_values(["case_id", "year", "urn"])
    status["text"] = status["urn"].astype(str) + ": " + status["status"]
    joined = status.groupby(["case_id", "year"])["text"].agg("; ".join).rename("floor_status").reset_index()
    days = unit_sums(
        school_days(support)[["urn", "year", "days_total"]], cases.assign(unit_type="case"), ["year"], ["days_total"]
    )
    days = days.rename(columns={"unit_id": "case_id", "days_total": "support_days"})[["case_id", "year", "support_days"]]
    out = wide.merge(joined, on=["case_id", "year"], how="outer").merge(days, on=["case_id", "year"], how="left")
    out["support_days"] = out["support_days"].fillna(0.0)
    out = out.merge(members.drop_duplicates("case_id")[["case_id", "title"]], on="case_id", how="left")
    return sort_fixed(out, CASE_COLUMNS, ["case_id", "year"])
