"""Section 2 of the report: what is measured, attainment against comparators, the floor standard,
other measures of success and the disadvantage gap (Hampshire Tables 1 to 5)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from keystage.measures.scope import scope_note
from keystage.opendata import Indicator
from keystage.present import sentences as say
from keystage.present.charts import gap_sentence, line_series, percent_axis, use_house_style
from keystage.present.sections.blocks import (
    ERA_TERMS,
    NOT_AVAILABLE,
    SUBJECT_NAMES,
    Block,
    Context,
    Figure,
    Table,
    Text,
    band_ranges,
    by_year,
    definition,
    headline_label,
    measure_rows,
    numbered,
    previous_year,
    progress_measures,
    shown,
    signed,
    span,
    subjects_of,
    value_of,
)
from keystage.present.unit import OFFICIAL, PUBLISHED
from keystage.standards import Standards


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


SCALED_SCORES = ["read_avg", "mat_avg", "gps_avg"]


def attainment(ctx: Context) -> list[Block]:
    """2.2 Attainment against national and local comparators: headline, higher, progress, a trend chart, sentences."""
    series = [y for _, ys in ctx.series_eras() for y in ys]
    blocks: list[Block] = [ctx.heading(2, f"The performance of {ctx.name} schools, {span(series)}")]
    att = ctx.unit.series("attainment")
    la = ctx.unit.la_attainment
    for era, years in ctx.series_eras():
        blocks += _attainment_era(ctx, att, la, era, years)
    blocks.append(trend_figure(ctx, att, la))
    blocks.append(Text(_attainment_sentences(ctx, att, la)))
    return blocks


def _attainment_era(ctx: Context, att: pd.DataFrame, la: pd.DataFrame, era: str, years: list[int]) -> list[Block]:
    """Tables of one era: expected/Level 4 (headline) with comparators, higher, and progress."""
    short = ERA_TERMS[era][2]
    subjects = subjects_of(ctx.standards, era)
    rows = measure_rows(
        att,
        [*subjects, "headline", *[s + "_higher" for s in subjects], "higher", *progress_measures(ctx.standards, era),
         *SCALED_SCORES],
        years,
    )  # fmt: skip
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
        sources = att.loc[att["year"].isin(years) & (att["measure"] == label), "la_source"].dropna()
        if ctx.is_la and len(sources):
            notes.append(f"Sources: {say.listing(sorted(set(sources)))}; pupil numbers from the same publication as "
                         "the percentage beside them (missing where it gives none).")
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
    if any(rows.index.isin([(m, y) for m in SCALED_SCORES for y in years])):
        out.append(_scaled_score_table(ctx, rows, era, years))
    return out


def _scaled_score_table(ctx: Context, rows: pd.DataFrame, era: str, years: list[int]) -> Table:
    """Average scaled scores in reading, maths and GPS (a DfE headline measure; 100 = the expected standard)."""
    tidy = pd.DataFrame({"year": years})
    for m in SCALED_SCORES:
        tidy[m] = [value_of(rows, m, y) for y in years]
        tidy[m + "_national"] = [value_of(rows, m, y, "national") for y in years]
    headings = {"read_avg": "Reading", "mat_avg": "Maths", "gps_avg": "Grammar, punctuation and spelling"}

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        table = pd.DataFrame({"Year": safe["year"].astype(str)})
        for m, name in headings.items():
            table[name] = safe[m].map(shown)
            table[f"National {name.lower()}"] = safe[m + "_national"].map(shown)
        return table

    sources = rows[rows.index.get_level_values(0).isin(SCALED_SCORES)].get("la_source", pd.Series(dtype=str)).dropna()
    note = "Scaled scores run from 80 to 120; 100 is the expected standard. Missing (–): not published for the year."
    if ctx.is_la and len(sources):
        note += f" Sources: {say.listing(sorted(set(sources)))}."
    return ctx.table(
        f"scaled-{era}",
        f"Average scaled score by subject, {ctx.name} and national, {span(years)}",
        tidy,
        display,
        indicators=[Indicator(c, c.replace("_", " "), "", 1) for c in tidy.columns if c != "year"],
        note=note,
    )


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
    """Headline attainment of the unit against national (and its LA) by year; lines never cross an era break or
    a year with no tests, and each such gap is marked on the chart."""
    use_house_style()
    series = [(ctx.name, _headline_points(att, ctx.standards, ctx.unit.years))]
    if not ctx.is_la:
        series.append((ctx.unit.la_name, _headline_points(la, ctx.standards, ctx.unit.years)))
    series.append(("National", _headline_points(att, ctx.standards, ctx.unit.years, "national")))
    fig, ax = plt.subplots()
    values = [(name, {p.year: p.value for p in points}) for name, points in series]
    gaps = line_series(ax, values, ctx.unit.years, ctx.standards.year_eras)
    percent_axis(ax, "% of pupils")
    ax.legend(frameon=False, loc="lower right")
    breaks = [years[0] for _, years in ctx.eras()[1:]]
    labels = "; ".join(f"{headline_label(ctx.standards, e)} ({span(ys)})" for e, ys in ctx.eras())
    names = say.listing([name if name != "National" else "national" for name, _ in series])
    caption = f"Headline attainment, {names}, {span(ctx.unit.years)}"
    described = ". ".join(
        f"{name}: " + ", ".join(f"{say.pct(p.value)} in {p.year}" for p in points) for name, points in series if points
    )
    alt = f"Line chart of {labels}. {described}."
    if breaks:
        alt += f" The measure changed in {', '.join(map(str, breaks))}; lines are not joined across the change."
    if gaps:
        alt += f" {gap_sentence(gaps)}"
    return ctx.figure("trend", caption, alt, fig)


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
    la_rule = [y for y in ctx.unit.years if y in counts.index and not ctx.standards.is_government(y)]
    if la_rule:
        intro += (
            " The Department for Education announced in 2019 that floor and coasting standards would no longer be used "
            "and identified no school as below the floor from the 2019 results onward; for "
            f"{span(la_rule)} the table applies {ctx.unit.la_name}'s own rule (2018's thresholds kept), which is the "
            "LA's, not the government's."
        )
    blocks.append(Text(intro))
    coasting = ctx.unit.table("coasting_counts").set_index("year")
    for era, years in ctx.eras():
        years = [y for y in years if y in counts.index]
        if years:
            blocks.append(_floor_table(ctx, counts, coasting, era, years))
    blocks.append(Text(_floor_sentence(ctx, counts)))
    return blocks


def _floor_heading(ctx: Context, counts: pd.DataFrame, year: int) -> str:
    """ "2018 (65%)", with "LA rule" from 2019."""
    own = not ctx.standards.is_government(year)
    return f"{year} ({shown(counts.at[year, 'threshold'])}%{', LA rule' if own else ''})"


def _floor_table(ctx: Context, counts: pd.DataFrame, coasting: pd.DataFrame, era: str, years: list[int]) -> Table:
    """Table 3: schools assessed, below on attainment, below the floor "(n)", on writing alone, out of scope by
    reason, and coasting (DfE's three-year definition, 2016-2018), by year."""
    determined = [y for y in years if y in coasting.index]
    tidy = counts.loc[years].reset_index()[
        ["year", "threshold", "n_assessed", "n_below_attainment", "n_lifted", "n_below_floor", "n_writing_only",
         "n_not_available", "n_excluded", "n_special", "n_independent", "n_closed"]
    ]  # fmt: skip
    tidy["n_coasting"] = tidy["year"].map(coasting["n_coasting"]) if determined else np.nan
    tidy["n_too_few_years"] = tidy["year"].map(coasting["n_too_few_years"]) if determined else np.nan
    caveat = [y for y in years if ctx.standards.floor(y).writing_caveat]

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
        }
        if caveat:
            rows["of which below on writing alone"] = {
                y: shown(table.at[y, "n_writing_only"]) if y in caveat else "" for y in years
            }
        rows[f"Excluded (fewer than {ctx.standards.floor(years[-1]).min_cohort} pupils)"] = {
            y: shown(table.at[y, "n_excluded"]) for y in years
        }
        rows["Special schools (outside the floor)"] = {y: shown(table.at[y, "n_special"]) for y in years}
        if table["n_independent"].gt(0).any():
            rows["Independent schools (outside the floor)"] = {y: shown(table.at[y, "n_independent"]) for y in years}
        rows["Closed schools (outside the floor)"] = {y: shown(table.at[y, "n_closed"]) for y in years}
        if determined:
            rows["Coasting (three years to this one)"] = {
                y: shown(table.at[y, "n_coasting"]) if y in determined else "" for y in years
            }
            rows["Too few years to judge coasting"] = {
                y: shown(table.at[y, "n_too_few_years"]) if y in determined else "" for y in years
            }
        out = by_year(rows, years, "Schools")
        return out.rename(columns={str(y): heads[y] for y in years})

    note = "(n): schools below the attainment threshold whose pupils' progress took them above the floor. " + scope_note(
        ctx.standards, years
    )
    if caveat:
        note += (
            f" Writing alone ({span(caveat)}): DfE advised that a school below the floor only because of its writing "
            "progress should not be intervened in on that basis alone."
        )
    if any(not ctx.standards.floor(y).progress.available for y in years):
        note += " Not available: no progress scores were published, so the progress test cannot be applied."
    if determined:
        windows = ", ".join(f"{y}: {coasting.at[y, 'window']}" for y in determined)
        note += (
            " Coasting (DfE, 2016 to 2018): below 85% at the headline and below the coasting progress test in each of "
            f"three successive years ({windows}; the levels-era years by their own rule); schools without a result in "
            "each year cannot be judged and are counted as too few years."
        )
    note += " Rules of each year and DfE's guidance behind them: config/standards.yaml."
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
            Indicator("n_writing_only", "Schools below the floor on writing alone", "", 0),
            Indicator("n_excluded", "Schools excluded (small cohort)", "", 0),
            Indicator("n_special", "Special schools (outside the floor)", "", 0),
            Indicator("n_independent", "Independent schools (outside the floor)", "", 0),
            Indicator("n_closed", "Closed schools (outside the floor)", "", 0),
            Indicator("n_coasting", "Coasting schools (DfE's three-year definition)", "", 0),
            Indicator("n_too_few_years", "Schools with too few years to judge coasting", "", 0),
        ],
        note=note,
    )


