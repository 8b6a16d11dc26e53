"""Partnership measures (METRICS "Partnerships"): membership by test year, a matched difference in
differences of member schools against similar non-members, results by size band and type,
pupil-weighted partnership aggregates and floor counts with membership dates applied, and targets.

A school counts as a member in a test year when its membership covers 1 May of that year (the KS2
tests). URNs are mapped to their series URN first, so a school that converts to an academy while in a
partnership keeps one membership and one series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from keystage import schema
from keystage.errors import Rejects
from keystage.io.fields import Field
from keystage.io.la_records import RecordFile, read_record_file
from keystage.measures.attainment import attainment
from keystage.measures.common import school_wide, sort_fixed
from keystage.measures.floor import floor_counts
from keystage.standards import Standards
from keystage.units import map_urns

OUTCOME = "headline"  # the era's headline measure: what the difference in differences is about
MATCHES = 3  # similar non-member schools matched to each member school
BOOTSTRAP_REPS = 2000
BOOTSTRAP_SEED = 2013
MIN_SCHOOLS_FOR_INTERVAL = 3
SIZE_BANDS = ("under 75", "75 to 149", "150 and over")
SPELL_COLUMNS = [
    "partnership_id", "partnership_name", "partnership_type", "urn", "source_urns", "joined", "left", "first_year",
    "last_year",
]  # fmt: skip
DID_COLUMNS = [
    "partnership_id", "partnership_type", "urn", "la_code", "size_band", "first_year", "era", "before_years",
    "after_years", "treated_before", "treated_after", "treated_change", "control_urns", "n_controls", "control_change",
    "did", "note",
]  # fmt: skip
SUMMARY_COLUMNS = [
    "grouping", "group", "n_memberships", "n_schools", "treated_change", "control_change", "did", "lower", "upper",
]  # fmt: skip


class PartnershipTargets(schema._Model):
    """Targets a partnership agreed: a value of a canonical measure to reach in a test year."""

    partnership_id: Series[str]
    year: Series[int] = pa.Field(ge=2000, le=2100)
    measure: Series[str]
    target: Series[float]


TARGETS_FILE = RecordFile(
    {
        "partnership_id": Field("partnership_id"),
        "year": Field("year", "int"),
        "measure": Field("measure"),
        "target": Field("target", "float"),
    },
    ["partnership_id", "year", "measure"],
    PartnershipTargets,
)


def read_targets(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """la/partnership_targets.csv (partnership_id, year, measure, target) as PartnershipTargets;
    a repeated (partnership, year, measure) stops the run, an unreadable row goes to rejects."""
    return read_record_file(path, TARGETS_FILE, rejects)


def member_test_year(dates: pd.Series, last: bool) -> pd.Series:
    """The first (last=False) or last (last=True) May test year whose 1 May falls inside a membership that
    starts or ends on `dates`: joined 2019-09-01 -> 2020, joined 2012-02-01 -> 2012, left 2016-07-31 -> 2016."""
    month_day = dates.dt.month * 100 + dates.dt.day
    if last:
        return (dates.dt.year - (month_day < 501).astype(int)).astype("Int64")
    return (dates.dt.year + (month_day > 501).astype(int)).astype("Int64")


def membership_spells(partnerships: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """One row per partnership and series URN: the membership with its URNs (a conversion listed under
    both URNs becomes one spell from the first joining to the last leaving), and the first and last test
    years as a member (last_year NA while still a member)."""
    p = partnerships.assign(source_urn=partnerships["urn"].astype("int64"))
    p = map_urns(p, lineage)
    open_ = p["left"].isna()
    grouped = p.assign(_open=open_).groupby(["partnership_id", "urn"], sort=True)
    spells = grouped.agg(
        partnership_name=("partnership_name", "first"),
        partnership_type=("partnership_type", "first"),
        source_urns=("source_urn", lambda s: "; ".join(str(u) for u in sorted(set(s)))),
        joined=("joined", "min"),
        left=("left", "max"),
        still=("_open", "any"),
    ).reset_index()
    spells.loc[spells["still"], "left"] = pd.NaT
    spells["first_year"] = member_test_year(spells["joined"], last=False)
    spells["last_year"] = member_test_year(spells["left"], last=True)
    return sort_fixed(spells, SPELL_COLUMNS, ["partnership_id", "urn"])


def member_years(spells: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """(spell, partnership_id, urn, year) for every test year of `years` in which the school was a member;
    `spell` is the row number of the membership in `spells`."""
    grid = spells.reset_index(names="spell").merge(pd.DataFrame({"year": years}), how="cross")
    last = grid["last_year"].fillna(max(years, default=0)).astype("int64")
    inside = (grid["year"] >= grid["first_year"].astype("int64")) & (grid["year"] <= last)
    return grid.loc[inside, ["spell", "partnership_id", "urn", "year"]].reset_index(drop=True)


def size_band(on_roll: pd.Series) -> pd.Series:
    """Size band of each number on roll: "under 75", "75 to 149", "150 and over" (NA when unknown)."""
    bands = pd.cut(on_roll.astype("float64"), [-np.inf, 75, 150, np.inf], right=False, labels=list(SIZE_BANDS))
    return bands.astype(object).where(on_roll.notna(), None)


def school_sizes(establishments: pd.DataFrame | None, schools: pd.DataFrame, lineage: pd.DataFrame | None) -> pd.DataFrame:
    """urn (series), la_code, number_on_roll and size_band of every school in `schools` (urn, la_code):
    GIAS's number on roll of the latest URN of the series that has one."""
    base = map_urns(schools[["urn", "la_code"]], lineage).drop_duplicates("urn", keep="last")
    if establishments is None or not len(establishments):
        roll = pd.DataFrame({"urn": pd.Series(dtype="int64"), "number_on_roll": pd.Series(dtype="Int64")})
    else:
        e = establishments[["urn", "number_on_roll"]].dropna().assign(_urn=lambda f: f["urn"])
        roll = map_urns(e, lineage).sort_values("_urn").drop_duplicates("urn", keep="last")[["urn", "number_on_roll"]]
    out = base.merge(roll, on="urn", how="left")
    out["size_band"] = size_band(out["number_on_roll"])
    return out.sort_values("urn", ignore_index=True)


