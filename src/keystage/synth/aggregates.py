"""Pupil-weighted totals for LAs, regions and England, shared by the KS2 aggregate rows and LAIT so they agree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keystage.synth import params
from keystage.synth.results import Results
from keystage.synth.world import World

COUNT_MEASURES = ("eligible", "disadv_count", "other_count")
GROUP_DENOMINATOR = {
    "headline_disadv": "disadv_count",
    "higher_disadv": "disadv_count",
    "headline_other": "other_count",
    "higher_other": "other_count",
}


def denominator(measure: str) -> str:
    """The count a percentage measure is taken of (eligible pupils unless it is a pupil group's figure)."""
    return GROUP_DENOMINATOR.get(measure, "eligible")


def is_progress(measure: str) -> bool:
    """Progress scores and their confidence limits are points, averaged over pupils, not percentages."""
    return "_prog" in measure


@dataclass(frozen=True)
class Totals:
    """Summed counts (and pupil-weighted progress sums) per area (rows) and test year (columns)."""

    codes: np.ndarray
    sums: dict[str, np.ndarray]
    progress_sums: dict[str, np.ndarray]  # sum of eligible * score over schools with a score
    progress_pupils: np.ndarray  # eligible pupils of those schools

    def value(self, measure: str) -> np.ndarray:
        """Counts for count measures, % for attainment, pupil-weighted mean points for progress (NaN if no pupils)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            if measure in COUNT_MEASURES:
                return self.sums[measure].astype(float)
            if is_progress(measure):
                subject, _, limit = measure.partition("_prog")
                score = self.progress_sums[f"{subject}_prog"] / self.progress_pupils
                half = 1.96 * params.PROGRESS_SD[subject] / np.sqrt(self.progress_pupils)
                return {"": score, "_lower": score - half, "_upper": score + half}[limit]
            return 100 * self.sums[measure] / self.sums[denominator(measure)]


def _group_sum(values: np.ndarray, labels: np.ndarray, codes: np.ndarray) -> np.ndarray:
    out = np.zeros((len(codes),) + values.shape[1:], dtype=values.dtype)
    np.add.at(out, np.searchsorted(codes, labels), values)
    return out


def la_totals(world: World, results: Results) -> Totals:
    """Totals for every LA: all its schools, special schools and suppressed figures included."""
    labels = world.sites["la_code"].to_numpy()
    codes = np.unique(labels)
    return area_totals(results, labels, codes)


def area_totals(results: Results, labels: np.ndarray, codes: np.ndarray) -> Totals:
    """Totals of the sites whose label (one per site) is each of `codes` (sorted)."""
    eligible = results.counts["eligible"]
    sums = {m: _group_sum(v, labels, codes) for m, v in results.counts.items()}
    scored = np.isfinite(results.progress["read_prog"])
    progress_sums = {m: _group_sum(np.where(scored, v * eligible, 0.0), labels, codes) for m, v in results.progress.items()}
    pupils = _group_sum(np.where(scored, eligible, 0), labels, codes).astype(float)
    return Totals(codes, sums, progress_sums, pupils)


def combine(totals: Totals, labels: np.ndarray, codes: np.ndarray) -> Totals:
    """Totals of groups of areas (regions from LAs, England from everything), summed, never averaged."""

    def add(values: np.ndarray) -> np.ndarray:
        return _group_sum(values, labels, codes)

    return Totals(
        codes,
        {m: add(v) for m, v in totals.sums.items()},
        {m: add(v) for m, v in totals.progress_sums.items()},
        add(totals.progress_pupils),
    )
