"""GIAS establishments and links: the real Hampshire extract and national links load; bad cells go to rejects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import InputError, Rejects
from keystage.io.gias import ESTABLISHMENT_FIELDS, read_establishments, read_links

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.realdata
def test_real_establishments(dfe: Path) -> None:
    rejects = Rejects()
    frame = read_establishments(dfe / "gias" / "gias_2022_850.csv", rejects)
    assert len(frame) == 520 and rejects.table().empty  # 521 lines: header + 520 schools
    alton = frame.set_index("urn").loc[115850]
    assert (alton["name"], alton["la_code"], alton["estab"], alton["low_age"], alton["high_age"]) == (
        "Alton Infant School",
        850,
        2000,
        4,
        7,
    )
    assert (alton["number_on_roll"], alton["admin_district"], alton["postcode"]) == (138, "East Hampshire", "GU34 1DH")
    st_columba = frame.set_index("urn").loc[138509]  # an academy open 01-09-2012, closed 31-12-2019
    assert (st_columba["open_date"], st_columba["close_date"]) == (pd.Timestamp(2012, 9, 1), pd.Timestamp(2019, 12, 31))
    assert frame["status"].value_counts().to_dict() == {"Open": 427, "Closed": 93}


@pytest.mark.realdata
def test_real_links(dfe: Path) -> None:
    rejects = Rejects()
    frame = read_links(dfe / "gias" / "links_2021.csv", rejects)
    assert len(frame) == 29817 and rejects.table().empty
    awbridge = frame[frame["urn"] == 115856].iloc[0]
    assert (awbridge["link_urn"], awbridge["link_type"], awbridge["link_date"]) == (
        148213,
        "Successor",
        pd.Timestamp(2020, 10, 31),
    )


def _gias(tmp_path: Path, rows: list[list[str]]) -> Path:
    """A GIAS-shaped cp1252 file with the columns keystage reads plus the spilling "Linked establishments"."""
    header = [field.column for field in ESTABLISHMENT_FIELDS.values()] + ["Linked establishments"]
    path = tmp_path / "gias.csv"
    path.write_bytes("\n".join(",".join(row) for row in [header, *rows]).encode("cp1252"))
    return path


def test_establishments_bad_date_and_spilled_links(tmp_path: Path) -> None:
    good = ["115850", "850", "2000", "Alton Infant School", "Community school", "LA maintained", "Open", "Primary", "4", "7"]
    rest = ["138", "East Hampshire", "South East", "GU34 1DH"]
    rows = [
        good + ["31-02-2020", "01-09-2021"] + rest + ["148213 Successor", "100001 Predecessor"],  # 31 Feb; links spill
        ["11585X", "850"] + good[2:] + ["", ""] + rest + ["Does not have links"],  # URN not a number
        ["115851", "850", "", "Ysgol Dewi Sant Ã©"] + good[4:] + ["", "", "many"] + rest[1:] + ["Does not have links"],
    ]
    rejects = Rejects()
    frame = read_establishments(_gias(tmp_path, rows), rejects)
    assert frame["urn"].tolist() == [115850, 115851]
    assert pd.isna(frame.loc[0, "open_date"]) and frame.loc[0, "close_date"] == pd.Timestamp(2021, 9, 1)
    assert pd.isna(frame.loc[1, "estab"]) and pd.isna(frame.loc[1, "number_on_roll"])
    assert frame.loc[1, "name"] == "Ysgol Dewi Sant Ã©"  # cp1252 read back as written
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [3, "URN", "11585X", "expected a whole number"],
        [2, "OPENDATE", "31-02-2020", "expected a date DD-MM-YYYY"],
        [4, "NUMBEROFPUPILS", "many", "expected a whole number"],
    ]


def test_links_bad_date_and_missing_column(tmp_path: Path) -> None:
    rejects = Rejects()
    frame = read_links(FIXTURES / "bad" / "links_cycle.csv", rejects)
    assert frame["link_urn"].tolist() == [100002, 100001, 100004] and pd.isna(frame.loc[2, "link_date"])
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [4, "LINKESTABLISHEDDATE", "31-13-2014", "expected a date DD-MM-YYYY"]
    ]
    path = tmp_path / "links.csv"
    path.write_text('"URN","LinkURN","LinkName","LinkEstablishedDate"\n')
    with pytest.raises(InputError, match="column LinkType: required column LinkType is missing from the header"):
        read_links(path, Rejects())
