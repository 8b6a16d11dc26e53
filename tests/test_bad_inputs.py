"""A corpus of bad inputs made from the demo data and the real Hampshire files: each one ends in exactly one clear
message (file, line, column, what was expected) or a recorded reject, never silently and never in a traceback."""

from __future__ import annotations

import csv
import errno
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from keystage import schema
from keystage.cli import app
from keystage.errors import InputError, Rejects
from keystage.ingest import find_inputs, read_all
from keystage.io.ees import read_ees
from keystage.io.ks2 import read_ks2_files
from keystage.io.ks4 import read_ks4_files
from keystage.io.la_records import FILES, NO_ROWS, UNKNOWN_URN, UNREAD_FILE, read_la_records
from keystage.io.lait import read_lait
from keystage.io.neighbours import BELOW_TABLE, read_stat_neighbours
from keystage.io.perftables import INVALID_CELL
from keystage.reportcheck import check_report_folder

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()
KS2_2019 = "ks2/2019_701_ks2final.csv"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data folder (LA 701), written once for this module; cases copy what they change."""
    from keystage.synth import write_demo

    root = tmp_path_factory.mktemp("demo")
    write_demo(root)
    return root


def rows_of(path: Path) -> list[list[str]]:
    """A CSV's rows (BOM dropped), for editing."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    """Write rows back as UTF-8 with a BOM, as DfE publishes."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    return path


def edited(source: Path, target: Path, line: int, column: str, value: str) -> Path:
    """A copy of `source` at `target` with the cell at `line` (1 = header) and `column` replaced by `value`."""
    rows = rows_of(source)
    rows[line - 1][[name.upper() for name in rows[0]].index(column.upper())] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_rows(target, rows)


def rejects_of(read: Callable[[Rejects], object]) -> pd.DataFrame:
    """The rejects table a reader records."""
    rejects = Rejects()
    read(rejects)
    return rejects.table()


def only_reject(table: pd.DataFrame, reason_start: str = "") -> tuple[object, ...]:
    """(file, line, column, value, reason) of the one reject whose reason starts with `reason_start` (column-missing
    notes of the file itself are left aside); fails unless there is exactly one."""
    found = table[table["reason"].str.startswith(reason_start) & ~table["reason"].str.startswith("column not in file")]
    assert len(found) == 1, found.to_string()
    row = found.iloc[0]
    return (Path(row["file"]).name, int(row["line"]), row["column"], row["value"], row["reason"])


def error_of(call: Callable[[], object]) -> str:
    """The one message an InputError gives, with the folder part of the path left off."""
    with pytest.raises(InputError) as err:
        call()
    return f"{Path(err.value.file).name}{str(err.value)[len(err.value.file) :]}"


def ks2(path: Path, rejects: Rejects) -> object:
    return read_ks2_files([path], rejects)


# --- values outside their measure's rule: a recorded reject, kept as missing ------------------------------------------

VALUE_CASES = [
    ("PTRWM_EXP", "150%", schema.PERCENT.expected),
    ("PTRWM_EXP", "-5%", schema.PERCENT.expected),
    ("PTRWM_EXP", "0.68", schema.FRACTION),
    ("PTRWM_EXP", "64,5%", INVALID_CELL),
    ("PTRWM_EXP", "nan", INVALID_CELL),
    ("TELIG", "-3", schema.COUNT.expected),
    ("TELIG", "12.5", schema.COUNT.expected),
    ("READPROG", "inf", INVALID_CELL),
    ("READPROG", "55.2", schema.KS2_PROGRESS.expected),
    ("MATPROG_LOWER", "-1e9", schema.KS2_PROGRESS.expected),
]


