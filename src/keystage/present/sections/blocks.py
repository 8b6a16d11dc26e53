"""Blocks, the report context, disclosure-protected tables and the small helpers every section uses."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from keystage.disclosure import assert_safe, suppress
from keystage.opendata import Indicator
from keystage.present.charts import figure_output
from keystage.present.tables import Numbering, captioned_table
from keystage.present.unit import UnitData
from keystage.reportconfig import ReportConfig
from keystage.rounding import round_half_up
from keystage.standards import DisclosureRules, Standards

MISSING = "\u2013"  # en dash: no figure for this cell
NOT_AVAILABLE = "not available"
SUBJECT_NAMES = {
    "eng": "English",
    "read": "reading",
    "writ": "writing",
    "mat": "maths",
    "gps": "grammar, punctuation and spelling",
}
ERA_TERMS = {
    "levels_em": ("% Level 4+", "% Level 5+", "E&M"),
    "levels_rwm": ("% Level 4+", "% Level 5+", "RWM"),
    "expected": ("% expected standard", "% higher standard", "RWM"),
}


@dataclass(frozen=True)
class Text:
    """A block of Markdown shown as it is."""

    markdown: str


@dataclass(frozen=True)
class Table:
    """A numbered table: what is shown, and the tidy data behind it for the EES download."""

    key: str
    number: int
    caption: str
    display: pd.DataFrame
    data: pd.DataFrame
    filters: dict[str, str]
    indicators: list[Indicator]
    note: str | None = None

    def markdown(self) -> str:
        """The caption line, the pipe table and the note, with column widths sized to the cells' text."""
        text = captioned_table(self.number, self.caption, self.display, self.note)
        lines = text.split("\n")
        rule = next(i for i, line in enumerate(lines) if line.startswith("| :---") or line.startswith("| ---"))
        lines[rule] = sized_rule(self.display, lines[rule])
        return "\n".join(lines)


def sized_rule(frame: pd.DataFrame, rule: str) -> str:
    """A pipe table's rule line with dashes in proportion to each column's text, so a wide table gives
    its label column room (pandoc sets relative widths from the dashes when a table is wider than a line)."""
    aligns = [cell.strip() for cell in rule.strip("|").split("|")]
    widths = []
    for i, column in enumerate(frame.columns):
        cells = [len(str(v)) for v in frame.iloc[:, i]]
        longest_word = math.ceil(1.25 * max((len(w) for w in str(column).split()), default=1))  # bold headings are wider
        label_room = 40 if len(frame.columns) <= 6 else 24  # a wide table gives its label column less, its figures more
        widths.append(max(longest_word, min(max(cells, default=1), label_room if i == 0 else 14)) + 1)
    widths = widths[:1] + [max(widths[1:])] * (len(widths) - 1)
    dashes = [
        ("---:" if a.endswith(":") and not a.startswith(":") else ":---").replace("---", "-" * max(3, w))
        for a, w in zip(aligns, widths, strict=True)
    ]
    return "| " + " | ".join(dashes) + " |"


@dataclass(frozen=True)
class Figure:
    """A numbered chart with its caption and alternative text."""

    number: int
    caption: str
    alt: str
    png: bytes


Block = Text | Table | Figure


@dataclass
class Context:
    """What every section needs: the unit's data, the standards, the officers' config, the numbering."""

    unit: UnitData
    standards: Standards
    config: ReportConfig
    numbering: Numbering = field(default_factory=Numbering)
    subsections: dict[int, int] = field(default_factory=dict)

    def heading(self, section: int, title: str) -> Text:
        """The next numbered subsection heading of a section ("### 2.3 The floor standard")."""
        self.subsections[section] = self.subsections.get(section, 0) + 1
        return Text(f"### {section}.{self.subsections[section]} {title}")

    @property
    def name(self) -> str:
        """The unit's name as used in sentences ("Wessex", "Avonford")."""
        return self.unit.unit_name

    @property
    def is_la(self) -> bool:
        """True for the LA committee report, False for a district report."""
        return self.unit.kind == "la"

    def narrative(self, section: str) -> str:
        """The officers' Markdown for a section (district text from districts/<slug>/), or the default."""
        district = None if self.is_la else self.unit.unit_id
        return self.config.narrative(section, self.name, district)

    def eras(self) -> list[tuple[str, list[int]]]:
        """The report's years grouped by era, in order: each era gets its own tables."""
        return self.by_era(self.unit.years)

    def series_eras(self) -> list[tuple[str, list[int]]]:
        """The unit's whole series (an LA's every published year) grouped by era, for the LA-figure tables."""
        return self.by_era(self.unit.series_years or self.unit.years)

    def by_era(self, years: list[int]) -> list[tuple[str, list[int]]]:
        """`years` grouped by era, in order."""
        out: list[tuple[str, list[int]]] = []
        for year in years:
            era = self.standards.year_eras[year]
            if out and out[-1][0] == era:
                out[-1][1].append(year)
            else:
                out.append((era, [year]))
        return out

    def table(
        self, key: str, caption: str, tidy: pd.DataFrame, display: Callable[[pd.DataFrame], pd.DataFrame], **spec: Any
    ) -> Table:
        """Suppress and check `tidy`, then number it and lay it out with `display`.

        `spec`: counts (pupil count columns), percents (percentage -> pupil denominator column),
        linked, filters ({column: label}), indicators (list of Indicator), note.
        """
        safe = protect(tidy, self.standards.disclosure, spec.get("counts", ()), spec.get("percents", {}), spec.get("linked"))
        number = self.numbering.next_table(key, caption)
        return Table(
            key, number, caption, display(safe), safe, spec.get("filters", {}), spec.get("indicators", []), spec.get("note")
        )

    def figure(self, key: str, caption: str, alt: str, fig: plt.Figure) -> Figure:
        """Number a chart and keep its PNG with caption and alternative text."""
        number = self.numbering.next_figure(key, caption)
        data, _ = figure_output(fig, number, caption, alt)
        return Figure(number, caption, alt, data["image/png"])


