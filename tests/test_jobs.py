"""The workflow's in-process jobs: each leaves a log saying what it made and how long it took, or why it failed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError

from keystage.jobs import job_log, narrate_job


def test_job_log_writes_the_lines_and_the_wall_time(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "job.log"
    with job_log(log) as say:
        say("made one thing")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "made one thing" and re.fullmatch(r"wall time \d+\.\d\d s", lines[1])


def test_job_log_keeps_the_traceback_of_a_failed_job_and_re_raises(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    with pytest.raises(ValueError, match="no such district"), job_log(log) as say:
        say("started")
        raise ValueError("no such district: Avonford")
    text = log.read_text(encoding="utf-8")
    assert text.startswith("started\nTraceback") and "ValueError: no such district: Avonford" in text
    assert "wall time" in text.splitlines()[-1]


def test_a_failing_notebook_fails_its_job_with_the_cell_error_in_the_log(tmp_path: Path) -> None:
    notebook = tmp_path / "broken.py"
    notebook.write_text('# %% tags=["parameters"]\nla_code = 1\n# %%\nraise KeyError(f"LA {la_code} has no schools")\n',
                        encoding="utf-8")
    log = tmp_path / "narrate.log"
    with pytest.raises(PapermillExecutionError):
        narrate_job(str(notebook), str(tmp_path / "broken.ipynb"), {"la_code": 999}, str(log))
    assert "KeyError: 'LA 999 has no schools'" in log.read_text(encoding="utf-8")
    assert not (tmp_path / "broken.ipynb").exists()  # nothing half-written under the output's name
