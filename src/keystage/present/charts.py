"""Seaborn charts in one consistent, colour-blind-safe style, each with alternative text and a caption."""

from __future__ import annotations

import io
import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]  # a second cue beside colour, one per series
# artist ids, so tests (and SVG readers) tell the marks of a chart from its data
GAP_GID, GAP_LABEL_GID, ERA_GID, ZERO_GID = "no-tests", "no-tests-label", "era-break", "national-average"


def use_house_style() -> None:
    """Apply the keystage chart style: white grid, Okabe-Ito palette, readable type, fixed output size."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font="DejaVu Sans", font_scale=1.0)
    plt.rcParams.update({"figure.figsize": (7.0, 3.8), "figure.dpi": 100, "savefig.dpi": 150, "svg.hashsalt": "keystage",
                         "text.parse_math": False})  # a "$" in a school's name is a dollar, not mathematics


def percent_axis(ax: plt.Axes, label: str) -> None:
    """A percentage y-axis from 0 to 100, so a gap of a few points looks as small as it is."""
    ax.set_ylim(0, 100)
    ax.set_ylabel(label)


def year_axis(ax: plt.Axes, years: list[int], label: str = "Year of tests") -> None:
    """An x-axis with one tick per test year, labelled as whole years (never 2017.25)."""
    ax.set_xticks(list(years), [str(y) for y in years])
    ax.set_xlabel(label)


def png_bytes(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes with no timestamp metadata, so the same data gives the same file."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def figure_output(fig: plt.Figure, number: int, caption: str, alt: str) -> tuple[dict[str, bytes], dict[str, dict[str, str]]]:
    """The (data, metadata) pair for IPython's display: a PNG with its caption and alternative text."""
    return {"image/png": png_bytes(fig)}, {"image/png": {"alt": alt, "caption": f"Figure {number}: {caption}"}}


@dataclass(frozen=True)
class Gap:
    """A run of calendar years inside a chart's span with no Key Stage 2 tests (years the standards leave out)."""

    first: int
    last: int

    @property
    def years(self) -> str:
        """"2020" or "2020-2021"."""
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    @property
    def words(self) -> str:
        """"2020" or "2020 and 2021" or "2020 to 2022", for alternative text and captions."""
        if self.first == self.last:
            return str(self.first)
        return f"{self.first} {'and' if self.last == self.first + 1 else 'to'} {self.last}"


def untested(years: Sequence[int], tested: Collection[int]) -> list[Gap]:
    """The gaps between the first and last of `years`: calendar years that are not test years in the standards."""
    gaps: list[Gap] = []
    if not years:
        return gaps
    for year in range(min(years), max(years) + 1):
        if year in tested:
            continue
        if gaps and gaps[-1].last == year - 1:
            gaps[-1] = Gap(gaps[-1].first, year)
        else:
            gaps.append(Gap(year, year))
    return gaps


def plotted(value: object) -> bool:
    """True for a number a chart may draw; NaN, None and the suppression symbol are never drawn."""
    return isinstance(value, numbers.Real) and not math.isnan(float(value))


def runs(values: Mapping[int, object], year_eras: Mapping[int, str]) -> list[list[int]]:
    """The years of a series a line may join: consecutive calendar years of one era, each with a value to draw."""
    out: list[list[int]] = []
    for year in sorted(y for y, v in values.items() if plotted(v)):
        last = out[-1][-1] if out else None
        if last == year - 1 and year_eras[last] == year_eras[year]:
            out[-1].append(year)
        else:
            out.append([year])
    return out


def mark_gaps(ax: plt.Axes, years: Sequence[int], year_eras: Mapping[int, str]) -> list[Gap]:
    """Shade and label each run of years with no tests inside the span of `years`, and draw a dashed line at
    each change of era, so a reader sees why values are not joined; returns the gaps for the alternative text."""
    gaps = untested(years, year_eras)
    for gap in gaps:
        ax.axvspan(gap.first - 0.5, gap.last + 0.5, color="0.9", zorder=0, gid=GAP_GID)
        ax.text((gap.first + gap.last) / 2, 0.97, f"no tests\n{gap.years}", transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=8, color="0.3", gid=GAP_LABEL_GID)  # fmt: skip
    shown = sorted(years)
    for before, year in zip(shown, shown[1:], strict=False):
        if year_eras[before] != year_eras[year]:
            ax.axvline(year - 0.5, color="grey", linestyle="--", linewidth=1, gid=ERA_GID)
    return gaps


def line_series(
    ax: plt.Axes, series: Sequence[tuple[str, Mapping[int, object]]], years: Sequence[int], year_eras: Mapping[int, str]
) -> list[Gap]:
    """Draw each named series (year -> value) as lines that never cross an era change, a year with no tests or
    a year without a value to show, on whole-year ticks with the gaps marked; returns the gaps."""
    for colour, marker, (name, values) in zip(PALETTE, MARKERS, series, strict=False):
        for i, run in enumerate(runs(values, year_eras)):
            ax.plot(run, [values[y] for y in run], marker=marker, color=colour, label=name if i == 0 else None)
    year_axis(ax, sorted(years))
    return mark_gaps(ax, years, year_eras)


def gap_sentence(gaps: Sequence[Gap], lines: bool = True) -> str:
    """The alternative text's account of the marked gaps ("" when there are none); `lines` for a line chart."""
    if not gaps:
        return ""
    years = "; ".join(g.words for g in gaps)
    tail = " and no line is drawn across it" if lines else ""
    return f"There were no Key Stage 2 tests in {years}: the shaded band marks the gap{tail}."


def interval_dots(
    ax: plt.Axes,
    at: Sequence[float],
    values: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    *,
    colour: str = PALETTE[0],
    marker: str = "o",
    label: str | None = None,
    horizontal: bool = False,
) -> None:
    """Each value as a dot with a bar from its lower to its upper confidence limit (DfE publishes the limits, so
    they are drawn as given, not as a symmetric spread around the value)."""
    spread = [[v - lo for v, lo in zip(values, lower, strict=True)], [hi - v for v, hi in zip(values, upper, strict=True)]]
    style = {"fmt": marker, "color": colour, "ecolor": colour, "capsize": 3, "label": label}
    if horizontal:
        ax.errorbar(values, at, xerr=spread, **style)
    else:
        ax.errorbar(at, values, yerr=spread, **style)
