"""Cohort tracking (METRICS "Cohort tracking", the Southwark study): how each primary's pupils did at KS4.

Pupil-level records go in; only aggregates come out, and every table is suppressed before it leaves:
a count under the minimum group size and a percentage of fewer pupils are hidden, with secondary
suppression over all of an LA's tables at once (keystage.measures.cohort_cells) wherever a hidden cell
could be recovered from published totals, percentages, other tables or the other cohorts.

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

from keystage.disclosure import Cell
from keystage.errors import InputError
from keystage.measures.cohort_cells import GROUPS, NOT_TRACED, POOLED, PUPILS, TOTAL, TRACED, hidden_cells
from keystage.standards import DEFAULT_PATH, DisclosureRules

OTHER_LAS = 0  # ks4_urn of the "schools in other LAs" column


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


def _rates(traced: pd.DataFrame, keys: list[str], outcomes: dict[str, str]) -> pd.DataFrame:
    """% of traced pupils at each KS4 outcome, by `keys`."""
    g = traced.groupby(keys)
    return pd.DataFrame({name: 100 * g[flag].mean() for name, flag in outcomes.items()})


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """la_code and cohort first, then the rest; rows sorted by every key column present."""
    keys = [c for c in ("la_code", "cohort", "group", "band", "ks2_urn", "ks4_urn") if c in frame.columns]
    rest = [c for c in frame.columns if c not in keys]
    return frame[keys + rest].sort_values(keys, kind="stable").reset_index(drop=True)


def _cells(published: dict[Cell, float], kind: str, names: list[str]) -> pd.Series:
    """The published counts of one kind of cell (NaN: suppressed), indexed by the rest of the key."""
    keys = [k for k in published if k[0] == kind]
    return pd.Series([published[k] for k in keys], dtype="float64",
                     index=pd.MultiIndex.from_tuples([k[1:] for k in keys], names=names))


def _table(cells: pd.Series) -> pd.DataFrame:
    """Cells by their last key as columns (at least traced, not traced and pupils): 0 where a cell holds no
    pupils, NaN where it is suppressed."""
    table = cells.fillna(-1).unstack("col", fill_value=0).replace(-1, np.nan)
    return table.reindex(columns=[*[c for c in table.columns if c not in (TRACED, NOT_TRACED, PUPILS)],
                                  TRACED, NOT_TRACED, PUPILS], fill_value=0.0)


def _with_pcts(counts: pd.DataFrame, pct: pd.DataFrame, denominator: pd.Series) -> pd.DataFrame:
    """`counts` joined with the percentage columns of `pct`, NaN wherever the denominator is suppressed or 0."""
    out = counts.join(pct.drop(columns="traced", errors="ignore"))
    out.loc[~(denominator.reindex(out.index) > 0), [c for c in pct.columns if c != "traced"]] = np.nan
    return out


def la_tables(flags: pd.DataFrame, rules: CohortRules, disclosure: DisclosureRules) -> dict[str, pd.DataFrame]:
    """The suppressed cohort tables of one LA (the flags of its pupils), each cohort and pooled: "schools"
    (each primary: pupils, not traced, traced, % KS2 and KS4 of each relationship), "destinations"
    (primary x secondary: pupils and % at each KS4 outcome), "secondaries" (each secondary: pupils from the
    LA's primaries and % at each KS4 outcome), "la" (by group), "school_groups" (each primary's % by group:
    percentages only) and "moved_together" (KS4 outcomes by band, with a not traced row and the total)."""
    labels = [b.label for b in rules.bands]
    bands = band_of(flags["moved_together"], rules.bands).where(flags["traced"])
    published = hidden_cells(flags, bands, labels, disclosure)
    pooled = with_pooled(flags).assign(ks2_urn=lambda f: f["ks2_urn"].astype(str), band=pd.concat([bands, bands]).to_numpy(),
                                       group=lambda f: np.where(f["disadvantaged"], GROUPS[0], GROUPS[1]))
    traced = pooled[pooled["traced"]].assign(ks4_urn=lambda f: f["ks4_urn"].astype(str))
    outcomes = {f"pct_{k}": f"ks4_{k}" for k in KS4_OUTCOMES}
    m = _table(_cells(published, "M", ["cohort", "ks2_urn", "col"]))
    body = m.drop(index=TOTAL, level="ks2_urn")
    schools = _with_pcts(body[[PUPILS, NOT_TRACED, TRACED]], _percentages(pooled, ["cohort", "ks2_urn"]), body[TRACED])
    pairs = [c for c in m.columns if c not in (TRACED, NOT_TRACED, PUPILS)]
    cells = m[pairs].rename_axis(columns="ks4_urn").stack().rename("pupils")
    cells = cells[cells.ne(0)].to_frame()
    cells = _with_pcts(cells, _rates(traced.assign(ks2_urn=TOTAL), ["cohort", "ks2_urn", "ks4_urn"], outcomes).combine_first(
        _rates(traced, ["cohort", "ks2_urn", "ks4_urn"], outcomes)), cells["pupils"]).reset_index()
    cells["ks4_urn"] = cells["ks4_urn"].astype("int64")
    secondaries = cells[cells["ks2_urn"].eq(TOTAL)].drop(columns="ks2_urn")
    feeders = cells[cells["ks2_urn"].ne(TOTAL)].assign(ks2_urn=lambda f: f["ks2_urn"].astype("int64"))
    g = _table(_cells(published, "G", ["cohort", "group", "col"]))
    everyone = m.xs(TOTAL, level="ks2_urn")[[TRACED, NOT_TRACED, PUPILS]].assign(group=TOTAL).set_index("group", append=True)
    groups = pd.concat([g[[TRACED, NOT_TRACED, PUPILS]], everyone]).sort_index()
    pct = pd.concat([_percentages(pooled, ["cohort", "group"]), _percentages(pooled.assign(group=TOTAL), ["cohort", "group"])])
    la = _with_pcts(groups, pct, groups[TRACED]).reset_index()
    s = _cells(published, "S", ["cohort", "ks2_urn", "group"]).reorder_levels(["cohort", "group", "ks2_urn"])
    school_groups = _with_pcts(pd.DataFrame(index=s.index), _percentages(pooled, ["cohort", "group", "ks2_urn"]), s)
    b = _cells(published, "B", ["cohort", "band"])
    moved = []
    for cohort in sorted(pooled["cohort"].unique()):
        rows = pd.DataFrame({"pupils": [*(b.get((cohort, label), 0.0) for label in labels),
                                        m.at[(cohort, TOTAL), NOT_TRACED], m.at[(cohort, TOTAL), PUPILS]]},
                            index=pd.Index([*labels, NOT_TRACED, TOTAL], name="band"))
        mine = traced[traced["cohort"] == cohort]
        rates = pd.concat([_rates(mine, ["band"], outcomes), _rates(mine.assign(band=TOTAL), ["band"], outcomes)])
        shown = rows["pupils"].where(rows.index != TOTAL, m.at[(cohort, TOTAL), TRACED]).where(rows.index != NOT_TRACED, 0)
        moved.append(_with_pcts(rows, rates, shown).reset_index().assign(cohort=cohort))
    la_code = int(flags["la_code"].iloc[0])
    out = {"schools": schools.reset_index(), "destinations": feeders, "secondaries": secondaries, "la": la,
           "school_groups": school_groups.reset_index()}
    out = {name: _ordered(frame.assign(la_code=la_code)) for name, frame in out.items()}
    out["schools"]["ks2_urn"] = out["schools"]["ks2_urn"].astype("int64")
    out["school_groups"]["ks2_urn"] = out["school_groups"]["ks2_urn"].astype("int64")
    moved_frame = pd.concat(moved, ignore_index=True).assign(la_code=la_code)
    keys = ["la_code", "cohort", "band"]
    out["moved_together"] = moved_frame[[*keys, *[c for c in moved_frame if c not in keys]]]
    return out


def band_of(size: pd.Series, bands: tuple[MoveBand, ...]) -> pd.Series:
    """The label of the moved-together band of each group size (sizes of 0, untraced pupils, get NaN)."""
    edges = [b.lower - 0.5 for b in bands] + [np.inf]
    return pd.cut(size, edges, labels=[b.label for b in bands]).astype(object)


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
    per_la = [la_tables(sub, rules, disclosure) for _, sub in flags.groupby("la_code", sort=True)]
    tables = {name: pd.concat([t[name] for t in per_la], ignore_index=True) for name in per_la[0]}
    tables["fits"] = fits(tables["schools"], tables["school_groups"], rules)
    return tables
