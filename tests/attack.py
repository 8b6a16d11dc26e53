"""A reader's attack on the published cohort tables, written apart from the library's suppression.

The reader knows how the tables add up (each primary's secondaries to its traced pupils, traced and not
traced to its pupils, primaries to the LA, groups to the total, bands to the traced pupils, cohorts to
pooled) and takes every visible percentage as giving its denominator away exactly (a one-decimal
percentage of a small group fixes the group's size). From that the reader solves every line with one
unknown, again and again (chained subtraction), then tests each remaining unknown against the rank of
the whole system (any linear combination of the lines).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import null_space

POOLED = TOTAL = "all"
GROUPS = ("disadvantaged", "other")
DENOMS = ("traced", "not_traced", "pupils")


def true_counts(flags: pd.DataFrame, bands: pd.Series) -> dict[tuple, float]:
    """The real count of every cell, from the pupils' flags (each cohort and pooled) and their bands."""
    both = pd.concat([flags.assign(band=bands), flags.assign(band=bands, cohort=POOLED)], ignore_index=True)
    both = both.assign(row=both["ks2_urn"].astype(str), dest=both["ks4_urn"].astype(str).where(both["traced"], "not_traced"),
                       group=np.where(both["disadvantaged"], GROUPS[0], GROUPS[1]))
    truth: dict[tuple, float] = {}
    for frame in (both, both.assign(row=TOTAL)):
        for (c, r), sub in frame.groupby(["cohort", "row"]):
            truth.update({("M", c, r, d): float(n) for d, n in sub["dest"].value_counts().items()})
            truth.update({("M", c, r, "traced"): float(sub["traced"].sum()), ("M", c, r, "pupils"): float(len(sub))})
    for (c, g), sub in both.groupby(["cohort", "group"]):
        truth.update({("G", c, g, "traced"): float(sub["traced"].sum()), ("G", c, g, "pupils"): float(len(sub)),
                      ("G", c, g, "not_traced"): float((~sub["traced"]).sum())})
    traced = both[both["traced"]]
    truth.update({("S", *k): float(n) for k, n in traced.groupby(["cohort", "row", "group"]).size().items()})
    truth.update({("B", *k): float(n) for k, n in traced.groupby(["cohort", "band"]).size().items()})
    return truth


def known_counts(tables: dict[str, pd.DataFrame], truth: dict[tuple, float], bands: list[str]) -> tuple[dict, set]:
    """What the published tables show: (known counts by cell, hidden cells). An absent row is 0 pupils;
    a visible percentage gives the reader its denominator exactly (taken from `truth`)."""
    known: dict[tuple, float] = {}
    hidden: set[tuple] = set()

    def put(key: tuple, value: float) -> None:
        (hidden.add(key) if pd.isna(value) else known.__setitem__(key, float(value)))

    def revealed(key: tuple, percentage: float) -> None:
        if pd.notna(percentage):
            known[key] = truth.get(key, 0.0)

    for row in tables["schools"].itertuples():
        for col in DENOMS:
            put(("M", row.cohort, str(row.ks2_urn), col), getattr(row, col))
        revealed(("M", row.cohort, str(row.ks2_urn), "traced"), row.ks4_pct_rwm_em4)
    for name, where in (("destinations", None), ("secondaries", TOTAL)):
        for row in tables[name].itertuples():
            key = ("M", row.cohort, where or str(row.ks2_urn), str(row.ks4_urn))
            put(key, row.pupils)
            revealed(key, row.pct_em4)
    for row in tables["la"].itertuples():
        keys = {col: ("M", row.cohort, TOTAL, col) if row.group == TOTAL else ("G", row.cohort, row.group, col) for col in DENOMS}
        for col, key in keys.items():
            put(key, getattr(row, col))
        revealed(keys["traced"], row.ks4_pct_rwm_em4)
    for row in tables["school_groups"].itertuples():
        key = ("S", row.cohort, str(row.ks2_urn), row.group)
        put(key, truth.get(key, 0.0) if pd.notna(row.ks4_pct_rwm_em4) else np.nan)
    for row in tables["moved_together"].itertuples():
        if row.band in bands:
            put(("B", row.cohort, row.band), row.pupils)
            revealed(("B", row.cohort, row.band), row.pct_em4)
        elif row.band == TOTAL:
            revealed(("M", row.cohort, TOTAL, "traced"), row.pct_em4)
    return known, hidden - set(known)


def lines(known: dict[tuple, float], hidden: set[tuple], bands: list[str]) -> list[tuple[list[tuple], tuple]]:
    """Every (parts, total) identity of the tables, over the cells the reader has seen (known or hidden)."""
    seen = set(known) | hidden
    cohorts = sorted({k[1] for k in seen})
    out = []
    for c in cohorts:
        rows = sorted({k[2] for k in seen if k[0] == "M" and k[1] == c and k[2] != TOTAL})
        dests = sorted({k[3] for k in seen if k[0] == "M" and k[1] == c and k[3] not in DENOMS})
        for r in [*rows, TOTAL]:
            out.append(([("M", c, r, s) for s in dests], ("M", c, r, "traced")))
            out.append(([("M", c, r, "traced"), ("M", c, r, "not_traced")], ("M", c, r, "pupils")))
        for col in [*dests, *DENOMS]:
            out.append(([("M", c, r, col) for r in rows], ("M", c, TOTAL, col)))
        for col in DENOMS:
            out.append(([("G", c, g, col) for g in GROUPS], ("M", c, TOTAL, col)))
        for g in GROUPS:
            out.append(([("G", c, g, "traced"), ("G", c, g, "not_traced")], ("G", c, g, "pupils")))
            out.append(([("S", c, r, g) for r in rows], ("G", c, g, "traced")))
        for r in rows:
            out.append(([("S", c, r, g) for g in GROUPS], ("M", c, r, "traced")))
        out.append(([("B", c, b) for b in bands], ("M", c, TOTAL, "traced")))
    for key in seen:
        if key[1] == POOLED:
            out.append(([(key[0], c, *key[2:]) for c in cohorts if c != POOLED], key))
    return out


def recovered(tables: dict[str, pd.DataFrame], truth: dict[tuple, float], bands: list[str],
              by_rank: bool = True) -> dict[tuple, float]:
    """Every hidden count the reader can work out, with its value (NaN: found by the rank test, run
    when `by_rank`: dense, so for small tables)."""
    known, hidden = known_counts(tables, truth, bands)
    identities = lines(known, hidden, bands)
    values = dict(known)
    found: dict[tuple, float] = {}
    changed = True
    while changed:  # chained subtraction
        changed = False
        for parts, total in identities:
            unknown = [k for k in [*parts, total] if k in hidden and k not in found]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            value = lambda k: found.get(k, values.get(k, 0.0))  # noqa: E731 (absent cells hold 0 pupils)
            rest = sum(value(k) for k in parts if k != cell)
            found[cell] = value(total) - rest if cell != total else rest
            changed = True
    left = sorted(hidden - set(found), key=str)
    if left and by_rank:  # any linear combination of the identities
        column = {k: i for i, k in enumerate(left)}
        rows = []
        for parts, total in identities:
            row = np.zeros(len(left))
            for k in parts:
                if k in column:
                    row[column[k]] += 1
            if total in column:
                row[column[total]] -= 1
            if row.any():
                rows.append(row)
        if rows:
            null = null_space(np.array(rows))  # a cell is determined where every solution agrees
            for k, i in column.items():
                if not null.shape[1] or np.abs(null[i]).max() < 1e-9:
                    found[k] = np.nan  # determined (its value is not needed to fail the test)
    return found
