"""Disclosure control: primary and secondary suppression, the record, and the safety proof."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keystage.disclosure import assert_safe, is_safe, problems, suppress
from keystage.standards import DisclosureRules

RULES = DisclosureRules(min_group=6, min_count=3, symbol="c")


def test_primary_counts_and_percentages():
    t = pd.DataFrame({"pupils": [2, 5, 40], "n_met": [1, 3, 30], "pct_met": [50.0, 60.0, 75.0]}, index=["A", "B", "C"])
    out = suppress(t, RULES, counts=["pupils", "n_met"], percents={"pct_met": "pupils"})
    # counts 1 and 2 are hidden (smallest publishable count is 3); 3 and 5 stay
    assert out.at["A", "pupils"] == "c" and out.at["A", "n_met"] == "c"
    assert out.at["B", "n_met"] == 3 and out.at["B", "pupils"] == 5
    # percentages of 2 and 5 pupils are under the minimum group of 6; of 40 it is shown
    assert out.at["A", "pct_met"] == "c" and out.at["B", "pct_met"] == "c" and out.at["C", "pct_met"] == 75.0
    record = out.attrs["suppressed"]
    assert set(map(tuple, record[["row", "column"]].to_numpy())) == {
        ("A", "pupils"),
        ("A", "n_met"),
        ("A", "pct_met"),
        ("B", "pct_met"),
    }
    assert t.at["A", "pupils"] == 2  # the input is not modified


def test_secondary_suppression_in_row_and_column():
    # rows x, y and a total row; columns a, b with a row total.
    t = pd.DataFrame({"a": [1, 10, 11], "b": [7, 8, 15], "total": [8, 18, 26]}, index=["x", "y", "total"])
    spec = dict(counts=["a", "b"], row_total="total", total_row="total")
    out = suppress(t, RULES, **spec)
    # x.a = 1 is primary; row x: 8 - ? recovers it, so the next smallest of row x (b = 7) goes;
    # column a: 11 - 10 recovers it, so y.a goes; then row y has one hidden cell, so y.b goes.
    assert [out.at[r, c] for r, c in [("x", "a"), ("x", "b"), ("y", "a"), ("y", "b")]] == ["c"] * 4
    assert out.at["total", "a"] == 11 and out.at["x", "total"] == 8
    reasons = out.attrs["suppressed"].set_index(["row", "column"])["reason"]
    assert reasons[("x", "a")].startswith("primary") and reasons[("x", "b")] == "secondary"
    assert is_safe(out, RULES, **spec)


def test_secondary_hides_the_total_when_no_cell_is_left():
    t = pd.DataFrame({"a": [2], "total": [2]}, index=["x"])
    out = suppress(t, RULES, counts=["a"], row_total="total")
    assert out.at["x", "a"] == "c" and out.at["x", "total"] == "c"


def test_linked_cells_follow():
    t = pd.DataFrame({"n": [2, 9], "pct": [10.0, 45.0], "pupils": [20, 20]})
    out = suppress(t, RULES, counts=["n"], percents={"pct": "pupils"}, linked={"n": "pct"})
    assert out.at[0, "pct"] == "c" and out.at[1, "pct"] == 45.0


def test_unsafe_tables_are_caught():
    t = pd.DataFrame({"a": [1, 10, 11], "b": [7, 8, 15], "total": [8, 18, 26]}, index=["x", "y", "total"])
    spec = dict(counts=["a", "b"], row_total="total", total_row="total")
    assert "count 1 shown at (x, a)" in problems(t, RULES, **spec)
    lone = t.astype(object)
    lone.at["x", "a"] = "c"  # hidden alone: 8 - 7 gives it back
    assert any("recovered" in p for p in problems(lone, RULES, **spec))
    with pytest.raises(ValueError, match="not safe"):
        assert_safe(lone, RULES, **spec)
    pct = pd.DataFrame({"pupils": ["c"], "pct": [58.3]})
    # a one-decimal percentage fixes its denominator (58.3% is 7 of 12), so it must not outlive it
    assert problems(pct, RULES, percents={"pct": "pupils"}) == ["percentage at (0, pct) gives away its hidden denominator"]
    assert is_safe(pd.DataFrame({"pupils": [12], "pct": [58.3]}), RULES, percents={"pct": "pupils"})


@st.composite
def count_tables(draw):
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    cells = [[draw(st.integers(0, 12)) for _ in range(n_cols)] for _ in range(n_rows)]
    cols = [f"k{j}" for j in range(n_cols)]
    body = pd.DataFrame(cells, columns=cols, index=[f"r{i}" for i in range(n_rows)])
    body["total"] = body.sum(axis=1)
    body.loc["total"] = body.sum(axis=0)
    body["pct"] = (body["k0"] / body["total"].where(body["total"] > 0) * 100).fillna(0.0)
    return body, cols


@settings(max_examples=100, deadline=None)
@given(count_tables())
def test_every_suppressed_table_is_safe(drawn):
    table, cols = drawn
    spec = dict(counts=cols, row_total="total", total_row="total", percents={"pct": "total"})
    out = suppress(table, RULES, **spec)
    assert problems(out, RULES, **spec) == []
    shown = [(r, c) for r in out.index for c in [*cols, "total"] if out.at[r, c] != "c"]
    assert all(out.at[cell] == table.at[cell] for cell in shown)  # visible cells are unchanged
