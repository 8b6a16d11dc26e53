"""Support and improvement (Hampshire Table 6, sections 3.6 to 3.10): where support days went, and how
they sit beside change. An association only: nothing here says support caused a change."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from keystage.measures.common import sort_fixed, unit_sums
from keystage.measures.floor import BELOW
from keystage.standards import Standards

GROUPS = ("all schools", "below floor previous year", "improved by threshold")
SUMMARY_COLUMNS = [
    "unit_type", "unit_id", "year", "group", "n_schools", "n_supported", "days_total", "days_statutory", "days_purchased",
    "mean_days_per_school", "mean_days_per_supported", "n_with_change", "mean_change", "unit_mean_change", "diff_vs_unit",
]  # fmt: skip
BY_BAND_COLUMNS = ["unit_type", "unit_id", "year", "measure", "band", "support", "n_band", "n_with", "pct_with"]
FIT_COLUMNS = [
    "unit_type",
    "unit_id",
    "year",
    "n",
    "x_mean",
    "y_mean",
    "slope",
    "intercept",
    "r",
    "r_squared",
    "slope_lower",
    "slope_upper",
    "confidence",
]
BAND_FIT_COLUMNS = ["unit_type", "unit_id", "year", "x", "fit", "lower", "upper"]


def school_days(support: pd.DataFrame) -> pd.DataFrame:
    """Support days per school and year: total, statutory, purchased."""
    by_kind = support.pivot_table(index=["urn", "year"], columns="kind", values="days", aggfunc="sum", fill_value=0.0)
    out = pd.DataFrame(index=by_kind.index)
    out["days_statutory"] = by_kind["statutory"] if "statutory" in by_kind else 0.0
    out["days_purchased"] = by_kind["purchased"] if "purchased" in by_kind else 0.0
    out["days_total"] = out["days_statutory"] + out["days_purchased"]
    return out.reset_index()


def _school_frame(changes: pd.DataFrame, floor: pd.DataFrame, support: pd.DataFrame, standards: Standards) -> pd.DataFrame:
    """One row per school and year with a headline: its change, support days, and group flags."""
    h = changes[changes["measure"] == "headline"][["urn", "year", "change_1y"]]
    years = standards.years
    prior = dict(zip(years[1:], years[:-1], strict=True))
    below = floor[floor["status"] == BELOW][["urn", "year"]].assign(below_prev=True)
    below["year"] = below["year"].map({p: y for y, p in prior.items()})
    f = h.merge(school_days(support), on=["urn", "year"], how="left").fillna(
        {"days_total": 0.0, "days_statutory": 0.0, "days_purchased": 0.0}
    )
    f = f.merge(below.dropna(subset=["year"]).astype({"year": "int64"}), on=["urn", "year"], how="left")
    f["below_prev"] = f["below_prev"].fillna(False).astype(bool)
    f["improved"] = f["change_1y"].round(6) >= standards.support.improved_pp
    return f


def support_summary(
    changes: pd.DataFrame, floor: pd.DataFrame, support: pd.DataFrame, units: pd.DataFrame, standards: Standards
) -> pd.DataFrame:
    """Per unit, year and group (all schools; below the floor the previous test year; improved by
    support.improved_pp or more): support days (total, statutory, purchased), schools supported,
    mean days per school and per supported school, and the group's mean change against the unit's."""
    f = _school_frame(changes, floor, support, standards)
    f = f.assign(
        n_supported=(f["days_total"] > 0).astype(int),
        n_with_change=f["change_1y"].notna().astype(int),
        sum_change=f["change_1y"].fillna(0.0),
    )
    masks = {GROUPS[0]: pd.Series(True, index=f.index), GROUPS[1]: f["below_prev"], GROUPS[2]: f["improved"]}
    long = pd.concat([f[m].assign(group=g) for g, m in masks.items()], ignore_index=True)
    values = ["n_supported", "days_total", "days_statutory", "days_purchased", "n_with_change", "sum_change"]
    out = unit_sums(long, units, ["year", "group"], values)
    out["mean_days_per_school"] = out["days_total"] / out["n_schools"]
    out["mean_days_per_supported"] = out["days_total"] / out["n_supported"].where(out["n_supported"] > 0)
    out["mean_change"] = out["sum_change"] / out["n_with_change"].where(out["n_with_change"] > 0)
    unit_mean = out[out["group"] == GROUPS[0]][["unit_type", "unit_id", "year", "mean_change"]].rename(
        columns={"mean_change": "unit_mean_change"}
    )
    out = out.merge(unit_mean, on=["unit_type", "unit_id", "year"], how="left")
    out["diff_vs_unit"] = out["mean_change"] - out["unit_mean_change"]
    return sort_fixed(out, SUMMARY_COLUMNS, ["unit_type", "unit_id", "year", "group"])


def support_labels(support: pd.DataFrame, subscriptions: pd.DataFrame | None) -> pd.DataFrame:
    """Each kind of support a school had in a year, as (urn, year, support): "any support", "team: <team>",
    "kind: <statutory|purchased>", "subscription: <service> (<subject>)"."""
    s = support[support["days"] > 0]
    parts = [
        s[["urn", "year"]].assign(support="any support"),
        s[["urn", "year"]].assign(support="team: " + s["team"].astype(str)),
        s[["urn", "year"]].assign(support="kind: " + s["kind"].astype(str)),
    ]
    if subscriptions is not None and len(subscriptions):
        label = "subscription: " + subscriptions["service"].astype(str) + " (" + subscriptions["subject"].astype(str) + ")"
        parts.append(subscriptions[["urn", "year"]].assign(support=label))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def support_by_band(
    changes: pd.DataFrame, support: pd.DataFrame, subscriptions: pd.DataFrame | None, units: pd.DataFrame
) -> pd.DataFrame:
    """Per unit, year, subject measure and change band: schools in the band and the number and % of them
    with each kind of support or subscription ("of the 22 schools that improved by 20 or more in maths,
    68% had team: maths")."""
    banded = changes[changes["band"].notna()][["urn", "year", "measure", "band"]]
    n_band = unit_sums(banded, units, ["year", "measure", "band"], []).rename(columns={"n_schools": "n_band"})
    labelled = banded.merge(support_labels(support, subscriptions), on=["urn", "year"], how="inner")
    n_with = unit_sums(labelled, units, ["year", "measure", "band", "support"], []).rename(columns={"n_schools": "n_with"})
    out = n_with.merge(n_band, on=["unit_type", "unit_id", "year", "measure", "band"], how="left")
    out["pct_with"] = out["n_with"] / out["n_band"] * 100
    return sort_fixed(out, BY_BAND_COLUMNS, ["unit_type", "unit_id", "year", "measure", "band", "support"])


def support_fit(
    changes: pd.DataFrame, floor: pd.DataFrame, support: pd.DataFrame, units: pd.DataFrame, standards: Standards
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Least-squares line of headline change (pp) on support days across each unit's schools per year:
    n, slope, intercept, r, and the slope's confidence interval; plus the line's confidence band on a
    grid of days from 0 to the unit's maximum. Units with fewer than 3 schools or no spread in days get NaN."""
    f = _school_frame(changes, floor, support, standards)
    f = f[f["change_1y"].notna()]
    x, y = f["days_total"], f["change_1y"]
    pts = pd.DataFrame({"urn": f["urn"], "year": f["year"], "sx": x, "sy": y, "sxx": x * x, "sxy": x * y, "syy": y * y})
    s = unit_sums(pts, units, ["year"], ["sx", "sy", "sxx", "sxy", "syy"])
    s = s.merge(
        unit_sums(pts[["urn", "year", "sx"]].rename(columns={"sx": "x_max"}), units, ["year"], ["x_max"], func="max").drop(
            columns="n_schools"
        ),
        on=["unit_type", "unit_id", "year"],
    )
    n = s["n_schools"].astype(float)
    s["x_mean"], s["y_mean"] = s["sx"] / n, s["sy"] / n
    sxx = s["sxx"] - n * s["x_mean"] ** 2
    sxy = s["sxy"] - n * s["x_mean"] * s["y_mean"]
    syy = s["syy"] - n * s["y_mean"] ** 2
    ok = (n >= 3) & (sxx > 1e-12)
    s["n"] = s["n_schools"]
    s["slope"] = (sxy / sxx).where(ok)
    s["intercept"] = s["y_mean"] - s["slope"] * s["x_mean"]
    s["r"] = (sxy / np.sqrt(sxx * syy)).where(ok & (syy > 1e-12))
    s["r_squared"] = s["r"] ** 2
    s["_sxx"] = sxx.where(ok)
    s["_resid"] = np.sqrt(((syy - s["slope"] * sxy).clip(lower=0) / (n - 2)).where(ok))
    s["_t"] = stats.t.ppf(0.5 + standards.support.confidence / 2, (n - 2).clip(lower=1))
    half = s["_t"] * s["_resid"] / np.sqrt(s["_sxx"])
    s["slope_lower"], s["slope_upper"] = s["slope"] - half, s["slope"] + half
    s["confidence"] = standards.support.confidence
    fit = sort_fixed(s, FIT_COLUMNS, ["unit_type", "unit_id", "year"])
    g = s[ok].merge(pd.DataFrame({"step": np.linspace(0.0, 1.0, standards.support.grid_points)}), how="cross")
    g["x"] = g["step"] * g["x_max"]
    g["fit"] = g["intercept"] + g["slope"] * g["x"]
    half = g["_t"] * g["_resid"] * np.sqrt(1 / g["n"] + (g["x"] - g["x_mean"]) ** 2 / g["_sxx"])
    g["lower"], g["upper"] = g["fit"] - half, g["fit"] + half
    return fit, sort_fixed(g, BAND_FIT_COLUMNS, ["unit_type", "unit_id", "year", "x"])
