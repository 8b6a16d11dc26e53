"""Sentences of computed fact for the reports: plain statements of what the numbers are and how they moved.

Every sentence states only what the data shows (rose, fell, peaked, stayed at; above, below, in line with),
with numbers rounded half up for display and differences computed before rounding. None says why a
number moved: in particular support is only ever described as associated with change, never as its cause.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
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


SMALL_GROUP = 10  # fewer schools than this are described by counts: a percentage of 2 schools reads as more than it is


def shares(n: int, group: str, parts: Sequence[tuple[float, str]]) -> str:
    """What share of a group of n schools did each thing: "Of the 22 schools whose ..., 68% had A and 5% had B.";
    under SMALL_GROUP as counts ("Of the 4 schools ..., 3 had A and 1 had B."); one school: "The only school ... had A."
    `group` is singular ("school whose maths result declined"); each part is (percentage of the n, what they did)."""
    counts = [(int(round_half_up(p * n / 100)), what) for p, what in parts]
    if n == 1:
        done = [what for k, what in counts if k]
        return f"The only {group} {listing(done) if done else 'had none of the support counted here'}."
    plural = group.replace("school ", "schools ", 1)
    if n < SMALL_GROUP:
        return f"Of the {n} {plural}, {listing([f'{k} {what}' for k, what in counts])}."
    return f"Of the {n} {plural}, {listing([f'{pct(p)} {what}' for p, what in parts])}."


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


@dataclass(frozen=True)
class Verbs:
    """The words for a series going up and down ("rose"/"fell"; for a gap, "widened"/"narrowed")."""

    up: str = "rose"
    down: str = "fell"


RISE_FALL = Verbs()
WIDEN_NARROW = Verbs("widened", "narrowed")
MOST_TURNS = 3  # a series of more than 3 runs of rises, falls and level years is told by its range instead


def course(
    label: str,
    series: Sequence[tuple[int, float | None]],
    show: Callable[[float], str] = pct,
    key: Callable[[float], int] = whole,
    verbs: Verbs = RISE_FALL,
) -> str:
    """How a series moved over all its years, judged on the displayed values (`key`), with no full stop.

    "stayed at" only when every year shows the same value; rises, falls, peaks and lows in order when the
    series turns at most MOST_TURNS - 1 times; otherwise its range, first and last values. A year with no
    value inside the series is named; a series with no value at all is "not available".
    """
    points = [(int(y), float(v)) for y, v in series if not missing(v)]
    if not points:
        return f"{label} is not available"
    first_year, last_year = points[0][0], points[-1][0]
    holes = [str(y) for y, v in series if missing(v) and first_year < y < last_year]
    tail = f" (no figure for {listing(holes)})" if holes else ""
    keys = [key(v) for _, v in points]
    if len(points) == 1:
        return f"{label} was {show(points[0][1])} in {first_year}{tail}"
    if len(set(keys)) == 1:
        years = f"both {first_year} and {last_year}" if len(points) == 2 else f"every year from {first_year} to {last_year}"
        return f"{label} stayed at {show(points[-1][1])} in {years}{tail}"
    runs: list[list[int]] = []  # [direction, first index, last index]
    for i in range(1, len(points)):
        direction = (keys[i] > keys[i - 1]) - (keys[i] < keys[i - 1])
        if runs and runs[-1][0] == direction:
            runs[-1][2] = i
        else:
            runs.append([direction, i - 1, i])
    if len(runs) > MOST_TURNS:
        low = min(range(len(points)), key=lambda i: (keys[i], points[i][0]))
        high = max(range(len(points)), key=lambda i: (keys[i], -points[i][0]))
        return (
            f"{label} moved between a low of {show(points[low][1])} in {points[low][0]} and a high of "
            f"{show(points[high][1])} in {points[high][0]}; it was {show(points[0][1])} in {first_year} and "
            f"{show(points[-1][1])} in {last_year}{tail}"
        )
    clauses = []
    for n, (direction, a, b) in enumerate(runs):
        (year_a, value_a), (year_b, value_b) = points[a], points[b]
        following = runs[n + 1][0] if n + 1 < len(runs) else 0
        turn = "a peak of " if direction > 0 > following else "a low of " if direction < 0 < following else ""
        if direction == 0:
            clauses.append(
                f"stayed at {show(value_b)} " + (f"in {year_b}" if n and b - a == 1 else f"from {year_a} to {year_b}")
            )
        else:
            verb = verbs.up if direction > 0 else verbs.down
            start = f" from {show(value_a)} in {year_a}" if n == 0 else ""
            clauses.append(f"{verb}{start} to {turn}{show(value_b)} in {year_b}")
    text = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + ", then " + clauses[-1]
    return f"{label} {text}{tail}"


def numbers(label: str, series: Sequence[tuple[int, float | None]]) -> str:
    """ "<label> fell from 16 in 2017 to 11 in 2018, then rose to 15 in 2019" for whole counts."""
    return course(label, series, show=lambda v: str(int(v)), key=int)


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
    """Split a series (ascending years) into runs of one era each; a missing value stays in its era's run."""
    runs: list[list[Point]] = []
    for point in points:
        if runs and runs[-1][-1].era == point.era:
            runs[-1].append(point)
        else:
            runs.append([point])
    return [run for run in runs if any(not missing(p.value) for p in run)]


def trend(label: str | Mapping[str, str], points: Sequence[Point], national: Mapping[int, float] | None = None) -> str:
    """Sentences for how a percentage moved over the years, one per era, never joined across a break.

    `label` names the measure, or maps each era to its own name (the headline measure changes with the era).
    "The percentage of pupils ... rose from 66% in 2017 to 68% in 2018, then stayed at 68% in 2019, against
    65% nationally." Across an era break: "The measure changed in 2016, so 2016 and later years are not compared ..."
    """
    national = national or {}
    out: list[str] = []
    previous: int | None = None
    for run in segments(points):
        present = [p for p in run if not missing(p.value)]
        if previous is not None:
            out.append(
                f"The measure changed in {present[0].year}, so {present[0].year} and later years are not compared with "
                f"{previous} and earlier."
            )
        name = label if isinstance(label, str) else label[present[0].era]
        text = course(name, [(p.year, p.value) for p in run])
        last = present[-1]
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


def gap_trend(unit: str, series: Sequence[tuple[int, float | None]], national: float | None) -> str:
    """ "The gap in Hampshire narrowed from 29 percentage points in 2009 to 23 percentage points in 2012, against
    17 percentage points nationally in 2012." """
    text = course(f"The gap in {unit}", series, show=pp, verbs=WIDEN_NARROW)
    last = max((y for y, v in series if not missing(v)), default=None)
    tail = "" if missing(national) or last is None else f", against {pp(national)} nationally in {last}"
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
