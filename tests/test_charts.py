"""Charts on small hand-made series, checked on the drawn matplotlib artists: lines never cross a year with no
tests, an era change or a hidden value; each gap is shaded and labelled where it is; confidence bars end at
the limits given; nothing is drawn for a value the table hides."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from test_sections import attainment_rows, context, make_unit

from keystage.present import charts
from keystage.present.charts import (
    ERA_GID,
    GAP_GID,
    GAP_LABEL_GID,
    ZERO_GID,
    Gap,
    gap_sentence,
    interval_dots,
    line_series,
    untested,
)
from keystage.present.profile_charts import headline_chart, progress_chart
from keystage.present.sections import performance
from keystage.standards import load_standards

STANDARDS = load_standards()
RULES = STANDARDS.disclosure
HIDDEN = RULES.symbol
# two levels years, then the expected standard with the 2020-2021 gap (a config of its own, so 2020 is not assumed)
ERAS = {2014: "levels_rwm", 2015: "levels_rwm", 2016: "expected", 2017: "expected", 2018: "expected",
        2019: "expected", 2022: "expected", 2023: "expected"}  # fmt: skip


def lines_of(ax: plt.Axes) -> list[list[int]]:
    """The x data of each data line (the era breaks are not data)."""
    return [[int(x) for x in line.get_xdata()] for line in ax.lines if line.get_gid() != ERA_GID]


def bands_of(ax: plt.Axes) -> list[tuple[float, float]]:
    """The x extent of each shaded gap band."""
    return [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches if p.get_gid() == GAP_GID]


def labels_of(ax: plt.Axes) -> list[tuple[float, str]]:
    """The x position and text of each gap label."""
    return [(t.get_position()[0], t.get_text()) for t in ax.texts if t.get_gid() == GAP_LABEL_GID]


def bars_of(ax: plt.Axes) -> list[list[tuple[float, float, float]]]:
    """Each errorbar container's bars as (x, lower end, upper end), to 9 places (matplotlib adds and subtracts)."""
    out = []
    for container in ax.containers:
        segments = container.lines[2][0].get_segments()
        out.append([tuple(round(float(v), 9) for v in (s[0][0], s[0][1], s[1][1])) for s in segments])
    return out


def test_untested_years_are_the_calendar_years_the_standards_leave_out() -> None:
    assert untested([2014, 2019, 2022, 2023], ERAS) == [Gap(2020, 2021)]
    assert untested([2016, 2017], ERAS) == []
    assert untested([2019, 2023], {2019: "expected", 2021: "expected", 2023: "expected"}) == [Gap(2020, 2020), Gap(2022, 2022)]
    assert untested([2019, 2022], STANDARDS.year_eras) == [Gap(2020, 2021)]  # the project's config: no KS2 tests in 2020-21
    assert Gap(2020, 2021).words == "2020 and 2021" and Gap(2020, 2022).words == "2020 to 2022"
    assert Gap(2020, 2020).years == "2020" and Gap(2020, 2021).years == "2020-2021"


def test_lines_split_at_era_change_hidden_value_and_untested_years_and_the_gap_is_marked() -> None:
    fig, ax = plt.subplots()
    school = {2014: 60.0, 2015: 62.0, 2016: 50.0, 2017: 52.0, 2018: HIDDEN, 2019: 55.0, 2022: 54.0, 2023: 56.0}
    one = {2023: 58.0}  # a series of one point: a marker, no line
    gaps = line_series(ax, [("School", school), ("One", one)], list(ERAS), ERAS)
    assert lines_of(ax) == [[2014, 2015], [2016, 2017], [2019], [2022, 2023], [2023]]
    for run in lines_of(ax):  # no line spans a year it has no drawn value for
        assert run == list(range(run[0], run[-1] + 1)) and not {2018, 2020, 2021} & set(range(run[0] + 1, run[-1]))
    assert [line.get_marker() for line in ax.lines if line.get_gid() != ERA_GID][-1] == "s"  # the second series' marker
    assert gaps == [Gap(2020, 2021)]
    assert bands_of(ax) == [(2019.5, 2021.5)]  # half a year either side of 2020 and 2021: between the 2019 and 2022 ticks
    assert labels_of(ax) == [(2020.5, "no tests\n2020-2021")]
    assert [line.get_xdata()[0] for line in ax.lines if line.get_gid() == ERA_GID] == [2015.5]  # levels -> expected
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in ERAS]  # whole years, 2020 not ticked
    assert gap_sentence(gaps) == ("There were no Key Stage 2 tests in 2020 and 2021: the shaded band marks the gap and "
                                  "no line is drawn across it.")  # fmt: skip
    plt.close(fig)


