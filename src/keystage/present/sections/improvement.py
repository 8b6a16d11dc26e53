"""Section 3 of the report: support deployed against the change in results (Hampshire Table 6,
sections 3.6 to 3.10) and the subject sections (Tables 7 and 9)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from keystage.measures.scope import scope_note
from keystage.measures.support import school_days
from keystage.opendata import Indicator
from keystage.present import sentences as say
from keystage.present.charts import PALETTE, use_house_style
from keystage.present.sections.blocks import (
    ERA_TERMS,
    MISSING,
    NOT_AVAILABLE,
    SUBJECT_NAMES,
    Block,
    Context,
    Figure,
    Table,
    Text,
    band_ranges,
    by_year,
    measure_rows,
    previous_year,
    shown,
    signed,
    span,
    value_of,
)
from keystage.standards import Standards


def support_year(ctx: Context) -> int | None:
    """The latest report year with support recorded for the unit's schools (None when there is none)."""
    summary = ctx.unit.table("support_summary")
    recorded = summary[(summary["group"] == "all schools") & (summary["days_total"] > 0)]
    return int(recorded["year"].max()) if not recorded.empty else None


def improvement_heading(ctx: Context) -> list[Block]:
    """Section 3's heading: accounting for the improvement when the LA's support records were supplied, else
    the results by subject alone (the data notes say once what was left out)."""
    title = "Accounting for the improvement" if support_year(ctx) is not None else "Results by subject"
    return [Text(f"## 3 {title}")]


def support(ctx: Context) -> list[Block]:
    """3.1-3.2 Support deployed and results: Table 6, the days-versus-change chart, support by improvement band;
    nothing when no support records were supplied."""
    year = support_year(ctx)
    if year is None:
        return []
    blocks: list[Block] = [ctx.heading(3, "Support deployed")]
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
        f"The improved group is defined by its result in {year}, after the support. "
        + scope_note(ctx.standards, [year])
        + _empty_groups(ctx, summary, groups, year),
    )


def _empty_groups(ctx: Context, summary: pd.DataFrame, groups: dict[str, str], year: int) -> str:
    """A note naming any group of Table 6 with no schools: "not available" when the floor could not be applied
    the year before (no progress scores), "no schools" only when it was applied and no school was below it."""
    before = previous_year(ctx.standards, year)
    no_floor = before is not None and not ctx.standards.floor(before).progress.available
    empty_ = [g for g in groups if g not in summary.index or summary.at[g, "n_schools"] == 0]
    words = {g: "not available, because the floor standard could not be applied without progress scores"
             if g == "below floor previous year" and no_floor else "no schools" for g in empty_}
    return "".join(f" {groups[g]}: {words[g]}." for g in empty_)


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
    changes = changes[
        (changes["year"] == year) & (changes["measure"] == "headline") & changes["change_1y"].notna() & changes["in_scope"]
    ]  # the schools the fitted line is over: DfE's in-scope set
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
        note=scope_note(ctx.standards, [year]),
    )


def _band_sentence(ctx: Context, year: int, measure: str, kinds: list[str], subject: str) -> str:
    """ "Of the 22 schools whose ... improved by 20 or more, 68% had ...", for the top band and for schools that declined."""
    rows = ctx.unit.table("support_by_band")
    rows = rows[(rows["year"] == year) & (rows["measure"] == measure)].set_index(["band", "support"])
    top, declined = ctx.standards.change_bands[-1].label, ctx.standards.change_bands[0].label
    text = []
    for band, verb in ((top, f"improved by {top} percentage points"), (declined, "declined")):
        shares = [(rows.at[(band, k), "pct_with"], describe_support(k)) for k in kinds if (band, k) in rows.index]
        n = int(rows.loc[band, "n_band"].iloc[0]) if band in rows.index.get_level_values(0) else 0
        if n and shares:
            text.append(say.shares(n, f"school whose {subject} result {verb}", shares))
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


