"""The summary at the top of every paper: key messages (keystage.present.summary chooses them from the
unit's facts) and the recommendations from report.yaml, or the default."""

from __future__ import annotations

import pandas as pd

from keystage.present import summary as rules
from keystage.present.sections.blocks import (
    SUBJECT_NAMES,
    Block,
    Context,
    Text,
    measure_rows,
    previous_year,
    progress_measures,
    span,
    subjects_of,
    value_of,
)

HEADINGS = {rules.STRENGTH: "Strengths", rules.WEAKNESS: "Areas for improvement", rules.IN_LINE: "In line with national"}


def _standard(label: str) -> str:
    """An era's label as the standard reached: "% meeting the expected standard in reading, ..." -> "the expected
    standard in reading, ..."; "% Level 4+ in English and maths" -> "Level 4 or above in English and maths"."""
    text = label.removeprefix("% ")
    for verb in ("meeting ", "achieving ", "reaching ", "at "):
        text = text.removeprefix(verb)
    return text.replace("Level 4+", "Level 4 or above").replace("Level 5+", "Level 5 or above")


def _number(value: object) -> int | None:
    """A rank or count as an int, None when missing."""
    return None if value is None or pd.isna(value) else int(value)


def facts(ctx: Context) -> list[rules.Fact]:
    """The unit's headline facts in its latest year: headline, higher, each subject, each progress score,
    disadvantaged pupils and the gap; a measure with no figure, or resting on a suppressed group, is left out."""
    year = ctx.unit.years[-1]
    era = ctx.standards.year_eras[year]
    e = ctx.standards.eras[era]
    before = previous_year(ctx.standards, year)
    years = [y for y in (before, year) if y is not None]
    att = ctx.unit.table("attainment")
    progress = progress_measures(ctx.standards, era) if ctx.standards.floor(year).progress.available else []
    subjects = subjects_of(ctx.standards, era)
    rows = measure_rows(att, ["headline", "higher", *subjects, *progress, "headline_disadv", "gap"], years)
    la_rows = measure_rows(ctx.unit.la_attainment, ["headline", "higher", *subjects], [year])
    headline = _standard(e.headline_label)
    standard = headline.split(" in ")[0]
    scores = era == "expected"
    wanted = [
        ("headline", "headline", headline, "percent", f"{headline} combined", ""),
        ("higher", "higher", _standard(e.higher_label), "percent", _standard(e.higher_label).split(" in ")[0], ""),
        *[("subjects", m, f"{standard} in {SUBJECT_NAMES[m]}", "percent", SUBJECT_NAMES[m], SUBJECT_NAMES[m]) for m in subjects],
        *[
            ("progress", m, SUBJECT_NAMES[m.split("_")[0]], "score" if scores else "percent",
             f"progress in {SUBJECT_NAMES[m.split('_')[0]]}", SUBJECT_NAMES[m.split("_")[0]])
            for m in progress
        ],
    ]  # fmt: skip
    out = [_fact(ctx, rows, la_rows, year, before, *spec) for spec in wanted]
    out += _disadvantage_facts(ctx, rows, year, before, headline)
    return [f for f in out if f is not None]


def _fact(
    ctx: Context, rows: pd.DataFrame, la_rows: pd.DataFrame, year: int, before: int | None,
    group: str, measure: str, name: str, kind: str, topic: str, item: str,
) -> rules.Fact | None:  # fmt: skip
    """One measure's fact, or None when it has no figure, no national figure to judge it by (a progress score's
    is 0), or rests on fewer pupils than disclosure allows."""
    value = value_of(rows, measure, year)
    pupils = value_of(rows, measure, year, "denominator")
    if pd.isna(value) or (not pd.isna(pupils) and pupils < ctx.standards.disclosure.min_group):
        return None
    if kind != "score" and pd.isna(value_of(rows, measure, year, "national")):
        return None
    previous = value_of(rows, measure, before) if before is not None else float("nan")
    if ctx.is_la:
        others = ((f"the {ctx.unit.region_name}", value_of(rows, measure, year, "region")),
                  ("its statistical neighbours", value_of(rows, measure, year, "sn_mean")))  # fmt: skip
    else:
        others = ((f"{ctx.unit.la_name} as a whole", value_of(la_rows, measure, year)),)
    return rules.Fact(
        group=group, topic=topic, name=name, kind=kind, year=year, value=value,
        national=None if kind == "score" else value_of(rows, measure, year, "national"),
        previous=None if pd.isna(previous) else (before, previous),
        others=tuple((n, v) for n, v in others if not pd.isna(v) and n != "the "),
        rank=_number(_at(rows, measure, year, "rank")), n_las=_number(_at(rows, measure, year, "n_las")),
        quartile=_at(rows, measure, year, "quartile") if ctx.is_la else None, item=item,
    )  # fmt: skip


