"""Partnership measures on hand-worked fixtures, and the demo's partnership stage end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_measures_fixtures import school_years

from keystage.errors import InputError, Rejects
from keystage.measures.floor import floor_schools
from keystage.measures.partnerships import (
    cluster_bootstrap,
    did_summary,
    matched_did,
    member_test_year,
    member_years,
    membership_spells,
    partnership_attainment,
    partnership_floor,
    read_targets,
    size_band,
    targets_vs_results,
)
from keystage.measures.scope import school_scope
from keystage.standards import load_standards

STANDARDS = load_standards()
NAT = pd.NaT


def results(rows: list[tuple[int, int, str, float]]) -> pd.DataFrame:
    """A SchoolResults-shaped frame of published values from (urn, year, measure, value)."""
    frame = pd.DataFrame(rows, columns=["urn", "year", "measure", "value"])
    return frame.assign(status="", source="test.csv", line=range(2, len(frame) + 2))


def partnerships(rows: list[tuple[str, str, int, str, str | None]]) -> pd.DataFrame:
    """A Partnerships frame from (id, type, urn, joined, left)."""
    frame = pd.DataFrame(rows, columns=["partnership_id", "partnership_type", "urn", "joined", "left"])
    return frame.assign(
        partnership_name="P " + frame["partnership_id"],
        joined=pd.to_datetime(frame["joined"]),
        left=pd.to_datetime(frame["left"]),
    )


LINEAGE = pd.DataFrame({"urn": [100, 200], "series_urn": [200, 200], "chain": ["100 > 200", "100 > 200"], "issue": ["", ""]})


def test_member_test_year_counts_a_year_when_the_school_was_a_member_on_1_may() -> None:
    joined = pd.Series(pd.to_datetime(["2019-09-01", "2012-02-01", "2012-05-01", "2012-05-02"]))
    assert member_test_year(joined, last=False).tolist() == [2020, 2012, 2012, 2013]
    left = pd.Series(pd.to_datetime(["2016-07-31", "2016-04-30", "2016-05-01", None]))
    assert member_test_year(left, last=True).tolist()[:3] == [2016, 2015, 2016]
    assert pd.isna(member_test_year(left, last=True).iloc[3])


def test_a_school_converting_inside_a_partnership_keeps_one_spell_on_its_series_urn() -> None:
    # URN 100 (maintained) is a member from Sep 2014; it converts and reappears as academy 200 from Sep 2017.
    p = partnerships([("P1", "cluster", 100, "2014-09-01", "2017-08-31"), ("P1", "cluster", 200, "2017-09-01", None)])
    spells = membership_spells(p, LINEAGE)
    assert len(spells) == 1
    spell = spells.iloc[0]
    assert (spell["urn"], spell["source_urns"]) == (200, "100; 200")
    assert spell["joined"] == pd.Timestamp("2014-09-01") and pd.isna(spell["left"])
    assert spell["first_year"] == 2015 and pd.isna(spell["last_year"])  # 1 May 2015 is the first test day as a member


def test_member_years_of_a_school_that_joins_mid_series_and_leaves() -> None:
    p = partnerships([("P1", "cluster", 1, "2016-09-01", "2018-07-31")])
    years = member_years(membership_spells(p, None), [2015, 2016, 2017, 2018, 2019])
    assert years["year"].tolist() == [2017, 2018]  # joined after the 2016 tests, left after the 2018 tests


def test_partnership_results_count_a_school_only_in_the_years_it_was_a_member() -> None:
    # A is a member throughout; B joins in September 2016, so counts from the 2017 tests.
    p = partnerships([("P1", "cluster", 1, "2010-09-01", None), ("P1", "cluster", 2, "2016-09-01", None)])
    r = results(
        [
            (1, 2016, "eligible", 10),
            (1, 2016, "headline", 50),
            (1, 2017, "eligible", 10),
            (1, 2017, "headline", 60),
            (2, 2016, "eligible", 30),
            (2, 2016, "headline", 80),
            (2, 2017, "eligible", 30),
            (2, 2017, "headline", 70),
        ]
    )
    att = partnership_attainment(r, membership_spells(p, None), STANDARDS)
    head = att[att["measure"] == "headline"].set_index("year")
    assert head.loc[2016, "value"] == 50.0 and head.loc[2016, "n_schools"] == 1  # A alone: 5 of 10
    assert head.loc[2017, "value"] == pytest.approx((6 + 21) / (10 + 30) * 100)  # 67.5: 6 of 10 and 21 of 30
    assert head.loc[2017, "change_1y"] == pytest.approx(17.5)
    floor = partnership_floor(
        floor_schools(r, STANDARDS, school_scope(school_years(r), r, STANDARDS)), membership_spells(p, None), STANDARDS
    ).set_index("year")
    assert floor.loc[2016, "n_assessed"] == 0 and floor.loc[2016, "n_excluded"] == 1  # A's 10 pupils: under 11
    assert floor.loc[2017, "n_assessed"] == 1 and floor.loc[2017, "n_excluded"] == 1


def test_difference_in_differences_on_a_tiny_panel() -> None:
    # T joins in Sep 2017: before = 2016, 2017; after = 2018, 2019 (expected era).
    # T:  50, 54 | 60, 64 -> before 52, after 62, change 10
    # C1: 50, 52 | 54, 56 -> before 51, after 55, change 4   (prior 1 from T's)
    # C2: 53, 53 | 55, 55 -> before 53, after 55, change 2   (prior 1 from T's)
    # C3: 90, 90 | 80, 80 -> prior 38 away: not one of the 2 matches
    # did = 10 - (4 + 2) / 2 = 7
    headline = {9: [50, 54, 60, 64], 1: [50, 52, 54, 56], 2: [53, 53, 55, 55], 3: [90, 90, 80, 80]}
    rows = []
    for urn, values in headline.items():
        for year, value in zip([2016, 2017, 2018, 2019], values, strict=True):
            rows += [(urn, year, "headline", value), (urn, year, "eligible", 20), (urn, year, "disadv_count", 4)]
    spells = membership_spells(partnerships([("P1", "federation", 9, "2017-09-01", None)]), None)
    sizes = pd.DataFrame({"urn": [9, 1, 2, 3], "la_code": 701, "number_on_roll": 100, "size_band": "75 to 149"})
    did = matched_did(results(rows), spells, sizes, STANDARDS, k=2).iloc[0]
    assert (did["before_years"], did["after_years"]) == (
        "2016 2017",
        "2018 2019 2022 2023 2024 2025",
    )  # means use the years with results
    assert (did["treated_before"], did["treated_after"], did["treated_change"]) == (52, 62, 10)
    assert did["control_urns"] == "1; 2"
    assert did["control_change"] == 3 and did["did"] == 7


def test_a_school_without_results_before_joining_in_the_era_gets_a_note_not_a_number() -> None:
    # Joined Sep 2015: first member test year 2016 starts the expected era, so there is no "before" in that era.
    rows = [(9, y, m, v) for y in (2016, 2017) for m, v in (("headline", 60), ("eligible", 20), ("disadv_count", 4))]
    spells = membership_spells(partnerships([("P1", "trust", 9, "2015-09-01", None)]), None)
    sizes = pd.DataFrame({"urn": [9], "la_code": 701, "number_on_roll": 100, "size_band": "75 to 149"})
    did = matched_did(results(rows), spells, sizes, STANDARDS).iloc[0]
    assert np.isnan(did["did"]) and "before and after joining in the expected era" in did["note"]


def test_cluster_bootstrap_resamples_whole_schools() -> None:
    # School 1 is in two partnerships (did 1 and 3), school 2 in one (did 5). Resampling 2 schools gives
    # means 2 (school 1 twice: (1+3)/2), 3 (both: (1+3+5)/3) or 5 (school 2 twice); never 1, which only a
    # resample of single rows could give. The 2.5th and 97.5th percentiles are therefore 2 and 5.
    low, high = cluster_bootstrap(pd.Series([1.0, 3.0, 5.0]), pd.Series([1, 1, 2]))
    assert (low, high) == (2.0, 5.0)


def test_did_summary_groups_and_withholds_an_interval_under_three_schools() -> None:
    did = pd.DataFrame(
        {
            "partnership_id": ["A", "A", "B"],
            "partnership_type": ["cluster", "cluster", "trust"],
            "urn": [1, 2, 3],
            "size_band": ["under 75"] * 3,
            "treated_change": [4.0, 2.0, 6.0],
            "control_change": [1.0, 1.0, 0.0],
            "did": [3.0, 1.0, 6.0],
        }
    )
    s = did_summary(did).set_index(["grouping", "group"])
    assert s.loc[("all", "all partnerships"), "did"] == pytest.approx((3 + 1 + 6) / 3)
    assert s.loc[("type", "cluster"), "did"] == 2.0 and np.isnan(s.loc[("type", "cluster"), "lower"])
    assert s.loc[("all", "all partnerships"), "lower"] <= s.loc[("all", "all partnerships"), "upper"]


def test_size_bands_edges() -> None:
    bands = size_band(pd.Series([74, 75, 149, 150, None], dtype="Int64"))
    assert bands.tolist() == ["under 75", "75 to 149", "75 to 149", "150 and over", None]


def test_targets_are_read_tracked_and_a_bad_row_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "partnership_targets.csv"
    path.write_text(
        "partnership_id,year,measure,target\nP1,2017,headline,60\nP1,2017,read,80\nP1,2019,headline,70\nP1,2018,headline,lots\n",
        encoding="utf-8",
    )
    rejects = Rejects()
    targets = read_targets(path, rejects)
    assert len(targets) == 3 and rejects.table()["line"].tolist() == [5]
    attainment = pd.DataFrame(
        {"unit_id": "P1", "year": [2017, 2017], "measure": ["headline", "read"], "value": [67.5, 75.0], "n_schools": 2}
    )
    t = targets_vs_results(targets, attainment, STANDARDS).set_index(["year", "measure"])
    assert t.loc[(2017, "headline"), "difference"] == 7.5 and t.loc[(2017, "headline"), "status"] == "met"
    assert t.loc[(2017, "read"), "difference"] == -5.0 and t.loc[(2017, "read"), "status"] == "not met"
    assert t.loc[(2019, "headline"), "status"] == "no result yet"


def test_a_repeated_target_stops_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "partnership_targets.csv"
    path.write_text("partnership_id,year,measure,target\nP1,2017,headline,60\nP1,2017,headline,65\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3"):
        read_targets(path, Rejects())


@pytest.mark.slow
def test_demo_partnership_outputs_and_profiles(tmp_path: Path) -> None:
    """The demo data through ingest, measure and the partnership stage; every member school has a profile."""
    from keystage.ingest import ingest
    from keystage.partnership_stage import data_folder_partnerships, run_partnerships
    from keystage.profiles import data_folder_schools, la_school_urns
    from keystage.stages import measure, read_canonical
    from keystage.synth import write_demo

    write_demo(tmp_path / "data", scale="la", seed=2013)
    (tmp_path / "data" / "la" / "partnership_targets.csv").write_text(
        "partnership_id,year,measure,target\nCL01,2025,headline,70\n", encoding="utf-8"
    )
    ingest(tmp_path / "data", tmp_path / "canonical")
    measure(tmp_path / "canonical", tmp_path / "measures", STANDARDS)
    out = run_partnerships(
        tmp_path / "canonical",
        tmp_path / "measures",
        tmp_path / "partnerships",
        STANDARDS,
        tmp_path / "data" / "la" / "partnership_targets.csv",
    )
    assert {"spells", "did_schools", "did_summary", "attainment", "floor_counts", "size_bands", "targets"} <= set(out)
    assert (tmp_path / "partnerships" / "did_summary.parquet").is_file()
    summary = out["did_summary"].set_index(["grouping", "group"])
    assert {"cluster", "federation", "trust"} == set(summary.loc["type"].index)
    assert summary.loc[("all", "all partnerships"), "lower"] < summary.loc[("all", "all partnerships"), "upper"]
    assert out["targets"]["status"].iloc[0] in ("met", "not met")
    canonical = read_canonical(tmp_path / "canonical")
    profiles = la_school_urns(read_canonical(tmp_path / "measures")["units"], canonical.get("lineage"), 701)
    assert data_folder_schools(tmp_path / "data")[701] == profiles
    assert set(out["spells"]["urn"]) & set(profiles) == set(out["did_schools"].dropna(subset=["la_code"])["urn"])
    assert set(data_folder_partnerships(tmp_path / "data")[701]) == set(out["spells"]["partnership_id"])


def test_an_la_without_partnerships_gets_empty_tables_not_an_error() -> None:
    from keystage.partnership_stage import partnership_tables

    r = results([(1, 2019, "eligible", 20), (1, 2019, "headline", 70)])
    measures = {
        "schools": pd.DataFrame({"urn": [1], "la_code": [701], "name": ["A"]}),
        "floor_schools": floor_schools(r, STANDARDS, school_scope(school_years(r), r, STANDARDS)),
    }
    out = partnership_tables({"school_results": r}, measures, STANDARDS)
    assert out["spells"].empty and out["did_summary"].empty and out["attainment"].empty
    assert out["size_bands"].empty  # no GIAS file: size unknown
