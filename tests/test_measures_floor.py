"""Floor standard per school and year, by each year's rule, on DfE's in-scope set, and counts per unit (Table 3)."""

import pandas as pd
import pytest
from test_measures_fixtures import by_key, results, school_years, schools

from keystage.measures.floor import floor_counts, floor_schools
from keystage.measures.scope import school_scope
from keystage.standards import load_standards
from keystage.units import apply_lineage, build_units

STD = load_standards()
UNITS = build_units(schools(*[(u, 850, f"S{u}") for u in range(1, 10)]))
RESULTS = results({
    # 2009: 55% L4+ E&M, attainment alone
    (1, 2009): {"eligible": 20, "headline": 50}, (2, 2009): {"eligible": 20, "headline": 55},
    # 2011: 60%, and below the national median 2LP (87% English, 86% maths) in BOTH subjects
    (1, 2011): {"eligible": 20, "headline": 50, "eng_2lp": 88, "mat_2lp": 80},    # 88 >= 87: lifted
    (2, 2011): {"eligible": 20, "headline": 55, "eng_2lp": 85, "mat_2lp": 85},    # 85 < 87 and 85 < 86: below floor
    (3, 2011): {"eligible": 20, "headline": 58, "eng_2lp": 85, "mat_2lp": None},  # maths unknown: not available
    (4, 2011): {"eligible": 20, "headline": 70},                                   # above
    (5, 2011): {"eligible": 10, "headline": 40},                                   # 10 < 11 pupils: excluded
    (6, 2011): {"eligible": 20, "headline": 60, "eng_2lp": 50, "mat_2lp": 50},    # 60 is not below 60: above
    (7, 2011): {"eligible": 20, "headline": 30, "eng_2lp": 50, "mat_2lp": 50},    # special school: no floor
    # 2012: 60%, medians 92% English, 90% maths
    (1, 2012): {"eligible": 20, "headline": 55, "eng_2lp": 91, "mat_2lp": 89},    # 91 < 92, 89 < 90: below floor
    (2, 2012): {"eligible": 20, "headline": 55, "eng_2lp": 92, "mat_2lp": 80},    # 92 = median: lifted
    # 2013: 60% L4+ RWM, medians 91 reading, 95 writing, 92 maths, below in all three to fail
    (1, 2013): {"eligible": 20, "headline": 55, "read_2lp": 90, "writ_2lp": 94, "mat_2lp": 91},  # all below: below
    (2, 2013): {"eligible": 20, "headline": 55, "read_2lp": 90, "writ_2lp": 95, "mat_2lp": 91},  # writing at 95: lifted
    # 2015: 65%, medians 94, 97, 93
    (1, 2015): {"eligible": 20, "headline": 64, "read_2lp": 93, "writ_2lp": 96, "mat_2lp": 92},  # below
    (2, 2015): {"eligible": 20, "headline": 64, "read_2lp": 93, "writ_2lp": 97, "mat_2lp": 92},  # lifted by writing
    # 2017: 65%, and fails when below -5 reading OR -7 writing OR -5 maths; DfE's writing caveat
    (1, 2017): {"eligible": 20, "headline": 50, "read_prog": -6, "writ_prog": 0, "mat_prog": 0},
    (2, 2017): {"eligible": 20, "headline": 50, "read_prog": -5, "writ_prog": -7, "mat_prog": 0},  # on the cut-offs: passes
    (3, 2017): {"eligible": 20, "headline": 50, "read_prog": 1, "writ_prog": None, "mat_prog": 1},
    (4, 2017): {"eligible": 20, "headline": None},                                 # suppressed: no result
    (5, 2017): {"eligible": 20, "headline": 40, "read_prog": 0, "writ_prog": -8, "mat_prog": 0},  # below on writing alone
    (6, 2017): {"eligible": 20, "headline": 40, "read_prog": -9, "writ_prog": -9, "mat_prog": 0},  # writing and reading
    (7, 2017): {"eligible": 15, "headline": 10, "read_prog": -9, "writ_prog": -9, "mat_prog": -9},  # special school
    (8, 2017): {"eligible": 20, "headline": 30, "read_prog": -9, "writ_prog": -9, "mat_prog": -9},  # closed (ICLOSE 1)
    (9, 2017): {"eligible": 20, "headline": 30, "read_prog": -9, "writ_prog": -9, "mat_prog": -9},  # independent
    # 2018: as 2017, but one subject alone below its cut-off fails only when significantly below (upper limit < 0)
    (1, 2018): {"eligible": 20, "headline": 50, "read_prog": -6, "read_prog_upper": 0.5, "writ_prog": 0, "mat_prog": 0},
    (2, 2018): {"eligible": 20, "headline": 50, "read_prog": -6, "read_prog_upper": -1, "writ_prog": 0, "mat_prog": 0},
    (3, 2018): {"eligible": 20, "headline": 50, "read_prog": -6, "read_prog_upper": 0.5, "writ_prog": 0, "mat_prog": -6,
                "mat_prog_upper": 0.5},                                        # two subjects under: no significance test
    (4, 2018): {"eligible": 20, "headline": 50, "read_prog": -6, "writ_prog": 0, "mat_prog": 0},  # no limit: unknown
    # 2019: DfE published no floor; the LA's own rule (2018's threshold and cut-offs kept)
    (1, 2019): {"eligible": 20, "headline": 50, "read_prog": -6, "writ_prog": 0, "mat_prog": 0},
    # 2024: the LA's own 65%; no progress scores exist
    (1, 2024): {"eligible": 20, "headline": 50}, (2, 2024): {"eligible": 20, "headline": 70},
})  # fmt: skip
YEARS = school_years(RESULTS, u7={"rectype": 2, "nftype": "CYS"}, u9={"nftype": "IND"})
YEARS.loc[(YEARS["urn"] == 8) & (YEARS["year"] == 2017), "closed"] = True


