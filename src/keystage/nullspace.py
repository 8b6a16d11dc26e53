"""Which unknowns of a sparse homogeneous linear system are fixed (0 in every solution), exactly and fast.

Secondary suppression asks, again and again, which hidden cells the published totals give away: each line
with hidden members is an equation A x = b over them, and a hidden cell is given away exactly when it is 0
in every solution of A x = 0. The systems are large (thousands of cells per LA) but their rows are short,
so exact sparse Gaussian elimination (integer or rational coefficients, shortest row first, pivoting on the
unknown in the fewest rows) solves them with little fill-in. Every unknown left without a pivot is free;
each pivot is a fixed combination of later unknowns. The solution given by random values of the free
unknowns, carried back through the pivots modulo a large prime, is exactly 0 at every fixed unknown; a free
unknown is 0 there only by a chance of 1 in 2**61 for each of the PROBES solutions, and that chance errs
on the safe side (a cell taken as given away is hidden further).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Collection, Iterable, Mapping
from fractions import Fraction

Coefficient = int | Fraction
PRIME = 2**61 - 1
PROBES = 2


def _quotient(a: Coefficient, b: Coefficient) -> Coefficient:
    """a / b exactly (an int when it divides)."""
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    q = Fraction(a) / Fraction(b)
    return q.numerator if q.denominator == 1 else q


def eliminate(
    rows: Iterable[Mapping[int, Coefficient]], last: Collection[int] = ()
) -> tuple[list[tuple[int, dict[int, Coefficient]]], list[dict[int, Coefficient]]]:
    """Exact Gaussian elimination of the homogeneous system `rows` (unknown -> coefficient), never pivoting on
    the unknowns `last`: the pivots in order, each (p, expression) meaning x_p = sum of coefficient * x_j over
    unknowns pivoted later or never, and the rows left over the `last` unknowns alone (their solutions are
    exactly the values the `last` unknowns take in the solutions of the whole system)."""
    system = {i: {j: a for j, a in row.items() if a} for i, row in enumerate(rows)}
    rest: list[dict[int, Coefficient]] = []
    rows_of: dict[int, set[int]] = {}
    for i, row in system.items():
        for j in row:
            rows_of.setdefault(j, set()).add(i)
    heap = [(len(row), i) for i, row in system.items()]
    heapq.heapify(heap)
    pivots: list[tuple[int, dict[int, Coefficient]]] = []
    while heap:
        size, i = heapq.heappop(heap)
        row = system.get(i)
        if row is None or len(row) != size:
            continue  # taken already, or queued again at its new length
        del system[i]
        for j in row:
            rows_of[j].discard(i)
        choices = [j for j in row if j not in last]
        if not choices:
            rest += [row] if row else []
            continue
        p = min(choices, key=lambda j: (abs(row[j]) != 1, len(rows_of[j]), j))
        a = row.pop(p)
        expression = {j: _quotient(-b, a) for j, b in row.items()}
        pivots.append((p, expression))
        for k in rows_of.pop(p):
            other = system[k]
            c = other.pop(p)
            for j, e in expression.items():
                value = other.get(j, 0) + c * e
                if value:
                    other[j] = value
                    rows_of[j].add(k)
                else:
                    other.pop(j, None)
                    rows_of[j].discard(k)
            heapq.heappush(heap, (len(other), k))
    return pivots, rest


def _modular(value: Coefficient) -> int:
    """An exact coefficient as a residue modulo PRIME."""
    if isinstance(value, int):
        return value % PRIME
    return value.numerator * pow(value.denominator, -1, PRIME) % PRIME


def fixed_unknowns(rows: Iterable[Mapping[int, Coefficient]], unknowns: int) -> set[int]:
    """The unknowns 0..unknowns-1 that are 0 in every solution of the homogeneous system `rows` (each row maps
    an unknown to its exact coefficient; see the module docstring for how)."""
    pivots = [(p, {j: _modular(e) for j, e in expression.items()}) for p, expression in eliminate(rows)[0]]
    pivoted = {p for p, _ in pivots}
    fixed = pivoted
    draw = random.Random(0)
    for _ in range(PROBES):
        x = {j: draw.randrange(1, PRIME) for j in range(unknowns) if j not in pivoted}
        for p, expression in reversed(pivots):
            x[p] = sum(e * x[j] for j, e in expression.items()) % PRIME
        fixed = {p for p in fixed if x[p] == 0}
    return fixed
