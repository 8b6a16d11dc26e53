"""The `keystage` command line: demo data, ingest, measures, build and validation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Reproducible Key Stage 2 reports for English local authorities.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """keystage: from DfE files and an LA's own records to committee reports and a website."""


DEMO_DIRS = {"la": "data/demo", "england": "data/demo-england"}


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="la: one county LA's schools; england: all 152 LAs' schools.")] = "la",
    out: Annotated[Path | None, typer.Option(help="Folder to write (default data/demo, or data/demo-england).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes byte-identical files.")] = 2013,
) -> None:
    """Write a synthetic data folder in DfE's published formats (KS2, KS4, LAIT, GIAS, LA records)."""
    from keystage.synth import write_demo
    from keystage.synth.demo import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"expected one of {', '.join(SCALES)}", param_hint="--scale")
    target = out if out is not None else Path(DEMO_DIRS[scale])
    written = write_demo(target, scale=scale, seed=seed)
    for path in written:
        typer.echo(str(path))
    typer.echo(f"wrote {len(written)} files to {target}")