@pytest.fixture(scope="module")
def status():
    f = floor_schools(RESULTS, STD, school_scope(YEARS, RESULTS, STD))
    return f, by_key(f)


def test_attainment_alone_in_2009(status):
    _, s = status
    assert s[(1, 2009)] == "below floor" and s[(2, 2009)] == "above"


def test_levels_era_two_levels_of_progress(status):
    f, s = status
    assert s[(1, 2011)] == "lifted by progress" and s[(2, 2011)] == "below floor" and s[(3, 2011)] == "not available"
    assert s[(4, 2011)] == "above" and s[(5, 2011)] == "excluded" and s[(6, 2011)] == "above"
    row = f.set_index(["urn", "year"]).loc[(1, 2011)]
    assert row["threshold"] == 60 and bool(row["below_attainment"]) and row["progress_test"] == "pass"
    assert s[(1, 2012)] == "below floor" and s[(2, 2012)] == "lifted by progress"
    assert s[(1, 2013)] == "below floor" and s[(2, 2013)] == "lifted by progress"
    assert s[(1, 2015)] == "below floor" and s[(2, 2015)] == "lifted by progress"


def test_out_of_scope_schools_carry_their_reason_not_a_floor_label(status):
    f, s = status
    assert s[(7, 2011)] == "special school" and s[(7, 2017)] == "special school"
    assert s[(8, 2017)] == "closed school" and s[(9, 2017)] == "independent school" and s[(5, 2011)] == "excluded"
    special = f.set_index(["urn", "year"]).loc[(7, 2017)]
    assert not special["below_attainment"] and special["progress_test"] == "not applied"


def test_expected_era_progress_scores_and_the_writing_caveat(status):
    f, s = status
    assert s[(1, 2017)] == "below floor" and s[(2, 2017)] == "lifted by progress" and s[(3, 2017)] == "not available"
    assert s[(4, 2017)] == "no result"
    rows = f.set_index(["urn", "year"])
    assert s[(5, 2017)] == "below floor" and rows.loc[(5, 2017), "writing_only"]  # -8 < -7 on writing alone
    assert s[(6, 2017)] == "below floor" and not rows.loc[(6, 2017), "writing_only"]
    assert rows.loc[(6, 2017), "failed_subjects"] == "read_prog,writ_prog"


def test_2018_single_subject_must_be_significantly_below(status):
    _, s = status
    assert s[(1, 2018)] == "lifted by progress"  # -6 < -5 but upper limit 0.5 >= 0: not significantly low
    assert s[(2, 2018)] == "below floor"  # upper limit -1 < 0
    assert s[(3, 2018)] == "below floor"  # two subjects under their cut-offs
    assert s[(4, 2018)] == "not available"  # one subject under, its confidence limit not published


def test_2019_and_later_are_the_las_own_rule(status):
    f, s = status
    assert s[(1, 2019)] == "below floor"
    assert not STD.is_government(2019) and STD.is_government(2018)
    assert s[(1, 2024)] == "not available" and s[(2, 2024)] == "above"
    assert (f.loc[f["year"].isin([2019, 2024]), "rule_source"] == "LA's own rule, not the government's").all()


def test_counts_per_unit_like_table_3(status):
    f, _ = status
    counts = floor_counts(f, UNITS).set_index(["unit_type", "unit_id", "year"])
    c = counts.loc[("la", "850", 2011)]
    assert c["heading"] == "2011 (60%)"
    # assessed: schools 1, 2, 3, 4, 6; excluded: 5 (10 pupils); special: 7; below on attainment: 1, 2, 3
    assert (c["n_assessed"], c["n_excluded"], c["n_special"], c["n_below_attainment"]) == (5, 1, 1, 3)
    assert (c["n_lifted"], c["n_below_floor"], c["n_not_available"]) == (1, 1, 1)
    c17 = counts.loc[("la", "850", 2017)]
    # assessed: 1, 2, 3, 5, 6 (4 had no result); special 7, closed 8, independent 9; below: 1, 5, 6, of which 5 on writing
    assert (c17["n_assessed"], c17["n_special"], c17["n_closed"], c17["n_independent"]) == (5, 1, 1, 1)
    assert (c17["n_below_floor"], c17["n_writing_only"], c17["heading"]) == (3, 1, "2017 (65%)")


def test_an_academy_converter_is_one_series_and_the_closed_predecessor_is_not_counted_twice():
    # URN 10 converts to academy URN 11 after the 2017 tests: DfE lists 10 as closed in 2017, 11 from 2018
    r = results({
        (10, 2017): {"eligible": 20, "headline": 40, "read_prog": -9, "writ_prog": 0, "mat_prog": 0},
        (11, 2018): {"eligible": 20, "headline": 40, "read_prog": -9, "read_prog_upper": -2, "writ_prog": 0, "mat_prog": 0},
    })  # fmt: skip
    years = school_years(r, u10={"closed": True}, u11={"nftype": "ACC"})
    lineage = pd.DataFrame({"urn": [10, 11], "series_urn": [11, 11], "chain": ["10 > 11"] * 2, "issue": ["", ""]})
    mapped, _ = apply_lineage(r, lineage)
    f = floor_schools(mapped, STD, school_scope(years, mapped, STD, lineage)).set_index(["urn", "year"])
    assert f.loc[(11, 2017), "status"] == "closed school" and f.loc[(11, 2018), "status"] == "below floor"
