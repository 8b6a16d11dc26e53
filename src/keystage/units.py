"""Units of analysis (LA, district, named groups, each school) as one membership table, and URN lineage."""

from __future__ import annotations

import pandas as pd

UNIT_COLUMNS = ["unit_type", "unit_id", "unit_name", "urn"]
UNIT_TYPES = ("la", "district", "group", "school", "case")


def la_name(schools: pd.DataFrame, la_code: int) -> str:
    """The LA's name from the measure stage's school list ("LA <code>" when it has none)."""
    names = schools.loc[schools["la_code"] == la_code, "la_name"].dropna()
    return str(names.iloc[0]) if len(names) else f"LA {la_code}"


def _frame(unit_type: str, ids: pd.Series, names: pd.Series, urns: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_type": unit_type,
            "unit_id": ids.astype(str).to_numpy(),
            "unit_name": names.astype(str).to_numpy(),
            "urn": urns.astype("int64").to_numpy(),
        }
    )


def build_units(schools: pd.DataFrame, districts: pd.DataFrame | None = None, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Membership of every school in its LA, its district, any named group, and itself.

    `schools` has urn, la_code, name (and optionally la_name); `districts` is the Districts table
    (urn, district); `groups` has group_id, group_name, urn (a Partnerships table's partnership_id and
    partnership_name are accepted). One row per unit and member school, sorted.
    """
    schools = schools.drop_duplicates("urn", keep="last")
    la_names = schools["la_name"] if "la_name" in schools else "LA " + schools["la_code"].astype(str)
    parts = [
        _frame("la", schools["la_code"], la_names, schools["urn"]),
        _frame("school", schools["urn"], schools["name"], schools["urn"]),
    ]
    known = set(schools["urn"])
    if districts is not None and len(districts):
        d = districts[districts["urn"].isin(known)]
        parts.append(_frame("district", d["district"], d["district"], d["urn"]))
    if groups is not None and len(groups):
        g = groups.rename(columns={"partnership_id": "group_id", "partnership_name": "group_name"})
        g = g[g["urn"].isin(known)].drop_duplicates(["group_id", "urn"])
        parts.append(_frame("group", g["group_id"], g["group_name"], g["urn"]))
    units = pd.concat(parts, ignore_index=True).drop_duplicates(["unit_type", "unit_id", "urn"])
    return units.sort_values(["unit_type", "unit_id", "urn"], ignore_index=True)[UNIT_COLUMNS]


def case_units(cases: pd.DataFrame) -> pd.DataFrame:
    """Case studies (case_id, title, urn) as units of type "case": a federation is one unit of several schools."""
    return _frame("case", cases["case_id"], cases["title"], cases["urn"]).drop_duplicates(["unit_id", "urn"])


def series_map(lineage: pd.DataFrame | None) -> pd.DataFrame:
    """urn -> series_urn and the URN's position in its chain (0 = earliest), from the Lineage table."""
    if lineage is None or not len(lineage):
        return pd.DataFrame(
            {"urn": pd.Series(dtype="int64"), "series_urn": pd.Series(dtype="int64"), "position": pd.Series(dtype="int64")}
        )
    chains = lineage["chain"].astype(str).str.split(" > ")
    position = [c.index(str(u)) if str(u) in c else len(c) for u, c in zip(lineage["urn"], chains, strict=True)]
    return pd.DataFrame(
        {"urn": lineage["urn"].astype("int64"), "series_urn": lineage["series_urn"].astype("int64"), "position": position}
    )


def map_urns(frame: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """Replace each urn by its series URN (URNs without lineage keep their own)."""
    m = series_map(lineage)
    series = frame["urn"].map(m.set_index("urn")["series_urn"])
    return frame.assign(urn=series.fillna(frame["urn"]).astype("int64"))


def units_on_series(units: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """Membership with every urn mapped to its series URN; a school unit is then identified by its
    series URN (named as that URN's school when listed, else as its predecessor)."""
    mapped = map_urns(units, lineage)
    school = mapped["unit_type"] == "school"
    own = mapped["unit_id"] == mapped["urn"].astype(str)
    mapped.loc[school, "unit_id"] = mapped.loc[school, "urn"].astype(str)
    mapped = mapped.assign(_own=own).sort_values("_own", ascending=False, kind="stable")
    mapped = mapped.drop_duplicates(["unit_type", "unit_id", "urn"]).drop(columns="_own")
    return mapped.sort_values(["unit_type", "unit_id", "urn"], ignore_index=True)[UNIT_COLUMNS]


def apply_lineage(results: pd.DataFrame, lineage: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Map SchoolResults' urn to series_urn so a converted academy keeps one series.

    When two URNs of one series have a value for the same year and measure, the later URN's value is
    kept; returns (results with `source_urn` added, rejects frame naming each value set aside).
    """
    m = series_map(lineage)
    out = results.assign(source_urn=results["urn"].astype("int64"))
    by_urn = m.set_index("urn")
    moved = out["source_urn"].isin(m["urn"])
    out.loc[moved, "urn"] = out.loc[moved, "source_urn"].map(by_urn["series_urn"]).astype("int64")
    merged_series = m.loc[m["urn"] != m["series_urn"], "series_urn"].unique()
    in_shared = out["urn"].isin(merged_series)
    rest, out = out[~in_shared], out[in_shared].copy()
    out["_pos"] = out["source_urn"].map(by_urn["position"]).fillna(len(m) + 1)  # the series URN itself is latest
    out["_has"] = out["value"].notna()
    out = out.sort_values(["urn", "year", "measure", "_has", "_pos"], ascending=[True, True, True, False, False], kind="stable")
    dup = out.duplicated(["urn", "year", "measure"], keep="first")
    clash = dup & out["_has"]
    kept_urn = out.groupby(["urn", "year", "measure"], sort=False)["source_urn"].transform("first")
    set_aside = out[clash]
    rejects = pd.DataFrame(
        {
            "file": set_aside.get("source", pd.Series("", index=set_aside.index)).astype(str),
            "line": set_aside.get("line", pd.Series(pd.NA, index=set_aside.index)),
            "column": set_aside["measure"].astype(str),
            "value": set_aside["value"].astype(str),
            "reason": "URN "
            + set_aside["source_urn"].astype(str)
            + " superseded by later URN "
            + kept_urn[clash].astype(str)
            + " of the same series in "
            + set_aside["year"].astype(str),
        }
    )
    kept = pd.concat([rest, out[~dup].drop(columns=["_pos", "_has"])])
    return kept.sort_index().reset_index(drop=True), rejects.reset_index(drop=True)
