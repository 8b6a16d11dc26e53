"""The synthetic demo data: deterministic, in the published formats, and internally consistent."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from keystage.errors import Rejects
from keystage.synth import params, write_demo
from keystage.synth.fmt import decimals, percents, round_half_up
from keystage.synth.results import simulate
from keystage.synth.world import build_world

SEED = 2013
LA = params.DEMO_LA_CODE


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The LA-scale demo, written once for the module."""
    out = tmp_path_factory.mktemp("demo")
    write_demo(out, scale="la", seed=SEED)
    return out


def _rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding=encoding))))


def _ks2(demo: Path, year: int) -> list[dict[str, str]]:
    return _rows(demo / "ks2" / f"{year}_{LA}_ks2final.csv")


def _eligible(row: dict[str, str]) -> int:
    """TELIG, or 0 for a short row (a new school listed before it has a year 6), as DfE publishes them."""
    return int(row["TELIG"] or 0)


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_writes_byte_identical_files(demo: Path, tmp_path: Path) -> None:
    write_demo(tmp_path, scale="la", seed=SEED)
    first, second = _digests(demo), _digests(tmp_path)
    assert len(first) == 29  # 15 KS2 years + 3 KS4 years + 2 GIAS + 3 benchmark files + 6 LA records
    assert first == second


def test_files_follow_the_published_byte_layout(demo: Path) -> None:
    ks2 = (demo / "ks2" / f"2019_{LA}_ks2final.csv").read_bytes()
    assert ks2.startswith(b"\xef\xbb\xbfRECTYPE,LEA,ESTAB,URN,SCHNAME")  # UTF-8 with a byte-order mark
    assert b"\r\n" in ks2 and b"\n" not in ks2.replace(b"\r\n", b"")  # CRLF line ends only
    gias = (demo / "gias" / f"gias_2025_{LA}.csv").read_bytes()
    assert "\u2019".encode("cp1252") in gias  # curly apostrophes in church school names, as cp1252 byte 0x92
    header = next(csv.reader(io.StringIO(gias.decode("cp1252"))))
    assert len(header) == 111 and header[0] == "URN" and header[-1] == "Linked establishments"
    lait = (demo / "lait" / "lait_ks2.csv").read_text(encoding="utf-8").splitlines()
    assert lait[0] == "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region"


def test_school_and_district_counts(demo: Path) -> None:
    gias = _rows(demo / "gias" / f"gias_2025_{LA}.csv", encoding="cp1252")
    open_primary = [r for r in gias if r["EstablishmentStatus (name)"] == "Open" and r["PhaseOfEducation (name)"] == "Primary"]
    # 300 primary-phase schools drawn; 4 amalgamations turn 8 into 4 (-4), one merger closes one (-1), two new (+2)
    assert len(open_primary) == 300 - 4 - 1 + 2
    districts = {r["district"] for r in _rows(demo / "la" / "districts.csv")}
    assert len(districts) == 8
    assert sum(r["RECTYPE"] == "2" for r in _ks2(demo, 2019)) == 8  # the eight special schools


def test_la_row_is_the_pupil_weighted_total_of_all_its_schools(demo: Path) -> None:
    rng = np.random.default_rng(SEED)
    world = build_world(rng)
    results = simulate(rng, world)
    j = params.TEST_YEARS.index(2019)
    mine = world.sites["la_code"].eq(LA).to_numpy()
    eligible = results.counts["eligible"][mine, j]
    headline = results.counts["headline"][mine, j]
    rows = _ks2(demo, 2019)
    la_row = next(r for r in rows if r["RECTYPE"] == "3")
    schools = [r for r in rows if r["RECTYPE"] in ("1", "2")]
    assert any(r["PTRWM_EXP"] == "SUPP" for r in schools)  # suppressed schools exist, and count in the total
    assert int(la_row["TELIG"]) == sum(_eligible(r) for r in schools) == eligible.sum()
    expected = round_half_up(100 * headline.sum() / eligible.sum())
    assert la_row["PTRWM_EXP"] == f"{int(expected)}%"


def test_lait_demo_la_headline_equals_the_ks2_la_row(demo: Path) -> None:
    lait = {
        r["Years"]: r["Values"]
        for r in _rows(demo / "lait" / "lait_ks2.csv")
        if r["Short Desc"] == "KS2RWM_Expected_STD" and r["LA Number"] == f"{LA}.0"
    }
    assert lait["2020"] == lait["2021"] == "-"
    for year in (2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025):
        la_row = next(r for r in _ks2(demo, year) if r["RECTYPE"] == "3")
        assert lait[str(year)] + "%" == la_row["PTRWM_EXP"]


