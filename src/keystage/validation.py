"""Check everything a build reads (data folder, standards, report folders, the LAs asked for, the output folder)
before any work starts, so bad input is one message up front rather than a failure deep in the workflow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from keystage.errors import InputError, Rejects
from keystage.ingest import DataFolder, find_inputs, read_all
from keystage.reportcheck import check_report_folder
from keystage.standards import load_standards

STAMP = "validated.json"  # in the work folder: the data files a passing validation read, so a rebuild need not reread them


@dataclass(frozen=True)
class DataCheck:
    """What a data folder holds: its files, the rows of each canonical table, the rejects, the LAs with schools."""

    folder: DataFolder
    rows: dict[str, int]
    rejects: pd.DataFrame
    las: list[int]


def check_data(data_dir: str | Path) -> DataCheck:
    """Read every input file of a data folder as ingest would (an InputError for a wrongly shaped file)."""
    folder = find_inputs(data_dir)
    rejects = Rejects()
    tables = read_all(folder, rejects)
    las = sorted(int(code) for code in tables["school_years"]["la_code"].unique())
    return DataCheck(folder, {name: len(frame) for name, frame in sorted(tables.items())}, rejects.table(), las)


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


def data_signature(folder: DataFolder) -> list[list[object]]:
    """Each input file's path, size and modification time: what a stamp compares."""
    return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in folder.files()]


def check_build(
    data_dir: str | Path, las: list[int], reports_dir: str | Path, standards: str | Path, outputs: list[Path]
) -> None:
    """Everything `keystage build` reads and the folders it writes (work folder first), checked before it starts; the
    data files are reread only when they changed since the last validation that passed (ingest rereads them then)."""
    load_standards(standards)
    for folder in outputs:
        check_output(folder)
    for la in las:
        check_report_folder(reports_dir, la)
    stamp = Path(outputs[0]) / STAMP
    signature = data_signature(find_inputs(data_dir))
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == {"files": signature, "las": las}:
        return
    found = check_data(data_dir)
    check_las(las, found.las, data_dir)
    stamp.write_text(json.dumps({"files": signature, "las": las}), encoding="utf-8")
