"""Cohort tracking (METRICS "Cohort tracking", the Southwark study): how each primary's pupils did at KS4.

Pupil-level records go in; only aggregates come out, and every table is suppressed before it leaves:
a count under the minimum group size and a percentage of fewer pupils are hidden, with secondary
suppression (keystage.disclosure) wherever a hidden cell could be recovered from a published total.

Conventions of every output table: `cohort` is the KS2 test year as text ("2017") or "all" for the
cohorts pooled; a NaN count or percentage is a suppressed cell (shown "c"); percentages are
unrounded (round only for display). A pupil with no KS4 record (left England's state schools) is
"not traced": counted as such, and outside every KS4 denominator. KS2 percentages are of the same
traced pupils, so both axes of the scatter describe one group of pupils.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm

from keystage.disclosure import assert_safe, suppress
from keystage.errors import InputError
from keystage.standards import DEFAULT_PATH, DisclosureRules

POOLED = "all"
GROUPS = ("disadvantaged", "other")
OTHER_LAS = 0  # ks4_urn of the "schools in other LAs" column
NOT_TRACED = "not_traced"
TOTAL = "all"


@dataclass(frozen=True)
class Relationship:
    """A KS2 outcome set against a KS4 outcome of the same pupils."""

    ks2: str
    ks4: str
    ks2_label: str
    ks4_label: str


RWM_LABEL = "expected standard in reading, writing and maths"
RELATIONSHIPS = {
    "rwm_em4": Relationship("ks2_rwm", "ks4_em4", RWM_LABEL, "grade 4+ in English and maths"),
    "rwm_em5": Relationship("ks2_rwm", "ks4_em5", RWM_LABEL, "grade 5+ in English and maths"),
    "read_eng4": Relationship("ks2_read", "ks4_eng4", "expected standard in reading", "grade 4+ in English"),
    "mat_mat4": Relationship("ks2_mat", "ks4_mat4", "expected standard in maths", "grade 4+ in maths"),
}
KS4_OUTCOMES = {"em4": "grade 4+ in English and maths", "em5": "grade 5+ in English and maths",
                "eng4": "grade 4+ in English", "mat4": "grade 4+ in maths"}


@dataclass(frozen=True)
class MoveBand:
    """A band of the number of pupils who moved together from one primary to one secondary."""

    label: str
    lower: int
    upper: int | None  # None: no upper edge


@dataclass(frozen=True)
class CohortRules:
    """The `cohort:` section of standards.yaml: expected standards, pass grades, bands, CI level."""

    scaled_score: float
    writing_ta: tuple[str, ...]
    standard_pass: float
    strong_pass: float
    bands: tuple[MoveBand, ...]
    r2_confidence: float


@dataclass(frozen=True)
class Fit:
    """An OLS line y = intercept + slope * x over n schools, with R squared and its confidence interval."""

    n: int
    slope: float
    intercept: float
    r: float
    r2: float
    r2_low: float
    r2_high: float


def load_cohort_rules(path: str | Path | None = None) -> CohortRules:
    """Read the `cohort:` section of standards.yaml (the repository's by default); InputError when malformed."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cohort")
        bands = tuple(MoveBand(str(b["label"]), int(b["lower"]), None if b.get("upper") is None else int(b["upper"]))
                      for b in raw["moved_together_bands"])
        rules = CohortRules(float(raw["ks2_expected"]["scaled_score"]), tuple(raw["ks2_expected"]["writing_ta"]),
                            float(raw["ks4"]["standard_pass"]), float(raw["ks4"]["strong_pass"]), bands,
                            float(raw["r2_confidence"]))
    except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError) as err:
        expected = "a cohort section with ks2_expected, ks4, moved_together_bands and r2_confidence"
        raise InputError(path, None, "cohort", f"{expected} ({err!r})") from None
    edges = [(b.lower, b.upper) for b in bands]
    joined = all(upper is not None and upper + 1 == nxt for (_, upper), (nxt, _) in zip(edges, edges[1:], strict=False))
    if not bands or edges[0][0] != 1 or edges[-1][1] is not None or not joined:
        raise InputError(path, None, "cohort.moved_together_bands", "contiguous bands from 1, the last without an upper edge")
    return rules


