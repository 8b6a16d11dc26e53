"""The workflow's many small jobs (narrate, render, downloads), as Snakemake `run:` blocks call them.

`keystage build` runs Snakemake with --force-use-threads, so these run in threads of Snakemake's own
process: keystage, pandas and papermill are imported once per build rather than once per job, which
at England scale cost more than the work. Each job writes its log as the shell rules' redirected
output would: what it made, or the error and traceback when it failed.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the Snakefile imports this module when it is parsed, even for a build with nothing to render
    from keystage.render.engine import Engine


@contextmanager
def job_log(path: str | Path) -> Iterator[Callable[[str], None]]:
    """Collect a job's log lines and write them to `path` when it ends, with the traceback when it fails and
    the job's wall time (the per-job profile `make bench` points to)."""
    lines: list[str] = []
    start = time.perf_counter()
    try:
        yield lines.append
    except Exception:
        lines.append(traceback.format_exc())
        raise
    finally:
        lines.append(f"wall time {time.perf_counter() - start:.2f} s")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def narrate_job(notebook: str, output: str, parameters: dict[str, Any], log: str) -> None:
    """Execute a report notebook with its papermill parameters (on a warm kernel of the build's pool)."""
    from keystage.narrate import narrate

    with job_log(log) as say:
        narrate(notebook, output, parameters)
        say(f"executed {notebook} -> {output} with {parameters}")


def render_job(notebook: str, manifest: str, engine: Engine, log: str, data_dir: str | None = None,
               html_only: bool = False) -> None:
    """Render an executed notebook into the folder of its report.json `manifest`."""
    from keystage.render.engine import render_report

    with job_log(log) as say:
        report = render_report(Path(notebook), Path(manifest).parent, engine=engine,
                               data_dir=Path(data_dir) if data_dir else None, html_only=html_only)
        say(f"rendered {report.slug} with {report.engine}: {report.html}, {report.pdf}, {report.docx}")


def downloads_job(measures: str, la_code: int, standards: str, out: str, log: str, canonical: str | None = None) -> None:
    """Write one LA's measures (with its schools' published statuses from `canonical`) as EES open-data files."""
    from keystage.downloads import la_downloads
    from keystage.standards import load_standards

    with job_log(log) as say:
        written = la_downloads(measures, la_code, load_standards(standards), out, canonical)
        say(f"wrote {len(written)} files to {out}")
