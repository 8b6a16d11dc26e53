"""EES downloads of the measures: one LA's units only, small groups shown as "c", levels laid out."""

import pandas as pd

from keystage.downloads import la_units, write_downloads
from keystage.standards import load_standards


def _measures() -> dict[str, pd.DataFrame]:
    units = pd.DataFrame(
        {
            "unit_type": ["la", "la", "school", "school", "la", "la", "school"],
            "unit_id": ["701", "701", "101001", "101002", "702", "701", "101004"],
            "unit_name": ["Wessex", "Wessex", "Ash Primary", "Elm Primary", "Mercia", "Wessex", "Oak Special"],
            "urn": [101001, 101002, 101001, 101002, 102001, 101004, 101004],
        }
    )
    attainment = pd.DataFrame(
        {
            "unit_type": ["la", "school", "school", "la", "la"],
            "unit_id": ["701", "101001", "101002", "702", "701"],
            "year": [2019] * 5,
            "era": ["expected"] * 5,
            "measure": ["headline"] * 4 + ["headline_disadv"],
            "kind": ["pct"] * 5,
            # LA: (30 x 70% + 4 x 50%) / 34 = 23 / 34 = 67.647...%; Elm has 4 pupils, under the minimum of 6
            "value": [23 / 34 * 100, 70.0, 50.0, 60.0, 40.0],
            "denominator": [34.0, 30.0, 4.0, 50.0, 10.0],
            "n_schools": [2, 1, 1, 1, 2],
            "national": [65.0] * 4 + [51.0],
            "diff_national": [23 / 34 * 100 - 65, 5.0, -15.0, -5.0, -11.0],
        }
    )
    empty = {"unit_type": pd.Series(dtype=str), "unit_id": pd.Series(dtype=str), "year": pd.Series(dtype="int64")}
    gap_columns = ("disadv_pct", "other_pct", "gap", "national_gap", "disadv_denominator", "other_denominator")
    gaps = pd.DataFrame({**empty, **{c: pd.Series(dtype=float) for c in gap_columns}})
    schools = pd.DataFrame({"urn": [101001, 101002, 102001, 101003, 101004], "la_code": [701, 701, 702, 701, 701],
                            "la_name": ["Wessex", "Wessex", "Mercia", "Wessex", "Wessex"],
                            "laestab": ["7012001", "7012002", "7022001", "7012003", "7017001"],
                            "region_name": ["South East"] * 5,
                            "new_la_code": ["E06000701", "E06000701", "E06000702", "E06000701", "E06000701"]})
    # DfE suppressed Ash's disadvantaged figure and Oak's every figure (SUPP: Oak has no measured row at all);
    # 101003 is not one of the LA's units
    results = pd.DataFrame({"urn": [101001, 101003, 101004], "year": [2019] * 3,
                            "measure": ["headline_disadv", "headline", "headline"],
                            "value": [float("nan")] * 3, "status": ["SUPP", "SUPP", "SUPP"]})
    return {"units": units, "attainment": attainment, "floor_counts": pd.DataFrame(empty),
            "distribution": pd.DataFrame(empty), "gaps": gaps, "schools": schools, "school_results": results}


def test_la_units_keeps_only_the_las_own_schools():
    units = la_units(_measures()["units"], 701)
    assert sorted(units["urn"].unique()) == [101001, 101002, 101004]


