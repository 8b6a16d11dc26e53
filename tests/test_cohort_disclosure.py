"""Build the demo's cohort outputs (tables, the LA report and one primary's page) and scan every file written
for pupil identifiers and for any group under the minimum size left visible."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pandas as pd
import pytest
from attack import known_counts, recovered, true_counts
from pypdf import PdfReader

from keystage.cohort_stage import run_cohorts
from keystage.ingest import ingest
from keystage.measures.cohorts import band_of, load_cohort_rules, pupil_flags
from keystage.narrate import narrate
from keystage.render.engine import render_report
from keystage.stages import measure
from keystage.standards import load_standards
from keystage.synth import write_demo

REPO = Path(__file__).resolve().parents[1]
RULES = load_standards().disclosure
COUNT_COLUMNS = ("pupils", "not_traced", "traced")
BANDS = [b.label for b in load_cohort_rules().bands]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo data, its canonical tables and cohort tables, the LA cohort report and one school page, rendered."""
    root = tmp_path_factory.mktemp("cohort")
    data, work = root / "data", root / "work"
    write_demo(data, scale="la", seed=2013)
    ingest(data, work / "canonical")
    run_cohorts(work / "canonical", work / "cohorts")
    measure(work / "canonical", work / "measures")  # the schools' LAESTAB and LA codes the downloads carry
    urn = int(pd.read_parquet(work / "cohorts" / "schools.parquet")["ks2_urn"].iloc[0])
    for page, kind, unit in (("la", "cohort", "701"), (f"school-{urn}", "school", str(urn))):
        params = {"work_dir": str(work), "la_code": 701, "kind": kind, "unit_id": unit,
                  "standards_path": str(REPO / "config" / "standards.yaml"), "reports_dir": str(REPO / "config" / "reports"),
                  "downloads_dir": str(work / "notebooks" / f"{page}_data")}
        nb = narrate(REPO / "analysis" / "cohort_report.py", work / "notebooks" / f"{page}.ipynb", params, cwd=REPO)
        render_report(nb, work / "rendered" / page, engine="pandoc", data_dir=work / "notebooks" / f"{page}_data")
    return {"data": data, "work": work}


def file_text(path: Path) -> str:
    """Everything a reader of the file could see, as text."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if path.suffix == ".parquet":
        return pd.read_parquet(path).to_csv(index=False)
    if path.suffix == ".png":
        return ""
    return path.read_text(encoding="utf-8")


def published_files(work: Path) -> list[Path]:
    return sorted(p for folder in ("cohorts", "notebooks", "rendered") for p in (work / folder).rglob("*") if p.is_file())


def test_no_pupil_identifier_in_any_file(build):
    ids = set(pd.read_csv(build["data"] / "la" / "pupils.csv", dtype=str)["pupil_id"])
    files = published_files(build["work"])
    assert {p.suffix for p in files} >= {".parquet", ".ipynb", ".html", ".pdf", ".docx", ".csv"}
    for path in files:
        found = ids & set(re.findall(r"[A-Za-z0-9_]+", file_text(path)))
        assert not found, f"{path} holds pupil ids {sorted(found)[:3]}"


def test_no_pupil_rows_in_cohort_tables(build):
    pupils = pd.read_csv(build["data"] / "la" / "pupils.csv")
    for path in (build["work"] / "cohorts").glob("*.parquet"):
        columns = set(pd.read_parquet(path).columns)
        assert not columns & {"pupil_id", "ks2_read_score", "ks4_eng_grade", "ks2_writ_ta"}, path
        assert len(pd.read_parquet(path)) < len(pupils) / 5, path


def small_visible(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return values[(numbers >= 1) & (numbers < RULES.min_group)]


def test_no_visible_count_under_the_minimum_in_tables_or_csv(build):
    work = build["work"]
    checked = 0
    for path in [*(work / "cohorts").glob("*.parquet"), *(work / "rendered").rglob("*.csv")]:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
        for column in [c for c in COUNT_COLUMNS if c in table.columns]:
            checked += 1
            assert small_visible(table[column]).empty, f"{path.name}: {column} shows {small_visible(table[column]).tolist()[:5]}"
    assert checked >= 8


def test_percentages_only_where_the_group_is_big_enough(build):
    cohorts = build["work"] / "cohorts"
    for name in ("destinations", "secondaries", "moved_together"):
        table = pd.read_parquet(cohorts / f"{name}.parquet")
        shown = table[table["pct_em4"].notna()]
        assert (shown["pupils"] >= RULES.min_group).all(), name
    schools = pd.read_parquet(cohorts / "schools.parquet")
    shown = schools[schools["ks4_pct_rwm_em4"].notna()]
    assert (shown["traced"] >= RULES.min_group).all()  # the percentages' denominator, published beside them


def test_no_hidden_count_of_the_demo_can_be_worked_out(build):
    """A reader of every cohort table (taking each visible percentage as giving its denominator away) recovers
    no hidden count by chained subtraction along the tables' lines, across tables or across cohorts."""
    pupils = pd.read_parquet(build["work"] / "canonical" / "pupils.parquet")
    flags = pupil_flags(pupils, load_cohort_rules())
    bands = band_of(flags["moved_together"], load_cohort_rules().bands).where(flags["traced"])
    tables = {name: pd.read_parquet(build["work"] / "cohorts" / f"{name}.parquet") for name in
              ("schools", "destinations", "secondaries", "la", "school_groups", "moved_together")}
    known, hidden = known_counts(tables, true_counts(flags, bands), BANDS)
    assert len(hidden) > 1000 and len(known) > 3000
    assert recovered(tables, true_counts(flags, bands), BANDS, by_rank=False) == {}


