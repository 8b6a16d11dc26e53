"""Simulate every school's KS2 results, year by year, as pupil counts drawn from its true performance.

Counts are nested so published figures stay consistent (RWM <= each subject, higher <= expected). The demo
LA's support days are decided from last year's floor status and lift the schools that get them, so the
support-and-improvement analysis has a real (modest) effect to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from keystage.synth import params
from keystage.synth.world import World

SUBJECTS = ("eng", "read", "writ", "mat", "gps")
PROGRESS = ("read", "writ", "mat")
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(31)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@dataclass(frozen=True)
class Results:
    """Per site (rows, in World.sites order) and test year (columns, params.TEST_YEARS): counts and scores."""

    counts: dict[str, np.ndarray]  # "eligible", "disadv_count", "headline", "headline_disadv", ... (pupils)
    progress: dict[str, np.ndarray]  # "read_prog", "read_prog_lower", ... (points; NaN where not published)
    progress_status: np.ndarray  # "" or the DfE code ("NA", "NE", "LOWCOV") for the whole progress block
    exists: np.ndarray  # site is listed in that year's KS2 file
    below_floor: np.ndarray  # the generator's floor rule, for targeting support
    support: pd.DataFrame  # site, year, team, kind, days (demo LA only)


def calibrated_logit(target: float, sd: float) -> float:
    """The logit x with mean(expit(x + sd * Z)) = target for Z standard normal: a population mean, not a median."""
    low, high = -10.0, 10.0
    for _ in range(60):
        mid = (low + high) / 2
        if float(np.dot(_WEIGHTS, expit(mid + sd * _NODES))) < target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _nested(rng: np.random.Generator, base: np.ndarray, pool: np.ndarray, share: np.ndarray) -> np.ndarray:
    """`base` plus a binomial draw from the `pool` of pupils not in it: a count that can never fall below `base`."""
    return base + rng.binomial(np.maximum(pool, 0), np.clip(share, 0.0, 1.0))


def _share(national_extra: float, national_pool: float, lift: np.ndarray) -> np.ndarray:
    """The chance a pupil in the pool reaches the next standard, raised by a school's lift on the logit scale."""
    base = np.clip(national_extra / national_pool, 0.005, 0.995)
    return expit(logit(base) + lift)


def _year_counts(
    rng: np.random.Generator, year: int, n: np.ndarray, disadv: np.ndarray, latent: np.ndarray, centre: float
) -> dict[str, np.ndarray]:
    """One year's nested pupil counts for every site, from cohort sizes and the latent attainment of each school."""
    nat = params.NATIONAL[year]
    gap = params.GAP_LOGIT_2009 + params.GAP_LOGIT_PER_YEAR * (year - 2009)
    share = np.where(n > 0, disadv / np.maximum(n, 1), 0.0)
    other = n - disadv
    lift = latent - centre
    group_latent = {"disadv": latent - gap * (1 - share), "other": latent + gap * share}
    group_n = {"disadv": disadv, "other": other}
    c: dict[str, np.ndarray] = {"eligible": n, "disadv_count": disadv, "other_count": other}
    top = expit(calibrated_logit(nat["higher"] / nat["headline"], 0.6) + 0.8 * lift)
    for group in ("disadv", "other"):
        c[f"headline_{group}"] = rng.binomial(group_n[group], expit(group_latent[group]))
        c[f"higher_{group}"] = rng.binomial(c[f"headline_{group}"], top)
    c["headline"] = c["headline_disadv"] + c["headline_other"]
    c["higher"] = c["higher_disadv"] + c["higher_other"]
    if "headline_4b" in nat:
        c["headline_4b"] = rng.binomial(c["headline"], _share(nat["headline_4b"], nat["headline"], 0.8 * lift))
    for subject in SUBJECTS:
        if subject in nat:
            extra = _share(nat[subject] - nat["headline"], 1 - nat["headline"], 0.8 * lift)
            c[subject] = _nested(rng, c["headline"], n - c["headline"], extra)
    _fit_components(c, n, ("eng", "mat") if "eng" in nat else ("read", "writ", "mat"))
    for subject in SUBJECTS:
        if subject not in nat:
            continue
        top = _share(nat[f"{subject}_higher"] - nat["higher"], nat[subject] - nat["higher"], 0.8 * lift)
        c[f"{subject}_higher"] = _nested(rng, c["higher"], c[subject] - c["higher"], top)
    return c


