"""The workflow pointed at the real DfE files: Hampshire's 2017-2019 report, benchmarked with LAIT and
its statistical neighbours, shows DfE's own headline numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, _keystage
from pages import (
    LA_RECORD_TEXTS,
    PLACEHOLDERS,
    html_table,
    outputs_text,
    overlapping_text,
    pdf_text,
    placeholders_in,
    table_numbers,
)

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


def test_hampshire_summary_says_where_it_is_weak_and_where_it_ranks(hampshire):
    """On the real files: progress below average with Hampshire's rank, disadvantaged pupils below national."""
    text = " ".join(" ".join(pdf_text(hampshire.pdf)).split())
    summary = text[text.index("Key messages"):text.index("1 Purpose of Report")]
    weaknesses = summary[summary.index("Areas for improvement"):summary.index("Recommendations")]
    # LAIT 2019 progress: reading -0.39, maths -0.75, Hampshire 119th and 134th of the 149 LAs with a figure
    assert "progress in Hampshire was below the national average of 0 in reading (-0.4; ranked 119th of 149, " \
           "bottom quarter)" in weaknesses.replace("\u2212", "-")
    assert "maths (-0.8; ranked 134th of 149, bottom quarter)" in weaknesses.replace("\u2212", "-")
    # LAIT 2019: disadvantaged pupils 49% in Hampshire against 51% nationally
    assert "49% of disadvantaged pupils in Hampshire reached the expected standard" in weaknesses
    assert "2 percentage points below the national figure for disadvantaged pupils (51%)" in weaknesses
    # DfE's 2019 LA row 68%, England state-funded 65%: a strength
    assert "68% of pupils in Hampshire reached" in summary[:summary.index("Areas for improvement")]
    assert "That the Committee notes" in summary
    # statistical neighbours named, with the date of DfE's list
    assert "list of May 2025" in text and "Wiltshire" in text  # (the PDF prints a typographic apostrophe)


def test_hampshire_pdfs_have_no_text_printed_over_text(hampshire):
    assert overlapping_text(hampshire.pdf)[:3] == []


def test_hampshire_outputs_have_no_placeholders_or_talk_of_absent_records(hampshire):
    out = hampshire.pdf.parents[2]  # <out>/rendered/850/la/x.pdf -> <out>/rendered
    texts = outputs_text(out) | outputs_text(out.parent / "site")
    assert any(p.suffix == ".docx" for p in texts)
    found = {str(p): placeholders_in(t, PLACEHOLDERS + LA_RECORD_TEXTS) for p, t in texts.items()}
    assert {p: f for p, f in found.items() if f} == {}
    assert "HAMPSHIRE COUNCIL" not in "\n".join(texts.values()).upper()  # no invented suffix
