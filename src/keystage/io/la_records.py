"""Read the LA's own records (data/la/*.csv): districts, support days, subscriptions, partnerships, case studies, pupils."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage import schema
from keystage.errors import InputError, Rejects
from keystage.io.csvfile import read_text_table
from keystage.io.fields import Field, parse_fields
from keystage.io.files import matching

URN = Field("urn", "int")
OPTIONAL_INT = {"kind": "int", "required": False, "drop": True}
GRADE = {"kind": "float", "required": False, "low": 0, "high": 9}
SCORE = {"kind": "float", "required": False, "low": 80, "high": 120}


@dataclass(frozen=True)
class RecordFile:
    """One LA record file: its columns, the columns that identify a row, and its canonical table."""

    fields: dict[str, Field]
    key: list[str]
    model: type[schema._Model]


FILES: dict[str, RecordFile] = {
    "districts": RecordFile({"urn": URN, "district": Field("district")}, ["urn"], schema.Districts),
    "support_days": RecordFile(
        {
            "urn": URN,
            "year": Field("year", "int"),
            "team": Field("team"),
            "kind": Field("kind", "choice", choices=schema.SUPPORT_KINDS),
            "days": Field("days", "float", low=0),
        },
        ["urn", "year", "team", "kind"],
        schema.SupportDays,
    ),
    "subscriptions": RecordFile(
        {"urn": URN, "year": Field("year", "int"), "service": Field("service"), "subject": Field("subject")},
        ["urn", "year", "service", "subject"],
        schema.Subscriptions,
    ),
    "partnerships": RecordFile(
        {
            "partnership_id": Field("partnership_id"),
            "partnership_name": Field("partnership_name"),
            "partnership_type": Field("partnership_type", "choice", choices=schema.PARTNERSHIP_TYPES),
            "urn": URN,
            "joined": Field("joined", "date"),
            "left": Field("left", "date", required=False),
        },
        ["partnership_id", "urn", "joined"],
        schema.Partnerships,
    ),
    "case_studies": RecordFile(
        {"case_id": Field("case_id"), "title": Field("title"), "urn": URN}, ["case_id", "urn"], schema.CaseStudies
    ),
    "pupils": RecordFile(
        {
            "pupil_id": Field("pupil_id"),
            "ks2_year": Field("ks2_year", "int"),
            "ks2_urn": Field("ks2_urn", "int"),
            "ks2_la": Field("ks2_la", "int"),
            "disadvantaged": Field("disadvantaged", "flag"),
            "ks2_read_score": Field("ks2_read_score", **SCORE),
            "ks2_mat_score": Field("ks2_mat_score", **SCORE),
            "ks2_writ_ta": Field("ks2_writ_ta", "choice", required=False, choices=("PKF", "WTS", "EXS", "GDS")),
            "ks4_year": Field("ks4_year", **OPTIONAL_INT),
            "ks4_urn": Field("ks4_urn", **OPTIONAL_INT),
            "ks4_la": Field("ks4_la", **OPTIONAL_INT),
            "ks4_eng_grade": Field("ks4_eng_grade", **GRADE),
            "ks4_mat_grade": Field("ks4_mat_grade", **GRADE),
        },
        ["pupil_id"],
        schema.Pupils,
    ),
}


UNKNOWN_URN = "URN not in any KS2 file or the GIAS extract; row left out"
STAGE_FILES = ("partnership_targets",)  # LA record files read by a later stage (keystage.measures.partnerships)
UNREAD_FILE = "file not read: expected its name to be one of " + ", ".join(f"{name}.csv" for name in (*FILES, *STAGE_FILES))
# a file present but empty is almost always an export that failed, never the same as no file
NO_ROWS = "the file has a header line but no rows; expected one row per record (export it again, or remove the file)"


def read_record_file(
    path: str | Path, spec: RecordFile, rejects: Rejects, known_urns: set[int] | None = None
) -> pd.DataFrame:
    """Read one LA record file as its canonical table: no rows, a missing column or a repeated key stops with an InputError;
    a row with an unreadable value, or (given `known_urns`) a school no other file knows, is left out and recorded."""
    raw = read_text_table(path, "utf-8", required=[field.column for field in spec.fields.values()])
    if raw.empty:
        raise InputError(path, 2, None, NO_ROWS)
    frame = parse_fields(raw, spec.fields, path, rejects)
    repeated = frame.duplicated(spec.key, keep=False)
    if repeated.any():
        rows = frame.loc[repeated]
        second = rows.loc[rows.duplicated(spec.key)].iloc[0]
        first_line = int(rows.loc[(rows[spec.key] == second[spec.key]).all(axis=1), "line"].iloc[0])
        key = ", ".join(f"{name} {second[name]}" for name in spec.key)
        raise InputError(path, int(second["line"]), spec.key[-1], f"{key} repeats line {first_line}; expected each only once")
    if known_urns is not None and "urn" in frame:
        unknown = ~frame["urn"].isin(known_urns)
        for row in frame.loc[unknown].itertuples():
            rejects.add(path, row.line, spec.fields["urn"].column.upper(), row.urn, UNKNOWN_URN)
        frame = frame.loc[~unknown]
    if "left" in frame:
        _reject_left_before_joined(frame, path, rejects)
        frame = frame.loc[~(frame["left"] < frame["joined"])]
    return schema.validate(spec.model, frame, str(path))


def _reject_left_before_joined(frame: pd.DataFrame, path: str | Path, rejects: Rejects) -> None:
    """A membership that ends before it starts is unusable: one rejects entry per such row."""
    for row in frame.loc[frame["left"] < frame["joined"]].itertuples():
        rejects.add(path, row.line, "LEFT", row.left.strftime("%Y-%m-%d"), f"left before joined ({row.joined:%Y-%m-%d})")


def read_districts(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """districts.csv (urn, district) as Districts; a URN listed twice stops the run."""
    return read_record_file(path, FILES["districts"], rejects)


def read_support_days(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """support_days.csv (urn, year, team, kind, days) as SupportDays; kind is statutory or purchased."""
    return read_record_file(path, FILES["support_days"], rejects)


def read_subscriptions(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """subscriptions.csv (urn, year, service, subject) as Subscriptions."""
    return read_record_file(path, FILES["subscriptions"], rejects)


def read_partnerships(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """partnerships.csv as Partnerships; dates are YYYY-MM-DD and `left` is blank while a school is a member."""
    return read_record_file(path, FILES["partnerships"], rejects)


def read_case_studies(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """case_studies.csv (case_id, title, urn) as CaseStudies; a federation is one case_id on several rows."""
    return read_record_file(path, FILES["case_studies"], rejects)


def read_pupils(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """pupils.csv (NPD-style KS2-to-KS4 records) as Pupils; KS4 fields are blank for pupils who left state schools."""
    return read_record_file(path, FILES["pupils"], rejects)


def read_la_records(la_dir: str | Path, rejects: Rejects, known_urns: set[int] | None = None) -> dict[str, pd.DataFrame]:
    """Every LA record file present in `la_dir` ({name}.csv for each name of FILES, in any letter case), read and
    validated, by name; rows about a URN outside `known_urns` (when given) are rejected, and so is each CSV file
    whose name keystage does not read (a misnamed export such as support-days.csv would otherwise go unseen)."""
    found = {name: matching(Path(la_dir), f"{name}.csv") for name in FILES}
    read = {name.casefold() + ".csv" for name in (*FILES, *STAGE_FILES)}
    for path in matching(Path(la_dir), "*.csv"):
        if path.name.casefold() not in read:
            rejects.add(path, None, None, None, UNREAD_FILE)
    return {name: read_record_file(paths[0], FILES[name], rejects, known_urns) for name, paths in found.items() if paths}
