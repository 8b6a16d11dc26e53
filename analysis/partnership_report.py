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
kind = "partnership"
unit_id = "all"  # a partnership_id, or "all" for the LA-wide summary
downloads_dir = "out/demo/notebooks/701/partnership-all_data"
standards_path = "config/standards.yaml"

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from keystage.disclosure import assert_safe, suppress
from keystage.measures.partnerships import BOOTSTRAP_REPS, BOOTSTRAP_SEED, MATCHES, OUTCOME
from keystage.narrate import report_metadata
from keystage.opendata import Indicator, ees_frame, ees_meta, filter_defaults, la_geography, write_ees
from keystage.present.charts import figure_output, use_house_style
from keystage.present.tables import Numbering, captioned_table
from keystage.profiles import profile_href
from keystage.render.engine import report_slug
from keystage.reportconfig import long_date
from keystage.rounding import round_half_up
from keystage.stages import read_canonical
from keystage.standards import load_standards

use_house_style()
standards = load_standards(standards_path)
rules, dp = standards.disclosure, standards.rounding.display_dp
measures = read_canonical(Path(work_dir) / "measures")
p = read_canonical(Path(work_dir) / "partnerships")
schools = measures["schools"]
la_name = str(schools.loc[schools["la_code"] == la_code, "la_name"].iloc[0])
year = int(measures["attainment"]["year"].max())
names = measures["units"].query("unit_type == 'school'").set_index("unit_id")["unit_name"]
la_urns = set(p["sizes"].loc[p["sizes"]["la_code"] == la_code, "urn"])
spells = p["spells"][p["spells"]["urn"].isin(la_urns)]
single = str(unit_id) != "all"
if single:
    spells = spells[spells["partnership_id"] == str(unit_id)]
    unit_name = str(spells["partnership_name"].iloc[0])
    ptype = str(spells["partnership_type"].iloc[0])
else:
    unit_name = f"{la_name}: all partnerships"
ids = set(spells["partnership_id"])
number = Numbering()


def fmt(v: object, digits: int = dp) -> str:
    """A number rounded half up for display; the suppression symbol and blanks pass through."""
    if isinstance(v, str):
        return v
    return "" if pd.isna(v) else f"{round_half_up(float(v), digits):.{digits}f}"


def school_link(urn: int) -> str:
    """The school's name linked to its profile page."""
    return f"[{names.get(str(urn), urn)}]({profile_href(urn, year)})"


# %%
title = f"{unit_name}: partnership report {year}" if single else f"Partnerships in {la_name}: did they help? {year}"
report_metadata(
    {
        "title": title,
        "subtitle": f"Key Stage 2, schools working together ({ptype})"
        if single
        else "Clusters, federations and trusts against similar schools outside them",
        "kind": "partnership",
        "la_code": la_code,
        "la_name": la_name,
        "unit_id": str(unit_id),
        "unit_name": unit_name,
        "year": year,
        "downloads": [{"label": "Difference in differences by school", "path": "partnership_did.csv"}],
    }
)
display(
    Markdown(
        f"# {title}\n\nThe LA and its partnerships are asked to *monitor and evaluate the impact of partnership "
        "activity* and to track the measures they agreed. This report compares member schools with similar "
        "schools outside any partnership, before and after they joined, and sets partnership results against "
        "their targets."
    )
)

# %%
sizes = p["sizes"].set_index("urn")
members = pd.DataFrame(
    {
        "School": spells["urn"].map(school_link),
        "URNs": spells["source_urns"],
        "Partnership": spells["partnership_name"],
        "Type": spells["partnership_type"],
        "Joined": spells["joined"].map(long_date),
        "Left": spells["left"].map(lambda d: long_date(d) if pd.notna(d) else "member"),
        "Size band": spells["urn"].map(sizes["size_band"]).fillna("not known"),
    }
)
if not single:
    members = members.groupby(["Partnership", "Type"], sort=True).size().reset_index(name="Schools")
    report_of = dict(zip(spells["partnership_name"], spells["partnership_id"], strict=True))
    members["Partnership"] = [
        f"[{n}](../{report_slug({'kind': 'partnership', 'unit_id': report_of[n], 'year': year})}/index.html)"
        for n in members["Partnership"]
    ]
display(
    Markdown(
        "## 1 Members\n\n"
        + captioned_table(
            number.next_table("members", ""),
            "Member schools and when they joined"
            if single
            else "Partnerships and their member schools (all memberships, past and present)",
            members,
            note="A school that converted to an academy is listed once, under all its URNs.",
        )
    )
)

