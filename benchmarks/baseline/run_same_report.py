"""The naive baseline for the same report keystage builds: a loop over LAs, each on its own from the raw files.

For each LA in turn: read every raw input file (keystage's readers: the national KS2 files hold every LA),
keep that LA's schools, compute its measures, execute analysis/committee_report.py with papermill on a fresh
kernel and render it with the same back end (HTML, PDF, DOCX). Nothing is slowed on purpose: each LA's
measures are computed for its own schools only. What it lacks is what keystage adds: one shared ingest and
measure stage, warm kernels, jobs in one process, two cores.

Usage: run_same_report.py DATA_DIR OUT LA [LA ...]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import papermill

from keystage.errors import Rejects
from keystage.ingest import find_inputs, provenance, read_all, write_tables
from keystage.narrate import lift_metadata, load_notebook
from keystage.render.engine import render_report
from keystage.stages import measure
from keystage.standards import load_standards

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "analysis" / "committee_report.py"
STANDARDS = REPO / "config" / "standards.yaml"
PER_SCHOOL = ("school_years", "school_results")  # the national files' school rows, cut down to the LA's schools


def prepare(data_dir: Path, work: Path, la: int) -> None:
    """Read the raw files and write one LA's canonical and measure tables into `work`."""
    folder = find_inputs(data_dir)
    rejects = Rejects()
    tables = read_all(folder, rejects)
    urns = set(tables["school_years"].loc[tables["school_years"]["la_code"] == la, "urn"])
    tables.update({name: tables[name][tables[name]["urn"].isin(urns)] for name in PER_SCHOOL})
    tables["rejects"], tables["provenance"] = rejects.table(), provenance(folder)
    write_tables(tables, work / "canonical")
    measure(work / "canonical", work / "measures", load_standards(STANDARDS))


def run(data_dir: Path, out: Path, las: list[int]) -> None:
    """Prepare, execute and render the committee report of every LA in `las`, one after another, into `out`/<la>/."""
    for la in las:
        work = out / str(la)
        shutil.rmtree(work, ignore_errors=True)
        prepare(data_dir, work, la)
        executed = work / "report.ipynb"
        parameters = {"work_dir": str(work), "reports_dir": str(REPO / "config" / "reports"), "la_code": la,
                      "standards_path": str(STANDARDS), "kind": "la", "unit_id": str(la),
                      "downloads_dir": str(work / "data")}
        nb = papermill.execute_notebook(load_notebook(NOTEBOOK), str(executed), parameters=parameters,
                                        kernel_name="python3", progress_bar=False, cwd=str(REPO))
        nbformat.write(lift_metadata(nb), executed)
        render_report(executed, work / "rendered", engine="pandoc", data_dir=work / "data")


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), [int(code) for code in sys.argv[3:]])
