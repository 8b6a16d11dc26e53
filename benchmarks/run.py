"""keystage's benchmark harness (`make bench`): time whole commands, record CPU and peak memory, write the results table.

Every scenario runs its command as a child process `--repeats` times (default 3) and records the median wall
time, the CPU time (user + system) and the peak resident memory of the whole process tree (the command, Snakemake,
its jobs and kernels: CPU from getrusage of the reaped children, memory from psutil polled every 50 ms). CPU time
is what to compare when other work loads the machine: wall time then measures the load as much as the build.
Results go to benchmarks/results/latest.md and latest.csv, with ratios and the machine they ran on. Scratch data
(the demo folders and work folders) goes under --scratch. The "engines" group builds the demo cold with pandoc and
with Quarto side by side (skipped when quarto is not on PATH).

    python benchmarks/run.py [--repeats 3] [--scratch /tmp/keystage-bench] [--only NAME ...] [--job-profile LOGS]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
KEYSTAGE = str(BIN / "keystage")
PYTHON = sys.executable
RESULTS = REPO / "benchmarks" / "results"
DEMO_LA = 701
EDITED_DISTRICT = REPO / "config" / "reports" / "701" / "districts"
REPLACED_YEAR = 2019
COUNTS = (10, 50, 152)
BASELINES = (  # (scenario, script in benchmarks/baseline/, what it is), each run for the first 10 LAs
    ("baseline-10", "run_baseline.py", "naive notebook per LA reading the raw CSVs for a short report (headline table, "
     "one chart, school list), papermill + same renderer"),
    ("baseline-same-10", "run_same_report.py", "naive loop per LA making the same committee report: raw files read, "
     "its measures computed, the notebook run on a fresh kernel, same renderer"),
)


@dataclass
class Result:
    """One scenario's runs: wall seconds, CPU seconds and peak memory (bytes) of each, and what the scenario means."""

    name: str
    description: str
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    reports: int = 0

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return statistics.median(self.seconds)

    @property
    def median_cpu(self) -> float:
        """Median CPU time (user + system of the process tree) in seconds."""
        return statistics.median(self.cpu)

    @property
    def peak(self) -> int:
        """Largest peak memory of any run, in bytes."""
        return max(self.peaks)


def tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes (0 for any that ended meanwhile)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def children_cpu() -> float:
    """User + system seconds of every child process this one has reaped, and of the children they reaped."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], log: Path) -> tuple[float, float, int]:
    """Run `command` from the repo folder; its wall time, CPU time and the peak memory of its process tree. Fails loudly."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as handle:
        start, cpu = time.perf_counter(), children_cpu()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
        watched, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            peak = max(peak, tree_rss(watched))
            time.sleep(0.05)
        seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if child.returncode != 0:
        raise SystemExit(f"benchmark command failed ({child.returncode}): {' '.join(command)}\nsee {log}")
    return seconds, cpu, peak


def repeat(result: Result, repeats: int, command: list[str], log: Path, before: Callable[[int], None] | None = None) -> Result:
    """Run `command` `repeats` times into `result`, calling `before(run)` (untimed) before each run."""
    for run in range(repeats):
        if before is not None:
            before(run)
        seconds, cpu, peak = measure(command, log.with_name(f"{log.stem}-{run}.log"))
        result.seconds.append(seconds)
        result.cpu.append(cpu)
        result.peaks.append(peak)
        print(f"  {result.name} run {run + 1}: {seconds:.1f} s, CPU {cpu:.1f} s, {peak / 2**20:.0f} MiB", flush=True)
    return result


def demo_build(data: Path, out: Path, engine: str = "pandoc") -> list[str]:
    """The command building every report of the demo LA (all formats) with `engine`."""
    return [KEYSTAGE, "build", "--data-dir", str(data), "--la", str(DEMO_LA), "--out", str(out), "--engine", engine]


def count_reports(out: Path) -> int:
    """How many rendered reports a work folder holds."""
    return len(list(out.glob("rendered/**/report.json")))


@contextmanager
def edited(path: Path) -> Iterator[Callable[[int], None]]:
    """An editor that changes `path` before each run, and the file's original text restored afterwards."""
    original = path.read_bytes()
    try:
        yield lambda run: path.write_bytes(original + f"\n\nEdited for benchmark run {run + 1}.\n".encode())
    finally:
        path.write_bytes(original)


def year_rewriter(data: Path) -> Callable[[int], None]:
    """A function replacing one KS2 file of `data` by a copy with one school's eligible-pupil count changed."""
    path = next((data / "ks2").glob(f"{REPLACED_YEAR}_*_ks2final.csv"))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("TELIG")
    row = next(i for i, cells in enumerate(rows) if cells[0] == "1" and cells[column].isdigit())
    original = int(rows[row][column])

    def rewrite(run: int) -> None:
        rows[row][column] = str(original + 1 + run % 2)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)

    return rewrite


