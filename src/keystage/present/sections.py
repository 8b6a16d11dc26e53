"""The sections of the committee report and the district report, built from one unit's measures.

Each section function takes a `Context` and returns a list of blocks (`Text`, `Table`, `Figure`) in
the order they appear; tables and figures take their numbers from the context's `Numbering` as they
are made, so numbering follows the order of appearance with no gaps. Every table passes disclosure
control (suppress, then assert_safe) before it is built; suppressed cells show the symbol ("c").
Percentages are shown as whole numbers rounded half up; differences are computed before rounding.
Nothing here writes files: `keystage.present.show` displays the blocks and writes the downloads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from keystage import __version__
from keystage.disclosure import assert_safe, suppress
from keystage.measures.support import school_days
from keystage.opendata import Indicator
from keystage.present import sentences as say
from keystage.present.charts import PALETTE, figure_output, use_house_style
from keystage.present.notes import provenance_table, rejects_summary
from keystage.present.tables import Numbering, captioned_table
from keystage.present.unit import OFFICIAL, PUBLISHED, UnitData
from keystage.profiles import profile_href
from keystage.reportconfig import IMPLICATIONS, ReportConfig
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
        longest_word = max((len(w) for w in str(column).split()), default=1)
        widths.append(max(longest_word, min(max(cells, default=1), 40 if i == 0 else 14)) + 1)
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
        out: list[tuple[str, list[int]]] = []
        for year in self.unit.years:
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
    assert_safe(hidden, rules, original=checked, **spec)
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


# --- section 2 -----------------------------------------------------------------------------------


def purpose(ctx: Context) -> list[Block]:
    """1 Purpose of report: the officers' text (or the default), numbered 1.1, 1.2 ..."""
    return [Text(numbered(1, [ctx.narrative("purpose")]))]


def what_is_measured(ctx: Context) -> list[Block]:
    """2.1 What is being measured: one paragraph per era the report's years fall in."""
    paras = [ctx.heading(2, "What is being measured").markdown]
    for era, years in ctx.eras():
        e = ctx.standards.eras[era]
        subjects = ", ".join(SUBJECT_NAMES[s] for s in e.subjects)
        text = (
            f"For {span(years)} the headline measure is {headline_label(ctx.standards, era)} at the end of Key Stage 2 "
            f"({ERA_TERMS[era][2]}), and the higher measure is the percentage {e.higher_label.removeprefix('% ')}. "
            f"Results for disadvantaged pupils use the definition: {definition(ctx.standards, era)}. "
        )
        if era == "expected":
            text += (
                "Pupils sit tests in reading and maths, scored from 80 to 120 with 100 as the expected standard, "
                "and are teacher-assessed in writing. Progress is measured by progress scores in "
                f"{subjects}: 0 is the national average for pupils with similar results at Key Stage 1."
            )
            if any(not ctx.standards.floor(y).progress.available for y in years):
                text += " No progress scores were published for 2024 or 2025, because those pupils had no Key Stage 1 results."
        else:
            text += (
                "Levels are teacher-assessed or tested; Level 4 is the level expected of an eleven-year-old. "
                f"Progress is the percentage of pupils making two levels of progress from Key Stage 1 in {subjects}."
            )
        paras.append(text)
    if len(ctx.eras()) > 1:
        paras.append(
            "The measures changed between these periods, so each period is shown in its own table and "
            "no figure is compared across the change."
        )
    if 2019 in ctx.unit.years and 2022 in ctx.unit.years:
        paras.append("There were no Key Stage 2 tests in 2020 or 2021; changes for 2022 are measured from 2019.")
    return [Text("\n\n".join(paras))]


def _comparator_columns(ctx: Context) -> list[tuple[str, str]]:
    """(column label, source) of the headline comparators: region and neighbours for an LA, the LA for a district."""
    if ctx.is_la:
        region = ctx.unit.region_name or "Region"
        return [("National", "national"), (region, "region"), ("Statistical neighbours", "sn_mean")]
    return [(ctx.unit.la_name, "la"), ("National", "national")]


def attainment(ctx: Context) -> list[Block]:
    """2.2 Attainment against national and local comparators: headline, higher, progress, a trend chart, sentences."""
    blocks: list[Block] = [ctx.heading(2, f"The performance of {ctx.name} schools, {span(ctx.unit.years)}")]
    att = ctx.unit.table("attainment")
    la = ctx.unit.la_attainment
    for era, years in ctx.eras():
        blocks += _attainment_era(ctx, att, la, era, years)
    blocks.append(trend_figure(ctx, att, la))
    blocks.append(Text(_attainment_sentences(ctx, att, la)))
    return blocks


def _attainment_era(ctx: Context, att: pd.DataFrame, la: pd.DataFrame, era: str, years: list[int]) -> list[Block]:
    """Tables of one era: expected/Level 4 (headline) with comparators, higher, and progress."""
    short = ERA_TERMS[era][2]
    subjects = subjects_of(ctx.standards, era)
    rows = measure_rows(
        att, [*subjects, "headline", *[s + "_higher" for s in subjects], "higher", *progress_measures(ctx.standards, era)], years
    )
    la_rows = measure_rows(la, ["headline", "higher"], years)
    out: list[Block] = []
    for suffix, label in (("", "headline"), ("_higher", "higher")):
        key = f"{label}-{era}"
        tidy = pd.DataFrame({"year": years})
        tidy["pupils"] = [value_of(rows, label, y, "denominator") for y in years]
        names = {}
        for s in subjects:
            tidy[s + suffix] = [value_of(rows, s + suffix, y) for y in years]
            names[s + suffix] = SUBJECT_NAMES[s].capitalize()
        tidy[label] = [value_of(rows, label, y) for y in years]
        names[label] = short
        comps = []
        for column, source in _comparator_columns(ctx):
            name = f"{label}_{source}"
            if source == "la":
                tidy[name] = [value_of(la_rows, label, y) for y in years]
            else:
                tidy[name] = [value_of(rows, label, y, source) for y in years]
            if tidy[name].notna().any():
                comps.append((name, f"{column} {short}"))
        tidy[f"{label}_diff_national"] = tidy[label] - tidy[f"{label}_national"]
        pcts = [*names, *(n for n, _ in comps)]

        def display(safe: pd.DataFrame, names=names, comps=comps, label=label) -> pd.DataFrame:
            table = pd.DataFrame({"Year": safe["year"].astype(str)})
            for column, heading in [*names.items(), *comps]:
                table[heading] = safe[column].map(shown)
            table["Difference from national (pp)"] = safe[f"{label}_diff_national"].map(signed)
            return table

        caption = _attainment_caption(ctx, era, label, years)
        notes = []
        published = att[(att["year"].isin(years)) & (att["measure"] == label) & (att.get("source", "") == PUBLISHED)]
        if not published.empty:
            notes.append(
                f"{', '.join(map(str, sorted(published['year'])))}: DfE's published figure for {ctx.name}; "
                "no school-level file was read for that year."
            )
        if (att[(att["year"].isin(years)) & (att["measure"] == label)].get("source", pd.Series(dtype=str)) == OFFICIAL).any():
            notes.append(f"Figures for {ctx.name} are DfE's published LA figures, which count every pupil; figures "
                         "computed from published school results leave out schools whose small groups DfE suppresses.")
        if ctx.is_la and any(n == f"{label}_sn_mean" for n, _ in comps):
            notes.append("Statistical neighbours: the mean of the published figures of the LAs DfE lists as most similar.")
        out.append(
            ctx.table(
                key,
                caption,
                tidy,
                display,
                percents={c: "pupils" for c in pcts if not c.endswith(("_national", "_region", "_sn_mean", "_la"))},
                linked={label: f"{label}_diff_national"},
                counts=["pupils"],
                filters={},
                indicators=[Indicator("pupils", "Eligible pupils", "", 0)]
                + [Indicator(c, h, "%", 1) for c, h in [*names.items(), *comps]]
                + [Indicator(f"{label}_diff_national", "Difference from national (pp)", "", 1)],
                note=" ".join(notes) or None,
            )
        )
    progress = progress_measures(ctx.standards, era)
    if any(rows.index.isin([(m, y) for m in progress for y in years])):
        out.append(_progress_table(ctx, rows, era, years, progress))
    return out