def test_no_gap_band_without_untested_years() -> None:
    fig, ax = plt.subplots()
    assert line_series(ax, [("School", {2016: 50.0, 2017: 51.0})], [2016, 2017], ERAS) == []
    assert bands_of(ax) == [] and labels_of(ax) == [] and gap_sentence([]) == ""
    plt.close(fig)


def test_interval_bars_end_at_the_limits_given() -> None:
    fig, ax = plt.subplots()
    # asymmetric limits as DfE publishes them: 1.2 from 0.4 to 2.5
    interval_dots(ax, [2018, 2019], [1.2, -0.3], [0.4, -1.5], [2.5, 0.9])
    assert bars_of(ax) == [[(2018.0, 0.4, 2.5), (2019.0, -1.5, 0.9)]]
    fig2, ax2 = plt.subplots()
    interval_dots(ax2, [0], [1.2], [0.4], [2.5], horizontal=True)
    segment = ax2.containers[0].lines[2][0].get_segments()[0]
    assert [tuple(round(float(v), 9) for v in p) for p in segment] == [(0.4, 0.0), (2.5, 0.0)]
    plt.close(fig)
    plt.close(fig2)


def profile_rows(values: dict[tuple[int, str], object], era: str = "expected") -> pd.DataFrame:
    """One school's rows as the profile table shows them (a hidden value is the symbol)."""
    return pd.DataFrame([{"year": y, "era": era, "measure": m, "value": v} for (y, m), v in values.items()])


LIMITS = pd.DataFrame(
    [
        (2018, "read_prog", 0.4, 2.0),
        (2018, "writ_prog", -3.0, -1.0),  # writing is hidden in 2018: its limits must not be drawn
        (2018, "mat_prog", -1.5, 0.9),
        (2019, "read_prog", -2.2, -0.2),
        (2022, "mat_prog", 0.1, 3.1),
    ],
    columns=["year", "measure", "lower", "upper"],
)