# %%
did = p["did_schools"][p["did_schools"]["partnership_id"].isin(ids) & p["did_schools"]["urn"].isin(la_urns)]
summary = p["did_summary"]
method = (
    f"Method: each member school's change in the {OUTCOME} measure (mean of its results after joining minus the mean "
    f"before, within one assessment era) minus the mean change, over the same years, of its {MATCHES} most similar "
    "schools of the LA that were never in a partnership, matched on prior attainment, share of disadvantaged pupils and "
    f"number on roll. The 95% interval comes from a cluster bootstrap by school ({BOOTSTRAP_REPS:,} resamples of whole "
    f"schools, seed {BOOTSTRAP_SEED}); it reflects how much schools differ, not the choice of matches. It is an "
    "association: other things changed at the same time."
)
if single:
    rows = summary[(summary["grouping"] == "partnership") & (summary["group"] == str(unit_id))]
    table = pd.DataFrame(
        {
            "School": did["urn"].map(school_link),
            "Before": did["before_years"],
            "After": did["after_years"],
            "Change (pp)": did["treated_change"].map(lambda v: fmt(v, 1)),
            "Similar schools' change (pp)": did["control_change"].map(lambda v: fmt(v, 1)),
            "Difference (pp)": did["did"].map(lambda v: fmt(v, 1)),
            "Note": did["note"],
        }
    )
    caption = "Each member school against its similar schools"
else:
    rows = summary[summary["grouping"] != "partnership"]
    table = pd.DataFrame(
        {
            "Group": rows["grouping"] + ": " + rows["group"],
            "Schools": rows["n_schools"],
            "Change (pp)": rows["treated_change"].map(lambda v: fmt(v, 1)),
            "Similar schools' change (pp)": rows["control_change"].map(lambda v: fmt(v, 1)),
            "Difference (pp)": rows["did"].map(lambda v: fmt(v, 1)),
            "95% interval": [
                f"{fmt(lo, 1)} to {fmt(hi, 1)}" if pd.notna(lo) else "too few schools"
                for lo, hi in zip(rows["lower"], rows["upper"], strict=True)
            ],
        }
    )
    caption = "Member schools against similar non-members, by partnership type and size band"
text = "## 2 Did members improve more than similar schools?\n\n"
if len(rows):
    r = rows.iloc[0]
    interval = (
        f" (95% interval {fmt(r['lower'], 1)} to {fmt(r['upper'], 1)})"
        if pd.notna(r["lower"])
        else " (too few schools for an interval)"
    )
    text += (
        f"2.1 Across {r['n_schools']} member schools with results before and after joining, the {OUTCOME} measure "
        f"changed by {fmt(r['treated_change'], 1)} percentage points, against {fmt(r['control_change'], 1)} for similar "
        f"schools: a difference of {fmt(r['did'], 1)} points{interval}.\n\n"
    )
else:
    text += "2.1 No member school has results both before and after joining within one assessment era.\n\n"
display(Markdown(text + captioned_table(number.next_table("did", ""), caption, table, note=method)))

