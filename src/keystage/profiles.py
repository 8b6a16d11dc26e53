"""School profile data for every school at once: its series on every measure with cohort sizes, floor
status, support days, partnerships and place in its district and LA (with suppression), plus the
site path of each profile page and the executed-notebook form the renderers read.

Profiles are reports of kind "school" whose unit is the school's series URN, so the site places each at
reports/school-<urn>-<year>/ (see keystage.render.engine.report_slug) and its search index lists them.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd

from keystage.errors import Rejects
from keystage.io.files import matching
from keystage.io.gias import read_links
from keystage.lineage import resolve_lineage
from keystage.narrate import lift_metadata
from keystage.render.engine import report_slug
from keystage.standards import DisclosureRules
from keystage.units import apply_lineage, map_urns, units_on_series

PLACE_COLUMNS = [
    "urn",
    "year",
    "measure",
    "value",
    "cohort",
    "district",
    "district_rank",
    "district_n",
    "district_value",
    "la_rank",
    "la_n",
    "la_value",
]


def profile_href(urn: int, year: int) -> str:
    """The href of a school's profile page from another report's page (both live at reports/<slug>/)."""
    return f"../{report_slug({'kind': 'school', 'unit_id': int(urn), 'year': int(year)})}/index.html"


def la_school_urns(units: pd.DataFrame, lineage: pd.DataFrame | None, la_code: int) -> list[int]:
    """The series URNs of an LA's schools: the school units a profile is made for (as the measure stage builds them)."""
    on_series = units_on_series(units, lineage)
    la = on_series[(on_series["unit_type"] == "la") & (on_series["unit_id"] == str(la_code))]
    return sorted(int(u) for u in la["urn"].unique())


def data_folder_urns(data_dir: str | Path) -> pd.DataFrame:
    """urn, la_code (of its latest KS2 file) and series_urn of every school in a data folder's KS2 files,
    read cheaply from the URN/LEA columns and GIAS links (for listing reports when a workflow is parsed)."""
    years = []
    for path in matching(Path(data_dir) / "ks2", "*_ks2final.csv"):
        rows = pd.read_csv(path, usecols=lambda c: c in ("URN", "LEA"), dtype=str, encoding="utf-8-sig", keep_default_na=False)
        rows = rows.reindex(columns=["URN", "LEA"], fill_value="").apply(lambda column: column.str.strip())
        rows = rows[rows["URN"].str.isdigit() & rows["LEA"].str.isdigit()]
        years.append(pd.DataFrame({"urn": rows["URN"].astype("int64"), "la_code": rows["LEA"].astype("int64"),
                                   "year": int(path.name[:4])}))
    found = pd.concat(years, ignore_index=True) if years else pd.DataFrame(columns=["urn", "la_code", "year"], dtype="int64")
    schools = found.sort_values("year", kind="stable").drop_duplicates("urn", keep="last")[["urn", "la_code"]]
    schools = schools.reset_index(drop=True)
    links = matching(Path(data_dir) / "gias", "links_*.csv")
    lineage = resolve_lineage(read_links(links[0], Rejects()), schools["urn"])[0] if links else None
    return schools.assign(series_urn=map_urns(schools, lineage)["urn"])


def data_folder_schools(data_dir: str | Path) -> dict[int, list[int]]:
    """LA code -> series URNs of its schools (the profiles la_school_urns lists once the measures exist)."""
    found = data_folder_urns(data_dir)
    return {int(la): sorted(int(u) for u in set(g["series_urn"])) for la, g in found.groupby("la_code")}


def school_series(attainment: pd.DataFrame) -> pd.DataFrame:
    """Each school's value on every measure by year with its cohort (the pupils a percentage or progress
    score is of: all eligible, disadvantaged or other pupils; NaN for counts), from the attainment table."""
    s = attainment[attainment["unit_type"] == "school"]
    out = pd.DataFrame(
        {
            "urn": s["unit_id"].astype("int64"),
            "year": s["year"],
            "era": s["era"],
            "measure": s["measure"],
            "kind": s["kind"],
            "value": s["value"],
            "cohort": np.where(s["kind"] == "count", np.nan, s["denominator"]),
            "change_1y": s["change_1y"],
        }
    )
    return out.sort_values(["urn", "measure", "year"], ignore_index=True)


