# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # KS2 results for one local authority (the naive baseline)
#
# What a competent analyst writes without keystage: read the raw KS2 performance tables with pandas
# (only the columns needed), compute the LA's and England's headline figures and the school table,
# and draw one chart. Run once per LA with papermill; rendered with keystage's back end for comparison.

# %% tags=["parameters"]
la_code = 701
data_dir = "data/demo"

# %%
import io
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from keystage.narrate import report_metadata

# Headline (reading, writing and maths) and higher-standard columns by test year.
HEADLINE = {year: ("PTENGMATX", "PTENGMATAX") for year in (2009, 2010, 2011, 2012)}
HEADLINE |= {year: ("PTREADWRITTAMATX", "PTREADWRITTAMATAX") for year in (2013, 2014, 2015)}
HEADLINE |= {year: ("PTRWM_EXP", "PTRWM_HIGH") for year in (2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025)}

frames = []
for path in sorted(Path(data_dir, "ks2").glob("*_ks2final.csv")):
    year = int(path.name[:4])
    headline, higher = HEADLINE[year]
    raw = pd.read_csv(path, usecols=["RECTYPE", "LEA", "URN", "SCHNAME", "TELIG", headline, higher], dtype=str,
                      encoding="utf-8-sig")
    raw = raw.rename(columns={headline: "headline", higher: "higher"}).assign(year=year)
    frames.append(raw[raw["RECTYPE"] == "1"])
ks2 = pd.concat(frames, ignore_index=True)
for column in ("TELIG", "headline", "higher"):
    ks2[column] = pd.to_numeric(ks2[column].str.rstrip("%"), errors="coerce")
ks2["LEA"] = pd.to_numeric(ks2["LEA"], errors="coerce")
ks2["reached"] = ks2["headline"] / 100 * ks2["TELIG"]

# %%
def weighted(frame: pd.DataFrame) -> pd.DataFrame:
    """Pupil-weighted % reaching the headline standard, by year."""
    sums = frame.dropna(subset=["headline", "TELIG"]).groupby("year")[["reached", "TELIG"]].sum()
    return (100 * sums["reached"] / sums["TELIG"]).round(0)


la = ks2[ks2["LEA"] == la_code]
trend = pd.DataFrame({"LA": weighted(la), "England": weighted(ks2)})
report_metadata({"title": f"KS2 results: LA {la_code}", "kind": "la", "unit_id": str(la_code), "la_code": la_code,
                 "year": int(ks2["year"].max()), "downloads": []})
display(Markdown(f"# KS2 results for LA {la_code}\n\n{la['URN'].nunique()} schools, {len(trend)} test years."))
display(Markdown(trend.reset_index().to_markdown(index=False)))

# %%
figure, axes = plt.subplots(figsize=(7, 3.5))
trend.plot(ax=axes, marker="o")
axes.set_ylabel("% reaching the headline standard")
png = io.BytesIO()
figure.savefig(png, format="png", dpi=100, bbox_inches="tight")
plt.close(figure)
display({"image/png": png.getvalue()}, raw=True, metadata={"image/png": {
    "alt": f"Line chart of the % of pupils reaching the headline standard in LA {la_code} and England by year",
    "caption": "Figure 1: headline attainment, LA and England"}})

# %%
latest = la[la["year"] == la["year"].max()].sort_values("SCHNAME")
display(Markdown(latest[["URN", "SCHNAME", "TELIG", "headline", "higher"]].to_markdown(index=False)))