def test_reports_carry_the_npd_disclaimer_and_kinds(build):
    rendered = build["work"] / "rendered"
    kinds = set()
    for manifest in rendered.glob("*/report.json"):
        meta = json.loads(manifest.read_text(encoding="utf-8"))["meta"]
        kinds.add(meta["kind"])
        html = (manifest.parent / "index.html").read_text(encoding="utf-8")
        assert "The Data Controller of the NPD is the Department for Education (DfE)" in html
        pdf = " ".join(file_text(next(manifest.parent.glob("*.pdf"))).split())
        assert "does not accept responsibility for any inferences or conclusions derived from the NPD data" in pdf
    assert kinds == {"cohort", "school"}


def test_pages_written_in_one_kernel_match_a_page_narrated_alone(build, tmp_path):
    """The batch mode (unit_id "all") writes for each primary the same page as narrating that primary alone."""
    from keystage.cohort_stage import cohort_tables
    from keystage.render.notebook import notebook_to_markdown

    pupils = pd.read_parquet(build["work"] / "canonical" / "pupils.parquet")
    two = pupils[pupils["ks2_urn"].isin(sorted(pupils["ks2_urn"].unique())[:2])]
    (tmp_path / "cohorts").mkdir()
    for name, frame in cohort_tables({"pupils": two}, load_cohort_rules(), RULES).items():
        frame.to_parquet(tmp_path / "cohorts" / f"{name}.parquet", index=False)
    shutil.copytree(build["work"] / "measures", tmp_path / "measures")  # the schools' LAESTAB for the downloads
    urn = int(two["ks2_urn"].min())
    base = {"work_dir": str(tmp_path), "la_code": 701, "kind": "school",
            "standards_path": str(REPO / "config" / "standards.yaml")}
    narrate(REPO / "analysis" / "cohort_report.py", tmp_path / "all.ipynb",
            {**base, "unit_id": "all", "pages_dir": str(tmp_path / "pages")}, cwd=REPO)
    alone = narrate(REPO / "analysis" / "cohort_report.py", tmp_path / "alone.ipynb",
                    {**base, "unit_id": str(urn), "downloads_dir": str(tmp_path / "alone_data")}, cwd=REPO)
    written = sorted(p.name for p in (tmp_path / "pages").glob("*.ipynb"))
    assert written == [f"school-{u}.ipynb" for u in sorted(two["ks2_urn"].unique())]
    batch = notebook_to_markdown(tmp_path / "pages" / f"school-{urn}.ipynb", tmp_path / "a" / "assets")
    single = notebook_to_markdown(alone, tmp_path / "b" / "assets")
    assert batch == single
    figures = [(tmp_path / side / "assets" / "fig-1.png").read_bytes() for side in ("a", "b")]
    assert figures[0] == figures[1]
    assert (tmp_path / "pages" / f"school-{urn}_data" / f"cohort_{urn}.csv").read_text() == (
        tmp_path / "alone_data" / f"cohort_{urn}.csv").read_text()
