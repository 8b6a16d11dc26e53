"""Back-tests of the measures on the real Hampshire files: the LA figures a report shows equal DfE's own
LA rows and LAIT, and the national comparator equals DfE's England (state-funded) row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keystage.downloads import la_downloads
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


def plain_floor(dfe: Path, year: int) -> dict[str, int]:
    """DfE's floor on one raw ks2final file with plain pandas (no keystage code): mainstream state-funded (RECTYPE 1,
    not NFTYPE IND/INDSPS/NMSS), open (ICLOSE not 1), 11+ eligible pupils; below when under 65% RWM and a progress
    score under -5 reading, -7 writing or -5 maths (2018: a lone subject under its cut-off only when its upper
    confidence limit is below zero)."""
    raw = pd.read_csv(dfe / "ks2" / f"{year}_850_ks2final.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)

    def num(column: str) -> np.ndarray:
        return pd.to_numeric(raw[column].str.rstrip("%"), errors="coerce").to_numpy()

    mainstream = ((raw["RECTYPE"] == "1") & ~raw["NFTYPE"].isin(["IND", "INDSPS", "NMSS"])).to_numpy()
    open_ = (raw["ICLOSE"] != "1").to_numpy()
    eligible, headline = num("TELIG"), num("PTRWM_EXP")
    in_scope = mainstream & open_ & (eligible >= 11)
    under = np.column_stack([num("READPROG") < -5, num("WRITPROG") < -7, num("MATPROG") < -5])
    significant = np.column_stack([num(f"{s}PROG_UPPER") < 0 for s in ("READ", "WRIT", "MAT")])
    fails = under & ((under.sum(axis=1) != 1)[:, None] | significant) if year == 2018 else under
    below = in_scope & (headline < 65) & fails.any(axis=1)
    return {
        "n_assessed": int((in_scope & ~np.isnan(headline)).sum()),
        "n_excluded": int((mainstream & open_ & (eligible < 11)).sum()),
        "n_special": int((raw["RECTYPE"] == "2").sum()),
        "n_closed": int((mainstream & ~open_).sum()),
        "n_below_attainment": int((in_scope & (headline < 65)).sum()),
        "n_below_floor": int(below.sum()),
        "n_writing_only": int((below & fails[:, 1] & ~fails[:, 0] & ~fails[:, 2]).sum()) if year in (2017, 2018) else 0,
    }


@pytest.mark.parametrize("year", YEARS)
def test_floor_counts_equal_a_plain_pandas_count_of_the_raw_rows(work, dfe, year):
    counts = pd.read_parquet(work / "measures" / "floor_counts.parquet")
    la = counts[(counts["unit_type"] == "la") & (counts["unit_id"] == "850")].set_index("year").loc[year]
    expected = plain_floor(dfe, year)
    assert {k: int(la[k]) for k in expected} == expected
    # 2017: 292 assessed, 11 below; 2018: 296 and 8 (one on writing alone); 2019: 298 and 9, the LA's own rule
    assert (expected["n_assessed"], expected["n_below_floor"]) == {2017: (292, 11), 2018: (296, 8), 2019: (298, 9)}[year]


def test_la_figures_are_dfes_la_row_then_lait_never_rounded_twice(work):
    unit = load_unit(work, "la", "850", 850, load_standards(), 2016, 2025)
    att = unit.tables["attainment"].set_index(["measure", "year"])
    # DfE's LA rows (RECTYPE 3): maths progress -0.7, -0.6, -0.7 (LAIT's 2019 -0.75 would round again to -0.8)
    assert [att.loc[("mat_prog", y), "value"] for y in YEARS] == [-0.7, -0.6, -0.7]
    assert att.loc[("mat_prog", 2019), "la_source"] == "DfE LA row, 2019_850_ks2final.csv"
    # pupils and disadvantaged pupils: the LA row's TELIG and TFSM6CLA1A, beside its percentages
    assert [att.loc[("eligible", y), "value"] for y in YEARS] == [14040, 14463, 14855]
    assert [att.loc[("disadv_count", y), "value"] for y in YEARS] == [3075, 3110, 3263]
    # 2016 from the 2017 file's prior-year columns; 2022 to 2025 from LAIT
    assert att.loc[("headline", 2016), "la_source"] == "DfE LA row, 2017_850_ks2final.csv"
    assert [att.loc[("headline", y), "la_source"] for y in (2022, 2023, 2024, 2025)] == ["DfE LAIT"] * 4
    gaps = unit.tables["gaps"].set_index("year")
    assert [gaps.at[y, "disadv_denominator"] for y in YEARS] == [3075, 3110, 3263]


def test_la_series_runs_over_every_year_dfe_published(work):
    unit = load_unit(work, "la", "850", 850, load_standards())
    assert unit.years == YEARS  # the school-level tables: the years with school files
    assert unit.series_years == [2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025]  # LAIT: no 2020, 2021
    gaps = unit.series("gaps").set_index("year")
    # DAP_NEW_KS2_RWM / NonDAP_NEW_KS2_RWM in LAIT for 2022-2025, DfE's LA rows before
    assert [gaps.at[y, "disadv_pct"] for y in (2016, 2019, 2022, 2025)] == [39, 49, 38, 43]
    assert gaps.loc[2022, "la_source"] == "DfE LAIT" and np.isnan(gaps.loc[2022, "disadv_denominator"])


def test_schools_converted_after_their_last_results_are_units_and_in_the_school_files(work, tmp_path):
    # Seven Hampshire schools became academies after the May 2019 tests (GIAS OpenDate 2019-06-01 to 2021-04-01;
    # links_2021.csv: e.g. 116240 Fernhill Primary School > 147128): their results are their academies' series.
    academies = [147128, 147701, 148213, 148214, 148215, 148216, 148385]
    units = pd.read_parquet(work / "measures" / "units.parquet")
    schools = set(units.loc[units["unit_type"] == "school", "unit_id"].astype(int))
    att = pd.read_parquet(work / "measures" / "attainment.parquet")
    assert set(att.loc[att["unit_type"] == "school", "unit_id"].astype(int)) <= schools  # every measured school
    assert set(academies) <= schools and set(units.loc[units["unit_id"] == "850", "urn"]) == schools
    assert 116240 not in schools  # its results are 147128's
    written = la_downloads(work / "measures", 850, load_standards(), tmp_path, work / "canonical")
    csv = pd.read_csv(next(p for p in written if p.name == "ks2_attainment_school.csv"), dtype=str)
    fernhill = csv[(csv["school_urn"] == "147128") & (csv["disadvantage_status"] == "Total")]
    # the 2019 ks2final row of URN 116240 (URN_AC 147128, LAESTAB 850/2735): PTRWM_EXP 42%, TELIG 12
    row = fernhill[fernhill["time_period"] == "201819"].iloc[0]
    identity = (row["school_name"], row["school_laestab"], row["t_rwm_eligible_pupils"])
    assert identity == ("Fernhill Primary School", "8502735", "12")
    assert row["pt_rwm_met_expected_standard"] == "42.0"  # DfE's published 42%, under the academy's URN
