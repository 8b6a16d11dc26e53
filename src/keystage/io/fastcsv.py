"""Read chosen columns of a large, clean CSV quickly (pyarrow), with csvfile.read_text_table's exact result.

An England-wide performance table is ~16,000 rows by ~300 columns; Python's csv module takes most of a
second per file. Here pyarrow parses the file and only short (ragged) rows are handled in Python.
Anything unusual (a long row, a quote in a ragged row, blank lines, newlines inside values, a bad
header) goes to read_text_table, which gives the same frame or the one clear InputError.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from keystage.io.csvfile import LINE, decode, read_text_table


def read_columns(path: Path, wanted: set[str], required: list[str], encoding: str = "utf-8") -> pd.DataFrame:
    """The `wanted` columns (upper-case names; those absent from the file are left out) and `_line`, as
    read_text_table(path, encoding, required) would give them: strings, None past the end of a short row."""
    text = decode(path, encoding)
    first_line = text[: text.find("\n")] if "\n" in text else text
    first_line = first_line.rstrip("\r")
    header = next(csv.reader([first_line]))
    names = [name.strip().upper() for name in header]
    upper_required = {name.upper() for name in required}
    if len(set(names)) < len(names) or not upper_required <= set(names) or '"' in first_line:
        return _slow(path, wanted, required, encoding)
    keep = [i for i, name in enumerate(names) if name in wanted]
    odd: list[tuple[int | None, int, str]] = []

    def note_odd_row(row: pacsv.InvalidRow) -> str:
        odd.append((row.number, row.actual_columns, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(use_threads=False, column_names=[f"c{i}" for i in range(len(names))], skip_rows=1),
            parse_options=pacsv.ParseOptions(invalid_row_handler=note_odd_row),
            convert_options=pacsv.ConvertOptions(
                include_columns=[f"c{i}" for i in keep],
                column_types={f"c{i}": pa.string() for i in keep},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return _slow(path, wanted, required, encoding)
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    clean = all(number is not None and fields < len(names) and '"' not in row for number, fields, row in odd)
    if not clean or 1 + table.num_rows + len(odd) != n_lines:
        return _slow(path, wanted, required, encoding)
    cells = np.full((n_lines - 1, len(keep)), None, dtype=object)
    short_at = np.array([number - 2 for number, _, _ in odd], dtype=np.int64)
    full_at = np.setdiff1d(np.arange(n_lines - 1), short_at)
    for j, name in enumerate(table.column_names):
        cells[full_at, j] = table.column(name).to_numpy(zero_copy_only=False)
    for at, (_, _, row) in zip(short_at, odd, strict=True):
        fields = next(csv.reader([row]))
        cells[at] = [fields[i] if i < len(fields) else None for i in keep]
    frame = pd.DataFrame(cells, columns=[names[i] for i in keep], dtype=object)
    frame[LINE] = np.arange(2, n_lines + 1, dtype=np.int64)
    return frame


def read_header(path: Path, encoding: str = "utf-8") -> set[str]:
    """The upper-cased column names on the first line, read without the rest of the file; an empty set when
    that line cannot be read (reading the whole file then reports what is wrong)."""
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        line = first.decode("utf-8-sig" if encoding.lower().replace("-", "") == "utf8" else encoding)
        return {name.strip().upper() for name in next(csv.reader([line.rstrip("\r\n")]))}
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return set()


def _slow(path: Path, wanted: set[str], required: list[str], encoding: str) -> pd.DataFrame:
    frame = read_text_table(path, encoding, required=required)
    return frame[[name for name in frame.columns if name in wanted or name == LINE]]