@pytest.mark.parametrize(("column", "text", "reason"), VALUE_CASES)
def test_demo_ks2_value_breaking_its_rule_is_rejected(demo: Path, tmp_path: Path, column: str, text: str, reason: str) -> None:
    path = edited(demo / KS2_2019, tmp_path / "2019_701_ks2final.csv", 2, column, text)
    rejects = Rejects()
    tables = read_ks2_files([path], rejects)
    assert only_reject(rejects.table()) == ("2019_701_ks2final.csv", 2, column, text, reason)
    results = tables.results
    measure = {"PTRWM_EXP": "headline", "TELIG": "eligible", "READPROG": "read_prog", "MATPROG_LOWER": "mat_prog_lower"}
    value = results[(results["urn"] == 111749) & (results["year"] == 2019) & (results["measure"] == measure[column])]
    assert value["status"].tolist() == ["invalid"] and value["value"].isna().all()


@pytest.mark.parametrize(
    ("line", "column", "cell", "words", "reason"),
    [
        (2, "PTRWM_EXP", "101%", "expected a percentage", schema.PERCENT.expected),
        (3, "PTREAD_EXP", "64,5%", "not a number", INVALID_CELL),  # a decimal comma, never read as 645
    ],
)
def test_real_hampshire_file_with_one_impossible_value(
    dfe: Path, tmp_path: Path, line: int, column: str, cell: str, words: str, reason: str
) -> None:
    path = edited(dfe / "ks2/2019_850_ks2final.csv", tmp_path / "2019_850_ks2final.csv", line, column, cell)
    assert only_reject(rejects_of(lambda r: ks2(path, r)), words) == ("2019_850_ks2final.csv", line, column, cell, reason)


@pytest.mark.parametrize(
    ("column", "text", "reason"),
    [
        ("ATT8SCR", "95.5", schema.ATTAINMENT8.expected),
        ("P8MEA", "-12", schema.PROGRESS8.expected),
        ("PTL2BASICS_94", "101%", schema.PERCENT.expected),
        ("TPUP", "-1", schema.COUNT.expected),
    ],
)
def test_demo_ks4_value_breaking_its_rule_is_rejected(demo: Path, tmp_path: Path, column: str, text: str, reason: str) -> None:
    path = edited(demo / "ks4/2022_701_ks4final.csv", tmp_path / "2022_701_ks4final.csv", 2, column, text)
    assert only_reject(rejects_of(lambda r: read_ks4_files([path], r))) == ("2022_701_ks4final.csv", 2, column, text, reason)


@pytest.mark.parametrize(("text", "reason"), [("150", schema.PERCENT.expected), ("inf", "expected a number or -")])
def test_demo_lait_value_breaking_its_rule_is_rejected(demo: Path, tmp_path: Path, text: str, reason: str) -> None:
    source = demo / "lait/lait_ks2.csv"
    line = next(i for i, row in enumerate(rows_of(source), start=1) if row[0] == "KS2RWM_Expected_STD")
    path = edited(source, tmp_path / "lait_ks2.csv", line, "Values", text)
    assert only_reject(rejects_of(lambda r: read_lait(path, r)), reason) == ("lait_ks2.csv", line, "VALUES", text, reason)


# --- file-level checks: one message naming the file ------------------------------------------------------------------


