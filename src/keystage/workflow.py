"""Run the Snakemake workflow for `keystage build`: write its config, run it, report progress."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from keystage.kernelpool import POOL_ENV, KernelPool

PROGRESS = re.compile(r"(\d+) of (\d+) steps \((\d+)%\) done")
NOTHING_TO_DO = "Nothing to be done"
JOB_STATS = "Job stats:"
JOB_ROW = re.compile(r"^(\S+)\s+(\d+)$")
DEMO = {"data_dir": "data/demo", "work_dir": "out/demo", "site_dir": "_site", "las": [701]}


@dataclass(frozen=True)
class BuildResult:
    """What a build did: whether anything ran, how many steps, where the site is, and the log."""

    returncode: int
    steps_done: int
    nothing_to_do: bool
    site_dir: Path
    log: Path


def build_config(data_dir: Path | None, las: list[int], out: Path | None, engine: str, base: dict[str, Any]) -> dict[str, Any]:
    """The workflow config for a build: the demo's when no data folder is given, else one LA's from `data_dir`."""
    config = dict(base)
    if data_dir is None:
        config.update(DEMO)
    else:
        work = out or Path("out") / "-".join(str(la) for la in las)
        config.update({"data_dir": str(data_dir), "work_dir": str(work), "site_dir": str(work / "site"), "las": las})
    if out is not None and data_dir is None:
        config.update({"work_dir": str(out), "site_dir": str(out / "site")})
    config["engine"] = engine
    return config


def narrate_jobs(table: list[str]) -> int:
    """How many notebooks a build will execute, from the rows of Snakemake's "Job stats" table (rules named narrate*)."""
    rows = (JOB_ROW.match(line.strip()) for line in table)
    return sum(int(row.group(2)) for row in rows if row and row.group(1).startswith("narrate"))


def run_snakemake(config: dict[str, Any], cores: int, on_progress: Callable[[int, int], None],
                  extra: list[str] | None = None) -> BuildResult:
    """Run the Snakefile in the current folder with `config`, calling `on_progress(done, total)` as steps finish.

    Once Snakemake has listed its jobs, up to `cores` warm Jupyter kernels are started for the notebooks it will
    execute (none for a build with nothing to narrate), and stopped when it ends. `run:` jobs run in threads of
    Snakemake's own process (--force-use-threads) rather than each in a new Snakemake process.
    """
    work = Path(config["work_dir"])
    work.mkdir(parents=True, exist_ok=True)
    config_path = work / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=True), encoding="utf-8")
    log = work / "logs" / "snakemake.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "snakemake", "--snakefile", "Snakefile", "--configfile", str(config_path),
               "--cores", str(cores), "--scheduler", "greedy", "--rerun-incomplete", "--force-use-threads", *(extra or [])]
    pool = KernelPool((work / "kernels").resolve())
    pool.clear()
    env = {**os.environ, POOL_ENV: str(pool.folder)}
    done, nothing, table = 0, False, None
    try:
        with log.open("w", encoding="utf-8") as handle:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env)
            assert process.stdout is not None
            for line in process.stdout:
                handle.write(line)
                match = PROGRESS.search(line)
                if match:
                    done = int(match.group(1))
                    on_progress(done, int(match.group(2)))
                nothing = nothing or NOTHING_TO_DO in line
                if table is not None and line.startswith("total"):
                    pool.start(min(cores, narrate_jobs(table)), Path.cwd())
                    table = None
                elif table is not None:
                    table.append(line)
                elif line.startswith(JOB_STATS) and not pool.managers:
                    table = []
            returncode = process.wait()
    finally:
        pool.stop()
    return BuildResult(returncode, done, nothing, Path(config["site_dir"]), log)


def failure_summary(log: Path, lines: int = 25) -> str:
    """The end of the Snakemake log and of any rule log it names, to show why a build failed."""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    shown = text[-lines:]
    for name in re.findall(r"log: (\S+) \(check log file", "\n".join(text)):
        path = Path(name)
        if path.is_file():
            shown += [f"--- {name} ---", *path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]]
    return "\n".join(shown)
