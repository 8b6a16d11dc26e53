"""Tiny hand-built canonical tables shared by the measures tests (and a check that they are canonical)."""

from __future__ import annotations

import pandas as pd

from keystage.schema import SchoolResults, validate


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


def schools(*rows: tuple[int, int, str]) -> pd.DataFrame:
    """A schools table (urn, la_code, name)."""
    return pd.DataFrame(rows, columns=["urn", "la_code", "name"])


def test_fixture_is_a_valid_school_results_table():
    r = results({(1, 2012): {"eligible": 30, "headline": None}})
    checked = validate(SchoolResults, r, "fixture")
    assert list(checked["status"]) == ["", "SUPP"] and checked["value"].isna().tolist() == [False, True]