def _attainment_caption(ctx: Context, era: str, label: str, years: list[int]) -> str:
    """The caption of the headline or higher table of an era."""
    per_subject = "meeting the expected standard" if era == "expected" else "reaching Level 4+"
    if label == "higher":
        per_subject = "at the higher standard" if era == "expected" else "reaching Level 5+"
    combined = "English and maths" if era == "levels_em" else "reading, writing and maths"
    return (
        f"Percentage of pupils {per_subject} in each subject and in {combined} combined ({ERA_TERMS[era][2]}), "
        f"{ctx.name} and comparators, {span(years)}"
    )


def _progress_table(ctx: Context, rows: pd.DataFrame, era: str, years: list[int], progress: list[str]) -> Table:
    """Progress by subject: % making two levels of progress beside national, or the mean progress score (1 dp;
    national is 0 by construction, so it is stated in the note rather than shown as a column of zeros)."""
    scores = era == "expected"
    tidy = pd.DataFrame({"year": years})
    for m in progress:
        tidy[m] = [value_of(rows, m, y) for y in years]
        if not scores:
            tidy[m + "_national"] = [value_of(rows, m, y, "national") for y in years]
    unavailable = {y for y in years if not ctx.standards.floor(y).progress.available}

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        table = pd.DataFrame({"Year": safe["year"].astype(str)})
        for m in progress:
            subject = SUBJECT_NAMES[m.split("_")[0]]
            for column, heading in ((m, subject.capitalize()), (m + "_national", f"National {subject}")):
                if column in safe.columns:
                    cells = safe[column].map(lambda v: shown(v, 1 if scores else 0))
                    table[heading] = [NOT_AVAILABLE if y in unavailable else c for y, c in zip(safe["year"], cells, strict=True)]
        return table

    what = "Average progress score" if scores else "Percentage of pupils making two levels of progress"
    notes = ["Progress scores: 0 is the national average for pupils with similar Key Stage 1 results."] if scores else []
    if unavailable:
        notes.append(
            f"Not available: no progress scores were published for {say.listing([str(y) for y in sorted(unavailable)])}."
        )
    return ctx.table(
        f"progress-{era}",
        f"{what} by subject, {ctx.name}{'' if scores else ' and national'}, {span(years)}",
        tidy,
        display,
        indicators=[Indicator(c, c.replace("_", " "), "" if scores else "%", 1) for c in tidy.columns if c != "year"],
        note=" ".join(notes) or None,
    )


def _headline_points(att: pd.DataFrame, standards: Standards, years: Sequence[int], column: str = "value") -> list[say.Point]:
    """The headline series as sentence points (year, value, era)."""
    rows = att[(att["measure"] == "headline") & att["year"].isin(years)].sort_values("year")
    return [say.Point(int(y), float(v), standards.year_eras[int(y)]) for y, v in zip(rows["year"], rows[column], strict=True)]


def trend_figure(ctx: Context, att: pd.DataFrame, la: pd.DataFrame) -> Figure:
    """Headline attainment of the unit against national (and its LA) by year; lines never cross an era break or a gap in years."""
    use_house_style()
    series = [(ctx.name, _headline_points(att, ctx.standards, ctx.unit.years))]
    if not ctx.is_la:
        series.append((ctx.unit.la_name, _headline_points(la, ctx.standards, ctx.unit.years)))
    series.append(("National", _headline_points(att, ctx.standards, ctx.unit.years, "national")))
    fig, ax = plt.subplots()
    order = {y: i for i, y in enumerate(ctx.standards.years)}
    for colour, (name, points) in zip(PALETTE, series, strict=False):
        runs = [r for run in say.segments(points) for r in _consecutive(run, order)]
        for i, run in enumerate(runs):
            ax.plot([p.year for p in run], [p.value for p in run], marker="o", color=colour, label=name if i == 0 else None)
    ax.set_ylabel("% of pupils")
    ax.set_xlabel("Year of tests")
    ax.set_xticks(ctx.unit.years)
    ax.legend(frameon=False)
    breaks = [years[0] for _, years in ctx.eras()[1:]]
    for year in breaks:
        ax.axvline(year - 0.5, color="grey", linestyle="--", linewidth=1)
    labels = "; ".join(f"{headline_label(ctx.standards, e)} ({span(ys)})" for e, ys in ctx.eras())
    names = say.listing([name if name != "National" else "national" for name, _ in series])
    caption = f"Headline attainment, {names}, {span(ctx.unit.years)}"
    described = ". ".join(
        f"{name}: " + ", ".join(f"{say.pct(p.value)} in {p.year}" for p in points) for name, points in series if points
    )
    alt = f"Line chart of {labels}. {described}."
    if breaks:
        alt += f" The measure changed in {', '.join(map(str, breaks))}; lines are not joined across the change."
    return ctx.figure("trend", caption, alt, fig)


def _consecutive(run: list[say.Point], order: dict[int, int]) -> list[list[say.Point]]:
    """Split a run of points where a configured test year is missing, so a gap is not drawn over."""
    out: list[list[say.Point]] = []
    for p in run:
        if out and order[p.year] == order[out[-1][-1].year] + 1:
            out[-1].append(p)
        else:
            out.append([p])
    return out


def _attainment_sentences(ctx: Context, att: pd.DataFrame, la: pd.DataFrame) -> str:
    """Trend, standing against comparators and (for an LA) rank, all for the headline measure."""
    last = ctx.unit.years[-1]
    points = _headline_points(att, ctx.standards, ctx.unit.years)
    national = {p.year: p.value for p in _headline_points(att, ctx.standards, ctx.unit.years, "national")}
    refs = say.refs([ctx.numbering.ref(f"{k}-{e}") for e, _ in ctx.eras() for k in ("headline", "higher")])
    text = [
        f"{refs} show Key Stage 2 results in {ctx.name} against national and local comparators; "
        f"{ctx.numbering.ref('trend')} shows the headline measure over time."
    ]
    labels = {e: f"{headline_label(ctx.standards, e)} in {ctx.name}" for e, _ in ctx.eras()}
    text.append(say.trend(labels, points, national))
    rows = measure_rows(att, ["headline"], [last])
    value = value_of(rows, "headline", last)
    if not say.missing(value):
        national_now = ("the national figure", value_of(rows, "headline", last, "national"))
        if ctx.is_la:
            comps = [
                national_now,
                (f"the {ctx.unit.region_name or 'regional'} figure", value_of(rows, "headline", last, "region")),
                ("the mean of its statistical neighbours", value_of(rows, "headline", last, "sn_mean")),
            ]
        else:
            comps = [
                (f"the {ctx.unit.la_name} figure", value_of(measure_rows(la, ["headline"], [last]), "headline", last)),
                national_now,
            ]
        text.append(say.standing(ctx.name, last, value, comps))
        if ctx.is_la:
            quartile = rows["quartile"].get(("headline", last), "")
            rank, n_las = value_of(rows, "headline", last, "rank"), value_of(rows, "headline", last, "n_las")
            text.append(say.rank(ctx.name, last, rank, n_las, quartile if isinstance(quartile, str) else ""))
    return " ".join(t for t in text if t)


