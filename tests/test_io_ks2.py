"""KS2 performance-table reader: real Hampshire files, hand-made fixtures of both eras, and bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import InputError, Rejects
from keystage.io.columns import load_column_map
from keystage.io.ks2 import Ks2Tables, read_ks2_files
from keystage.io.perftables import INVALID_CELL
from keystage.rounding import round_half_up

FIXTURES = Path(__file__).parent / "fixtures"
KS2 = FIXTURES / "ks2"
BAD = FIXTURES / "bad"
HEADER = "RECTYPE,LEA,ESTAB,URN,SCHNAME,NFTYPE,AGERANGE,TELIG,PTRWM_EXP"
AGGREGATES = ["3,850,,,Hampshire", "4,,,,England"]  # the LA and England rows every file ends with (no figures here)


def read(*paths: Path) -> tuple[Ks2Tables, pd.DataFrame]:
    """Read KS2 files; return the tables and the rejects table."""
    rejects = Rejects()
    return read_ks2_files(list(paths), rejects), rejects.table()


def cell(tables: Ks2Tables, urn: int, year: int, measure: str) -> tuple[float, str]:
    """(value, status) of one school result; fails unless exactly one row matches."""
    r = tables.results
    row = r[(r["urn"] == urn) & (r["year"] == year) & (r["measure"] == measure)]
    assert len(row) == 1, f"{len(row)} rows for {urn} {year} {measure}"
    return row["value"].iloc[0], row["status"].iloc[0]


def aggregate(tables: Ks2Tables, level: str, year: int, measure: str) -> pd.Series:
    """The one published aggregate row for a level, year and measure."""
    a = tables.aggregates
    row = a[(a["level"] == level) & (a["year"] == year) & (a["measure"] == measure)]
    assert len(row) == 1
    return row.iloc[0]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    """A small CSV in tmp_path."""
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bad_copy(tmp_path: Path, fixture: str) -> Path:
    """A bad fixture under a name the reader accepts (the year comes from the file name)."""
    path = tmp_path / "2019_bad_ks2final.csv"
    shutil.copy(BAD / fixture, path)
    return path


# --- hand-made fixtures: statuses, case, BOM, short rows ---------------------------------------


def test_expected_era_statuses() -> None:
    tables, _ = read(KS2 / "2019_fix_ks2final.csv")
    assert cell(tables, 100001, 2019, "headline") == (66.0, "")
    assert cell(tables, 100001, 2019, "read_prog_lower") == (-1.2, "")
    # Beta Primary: every DfE code, each kept as NaN with its status
    for measure, status in [
        ("headline", "SUPP"),
        ("read", "NE"),
        ("writ", "NA"),
        ("mat", "NP"),
        ("gps", "blank"),
        ("read_prog", "LOWCOV"),
    ]:
        value, got = cell(tables, 100002, 2019, measure)
        assert pd.isna(value) and got == status, measure
    # Delta's row stops after PTRWM_EXP: the cells past its end are "absent"
    assert cell(tables, 100004, 2019, "headline") == (71.0, "")
    value, status = cell(tables, 100004, 2019, "higher")
    assert pd.isna(value) and status == "absent"


def test_bom_and_mixed_case_column_names() -> None:
    tables, _ = read(KS2 / "2019_fix_ks2final.csv")
    # The file starts with a BOM before RECTYPE, and says TNotFSM6CLA1A where ks2.yaml says TNOTFSM6CLA1A
    assert (KS2 / "2019_fix_ks2final.csv").read_bytes().startswith(b"\xef\xbb\xbfRECTYPE")
    assert cell(tables, 100001, 2019, "other_count") == (24.0, "")
    own = tables.school_years[tables.school_years["year"] == 2019]
    assert own["urn"].tolist() == [100001, 100002, 100004]
    assert own["line"].tolist() == [2, 3, 4]
    assert own["name"].iloc[2] == "Delta Church of England Junior School"


def test_aggregate_rows() -> None:
    tables, _ = read(KS2 / "2019_fix_ks2final.csv")
    la = aggregate(tables, "la", 2019, "headline")
    assert (la["la_code"], la["value"], la["status"]) == (850, 68.0, "")
    england = aggregate(tables, "england_all", 2019, "eligible")
    assert pd.isna(england["la_code"]) and england["value"] == 649249.0
    # England rows publish no progress score: blank
    assert aggregate(tables, "england_all", 2019, "read_prog")["status"] == "blank"
    assert set(tables.school_years["urn"]) == {100001, 100002, 100004}  # RECTYPE 3/4 rows are not schools


def test_prior_year_columns_fill_a_year_without_its_own_file() -> None:
    tables, rejects = read(KS2 / "2019_fix_ks2final.csv")
    assert cell(tables, 100001, 2018, "headline") == (61.0, "")
    assert cell(tables, 100001, 2018, "eligible") == (28.0, "")
    assert aggregate(tables, "la", 2018, "headline")["value"] == 68.0
    # Beta's _18 cells are blank and Delta's row ends before them: no 2018 record for either
    sy18 = tables.school_years[tables.school_years["year"] == 2018]
    assert sy18["urn"].tolist() == [100001] and sy18["source"].tolist() == ["2019_fix_ks2final.csv"]
    # the fixture carries 3 of the 18 prior-year measures and none of 2019's 3 average scaled scores: one rejects
    # entry per absent column
    missing = rejects[rejects["reason"].str.startswith("column not in file")]
    assert len(missing) == (18 - 3) + 3
    first = missing[missing["column"].str.endswith("_18")].iloc[0]
    assert (first["file"], first["line"], first["column"]) == ("2019_fix_ks2final.csv", 1, "PTRWM_EXP_FSM6CLA1A_18")
    assert first["reason"] == "column not in file: measure headline_disadv not published for 2018"


def test_own_file_wins_and_nearest_later_file_wins(tmp_path: Path) -> None:
    header = HEADER + ",TELIG_17,PTRWM_EXP_17,TELIG_18,PTRWM_EXP_18"
    f2018 = write(
        tmp_path,
        "2018_t_ks2final.csv",
        [HEADER + ",TELIG_17,PTRWM_EXP_17", "1,850,1,100001,A,CY,7-11,30,58%,29,50%", *AGGREGATES],
    )
    f2019 = write(tmp_path, "2019_t_ks2final.csv", [header, "1,850,1,100001,A,CY,7-11,31,70%,29,51%,30,61%", *AGGREGATES])
    tables, _ = read(f2019, f2018)
    assert cell(tables, 100001, 2018, "headline") == (58.0, "")  # its own file, not the 2019 file's 61
    assert cell(tables, 100001, 2017, "headline") == (50.0, "")  # nearest later file (2018), not 2019's 51
    sources = tables.results.groupby("year")["source"].unique().map(list).to_dict()
    assert sources == {2017: ["2018_t_ks2final.csv"], 2018: ["2018_t_ks2final.csv"], 2019: ["2019_t_ks2final.csv"]}


def test_a_converted_academy_is_not_counted_twice(tmp_path: Path) -> None:
    # A school converts: the 2019 file shows its 2018 results under the academy's new URN (as the real files do).
    f2018 = write(tmp_path, "2018_t_ks2final.csv", [HEADER, "1,850,1,100001,Old School,CY,7-11,30,58%", *AGGREGATES])
    f2019 = write(
        tmp_path,
        "2019_t_ks2final.csv",
        [HEADER + ",TELIG_18,PTRWM_EXP_18", "1,850,1,140001,New Academy,AC,7-11,31,70%,30,58%", *AGGREGATES],
    )
    tables, _ = read(f2018, f2019)
    r = tables.results
    assert r[(r["year"] == 2018) & (r["measure"] == "headline")]["urn"].tolist() == [100001]


# --- levels era -------------------------------------------------------------------------------


def test_levels_era_files_give_the_canonical_measures() -> None:
    ks2 = load_column_map("ks2")
    tables, rejects = read(KS2 / "2012_fix_ks2final.csv", KS2 / "2014_fix_ks2final.csv")
    assert rejects.empty
    measures = tables.results.groupby("year")["measure"].unique().map(set).to_dict()
    assert measures == {2012: set(ks2["layouts"]["levels_2012"]), 2014: set(ks2["layouts"]["levels_rwm"])}
    assert cell(tables, 100001, 2012, "headline") == (80.0, "")  # PTENGMATX
    assert cell(tables, 100001, 2012, "eng_2lp") == (90.0, "")  # PT2ENG12
    assert cell(tables, 100001, 2012, "headline_disadv") == (60.0, "")  # PTFSMCLAENGMATX
    assert cell(tables, 100001, 2014, "headline") == (81.0, "")  # ptreadwrittamatx, lower case in the header
    assert cell(tables, 100001, 2014, "headline_4b") == (71.0, "")  # PTREADWRITTAMAT4B
    assert cell(tables, 100001, 2014, "read_2lp") == (93.0, "")  # PT2READ
    assert cell(tables, 100003, 2014, "read_2lp")[1] == "NE"
    special = tables.school_years[tables.school_years["urn"] == 100003]
    assert special[["year", "rectype", "nftype"]].values.tolist() == [[2014, 2, "CYS"]]
    assert aggregate(tables, "la", 2012, "headline")["value"] == 79.0


# --- file names ---------------------------------------------------------------------------------


def test_file_name_without_a_year(tmp_path: Path) -> None:
    path = write(tmp_path, "hampshire_ks2final.csv", [HEADER])
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value) == f"{path}: file name has no test year; expected {{year}}_{{tag}}_ks2final.csv"


def test_year_not_in_the_column_map(tmp_path: Path) -> None:
    path = write(tmp_path, "2020_850_ks2final.csv", [HEADER])  # no KS2 tests in 2020
    with pytest.raises(
        InputError, match=r"2020_850_ks2final.csv: test year 2020 \(from the file name\) is not in ks2.yaml years \(2009, "
    ):
        read(path)


def test_two_files_for_one_year(tmp_path: Path) -> None:
    first = write(tmp_path, "2019_a_ks2final.csv", [HEADER])
    second = write(tmp_path, "2019_b_ks2final.csv", [HEADER])
    with pytest.raises(InputError) as err:
        read(first, second)
    assert (
        str(err.value)
        == f"{second}: a second file for test year 2019 (the first is 2019_a_ks2final.csv); expected one file per year"
    )


# --- bad inputs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("ks2_truncated.csv", "line 3: not readable as CSV (unexpected end of data); the file may be truncated"),
        ("ks2_utf16.csv", "line 1: file is UTF-16 encoded; expected utf-8"),
        ("ks2_cp1252.csv", "line 3: byte 0x92 is not valid utf-8; expected a utf-8 file"),
        ("ks2_missing_required.csv", "line 1, column TELIG: required column TELIG is missing from the header"),
        (
            "ks2_duplicate_urn.csv",
            "line 4, column URN: URN 100001 appears twice in one file (lines 2 and 4); expected one row each",
        ),
        ("ks2_long_row.csv", "line 3: row has 10 fields; expected at most 9 (the header's count)"),
    ],
)
def test_bad_file_stops_with_one_clear_message(tmp_path: Path, fixture: str, message: str) -> None:
    path = bad_copy(tmp_path, fixture)
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value) == f"{path}, {message}"


@pytest.mark.parametrize(
    ("fixture", "line", "column", "value", "measure"),
    [("ks2_text_in_number.csv", 2, "TELIG", "thirty", "eligible"), ("ks2_unknown_code.csv", 3, "PTRWM_EXP", "ZZ", "headline")],
)
def test_unreadable_cell_is_missing_and_rejected(
    tmp_path: Path, fixture: str, line: int, column: str, value: str, measure: str
) -> None:
    tables, rejects = read(bad_copy(tmp_path, fixture))
    cells = rejects[rejects["reason"] == INVALID_CELL]
    assert cells[["file", "line", "column", "value"]].values.tolist() == [["2019_bad_ks2final.csv", line, column, value]]
    urn = 100001 if line == 2 else 100002
    got, status = cell(tables, urn, 2019, measure)
    assert pd.isna(got) and status == "invalid"


def test_school_row_without_a_urn_is_rejected_and_skipped(tmp_path: Path) -> None:
    tables, rejects = read(bad_copy(tmp_path, "ks2_bad_urn.csv"))
    rows = rejects[rejects["column"] == "URN"]
    assert rows[["line", "value", "reason"]].values.tolist() == [
        [3, "", "school row without a numeric URN; row skipped"],
        [4, "URN-3", "school row without a numeric URN; row skipped"],
    ]
    assert tables.school_years["urn"].tolist() == [100001]
    assert sorted(tables.results["measure"]) == ["eligible", "headline"]


def test_missing_optional_column_gives_one_reject_per_file(tmp_path: Path) -> None:
    _, rejects = read(bad_copy(tmp_path, "ks2_text_in_number.csv"))
    missing = rejects[rejects["reason"].str.startswith("column not in file")]
    expected = load_column_map("ks2")["layouts"]["expected"]
    assert len(missing) == len(expected) - 2  # every mapped measure but TELIG and PTRWM_EXP
    higher = missing[missing["column"] == "PTRWM_HIGH"].iloc[0]
    assert (higher["line"], higher["reason"]) == (1, "column not in file: measure higher not published for 2019")


# --- the real Hampshire files -----------------------------------------------------------------------

REAL = {  # year: (school rows, RECTYPE 1, RECTYPE 2, headline statuses, rejects)
    2017: (328, 313, 15, {"": 317, "SUPP": 5, "absent": 5, "blank": 1}, ["TELIG_16"]),
    2018: (328, 312, 16, {"": 315, "SUPP": 9, "absent": 4}, ["TELIG_17", "TELIG_16"]),
    2019: (331, 315, 16, {"": 323, "SUPP": 3, "absent": 5}, []),
}


@pytest.mark.realdata
@pytest.mark.parametrize("year", sorted(REAL))
def test_real_file_loads_whole(dfe: Path, year: int) -> None:
    schools, mainstream, special, headline, missing = REAL[year]
    tables, rejects = read(dfe / "ks2" / f"{year}_850_ks2final.csv")
    own = tables.school_years[tables.school_years["year"] == year]
    assert len(own) == schools == mainstream + special
    assert own["rectype"].value_counts().to_dict() == {1: mainstream, 2: special}
    results = tables.results[tables.results["year"] == year]
    assert len(results) == schools * len(load_column_map("ks2")["layouts"]["expected"])  # every school, every measure
    assert results[results["measure"] == "headline"]["status"].value_counts().to_dict() == headline
    assert rejects["column"].tolist() == missing  # only the prior-year TELIG columns DfE does not publish
    assert (tables.results["status"] != "invalid").all()


@pytest.mark.realdata
def test_back_test_la_headline_from_school_rows(dfe: Path) -> None:
    tables, _ = read(*sorted((dfe / "ks2").glob("*_850_ks2final.csv")))
    r = tables.results.set_index(["urn", "year"])
    published = (r["measure"] == "headline") & (r["status"] == "")
    own_files = r.index.get_level_values("year") >= 2017  # 2016 comes from prior-year columns, without TELIG_16
    headline = r[published & own_files]["value"]
    eligible = r[r["measure"] == "eligible"]["value"].reindex(headline.index)
    # pupil-weighted: sum(eligible * pct / 100) / sum(eligible), per year
    pupils = (eligible * headline / 100).groupby("year").sum()
    cohort = eligible.groupby("year").sum()
    assert pupils.round(2).to_dict() == {2017: 9208.04, 2018: 9846.95, 2019: 10058.58}
    assert cohort.to_dict() == {2017: 14025.0, 2018: 14432.0, 2019: 14846.0}
    pct = 100 * pupils / cohort  # 65.654, 68.230, 67.753
    for year, la_headline in [(2017, 66), (2018, 68), (2019, 68)]:
        assert round_half_up(pct[year]) == la_headline == aggregate(tables, "la", year, "headline")["value"]
    la_2016 = aggregate(tables, "la", 2016, "headline")
    assert (la_2016["value"], la_2016["source"]) == (59.0, "2017_850_ks2final.csv")


@pytest.mark.realdata
def test_real_files_prior_years_come_from_the_nearest_file(dfe: Path) -> None:
    tables, _ = read(*sorted((dfe / "ks2").glob("*_850_ks2final.csv")))
    sources = tables.school_years.groupby("year")["source"].unique().map(list).to_dict()
    assert sources == {
        2016: ["2017_850_ks2final.csv"],
        2017: ["2017_850_ks2final.csv"],
        2018: ["2018_850_ks2final.csv"],
        2019: ["2019_850_ks2final.csv"],
    }
    # Gomer Junior converted (URN 116181 -> 144093); its 2017 result stays under the old URN only
    r = tables.results
    gomer = r[(r["year"] == 2017) & (r["measure"] == "headline") & r["urn"].isin([116181, 144093])]
    assert gomer["urn"].tolist() == [116181]


@pytest.mark.realdata
def test_real_files_closed_flag_speaks_of_the_files_own_year(dfe: Path) -> None:
    tables, _ = read(*sorted((dfe / "ks2").glob("*_850_ks2final.csv")))
    years = tables.school_years
    closed = years[years["closed"].fillna(False).astype(bool)]
    # ICLOSE = 1: two schools in the 2017 file (Sun Hill Junior, Newport Junior), none in 2018, two in 2019
    assert closed.groupby("year")["urn"].apply(sorted).to_dict() == {2017: [115930, 116235], 2019: [115993, 116379]}
    assert years.loc[years["year"] == 2016, "closed"].isna().all()  # 2016 rows come from the 2017 file's _16 columns
    assert (years.loc[years["year"] == 2018, "closed"] == False).all()  # noqa: E712 (nullable boolean)