def without_lines(source: Path, target: Path, keep: Callable[[list[str]], bool]) -> Path:
    """A copy of `source` keeping the header and the rows `keep` accepts."""
    rows = rows_of(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_rows(target, rows[:1] + [row for row in rows[1:] if keep(row)])


def test_demo_ks2_duplicate_urn(demo: Path, tmp_path: Path) -> None:
    rows = rows_of(demo / KS2_2019)
    path = write_rows(tmp_path / "2019_701_ks2final.csv", rows + [rows[1]])
    assert error_of(lambda: ks2(path, Rejects())) == (
        f"2019_701_ks2final.csv, line {len(rows) + 1}, column URN: URN 111749 appears twice in one file "
        f"(lines 2 and {len(rows) + 1}); expected one row each"
    )


def test_real_hampshire_duplicate_urn(dfe: Path, tmp_path: Path) -> None:
    rows = rows_of(dfe / "ks2/2019_850_ks2final.csv")
    path = write_rows(tmp_path / "2019_850_ks2final.csv", rows[:3] + [rows[1]] + rows[3:])
    assert error_of(lambda: ks2(path, Rejects())) == (
        "2019_850_ks2final.csv, line 4, column URN: URN 115851 appears twice in one file (lines 2 and 4); expected one row each"
    )


@pytest.mark.parametrize(
    ("lost", "message"),
    [
        ({"3", "4", "5"}, "the LA row (RECTYPE 3) of LA 701 and an England row (RECTYPE 4 or 5)"),
        ({"3"}, "the LA row (RECTYPE 3) of LA 701"),
        ({"4", "5"}, "an England row (RECTYPE 4 or 5)"),
    ],
)
def test_demo_ks2_without_its_aggregate_rows(demo: Path, tmp_path: Path, lost: set[str], message: str) -> None:
    path = without_lines(demo / KS2_2019, tmp_path / "2019_701_ks2final.csv", lambda row: row[0] not in lost)
    last = len(rows_of(path))
    assert error_of(lambda: ks2(path, Rejects())) == (
        f"2019_701_ks2final.csv, line {last}, column RECTYPE: missing {message} after line {last}; the file may be truncated"
    )


def test_real_hampshire_file_cut_off_mid_row(dfe: Path, tmp_path: Path) -> None:
    text = (dfe / "ks2/2019_850_ks2final.csv").read_bytes()
    path = tmp_path / "2019_850_ks2final.csv"
    path.write_bytes(text[: len(text) // 2])  # half the schools, a row cut in two, and no LA or England rows
    last = path.read_bytes().count(b"\n") + 1
    assert error_of(lambda: ks2(path, Rejects())) == (
        f"2019_850_ks2final.csv, line {last}, column RECTYPE: missing the LA row (RECTYPE 3) of LA 850 and an England row "
        f"(RECTYPE 4 or 5) after line {last}; the file may be truncated"
    )


@pytest.mark.parametrize("source", ["demo", "real"])
def test_header_only_file(demo: Path, dfe: Path, tmp_path: Path, source: str) -> None:
    original = demo / KS2_2019 if source == "demo" else dfe / "ks2/2019_850_ks2final.csv"
    path = without_lines(original, tmp_path / original.name, lambda row: False)
    assert error_of(lambda: ks2(path, Rejects())) == (
        f"{original.name}, line 2: the file has a header line but no rows; expected schools and the LA and England rows"
    )


def test_demo_years_under_each_others_names(demo: Path, tmp_path: Path) -> None:
    shutil.copy(demo / "ks2/2019_701_ks2final.csv", tmp_path / "2018_701_ks2final.csv")
    shutil.copy(demo / "ks2/2018_701_ks2final.csv", tmp_path / "2019_701_ks2final.csv")
    files = sorted(tmp_path.glob("*.csv"))
    assert error_of(lambda: read_ks2_files(files, Rejects())) == (
        "2018_701_ks2final.csv, line 1, column TELIG_18: a column of 2018's results, so this is not the 2018 file "
        "(a 2018 file repeats 2017's); check the year in its name"
    )


def test_real_hampshire_2018_file_named_2019(dfe: Path, tmp_path: Path) -> None:
    path = tmp_path / "2019_850_ks2final.csv"
    shutil.copy(dfe / "ks2/2018_850_ks2final.csv", path)
    assert error_of(lambda: ks2(path, Rejects())) == (
        "2019_850_ks2final.csv, line 1, column PTRWM_EXP_17: a column of 2017's results, so this is not the 2019 file "
        "(a 2019 file repeats 2018's); check the year in its name"
    )


@pytest.mark.parametrize(
    ("encode", "message"),
    [
        (lambda text: text.encode("utf-16"), "line 1: file is UTF-16 encoded; expected utf-8"),
        (
            lambda text: text.encode("utf-16-le"),
            "line 1: file holds NUL bytes, as UTF-16 without a byte-order mark does; expected utf-8",
        ),
        (
            lambda text: text.replace("Lyndstead", "Lyndst\u00e9ad").encode("cp1252"),
            "line 2: byte 0xe9 is not valid utf-8; expected a utf-8 file",
        ),
    ],
)
def test_demo_ks2_in_another_encoding(demo: Path, tmp_path: Path, encode: Callable[[str], bytes], message: str) -> None:
    path = tmp_path / "2019_701_ks2final.csv"
    path.write_bytes(encode((demo / KS2_2019).read_text(encoding="utf-8-sig")))
    assert error_of(lambda: ks2(path, Rejects())) == f"2019_701_ks2final.csv, {message}"


def test_upper_case_extension_is_read_not_ignored(demo: Path, tmp_path: Path) -> None:
    (tmp_path / "ks2").mkdir()
    shutil.copy(demo / KS2_2019, tmp_path / "ks2" / "2019_701_KS2FINAL.CSV")
    (tmp_path / "LA").mkdir()  # the folder's case is the LA's own; file names are matched in any case
    shutil.copy(demo / "la" / "districts.csv", tmp_path / "LA" / "Districts.CSV")
    folder = find_inputs(tmp_path)
    assert [p.name for p in folder.ks2] == ["2019_701_KS2FINAL.CSV"]
    tables = read_ks2_files(folder.ks2, Rejects())
    assert sorted(tables.school_years["year"].unique()) == [2017, 2018, 2019]  # its own year and those it repeats
    found = read_la_records(tmp_path / "LA", Rejects())
    assert len(found["districts"]) == len(rows_of(demo / "la/districts.csv")) - 1


# --- the LA's own records: nothing dropped quietly ---------------------------------------------------------------


def la_copy(demo: Path, tmp_path: Path, *names: str) -> Path:
    """A la/ folder holding copies of the named demo LA record files, to edit."""
    (tmp_path / "la").mkdir()
    for name in names:
        shutil.copy(demo / "la" / name, tmp_path / "la" / name)
    return tmp_path / "la"


def test_districts_header_in_another_case(demo: Path, tmp_path: Path) -> None:
    folder = la_copy(demo, tmp_path, "districts.csv")
    path = folder / "districts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("urn,district", "URN,District", 1), encoding="utf-8")
    districts = read_la_records(folder, Rejects())["districts"]
    assert districts["district"].nunique() == 8 and len(districts) == len(rows_of(path)) - 1


def test_support_days_for_an_unknown_urn(demo: Path, tmp_path: Path) -> None:
    folder = la_copy(demo, tmp_path, "support_days.csv")
    path = folder / "support_days.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("999999,2019,English,purchased,2.5\n")
    rejects = Rejects()
    known = {int(row[0]) for name in ("districts.csv", "support_days.csv") for row in rows_of(demo / "la" / name)[1:]}
    days = read_la_records(folder, rejects, known)["support_days"]
    assert only_reject(rejects.table()) == ("support_days.csv", len(rows_of(path)), "URN", "999999", UNKNOWN_URN)
    assert 999999 not in set(days["urn"])


@pytest.mark.parametrize(
    ("file", "column", "text", "reason"),
    [
        ("support_days.csv", "days", "inf", "expected a number, at least 0"),
        ("support_days.csv", "days", "-2", "expected a number, at least 0"),
        ("support_days.csv", "kind", "bought", "expected one of statutory, purchased"),
        ("pupils.csv", "ks2_read_score", "130", "expected a number from 80 to 120"),
        ("pupils.csv", "ks4_eng_grade", "9,5", "expected a number from 0 to 9"),
    ],
)
def test_la_record_value_breaking_its_rule_is_rejected(
    demo: Path, tmp_path: Path, file: str, column: str, text: str, reason: str
) -> None:
    folder = la_copy(demo, tmp_path)
    edited(demo / "la" / file, folder / file, 2, column, text)  # the only file of the folder
    assert only_reject(rejects_of(lambda r: read_la_records(folder, r))) == (file, 2, column.upper(), text, reason)


@pytest.mark.parametrize("name", sorted(FILES))
def test_header_only_la_record_file_is_an_error_not_no_records(demo: Path, tmp_path: Path, name: str) -> None:
    # a failed export leaves the header alone; reading it as "no support days" would print a wrong report
    folder = la_copy(demo, tmp_path, f"{name}.csv")
    path = folder / f"{name}.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n\n", encoding="utf-8")
    assert error_of(lambda: read_la_records(folder, Rejects())) == f"{name}.csv, line 2: {NO_ROWS}"


def test_misnamed_la_record_file_is_recorded_not_ignored(demo: Path, tmp_path: Path) -> None:
    folder = la_copy(demo, tmp_path, "districts.csv")
    shutil.copy(demo / "la" / "support_days.csv", folder / "support-days.csv")
    rejects = Rejects()
    assert set(read_la_records(folder, rejects)) == {"districts"}
    table = rejects.table()
    assert [Path(f).name for f in table["file"]] == ["support-days.csv"] and table["reason"].tolist() == [UNREAD_FILE]
    assert table[["line", "column", "value"]].isna().all(axis=None)  # the whole file, no line of it


def test_validate_with_a_header_only_support_days_file(demo: Path, small_data: Path) -> None:
    (small_data / "la").mkdir()
    lines = (demo / "la" / "support_days.csv").read_text(encoding="utf-8").splitlines()
    (small_data / "la" / "support_days.csv").write_text(lines[0] + "\n", encoding="utf-8")
    assert one_message(["validate", "--data-dir", str(small_data), "--la", "701"]) == (
        f"error: {small_data / 'la' / 'support_days.csv'}, line 2: {NO_ROWS}"
    )


@pytest.mark.parametrize(
    ("encode", "message"),
    [
        (
            lambda text: (text + "111111,Br\u00fchl\n").encode("cp1252"),
            "line {n}: byte 0xfc is not valid utf-8; expected a utf-8 file",
        ),
        (
            lambda text: text.encode("utf-16-le"),
            "line 1: file holds NUL bytes, as UTF-16 without a byte-order mark does; expected utf-8",
        ),
    ],
)
def test_districts_in_another_encoding(demo: Path, tmp_path: Path, encode: Callable[[str], bytes], message: str) -> None:
    folder = la_copy(demo, tmp_path, "districts.csv")
    text = (folder / "districts.csv").read_text(encoding="utf-8")
    (folder / "districts.csv").write_bytes(encode(text))
    expected = "districts.csv, " + message.format(n=text.count("\n") + 1)
    assert error_of(lambda: read_la_records(folder, Rejects())) == expected


@pytest.mark.parametrize("content", [b"not a workbook\n", b"PK\x03\x04 a cut-off zip"])
def test_neighbours_file_that_is_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "statistical_neighbours_2025.xlsx"
    path.write_bytes(content)
    message = error_of(lambda: read_stat_neighbours(path, Rejects()))
    assert message.startswith("statistical_neighbours_2025.xlsx: not readable as an Excel workbook (")
    assert message.endswith("); expected an .xlsx file")


def test_neighbours_workbook_without_its_table(tmp_path: Path) -> None:
    path = tmp_path / "statistical_neighbours_2025.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["LA num", "Name"])
    book.save(path)
    assert error_of(lambda: read_stat_neighbours(path, Rejects())) == (
        "statistical_neighbours_2025.xlsx, column SN1: no header row with neighbour columns SN1, SN2, ... on the first sheet"
    )


def test_neighbours_table_cut_by_a_stray_blank_row_records_every_row_below(tmp_path: Path) -> None:
    path = tmp_path / "statistical_neighbours_2025.xlsx"
    book = openpyxl.Workbook()
    for row in (["LA num", "LA Name", "SN1"], [850, "Hampshire", 865], [None, None, None], [865, "Wiltshire", 850],
                [None, "Old SNs:", None], [909, "Cumbria", 940]):  # fmt: skip
        book.active.append(row)
    book.save(path)
    rejects = Rejects()
    frame = read_stat_neighbours(path, rejects)
    assert frame["la_code"].tolist() == [850]
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [4, "LA num", "865", BELOW_TABLE], [6, "LA num", "909", BELOW_TABLE]]  # fmt: skip


# --- report.yaml and narrative -----------------------------------------------------------------------------------


def reports_copy(tmp_path: Path) -> Path:
    """A copy of the demo LA's report folder (config/reports/701) to edit."""
    shutil.copytree(REPO / "config" / "reports" / "701", tmp_path / "reports" / "701")
    return tmp_path / "reports"


YAML_SYNTAX = "not valid YAML: while parsing a flow sequence (from line 1, column {}) expected ',' or ']', but got"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("council: [unclosed\n", f"line 2, column 1: {YAML_SYNTAX.format(10)} '<stream end>'; expected key: value lines"),
        ("- council\n- committee\n", "line 1, column 1: the file holds a list; expected a mapping of key: value lines"),
        ("council: {name: Wessex}\n", "line 1, column 10: council: expected a single line of text, found a dict"),
        ("authors: Alex Morgan\n", "line 1, column 10: authors: expected a list of names, one per line starting with -"),
        ("years: {first: twenty}\n",
         "line 1, column 16: years.first: value 'twenty' is not a test year; expected a year such as 2019"),
        ("years: {first: 2025, last: 2016}\n",
         "line 1, column 8: years: first (2025) is after last (2016); expected first <= last"),
        ("corporate: yes\n",
         "line 1, column 12: corporate: expected a list of entries, each a mapping such as label: ... value: ..."),
        ("contacts:\n  - name: [A, B]\n", "line 2, column 11: contacts[1].name: expected a single line of text"),
        ("council: Wessex\ncommitee: Schools Forum\n",
         "line 2, column 1: commitee: unknown key; expected one of council, committee, date, title, reference, report_from, "
         "authors, contacts, years, corporate, impact_assessments, recommendations, draft"),
    ],
)  # fmt: skip
def test_malformed_report_yaml(tmp_path: Path, text: str, message: str) -> None:
    reports = reports_copy(tmp_path)
    (reports / "701" / "report.yaml").write_text(text, encoding="utf-8")
    assert error_of(lambda: check_report_folder(reports, 701)) == f"report.yaml, {message}"


