"""Notebook side of the reports: display section blocks and write each table's EES download.

`open_report` gathers a unit's data, the standards and the officers' config into a `Presenter`;
`Presenter.show(blocks)` displays Markdown, tables (caption line + pipe table) and figures (PNG with
alt text and caption in the output metadata, as keystage.render.notebook expects), writing every
table as an EES CSV with its .meta.csv under the downloads folder; `Presenter.publish()` hands the
report metadata, with the list of downloads, to the renderers.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from keystage.errors import InputError
from keystage.narrate import report_metadata
from keystage.opendata import ees_frame, ees_meta, write_ees
from keystage.present.sections import Block, Context, Figure, Table, Text, report_meta
from keystage.present.tables import Numbering
from keystage.present.unit import load_unit
from keystage.reportconfig import load_report_config, slug
from keystage.standards import load_standards
from keystage.units import la_name


def la_name_of(work_dir: str | Path, la_code: int) -> str:
    """The LA's name from the measure stage's school list ("LA <code>" when it has none)."""
    schools = pd.read_parquet(Path(work_dir) / "measures" / "schools.parquet", filters=[("la_code", "==", int(la_code))])
    return la_name(schools, int(la_code))


def ees_table(table: Table, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table's tidy data as an EES data file and its meta file, at the unit's geographic level."""
    unit = ctx.unit
    if unit.kind == "la":
        level = "Local authority"
        geography = {
            "region_name": unit.region_name,
            "old_la_code": str(unit.la_code),
            "new_la_code": "",
            "la_name": unit.la_name,
        }
    else:
        level = "Local authority district"
        geography = {
            "old_la_code": str(unit.la_code),
            "la_name": unit.la_name,
            "lad_code": slug(unit.unit_id),
            "lad_name": unit.unit_name,
        }
    frame = table.data.copy()
    symbol = ctx.standards.disclosure.symbol
    status = pd.DataFrame(index=frame.index)
    for indicator in table.indicators:
        raw = frame[indicator.name].astype(object)
        hidden = raw.eq(symbol)
        status[indicator.name] = hidden.map({True: symbol, False: ""})
        frame[indicator.name] = pd.to_numeric(raw.where(~hidden), errors="coerce")
    data = ees_frame(frame, level, geography, list(table.filters), table.indicators, status)
    return data, ees_meta(table.filters, table.indicators)


@dataclass
class Presenter:
    """Displays a report's blocks in order and keeps the list of downloads written."""

    ctx: Context
    downloads_dir: Path
    config_files: dict[str, Path]
    downloads: list[dict[str, str]] = field(default_factory=list)

    def show(self, blocks: list[Block]) -> None:
        """Display each block: Markdown as text/markdown, tables with their download, figures as PNG."""
        from IPython.display import display

        for block in blocks:
            if isinstance(block, Text):
                display({"text/markdown": block.markdown}, raw=True)
            elif isinstance(block, Table):
                display({"text/markdown": block.markdown()}, raw=True)
                self.write(block)
            elif isinstance(block, Figure):
                meta = {"image/png": {"alt": block.alt, "caption": f"Figure {block.number}: {block.caption}"}}
                display({"image/png": base64.b64encode(block.png).decode("ascii")}, raw=True, metadata=meta)

    def write(self, table: Table) -> None:
        """Write the table's EES CSV and .meta.csv and list it among the downloads."""
        data, meta = ees_table(table, self.ctx)
        data_path, _ = write_ees(data, meta, self.downloads_dir / f"table-{table.number}-{table.key}")
        self.downloads.append({"label": f"Table {table.number}: {table.caption}", "path": data_path.name})

    def publish(self) -> None:
        """Publish the report metadata (cover, titles, downloads) for the renderers."""
        report_metadata(report_meta(self.ctx, self.downloads))


def open_report(
    work_dir: str | Path,
    reports_dir: str | Path,
    standards_path: str | Path,
    la_code: int,
    kind: str,
    unit_id: str,
    first_year: int | None,
    last_year: int | None,
    downloads_dir: str | Path,
) -> Presenter:
    """Everything a report notebook needs from its parameters: the unit's data, standards, config, numbering."""
    standards = load_standards(standards_path)
    config = load_report_config(reports_dir, int(la_code), la_name_of(work_dir, la_code))
    first = first_year if first_year is not None else config.first_year
    last = last_year if last_year is not None else config.last_year
    unit = load_unit(work_dir, kind, str(unit_id), int(la_code), standards, first, last)
    if kind == "district":
        config = config.for_district(str(unit_id))
    if not unit.years:
        raise InputError(work_dir, None, "first_year, last_year", f"results for {kind} {unit_id} between {first} and {last}")
    files = {"Standards (thresholds, eras, rules)": Path(standards_path), "Report metadata": config.folder / "report.yaml"}
    downloads = Path(downloads_dir)
    downloads.mkdir(parents=True, exist_ok=True)
    return Presenter(Context(unit, standards, config, Numbering()), downloads, files)
