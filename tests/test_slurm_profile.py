"""The SLURM profile is a valid Snakemake profile for this workflow: a dry run through the executor plugin plans every job
with the resources the profile gives its rule."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("snakemake_executor_plugin_slurm")

REPO = Path(__file__).resolve().parent.parent
PROFILE = REPO / "profiles" / "slurm"


def test_dry_run_with_the_slurm_profile_plans_each_rule_with_its_resources(tmp_path: Path) -> None:
    (tmp_path / "data" / "la").mkdir(parents=True)
    districts = "urn,district\n100001,North Vale\n100002,South Vale\n"
    (tmp_path / "data" / "la" / "districts.csv").write_text(districts, encoding="utf-8")
    config = {"data_dir": str(tmp_path / "data"), "work_dir": str(tmp_path / "out"), "site_dir": str(tmp_path / "out" / "site"),
              "standards": "config/standards.yaml", "reports_dir": "config/reports", "las": [701], "engine": "pandoc"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "snakemake", "--profile", str(PROFILE), "--snakefile", "Snakefile",
                           "--configfile", str(tmp_path / "config.yaml"), "--dry-run"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    plan = done.stdout + done.stderr
    resources = dict(re.findall(r"\n\s*rule (\w+):.*?\n\s+resources: ([^\n]+)", plan, flags=re.S))
    # one LA with two districts: ingest, measure, downloads, publish, all and 3 reports (LA + 2 districts) x narrate, render
    assert re.search(r"^total\s+11$", plan, flags=re.M)
    assert "mem_mb=8000" in resources["measure"] and "runtime=30" in resources["measure"]
    assert "mem_mb=3000" in resources["narrate"] and "slurm_partition=short" in resources["narrate"]
    assert "mem_mb=2000" in resources["all"]  # a rule the profile does not name takes the default resources
    # the per-report jobs go to SLURM together, as one group job (up to 20 reports' worth), not one job each
    grouped = plan.split("Group job reports", 1)[1].split("\n[", 1)[0] if "Group job reports" in plan else ""
    assert sorted(set(re.findall(r"rule (\w+):", grouped))) == ["downloads", "narrate", "render"]
