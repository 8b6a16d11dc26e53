"""Run the Snakemake workflow for `keystage build`: write its config, run it, report progress."""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from keystage.kernelpool import POOL_ENV, KernelPool

PROGRESS = re.compile(r"(\d+) of (\d+) steps \((\d+)%\) done")
NOTHING_TO_DO = "Nothing to be done"
JOB_STATS = "Job stats:"
JOB_ROW = re.compile(r"^(\S+)\s+(\d+)$")
STOP_GRACE = 60.0  # seconds Snakemake has to stop after SIGINT before its process group is killed
PR_SET_PDEATHSIG = 1  # linux/prctl.h
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
    process: subprocess.Popen[str] | None = None
    lock = build_lock(Path(".snakemake"))
    try:
        with log.open("w", encoding="utf-8", buffering=1) as handle, stop_on_signals():  # line by line: tail -f works
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                                       env=env, start_new_session=True, pass_fds=(lock,), preexec_fn=die_with_parent())
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
        if process is not None:
            stop(process)
        pool.stop()
        os.close(lock)
    return BuildResult(returncode, done, nothing, Path(config["site_dir"]), log)


class BuildInterrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP reached `keystage build`: handled as Ctrl-C, so the build stops cleanly."""


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into BuildInterrupted while the build runs (their default ends the process at
    once, leaving Snakemake and the kernels running); Ctrl-C is already a KeyboardInterrupt."""

    def interrupt(signum: int, frame: object) -> None:
        raise BuildInterrupted(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop(process: subprocess.Popen[str], grace: float = STOP_GRACE) -> None:
    """Stop Snakemake if it still runs: SIGINT (it cancels its jobs, removes their incomplete outputs and its
    locks), then SIGKILL to its whole process group after `grace` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def die_with_parent() -> Callable[[], None]:
    """What the Snakemake child runs before it starts: ask to be sent SIGINT when `keystage build` dies, even by
    SIGKILL (Linux prctl), so it cancels its jobs and removes its locks as on Ctrl-C. libc is loaded here, in
    the parent: the child, forked from a process with threads, only makes the call."""
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGINT)


def build_lock(snakemake_dir: Path) -> int:
    """A shared lock on snakemake_dir/keystage.lock held by this build and its Snakemake process for as long
    as either lives. Taken exclusively first: when that succeeds no other build is live, so any Snakemake
    lock left in snakemake_dir/locks is a dead build's and is removed (the next build resumes with no
    --unlock); when another build holds the lock, its Snakemake locks are left alone."""
    snakemake_dir.mkdir(exist_ok=True)
    fd = os.open(snakemake_dir / "keystage.lock", os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass
    else:
        for stale in (snakemake_dir / "locks").glob("*.lock"):
            stale.unlink()
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def failure_summary(log: Path, lines: int = 25) -> str:
    """The end of the Snakemake log and of any rule log it names, to show why a build failed."""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    shown = text[-lines:]
    for name in re.findall(r"log: (\S+) \(check log file", "\n".join(text)):
        path = Path(name)
        if path.is_file():
            shown += [f"--- {name} ---", *path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]]
    return "\n".join(shown)
