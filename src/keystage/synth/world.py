"""The synthetic world: 152 fictional LAs, their schools with a true underlying performance, and how URNs change.

A "site" is a school as parents know it; its URN changes when it converts to an academy or amalgamates, as
GIAS records. Every LA is simulated school by school, so England, regions and LAs are exact aggregates of
their schools; only the demo LA gets amalgamations, a merger, new schools and the LA's own records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from keystage.synth import params
from keystage.synth.names import place_names, saint_names

FIRST_URN, FIRST_NEW_URN = 100001, 140001
NO_YEAR = 9999  # "never" for a site's end year


@dataclass(frozen=True)
class World:
    """Everything the writers need: LAs, sites (true parameters), URN spans and GIAS links."""

    las: pd.DataFrame  # one row per LA: code, name, region, lait_region, sub_code, sub_name, go_ind, fsm, effect, trend
    sites: pd.DataFrame  # one row per site: la_code, kind, name, district, cohort, fsm, effect, trend, prog, ...
    urns: pd.DataFrame  # one row per URN: site, years it carries results, GIAS identity and dates
    links: pd.DataFrame  # GIAS links: urn, link_urn, link_type, link_date


def build_las(rng: np.random.Generator) -> pd.DataFrame:
    """152 fictional LAs in England's nine regions, the demo LA (a county in the South East) among them."""
    rows = []
    for region, _code, go_ind, count, subs in params.REGIONS:
        for i in range(count):
            lait_region = region
            if region == "London":
                lait_region = "Inner London" if i < params.INNER_LONDON_LAS else "Outer London"
            sub_code, sub_name = subs[i % len(subs)]
            rows.append((region, params.LAIT_LA_REGION.get(lait_region, lait_region), go_ind, sub_code, sub_name))
    las = pd.DataFrame(rows, columns=["region", "lait_region", "go_ind", "sub_code", "sub_name"])
    demo = int(np.flatnonzero(las["region"].eq(params.DEMO_REGION).to_numpy())[0])
    codes = [c for c in range(601, 601 + len(las) + 1) if c != params.DEMO_LA_CODE][: len(las)]
    codes[demo] = params.DEMO_LA_CODE
    names = place_names(rng, len(las), exclude=frozenset({params.DEMO_LA_NAME}))
    names[demo] = params.DEMO_LA_NAME
    las["code"] = codes
    las["name"] = names
    london = las["region"].eq("London").to_numpy()
    las["fsm"] = np.exp(rng.normal(0.0, 0.3, len(las)) + np.where(london, 0.35, 0.0))
    las["effect"] = rng.normal(0.0, params.LA_EFFECT_SD, len(las)) - 0.25 * np.log(las["fsm"]) + np.where(london, 0.45, 0.0)
    las["trend"] = rng.normal(0.0, 0.08, len(las))  # logit per decade
    las["schools"] = np.clip(np.round(np.exp(rng.normal(np.log(95), 0.5, len(las)))), 12, 420).astype(int)
    las["academy_rate"] = rng.uniform(0.05, 0.6, len(las))
    is_demo = las["code"].eq(params.DEMO_LA_CODE)
    las.loc[is_demo, ["fsm", "effect", "trend", "schools", "academy_rate"]] = [0.8, 0.06, 0.06, 300, 0.15]
    las["schools"] = las["schools"].astype(int)
    return las.sort_values("code", kind="stable").reset_index(drop=True)


