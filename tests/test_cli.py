"""The command line: clear messages for bad input, validation of a data folder, scaffolding an LA."""

from pathlib import Path

import yaml
from typer.testing import CliRunner

from keystage.cli import app
from keystage.reportconfig import load_report_config

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_ingest_of_a_folder_without_ks2_files_is_one_clear_message(tmp_path):
    result = runner.invoke(app, ["ingest", "--data-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no KS2 performance tables found; expected files named {year}_{tag}_ks2final.csv" in result.output
    assert "Traceback" not in result.output


def test_validate_reports_a_bad_file_by_name_line_and_column(tmp_path):
    (tmp_path / "ks2").mkdir()
    bad = FIXTURES / "bad" / "ks2_missing_required.csv"
    target = tmp_path / "ks2" / "2019_999_ks2final.csv"
    target.write_bytes(bad.read_bytes())
    result = runner.invoke(app, ["validate", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "2019_999_ks2final.csv, line 1, column" in result.output


def test_new_la_scaffolds_a_loadable_configuration(tmp_path):
    # the council's proper name is asked for (typed at the prompt here), never made up from the LA's name
    result = runner.invoke(app, ["new-la", "850", "--name", "Hampshire", "--reports-dir", str(tmp_path)],
                           input="Hampshire County Council\n")
    assert result.exit_code == 0, result.output
    assert "council's proper name" in result.output
    config = load_report_config(tmp_path, 850)
    assert config.council == "Hampshire County Council"
    # nothing to delete: no date or reference until an officer gives them, and marked draft until then
    cover = config.cover("T")
    assert cover["date"] == "" and cover["reference"] == "" and cover["draft"] is True and cover["contacts"] == []
    assert config.cover("Key Stage 2: the Hampshire story 2019")["title"] == "Key Stage 2: the Hampshire story 2019"
    assert "Hampshire" in config.narrative("purpose", "Hampshire")
    assert yaml.safe_load((tmp_path / "850" / "report.yaml").read_text())["years"]["first"] == 2016
    again = runner.invoke(app, ["new-la", "850", "--name", "Hampshire", "--council", "Hampshire County Council",
                                "--reports-dir", str(tmp_path)])
    assert again.exit_code == 2 and "already exists" in again.output
