"""Load a published CSV as text, tolerating its real quirks and stopping clearly on the wrong shape."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from keystage.errors import InputError

LINE = "_line"  # the column holding each row's line number in the source file


def decode(path: Path, encoding: str) -> str:
    """Read `path` as `encoding` (a byte-order mark is dropped); a wrong encoding names the line."""
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, 1, None, "file is empty; expected a header line and data rows")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, 1, None, f"file is UTF-16 encoded; expected {encoding}")
    if b"\x00" in raw[:4096]:
        raise InputError(path, 1, None, f"file holds NUL bytes, as UTF-16 without a byte-order mark does; expected {encoding}")
    codec = "utf-8-sig" if encoding.lower().replace("-", "") in ("utf8", "utf8sig") else encoding
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InputError(
            path, line, None, f"byte {raw[err.start]:#04x} is not valid {encoding}; expected a {encoding} file"
        ) from None


def read_text_table(
    path: str | Path, encoding: str = "utf-8", required: list[str] | None = None, spill_last: bool = False
) -> pd.DataFrame:
    """Read a CSV into a DataFrame of strings, upper-cased column names, and a `_line` column.

    Cells past the end of a short row are NaN (callers report them as "absent"); a row with
    more fields than the header, a missing required column, a repeated column name or a
    file cut off inside a quoted field stops with an InputError naming file, line and column.
    With `spill_last`, extra fields belong to the last column (GIAS lists links that way) and
    are joined into it with "; ".
    """
    path = Path(path)
    reader = csv.reader(io.StringIO(decode(path, encoding), newline=""), strict=True)
    try:
        header = [name.strip().upper() for name in next(reader)]
        rows, lines = [], []
        for row in reader:
            if not row:
                continue
            if len(row) > len(header) and spill_last:
                row = row[: len(header) - 1] + ["; ".join(row[len(header) - 1 :])]
            if len(row) > len(header):
                raise InputError(
                    path, reader.line_num, None, f"row has {len(row)} fields; expected at most {len(header)} (the header's count)"
                )
            rows.append(row + [None] * (len(header) - len(row)))
            lines.append(reader.line_num)
    except csv.Error as err:
        raise InputError(path, reader.line_num, None, f"not readable as CSV ({err}); the file may be truncated") from None
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputError(path, 1, name, "column name appears twice (names are compared case-insensitively)")
        seen.add(name)
    for name in required or []:
        if name.upper() not in seen:
            raise InputError(path, 1, name, f"required column {name} is missing from the header")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[LINE] = pd.Series(lines, dtype="int64")
    return frame
