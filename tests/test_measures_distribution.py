"""Schools at or above 80% (Table 4) and year-on-year change per school, banded (section 2.4)."""

import math

import pandas as pd
import pytest
from test_measures_fixtures import results, schools

from keystage.measures.common import band_of
from keystage.measures.distribution import change_bands, distribution, school_changes
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()
UNITS = build_units(schools(*[(u, 850, f"S{u}") for u in range(1, 8)]))
HEADLINES = {1: (60, 60), 2: (70, 75), 3: (70, 80), 4: (60, 80), 5: (50, 45), 6: (None, 90), 7: (54.1, 64.1)}
RESULTS = results({(u, y): {"headline": v} for u, pair in HEADLINES.items() for y, v in zip((2011, 2012), pair, strict=True)})


@pytest.fixture(scope="module")
def changes():
    return school_changes(RESULTS, STD)


def test_change_per_school_and_ties_at_band_edges(changes):
    c = changes[changes["year"] == 2012].set_index("urn")
    assert c.loc[1, "change_1y"] == 0 and c.loc[1, "band"] == "0 to 5"  # a tie at 0 is not "declined"
    assert c.loc[2, "change_1y"] == 5 and c.loc[2, "band"] == "0 to 5"  # config: 5 is in "0 to 5" (not "more than 5")
    assert c.loc[3, "band"] == "10 or more" and c.loc[4, "band"] == "20 or more"  # ties at 10 and 20 go up
    assert c.loc[5, "change_1y"] == -5 and c.loc[5, "band"] == "declined"
    assert math.isnan(c.loc[6, "change_1y"]) and pd.isna(c.loc[6, "band"])  # no result in 2011: no change
    assert 64.1 - 54.1 < 10 and c.loc[7, "band"] == "10 or more"  # 9.999999999999993 is a tie at 10, not "more than 5"


def test_band_edges_follow_config():
    s = pd.Series([-0.001, 0, 5, 5.001, 9.999, 10, 19.999, 20, 35])
    assert band_of(s, STD).tolist() == [
        "declined",
        "0 to 5",
        "0 to 5",
        "more than 5",
        "more than 5",
        "10 or more",
        "10 or more",
        "20 or more",
        "20 or more",
    ]


def test_schools_at_or_above_80_and_mean_change(changes):
    d = distribution(changes, UNITS, STD).set_index(["unit_type", "unit_id", "year"]).loc[("la", "850", 2012)]
    assert d["threshold"] == 80 and d["n_schools"] == 7
    assert d["n_at_or_above"] == 3 and d["pct_at_or_above"] == pytest.approx(3 / 7 * 100)  # 80, 80, 90: 80 counts
    assert d["n_with_change"] == 6 and d["mean_change"] == pytest.approx((0 + 5 + 10 + 20 - 5 + 10) / 6)


def test_count_and_percent_per_band(changes):
    b = change_bands(changes, UNITS, STD)
    la = b[(b["unit_type"] == "la") & (b["year"] == 2012)].set_index("band")
    assert la["n_schools"].to_dict() == {"declined": 1, "0 to 5": 2, "more than 5": 0, "10 or more": 2, "20 or more": 1}
    assert la.loc["0 to 5", "pct"] == pytest.approx(2 / 6 * 100)
    # cumulative from the top: "improved by 10 or more" = 10-20 band (2) + 20+ band (1) = 3 of 6
    assert la.loc["10 or more", "cum_n"] == 3 and la.loc["10 or more", "cum_pct"] == pytest.approx(3 / 6 * 100)
    assert la.loc["declined", "cum_n"] == 6
    assert set(b["unit_type"]) == {"la"}  # single schools are in school_changes, not banded counts