def _window_means(wide: pd.DataFrame, years: list[int]) -> pd.Series:
    """Each school's mean over the given year columns of `wide` (urn x year), NaN without a value."""
    cols = [y for y in years if y in wide.columns]
    return wide[cols].mean(axis=1) if cols else pd.Series(np.nan, index=wide.index)


def _matches(treated: pd.Series, pool: pd.DataFrame, k: int) -> pd.Index:
    """The k pool schools nearest `treated` on standardised features (ties broken by URN)."""
    spread = pool.std(ddof=0).replace(0, 1).fillna(1)
    z = (pool - treated) / spread
    distance = np.sqrt((z.fillna(0) ** 2).sum(axis=1))
    ranked = pd.DataFrame({"d": distance.round(12).to_numpy(), "urn": pool.index.to_numpy()}).sort_values(["d", "urn"])
    return pd.Index(ranked["urn"].head(k))


def matched_did(
    results: pd.DataFrame, spells: pd.DataFrame, sizes: pd.DataFrame, standards: Standards, k: int = MATCHES
) -> pd.DataFrame:
    """Difference in differences of each membership's headline against its k most similar non-member schools.

    Within the era of the first member year J: before = the era's test years before J, after = J to the
    last member year. Treated change = mean(after) - mean(before); each control (a school of the same LA
    never in any partnership, with results before and after) is matched on its mean headline before,
    its share of disadvantaged pupils before and its number on roll; did = treated change - the mean
    change of the matched controls over the same years. `results` are series-mapped SchoolResults.
    """
    wide = school_wide(results, [OUTCOME, "eligible", "disadv_count"])
    outcome = wide.pivot(index="urn", columns="year", values=OUTCOME)
    pupils = wide.pivot(index="urn", columns="year", values="eligible")
    disadv = wide.pivot(index="urn", columns="year", values="disadv_count")
    sizes = sizes.set_index("urn")
    members = set(spells["urn"])
    rows = []
    for spell in spells.itertuples(index=False):
        row = {c: getattr(spell, c) for c in ("partnership_id", "partnership_type", "urn", "first_year")}
        row.update(la_code=sizes["la_code"].get(spell.urn), size_band=sizes["size_band"].get(spell.urn))
        rows.append(row | _did_row(spell, outcome, pupils, disadv, sizes, members, standards, k))
    out = pd.DataFrame(rows, columns=DID_COLUMNS)
    return sort_fixed(out, DID_COLUMNS, ["partnership_id", "urn"])


