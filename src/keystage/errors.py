"""The two ways keystage reports bad input: a stopping InputError, or a row in the rejects table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REJECT_COLUMNS = ["file", "line", "column", "value", "reason"]


class InputError(Exception):
    """A file is wrong in shape: the run stops with one message naming where and what was expected."""

    def __init__(self, file: str | Path, line: int | None, column: str | None, expected: str) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.expected = expected
        where = self.file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {expected}")


@dataclass
class Rejects:
    """Collects every value or row that could not be used, so nothing is dropped silently."""

    frames: list[pd.DataFrame] = field(default_factory=list)

    def add(self, file: str | Path, line: int | None, column: str | None, value: object, reason: str) -> None:
        """Record one rejected value or row."""
        self.frames.append(
            pd.DataFrame([[str(file), line, column, None if value is None else str(value), reason]], columns=REJECT_COLUMNS)
        )

    def add_frame(self, frame: pd.DataFrame) -> None:
        """Record many rejects at once; `frame` has the REJECT_COLUMNS."""
        if len(frame):
            self.frames.append(frame[REJECT_COLUMNS])

    def table(self) -> pd.DataFrame:
        """All rejects as one table with typed columns, in the order they were found."""
        if not self.frames:
            return empty_rejects()
        out = pd.concat(self.frames, ignore_index=True)
        out["file"] = out["file"].astype(str)
        out["line"] = out["line"].astype("Int64")
        out["column"] = out["column"].astype("string")
        out["value"] = out["value"].astype("string")
        out["reason"] = out["reason"].astype(str)
        return out


def empty_rejects() -> pd.DataFrame:
    """A rejects table with no rows and the right dtypes."""
    return pd.DataFrame(
        {
            "file": pd.Series(dtype=str),
            "line": pd.Series(dtype="Int64"),
            "column": pd.Series(dtype="string"),
            "value": pd.Series(dtype="string"),
            "reason": pd.Series(dtype=str),
        }
    )
