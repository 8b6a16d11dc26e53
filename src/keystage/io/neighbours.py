"""Read the statistical-neighbours workbook and the LA code list, so benchmarks can name each LA's comparators."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from keystage.errors import InputError, Rejects
from keystage.io.csvfile import LINE, read_text_table
from keystage.io.fields import parse_ints
from keystage.schema import StatNeighbours, validate

NEIGHBOUR = re.compile(r"SN(\d+)", re.IGNORECASE)  # "SN1".."SN10"; the "SNP" closeness columns do not match
CODE_HEADERS = ("la num", "la number", "la code")
BELOW_TABLE = "LA row below the table's first blank row (DfE's \"Old SNs\": LAs that no longer exist); not read"


def read_stat_neighbours(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """Each LA's neighbours, closest first, from the first sheet's table (header row with SN1..SN10).

    Rows above the header are ignored; the table ends at its first blank row (the workbook's "Old SNs"
    notes below it, for LAs that no longer exist, are not read: each LA row there goes to rejects, so a stray
    blank row inside the table cannot silently cut it short). Every row carries the list's date (list_date).
    """
    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, InvalidFileException) as err:
        raise InputError(path, None, None, f"not readable as an Excel workbook ({err}); expected an .xlsx file") from None
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next((i for i, row in enumerate(rows) if any(_rank(cell) == 1 for cell in row)), None)
    if header_at is None:
        raise InputError(path, None, "SN1", "no header row with neighbour columns SN1, SN2, ... on the first sheet")
    header = [str(cell or "").strip() for cell in rows[header_at]]
    code_at = next((i for i, name in enumerate(header) if name.casefold() in CODE_HEADERS), None)
    if code_at is None:
        raise InputError(path, header_at + 1, "LA num", "expected an LA code column (LA num) in the header row")
    ranks = {i: _rank(name) for i, name in enumerate(header) if _rank(name)}
    records, ended = [], False
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        ended = ended or all(cell is None or str(cell).strip() == "" for cell in row)
        if ended:
            if str(row[code_at] if code_at < len(row) else "").strip().isdigit():
                rejects.add(path, number, header[code_at], row[code_at], BELOW_TABLE)
            continue
        la_code = _code(row[code_at], path, number, header[code_at])
        records += [(la_code, rank, _code(row[i], path, number, header[i]), number) for i, rank in ranks.items()]
    frame = pd.DataFrame(records, columns=["la_code", "rank", "neighbour_code", "line"]).assign(list_date=list_date(book))
    repeated = frame.duplicated(["la_code", "rank"])
    if repeated.any():
        first = frame.loc[repeated].iloc[0]
        raise InputError(
            path, int(first["line"]), header[code_at], f"LA {first['la_code']} appears twice; expected one row per LA"
        )
    return validate(StatNeighbours, frame, str(path))


def list_date(book: openpyxl.Workbook) -> str | None:
    """When the list was made (ISO date): the workbook's last-saved date, else its creation date; DfE
    publishes the list as a workbook whose cells carry no date ("statistical_neighbours_2025.xlsx", May 2025)."""
    stamp = book.properties.modified or book.properties.created
    return stamp.date().isoformat() if stamp else None


def read_la_codes(path: str | Path) -> pd.DataFrame:
    """DfE's LA code list (meta/la_and_region_codes.csv: LEA, LA Name, REGION, REGION NAME).

    Returns la_code, la_name, region_code, region_name; a code that is not a whole number, or repeats, stops the run.
    """
    path = Path(path)
    raw = read_text_table(path, "utf-8", required=["LEA", "LA Name", "REGION", "REGION NAME"])
    codes = {}
    for column in ("LEA", "REGION"):
        values, invalid = parse_ints(raw[column])
        bad = invalid | values.isna()
        if bad.any():
            line = int(raw.loc[bad, LINE].iloc[0])
            raise InputError(path, line, column, f"value {raw.loc[bad, column].iloc[0]!r} is not a code; expected a whole number")
        codes[column] = values.astype("int64")
    frame = pd.DataFrame(
        {
            "la_code": codes["LEA"],
            "la_name": raw["LA NAME"].str.strip().astype(str),
            "region_code": codes["REGION"],
            "region_name": raw["REGION NAME"].str.strip().astype(str),
        }
    )
    if frame["la_code"].duplicated().any():
        line = int(raw.loc[frame["la_code"].duplicated(), LINE].iloc[0])
        raise InputError(path, line, "LEA", "LA code appears twice; expected one row per LA")
    return frame


def _rank(cell: object) -> int | None:
    """The neighbour rank a header cell names ("SN3" -> 3), or None."""
    match = NEIGHBOUR.fullmatch(str(cell or "").strip())
    return int(match.group(1)) if match else None


def _code(cell: object, path: Path, line: int, column: str) -> int:
    """An LA code cell as an int; anything else stops with an InputError naming the cell."""
    try:
        value = float(str(cell).strip())
    except ValueError:
        value = float("nan")
    if not value.is_integer():
        raise InputError(path, line, column, f"value {cell!r} is not an LA code; expected a whole number such as 850")
    return int(value)