def test_progress_chart_draws_shown_scores_with_their_limits_and_nothing_hidden() -> None:
    rows = profile_rows({(2018, "read_prog"): 1.2, (2018, "writ_prog"): HIDDEN, (2018, "mat_prog"): -0.3,
                         (2019, "read_prog"): -1.25, (2022, "mat_prog"): 1.6, (2022, "headline"): 60.0})  # fmt: skip
    chart = progress_chart("Oak Primary", rows, LIMITS, STANDARDS.year_eras, RULES)
    assert chart is not None
    ax = chart.fig.axes[0]
    # reading left of the year (-0.2), maths right of it (+0.2); no writing bars at all
    assert bars_of(ax) == [[(2017.8, 0.4, 2.0), (2018.8, -2.2, -0.2)], [(2018.2, -1.5, 0.9), (2022.2, 0.1, 3.1)]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Reading", "Maths"]
    assert [list(line.get_ydata()) for line in ax.lines if line.get_gid() == ZERO_GID] == [[0, 0]]  # the national average
    assert bands_of(ax) == [(2019.5, 2021.5)]
    assert "Reading: 2018 1.2 (0.4 to 2.0); 2019 -1.3 (-2.2 to -0.2). Maths: 2018 -0.3 (-1.5 to 0.9); 2022 1.6 (0.1 to 3.1)." \
        in chart.alt  # -1.25 -> -1.3: half away from zero, as the table rounds
    assert f"Not shown for 2018: fewer than {RULES.min_group} pupils" in chart.alt and "-3.0" not in chart.alt
    assert chart.alt.endswith("There were no Key Stage 2 tests in 2020 and 2021: the shaded band marks the gap.")
    assert "95% confidence interval" in chart.caption
    plt.close(chart.fig)


def test_no_progress_chart_when_every_score_is_hidden_or_unpublished() -> None:
    hidden = profile_rows({(2018, "read_prog"): HIDDEN, (2018, "mat_prog"): HIDDEN, (2024, "read_prog"): float("nan")})
    assert progress_chart("Oak Primary", hidden, LIMITS, STANDARDS.year_eras, RULES) is None
    assert progress_chart("Oak Primary", hidden.iloc[0:0], LIMITS, STANDARDS.year_eras, RULES) is None  # no results at all


def test_headline_chart_splits_at_hidden_and_untested_years_and_needs_two_shown_years() -> None:
    rows = profile_rows({(2015, "headline"): 70.0, (2017, "headline"): 50.0, (2018, "headline"): HIDDEN,
                         (2019, "headline"): 55.0, (2022, "headline"): 54.0, (2023, "headline"): 56.0})  # fmt: skip
    rows.loc[0, "era"] = "levels_rwm"  # an earlier era: left out, the chart shows the latest era's measure
    la = pd.DataFrame({"year": [2015, 2017, 2018, 2019, 2022, 2023], "value": [65.0, 61.0, 62.0, 63.0, 60.0, 61.0]})
    chart = headline_chart("Oak Primary", "Testshire", rows, la, STANDARDS.year_eras, RULES, 0)
    assert chart is not None
    ax = chart.fig.axes[0]
    assert lines_of(ax) == [[2017], [2019], [2022, 2023], [2017, 2018, 2019], [2022, 2023]]  # school, then the LA
    assert bands_of(ax) == [(2019.5, 2021.5)] and ax.get_ylim() == (0.0, 100.0)
    assert "2017: 50%; 2019: 55%; 2022: 54%; 2023: 56%" in chart.alt and "Not shown for 2018" in chart.alt
    plt.close(chart.fig)
    one = profile_rows({(2022, "headline"): 54.0, (2023, "headline"): HIDDEN})
    assert headline_chart("Oak Primary", "Testshire", one, la, STANDARDS.year_eras, RULES, 0) is None


def test_trend_figure_marks_the_untested_years_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[plt.Axes] = []

    def keep(ax: plt.Axes, *args: object) -> list[Gap]:
        drawn.append(ax)
        return charts.line_series(ax, *args)

    monkeypatch.setattr(performance, "line_series", keep)
    values = {(y, "headline"): (v, 200.0) for y, v in ((2018, 60.0), (2019, 62.0), (2022, 58.0), (2023, 59.0))}
    unit = make_unit([2019, 2022], attainment_rows(values, {(y, "headline"): 60.0 for y, _ in values}))
    unit = replace(unit, years=[2018, 2019, 2022, 2023])  # the helper's other tables are of two years
    ctx = context(unit, tmp_path)
    figure = performance.trend_figure(ctx, unit.tables["attainment"], unit.la_attainment)
    assert lines_of(drawn[0]) == [[2018, 2019], [2022, 2023], [2018, 2019], [2022, 2023]]  # Testshire, then national
    assert bands_of(drawn[0]) == [(2019.5, 2021.5)]
    assert "There were no Key Stage 2 tests in 2020 and 2021" in figure.alt


def test_a_dollar_in_a_school_name_is_printed_not_read_as_mathematics() -> None:
    charts.use_house_style()
    fig, ax = plt.subplots()
    ax.plot([2018, 2019], [50, 60], label="St Mary's $x^2$ School")
    legend = ax.legend()
    fig.canvas.draw()
    (text,) = legend.get_texts()
    assert text.get_text() == "St Mary's $x^2$ School" and text.get_parse_math() is False
    plt.close(fig)