def group_rules(rules: DisclosureRules) -> DisclosureRules:
    """Disclosure rules for pupil-level aggregates: any count of pupils under the minimum group is hidden."""
    return DisclosureRules(rules.min_group, max(rules.min_count, rules.min_group), rules.symbol)


def pupil_flags(pupils: pd.DataFrame, rules: CohortRules) -> pd.DataFrame:
    """One row per pupil: cohort, schools, traced, moved-together group size and each KS2/KS4 outcome (bool).

    A missing KS2 result or KS4 grade counts as not reaching the standard, as in DfE's tables.
    """
    traced = pupils["ks4_urn"].notna().to_numpy()
    eng, mat = pupils["ks4_eng_grade"].fillna(-1), pupils["ks4_mat_grade"].fillna(-1)
    ks2_la = pupils["ks2_la"].astype("int64")
    out = pd.DataFrame({
        "la_code": ks2_la,
        "cohort": pupils["ks2_year"].astype(int).astype(str),
        "ks2_urn": pupils["ks2_urn"].astype("int64"),
        "disadvantaged": pupils["disadvantaged"].astype(bool),
        "traced": traced,
        "ks2_read": pupils["ks2_read_score"].fillna(0) >= rules.scaled_score,
        "ks2_mat": pupils["ks2_mat_score"].fillna(0) >= rules.scaled_score,
        "ks2_writ": pupils["ks2_writ_ta"].isin(rules.writing_ta),
        "ks4_eng4": (eng >= rules.standard_pass) & traced,
        "ks4_mat4": (mat >= rules.standard_pass) & traced,
        "ks4_em4": (eng >= rules.standard_pass) & (mat >= rules.standard_pass) & traced,
        "ks4_em5": (eng >= rules.strong_pass) & (mat >= rules.strong_pass) & traced,
    })
    out["ks2_rwm"] = out["ks2_read"] & out["ks2_mat"] & out["ks2_writ"]
    in_la = pupils["ks4_la"].fillna(-1).astype("int64").to_numpy() == ks2_la.to_numpy()
    out["ks4_urn"] = np.where(traced, np.where(in_la, pupils["ks4_urn"].fillna(0).astype("int64"), OTHER_LAS), -1)
    together = out[traced].groupby(["cohort", "ks2_urn", "ks4_urn"])["traced"].transform("size")
    out["moved_together"] = together.reindex(out.index).fillna(0).astype("int64")
    return out.reset_index(drop=True)


