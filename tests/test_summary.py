"""The summary's rules on hand-made facts: verdicts by polarity, grouping, strengths and weaknesses both stated,
(the Hampshire summary from the real files is tested in test_build_hampshire)."""

from __future__ import annotations

from keystage.present import summary as rules
from keystage.present.summary import Fact

RWM = "the expected standard in reading, writing and maths"


def _pct(group: str, topic: str, value: float, national: float, **extra) -> Fact:
    return Fact(group=group, topic=topic, name=f"the expected standard in {topic}", kind="percent", year=2019,
                value=value, national=national, item=topic, **extra)  # fmt: skip


def _score(topic: str, value: float, **extra) -> Fact:
    return Fact(group="progress", topic=f"progress in {topic}", name=topic, kind="score", year=2019, value=value,
                item=topic, **extra)  # fmt: skip


def test_percent_verdict_uses_the_unrounded_difference() -> None:
    assert rules.verdict(_pct("h", "x", 68.0, 65.0)) == rules.STRENGTH  # +3
    assert rules.verdict(_pct("h", "x", 64.6, 65.0)) == rules.IN_LINE  # -0.4 rounds to 0
    assert rules.verdict(_pct("h", "x", 64.4, 65.0)) == rules.WEAKNESS  # -0.6 rounds to -1
    assert rules.verdict(_pct("h", "x", 64.0, None)) == rules.IN_LINE  # nothing to compare with


def test_progress_verdict_against_zero_at_one_decimal() -> None:
    assert rules.verdict(_score("maths", -0.75)) == rules.WEAKNESS  # -0.8
    assert rules.verdict(_score("maths", -0.04)) == rules.IN_LINE  # 0.0
    assert rules.verdict(_score("maths", 0.05)) == rules.STRENGTH  # 0.1 (half up)
    assert rules.score(-0.75) == "-0.8" and rules.score(0.04) == "0.0" and rules.score(1.25) == "+1.3"


def test_gap_is_better_when_narrower() -> None:
    gap = Fact(group="gap", topic="the gap", name=RWM, kind="gap", year=2019, value=24.0, national=20.0)
    assert rules.verdict(gap) == rules.WEAKNESS  # 4 points wider
    assert rules.verdict(Fact(**{**vars(gap), "value": 17.0})) == rules.STRENGTH  # 3 points narrower
    text = rules.single(gap, "Hampshire")
    assert text == (
        "In 2019 the gap between disadvantaged and other pupils in Hampshire was 24 percentage points; "
        "4 percentage points wider than the national gap (20 percentage points)."
    )


def test_single_message_states_change_comparisons_and_rank() -> None:
    fact = Fact(group="headline", topic="rwm", name=RWM, kind="percent", year=2019, value=68.0, national=65.0,
                previous=(2018, 66.4), others=(("the South East", 66.0),), rank=35, n_las=149, quartile="A")  # fmt: skip
    assert rules.single(fact, "Hampshire") == (
        "In 2019 68% of pupils in Hampshire reached the expected standard in reading, writing and maths, "
        "up from 66% in 2018; 3 percentage points above the national figure (65%) and 2 percentage points above "
        "the South East (66%); Hampshire ranked 35th of 149 local authorities, in the top quarter."
    )


def test_group_members_with_one_verdict_share_a_message_and_weaknesses_are_kept() -> None:
    facts = [
        _pct("subjects", "reading", 76.0, 73.0),
        _pct("subjects", "writing", 81.0, 78.0),
        _pct("subjects", "maths", 77.0, 79.0),  # the one subject below national gets its own message
        _score("reading", -0.39, rank=119, n_las=149, quartile="D"),
        _score("maths", -0.75, rank=134, n_las=149, quartile="D"),
    ]
    said = rules.messages(facts, "Hampshire")
    assert [m.verdict for m in said] == [rules.STRENGTH, rules.WEAKNESS, rules.WEAKNESS]
    assert said[0].text == (
        "In 2019 the percentage of pupils in Hampshire reaching the expected standard was above the national figure "
        "in reading (76% against 73%) and writing (81% against 78%)."
    )
    assert said[1].text.startswith("In 2019 77% of pupils in Hampshire reached the expected standard in maths; "
                                   "2 percentage points below the national figure (79%)")
    assert said[2].text == (
        "In 2019 pupils' progress in Hampshire was below the national average of 0 in reading (-0.4; ranked 119th "
        "of 149, bottom quarter) and maths (-0.8; ranked 134th of 149, bottom quarter)."
    )


def test_conclusion_names_strengths_and_weaknesses() -> None:
    facts = [_pct("subjects", "reading", 76.0, 73.0), _score("maths", -0.75), _pct("subjects", "writing", 78.2, 78.0)]
    assert rules.conclusion(facts, "Wessex") == (
        "In 2019 Wessex's results compare well with the national figures for reading, but compare less well for "
        "progress in maths."
    )
    assert rules.conclusion([facts[2]], "Wessex") == "In 2019 Wessex's results were in line with the national figures."
    assert rules.conclusion([], "Wessex") == ""
