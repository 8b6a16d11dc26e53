"""Disadvantage gap per unit and year (Table 5), labelled with the era's definition, beside national."""

import pandas as pd
import pytest
from test_measures_fixtures import results, schools

from keystage.measures.benchmarks import national
from keystage.measures.gaps import gaps
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()
UNITS = build_units(schools((1, 850, "A"), (2, 850, "B"), (3, 850, "C")))
RESULTS = results({
    (1, 2012): {"disadv_count": 10, "headline_disadv": 60, "other_count": 20, "headline_other": 85},
    (2, 2012): {"disadv_count": 5, "headline_disadv": 80, "other_count": 35, "headline_other": 80},
    (3, 2012): {"disadv_count": 2, "headline_disadv": None, "other_count": 18, "headline_other": 90},  # 2 pupils: SUPP
    (1, 2013): {"disadv_count": 10, "headline_disadv": 50, "other_count": 20, "headline_other": 70},
})  # fmt: skip
AGG = pd.DataFrame(
    {
        "level": "england_state",
        "la_code": pd.NA,
        "year": 2012,
        "measure": ["headline", "headline_disadv", "headline_other"],
        "value": [79.0, 65.0, 82.0],
        "status": "",
        "source": "2012_ks2final.csv",
    }
)


@pytest.fixture(scope="module")
def table():
    return gaps(RESULTS, UNITS, national(AGG, None), STD).set_index(["unit_type", "unit_id", "year"])


def test_pupil_weighted_groups_and_gap(table):
    la = table.loc[("la", "850", 2012)]
    # disadvantaged: 10 * 60% + 5 * 80% = 6 + 4 = 10 of 15 (school 3's figure is suppressed)
    assert la["disadv_numerator"] == pytest.approx(10) and la["disadv_denominator"] == 15
    assert la["disadv_pct"] == pytest.approx(10 / 15 * 100)
    # other: 20 * 85% + 35 * 80% + 18 * 90% = 17 + 28 + 16.2 = 61.2 of 73
    assert la["other_pct"] == pytest.approx(61.2 / 73 * 100)
    assert la["gap"] == pytest.approx(61.2 / 73 * 100 - 10 / 15 * 100)  # other minus disadvantaged: 17.17 pp


def test_labelled_with_the_eras_definition_and_beside_national(table):
    la = table.loc[("la", "850", 2012)]
    assert la["definition"] == "FSM or looked after (FSMCLA)"
    assert "last six years" in table.loc[("la", "850", 2013), "definition"]
    assert la["national_gap"] == 82 - 65 and la["gap_vs_national"] == pytest.approx(la["gap"] - 17)
    assert la["national_all"] == 79


def test_schools_where_disadvantaged_pupils_match_or_beat_national_all_pupils(table):
    la = table.loc[("la", "850", 2012)]
    # school 1: 60 < 79; school 2: 80 >= 79; school 3: suppressed, not counted
    assert la["n_schools_disadv"] == 2 and la["n_match_national"] == 1 and la["pct_match_national"] == 50
