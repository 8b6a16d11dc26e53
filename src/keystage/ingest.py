"""Stage 1: read a data folder laid out like DfE's downloads into validated canonical Parquet tables.

Every reader adds what it cannot use to one Rejects collector, written beside the tables, so each
report's data notes can say what was left out and why. `keystage build` reads the folder once, in the
validation it runs before the workflow, and stages the tables it read; the workflow's ingest then takes the
staged tables when the data files are still the ones they were read from, instead of reading them again.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage.checksums import sha256
from keystage.errors import InputError, Rejects
from keystage.io import gias, ks2, ks4, la_records, lait, neighbours
from keystage.io.files import matching
from keystage.lineage import resolve_lineage

STAGED_SIGNATURE = "signature.json"  # in a staging folder: the input files its tables were read from


@dataclass(frozen=True)
class DataFolder:
    """The input files found in a data folder (see data/README.md for the layout)."""

    root: Path
    ks2: list[Path]
    ks4: list[Path]
    lait: Path | None
    neighbours: Path | None
    la_codes: Path | None
    establishments: Path | None
    links: Path | None
    la_dir: Path | None

    def files(self) -> list[Path]:
        """Every input file, sorted, for provenance."""
        found = [*self.ks2, *self.ks4, self.lait, self.neighbours, self.la_codes, self.establishments, self.links]
        if self.la_dir is not None:
            found += matching(self.la_dir, "*.csv")
        return sorted(p for p in found if p is not None)


def _one(root: Path, pattern: str) -> Path | None:
    """The one file matching `pattern` ("folder/name-glob", any letter case), None when absent; several stop the run."""
    folder, _, name = pattern.rpartition("/")
    matches = matching(root / folder, name)
    if len(matches) > 1:
        raise InputError(
            root, None, None, f"expected one file matching {pattern}, found {len(matches)}: {[m.name for m in matches]}"
        )
    return matches[0] if matches else None


def find_inputs(root: str | Path) -> DataFolder:
    """Find the input files of a data folder; it must hold at least one KS2 file."""
    root = Path(root)
    ks2_files = matching(root / "ks2", "*_ks2final.csv")
    if not ks2_files:
        raise InputError(
            root / "ks2", None, None, "no KS2 performance tables found; expected files named {year}_{tag}_ks2final.csv"
        )
    return DataFolder(
        root=root,
        ks2=ks2_files,
        ks4=matching(root / "ks4", "*_ks4final.csv"),
        lait=_one(root, "lait/lait_ks2.csv"),
        neighbours=_one(root, "lait/statistical_neighbours*.xlsx"),
        la_codes=_one(root, "meta/la_and_region_codes.csv"),
        establishments=_one(root, "gias/gias_*.csv"),
        links=_one(root, "gias/links_*.csv"),
        la_dir=root / "la" if (root / "la").is_dir() else None,
    )


def read_all(folder: DataFolder, rejects: Rejects) -> dict[str, pd.DataFrame]:
    """Read every input present into canonical tables, keyed by table name."""
    ks2_tables = ks2.read_ks2_files(folder.ks2, rejects)
    tables: dict[str, pd.DataFrame] = {
        "school_years": ks2_tables.school_years,
        "school_results": ks2_tables.results,
        "published_aggregates": ks2_tables.aggregates,
    }
    if folder.ks4:
        tables["ks4_results"] = ks4.read_ks4_files(folder.ks4, rejects).results
    if folder.lait is not None:
        tables["benchmarks"] = lait.read_lait(folder.lait, rejects)
    if folder.neighbours is not None:
        tables["stat_neighbours"] = neighbours.read_stat_neighbours(folder.neighbours, rejects)
    if folder.la_codes is not None:
        tables["la_codes"] = neighbours.read_la_codes(folder.la_codes)
    if folder.establishments is not None:
        tables["establishments"] = gias.read_establishments(folder.establishments, rejects)
    urns = tables["school_years"]["urn"].unique()
    if folder.links is not None:
        links = gias.read_links(folder.links, rejects)
        tables["urn_links"] = links
        tables["lineage"], tables["lineage_issues"] = resolve_lineage(links, urns)
    if folder.la_dir is not None:
        known = set(urns) | set(tables["establishments"]["urn"] if "establishments" in tables else [])
        tables.update(la_records.read_la_records(folder.la_dir, rejects, known))
    return tables


def provenance(folder: DataFolder) -> pd.DataFrame:
    """Each input file with its path relative to the data folder, size and SHA-256."""
    rows = [{"file": str(p.relative_to(folder.root)), "bytes": p.stat().st_size, "sha256": sha256(p)} for p in folder.files()]
    return pd.DataFrame(rows, columns=["file", "bytes", "sha256"])


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write each table as Parquet (deterministic: no pandas index, rows as given), replacing atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in sorted(tables.items()):
        target = out_dir / f"{name}.parquet"
        partial = target.with_suffix(".parquet.partial")
        frame.reset_index(drop=True).to_parquet(partial, index=False)
        partial.replace(target)
        written.append(target)
    return written


def data_signature(folder: DataFolder) -> list[list[object]]:
    """Each input file's path, size and modification time: what tells whether tables read earlier are still current."""
    return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in folder.files()]


def read_folder(folder: DataFolder) -> dict[str, pd.DataFrame]:
    """Every canonical table of a data folder with its rejects and provenance: one read of every input file."""
    rejects = Rejects()
    tables = read_all(folder, rejects)
    tables["rejects"] = rejects.table()
    tables["provenance"] = provenance(folder)
    return tables


def stage(tables: dict[str, pd.DataFrame], folder: DataFolder, staged_dir: Path) -> None:
    """Write tables read from `folder` to `staged_dir` with the signature of the files they were read from."""
    shutil.rmtree(staged_dir, ignore_errors=True)
    write_tables(tables, staged_dir)
    (staged_dir / STAGED_SIGNATURE).write_text(json.dumps(data_signature(folder)), encoding="utf-8")


def take_staged(folder: DataFolder, staged_dir: Path, out_dir: Path) -> bool:
    """Move the staged tables into `out_dir` when they were read from the files `folder` holds now (True), else
    leave them (False): the signature goes first, so a half-taken stage is never taken again."""
    signature = staged_dir / STAGED_SIGNATURE
    if not signature.is_file() or json.loads(signature.read_text(encoding="utf-8")) != data_signature(folder):
        return False
    signature.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    for table in matching(staged_dir, "*.parquet"):
        table.replace(out_dir / table.name)
    return True


def ingest(data_dir: str | Path, out_dir: str | Path, staged_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Read a data folder and write its canonical tables, rejects and provenance to `out_dir`; tables staged in
    `staged_dir` (see stage) are taken instead of reading the files again when those files have not changed."""
    folder, out_dir = find_inputs(data_dir), Path(out_dir)
    if staged_dir is not None and take_staged(folder, Path(staged_dir), out_dir):
        return {p.stem: pd.read_parquet(p) for p in matching(out_dir, "*.parquet")}
    tables = read_folder(folder)
    write_tables(tables, out_dir)
    return tables