def test_report_yaml_without_a_required_field(tmp_path: Path) -> None:
    reports = reports_copy(tmp_path)
    path = reports / "701" / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("council: Wessex County Council\n", ""), encoding="utf-8")
    first = next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if not line.startswith("#"))
    assert error_of(lambda: check_report_folder(reports, 701)) == (
        f"report.yaml, line {first}, column 1: council: expected a value for council (required)"  # where the mapping starts
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("committee: [Forum\n", f"line 2, column 1: {YAML_SYNTAX.format(12)} '<stream end>'; expected key: value lines"),
        ("committe: Forum\n",
         "line 1, column 1: committe: unknown key; expected one of committee, date, reference, recommendations"),
        ("reference: [a, b]\n", "line 1, column 12: reference: expected a single line of text, found a list"),
        ("recommendations: Note the report\n", "line 1, column 18: recommendations: expected a list of recommendations, "
         "one per line starting with -"),
    ],
)  # fmt: skip
def test_malformed_district_yaml(tmp_path: Path, text: str, message: str) -> None:
    reports = reports_copy(tmp_path)
    (reports / "701" / "districts" / "avonford" / "district.yaml").write_text(text, encoding="utf-8")
    assert error_of(lambda: check_report_folder(reports, 701)) == f"district.yaml, {message}"