def _did_row(spell, outcome, pupils, disadv, sizes, members, standards, k) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The before/after windows, matched controls and difference in differences of one membership."""
    empty = {"era": None, "before_years": "", "after_years": "", "control_urns": "", "n_controls": 0}
    if pd.isna(spell.first_year) or int(spell.first_year) not in standards.year_eras:
        later = [y for y in standards.years if not pd.isna(spell.first_year) and y >= int(spell.first_year)]
        if not later:
            return empty | {"note": "joined after the latest results"}
        first = later[0]
    else:
        first = int(spell.first_year)
    era = standards.year_eras[first]
    last = int(spell.last_year) if not pd.isna(spell.last_year) else max(standards.years)
    era_years = [y for y in standards.years if standards.year_eras[y] == era]
    before = [y for y in era_years if y < first]
    after = [y for y in era_years if first <= y <= last]
    window = {"era": era, "before_years": " ".join(map(str, before)), "after_years": " ".join(map(str, after))}
    pre, post = _window_means(outcome, before), _window_means(outcome, after)
    if spell.urn not in outcome.index or pd.isna(pre.get(spell.urn)) or pd.isna(post.get(spell.urn)):
        return empty | window | {"note": f"no {OUTCOME} result both before and after joining in the {era} era"}
    same_la = sizes.index[sizes["la_code"] == sizes["la_code"].get(spell.urn)]
    pool_urns = [u for u in outcome.index if u not in members and u in same_la and pd.notna(pre[u]) and pd.notna(post[u])]
    share = _window_means(disadv, before) / _window_means(pupils, before)
    features = pd.DataFrame({"prior": pre, "disadv": share, "roll": sizes["number_on_roll"].astype("float64")})
    features = features.reindex(outcome.index)
    chosen = _matches(features.loc[spell.urn], features.loc[pool_urns], k) if pool_urns else pd.Index([])
    treated_change = post[spell.urn] - pre[spell.urn]
    control_change = float((post[chosen] - pre[chosen]).mean()) if len(chosen) else np.nan
    return window | {
        "treated_before": pre[spell.urn], "treated_after": post[spell.urn], "treated_change": treated_change,
        "control_urns": "; ".join(str(u) for u in chosen), "n_controls": len(chosen), "control_change": control_change,
        "did": treated_change - control_change, "note": "" if len(chosen) else "no similar non-member school",
    }  # fmt: skip


def cluster_bootstrap(
    values: pd.Series, clusters: pd.Series, reps: int = BOOTSTRAP_REPS, seed: int = BOOTSTRAP_SEED, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of the mean of `values`, resampling whole clusters (schools) with replacement,
    so a school counted in several memberships moves as one; a fixed seed gives the same interval each run."""
    sums = values.groupby(clusters.to_numpy()).agg(["sum", "size"])
    n = len(sums)
    counts = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=reps)
    means = (counts @ sums["sum"].to_numpy()) / (counts @ sums["size"].to_numpy())
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def did_summary(did: pd.DataFrame) -> pd.DataFrame:
    """Mean difference in differences over all memberships, by partnership type, by size band and by
    partnership, with a cluster-bootstrap 95% interval (none under MIN_SCHOOLS_FOR_INTERVAL schools)."""
    usable = did[did["did"].notna()].assign(all="all partnerships")
    parts = []
    for grouping, column in (
        ("all", "all"),
        ("type", "partnership_type"),
        ("size band", "size_band"),
        ("partnership", "partnership_id"),
    ):
        for group, rows in usable.groupby(column, sort=True):
            n_schools = rows["urn"].nunique()
            low, high = cluster_bootstrap(rows["did"], rows["urn"]) if n_schools >= MIN_SCHOOLS_FOR_INTERVAL else (np.nan, np.nan)
            parts.append(
                {
                    "grouping": grouping,
                    "group": str(group),
                    "n_memberships": len(rows),
                    "n_schools": n_schools,
                    "treated_change": rows["treated_change"].mean(),
                    "control_change": rows["control_change"].mean(),
                    "did": rows["did"].mean(),
                    "lower": low,
                    "upper": high,
                }
            )
    return pd.DataFrame(parts, columns=SUMMARY_COLUMNS)


