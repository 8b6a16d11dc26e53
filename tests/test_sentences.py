"""Sentences of computed fact, on hand-made numbers: direction, rounding, comparisons, era breaks, no causal wording."""

from __future__ import annotations

import math

import pytest

from keystage.present import sentences as say
from keystage.present.sentences import Point

LABEL = "The percentage of pupils meeting the expected standard in reading, writing and maths"


def test_rose_with_national() -> None:
    # Hampshire's school-based figures: 65.654 -> 66, 67.753 -> 68; national 65.
    points = [Point(2017, 65.654, "expected"), Point(2018, 68.230, "expected"), Point(2019, 67.753, "expected")]
    assert say.trend(LABEL, points, {2019: 65.0}) == (
        f"{LABEL} rose from 66% in 2017 to 68% in 2018, then stayed at 68% in 2019, against 65% nationally."
    )


def test_fell() -> None:
    points = [Point(2022, 64.4, "expected"), Point(2023, 61.5, "expected")]
    # 64.4 -> 64, 61.5 -> 62 (half up, where round() would give 62 too; 61.5 is exact in binary)
    assert say.trend("X", points) == "X fell from 64% in 2022 to 62% in 2023."


def test_unchanged_when_the_displayed_values_are_equal() -> None:
    # 65.6 and 66.4 both display as 66, so the sentence must not claim a rise of 0.8.
    points = [Point(2017, 65.6, "expected"), Point(2019, 66.4, "expected")]
    assert say.trend("X", points) == "X stayed at 66% in both 2017 and 2019."


def test_half_up_not_half_even() -> None:
    # round(64.5) == 64 in Python; DfE rounds half up to 65.
    assert say.pct(64.5) == "65%"
    assert say.pct(62.5) == "63%"
    assert say.course("X", [(2018, 62.5), (2019, 64.5)]) == "X rose from 63% in 2018 to 65% in 2019"


def test_era_break_is_never_joined() -> None:
    points = [
        Point(2014, 80.5, "levels_rwm"),
        Point(2015, 82.1, "levels_rwm"),
        Point(2016, 58.0, "expected"),
        Point(2017, 64.8, "expected"),
    ]
    labels = {"levels_rwm": "L4", "expected": "EXS"}
    text = say.trend(labels, points, {2015: 80.0, 2017: 61.0})
    assert text == (
        "L4 rose from 81% in 2014 to 82% in 2015, against 80% nationally. "
        "The measure changed in 2016, so 2016 and later years are not compared with 2015 and earlier. "
        "EXS rose from 58% in 2016 to 65% in 2017, against 61% nationally."
    )
    assert "from 82% in 2015 to 65%" not in text


def test_flat_only_when_every_year_is_equal() -> None:
    # 76, 79, 76: first and last are equal but the series is not flat: a peak in 2018
    assert say.course("Reading", [(2017, 76.0), (2018, 79.0), (2019, 76.0)]) == (
        "Reading rose from 76% in 2017 to a peak of 79% in 2018, then fell to 76% in 2019"
    )
    # 65.6, 66.4, 66.0 all display as 66
    assert say.course("X", [(2017, 65.6), (2018, 66.4), (2019, 66.0)]) == "X stayed at 66% in every year from 2017 to 2019"


def test_rising_falling_and_a_dip() -> None:
    assert say.course("X", [(2016, 59.0), (2017, 66.0), (2018, 68.0)]) == "X rose from 59% in 2016 to 68% in 2018"
    assert say.course("X", [(2016, 70.0), (2017, 66.0), (2018, 61.0)]) == "X fell from 70% in 2016 to 61% in 2018"
    assert say.course("X", [(2017, 70.0), (2018, 64.0), (2019, 69.0)]) == (
        "X fell from 70% in 2017 to a low of 64% in 2018, then rose to 69% in 2019"
    )
    # fall, level, rise: three runs, told in order
    assert say.numbers("N", [(2016, 4), (2017, 3), (2018, 3), (2019, 5)]) == (
        "N fell from 4 in 2016 to 3 in 2017, stayed at 3 in 2018, then rose to 5 in 2019"
    )


def test_a_series_that_turns_often_is_told_by_its_range() -> None:
    # 4, 3, 3, 5, 2, 4: five runs (fall, level, rise, fall, rise) > MOST_TURNS; first and last both 4
    series = [(2016, 4), (2017, 3), (2018, 3), (2019, 5), (2022, 2), (2023, 4)]
    assert say.numbers("N", series) == (
        "N moved between a low of 2 in 2022 and a high of 5 in 2019; it was 4 in 2016 and 4 in 2023"
    )


def test_gap_years_and_suppressed_years_are_named() -> None:
    # 2018 suppressed (no value) inside the series: named, and the sentence runs 2017 -> 2019
    assert say.course("X", [(2017, 60.0), (2018, None), (2019, 64.0)]) == (
        "X rose from 60% in 2017 to 64% in 2019 (no figure for 2018)"
    )
    assert say.course("X", [(2017, None), (2018, math.nan)]) == "X is not available"
    assert say.course("X", [(2019, 64.0)]) == "X was 64% in 2019"


