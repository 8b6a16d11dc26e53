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

# %% tags=["parameters"]
work_dir = "out/demo"
la_code = 701
kind = "cohort"  # cohort: the LA report; school: one primary page, unit_id its URN
unit_id = "701"
standards_path = "config/standards.yaml"
reports_dir = "config/reports"
downloads_dir = "out/demo/notebooks/701/cohort_data"
pages_dir = ""  # folder for one executed page per primary, when kind is school and unit_id is all

# %%
import base64
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from IPython.utils.capture import capture_output

from keystage.measures.cohorts import KS4_OUTCOMES, POOLED, RELATIONSHIPS, TOTAL, load_cohort_rules
from keystage.narrate import report_metadata
from keystage.opendata import TOTAL as EES_TOTAL
from keystage.opendata import Indicator, ees_frame, ees_meta, filter_defaults, la_geography, write_ees
from keystage.present.charts import PALETTE, figure_output, use_house_style
from keystage.present.tables import Numbering, captioned_table
from keystage.reportconfig import load_report_config
from keystage.rounding import round_half_up
from keystage.stages import read_canonical
from keystage.standards import load_standards

use_house_style()
standards = load_standards(standards_path)
rules = load_cohort_rules(standards_path)
disclosure, dp, csv_dp = standards.disclosure, standards.rounding.display_dp, standards.rounding.csv_dp
tables = {name: frame[frame["la_code"] == la_code] if "la_code" in frame else frame
          for name, frame in read_canonical(Path(work_dir) / "cohorts").items()}
names = tables["names"].set_index("urn")["name"]
la_name = str(tables["las"]["la_name"].iloc[0])
school_ids = pd.read_parquet(Path(work_dir) / "measures" / "schools.parquet", filters=[("la_code", "==", int(la_code))])
la_codes = la_geography(school_ids, la_code)  # the EES LA columns of every download
laestab = school_ids.set_index("urn")["laestab"]
cohorts = sorted(c for c in tables["schools"]["cohort"].unique() if c != POOLED)
last_ks4 = int(cohorts[-1]) + 5
span = f"{cohorts[0]} to {cohorts[-1]}" if len(cohorts) > 1 else cohorts[0]
page = {"number": Numbering(), "downloads": [], "folder": Path(downloads_dir)}  # the page being written
NPD = ("The Data Controller of the NPD is the Department for Education (DfE). The DfE does not accept responsibility "
       "for any inferences or conclusions derived from the NPD data by third parties.")
HEAD = RELATIONSHIPS["rwm_em4"]


# %%
def shown(value: object, digits: int = dp) -> str:
    """A published value: NaN (a suppressed cell) as the symbol, numbers rounded half up."""
    return disclosure.symbol if pd.isna(value) else f"{round_half_up(float(value), digits):.{digits}f}"


def cohort_label(cohort: str) -> str:
    """"KS2 2017 (KS4 2022)", or the pooled cohorts."""
    return f"KS2 {span} pooled" if cohort == POOLED else f"KS2 {cohort} (KS4 {int(cohort) + 5})"


def md(text: str) -> None:
    display(Markdown(text))


def table(key: str, caption: str, frame: pd.DataFrame, note: str | None = None) -> None:
    md(captioned_table(page["number"].next_table(key, caption), caption, frame, note))


def figure(fig: plt.Figure, key: str, caption: str, alt: str) -> None:
    data, meta = figure_output(fig, page["number"].next_figure(key, caption), caption, alt)
    display(data, metadata=meta, raw=True)


def download(name: str, label: str, frame: pd.DataFrame, level: str, geography: dict[str, str],
             filters: dict[str, str], indicators: list[Indicator]) -> None:
    """Write an EES open-data CSV of `frame` (NaN = suppressed, shown "c"; the pooled cohorts as the cohort filter's
    Total) and offer it for download."""
    status = pd.DataFrame({i.name: np.where(frame[i.name].isna(), disclosure.symbol, "") for i in indicators}, index=frame.index)
    frame = frame.assign(cohort=frame["cohort"].replace({POOLED: EES_TOTAL}), laestab=frame.get("ks2_urn", pd.Series(
        dtype="int64")).map(laestab))
    geography = la_codes | geography | ({"school_laestab": "laestab"} if level == "School" else {})
    data = ees_frame(frame, level, geography, list(filters), indicators, status)
    write_ees(data, ees_meta(filters, indicators, filter_defaults(frame, list(filters))), page["folder"] / name)
    page["downloads"].append({"label": label, "path": f"{name}.csv"})


