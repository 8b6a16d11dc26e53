"""The standards config: eras, floor rules per year, bands, disclosure and rounding settings."""

import pytest

from keystage.errors import InputError
from keystage.standards import load_standards


@pytest.fixture(scope="module")
def std():
    return load_standards()


def test_eras_by_year(std):
    assert std.era(2009).name == "levels_em" and std.era(2012).name == "levels_em"
    assert std.era(2013).name == "levels_rwm" and std.era(2015).name == "levels_rwm"
    assert std.era(2016).name == "expected" and std.era(2025).name == "expected"
    assert 2020 not in std.years and 2021 not in std.years
    assert std.era(2011).headline_label == "% Level 4+ in English and maths"
    assert std.era(2011).disadvantage_label.startswith("FSM")
    assert "last six years" in std.era(2013).disadvantage_label


def test_floor_rules(std):
    assert std.floor(2009).threshold == 55 and std.floor(2009).progress.kind == "none"
    f11 = std.floor(2011)
    assert f11.threshold == 60 and f11.progress.cutoffs == {"eng_2lp": 87, "mat_2lp": 86}  # NAHT 2011 advice
    assert std.floor(2012).progress.cutoffs == {"eng_2lp": 92, "mat_2lp": 90}  # Hampshire 2.3, on the 2012 results
    assert std.floor(2015).progress.cutoffs == {"read_2lp": 94, "writ_2lp": 97, "mat_2lp": 93}  # SI 2017/9 Table 1
    assert f11.progress.fails_when == "all"
    assert std.floor(2014).threshold == 65
    f17 = std.floor(2017)
    assert f17.progress.cutoffs == {"read_prog": -5, "writ_prog": -7, "mat_prog": -5} and f17.progress.fails_when == "any"
    assert f17.min_cohort == 11 and "government" in f17.source
    assert std.floor(2022).source == "LA's own rule, not the government's"
    assert [y for y in std.years if std.is_government(y)] == list(range(2009, 2019))  # no DfE floor from 2019
    assert std.floor(2017).writing_caveat and std.floor(2018).progress.single_subject_significant
    assert not std.floor(2016).writing_caveat and not std.floor(2017).progress.single_subject_significant


def test_scope_and_coasting(std):
    assert std.scope.mainstream_rectypes == {1} and "IND" in std.scope.independent_nftypes
    assert sorted(std.coasting) == [2016, 2017, 2018]
    assert std.coasting[2017].window == (2015, 2016, 2017)
    threshold, levels = std.coasting[2016].criteria[2014]
    assert threshold == 85 and levels.fails_when == "all" and levels.cutoffs == {"read_2lp": 94, "writ_2lp": 96, "mat_2lp": 93}
    _, scores = std.coasting[2018].criteria[2018]
    assert scores.significant and scores.cutoffs == {"read_prog": -2.5, "writ_prog": -3.5, "mat_prog": -2.5}
    assert not std.floor(2024).progress.available and std.floor(2023).progress.available


def test_other_settings(std):
    assert std.distribution_threshold == 80
    assert [b.label for b in std.change_bands] == ["declined", "0 to 5", "more than 5", "10 or more", "20 or more"]
    assert std.change_bands[1].upper == 5 and std.change_bands[1].upper_inclusive
    assert std.disclosure.min_group == 6 and std.disclosure.min_count == 3 and std.disclosure.symbol == "c"
    assert std.rounding.display_dp == 0 and std.rounding.csv_dp == 1
    assert std.polarity("gap") == -1 and std.polarity("headline") == 1


def test_unknown_year_and_bad_file(std, tmp_path):
    with pytest.raises(InputError, match="2020"):
        std.floor(2020)
    bad = tmp_path / "s.yaml"
    bad.write_text("eras: {}\nyears: {2011: {era: nowhere}}\n")
    with pytest.raises(InputError, match="years.2011"):
        load_standards(bad)