def test_single_year_and_missing_values() -> None:
    points = [Point(2018, math.nan, "expected"), Point(2019, 68.45, "expected")]
    assert say.trend("X", points) == "X was 68% in 2019."


def test_comparison_uses_the_unrounded_difference() -> None:
    # 68.45 - 64.0 = 4.45 -> 4 pp (the displayed 68 - 64 is 4 too); 64.4 - 64.0 = 0.4 -> in line.
    assert say.comparison(68.45, 64.0, "the national figure") == "4 percentage points above the national figure (64%)"
    assert say.comparison(64.4, 64.0, "the national figure") == "in line with the national figure (64%)"
    # 62.6 - 63.0 = -0.4 rounds to 0 although the displayed values differ (63 v 63): in line.
    assert say.comparison(62.6, 63.0, "the region") == "in line with the region (63%)"
    assert say.comparison(60.0, 61.5, "the region") == "2 percentage points below the region (62%)"


def test_standing_lists_every_comparator() -> None:
    text = say.standing(
        "Wessex", 2019, 68.45, [("the national figure", 64.0), ("the region", math.nan), ("its neighbours", 65.0)]
    )
    assert text == (
        "In 2019 Wessex's 68% was 4 percentage points above the national figure (64%) and "
        "3 percentage points above its neighbours (65%)."
    )


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (22, "22nd"), (113, "113th")],
)
def test_ordinal(n: int, text: str) -> None:
    assert say.ordinal(n) == text


def test_rank() -> None:
    assert say.rank("Wessex", 2019, 32.0, 152.0, "A") == (
        "In 2019 Wessex ranked 32nd of 152 local authorities on this measure (quartile A, the highest quarter)."
    )
    assert say.rank("Wessex", 2019, math.nan, 152.0, "A") == ""


def test_gap_trend_directions() -> None:
    assert say.gap_trend("Hampshire", [(2009, 29.2), (2012, 23.4)], 17.0) == (
        "The gap in Hampshire narrowed from 29 percentage points in 2009 to 23 percentage points in 2012, "
        "against 17 percentage points nationally in 2012."
    )
    assert say.gap_trend("X", [(2017, 20.0), (2018, 24.0), (2019, 22.5)], None) == (
        "The gap in X widened from 20 percentage points in 2017 to a peak of 24 percentage points in 2018, "
        "then narrowed to 23 percentage points in 2019."
    )
    flat = say.gap_trend("X", [(2017, 23.1), (2019, 23.3)], None)
    assert flat == "The gap in X stayed at 23 percentage points in both 2017 and 2019."


def test_counts_and_references() -> None:
    assert say.numbers("The number below the floor", [(2017, 16), (2018, 11), (2019, 15)]) == (
        "The number below the floor fell from 16 in 2017 to a low of 11 in 2018, then rose to 15 in 2019"
    )
    assert say.numbers("N", [(2017, 4), (2018, 4), (2019, 4)]) == "N stayed at 4 in every year from 2017 to 2019"
    assert say.count(1, "school") == "1 school"
    assert say.count(3, "case study", "case studies") == "3 case studies"
    assert say.refs(["Table 1", "Table 2", "Table 4"]) == "Tables 1, 2 and 4"
    assert say.refs(["Table 3"]) == "Table 3"
    assert say.refs(["Table 3", "Figure 1"]) == "Table 3 and Figure 1"


def test_association_is_never_causal() -> None:
    positive = say.association(270, 0.46, 0.21, 0.71, 0.95, "the headline result")
    assert positive.startswith(
        "Across 270 schools, schools with more days of support improved by more on average: about 0.5 percentage points"
    )
    assert "95% confidence interval 0.2 to 0.7" in positive
    flat = say.association(40, 0.3, -0.2, 0.8, 0.95, "the headline result")
    assert "no clear association" in flat
    for text in (positive, flat):
        assert "association only" in text
        for causal in ("caused", "led to", "because of", "resulted in", "impact"):
            assert causal not in text.replace("cannot show what the support itself achieved", "")
    assert say.association(2, math.nan, math.nan, math.nan, 0.95, "maths").startswith("Too few schools")


def test_shares_use_counts_for_small_groups() -> None:
    parts = [(68.2, "had support"), (4.5, "subscribed")]
    assert say.shares(22, "school whose result declined", parts) == (
        "Of the 22 schools whose result declined, 68% had support and 5% subscribed."
    )
    # 4 schools: 75% -> 3, 25% -> 1 (counts, not "75%")
    assert say.shares(4, "school whose result declined", [(75.0, "had support"), (25.0, "subscribed")]) == (
        "Of the 4 schools whose result declined, 3 had support and 1 subscribed."
    )
    assert say.shares(1, "school whose result declined", [(100.0, "had support"), (0.0, "subscribed")]) == (
        "The only school whose result declined had support."
    )
    assert say.shares(1, "school whose result declined", [(0.0, "had support")]) == (
        "The only school whose result declined had none of the support counted here."
    )