def _member_rows(frame: pd.DataFrame, spells: pd.DataFrame, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`frame` (urn, year, ...) restricted to member years with urn replaced by the membership's row
    number, and the matching units table, so unit sums count each school only while it was a member."""
    inside = member_years(spells, years)
    rows = frame.merge(inside[["spell", "urn", "year"]], on=["urn", "year"], how="inner")
    rows = rows.drop(columns="urn").rename(columns={"spell": "urn"})
    units = pd.DataFrame(
        {
            "unit_type": "group",
            "unit_id": spells["partnership_id"].to_numpy(),
            "unit_name": spells["partnership_name"].to_numpy(),
            "urn": np.arange(len(spells)),
        }
    )
    return rows, units


def partnership_attainment(results: pd.DataFrame, spells: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Pupil-weighted attainment of each partnership by year and measure over the schools that were
    members in that year (the attainment table's columns; unit_type "group")."""
    rows, units = _member_rows(results, spells, standards.years)
    return attainment(rows, units, standards)


def partnership_floor(floor: pd.DataFrame, spells: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Floor counts of each partnership by year over the schools that were members in that year."""
    rows, units = _member_rows(floor, spells, standards.years)
    return floor_counts(rows, units)


def size_band_attainment(results: pd.DataFrame, sizes: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Pupil-weighted attainment of each LA's schools by size band (unit_type "size_band", unit_id
    "<la_code> <band>"), plus la_code and size_band columns."""
    known = sizes[sizes["size_band"].notna()]
    units = pd.DataFrame(
        {
            "unit_type": "size_band",
            "unit_id": known["la_code"].astype(str) + " " + known["size_band"],
            "unit_name": known["size_band"],
            "urn": known["urn"],
        }
    )
    out = attainment(results, units, standards)
    split = out["unit_id"].str.split(" ", n=1)
    return out.assign(la_code=split.str[0].astype("int64"), size_band=split.str[1])


def targets_vs_results(targets: pd.DataFrame, part_attainment: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """Each target beside the partnership's result (members at the time): value, difference (result minus
    target, pp, unrounded) and status "met", "not met" or "no result yet" (higher is better except gaps)."""
    got = part_attainment[["unit_id", "year", "measure", "value", "n_schools"]].rename(columns={"unit_id": "partnership_id"})
    out = targets.drop(columns=[c for c in ("line",) if c in targets]).merge(
        got, on=["partnership_id", "year", "measure"], how="left"
    )
    out["difference"] = out["value"] - out["target"]
    sign = out["measure"].map(standards.polarity)
    out["status"] = np.select([out["value"].isna(), out["difference"] * sign >= 0], ["no result yet", "met"], "not met")
    return sort_fixed(
        out,
        ["partnership_id", "year", "measure", "target", "value", "n_schools", "difference", "status"],
        ["partnership_id", "measure", "year"],
    )
