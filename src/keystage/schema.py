"""The canonical tables every stage exchanges, defined once and validated with pandera.

Readers turn published files into these tables; measures read only these tables. Results
are kept long (one row per school, year and measure) so both assessment eras share one shape;
`status` says why a value is missing ("" when present; DfE/EES codes such as "SUPP", "c", "x";
"absent" for a short row; "invalid" for unreadable text, which is also in the rejects table).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from keystage.errors import InputError

ERAS = ("levels_em", "levels_rwm", "expected")
PARTNERSHIP_TYPES = ("cluster", "federation", "trust")
SUPPORT_KINDS = ("statutory", "purchased")
AGGREGATE_LEVELS = ("la", "england_all", "england_state")
AREA_LEVELS = ("national", "region", "la")


class _Model(pa.DataFrameModel):
    class Config:
        strict = "filter"  # keep only declared columns, so tables have one shape
        coerce = True


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
    source: Series[str]
    line: Series[int]

    @pa.dataframe_check
    def one_row_per_school_year(cls, df: pd.DataFrame) -> bool:
        return not df.duplicated(["urn", "year"]).any()


class SchoolResults(_Model):
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


class PublishedAggregates(_Model):
    """The LA and England rows DfE publishes in the same files as the schools (RECTYPE 3, 4, 5)."""

    level: Series[str] = pa.Field(isin=list(AGGREGATE_LEVELS))
    la_code: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    year: Series[int]
    measure: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    status: Series[str]
    source: Series[str]


class Ks4Results(_Model):
    """KS4 school-level results, long, like SchoolResults (measures: att8, p8, basics_94, basics_95, eligible)."""

    urn: Series[int]
    year: Series[int]
    measure: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    status: Series[str]
    source: Series[str]
    line: Series[int]


class Benchmarks(_Model):
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
