"""Check everything a build reads (data folder, standards, report folders, the LAs asked for, the output folder)
before any work starts, so bad input is one message up front rather than a failure deep in the workflow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage.errors import InputError
from keystage.ingest import DataFolder, data_signature, find_inputs, read_folder, stage
from keystage.reportcheck import check_report_folder
from keystage.standards import load_standards

STAMP = "validated.json"  # in the work folder: the data files a validation read and their LAs, so a rebuild need not reread them
STAGED = "validated"  # in the work folder: the tables that validation read, for the workflow's ingest to take (see ingest.stage)


@dataclass(frozen=True)
class DataCheck:
    """What a data folder holds: its files, the rows of each canonical table, the rejects, the LAs with schools."""

    folder: DataFolder
    rows: dict[str, int]
    rejects: pd.DataFrame
    las: list[int]


def data_check(folder: DataFolder, tables: dict[str, pd.DataFrame]) -> DataCheck:
    """What the tables read from `folder` (see ingest.read_folder) hold."""
    las = sorted(int(code) for code in tables["school_years"]["la_code"].unique())
    rows = {name: len(frame) for name, frame in sorted(tables.items()) if name not in ("rejects", "provenance")}
    return DataCheck(folder, rows, tables["rejects"], las)


def check_data(data_dir: str | Path) -> DataCheck:
    """Read every input file of a data folder as ingest does (an InputError for a wrongly shaped file)."""
    folder = find_inputs(data_dir)
    return data_check(folder, read_folder(folder))


def check_las(wanted: list[int], found: list[int], data_dir: str | Path) -> None:
    """Stop when an LA asked for has no schools in the data folder's KS2 files."""
    unknown = [la for la in wanted if la not in found]
    if unknown:
        raise InputError(
            Path(data_dir) / "ks2",
            None,
            None,
            f"no schools of LA {', '.join(map(str, unknown))} in the KS2 files; they hold LA {', '.join(map(str, found))}",
        )


def check_output(folder: str | Path) -> None:
    """Stop unless `folder` can be created and written to (a read-only or full disk is found here, not mid-build)."""
    folder = Path(folder)
    probe = folder / ".keystage-write-test"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"\0" * 65536)
        probe.unlink()
    except OSError as err:
        raise InputError(
            folder, None, None, f"cannot write here ({err.strerror}); expected a writable folder with free space"
        ) from None


def check_build(
    data_dir: str | Path, las: list[int], reports_dir: str | Path, standards: str | Path, outputs: list[Path]
) -> None:
    """Everything `keystage build` reads and the folders it writes (work folder first), checked before it starts; the
    data files are read only when they changed since the last validation, and what was read is staged for the
    workflow's ingest so that it does not read them again."""
    load_standards(standards)
    for folder in outputs:
        check_output(folder)
    for la in las:
        check_report_folder(reports_dir, la)
    stamp = Path(outputs[0]) / STAMP
    data = find_inputs(data_dir)
    signature = data_signature(data)
    seen = json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else {}
    if seen.get("files") != signature:
        stamp.unlink(missing_ok=True)
        tables = read_folder(data)
        stage(tables, data, Path(outputs[0]) / STAGED)
        seen = {"files": signature, "las": data_check(data, tables).las}
        stamp.write_text(json.dumps(seen), encoding="utf-8")
    check_las(las, seen["las"], data_dir)
