"""Shared fixtures: where the real DfE files live, and a skip when they are absent."""

from __future__ import annotations

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
    import shutil
    import sys

    return shutil.which("keystage", path=str(Path(sys.executable).parent)) or "keystage"


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo LA built end to end once (`keystage build` into a temporary folder); returns its out folder.

    Tests using it carry `pytest.mark.xdist_group("demo_build")` so one worker builds it once.
    The site is `<out>/site`; work files are under `<out>`; the report narrative is a copy in `<out>/../reports`
    that tests may edit.
    """
    import os
    import shutil
    import subprocess
    import sys

    from keystage.synth import write_demo

    root = tmp_path_factory.mktemp("demo-build")
    write_demo(root / "data")
    shutil.copytree(REPO / "config" / "reports", root / "reports")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [
            _keystage(),
            "build",
            "--data-dir",
            str(root / "data"),
            "--la",
            "701",
            "--out",
            str(root / "out"),
            "--engine",
            "pandoc",
            "--reports-dir",
            str(root / "reports"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "out"
