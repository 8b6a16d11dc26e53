"""Pupil-level KS2-to-KS4 records for the demo LA's 2017-2019 cohorts, consistent with the schools' KS2 counts.

Each school's pupils reproduce its published counts exactly (who met the expected standard in reading,
writing, maths and all three, by disadvantage). Most pupils move on to one of one to three local
secondaries; a few move LA or leave state schools (blank KS4 fields). KS4 grades follow KS2 scores, the
secondary school's own effect and disadvantage.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from keystage.synth import params
from keystage.synth.names import place_names
from keystage.synth.results import Results
from keystage.synth.world import World, urns_in_year

FIRST_SECONDARY_URN = 136001
OTHER_LA_URN = 160001  # secondaries in other LAs, known only by URN
MOVED_LA, LEFT = 0.03, 0.03


def secondaries(rng: np.random.Generator, world: World) -> pd.DataFrame:
    """The demo LA's secondary schools, five or six per district, each with its own effect on grades."""
    per_district = rng.integers(5, 7, len(params.DEMO_DISTRICTS))
    count = int(per_district.sum())
    taken = frozenset(world.sites.loc[world.sites["la_code"].eq(params.DEMO_LA_CODE), "place"])
    place = place_names(rng, count, exclude=taken)
    nftype = rng.choice(["ACC", "CY", "VA", "FD"], size=count, p=[0.6, 0.2, 0.1, 0.1])
    suffix = np.where(nftype == "ACC", " Academy", np.where(rng.random(count) < 0.5, " School", " Community College"))
    return pd.DataFrame(
        {
            "urn": FIRST_SECONDARY_URN + np.arange(count),
            "estab": 4000 + np.arange(count),
            "name": [p + s for p, s in zip(place, suffix, strict=True)],
            "district": np.repeat(params.DEMO_DISTRICTS, per_district),
            "nftype": nftype,
            "high_age": np.where(rng.random(count) < 0.4, 18, 16),
            "effect": rng.normal(0.0, 0.45, count),
            "intake": rng.integers(120, 300, count),
        }
    )


def _school_pupils(rng: np.random.Generator, c: dict[str, int]) -> dict[str, np.ndarray]:
    """One school's cohort: disadvantage, reading and maths scaled scores and writing TA matching its counts."""
    n, n_d = c["eligible"], c["disadv_count"]
    disadv = np.arange(n) < n_d
    rank = np.where(disadv, np.arange(n), np.arange(n) - n_d)
    rwm = np.where(disadv, rank < c["headline_disadv"], rank < c["headline_other"])
    top = np.where(disadv, rank < c["higher_disadv"], rank < c["higher_other"])
    meets = {s: rwm.copy() for s in ("read", "writ", "mat")}
    missing = np.flatnonzero(~rwm)
    extras = {s: c[s] - c["headline"] for s in meets}
    room = {s: len(missing) - extras[s] for s in meets}
    fails_read = min(room["read"], len(missing))
    fails_writ = min(room["writ"], len(missing) - fails_read)
    designated = np.repeat(np.array(["read", "writ", "mat"]), [fails_read, fails_writ, len(missing) - fails_read - fails_writ])
    designated = rng.permutation(designated)
    for subject in meets:
        open_ = missing[designated != subject]
        meets[subject][rng.choice(open_, size=extras[subject], replace=False)] = True

    def score(subject: str) -> np.ndarray:
        high = rng.integers(110, 121, n)
        mid = np.where(top, high, rng.integers(100, 114, n))
        return np.where(meets[subject], mid, rng.integers(85, 100, n)).astype(float)

    writing = np.where(meets["writ"], np.where(top, "GDS", "EXS"), np.where(rng.random(n) < 0.06, "PKF", "WTS"))
    order = rng.permutation(n)  # pupils in no particular order, as an extract lists them
    columns = {"disadvantaged": disadv.astype(int), "ks2_read_score": score("read"), "ks2_mat_score": score("mat")}
    columns["ks2_writ_ta"] = writing
    return {name: values[order] for name, values in columns.items()}


