"""The demo LA's own records: districts, support days, subscriptions, partnerships and case studies.

Records name schools by the URN they had at the time, as an LA's own systems do, so a converted school
appears under both URNs and the lineage from GIAS links is needed to follow it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from keystage.synth import params
from keystage.synth.fmt import write_frame
from keystage.synth.results import Results
from keystage.synth.world import World, urns_in_year


def _demo_sites(world: World) -> pd.DataFrame:
    return world.sites[world.sites["la_code"].eq(params.DEMO_LA_CODE)]


def districts(world: World) -> pd.DataFrame:
    """urn, district for every URN a demo-LA school has ever had."""
    sites = _demo_sites(world)
    urns = world.urns[world.urns["site"].isin(sites["site"])]
    frame = pd.DataFrame({"urn": urns["urn"].to_numpy(), "district": urns["site"].map(sites["district"]).to_numpy()})
    return frame.sort_values("urn").reset_index(drop=True)


def support_days(world: World, results: Results) -> pd.DataFrame:
    """urn, year, team, kind, days: the support each school had before each year's tests, under that year's URN."""
    support = results.support
    urn = np.zeros(len(support), dtype=np.int64)
    for year in sorted(support["year"].unique()):
        rows = support["year"].eq(year).to_numpy()
        urn[rows] = urns_in_year(world, int(year))[support.loc[rows, "site"].to_numpy()]
    frame = support.assign(urn=urn)[["urn", "year", "team", "kind", "days"]]
    return frame[frame["urn"] > 0].sort_values(["urn", "year", "team", "kind"], kind="stable").reset_index(drop=True)


def subscriptions(rng: np.random.Generator, world: World) -> pd.DataFrame:
    """urn, year, service, subject: core provision bought by about 75% of schools in maths and 50% in English."""
    sites = _demo_sites(world)
    sites = sites[sites["kind"].ne("special")]
    loyalty = {"maths": rng.random(len(sites)), "English": rng.random(len(sites))}
    take_up = {"maths": 0.75, "English": 0.5}
    frames = []
    for year in params.SUPPORT_YEARS:
        urns = urns_in_year(world, year)[sites["site"].to_numpy()]
        for subject, base in loyalty.items():
            wobble = rng.normal(0.0, 0.08, len(sites))
            buys = (base + wobble < take_up[subject]) & (urns > 0)
            frames.append(pd.DataFrame({"urn": urns[buys], "year": year, "service": "Core provision", "subject": subject}))
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["urn", "year", "subject"], kind="stable").reset_index(drop=True)


def _iso(year: int, month: int, day: int = 1) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def partnerships(rng: np.random.Generator, world: World) -> pd.DataFrame:
    """About 25 clusters of 4-10 schools, 8 federations of 2-3 and 4 trusts of academies, joined 2010-2022, a few leavers."""
    sites = _demo_sites(world)
    sites = sites[sites["kind"].ne("special") & sites["end_year"].eq(9999)]
    rows: list[tuple[str, str, str, int, str, str]] = []
    urn_2010 = urns_in_year(world, 2010)
    now = urns_in_year(world, 2025)
    quota = (4, 3, 3, 3, 3, 3, 3, 3)  # 25 clusters over the eight districts
    cluster = 0
    for district, wanted in zip(params.DEMO_DISTRICTS, quota, strict=True):
        members = rng.permutation(sites[sites["district"].eq(district)]["site"].to_numpy())
        for k in range(wanted):
            size = int(rng.integers(4, 11))
            chosen, members = members[:size], members[size:]
            if len(chosen) < 4:
                break
            cluster += 1
            start = int(rng.integers(2010, 2023))
            for s in chosen:
                joined = int(min(2022, start + rng.integers(0, 3)))
                urn = urns_in_year(world, joined)[s] or now[s]
                left = _iso(joined + 3, 7, 31) if rng.random() < 0.06 else ""
                rows.append((f"CL{cluster:02d}", f"{district} Cluster {k + 1}", "cluster", int(urn), _iso(joined, 9), left))
    rows += _federations(rng, world, sites, urn_2010)
    rows += _trusts(rng, world)
    frame = pd.DataFrame(rows, columns=["partnership_id", "partnership_name", "partnership_type", "urn", "joined", "left"])
    return frame.sort_values(["partnership_id", "urn"], kind="stable").reset_index(drop=True)


def _federations(rng: np.random.Generator, world: World, sites: pd.DataFrame, urn_2010: np.ndarray) -> list[tuple]:
    """Federations: infant and junior pairs, and small primaries sharing a head; FD01 is two primaries (a case study)."""
    now = urns_in_year(world, 2025)
    small = sites[sites["kind"].eq("primary") & (sites["cohort"] < 20) & (urn_2010[sites["site"].to_numpy()] > 0)]
    groups: list[list[int]] = []
    for district in params.DEMO_DISTRICTS:
        here = small[small["district"].eq(district)]["site"].to_numpy()
        if len(here) >= 2 and len(groups) < 4:
            groups.append(list(here[: 2 + int(len(groups) % 2 and len(here) >= 3)]))
    pairs = sites[sites["kind"].eq("junior")]
    for junior in pairs["site"].to_numpy()[: 8 - len(groups)]:
        groups.append([int(world.sites.at[junior, "pair"]), int(junior)])
    rows = []
    for k, group in enumerate(groups, start=1):
        year = int(rng.integers(2011, 2022))
        place = world.sites.at[group[-1], "place"]
        for s in group:
            urn = urns_in_year(world, year)[s] or now[s]
            rows.append((f"FD{k:02d}", f"The {place} Federation", "federation", int(urn), _iso(year, 9), ""))
    return rows


def _trusts(rng: np.random.Generator, world: World) -> list[tuple]:
    """Four multi-academy trusts: academies join on the day they open; one school leaves for another trust."""
    urns = world.urns[world.urns["la_code"].eq(params.DEMO_LA_CODE) & world.urns["nftype"].isin(["ACC", "AC"])]
    urns = urns.sort_values(["open_date", "urn"], kind="stable")
    names = ("Wessex Learning Trust", "Chalk Stream Academies", "Downland Schools Trust", "Harbour Primary Trust")
    rows = []
    for i, (_, span) in enumerate(urns.iterrows()):
        if i >= 28:
            break
        k = i % 4
        left = _iso(span["open_date"].year + 4, 8, 31) if i == 5 else ""
        rows.append((f"TR{k + 1:02d}", names[k], "trust", int(span["urn"]), span["open_date"].isoformat(), left))
    return rows


def case_studies(world: World, results: Results, federations: pd.DataFrame) -> pd.DataFrame:
    """Six case studies: five schools with the biggest rise in RWM from 2016 to 2019, and the first federation."""
    sites = _demo_sites(world)
    sites = sites[sites["kind"].ne("special")]
    rows = sites["site"].to_numpy()
    first, last = params.TEST_YEARS.index(2016), params.TEST_YEARS.index(2019)
    n = results.counts["eligible"][rows]
    pct = 100 * results.counts["headline"][rows] / np.maximum(n, 1)
    rise = np.where((n[:, first] >= 15) & (n[:, last] >= 15), pct[:, last] - pct[:, first], -np.inf)
    best = rows[np.lexsort((rows, -rise))[:5]]
    urns = urns_in_year(world, 2019)
    out = [(f"CS{k}", f"{world.sites.at[s, 'name']}: rising results", int(urns[s])) for k, s in enumerate(best, start=1)]
    fed = federations[federations["partnership_id"].eq("FD01")]
    out += [("CS6", f"{fed['partnership_name'].iloc[0]}: two schools, one leadership", int(u)) for u in fed["urn"]]
    return pd.DataFrame(out, columns=["case_id", "title", "urn"])


def write_la_records(out: Path, rng: np.random.Generator, world: World, results: Results) -> list[Path]:
    """Write la/districts.csv, support_days.csv, subscriptions.csv, partnerships.csv and case_studies.csv."""
    folder = out / "la"
    links = partnerships(rng, world)
    return [
        write_frame(folder / "districts.csv", districts(world)),
        write_frame(folder / "support_days.csv", support_days(world, results)),
        write_frame(folder / "subscriptions.csv", subscriptions(rng, world)),
        write_frame(folder / "partnerships.csv", links),
        write_frame(folder / "case_studies.csv", case_studies(world, results, links)),
    ]
