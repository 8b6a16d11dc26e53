"""EES downloads of the measures: one LA's units only, small groups shown as "c", levels laid out."""

import pandas as pd

from keystage.downloads import la_units, write_downloads
from keystage.standards import load_standards


def _measures() -> dict[str, pd.DataFrame]:
    units = pd.DataFrame(
        {
            "unit_type": ["la", "la", "school", "school", "la"],
            "unit_id": ["701", "701", "1001", "1002", "702"],
            "unit_name": ["Wessex", "Wessex", "Ash Primary", "Elm Primary", "Mercia"],
            "urn": [1001, 1002, 1001, 1002, 2001],
        }
    )
    attainment = pd.DataFrame(
        {
            "unit_type": ["la", "school", "school", "la"],
            "unit_id": ["701", "1001", "1002", "702"],
            "year": [2019, 2019, 2019, 2019],
            "measure": ["headline"] * 4,
            "kind": ["pct"] * 4,
            # LA: (30 x 70% + 4 x 50%) / 34 = 23 / 34 = 67.647...%; Elm has 4 pupils, under the minimum of 6
            "value": [23 / 34 * 100, 70.0, 50.0, 60.0],
            "denominator": [34.0, 30.0, 4.0, 50.0],
            "n_schools": [2, 1, 1, 1],
            "national": [65.0] * 4,
            "diff_national": [23 / 34 * 100 - 65, 5.0, -15.0, -5.0],
        }
    )
    empty = {"unit_type": pd.Series(dtype=str), "unit_id": pd.Series(dtype=str), "year": pd.Series(dtype="int64")}
    gap_columns = ("disadv_pct", "other_pct", "gap", "national_gap", "disadv_denominator", "other_denominator")
    gaps = pd.DataFrame({**empty, **{c: pd.Series(dtype=float) for c in gap_columns}})
    return {"units": units, "attainment": attainment, "floor_counts": pd.DataFrame(empty),
            "distribution": pd.DataFrame(empty), "gaps": gaps}


def test_la_units_keeps_only_the_las_own_schools():
    units = la_units(_measures()["units"], 701)
    assert sorted(units["urn"].unique()) == [1001, 1002]


def test_attainment_download_suppresses_small_groups(tmp_path):
    written = write_downloads(_measures(), load_standards(), 701, "Wessex", tmp_path)
    assert [p.name for p in written] == ["attainment.csv", "attainment.meta.csv"]
    data = pd.read_csv(tmp_path / "attainment.csv", dtype=str, keep_default_na=False)
    assert data["geographic_level"].tolist() == ["Local authority", "School", "School"]
    assert data["old_la_code"].unique().tolist() == ["701"]  # Mercia (702) is not in Wessex's file
    # one decimal, half up: 67.647 -> 67.6; Elm's 4 pupils are under the minimum group: "c"
    assert data["value"].tolist() == ["67.6", "70.0", "c"]
    assert data.loc[data["school_urn"] == "1002", "value"].item() == "c"
    assert data.loc[0, "time_period"] == "201819"


def test_read_la_measures_reads_only_the_las_rows_and_gives_the_same_files(tmp_path):
    from keystage.downloads import read_la_measures

    tables = _measures()
    tables["attainment"] = tables["attainment"].assign(la_code=[701, 701, 701, 702])
    tables["schools"] = pd.DataFrame({"urn": [1001, 1002, 2001], "la_code": [701, 701, 702],
                                      "la_name": ["Wessex", "Wessex", "Mercia"]})
    for name, frame in tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    read = read_la_measures(tmp_path, 701)
    assert read["attainment"]["unit_id"].tolist() == ["701", "1001", "1002"]
    assert sorted(read["units"]["urn"].unique()) == [1001, 1002] and read["schools"]["la_name"].unique().tolist() == ["Wessex"]
    write_downloads(read, load_standards(), 701, "Wessex", tmp_path / "from-disk")
    write_downloads(tables, load_standards(), 701, "Wessex", tmp_path / "in-memory")
    assert (tmp_path / "from-disk" / "attainment.csv").read_bytes() == (tmp_path / "in-memory" / "attainment.csv").read_bytes()


def test_read_la_measures_names_a_missing_table(tmp_path):
    import pytest

    from keystage.downloads import read_la_measures
    from keystage.errors import InputError

    with pytest.raises(InputError, match="units.parquet"):
        read_la_measures(tmp_path, 701)
