"""The district paper's table of its schools: each school's latest headline result, its change, its progress,
its floor status and a link to its profile page."""

from __future__ import annotations

import pandas as pd

from keystage.opendata import Indicator
from keystage.present.sections.blocks import ERA_TERMS, NOT_AVAILABLE, Block, Context, Text, shown, signed
from keystage.profiles import profile_href


def district_schools(ctx: Context) -> list[Block]:
    """2.x The district's schools in the latest year, by name (nothing for the LA paper: it has too many)."""
    if ctx.is_la:
        return []
    year = ctx.unit.years[-1]
    floor = ctx.unit.tables["floor_schools"]
    floor = floor[floor["year"] == year].set_index("urn")
    changes = ctx.unit.tables["school_changes"]
    headline = changes[(changes["year"] == year) & (changes["measure"] == "headline")].set_index("urn")
    if headline.empty:
        return []
    progress = ctx.unit.tables["school_attainment"]
    progress = progress[progress["year"] == year].assign(urn=lambda f: f["unit_id"].astype(int))
    scores = progress.pivot_table(index="urn", columns="measure", values="value", aggfunc="first")
    names = ctx.unit.schools.set_index("urn")["name"]
    available = ctx.standards.floor(year).progress.available
    tidy = pd.DataFrame({"year": year, "urn": headline.index.astype(int)})
    tidy["school"] = tidy["urn"].map(lambda u: str(names.get(u, f"URN {u}")))
    tidy["pupils"] = tidy["urn"].map(floor["eligible"]) if "eligible" in floor.columns else float("nan")
    tidy["headline"] = tidy["urn"].map(headline["value"])
    tidy["change"] = tidy["urn"].map(headline["change_1y"])
    for m in ("read_prog", "mat_prog"):
        tidy[m] = tidy["urn"].map(scores[m]) if m in scores.columns and available else float("nan")
    tidy["floor_status"] = tidy["urn"].map(floor["status"]).fillna("")
    tidy = tidy.sort_values("school", kind="stable").reset_index(drop=True)
    short = ERA_TERMS[ctx.standards.year_eras[year]][2]

    def display(safe: pd.DataFrame) -> pd.DataFrame:
        links = [f"[{n}]({profile_href(u, year)})" for n, u in zip(safe["school"], safe["urn"], strict=True)]
        table = pd.DataFrame({"School": links})
        table["Pupils"] = safe["pupils"].map(shown)
        table[f"{short} (%)"] = safe["headline"].map(shown)
        table["Change (pp)"] = safe["change"].map(signed)
        for m, heading in (("read_prog", "Reading progress"), ("mat_prog", "Maths progress")):
            table[heading] = safe[m].map(lambda v: shown(v, 1)) if available else NOT_AVAILABLE
        table["Floor standard"] = safe["floor_status"]
        return table

    note = (f"Schools with fewer than {ctx.standards.disclosure.min_group} eligible pupils show "
            f"\u201c{ctx.standards.disclosure.symbol}\u201d. Change: on the school's previous result of the same measure.")
    if not available:
        note += f" Not available: no progress scores were published for {year}."
    table = ctx.table(
        "district-schools",
        f"The schools of {ctx.name} in {year}: headline result, change, progress and floor standard",
        tidy,
        display,
        counts=["pupils"],
        percents={"headline": "pupils"},
        linked={"headline": "change"},
        filters={"school": "School", "floor_status": "Floor standard status"},
        indicators=[
            Indicator("urn", "URN", "", 0),
            Indicator("pupils", "Eligible pupils", "", 0),
            Indicator("headline", f"% {short}", "%", 1),
            Indicator("change", "Change on the previous year (pp)", "", 1),
            Indicator("read_prog", "Reading progress score", "", 1),
            Indicator("mat_prog", "Maths progress score", "", 1),
        ],
        note=note,
    )
    intro = (f"{ctx.numbering.ref('district-schools')} lists the {len(tidy)} schools of {ctx.name} with a result in "
             f"{year}; each name links to the school's profile page on the website.")  # fmt: skip
    return [ctx.heading(2, f"The schools of {ctx.name}"), table, Text(intro)]
