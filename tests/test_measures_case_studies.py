"""Case studies: a federation pupil-weighted as one case, with cohort, floor status and support days."""

import pandas as pd
import pytest
from test_measures_fixtures import results, school_years, schools

from keystage.measures.compute import compute_all
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()


def test_federation_case_by_year():
    r = results({
        (1, 2011): {"eligible": 20, "headline": 50, "mat": 60, "eng_2lp": 95, "mat_2lp": 80},
        (2, 2011): {"eligible": 30, "headline": 40, "mat": 50, "eng_2lp": 80, "mat_2lp": 80},
        (1, 2012): {"eligible": 25, "headline": 80, "mat": 84},
        (2, 2012): {"eligible": 25, "headline": 60, "mat": 72},
    })  # fmt: skip
    tables = {
        "school_results": r,
        "school_years": school_years(r),
        "case_studies": pd.DataFrame({"case_id": ["5", "5"], "title": ["Case Study 5"] * 2, "urn": [1, 2]}),
        "support_days": pd.DataFrame(
            {
                "urn": [1, 2, 2],
                "year": [2012] * 3,
                "team": ["maths", "english", "maths"],
                "kind": ["statutory"] * 3,
                "days": [4.0, 3.0, 1.5],
            }
        ),
    }
    units = build_units(schools((1, 850, "Infant"), (2, 850, "Junior")))
    cases = compute_all(tables, STD, units)["case_studies"].set_index("year")
    assert cases.loc[2011, "title"] == "Case Study 5" and cases.loc[2011, "cohort"] == 50
    assert cases.loc[2011, "headline"] == pytest.approx((20 * 50 + 30 * 40) / 50)  # 22 of 50 pupils: 44%
    assert cases.loc[2012, "mat"] == pytest.approx((25 * 84 + 25 * 72) / 50)  # 78%
    # 2011 (60%, 2LP medians 87/86): school 1 lifted by English progress, school 2 below both
    assert cases.loc[2011, "floor_status"] == "1: lifted by progress; 2: below floor"
    assert cases.loc[2012, "support_days"] == 4 + 3 + 1.5 and cases.loc[2011, "support_days"] == 0