def test_narrative_in_cp1252(tmp_path: Path) -> None:
    reports = reports_copy(tmp_path)
    (reports / "701" / "narrative" / "purpose.md").write_bytes("First line.\nCaf\u00e9 results.\n".encode("cp1252"))
    assert (
        error_of(lambda: check_report_folder(reports, 701))
        == "purpose.md, line 2: byte 0xe9 is not valid UTF-8; expected a UTF-8 file"
    )


# --- the command line: one message, exit 2, a traceback only with --debug -----------------------------------------


@pytest.fixture()
def small_data(demo: Path, tmp_path: Path) -> Path:
    """A data folder of one demo KS2 file and the LA records: quick to validate."""
    (tmp_path / "data" / "ks2").mkdir(parents=True)
    shutil.copy(demo / KS2_2019, tmp_path / "data" / KS2_2019)
    return tmp_path / "data"


def one_message(args: list[str]) -> str:
    """Run keystage; it must exit 2 with one error line and no traceback; returns that line."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.output
    return errors[0]


def build_args(data: Path, tmp_path: Path, *extra: str) -> list[str]:
    return ["build", "--data-dir", str(data), "--out", str(tmp_path / "out"), "--engine", "pandoc", *extra]


def test_validate_with_a_malformed_standards_yaml(small_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "standards.yaml"
    path.write_text((REPO / "config" / "standards.yaml").read_text(encoding="utf-8") + "years: [2019\n", encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n")
    assert one_message(["validate", "--data-dir", str(small_data), "--standards", str(path)]) == (
        f"error: {path}, line {lines + 1}, column 1: not valid YAML: while parsing a flow sequence (from line {lines}, "
        "column 8) expected ',' or ']', but got '<stream end>'; expected key: value lines"
    )


def test_validate_an_unknown_la(small_data: Path) -> None:
    assert one_message(["validate", "--data-dir", str(small_data), "--la", "999"]) == (
        f"error: {small_data / 'ks2'}: no schools of LA 999 in the KS2 files; they hold LA 701"
    )


def test_build_with_an_unknown_la_stops_before_any_work(
    small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    line = one_message(build_args(small_data, tmp_path, "--la", "702"))
    assert line == f"error: {small_data / 'ks2'}: no schools of LA 702 in the KS2 files; they hold LA 701"
    assert not (tmp_path / "out" / "canonical").exists() and not (tmp_path / "out" / "logs").exists()


def test_build_with_a_malformed_report_yaml(small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    reports = reports_copy(tmp_path)
    (reports / "701" / "report.yaml").write_text("council: Wessex\n  committee: x\n", encoding="utf-8")
    line = one_message(build_args(small_data, tmp_path, "--la", "701", "--reports-dir", str(reports)))
    where = f"error: {reports / '701' / 'report.yaml'}, line 2, column 12"
    assert line == f"{where}: not valid YAML: mapping values are not allowed here; expected key: value lines"


def config_edit(old: str, new: str) -> Callable[[str], str]:
    """An edit of config/config.yaml's text that replaces one line."""
    return lambda text: text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (config_edit("las: [701]", "las: [701"),
         "line 8, column 1: not valid YAML: while parsing a flow sequence (from line 7, column 6) expected ',' or ']', "
         "but got '<scalar>'; expected key: value lines"),
        (config_edit("las: [701]", "las: [7O1]"), "line 7, column 7: las[1]: expected a whole number, found '7O1'"),
        (config_edit("las: [701]", "las: 701"), "line 7, column 6: las: expected a list, found 701"),
        (config_edit("las: [701]", "las: [7010]"), "line 7, column 7: las[1]: expected at most 999, found 7010"),
        (config_edit("engine: auto", "engine: word"),
         "line 12, column 9: engine: expected one of auto, pandoc, quarto, found 'word'"),
        (config_edit("school_profiles: true", "school_profile: true"),
         "line 11, column 1: school_profile: unknown key; expected one of data_dir, work_dir, site_dir, standards, "
         "reports_dir, las, district_reports, cohort_reports, partnership_reports, school_profiles, engine"),
        (config_edit("work_dir: out/demo", "#"), "line 2, column 1: missing required key work_dir"),
        (lambda text: "- data_dir\n", "line 1, column 1: the file holds a list; expected a mapping of key: value lines"),
    ],
)  # fmt: skip
def test_build_with_a_malformed_config_yaml(
    small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[str], str], message: str
) -> None:
    # the demo's config/config.yaml: line 1 is a comment, data_dir is on line 2, las on line 7, engine on line 12
    shutil.copytree(REPO / "config", tmp_path / "repo" / "config")
    shutil.copy(REPO / "Snakefile", tmp_path / "repo" / "Snakefile")
    path = tmp_path / "repo" / "config" / "config.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "repo")
    assert one_message(build_args(small_data, tmp_path, "--la", "701")) == f"error: config/config.yaml, {message}"
    assert not (tmp_path / "out").exists()


