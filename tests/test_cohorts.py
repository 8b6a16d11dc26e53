"""Cohort tracking measures on tiny hand-worked pupil fixtures (arithmetic in the comments and asserts)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from keystage.errors import InputError
from keystage.measures.cohorts import (
    fit_line,
    fits,
    la_tables,
    load_cohort_rules,
    pupil_flags,
    r2_interval,
)
from keystage.standards import DisclosureRules

RULES = load_cohort_rules()
SMALL = DisclosureRules(min_group=3, min_count=2, symbol="c")  # group rules: counts 1-2 hidden, % of under 3 hidden
LA = 701


def pupil(ks2_urn: int, ks4_urn: int | None, *, read: float = 105, mat: float = 105, writ: str = "EXS",
          eng: float = 5, maths: float = 5, disadvantaged: bool = False, ks4_la: int = LA, year: int = 2017) -> dict:
    """One pupil row shaped like the canonical Pupils table (ks4_urn None: left state schools, not traced)."""
    traced = ks4_urn is not None
    return {"ks2_year": year, "ks2_urn": ks2_urn, "ks2_la": LA, "disadvantaged": disadvantaged,
            "ks2_read_score": read, "ks2_mat_score": mat, "ks2_writ_ta": writ,
            "ks4_year": year + 5 if traced else pd.NA, "ks4_urn": ks4_urn if traced else pd.NA,
            "ks4_la": ks4_la if traced else pd.NA, "ks4_eng_grade": eng if traced else np.nan,
            "ks4_mat_grade": maths if traced else np.nan}


def frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    out.insert(0, "pupil_id", [f"X{i}" for i in range(len(out))])
    return out.astype({"ks4_year": "Int64", "ks4_urn": "Int64", "ks4_la": "Int64"})


def test_rules_come_from_standards_yaml():
    assert (RULES.scaled_score, RULES.writing_ta, RULES.standard_pass, RULES.strong_pass) == (100, ("EXS", "GDS"), 4, 5)
    assert [(b.label, b.lower, b.upper) for b in RULES.bands] == [("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11+", 11, None)]


def test_bands_with_a_gap_are_rejected(tmp_path):
    path = tmp_path / "standards.yaml"
    path.write_text("cohort:\n  ks2_expected: {scaled_score: 100, writing_ta: [EXS]}\n  ks4: {standard_pass: 4, strong_pass: 5}\n"
                    "  moved_together_bands: [{label: '1', lower: 1, upper: 1}, {label: '3+', lower: 3}]\n"
                    "  r2_confidence: 0.95\n", encoding="utf-8")
    with pytest.raises(InputError, match="contiguous bands"):
        load_cohort_rules(path)


def test_pupil_flags_thresholds_tracing_and_moving_together():
    rows = [
        pupil(1, 10, read=100, mat=100, writ="EXS", eng=4, maths=4),  # exactly on every threshold: met
        pupil(1, 10, read=99, eng=4, maths=3),                         # reading 99 < 100; maths grade 3 < 4
        pupil(1, 10, writ="WTS", eng=5, maths=5),                      # writing WTS: not RWM; 5 and 5: strong pass
        pupil(1, 20, writ="GDS"),                                      # alone to school 20
        pupil(1, 900, ks4_la=888),                                     # another LA's school -> column 0
        pupil(1, None),                                                # left: not traced
    ]
    f = pupil_flags(frame(rows), RULES)
    assert f["ks2_rwm"].tolist() == [True, False, False, True, True, True]
    assert f["ks4_em4"].tolist() == [True, False, True, True, True, False]
    assert f["ks4_em5"].tolist() == [False, False, True, True, True, False]
    assert f["ks4_eng4"].tolist() == [True, True, True, True, True, False]
    assert f["traced"].tolist() == [True, True, True, True, True, False]
    assert f["ks4_urn"].tolist() == [10, 10, 10, 20, 0, -1]
    # three pupils moved together to school 10, one each to 20 and to another LA; the untraced pupil is 0
    assert f["moved_together"].tolist() == [3, 3, 3, 1, 1, 0]


def test_fit_line_by_hand_and_against_statsmodels():
    # x = 0..3, y = 1,3,2,5: mean x 1.5, mean y 2.75; Sxy = 5.5, Sxx = 5, Syy = 8.75
    fit = fit_line([0, 1, 2, 3], [1, 3, 2, 5], 0.95)
    assert fit.slope == pytest.approx(5.5 / 5)                 # 1.1
    assert fit.intercept == pytest.approx(2.75 - 1.1 * 1.5)    # 1.1
    assert fit.r2 == pytest.approx(5.5**2 / (5 * 8.75))        # 0.6914...
    rng = np.random.default_rng(7)
    x = rng.uniform(20, 90, 40)
    y = 10 + 0.6 * x + rng.normal(0, 12, 40)
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    fit = fit_line(x, y, 0.95)
    assert (fit.intercept, fit.slope) == pytest.approx(tuple(ols.params))
    assert fit.r2 == pytest.approx(ols.rsquared)
    assert fit.n == 40


def test_r2_interval_is_the_squared_fisher_z_interval():
    # r = 0.6, n = 28: z = atanh(0.6) = 0.6931, se = 1/sqrt(25) = 0.2, z +- 1.96*0.2 -> tanh -> squared
    z, half = math.atanh(0.6), 1.959963984540054 * 0.2
    low, high = r2_interval(0.6, 28, 0.95)
    assert (low, high) == pytest.approx((math.tanh(z - half) ** 2, math.tanh(z + half) ** 2))
    # r = 0.3, n = 10: the interval of r spans 0, so R squared's lower end is 0
    z, half = math.atanh(0.3), 1.959963984540054 / math.sqrt(7)
    assert r2_interval(0.3, 10, 0.95) == pytest.approx((0.0, math.tanh(z + half) ** 2))
    assert all(math.isnan(v) for v in r2_interval(0.9, 3, 0.95))  # n - 3 = 0: no interval


def test_fits_use_only_published_dots():
    schools = pd.DataFrame({"la_code": LA, "cohort": "all", "ks2_urn": [1, 2, 3, 4, 5],
                            "ks2_pct_rwm_em4": [0.0, 1.0, 2.0, 3.0, 50.0], "ks4_pct_rwm_em4": [1.0, 3.0, 2.0, 5.0, np.nan]})
    for name in ("rwm_em5", "read_eng4", "mat_mat4"):
        schools[f"ks2_pct_{name}"], schools[f"ks4_pct_{name}"] = schools["ks2_pct_rwm_em4"], schools["ks4_pct_rwm_em4"]
    groups = schools.iloc[:0].assign(group=pd.Series(dtype=str))
    row = fits(schools, groups, RULES).set_index("relationship").loc["rwm_em4"]
    assert row["n"] == 4                                         # school 5's KS4 % is suppressed: left out
    assert row["r2"] == pytest.approx(5.5**2 / (5 * 8.75))       # the hand-worked line above


def test_primary_and_secondary_suppression_across_the_tables():
    # primary 1: 5 to school 10, 1 to school 20; primary 2: 4 to school 20, 1 not traced
    rows = [pupil(1, 10)] * 5 + [pupil(1, 20)] + [pupil(2, 20)] * 4 + [pupil(2, None)]
    out = la_tables(pupil_flags(frame(rows), RULES), RULES, SMALL)
    dest = out["destinations"][out["destinations"]["cohort"] == "2017"].set_index(["ks2_urn", "ks4_urn"])["pupils"]
    # (1, 20) = 1 is under 3: primary 1's traced 6 would give it back from (1, 10), so (1, 10) = 5 goes; then
    # school 10's total (5) and school 20's (5, closing both the column and the LA row) go instead of
    # any traced count, whose percentages would go with it
    assert np.isnan(dest[(1, 10)]) and np.isnan(dest[(1, 20)]) and dest[(2, 20)] == 4
    sec = out["secondaries"][out["secondaries"]["cohort"] == "2017"]
    assert sec["pupils"].isna().all()
    schools = out["schools"][out["schools"]["cohort"] == "2017"].set_index("ks2_urn")
    assert schools["traced"].to_dict() == {1: 6, 2: 4} and (schools["ks4_pct_rwm_em4"] == 100).all()
    # primary 2's 1 not traced is hidden, and so its 5 pupils, the LA's not traced (1) and pupils (11)
    assert (schools.loc[1, "pupils"], schools.loc[1, "not_traced"]) == (6, 0)
    assert np.isnan(schools.loc[2, "pupils"]) and np.isnan(schools.loc[2, "not_traced"])
    la = out["la"][out["la"]["cohort"] == "2017"].set_index("group")
    assert la.loc["all", "traced"] == 10 and la.loc["all", "ks4_pct_rwm_em4"] == 100
    assert np.isnan(la.loc["all", "not_traced"]) and np.isnan(la.loc["all", "pupils"])


def test_destinations_percentages_by_feeder_and_secondary():
    # primary 1: six pupils to school 10, four with 4+ in E&M (4/6 = 66.7%); three met the KS2 standard (50%)
    # primary 2: six pupils to school 10, three with 4+ (50%); school 10 overall 7/12 = 58.3%
    rows = ([pupil(1, 10, eng=4, maths=4)] * 3 + [pupil(1, 10, read=90, eng=6, maths=4)]
            + [pupil(1, 10, read=90, eng=3, maths=3)] * 2
            + [pupil(2, 10)] * 3 + [pupil(2, 10, eng=2, maths=2)] * 3)
    out = la_tables(pupil_flags(frame(rows), RULES), RULES, SMALL)
    dest = out["destinations"][out["destinations"]["cohort"] == "2017"].set_index("ks2_urn")
    assert dest.loc[1, "pupils"] == 6 and dest.loc[1, "pct_em4"] == pytest.approx(100 * 4 / 6)
    assert dest.loc[2, "pct_em4"] == pytest.approx(100 * 3 / 6)
    sec = out["secondaries"][out["secondaries"]["cohort"] == "2017"].set_index("ks4_urn")
    assert sec.loc[10, "pupils"] == 12 and sec.loc[10, "pct_em4"] == pytest.approx(100 * 7 / 12)
    schools = out["schools"][out["schools"]["cohort"] == "all"].set_index("ks2_urn")
    assert schools.loc[1, "ks2_pct_rwm_em4"] == pytest.approx(100 * 3 / 6)
    assert schools.loc[1, "ks4_pct_rwm_em4"] == pytest.approx(100 * 4 / 6)
    assert (schools.loc[1, "pupils"], schools.loc[1, "not_traced"], schools.loc[1, "traced"]) == (6, 0, 6)


def test_small_feeder_cell_hides_its_percentages_too():
    # primary 1 sends 2 pupils to school 20 (under 3): the cell and every percentage of it are hidden
    rows = [pupil(1, 10)] * 6 + [pupil(1, 20)] * 2 + [pupil(2, 20)] * 6
    dest = la_tables(pupil_flags(frame(rows), RULES), RULES, SMALL)["destinations"]
    cell = dest[(dest["cohort"] == "2017") & (dest["ks2_urn"] == 1) & (dest["ks4_urn"] == 20)].iloc[0]
    assert cell[["pupils", "pct_em4", "pct_em5", "pct_eng4", "pct_mat4"]].isna().all()


def test_disadvantaged_and_other_groups_not_traced_counted():
    # primary 1: 3 disadvantaged pupils (1 met KS2), 4 others (2 met KS2), 1 other pupil not traced
    rows = ([pupil(1, 10, disadvantaged=True)] + [pupil(1, 10, read=90, disadvantaged=True)] * 2
            + [pupil(1, 10)] * 2 + [pupil(1, 10, read=90)] * 2 + [pupil(1, None)])
    out = la_tables(pupil_flags(frame(rows), RULES), RULES, SMALL)
    groups = out["school_groups"][out["school_groups"]["cohort"] == "2017"].set_index("group")
    assert groups.loc["disadvantaged", "ks2_pct_rwm_em4"] == pytest.approx(100 * 1 / 3)
    assert groups.loc["other", "ks2_pct_rwm_em4"] == pytest.approx(100 * 2 / 4)
    # the one not traced pupil (other group) is hidden wherever it is counted: the primary's, the other
    # group's and the LA's not traced, and with each its pupils (8, 5, 8), as traced plus not traced would
    # give it back; the traced pupils (7, 3, 4) stay with their percentages
    schools = out["schools"].set_index(["cohort", "ks2_urn"])
    assert schools.loc[("2017", 1), "traced"] == 7 and schools[["pupils", "not_traced"]].isna().all().all()
    la = out["la"][out["la"]["cohort"] == "2017"].set_index("group")
    assert la["traced"].to_dict() == {"all": 7, "disadvantaged": 3, "other": 4}
    assert la.loc["all", "ks2_pct_rwm_em4"] == pytest.approx(100 * 3 / 7)
    assert la.loc[["other", "all"], ["not_traced", "pupils"]].isna().all().all()
    assert (la.loc["disadvantaged", "not_traced"], la.loc["disadvantaged", "pupils"]) == (0, 3)  # a zero is never hidden


def test_moved_together_bands():
    # 6 pupils primary 1 -> school 10 (band 6-10, 3 with 4+ E&M), 1 pupil 1 -> 20 (band 1, no 4+),
    # 3 pupils 2 -> 10 (band 2-5, 1 with 4+), 1 pupil of primary 2 not traced
    rows = ([pupil(1, 10)] * 3 + [pupil(1, 10, eng=3)] * 3 + [pupil(1, 20, eng=3)]
            + [pupil(2, 10)] + [pupil(2, 10, maths=2)] * 2 + [pupil(2, None)])
    out = la_tables(pupil_flags(frame(rows), RULES), RULES, SMALL)["moved_together"]
    t = out[out["cohort"] == "2017"].set_index("band")
    assert t["pupils"].tolist()[2:4] == [6, 0]
    # band 1 (1 pupil) and not traced (1) are hidden; the bands add up to the 10 traced pupils that the total's
    # percentage gives away, so band 2-5 (3) goes too, and all pupils (10 + 1 not traced)
    assert t.loc[["1", "2-5", "not_traced", "all"], "pupils"].isna().all()
    assert t.loc["6-10", "pct_em4"] == pytest.approx(100 * 3 / 6)
    assert np.isnan(t.loc["2-5", "pct_em4"])
    assert t.loc["all", "pct_em4"] == pytest.approx(100 * 4 / 10)   # of the 10 traced pupils
    assert np.isnan(t.loc["1", "pct_em4"])