def _fit_components(c: dict[str, np.ndarray], n: np.ndarray, parts: tuple[str, ...]) -> None:
    """Trim subject counts so every pupil missing the headline misses at least one of its subjects (a pupil
    meeting all of them would meet the headline), keeping school figures possible for real pupils."""
    missing = n - c["headline"]
    excess = np.maximum(sum(c[p] - c["headline"] for p in parts) - (len(parts) - 1) * missing, 0)
    for part in reversed(parts):
        cut = np.minimum(excess, c[part] - c["headline"])
        c[part] = c[part] - cut
        excess = excess - cut


def _progress(rng: np.random.Generator, n: np.ndarray, lift: np.ndarray, own: np.ndarray) -> dict[str, np.ndarray]:
    """Progress scores and 95% confidence limits: the school's value added plus the noise of its cohort size."""
    out: dict[str, np.ndarray] = {}
    size = np.maximum(n, 1)
    for subject in PROGRESS:
        value_added = 2.4 * lift + 1.8 * own + rng.normal(0.0, 1.0, len(n))
        spread = params.PROGRESS_SD[subject] / np.sqrt(size)
        score = value_added + rng.normal(0.0, 1.0, len(n)) * spread
        centre = np.average(score, weights=n) if n.sum() else 0.0
        score = score - centre
        out[f"{subject}_prog"] = score
        out[f"{subject}_prog_lower"] = score - 1.96 * spread
        out[f"{subject}_prog_upper"] = score + 1.96 * spread
    return out