def hide_small(series: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """`series` with value and change shown as the symbol where the cohort is under the minimum group size."""
    small = series["cohort"] < rules.min_group
    out = series.astype({"value": object, "change_1y": object})
    out.loc[small, ["value", "change_1y"]] = rules.symbol
    return out


def progress_limits(results: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """The 95% confidence limits DfE publishes for each school's progress scores (urn, year, measure, lower,
    upper), from the school results with each URN mapped to its series as the measure stage maps it."""
    ends = results[results["measure"].str.endswith(("_prog_lower", "_prog_upper"))]
    ends = apply_lineage(ends, lineage)[0]  # a value set aside here is already recorded by the measure stage
    ends = ends.assign(end=ends["measure"].str.rsplit("_", n=1).str[1], measure=ends["measure"].str.rsplit("_", n=1).str[0])
    wide = ends.pivot_table(index=["urn", "year", "measure"], columns="end", values="value", aggfunc="first")
    return wide.reindex(columns=["lower", "upper"]).reset_index().rename_axis(columns=None)


def support_by_year(support_days: pd.DataFrame | None, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """Support days of each school (series URN) by year: statutory, purchased and total."""
    columns = ["urn", "year", "statutory", "purchased", "total"]
    if support_days is None or not len(support_days):
        return pd.DataFrame(columns=columns)
    days = map_urns(support_days, lineage).pivot_table(
        index=["urn", "year"], columns="kind", values="days", aggfunc="sum", fill_value=0.0
    )
    days = days.reindex(columns=["statutory", "purchased"], fill_value=0.0)
    days["total"] = days["statutory"] + days["purchased"]
    return days.reset_index()[columns]


def places(
    series: pd.DataFrame, units: pd.DataFrame, lineage: pd.DataFrame | None, attainment: pd.DataFrame, rules: DisclosureRules
) -> pd.DataFrame:
    """Each school's rank (1 = highest, ties share) among its district's and LA's schools on every pct measure
    and year, with the district and LA values; a school whose cohort is under the minimum group size is
    neither shown nor ranked (its value and ranks are left empty)."""
    on = units_on_series(units, lineage)
    district = on[on["unit_type"] == "district"][["urn", "unit_id"]].rename(columns={"unit_id": "district"})
    la = on[on["unit_type"] == "la"][["urn", "unit_id"]].rename(columns={"unit_id": "la_code"})
    s = series[(series["kind"] == "pct") & (series["cohort"] >= rules.min_group)]
    s = s.merge(la.drop_duplicates("urn"), on="urn", how="inner").merge(district.drop_duplicates("urn"), on="urn", how="left")
    s["la_rank"] = s.groupby(["la_code", "year", "measure"])["value"].rank(ascending=False, method="min")
    s["la_n"] = s.groupby(["la_code", "year", "measure"])["value"].transform("size")
    s["district_rank"] = s.groupby(["district", "year", "measure"])["value"].rank(ascending=False, method="min")
    s["district_n"] = s.groupby(["district", "year", "measure"])["value"].transform("size")
    unit_value = attainment[["unit_type", "unit_id", "year", "measure", "value"]]
    s = s.merge(
        unit_value[unit_value["unit_type"] == "district"]
        .drop(columns="unit_type")
        .rename(columns={"unit_id": "district", "value": "district_value"}),
        on=["district", "year", "measure"],
        how="left",
    )
    s = s.merge(
        unit_value[unit_value["unit_type"] == "la"]
        .drop(columns="unit_type")
        .rename(columns={"unit_id": "la_code", "value": "la_value"}),
        on=["la_code", "year", "measure"],
        how="left",
    )
    return s[PLACE_COLUMNS].sort_values(["urn", "measure", "year"], ignore_index=True)


def executed_notebook(meta: dict[str, Any], outputs: list[dict[str, Any]]) -> nbformat.NotebookNode:
    """A notebook in the executed form the renderers read: `keystage` metadata and one code cell whose
    outputs are the given display outputs ({"data": {...}, "metadata": {...}}: Markdown, or PNG as bytes)."""

    def encoded(data: dict[str, Any]) -> dict[str, Any]:
        return {k: base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v for k, v in data.items()}

    cell = nbformat.v4.new_code_cell(
        source="",
        outputs=[
            nbformat.v4.new_output("display_data", data=encoded(o["data"]), metadata=o.get("metadata", {})) for o in outputs
        ],
    )
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"keystage": meta})
    return lift_metadata(nb)


def write_notebook(nb: nbformat.NotebookNode, path: str | Path) -> Path:
    """Write a notebook atomically (a partial file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    nbformat.write(nb, partial)
    partial.replace(path)
    return path
