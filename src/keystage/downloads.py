"""Every measure behind the reports as Explore Education Statistics CSV files (with .meta.csv).

Two files per measure table (the LA with its districts and England beside it; its schools: DfE's
standard keeps school-level rows apart), after disclosure control: a percentage resting on
fewer pupils than the minimum group shows "c", as DfE does, and a school whose result DfE suppressed keeps
its row with "c" rather than being left out. Attainment columns carry DfE's own indicator names
(`pt_rwm_met_expected_standard`, `t_rwm_eligible_pupils`, ...), with the disadvantaged groups as a filter.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keystage.disclosure import suppress
from keystage.errors import InputError
from keystage.opendata import TOTAL, Indicator, ees_frame, ees_meta, la_geography, planning_area_code, write_ees
from keystage.standards import Standards

LEVELS = {"national": "National", "la": "Local authority", "district": "Planning area", "school": "School"}
# file suffix -> unit types: the LA's districts beside its own rows (EES's table tool ignores a file of planning areas only)
FILES = {"la": ("la", "district", "national"), "school": ("school",)}

FLOOR = [
    Indicator("threshold", "Floor threshold, % meeting the headline measure", "%", 0),
    Indicator("n_assessed", "Schools assessed against the floor", "", 0),
    Indicator("n_below_attainment", "Schools below the threshold on attainment", "", 0),
    Indicator("n_lifted", "Schools below on attainment but lifted above the floor by progress", "", 0),
    Indicator("n_below_floor", "Schools below the floor", "", 0),
    Indicator("n_not_available", "Schools whose floor status cannot be evaluated", "", 0),
]
DISTRIBUTION = [
    Indicator("threshold", "Threshold, % meeting the headline measure", "%", 0),
    Indicator("n_schools", "Schools with a published headline result", "", 0),
    Indicator("n_at_or_above", "Schools at or above the threshold", "", 0),
    Indicator("pct_at_or_above", "Percentage of schools at or above the threshold", "%", 1),
    Indicator("mean_change", "Mean change on the previous year, percentage points", "pp", 1),
]
GAPS = [
    Indicator("disadv_pct", "Disadvantaged pupils meeting the headline measure", "%", 1),
    Indicator("other_pct", "Other pupils meeting the headline measure", "%", 1),
    Indicator("gap", "Gap: other minus disadvantaged, percentage points", "pp", 1),
    Indicator("national_gap", "England gap, percentage points", "pp", 1),
]

# DfE's names: the KS2 EES files (pt_read_met_expected_standard, t_writta_eligible_pupils...); the levels era,
# which EES does not carry, in the same pattern
SUBJECTS = {"read": "read", "writ": "writta", "mat": "mat", "gps": "gps", "eng": "eng"}
SUBJECT_LABELS = {"rwm": "reading, writing and maths", "em": "English and maths", "read": "reading",
                  "writta": "writing (teacher assessment)", "mat": "maths", "gps": "grammar, punctuation and spelling",
                  "eng": "English"}
STANDARDS = {  # era -> measure suffix -> (name part, label part)
    "expected": {"": ("met_expected_standard", "meeting the expected standard"),
                 "higher": ("met_higher_standard", "meeting the higher standard")},
    "levels": {"": ("level_4_plus", "at Level 4 or above"), "higher": ("level_5_plus", "at Level 5 or above"),
               "4b": ("level_4b_plus", "at Level 4b or above"), "2lp": ("two_levels_progress", "making two levels of progress")},
}
GROUPS = {"": TOTAL, "disadv": "Disadvantaged", "other": "Not known to be disadvantaged"}  # DfE data dictionary items
NO_SCHOOLS = Indicator("no_schools", "Number of schools with a published result", "", 0)
STATUS_SYMBOLS = {"SUPP": "c", "LOWCOV": "c", "NA": "z"}  # DfE's codes in the school-level files; others "x"


def attainment_column(measure: str, era: str) -> tuple[str, str, str, Indicator]:
    """(DfE subject, standard suffix, group, indicator) of an attainment measure: "read_higher" in the expected era is
    pt_read_met_higher_standard for all pupils; "headline_disadv" is pt_rwm_met_expected_standard, Disadvantaged."""
    parts = measure.split("_")
    group = parts.pop() if parts[-1] in GROUPS else ""
    base = parts.pop(0)
    if base not in ("headline", "higher", *SUBJECTS):
        raise KeyError(f"{measure!r} is not an attainment measure")
    level = "higher" if base == "higher" else (parts[0] if parts else "")
    subject = "em" if era == "levels_em" and base in ("headline", "higher") else SUBJECTS.get(base, "rwm")
    name, words = STANDARDS["expected" if era == "expected" else "levels"][level]
    return subject, level, GROUPS[group], Indicator(f"pt_{subject}_{name}", f"% {words} in {SUBJECT_LABELS[subject]}", "%", 1)


def eligible(subject: str) -> Indicator:
    """The eligible pupils a subject's percentages rest on, by DfE's name (t_rwm_eligible_pupils)."""
    return Indicator(f"t_{subject}_eligible_pupils", f"Eligible pupils, {SUBJECT_LABELS[subject]}", "", 0)


def la_units(units: pd.DataFrame, la_code: int) -> pd.DataFrame:
    """The LA's own units: the LA, its districts and its schools."""
    schools = set(units.loc[(units["unit_type"] == "la") & (units["unit_id"] == str(la_code)), "urn"])
    return units[units["urn"].isin(schools) & units["unit_type"].isin(["la", "district", "school"])]