def test_build_with_a_cp1252_districts_file(
    demo: Path, small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once read while the Snakefile was parsed (a traceback); now found by the validation every build runs first.
    monkeypatch.chdir(REPO)
    (small_data / "la").mkdir()
    (small_data / "la" / "districts.csv").write_bytes("urn,district\n111749,Br\u00fchl\n".encode("cp1252"))
    assert one_message(build_args(small_data, tmp_path, "--la", "701")) == (
        f"error: {small_data / 'la' / 'districts.csv'}, line 2: byte 0xfc is not valid utf-8; expected a utf-8 file"
    )


def test_build_into_a_folder_that_cannot_be_written(small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    (tmp_path / "afile").write_text("", encoding="utf-8")
    args = ["build", "--data-dir", str(small_data), "--la", "701", "--out", str(tmp_path / "afile" / "out")]
    assert one_message(args) == (
        f"error: {tmp_path / 'afile' / 'out'}: cannot write here (Not a directory); expected a writable folder with free space"
    )


def test_build_onto_a_full_disk(small_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.chdir(REPO)
    monkeypatch.setattr(Path, "write_bytes", full)
    assert one_message(build_args(small_data, tmp_path, "--la", "701")) == (
        f"error: {tmp_path / 'out'}: cannot write here (No space left on device); expected a writable folder with free space"
    )


def test_a_fault_is_one_message_and_its_traceback_comes_with_debug(small_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data_dir: Path) -> None:
        raise ValueError("an internal fault")

    monkeypatch.setattr("keystage.validation.check_data", broken)
    args = ["validate", "--data-dir", str(small_data)]
    assert one_message(args) == "error: ValueError: an internal fault (run with --debug for the traceback)"
    debug = runner.invoke(app, ["--debug", *args])
    assert isinstance(debug.exception, ValueError)


def test_validate_reads_what_ingest_reads(demo: Path, small_data: Path) -> None:
    # The same rejects as ingest's reading of the folder: validate hides nothing and adds nothing.
    path = edited(demo / KS2_2019, small_data / KS2_2019, 2, "PTRWM_EXP", "150%")
    result = runner.invoke(app, ["validate", "--data-dir", str(small_data), "--la", "701"])
    assert result.exit_code == 0, result.output
    assert f"  {path.name}: {schema.PERCENT.expected} (1)" in result.output.splitlines()
    rejects = Rejects()
    read_all(find_inputs(small_data), rejects)
    assert only_reject(rejects.table()) == (path.name, 2, "PTRWM_EXP", "150%", schema.PERCENT.expected)


@pytest.mark.parametrize(
    ("column", "text", "reason"),
    [
        ("pt_rwm_met_expected_standard", "101", schema.PERCENT.expected),
        ("t_rwm_eligible_pupils", "-59570", schema.COUNT.expected),
    ],
)
def test_real_ees_value_breaking_its_rule_is_rejected(dfe: Path, tmp_path: Path, column: str, text: str, reason: str) -> None:
    source = dfe / "ees/ks2_regional_and_local_authority_2016_to_2022_provisional.csv"
    rows = rows_of(source)
    header = rows[0]
    gender, at = header.index("gender"), header.index(column)
    line = next(i for i, row in enumerate(rows[1:], start=2) if row[gender] == "Total" and row[at].isdigit())
    path = edited(source, tmp_path / source.name, line, column, text)
    assert only_reject(rejects_of(lambda r: read_ees(path, r)), reason) == (source.name, line, column.upper(), text, reason)