# %%
if not single and len(rows):
    chart = rows[rows["lower"].notna()]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    labels = chart["grouping"] + ": " + chart["group"]
    ax.errorbar(
        chart["did"],
        labels,
        xerr=[(chart["did"] - chart["lower"]).clip(lower=0), (chart["upper"] - chart["did"]).clip(lower=0)],
        fmt="o",
        capsize=3,
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("difference in differences (percentage points)")
    ax.invert_yaxis()
    n = number.next_figure("did", "")
    data, meta = figure_output(
        fig,
        n,
        "Difference in differences with 95% intervals",
        "Dot plot of the estimated difference between member schools' change and similar schools' change, "
        "for all partnerships, each type and each size band, with horizontal bars for the 95% intervals; "
        "a vertical line marks no difference.",
    )
    display(data, metadata=meta, raw=True)

# %%
att = p["attainment"][(p["attainment"]["unit_id"].isin(ids)) & (p["attainment"]["measure"] == OUTCOME)]
floor = p["floor_counts"][p["floor_counts"]["unit_id"].isin(ids)]
if single:
    frame = att[["year", "denominator", "value", "n_schools"]].set_index("year")
    safe = suppress(frame, rules, percents={"value": "denominator"})
    assert_safe(safe, rules, percents={"value": "denominator"})
    f = floor.set_index("year")[["n_below_floor", "n_assessed"]]
    table = pd.DataFrame(
        {
            "Year": safe.index.astype(str),
            "Member schools": safe["n_schools"].to_numpy(),
            "Pupils": safe["denominator"].map(lambda v: fmt(v, 0)).to_numpy(),
            f"{OUTCOME.capitalize()} (%)": safe["value"].map(fmt).to_numpy(),
            "Below floor": [f.get("n_below_floor", {}).get(y, "") for y in safe.index],
        }
    )
    caption = "Results of the schools that were members in each year (pupil-weighted) and floor counts"
else:
    last = att[att["year"] == att["year"].max()].merge(
        floor[["unit_id", "year", "n_below_floor"]], on=["unit_id", "year"], how="left"
    )
    frame = last.set_index("unit_id")[["denominator", "value", "n_schools", "n_below_floor"]]
    safe = suppress(frame, rules, percents={"value": "denominator"})
    table = pd.DataFrame(
        {
            "Partnership": safe.index,
            "Member schools": safe["n_schools"].to_numpy(),
            "Pupils": safe["denominator"].map(lambda v: fmt(v, 0)).to_numpy(),
            f"{OUTCOME.capitalize()} (%)": safe["value"].map(fmt).to_numpy(),
            "Below floor": safe["n_below_floor"].to_numpy(),
        }
    )
    caption = (
        f"Each partnership's results in {int(att['year'].max()) if len(att) else year} (members at the time, pupil-weighted)"
    )
display(
    Markdown(
        "## 3 Partnership results and floor counts\n\n"
        + captioned_table(
            number.next_table("aggregates", ""),
            caption,
            table,
            note=f"Percentages of fewer than {rules.min_group} pupils are shown as {rules.symbol}.",
        )
    )
)

# %%
if not single:
    bands = p["size_bands"][(p["size_bands"]["la_code"] == la_code) & (p["size_bands"]["measure"] == OUTCOME)]
    bands = bands[bands["year"] == bands["year"].max()]
    table = pd.DataFrame(
        {
            "Size band (pupils on roll)": bands["size_band"],
            "Schools": bands["n_schools"],
            "Pupils": bands["denominator"].map(lambda v: fmt(v, 0)),
            f"{OUTCOME.capitalize()} (%)": bands["value"].map(fmt),
        }
    )
    display(
        Markdown(
            "## 4 Results by school size\n\n"
            + captioned_table(
                number.next_table("bands", ""),
                f"Results of all the LA's schools by size band, {int(bands['year'].max())}",
                table,
                note="Size from GIAS number on roll.",
            )
        )
    )

# %%
targets = p.get("targets")
heading = "## 5 Targets agreed by partnerships\n\n" if not single else "## 4 Targets agreed by the partnership\n\n"
if targets is None:
    display(Markdown(heading + "No targets file (la/partnership_targets.csv) was supplied, so targets are not tracked here."))
else:
    t = targets[targets["partnership_id"].isin(ids)]
    table = pd.DataFrame(
        {
            "Partnership": t["partnership_id"],
            "Year": t["year"].astype(str),
            "Measure": t["measure"],
            "Target": t["target"].map(fmt),
            "Result": t["value"].map(fmt),
            "Difference (pp)": t["difference"].map(lambda v: fmt(v, 1)),
            "Status": t["status"],
        }
    )
    display(
        Markdown(
            heading
            + (
                captioned_table(number.next_table("targets", ""), "Targets against results", table)
                if len(t)
                else "No targets were recorded for these partnerships."
            )
        )
    )

# %%
out = did.merge(schools[["urn", "name", "laestab"]], on="urn", how="left").assign(year=year)
indicators = [
    Indicator("treated_change", "Change after joining (pp)", "pp", 1),
    Indicator("control_change", "Similar schools' change (pp)", "pp", 1),
    Indicator("did", "Difference (pp)", "pp", 1),
]
# a filter with one item (a single partnership's page) distinguishes nothing: EES files leave it out
filters = {k: v for k, v in {"partnership_id": "Partnership", "partnership_type": "Type"}.items() if out[k].nunique() > 1}
geography = la_geography(schools, la_code) | {"school_urn": "urn", "school_laestab": "laestab", "school_name": "name"}
write_ees(
    ees_frame(out, "School", geography, list(filters), indicators),
    ees_meta(filters, indicators, filter_defaults(out, list(filters))),
    Path(downloads_dir) / "partnership_did",
)
