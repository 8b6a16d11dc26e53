"""Small-number suppression applied to every table before it is presented, and a check that proves it.

Primary suppression hides a count from 1 to min_count - 1 and a percentage whose denominator is under
min_group. A percentage gives its denominator away (a one-decimal percentage of a small group fixes the
group's size), so it is hidden wherever its denominator is. Secondary suppression works on lines: cells
that add up to a published total (a row with a row total, a column with a total row, or any line a
caller names). While some line has exactly one hidden member, its next smallest visible member is hidden
too; then every hidden cell that can still be worked out from the visible ones by any combination of the
lines (exact Gaussian elimination, as in Statistics Norway's GaussSuppression) gets another member of one of
its lines hidden, one that protects it when there is one; repeated until no hidden cell can be recovered.
Hidden cells carry the symbol ("c"); the record of what was hidden and why is kept in the result's
attrs["suppressed"].
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from keystage.nullspace import eliminate, fixed_unknowns
from keystage.standards import DisclosureRules

RECORD_COLUMNS = ["row", "column", "reason"]
Cell = Hashable
Line = tuple[Sequence[Cell], Cell]  # cells adding up to a total cell
SECONDARY = "secondary"


def _finite(values: Mapping[Cell, float], cell: Cell) -> bool:
    """True when `cell` holds a number (a missing or NaN cell is an empty one, known to be 0)."""
    value = values.get(cell, np.nan)
    return value is not None and not np.isnan(value)


def _equations(lines: Sequence[Line], values: Mapping[Cell, float] | None) -> list[list[tuple[Cell, int]]]:
    """Each line as its members with their signs (+1 a part, -1 the total), empty cells (see `values`) left out."""
    return [[(c, sign) for c, sign in [*((c, 1) for c in cells), (total, -1)] if values is None or _finite(values, c)]
            for cells, total in lines]


def _system(equations: Iterable[list[tuple[Cell, int]]], kept: Collection[Cell]) -> tuple[dict[Cell, int], list[dict[int, int]]]:
    """The equations over the `kept` cells (the others are known): each kept cell's unknown, and the rows."""
    index: dict[Cell, int] = {}
    rows = []
    for members in equations:
        row: dict[int, int] = {}
        for cell, sign in members:
            if cell in kept:
                i = index.setdefault(cell, len(index))
                row[i] = row.get(i, 0) + sign
        rows.append(row)
    return index, rows


def _given_away(equations: Iterable[list[tuple[Cell, int]]], hidden: Collection[Cell]) -> set[Cell]:
    """The hidden cells that are 0 in every solution of the equations restricted to the hidden cells."""
    index, rows = _system(equations, hidden)
    fixed = fixed_unknowns(rows, len(index))
    return {cell for cell, i in index.items() if i in fixed}


def recoverable(lines: Sequence[Line], hidden: Collection[Cell], values: Mapping[Cell, float] | None = None) -> set[Cell]:
    """The hidden cells whose values follow from the visible cells and the lines by any linear combination.

    Each line with a hidden member is an equation A x = b in the hidden cells (the visible ones are
    known); a hidden cell is recovered exactly when it takes the same value in every solution, i.e. when
    it is 0 in every solution of A x = 0 (found by exact elimination: see keystage.nullspace). `values`,
    when given, says which cells are empty (NaN or absent: left out of the lines).
    """
    return _given_away(_equations(lines, values), set(hidden))


def _nearest_lines(cell: Cell, of_cell: Mapping[Cell, list[int]], lines: Sequence[tuple[list[Cell], Cell]],
                   candidate: object) -> list[int]:
    """The lines nearest to `cell` that still have a visible member: its own lines, else those reached through
    the hidden members of its lines (breadth first)."""
    seen_cells, seen_lines, frontier = {cell}, set(), [cell]
    while frontier:
        lines_here = [i for c in frontier for i in of_cell.get(c, []) if i not in seen_lines]
        seen_lines.update(lines_here)
        found = [i for i in lines_here if candidate(i) is not None]  # type: ignore[operator]
        if found:
            return found
        frontier = [m for i in lines_here for m in [*lines[i][0], lines[i][1]] if m not in seen_cells]
        seen_cells.update(frontier)
    return []


