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

from keystage.downloads import attainment_column, eligible
from keystage.errors import InputError
from keystage.narrate import report_metadata
from keystage.opendata import (
    ANCILLARY_PREFIX,
    Indicator,
    ees_frame,
    ees_meta,
    filter_defaults,
    la_geography,
    planning_area_code,
    snake,
    write_ees,
)
from keystage.present.sections import Block, Context, Figure, Table, Text, report_meta
from keystage.present.tables import Numbering
from keystage.present.unit import load_unit
from keystage.reportconfig import load_report_config
from keystage.standards import load_standards

ANCILLARY_TABLES = ("provenance", "rejects")  # records of the inputs, published beside the data, not statistics
ERAS = ("expected", "levels_em", "levels_rwm")
COMPARATORS = ("_diff_national", "_national", "_region", "_sn_mean")


def dfe_column(name: str, era: str, headline: bool) -> str:
    """A table column by DfE's EES name where DfE publishes the same indicator ("read" -> pt_read_met_expected_standard,
    "headline_national" -> pt_rwm_met_expected_standard_national; a headline table's pupils -> t_rwm_eligible_pupils),
    otherwise the column's own name in snake_case."""
    if name == "pupils" and headline:
        return eligible("rwm").name
    base, suffix = next(((name[: -len(c)], c) for c in COMPARATORS if name.endswith(c)), (name, ""))
    try:
        return attainment_column(base, era)[3].name + suffix
    except KeyError:
        return snake(name)


def ees_table(table: Table, ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table's tidy data as an EES data file and its meta file, at the unit's geographic level: the LA, or a
    district as a planning area (the standard's level for an LA's own groups of schools)."""
    unit = ctx.unit
    geography = la_geography(unit.schools, unit.la_code)
    level = "Local authority"
    if unit.kind != "la":
        level = "Planning area"
        geography |= {"planning_area_code": planning_area_code(unit.la_code, unit.unit_id), "planning_area_name": unit.unit_name}
    era = next((e for e in ERAS if table.key.endswith(e)), "expected")
    names: dict[str, str] = {}
    for i in table.indicators:  # a DfE name two columns would share (a subject shown twice) stays the table's own
        name = dfe_column(i.name, era, "headline" in table.data.columns)
        names[i.name] = snake(i.name) if name in names.values() or name in table.data.columns else name
    indicators = [Indicator(names[i.name], i.label, i.unit, i.dp) for i in table.indicators]
    frame = table.data.rename(columns=names)
    symbol = ctx.standards.disclosure.symbol
    status = pd.DataFrame(index=frame.index)
    for indicator in indicators:
        raw = frame[indicator.name].astype(object)
        hidden = raw.eq(symbol)
        status[indicator.name] = hidden.map({True: symbol, False: ""})
        frame[indicator.name] = pd.to_numeric(raw.where(~hidden), errors="coerce")
    filters = {f: label for f, label in table.filters.items() if frame[f].nunique() > 1}  # one item distinguishes nothing
    data = ees_frame(frame, level, geography, list(filters), indicators, status)
    return data, ees_meta(filters, indicators, filter_defaults(frame, list(filters)))


def ancillary_table(table: Table) -> pd.DataFrame:
    """A record table (provenance, rejects) as a plain CSV with snake_case headers: documented, not EES statistics."""
    return table.data.drop(columns="year", errors="ignore").rename(columns=snake)


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
        """Write the table's EES CSV and .meta.csv and list it among the downloads; a record table (provenance,
        rejects) and a district's tables are ancillary files."""
        label = f"Table {table.number}: {table.caption}"
        if table.key in ANCILLARY_TABLES:
            path = self.downloads_dir / f"{ANCILLARY_PREFIX}{table.key}.csv"
            ancillary_table(table).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
            self.downloads.append({"label": f"{label} (ancillary file: a record of the inputs, not statistics)",
                                   "path": path.name})
            return
        if self.ctx.unit.kind != "la":  # a district's rows alone: EES's table tool ignores planning areas, so ancillary
            data, meta = ees_table(table, self.ctx)
            data_path, _ = write_ees(data, meta, self.downloads_dir / f"{ANCILLARY_PREFIX}table-{table.number}-{table.key}")
            self.downloads.append({"label": f"{label} (ancillary file: the district's rows, in the EES layout)",
                                   "path": data_path.name})
            return
        data, meta = ees_table(table, self.ctx)
        data_path, _ = write_ees(data, meta, self.downloads_dir / f"table-{table.number}-{table.key}")
        self.downloads.append({"label": label, "path": data_path.name})

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
    config = load_report_config(reports_dir, int(la_code))
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
