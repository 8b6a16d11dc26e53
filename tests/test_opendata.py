"""EES open data files: mandatory columns, academic-year codes, GSS symbols and the meta file."""

import pandas as pd

from keystage.opendata import Indicator, ees_frame, ees_meta, la_geography, school_identities, snake, time_periods, write_ees


def test_time_period_is_the_academic_year_code():
    assert time_periods(pd.Series([2019, 2000, 2009])).tolist() == ["201819", "199900", "200809"]


def test_ees_frame_has_mandatory_columns_and_symbols(tmp_path):
    frame = pd.DataFrame(
        {"year": [2019, 2018], "urn": [111, 111], "name": ["Ash Primary", "Ash Primary"], "pt_rwm": [66.65, None],
         "subject": ["rwm", "rwm"]}
    )
    status = pd.DataFrame({"pt_rwm": ["", "c"]}, index=frame.index)
    out = ees_frame(
        frame,
        "School",
        {"region_code": "E12000008", "region_name": "South East", "old_la_code": "701", "new_la_code": "E06000701",
         "la_name": "Wessex", "school_urn": "urn", "school_laestab": "7012000", "school_name": "name"},
        ["subject"],
        [Indicator("pt_rwm", "% meeting the expected standard in RWM", "%", 1)],
        status,
    )
    assert list(out.columns) == [
        "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
        "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "school_urn", "school_laestab",
        "school_name", "subject", "pt_rwm",
    ]
    # sorted by time period: 2018 (suppressed, shown "c") first, then 2019 with one decimal
    assert out["time_period"].tolist() == ["201718", "201819"]
    assert out["pt_rwm"].tolist() == ["c", "66.7"]  # 66.65 rounds half up to 66.7
    assert out["school_urn"].tolist() == ["111", "111"]
    meta = ees_meta({"subject": "Subject"}, [Indicator("pt_rwm", "% meeting the expected standard in RWM", "%", 1)])
    data_path, meta_path = write_ees(out, meta, tmp_path / "attainment")
    assert data_path.name == "attainment.csv" and meta_path.name == "attainment.meta.csv"
    assert meta_path.read_text().splitlines()[2] == "pt_rwm,Indicator,% meeting the expected standard in RWM,,%,1,,,"


def test_names_become_snake_case_and_minus_zero_is_a_real_zero():
    assert [snake(n) for n in ["band_0 to 5", "band_more than 5", "% KS2", "10 or more"]] == [
        "band_0_to_5", "band_more_than_5", "pct_ks2", "n_10_or_more"]
    frame = pd.DataFrame({"year": [2019], "change": [-0.04]})
    out = ees_frame(frame, "National", {}, [], [Indicator("change", "Change", "pp", 1)])
    assert out["change"].tolist() == ["0.0"]  # -0.04 rounds to 0.0, shown as the 0 it is, never "x"


def test_la_geography_takes_the_gias_region_and_gss_code_of_the_las_schools():
    schools = pd.DataFrame({"urn": [1, 2, 3, 4], "la_code": [850, 850, 850, 851], "estab": [2001, 2002, None, 2001],
                            "la_name": ["Hampshire"] * 3 + ["Portsmouth"]})
    gias = pd.DataFrame({"la_code": [850, 850, 850, 851], "region": ["South East", "South East", "", "South East"],
                         "gss_la_code": ["E10000014", "", "E10000014", "E06000044"]})
    named = school_identities(schools, gias)
    assert named["laestab"].tolist() == ["8502001", "8502002", "", "8512001"]  # 850 x 10000 + 2001
    assert la_geography(named, 850) == {"region_code": "E12000008", "region_name": "South East", "old_la_code": "850",
                                        "new_la_code": "E10000014", "la_name": "Hampshire"}
    assert la_geography(named, 851)["new_la_code"] == "E06000044"


def test_report_table_columns_take_dfe_names_where_dfe_publishes_the_indicator():
    from keystage.present.show import dfe_column

    assert dfe_column("headline", "expected", True) == "pt_rwm_met_expected_standard"
    assert dfe_column("headline_national", "expected", True) == "pt_rwm_met_expected_standard_national"
    assert dfe_column("read_higher", "expected", False) == "pt_read_met_higher_standard"
    assert dfe_column("pupils", "expected", True) == "t_rwm_eligible_pupils"
    assert dfe_column("pupils", "expected", False) == "pupils"  # a subject table's pupils are that subject's
    assert dfe_column("headline", "levels_em", True) == "pt_em_level_4_plus"
    assert dfe_column("band_0 to 5", "expected", False) == "band_0_to_5"  # no DfE name: its own, in snake_case


def test_meta_labels_are_unique_naming_the_column_where_two_would_share_one():
    meta = ees_meta({}, [Indicator("ks2_pct_a", "% KS2 expected"), Indicator("ks2_pct_b", "% KS2 expected"),
                         Indicator("ks4_pct_a", "% KS4 grade 4")])
    assert meta["label"].tolist() == ["% KS2 expected (ks2_pct_a)", "% KS2 expected (ks2_pct_b)", "% KS4 grade 4"]
