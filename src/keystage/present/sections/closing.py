"""Sections 4 to 8, corporate information and impact assessments, the appendices (case studies,
data notes, provenance) and the report metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from keystage import __version__
from keystage.checksums import sha256
from keystage.measures.ranks import named_neighbours
from keystage.opendata import Indicator
from keystage.present import sentences as say
from keystage.present import summary as rules
from keystage.present.notes import has_la_records, provenance_table, rejects_summary
from keystage.present.sections import summary
from keystage.present.sections.blocks import (
    ERA_TERMS,
    MISSING,
    SUBJECT_NAMES,
    Block,
    Context,
    Table,
    Text,
    by_year,
    definition,
    numbered,
    shown,
    span,
    subjects_of,
)
from keystage.present.sections.improvement import academic, support_year
from keystage.profiles import profile_href
from keystage.reportconfig import IMPLICATIONS, long_date


def conclusions(ctx: Context) -> list[Block]:
    """4 Conclusions: the summary's facts in one statement, the officers' text, and where the recommendations are."""
    texts = [
        rules.conclusion(summary.facts(ctx), ctx.name),
        ctx.narrative("conclusions"),
        "The recommendations are set out in the summary at the start of this report.",
    ]
    return [Text(numbered(4, [t for t in texts if t]))]


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
    without = _cases_without_results(ctx)
    if cases.empty:
        return []  # the data notes say why, in one sentence (case_study_note)
    blocks: list[Block] = [Text("## Appendix A: Case studies")]
    order = cases.sort_values("case_id", key=lambda s: s.str.len() * 1000 + s.rank(method="dense")) if len(cases) else cases
    ids = list(dict.fromkeys(order["case_id"]))
    n = len(ids) + len(without)
    blocks.append(
        Text(
            f"The {say.count(n, 'case study', 'case studies')} below {'follows' if n == 1 else 'follow'} named schools "
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
        blocks += _officer_text(ctx, case_id)
    for case in without.itertuples(index=False):
        blocks.append(Text(f"### {case.title}"))
        blocks.append(
            Text(f"No Key Stage 2 results were found for URN {case.urns} in the data read, so this case study has no table.")
        )
        blocks += _officer_text(ctx, case.case_id)
    return blocks


def _cases_without_results(ctx: Context) -> pd.DataFrame:
    """The LA's case studies none of whose schools has results (case_id, title, urns)."""
    return ctx.unit.tables.get("cases_without_results", pd.DataFrame(columns=["case_id", "title", "urns"]))


def case_study_note(ctx: Context) -> str | None:
    """The data notes' sentence for a paper with no case-study appendix although the LA keeps case studies: those
    of its schools have no results in the report's years (or none at all), or none is about its schools."""
    if not ctx.unit.table("case_studies").empty or not ctx.unit.canonical.get("provenance", pd.DataFrame({"file": []}))[
            "file"].astype(str).str.startswith("la/case_studies").any():
        return None
    titles = list(dict.fromkeys([*ctx.unit.tables["case_studies"]["title"].astype(str), *_cases_without_results(ctx)["title"]]))
    if not titles:
        return (f"**Case studies.** None of {ctx.unit.la_name}'s case studies is about a school in {ctx.name}, "
                "so this paper has no case-study appendix.")
    return (f"**Case studies.** {ctx.unit.la_name}'s {say.count(len(titles), 'case study', 'case studies')} of "
            f"{say.listing(titles)} {'has' if len(titles) == 1 else 'have'} no Key Stage 2 results in {span(ctx.unit.years)}, "
            "the years of this report, so this paper has no case-study appendix.")


def _officer_text(ctx: Context, case_id: str) -> list[Block]:
    """The officer's Markdown about one case study (narrative/case-<id>.md), when there is some."""
    path = ctx.config.folder / "narrative" / f"case-{case_id}.md"
    return [Text(path.read_text(encoding="utf-8").strip())] if path.is_file() else []


