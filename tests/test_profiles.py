"""School profile data on hand-worked fixtures, the executed-notebook form, and one demo profile end to end."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from keystage.present.charts import figure_output
from keystage.profiles import (
    data_folder_schools,
    executed_notebook,
    hide_small,
    la_school_urns,
    places,
    profile_href,
    progress_limits,
    school_series,
    support_by_year,
    write_notebook,
)
from keystage.render.engine import RenderedReport, render_report, report_slug
from keystage.render.notebook import notebook_to_markdown
from keystage.standards import load_standards

RULES = load_standards().disclosure  # min_group 6, symbol "c"
LINEAGE = pd.DataFrame({"urn": [100, 200], "series_urn": [200, 200], "chain": ["100 > 200", "100 > 200"], "issue": ["", ""]})


def attainment_rows(rows: list[tuple[str, str, int, str, str, float, float]]) -> pd.DataFrame:
    """An attainment-shaped frame from (unit_type, unit_id, year, measure, kind, value, denominator)."""
    frame = pd.DataFrame(rows, columns=["unit_type", "unit_id", "year", "measure", "kind", "value", "denominator"])
    return frame.assign(era="expected", change_1y=np.nan)


def units(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unit_type", "unit_id", "urn"])
    return frame.assign(unit_name=frame["unit_id"])[["unit_type", "unit_id", "unit_name", "urn"]]


def test_profile_href_is_the_site_folder_of_the_school_report() -> None:
    assert profile_href(111749, 2025) == "../school-111749-2025/index.html"
    assert profile_href(111749, 2025) == f"../{report_slug({'kind': 'school', 'unit_id': '111749', 'year': 2025})}/index.html"


def test_series_carries_the_cohort_and_hides_values_of_small_cohorts() -> None:
    att = attainment_rows(
        [
            ("school", "1", 2019, "headline", "pct", 60.0, 5.0),
            ("school", "2", 2019, "headline", "pct", 70.0, 6.0),
            ("school", "1", 2019, "eligible", "count", 5.0, 1.0),
            ("la", "701", 2019, "headline", "pct", 65.0, 11.0),
        ]
    )
    series = school_series(att)
    assert len(series) == 3  # school rows only
    head = series[series["measure"] == "headline"].set_index("urn")
    assert head.loc[1, "cohort"] == 5 and head.loc[2, "cohort"] == 6
    assert np.isnan(series.loc[series["measure"] == "eligible", "cohort"].iloc[0])  # counts have no cohort
    shown = hide_small(series, RULES).set_index(["urn", "measure"])
    assert shown.loc[(1, "headline"), "value"] == "c"  # 5 pupils: under 6
    assert shown.loc[(2, "headline"), "value"] == 70.0


def test_place_in_district_and_la_leaves_small_cohorts_unranked() -> None:
    # LA 701: A (80%, 20 pupils) and B (60%, 30 pupils) in North; C (90%, 4 pupils) in South is not ranked.
    att = attainment_rows(
        [
            ("school", "1", 2019, "headline", "pct", 80.0, 20.0),
            ("school", "2", 2019, "headline", "pct", 60.0, 30.0),
            ("school", "3", 2019, "headline", "pct", 90.0, 4.0),
            ("district", "North", 2019, "headline", "pct", 68.0, 50.0),
            ("la", "701", 2019, "headline", "pct", 69.6, 54.0),
        ]
    )
    u = units(
        [
            ("la", "701", 1),
            ("la", "701", 2),
            ("la", "701", 3),
            ("district", "North", 1),
            ("district", "North", 2),
            ("district", "South", 3),
            ("school", "1", 1),
            ("school", "2", 2),
            ("school", "3", 3),
        ]
    )
    p = places(school_series(att), u, None, att, RULES).set_index("urn")
    assert list(p.index) == [1, 2]
    assert (p.loc[1, "la_rank"], p.loc[1, "la_n"], p.loc[2, "la_rank"]) == (1, 2, 2)
    assert (p.loc[1, "district_rank"], p.loc[1, "district_n"], p.loc[1, "district_value"]) == (1, 2, 68.0)
    assert p.loc[2, "la_value"] == 69.6


def test_support_days_follow_a_converted_school_to_its_series_urn() -> None:
    days = pd.DataFrame(
        {
            "urn": [100, 200, 300],
            "year": [2016, 2016, 2017],
            "team": ["English", "Maths", "English"],
            "kind": ["statutory", "purchased", "purchased"],
            "days": [2.0, 1.5, 4.0],
        }
    )
    s = support_by_year(days, LINEAGE).set_index(["urn", "year"])
    assert (s.loc[(200, 2016), "statutory"], s.loc[(200, 2016), "purchased"], s.loc[(200, 2016), "total"]) == (2.0, 1.5, 3.5)
    assert s.loc[(300, 2017), "total"] == 4.0


def test_progress_limits_are_wide_by_subject_and_follow_a_converted_school() -> None:
    rows = [(100, 2016, "read_prog", 0.0), (100, 2016, "read_prog_lower", -1.0), (100, 2016, "read_prog_upper", 1.0),
            (200, 2017, "mat_prog_lower", 0.5), (200, 2017, "mat_prog_upper", 2.5), (300, 2017, "writ_prog_lower", -3.0),
            (300, 2017, "writ_prog_upper", np.nan), (300, 2017, "headline", 55.0)]  # fmt: skip
    results = pd.DataFrame(rows, columns=["urn", "year", "measure", "value"]).assign(source="f.csv", line=2)
    got = progress_limits(results, LINEAGE)
    assert got.columns.tolist() == ["urn", "year", "measure", "lower", "upper"]
    assert got.fillna(99.0).values.tolist() == [  # 100 is 200's predecessor; 300 has no published upper limit
        [200, 2016, "read_prog", -1.0, 1.0], [200, 2017, "mat_prog", 0.5, 2.5], [300, 2017, "writ_prog", -3.0, 99.0]]


def test_la_schools_are_series_urns_and_match_the_cheap_data_folder_listing(tmp_path: Path) -> None:
    # 100 converts to academy 200 (GIAS links); 300 is in LA 702.
    u = units([("la", "701", 100), ("la", "701", 200), ("la", "702", 300)])
    assert la_school_urns(u, LINEAGE, 701) == [200]
    (tmp_path / "ks2").mkdir()
    (tmp_path / "gias").mkdir()
    (tmp_path / "ks2" / "2016_x_ks2final.csv").write_text("\ufeffRECTYPE,LEA,URN\n1,701,100\n1,702,300\n", encoding="utf-8")
    (tmp_path / "ks2" / "2017_x_ks2final.csv").write_text("\ufeffRECTYPE,LEA,URN\n1,701,200\n1,702,300\n", encoding="utf-8")
    (tmp_path / "gias" / "links_x.csv").write_text(
        "URN,LinkURN,LinkName,LinkType,LinkEstablishedDate\n100,200,A,Successor,01-09-2016\n", encoding="cp1252"
    )
    assert data_folder_schools(tmp_path) == {701: [200], 702: [300]}


def test_executed_notebook_meets_the_render_contract_and_renders_html_only(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    data, meta = figure_output(fig, 1, "A line", "A rising line from 3 to 4.")
    nb = executed_notebook(
        {"title": "X: school profile", "kind": "school", "unit_id": "42", "year": 2025},
        [{"data": {"text/markdown": "# X\n\nHello."}}, {"data": data, "metadata": meta}],
    )
    path = write_notebook(nb, tmp_path / "school-42.ipynb")
    markdown, got = notebook_to_markdown(path, tmp_path / "assets")
    assert got["unit_id"] == "42" and "Hello." in markdown and (tmp_path / "assets" / "fig-1.png").is_file()
    report = render_report(path, tmp_path / "out", engine="pandoc", html_only=True)
    assert report.slug == "school-42-2025" and report.pdf is None and report.docx is None
    assert not list((tmp_path / "out").glob("*.pdf"))
    assert json.loads((tmp_path / "out" / "report.json").read_text())["pdf"] is None
    assert RenderedReport.from_manifest(tmp_path / "out").pdf is None


@pytest.mark.slow
def test_demo_partnership_report_links_each_school_to_a_rendered_profile(tmp_path: Path) -> None:
    """Demo data through every stage: the CL01 report and one member's profile, with the link between them."""
    from keystage.ingest import ingest
    from keystage.narrate import narrate
    from keystage.partnership_stage import run_partnerships
    from keystage.publish.site import build_site
    from keystage.stages import measure
    from keystage.synth import write_demo

    standards = load_standards()
    write_demo(tmp_path / "data", scale="la", seed=2013)
    ingest(tmp_path / "data", tmp_path / "canonical")
    measure(tmp_path / "canonical", tmp_path / "measures", standards)
    spells = run_partnerships(tmp_path / "canonical", tmp_path / "measures", tmp_path / "partnerships", standards)["spells"]
    urn = int(spells.loc[spells["partnership_id"] == "CL01", "urn"].iloc[0])
    common = {"work_dir": str(tmp_path), "la_code": 701, "standards_path": "config/standards.yaml"}
    narrate(
        "analysis/partnership_report.py",
        tmp_path / "nb" / "p.ipynb",
        common | {"kind": "partnership", "unit_id": "CL01", "downloads_dir": str(tmp_path / "nb" / "p_data")},
    )
    narrate(
        "analysis/school_profile.py",
        tmp_path / "nb" / "s.ipynb",
        common | {"kind": "school", "unit_id": str(urn), "profiles_dir": str(tmp_path / "nb" / "profiles")},
    )
    report = render_report(
        tmp_path / "nb" / "p.ipynb", tmp_path / "r" / "p", engine="pandoc", data_dir=tmp_path / "nb" / "p_data"
    )
    profile = render_report(tmp_path / "nb" / "s.ipynb", tmp_path / "r" / "s", engine="pandoc", html_only=True)
    assert profile.meta["kind"] == "school" and profile.slug == f"school-{urn}-{report.meta['year']}"
    build_site([report, profile], tmp_path / "site")
    page = (tmp_path / "site" / "reports" / report.slug / "index.html").read_text(encoding="utf-8")
    href = profile_href(urn, int(report.meta["year"]))
    assert f'href="{href}"' in page
    assert (tmp_path / "site" / "reports" / report.slug / href).resolve().is_file()
    index = json.loads((tmp_path / "site" / "search-index.json").read_text(encoding="utf-8"))
    assert any(entry["kind"] == "school" and entry["unit_name"] == profile.meta["unit_name"] for entry in index)
    school = (tmp_path / "site" / "reports" / profile.slug / "index.html").read_text(encoding="utf-8")
    # the headline chart and the progress chart with its intervals, each marking the years with no tests
    assert "headline measure by year against the LA" in school and "progress scores in reading, writing and maths" in school
    assert school.count("There were no Key Stage 2 tests in 2020 and 2021: the shaded band marks the gap") == 2