def protect(
    tidy: pd.DataFrame,
    rules: DisclosureRules,
    counts: Sequence[str],
    percents: dict[str, str],
    linked: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Suppress small numbers in a tidy table and prove the result safe.

    Rows whose pupil denominators are all missing hold published figures (DfE's LA values, already
    disclosure-controlled by DfE) and pass through unchanged.
    """
    frame = tidy.reset_index(drop=True)
    dens = sorted(set(percents.values()))
    checked = frame[frame[dens].notna().any(axis=1)] if dens else frame
    if checked.empty:
        return frame
    spec = {"counts": list(counts), "percents": dict(percents)}
    hidden = suppress(checked, rules, linked=linked, **spec)
    assert_safe(hidden, rules, **spec)
    out = frame.astype({c: object for c in hidden.columns if hidden[c].dtype == object and frame[c].dtype != object})
    out.loc[hidden.index] = hidden
    return out


def shown(value: object, dp: int = 0) -> str:
    """A cell as displayed: rounded half up to `dp` places, thousands separated; text ("c") kept; "–" when missing."""
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return MISSING
    return f"{round_half_up(float(value), dp):,.{dp}f}"


def signed(value: object) -> str:
    """A change in pp as displayed, with its sign: +3, -2, 0."""
    if isinstance(value, str) or value is None or pd.isna(value):
        return shown(value)
    whole = round_half_up(float(value))
    return f"{whole:+.0f}" if whole else "0"


def by_year(
    rows: dict[str, dict[int, str]], years: Sequence[int], first: str, extra: dict[str, dict[str, str]] | None = None
) -> pd.DataFrame:
    """A display table with one row per label and one column per year (plus any extra columns)."""
    data = {first: list(rows)}
    for year in years:
        data[str(year)] = [cells.get(year, MISSING) for cells in rows.values()]
    for column, cells in (extra or {}).items():
        data[column] = [cells.get(label, MISSING) for label in rows]
    return pd.DataFrame(data)


def span(years: Sequence[int]) -> str:
    """ "2016 to 2019", or "2019" for one year."""
    return str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"


def numbered(section: int, texts: Sequence[str], start: int = 1) -> str:
    """Paragraphs numbered "4.1", "4.2" ...; lists, headings and tables inside the text are left unnumbered."""
    out, n = [], start
    for text in texts:
        for para in (p.strip() for p in text.split("\n\n")):
            if not para:
                continue
            if para[0] in "-*#|" or para[:2].rstrip(".").isdigit():
                out.append(para)
            else:
                out.append(f"{section}.{n} {para}")
                n += 1
    return "\n\n".join(out)


# --- values --------------------------------------------------------------------------------------


def measure_rows(att: pd.DataFrame, measures: Sequence[str], years: Sequence[int]) -> pd.DataFrame:
    """Attainment rows of the given measures and years, indexed by (measure, year)."""
    rows = att[att["measure"].isin(measures) & att["year"].isin(years)]
    return rows.set_index(["measure", "year"])


def value_of(rows: pd.DataFrame, measure: str, year: int, column: str = "value") -> float:
    """One figure from measure_rows (NaN when absent)."""
    try:
        return float(rows.at[(measure, year), column])
    except (KeyError, TypeError, ValueError):
        return float("nan")


def headline_label(standards: Standards, era: str) -> str:
    """ "the percentage of pupils meeting the expected standard in reading, writing and maths"."""
    label = standards.eras[era].headline_label.removeprefix("% ").replace("Level 4+", "reaching Level 4 or above")
    return f"the percentage of pupils {label}"


def definition(standards: Standards, era: str) -> str:
    """The era's disadvantage definition without its leading name ("FSM in the last six years, ...")."""
    return standards.eras[era].disadvantage_label.removeprefix("disadvantaged: ")


def band_ranges(standards: Standards) -> dict[str, str]:
    """Each change band's label -> the range it holds, for per-band tables ("10 or more" -> "10 to under 20")."""
    out, lower, lower_inclusive = {}, None, True
    for band in standards.change_bands:
        if lower is None:
            text = band.label
        elif band.upper is None:
            text = f"{shown(lower)} or more" if lower_inclusive else f"more than {shown(lower)}"
        else:
            start = f"{'more than ' if not lower_inclusive else ''}{shown(lower)}"
            text = f"{start} to {'' if band.upper_inclusive else 'under '}{shown(band.upper)}"
        out[band.label] = text
        lower, lower_inclusive = band.upper, not band.upper_inclusive
    return out


def subjects_of(standards: Standards, era: str) -> list[str]:
    """The era's attainment subjects: English and maths (levels to 2012), else reading, writing, maths."""
    return ["eng", "mat"] if era == "levels_em" else ["read", "writ", "mat"]


def previous_year(standards: Standards, year: int) -> int | None:
    """The previous configured test year of the same era (2022's is 2019), or None at the start of an era."""
    earlier = [y for y in standards.years if y < year]
    return earlier[-1] if earlier and standards.year_eras[earlier[-1]] == standards.year_eras[year] else None


def progress_measures(standards: Standards, era: str) -> list[str]:
    """The era's progress measures: % two levels of progress per subject, or progress scores."""
    suffix = "_prog" if era == "expected" else "_2lp"
    return [s + suffix for s in standards.eras[era].subjects]