def floor(ctx: Context) -> list[Block]:
    """2.3 The floor standard: schools below it by year, the threshold in each heading, "(n)" lifted by progress."""
    counts = ctx.unit.table("floor_counts").set_index("year")
    blocks: list[Block] = [ctx.heading(2, "The floor standard")]
    intro = (
        "A school is below the floor standard when its headline result is below the year's threshold and its "
        "pupils' progress is also below the year's progress test; a school whose pupils made enough progress "
        "stays above the floor even when its attainment is below the threshold."
    )
    la_rule = [y for y in ctx.unit.years if y in counts.index and counts.at[y, "rule_source"] != ctx.standards.floor(2019).source]
    if la_rule:
        intro += (
            f" The Department for Education stopped the floor standard after 2019; for {span(la_rule)} the table applies "
            f"{ctx.unit.la_name}'s own rule (the same thresholds), which is the LA's, not the government's."
        )
    blocks.append(Text(intro))
    for era, years in ctx.eras():
        years = [y for y in years if y in counts.index]
        if years:
            blocks.append(_floor_table(ctx, counts, era, years))
    blocks.append(Text(_floor_sentence(ctx, counts)))
    return blocks


def _floor_heading(ctx: Context, counts: pd.DataFrame, year: int) -> str:
    """ "2019 (65%)", with "LA rule" after 2019."""
    own = counts.at[year, "rule_source"] != ctx.standards.floor(2019).source
    return f"{year} ({shown(counts.at[year, 'threshold'])}%{', LA rule' if own else ''})"


def _floor_table(ctx: Context, counts: pd.DataFrame, era: str, years: list[int]) -> Table:
    """Table 3: schools assessed, below on attainment, below the floor "(n)", excluded, by year."""
    tidy = counts.loc[years].reset_index()[
        ["year", "threshold", "n_assessed", "n_below_attainment", "n_lifted", "n_below_floor", "n_not_available", "n_excluded"]
    ]

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        table = safe.set_index("year")
        below, heads = {}, {}
        for y in years:
            progress = ctx.standards.floor(y).progress
            if not progress.available:
                below[y] = NOT_AVAILABLE
            elif progress.kind == "none":
                below[y] = shown(table.at[y, "n_below_floor"])
            else:
                below[y] = f"{shown(table.at[y, 'n_below_floor'])} ({shown(table.at[y, 'n_lifted'])})"
            heads[y] = _floor_heading(ctx, counts, y)
        rows = {
            "Schools assessed": {y: shown(table.at[y, "n_assessed"]) for y in years},
            "Below the attainment threshold": {y: shown(table.at[y, "n_below_attainment"]) for y in years},
            "Below the floor standard (n)": below,
            f"Excluded (fewer than {ctx.standards.floor(years[-1]).min_cohort} pupils)": {
                y: shown(table.at[y, "n_excluded"]) for y in years
            },
        }
        out = by_year(rows, years, "Schools")
        return out.rename(columns={str(y): heads[y] for y in years})

    note = "(n): schools below the attainment threshold whose pupils' progress took them above the floor."
    if any(not ctx.standards.floor(y).progress.available for y in years):
        note += " Not available: no progress scores were published, so the progress test cannot be applied."
    return ctx.table(
        f"floor-{era}",
        f"Number of {ctx.name} schools below the floor standard, {span(years)} (threshold in each heading)",
        tidy,
        display,
        indicators=[
            Indicator("threshold", "Attainment threshold (%)", "%", 0),
            Indicator("n_assessed", "Schools assessed", "", 0),
            Indicator("n_below_attainment", "Schools below the attainment threshold", "", 0),
            Indicator("n_lifted", "Schools lifted above the floor by progress", "", 0),
            Indicator("n_below_floor", "Schools below the floor standard", "", 0),
            Indicator("n_not_available", "Schools whose progress test is not available", "", 0),
            Indicator("n_excluded", "Schools excluded (small cohort)", "", 0),
        ],
        note=note,
    )


def _floor_sentence(ctx: Context, counts: pd.DataFrame) -> str:
    """How the number below the floor moved over the years the progress test could be applied."""
    years = [y for y in ctx.eras()[-1][1] if y in counts.index and ctx.standards.floor(y).progress.available]
    if not years:
        return "The progress test could not be applied in any year of this report, so no school is counted below the floor."
    first, last = years[0], years[-1]
    a, b = int(counts.at[first, "n_below_floor"]), int(counts.at[last, "n_below_floor"])
    refs = say.refs([ctx.numbering.ref(f"floor-{e}") for e, ys in ctx.eras() if any(y in counts.index for y in ys)])
    if first == last:
        text = f"In {last}, {say.count(b, 'school')} in {ctx.name} {'was' if b == 1 else 'were'} below the floor standard."
    else:
        text = say.numbers(f"The number of {ctx.name} schools below the floor standard", first, a, last, b) + "."
    lifted = int(counts.at[last, "n_lifted"])
    if lifted:
        text += (
            f" In {last} another {say.count(lifted, 'school')} {'was' if lifted == 1 else 'were'} below the attainment threshold "
            f"but kept above the floor by {'its' if lifted == 1 else 'their'} pupils' progress."
        )
    return f"{refs} {'show' if refs.startswith('Tables') else 'shows'} the count by year. {text}"


def other_measures(ctx: Context) -> list[Block]:
    """2.4 Other measures of success: schools at the threshold or above, change bands and the mean change."""
    dist = ctx.unit.table("distribution").set_index("year")
    bands = ctx.unit.table("change_bands")
    bands = bands[bands["measure"] == "headline"]
    threshold = shown(ctx.standards.distribution_threshold)
    blocks: list[Block] = [ctx.heading(2, "Other measures of success")]
    context = ctx.narrative("context")
    if context:
        blocks.append(Text(context))
    for era, years in ctx.eras():
        years = [y for y in years if y in dist.index]
        if years:
            blocks.append(_distribution_table(ctx, dist, bands, era, years))
    blocks.append(Text(_distribution_sentences(ctx, dist, bands, threshold)))
    return blocks


