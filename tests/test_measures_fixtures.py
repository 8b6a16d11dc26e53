"""Tiny hand-built canonical tables shared by the measures tests (and a check that they are canonical)."""

from __future__ import annotations

import pandas as pd

from keystage.schema import SchoolResults, SchoolYears, validate


def results(data: dict[tuple[int, int], dict[str, float | None]]) -> pd.DataFrame:
    """SchoolResults from {(urn, year): {measure: value}}; None stands for a value DfE suppressed ("SUPP")."""
    rows = [
        {
            "urn": urn,
            "year": year,
            "measure": m,
            "value": v,
            "status": "" if v is not None else "SUPP",
            "source": f"{year}.csv",
            "line": i,
        }
        for i, ((urn, year), measures) in enumerate(data.items(), start=2)
        for m, v in measures.items()
    ]
    return pd.DataFrame(rows).astype({"value": "float64"})


def school_years(results: pd.DataFrame, **by_urn: dict[str, object]) -> pd.DataFrame:
    """SchoolYears for every (urn, year) of `results`: mainstream (RECTYPE 1), community (CY), open; keyword
    u<URN>={"rectype": 2, "closed": True, ...} overrides a school's identity in every year."""
    keys = results[["urn", "year"]].drop_duplicates().sort_values(["urn", "year"], ignore_index=True)
    rows = [
        {"urn": u, "year": y, "la_code": 850, "estab": 2000 + u, "name": f"S{u}", "rectype": 1, "nftype": "CY",
         "age_range": "4-11", "closed": False, "source": f"{y}.csv", "line": i, **by_urn.get(f"u{u}", {})}
        for i, (u, y) in enumerate(zip(keys["urn"], keys["year"], strict=True), start=2)
    ]  # fmt: skip
    return pd.DataFrame(rows).astype({"closed": "boolean", "estab": "Int64"})


def by_key(frame: pd.DataFrame, column: str = "status") -> dict[tuple[int, int], object]:
    """{(urn, year): value} of one column of a per-school table, for terse assertions."""
    return frame.set_index(["urn", "year"])[column].to_dict()


def schools(*rows: tuple[int, int, str]) -> pd.DataFrame:
    """A schools table (urn, la_code, name)."""
    return pd.DataFrame(rows, columns=["urn", "la_code", "name"])


def test_fixture_is_a_valid_school_results_table():
    r = results({(1, 2012): {"eligible": 30, "headline": None}})
    checked = validate(SchoolResults, r, "fixture")
    assert list(checked["status"]) == ["", "SUPP"] and checked["value"].isna().tolist() == [False, True]


def test_school_years_fixture_is_canonical():
    r = results({(1, 2017): {"eligible": 30}, (2, 2017): {"eligible": 9}})
    checked = validate(SchoolYears, school_years(r, u2={"rectype": 2}), "fixture")
    assert checked["rectype"].tolist() == [1, 2] and not checked["closed"].any()