def _feeders(rng: np.random.Generator, sites: pd.DataFrame, schools: pd.DataFrame) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each primary site: its one to three local secondaries and the share of its pupils each takes."""
    out = {}
    by_district = {d: group["urn"].to_numpy() for d, group in schools.groupby("district", sort=True)}
    for site, district in zip(sites["site"], sites["district"], strict=True):
        local = by_district[district]
        k = int(rng.integers(1, 4))
        chosen = rng.choice(local, size=min(k, len(local)), replace=False)
        weights = np.array([0.72, 0.2, 0.08])[: len(chosen)]
        out[int(site)] = (chosen, weights / weights.sum())
    return out


def grades(
    rng: np.random.Generator, read: np.ndarray, mat: np.ndarray, disadv: np.ndarray, effect: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """GCSE English and maths grades (0-9) from KS2 scores, the secondary's effect and disadvantage."""
    z_read, z_mat = (read - 103) / 6, (mat - 103) / 6
    eng = 4.7 + 1.1 * z_read + 0.4 * z_mat + effect - 0.35 * disadv + rng.normal(0, 1.0, len(read))
    maths = 4.6 + 1.3 * z_mat + 0.3 * z_read + effect - 0.35 * disadv + rng.normal(0, 0.9, len(read))
    return np.clip(np.round(eng), 0, 9), np.clip(np.round(maths), 0, 9)


def pupils(rng: np.random.Generator, world: World, results: Results, schools: pd.DataFrame) -> pd.DataFrame:
    """pupils.csv: every pupil of the demo LA's 2017-2019 KS2 cohorts, linked to their KS4 results five years on."""
    demo = world.sites[world.sites["la_code"].eq(params.DEMO_LA_CODE)]
    feeders = _feeders(rng, demo, schools)
    effect = schools.set_index("urn")["effect"]
    others = world.las.loc[world.las["code"].ne(params.DEMO_LA_CODE), "code"].to_numpy()
    parts: list[dict[str, np.ndarray]] = []
    for year in params.COHORT_YEARS:
        j = params.TEST_YEARS.index(year)
        urns = urns_in_year(world, year)
        for site in demo.loc[demo["kind"].ne("special"), "site"].to_numpy():
            c = {m: int(v[site, j]) for m, v in results.counts.items()}
            if c["eligible"] == 0:
                continue
            cohort = _school_pupils(rng, c)
            size = c["eligible"]
            chosen, weights = feeders[int(site)]
            fate = rng.random(size)
            destination = rng.choice(chosen, size=size, p=weights)
            moved = fate < MOVED_LA
            left = (fate >= MOVED_LA) & (fate < MOVED_LA + LEFT)
            school_effect = np.where(moved, 0.0, effect.reindex(destination).to_numpy())
            eng, maths = grades(rng, cohort["ks2_read_score"], cohort["ks2_mat_score"], cohort["disadvantaged"], school_effect)
            ks4 = {
                "ks4_year": np.full(size, year + 5.0),
                "ks4_urn": np.where(moved, OTHER_LA_URN + rng.integers(0, 400, size), destination).astype(float),
                "ks4_la": np.where(moved, rng.choice(others, size=size), params.DEMO_LA_CODE).astype(float),
                "ks4_eng_grade": eng,
                "ks4_mat_grade": maths,
            }
            cohort.update({k: np.where(left, np.nan, v) for k, v in ks4.items()})
            cohort.update(
                ks2_year=np.full(size, year), ks2_urn=np.full(size, urns[site]), ks2_la=np.full(size, params.DEMO_LA_CODE)
            )
            parts.append(cohort)
    frame = pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})
    frame.insert(0, "pupil_id", [f"P{i:07d}" for i in range(1, len(frame) + 1)])
    for column in ("ks4_year", "ks4_urn", "ks4_la"):
        frame[column] = frame[column].astype("Int64")
    for column in ("ks4_eng_grade", "ks4_mat_grade", "ks2_read_score", "ks2_mat_score"):
        frame[column] = frame[column].astype("Int64")
    columns = [
        "pupil_id",
        "ks2_year",
        "ks2_urn",
        "ks2_la",
        "disadvantaged",
        "ks2_read_score",
        "ks2_mat_score",
        "ks2_writ_ta",
        "ks4_year",
        "ks4_urn",
        "ks4_la",
        "ks4_eng_grade",
        "ks4_mat_grade",
    ]
    return frame[columns]
