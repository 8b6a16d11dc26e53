"""Attainment per unit: pupil-weighted percentages, progress means, change, trend, benchmarks, ranks."""

import math

import pandas as pd
import pytest
from test_measures_fixtures import results, schools

from keystage.measures.attainment import attainment
from keystage.measures.benchmarks import comparators, national, with_benchmarks
from keystage.measures.ranks import la_ranks
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()
# LA 850: schools 1, 2 in district N, school 3 in district S.
UNITS = build_units(
    schools((1, 850, "A"), (2, 850, "B"), (3, 850, "C")), pd.DataFrame({"urn": [1, 2, 3], "district": ["N", "N", "S"]})
)
RESULTS = results({
    (1, 2011): {"eligible": 20, "headline": 50, "mat": 60},
    (2, 2011): {"eligible": 40, "headline": 70, "mat": 75},
    (3, 2011): {"eligible": 10, "headline": None},          # suppressed cohort: no headline
    (1, 2012): {"eligible": 30, "headline": 80},
    (2, 2012): {"eligible": 40, "headline": 55},
    (3, 2012): {"eligible": 12, "headline": 75},
    (1, 2013): {"eligible": 25, "headline": 60},            # levels (RWM) era begins
    (1, 2017): {"eligible": 20, "read_prog": 2.0, "read_prog_lower": -1.0},
    (2, 2017): {"eligible": 40, "read_prog": -0.5},
})  # fmt: skip


@pytest.fixture(scope="module")
def att():
    return attainment(RESULTS, UNITS, STD).set_index(["unit_type", "unit_id", "measure", "year"])


def test_la_percentage_is_pupil_weighted(att):
    la11 = att.loc[("la", "850", "headline", 2011)]
    # 20 * 50% + 40 * 70% = 10 + 28 = 38 pupils of 60; school 3 is suppressed so left out
    assert la11["numerator"] == pytest.approx(38) and la11["denominator"] == 60 and la11["n_schools"] == 2
    assert la11["value"] == pytest.approx(38 / 60 * 100)  # 63.33, not the mean of 50 and 70 (60)
    la12 = att.loc[("la", "850", "headline", 2012)]
    assert la12["numerator"] == pytest.approx(24 + 22 + 9) and la12["denominator"] == 82 and la12["n_schools"] == 3


def test_change_trend_and_era_break(att):
    la12 = att.loc[("la", "850", "headline", 2012)]
    assert la12["prev_year"] == 2011
    assert la12["change_1y"] == pytest.approx(55 / 82 * 100 - 38 / 60 * 100)  # 67.07 - 63.33 = +3.74
    assert la12["trend"] == "up" and la12["change_span"] == pytest.approx(la12["change_1y"]) and la12["first_year"] == 2011
    s2 = att.loc[("school", "2", "headline", 2012)]
    assert s2["change_1y"] == pytest.approx(55 - 70) and s2["trend"] == "down"
    s1_13 = att.loc[("school", "1", "headline", 2013)]
    assert s1_13["era"] == "levels_rwm" and pd.isna(s1_13["prev_year"]) and math.isnan(s1_13["change_1y"])
    assert s1_13["change_span"] == 0 and s1_13["first_year"] == 2013  # spans never cross an era


def test_district_and_subject_and_progress(att):
    assert att.loc[("district", "S", "headline", 2012), "value"] == 75
    assert ("district", "S", "headline", 2011) not in att.index  # its only school was suppressed
    assert att.loc[("la", "850", "mat", 2011), "value"] == pytest.approx((12 + 30) / 60 * 100)  # 20*60% + 40*75%
    prog = att.loc[("la", "850", "read_prog", 2017)]
    assert prog["kind"] == "mean" and prog["value"] == pytest.approx((20 * 2.0 + 40 * -0.5) / 60)  # 0.33
    assert ("la", "850", "read_prog_lower", 2017) not in att.index  # confidence limits do not aggregate


