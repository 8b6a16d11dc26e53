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
from pages import (
    CAPTION,
    LA_RECORD_TEXTS,
    PLACEHOLDERS,
    TAG,
    docx_opening,
    docx_tables_past_the_page,
    html_table,
    misprinted_text,
    outputs_text,
    pdf_text,
    placeholders_in,
    printed,
    table_numbers,
)
from test_backtest_hampshire import plain_floor

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
    assert "Sections left out." in page and "Support deployed" not in page and "Appendix A" not in page
    text = "\n".join(pdf_text(hampshire.pdf))
    assert "Hampshire" in text and "Table 1" in text


def _table_titled(page: str, words: str) -> list[list[str]]:
    """The rows of the one table whose caption contains `words`."""
    numbers = [int(m.group(2)) for m in CAPTION.finditer(page) if words in m.group(1)]
    assert len(numbers) == 1, (words, numbers)
    return html_table(page, numbers[0])


def test_floor_table_equals_dfes_rule_counted_with_plain_pandas(hampshire, dfe):
    page = hampshire.html.read_text(encoding="utf-8")
    table = _table_titled(page, "below the floor standard")
    assert table[0] == ["Schools", "2017 (65%)", "2018 (65%)", "2019 (65%, LA rule)"]
    rows = {row[0]: row[1:] for row in table[1:]}
    plain = [plain_floor(dfe, y) for y in (2017, 2018, 2019)]
    assert rows["Schools assessed"] == [str(p["n_assessed"]) for p in plain]  # 292, 296, 298 (not 323 with specials)
    assert [cell.split(" ")[0] for cell in rows["Below the floor standard (n)"]] == [str(p["n_below_floor"]) for p in plain]
    assert rows["of which below on writing alone"] == [str(plain[0]["n_writing_only"]), str(plain[1]["n_writing_only"]), ""]
    assert rows["Special schools (outside the floor)"] == [str(p["n_special"]) for p in plain]
    assert rows["Closed schools (outside the floor)"] == [str(p["n_closed"]) for p in plain]
    assert rows["Excluded (fewer than 11 pupils)"] == [str(p["n_excluded"]) for p in plain]


def test_la_tables_run_over_the_whole_published_series_with_dfes_own_figures(hampshire):
    page = hampshire.html.read_text(encoding="utf-8")
    series = ["2016", "2017", "2018", "2019", "2022", "2023", "2024", "2025"]
    headline = _table_titled(page, "meeting the expected standard in each subject")
    assert [row[0] for row in headline[1:]] == series
    # DfE's LA rows 2016 (2017 file's _16 columns) to 2019, LAIT KS2RWM_Expected_STD after
    assert [row[4] for row in headline[1:]] == ["59", "66", "68", "68", "60", "61", "60", "63"]
    progress = {row[0]: row for row in _table_titled(page, "Average progress score")[1:]}
    assert progress["2019"][3] == "-0.7"  # DfE's LA row; LAIT's -0.75 would be rounded again to -0.8
    assert progress["2024"][1] == "not available"
    gap = _table_titled(page, "disadvantaged and other pupils")
    assert gap[0][1:9] == series
    assert "Sources: DfE LA row" in page and "DfE LAIT" in page
    scaled = {row[0]: row for row in _table_titled(page, "Average scaled score")[1:]}
    assert scaled["2019"][1] == "105" and scaled["2019"][3] == "105"  # READ_AVERAGE and MAT_AVERAGE of the LA row


def test_a_special_schools_profile_carries_no_floor_label(hampshire):
    profile = hampshire.html.parents[1] / "school-116600" / "index.html"  # a special school (RECTYPE 2) in every year
    text = TAG.sub(" ", profile.read_text(encoding="utf-8"))
    assert "Outside the floor standard" in text and "special school" in text
    assert "below floor" not in text and "government floor standard (DfE)" not in text


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


def test_hampshire_summary_says_where_it_is_weak_and_where_it_ranks(hampshire):
    """On the real files: progress below average with Hampshire's rank, disadvantaged pupils below national."""
    text = " ".join(" ".join(pdf_text(hampshire.pdf)).split())
    summary = text[text.index("Key messages"):text.index("1 Purpose of Report")]
    weaknesses = summary[summary.index("Areas for improvement"):summary.index("Recommendations")]
    # 2019 progress: DfE's LA row reading -0.4, maths -0.7 (LAIT's -0.39 and -0.75 are not rounded again); the ranks
    # are on LAIT, which covers every LA: Hampshire 119th and 134th of the 149 LAs with a figure
    assert "progress in Hampshire was below the national average of 0 in reading (-0.4; ranked 119th of 149, " \
           "bottom quarter)" in weaknesses.replace("\u2212", "-")
    assert "maths (-0.7; ranked 134th of 149, bottom quarter)" in weaknesses.replace("\u2212", "-")
    # LAIT 2019: disadvantaged pupils 49% in Hampshire against 51% nationally
    assert "49% of disadvantaged pupils in Hampshire reached the expected standard" in weaknesses
    assert "2 percentage points below the national figure for disadvantaged pupils (51%)" in weaknesses
    # DfE's 2019 LA row 68%, England state-funded 65%: a strength
    assert "68% of pupils in Hampshire reached" in summary[:summary.index("Areas for improvement")]
    assert "That the Committee notes" in summary
    # statistical neighbours named, with the date of DfE's list
    assert "list of May 2025" in text and "Wiltshire" in text  # (the PDF prints a typographic apostrophe)


def test_hampshire_pdfs_have_no_text_printed_over_text_across_a_rule_or_past_the_margin(hampshire):
    pdfs = sorted(hampshire.pdf.parents[1].glob("*/*.pdf"))  # <out>/rendered/850/<report>/<slug>.pdf
    assert hampshire.pdf in pdfs
    assert misprinted_text(pdfs) == {}


def test_hampshire_pdf_and_docx_open_with_a_cover_headed_by_the_la_name_and_nothing_invented(hampshire):
    for copy, opening in (("pdf", pdf_text(hampshire.pdf)[0]), ("docx", docx_opening(hampshire.docx))):
        text = " ".join(printed(opening).split())
        # no report.yaml: headed by GIAS's "Hampshire" (not DfE's capitals, no "Council" suffix), the default title
        # of REPORT.md, and no committee, date, reference or draft marker that an officer would have to delete
        assert text.startswith("Hampshire Title: Key Stage 2: the Hampshire story 2019 Report from: Director of Children's "
                               "Services"), (copy, text[:120])
        assert not any(s in text for s in ("HAMPSHIRE", "Committee:", "Date:", "Reference:", "Draft")), copy


def test_hampshire_docx_tables_fit_their_columns(hampshire):
    assert docx_tables_past_the_page(hampshire.docx) == []


def test_hampshire_outputs_have_no_placeholders_or_talk_of_absent_records(hampshire):
    out = hampshire.pdf.parents[2]  # <out>/rendered/850/la/x.pdf -> <out>/rendered
    texts = outputs_text(out) | outputs_text(out.parent / "site")
    assert any(p.suffix == ".docx" for p in texts)
    found = {str(p): placeholders_in(t, PLACEHOLDERS + LA_RECORD_TEXTS) for p, t in texts.items()}
    assert {p: f for p, f in found.items() if f} == {}
    assert "HAMPSHIRE COUNCIL" not in "\n".join(texts.values()).upper()  # no invented suffix
