"""End to end: the committee-report notebook run by keystage.narrate on the demo data, for the LA and a district."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from keystage.eesvalidate import is_ancillary, validate_pair
from keystage.ingest import ingest
from keystage.narrate import narrate
from keystage.rounding import round_half_up
from keystage.stages import measure
from keystage.synth.demo import write_demo

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "analysis" / "committee_report.py"
pytestmark = pytest.mark.slow


def run_reports(root: Path) -> dict[str, Path]:
    """The demo data generated, ingested and measured, and the notebook executed for Wessex (701) and Avonford."""
    write_demo(root / "data")
    ingest(root / "data", root / "work" / "canonical")
    measure(root / "work" / "canonical", root / "work" / "measures")
    common = {
        "work_dir": str(root / "work"),
        "reports_dir": str(REPO / "config" / "reports"),
        "standards_path": str(REPO / "config" / "standards.yaml"),
        "la_code": 701,
        "first_year": None,
        "last_year": None,
    }
    runs = {
        "la": {**common, "kind": "la", "unit_id": "701", "downloads_dir": str(root / "downloads" / "la")},
        "district": {**common, "kind": "district", "unit_id": "Avonford", "downloads_dir": str(root / "downloads" / "district")},
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = {k: pool.submit(narrate, NOTEBOOK, root / f"{k}.ipynb", p, REPO) for k, p in runs.items()}
        return {k: f.result() for k, f in done.items()}


def markdown_of(nb: dict) -> str:
    """Every Markdown cell and text/markdown output of an executed notebook, in order."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                parts.append("".join(data["text/markdown"]))
    return "\n\n".join(parts)


def check_report(nb: dict, kind: str, title: str, downloads: Path) -> None:
    """No errors; the keystage metadata; tables and figures numbered 1..N; every download written."""
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    meta = nb["metadata"]["keystage"]
    assert (meta["kind"], meta["la_code"], meta["year"], meta["title"]) == (kind, 701, 2025, title)
    assert meta["cover"]["council"] == "Wessex County Council"
    numbers = [int(n) for n in re.findall(r"^\*\*Table (\d+):", markdown_of(nb), flags=re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8
    figures = [o["metadata"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert [f["caption"].split(":")[0] for f in figures] == [f"Figure {i}" for i in range(1, len(figures) + 1)]
    assert figures and all(f["alt"] for f in figures)
    assert len(meta["downloads"]) == len(numbers)
    for item in meta["downloads"]:
        path = downloads / item["path"]
        if is_ancillary(path):  # provenance, rejects, a district's tables: labelled as ancillary files
            assert "ancillary" in item["label"] and (kind == "district" or path.name.endswith(("provenance.csv", "rejects.csv")))
            continue
        assert validate_pair(path) == [], path.name  # an EES data file with its .meta.csv, by the open data standard


def table_1_last_row(nb: dict) -> dict[str, str]:
    """The last row of Table 1 as {column: cell}."""
    table = markdown_of(nb).split("**Table 1:")[1].split("\n\n")[1]
    header, _, *rows = table.splitlines()
    cells = [c.strip() for c in rows[-1].strip("|").split("|")]
    return dict(zip([c.strip() for c in header.strip("|").split("|")], cells, strict=True))


def test_committee_report_end_to_end(tmp_path: Path) -> None:
    """One test (so xdist runs the pipeline once): the LA and a district report from the demo data."""
    notebooks = run_reports(tmp_path)
    la = json.loads(notebooks["la"].read_text(encoding="utf-8"))
    district = json.loads(notebooks["district"].read_text(encoding="utf-8"))
    check_report(la, "la", "Key Stage 2: the Wessex story 2025", tmp_path / "downloads" / "la")
    check_report(district, "district", "Key Stage 2 in Avonford: 2025", tmp_path / "downloads" / "district")
    att = pd.read_parquet(
        tmp_path / "work" / "measures" / "attainment.parquet",
        filters=[("unit_type", "==", "la"), ("unit_id", "==", "701"), ("measure", "==", "headline"), ("year", "==", 2025)],
    )
    row = table_1_last_row(la)
    assert row["Year"] == "2025"
    assert row["RWM"] == f"{round_half_up(float(att['value'].iloc[0])):.0f}"
    assert table_1_last_row(district)["Wessex RWM"] == row["RWM"]  # the district is benchmarked against its LA
