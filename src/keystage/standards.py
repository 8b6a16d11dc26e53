"""Typed view of config/standards.yaml: the era, floor and coasting rules, scope, thresholds and bands of each test year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keystage.errors import InputError
from keystage.yamlfile import read_yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "standards.yaml"
PROGRESS_KINDS = ("none", "median_2lp", "score", "not_available")


@dataclass(frozen=True)
class Era:
    """An assessment era: what its headline, higher and disadvantage figures are called."""

    name: str
    headline_label: str
    higher_label: str
    disadvantage_label: str
    subjects: tuple[str, ...]
    progress_label: str


@dataclass(frozen=True)
class ProgressTest:
    """The progress half of a floor rule: cut-off per progress measure and how failures combine."""

    kind: str  # one of PROGRESS_KINDS
    cutoffs: dict[str, float]
    fails_when: str  # "all": below in every subject; "any": below in at least one
    significant: bool = False  # a score counts as below only when its upper confidence limit is below zero too
    single_subject_significant: bool = False  # ... only when it is the one subject below its cut-off

    @property
    def available(self) -> bool:
        """False when the year has no progress data, so the test reports "not available"."""
        return self.kind != "not_available"


@dataclass(frozen=True)
class FloorRule:
    """One year's floor standard: attainment threshold, progress test, minimum cohort, whose rule."""

    year: int
    source: str
    threshold: float
    min_cohort: int
    progress: ProgressTest
    writing_caveat: bool = False  # DfE: a school below on writing alone is not to be intervened in on that basis


@dataclass(frozen=True)
class CoastingRule:
    """One coasting determination year: the window of years it looks at and the criteria of each of them."""

    year: int
    window: tuple[int, ...]
    criteria: dict[int, tuple[float, ProgressTest]]  # year -> (attainment threshold, progress test)


@dataclass(frozen=True)
class ScopeRules:
    """Who the floor and coasting standards apply to: RECTYPEs of mainstream schools, NFTYPEs of independent ones."""

    mainstream_rectypes: frozenset[int]
    independent_nftypes: frozenset[str]


@dataclass(frozen=True)
class Band:
    """A change band: changes below `upper` (or equal to it when upper_inclusive); None = no upper edge."""

    label: str
    upper: float | None
    upper_inclusive: bool


@dataclass(frozen=True)
class DisclosureRules:
    """Minimum group size for a percentage, smallest publishable count, and the suppression symbol."""

    min_group: int
    min_count: int
    symbol: str


@dataclass(frozen=True)
class RoundingRules:
    """Decimal places for display and for CSV downloads."""

    display_dp: int
    csv_dp: int


@dataclass(frozen=True)
class SupportRules:
    """Support analysis settings: the improvement defining the 'improved' group, and the fit's band."""

    improved_pp: float
    confidence: float
    grid_points: int


@dataclass(frozen=True)
class Standards:
    """Everything in standards.yaml, typed."""

    eras: dict[str, Era]
    year_eras: dict[int, str]
    floors: dict[int, FloorRule]
    government_source: str
    scope: ScopeRules
    coasting: dict[int, CoastingRule]
    distribution_threshold: float
    change_bands: tuple[Band, ...]
    support: SupportRules
    lower_is_better: frozenset[str]
    disclosure: DisclosureRules
    rounding: RoundingRules
    source: str

    @property
    def years(self) -> list[int]:
        """Test years the config covers, ascending."""
        return sorted(self.year_eras)

    def era(self, year: int) -> Era:
        """The era of a test year; an InputError when the config does not cover the year."""
        if year not in self.year_eras:
            raise InputError(self.source, None, "years", f"an entry for test year {year}")
        return self.eras[self.year_eras[year]]

    def floor(self, year: int) -> FloorRule:
        """The floor rule of a test year."""
        if year not in self.floors:
            raise InputError(self.source, None, "years", f"a floor rule for test year {year}")
        return self.floors[year]

    def is_government(self, year: int) -> bool:
        """True when the year's floor is DfE's own (2009-2018), False when it is the LA's rule."""
        return self.floor(year).source == self.government_source

    def polarity(self, measure: str) -> int:
        """+1 when higher is better for `measure`, -1 when lower is better (a gap)."""
        return -1 if measure in self.lower_is_better else 1