def scatter(dots: pd.DataFrame, fits: pd.DataFrame, rel: str, highlight: int | None = None) -> plt.Figure:
    """Each primary as a dot (% at the KS2 standard vs % of the same pupils at the KS4 standard), one colour
    and fitted line per group."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for colour, (group, sub) in zip(PALETTE, dots.groupby("group", sort=False), strict=False):
        pair = sub[[f"ks2_pct_{rel}", f"ks4_pct_{rel}"]].dropna()
        label = {TOTAL: "all pupils"}.get(group, f"{group} pupils")
        ax.scatter(pair.iloc[:, 0], pair.iloc[:, 1], s=14, alpha=0.6, color=colour, label=label)
        fit = fits[(fits["group"] == group) & (fits["relationship"] == rel)]
        if len(fit) and pd.notna(fit["slope"].iloc[0]):
            xs = np.array([0.0, 100.0])
            ax.plot(xs, fit["intercept"].iloc[0] + fit["slope"].iloc[0] * xs, color=colour, linewidth=2)
    if highlight is not None:
        me = dots[(dots["ks2_urn"] == highlight) & (dots["group"] == TOTAL)][[f"ks2_pct_{rel}", f"ks4_pct_{rel}"]].dropna()
        ax.scatter(me.iloc[:, 0], me.iloc[:, 1], s=120, marker="*", color="#000000", zorder=5, label="this school")
    ax.set(xlim=(0, 100), ylim=(0, 100), xlabel=f"% at KS2 {RELATIONSHIPS[rel].ks2_label}",
           ylabel=f"% at KS4: {RELATIONSHIPS[rel].ks4_label}\n(the same pupils)")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def fit_sentence(fit: pd.Series) -> str:
    """R squared and its interval in words."""
    if pd.isna(fit["r2"]):
        return f"Too few schools ({int(fit['n'])}) have published figures to fit a line."
    return (f"Across {int(fit['n'])} primary schools, KS2 results explain about {shown(100 * fit['r2'])}% of the variation "
            f"in their pupils' KS4 results (R squared {fit['r2']:.2f}, {rules.r2_confidence:.0%} confidence interval "
            f"{fit['r2_low']:.2f} to {fit['r2_high']:.2f}); the fitted line rises {fit['slope']:.2f} points at KS4 for each "
            f"point at KS2.")


pct_labels = {f"pct_{k}": f"% {v}" for k, v in KS4_OUTCOMES.items()}
schools, groups, fits = tables["schools"], tables["school_groups"], tables["fits"]
dots = pd.concat([schools.assign(group=TOTAL), groups], ignore_index=True)
notes = (f"Percentages of fewer than {disclosure.min_group} pupils, and counts under {disclosure.min_group}, are shown as "
         f"**{disclosure.symbol}**, with further cells hidden where a hidden one could be worked out from the totals, "
         f"another table, the other cohorts or a percentage (which gives its group's size away). "
         f"Pupils with no KS4 record (they left England's state-funded schools) are counted as not traced and are "
         f"outside every KS4 percentage; KS2 percentages are of the same traced pupils.")
definitions = (f"The KS2 expected standard is a scaled score of {rules.scaled_score:g} or more in reading and in maths and "
               f"writing assessed at {' or '.join(rules.writing_ta)}; at KS4 a standard pass is grade {rules.standard_pass:g} "
               f"or above and a strong pass grade {rules.strong_pass:g} or above.")

# %%
if kind == "cohort":
    title = f"How {la_name}'s primary pupils did at secondary school"
    la = tables["la"].set_index(["cohort", "group"])
    everyone = la.loc[(POOLED, TOTAL)]
    md(f"# {title}\n\n1.1 This report follows {shown(everyone['pupils'], 0)} pupils who took their KS2 tests in "
       f"{la_name}'s primary schools in {span} to their GCSE results five years later, wherever they went to school in "
       f"England. {shown(everyone['not_traced'], 0)} pupils have no KS4 record and are counted as not traced.\n\n"
       f"1.2 {definitions}\n\n1.3 {notes}\n\n*{NPD}*")
    md("## 2. Primary results and secondary results")
    pooled_fits = fits[fits["cohort"] == POOLED]
    head = pooled_fits[(pooled_fits["group"] == TOTAL) & (pooled_fits["relationship"] == "rwm_em4")].iloc[0]
    md(f"2.1 Each dot in the next figure is a primary school. {fit_sentence(head)}")
    pooled_dots = dots[(dots["cohort"] == POOLED) & (dots["group"] == TOTAL)]
    figure(scatter(pooled_dots, pooled_fits[pooled_fits["group"] == TOTAL], "rwm_em4"),
           "scatter", f"Primary schools: KS2 expected standard against KS4 grade 4+ in English and maths, {cohort_label(POOLED)}",
           f"Scatter plot of {int(head['n'])} primary schools of {la_name}: the percentage of each school's pupils at the KS2 "
           f"expected standard against the percentage of the same pupils with grade 4 or above in English and maths, "
           f"with a fitted line; R squared {head['r2']:.2f}.")
    rows = fits[fits["group"] == TOTAL].assign(order=lambda f: f["cohort"].eq(POOLED))
    frame = pd.DataFrame({
        "Cohort": rows["cohort"].map(cohort_label),
        "KS2 measure": rows["relationship"].map(lambda r: RELATIONSHIPS[r].ks2_label),
        "KS4 measure": rows["relationship"].map(lambda r: RELATIONSHIPS[r].ks4_label),
        "Schools": rows["n"].astype(int).astype(str),
        "Slope": rows["slope"].map(lambda v: f"{v:.2f}"),
        "R squared": rows["r2"].map(lambda v: f"{v:.2f}"),
        f"{rules.r2_confidence:.0%} interval": [f"{lo:.2f} to {hi:.2f}"
                                                for lo, hi in zip(rows["r2_low"], rows["r2_high"], strict=True)],
    })
    table("fits", "How well KS2 results predict KS4 results across primary schools, by cohort and subject", frame,
          note="Interval for R squared from the Fisher z interval of the correlation r "
               "(z = atanh r, standard error 1/sqrt(n - 3)), squared.")
    md("2.2 English and maths separately: the table sets KS2 reading against GCSE English and KS2 maths against GCSE maths.")
    md("## 3. Disadvantaged pupils and the rest")
    frame = pd.DataFrame({
        "Cohort": [cohort_label(c) for c, _ in la.index],
        "Pupils": [g for _, g in la.index],
        "Pupils (n)": la["pupils"].map(lambda v: shown(v, 0)).to_numpy(),
        "Not traced": la["not_traced"].map(lambda v: shown(v, 0)).to_numpy(),
        f"% KS2 {HEAD.ks2_label}": la["ks2_pct_rwm_em4"].map(shown).to_numpy(),
        f"% KS4 {HEAD.ks4_label}": la["ks4_pct_rwm_em4"].map(shown).to_numpy(),
        "% KS4 grade 5+ in English and maths": la["ks4_pct_rwm_em5"].map(shown).to_numpy(),
    })
    table("disadvantage", f"{la_name}: KS2 and KS4 results of disadvantaged pupils and the rest", frame)
    by_group = pooled_fits[(pooled_fits["relationship"] == "rwm_em4") & pooled_fits["group"].ne(TOTAL)].set_index("group")
    md("3.1 " + " ".join(f"For {g} pupils: {fit_sentence(by_group.loc[g])}" for g in by_group.index))
    figure(scatter(dots[(dots["cohort"] == POOLED) & dots["group"].ne(TOTAL)], by_group.reset_index(), "rwm_em4"),
           "scatter-groups", f"Primary schools: KS2 against KS4 for disadvantaged pupils and the rest, {cohort_label(POOLED)}",
           "Scatter plot of primary schools, one dot per school and group (disadvantaged pupils, other pupils), with a fitted "
           "line for each group, KS2 expected standard against KS4 grade 4+ in English and maths.")
    md("## 4. Secondary schools and their feeder primaries")
    dest = tables["destinations"][tables["destinations"]["cohort"] == POOLED]
    sec = tables["secondaries"][tables["secondaries"]["cohort"] == POOLED].sort_values("pupils", ascending=False)
    spread = dest.dropna(subset=["pct_em4"]).groupby("ks4_urn")["pct_em4"].agg(["count", "min", "max"])
    frame = pd.DataFrame({
        "Secondary school": sec["ks4_urn"].map(names).fillna(sec["ks4_urn"].astype(str)),
        f"Pupils from {la_name} primaries": sec["pupils"].map(lambda v: shown(v, 0)),
        "% grade 4+ E&M": sec["pct_em4"].map(shown),
        "% grade 5+ E&M": sec["pct_em5"].map(shown),
        "Feeders shown": sec["ks4_urn"].map(spread["count"]).fillna(0).astype(int).astype(str),
        "Lowest feeder %": sec["ks4_urn"].map(spread["min"]).map(lambda v: "" if pd.isna(v) else shown(v)),
        "Highest feeder %": sec["ks4_urn"].map(spread["max"]).map(lambda v: "" if pd.isna(v) else shown(v)),
    })
    table("secondaries", "Secondary schools attended: grade 4+ in English and maths overall and across feeder primaries, "
          f"{cohort_label(POOLED)}",
          frame, note=f"Feeder primaries are shown where at least {disclosure.min_group} of their pupils went to the school; "
                      "every feeder's figure is in the CSV download.")
    md("## 5. Pupils who moved together")
    moved = tables["moved_together"]
    pivot = moved.pivot(index="band", columns="cohort", values="pct_em4").reindex([b.label for b in rules.bands])
    counts = moved[moved["cohort"] == POOLED].set_index("band")
    frame = pd.DataFrame({"Pupils moving together": pivot.index,
                          "Pupils (pooled)": counts["pupils"].reindex(pivot.index).map(lambda v: shown(v, 0)).to_numpy(),
                          **{cohort_label(c): pivot[c].map(shown).to_numpy() for c in [*cohorts, POOLED]}})
    table("moved", "% with grade 4+ in English and maths by the number of pupils moving from the same primary "
          "to the same secondary",
          frame, note=f"Pupils not traced: {shown(counts.loc['not_traced', 'pupils'], 0)} (pooled).")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    values = pivot[POOLED].to_numpy(dtype=float)
    ax.bar(pivot.index, np.nan_to_num(values), color=PALETTE[0])
    ax.set(xlabel="Pupils moving together from one primary to one secondary", ylabel="% grade 4+ in English and maths",
           ylim=(0, 100))
    figure(fig, "moved-chart", f"KS4 results by the size of the group moving together, {cohort_label(POOLED)}",
           "Bar chart of the percentage of pupils with grade 4 or above in English and maths for each band of pupils "
           "moving together: " + ", ".join(f"{b}: {shown(v)}%" for b, v in zip(pivot.index, values, strict=True)) + ".")
    download("cohort_schools", "Primary schools: KS2 and KS4 results of their pupils (EES CSV)",
             schools.assign(year=schools["cohort"].map(lambda c: last_ks4 if c == POOLED else int(c) + 5),
                            la_name=la_name, name=schools["ks2_urn"].map(names)),
             "School", {"school_urn": "ks2_urn", "school_name": "name"},
             {"cohort": "KS2 cohort (all = pooled)"},
             [Indicator("pupils", "Pupils", dp=0), Indicator("not_traced", "Pupils not traced", dp=0),
              *[Indicator(f"{s}_pct_{r}", f"% KS{s[-1]} {getattr(rel, s + '_label')}", "%", csv_dp)
                for r, rel in RELATIONSHIPS.items() for s in ("ks2", "ks4")]])
    download("cohort_destinations", "Primary by secondary attended: pupils and KS4 results (EES CSV)",
             tables["destinations"].assign(year=lambda f: f["cohort"].map(lambda c: last_ks4 if c == POOLED else int(c) + 5),
                                           la_name=la_name, name=lambda f: f["ks2_urn"].map(names),
                                           secondary=lambda f: f["ks4_urn"].map(names).fillna(f["ks4_urn"].astype(str))),
             "School", {"school_urn": "ks2_urn", "school_name": "name"},
             {"cohort": "KS2 cohort (all = pooled)", "secondary": "Secondary school attended"},
             [Indicator("pupils", "Pupils", dp=0), *[Indicator(k, v, "%", csv_dp) for k, v in pct_labels.items()]])
    download("cohort_moved_together", "KS4 results by the number of pupils moving together (EES CSV)",
             moved.assign(year=lambda f: f["cohort"].map(lambda c: last_ks4 if c == POOLED else int(c) + 5), la_name=la_name),
             "Local authority", {},
             {"cohort": "KS2 cohort (all = pooled)", "band": "Pupils moving together"},
             [Indicator("pupils", "Pupils", dp=0), *[Indicator(k, v, "%", csv_dp) for k, v in pct_labels.items()]])
    meta = {"title": title, "subtitle": f"Cohort tracking from KS2 ({span}) to KS4", "kind": "cohort", "la_code": la_code,
            "la_name": la_name, "unit_id": str(la_code), "unit_name": la_name, "year": last_ks4,
            "cover": load_report_config(reports_dir, la_code).cover(title), "downloads": page["downloads"]}

# %%
def school_page(urn: int, folder: Path) -> dict:
    """Display one primary's page ("How our pupils did at secondary school"); returns its report metadata."""
    page.update(number=Numbering(), downloads=[], folder=folder)
    name = str(names.get(urn, f"School {urn}"))
    title = f"{name}: how our pupils did at secondary school"
    mine = schools[schools["ks2_urn"] == urn].set_index("cohort")
    la = tables["la"][tables["la"]["group"] == TOTAL].set_index("cohort")
    md(f"# {title}\n\nURN {urn}, {la_name}. This page follows the pupils who took their KS2 tests at {name} in {span} "
       f"to their GCSE results five years later, wherever they went to school in England.\n\n{definitions}\n\n{notes}\n\n*{NPD}*")
    order = [c for c in [*cohorts, POOLED] if c in mine.index]
    frame = pd.DataFrame({
        "Cohort": [cohort_label(c) for c in order],
        "Pupils": [shown(mine.at[c, "pupils"], 0) for c in order],
        "Not traced": [shown(mine.at[c, "not_traced"], 0) for c in order],
        **{f"% {label}": [shown(mine.at[c, col]) for c in order] for col, label in [
            ("ks2_pct_rwm_em4", f"KS2 {HEAD.ks2_label}"), ("ks4_pct_rwm_em4", f"KS4 {HEAD.ks4_label}"),
            ("ks4_pct_rwm_em5", "KS4 grade 5+ in English and maths"), ("ks4_pct_read_eng4", "KS4 grade 4+ in English"),
            ("ks4_pct_mat_mat4", "KS4 grade 4+ in maths")]},
        f"{la_name} % KS4 {HEAD.ks4_label}": [shown(la.at[c, "ks4_pct_rwm_em4"]) for c in order],
    })
    md("## Our pupils at KS2 and at KS4")
    table("results", f"{name}: pupils' KS2 and KS4 results by cohort, with {la_name}", frame)
    pooled_fits = fits[(fits["cohort"] == POOLED) & (fits["group"] == TOTAL)]
    figure(scatter(dots[(dots["cohort"] == POOLED) & (dots["group"] == TOTAL)], pooled_fits, "rwm_em4", highlight=urn),
           "scatter", f"{name} among {la_name}'s primary schools, {cohort_label(POOLED)}",
           f"Scatter plot of {la_name}'s primary schools, KS2 expected standard against KS4 grade 4+ in English and maths, "
           f"with {name} marked by a star" + ("" if pd.notna(mine.at[POOLED, "ks4_pct_rwm_em4"]) else
                                                  " (not shown: too few pupils)") + ".")
    md("## Secondary schools our pupils attended")
    dest = tables["destinations"][tables["destinations"]["ks2_urn"] == urn]
    sec = tables["secondaries"].set_index(["cohort", "ks4_urn"])
    pooled = dest[dest["cohort"] == POOLED].sort_values("pupils", ascending=False, na_position="last")
    frame = pd.DataFrame({
        "Secondary school": pooled["ks4_urn"].map(names).fillna(pooled["ks4_urn"].astype(str)),
        "Our pupils": pooled["pupils"].map(lambda v: shown(v, 0)),
        **{f"Our {pct_labels[k]}": pooled[k].map(shown) for k in ("pct_em4", "pct_em5")},
        f"All {la_name} pupils there, % grade 4+ E&M": [shown(sec["pct_em4"].get((POOLED, s))) for s in pooled["ks4_urn"]],
    })
    table("secondaries", f"{name}: KS4 results by secondary school attended, {cohort_label(POOLED)}", frame,
          note="The last column is for all pupils from the LA's primary schools who went to that school.")
    md("## Disadvantaged pupils and the rest")
    mine_groups = groups[(groups["ks2_urn"] == urn) & (groups["cohort"] == POOLED)]
    frame = pd.DataFrame({
        "Pupils": mine_groups["group"],
        f"% KS2 {HEAD.ks2_label}": mine_groups["ks2_pct_rwm_em4"].map(shown),
        f"% KS4 {HEAD.ks4_label}": mine_groups["ks4_pct_rwm_em4"].map(shown),
        "% KS4 grade 4+ in English": mine_groups["ks4_pct_read_eng4"].map(shown),
        "% KS4 grade 4+ in maths": mine_groups["ks4_pct_mat_mat4"].map(shown),
    })
    table("groups", f"{name}: disadvantaged pupils and the rest, {cohort_label(POOLED)}", frame)
    mine_rows = mine.reset_index().assign(year=lambda f: f["cohort"].map(lambda c: last_ks4 if c == POOLED else int(c) + 5),
                                          la_name=la_name, name=name)
    download(f"cohort_{urn}", f"{name}: KS2 and KS4 results of our pupils (EES CSV)", mine_rows, "School",
             {"school_urn": "ks2_urn", "school_name": "name"},
             {"cohort": "KS2 cohort (all = pooled)"},
             [Indicator("pupils", "Pupils", dp=0), Indicator("not_traced", "Pupils not traced", dp=0),
              *[Indicator(f"{s}_pct_{r}", f"% KS{s[-1]} {getattr(rel, s + '_label')}", "%", csv_dp)
                for r, rel in RELATIONSHIPS.items() for s in ("ks2", "ks4")]])
    return {"title": title, "subtitle": f"Pupils who left in {span}, and their GCSE results", "kind": "school",
            "kind_label": "School: how pupils did at secondary school",
            "la_code": la_code, "la_name": la_name, "unit_id": f"{urn}-secondary", "unit_name": name, "year": last_ks4,
            "downloads": page["downloads"]}


def executed_page(meta: dict, outputs: list) -> nbformat.NotebookNode:
    """An executed notebook holding captured display outputs and the report metadata, as narrate writes one."""
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", metadata=o.metadata or {}, data={
        mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value for mime, value in o.data.items()})
        for o in outputs]
    return nbformat.v4.new_notebook(cells=[cell], metadata={"keystage": meta})


if kind == "school" and str(unit_id) == "all":
    primaries = sorted(schools["ks2_urn"].unique())
    for urn in primaries:
        with capture_output() as captured:
            page_meta = school_page(int(urn), Path(pages_dir) / f"school-{urn}_data")
        Path(pages_dir).mkdir(parents=True, exist_ok=True)
        nbformat.write(executed_page(page_meta, captured.outputs), Path(pages_dir) / f"school-{urn}.ipynb")
        plt.close("all")
    meta = {"title": f"{la_name}: primary school cohort pages", "kind": "school", "la_code": la_code, "la_name": la_name,
            "unit_id": "all", "year": last_ks4}
elif kind == "school":
    meta = school_page(int(unit_id), Path(downloads_dir))

# %%
report_metadata(meta)