def _distribution_table(ctx: Context, dist: pd.DataFrame, bands: pd.DataFrame, era: str, years: list[int]) -> Table:
    """Table 4: number and % of schools at the threshold or above, % of schools in each change band, mean change."""
    threshold = shown(ctx.standards.distribution_threshold)
    short = ERA_TERMS[era][2]
    tidy = dist.loc[years].reset_index()[
        ["year", "n_schools", "n_at_or_above", "pct_at_or_above", "n_with_change", "mean_change"]
    ]
    labels = [b.label for b in ctx.standards.change_bands]
    wide = bands[bands["year"].isin(years)].pivot_table(index="year", columns="band", values="pct", aggfunc="first")
    for label in labels:
        tidy[f"band_{label}"] = tidy["year"].map(wide[label]) if label in wide.columns else np.nan
    tidy.loc[tidy["n_with_change"] == 0, [f"band_{b}" for b in labels]] = np.nan

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        t = safe.set_index("year")
        rows = {
            f"Schools at {threshold}%+ (number)": {y: shown(t.at[y, "n_at_or_above"]) for y in years},
            f"Schools at {threshold}%+ (%)": {y: shown(t.at[y, "pct_at_or_above"]) for y in years},
        }
        ranges = band_ranges(ctx.standards)
        for label in reversed(labels):
            rows[f"{'Declined' if label == labels[0] else 'Changed by ' + ranges[label]} (% of schools)"] = {
                y: shown(t.at[y, f"band_{label}"]) for y in years
            }
        rows["Mean change on previous year (pp)"] = {y: signed(t.at[y, "mean_change"]) for y in years}
        return by_year(rows, years, f"{short} (%)")

    return ctx.table(
        f"distribution-{era}",
        f"Schools in {ctx.name} at {threshold}% or more on the headline measure ({short}), "
        f"and the change in each school's result, {span(years)}",
        tidy,
        display,
        indicators=[
            Indicator("n_schools", "Schools with a published result", "", 0),
            Indicator("n_at_or_above", f"Schools at {threshold}% or more", "", 0),
            Indicator("pct_at_or_above", f"% of schools at {threshold}% or more", "%", 1),
            Indicator("n_with_change", "Schools with a change on the previous year", "", 0),
            *[Indicator(f"band_{b}", f"% of schools whose change was: {b}", "%", 1) for b in labels],
            Indicator("mean_change", "Mean change on the previous year (pp)", "", 1),
        ],
        note="Changes are in percentage points; bands are shares of the schools with a result in both years. "
        "A school's change is not shown in the first year of a measure.",
    )


def _distribution_sentences(ctx: Context, dist: pd.DataFrame, bands: pd.DataFrame, threshold: str) -> str:
    """The last year's share of schools at the threshold and the share that improved by each band."""
    last = ctx.unit.years[-1]
    if last not in dist.index:
        return ""
    refs = say.refs([ctx.numbering.ref(f"distribution-{e}") for e, ys in ctx.eras() if any(y in dist.index for y in ys)])
    text = [
        f"{refs} {'show' if refs.startswith('Tables') else 'shows'} how many schools reached {threshold}% or more "
        "on the headline measure."
    ]
    text.append(
        f"In {last}, {say.count(int(dist.at[last, 'n_at_or_above']), 'school')} ({say.pct(dist.at[last, 'pct_at_or_above'])} "
        f"of the {int(dist.at[last, 'n_schools'])} with a result) reached {threshold}% or more."
    )
    now = bands[bands["year"] == last].set_index("band")
    prev = dist.at[last, "n_with_change"]
    if not now.empty and prev:
        bands_ = ctx.standards.change_bands
        ups = [
            b.label
            for a, b in zip(bands_, bands_[1:], strict=False)
            if a.upper is not None and a.upper > 0 and b.label in now.index
        ][:2]
        declined = bands_[0].label
        tail = f"; {say.pct(now.at[declined, 'pct'])} {declined}" if declined in now.index else ""
        if ups:
            first, *rest = ups
            improved = (
                f"{say.pct(now.at[first, 'cum_pct'])} of schools improved their headline result by {first} percentage points"
            )
            improved += "".join(f" and {say.pct(now.at[b, 'cum_pct'])} by {b}" for b in rest)
            text.append(f"Between {previous_year(ctx.standards, last)} and {last}, {improved}{tail}.")
    return " ".join(text)


def closing_gap(ctx: Context) -> list[Block]:
    """2.5 Closing the gap: disadvantaged pupils against the rest, beside national, labelled with the definition."""
    gaps = ctx.unit.table("gaps").set_index("year")
    blocks: list[Block] = [ctx.heading(2, "Closing the gap")]
    for era, years in ctx.eras():
        years = [y for y in years if y in gaps.index]
        if years:
            blocks.append(_gap_table(ctx, gaps, era, years))
    years = [y for y in ctx.unit.years if y in gaps.index and not say.missing(gaps.at[y, "gap"])]
    if years:
        era = ctx.standards.year_eras[years[-1]]
        years = [y for y in years if ctx.standards.year_eras[y] == era]
        first, last = years[0], years[-1]
        text = [
            f"{ctx.numbering.ref(f'gap-{era}')} compares disadvantaged pupils ({definition(ctx.standards, era)}) "
            "with all other pupils."
        ]
        text.append(
            say.gap_trend(ctx.name, first, gaps.at[first, "gap"], last, gaps.at[last, "gap"], gaps.at[last, "national_gap"])
        )
        text.append(
            f"In {last}, disadvantaged pupils in {say.count(int(gaps.at[last, 'n_match_national']), 'school')} of the "
            f"{int(gaps.at[last, 'n_schools_disadv'])} with a published figure did as well as or better than "
            "all pupils nationally "
            f"({say.pct(gaps.at[last, 'national_all'])})."
        )
        blocks.append(Text(" ".join(text)))
    return blocks


def _gap_table(ctx: Context, gaps: pd.DataFrame, era: str, years: list[int]) -> Table:
    """Table 5: % at the headline for disadvantaged and other pupils and the gap, by year, with national for the last year."""
    cols = [
        "disadv_pct",
        "disadv_denominator",
        "other_pct",
        "other_denominator",
        "gap",
        "national_disadv",
        "national_other",
        "national_gap",
        "n_schools_disadv",
        "n_match_national",
    ]
    tidy = gaps.loc[years].reset_index()[["year", *cols]]
    short = ERA_TERMS[era][2]
    last = years[-1]

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        t = safe.set_index("year")
        rows = {
            "Disadvantaged": {y: shown(t.at[y, "disadv_pct"]) for y in years},
            "Other pupils": {y: shown(t.at[y, "other_pct"]) for y in years},
            "Gap (pp)": {y: shown(t.at[y, "gap"]) for y in years},
            "Schools where disadvantaged pupils matched national (all pupils)": {
                y: f"{shown(t.at[y, 'n_match_national'])} of {shown(t.at[y, 'n_schools_disadv'])}" for y in years
            },
        }
        national = {
            "Disadvantaged": shown(t.at[last, "national_disadv"]),
            "Other pupils": shown(t.at[last, "national_other"]),
            "Gap (pp)": shown(t.at[last, "national_gap"]),
        }
        return by_year(rows, years, f"% {short}", {f"National {last}": national})

    return ctx.table(
        f"gap-{era}",
        f"Headline attainment ({short}) of disadvantaged and other pupils in {ctx.name}, {span(years)}; "
        f"disadvantaged: {definition(ctx.standards, era)}",
        tidy,
        display,
        counts=["disadv_denominator", "other_denominator"],
        percents={"disadv_pct": "disadv_denominator", "other_pct": "other_denominator"},
        linked={"disadv_pct": "gap", "other_pct": "gap"},
        indicators=[
            Indicator("disadv_pct", "% of disadvantaged pupils", "%", 1),
            Indicator("disadv_denominator", "Disadvantaged pupils", "", 0),
            Indicator("other_pct", "% of other pupils", "%", 1),
            Indicator("other_denominator", "Other pupils", "", 0),
            Indicator("gap", "Gap (other minus disadvantaged, pp)", "", 1),
            Indicator("national_disadv", "National: % of disadvantaged pupils", "%", 1),
            Indicator("national_other", "National: % of other pupils", "%", 1),
            Indicator("national_gap", "National gap (pp)", "", 1),
            Indicator("n_schools_disadv", "Schools with a published figure for disadvantaged pupils", "", 0),
            Indicator("n_match_national", "Schools where disadvantaged pupils matched the national figure for all pupils", "", 0),
        ],
        note="Gap: other pupils minus disadvantaged pupils, in percentage points, computed before rounding."
        + (" Percentages are DfE's published LA figures, which count every pupil."
           if (gaps.loc[years].get("source", pd.Series(dtype=str)) == OFFICIAL).any() else ""),
    )


