"""Back-tests of the measures on the real Hampshire files: the LA figures a report shows equal DfE's own
LA rows and LAIT, and the national comparator equals DfE's England (state-funded) row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keystage.ingest import ingest
from keystage.present.unit import OFFICIAL, load_unit
from keystage.rounding import round_half_up
from keystage.stages import measure
from keystage.standards import load_standards

pytestmark = pytest.mark.realdata
YEARS = [2017, 2018, 2019]


@pytest.fixture(scope="module")
def work(dfe: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hampshire's DfE files ingested and measured."""
    root = tmp_path_factory.mktemp("hampshire-measures")
    ingest(dfe, root / "canonical")
    measure(root / "canonical", root / "measures")
    return root


def _shown(frame: pd.DataFrame, measure_name: str) -> list[int]:
    rows = frame[(frame["measure"] == measure_name) & frame["year"].isin(YEARS)].sort_values("year")
    return [int(v) for v in round_half_up(rows["value"])]


def test_school_based_la_headline_and_higher_equal_dfe_la_rows(work):
    att = pd.read_parquet(work / "measures" / "attainment.parquet")
    la = att[(att["unit_type"] == "la") & (att["unit_id"] == "850")]
    # pupil-weighted from the school rows the LA row covers (RECTYPE 1 and 2)
    assert _shown(la, "headline") == [66, 68, 68]  # DfE LA rows and LAIT KS2RWM_Expected_STD
    assert _shown(la, "higher") == [11, 12, 13]  # DfE LA rows and LAIT KS2RWM_Higher_STD
    assert _shown(la, "headline_disadv") == [47, 49, 49]  # DfE LA rows and LAIT DAP_NEW_KS2_RWM


def test_report_figures_for_the_la_equal_dfe_and_lait_for_every_group(work):
    unit = load_unit(work, "la", "850", 850, load_standards(), 2017, 2019)
    att = unit.tables["attainment"]
    assert _shown(att, "headline") == [66, 68, 68]
    assert _shown(att, "higher") == [11, 12, 13]
    # "other pupils": 70, 73, 72 from school rows (schools with a suppressed small group drop out);
    # the report shows DfE's published LA figures, equal to LAIT NonDAP_NEW_KS2_RWM
    assert _shown(att, "headline_other") == [71, 73, 73]
    gaps = unit.tables["gaps"].sort_values("year")
    gaps = gaps[gaps["year"].isin(YEARS)]
    assert [int(v) for v in round_half_up(gaps["disadv_pct"])] == [47, 49, 49]
    assert [int(v) for v in round_half_up(gaps["other_pct"])] == [71, 73, 73]
    assert (gaps["source"] == OFFICIAL).all()


def test_national_comparator_is_dfe_england_state_funded_row(work):
    national = pd.read_parquet(work / "measures" / "national.parquet")
    head = national[(national["measure"] == "headline") & national["year"].isin(YEARS)].sort_values("year")
    assert head["national"].tolist() == [61.0, 64.0, 65.0]  # RECTYPE 5 rows of the 2017-2019 files
    assert set(head["national_source"]) == {"DfE England state-funded (KS2 file)"}
    benchmarks = pd.read_parquet(work / "canonical" / "benchmarks.parquet")
    hampshire = benchmarks[(benchmarks["area_code"] == "850") & (benchmarks["measure"] == "headline")]
    lait = hampshire[hampshire["year"].isin([2016, *YEARS])]
    assert lait.sort_values("year")["value"].tolist() == [59.0, 66.0, 68.0, 68.0]
