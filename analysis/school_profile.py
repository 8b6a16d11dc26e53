# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
work_dir = "out/demo"
la_code = 701
kind = "school"
unit_id = "all"  # a URN for one profile shown here; "all" writes one executed notebook per school of the LA
profiles_dir = "out/demo/notebooks/701/profiles"
standards_path = "config/standards.yaml"

# %%
from pathlib import Path

import pandas as pd
from IPython.display import display

from keystage.measures.floor import ASSESSED, NO_RESULT
from keystage.narrate import report_metadata
from keystage.present.charts import figure_output, use_house_style
from keystage.present.notes import has_la_records
from keystage.present.profile_charts import PROGRESS_SUBJECTS, headline_chart, progress_chart
from keystage.present.tables import Numbering, captioned_table
from keystage.profiles import (
    executed_notebook,
    hide_small,
    la_school_urns,
    places,
    progress_limits,
    school_series,
    support_by_year,
    write_notebook,
)
from keystage.render.engine import report_slug
from keystage.rounding import round_half_up
from keystage.stages import read_canonical
from keystage.standards import load_standards

use_house_style()
standards = load_standards(standards_path)
rules, dp = standards.disclosure, standards.rounding.display_dp
canonical = read_canonical(Path(work_dir) / "canonical")
measures = read_canonical(Path(work_dir) / "measures")
partners = read_canonical(Path(work_dir) / "partnerships")
lineage = canonical.get("lineage")
series = school_series(measures["attainment"])
shown = hide_small(series, rules)
place = places(series, measures["units"], lineage, measures["attainment"], rules)
support = support_by_year(canonical.get("support_days"), lineage)
limits = progress_limits(canonical["school_results"], lineage)
floor = measures["floor_schools"]
units = measures["units"]
names = units[units["unit_type"] == "school"].set_index("unit_id")["unit_name"]
la_name = str(measures["schools"].loc[measures["schools"]["la_code"] == la_code, "la_name"].iloc[0])
att = measures["attainment"]
la_mean = att[(att["unit_type"] == "la") & (att["unit_id"] == str(la_code)) & (att["measure"] == "headline")][["year", "value"]]
year = int(series["year"].max())
spells, sizes = partners["spells"], partners["sizes"].set_index("urn")
district_of = units[units["unit_type"] == "district"].drop_duplicates("urn").set_index("urn")["unit_id"]