def _freeing(equations: Sequence[list[tuple[Cell, int]]], hidden: Collection[Cell], cell: Cell,
             options: Sequence[Cell]) -> Cell | None:
    """The first of the visible `options` whose hiding alone would stop the hidden `cell` being given away (None
    when no one does): one elimination keeps `cell` and the options to the end, and the rows left over them
    tell, for each option, whether `cell` is still 0 in every solution with that option hidden too."""
    index, rows = _system(equations, {*hidden, *options})
    target = index[cell]
    _, rest = eliminate(rows, last={target, *(index[c] for c in options)})
    around = [row for row in rest if target in row]  # an option missing from one of these leaves the cell fixed
    for option in options:
        j = index[option]
        if all(j in row for row in around):
            small = [{0: row.get(target, 0), 1: row[j]} for row in rest if j in row or target in row]
            if 0 not in fixed_unknowns(small, 2):
                return option
    return None


def hide(
    values: Mapping[Cell, float],
    lines: Sequence[Line],
    primary: Mapping[Cell, str],
    linked: Mapping[Cell, Sequence[Cell]] | None = None,
    cost: Mapping[Cell, float] | None = None,
) -> dict[Cell, str]:
    """Every cell to hide (with its reason): the `primary` ones, the cells `linked` to a hidden one (a
    percentage to its denominator), and secondary cells until no hidden cell can be recovered from the
    visible ones and `lines` (see recoverable). A secondary cell is the visible member of a line with the
    lowest `cost` (0 by default; give precious cells, such as a denominator whose percentages would go
    with it, a higher one), then the one closing most other lines with one hidden member, then a cell
    before the total, then the smallest value. A hidden cell still given away by some combination of
    lines gets the first visible member of its nearest lines (by cost, then value) whose hiding alone
    makes it no longer so (see _freeing), else the best member of those lines, and the check is rerun."""
    linked, cost = dict(linked or {}), dict(cost or {})
    record = dict(primary)
    order = {cell: i for i, cell in enumerate(values)}
    live = [(list(cells), total) for cells, total in lines]
    of_cell: dict[Cell, list[int]] = {}
    for i, (cells, total) in enumerate(live):
        for cell in [*cells, total]:
            of_cell.setdefault(cell, []).append(i)

    equations = _equations(live, values)
    members = [[c for c, _ in equation] for equation in equations]
    hidden_in = [sum(c in record for c in cells) for cells in members]

    def candidate(i: int) -> Cell | None:
        total = live[i][1]
        visible = [c for c in members[i] if c not in record]
        if not visible:
            return None
        return min(visible, key=lambda c: (cost.get(c, 0.0), -sum(hidden_in[j] == 1 for j in of_cell[c]), c == total,
                                           values[c], order.get(c, 0)))

    def preference(c: Cell) -> tuple[float, float, int]:
        return cost.get(c, 0.0), values[c], order.get(c, 0)

    def add(cell: Cell, reason: str, queue: deque[int]) -> None:
        record[cell] = reason
        for i in of_cell.get(cell, []) if _finite(values, cell) else []:
            hidden_in[i] += 1
            queue.append(i)
        for other in linked.get(cell, []):
            if other not in record:
                add(other, f"linked to {cell}", queue)

    queue: deque[int] = deque(range(len(live)))  # first in, first out: the primary cells' own lines first
    for cell in list(record):
        for other in linked.get(cell, []):
            if other not in record:
                add(other, f"linked to {cell}", queue)
    while True:
        while queue:
            i = queue.popleft()
            if hidden_in[i] == 1 and (target := candidate(i)) is not None:
                add(target, SECONDARY, queue)
        found = _given_away((equations[i] for i, n in enumerate(hidden_in) if n), record)
        if not found:
            return record
        touched: set[int] = set()
        for cell in sorted(found, key=lambda c: order.get(c, 0)):
            if touched & set(of_cell[cell]):
                continue
            near = _nearest_lines(cell, of_cell, live, candidate)
            if not near:
                continue
            options = sorted({c for i in near for c in members[i] if c not in record}, key=preference)
            target = _freeing(equations, record, cell, options)
            if target is None:
                target = min((candidate(i) for i in near), key=preference)
            touched.update(i for i in near if target in members[i])
            add(target, SECONDARY, queue)
        if not queue:
            return record


def _lines(
    table: pd.DataFrame, counts: Sequence[str], row_total: str | None, total_row: object | None
) -> Iterator[Line]:
    """Every (cells, total cell) line whose cells must add up to a published total."""
    if row_total is not None:
        for row in table.index:
            yield [(row, c) for c in counts], (row, row_total)
    if total_row is not None:
        body = [r for r in table.index if r != total_row]
        for col in [*counts, *([row_total] if row_total is not None else [])]:
            yield [(r, col) for r in body], (total_row, col)


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan


