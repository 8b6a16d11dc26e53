"""Unit membership (LA, district, group, school) and URN lineage."""

import pandas as pd
from test_measures_fixtures import results, schools

from keystage.units import apply_lineage, build_units, case_units, units_on_series


def test_every_school_belongs_to_its_la_district_groups_and_itself():
    s = schools((1, 850, "Alpha"), (2, 850, "Beta"), (3, 851, "Gamma"))
    districts = pd.DataFrame({"urn": [1, 2, 9], "district": ["North", "South", "Nowhere"]})  # 9 is not a school
    groups = pd.DataFrame({"partnership_id": ["P1", "P1"], "partnership_name": ["Oak cluster"] * 2, "urn": [1, 3]})
    u = build_units(s, districts, groups)
    assert list(u.columns) == ["unit_type", "unit_id", "unit_name", "urn"]
    members = u.groupby(["unit_type", "unit_id"])["urn"].apply(sorted).to_dict()
    assert members == {
        ("district", "North"): [1], ("district", "South"): [2], ("group", "P1"): [1, 3],
        ("la", "850"): [1, 2], ("la", "851"): [3], ("school", "1"): [1], ("school", "2"): [2], ("school", "3"): [3],
    }  # fmt: skip
    assert u.loc[u["unit_id"] == "P1", "unit_name"].iloc[0] == "Oak cluster"
    assert u.loc[(u["unit_type"] == "school") & (u["urn"] == 2), "unit_name"].iloc[0] == "Beta"


def test_case_units_group_a_federation():
    c = case_units(pd.DataFrame({"case_id": ["5", "5"], "title": ["Federation", "Federation"], "urn": [1, 2]}))
    assert c[["unit_type", "unit_id", "urn"]].values.tolist() == [["case", "5", 1], ["case", "5", 2]]


LINEAGE = pd.DataFrame({"urn": [100, 200], "series_urn": [200, 200], "chain": ["100 > 200"] * 2, "issue": ["", ""]})


def test_converted_academy_keeps_one_series():
    # URN 100 (maintained) to 2011; it converts and URN 200 (academy) reports from 2012.
    r = results({(100, 2011): {"headline": 60}, (200, 2012): {"headline": 70}, (7, 2012): {"headline": 50}})
    mapped, rejects = apply_lineage(r, LINEAGE)
    series = mapped[mapped["urn"] == 200].sort_values("year")
    assert series[["year", "value", "source_urn"]].values.tolist() == [[2011, 60.0, 100], [2012, 70.0, 200]]
    assert mapped.loc[mapped["urn"] == 7, "value"].tolist() == [50.0]  # unrelated school untouched
    assert rejects.empty


def test_both_urns_with_a_value_keeps_the_later_and_reports_it():
    r = results({(100, 2012): {"headline": 61}, (200, 2012): {"headline": 70, "eligible": None}})
    r2 = pd.concat([r, results({(100, 2012): {"eligible": 30}})], ignore_index=True)
    mapped, rejects = apply_lineage(r2, LINEAGE)
    got = mapped.set_index("measure")
    assert got.loc["headline", "value"] == 70 and got.loc["headline", "source_urn"] == 200
    assert got.loc["eligible", "value"] == 30 and got.loc["eligible", "source_urn"] == 100  # only 100 has a value
    assert len(rejects) == 1 and rejects.loc[0, "value"] == "61.0"
    assert "URN 100 superseded by later URN 200" in rejects.loc[0, "reason"]


def test_units_follow_the_series():
    u = units_on_series(build_units(schools((100, 850, "Old Primary"), (200, 850, "New Academy"))), LINEAGE)
    school = u[u["unit_type"] == "school"]
    assert school[["unit_id", "unit_name", "urn"]].values.tolist() == [["200", "New Academy", 200]]
    assert u.loc[u["unit_type"] == "la", "urn"].tolist() == [200]