def _need(mapping: dict[str, Any], key: str, source: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise InputError(source, None, where, f"a '{key}' entry")
    return mapping[key]


def _progress(raw: dict[str, Any], source: str, where: str) -> ProgressTest:
    kind = _need(raw, "kind", source, where)
    if kind not in PROGRESS_KINDS:
        raise InputError(source, None, where, f"progress kind one of {PROGRESS_KINDS}, not {kind!r}")
    if kind in ("none", "not_available"):
        return ProgressTest(kind, {}, "all")
    fails_when = _need(raw, "fails_when", source, where)
    if fails_when not in ("all", "any"):
        raise InputError(source, None, where, f"fails_when 'all' or 'any', not {fails_when!r}")
    cutoffs = {str(k): float(v) for k, v in _need(raw, "cutoffs", source, where).items()}
    return ProgressTest(
        kind, cutoffs, fails_when, bool(raw.get("significant", False)), bool(raw.get("single_subject_significant", False))
    )


def _coasting(raw: dict[str, Any], source: str) -> dict[int, CoastingRule]:
    """Each coasting determination year with its window of years; every year of a window needs criteria."""
    window = int(_need(raw, "window", source, "coasting"))
    criteria = {
        int(y): (float(_need(c, "threshold", source, f"coasting.criteria.{y}")),
                 _progress(_need(c, "progress", source, f"coasting.criteria.{y}"), source, f"coasting.criteria.{y}"))
        for y, c in _need(raw, "criteria", source, "coasting").items()
    }  # fmt: skip
    rules = {}
    for year in map(int, _need(raw, "determinations", source, "coasting")):
        years = tuple(range(year - window + 1, year + 1))
        missing = [y for y in years if y not in criteria]
        if missing:
            raise InputError(source, None, "coasting.criteria", f"coasting criteria for {missing} (window of {year})")
        rules[year] = CoastingRule(year, years, {y: criteria[y] for y in years})
    return rules


def _bands(raw: list[dict[str, Any]], source: str) -> tuple[Band, ...]:
    bands = tuple(
        Band(str(b["label"]), None if b.get("upper") is None else float(b["upper"]), bool(b.get("upper_inclusive", False)))
        for b in raw
    )
    uppers = [b.upper for b in bands]
    if not bands or uppers[-1] is not None or None in uppers[:-1] or uppers[:-1] != sorted(uppers[:-1]):
        raise InputError(source, None, "change_bands", "bands in ascending order of upper edge, the last without one")
    return bands


def load_standards(path: str | Path | None = None) -> Standards:
    """Read and check standards.yaml (the repository's config/standards.yaml by default)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    source = str(path)
    try:
        raw = read_yaml(path).data
    except OSError as err:
        raise InputError(source, None, None, f"a readable YAML file ({err})") from None
    eras = {
        name: Era(
            name, e["headline_label"], e["higher_label"], e["disadvantage_label"], tuple(e["subjects"]), e["progress_label"]
        )
        for name, e in _need(raw, "eras", source, "eras").items()
    }
    year_eras: dict[int, str] = {}
    floors: dict[int, FloorRule] = {}
    for year, entry in _need(raw, "years", source, "years").items():
        where = f"years.{year}"
        era = _need(entry, "era", source, where)
        if era not in eras:
            raise InputError(source, None, where, f"an era among {sorted(eras)}, not {era!r}")
        year_eras[int(year)] = era
        f = _need(entry, "floor", source, where)
        floors[int(year)] = FloorRule(
            int(year),
            str(_need(f, "source", source, where)),
            float(_need(f, "threshold", source, where)),
            int(_need(f, "min_cohort", source, where)),
            _progress(_need(f, "progress", source, where), source, where),
            bool(f.get("writing_caveat", False)),
        )
    sup, dis, rnd, scope = (_need(raw, k, source, k) for k in ("support", "disclosure", "rounding", "scope"))
    return Standards(
        eras=eras,
        year_eras=year_eras,
        floors=floors,
        government_source=str(_need(raw, "government_source", source, "government_source")),
        scope=ScopeRules(
            frozenset(int(r) for r in _need(scope, "mainstream_rectypes", source, "scope")),
            frozenset(str(t) for t in _need(scope, "independent_nftypes", source, "scope")),
        ),
        coasting=_coasting(_need(raw, "coasting", source, "coasting"), source),
        distribution_threshold=float(_need(raw, "distribution_threshold", source, "distribution_threshold")),
        change_bands=_bands(_need(raw, "change_bands", source, "change_bands"), source),
        support=SupportRules(float(sup["improved_pp"]), float(sup["confidence"]), int(sup["grid_points"])),
        lower_is_better=frozenset(raw.get("lower_is_better") or ()),
        disclosure=DisclosureRules(int(dis["min_group"]), int(dis["min_count"]), str(dis["symbol"])),
        rounding=RoundingRules(int(rnd["display_dp"]), int(rnd["csv_dp"])),
        source=source,
    )