def with_pooled(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags once per cohort and once more with cohort "all" (moved-together sizes stay per cohort)."""
    return pd.concat([flags, flags.assign(cohort=POOLED)], ignore_index=True)


def _percentages(flags: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """traced pupils and the % of them at each KS2 and KS4 outcome of every relationship, by `keys`."""
    traced = flags[flags["traced"]]
    g = traced.groupby(keys, sort=True)
    out = pd.DataFrame({"traced": g.size()})
    for name, rel in RELATIONSHIPS.items():
        out[f"ks2_pct_{name}"] = 100 * g[rel.ks2].sum() / out["traced"]
        out[f"ks4_pct_{name}"] = 100 * g[rel.ks4].sum() / out["traced"]
    return out


def _hide_small_percentages(frame: pd.DataFrame, denominator: pd.Series, min_group: int) -> pd.DataFrame:
    """NaN in every percentage column where the denominator is missing or under the minimum group."""
    pct = [c for c in frame.columns if "_pct" in c or c.startswith("pct_")]
    frame.loc[~(denominator.reindex(frame.index) >= min_group), pct] = np.nan
    return frame


def _unsymbol(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """The suppressed table with every hidden cell as NaN and every column numeric (the record dropped)."""
    out = frame.replace(symbol, np.nan).apply(pd.to_numeric)
    out.attrs = {}
    return out


def destination_matrix(flags: pd.DataFrame, disclosure: DisclosureRules) -> pd.DataFrame:
    """One cohort of one LA: pupils by primary (rows) and secondary attended (columns: ks4 URN, 0 for other
    LAs, "not_traced"), with row total `pupils` and an LA total row "all", suppressed in both directions.

    (disclosure.assert_safe takes seconds on a table this size, so the tests prove this table safe instead.)"""
    dest = flags["ks4_urn"].astype(str).where(flags["traced"], NOT_TRACED)
    counts = flags.assign(dest=dest).groupby(["ks2_urn", "dest"]).size().unstack().astype("float64")
    counts.index = counts.index.astype(str)
    if NOT_TRACED in counts:
        counts[NOT_TRACED] = counts[NOT_TRACED].fillna(0.0)
    columns = list(counts.columns)
    counts["pupils"] = counts[columns].sum(axis=1)
    counts.loc[TOTAL] = counts.sum(axis=0)
    return _suppress(counts, disclosure, check=False, counts=columns, row_total="pupils", total_row=TOTAL)


def _suppress(table: pd.DataFrame, disclosure: DisclosureRules, check: bool = True, **spec: object) -> pd.DataFrame:
    """keystage.disclosure.suppress under group_rules, with hidden cells as NaN. Zeros are kept out of the
    suppression (hiding a zero protects nothing when the reader knows the cell is empty) and shown as 0;
    `check` proves the published table safe with assert_safe."""
    rules = group_rules(disclosure)
    zero = table.eq(0)
    hidden = suppress(table.mask(zero), rules, **spec).mask(zero, 0.0)
    if check:
        assert_safe(hidden, rules, **spec)
    return _unsymbol(hidden, rules.symbol)


def destinations(flags: pd.DataFrame, disclosure: DisclosureRules) -> dict[str, pd.DataFrame]:
    """Suppressed feeder-by-secondary aggregates of every LA and cohort (and pooled).

    Returns "schools" (each primary: pupils, not traced, traced, % KS2 and KS4 of each relationship),
    "destinations" (primary x secondary: pupils and % at each KS4 outcome), "secondaries" (each
    secondary: pupils from the LA's primaries and % at each KS4 outcome) and "la" (LA by group).
    """
    parts: dict[str, list[pd.DataFrame]] = {"schools": [], "destinations": [], "secondaries": []}
    outcomes = {f"pct_{k}": f"ks4_{k}" for k in KS4_OUTCOMES}
    for (la, cohort), sub in with_pooled(flags).groupby(["la_code", "cohort"], sort=True):
        matrix = destination_matrix(sub, disclosure)
        body = matrix.drop(index=TOTAL)
        schools = pd.DataFrame({"pupils": body["pupils"],
                                "not_traced": body[NOT_TRACED] if NOT_TRACED in body else 0.0})
        schools["traced"] = schools["pupils"] - schools["not_traced"]
        pct = _percentages(sub, ["ks2_urn"])
        pct.index = pct.index.astype(str)
        schools = schools.join(pct.drop(columns="traced"))
        schools = _hide_small_percentages(schools, pct["traced"], disclosure.min_group)
        parts["schools"].append(_keyed(schools, la, cohort, "ks2_urn"))
        cells = matrix.drop(columns=["pupils", *([NOT_TRACED] if NOT_TRACED in matrix else [])])
        long = cells.rename_axis(index="ks2_urn", columns="ks4_urn").stack().rename("pupils").reset_index()
        traced = sub[sub["traced"]].assign(ks4_urn=lambda f: f["ks4_urn"].astype(str), ks2_urn=lambda f: f["ks2_urn"].astype(str))
        rates = _rates(traced, ["ks2_urn", "ks4_urn"], outcomes)
        la_rates = _rates(traced.assign(ks2_urn=TOTAL), ["ks2_urn", "ks4_urn"], outcomes)
        long = long.merge(pd.concat([rates, la_rates]).reset_index(), on=["ks2_urn", "ks4_urn"], how="inner")
        long.loc[long["pupils"].isna(), list(outcomes)] = np.nan
        long["ks4_urn"] = long["ks4_urn"].astype("int64")
        secondaries = long[long["ks2_urn"].eq(TOTAL)].drop(columns="ks2_urn")
        parts["secondaries"].append(secondaries.assign(la_code=la, cohort=cohort))
        feeders = long[long["ks2_urn"].ne(TOTAL)].assign(ks2_urn=lambda f: f["ks2_urn"].astype("int64"))
        parts["destinations"].append(feeders.assign(la_code=la, cohort=cohort))
    out = {name: _ordered(pd.concat(frames, ignore_index=True)) for name, frames in parts.items()}
    out["school_groups"] = school_groups(flags, disclosure)
    out["la"] = la_groups(flags, disclosure)
    return out


def _rates(traced: pd.DataFrame, keys: list[str], outcomes: dict[str, str]) -> pd.DataFrame:
    """% of traced pupils at each KS4 outcome, by `keys`."""
    g = traced.groupby(keys)
    return pd.DataFrame({name: 100 * g[flag].mean() for name, flag in outcomes.items()})


def _keyed(frame: pd.DataFrame, la: int, cohort: str, key: str) -> pd.DataFrame:
    """`frame` indexed by URN text, with la_code, cohort and the URN as int columns."""
    return frame.rename_axis(key).reset_index().assign(**{key: lambda f: f[key].astype("int64")}, la_code=la, cohort=cohort)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """la_code and cohort first, then the rest; rows sorted by every key column present."""
    keys = [c for c in ("la_code", "cohort", "group", "band", "ks2_urn", "ks4_urn") if c in frame.columns]
    rest = [c for c in frame.columns if c not in keys]
    return frame[keys + rest].sort_values(keys, kind="stable").reset_index(drop=True)


def school_groups(flags: pd.DataFrame, disclosure: DisclosureRules) -> pd.DataFrame:
    """% KS2 and KS4 of disadvantaged pupils and the rest for each primary (percentages only, of groups of
    at least the minimum size: their counts are not published, so nothing adds up to a published total)."""
    pooled = with_pooled(flags).assign(group=lambda f: np.where(f["disadvantaged"], GROUPS[0], GROUPS[1]))
    pct = _percentages(pooled, ["la_code", "cohort", "group", "ks2_urn"])
    pct = _hide_small_percentages(pct, pct["traced"], disclosure.min_group)
    return _ordered(pct.drop(columns="traced").reset_index())


def la_groups(flags: pd.DataFrame, disclosure: DisclosureRules) -> pd.DataFrame:
    """The LA's pupils, not traced and % KS2/KS4 by group (disadvantaged, other, all), each cohort and pooled."""
    pooled = with_pooled(flags).assign(group=lambda f: np.where(f["disadvantaged"], GROUPS[0], GROUPS[1]))
    frames = []
    for (la, cohort), sub in pooled.groupby(["la_code", "cohort"], sort=True):
        counts = sub.groupby("group").agg(pupils=("traced", "size"), traced=("traced", "sum")).reindex(list(GROUPS), fill_value=0)
        counts["not_traced"] = counts["pupils"] - counts["traced"]
        counts.loc[TOTAL] = counts.sum()
        pct = pd.concat([_percentages(sub, ["group"]), _percentages(sub.assign(group=TOTAL), ["group"])]).drop(columns="traced")
        table = counts[["traced", "not_traced", "pupils"]].astype("float64").join(pct)
        table = _hide_small_percentages(table, counts["traced"], disclosure.min_group)
        table = _suppressed_counts(table, disclosure, ["traced", "not_traced"], "pupils", "traced")
        frames.append(_keyed_group(table, la, cohort))
    return _ordered(pd.concat(frames, ignore_index=True))


def _keyed_group(frame: pd.DataFrame, la: int, cohort: str) -> pd.DataFrame:
    """`frame` indexed by group, with group, la_code and cohort as columns."""
    return frame.rename_axis("group").reset_index().assign(la_code=la, cohort=cohort)


def _suppressed_counts(
    table: pd.DataFrame, disclosure: DisclosureRules, counts: list[str], row_total: str | None, denominator: str
) -> pd.DataFrame:
    """Suppress the count columns of a table whose last row is the total "all"; a row whose `denominator`
    count is hidden loses its percentages too."""
    out = _suppress(table, disclosure, counts=counts, row_total=row_total, total_row=TOTAL)
    pct = [c for c in out.columns if "_pct" in c or c.startswith("pct_")]
    out.loc[out[denominator].isna(), pct] = np.nan
    return out


def band_of(size: pd.Series, bands: tuple[MoveBand, ...]) -> pd.Series:
    """The label of the moved-together band of each group size (sizes of 0, untraced pupils, get NaN)."""
    edges = [b.lower - 0.5 for b in bands] + [np.inf]
    return pd.cut(size, edges, labels=[b.label for b in bands]).astype(object)


def moved_together(flags: pd.DataFrame, rules: CohortRules, disclosure: DisclosureRules) -> pd.DataFrame:
    """KS4 outcomes by how many pupils moved together from the same primary to the same secondary (bands),
    with a "not traced" row and the total, each cohort and pooled, suppressed."""
    labels = [b.label for b in rules.bands]
    frames = []
    outcomes = {f"pct_{k}": f"ks4_{k}" for k in KS4_OUTCOMES}
    for (la, cohort), sub in with_pooled(flags).groupby(["la_code", "cohort"], sort=True):
        band = band_of(sub["moved_together"], rules.bands).where(sub["traced"], NOT_TRACED)
        sub = sub.assign(band=band)
        table = pd.DataFrame({"pupils": sub.groupby("band").size()}).reindex([*labels, NOT_TRACED], fill_value=0)
        table = table.astype("float64")
        table.loc[TOTAL] = table["pupils"].sum()
        table = table.join(_rates(sub[sub["traced"]], ["band"], outcomes))
        table.loc[TOTAL, list(outcomes)] = _rates(sub[sub["traced"]].assign(band=TOTAL), ["band"], outcomes).loc[TOTAL]
        traced = table["pupils"].where(table.index != TOTAL, table["pupils"].drop([TOTAL, NOT_TRACED]).sum())
        table = _hide_small_percentages(table, traced, disclosure.min_group)
        out = _suppressed_counts(table, disclosure, ["pupils"], None, "pupils")
        frames.append(out.rename_axis("band").reset_index().assign(la_code=la, cohort=cohort))
    result = pd.concat(frames, ignore_index=True)
    return result[["la_code", "cohort", "band", *[c for c in result.columns if c not in ("la_code", "cohort", "band")]]]


def r2_interval(r: float, n: int, confidence: float) -> tuple[float, float]:
    """Confidence interval for R squared from the Fisher z interval of r (z = atanh r, se = 1/sqrt(n-3)),
    squared; an interval of r spanning 0 gives 0 as the lower end. NaN for fewer than 4 points."""
    if n < 4 or np.isnan(r):
        return np.nan, np.nan
    z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    half = norm.ppf(0.5 + confidence / 2) / np.sqrt(n - 3)
    low, high = np.tanh(z - half), np.tanh(z + half)
    if low <= 0 <= high:
        return 0.0, float(max(low * low, high * high))
    return float(min(low * low, high * high)), float(max(low * low, high * high))


def fit_line(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series, confidence: float) -> Fit:
    """Ordinary least squares of y on x with R squared and its Fisher-z confidence interval (NaN under 3 points)."""
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    n = len(x)
    dx, dy = x - x.mean() if n else x, y - y.mean() if n else y
    sxx, syy, sxy = float((dx * dx).sum()), float((dy * dy).sum()), float((dx * dy).sum())
    if n < 3 or sxx == 0 or syy == 0:
        return Fit(n, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan)
    slope = sxy / sxx
    r = sxy / np.sqrt(sxx * syy)
    low, high = r2_interval(r, n, confidence)
    return Fit(n, slope, float(y.mean() - slope * x.mean()), float(r), float(r * r), low, high)


def fits(schools: pd.DataFrame, groups: pd.DataFrame, rules: CohortRules) -> pd.DataFrame:
    """The school-level KS2-vs-KS4 line of each LA, cohort, group and relationship, over the schools whose
    percentages are published (the dots of the scatter)."""
    dots = pd.concat([schools.assign(group=TOTAL), groups], ignore_index=True)
    rows = []
    for (la, cohort, group), sub in dots.groupby(["la_code", "cohort", "group"], sort=True):
        for name in RELATIONSHIPS:
            pair = sub[[f"ks2_pct_{name}", f"ks4_pct_{name}"]].dropna()
            fit = fit_line(pair.iloc[:, 0], pair.iloc[:, 1], rules.r2_confidence)
            rows.append({"la_code": la, "cohort": cohort, "group": group, "relationship": name, **fit.__dict__})
    return pd.DataFrame(rows)


def compute_cohorts(pupils: pd.DataFrame, rules: CohortRules, disclosure: DisclosureRules) -> dict[str, pd.DataFrame]:
    """Every cohort-tracking table from the canonical `pupils` table: aggregates only, already suppressed."""
    flags = pupil_flags(pupils, rules)
    tables = destinations(flags, disclosure)
    tables["moved_together"] = moved_together(flags, rules, disclosure)
    tables["fits"] = fits(tables["schools"], tables["school_groups"], rules)
    return tables