# --- section 3 -----------------------------------------------------------------------------------


def support_year(ctx: Context) -> int | None:
    """The latest report year with support recorded for the unit's schools (None when there is none)."""
    summary = ctx.unit.table("support_summary")
    recorded = summary[(summary["group"] == "all schools") & (summary["days_total"] > 0)]
    return int(recorded["year"].max()) if not recorded.empty else None


def support(ctx: Context) -> list[Block]:
    """3.1-3.2 Support deployed and results: Table 6, the days-versus-change chart, support by improvement band."""
    blocks: list[Block] = [ctx.heading(3, "Support deployed")]
    year = support_year(ctx)
    if year is None:
        return blocks + [
            Text(f"No records of school-improvement support were supplied for {ctx.name}, so this section is omitted.")
        ]
    officer = ctx.narrative("support")
    if officer:
        blocks.append(Text(officer))
    summary = ctx.unit.table("support_summary")
    summary = summary[summary["year"] == year].set_index("group")
    blocks.append(_support_table(ctx, summary, year))
    blocks.append(Text(_support_sentences(ctx, summary, year)))
    fit = ctx.unit.table("support_fit")
    fit = fit[fit["year"] == year]
    if not fit.empty:
        blocks.append(support_figure(ctx, year))
        f = fit.iloc[0]
        blocks.append(
            Text(
                f"{ctx.numbering.ref('support-scatter')} sets each school's days of support in {academic(year)} "
                "against the change in its "
                f"headline result in {year}, with the fitted line and its confidence band. "
                + say.association(
                    int(f["n"]), f["slope"], f["slope_lower"], f["slope_upper"], f["confidence"], "the headline result"
                )
            )
        )
    blocks.append(ctx.heading(3, "Support and improvement"))
    blocks.append(_band_table(ctx, year, "headline"))
    blocks.append(Text(_band_sentence(ctx, year, "headline", ["any support"], "headline")))
    return blocks


def academic(year: int) -> str:
    """The academic year before a May test year: 2019 -> "2018/19"."""
    return f"{year - 1}/{year % 100:02d}"


def _support_groups(ctx: Context, year: int) -> dict[str, str]:
    """Group key -> column heading of Table 6."""
    before = previous_year(ctx.standards, year)
    return {
        "all schools": f"All {ctx.name} schools",
        "below floor previous year": f"Schools below the floor in {before}"
        if before
        else "Schools below the floor the previous year",
        "improved by threshold": f"Schools improved by {shown(ctx.standards.support.improved_pp)} pp or more",
    }


def _support_table(ctx: Context, summary: pd.DataFrame, year: int) -> Table:
    """Table 6: days of support, schools supported, mean per school, statutory and purchased, mean change, per group."""
    groups = _support_groups(ctx, year)
    tidy = summary.reindex(list(groups)).reset_index().rename(columns={"index": "group"})
    tidy["year"] = year
    tidy = tidy[
        [
            "year",
            "group",
            "n_schools",
            "n_supported",
            "days_total",
            "days_statutory",
            "days_purchased",
            "mean_days_per_school",
            "mean_change",
            "diff_vs_unit",
        ]
    ]

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        t = safe.set_index("group")
        out = {
            "": [
                "Days of support (schools supported)",
                "Average days per school",
                "Statutory days",
                "Purchased days",
                "Mean change in headline result (pp)",
                f"Difference from the {ctx.name} mean (pp)",
            ]
        }
        for key, heading in groups.items():
            out[heading] = [
                f"{shown(t.at[key, 'days_total'], 1)} ({say.count(int(t.at[key, 'n_supported']), 'school')})"
                if not pd.isna(t.at[key, "n_supported"])
                else MISSING,
                shown(t.at[key, "mean_days_per_school"], 1),
                shown(t.at[key, "days_statutory"], 1),
                shown(t.at[key, "days_purchased"], 1),
                signed(t.at[key, "mean_change"]),
                signed(t.at[key, "diff_vs_unit"]) if key != "all schools" else MISSING,
            ]
        return pd.DataFrame(out)

    return ctx.table(
        "support",
        f"The deployment of school-improvement support in {academic(year)}, and the change in results in {year}",
        tidy,
        display,
        filters={"group": "Group of schools"},
        indicators=[
            Indicator("n_schools", "Schools in the group", "", 0),
            Indicator("n_supported", "Schools supported", "", 0),
            Indicator("days_total", "Days of support", "", 1),
            Indicator("days_statutory", "Statutory days", "", 1),
            Indicator("days_purchased", "Purchased days", "", 1),
            Indicator("mean_days_per_school", "Average days per school", "", 1),
            Indicator("mean_change", "Mean change in headline result (pp)", "", 1),
            Indicator("diff_vs_unit", "Difference from the unit's mean change (pp)", "", 1),
        ],
        note="Average per school: over all schools in the group, supported or not. "
        f"The improved group is defined by its result in {year}, after the support." + _empty_groups(ctx, summary, groups),
    )


def _empty_groups(ctx: Context, summary: pd.DataFrame, groups: dict[str, str]) -> str:
    """A note naming any group of Table 6 with no schools (e.g. no floor could be applied the year before)."""
    empty_ = [g for g in groups if g not in summary.index or summary.at[g, "n_schools"] == 0]
    if not empty_:
        return ""
    return " " + " ".join(f"{groups[g]}: no schools." for g in empty_)


def _support_sentences(ctx: Context, summary: pd.DataFrame, year: int) -> str:
    """Facts of Table 6: days per school for schools below the floor against all schools, and their mean changes."""
    groups = _support_groups(ctx, year)
    allr = summary.loc["all schools"]
    text = [
        f"{ctx.numbering.ref('support')} shows the days of support given to {ctx.name} schools in {academic(year)}: "
        f"{shown(allr['days_total'], 1)} days to {say.count(int(allr['n_supported']), 'school')}, "
        f"{shown(allr['days_statutory'], 1)} statutory and {shown(allr['days_purchased'], 1)} purchased."
    ]
    if "below floor previous year" in summary.index and summary.at["below floor previous year", "n_schools"] > 0:
        b = summary.loc["below floor previous year"]
        text.append(
            f"{groups['below floor previous year']} received on average {shown(b['mean_days_per_school'], 1)} days each, against "
            f"{shown(allr['mean_days_per_school'], 1)} across all schools; their headline result changed by "
            f"{signed(b['mean_change'])} percentage points on average, against {signed(allr['mean_change'])} for all schools."
        )
    if "improved by threshold" in summary.index and summary.at["improved by threshold", "n_schools"] > 0:
        i = summary.loc["improved by threshold"]
        text.append(
            f"The {say.count(int(i['n_schools']), 'school')} that improved by "
            f"{shown(ctx.standards.support.improved_pp)} percentage points "
            f"or more had received on average {shown(i['mean_days_per_school'], 1)} days each, "
            f"{shown(i['days_purchased'] / i['n_schools'], 1)} of them purchased."
        )
    return " ".join(text)


