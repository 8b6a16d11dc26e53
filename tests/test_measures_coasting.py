"""Coasting (2016-2018) per school over its three years, with the levels-era years it drew on, and counts per unit."""

import pandas as pd
from test_measures_fixtures import by_key, results, school_years, schools

from keystage.measures.coasting import coasting_counts, coasting_schools
from keystage.measures.scope import school_scope
from keystage.standards import load_standards
from keystage.units import apply_lineage, build_units

STD = load_standards()
LEVELS_MET_2014 = {"eligible": 20, "headline": 80, "read_2lp": 93, "writ_2lp": 95, "mat_2lp": 92}  # 80 < 85; 93<94, 95<96, 92<93
LEVELS_MET_2015 = {"eligible": 20, "headline": 80, "read_2lp": 93, "writ_2lp": 96, "mat_2lp": 92}  # 93<94, 96<97, 92<93
SCORES_MET = {"eligible": 20, "headline": 60, "read_prog": -3, "read_prog_upper": -0.5, "writ_prog": 0, "mat_prog": 0}
RESULTS = results({
    # 1: meets the criteria in 2014, 2015, 2016 and 2017: coasting in 2016 and 2017
    (1, 2014): LEVELS_MET_2014, (1, 2015): LEVELS_MET_2015, (1, 2016): SCORES_MET, (1, 2017): SCORES_MET,
    # 2: reading -3 < -2.5 in 2016, but its upper limit 0.5 is not below zero: not coasting
    (2, 2014): LEVELS_MET_2014, (2, 2015): LEVELS_MET_2015, (2, 2016): {**SCORES_MET, "read_prog_upper": 0.5},
    # 3: reading at the 2014 median (94%): not every progress measure below, so 2014 is not met
    (3, 2014): {**LEVELS_MET_2014, "read_2lp": 94}, (3, 2015): LEVELS_MET_2015, (3, 2016): SCORES_MET,
    # 4: a special school meeting every criterion: out of scope
    (4, 2014): LEVELS_MET_2014, (4, 2015): LEVELS_MET_2015, (4, 2016): SCORES_MET,
    # 5: opened in 2015: fewer than three years
    (5, 2015): LEVELS_MET_2015, (5, 2016): SCORES_MET,
    # 6: 85% in 2016 is not below 85%
    (6, 2014): LEVELS_MET_2014, (6, 2015): LEVELS_MET_2015, (6, 2016): {**SCORES_MET, "headline": 85},
    # 7: 10 pupils in 2016: under the minimum cohort, out of scope
    (7, 2014): LEVELS_MET_2014, (7, 2015): LEVELS_MET_2015, (7, 2016): {**SCORES_MET, "eligible": 10},
})  # fmt: skip
YEARS = school_years(RESULTS, u4={"rectype": 2, "nftype": "CYS"})


COASTING = coasting_schools(RESULTS, STD, school_scope(YEARS, RESULTS, STD))
STATUS = by_key(COASTING)


def test_three_years_with_the_levels_era_years_drawn_on():
    c, s = COASTING, STATUS
    assert s[(1, 2016)] == "coasting" and s[(1, 2017)] == "coasting"
    assert c.set_index(["urn", "year"]).loc[(1, 2016), "window"] == "2014-2016"
    assert s[(2, 2016)] == "not coasting" and s[(3, 2016)] == "not coasting" and s[(6, 2016)] == "not coasting"


def test_out_of_scope_and_short_series():
    s = STATUS
    assert s[(4, 2016)] == "out of scope" and s[(7, 2016)] == "out of scope"
    assert s[(5, 2016)] == "fewer than three years"
    assert (1, 2019) not in s  # DfE determined coasting for 2016 to 2018 only


def test_counts_per_unit():
    c = COASTING
    units = build_units(schools(*[(u, 850, f"S{u}") for u in range(1, 8)]))
    la = coasting_counts(c, units).set_index(["unit_type", "unit_id", "year"]).loc[("la", "850", 2016)]
    # determined: 1, 2, 3, 5, 6 (4 special, 7 too small); coasting: 1; too few years: 5
    assert (la["n_determined"], la["n_coasting"], la["n_too_few_years"], la["window"]) == (5, 1, 1, "2014-2016")


def test_a_converter_is_followed_across_its_old_and_new_urn():
    r = results({(20, 2014): LEVELS_MET_2014, (20, 2015): LEVELS_MET_2015, (21, 2016): SCORES_MET})
    lineage = pd.DataFrame({"urn": [20, 21], "series_urn": [21, 21], "chain": ["20 > 21"] * 2, "issue": ["", ""]})
    mapped, _ = apply_lineage(r, lineage)
    scope = school_scope(school_years(r, u21={"nftype": "ACC"}), mapped, STD, lineage)
    c = coasting_schools(mapped, STD, scope).set_index(["urn", "year"])
    assert c.loc[(21, 2016), "status"] == "coasting" and c.loc[(21, 2016), "n_met"] == 3