def by_school(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """The rows of each school, split once (filtering 300 times over every school's rows costs more)."""
    return {int(urn): rows for urn, rows in frame.groupby("urn", sort=False)}


TABLES = {"series": series, "shown": shown, "spells": spells, "floor": floor, "support": support, "place": place,
          "limits": limits}
EMPTY = {name: frame.iloc[0:0] for name, frame in TABLES.items()}
split = {name: by_school(frame) for name, frame in TABLES.items()}


def rows_of(name: str, urn: int) -> pd.DataFrame:
    """One school's rows of a table (none when it has none)."""
    return split[name].get(urn, EMPTY[name])


MEASURE_LABELS = {
    "headline": "Headline (%)",
    "higher": "Higher standard (%)",
    "read": "Reading (%)",
    "writ": "Writing (%)",
    "mat": "Maths (%)",
    "eng": "English (%)",
    "gps": "Grammar, punctuation and spelling (%)",
    "read_prog": "Reading progress",
    "writ_prog": "Writing progress",
    "mat_prog": "Maths progress",
    "headline_disadv": "Headline, disadvantaged (%)",
    "headline_other": "Headline, other pupils (%)",
}


# %%
def shown_value(v: object, digits: int = dp) -> object:
    """A value for display: the suppression symbol as is, numbers rounded half up, blanks for missing."""
    if isinstance(v, str) or pd.isna(v):
        return v if isinstance(v, str) else ""
    return f"{round_half_up(float(v), digits):.{digits}f}"


def md(text: str) -> dict:
    return {"data": {"text/markdown": text}}


def profile(urn: int) -> tuple[dict, list[dict]]:
    """The report metadata and display outputs of one school's profile."""
    name = str(names.get(str(urn), f"School {urn}"))
    number = Numbering()
    mine = rows_of("shown", urn)
    district = district_of.get(urn, "")
    my_spells = rows_of("spells", urn)
    roll = sizes["number_on_roll"].get(urn)
    facts = [f"URN {urn}", f"district: {district}" if district else "", f"{roll} pupils on roll (GIAS)" if pd.notna(roll) else ""]
    out = [
        md(
            " · ".join(f for f in facts if f) + f". {la_name} local authority.\n\n"
            f"Values for groups of fewer than {rules.min_group} pupils are shown as **{rules.symbol}**."
        )
    ]
    out.append(md("## Results by year"))
    for era, rows in mine.groupby("era", sort=False):
        rows = rows[rows["measure"].isin(MEASURE_LABELS)]
        if rows.empty:
            continue
        table = rows.pivot(index="measure", columns="year", values="value").reindex(
            [m for m in MEASURE_LABELS if m in set(rows["measure"])]
        )
        # progress scores at DfE's one decimal place, as the progress chart's alternative text states them
        table = table.astype(object)
        for m in table.index:
            table.loc[m] = [shown_value(v, 1 if m in PROGRESS_SUBJECTS else dp) for v in table.loc[m]]
        cohort = mine[(mine["era"] == era) & (mine["measure"] == "eligible")].set_index("year")["value"]
        table.loc["Pupils eligible"] = [shown_value(cohort.get(y), 0) for y in table.columns]
        table.index = [MEASURE_LABELS.get(m, m) for m in table.index]
        frame = table.reset_index().rename(columns={"index": "Measure"})
        frame.columns = [str(c) for c in frame.columns]
        label = standards.eras[era].headline_label.removeprefix("% ")
        years = [int(y) for y in table.columns]
        period = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
        caption = f"{name}: results by year, {period} (headline measure: {label})"
        out.append(
            md(captioned_table(number.next_table(f"series-{era}", era), caption, frame))
        )
    for n, chart in (
        ("trend", headline_chart(name, la_name, mine, la_mean, standards.year_eras, rules, dp)),
        ("progress", progress_chart(name, mine, rows_of("limits", urn), standards.year_eras, rules)),
    ):
        if chart is not None:
            data, meta = figure_output(chart.fig, number.next_figure(n, chart.caption), chart.caption, chart.alt)
            out.append({"data": data, "metadata": meta})
    f = rows_of("floor", urn)
    outside = f[~f["status"].isin([*ASSESSED, NO_RESULT])]
    f = f[f["status"].isin(ASSESSED)]
    if len(outside) or len(f):
        text = "## Floor standard\n\n"
        if len(outside):
            reasons = "; ".join(f"{y}: {s}" for y, s in zip(outside["year"], outside["status"], strict=True))
            text += (
                "Outside the floor standard, which applies to mainstream state-funded schools with enough pupils only, "
                f"so no floor status is given ({reasons}).\n\n"
            )
        if len(f):
            frame = pd.DataFrame(
                {
                    "Year": f["year"].astype(str),
                    "Rule": f["rule_source"],
                    "Threshold (%)": f["threshold"].map(lambda v: f"{v:g}"),
                    "Status": f["status"],
                }
            )
            text += captioned_table(number.next_table("floor", ""), f"{name}: floor standard status by year", frame)
        out.append(md(text))
    s = rows_of("support", urn)
    if len(s):
        frame = pd.DataFrame(
            {
                "Year": s["year"].astype(str),
                "Statutory days": s["statutory"].map(lambda v: f"{v:g}"),
                "Purchased days": s["purchased"].map(lambda v: f"{v:g}"),
                "Total days": s["total"].map(lambda v: f"{v:g}"),
            }
        )
        out.append(
            md(
                "## Support from the LA\n\n"
                + captioned_table(number.next_table("support", ""), f"{name}: days of school-improvement support by year", frame)
            )
        )
    elif "support_days" in canonical:
        out.append(md("## Support from the LA\n\nThe LA's records list no support days for this school."))
    if len(my_spells):
        links = [
            f"[{n}](../{report_slug({'kind': 'partnership', 'unit_id': i, 'year': year})}/index.html)"
            for n, i in zip(my_spells["partnership_name"], my_spells["partnership_id"], strict=True)
        ]
        frame = pd.DataFrame(
            {
                "Partnership": links,
                "Type": my_spells["partnership_type"],
                "Joined": my_spells["joined"].dt.strftime("%Y-%m-%d"),
                "Left": my_spells["left"].dt.strftime("%Y-%m-%d").fillna("still a member"),
                "URNs": my_spells["source_urns"],
            }
        )
        out.append(
            md(
                "## Partnerships\n\n"
                + captioned_table(number.next_table("partnerships", ""), f"{name}: partnership memberships", frame)
            )
        )
    p = rows_of("place", urn)
    p = p[p["year"] == p["year"].max()]
    p = p[p["measure"].isin(MEASURE_LABELS)]
    if len(p):
        frame = pd.DataFrame(
            {
                "Measure": p["measure"].map(MEASURE_LABELS),
                "School": p["value"].map(shown_value),
                "Place in district": [
                    f"{r:.0f} of {n}" if pd.notna(r) else "" for r, n in zip(p["district_rank"], p["district_n"], strict=True)
                ],
                "District": p["district_value"].map(shown_value),
                "Place in LA": [f"{r:.0f} of {n}" for r, n in zip(p["la_rank"], p["la_n"], strict=True)],
                "LA": p["la_value"].map(shown_value),
            }
        )
        when = int(p["year"].iloc[0])
        out.append(
            md(
                f"## Place in the district and the LA, {when}\n\n"
                + captioned_table(
                    number.next_table("place", ""),
                    f"{name}: place among schools with published results, {when} (1 = highest)",
                    frame,
                    note=f"Schools with fewer than {rules.min_group} eligible pupils are not ranked.",
                )
            )
        )
    else:
        out.append(
            md(
                "## Place in the district and the LA\n\n"
                "This school's latest cohort is too small to rank, or it has no published percentage."
            )
        )
    meta = {
        "title": f"{name}: school profile",
        "subtitle": f"Key Stage 2 results to {year}",
        "kind": "school",
        "la_code": la_code,
        "la_name": la_name,
        "unit_id": str(urn),
        "unit_name": name,
        "year": year,
        "la_records": has_la_records(canonical.get("provenance")),
    }
    return meta, out


# %%
if str(unit_id) == "all":
    for urn in la_school_urns(units, lineage, la_code):
        meta, outputs = profile(urn)
        write_notebook(executed_notebook(meta, outputs), Path(profiles_dir) / f"school-{urn}.ipynb")
    report_metadata(
        {
            "title": f"{la_name}: school profiles",
            "kind": "school",
            "la_code": la_code,
            "la_name": la_name,
            "unit_id": "all",
            "year": year,
        }
    )
else:
    meta, outputs = profile(int(unit_id))
    for o in outputs:
        display(o["data"], metadata=o.get("metadata"), raw=True)
    report_metadata(meta)
