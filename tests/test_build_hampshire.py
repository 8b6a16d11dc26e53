"""The workflow pointed at the real DfE files: Hampshire's 2017-2019 report, benchmarked with LAIT and
its statistical neighbours, shows DfE's own headline numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, _keystage
from pages import html_table, pdf_text, table_numbers

from keystage.eesvalidate import check_folder, published_pairs
from keystage.render.engine import RenderedReport

pytestmark = [pytest.mark.slow, pytest.mark.realdata, pytest.mark.xdist_group("hampshire")]


@pytest.fixture(scope="module")
def hampshire(dfe: Path, tmp_path_factory: pytest.TempPathFactory) -> RenderedReport:
    """Hampshire (LA 850) built from ../shared/data/dfe with `keystage build`."""
    out = tmp_path_factory.mktemp("hampshire")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([_keystage(), "build", "--data-dir", str(dfe), "--la", "850", "--out", str(out), "--engine", "pandoc"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return RenderedReport.from_manifest(out / "rendered" / "850" / "la" / "report.json")


def test_headline_numbers_equal_dfe_published_figures(hampshire):
    page = hampshire.html.read_text(encoding="utf-8")
    table = html_table(page, 1)
    header = table[0]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    # DfE's own LA rows of the 2017, 2018 and 2019 ks2final files (and LAIT): 66%, 68%, 68%;
    # the England (state-funded) rows of the same files: 61%, 64%, 65%.
    assert [rows[y]["RWM"] for y in ("2017", "2018", "2019")] == ["66", "68", "68"]
    assert [rows[y]["National RWM"] for y in ("2017", "2018", "2019")] == ["61", "64", "65"]
    # LAIT: South East 63, 66, 66 (region rows of lait_ks2.csv)
    assert [rows[y]["South East RWM"] for y in ("2017", "2018", "2019")] == ["63", "66", "66"]
    assert all(rows[y]["Statistical neighbours RWM"].isdigit() for y in rows)


def test_report_without_la_records_omits_their_sections_and_numbers_tables(hampshire):
    page = hampshire.html.read_text(encoding="utf-8")
    numbers = table_numbers(page)
    assert numbers == list(range(1, len(numbers) + 1))
    assert "omitted" in page.lower()
    text = "\n".join(pdf_text(hampshire.pdf))
    assert "Hampshire" in text and "Table 1" in text


def test_every_csv_of_the_hampshire_site_passes_the_open_data_standard_with_dfe_codes(hampshire):
    site = hampshire.dir.parents[2] / "site"
    files = published_pairs(site)
    assert check_folder(site) == len(files) >= 16  # 8 open-data files and the report's tables
    la = pd.read_csv(site / "data" / "850" / "ks2_attainment_la.csv", dtype=str, keep_default_na=False)
    total = la[(la["geographic_level"] == "Local authority") & (la["disadvantage_status"] == "Total")]
    # the codes DfE's own EES file gives Hampshire: region E12000008, new LA code E10000014
    assert set(total["new_la_code"]) == {"E10000014"} and set(total["region_code"]) == {"E12000008"}
    schools = pd.read_csv(site / "data" / "850" / "ks2_attainment_school.csv", dtype=str, keep_default_na=False)
    assert schools["school_laestab"].str.fullmatch(r"850\d{4}").all()
    # schools whose 2019 headline DfE published as SUPP keep their row, shown "c"
    supp = schools[(schools["time_period"] == "201819") & (schools["disadvantage_status"] == "Total")]
    assert (supp["pt_rwm_met_expected_standard"] == "c").sum() >= 3
