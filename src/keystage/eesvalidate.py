"""Check an EES data file and its .meta.csv against DfE's open data standard before it is published.

The rules are those of DfE's "Open data standards" guidance for Explore Education Statistics and the
checks of DfE's EES data screener (see config/standards.yaml, `open_data`): file names, required columns,
snake_case names, a metadata row for every filter and indicator, the time and geography columns filled
for each row's level, one kind of level per file (school-level rows apart from LA rows), filters with a
Total (or a named default) and two or more items, indicators numeric or a GSS symbol, no duplicate rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage.errors import InputError
from keystage.opendata import (
    ANCILLARY_PREFIX,
    COUNTRY,
    GEOGRAPHY_COLUMNS,
    GSS_SYMBOLS,
    META_COLUMNS,
    REGION_CODES,
    TIME_COLUMNS,
    TOTAL,
)

OPTIONAL_META = ("filter_default", "parent_filter")
REQUIRED_META = [c for c in META_COLUMNS if c not in OPTIONAL_META]
UNITS = ("", "%", "pp", "£", "£m", "numberstring")
TIME_IDENTIFIERS = {"Academic year": r"\d{6}", "Calendar year": r"\d{4}", "Financial year": r"\d{6}"}
SNAKE = re.compile(r"[a-z][a-z0-9_]*")
FILE_NAME = re.compile(r"[A-Za-z0-9_-]+")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
CODE_FORMATS = {
    "old_la_code": r"\d{3}",
    "new_la_code": r"E(06|07|08|09|10)\d{6}",
    "region_code": r"E1[23]\d{6}",
    "school_urn": r"\d{6}",
    "school_laestab": r"\d{7}",
}
SCHOOL_LEVELS = ("School",)
HIDDEN_LEVELS = ("Planning area", "Institution")  # levels EES's table tool ignores
LABEL_LIMIT = 80  # characters, the EES API limit for a column label


@dataclass(frozen=True)
class Problem:
    """One way a file pair breaks the standard: which rule, where (file, line, column) and what was expected."""

    rule: str
    file: str
    line: int | None
    column: str | None
    expected: str

    def error(self) -> InputError:
        """The problem as the InputError `keystage publish` stops with."""
        return InputError(self.file, self.line, self.column, f"{self.expected} (EES open data standard: {self.rule})")


def read_pair(data_path: Path, meta_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both files as text, blanks kept as ""; a file that is not UTF-8 CSV is an InputError."""
    frames = []
    for path in (data_path, meta_path):
        raw = path.read_bytes()
        if raw.startswith(b"\xef\xbb\xbf"):
            raise InputError(path, 1, None, "UTF-8 without a byte-order mark")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(path, raw[: err.start].count(b"\n") + 1, None, "UTF-8 text") from err
        frames.append(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8"))
    return frames[0], frames[1]


def validate_pair(data_path: str | Path, meta_path: str | Path | None = None) -> list[Problem]:
    """Every problem of an EES data file (default metadata: `<stem>.meta.csv` beside it); [] when it complies."""
    data_path = Path(data_path)
    meta_path = Path(meta_path) if meta_path is not None else data_path.with_name(data_path.stem + ".meta.csv")
    problems = file_name_problems(data_path, meta_path)
    if not meta_path.is_file():
        return [*problems, Problem("metadata file", str(meta_path), None, None, f"a .meta.csv beside {data_path.name}")]
    data, meta = read_pair(data_path, meta_path)
    return problems + validate_frames(data, meta, str(data_path), str(meta_path))


def check_pair(data_path: str | Path, meta_path: str | Path | None = None) -> None:
    """Stop with an InputError naming the first problem when the file pair breaks the standard."""
    problems = validate_pair(data_path, meta_path)
    if problems:
        raise problems[0].error()


def file_name_problems(data_path: Path, meta_path: Path) -> list[Problem]:
    """Names of letters, digits, hyphens and underscores, and the metadata named after its data file."""
    out = []
    for path in (data_path, meta_path):
        stem = path.name.removesuffix(".csv").removesuffix(".meta")
        if not path.name.endswith(".csv") or not FILE_NAME.fullmatch(stem):
            out.append(Problem("file name", str(path), None, None, "a .csv name of letters, digits, hyphens and underscores"))
    if meta_path.name != data_path.name.removesuffix(".csv") + ".meta.csv":
        out.append(Problem("file name", str(meta_path), None, None, f"the metadata named {data_path.stem}.meta.csv"))
    return out


def validate_frames(data: pd.DataFrame, meta: pd.DataFrame, data_file: str, meta_file: str) -> list[Problem]:
    """The standard's rules on a data file and its metadata read as text (see `read_pair`)."""
    problems = column_problems(data, meta, data_file, meta_file)
    if problems:  # later rules need the columns in place, as the screener's prechecks do
        return problems
    return [
        *meta_problems(meta, meta_file),
        *time_problems(data, data_file),
        *geography_problems(data, data_file),
        *filter_problems(data, meta, data_file),
        *indicator_problems(data, meta, data_file),
        *duplicate_problems(data, meta, data_file),
    ]


def _line(index: int) -> int:
    """The file line of a data row (line 1 is the header)."""
    return int(index) + 2


def column_problems(data: pd.DataFrame, meta: pd.DataFrame, data_file: str, meta_file: str) -> list[Problem]:
    """Required columns in both files, snake_case names, and metadata for exactly the filters and indicators."""
    out = [Problem("required columns", data_file, 1, c, "a required time or geography column")
           for c in TIME_COLUMNS if c not in data.columns]
    out += [Problem("metadata columns", meta_file, 1, c, "a required metadata column")
            for c in REQUIRED_META if c not in meta.columns]
    out += [Problem("metadata columns", meta_file, 1, c, f"only the metadata columns {', '.join(META_COLUMNS)}")
            for c in meta.columns if c not in META_COLUMNS]
    out += [Problem("snake_case", data_file, 1, c, "a snake_case column name (a-z, 0-9, _)")
            for c in data.columns if not SNAKE.fullmatch(c)]
    if out or data.empty:
        return out or [Problem("rows", data_file, 2, None, "at least one data row")]
    levels = set(data["geographic_level"]) & set(GEOGRAPHY_COLUMNS)
    geography = {c for level in levels for c in GEOGRAPHY_COLUMNS[level]}
    out += [Problem("geography columns", data_file, 1, c, f"a column that {level} rows must fill")
            for level in sorted(levels) for c in GEOGRAPHY_COLUMNS[level] if c not in data.columns]
    described = meta["col_name"].tolist()
    for i, name in enumerate(described):
        if not SNAKE.fullmatch(name):
            out.append(Problem("snake_case", meta_file, _line(i), "col_name", f"a snake_case col_name, not {name!r}"))
        if name not in data.columns:
            out.append(Problem("metadata matches data", meta_file, _line(i), "col_name", f"{name!r}, a column of the data file"))
        if name in TIME_COLUMNS or name in geography:
            out.append(Problem("metadata matches data", meta_file, _line(i), "col_name",
                               f"only filters and indicators described, not the time or geography column {name!r}"))
        if described.count(name) > 1 and described.index(name) < i:
            out.append(Problem("metadata matches data", meta_file, _line(i), "col_name", f"{name!r} described once"))
    known = set(TIME_COLUMNS) | geography | set(described)
    out += [Problem("metadata matches data", data_file, 1, c, "a row for this column in the .meta.csv")
            for c in data.columns if c not in known]
    return out


def meta_problems(meta: pd.DataFrame, meta_file: str) -> list[Problem]:
    """Each row a Filter or an Indicator with a label; indicators with a known unit and whole decimal places."""
    out = [Problem("metadata values", meta_file, _line(int(i)), "label", "a label no other column has")
           for i in meta.index[meta["label"].duplicated()]]
    for i, row in meta.iterrows():
        line, kind = _line(int(i)), row["col_type"]
        if kind not in ("Filter", "Indicator"):
            out.append(Problem("metadata values", meta_file, line, "col_type", "Filter or Indicator"))
        if not row["label"].strip() or len(row["label"]) > LABEL_LIMIT:
            out.append(Problem("metadata values", meta_file, line, "label", f"a label of 1 to {LABEL_LIMIT} characters"))
        if kind == "Indicator":
            if row["indicator_unit"] not in UNITS:
                out.append(Problem("indicator unit", meta_file, line, "indicator_unit", f"one of {UNITS}"))
            if not row["indicator_dp"].isdigit():
                out.append(Problem("indicator decimal places", meta_file, line, "indicator_dp",
                                   "a whole number of places (0, 1, 2...)"))
        elif kind == "Filter":
            for column in ("indicator_unit", "indicator_dp", "indicator_grouping"):
                if row[column]:
                    out.append(Problem("metadata values", meta_file, line, column, "blank for a filter"))
        elif row.get("filter_default", ""):
            out.append(Problem("metadata values", meta_file, line, "filter_default", "blank for an indicator"))
    return out


def time_problems(data: pd.DataFrame, data_file: str) -> list[Problem]:
    """A known time identifier and a time period of its form (academic years as consecutive years, 201819)."""
    out = []
    for i, (period, identifier) in enumerate(zip(data["time_period"], data["time_identifier"], strict=True)):
        form = TIME_IDENTIFIERS.get(identifier)
        if form is None:
            out.append(Problem("time identifier", data_file, _line(i), "time_identifier", f"one of {list(TIME_IDENTIFIERS)}"))
        elif not re.fullmatch(form, period) or (len(period) == 6 and (int(period[:4]) + 1) % 100 != int(period[4:])):
            out.append(Problem("time period", data_file, _line(i), "time_period", f"a {identifier.lower()} such as 201819"))
    return out


def geography_problems(data: pd.DataFrame, data_file: str) -> list[Problem]:
    """Known levels, school rows apart from other levels, England's codes, and each row's geography filled and well formed."""
    out = []
    levels = data["geographic_level"]
    if levels.isin(HIDDEN_LEVELS).all():
        out.append(Problem("levels the table tool shows", data_file, 2, "geographic_level",
                           "rows at a level EES's table tool shows (a file of planning areas only is an ancillary file)"))
    if levels.isin(SCHOOL_LEVELS).any() and not levels.isin(SCHOOL_LEVELS).all():
        out.append(Problem("levels apart", data_file, _line(int(levels.isin(SCHOOL_LEVELS).idxmax())), "geographic_level",
                           "school-level rows in their own file, apart from LA and other rows"))
    for column, value in COUNTRY.items():
        for i in data.index[data[column] != value]:
            out.append(Problem("country", data_file, _line(i), column, f"{value} (England)"))
    for i, level in levels.items():
        if level not in GEOGRAPHY_COLUMNS:
            out.append(Problem("geographic level", data_file, _line(i), "geographic_level", f"one of {list(GEOGRAPHY_COLUMNS)}"))
            continue
        row = data.loc[i]
        for column in GEOGRAPHY_COLUMNS[level]:
            value = row[column]
            if not value:
                out.append(Problem("geography filled", data_file, _line(i), column, f"filled for a {level} row"))
            elif column in CODE_FORMATS and not re.fullmatch(CODE_FORMATS[column], value):
                out.append(Problem("geography codes", data_file, _line(i), column, f"a code of the form {CODE_FORMATS[column]}"))
        region = row["region_name"] if "region_code" in GEOGRAPHY_COLUMNS[level] else ""
        if region and REGION_CODES.get(region) != row["region_code"]:
            out.append(Problem("geography codes", data_file, _line(i), "region_code", f"the GSS code of {row['region_name']}"))
        if level in SCHOOL_LEVELS and row["school_laestab"][:3] != row["old_la_code"]:
            out.append(Problem("geography codes", data_file, _line(i), "school_laestab",
                               "the LA code followed by the school's ESTAB"))
    for code, name in (("region_code", "region_name"), ("old_la_code", "la_name"), ("new_la_code", "la_name")):
        if (code in data.columns) != (name in data.columns):
            out.append(Problem("geography columns", data_file, 1, name if code in data.columns else code,
                               f"{code} and {name} together"))
    return out


def _of_type(meta: pd.DataFrame, kind: str) -> list[str]:
    """The data columns the metadata gives as filters or as indicators."""
    return meta.loc[meta["col_type"] == kind, "col_name"].tolist()


def filter_problems(data: pd.DataFrame, meta: pd.DataFrame, data_file: str) -> list[Problem]:
    """Every filter filled, with two or more items, one of them Total or the default the metadata names."""
    out = []
    defaults = dict(zip(meta["col_name"], meta.get("filter_default", pd.Series("", index=meta.index)), strict=True))
    for column in _of_type(meta, "Filter"):
        values = data[column]
        for i in data.index[values.str.strip() == ""]:
            out.append(Problem("filter items", data_file, _line(i), column, "a filter item, not a blank"))
        if values.nunique() < 2:
            out.append(Problem("filter items", data_file, 1, column, "two or more items (a single-item filter is not a filter)"))
        default = defaults.get(column) or TOTAL
        if default not in set(values):
            out.append(Problem("filter total", data_file, 1, column, f"a {default!r} item (the filter's total or named default)"))
    return out


def indicator_problems(data: pd.DataFrame, meta: pd.DataFrame, data_file: str) -> list[Problem]:
    """Every indicator cell a number or one of the GSS symbols (c, x, z, low); never blank, never a legacy symbol."""
    out = []
    for column in _of_type(meta, "Indicator"):
        values = data[column]
        bad = ~(values.str.fullmatch(NUMBER.pattern) | values.isin(GSS_SYMBOLS))
        for i in data.index[bad]:
            out.append(Problem("indicator values", data_file, _line(i), column,
                               f"a number or a GSS symbol ({', '.join(GSS_SYMBOLS)}), not {values[i]!r}"))
    return out


def duplicate_problems(data: pd.DataFrame, meta: pd.DataFrame, data_file: str) -> list[Problem]:
    """One row per time period, geography and combination of filter items."""
    keys = [c for c in data.columns if c not in _of_type(meta, "Indicator")]
    repeated = data.index[data.duplicated(keys)]
    return [Problem("duplicate rows", data_file, _line(i), None, "one row for each time, place and filter combination")
            for i in repeated]


def published_pairs(folder: str | Path) -> list[Path]:
    """The EES data files under `folder` (not their .meta.csv, not the documented ancillary files)."""
    return sorted(p for p in Path(folder).rglob("*.csv") if not p.name.endswith(".meta.csv") and not is_ancillary(p))


def is_ancillary(path: Path) -> bool:
    """True for an ancillary file (provenance, rejects): documented beside the data, not screened as statistics."""
    return path.name.startswith(ANCILLARY_PREFIX)


def check_folder(folder: str | Path) -> int:
    """Check every EES data file under `folder`; the first problem stops with an InputError. Returns the files checked."""
    pairs = published_pairs(folder)
    for path in pairs:
        check_pair(path)
    return len(pairs)
