"""The measure stage's units and school list are keyed as its measure tables are: by series URN."""

from __future__ import annotations

import pandas as pd
import pytest
from test_measures_fixtures import results, school_years

from keystage.downloads import write_downloads
from keystage.ingest import write_tables
from keystage.stages import measure
from keystage.standards import load_standards

# URN 100 (maintained) has KS2 results for 2018 and 2019, then converts: its academy, URN 200, opened after the
# 2019 tests, so no KS2 file names it; URN 7 is an unrelated school.
LINEAGE = pd.DataFrame({"urn": [100, 7], "series_urn": [200, 7], "chain": ["100 > 200", "7"], "issue": ["", ""]})


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The fixture's canonical tables written and measured by the measure stage."""
    root = tmp_path_factory.mktemp("stages")
    r = results({(100, 2018): {"eligible": 30, "headline": 60}, (100, 2019): {"eligible": 20, "headline": 70},
                 (7, 2019): {"eligible": 40, "headline": 50}})  # fmt: skip
    tables = {"school_results": r, "school_years": school_years(r), "lineage": LINEAGE,
              "districts": pd.DataFrame({"urn": [100, 7], "district": ["North", "South"]})}  # fmt: skip
    write_tables(tables, root / "canonical")
    return measure(root / "canonical", root / "measures")


def test_a_school_converted_after_its_last_results_is_a_unit_under_its_academy_urn(measured):
    out = measured
    members = out["units"].groupby(["unit_type", "unit_id"])["urn"].apply(sorted).to_dict()
    assert members == {("district", "North"): [200], ("district", "South"): [7], ("la", "850"): [7, 200],
                       ("school", "200"): [200], ("school", "7"): [7]}  # fmt: skip
    units = out["units"].set_index(["unit_type", "unit_id"])["unit_name"]
    assert units[("school", "200")] == "S100"  # the name of its last KS2 row
    # every URN a school is known by, with its series: URN 100 (its pupils' KS2 URN in cohort files) and URN 200
    listed = out["schools"].set_index("urn")[["series_urn", "name", "laestab"]]
    assert listed.to_dict("index") == {7: {"series_urn": 7, "name": "S7", "laestab": "8502007"},  # 850 * 10000 + ESTAB
                                       100: {"series_urn": 200, "name": "S100", "laestab": "8502100"},
                                       200: {"series_urn": 200, "name": "S100", "laestab": "8502100"}}  # fmt: skip


def test_every_school_with_measures_has_a_unit(measured):
    out = measured
    schools = set(out["units"].loc[out["units"]["unit_type"] == "school", "unit_id"])
    for name, table in out.items():
        if name == "schools":  # every URN a school is known by, each with its series_urn
            assert set(table["series_urn"].astype(str)) == schools
        elif "unit_type" in table:
            assert set(table.loc[table["unit_type"] == "school", "unit_id"]) <= schools, name
        if "urn" in table and name != "schools":
            assert set(table["urn"].astype(str)) <= schools, name


def test_the_school_level_csv_lists_the_converted_school(measured, tmp_path):
    written = write_downloads(measured, load_standards(), 850, tmp_path)
    csv = pd.read_csv(next(p for p in written if p.name == "ks2_attainment_school.csv"), dtype=str)
    total = csv[csv["disadvantage_status"] == "Total"].sort_values(["school_urn", "time_period"])
    # URN 200's rows are URN 100's results: 60% of 30 pupils in 2018, 70% of 20 in 2019
    assert total[["time_period", "school_urn", "school_name", "pt_rwm_met_expected_standard"]].values.tolist() == [
        ["201718", "200", "S100", "60.0"], ["201819", "200", "S100", "70.0"], ["201819", "7", "S7", "50.0"]]  # fmt: skip
