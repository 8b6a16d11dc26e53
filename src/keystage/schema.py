"""The canonical tables every stage exchanges, defined once and validated with pandera.

Readers turn published files into these tables; measures read only these tables. Results
are kept long (one row per school, year and measure) so both assessment eras share one shape;
`status` says why a value is missing ("" when present; DfE/EES codes such as "SUPP", "c", "x";
"absent" for a short row; "invalid" for unreadable text, which is also in the rejects table).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from keystage.errors import InputError

ERAS = ("levels_em", "levels_rwm", "expected")
PARTNERSHIP_TYPES = ("cluster", "federation", "trust")
SUPPORT_KINDS = ("statutory", "purchased")
AGGREGATE_LEVELS = ("la", "england_all", "england_state")
AREA_LEVELS = ("national", "region", "la")


@dataclass(frozen=True)
class ValueRule:
    """The scale of one canonical measure's values: its bounds, and whether they are whole numbers or percentages."""

    low: float
    high: float
    expected: str  # what a value looks like, for the rejects table
    whole: bool = False
    percent: bool = False


PERCENT = ValueRule(0, 100, "expected a percentage from 0 to 100", percent=True)
COUNT = ValueRule(0, np.inf, "expected a whole number of pupils, 0 or more", whole=True)
# A KS2 progress score is a mean difference of scaled scores, which run from 80 to 120 (STA, "Scaled scores at key
# stage 2", gov.uk/guidance/scaled-scores-at-key-stage-2, each year 2016 to 2025), so it lies within -40 to 40.
KS2_PROGRESS = ValueRule(-40, 40, "expected a progress score from -40 to 40 (scaled scores run 80 to 120)")
SCALED_SCORE = ValueRule(80, 120, "expected an average scaled score from 80 to 120")
# Attainment 8 counts 8 subjects, English and maths twice, at up to grade 9; a pupil's Progress 8 is a tenth of the
# difference from their estimated Attainment 8 (DfE, "Secondary accountability measures: guide", DFE-00278-2017, and
# the editions for 2018 to 2024).
ATTAINMENT8 = ValueRule(0, 90, "expected an Attainment 8 score from 0 to 90")
PROGRESS8 = ValueRule(-9, 9, "expected a Progress 8 score from -9 to 9")
FRACTION = "looks like a fraction where a percentage belongs; expected a percentage from 0 to 100"


def value_rule(measure: str) -> ValueRule:
    """The rule of a canonical measure: counts (eligible, *_count), progress, average scaled (*_avg) and KS4 scores;
    any other is a percentage."""
    if measure == "eligible" or measure.endswith("_count"):
        return COUNT
    if "_prog" in measure:
        return KS2_PROGRESS
    if measure.endswith("_avg"):
        return SCALED_SCORE
    return {"att8": ATTAINMENT8, "p8": PROGRESS8}.get(measure, PERCENT)


def value_problems(values: np.ndarray, measures: np.ndarray) -> np.ndarray:
    """The rule each value breaks ("" where none, or the value is missing); `measures` broadcasts against `values`."""
    names, at = np.unique(np.asarray(measures, dtype=str), return_inverse=True)
    rules = [value_rule(name) for name in names]
    shape = np.shape(measures)

    def per_measure(attribute: str, dtype: type) -> np.ndarray:
        return np.array([getattr(rule, attribute) for rule in rules], dtype=dtype)[at].reshape(shape)

    values = np.asarray(values, dtype="float64")
    present = ~np.isnan(values)
    outside = present & ((values < per_measure("low", float)) | (values > per_measure("high", float)))
    broken = outside | (present & per_measure("whole", bool) & (values != np.round(values)))
    fraction = present & ~broken & per_measure("percent", bool) & (values > 0) & (values < 1)
    return np.where(broken, per_measure("expected", object), np.where(fraction, FRACTION, ""))


class _Model(pa.DataFrameModel):
    class Config:
        strict = "filter"  # keep only declared columns, so tables have one shape
        coerce = True


class _Measures(_Model):
    """A long table of measure values: each present value follows its measure's ValueRule."""

    @pa.dataframe_check
    def values_follow_rules(cls, df: pd.DataFrame) -> pd.Series:
        return pd.Series(value_problems(df["value"].to_numpy(), df["measure"].to_numpy()) == "", index=df.index)


class SchoolYears(_Model):
    """One row per school per year it appears in a KS2 file: who it was that year."""

    urn: Series[int]
    year: Series[int] = pa.Field(ge=2000, le=2100)
    la_code: Series[int]
    estab: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    name: Series[str]
    rectype: Series[int] = pa.Field(isin=[1, 2])
    nftype: Series[str] = pa.Field(nullable=True)
    age_range: Series[str] = pa.Field(nullable=True)
    closed: Series[pd.BooleanDtype] = pa.Field(nullable=True)  # DfE's ICLOSE; <NA> when the file does not say
    source: Series[str]
    line: Series[int]

    @pa.dataframe_check
    def one_row_per_school_year(cls, df: pd.DataFrame) -> bool:
        return not df.duplicated(["urn", "year"]).any()


class SchoolResults(_Measures):
    """KS2 results, long: one row per school, year and canonical measure (see io/columns/ks2.yaml)."""

    urn: Series[int]
    year: Series[int] = pa.Field(ge=2000, le=2100)
    measure: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    status: Series[str]
    source: Series[str]
    line: Series[int]

    @pa.dataframe_check
    def one_value_per_key(cls, df: pd.DataFrame) -> bool:
        return not df.duplicated(["urn", "year", "measure"]).any()


