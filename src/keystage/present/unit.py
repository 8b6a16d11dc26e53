"""Load one report unit's rows (an LA or a district) from the measure stage's Parquet files.

Each table is read with pyarrow filters, so a report never loads other units' rows. For an LA, DfE's
published LA figure (`la_published`) is shown wherever DfE publishes one: it counts every pupil,
whereas the school-based figure leaves out schools whose small groups DfE suppressed (Hampshire's
"other pupils" 2017: 71% published, 70% from school rows). Where there is no school file for a year
(e.g. Hampshire 2016) the published figure is all there is. `source` says which each row is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from keystage.errors import InputError
from keystage.measures.attainment import measure_kind, weight_of
from keystage.standards import Standards
from keystage.units import la_name, map_urns

UNIT_TABLES = (
    "attainment",
    "floor_counts",
    "coasting_counts",
    "distribution",
    "change_bands",
    "gaps",
    "support_summary",
    "support_by_band",
    "support_fit",
    "support_band",
)
SCHOOL_TABLES = ("school_changes", "floor_schools")
KINDS = ("la", "district")
PUBLISHED = "DfE published LA figure"  # no school-level file was read for the year
OFFICIAL = "DfE published LA figure, all pupils"  # preferred to the school-based value of the same year
SCHOOLS = "schools"


@dataclass
class UnitData:
    """Everything a report presents about one unit: its measure rows, its LA's rows, and the inputs' record."""

    kind: str
    la_code: int
    la_name: str
    unit_id: str
    unit_name: str
    years: list[int]
    tables: dict[str, pd.DataFrame]
    la_attainment: pd.DataFrame
    national: pd.DataFrame
    schools: pd.DataFrame
    region_name: str = ""
    canonical: dict[str, pd.DataFrame] = field(default_factory=dict)
    series_years: list[int] = field(default_factory=list)  # an LA's whole published series; else the report's years

    def table(self, name: str) -> pd.DataFrame:
        """The unit's rows of a measure table, limited to the report's years."""
        frame = self.tables[name]
        return frame[frame["year"].isin(self.years)] if "year" in frame.columns else frame

    def series(self, name: str) -> pd.DataFrame:
        """The unit's rows of a measure table over its whole series (series_years, or the report's years)."""
        frame = self.tables[name]
        return frame[frame["year"].isin(self.series_years or self.years)]


def _read(path: Path, filters: list[tuple] | None = None) -> pd.DataFrame:
    """One Parquet table, filtered by pyarrow; an InputError naming the file when it is missing."""
    if not path.is_file():
        raise InputError(path, None, None, "a Parquet table written by the measure stage (run `keystage measure` first)")
    return pd.read_parquet(path, filters=filters)


def _rediff(rows: pd.DataFrame) -> pd.DataFrame:
    """Differences from each comparator, recomputed from `value`."""
    return rows.assign(diff_national=rows["value"] - rows["national"], diff_region=rows["value"] - rows["region"],
                       diff_sn_mean=rows["value"] - rows["sn_mean"])


def with_published(attainment: pd.DataFrame, comparators: pd.DataFrame, la_code: int) -> pd.DataFrame:
    """An LA's attainment rows showing DfE's published LA value wherever there is one (see the module docstring),
    adding rows for (year, measure) pairs that have only the published value."""
    attainment = attainment.assign(source=SCHOOLS)
    mine = comparators[comparators["la_code"] == la_code]
    have = set(zip(attainment["year"], attainment["measure"], strict=True))
    extra = mine[[(y, m) not in have for y, m in zip(mine["year"], mine["measure"], strict=True)]]
    extra = extra[extra["la_published"].notna()]
    if extra.empty:
        return attainment
    rows = _rediff(extra.assign(value=extra["la_published"], source=PUBLISHED, unit_id=str(la_code), unit_type="la"))
    rows = rows.drop(columns=[c for c in rows.columns if c not in attainment.columns])
    filled = attainment.copy()
    published = filled["la_published"].notna()
    filled.loc[published, "source"] = (filled.loc[published, "value"].isna()).map({True: PUBLISHED, False: OFFICIAL})
    filled.loc[published, "value"] = filled.loc[published, "la_published"]
    filled = _rediff(filled)
    both = pd.concat([filled, rows], ignore_index=True).sort_values(["measure", "year"], ignore_index=True)
    return with_published_counts(both, mine)


def with_published_counts(rows: pd.DataFrame, mine: pd.DataFrame) -> pd.DataFrame:
    """Published rows' pupil numbers (denominator) from the same publication as their value: DfE's count of the
    pupils the percentage is of (eligible, disadvantaged, other) where it gives one, else missing, never the sum of
    school rows; numerators are left missing, as DfE publishes none."""
    counts = mine.set_index(["year", "measure"])[["la_published", "la_source"]]
    published = rows["source"].isin([PUBLISHED, OFFICIAL]) & rows["measure"].map(measure_kind).isin(["pct", "mean"])
    keys = pd.MultiIndex.from_arrays([rows["year"], rows["measure"].map(weight_of)])
    count = counts.reindex(keys)
    same = count["la_source"].to_numpy() == rows["la_source"].to_numpy()
    out = rows.copy()
    out.loc[published, "denominator"] = count["la_published"].where(same, float("nan")).to_numpy()[published.to_numpy()]
    out.loc[published, "numerator"] = float("nan")
    return out


def gaps_with_published(gaps: pd.DataFrame, comparators: pd.DataFrame, la_code: int, standards: Standards) -> pd.DataFrame:
    """An LA's gap rows using DfE's published LA figures for disadvantaged and other pupils where both exist, with
    the pupil numbers beside them from the same publication (missing when it gives none, never the school sums),
    and a row for every other year DfE published both (LAIT years without a school file); la_source names the
    publication. School counts stay those of the school rows (missing in years without them)."""
    mine = comparators[comparators["la_code"] == la_code].set_index(["year", "measure"])
    both_years = {y for (y, m) in mine.index[mine["la_published"].notna()] if m == "headline_disadv"} & {
        y for (y, m) in mine.index[mine["la_published"].notna()] if m == "headline_other"
    }
    extra = sorted(y for y in both_years if y in standards.year_eras and y not in set(gaps["year"]))
    added = pd.DataFrame({"unit_type": "la", "unit_id": str(la_code), "year": extra})
    added["era"] = added["year"].map(standards.year_eras)
    added["definition"] = added["era"].map({k: e.disadvantage_label for k, e in standards.eras.items()})
    out = pd.concat([gaps, added], ignore_index=True).sort_values("year", ignore_index=True) if extra else gaps.copy()

    def published(measure: str, column: str = "la_published") -> pd.Series:
        return out["year"].map(lambda y: mine[column].get((y, measure)))

    figure = {m: published(m).astype(float) for m in ("headline_disadv", "headline_other", "disadv_count", "other_count")}
    sources = {m: published(m, "la_source") for m in ("headline_disadv", "disadv_count", "other_count")}
    both = figure["headline_disadv"].notna() & figure["headline_other"].notna()
    out.loc[both, "disadv_pct"] = figure["headline_disadv"][both]
    out.loc[both, "other_pct"] = figure["headline_other"][both]
    same = {c: sources[c] == sources["headline_disadv"] for c in ("disadv_count", "other_count")}
    out.loc[both, "disadv_denominator"] = figure["disadv_count"].where(same["disadv_count"])[both]
    out.loc[both, "other_denominator"] = figure["other_count"].where(same["other_count"])[both]
    out.loc[both, ["disadv_numerator", "other_numerator"]] = float("nan")
    for column, measure in (("national_disadv", "headline_disadv"), ("national_other", "headline_other"),
                            ("national_gap", "gap"), ("national_all", "headline")):  # fmt: skip
        out[column] = out[column].fillna(published(measure, "national").astype(float))
    out["gap"] = out["other_pct"] - out["disadv_pct"]
    out["gap_vs_national"] = out["gap"] - out["national_gap"]
    return out.assign(source=both.map({True: OFFICIAL, False: SCHOOLS}), la_source=sources["headline_disadv"].where(both))


def report_years(available: list[int], standards: Standards, first: int | None, last: int | None, span: int = 4) -> list[int]:
    """The test years a report covers: configured years with data between first and last.

    Without a last year the latest year with data is used; without a first year, the last `span`
    test years with data.
    """
    have = sorted(y for y in set(available) if y in standards.year_eras)
    if not have:
        return []
    last = last if last is not None else have[-1]
    upto = [y for y in have if y <= last]
    if first is None:
        return upto[-span:]
    return [y for y in upto if y >= first]


def load_unit(
    work_dir: str | Path,
    kind: str,
    unit_id: str,
    la_code: int,
    standards: Standards,
    first_year: int | None = None,
    last_year: int | None = None,
) -> UnitData:
    """Read one unit's measure rows (and, for a district, its LA's attainment) from work_dir/measures."""
    if kind not in KINDS:
        raise InputError("parameters", None, "kind", f"one of {KINDS}, not {kind!r}")
    measures = Path(work_dir) / "measures"
    canonical = Path(work_dir) / "canonical"
    unit_type, unit_id = kind, str(unit_id)
    key = [("unit_type", "==", unit_type), ("unit_id", "==", unit_id)]
    members = _read(measures / "units.parquet", key)
    if members.empty:
        raise InputError(measures / "units.parquet", None, "unit_id", f"a {kind} unit called {unit_id!r}")
    urns = sorted(int(u) for u in members["urn"].unique())
    schools = _read(measures / "schools.parquet", [("urn", "in", urns)])
    name = la_name(schools, int(la_code))
    tables = {name: _read(measures / f"{name}.parquet", key) for name in UNIT_TABLES}
    tables.update({name: _read(measures / f"{name}.parquet", [("urn", "in", urns)]) for name in SCHOOL_TABLES})
    comparators = _read(measures / "comparators.parquet", [("la_code", "==", int(la_code))])
    la_key = [("unit_type", "==", "la"), ("unit_id", "==", str(la_code))]
    la_attainment = with_published(_read(measures / "attainment.parquet", la_key), comparators, int(la_code))
    if kind == "la":
        tables["attainment"] = la_attainment
        tables["gaps"] = gaps_with_published(tables["gaps"], comparators, int(la_code), standards)
    else:
        tables["attainment"] = tables["attainment"].assign(source=SCHOOLS)
        school_key = [("unit_type", "==", "school"), ("unit_id", "in", [str(u) for u in urns])]
        tables["school_attainment"] = _read(measures / "attainment.parquet", school_key)  # the district's school table
        progress = [f"{s}_prog{end}" for s in ("read", "writ", "mat") for end in ("", "_lower", "_upper")]
        results = canonical / "school_results.parquet"
        tables["school_progress"] = (  # progress scores with DfE's 95% confidence limits, for the district's chart
            _read(results, [("urn", "in", urns), ("measure", "in", progress)])
            if results.is_file() else pd.DataFrame(columns=["urn", "year", "measure", "value"])
        )
    tables["case_studies"] = case_rows(measures, canonical, urns)
    tables["cases_without_results"] = cases_without_results(measures, canonical, kind)
    att = tables["attainment"]
    # by default a report covers years with school-level results; DfE's published LA figures fill an asked-for year
    named = first_year is not None or last_year is not None
    years = report_years(att.loc[named | (att["source"] != PUBLISHED), "year"].tolist(), standards, first_year, last_year)
    published = la_attainment.loc[(la_attainment["measure"] == "headline") & la_attainment["la_published"].notna(), "year"]
    eras = {standards.year_eras[y] for y in years}  # the series within the report's eras: one table per era
    series = sorted({int(y) for y in published if standards.year_eras.get(y) in eras and (last_year is None or y <= last_year)})
    return UnitData(
        kind=kind,
        la_code=int(la_code),
        la_name=name,
        unit_id=unit_id,
        unit_name=str(members["unit_name"].iloc[0]) if kind == "district" else name,
        years=years,
        tables=tables,
        la_attainment=la_attainment,
        national=_read(measures / "national.parquet"),
        schools=schools,
        region_name=str(comparators["region_name"].dropna().iloc[0]) if comparators["region_name"].notna().any() else "",
        canonical=read_canonical_notes(canonical, urns),
        series_years=sorted(set(series) | set(years)) if kind == "la" else years,
    )


def case_rows(measures: Path, canonical: Path, urns: list[int]) -> pd.DataFrame:
    """The case-study rows of the cases whose schools are in this LA."""
    cases = _read(measures / "case_studies.parquet")
    listing = canonical / "case_studies.parquet"
    if cases.empty or not listing.is_file():
        return cases.iloc[0:0]
    named = pd.read_parquet(listing)
    ours = set(named.loc[named["urn"].isin(urns), "case_id"])
    return cases[cases["case_id"].isin(ours)].reset_index(drop=True)


def cases_without_results(measures: Path, canonical: Path, kind: str) -> pd.DataFrame:
    """The LA's listed case studies none of whose schools has results (case_id, title, urns), so the LA report's
    appendix can keep them and say why they have no table; none for a district, whose members are schools with results."""
    listing = canonical / "case_studies.parquet"
    found = pd.DataFrame({"case_id": pd.Series(dtype=str), "title": pd.Series(dtype=str), "urns": pd.Series(dtype=str)})
    if kind != "la" or not listing.is_file():
        return found
    named = pd.read_parquet(listing)
    named = named[~named["case_id"].isin(_read(measures / "case_studies.parquet")["case_id"])]
    if named.empty:
        return found
    urns = named.sort_values("urn").groupby(["case_id", "title"], sort=True)["urn"].agg(lambda u: ", ".join(map(str, u)))
    return urns.rename("urns").reset_index()


def read_canonical_notes(canonical: Path, urns: list[int]) -> dict[str, pd.DataFrame]:
    """The canonical tables the appendices and the support chart need (absent tables are left out);
    support days are mapped to series URNs and limited to the unit's schools."""
    found = {}
    for name in ("provenance", "rejects", "lineage", "stat_neighbours", "la_codes"):
        path = canonical / f"{name}.parquet"
        if path.is_file():
            found[name] = pd.read_parquet(path)
    support = canonical / "support_days.parquet"
    if support.is_file():
        days = map_urns(pd.read_parquet(support), found.get("lineage"))
        found["support_days"] = days[days["urn"].isin(urns)].reset_index(drop=True)
    return found