DOWNLOAD_TABLES = ("attainment", "floor_counts", "distribution", "gaps")


def read_la_measures(measures_dir: str | Path, la_code: int, canonical_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The measure rows `write_downloads` needs for one LA: its units and their rows of each table (and, from
    `canonical_dir`, its schools' published statuses), read with Parquet filters so an England-sized measure
    folder costs one LA's rows, not every LA's."""
    folder = Path(measures_dir)
    for name in ("units", "schools", *DOWNLOAD_TABLES):
        if not (folder / f"{name}.parquet").is_file():
            raise InputError(folder / f"{name}.parquet", None, None, "a Parquet table written by `keystage measure`")
    la = pd.read_parquet(folder / "units.parquet", filters=[("unit_type", "==", "la"), ("unit_id", "==", str(la_code))])
    urns = sorted(int(u) for u in la["urn"].unique())
    units = pd.read_parquet(folder / "units.parquet", filters=[("urn", "in", urns)]) if urns else la
    ids = sorted(set(la_units(units, la_code)["unit_id"]))
    keyed = [("unit_type", "in", ["la", "district", "school"]), ("unit_id", "in", ids)]
    tables = {name: pd.read_parquet(folder / f"{name}.parquet", filters=keyed) for name in DOWNLOAD_TABLES[1:]}
    # attainment, the largest table, is grouped by LA (see keystage.measures.compute): filtering on la_code skips the rest
    tables["attainment"] = pd.read_parquet(folder / "attainment.parquet", filters=[("la_code", "==", int(la_code)), *keyed])
    schools = pd.read_parquet(folder / "schools.parquet", filters=[("la_code", "==", int(la_code))])
    if canonical_dir is not None and (Path(canonical_dir) / "school_results.parquet").is_file():
        tables["school_results"] = pd.read_parquet(Path(canonical_dir) / "school_results.parquet",
                                                   filters=[("urn", "in", urns)] if urns else None)
    return tables | {"units": units, "schools": schools}


def la_downloads(
    measures_dir: str | Path, la_code: int, standards: Standards, out_dir: str | Path, canonical_dir: str | Path | None = None
) -> list[Path]:
    """Read one LA's measure rows from `measures_dir` (statuses from `canonical_dir`) and write its EES files into `out_dir`."""
    return write_downloads(read_la_measures(measures_dir, la_code, canonical_dir), standards, la_code, out_dir)


def write_downloads(measures: dict[str, pd.DataFrame], standards: Standards, la_code: int, out_dir: str | Path) -> list[Path]:
    """Write attainment, floor, distribution and gap measures of one LA as EES files in `out_dir`, a file per level."""
    units = la_units(measures["units"], la_code)
    keys = units[["unit_type", "unit_id"]].drop_duplicates()
    geography = la_geography(measures["schools"], la_code)
    named = _named(units, measures["schools"], la_code)
    attainment, status, indicators = _attainment(measures, keys, standards)
    tables = [("ks2_attainment", attainment, status, ["disadvantage_status"], indicators)]
    for name, table, spec in (("floor_standard", "floor_counts", FLOOR), ("distribution", "distribution", DISTRIBUTION)):
        frame = measures[table].merge(keys, on=["unit_type", "unit_id"])
        tables.append((name, frame, None, [], spec))
    gaps, hidden = _gaps(measures["gaps"].merge(keys, on=["unit_type", "unit_id"]), standards)
    tables.append(("disadvantage_gap", gaps, hidden, [], GAPS))
    written: list[Path] = []
    for name, frame, hidden_status, filters, spec in tables:
        frame = frame.merge(named, on=["unit_type", "unit_id"], how="left")
        for suffix, unit_types in FILES.items():
            rows = frame[frame["unit_type"].isin(unit_types)]
            if rows.empty:
                continue
            parts = [ees_frame(part, LEVELS[unit_type], geography | LEVEL_SOURCES[unit_type], filters, spec,
                               None if hidden_status is None else hidden_status.loc[part.index])
                     for unit_type, part in rows.groupby("unit_type", sort=False)]
            data = pd.concat(parts, ignore_index=True).fillna("")
            meta = ees_meta({"disadvantage_status": "Disadvantage"} if filters else {}, spec)
            written.extend(write_ees(data, meta, Path(out_dir) / f"{name}_{suffix}"))
    return written


LEVEL_SOURCES = {  # each level's own EES columns, from the columns `_named` adds
    "national": {},
    "la": {},
    "district": {"planning_area_code": "area_code", "planning_area_name": "unit_name"},
    "school": {"school_urn": "unit_id", "school_laestab": "laestab", "school_name": "unit_name"},
}


def _named(units: pd.DataFrame, schools: pd.DataFrame, la_code: int) -> pd.DataFrame:
    """Each unit's name, a district's planning-area code (LA code and the district's slug) and a school's LAESTAB."""
    names = units[["unit_type", "unit_id", "unit_name"]].drop_duplicates(["unit_type", "unit_id"])
    laestab = schools.assign(unit_id=schools["urn"].astype(str))[["unit_id", "laestab"]] if "laestab" in schools else None
    out = names.assign(area_code=[planning_area_code(la_code, str(u)) for u in names["unit_id"]])
    return out.merge(laestab, on="unit_id", how="left") if laestab is not None else out.assign(laestab="")


def _attainment(
    measures: dict[str, pd.DataFrame], keys: pd.DataFrame, standards: Standards
) -> tuple[pd.DataFrame, pd.DataFrame, list[Indicator]]:
    """The percentage measures one row per unit, year and disadvantage group, one DfE-named column per measure,
    with England's figures as National rows; the GSS status of each missing cell beside it.

    Missing cells: "c" under the minimum group or suppressed by DfE, "z" where the measure is not of the year's era
    (Level 4+ after 2015) or DfE gave NA, "x" otherwise.
    """
    rows = measures["attainment"].merge(keys, on=["unit_type", "unit_id"])
    rows = rows[rows["kind"] == "pct"].reset_index(drop=True)
    safe = suppress(rows, standards.disclosure, percents={"value": "denominator"})
    hidden = safe["value"].astype(str).eq(standards.disclosure.symbol)
    rows = rows.assign(value=rows["value"].where(~hidden), status=hidden.map({True: "c", False: ""}))
    rows = pd.concat([rows, _published_statuses(measures, rows, keys)], ignore_index=True)
    national = rows[rows["unit_type"] == "la"].assign(unit_type="national", unit_id="", value=lambda f: f["national"],
                                                      denominator=float("nan"), n_schools=float("nan"), status="")
    rows = pd.concat([rows, national], ignore_index=True)
    spec = [attainment_column(m, e) for m, e in zip(rows["measure"], rows["era"], strict=True)]
    rows["group"] = [s[2] for s in spec]
    rows["column"] = [s[3].name for s in spec]
    indicators = list({s[3].name: s[3] for s in spec}.values())
    counts = rows[[s[1] == "" for s in spec]].assign(column=[eligible(s[0]).name for s in spec if s[1] == ""])
    subjects = list({eligible(s[0]).name: eligible(s[0]) for s in spec if s[1] == ""}.values())
    heads = rows[rows["measure"].str.split("_").str[0].eq("headline") & ~rows["measure"].str.contains("_4b|_2lp")]
    long = pd.concat([rows[["unit_type", "unit_id", "year", "era", "group", "column", "value", "status"]],
                      counts.assign(value=counts["denominator"], status="")[["unit_type", "unit_id", "year", "era", "group",
                                                                              "column", "value", "status"]],
                      heads.assign(column=NO_SCHOOLS.name, value=heads["n_schools"], status="")[
                          ["unit_type", "unit_id", "year", "era", "group", "column", "value", "status"]]],
                     ignore_index=True)
    index = ["unit_type", "unit_id", "year", "group"]
    long = long.drop_duplicates([*index, "column"])
    wide = long.set_index([*index, "column"])["value"].astype("float64").unstack("column")
    flags = long.set_index([*index, "column"])["status"].unstack("column")
    eras = long.groupby("column")["era"].agg(lambda s: set(s.str[:6]))
    year_era = long.drop_duplicates("year").set_index("year")["era"].str[:6]
    order = [i.name for i in [NO_SCHOOLS, *subjects, *indicators]]
    wide, flags = wide.reindex(columns=order), flags.reindex(index=wide.index, columns=order)
    years = wide.index.get_level_values("year").map(year_era)
    for column in order:
        other_era = ~years.isin(list(eras[column]))
        flags[column] = flags[column].fillna("x").replace("", "x").mask(other_era, "z")
    frame = wide.reset_index().rename(columns={"group": "disadvantage_status"})
    return frame, flags.reset_index(drop=True).set_axis(frame.index), [NO_SCHOOLS, *subjects, *indicators]


def _published_statuses(measures: dict[str, pd.DataFrame], rows: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Rows for the school results DfE published as a code (SUPP, NA...) instead of a figure, so a suppressed school
    shows "c" in its row instead of having no row; measures the LA's schools were not measured on are left to "x"."""
    results = measures.get("school_results")
    schools = rows[rows["unit_type"] == "school"]
    ids = set(keys.loc[keys["unit_type"] == "school", "unit_id"])  # the LA's schools, measured or not
    if results is None or not ids:
        return rows.iloc[0:0]
    eras = rows.drop_duplicates("year").set_index("year")["era"]
    coded = results[results["value"].isna() & results["measure"].isin(set(rows["measure"]))
                    & results["urn"].astype(str).isin(ids) & results["year"].isin(eras.index)]
    coded = coded.assign(unit_type="school", unit_id=coded["urn"].astype(str), era=coded["year"].map(eras),
                         status=coded["status"].map(STATUS_SYMBOLS).fillna("x"))
    measured = schools.set_index(["unit_id", "year", "measure"]).index
    coded = coded[~coded.set_index(["unit_id", "year", "measure"]).index.isin(measured)]
    return coded[["unit_type", "unit_id", "year", "era", "measure", "status"]]


def _gaps(gaps: pd.DataFrame, standards: Standards) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gap rows with group percentages hidden ("c") where either group is under the minimum size."""
    small = (gaps["disadv_denominator"] < standards.disclosure.min_group) | (
        gaps["other_denominator"] < standards.disclosure.min_group
    )
    hidden = pd.DataFrame({i.name: small.map({True: "c", False: ""}) for i in GAPS}, index=gaps.index)
    hidden["national_gap"] = ""
    return gaps.assign(**{c: gaps[c].where(~small) for c in ("disadv_pct", "other_pct", "gap")}), hidden
