"""The naive baseline: for each LA, execute naive_la_report.py with papermill (a fresh kernel each, as a loop over
LAs would) and render it with keystage's back end. Usage: run_baseline.py DATA_DIR OUT LA [LA ...]."""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
import papermill

from keystage.narrate import lift_metadata
from keystage.render.engine import render_report

NOTEBOOK = Path(__file__).with_name("naive_la_report.py")


def run(data_dir: Path, out: Path, las: list[int]) -> None:
    """Execute and render the baseline report of every LA in `las` into `out`/<la>/."""
    source = jupytext.read(NOTEBOOK)
    for la in las:
        executed = out / str(la) / "report.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        nb = papermill.execute_notebook(source, str(executed), parameters={"la_code": la, "data_dir": str(data_dir)},
                                        kernel_name="python3", progress_bar=False)
        nbformat.write(lift_metadata(nb), executed)
        render_report(executed, out / str(la) / "rendered", engine="pandoc")


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), [int(code) for code in sys.argv[3:]])