def support_figure(ctx: Context, year: int) -> Figure:
    """Scatter of each school's support days against its headline change, with the fitted line and confidence band."""
    use_house_style()
    changes = ctx.unit.table("school_changes")
    changes = changes[(changes["year"] == year) & (changes["measure"] == "headline") & changes["change_1y"].notna()]
    days = school_days(ctx.unit.canonical["support_days"])
    points = changes.merge(days[days["year"] == year], on=["urn", "year"], how="left").fillna({"days_total": 0.0})
    band = ctx.unit.table("support_band")
    band = band[band["year"] == year].sort_values("x")
    fit = ctx.unit.table("support_fit").query("year == @year").iloc[0]
    fig, ax = plt.subplots()
    ax.scatter(points["days_total"], points["change_1y"], s=14, alpha=0.6, color=PALETTE[0], label="School")
    if not band.empty:
        ax.fill_between(
            band["x"],
            band["lower"],
            band["upper"],
            color=PALETTE[1],
            alpha=0.25,
            label=f"{say.whole(fit['confidence'] * 100)}% confidence band",
        )
        ax.plot(band["x"], band["fit"], color=PALETTE[5], label="Fitted line")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(f"Days of support, {academic(year)}")
    ax.set_ylabel(f"Change in headline result, {year} (pp)")
    ax.legend(frameon=False)
    caption = f"Days of support in {academic(year)} and the change in each school's headline result in {year}, {ctx.name}"
    line = (
        f"The fitted line changes by {shown(fit['slope'], 1)} percentage points per day "
        f"(from {signed(fit['intercept'])} at no days)"
        if not say.missing(fit["slope"])
        else "Too few schools to fit a line"
    )
    alt = (
        f"Scatter chart of {len(points)} {ctx.name} schools: days of support from 0 to {shown(points['days_total'].max(), 1)} "
        f"against the change in the headline result from {signed(points['change_1y'].min())} "
        f"to {signed(points['change_1y'].max())} "
        f"percentage points; {say.count(int((points['days_total'] > 0).sum()), 'school')} had support. {line}."
    )
    return ctx.figure("support-scatter", caption, alt, fig)


def _band_table(ctx: Context, year: int, measure: str) -> Table:
    """Support by improvement band: schools in each band and the % with each kind of support (e.g. Hampshire 3.6)."""
    rows = ctx.unit.table("support_by_band")
    rows = rows[(rows["year"] == year) & (rows["measure"] == measure)]
    kinds = [k for k in ("any support", "kind: statutory", "kind: purchased") if k in set(rows["support"])]
    labels = [b.label for b in reversed(ctx.standards.change_bands)]
    wide = rows.pivot_table(index="band", columns="support", values="pct_with", aggfunc="first").reindex(labels)
    tidy = pd.DataFrame({"year": year, "band": labels})
    n_band = rows.groupby("band")["n_band"].first().reindex(labels)
    tidy["n_band"] = n_band.fillna(0).astype(int).to_numpy()
    for k in kinds:
        tidy[k] = wide[k].to_numpy() if k in wide.columns else np.nan
    name = "headline result" if measure == "headline" else f"{SUBJECT_NAMES[measure]} result"

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame(
            {f"Change in {name} (pp)": safe["band"].map(band_ranges(ctx.standards)), "Schools": safe["n_band"].map(shown)}
        )
        for k in kinds:
            out[f"% with {k.removeprefix('kind: ')}" + (" support" if k.startswith("kind") else "")] = safe[k].map(shown)
        return out

    return ctx.table(
        f"bands-{measure}",
        f"Schools by change in their {name} between {previous_year(ctx.standards, year)} and {year}, "
        f"and the % that had support in {academic(year)}, {ctx.name}",
        tidy,
        display,
        filters={"band": "Change band"},
        indicators=[
            Indicator("n_band", "Schools in the band", "", 0),
            *[Indicator(k, f"% of schools with {k}", "%", 1) for k in kinds],
        ],
    )


def _band_sentence(ctx: Context, year: int, measure: str, kinds: list[str], subject: str) -> str:
    """ "Of the 22 schools whose ... improved by 20 or more, 68% had ...", for the top band and for schools that declined."""
    rows = ctx.unit.table("support_by_band")
    rows = rows[(rows["year"] == year) & (rows["measure"] == measure)].set_index(["band", "support"])
    top, declined = ctx.standards.change_bands[-1].label, ctx.standards.change_bands[0].label
    text = []
    for band, verb in ((top, f"improved by {top} percentage points"), (declined, "declined")):
        parts = []
        for k in kinds:
            if (band, k) in rows.index:
                parts.append(f"{say.pct(rows.at[(band, k), 'pct_with'])} {describe_support(k)}")
        n = int(rows.loc[band, "n_band"].iloc[0]) if band in rows.index.get_level_values(0) else 0
        if n and parts:
            text.append(f"Of the {say.count(n, 'school')} whose {subject} result {verb}, {say.listing(parts)}.")
    return " ".join(text)


def describe_support(kind: str) -> str:
    """Words for a support label of support_by_band: "team: Mathematics" -> "had support from the Mathematics team"."""
    what, _, name = kind.partition(": ")
    if what == "team":
        return f"had support from the {name} team"
    if what == "subscription":
        return f"subscribed to {name}"
    if what == "kind":
        return f"had {name} support"
    return "had some support"


SUBJECTS = {
    "maths": (
        "Mathematics",
        {"levels_em": ["mat"], "levels_rwm": ["mat"], "expected": ["mat"]},
        ["team: Mathematics", "subscription: Core provision (maths)"],
    ),
    "english": (
        "English",
        {"levels_em": ["eng"], "levels_rwm": ["read", "writ"], "expected": ["read", "writ"]},
        ["team: English", "subscription: Core provision (English)"],
    ),
}


def subject(ctx: Context, name: str) -> list[Block]:
    """A subject section (maths or English): one table per era (Hampshire Tables 7 and 9), officer text, support by band."""
    title, by_era, kinds = SUBJECTS[name]
    blocks: list[Block] = [ctx.heading(3, title)]
    att = ctx.unit.table("attainment")
    for era, years in ctx.eras():
        blocks.append(_subject_table(ctx, att, title, by_era[era], era, years))
    last = ctx.unit.years[-1]
    era = ctx.standards.year_eras[last]
    points = {m: [p for p in _points(att, m, ctx.standards, ctx.unit.years) if m in by_era[p.era]] for m in by_era[era]}
    national = {
        m: dict(zip(att.loc[att["measure"] == m, "year"], att.loc[att["measure"] == m, "national"], strict=True))
        for m in by_era[era]
    }
    text = [
        say.trend(
            {e: f"The percentage of {ctx.name} pupils {ERA_VERB[e]} in {SUBJECT_NAMES[m]}" for e, _ in ctx.eras()},
            points[m],
            national[m],
        )
        for m in by_era[era]
        if points[m]
    ]
    blocks.append(Text(" ".join(text)))
    officer = ctx.narrative(name)
    if officer:
        blocks.append(Text(officer))
    year = support_year(ctx)
    if year is not None:
        sentences = [_band_sentence(ctx, year, m, kinds, f"{SUBJECT_NAMES[m]}") for m in by_era[ctx.standards.year_eras[year]]]
        if any(sentences):
            blocks.append(Text(" ".join(s for s in sentences if s)))
    return blocks


ERA_VERB = {
    "levels_em": "reaching Level 4 or above",
    "levels_rwm": "reaching Level 4 or above",
    "expected": "meeting the expected standard",
}


