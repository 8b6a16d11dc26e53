"""The pupil counts behind every cohort-tracking table of one LA, suppressed together as one system.

The tables publish counts and percentages of overlapping groups of pupils, and a percentage gives its
denominator away, so every denominator is a published count here even where no table shows it. The
cells (key: kind, cohort, row, column):

- ("M", cohort, primary URN or "all", secondary URN | "traced" | "not_traced" | "pupils"): the
  destination matrix, each row's secondaries adding up to its traced pupils, traced and not traced to
  its pupils, the primaries to the LA row "all";
- ("G", cohort, group, "traced" | "not_traced" | "pupils"): the LA's disadvantaged pupils and the
  rest, adding up to the LA row of the matrix;
- ("S", cohort, primary URN, group): each primary's traced pupils by group (the denominators of its
  group percentages), adding up to the primary's traced pupils and, across primaries, to G;
- ("B", cohort, band): traced pupils by moved-together band, adding up to the LA's traced pupils;

and every cell of a single cohort adds up, across cohorts, to the same cell pooled ("all"). Each
percentage is hidden exactly where its denominator cell is, and a percentage's numerator obeys a subset
of the same lines, so protecting the counts protects the percentages too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pandas as pd

from keystage.disclosure import Cell, Line, hide
from keystage.standards import DisclosureRules

POOLED = "all"
TOTAL = "all"
NOT_TRACED = "not_traced"
TRACED = "traced"
PUPILS = "pupils"
GROUPS = ("disadvantaged", "other")


def cell_counts(flags: pd.DataFrame, bands: pd.Series) -> dict[Cell, float]:
    """Every cell's pupil count from one LA's flags (each cohort once, and pooled) and each pupil's band."""
    pooled = pd.concat([flags.assign(band=bands), flags.assign(band=bands, cohort=POOLED)], ignore_index=True)
    dest = pooled["ks4_urn"].astype(str).where(pooled["traced"], NOT_TRACED)
    pooled = pooled.assign(dest=dest, row=pooled["ks2_urn"].astype(str),
                           group=np.where(pooled["disadvantaged"], GROUPS[0], GROUPS[1]))
    values: dict[Cell, float] = {}
    for frame in (pooled, pooled.assign(row=TOTAL)):
        cells = frame.groupby(["cohort", "row", "dest"]).size()
        traced = frame[frame["traced"]].groupby(["cohort", "row"]).size()
        everyone = frame.groupby(["cohort", "row"]).size()
        values.update({("M", *k): float(v) for k, v in cells.items()})
        values.update({("M", c, r, TRACED): float(v) for (c, r), v in traced.items()})
        values.update({("M", c, r, PUPILS): float(v) for (c, r), v in everyone.items()})
    groups = pooled.groupby(["cohort", "group"])["traced"].agg(["sum", "size"])
    for (c, g), row in groups.iterrows():
        values.update({("G", c, g, TRACED): float(row["sum"]), ("G", c, g, NOT_TRACED): float(row["size"] - row["sum"]),
                       ("G", c, g, PUPILS): float(row["size"])})
    traced = pooled[pooled["traced"]]
    values.update({("S", *k): float(v) for k, v in traced.groupby(["cohort", "row", "group"]).size().items()})
    values.update({("B", *k): float(v) for k, v in traced.groupby(["cohort", "band"]).size().items()})
    return {k: (np.nan if v == 0 else v) for k, v in values.items()}


def cell_lines(values: dict[Cell, float], bands: list[str]) -> Iterator[Line]:
    """Every line of cells adding up to a total cell (see the module docstring)."""
    rows: dict[str, set[str]] = defaultdict(set)
    dests: dict[str, set[str]] = defaultdict(set)
    for _, cohort, row, col in (k for k in values if k[0] == "M"):
        if row != TOTAL:
            rows[cohort].add(row)
        if col not in (TRACED, NOT_TRACED, PUPILS):
            dests[cohort].add(col)
    for c in rows:
        body, secondaries = sorted(rows[c]), sorted(dests[c])
        for r in [*body, TOTAL]:
            yield [("M", c, r, s) for s in secondaries], ("M", c, r, TRACED)
            yield [("M", c, r, TRACED), ("M", c, r, NOT_TRACED)], ("M", c, r, PUPILS)
        for col in [*secondaries, TRACED, NOT_TRACED, PUPILS]:
            yield [("M", c, r, col) for r in body], ("M", c, TOTAL, col)
            if col in (TRACED, NOT_TRACED, PUPILS):
                yield [("G", c, g, col) for g in GROUPS], ("M", c, TOTAL, col)
        for g in GROUPS:
            yield [("G", c, g, TRACED), ("G", c, g, NOT_TRACED)], ("G", c, g, PUPILS)
            yield [("S", c, r, g) for r in body], ("G", c, g, TRACED)
        for r in body:
            yield [("S", c, r, g) for g in GROUPS], ("M", c, r, TRACED)
        yield [("B", c, b) for b in bands], ("M", c, TOTAL, TRACED)
    across: dict[Cell, list[Cell]] = defaultdict(list)
    for key in values:
        if key[1] != POOLED:
            across[(key[0], POOLED, *key[2:])].append(key)
    for pooled, cells in across.items():
        yield cells, pooled


def hidden_cells(flags: pd.DataFrame, bands: pd.Series, labels: list[str], disclosure: DisclosureRules) -> dict[Cell, float]:
    """Every non-empty cell's count as published (NaN where suppressed); a cell not listed holds no pupils."""
    values = cell_counts(flags, bands)
    primary = {k: f"primary: under {disclosure.min_group} pupils" for k, v in values.items() if v < disclosure.min_group}
    # a denominator costs its percentages when hidden, so the counts beside it are hidden first
    cost = {k: 1.0 for k in values if k[0] in ("S", "B") or k[-1] == TRACED}
    record = hide(values, list(cell_lines(values, labels)), primary, cost=cost)
    return {k: np.nan if k in record else v for k, v in values.items() if not np.isnan(v)}
