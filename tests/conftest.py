"""Shared fixtures: where the real DfE files live, and a skip when they are absent."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DFE = REPO.parent / "shared" / "data" / "dfe"


@pytest.fixture(scope="session")
def dfe() -> Path:
    """The real DfE files of ../shared/data/dfe; tests using them skip cleanly when absent."""
    if not (DFE / "ks2").is_dir():
        pytest.skip(f"real DfE files not found at {DFE}")
    return DFE


def _keystage() -> str:
    """The keystage command of the environment running the tests."""
    return shutil.which("keystage", path=str(Path(sys.executable).parent)) or "keystage"


def keystage_build(root: Path, *extra: str) -> str:
    """Run `keystage build` on the demo copy under `root` (data/, reports/ -> out/); returns its output and log."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [_keystage(), "build", "--data-dir", str(root / "data"), "--la", "701", "--out", str(root / "out"),
               "--engine", "pandoc", "--reports-dir", str(root / "reports"), *extra]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + (root / "out" / "logs" / "snakemake.log").read_text(encoding="utf-8")


EDITED_DISTRICT = "avonford"
EDIT = "\nAn added sentence.\n"


def _build_demo_and_reruns(root: Path) -> None:
    """Build the demo, then record what a second build, an edited district narrative and a third build ran."""

    from keystage.synth import write_demo

    write_demo(root / "data")
    shutil.copytree(REPO / "config" / "reports", root / "reports")
    keystage_build(root)
    second = keystage_build(root)
    narrative = root / "reports" / "701" / "districts" / EDITED_DISTRICT / "purpose.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
    edited = keystage_build(root)
    third = keystage_build(root)
    (root / "reruns.json").write_text(json.dumps({"second": second, "edited": edited, "third": third}), encoding="utf-8")


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The demo LA built end to end once per test session, whichever xdist workers ask; returns its out folder.

    The build runs under a file lock in the session's shared temporary root. After the first build it is
    rebuilt three times (unchanged; with one district's narrative edited; unchanged), so tests can check
    what each rebuild ran from `<out>/../reruns.json` without changing the site while others read it.
    """

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    root = shared / "demo-build"
    with (shared / "demo-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "reruns.json").is_file():
            shutil.rmtree(root, ignore_errors=True)  # a half-built folder left by an interrupted run
            root.mkdir(parents=True)
            _build_demo_and_reruns(root)
    return root / "out"