def _la_layout(rng: np.random.Generator, la: pd.Series) -> dict[str, list]:
    """One LA's schools by kind and place (infant/junior pairs share a place), and the district each is in."""
    n = int(la["schools"])
    is_demo = la["code"] == params.DEMO_LA_CODE
    pairs = 35 if is_demo else int(rng.binomial(n // 2, 0.11))
    primaries = n - 2 * pairs
    specials = 8 if is_demo else max(1, round(n * 0.025))
    places = place_names(rng, primaries + pairs + specials)
    count = primaries + 2 * pairs + specials
    districts = list(params.DEMO_DISTRICTS) if is_demo else [str(la["name"])]
    district = list(rng.choice(len(districts), size=count, p=rng.dirichlet(np.full(len(districts), 8.0))))
    district[primaries : primaries + pairs] = district[primaries + pairs : primaries + 2 * pairs]  # infant beside junior
    return {
        "kind": ["primary"] * primaries + ["infant"] * pairs + ["junior"] * pairs + ["special"] * specials,
        "place": places[:primaries] + places[primaries : primaries + pairs] * 2 + places[primaries + pairs :],
        "pair_offset": [-1] * primaries
        + list(range(primaries + pairs, primaries + 2 * pairs))
        + list(range(primaries, primaries + pairs))
        + [-1] * specials,
        "la_code": [int(la["code"])] * count,
        "district": [districts[i] for i in district],
    }


def _traits(rng: np.random.Generator, sites: pd.DataFrame, la_fsm: np.ndarray) -> pd.DataFrame:
    """Each school's type, religious character, size, deprivation and true performance, drawn for all LAs at once."""
    count = len(sites)
    special = sites["kind"].eq("special").to_numpy()
    nftype = rng.choice(["CY", "VC", "VA", "FD"], size=count, p=[0.6, 0.2, 0.15, 0.05])
    sites["nftype"] = np.where(special, "CYS", nftype)
    catholic = rng.random(count) < 0.3
    sites["religion"] = np.select(
        [sites["nftype"].eq("VC"), sites["nftype"].eq("VA") & catholic, sites["nftype"].eq("VA")],
        ["Church of England", "Roman Catholic", "Church of England"],
        "Does not apply",
    )
    sites["saint"] = saint_names(rng, count)
    median = np.select([sites["kind"].eq("junior"), special], [58.0, 11.0], 28.0)
    spread = np.where(sites["kind"].eq("primary"), 0.6, 0.35)
    sites["cohort"] = np.clip(np.exp(np.log(median) + spread * rng.standard_normal(count)), 5, 92)
    sites["fsm"] = np.exp(rng.normal(0.0, 0.55, count)) * la_fsm
    struggling = rng.random(count) < 0.07  # a heavier lower tail: the schools that fall below the floor
    effect = rng.normal(0.0, params.SCHOOL_EFFECT_SD, count) - 0.3 * np.log(sites["fsm"].to_numpy()) - 0.9 * struggling
    sites["effect"] = np.where(special, -5.0, effect)
    sites["trend"] = rng.normal(0.0, 0.25, count)  # logit per decade
    sites["prog"] = rng.normal(0.0, 1.0, count)  # progress beyond what attainment implies (points)
    return sites


def _names(sites: pd.DataFrame) -> pd.Series:
    """School names in DfE's style: church schools named for their church, a comma where DfE puts one."""
    kind_word = sites["kind"].map({"primary": "Primary", "infant": "Infant", "junior": "Junior", "special": "Special"})
    plain = sites["place"] + " " + kind_word + " School"
    cofe = sites["place"] + " Church of England " + kind_word + " School"
    catholic = "St " + sites["saint"] + "\u2019s Catholic " + kind_word + " School, " + sites["place"]
    return pd.Series(
        np.select([sites["religion"].eq("Church of England"), sites["religion"].eq("Roman Catholic")], [cofe, catholic], plain),
        index=sites.index,
    )


def build_sites(rng: np.random.Generator, las: pd.DataFrame) -> pd.DataFrame:
    """Every LA's schools, with a site id, name, and the years each exists (all of them unless an event says otherwise)."""
    layouts = [_la_layout(rng, la) for _, la in las.iterrows()]
    sites = pd.DataFrame({key: [v for layout in layouts for v in layout[key]] for key in layouts[0]})
    sites = _traits(rng, sites, sites["la_code"].map(las.set_index("code")["fsm"]).to_numpy())
    start = sites.groupby("la_code").cumcount().to_numpy()
    sites["pair"] = np.where(sites["pair_offset"] >= 0, sites.index.to_numpy() - start + sites["pair_offset"].to_numpy(), -1)
    sites = sites.drop(columns="pair_offset")
    sites.insert(0, "site", np.arange(len(sites)))
    sites["name"] = _names(sites)
    sites["low_age"] = sites["kind"].map({"primary": 4, "infant": 4, "junior": 7, "special": 2})
    sites["high_age"] = sites["kind"].map({"primary": 11, "infant": 7, "junior": 11, "special": 11})
    series = np.select([sites["kind"].eq("special"), sites["nftype"].isin(["VA", "VC"])], [7000, 3000], 2000)
    sites["estab"] = series + sites.groupby(["la_code", series]).cumcount().to_numpy()
    sites["appear_year"] = 0  # first test year listed in the KS2 file (0: from the start)
    sites["first_year"] = 0  # first test year with eligible pupils
    sites["end_year"] = NO_YEAR  # first test year the site no longer exists
    return sites


@dataclass(frozen=True)
class _Event:
    site: int
    year: int  # first test year under the new URN
    kind: str  # "academy", "sponsor", "amalgamation", "merger", "new"
    partner: int = -1  # amalgamation: the infant school; merger: the continuing school


def _academy_events(rng: np.random.Generator, sites: pd.DataFrame, las: pd.DataFrame, exclude: set[int]) -> list[_Event]:
    """Academy conversions, at each LA's own rate, mostly in later years; weak schools get a sponsor."""
    rate = sites["la_code"].map(las.set_index("code")["academy_rate"]).to_numpy()
    eligible = sites["kind"].ne("special").to_numpy() & ~np.isin(sites["site"].to_numpy(), sorted(exclude))
    converts = eligible & (rng.random(len(sites)) < rate)
    years = np.arange(2011, 2026)
    weights = np.linspace(1.0, 2.0, len(years))
    year = rng.choice(years, size=len(sites), p=weights / weights.sum())
    sponsor = sites["effect"].to_numpy() < -0.6
    return [_Event(int(s), int(year[s]), "sponsor" if sponsor[s] else "academy") for s in np.flatnonzero(converts)]


def _demo_events(rng: np.random.Generator, sites: pd.DataFrame) -> list[_Event]:
    """The demo LA's amalgamations (infant + junior -> primary), one merger and two new schools."""
    demo = sites[sites["la_code"].eq(params.DEMO_LA_CODE)]
    juniors = demo[demo["kind"].eq("junior")]["site"].to_numpy()
    chosen = rng.choice(juniors, size=4, replace=False)
    years = rng.choice([2012, 2014, 2017, 2023], size=4, replace=False)
    events = [_Event(int(j), int(y), "amalgamation", int(sites.at[int(j), "pair"])) for j, y in zip(chosen, years, strict=True)]
    primaries = demo[demo["kind"].eq("primary")]
    small = primaries[primaries["cohort"] < 15]
    closing = int(small["site"].to_numpy()[0])
    district = sites.at[closing, "district"]
    same = primaries[primaries["district"].eq(district) & primaries["site"].ne(closing) & (primaries["cohort"] > 25)]
    events.append(_Event(closing, 2016, "merger", int(same["site"].to_numpy()[0])))
    return events


def _add_new_schools(rng: np.random.Generator, sites: pd.DataFrame) -> pd.DataFrame:
    """Two new demo-LA primaries (opened 2013 and 2018): listed without pupils the next year, results two years on."""
    template = sites[sites["la_code"].eq(params.DEMO_LA_CODE) & sites["kind"].eq("primary")].iloc[:2].copy()
    taken = frozenset(sites.loc[sites["la_code"].eq(params.DEMO_LA_CODE), "place"])
    template["place"] = place_names(rng, 2, exclude=taken)
    template["religion"] = "Does not apply"
    template["nftype"] = "F"
    template["name"] = _names(template)
    template["site"] = [len(sites), len(sites) + 1]
    template["estab"] = [2900, 2901]
    template["effect"] = rng.normal(0.2, 0.3, 2)
    template["appear_year"] = [2014, 2019]
    template["first_year"] = [2016, 2022]
    return pd.concat([sites, template], ignore_index=True).set_index("site", drop=False).rename_axis(None)


def _fmt(day: date) -> str:
    return day.strftime("%d-%m-%Y")


_CHANGE_MONTHS = (9, 9, 9, 10, 11, 12, 1, 2, 3, 4)  # mostly September


def _change_date(rng: np.random.Generator, year: int) -> date:
    """The first day under a new URN: 1 September before the tests, or the first of a month up to April."""
    month = _CHANGE_MONTHS[int(rng.integers(len(_CHANGE_MONTHS)))]
    return date(year - 1 if month >= 9 else year, month, 1)


def build_world(rng: np.random.Generator) -> World:
    """Draw the LAs, their schools, and every URN change, deterministically from `rng`."""
    las = build_las(rng)
    sites = build_sites(rng, las)
    demo_events = _demo_events(rng, sites)
    involved = {e.site for e in demo_events} | {e.partner for e in demo_events}
    events = demo_events + _academy_events(rng, sites, las, involved)
    sites = _add_new_schools(rng, sites)
    events += [_Event(int(s), int(sites.at[s, "appear_year"]), "new") for s in sites.index[sites["appear_year"] > 0]]
    events.sort(key=lambda e: (e.year, sites.at[e.site, "la_code"], e.site))
    sites, urns, links = _apply_events(rng, sites, events)
    return World(las=las, sites=sites, urns=urns, links=links)


def _apply_events(
    rng: np.random.Generator, sites: pd.DataFrame, events: list[_Event]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn events into URN spans (which URN carries which site's results in which years) and GIAS links."""
    sites = sites.copy()
    originals = sites.index[sites["appear_year"].eq(0)].to_numpy()
    urn_of = {int(s): FIRST_URN + i for i, s in enumerate(originals)}
    columns = {c: sites.loc[originals, c].to_numpy() for c in ("nftype", "name", "low_age")}
    spans: dict[int, dict] = {
        FIRST_URN + i: {
            "urn": FIRST_URN + i,
            "site": int(s),
            "from_year": 0,
            "to_year": NO_YEAR,
            "nftype": columns["nftype"][i],
            "name": columns["name"][i],
            "open_date": None,
            "close_date": None,
            "reason_open": "Not applicable",
            "reason_close": "Not applicable",
            "low_age": int(columns["low_age"][i]),
        }
        for i, s in enumerate(originals)
    }
    links: list[tuple[int, int, str, str]] = []
    next_urn = FIRST_NEW_URN

    def close(urn: int, year: int, day: date, reason: str) -> None:
        spans[urn].update(to_year=year - 1, close_date=day - timedelta(days=1), reason_close=reason)

    def open_(site: int, year: int, day: date, reason: str, nftype: str, name: str, low_age: int) -> int:
        nonlocal next_urn
        urn, next_urn = next_urn, next_urn + 1
        spans[urn] = {
            "urn": urn,
            "site": site,
            "from_year": year,
            "to_year": NO_YEAR,
            "nftype": nftype,
            "name": name,
            "open_date": day,
            "close_date": None,
            "reason_open": reason,
            "reason_close": "Not applicable",
            "low_age": low_age,
        }
        urn_of[site] = urn
        return urn

    for e in events:
        day = _change_date(rng, e.year) if e.kind in ("academy", "sponsor") else date(e.year - 1, 9, 1)
        if e.kind == "new":
            open_(e.site, e.year, day, "New Provision", "F", sites.at[e.site, "name"], 4)
        elif e.kind in ("academy", "sponsor"):
            old = urn_of[e.site]
            close(old, e.year, day, "Academy Converter" if e.kind == "academy" else "For Academy")
            name = str(spans[old]["name"]).replace(" School", " Academy", 1)
            new = open_(
                e.site,
                e.year,
                day,
                "Academy Converter" if e.kind == "academy" else "Academy Sponsor Led",
                "ACC" if e.kind == "academy" else "AC",
                name,
                int(sites.at[e.site, "low_age"]),
            )
            links += [(old, new, "Successor", _fmt(day - timedelta(days=1))), (new, old, "Predecessor", _fmt(day))]
        elif e.kind == "amalgamation":
            junior, infant = urn_of[e.site], urn_of[e.partner]
            name = f"{sites.at[e.site, 'place']} Primary School"
            for old in (infant, junior):
                close(old, e.year, day, "Result of Amalgamation/Merger")
            new = open_(e.site, e.year, day, "Result of Amalgamation", "CY", name, 4)
            sites.loc[e.site, ["kind", "low_age", "name", "nftype", "religion"]] = ["primary", 4, name, "CY", "Does not apply"]
            sites.loc[e.partner, "end_year"] = e.year
            for old in (infant, junior):
                links += [
                    (old, new, "Successor - amalgamated", _fmt(day - timedelta(days=1))),
                    (new, old, "Predecessor - amalgamated", _fmt(day)),
                ]
        elif e.kind == "merger":
            closing, staying = urn_of[e.site], urn_of[e.partner]
            close(closing, e.year, day, "Result of Amalgamation/Merger")
            sites.loc[e.site, "end_year"] = e.year
            sites.loc[e.partner, "merged_year"] = e.year
            sites.loc[e.partner, "merged_cohort"] = sites.at[e.site, "cohort"]
            links += [
                (closing, staying, "Successor - merged", _fmt(day - timedelta(days=1))),
                (staying, closing, "Predecessor - merged", _fmt(day)),
            ]
    sites["merged_year"] = sites.get("merged_year", pd.Series(NO_YEAR, index=sites.index)).fillna(NO_YEAR).astype(int)
    sites["merged_cohort"] = sites.get("merged_cohort", pd.Series(0.0, index=sites.index)).fillna(0.0)
    urns = pd.DataFrame(sorted(spans.values(), key=lambda r: r["urn"]))
    urns["la_code"] = urns["site"].map(sites["la_code"])
    link_frame = pd.DataFrame(links, columns=["urn", "link_urn", "link_type", "link_date"])
    link_frame = link_frame.sort_values(["urn", "link_urn"], kind="stable").reset_index(drop=True)
    return sites, urns, link_frame


def urns_in_year(world: World, year: int) -> np.ndarray:
    """For each site (World.sites order), the URN that carries its results in test `year` (0 when none)."""
    urns = world.urns
    live = (urns["from_year"].to_numpy() <= year) & (urns["to_year"].to_numpy() >= year)
    out = np.zeros(len(world.sites), dtype=np.int64)
    out[urns["site"].to_numpy()[live]] = urns["urn"].to_numpy()[live]
    return out
