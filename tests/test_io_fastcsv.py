"""The pyarrow fast path gives exactly what csvfile.read_text_table gives, or falls back to it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import InputError
from keystage.io.csvfile import LINE, read_text_table
from keystage.io.fastcsv import read_columns, read_header

KS2 = Path(__file__).parent / "fixtures" / "ks2"
WANTED = {"URN", "SCHNAME", "TELIG", "PTRWM_EXP", "PTRWM_EXP_18", "NOT_IN_FILE"}


def slow(path: Path) -> pd.DataFrame:
    """What read_text_table gives, cut to the wanted columns."""
    frame = read_text_table(path)
    return frame[[c for c in frame.columns if c in WANTED or c == LINE]]


@pytest.mark.parametrize("name", ["2012_fix_ks2final.csv", "2014_fix_ks2final.csv", "2019_fix_ks2final.csv"])
def test_same_frame_as_read_text_table(name: str) -> None:
    # 2019: BOM and a short row (cells past its end are None); 2012 and 2014: CRLF line ends
    fast = read_columns(KS2 / name, WANTED, ["URN"])
    pd.testing.assert_frame_equal(fast, slow(KS2 / name))


def test_short_row_cells_are_none_not_blank() -> None:
    fast = read_columns(KS2 / "2019_fix_ks2final.csv", WANTED, [])
    delta = fast[fast["URN"] == "100004"].iloc[0]
    assert (delta["TELIG"], delta["PTRWM_EXP"], delta["PTRWM_EXP_18"], delta[LINE]) == ("45", "71%", None, 4)
    beta = fast[fast["URN"] == "100002"].iloc[0]
    assert beta["PTRWM_EXP_18"] == ""  # an empty cell in a full row stays ""


@pytest.mark.parametrize(
    "body",
    [
        'URN,SCHNAME,TELIG\n1,"Two\nLines",30\n2,B,31\n',  # newline inside a quoted value
        "URN,SCHNAME,TELIG\n1,A,30\n\n2,B\n",  # a blank line, then a short row
        'URN,SCHNAME,TELIG\n1,"A, the school"\n2,B,31\n',  # a quoted comma in a short row
    ],
)
def test_unusual_files_fall_back_with_the_same_result(tmp_path: Path, body: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(body, encoding="utf-8")
    pd.testing.assert_frame_equal(read_columns(path, WANTED, []), slow(path))


def test_long_row_gives_read_text_tables_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("URN,SCHNAME,TELIG\n1,A,30\n2,B,31,extra\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_columns(path, WANTED, [])
    assert str(err.value) == f"{path}, line 3: row has 4 fields; expected at most 3 (the header's count)"


def test_read_header() -> None:
    assert read_header(KS2 / "2019_fix_ks2final.csv") >= {"RECTYPE", "TNOTFSM6CLA1A", "PTRWM_EXP_18"}  # BOM dropped, upper case


@pytest.mark.realdata
def test_real_files_same_as_read_text_table(dfe: Path) -> None:
    for path in sorted((dfe / "ks2").glob("*.csv")) + sorted((dfe / "ks4").glob("*.csv")):
        wanted = {"URN", "TELIG", "PTRWM_EXP", "READPROG", "ATT8SCR", "P8MEA"}
        frame = read_text_table(path)
        pd.testing.assert_frame_equal(
            read_columns(path, wanted, []), frame[[c for c in frame.columns if c in wanted or c == LINE]]
        )
