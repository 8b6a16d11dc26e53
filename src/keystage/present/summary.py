"""The key messages of a report's summary, chosen by rules: each headline measure's latest value, its change,
its comparison with national and local comparators and its rank among LAs, judged a strength or a weakness.

Rules (all on the displayed values, differences computed before rounding):
- a percentage is a strength when it is at least 1 percentage point above the national figure, a weakness
  when at least 1 point below, otherwise in line;
- a progress score is a strength when it is above 0 (the national average by construction) at one decimal
  place, a weakness when below, otherwise in line;
- the disadvantage gap is a strength when it is at least 1 point narrower than the national gap, a weakness
  when at least 1 point wider;
- measures of one group (the subjects, the progress scores) with the same verdict share one message;
- strengths and weaknesses are both always stated; weaknesses are never dropped to shorten the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from keystage.measures.ranks import QUARTER_WORDS
from keystage.present import sentences as say
from keystage.rounding import round_half_up

STRENGTH, WEAKNESS, IN_LINE = "strength", "weakness", "in line"
KINDS = ("percent", "score", "gap")


@dataclass(frozen=True)
class Fact:
    """One headline measure of one unit in its latest year, with what it is compared with."""

    group: str  # facts of one group with the same verdict share a message ("subjects", "progress", ...)
    topic: str  # the measure in a list of conclusions: "reading", "progress in maths", "the disadvantage gap"
    name: str  # the standard reached, for a percentage: "the expected standard in reading, writing and maths"
    kind: str  # one of KINDS
    year: int
    value: float
    national: float | None = None
    previous: tuple[int, float] | None = None  # (year, value) of the previous year with a figure
    others: tuple[tuple[str, float], ...] = ()  # further comparators: ("the South East", 66.0), ...
    rank: int | None = None
    n_las: int | None = None
    quartile: str | None = None
    who: str = "pupils"  # whose result it is: "pupils", "disadvantaged pupils"
    item: str = ""  # the measure in a grouped message ("reading"); the topic when empty
    national_name: str = "the national figure"  # what the national comparator is called


@dataclass(frozen=True)
class Message:
    """One key message: its verdict and its sentence."""

    verdict: str
    text: str


def _points(value: float) -> int:
    return say.whole(value)


def verdict(fact: Fact) -> str:
    """Strength, weakness or in line, by the rules of the module docstring."""
    if fact.kind == "score":
        shown = round_half_up(fact.value, 1)
        return STRENGTH if shown > 0 else WEAKNESS if shown < 0 else IN_LINE
    if say.missing(fact.national):
        return IN_LINE
    diff = _points(fact.value - fact.national)
    if fact.kind == "gap":
        diff = -diff
    return STRENGTH if diff > 0 else WEAKNESS if diff < 0 else IN_LINE


def score(value: float) -> str:
    """A progress score as displayed: one decimal place, with its sign ("-0.4", "+1.2", "0.0")."""
    shown = round_half_up(value, 1)
    return f"{shown:+.1f}" if shown else "0.0"


def standing(fact: Fact, unit: str) -> str:
    """ "ranked 35th of 149 local authorities (top quarter)", or "" without a rank."""
    if fact.rank is None or fact.n_las is None:
        return ""
    quarter = QUARTER_WORDS.get(fact.quartile or "", "")
    return f"{unit} ranked {say.ordinal(fact.rank)} of {fact.n_las} local authorities" + (f", in {quarter}" if quarter else "")


def _change(fact: Fact) -> str:
    """ ", up from 66% in 2018" / ", down from ..." / ", the same as in 2018"."""
    if fact.previous is None:
        return ""
    year, before = fact.previous
    show = say.pct if fact.kind == "percent" else say.pp if fact.kind == "gap" else score
    a, b = (say.whole(before), say.whole(fact.value)) if fact.kind != "score" else (
        round_half_up(before, 1), round_half_up(fact.value, 1))
    if a == b:
        return f", the same as in {year}"
    return f", {'up' if b > a else 'down'} from {show(before)} in {year}"


def _against(fact: Fact) -> str:
    """ "3 percentage points above the national figure (65%) and 2 percentage points above the South East (66%)"."""
    if fact.kind == "score":
        side = {STRENGTH: "above", WEAKNESS: "below", IN_LINE: "in line with"}[verdict(fact)]
        return f"{side} the national average of 0"
    name = "the national gap" if fact.kind == "gap" else fact.national_name
    comps = ([] if say.missing(fact.national) else [(name, fact.national)]) + [
        (n, v) for n, v in fact.others if not say.missing(v)
    ]
    if fact.kind == "gap":
        parts = [_gap_against(fact.value, v, n) for n, v in comps]
    else:
        parts = [say.comparison(fact.value, v, n) for n, v in comps]
    return say.listing(parts) if parts else ""


def _gap_against(value: float, comparator: float, name: str) -> str:
    """ "4 percentage points wider than the national gap (20 percentage points)"."""
    diff = value - comparator
    if say.whole(diff) == 0:
        return f"in line with {name} ({say.pp(comparator)})"
    return f"{say.pp(diff)} {'wider' if diff > 0 else 'narrower'} than {name} ({say.pp(comparator)})"


def single(fact: Fact, unit: str) -> str:
    """The sentence for one fact: value, change, comparisons, rank."""
    if fact.kind == "gap":
        head = f"In {fact.year} the gap between disadvantaged and other pupils in {unit} was {say.pp(fact.value)}"
    elif fact.kind == "score":
        head = f"In {fact.year} pupils' progress in {fact.name} in {unit} was {score(fact.value)}"
    else:
        head = f"In {fact.year} {say.pct(fact.value)} of {fact.who} in {unit} reached {fact.name}"
    against = _against(fact)
    rank = standing(fact, unit)
    return head + _change(fact) + (f"; {against}" if against else "") + (f"; {rank}" if rank else "") + "."


def grouped(facts: Sequence[Fact], unit: str) -> str:
    """One sentence for several facts of a group with the same verdict (subjects, progress scores)."""
    first = facts[0]
    side = {STRENGTH: "above", WEAKNESS: "below", IN_LINE: "in line with"}[verdict(first)]
    ranks = {id(f): f"; {_short_rank(f)}" if f.rank is not None else "" for f in facts}
    if first.kind == "score":
        items = [f"{f.item or f.topic} ({score(f.value)}{ranks[id(f)]})" for f in facts]
        return f"In {first.year} pupils' progress in {unit} was {side} the national average of 0 in {say.listing(items)}."
    against = {id(f): "" if say.missing(f.national) else f" against {say.pct(f.national)}" for f in facts}
    items = [f"{f.item or f.topic} ({say.pct(f.value)}{against[id(f)]}{ranks[id(f)]})" for f in facts]
    standard = first.name.removesuffix(f" in {first.item or first.topic}")  # "the expected standard in reading" -> "... standard"
    return (
        f"In {first.year} the percentage of {first.who} in {unit} reaching {standard} was {side} the national "
        f"figure in {say.listing(items)}."
    )


def _short_rank(fact: Fact) -> str:
    """ "ranked 134th of 149, bottom quarter"."""
    quarter = QUARTER_WORDS.get(fact.quartile or "", "").removeprefix("the ")
    return f"ranked {say.ordinal(fact.rank)} of {fact.n_las}" + (f", {quarter}" if quarter else "")


def messages(facts: Sequence[Fact], unit: str) -> list[Message]:
    """The key messages in the order of the facts: one per fact, or one per group and verdict."""
    out: list[Message] = []
    done: set[tuple[str, str]] = set()
    for fact in facts:
        judged = verdict(fact)
        members = [f for f in facts if f.group == fact.group and verdict(f) == judged]
        if len(members) == 1:
            out.append(Message(judged, single(fact, unit)))
        elif (fact.group, judged) not in done:
            done.add((fact.group, judged))
            out.append(Message(judged, grouped(members, unit)))
    return out


def conclusion(facts: Sequence[Fact], unit: str) -> str:
    """The conclusions' statement of fact: where the unit compares well with national and where it does not."""
    strengths = [f.topic for f in facts if verdict(f) == STRENGTH]
    weaknesses = [f.topic for f in facts if verdict(f) == WEAKNESS]
    parts = []
    if strengths:
        parts.append(f"compare well with the national figures for {say.listing(strengths)}")
    if weaknesses:
        parts.append(f"compare less well for {say.listing(weaknesses)}")
    if not parts:
        return f"In {facts[0].year} {unit}'s results were in line with the national figures." if facts else ""
    return f"In {facts[0].year} {unit}'s results " + ", but ".join(parts) + "."