def suppress(
    table: pd.DataFrame,
    rules: DisclosureRules,
    *,
    counts: Sequence[str] = (),
    percents: Mapping[str, str] | None = None,
    row_total: str | None = None,
    total_row: object | None = None,
    linked: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Suppress small numbers in `table` (unique index): `counts` are count columns adding up to
    `row_total` (optional); `total_row` is the index label of a row of column totals (optional);
    `percents` maps a percentage column to its denominator column (hidden wherever the denominator is);
    `linked` maps a column to another that must be hidden wherever the first is (a percentage following
    its numerator)."""
    percents, links = dict(percents or {}), dict(linked or {})
    count_cols = [*counts, *([row_total] if row_total is not None else [])]
    values = {(row, col): _number(table.at[row, col]) for col in count_cols for row in table.index}
    primary: dict[Cell, str] = {}
    for (row, col), v in values.items():
        if 1 <= v < rules.min_count:
            primary[(row, col)] = f"primary: count under {rules.min_count}"
    for pct, den in percents.items():
        d = pd.to_numeric(table[den], errors="coerce")
        for row in table.index[d < rules.min_group]:
            primary.setdefault((row, pct), f"primary: denominator under {rules.min_group}")
    follow: dict[Cell, list[Cell]] = {}
    for a, b in [*links.items(), *((den, pct) for pct, den in percents.items())]:
        for row in table.index:
            follow.setdefault((row, a), []).append((row, b))
    record = hide(values, list(_lines(table, counts, row_total, total_row)), primary, follow)
    out = table.copy()
    for row, col in record:
        if out[col].dtype != object:
            out[col] = out[col].astype(object)
        out.at[row, col] = rules.symbol
    out.attrs["suppressed"] = pd.DataFrame([(r, c, why) for (r, c), why in record.items()], columns=RECORD_COLUMNS)
    return out


def problems(
    table: pd.DataFrame,
    rules: DisclosureRules,
    *,
    counts: Sequence[str] = (),
    percents: Mapping[str, str] | None = None,
    row_total: str | None = None,
    total_row: object | None = None,
) -> list[str]:
    """Every reason `table` (as published, hidden cells showing the symbol) is not safe; [] when safe:
    a small count shown, a percentage shown of a small or hidden denominator, a hidden cell recoverable."""
    found = []

    def hidden(cell: tuple[object, str]) -> bool:
        return table.at[cell] == rules.symbol

    count_cols = [*counts, *([row_total] if row_total is not None else [])]
    for col in count_cols:
        for row in table.index:
            v = _number(table.at[row, col])
            if not hidden((row, col)) and 1 <= v < rules.min_count:
                found.append(f"count {v:g} shown at ({row}, {col})")
    for pct, den in (percents or {}).items():
        for row in table.index:
            if hidden((row, pct)) or pd.isna(table.at[row, pct]):
                continue
            if hidden((row, den)):
                found.append(f"percentage at ({row}, {pct}) gives away its hidden denominator")
            elif not _number(table.at[row, den]) >= rules.min_group:
                found.append(f"percentage at ({row}, {pct}) shown with denominator {_number(table.at[row, den]):g}")
    lines = list(_lines(table, counts, row_total, total_row))
    secret = [(r, c) for c in count_cols for r in table.index if hidden((r, c))]
    empty = {(r, c): np.nan if pd.isna(table.at[r, c]) else 1.0 for c in count_cols for r in table.index}
    for row, col in sorted(recoverable(lines, secret, empty), key=str):
        found.append(f"the hidden cell ({row}, {col}) can be recovered from the totals")
    return found


def is_safe(table: pd.DataFrame, rules: DisclosureRules, **spec: object) -> bool:
    """True when `table` gives away no small number (see problems() for the checks and arguments)."""
    return not problems(table, rules, **spec)  # type: ignore[arg-type]


def assert_safe(table: pd.DataFrame, rules: DisclosureRules, **spec: object) -> None:
    """Raise ValueError listing every problem unless `table` is safe to publish."""
    found = problems(table, rules, **spec)  # type: ignore[arg-type]
    if found:
        raise ValueError("table is not safe to publish: " + "; ".join(found))
