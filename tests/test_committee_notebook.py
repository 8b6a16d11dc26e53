"""End to end: the committee-report notebook run by keystage.narrate on the demo data, for the LA and a district."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from keystage.ingest import ingest
from keystage.narrate import narrate
from keystage.rounding import round_half_up
from keystage.stages import measure
from keystage.synth.demo import write_demo

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "analysis" / "committee_report.py"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo data generated, ingested and measured, and the notebook executed for Wessex (701) and Avonford."""
    root = tmp_path_factory.mktemp("committee")
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
        paths = {k: f.result() for k, f in done.items()}
    return {
        **paths,
        "work": root / "work",
        "downloads-la": root / "downloads" / "la",
        "downloads-district": root / "downloads" / "district",
    }


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


@pytest.mark.parametrize("kind", ["la", "district"])
def test_notebook_runs_clean_with_metadata_and_contiguous_tables(executed: dict[str, Path], kind: str) -> None:
    nb = json.loads(executed[kind].read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    meta = nb["metadata"]["keystage"]
    assert meta["kind"] == kind and meta["la_code"] == 701 and meta["year"] == 2025
    assert meta["cover"]["council"] == "Wessex County Council"
    if kind == "la":
        assert meta["title"] == "Key Stage 2: the Wessex story 2025"
    else:
        assert meta["title"] == "Key Stage 2 in Avonford: 2025"
    numbers = [int(n) for n in re.findall(r"^\*\*Table (\d+):", markdown_of(nb), flags=re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8
    figures = [o["metadata"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert [f["caption"].split(":")[0] for f in figures] == [f"Figure {i}" for i in range(1, len(figures) + 1)]
    assert all(f["alt"] for f in figures)
    downloads = executed[f"downloads-{kind}"]
    assert len(meta["downloads"]) == len(numbers)
    for item in meta["downloads"]:
        path = downloads / item["path"]
        assert path.is_file() and path.with_name(path.name.replace(".csv", ".meta.csv")).is_file()
        assert pd.read_csv(path, dtype=str).columns[:5].tolist() == [
            "time_period",
            "time_identifier",
            "geographic_level",
            "country_code",
            "country_name",
        ]


def test_la_headline_matches_the_measure(executed: dict[str, Path]) -> None:
    nb = json.loads(executed["la"].read_text(encoding="utf-8"))
    text = markdown_of(nb)
    table1 = text.split("**Table 1:")[1].split("\n\n")[1]
    header, _, *rows = table1.splitlines()
    columns = [c.strip() for c in header.strip("|").split("|")]
    last = [c.strip() for c in rows[-1].strip("|").split("|")]
    att = pd.read_parquet(
        executed["work"] / "measures" / "attainment.parquet",
        filters=[("unit_type", "==", "la"), ("unit_id", "==", "701"), ("measure", "==", "headline"), ("year", "==", 2025)],
    )
    assert last[0] == "2025"
    assert last[columns.index("RWM")] == f"{round_half_up(float(att['value'].iloc[0])):.0f}"
