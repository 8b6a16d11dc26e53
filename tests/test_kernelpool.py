"""The warm kernel pool: notebooks run on a pooled kernel stay independent and give a fresh kernel's outputs."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import nbformat
import pytest

from keystage.kernelpool import KernelPool, claimed_kernel
from keystage.narrate import narrate
from keystage.workflow import narrate_jobs

FIRST = '''# %% tags=["parameters"]
value = 1
# %%
import matplotlib.pyplot as plt
import pandas as pd
secret = value * 42
pd.set_option("display.max_rows", 3)
plt.rcParams["lines.linewidth"] = 9
figure = plt.figure()
print(secret)
'''
SECOND = '''# %% tags=["parameters"]
value = 1
# %%
import os
import matplotlib.pyplot as plt
import pandas as pd
print("secret" in dir(), value, pd.get_option("display.max_rows"), plt.rcParams["lines.linewidth"], len(plt.get_fignums()))
print(os.getcwd())
'''


def outputs(path: Path) -> list[tuple[int | None, list[str]]]:
    """Each code cell's execution count and text outputs."""
    nb = nbformat.read(path, as_version=4)
    return [(cell.execution_count, [o.get("text", "") for o in cell.outputs]) for cell in nb.cells if cell.cell_type == "code"]


def test_notebooks_on_one_pooled_kernel_are_independent_and_match_a_fresh_kernel(tmp_path: Path) -> None:
    (tmp_path / "first.py").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.py").write_text(SECOND, encoding="utf-8")
    pool = KernelPool(tmp_path / "kernels")
    pool.start(1, Path.cwd())
    try:
        first = narrate(tmp_path / "first.py", tmp_path / "first.ipynb", {"value": 2}, cwd=tmp_path, pool=pool.folder)
        second = narrate(tmp_path / "second.py", tmp_path / "second.ipynb", {"value": 3}, cwd=tmp_path, pool=pool.folder)
        pid = int((pool.folder / "kernel-0.pid").read_text())
    finally:
        pool.stop()
    fresh = narrate(tmp_path / "second.py", tmp_path / "fresh.ipynb", {"value": 3}, cwd=tmp_path, pool=tmp_path / "no-pool")
    assert outputs(first)[2] == (3, ["84\n"])  # 2 * 42, in the one kernel
    # The second notebook sees none of the first's variable, option (3 rows), line width (9) or figure:
    # pandas shows 60 rows, matplotlib's lines are 1.5 wide and no figure is open, in the notebook's own folder.
    assert outputs(second)[2] == (3, [f"False 3 60 1.5 0\n{tmp_path}\n"])
    assert outputs(second) == outputs(fresh)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopping the pool stopped its kernel


def test_the_first_notebook_runs_on_the_pooled_kernel_even_while_it_warms_up(tmp_path: Path) -> None:
    # narrate claims the kernel straight after start, while the warm-up imports are still queued or running;
    # it must wait for them and use the pooled kernel, not fall back to starting one of its own
    (tmp_path / "pid.py").write_text('# %% tags=["parameters"]\nvalue = 1\n# %%\nimport os\nprint(os.getpid())\n')
    pool = KernelPool(tmp_path / "kernels")
    pool.start(1, Path.cwd())
    try:
        ran = narrate(tmp_path / "pid.py", tmp_path / "pid.ipynb", {"value": 2}, cwd=tmp_path, pool=pool.folder)
        pid = (pool.folder / "kernel-0.pid").read_text()
    finally:
        pool.stop()
    assert outputs(ran)[2] == (3, [f"{pid}\n"])


def test_no_pool_or_a_busy_pool_gives_no_kernel(tmp_path: Path) -> None:
    with claimed_kernel(None, tmp_path) as kernel:
        assert kernel is None
    folder = tmp_path / "kernels"
    folder.mkdir()
    (folder / "kernel-0.json").write_text("{}", encoding="utf-8")
    (folder / "kernel-0.pid").write_text("1", encoding="utf-8")
    with (folder / "kernel-0.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another narrate job holds the only kernel
        with claimed_kernel(folder, tmp_path) as kernel:
            assert kernel is None


def test_narrate_jobs_counts_the_notebook_rules_of_the_job_table() -> None:
    table = ["job                    count", "-------------------  -------", "all                        1",
             "narrate                    9", "narrate_partnership       37", "render                     9", "measure 1"]
    assert narrate_jobs(table) == 9 + 37


def test_a_pooled_kernel_that_died_is_passed_over_at_once(tmp_path: Path) -> None:
    # its pid is a finished process and nothing listens on its ports: narrate must not wait out READY_TIMEOUT
    import subprocess
    import time

    from jupyter_client.connect import write_connection_file

    folder = tmp_path / "kernels"
    folder.mkdir()
    write_connection_file(str(folder / "kernel-0.json"))
    gone = subprocess.Popen(["true"])
    gone.wait()
    (folder / "kernel-0.pid").write_text(str(gone.pid), encoding="utf-8")
    start = time.monotonic()
    with claimed_kernel(folder, tmp_path) as kernel:
        assert kernel is None
    assert time.monotonic() - start < 10