def _case_schools(rows: pd.DataFrame, names: pd.Series, year: int) -> str:
    """A line naming a case study's schools, each linked to its profile page on the site.

    The URNs come from the case table's floor_status ("urn: status; ..." as measures.case_studies writes it).
    """
    urns = sorted({int(part.split(":", 1)[0]) for status in rows["floor_status"].dropna() for part in str(status).split("; ")
                   if part.split(":", 1)[0].strip().isdigit()})
    links = [f"[{names.get(u, f'URN {u}')}]({profile_href(u, year)})" for u in urns]
    return ("Schools: " if len(links) > 1 else "School: ") + ", ".join(links) + " (profile pages on the website)."


def floor_summary(status: object) -> str:
    """A case study's floor cell: one school's status ("111945: above" -> "above"); for several schools the
    count of each status ("111945: above; 111946: below; 111947: above" -> "2 above, 1 below"), since the
    line naming the schools links each to its profile and a list of URNs does not fit a table cell."""
    parts = [p.split(": ", 1)[-1] for p in str(status).split("; ")]
    if len(parts) == 1:
        return parts[0]
    counts = {s: parts.count(s) for s in dict.fromkeys(parts)}
    return ", ".join(f"{n} {s}" for s, n in counts.items())


def _case_table(ctx: Context, rows: pd.DataFrame, case_id: str, title: str, era: str, years: list[int]) -> Table:
    """One case study's figures by year; percentages suppressed for a cohort under the minimum group size."""
    subjects = subjects_of(ctx.standards, era)
    tidy = (
        rows[rows["year"].isin(years)]
        .sort_values("year")[["year", "cohort", "headline", *subjects, "floor_status", "support_days"]]
        .reset_index(drop=True)
    )
    tidy["floor_status"] = tidy["floor_status"].map(floor_summary)
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
    neighbours = _neighbours_note(ctx)
    if neighbours:
        text.append(neighbours)
    left_out = [(what, records, many) for what, records, many, absent in (
        ("the sections on support deployed and on support and improvement", "support days and subscriptions", True,
         support_year(ctx) is None),
        ("the case-study appendix", "case studies", False, ctx.unit.table("case_studies").empty and case_study_note(ctx) is None),
    ) if absent]  # fmt: skip
    if left_out:
        verb = "are" if len(left_out) > 1 or left_out[0][2] else "is"
        text.append(
            f"**Sections left out.** {ctx.unit.la_name} supplied no records of {say.listing([r for _, r, _ in left_out])}, "
            f"so {say.listing([w for w, _, _ in left_out])} {verb} left out."
        )
    text += [note for note in [case_study_note(ctx)] if note]
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


def _neighbours_note(ctx: Context) -> str:
    """The LA's statistical neighbours by name, closest first, with the date of DfE's list ("" for a district
    or when no list was read)."""
    found = ctx.unit.canonical
    if not ctx.is_la or "stat_neighbours" not in found:
        return ""
    named = named_neighbours(found["stat_neighbours"], found.get("la_codes", pd.DataFrame({"la_code": []})), ctx.unit.la_code)
    if named.empty:
        return ""
    dated = named["list_date"].dropna()
    when = f" of {long_date(dated.iloc[0]).split(' ', 1)[1]}" if len(dated) else ""
    return (
        f"**Statistical neighbours.** The comparison with statistical neighbours uses the mean of the published figures "
        f"of the {len(named)} local authorities DfE's list{when} names as most similar to {ctx.unit.la_name}, closest "
        f"first: {say.listing(named['name'].tolist())}. Ranks are among all local authorities with a published figure "
        "(1 is the best; for the gap between disadvantaged and other pupils, the narrowest); quarters run from the top "
        "quarter (A) to the bottom quarter (D)."
    )


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
        "la_records": has_la_records(ctx.unit.canonical.get("provenance")),
    }
