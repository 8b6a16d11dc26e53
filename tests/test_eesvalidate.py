"""The EES open data validator: each rule fails on a small bad file and passes on the good one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from keystage.eesvalidate import check_folder, check_pair, validate_frames, validate_pair
from keystage.errors import InputError

LA = ["E12000008", "South East", "850", "E10000014", "Hampshire"]
GOOD_DATA = pd.DataFrame(
    [
        ["201819", "Academic year", "Local authority", "E92000001", "England", *LA, "Total", "14463", "68.0"],
        ["201819", "Academic year", "Local authority", "E92000001", "England", *LA, "Girls", "7102", "c"],
        ["201718", "Academic year", "Local authority", "E92000001", "England", *LA, "Total", "14432", "0.0"],
        ["201718", "Academic year", "Local authority", "E92000001", "England", *LA, "Girls", "7050", "x"],
    ],
    columns=["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
             "region_name", "old_la_code", "new_la_code", "la_name", "gender", "t_rwm_eligible_pupils",
             "pt_rwm_met_expected_standard"],
)
GOOD_META = pd.DataFrame(
    [
        ["gender", "Filter", "Gender", "", "", "", "", "", ""],
        ["t_rwm_eligible_pupils", "Indicator", "Eligible pupils", "", "", "0", "", "", ""],
        ["pt_rwm_met_expected_standard", "Indicator", "% meeting the expected standard in RWM", "", "%", "1", "", "", ""],
    ],
    columns=["col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp", "filter_hint",
             "filter_grouping_column", "filter_default"],
)
SCHOOL = ["201819", "Academic year", "School", "E92000001", "England", *LA]


def rules(data: pd.DataFrame, meta: pd.DataFrame) -> set[str]:
    """The names of the rules a data/meta pair breaks."""
    return {p.rule for p in validate_frames(data, meta, "d.csv", "d.meta.csv")}


def test_the_good_pair_passes():
    assert validate_frames(GOOD_DATA, GOOD_META, "d.csv", "d.meta.csv") == []


def _set(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    out = frame.copy()
    out.loc[row, column] = value
    return out


def _school_rows(urn: str, laestab: str) -> pd.DataFrame:
    rows = pd.DataFrame([[*SCHOOL, urn, laestab, "Ash Primary", g, "30", "70.0"] for g in ("Total", "Girls")],
                        columns=[*GOOD_DATA.columns[:10], "school_urn", "school_laestab", "school_name",
                                 *GOOD_DATA.columns[10:]])
    return rows


BREAKS: dict[str, tuple[str, Callable[[], tuple[pd.DataFrame, pd.DataFrame]]]] = {
    "missing time column": ("required columns", lambda: (GOOD_DATA.drop(columns="time_identifier"), GOOD_META)),
    "missing meta column": ("metadata columns", lambda: (GOOD_DATA, GOOD_META.drop(columns="filter_hint"))),
    "unknown meta column": ("metadata columns", lambda: (GOOD_DATA, GOOD_META.assign(notes=""))),
    "space in a name": ("snake_case", lambda: (GOOD_DATA.rename(columns={"gender": "pupil gender"}),
                                               _set(GOOD_META, 0, "col_name", "pupil gender"))),
    "column without meta": ("metadata matches data", lambda: (GOOD_DATA.assign(extra="1"), GOOD_META)),
    "meta without column": ("metadata matches data", lambda: (GOOD_DATA.drop(columns="t_rwm_eligible_pupils"), GOOD_META)),
    "geography in meta": ("metadata matches data",
                          lambda: (GOOD_DATA, pd.concat([GOOD_META, GOOD_META.iloc[[0]].assign(col_name="la_name")],
                                                        ignore_index=True))),
    "new_la_code missing": ("geography columns", lambda: (GOOD_DATA.drop(columns="new_la_code"), GOOD_META)),
    "region_name without region_code": ("geography columns", lambda: (GOOD_DATA.drop(columns="region_code"), GOOD_META)),
    "bad col_type": ("metadata values", lambda: (GOOD_DATA, _set(GOOD_META, 0, "col_type", "filter"))),
    "blank label": ("metadata values", lambda: (GOOD_DATA, _set(GOOD_META, 1, "label", ""))),
    "filter with a unit": ("metadata values", lambda: (GOOD_DATA, _set(GOOD_META, 0, "indicator_unit", "%"))),
    "unknown unit": ("indicator unit", lambda: (GOOD_DATA, _set(GOOD_META, 2, "indicator_unit", "percent"))),
    "no decimal places": ("indicator decimal places", lambda: (GOOD_DATA, _set(GOOD_META, 2, "indicator_dp", ""))),
    "unknown time identifier": ("time identifier", lambda: (_set(GOOD_DATA, 0, "time_identifier", "School year"), GOOD_META)),
    "time period not consecutive years": ("time period", lambda: (_set(GOOD_DATA, 0, "time_period", "201820"), GOOD_META)),
    "not England": ("country", lambda: (_set(GOOD_DATA, 0, "country_code", "E92000002"), GOOD_META)),
    "unknown level": ("geographic level", lambda: (_set(GOOD_DATA, 0, "geographic_level", "County"), GOOD_META)),
    "new_la_code blank": ("geography filled", lambda: (_set(GOOD_DATA, 0, "new_la_code", ""), GOOD_META)),
    "region name blank": ("geography filled", lambda: (_set(GOOD_DATA, 1, "region_name", ""), GOOD_META)),
    "LA code malformed": ("geography codes", lambda: (_set(GOOD_DATA, 0, "new_la_code", "850"), GOOD_META)),
    "region code of another region": ("geography codes", lambda: (_set(GOOD_DATA, 0, "region_code", "E12000009"), GOOD_META)),
    "school rows with LA rows": ("levels apart", lambda: (pd.concat([GOOD_DATA, _school_rows("116000", "8502000")])
                                                          .fillna("").reset_index(drop=True), GOOD_META)),
    "school without laestab": ("geography filled", lambda: (_school_rows("116000", ""), GOOD_META)),
    "laestab of another LA": ("geography codes", lambda: (_school_rows("116000", "8512000"), GOOD_META)),
    "repeated label": ("metadata values", lambda: (GOOD_DATA, _set(GOOD_META, 2, "label", "Eligible pupils"))),
    "planning areas only": ("levels the table tool shows",
                            lambda: (GOOD_DATA.assign(geographic_level="Planning area", planning_area_code="850-hart",
                                                      planning_area_name="Hart"), GOOD_META)),
    "blank filter item": ("filter items", lambda: (_set(GOOD_DATA, 1, "gender", ""), GOOD_META)),
    "single-item filter": ("filter items", lambda: (GOOD_DATA.assign(gender="Total"), GOOD_META)),
    "filter without Total": ("filter total", lambda: (GOOD_DATA.replace({"gender": {"Total": "All pupils"}}), GOOD_META)),
    "blank indicator": ("indicator values", lambda: (_set(GOOD_DATA, 0, "pt_rwm_met_expected_standard", ""), GOOD_META)),
    "legacy symbol": ("indicator values", lambda: (_set(GOOD_DATA, 0, "pt_rwm_met_expected_standard", ":"), GOOD_META)),
    "number with a percent sign": ("indicator values",
                                   lambda: (_set(GOOD_DATA, 0, "pt_rwm_met_expected_standard", "68%"), GOOD_META)),
    "duplicate row": ("duplicate rows", lambda: (pd.concat([GOOD_DATA, GOOD_DATA.iloc[[0]]], ignore_index=True), GOOD_META)),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_rule_fails_on_a_bad_file(case):
    rule, make = BREAKS[case]
    assert rule in rules(*make())


def test_a_school_file_passes_and_a_named_default_stands_for_total():
    school = _school_rows("116000", "8502000")
    assert rules(school, GOOD_META) == set()
    renamed = GOOD_DATA.replace({"gender": {"Total": "All pupils"}})
    assert rules(renamed, GOOD_META.assign(filter_default=["All pupils", "", ""])) == set()


def _write(folder: Path, stem: str, data: pd.DataFrame, meta: pd.DataFrame | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data.to_csv(folder / f"{stem}.csv", index=False)
    if meta is not None:
        meta.to_csv(folder / f"{stem}.meta.csv", index=False)
    return folder / f"{stem}.csv"


def test_files_on_disk_need_their_meta_file_and_plain_names(tmp_path):
    good = _write(tmp_path / "ok", "attainment_la", GOOD_DATA, GOOD_META)
    assert validate_pair(good) == []
    assert [p.rule for p in validate_pair(_write(tmp_path / "nometa", "attainment_la", GOOD_DATA, None))] == ["metadata file"]
    assert "file name" in {p.rule for p in validate_pair(_write(tmp_path / "name", "attainment (LA)", GOOD_DATA, GOOD_META))}
    bom = _write(tmp_path / "bom", "attainment_la", GOOD_DATA, GOOD_META)
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    with pytest.raises(InputError, match="byte-order mark"):
        validate_pair(bom)


def test_check_names_file_line_and_column_and_skips_ancillary_files(tmp_path):
    _write(tmp_path, "attainment_la", _set(GOOD_DATA, 2, "new_la_code", ""), GOOD_META)
    with pytest.raises(InputError, match=r"attainment_la\.csv, line 4, column new_la_code: filled for a Local authority row"):
        check_pair(tmp_path / "attainment_la.csv")
    (tmp_path / "attainment_la.csv").unlink()
    _write(tmp_path, "ancillary-provenance", pd.DataFrame({"file": ["a.csv"]}), None)
    _write(tmp_path / "la", "gaps", GOOD_DATA, GOOD_META)
    assert check_folder(tmp_path) == 1  # the ancillary file is not screened; the one EES file passes
