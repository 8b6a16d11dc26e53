"""Support days against improvement (Table 6, sections 3.6-3.10) and the days-change association."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from test_measures_fixtures import results, school_years, schools

from keystage.measures.distribution import school_changes
from keystage.measures.floor import floor_schools
from keystage.measures.scope import school_scope
from keystage.measures.support import support_by_band, support_fit, support_summary
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()
UNITS = build_units(schools(*[(u, 850, f"S{u}") for u in range(1, 5)]))
# headline 2011 -> 2012; schools 1 and 2 were below the 2011 floor (under 60% and 2LP under 87/86)
PAIRS = {1: (50, 75), 2: (55, 60), 3: (70, 72), 4: (80, 76)}
RESULTS = results({
    (u, y): {"eligible": 20, "headline": v, "eng_2lp": 80, "mat_2lp": 80}
    for u, pair in PAIRS.items() for y, v in zip((2011, 2012), pair, strict=True)
})  # fmt: skip
SUPPORT = pd.DataFrame(
    {
        "urn": [1, 1, 2, 3],
        "year": 2012,
        "team": ["maths", "english", "maths", "english"],
        "kind": ["statutory", "purchased", "statutory", "purchased"],
        "days": [10.0, 2.0, 6.0, 2.0],
    }
)
SUBS = pd.DataFrame({"urn": [1, 3], "year": 2012, "service": "Core provision", "subject": "maths"})


@pytest.fixture(scope="module")
def parts():
    return school_changes(RESULTS, STD), floor_schools(RESULTS, STD, school_scope(school_years(RESULTS), RESULTS, STD))


def test_days_by_group(parts):
    changes, floor = parts
    s = support_summary(changes, floor, SUPPORT, UNITS, STD)
    la = s[(s["unit_type"] == "la") & (s["year"] == 2012)].set_index("group")
    every = la.loc["all schools"]
    # days 12 + 6 + 2 + 0 = 20 over 4 schools (3 supported); statutory 10 + 6, purchased 2 + 2
    assert (every["days_total"], every["n_schools"], every["n_supported"]) == (20, 4, 3)
    assert (every["days_statutory"], every["days_purchased"]) == (16, 4)
    assert every["mean_days_per_school"] == 5 and every["mean_days_per_supported"] == pytest.approx(20 / 3)
    assert every["mean_change"] == pytest.approx((25 + 5 + 2 - 4) / 4)  # 7 pp
    below = la.loc["below floor previous year"]  # schools 1 and 2
    assert (below["n_schools"], below["days_total"], below["mean_days_per_school"]) == (2, 18, 9)
    assert below["mean_change"] == 15 and below["diff_vs_unit"] == 15 - 7
    improved = la.loc["improved by threshold"]  # school 1: +25 >= 20
    assert (improved["n_schools"], improved["days_total"], improved["mean_change"]) == (1, 12, 25)


def test_share_of_each_band_with_each_kind_of_support(parts):
    changes, _ = parts
    b = support_by_band(changes, SUPPORT, SUBS, UNITS)
    la = b[(b["unit_type"] == "la") & (b["measure"] == "headline")].set_index(["band", "support"])
    top = la.loc[("20 or more", "team: maths")]
    assert top["n_band"] == 1 and top["pct_with"] == 100
    # "0 to 5": schools 2 (+5) and 3 (+2); school 2 statutory, school 3 subscribes
    low = la.loc["0 to 5"]
    assert low.loc["any support", "n_with"] == 2 and low.loc["kind: statutory", "pct_with"] == 50
    assert low.loc["subscription: Core provision (maths)", "pct_with"] == 50
    assert ("declined", "any support") not in la.index  # school 4 had no support


def test_least_squares_line_and_confidence_band(parts):
    changes, floor = parts
    fit, band = support_fit(changes, floor, SUPPORT, UNITS, STD)
    la = fit[(fit["unit_type"] == "la") & (fit["year"] == 2012)].iloc[0]
    # x = days (12, 6, 2, 0), y = change (25, 5, 2, -4): means 5 and 7
    # Sxy = 7*18 + 1*-2 + -3*-5 + -5*-11 = 194; Sxx = 49 + 1 + 9 + 25 = 84; Syy = 324 + 4 + 25 + 121 = 474
    assert la["n"] == 4 and la["slope"] == pytest.approx(194 / 84) and la["intercept"] == pytest.approx(7 - 194 / 84 * 5)
    assert la["r"] == pytest.approx(194 / np.sqrt(84 * 474))
    ols = sm.OLS([25, 5, 2, -4], sm.add_constant([12.0, 6.0, 2.0, 0.0])).fit()
    assert [la["slope_lower"], la["slope_upper"]] == pytest.approx(list(ols.conf_int(0.05)[1]))
    grid = band[(band["unit_type"] == "la") & (band["year"] == 2012)]
    assert len(grid) == STD.support.grid_points and grid["x"].min() == 0 and grid["x"].max() == 12
    expected = ols.get_prediction(sm.add_constant(grid["x"].to_numpy())).conf_int(alpha=0.05)
    assert grid[["lower", "upper"]].to_numpy() == pytest.approx(expected)
    assert not any(w in c for c in [*fit.columns, *band.columns] for w in ("effect", "impact", "caus"))
