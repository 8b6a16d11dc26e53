"""Small-number suppression applied to every table before it is presented, and a check that proves it.

Primary suppression hides a count from 1 to min_count - 1 and a percentage whose denominator is under
min_group. Secondary suppression: where a line (a row with a row total, or a column with a total row)
has exactly one hidden cell and a visible total, that cell could be recovered by subtraction, so the
next smallest visible cell of the line is hidden too (or the total, when no cell is left); repeated
until no line gives a cell away. Hidden cells carry the symbol ("c"); the record of what was hidden
and why is kept in the result's attrs["suppressed"].
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from keystage.standards import DisclosureRules

RECORD_COLUMNS = ["row", "column", "reason"]


def _lines(
    table: pd.DataFrame, counts: Sequence[str], row_total: str | None, total_row: object | None
) -> Iterator[tuple[list[tuple[object, str]], tuple[object, str]]]:
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
    `percents` maps a percentage column to its denominator column; `linked` maps a column to another
    that must be hidden wherever the first is (a percentage following its count)."""
    percents, linked = dict(percents or {}), dict(linked or {})
    record: dict[tuple[object, str], str] = {}
    count_cols = [*counts, *([row_total] if row_total is not None else [])]
    for col in count_cols:
        v = pd.to_numeric(table[col], errors="coerce")
        for row in table.index[(v >= 1) & (v < rules.min_count)]:
            record.setdefault((row, col), f"primary: count under {rules.min_count}")
    for pct, den in percents.items():
        d = pd.to_numeric(table[den], errors="coerce")
        for row in table.index[d < rules.min_group]:
            record.setdefault((row, pct), f"primary: denominator under {rules.min_group}")
    changed = True
    while changed:
        changed = False
        for a, b in linked.items():
            for row, col in list(record):
                if col == a and (row, b) not in record:
                    record[(row, b)] = f"linked to {a}"
                    changed = True
        for cells, total in _lines(table, counts, row_total, total_row):
            hidden = [c for c in cells if c in record]
            if len(hidden) != 1 or total in record:
                continue
            visible = [(v, c) for c in cells if c not in record and not np.isnan(v := _number(table.at[c]))]
            target = min(visible, key=lambda vc: vc[0])[1] if visible else total
            record[target] = "secondary"
            changed = True
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
    original: pd.DataFrame | None = None,
) -> list[str]:
    """Every reason `table` (as published, hidden cells showing the symbol) is not safe; [] when safe.

    `original` holds the unsuppressed numbers, needed to check a visible percentage whose
    denominator is hidden; without it such a percentage counts as unsafe.
    """
    found = []

    def hidden(cell: tuple[object, str]) -> bool:
        return table.at[cell] == rules.symbol

    for col in [*counts, *([row_total] if row_total is not None else [])]:
        for row in table.index:
            v = _number(table.at[row, col])
            if not hidden((row, col)) and 1 <= v < rules.min_count:
                found.append(f"count {v:g} shown at ({row}, {col})")
    for pct, den in (percents or {}).items():
        for row in table.index:
            if hidden((row, pct)) or pd.isna(table.at[row, pct]):
                continue
            source = original if hidden((row, den)) else table
            d = np.nan if source is None else _number(source.at[row, den])
            if np.isnan(d) or d < rules.min_group:
                found.append(f"percentage at ({row}, {pct}) shown with denominator {d:g}")
    for cells, total in _lines(table, counts, row_total, total_row):
        if not hidden(total) and sum(hidden(c) for c in cells) == 1:
            found.append(f"the one hidden cell of the line totalled at {total} can be recovered")
    return found


def is_safe(table: pd.DataFrame, rules: DisclosureRules, **spec: object) -> bool:
    """True when `table` gives away no small number (see problems() for the checks and arguments)."""
    return not problems(table, rules, **spec)  # type: ignore[arg-type]


def assert_safe(table: pd.DataFrame, rules: DisclosureRules, **spec: object) -> None:
    """Raise ValueError listing every problem unless `table` is safe to publish."""
    found = problems(table, rules, **spec)  # type: ignore[arg-type]
    if found:
        raise ValueError("table is not safe to publish: " + "; ".join(found))