def _at(rows: pd.DataFrame, measure: str, year: int, column: str) -> object:
    """A cell of measure_rows that need not be a number (a quartile letter), None when absent."""
    if column not in rows.columns or (measure, year) not in rows.index:
        return None
    value = rows.at[(measure, year), column]
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _disadvantage_facts(ctx: Context, rows: pd.DataFrame, year: int, before: int | None, headline: str) -> list[rules.Fact]:
    """Disadvantaged pupils' headline result against disadvantaged pupils nationally, and the gap against the
    national gap, from the gap table (DfE's published LA figures for an LA)."""
    gaps = ctx.unit.table("gaps").set_index("year")
    if year not in gaps.index or pd.isna(gaps.at[year, "disadv_pct"]):
        return []
    if gaps.at[year, "disadv_denominator"] < ctx.standards.disclosure.min_group:
        return []

    def prior(column: str) -> tuple[int, float] | None:
        ok = before is not None and before in gaps.index and not pd.isna(gaps.at[before, column])
        return (before, float(gaps.at[before, column])) if ok else None

    def ranked(measure: str) -> dict[str, object]:
        if not ctx.is_la:
            return {}
        return {"rank": _number(_at(rows, measure, year, "rank")), "n_las": _number(_at(rows, measure, year, "n_las")),
                "quartile": _at(rows, measure, year, "quartile")}  # fmt: skip

    disadvantaged = rules.Fact(
        group="disadvantaged", topic="disadvantaged pupils' results", name=headline, kind="percent", year=year,
        value=float(gaps.at[year, "disadv_pct"]), national=float(gaps.at[year, "national_disadv"]),
        previous=prior("disadv_pct"), who="disadvantaged pupils", national_name="the national figure for disadvantaged pupils",
        **ranked("headline_disadv"),
    )  # fmt: skip
    out = [disadvantaged]
    if not pd.isna(gaps.at[year, "gap"]):
        out.append(
            rules.Fact(
                group="gap", topic="the gap between disadvantaged and other pupils", name=headline, kind="gap",
                year=year, value=float(gaps.at[year, "gap"]), national=float(gaps.at[year, "national_gap"]),
                previous=prior("gap"), **ranked("gap"),
            )  # fmt: skip
        )
    return out


def recommendations(ctx: Context) -> list[str]:
    """The recommendations of report.yaml, or the default: that the committee notes the results."""
    if ctx.config.recommendations:
        return list(ctx.config.recommendations)
    return [
        f"That the {ctx.config.committee or 'Committee'} notes the Key Stage 2 results of {ctx.name} for {span(ctx.unit.years)}, "
        "the strengths and the areas for improvement set out in this summary."
    ]


def summary(ctx: Context) -> list[Block]:
    """Key messages grouped as strengths, areas for improvement and in line with national; then recommendations."""
    found = facts(ctx)
    said = rules.messages(found, ctx.name)
    parts = ["**Key messages**"]
    if not said:
        parts.append(f"No headline figure could be computed for {ctx.name} in {ctx.unit.years[-1]}.")
    for verdict in (rules.STRENGTH, rules.WEAKNESS, rules.IN_LINE):
        lines = [f"- {m.text}" for m in said if m.verdict == verdict]
        if lines:
            parts.append(f"*{HEADINGS[verdict]}*\n\n" + "\n".join(lines))
    listed = "\n".join(f"{n}. {text}" for n, text in enumerate(recommendations(ctx), start=1))
    parts.append(f"**Recommendations**\n\n{listed}")
    return [Text("\n\n".join(parts))]