def demo_data(scratch: Path) -> Path:
    """The demo data folder under `scratch`, written when absent."""
    data = scratch / "demo"
    if not (data / ".complete").is_file():
        subprocess.run([KEYSTAGE, "demo", "--out", str(data)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        (data / ".complete").touch()
    return data


def demo_scenarios(scratch: Path, repeats: int) -> list[Result]:
    """Demo LA: cold build, no-op rebuild, one district's narrative edited, one year's data file replaced."""
    data, out = demo_data(scratch), scratch / "demo-out"
    logs = scratch / "logs"
    cold = repeat(Result("demo-cold", "demo LA, every report in every format, from an empty work folder"), repeats,
                  demo_build(data, out), logs / "demo-cold.log", lambda run: shutil.rmtree(out, ignore_errors=True))
    cold.reports = count_reports(out)
    noop = repeat(Result("demo-noop", "demo LA rebuilt with nothing changed"), repeats, demo_build(data, out),
                  logs / "demo-noop.log")
    district = sorted(p for p in EDITED_DISTRICT.iterdir() if (p / "purpose.md").is_file())[0]
    with edited(district / "purpose.md") as edit:
        narrative = repeat(Result("demo-district-edit", f"demo LA after editing {district.name}/purpose.md", reports=1), repeats,
                           demo_build(data, out), logs / "demo-district.log", edit)
    measure(demo_build(data, out), logs / "demo-restore.log")
    replaced = year_rewriter(data)
    try:
        year = repeat(Result("demo-year-replaced", f"demo LA after its {REPLACED_YEAR} KS2 file is replaced (one value changed)"),
                      repeats, demo_build(data, out), logs / "demo-year.log", replaced)
    finally:
        shutil.rmtree(data, ignore_errors=True)  # the next run writes the demo afresh
    year.reports = cold.reports
    return [cold, noop, narrative, year]


def engine_scenarios(scratch: Path, repeats: int) -> list[Result]:
    """The demo LA built cold with pandoc and with Quarto, one after the other in each round (skipped without quarto)."""
    if shutil.which("quarto") is None:
        print("  engines: skipped, quarto is not on PATH", flush=True)
        return []
    data, logs = demo_data(scratch), scratch / "logs"
    results = {engine: Result(f"demo-cold-{engine}", f"demo LA, every report, cold, rendered with {engine}")
               for engine in ("pandoc", "quarto")}
    for run in range(repeats):
        for engine, result in results.items():
            out = scratch / f"demo-out-{engine}"
            shutil.rmtree(out, ignore_errors=True)
            repeat(result, 1, demo_build(data, out, engine), logs / f"demo-cold-{engine}-{run}.log")
            result.reports = count_reports(out)
    return list(results.values())


def england_las(data: Path) -> list[int]:
    """Every LA code of the England demo, in order."""
    with (data / "meta" / "la_and_region_codes.csv").open(encoding="utf-8-sig", newline="") as handle:
        return sorted(int(row["LEA"]) for row in csv.DictReader(handle))


def england_scenarios(scratch: Path, repeats: int) -> list[Result]:
    """England: the demo data, ingest and measures for all LAs, committee reports for 10/50/152 LAs, the naive baseline."""
    data, work, logs = scratch / "england", scratch / "england-out", scratch / "logs"
    results = [repeat(Result("england-demo", "write the England demo data (152 LAs)"), 1,
                      [KEYSTAGE, "demo", "--scale", "england", "--out", str(data)], logs / "england-demo.log")]
    stages = scratch / "england-stages"
    ingest_measure = ["sh", "-c", f"{KEYSTAGE} ingest --data-dir {data} --out {stages}/canonical > /dev/null && {KEYSTAGE} "
                      f"measure --canonical {stages}/canonical --standards config/standards.yaml --out {stages}/measures"]
    results.append(repeat(Result("england-ingest-measure", "ingest and measures for all 152 LAs"), repeats, ingest_measure,
                          logs / "england-stages.log", lambda run: shutil.rmtree(stages, ignore_errors=True)))
    las = england_las(data)
    build = [PYTHON, str(REPO / "benchmarks" / "build_reports.py"), str(data), str(work)]
    measure([*build, "--measures-only", *map(str, las)], logs / "england-prepare.log")

    def clean(run: int) -> None:
        for folder in ("notebooks", "rendered", "site", "data", "params"):
            shutil.rmtree(work / folder, ignore_errors=True)

    for count in COUNTS:
        chosen = las[:count]
        results.append(repeat(Result(f"england-reports-{count}", f"committee reports (HTML, PDF, DOCX) of {count} LAs, "
                                     "measures already built", reports=count), repeats, [*build, *map(str, chosen)],
                              logs / f"england-{count}.log", clean))
    write_job_profile(work / "logs")  # the last 152-LA run's jobs
    for name, script, what in BASELINES:
        baseline_out = scratch / f"{name}-out"
        results.append(repeat(Result(name, what, reports=10), repeats,
                              [PYTHON, str(REPO / "benchmarks" / "baseline" / script), str(data), str(baseline_out),
                               *map(str, las[:10])], logs / f"{name}.log",
                              lambda run, folder=baseline_out: shutil.rmtree(folder, ignore_errors=True)))
    return results


JOB_KINDS = {"narrate": "narrate/*.log", "render": "render/*.log", "downloads": "downloads-*.log"}
WALL = re.compile(r"^wall time ([0-9.]+) s$", re.M)


def write_job_profile(logs: Path) -> None:
    """Where a build's time goes: count, median and total wall time of each kind of per-report job, from the
    "wall time" line keystage.jobs writes at the end of each job's log; to benchmarks/results/job-profile.md."""
    lines = [f"Per-report jobs of the build whose logs are in {logs} (each job's own wall time; jobs run two at a time).",
             "", "| job | count | median (s) | total (s) |", "|---|---:|---:|---:|"]
    for kind, pattern in JOB_KINDS.items():
        times = [float(m) for path in logs.glob(pattern) for m in WALL.findall(path.read_text(encoding="utf-8"))]
        if times:
            lines.append(f"| {kind} | {len(times)} | {statistics.median(times):.2f} | {sum(times):.1f} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "job-profile.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def machine() -> str:
    """One line naming the machine: CPU, cores, memory, OS, Python and the load when the run ended."""
    info = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").is_file() else []
    cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), platform.processor())
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{cpu}, {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}; load average at the end {load}")


def ratios(results: list[Result]) -> dict[str, str]:
    """Derived figures: seconds per report as the count grows, and keystage's time against the naive baseline."""
    by = {r.name: r for r in results}
    out = {}
    for count in COUNTS:
        if f"england-reports-{count}" in by:
            out[f"england-reports-{count}"] = f"{by[f'england-reports-{count}'].median / count:.2f} s per report"
    for name in (b[0] for b in BASELINES):
        if name in by and "england-reports-10" in by:
            base = by[name].median
            out[name] = f"baseline / keystage 10-LA reports = {base / by['england-reports-10'].median:.1f}x"
            if "england-ingest-measure" in by:
                cold = by["england-reports-10"].median + by["england-ingest-measure"].median
                out[name] += f"; / keystage incl. England ingest + measures = {base / cold:.1f}x"
    if "demo-cold-quarto" in by and "demo-cold-pandoc" in by:
        quarto, pandoc = by["demo-cold-quarto"], by["demo-cold-pandoc"]
        out["demo-cold-quarto"] = (f"quarto / pandoc = {quarto.median / pandoc.median:.1f}x wall, "
                                   f"{quarto.median_cpu / pandoc.median_cpu:.1f}x CPU (target: at most 3x)")
    if "demo-cold" in by and by["demo-cold"].reports:
        out["demo-cold"] = f"{by['demo-cold'].median / by['demo-cold'].reports:.2f} s per report"
    return out


def write_results(results: list[Result], repeats: int) -> None:
    """Write latest.csv and latest.md (the table the README shows) into benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    derived = ratios(results)
    with (RESULTS / "latest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["scenario", "runs", "median_s", "min_s", "max_s", "cpu_s", "peak_mib", "reports", "ratio",
                         "description"])
        for r in results:
            writer.writerow([r.name, len(r.seconds), f"{r.median:.2f}", f"{min(r.seconds):.2f}", f"{max(r.seconds):.2f}",
                             f"{r.median_cpu:.2f}", f"{r.peak / 2**20:.0f}", r.reports, derived.get(r.name, ""), r.description])
    lines = [f"Machine: {machine()}.", "", f"Median of {repeats} runs (one for writing the demo data); CPU is the median "
             "user + system time of the whole process tree; peak memory is the largest resident set of the whole "
             "process tree in any run.", "",
             "| scenario | runs | median (s) | min-max (s) | CPU (s) | peak (MiB) | reports | ratio | what |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    lines += [f"| {r.name} | {len(r.seconds)} | {r.median:.1f} | {min(r.seconds):.1f}-{max(r.seconds):.1f} | "
              f"{r.median_cpu:.1f} | {r.peak / 2**20:.0f} | {r.reports or ''} | {derived.get(r.name, '')} | {r.description} |"
              for r in results]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    """Run the chosen scenario groups and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/keystage-bench"))
    parser.add_argument("--only", nargs="*", choices=["demo", "engines", "england"], default=["demo", "engines", "england"])
    parser.add_argument("--job-profile", type=Path, metavar="LOGS", help="only write job-profile.md from a build's logs folder")
    args = parser.parse_args()
    if args.job_profile:
        write_job_profile(args.job_profile)
        return
    results: list[Result] = []
    if "demo" in args.only:
        results += demo_scenarios(args.scratch, args.repeats)
    if "engines" in args.only:
        results += engine_scenarios(args.scratch, args.repeats)
    if "england" in args.only:
        results += england_scenarios(args.scratch, args.repeats)
    write_results(results, args.repeats)
    print((RESULTS / "latest.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
