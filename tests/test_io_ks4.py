"""KS4 performance-table reader: the two real Hampshire files and a small hand-made file."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import Rejects
from keystage.io.ks4 import Ks4Tables, read_ks4_files

HEADER = "RECTYPE,LEA,ESTAB,URN,SCHNAME,NFTYPE,AGERANGE,TPUP,ATT8SCR,P8MEA,PTL2BASICS_94,PTL2BASICS_95"


def read(*paths: Path) -> tuple[Ks4Tables, pd.DataFrame]:
    """Read KS4 files; return the tables and the rejects table."""
    rejects = Rejects()
    return read_ks4_files(list(paths), rejects), rejects.table()


def values(tables: Ks4Tables, urn: int, year: int) -> dict[str, tuple[float, str]]:
    """measure -> (value, status) for one school and year."""
    r = tables.results
    rows = r[(r["urn"] == urn) & (r["year"] == year)]
    return {m: (v, s) for m, v, s in rows[["measure", "value", "status"]].itertuples(index=False)}


def test_ks4_measures_and_record_types(tmp_path: Path) -> None:
    path = tmp_path / "2018_t_ks4final.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "1,850,4001,137315,Testwood School,ACC,11-16,180,44,-0.31,60.5%,38.2%",
                "2,850,7001,116600,Hill Special School,CYS,11-19,12,SUPP,NP,SUPP,SUPP",
                "4,850,,,,,,12497,47.2,-0.09,66.70%,45.20%",
                "5,,,,,,,583615,44.5,,59.40%,40.20%",
                "7,,,,,,,523636,46.5,-0.02,64.20%,43.30%",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    tables, rejects = read(path)
    assert rejects.empty
    assert values(tables, 137315, 2018) == {
        "eligible": (180.0, ""),  # TPUP
        "att8": (44.0, ""),
        "p8": (-0.31, ""),
        "basics_94": (60.5, ""),
        "basics_95": (38.2, ""),
    }
    special = values(tables, 116600, 2018)
    assert special["eligible"] == (12.0, "") and special["p8"][1] == "NP" and pd.isna(special["att8"][0])
    a = tables.aggregates.set_index(["level", "measure"])
    assert a.loc[("la", "att8"), "value"] == 47.2 and a.loc[("la", "att8"), "la_code"] == 850  # RECTYPE 4
    assert a.loc[("england_all", "p8"), "status"] == "blank"  # RECTYPE 5
    assert a.loc[("england_state", "p8"), "value"] == -0.02  # RECTYPE 7
    assert tables.school_years[["urn", "rectype"]].values.tolist() == [[137315, 1], [116600, 2]]


def test_ks4_missing_progress_column_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "2025_t_ks4final.csv"  # no Progress 8 in 2025 (no KS2 tests in 2020)
    path.write_text(
        HEADER.replace(",P8MEA", "")
        + "\n1,850,4001,137315,Testwood School,ACC,11-16,180,44,60.5%,38.2%\n4,850,,,Hampshire\n5,,,,England\n",
        encoding="utf-8",
    )
    tables, rejects = read(path)
    assert rejects[["line", "column", "reason"]].values.tolist() == [
        [1, "P8MEA", "column not in file: measure p8 not published for 2025"]
    ]
    assert sorted(values(tables, 137315, 2025)) == ["att8", "basics_94", "basics_95", "eligible"]


REAL = {  # year: (RECTYPE 1, RECTYPE 2, att8 statuses over schools)
    2017: (95, 28, {"": 105, "SUPP": 10, "NE": 5, "absent": 2, "blank": 1}),
    2018: (92, 29, {"": 105, "SUPP": 8, "NE": 8}),
}


@pytest.mark.realdata
def test_real_ks4_files_load_whole(dfe: Path) -> None:
    tables, rejects = read(*sorted((dfe / "ks4").glob("*_850_ks4final.csv")))
    assert rejects.empty
    for year, (mainstream, special, att8) in REAL.items():
        schools = tables.school_years[tables.school_years["year"] == year]
        assert schools["rectype"].value_counts().to_dict() == {1: mainstream, 2: special}
        results = tables.results[tables.results["year"] == year]
        assert len(results) == (mainstream + special) * 5  # five measures per school
        assert results[results["measure"] == "att8"]["status"].value_counts().to_dict() == att8
    la = tables.aggregates[(tables.aggregates["level"] == "la") & (tables.aggregates["measure"] == "att8")]
    assert la[["year", "value"]].values.tolist() == [[2017, 47.0], [2018, 47.2]]


@pytest.mark.realdata
def test_real_ks4_att8_matches_the_raw_file(dfe: Path) -> None:
    path = dfe / "ks4" / "2017_850_ks4final.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        raw = next(row for row in csv.DictReader(handle) if row["URN"] == "116432")
    assert raw["ATT8SCR"] == "42.1"
    tables, _ = read(path)
    assert values(tables, 116432, 2017)["att8"] == (float(raw["ATT8SCR"]), "")
    assert values(tables, 116432, 2017)["eligible"] == (float(raw["TPUP"]), "")
