"""The school profile page's charts: the headline result by year beside the LA, and the progress scores with
their 95% confidence intervals, each drawn only from the values the page's tables show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd

from keystage.present import sentences as say
from keystage.present.charts import (
    MARKERS,
    PALETTE,
    ZERO_GID,
    gap_sentence,
    interval_dots,
    line_series,
    mark_gaps,
    percent_axis,
    plotted,
    year_axis,
)
from keystage.present.sections.blocks import shown
from keystage.standards import DisclosureRules

PROGRESS_SUBJECTS = {"read_prog": "reading", "writ_prog": "writing", "mat_prog": "maths"}
OFFSET = 0.2  # years between the subjects' bars within a year, so the three intervals do not overlap


@dataclass(frozen=True)
class Chart:
    """A drawn figure with the caption and alternative text the page shows with it."""

    fig: plt.Figure
    caption: str
    alt: str


def _hidden_words(years: list[int], rules: DisclosureRules) -> str:
    """The alternative text's note of years whose value the table hides ("" when none)."""
    if not years:
        return ""
    return (f" Not shown for {say.listing([str(y) for y in years])}: fewer than {rules.min_group} pupils, "
            f"shown as {rules.symbol} in the table.")  # fmt: skip


def headline_chart(
    name: str, la_name: str, rows: pd.DataFrame, la: pd.DataFrame, year_eras: Mapping[int, str], rules: DisclosureRules,
    dp: int,
) -> Chart | None:  # fmt: skip
    """The school's headline percentage in the years of its latest era beside its LA's, from the school's rows as
    the table shows them (year, era, measure, value; a hidden value is the symbol and is not drawn); None when
    fewer than two years can be drawn."""
    mine = rows[rows["measure"] == "headline"].sort_values("year")
    if mine.empty:
        return None
    mine = mine[mine["era"] == mine["era"].iloc[-1]]
    school = {int(y): v for y, v in zip(mine["year"], mine["value"], strict=True)}
    drawn = [y for y, v in school.items() if plotted(v)]
    if len(drawn) < 2:
        return None
    years = sorted(school)
    county = {int(y): v for y, v in zip(la["year"], la["value"], strict=True) if int(y) in school}
    fig, ax = plt.subplots(figsize=(6, 3))
    gaps = line_series(ax, [(name, school), (f"{la_name} (all schools)", county)], years, year_eras)
    percent_axis(ax, "% meeting the headline measure")
    ax.legend(loc="lower left", fontsize=8)
    values = "; ".join(f"{y}: {shown(school[y], dp)}%" for y in drawn)
    la_values = "; ".join(f"{y}: {shown(v, dp)}%" for y, v in sorted(county.items()) if plotted(v))
    alt = (f"Line chart of {name}'s headline percentage by year, {values}; beside the {la_name} figure, {la_values}."
           + _hidden_words([y for y in years if y not in drawn], rules)
           + (f" {gap_sentence(gaps)}" if gaps else ""))  # fmt: skip
    return Chart(fig, f"{name}: headline measure by year against the LA", alt)


def progress_chart(
    name: str, rows: pd.DataFrame, limits: pd.DataFrame, year_eras: Mapping[int, str], rules: DisclosureRules
) -> Chart | None:
    """The school's reading, writing and maths progress scores by year, each with its 95% confidence interval
    (limits: year, measure, lower, upper); only scores the table shows are drawn; None when there are none."""
    scores = rows[rows["measure"].isin(PROGRESS_SUBJECTS)]
    hidden = sorted({int(y) for y, v in zip(scores["year"], scores["value"], strict=True) if v == rules.symbol})
    scores = scores[scores["value"].map(plotted).astype(bool)].merge(limits, on=["year", "measure"], how="inner")
    scores = scores.dropna(subset=["lower", "upper"]).astype({"value": float}).sort_values("year")
    if scores.empty:
        return None
    years = sorted({int(y) for y in scores["year"]})
    fig, ax = plt.subplots(figsize=(6, 3.2))
    described = []
    for i, (measure, subject) in enumerate(PROGRESS_SUBJECTS.items()):
        s = scores[scores["measure"] == measure]
        if s.empty:
            continue
        interval_dots(ax, s["year"] + (i - 1) * OFFSET, s["value"], s["lower"], s["upper"],
                      colour=PALETTE[i], marker=MARKERS[i], label=subject.capitalize())  # fmt: skip
        described.append(f"{subject.capitalize()}: " + "; ".join(
            f"{y} {shown(v, 1)} ({shown(lo, 1)} to {shown(hi, 1)})"
            for y, v, lo, hi in zip(s["year"], s["value"], s["lower"], s["upper"], strict=True)
        ))  # fmt: skip
    ax.axhline(0, color="grey", linewidth=1, gid=ZERO_GID)
    year_axis(ax, years)
    gaps = mark_gaps(ax, years, year_eras)
    ax.set_ylabel("Progress score\n(0 = national average)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)  # clear of the bars
    alt = (f"Chart of {name}'s progress scores by year, each a dot with a vertical bar for its 95% confidence "
           f"interval and a line at 0, the national average. {'. '.join(described)}."
           + _hidden_words(hidden, rules)
           + (f" {gap_sentence(gaps, lines=False)}" if gaps else ""))  # fmt: skip
    caption = (f"{name}: progress scores in reading, writing and maths by year. Each bar shows the range the score "
               "is likely to lie in (its 95% confidence interval); where a bar crosses 0, the school's pupils made "
               "progress not clearly different from similar pupils nationally")  # fmt: skip
    return Chart(fig, caption, alt)