def _points(att: pd.DataFrame, measure: str, standards: Standards, years: Sequence[int]) -> list[say.Point]:
    """One measure's series as sentence points."""
    rows = att[(att["measure"] == measure) & att["year"].isin(years)].sort_values("year")
    return [say.Point(int(y), float(v), standards.year_eras[int(y)]) for y, v in zip(rows["year"], rows["value"], strict=True)]


def _subject_table(ctx: Context, att: pd.DataFrame, title: str, measures: list[str], era: str, years: list[int]) -> Table:
    """Per-subject attainment (expected and higher) and progress by year, with national for the last year."""
    expected, higher, _ = ERA_TERMS[era]
    scores = era == "expected"
    progress = "_prog" if scores else "_2lp"
    lines = []
    for m in measures:
        name = SUBJECT_NAMES[m].capitalize()
        lines += [
            (m, f"{name}: {expected}", 0),
            (m + "_higher", f"{name}: {higher}", 0),
            (m + progress, f"{name}: {'progress score' if scores else '% two levels of progress'}", 1 if scores else 0),
        ]
    rows = measure_rows(att, [m for m, _, _ in lines] + ["eligible"], years)
    lines = [line for line in lines if any((line[0], y) in rows.index for y in years)]
    tidy = pd.DataFrame({"year": years, "pupils": [value_of(rows, "eligible", y) for y in years]})
    for m, _, _ in lines:
        tidy[m] = [value_of(rows, m, y) for y in years]
        tidy[m + "_national"] = [value_of(rows, m, y, "national") for y in years]
    last = years[-1]
    unavailable = {y for y in years if not ctx.standards.floor(y).progress.available}

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        t = safe.set_index("year")
        table = {}
        for m, label, dp in lines:
            table[label] = {
                y: NOT_AVAILABLE if m.endswith(progress) and y in unavailable else shown(t.at[y, m], dp) for y in years
            }
        national = {
            label: NOT_AVAILABLE if m.endswith(progress) and last in unavailable else shown(t.at[last, m + "_national"], dp)
            for m, label, dp in lines
        }
        return by_year(table, years, title, {f"National {last}": national})

    pcts = [m for m, _, _ in lines if not m.endswith("_prog")]
    return ctx.table(
        f"subject-{title.lower()}-{era}",
        f"{title}: attainment and progress in {ctx.name}, {span(years)}",
        tidy,
        display,
        counts=["pupils"],
        percents={m: "pupils" for m in pcts},
        indicators=[Indicator("pupils", "Eligible pupils", "", 0)]
        + [
            Indicator(c, c.replace("_", " "), "" if c.split("_national")[0].endswith("_prog") else "%", 1)
            for c in tidy.columns
            if c not in ("year", "pupils")
        ],
    )


# --- sections 4 to 8, corporate information -------------------------------------------------------


def conclusions(ctx: Context) -> list[Block]:
    """4 Conclusions: the officers' text, numbered."""
    return [Text(numbered(4, [ctx.narrative("conclusions")]))]


def implications(ctx: Context) -> list[Block]:
    """5-8 Financial, personnel, legal, learning and development implications (officer text or the default)."""
    out = []
    for number, (key, label) in enumerate(IMPLICATIONS.items(), start=5):
        out.append(Text(f"## {number} {label} Implications\n\n" + numbered(number, [ctx.narrative(key)])))
    return out


def corporate(ctx: Context) -> list[Block]:
    """Corporate or legal information and impact assessments, from report.yaml."""
    blocks: list[Block] = []
    if ctx.config.corporate:
        items = "\n".join(f"- **{c.get('label', '')}:** {c.get('value', '')}" for c in ctx.config.corporate)
        blocks.append(Text(f"## Corporate or legal information\n\n**Links to the Corporate Strategy**\n\n{items}"))
    if ctx.config.impact_assessments:
        parts = [
            f"**{n}. {a.get('heading', '')}**\n\n{n}.1 {a.get('text', '')}"
            for n, a in enumerate(ctx.config.impact_assessments, start=1)
        ]
        blocks.append(Text("## Impact assessments\n\n" + "\n\n".join(parts)))
    return blocks


# --- appendices ----------------------------------------------------------------------------------


def case_studies(ctx: Context) -> list[Block]:
    """Appendix A: one table per case study (results, cohort, floor status and support days by year) and its officer text."""
    cases = ctx.unit.table("case_studies")
    blocks: list[Block] = [Text("## Appendix A: Case studies")]
    if cases.empty:
        return blocks + [Text(f"No case studies were supplied for {ctx.name}, so this appendix is omitted.")]
    ids = list(dict.fromkeys(cases.sort_values("case_id", key=lambda s: s.str.len() * 1000 + s.rank(method="dense"))["case_id"]))
    blocks.append(
        Text(
            f"The {say.count(len(ids), 'case study', 'case studies')} below follow named schools "
            "through the years of this report."
        )
    )
    profile_year = int(ctx.unit.tables["floor_schools"]["year"].max()) if len(ctx.unit.tables["floor_schools"]) else None
    names = ctx.unit.schools.set_index("urn")["name"]
    for case_id in ids:
        rows = cases[cases["case_id"] == case_id]
        title = str(rows["title"].iloc[0])
        blocks.append(Text(f"### {title}"))
        if profile_year is not None:
            blocks.append(Text(_case_schools(rows, names, profile_year)))
        for era, years in ctx.eras():
            years = [y for y in years if y in set(rows["year"])]
            if years:
                blocks.append(_case_table(ctx, rows, case_id, title, era, years))
        officer_path = ctx.config.folder / "narrative" / f"case-{case_id}.md"
        if officer_path.is_file():
            blocks.append(Text(officer_path.read_text(encoding="utf-8").strip()))
    return blocks


def _case_schools(rows: pd.DataFrame, names: pd.Series, year: int) -> str:
    """A line naming a case study's schools, each linked to its profile page on the site.

    The URNs come from the case table's floor_status ("urn: status; ..." as measures.case_studies writes it).
    """
    urns = sorted({int(part.split(":", 1)[0]) for status in rows["floor_status"].dropna() for part in str(status).split("; ")
                   if part.split(":", 1)[0].strip().isdigit()})
    links = [f"[{names.get(u, f'URN {u}')}]({profile_href(u, year)})" for u in urns]
    return ("Schools: " if len(links) > 1 else "School: ") + ", ".join(links) + " (profile pages on the website)."


def _case_table(ctx: Context, rows: pd.DataFrame, case_id: str, title: str, era: str, years: list[int]) -> Table:
    """One case study's figures by year; percentages suppressed for a cohort under the minimum group size."""
    subjects = subjects_of(ctx.standards, era)
    tidy = (
        rows[rows["year"].isin(years)]
        .sort_values("year")[["year", "cohort", "headline", *subjects, "floor_status", "support_days"]]
        .reset_index(drop=True)
    )
    # one school: "111945: above" -> "above"; a federation keeps each school's URN
    tidy["floor_status"] = tidy["floor_status"].map(lambda s: str(s) if ";" in str(s) else str(s).split(": ", 1)[-1])
    tidy.insert(1, "case_study", f"{case_id}: {title}")
    short = ERA_TERMS[era][2]
    level = ERA_TERMS[era][0]

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        t = safe.set_index("year")
        table = {"Pupils in the cohort": {y: shown(t.at[y, "cohort"]) for y in years}}
        for m in subjects:
            table[f"{level} {SUBJECT_NAMES[m]}"] = {y: shown(t.at[y, m]) for y in years}
        table[f"{level} {short}"] = {y: shown(t.at[y, "headline"]) for y in years}
        table["Floor standard"] = {y: str(t.at[y, "floor_status"]) for y in years}
        table["Days of support"] = {y: shown(t.at[y, "support_days"], 1) for y in years}
        return by_year(table, years, case_id)

    return ctx.table(
        f"case-{case_id}-{era}",
        f"{title}: results, cohort, floor status and support by year, {span(years)}",
        tidy,
        display,
        counts=["cohort"],
        percents={c: "cohort" for c in ["headline", *subjects]},
        filters={"case_study": "Case study", "floor_status": "Floor standard status"},
        indicators=[
            Indicator("cohort", "Pupils in the cohort", "", 0),
            *[Indicator(c, f"% {c}", "%", 1) for c in ["headline", *subjects]],
            Indicator("support_days", "Days of support", "", 1),
        ],
    )


