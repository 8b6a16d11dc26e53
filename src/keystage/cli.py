"""The `keystage` command line: demo data, ingest, measures, build and validation."""

from __future__ import annotations

import typer

app = typer.Typer(help="Reproducible Key Stage 2 reports for English local authorities.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """keystage: from DfE files and an LA's own records to committee reports and a website."""
