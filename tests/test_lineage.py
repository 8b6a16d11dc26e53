"""URN lineage: conversions keep one series; merges, splits, cycles and undirected links are flagged."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import Rejects
from keystage.io.gias import read_links
from keystage.lineage import resolve_lineage

FIXTURES = Path(__file__).parent / "fixtures"


def _links(*rows: tuple[int, int, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["urn", "link_urn", "link_type"]).assign(link_date=pd.NaT)


def _by_urn(lineage: pd.DataFrame) -> dict[int, tuple[int, str, str]]:
    return {row.urn: (row.series_urn, row.chain, row.issue) for row in lineage.itertuples()}


def test_conversion_chain_keeps_one_series() -> None:
    # school 1 -> 2 (Successor), and 3 names 2 as its Predecessor: 1 > 2 > 3 whichever side states the link
    links = _links((1, 2, "Successor"), (2, 1, "Predecessor"), (3, 2, "Predecessor"))
    lineage, issues = resolve_lineage(links, [1, 2, 3, 9])
    assert _by_urn(lineage) == {1: (3, "1 > 2 > 3", ""), 2: (3, "1 > 2 > 3", ""), 3: (3, "1 > 2 > 3", ""), 9: (9, "9", "")}
    assert issues.empty


def test_merge_maps_each_predecessor_to_the_successor() -> None:
    links = _links((10, 30, "Successor - merged"), (20, 30, "Successor - amalgamated"), (30, 40, "Successor"))
    lineage, issues = resolve_lineage(links, [10, 20, 30, 40])
    assert _by_urn(lineage) == {
        10: (40, "10 > 30 > 40", "merge"),
        20: (40, "20 > 30 > 40", "merge"),
        30: (40, "30 > 40", "merge"),
        40: (40, "30 > 40", ""),
    }
    assert issues[["urn", "issue", "related"]].values.tolist() == [
        [10, "merge", "30"],
        [20, "merge", "30"],
        [30, "merge", "10 20"],
    ]


def test_split_keeps_the_predecessor_series() -> None:
    links = _links((5, 6, "Successor - Split School"), (5, 7, "Successor - Split School"), (4, 5, "Successor"))
    lineage, issues = resolve_lineage(links, [4, 5, 6, 7])
    assert _by_urn(lineage) == {4: (5, "4 > 5", "split"), 5: (5, "4 > 5", "split"), 6: (6, "6", "split"), 7: (7, "7", "split")}
    assert issues[["urn", "issue", "related"]].values.tolist() == [[5, "split", "6 7"], [6, "split", "5"], [7, "split", "5"]]


def test_cycle_breaks_at_the_largest_urn() -> None:
    rejects = Rejects()
    links = read_links(FIXTURES / "bad" / "links_cycle.csv", rejects)  # 100001 -> 100002 -> 100001
    lineage, issues = resolve_lineage(links, [100001, 100002, 100003])
    assert _by_urn(lineage) == {
        100001: (100002, "100001 > 100002", "cycle"),
        100002: (100002, "100001 > 100002", "cycle"),
        100003: (100004, "100003 > 100004", ""),
    }
    assert issues[["urn", "issue", "related", "detail"]].values.tolist() == [
        [100001, "cycle", "100002", "links form a cycle; broken at 100002, the series of all its URNs"],
        [100002, "cycle", "100001", "links form a cycle; broken at 100002, the series of all its URNs"],
    ]


def test_ignored_and_undirected_links_are_listed_not_followed() -> None:
    links = _links(
        (1, 2, "Sixth Form Centre Link"),
        (1, 3, "Expansion"),
        (1, 4, "Closure"),
        (1, 5, "Other"),
        (6, 7, "Result of Amalgamation"),
        (8, 9, "Successor"),
    )
    lineage, issues = resolve_lineage(links, [1, 6, 8])
    assert _by_urn(lineage) == {1: (1, "1", ""), 6: (6, "6", "ambiguous"), 8: (9, "8 > 9", "")}
    assert issues[["urn", "issue", "related", "detail"]].values.tolist() == [
        [1, "ignored", "2", "link type Sixth Form Centre Link"],
        [1, "ignored", "3", "link type Expansion"],
        [1, "ignored", "4", "link type Closure"],
        [1, "ignored", "5", "link type Other"],
        [6, "ambiguous", "7", "link type 'Result of Amalgamation' has no direction; not followed"],
    ]


@pytest.mark.realdata
def test_real_hampshire_chains(dfe: Path) -> None:
    links = read_links(dfe / "gias" / "links_2021.csv", Rejects())
    lineage, issues = resolve_lineage(links, [115856, 115895, 138509, 115896, 115850])
    assert _by_urn(lineage) == {
        # Awbridge Primary converted to an academy, 148213, on 01-11-2020
        115856: (148213, "115856 > 148213", ""),
        # Blackfield Infant -> Blackfield Primary (116485) -> Blackfield Primary academy (141474, 2014)
        115895: (141474, "115895 > 116485 > 141474", ""),
        # Fareham Park Infant (115896) and Junior (116287) merged into Oak Meadow (131419), which became
        # St Columba academy (138509, 2012) and re-registered as 147701 (2020)
        138509: (147701, "131419 > 138509 > 147701", ""),
        115896: (147701, "115896 > 131419 > 138509 > 147701", "merge"),
        115850: (115850, "115850", ""),  # Alton Infant: no links
    }
    assert issues.loc[issues["urn"] == 131419, ["issue", "related"]].values.tolist() == [["merge", "115896 116287"]]
