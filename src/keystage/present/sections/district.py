"""The district paper's table of its schools: each school's latest headline result, its change, its progress,
its floor status and a link to its profile page."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from keystage.opendata import Indicator
from keystage.present import sentences as say
from keystage.present.charts import ZERO_GID, interval_dots, use_house_style
from keystage.present.sections.blocks import ERA_TERMS, Block, Context, Figure, Text, shown, signed
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
        if available:  # without published scores the columns are left out and the note says why
            for m, heading in (("read_prog", "Reading progress"), ("mat_prog", "Maths progress")):
                table[heading] = safe[m].map(lambda v: shown(v, 1))
        table["Floor standard"] = safe["floor_status"]
        return table

    note = (f"Schools with fewer than {ctx.standards.disclosure.min_group} eligible pupils show "
            f"\u201c{ctx.standards.disclosure.symbol}\u201d. Change: on the school's previous result of the same measure.")
    if not available:
        note += f" No progress scores were published for {year}, so the table has no progress columns."
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
    blocks: list[Block] = [ctx.heading(2, f"The schools of {ctx.name}"), table, Text(intro)]
    return blocks + progress_figure(ctx)


def progress_figure(ctx: Context, measure: str = "mat_prog") -> list[Block]:
    """Each school's progress score with its 95% confidence interval, in the latest report year with published
    scores; schools under the minimum group size are left out. A score whose interval spans 0 is not
    distinguishable from the national average, which the caption says in plain words."""
    rows = ctx.unit.tables.get("school_progress", pd.DataFrame(columns=["urn", "year", "measure", "value"]))
    years = [y for y in ctx.unit.years if ctx.standards.floor(y).progress.available and y in set(rows["year"])]
    if not years:
        return []
    year = years[-1]
    wide = rows[rows["year"] == year].pivot_table(index="urn", columns="measure", values="value", aggfunc="first")
    floor = ctx.unit.tables["floor_schools"]
    pupils = floor[floor["year"] == year].set_index("urn")["eligible"] if "eligible" in floor.columns else pd.Series(dtype=float)
    needed = [measure, f"{measure}_lower", f"{measure}_upper"]
    if not set(needed) <= set(wide.columns):
        return []
    wide = wide[needed].dropna()
    wide = wide[wide.index.map(lambda u: pupils.get(u, 0) >= ctx.standards.disclosure.min_group)]
    if wide.empty:
        return []
    names = ctx.unit.schools.set_index("urn")["name"]
    wide = wide.assign(name=wide.index.map(lambda u: str(names.get(u, f"URN {u}")))).sort_values(measure)
    use_house_style()
    fig, ax = plt.subplots(figsize=(7.0, max(2.5, 0.32 * len(wide) + 1.0)))
    interval_dots(ax, range(len(wide)), wide[measure], wide[f"{measure}_lower"], wide[f"{measure}_upper"], horizontal=True)
    ax.axvline(0, color="grey", linewidth=1, gid=ZERO_GID)
    ax.set_yticks(range(len(wide)), wide["name"].tolist())
    ax.set_xlabel("Maths progress score (0 = the national average)")
    subject = "maths"
    below = int((wide[f"{measure}_upper"] < 0).sum())
    above = int((wide[f"{measure}_lower"] > 0).sum())
    caption = f"Maths progress score of each {ctx.name} school in {year}, with its 95% confidence interval"
    alt = (
        f"Chart of {len(wide)} schools' {subject} progress scores in {year}, each with a horizontal bar for its 95% "
        f"confidence interval. " + "; ".join(
            f"{n}: {shown(v, 1)} ({shown(lo, 1)} to {shown(hi, 1)})"
            for n, v, lo, hi in zip(wide["name"], wide[measure], wide[f"{measure}_lower"], wide[f"{measure}_upper"], strict=True)
        ) + "."
    )  # fmt: skip
    figure: Figure = ctx.figure("district-progress", caption, alt, fig)
    text = (
        f"{ctx.numbering.ref('district-progress')} shows each school's {subject} progress score with the range DfE "
        "gives for it (its 95% confidence interval). Where the range crosses 0 the school's pupils made progress "
        f"not clearly different from pupils with similar starting points nationally. In {year}, "
        f"{say.count(above, 'school')} {'was' if above == 1 else 'were'} clearly above and "
        f"{say.count(below, 'school')} clearly below the national average."
    )
    return [figure, Text(text)]