def data_notes(ctx: Context) -> list[Block]:
    """Appendix B: sources, definitions, eras, exclusions, suppression and the rejects summary."""
    rules, floor_rule = ctx.standards.disclosure, ctx.standards.floor(ctx.unit.years[-1])
    files = ctx.unit.canonical.get("provenance", pd.DataFrame({"file": []}))["file"].astype(str)
    groups = files.str.split("/").str[0].value_counts().sort_index()
    kinds = {
        "ks2": "KS2 school performance tables (DfE)",
        "ks4": "KS4 school performance tables (DfE)",
        "lait": "LA benchmarks and statistical neighbours (DfE LAIT)",
        "gias": "establishments and links (GIAS)",
        "meta": "LA and region codes",
        "la": f"{ctx.unit.la_name}'s own records (districts, support, subscriptions, case studies)",
    }
    sources = "\n".join(f"- {kinds.get(g, g)}: {say.count(int(n), 'file')}" for g, n in groups.items())
    eras = "\n".join(
        f"- {span(years)}: headline {ctx.standards.eras[e].headline_label}; higher {ctx.standards.eras[e].higher_label}; "
        f"disadvantaged pupils: {definition(ctx.standards, e)}."
        for e, years in ctx.eras()
    )
    text = [
        "## Appendix B: Data notes",
        f"**Sources.** The figures are computed from these input files (Appendix C lists each with its SHA-256):\n\n{sources}",
        f"**Definitions.** A year is the calendar year of the May tests ({ctx.unit.years[-1]} is the academic year "
        f"{academic(ctx.unit.years[-1])}). "
        f"Percentages for {ctx.name} are pupil-weighted: the pupils reaching a standard in all its schools over all "
        "their eligible pupils, not an average of school percentages. National figures are DfE's for all state-funded schools.",
        f"**Eras.**\n\n{eras}",
        "**Exclusions.** Values a school did not publish (suppressed, not applicable or missing) are left out of both "
        f"numerator and denominator. Schools with fewer than {floor_rule.min_cohort} eligible pupils are excluded from the "
        "floor standard. A school that converted to an academy is followed as one series across its old and new URNs.",
        f"**Suppression.** Percentages resting on fewer than {rules.min_group} pupils and counts of pupils from 1 to "
        f"{rules.min_count - 1} are suppressed and shown as \u201c{rules.symbol}\u201d, with a further cell hidden wherever "
        "a hidden one could be worked out from a total. Counts of schools are not suppressed: they describe schools, "
        f"not pupils. \u201c{MISSING}\u201d means no figure exists for that cell.",
        "**Rounding.** Percentages are rounded half up to whole numbers for display (the downloads keep one decimal); "
        "differences are computed before rounding, so a difference can differ by one from the difference of the rounded figures.",
    ]
    blocks: list[Block] = [Text("\n\n".join(text))]
    rejects = rejects_summary(ctx.unit.canonical.get("rejects", pd.DataFrame({"file": [], "reason": []})))
    if rejects.empty:
        blocks.append(Text("**Rejected values.** No value in the input files was rejected."))
    else:
        blocks.append(
            Text(
                "**Rejected values.** Values that could not be used were set aside and counted rather than dropped; "
                f"Table {ctx.numbering.tables + 1} summarises them."
            )
        )
        tidy = rejects.rename(columns={"File": "file", "Reason": "reason", "Values": "values"}).assign(year=ctx.unit.years[-1])
        blocks.append(
            ctx.table(
                "rejects",
                "Values set aside from the input files, by file and reason",
                tidy[["year", "file", "reason", "values"]],
                lambda safe: safe.drop(columns="year").rename(columns={"file": "File", "reason": "Reason", "values": "Values"}),
                filters={"file": "Input file", "reason": "Reason"},
                indicators=[Indicator("values", "Values set aside", "", 0)],
            )
        )
    return blocks


def provenance(ctx: Context, files: dict[str, Path]) -> list[Block]:
    """Appendix C: input files with SHA-256, the configuration files used (with theirs) and the keystage version."""
    table = ctx.unit.canonical.get("provenance", pd.DataFrame({"file": [], "bytes": [], "sha256": []}))
    blocks: list[Block] = [Text("## Appendix C: Provenance")]
    if not table.empty:
        tidy = table.assign(year=ctx.unit.years[-1])[["year", "file", "bytes", "sha256"]]
        blocks.append(
            ctx.table(
                "provenance",
                "Input files read for this report, with their size and SHA-256",
                tidy,
                lambda safe: provenance_table(safe.drop(columns="year")).assign(Bytes=lambda f: f["Bytes"].map(shown)),
                filters={"file": "Input file", "sha256": "SHA-256"},
                indicators=[Indicator("bytes", "Bytes", "", 0)],
            )
        )
    configs = "\n".join(f"- {label}: `{path.name}` (SHA-256 `{sha256(path)}`)" for label, path in files.items() if path.is_file())
    unit = ctx.unit
    years = say.listing([str(y) for y in unit.years])
    scope = f"{'LA' if ctx.is_la else 'District'} {unit.unit_name} (LA code {unit.la_code}), test years {years}"
    blocks.append(Text(f"**Configuration.**\n\n{configs}\n- Report: {scope}\n\nProduced by keystage {__version__}."))
    return blocks


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def titles(ctx: Context) -> tuple[str, str]:
    """The report's title and subtitle: "Key Stage 2: the Wessex story 2025" / "Key Stage 2 in Avonford: 2025"."""
    last = ctx.unit.years[-1]
    if ctx.is_la:
        return f"Key Stage 2: the {ctx.name} story {last}", f"Results {span(ctx.unit.years)}"
    return f"Key Stage 2 in {ctx.name}: {last}", f"A district of {ctx.unit.la_name}, results {span(ctx.unit.years)}"


def report_meta(ctx: Context, downloads: list[dict[str, str]]) -> dict[str, Any]:
    """The notebook's `keystage` metadata for the renderers: titles, unit, year, cover block, downloads."""
    title, subtitle = titles(ctx)
    cover = ctx.config.cover(title)
    if not ctx.is_la:
        cover["title"] = title
    return {
        "title": cover["title"],
        "subtitle": subtitle,
        "kind": ctx.unit.kind,
        "la_code": ctx.unit.la_code,
        "la_name": ctx.unit.la_name,
        "unit_id": ctx.unit.unit_id,
        "unit_name": ctx.name,
        "year": ctx.unit.years[-1],
        "cover": cover,
        "downloads": list(downloads),
    }