def test_trend_same_when_change_rounds_to_zero():
    r = results({(1, 2018): {"eligible": 10, "headline": 60.0}, (1, 2019): {"eligible": 10, "headline": 60.4}})
    a = attainment(r, UNITS, STD).set_index(["unit_type", "unit_id", "measure", "year"])
    assert a.loc[("school", "1", "headline", 2019), "trend"] == "same"  # +0.4 shows as 0


def test_rank_ties_take_the_better_rank_and_quartiles_follow_polarity():
    v = pd.DataFrame(
        {
            "la_code": [1, 2, 3, 4] * 2,
            "year": 2019,
            "measure": ["headline"] * 4 + ["gap"] * 4,
            "value": [70, 80, 80, 60, 10, 20, 20, 5],
        }
    )
    r = la_ranks(v, STD).set_index(["measure", "la_code"])
    # headline: 80, 80 share rank 1; 70 is 3rd; 60 4th. band = ceil(4 * rank / 4)
    assert r.loc["headline", "rank"].tolist() == [3, 1, 1, 4]
    assert r.loc["headline", "quartile"].tolist() == ["C", "A", "A", "D"]
    # gap: lower is better: 5 first, 10 second, 20 and 20 share 3rd
    assert r.loc["gap", "rank"].tolist() == [2, 3, 3, 1]
    assert r.loc["gap", "quartile"].tolist() == ["B", "C", "C", "A"]
    assert set(r["n_las"]) == {4}


def _bench(level, code, name, region, measure, value, status=""):
    return {
        "area_level": level,
        "area_code": code,
        "area_name": name,
        "region": region,
        "year": 2012,
        "measure": measure,
        "value": value,
        "status": status,
        "source": "lait",
    }


BENCH = pd.DataFrame([
    _bench("national", "E92000001", "England", None, "headline", 78.0),
    _bench("region", "E12000008", "South East", None, "headline", 80.0),
    _bench("la", "850", "Hampshire", "South East", "headline", 82.0),
    _bench("la", "851", "Portsmouth", "South East", "headline", 74.0),
    _bench("la", "852", "Southampton", "South East", "headline", 76.0),
    _bench("la", "853", "Elsewhere", "South East", "headline", None, "x"),
])  # fmt: skip
AGG = pd.DataFrame(
    {
        "level": ["england_state"],
        "la_code": [pd.NA],
        "year": [2012],
        "measure": ["headline"],
        "value": [79.0],
        "status": [""],
        "source": ["2012_ks2final.csv"],
    }
)
NEIGHBOURS = pd.DataFrame({"la_code": [850, 850, 850], "rank": [1, 2, 3], "neighbour_code": [851, 852, 853]})


def test_comparators_prefer_dfe_england_row_and_average_published_neighbours():
    c = comparators(BENCH, AGG, NEIGHBOURS, STD).set_index(["la_code", "measure", "year"]).loc[(850, "headline", 2012)]
    assert c["national"] == 79.0  # DfE's England state-funded row, not the LAIT 78
    assert c["region"] == 80.0 and c["la_published"] == 82.0
    assert c["sn_mean"] == pytest.approx((74 + 76) / 2) and c["n_neighbours"] == 2  # 853 unpublished
    assert c["rank"] == 1 and c["n_las"] == 3 and c["quartile"] == "B"  # ceil(4 * 1 / 3) = 2
    assert national(None, BENCH).set_index("measure").loc["headline", "national"] == 78.0


def test_unit_rows_get_differences_from_comparators(att):
    comps = comparators(BENCH, AGG, NEIGHBOURS, STD)
    table = attainment(RESULTS, UNITS, STD)
    out = with_benchmarks(table, comps, national(AGG, BENCH), UNITS).set_index(["unit_type", "unit_id", "measure", "year"])
    la = out.loc[("la", "850", "headline", 2012)]
    v = 55 / 82 * 100  # 67.07
    assert la["diff_national"] == pytest.approx(v - 79) and la["diff_region"] == pytest.approx(v - 80)
    assert la["diff_sn_mean"] == pytest.approx(v - 75) and la["rank"] == 1
    school = out.loc[("school", "3", "headline", 2012)]
    assert school["diff_national"] == pytest.approx(75 - 79) and school["region"] == 80 and pd.isna(school["rank"])
