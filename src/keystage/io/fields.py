"""Parse text columns of a read_text_table frame into typed columns, writing every unreadable cell to Rejects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from keystage.errors import REJECT_COLUMNS, Rejects
from keystage.io.csvfile import LINE


def reject_cells(frame: pd.DataFrame, column: str, bad: pd.Series, path: str | Path, reason: str, rejects: Rejects) -> None:
    """Write the cells of `column` where `bad` is True to `rejects`, one entry each, with their source line."""
    if not bad.any():
        return
    rows = frame.loc[bad]
    rejects.add_frame(
        pd.DataFrame(
            {
                "file": str(path),
                "line": rows[LINE].to_numpy(),
                "column": column,
                "value": rows[column].astype(object).where(rows[column].notna(), None).to_numpy(),
                "reason": reason,
            },
            columns=REJECT_COLUMNS,
        )
    )


def blank(text: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    return text.isna() | text.fillna("").astype(str).str.strip().eq("")


def parse_ints(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(Int64 values, invalid mask): whole numbers, also written as "850.0"; blank cells are NA and not invalid."""
    stripped = text.fillna("").astype(str).str.strip()
    numbers = pd.to_numeric(stripped.where(stripped.ne(""), None), errors="coerce")
    whole = numbers.notna() & numbers.eq(numbers.round())
    invalid = stripped.ne("") & ~whole
    return numbers.where(whole).astype("Int64"), invalid


def parse_floats(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float values, invalid mask): finite numbers only ("inf" is invalid); blank cells are NaN and not invalid."""
    stripped = text.fillna("").astype(str).str.strip()
    numbers = pd.to_numeric(stripped.where(stripped.ne(""), None), errors="coerce").astype("float64")
    numbers = numbers.where(np.isfinite(numbers))
    return numbers, stripped.ne("") & numbers.isna()


def parse_dates(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """(datetime values, invalid mask) for dates written as `fmt` (e.g. "%d-%m-%Y"); blank cells are NaT, not invalid."""
    stripped = text.fillna("").astype(str).str.strip()
    dates = pd.to_datetime(stripped.where(stripped.ne(""), None), format=fmt, errors="coerce")
    return dates.astype("datetime64[ns]"), stripped.ne("") & dates.isna()


@dataclass(frozen=True)
class Field:
    """How one published column becomes one typed column, and what happens when a cell cannot be read."""

    column: str  # the published column name (matched upper-cased, as read_text_table gives it)
    kind: str = "text"  # "text", "int", "float", "date", "choice" or "flag" (1/0)
    required: bool = True  # a blank cell is rejected
    drop: bool = True  # an unreadable cell leaves its row out (False: the value becomes missing)
    fmt: str = "%Y-%m-%d"  # dates
    choices: tuple[str, ...] = ()  # choice: allowed values, matched case-insensitively
    low: float | None = None  # float: smallest allowed value
    high: float | None = None  # float: largest allowed value


def parse_fields(raw: pd.DataFrame, fields: dict[str, Field], path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """Typed columns named as `fields` (plus `line`), leaving out rows with an unreadable or missing cell where drop is set.

    Every unreadable or missing required cell is one rejects entry naming file, line, column, value and what was expected.
    """
    out = pd.DataFrame(index=raw.index)
    leave_out = pd.Series(False, index=raw.index)
    for name, field in fields.items():
        column = field.column.upper()
        values, invalid = _PARSERS[field.kind](raw[column], field)
        missing = blank(raw[column]) & field.required
        reject_cells(raw, column, invalid, path, _expected(field), rejects)
        reject_cells(raw, column, missing, path, "missing; a value is required", rejects)
        if field.drop:
            leave_out |= invalid | missing
        out[name] = values.where(~invalid)
    out["line"] = raw[LINE]
    return out.loc[~leave_out].reset_index(drop=True)


def _expected(field: Field) -> str:
    """What a readable cell of `field` looks like, for the rejects table."""
    if field.kind == "date":
        return "expected a date " + field.fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
    if field.kind == "choice":
        return "expected one of " + ", ".join(field.choices)
    if field.kind == "float" and field.low is not None and field.high is not None:
        return f"expected a number from {field.low:g} to {field.high:g}"
    if field.kind == "float" and field.low is not None:
        return f"expected a number, at least {field.low:g}"
    return {"int": "expected a whole number", "float": "expected a number", "flag": "expected 1 or 0"}.get(
        field.kind, "expected text"
    )


def _text(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    stripped = text.fillna("").astype(str).str.strip()
    return stripped.where(stripped.ne(""), None).astype(object), pd.Series(False, index=text.index)


def _float(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    values, invalid = parse_floats(text)
    out_of_range = (values < field.low if field.low is not None else False) | (
        values > field.high if field.high is not None else False
    )
    return values, invalid | out_of_range


def _choice(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    folded = text.fillna("").astype(str).str.strip().str.casefold()
    values = folded.map({choice.casefold(): choice for choice in field.choices})
    return values.astype(object), folded.ne("") & values.isna()


def _flag(text: pd.Series, field: Field) -> tuple[pd.Series, pd.Series]:
    stripped = text.fillna("").astype(str).str.strip()
    values = stripped.map({"1": True, "0": False})
    return values.astype(object), stripped.ne("") & values.isna()


_PARSERS = {
    "text": _text,
    "int": lambda text, field: parse_ints(text),
    "float": _float,
    "date": lambda text, field: parse_dates(text, field.fmt),
    "choice": _choice,
    "flag": _flag,
}