def _median_below(values: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """Whether each value is below the median of the counted schools (the levels era's progress test)."""
    return values < np.median(values[counted]) if counted.any() else np.zeros(len(values), bool)


def _below_floor(year: int, c: dict[str, np.ndarray], prog: dict[str, np.ndarray]) -> np.ndarray:
    """The generator's floor rule for `year` (attainment below the threshold and a failed progress test)."""
    n = c["eligible"]
    counted = n >= params.FLOOR_MIN_ELIGIBLE
    pct = 100 * c["headline"] / np.maximum(n, 1)
    low = counted & (pct < params.FLOOR_ATTAINMENT[year])
    if year in (2011, 2012):
        rates = [100 * c[m] / np.maximum(n, 1) for m in ("eng_2lp", "mat_2lp")]
    elif 2013 <= year <= 2015:
        rates = [100 * c[m] / np.maximum(n, 1) for m in ("read_2lp", "writ_2lp", "mat_2lp")]
    elif year in params.PROGRESS_YEARS:
        slow = np.zeros(len(n), bool)
        for subject, limit in params.FLOOR_PROGRESS.items():
            slow |= prog[f"{subject}_prog"] < limit
        return low & slow
    else:
        return low
    fails = np.ones(len(n), bool)
    for rate in rates:
        fails &= _median_below(rate, counted)
    return low & fails


def _support(rng: np.random.Generator, year: int, candidates: np.ndarray, below: np.ndarray, near: np.ndarray) -> pd.DataFrame:
    """One year's support days: 15-30 statutory days for schools below the floor, fewer (mostly bought) for the rest."""
    count = len(candidates)
    total_statutory = np.where(
        below, rng.uniform(15, 30, count), np.where(near & (rng.random(count) < 0.5), rng.uniform(3, 8, count), 0.0)
    )
    buys = rng.random(count) < np.where(below, 0.3, 0.5)
    total_purchased = np.where(buys, rng.uniform(5, 12, count) * np.where(below, 0.4, 1.0), 0.0)
    teams = params.SUPPORT_TEAMS
    statutory_split = rng.dirichlet([4.0, 2.0, 2.0, 2.0, 0.3], size=count)
    purchased_split = rng.dirichlet([1.0, 1.5, 1.5, 0.5, 0.7], size=count)
    frames = []
    for kind, totals, split in (("statutory", total_statutory, statutory_split), ("purchased", total_purchased, purchased_split)):
        days = np.round(totals[:, None] * split * 2) / 2
        site_idx, team_idx = np.nonzero(days > 0)
        frames.append(
            pd.DataFrame(
                {
                    "site": candidates[site_idx],
                    "year": year,
                    "team": np.asarray(teams)[team_idx],
                    "kind": kind,
                    "days": days[site_idx, team_idx],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def simulate(rng: np.random.Generator, world: World) -> Results:
    """Every site's results for every test year, with the demo LA's support decided and felt along the way."""
    sites, las = world.sites, world.las.set_index("code")
    count, years = len(sites), params.TEST_YEARS
    kind = sites["kind"].to_numpy()
    la_effect = sites["la_code"].map(las["effect"]).to_numpy()
    la_trend = sites["la_code"].map(las["trend"]).to_numpy()
    effect, trend, own = sites["effect"].to_numpy(), sites["trend"].to_numpy(), sites["prog"].to_numpy()
    demo = sites["la_code"].eq(params.DEMO_LA_CODE).to_numpy()
    appear, first, end = (sites[c].to_numpy() for c in ("appear_year", "first_year", "end_year"))
    counts: dict[str, np.ndarray] = {}
    progress = {
        f"{s}{x}": np.full((count, len(years)), np.nan) for s in PROGRESS for x in ("_prog", "_prog_lower", "_prog_upper")
    }
    status = np.full((count, len(years)), "", dtype=object)
    exists = np.zeros((count, len(years)), bool)
    below = np.zeros((count, len(years)), bool)
    boost = np.zeros(count)
    support_frames = []
    last_below = np.zeros(count, bool)
    last_pct = np.full(count, 100.0)
    spread = float(np.hypot(np.hypot(params.SCHOOL_EFFECT_SD, params.LA_EFFECT_SD), np.hypot(params.YEAR_SHOCK_SD, 0.2)))
    special = kind == "special"
    oddity = rng.random(count)
    for year in sorted(set(params.SUPPORT_YEARS) | set(years)):
        alive = ((appear == 0) | (appear <= year)) & (year < end)
        if year in params.SUPPORT_YEARS:
            boost *= params.SUPPORT_EFFECT_KEPT
            takers = np.flatnonzero(demo & alive & ~special)
            threshold = params.FLOOR_ATTAINMENT[max(y for y in years if y < year)]
            frame = _support(rng, year, takers, last_below[takers], last_pct[takers] < threshold + 10)
            support_frames.append(frame)
            np.add.at(boost, frame["site"].to_numpy(), params.SUPPORT_EFFECT_PER_DAY * frame["days"].to_numpy())
        if year not in years:
            continue
        j = years.index(year)
        nat = params.NATIONAL[year]
        centre = calibrated_logit(nat["headline"], spread)
        taught = alive & (first <= year) & (kind != "infant")
        exists[:, j] = alive & (kind != "infant")
        cohort = sites["cohort"].to_numpy() + np.where(
            year >= sites["merged_year"].to_numpy(), sites["merged_cohort"].to_numpy(), 0.0
        )
        n = np.where(taught, np.maximum(rng.poisson(cohort * np.exp(rng.normal(0, 0.1, count))), 2), 0)
        disadv_share = np.clip(params.DISADVANTAGED_SHARE[year] * sites["fsm"].to_numpy(), 0.01, 0.9)
        disadv = rng.binomial(n, disadv_share)
        decade = (year - 2009) / 10
        latent = (
            centre
            + la_effect
            + la_trend * decade
            + effect
            + trend * (year - 2017) / 10
            + boost
            + rng.normal(0.0, params.YEAR_SHOCK_SD, count)
        )
        c = _year_counts(rng, year, n, disadv, latent, centre)
        for label, p in (("eng_2lp", "eng_2lp"), ("read_2lp", "read_2lp"), ("writ_2lp", "writ_2lp"), ("mat_2lp", "mat_2lp")):
            if p in nat:
                c[label] = rng.binomial(n, expit(logit(nat[p]) + 0.6 * (latent - centre) + 0.15 * own))
        prog = {}
        if year in params.PROGRESS_YEARS:
            prog = _progress(rng, n, latent - centre, own)
            for key, values in prog.items():
                progress[key][:, j] = np.where(n > 0, values, np.nan)
            status[:, j] = np.select(
                [special & (oddity < 0.15), special & (oddity < 0.25), ~special & (oddity < 0.015)], ["NA", "NE", "LOWCOV"], ""
            )
        for key, values in c.items():
            counts.setdefault(key, np.zeros((count, len(years)), dtype=np.int64))[:, j] = values
        below[:, j] = _below_floor(year, c, prog) & taught & ~special
        last_below = below[:, j]
        last_pct = np.where(n > 0, 100 * c["headline"] / np.maximum(n, 1), 100.0)
    support = pd.concat(support_frames, ignore_index=True).sort_values(["site", "year", "kind", "team"], kind="stable")
    return Results(counts, progress, status, exists, below, support.reset_index(drop=True))
