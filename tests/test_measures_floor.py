"""Floor standard per school and year, by each year's rule, and counts per unit (Table 3)."""

import pytest
from test_measures_fixtures import results, schools

from keystage.measures.floor import floor_counts, floor_schools
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()
UNITS = build_units(schools(*[(u, 850, f"S{u}") for u in range(1, 7)]))
RESULTS = results({
    # 2009: 55% L4+ E&M, attainment alone
    (1, 2009): {"eligible": 20, "headline": 50}, (2, 2009): {"eligible": 20, "headline": 55},
    # 2011: 60%, and below the national median 2LP (92% English, 90% maths) in BOTH subjects
    (1, 2011): {"eligible": 20, "headline": 50, "eng_2lp": 95, "mat_2lp": 80},    # 95 >= 92: lifted
    (2, 2011): {"eligible": 20, "headline": 55, "eng_2lp": 85, "mat_2lp": 88},    # both below: below floor
    (3, 2011): {"eligible": 20, "headline": 58, "eng_2lp": 85, "mat_2lp": None},  # maths unknown: not available
    (4, 2011): {"eligible": 20, "headline": 70},                                   # above
    (5, 2011): {"eligible": 8, "headline": 40},                                    # 8 < 11 pupils: excluded
    (6, 2011): {"eligible": 20, "headline": 60, "eng_2lp": 50, "mat_2lp": 50},    # 60 is not below 60: above
    # 2017: 65%, and fails when below -5 reading OR -7 writing OR -5 maths
    (1, 2017): {"eligible": 20, "headline": 50, "read_prog": -6, "writ_prog": 0, "mat_prog": 0},
    (2, 2017): {"eligible": 20, "headline": 50, "read_prog": -5, "writ_prog": -7, "mat_prog": 0},  # on the cut-offs: passes
    (3, 2017): {"eligible": 20, "headline": 50, "read_prog": 1, "writ_prog": None, "mat_prog": 1},
    (4, 2017): {"eligible": 20, "headline": None},                                 # suppressed: no result
    # 2024: the LA's own 65%; no progress scores exist
    (1, 2024): {"eligible": 20, "headline": 50}, (2, 2024): {"eligible": 20, "headline": 70},
})  # fmt: skip


@pytest.fixture(scope="module")
def status():
    f = floor_schools(RESULTS, STD)
    return f, f.set_index(["urn", "year"])["status"].to_dict()


def test_attainment_alone_in_2009(status):
    _, s = status
    assert s[(1, 2009)] == "below floor" and s[(2, 2009)] == "above"


def test_levels_era_two_levels_of_progress(status):
    f, s = status
    assert s[(1, 2011)] == "lifted by progress" and s[(2, 2011)] == "below floor" and s[(3, 2011)] == "not available"
    assert s[(4, 2011)] == "above" and s[(5, 2011)] == "excluded" and s[(6, 2011)] == "above"
    row = f.set_index(["urn", "year"]).loc[(1, 2011)]
    assert row["threshold"] == 60 and bool(row["below_attainment"]) and row["progress_test"] == "pass"


def test_expected_era_progress_scores(status):
    _, s = status
    assert s[(1, 2017)] == "below floor" and s[(2, 2017)] == "lifted by progress" and s[(3, 2017)] == "not available"
    assert s[(4, 2017)] == "no result"


def test_no_progress_test_in_2024_is_not_available_never_a_guess(status):
    f, s = status
    assert s[(1, 2024)] == "not available" and s[(2, 2024)] == "above"
    assert (f.loc[f["year"] == 2024, "rule_source"] == "LA's own rule, not the government's").all()


def test_counts_per_unit_like_table_3(status):
    f, _ = status
    c = floor_counts(f, UNITS).set_index(["unit_type", "unit_id", "year"]).loc[("la", "850", 2011)]
    assert c["heading"] == "2011 (60%)"
    # assessed: schools 1, 2, 3, 4, 6; excluded: 5; below on attainment: 1, 2, 3
    assert (c["n_assessed"], c["n_excluded"], c["n_below_attainment"]) == (5, 1, 3)
    assert (c["n_lifted"], c["n_below_floor"], c["n_not_available"]) == (1, 1, 1)
    c17 = floor_counts(f, UNITS).set_index(["unit_type", "unit_id", "year"]).loc[("la", "850", 2017)]
    assert c17["n_assessed"] == 3 and c17["heading"] == "2017 (65%)"  # school 4 had no result
