"""LAIT, EES and statistical-neighbour readers: real files load whole, and bad cells land in rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from keystage.errors import InputError, Rejects
from keystage.io.ees import read_ees
from keystage.io.lait import read_lait
from keystage.io.neighbours import BELOW_TABLE, read_la_codes, read_stat_neighbours

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def lait(dfe: Path) -> tuple:
    rejects = Rejects()
    return read_lait(dfe / "lait" / "lait_ks2.csv", rejects), rejects.table()


def _series(frame, code: str, measure: str) -> dict[int, float]:
    rows = frame[(frame["area_code"] == code) & (frame["measure"] == measure)]
    return dict(zip(rows["year"], rows["value"], strict=True))


@pytest.mark.realdata
def test_real_lait_loads_whole(lait) -> None:
    frame, rejects = lait
    # 17 mapped indicators (3 of them average scaled scores) published for 170 areas x 10 years, 3 progress
    # indicators for 170 x 8 years
    assert len(frame) == 17 * 170 * 10 + 3 * 170 * 8
    # per area: 17 x 10 + 3 x 8 = 194 rows; 158 LAs, 11 regional rows (980 to 990), England (970)
    assert frame["area_level"].value_counts().to_dict() == {"la": 158 * 194, "region": 11 * 194, "national": 194}
    # 68 Short Descs in the file, 20 mapped: one "indicator not used" entry for each of the other 48
    assert len(rejects) == 68 - 20
    assert set(rejects["reason"]) == {"indicator not used"}
    assert "KS2_NEW_White_RWM" in set(rejects["value"])


@pytest.mark.realdata
def test_real_lait_values(lait) -> None:
    frame, _ = lait
    hampshire = _series(frame, "850", "headline")
    assert [hampshire[year] for year in (2016, 2017, 2018, 2019)] == [59, 66, 68, 68]
    assert _series(frame, "970", "headline")[2017] == 62
    # "-7.0000000000000007E-2" in the file is -0.07
    assert _series(frame, "850", "writ_prog")[2019] == pytest.approx(-0.07)
    covid = frame[(frame["area_code"] == "850") & (frame["measure"] == "headline") & frame["year"].isin([2020, 2021])]
    assert covid["status"].tolist() == ["x", "x"] and covid["value"].isna().all()
    hants = frame[frame["area_code"] == "850"].iloc[0]
    assert (hants["area_level"], hants["area_name"], hants["region"]) == ("la", "Hampshire", "South East")
    south_east = frame[frame["area_code"] == "989"].iloc[0]
    assert (south_east["area_level"], south_east["area_name"]) == ("region", "South East")
    # LAIT's "Outer London" is named as its region row, "London (Outer)"
    assert frame.loc[frame["area_code"] == "302", "region"].iloc[0] == "London (Outer)"


def test_lait_text_value_is_rejected_and_kept_as_invalid() -> None:
    rejects = Rejects()
    frame = read_lait(FIXTURES / "bad" / "lait_text_value.csv", rejects)
    assert frame["status"].tolist() == ["invalid", ""]
    assert frame["value"].isna().tolist() == [True, False] and frame["value"].iloc[1] == 65
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [2, "VALUES", "sixty", "expected a number or -"]
    ]


def test_lait_missing_column_stops(tmp_path: Path) -> None:
    path = tmp_path / "lait.csv"
    path.write_text("Short Desc,Years,LA and Regions,Values,Region\nPriFSM,2016,Barnet,16.9,Outer London\n")
    with pytest.raises(
        InputError, match=r"lait.csv, line 1, column LA Number: required column LA Number is missing from the header"
    ):
        read_lait(path, Rejects())


def test_ees_sample() -> None:
    rejects = Rejects()
    frame = read_ees(FIXTURES / "ees_ks2_sample.csv", rejects)
    key = frame.set_index(["area_code", "year", "measure"])
    assert key.loc[("850", 2019, "headline"), "value"] == 68
    assert key.loc[("E92000001", 2018, "headline"), "value"] == 65  # time_period 201718 = May 2018 tests
    assert key.loc[("E12000008", 2019, "read_prog"), "value"] == -0.01
    assert key.loc[("921", 2019, "read_prog"), "status"] == "c"
    # breakdown rows: Disadvantaged and "Disadvantaged all other" give the gap's two sides, 73 - 49 = 24 pp
    assert key.loc[("850", 2019, "headline_other"), "value"] - key.loc[("850", 2019, "headline_disadv"), "value"] == 24
    assert key.loc[("850", 2019, "headline"), "region"] == "South East"
    # England 2018 and 2019, South East, Hampshire, Isle of Wight: 5 all-pupil rows x 4 indicators, + 2 group rows
    assert len(frame) == 5 * 4 + 2
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [[9, "GENDER", "Boys", "breakdown not used"]]


def test_ees_symbols_levels_and_bad_period(tmp_path: Path) -> None:
    header = (
        "time_period,time_identifier,geographic_level,country_code,region_code,region_name,"
        "old_la_code,new_la_code,la_name,pt_rwm_met_expected_standard"
    )
    path = tmp_path / "ees.csv"
    path.write_text(
        header
        + "\n2019,Calendar year,Local authority,E92000001,E12000008,South East,850,E10000014,Hampshire,low"
        + "\n2019,Calendar year,Local authority district,E92000001,E12000008,South East,850,E07000085,East Hampshire,60"
        + "\n2019/20,Academic year,National,E92000001,,,,,,65"
        + "\n201819,Academic year,National,E92000001,,,,,,n/a\n"
    )
    rejects = Rejects()
    frame = read_ees(path, rejects)
    assert frame[["area_code", "year", "status"]].values.tolist() == [["850", 2019, "low"], ["E92000001", 2019, "invalid"]]
    assert frame["area_name"].tolist() == ["Hampshire", "England"]
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [3, "GEOGRAPHIC_LEVEL", "Local authority district", "geographic level not used"],
        [4, "TIME_PERIOD", "2019/20", "expected a time period such as 201819 or 2019"],
        [5, "PT_RWM_MET_EXPECTED_STANDARD", "n/a", "expected a number or c, x, z, low"],
    ]


@pytest.mark.realdata
def test_hampshire_statistical_neighbours(dfe: Path) -> None:
    rejects = Rejects()
    frame = read_stat_neighbours(dfe / "lait" / "statistical_neighbours_2025.xlsx", rejects)
    hampshire = frame[frame["la_code"] == 850].sort_values("rank")
    # row 53 of the workbook: West Sussex is 938, Isle of Wight is not a neighbour
    assert hampshire["neighbour_code"].tolist() == [865, 802, 916, 938, 869, 867, 803, 937, 931, 855]
    assert hampshire["rank"].tolist() == list(range(1, 11))
    # 153 LAs in the main table (the "Old SNs" block below it is not read), ten neighbours each
    assert frame["la_code"].nunique() == 153 and len(frame) == 153 * 10
    # rows 160-164, under "Old SNs:": Dorset, Poole and Bournemouth before 2019, Northamptonshire, Cumbria
    old = rejects.table()
    assert old[["line", "column", "value"]].values.tolist() == [
        [160, "LA num", "835"], [161, "LA num", "836"], [162, "LA num", "837"], [163, "LA num", "928"], [164, "LA num", "909"]]
    assert set(old["reason"]) == {BELOW_TABLE}


@pytest.mark.realdata
def test_la_codes(dfe: Path) -> None:
    frame = read_la_codes(dfe / "meta" / "la_and_region_codes.csv")
    assert len(frame) == 152
    row = frame[frame["la_code"] == 839].iloc[0]
    assert (row["la_name"], row["region_code"], row["region_name"]) == ("Bournemouth, Christchurch and Poole", 43, "South West A")


def test_la_codes_text_code_stops(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("LEA,LA Name,REGION,REGION NAME\n850,Hampshire,37,South East B\nHCC,Hampshire,37,South East B\n")
    with pytest.raises(InputError, match=r"line 3, column LEA: value 'HCC' is not a code; expected a whole number"):
        read_la_codes(path)