def test_academy_conversions_switch_urn_in_the_ks2_files(demo: Path) -> None:
    years_of: dict[str, set[int]] = {}
    for year in params.TEST_YEARS:
        for r in _ks2(demo, year):
            years_of.setdefault(r["URN"], set()).add(year)
    links = _rows(demo / "gias" / "links_2025.csv", encoding="cp1252")
    conversions = [
        (r["URN"], r["LinkURN"])
        for r in links
        if r["LinkType"] == "Successor" and r["URN"] in years_of and r["LinkURN"] in years_of
    ]
    assert len(conversions) >= 10
    for old, new in conversions:
        assert max(years_of[old]) < min(years_of[new])  # old URN before the conversion year, new URN after
    amalgamated = [r for r in links if r["LinkType"] == "Successor - amalgamated"]
    assert len(amalgamated) == 8  # four infant + junior pairs


def test_support_days_favour_schools_below_the_floor_the_year_before(demo: Path) -> None:
    def below(r: dict[str, str]) -> bool:
        if r["RECTYPE"] != "1" or _eligible(r) < 11 or r["PTRWM_EXP"] == "SUPP" or r["READPROG"] in ("SUPP", "LOWCOV"):
            return False
        slow = float(r["READPROG"]) < -5 or float(r["WRITPROG"]) < -7 or float(r["MATPROG"]) < -5
        return int(r["PTRWM_EXP"].rstrip("%")) < 65 and slow

    floor = {r["URN"]: below(r) for r in _ks2(demo, 2018) if r["RECTYPE"] == "1"}
    days: dict[str, float] = {}
    for r in _rows(demo / "la" / "support_days.csv"):
        if r["year"] == "2019":
            days[r["urn"]] = days.get(r["urn"], 0.0) + float(r["days"])
    below_days = [days.get(u, 0.0) for u, b in floor.items() if b]
    other_days = [days.get(u, 0.0) for u, b in floor.items() if not b]
    assert len(below_days) >= 2
    assert np.mean(below_days) > 2 * np.mean(other_days)


def test_pupils_reproduce_their_schools_published_counts(demo: Path) -> None:
    pupils = [r for r in _rows(demo / "la" / "pupils.csv") if r["ks2_year"] == "2019"]
    school = next(r for r in _ks2(demo, 2019) if r["RECTYPE"] == "1" and _eligible(r) > 30)
    mine = [p for p in pupils if p["ks2_urn"] == school["URN"]]
    rwm = sum(
        float(p["ks2_read_score"]) >= 100 and float(p["ks2_mat_score"]) >= 100 and p["ks2_writ_ta"] in ("EXS", "GDS")
        for p in mine
    )
    assert len(mine) == _eligible(school)
    assert percents(np.array([rwm]), np.array([len(mine)]))[0] == school["PTRWM_EXP"]


def test_dfe_number_formats() -> None:
    assert list(round_half_up(np.array([28.5, 0.285 * 100, -0.25 * 10]))) == [29.0, 29.0, -3.0]  # half up, not to even
    assert list(decimals(np.array([-0.25, 0.0, -0.04, 2.0]), 1)) == ["-0.3", "0", "0", "2"]
    assert list(percents(np.array([2, 1]), np.array([3, 8]))) == ["67%", "13%"]  # 66.7 -> 67, 12.5 -> 13


def test_readers_load_the_demo_without_rejects(demo: Path) -> None:
    from keystage.io import gias, ks2, ks4, la_records, lait, neighbours

    rejects = Rejects()
    tables = ks2.read_ks2_files(sorted((demo / "ks2").glob("*.csv")), rejects)
    ks4.read_ks4_files(sorted((demo / "ks4").glob("*.csv")), rejects)
    benchmarks = lait.read_lait(demo / "lait" / "lait_ks2.csv", rejects)
    gias.read_establishments(demo / "gias" / f"gias_2025_{LA}.csv", rejects)
    gias.read_links(demo / "gias" / "links_2025.csv", rejects)
    la_records.read_la_records(demo / "la", rejects)
    sn = neighbours.read_stat_neighbours(demo / "lait" / "statistical_neighbours_2025.xlsx", Rejects())
    assert len(rejects.table()) == 0
    assert sorted(tables.school_years["year"].unique()) == list(params.TEST_YEARS)
    assert len(sn[sn["la_code"].eq(LA)]) == 10
    assert set(benchmarks["area_level"]) == {"national", "region", "la"}