class PublishedAggregates(_Measures):
    """The LA and England rows DfE publishes in the same files as the schools (RECTYPE 3, 4, 5)."""

    level: Series[str] = pa.Field(isin=list(AGGREGATE_LEVELS))
    la_code: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    year: Series[int]
    measure: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    status: Series[str]
    source: Series[str]


class Ks4Results(_Measures):
    """KS4 school-level results, long, like SchoolResults (measures: att8, p8, basics_94, basics_95, eligible)."""

    urn: Series[int]
    year: Series[int]
    measure: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    status: Series[str]
    source: Series[str]
    line: Series[int]


class Benchmarks(_Measures):
    """Published area figures (England, regions, every LA) by year and canonical measure (LAIT or EES)."""

    area_level: Series[str] = pa.Field(isin=list(AREA_LEVELS))
    area_code: Series[str]
    area_name: Series[str]
    region: Series[str] = pa.Field(nullable=True)
    year: Series[int]
    measure: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    status: Series[str]
    source: Series[str]


class StatNeighbours(_Model):
    """Each LA's statistical neighbours, closest first."""

    la_code: Series[int]
    rank: Series[int] = pa.Field(ge=1)
    neighbour_code: Series[int]
    list_date: Series[str] = pa.Field(nullable=True)  # when the list was made (ISO date), from the workbook


class Establishments(_Model):
    """GIAS establishments: what each URN is, where, and when it opened or closed."""

    urn: Series[int] = pa.Field(unique=True)
    la_code: Series[int]
    estab: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    name: Series[str]
    type: Series[str]
    type_group: Series[str]
    status: Series[str]
    phase: Series[str]
    low_age: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    high_age: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    open_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    close_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    number_on_roll: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    admin_district: Series[str] = pa.Field(nullable=True)
    region: Series[str] = pa.Field(nullable=True)
    gss_la_code: Series[str] = pa.Field(nullable=True)
    postcode: Series[str] = pa.Field(nullable=True)


class UrnLinks(_Model):
    """GIAS links, as published: URN, the linked URN, and how they are linked."""

    urn: Series[int]
    link_urn: Series[int]
    link_type: Series[str]
    link_date: Series[pd.Timestamp] = pa.Field(nullable=True)


class Lineage(_Model):
    """Each URN's series: the URN whose identity its results continue (its latest successor)."""

    urn: Series[int] = pa.Field(unique=True)
    series_urn: Series[int]
    chain: Series[str]  # URNs from earliest to latest, " > " separated
    issue: Series[str]  # "", or what made the chain unusual: "merge", "split", "cycle", "ambiguous"


class Districts(_Model):
    """The LA's own assignment of schools to districts (or any named areas)."""

    urn: Series[int] = pa.Field(unique=True)
    district: Series[str]


class SupportDays(_Model):
    """Days of school-improvement support per school, year, team and kind (year = the May tests it preceded)."""

    urn: Series[int]
    year: Series[int]
    team: Series[str]
    kind: Series[str] = pa.Field(isin=list(SUPPORT_KINDS))
    days: Series[float] = pa.Field(ge=0)


class Subscriptions(_Model):
    """Which schools bought which traded service (e.g. core provision) in which year."""

    urn: Series[int]
    year: Series[int]
    service: Series[str]
    subject: Series[str]


class Partnerships(_Model):
    """Cluster, federation and trust membership with join (and leave) dates."""

    partnership_id: Series[str]
    partnership_name: Series[str]
    partnership_type: Series[str] = pa.Field(isin=list(PARTNERSHIP_TYPES))
    urn: Series[int]
    joined: Series[pd.Timestamp]
    left: Series[pd.Timestamp] = pa.Field(nullable=True)


class CaseStudies(_Model):
    """Schools the LA writes up in the appendix; a federation is one case with several URNs."""

    case_id: Series[str]
    title: Series[str]
    urn: Series[int]


class Pupils(_Model):
    """Pupil-level KS2-to-KS4 records (NPD style). Never published: only aggregates leave the library."""

    pupil_id: Series[str] = pa.Field(unique=True)
    ks2_year: Series[int]
    ks2_urn: Series[int]
    ks2_la: Series[int]
    disadvantaged: Series[bool]
    ks2_read_score: Series[float] = pa.Field(nullable=True, ge=80, le=120)
    ks2_mat_score: Series[float] = pa.Field(nullable=True, ge=80, le=120)
    ks2_writ_ta: Series[str] = pa.Field(nullable=True, isin=["PKF", "WTS", "EXS", "GDS"])
    ks4_year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    ks4_urn: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    ks4_la: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    ks4_eng_grade: Series[float] = pa.Field(nullable=True, ge=0, le=9)
    ks4_mat_grade: Series[float] = pa.Field(nullable=True, ge=0, le=9)


class RejectsTable(_Model):
    """Every value or row that could not be used: where it was and why."""

    file: Series[str]
    line: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    column: Series[pd.StringDtype] = pa.Field(nullable=True)
    value: Series[pd.StringDtype] = pa.Field(nullable=True)
    reason: Series[str]


def validate(model: type[_Model], frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validate `frame` against `model`, turning a failure into one InputError about `source`."""
    try:
        return model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        first = cases.iloc[0]
        index = first.get("index")
        line = None
        if "line" in frame.columns and index is not None and index in frame.index:
            line = int(frame.loc[index, "line"])
        column = first.get("column") if isinstance(first.get("column"), str) else None
        raise InputError(
            source, line, column, f"{model.__name__} check {first['check']} failed for value {first['failure_case']!r}"
        ) from None
