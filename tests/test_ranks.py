"""Ranks and quartile bands among LAs with each measure's polarity, and statistical neighbours by name."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import Rejects
from keystage.io.lait import read_lait
from keystage.io.neighbours import read_la_codes, read_stat_neighbours
from keystage.measures.benchmarks import comparators
from keystage.measures.ranks import RANKED, la_ranks, named_neighbours
from keystage.standards import load_standards

STD = load_standards()


def _values(measure: str, values: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame({"la_code": range(1, len(values) + 1), "year": 2019, "measure": measure, "value": values})


def test_progress_ranks_higher_first_with_ties_sharing_the_better_rank() -> None:
    r = la_ranks(_values("mat_prog", [-0.8, 0.4, 0.4, 1.2, -0.1, None, 0.0, -2.0]), STD).set_index("la_code")
    # 7 LAs with a value: 1.2 -> 1; 0.4, 0.4 -> 2 (tie), next is 4; 0.0 -> 4; -0.1 -> 5; -0.8 -> 6; -2.0 -> 7
    assert r["rank"].tolist()[:5] + r["rank"].tolist()[6:] == [6, 2, 2, 1, 5, 4, 7]
    # band = ceil(4 * rank / 7): 1 -> ceil(0.57) = 1 (A); 2 -> ceil(1.14) = 2 (B); 4 -> ceil(2.29) = 3 (C);
    # 5 -> ceil(2.86) = 3 (C); 6 -> ceil(3.43) = 4 (D); 7 -> 4 (D)
    assert r.loc[[4, 2, 7, 5, 1, 8], "quartile"].tolist() == ["A", "B", "C", "C", "D", "D"]
    assert set(r["n_las"].dropna()) == {7}
    assert pd.isna(r.at[6, "rank"]) and pd.isna(r.at[6, "n_las"]) and pd.isna(r.at[6, "quartile"])


def test_gap_ranks_smallest_first_and_disadvantaged_highest_first() -> None:
    frame = pd.concat([_values("gap", [20.0, 12.0, 31.0, 25.0]), _values("headline_disadv", [51.0, 60.0, 40.0, 45.0])])
    r = la_ranks(frame, STD).set_index(["measure", "la_code"])
    # gap: 12 best (1), 20 (2), 25 (3), 31 worst (4); bands ceil(4 * rank / 4) = rank
    assert r.loc["gap", "rank"].tolist() == [2, 1, 4, 3]
    assert r.loc["gap", "quartile"].tolist() == ["B", "A", "D", "C"]
    assert r.loc["headline_disadv", "rank"].tolist() == [2, 1, 4, 3]


def test_context_measures_are_not_ranked() -> None:
    r = la_ranks(_values("fsm_pct", [14.0, 20.0]), STD)
    assert r["rank"].isna().all() and r["quartile"].isna().all()


def test_every_headline_measure_is_ranked_in_each_year_separately() -> None:
    frame = pd.concat(
        [_values(m, [1.0, 2.0]).assign(year=y) for m in RANKED for y in (2018, 2019)], ignore_index=True
    )
    r = la_ranks(frame, STD)
    best = r[r["rank"] == 1]
    assert len(best) == len(RANKED) * 2  # one LA ranked first per measure and year
    # higher is better except for the gap
    assert set(best.loc[best["measure"] != "gap", "la_code"]) == {2}
    assert set(best.loc[best["measure"] == "gap", "la_code"]) == {1}


def test_neighbours_named_closest_first_with_the_list_date() -> None:
    neighbours = pd.DataFrame(
        {"la_code": [850] * 3 + [851], "rank": [2, 1, 3, 1], "neighbour_code": [851, 852, 999, 850], "list_date": "2025-05-23"}
    )
    codes = pd.DataFrame({"la_code": [850, 851, 852], "la_name": ["Hampshire", "Portsmouth", "Southampton"]})
    named = named_neighbours(neighbours, codes, 850)
    assert named["name"].tolist() == ["Southampton", "Portsmouth", "LA 999"]
    assert named["rank"].tolist() == [1, 2, 3] and set(named["list_date"]) == {"2025-05-23"}


# --- real files --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lait_rows(dfe: Path) -> list[dict[str, str]]:
    with open(dfe / "lait" / "lait_ks2.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.realdata
def test_polarity_agrees_with_lait_dictionary(dfe: Path) -> None:
    """Every ranked measure read from LAIT has LAIT's polarity "High"; keystage ranks it higher-first."""
    mapped = {"KS2RWM_Expected_STD": "headline", "KS2M_Prog_VA": "mat_prog", "KS2R_Prog_VA": "read_prog",
              "KS2W_Prog_VA": "writ_prog", "DAP_NEW_KS2_RWM": "headline_disadv", "KS2GPS_Higher_STD": "gps_higher"}
    with open(dfe / "lait" / "lait_ks2_dictionary.csv", encoding="utf-8-sig", newline="") as handle:
        polarity = {row["Measure_short"]: row["Polarity"] for row in csv.DictReader(handle)}
    for short, measure in mapped.items():
        assert polarity[short] == "High" and STD.polarity(measure) == 1
    assert STD.polarity("gap") == -1


@pytest.mark.realdata
def test_hampshire_ranks_equal_plain_counts_over_lait(dfe: Path, lait_rows) -> None:
    """Hampshire's 2019 rank on maths progress and on the headline, counted by hand from the raw LAIT rows."""
    comps = comparators(read_lait(dfe / "lait" / "lait_ks2.csv", Rejects()), None, None, STD)
    mine = comps[comps["la_code"] == 850].set_index(["measure", "year"])
    regions = {str(c) for c in range(970, 991)}
    for short, measure in (("KS2M_Prog_VA", "mat_prog"), ("KS2RWM_Expected_STD", "headline"), ("KS2R_Prog_VA", "read_prog")):
        values = {}
        for row in lait_rows:
            if row["Short Desc"] == short and row["Years"] == "2019" and row["LA Number"]:
                code = str(int(float(row["LA Number"])))
                if code not in regions and row["Values"] not in ("", "-", "x"):
                    values[code] = float(row["Values"])
        hants = values["850"]
        expected_rank = 1 + sum(v > hants for v in values.values())  # LAs strictly better, plus one
        assert mine.at[(measure, 2019), "rank"] == expected_rank
        assert mine.at[(measure, 2019), "n_las"] == len(values)
        band = "ABCD"[math.ceil(4 * expected_rank / len(values)) - 1]
        assert mine.at[(measure, 2019), "quartile"] == band
    # the reading of LAIT: Hampshire in the bottom quarter of LAs for maths progress in 2019
    assert mine.at[("mat_prog", 2019), "quartile"] == "D"


@pytest.mark.realdata
def test_hampshire_neighbours_named_from_dfe_list(dfe: Path) -> None:
    neighbours = read_stat_neighbours(dfe / "lait" / "statistical_neighbours_2025.xlsx", Rejects())
    codes = read_la_codes(dfe / "meta" / "la_and_region_codes.csv")
    named = named_neighbours(neighbours, codes, 850)
    assert len(named) == 10 and named["name"].str.fullmatch(r"[A-Z][A-Za-z ,.'&-]+").all()
    assert set(named["list_date"]) == {"2025-05-23"}  # the workbook was last saved on 23 May 2025
