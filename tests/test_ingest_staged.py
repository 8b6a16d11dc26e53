"""`keystage build` reads the data folder once: its validation stages the tables, the workflow's ingest takes them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from keystage import ingest as ingest_module
from keystage.ingest import STAGED_SIGNATURE, find_inputs, ingest, read_folder
from keystage.validation import STAGED, STAMP, check_build

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
KS2_2019 = "2019_fix_ks2final.csv"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A data folder of one small KS2 file."""
    (tmp_path / "data" / "ks2").mkdir(parents=True)
    shutil.copy(FIXTURES / "ks2" / KS2_2019, tmp_path / "data" / "ks2" / KS2_2019)
    return tmp_path / "data"


def validate(data: Path, work: Path) -> None:
    """The checks `keystage build` runs first (no report folders: no LA asked for)."""
    check_build(data, [], REPO / "config" / "reports", REPO / "config" / "standards.yaml", [work, work.parent / "site"])


def no_reading(*_: object) -> None:
    raise AssertionError("the KS2 files were read again")


def test_ingest_takes_what_validation_read(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    validate(data, work)
    assert (work / STAMP).is_file() and (work / STAGED / STAGED_SIGNATURE).is_file()
    fresh = read_folder(find_inputs(data))
    monkeypatch.setattr(ingest_module.ks2, "read_ks2_files", no_reading)
    taken = ingest(data, work / "canonical", work / STAGED)
    assert sorted(taken) == sorted(fresh) and len(taken["school_years"]) == len(fresh["school_years"]) > 0
    pd.testing.assert_frame_equal(taken["school_results"], fresh["school_results"].reset_index(drop=True))
    assert not (work / STAGED / STAGED_SIGNATURE).exists()  # taken once
    validate(data, work)  # unchanged data: the stamp says it was read, nothing is read or staged again
    assert not (work / STAGED / STAGED_SIGNATURE).exists()


def test_tables_of_files_since_changed_are_not_taken(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    validate(data, work)
    ks2_file = data / "ks2" / KS2_2019
    stat = ks2_file.stat()
    os.utime(ks2_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    monkeypatch.setattr(ingest_module.ks2, "read_ks2_files", no_reading)
    with pytest.raises(AssertionError, match="read again"):
        ingest(data, work / "canonical", work / STAGED)
