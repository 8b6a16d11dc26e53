"""Exact fixed unknowns of small homogeneous systems, worked by hand."""

from fractions import Fraction

from keystage.nullspace import eliminate, fixed_unknowns


def test_odd_cycle_fixes_every_unknown_over_the_rationals():
    # x0 + x1 = 0, x1 + x2 = 0, x0 + x2 = 0: x0 = -x1 = x2, so 2 x0 = 0 and all are 0
    # (modulo 2 every one would be free: the elimination must not work over GF(2))
    assert fixed_unknowns([{0: 1, 1: 1}, {1: 1, 2: 1}, {0: 1, 2: 1}], 3) == {0, 1, 2}


def test_chain_of_equalities_fixes_nothing():
    # x0 = x1 = x2 = t for any t; x3 is in no row
    assert fixed_unknowns([{0: 1, 1: -1}, {1: 1, 2: -1}], 4) == set()


def test_rational_pivots():
    # 2 x0 + 3 x1 = 0 and x1 + x2 = 0 leave x1 free (x0 = -3/2 x1, x2 = -x1) ...
    rows = [{0: 2, 1: 3}, {1: 1, 2: 1}]
    assert fixed_unknowns(rows, 3) == set()
    # ... until 3 x0 + 2 x2 = 0: -9/2 x1 - 2 x1 = -13/2 x1 = 0
    assert fixed_unknowns([*rows, {0: 3, 2: 2}], 3) == {0, 1, 2}
    assert Fraction(-3, 2) in {e for _, expression in eliminate(rows)[0] for e in expression.values()}


def test_a_table_with_its_totals():
    # a 2x2 table a b / c d with both row and both column totals known: the hidden cells add up along each
    # line, a + b = 0, c + d = 0, a + c = 0, b + d = 0, which leaves a = -b = -c = d free (a rectangle) ...
    assert fixed_unknowns([{0: 1, 1: 1}, {2: 1, 3: 1}, {0: 1, 2: 1}, {1: 1, 3: 1}], 4) == set()
    # ... while with d visible (c + 0 = 0 gives c, then a, then b) every hidden cell is given away
    assert fixed_unknowns([{0: 1, 1: 1}, {2: 1}, {0: 1, 2: 1}, {1: 1}], 3) == {0, 1, 2}


def test_rows_left_over_the_last_unknowns():
    # x0 + x1 + x2 = 0 and x0 - x1 = 0 with x1 and x2 kept to the end: x0 = x1 leaves 2 x1 + x2 = 0
    pivots, rest = eliminate([{0: 1, 1: 1, 2: 1}, {0: 1, 1: -1}], last={1, 2})
    assert pivots == [(0, {1: 1})] and rest == [{1: 2, 2: 1}]
