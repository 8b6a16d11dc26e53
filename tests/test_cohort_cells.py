"""Disclosure across the cohort-tracking tables of one LA: no hidden count can be worked out from what is
published, by subtraction along any line, from a percentage, across tables or across cohorts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from attack import recovered, true_counts
from hypothesis import given, settings
from hypothesis import strategies as st

from keystage.measures.cohorts import band_of, la_tables, load_cohort_rules, pupil_flags
from keystage.standards import DisclosureRules

RULES = load_cohort_rules()
DISCLOSURE = DisclosureRules(min_group=6, min_count=3, symbol="c")
BANDS = [b.label for b in RULES.bands]
LA, OTHER_LA = 701, 702


def pupils_from(grid: list[list[list[tuple[int, int]]]]) -> pd.DataFrame:
    """Canonical pupil rows from grid[cohort][primary][destination] = (pupils, of them disadvantaged); the
    destinations are secondaries 9001.., then a school in another LA, then not traced. Every other pupil
    passes everything."""
    rows = []
    for c, schools in enumerate(grid):
        for s, dests in enumerate(schools):
            for d, (n, disadvantaged) in enumerate(dests):
                other, untraced = d == len(dests) - 2, d == len(dests) - 1
                for i in range(n):
                    good = i % 2 == 0
                    rows.append({"ks2_year": 2017 + c, "ks2_la": LA, "ks2_urn": 1001 + s, "disadvantaged": i < disadvantaged,
                                 "ks2_read_score": 105.0 if good else 95.0, "ks2_mat_score": 105.0 if good else 95.0,
                                 "ks2_writ_ta": "EXS" if good else "WTS",
                                 "ks4_urn": np.nan if untraced else float(8001 if other else 9001 + d),
                                 "ks4_la": np.nan if untraced else float(OTHER_LA if other else LA),
                                 "ks4_eng_grade": np.nan if untraced else (6.0 if good else 3.0),
                                 "ks4_mat_grade": np.nan if untraced else (6.0 if good else 3.0)})
    return pd.DataFrame(rows)


@st.composite
def grids(draw):
    cohorts, schools, secondaries = draw(st.integers(1, 2)), draw(st.integers(2, 4)), draw(st.integers(1, 3))
    cell = st.integers(0, 14).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))
    return [[[draw(cell) for _ in range(secondaries + 2)] for _ in range(schools)] for _ in range(cohorts)]


def published(pupils: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict]:
    """The LA's suppressed tables, and the true counts of every cell."""
    flags = pupil_flags(pupils, RULES)
    bands = band_of(flags["moved_together"], RULES.bands).where(flags["traced"])
    return la_tables(flags, RULES, DISCLOSURE), true_counts(flags, bands)


@settings(max_examples=20, deadline=None)
@given(grids())
def test_no_hidden_count_can_be_recovered(grid):
    pupils = pupils_from(grid)
    if pupils.empty:
        return
    tables, truth = published(pupils)
    assert recovered(tables, truth, BANDS) == {}
    for name, col in (("schools", "ks4_pct_rwm_em4"), ("destinations", "pct_em4"), ("la", "ks4_pct_rwm_em4")):
        shown = tables[name][tables[name][col].notna()]
        counts = shown["traced"] if "traced" in shown else shown["pupils"]
        assert (counts >= DISCLOSURE.min_group).all(), name  # no percentage of a small group


def test_not_traced_hidden_from_one_decimal_percentages():
    """The issue's case: 2 of a primary's 14 pupils not traced. Its 12 traced pupils' percentages stay (50.0%),
    so its pupils (14) and not traced (2) are hidden; the other primaries have none not traced, so the LA's
    not traced (2) and pupils (62 + 2) go too, while the other primaries' pupils (20, 30) stay."""
    grid = [[[(12, 0), (0, 0), (2, 0)], [(20, 0), (0, 0), (0, 0)], [(30, 0), (0, 0), (0, 0)]]]
    tables, truth = published(pupils_from(grid))
    for cohort in ("2017", "all"):
        schools = tables["schools"][tables["schools"]["cohort"] == cohort].set_index("ks2_urn")
        assert schools.loc[1001, "ks4_pct_rwm_em4"] == 50.0 and schools.loc[1001, "traced"] == 12
        assert np.isnan(schools.loc[1001, "not_traced"]) and np.isnan(schools.loc[1001, "pupils"])
        assert schools.loc[1002, "pupils"] == 20 and schools.loc[1003, "pupils"] == 30
        la = tables["la"][tables["la"]["cohort"] == cohort].set_index("group")
        assert la.loc["all", "traced"] == 62 and np.isnan(la.loc["all", "not_traced"]) and np.isnan(la.loc["all", "pupils"])
    assert recovered(tables, truth, BANDS) == {}
