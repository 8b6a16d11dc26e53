"""Sentences of computed fact for the reports: plain statements of what the numbers are and how they moved.

Every sentence states only what the data shows (rose, fell, stayed at; above, below, in line with),
with numbers rounded half up for display and differences computed before rounding. None says why a
number moved: in particular support is only ever described as associated with change, never as its cause.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from keystage.rounding import round_half_up


def missing(value: float | None) -> bool:
    """True for None or NaN: a value the sentence cannot state."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def whole(value: float) -> int:
    """A value as the whole number the tables display (half up)."""
    return int(round_half_up(float(value)))


def pct(value: float) -> str:
    """A percentage as displayed: 68.45 -> "68%"."""
    return f"{whole(value)}%"


def pp(value: float) -> str:
    """A size of difference in percentage points, always positive: -3.6 -> "4 percentage points"."""
    n = abs(whole(value))
    return f"{n} percentage point" + ("" if n == 1 else "s")


def ordinal(n: int) -> str:
    """1 -> "1st", 22 -> "22nd", 113 -> "113th"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """ "1 school", "3 schools"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def listing(items: Sequence[str]) -> str:
    """ "Table 1", "Table 1 and Table 2", "Table 1, Table 2 and Table 3"."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def refs(labels: Sequence[str]) -> str:
    """References to numbered items, grouped by kind: ["Table 1", "Table 2"] -> "Tables 1 and 2"."""
    labels = list(labels)
    kinds = {label.split(" ")[0] for label in labels}
    if len(labels) < 2 or len(kinds) > 1:
        return listing(labels)
    return f"{labels[0].split(' ')[0]}s " + listing([label.split(" ", 1)[1] for label in labels])


def capitalise(text: str) -> str:
    """Upper-case the first letter only (keeps "LA" and names intact)."""
    return text[:1].upper() + text[1:]


def movement(label: str, first_year: int, first: float, last_year: int, last: float) -> str:
    """ "<label> rose from 66% in 2017 to 68% in 2019" (or fell, or stayed at), judged on the displayed values."""
    a, b = pct(first), pct(last)
    if a == b:
        return f"{label} stayed at {b} between {first_year} and {last_year}"
    verb = "rose" if whole(last) > whole(first) else "fell"
    return f"{label} {verb} from {a} in {first_year} to {b} in {last_year}"


def numbers(label: str, first_year: int, first: int, last_year: int, last: int) -> str:
    """ "<label> fell from 16 in 2017 to 15 in 2019" (or rose, or stayed at) for whole counts."""
    if first == last:
        return f"{label} stayed at {last} between {first_year} and {last_year}"
    verb = "rose" if last > first else "fell"
    return f"{label} {verb} from {first} in {first_year} to {last} in {last_year}"


def against(value: float, comparator: float | None, where: str) -> str:
    """ ", against 65% nationally" (empty when the comparator is missing)."""
    return "" if missing(comparator) else f", against {pct(comparator)} {where}"


def comparison(value: float, comparator: float, name: str) -> str:
    """ "4 percentage points above the national figure (64%)", "in line with ..." when the difference rounds to 0."""
    diff = value - comparator
    if whole(diff) == 0:
        return f"in line with {name} ({pct(comparator)})"
    side = "above" if diff > 0 else "below"
    return f"{pp(diff)} {side} {name} ({pct(comparator)})"


@dataclass(frozen=True)
class Point:
    """One year's value of a series, with the era it belongs to."""

    year: int
    value: float
    era: str


def segments(points: Sequence[Point]) -> list[list[Point]]:
    """Split a series (ascending years, missing values dropped) into runs of one era each."""
    runs: list[list[Point]] = []
    for point in (p for p in points if not missing(p.value)):
        if runs and runs[-1][-1].era == point.era:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def trend(label: str | Mapping[str, str], points: Sequence[Point], national: Mapping[int, float] | None = None) -> str:
    """Sentences for how a percentage moved over the years, one per era, never joined across a break.

    `label` names the measure, or maps each era to its own name (the headline measure changes with the era).
    "The percentage of pupils ... rose from 66% in 2017 to 68% in 2019, against 65% nationally."
    Across an era break: "... The measure changed in 2016, so figures before and after are not compared."
    """
    national = national or {}
    out: list[str] = []
    previous: int | None = None
    for run in segments(points):
        if previous is not None:
            out.append(
                f"The measure changed in {run[0].year}, so {run[0].year} and later years are not compared with "
                f"{previous} and earlier."
            )
        first, last = run[0], run[-1]
        name = label if isinstance(label, str) else label[first.era]
        if first.year == last.year:
            text = f"{name} was {pct(last.value)} in {last.year}"
        else:
            text = movement(name, first.year, first.value, last.year, last.value)
        out.append(capitalise(text) + against(last.value, national.get(last.year), "nationally") + ".")
        previous = last.year
    return " ".join(out)


def standing(unit: str, year: int, value: float, comparators: Sequence[tuple[str, float | None]]) -> str:
    """ "In 2019 Wessex's 68% was 4 percentage points above the national figure (64%) and in line with ..."."""
    parts = [comparison(value, c, name) for name, c in comparators if not missing(c)]
    return f"In {year} {unit}'s {pct(value)} was {listing(parts)}." if parts else ""


def rank(unit: str, year: int, position: float, n_las: float, quartile: str) -> str:
    """ "In 2019 Wessex ranked 32nd of 152 local authorities (quartile A, the highest quarter)."""
    if missing(position) or missing(n_las):
        return ""
    quarter = {"A": "the highest quarter", "B": "the second quarter", "C": "the third quarter", "D": "the lowest quarter"}
    band = f" (quartile {quartile}, {quarter[quartile]})" if quartile in quarter else ""
    return f"In {year} {unit} ranked {ordinal(int(position))} of {int(n_las)} local authorities on this measure{band}."


def gap_trend(unit: str, first_year: int, first: float, last_year: int, last: float, national: float | None) -> str:
    """ "The gap narrowed from 29 to 23 percentage points between 2009 and 2012, against 17 nationally in 2012." """
    a, b = whole(first), whole(last)
    if first_year == last_year:
        text = f"In {last_year} the gap in {unit} was {pp(last)}"
    elif a == b:
        text = f"The gap in {unit} stayed at {pp(last)} between {first_year} and {last_year}"
    else:
        verb = "narrowed" if b < a else "widened"
        text = f"The gap in {unit} {verb} from {a} to {pp(last)} between {first_year} and {last_year}"
    tail = "" if missing(national) else f", against {pp(national)} nationally in {last_year}"
    return text + tail + "."


def association(n: int, slope: float, lower: float, upper: float, confidence: float, measure: str) -> str:
    """The fitted line of change on support days, stated as an association with its confidence interval."""
    if missing(slope):
        return f"Too few schools with a change in {measure} and differing days of support to fit a line."
    level = f"{whole(confidence * 100)}%"
    interval = f"{round_half_up(lower, 1):.1f} to {round_half_up(upper, 1):.1f}"
    size = f"{abs(round_half_up(slope, 1)):.1f}"
    if lower > 0:
        text = f"schools with more days of support improved by more on average: about {size} percentage points more per day"
    elif upper < 0:
        text = f"schools with more days of support improved by less on average: about {size} percentage points less per day"
    else:
        text = "there is no clear association between days of support and the change in results"
    return (
        f"Across {count(n, 'school')}, {text} ({level} confidence interval {interval} points per day). "
        "This describes an association only: schools were not given support at random, so it cannot show "
        "what the support itself achieved."
    )
