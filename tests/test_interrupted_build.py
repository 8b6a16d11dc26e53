"""`keystage build` stopped at each stage by Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGKILL: the next build
resumes with no flag, and its site is byte-identical to a clean build's.

To keep the cost down the demo is built without district, cohort, partnership and profile reports, from
a copy of the workflow whose config switches them off (its own folder, so its Snakemake locks are its own)."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
STAGES = ["ingest", "measure", "narrate", "render", "publish"]
OFF = ("district_reports", "cohort_reports", "partnership_reports", "school_profiles")


def command(root: Path) -> list[str]:
    keystage = shutil.which("keystage", path=str(Path(sys.executable).parent)) or "keystage"
    return [keystage, "build", "--data-dir", str(root / "data"), "--la", "701", "--out", str(root / "out"),
            "--engine", "pandoc", "--reports-dir", str(root / "reports")]


def environment() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def wait_for_no_build(root: Path, timeout: float = 180) -> None:
    """Wait until no process (keystage or an orphaned Snakemake) holds the build lock of the copy."""
    deadline = time.monotonic() + timeout
    with (root / "workflow-copy" / ".snakemake" / "keystage.lock").open("a") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(lock, fcntl.LOCK_UN)
                return
            except BlockingIOError:
                assert time.monotonic() < deadline, "the interrupted build's Snakemake did not stop"
                time.sleep(0.5)


def interrupted(root: Path, stage: str, sig: signal.Signals) -> bool:
    """Start a build, send `sig` once Snakemake starts a `stage` job; True if it was sent (False: the build got
    past that stage without starting one, or finished)."""
    log = root / "out" / "logs" / "snakemake.log"
    log.unlink(missing_ok=True)
    build = subprocess.Popen(command(root), cwd=root / "workflow-copy", env=environment(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pattern = re.compile(rf"^(local)?rule {stage}:", re.M)
    try:
        while build.poll() is None:
            if log.is_file() and pattern.search(log.read_text(encoding="utf-8", errors="replace")):
                time.sleep(0.5)  # into the job
                build.send_signal(sig)
                build.wait(timeout=180)
                assert build.returncode != 0, f"{sig.name} during {stage}: the build still reported success"
                return True
            time.sleep(0.2)
        return False
    finally:
        if build.poll() is None:
            build.kill()
        build.wait()
        wait_for_no_build(root)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The copy of the workflow, the demo data, and the files of a clean build's site."""
    from keystage.synth import write_demo

    root = tmp_path_factory.mktemp("interrupted")
    copy = root / "workflow-copy"
    copy.mkdir()
    for name in ("Snakefile", "workflow", "config", "analysis", "_quarto.yml"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy)(REPO / name, copy / name)
    config = yaml.safe_load((copy / "config" / "config.yaml").read_text(encoding="utf-8"))
    (copy / "config" / "config.yaml").write_text(yaml.safe_dump({**config, **dict.fromkeys(OFF, False)}), encoding="utf-8")
    write_demo(root / "data")
    shutil.copytree(REPO / "config" / "reports", root / "reports")
    done = subprocess.run(command(root), cwd=copy, env=environment(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    files = site_files(root / "out" / "site")
    assert len(files) > 5
    return root, files


@pytest.mark.slow
@pytest.mark.xdist_group("interrupted_build")
@pytest.mark.parametrize("signals", [
    [signal.SIGINT, signal.SIGKILL, signal.SIGINT, signal.SIGKILL, signal.SIGINT],
    [signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
], ids=["int-first", "kill-first"])
def test_a_build_stopped_at_each_stage_resumes_to_the_clean_site(clean, signals):
    root, reference = clean
    shutil.rmtree(root / "out")
    sent = [stage for stage, sig in zip(STAGES, signals, strict=True) if interrupted(root, stage, sig)]
    assert sent[:3] == STAGES[:3]  # at least ingest, measures and notebooks were cut short
    done = subprocess.run(command(root), cwd=root / "workflow-copy", env=environment(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr  # no --unlock, no Snakemake left holding a lock
    assert site_files(root / "out" / "site") == reference


def test_a_live_builds_locks_are_never_cleared(tmp_path):
    """The stale-lock cleaner leaves Snakemake's locks alone while another build holds the build lock."""
    from keystage.workflow import build_lock

    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x", encoding="utf-8")
    live = build_lock(tmp_path / ".snakemake")  # a live build: no other holder, so the dead build's lock went
    assert not (locks / "0.input.lock").exists()
    (locks / "0.output.lock").write_text("x", encoding="utf-8")  # the live build's own Snakemake lock
    os.close(build_lock(tmp_path / ".snakemake"))  # a second build while the first lives
    assert (locks / "0.output.lock").is_file()
    os.close(live)