def _floor_sentence(ctx: Context, counts: pd.DataFrame) -> str:
    """How the number below the floor moved over the years the progress test could be applied."""
    years = [y for y in ctx.eras()[-1][1] if y in counts.index and ctx.standards.floor(y).progress.available]
    if not years:
        return "The progress test could not be applied in any year of this report, so no school is counted below the floor."
    first, last = years[0], years[-1]
    b = int(counts.at[last, "n_below_floor"])
    refs = say.refs([ctx.numbering.ref(f"floor-{e}") for e, ys in ctx.eras() if any(y in counts.index for y in ys)])
    if first == last:
        text = f"In {last}, {say.count(b, 'school')} in {ctx.name} {'was' if b == 1 else 'were'} below the floor standard."
    else:
        series = [(y, counts.at[y, "n_below_floor"]) for y in years]
        text = say.numbers(f"The number of {ctx.name} schools below the floor standard", series) + "."
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
        # a band no school fell in is 0% of the schools with a change, not a missing figure
        tidy[f"band_{label}"] = tidy["year"].map(wide[label]).fillna(0.0) if label in wide.columns else 0.0
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
        "A school's change is not shown in the first year of a measure. " + scope_note(ctx.standards, years),
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
    gaps = ctx.unit.series("gaps").set_index("year")
    blocks: list[Block] = [ctx.heading(2, "Closing the gap")]
    for era, years in ctx.series_eras():
        years = [y for y in years if y in gaps.index]
        if years:
            blocks.append(_gap_table(ctx, gaps, era, years))
    years = [y for y in ctx.unit.years if y in gaps.index and not say.missing(gaps.at[y, "gap"])]
    if years:
        era = ctx.standards.year_eras[years[-1]]
        years = [y for y in years if ctx.standards.year_eras[y] == era]
        last = years[-1]
        text = [
            f"{ctx.numbering.ref(f'gap-{era}')} compares disadvantaged pupils ({definition(ctx.standards, era)}) "
            "with all other pupils."
        ]
        text.append(say.gap_trend(ctx.name, [(y, gaps.at[y, "gap"]) for y in years], gaps.at[last, "national_gap"]))
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
                y: shown(t.at[y, "n_schools_disadv"]) if say.missing(t.at[y, "n_schools_disadv"])
                else f"{shown(t.at[y, 'n_match_national'])} of {shown(t.at[y, 'n_schools_disadv'])}"
                for y in years
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
        + (" Percentages and pupil numbers are DfE's published LA figures, which count every pupil (pupil numbers "
           f"missing where the publication gives none); sources: {say.listing(sorted(set(sources)))}."
           if len(sources := gaps.loc[years].get("la_source", pd.Series(dtype=str)).dropna()) else "")
        + " Schools matching national: " + scope_note(ctx.standards, years),
    )