def test_attainment_downloads_use_dfe_names_and_keep_school_rows_apart(tmp_path):
    written = write_downloads(_measures(), load_standards(), 701, tmp_path)
    assert [p.name for p in written] == ["ks2_attainment_la.csv", "ks2_attainment_la.meta.csv",
                                         "ks2_attainment_school.csv", "ks2_attainment_school.meta.csv"]
    la = pd.read_csv(tmp_path / "ks2_attainment_la.csv", dtype=str, keep_default_na=False)
    assert la["geographic_level"].tolist() == ["Local authority", "Local authority", "National", "National"]
    assert la["disadvantage_status"].tolist() == ["Disadvantaged", "Total", "Disadvantaged", "Total"]
    geography = la.loc[1, ["region_code", "new_la_code", "old_la_code", "la_name"]].tolist()
    assert geography == ["E12000008", "E06000701", "701", "Wessex"]
    # one decimal, half up: 67.647 -> 67.6; England's figures as National rows, pupils not given there ("x")
    assert la["pt_rwm_met_expected_standard"].tolist() == ["40.0", "67.6", "51.0", "65.0"]
    assert la["t_rwm_eligible_pupils"].tolist() == ["10", "34", "x", "x"]
    assert la["time_period"].unique().tolist() == ["201819"]
    schools = pd.read_csv(tmp_path / "ks2_attainment_school.csv", dtype=str, keep_default_na=False)
    assert schools["old_la_code"].unique().tolist() == ["701"]  # Mercia (702) is not in Wessex's file
    rows = schools.set_index(["school_urn", "disadvantage_status"])
    # Elm's 4 pupils are under the minimum group: "c"; Ash's disadvantaged figure, SUPP in DfE's file, keeps its row as "c"
    assert rows.loc[("101002", "Total"), "pt_rwm_met_expected_standard"] == "c"
    assert rows.loc[("101001", "Disadvantaged"), "pt_rwm_met_expected_standard"] == "c"
    assert rows.loc[("101001", "Total"), ["pt_rwm_met_expected_standard", "school_laestab"]].tolist() == ["70.0", "7012001"]
    assert rows.loc[("101004", "Total"), ["pt_rwm_met_expected_standard", "t_rwm_eligible_pupils"]].tolist() == ["c", "x"]
    assert sorted(rows.index.get_level_values(0).unique()) == ["101001", "101002", "101004"]
    meta = pd.read_csv(tmp_path / "ks2_attainment_la.meta.csv", dtype=str, keep_default_na=False)
    pt = meta.loc[meta["col_name"] == "pt_rwm_met_expected_standard", ["indicator_unit", "indicator_dp"]]
    assert pt.values.tolist() == [["%", "1"]]


def test_every_download_passes_the_open_data_validator(tmp_path):
    from keystage.eesvalidate import validate_pair

    for path in write_downloads(_measures(), load_standards(), 701, tmp_path):
        if not path.name.endswith(".meta.csv"):
            assert validate_pair(path) == [], path.name


def test_attainment_columns_follow_dfe_names_by_era():
    from keystage.downloads import attainment_column

    assert attainment_column("read_higher", "expected")[3].name == "pt_read_met_higher_standard"
    assert attainment_column("headline_disadv", "expected")[2:4][0] == "Disadvantaged"
    assert attainment_column("writ", "expected")[3].name == "pt_writta_met_expected_standard"
    assert attainment_column("headline", "levels_em")[3].name == "pt_em_level_4_plus"
    assert attainment_column("mat_2lp", "levels_rwm")[3].name == "pt_mat_two_levels_progress"


def test_read_la_measures_reads_only_the_las_rows_and_gives_the_same_files(tmp_path):
    from keystage.downloads import read_la_measures

    tables = _measures()
    tables["attainment"] = tables["attainment"].assign(la_code=[701, 701, 701, 702, 701])
    results = tables.pop("school_results")
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    (tmp_path / "canonical").mkdir()
    results.to_parquet(tmp_path / "canonical" / "school_results.parquet", index=False)
    read = read_la_measures(tmp_path, 701, tmp_path / "canonical")
    tables["school_results"] = results
    assert read["attainment"]["unit_id"].tolist() == ["701", "101001", "101002", "701"]
    assert sorted(read["units"]["urn"].unique()) == [101001, 101002, 101004]
    assert read["schools"]["la_name"].unique().tolist() == ["Wessex"]
    write_downloads(read, load_standards(), 701, tmp_path / "from-disk")
    write_downloads(tables, load_standards(), 701, tmp_path / "in-memory")
    for name in ("ks2_attainment_la.csv", "ks2_attainment_school.csv"):
        assert (tmp_path / "from-disk" / name).read_bytes() == (tmp_path / "in-memory" / name).read_bytes()


def test_read_la_measures_names_a_missing_table(tmp_path):
    import pytest

    from keystage.downloads import read_la_measures
    from keystage.errors import InputError

    with pytest.raises(InputError, match="units.parquet"):
        read_la_measures(tmp_path, 701)
