"""The LA's own record files: valid files load typed; bad cells are rejected row by row; wrong shapes stop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keystage.errors import InputError, Rejects
from keystage.io.la_records import (
    read_case_studies,
    read_districts,
    read_la_records,
    read_partnerships,
    read_pupils,
    read_subscriptions,
    read_support_days,
)

LA = Path(__file__).parent / "fixtures" / "la"
BAD = Path(__file__).parent / "fixtures" / "bad"


def test_all_fixture_files_load_clean() -> None:
    rejects = Rejects()
    records = read_la_records(LA, rejects)
    assert sorted(records) == ["case_studies", "districts", "partnerships", "pupils", "subscriptions", "support_days"]
    assert {name: len(frame) for name, frame in records.items()} == {
        "districts": 3,
        "support_days": 3,
        "subscriptions": 2,
        "partnerships": 3,
        "case_studies": 3,
        "pupils": 2,
    }
    assert rejects.table().empty


def test_support_days_types() -> None:
    frame = read_support_days(LA / "support_days.csv", Rejects())
    assert frame["kind"].tolist() == ["statutory", "purchased", "statutory"]  # "Statutory" normalised
    assert frame.groupby("urn")["days"].sum().to_dict() == {115850: 2.5 + 1, 141474: 4}


def test_partnership_dates_and_case_federation() -> None:
    partnerships = read_partnerships(LA / "partnerships.csv", Rejects())
    assert partnerships["joined"].tolist() == [pd.Timestamp(2015, 9, 1)] * 2 + [pd.Timestamp(2016, 1, 4)]
    assert partnerships["left"].isna().tolist() == [True, False, True]
    cases = read_case_studies(LA / "case_studies.csv", Rejects())
    assert cases.groupby("case_id")["urn"].apply(list).to_dict() == {"C1": [115850, 115852], "C2": [141474]}


def test_pupils_blank_ks4_and_flags() -> None:
    pupils = read_pupils(LA / "pupils.csv", Rejects())
    assert pupils["disadvantaged"].tolist() == [True, False]
    assert pupils["ks4_urn"].isna().tolist() == [False, True]
    assert pupils.loc[0, "ks2_read_score"] + pupils.loc[0, "ks2_mat_score"] == 104 + 99


def test_subscriptions_and_districts() -> None:
    assert read_subscriptions(LA / "subscriptions.csv", Rejects())["subject"].tolist() == ["maths", "english"]
    assert read_districts(LA / "districts.csv", Rejects()).set_index("urn")["district"].to_dict()[141474] == "New Forest"


def test_missing_required_column_stops() -> None:
    with pytest.raises(InputError) as err:
        read_districts(BAD / "districts_missing_column.csv", Rejects())
    assert (
        str(err.value)
        == f"{BAD / 'districts_missing_column.csv'}, line 1, column district: required column district is missing from the header"
    )


def test_duplicate_urn_in_districts_stops() -> None:
    with pytest.raises(InputError) as err:
        read_districts(BAD / "districts_duplicate_urn.csv", Rejects())
    assert (err.value.line, err.value.column, err.value.expected) == (
        4,
        "urn",
        "urn 115850 repeats line 2; expected each only once",
    )


def test_text_in_days_and_unknown_kind_are_rejected() -> None:
    rejects = Rejects()
    frame = read_support_days(BAD / "support_days_bad_values.csv", rejects)
    assert frame["urn"].tolist() == [115853]  # the two unreadable rows are left out
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [3, "KIND", "advisory", "expected one of statutory, purchased"],
        [2, "DAYS", "two", "expected a number, at least 0"],
    ]


def test_bad_date_is_rejected() -> None:
    rejects = Rejects()
    frame = read_partnerships(BAD / "partnerships_bad_date.csv", rejects)
    assert frame["urn"].tolist() == [115850]
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [3, "JOINED", "01/09/2015", "expected a date YYYY-MM-DD"]
    ]


def test_left_before_joined_and_blank_required(tmp_path: Path) -> None:
    path = tmp_path / "partnerships.csv"
    path.write_text(
        "partnership_id,partnership_name,partnership_type,urn,joined,left\n"
        "T1,Solent Trust,trust,115850,2019-09-01,2018-08-31\n"
        "T1,Solent Trust,academy chain,115851,2019-09-01,\n"
        "T1,Solent Trust,trust,,2019-09-01,\n"
    )
    rejects = Rejects()
    assert read_partnerships(path, rejects).empty
    assert rejects.table()[["line", "column", "value", "reason"]].values.tolist() == [
        [3, "PARTNERSHIP_TYPE", "academy chain", "expected one of cluster, federation, trust"],
        [4, "URN", "", "missing; a value is required"],
        [2, "LEFT", "2018-08-31", "left before joined (2019-09-01)"],
    ]


def test_pupil_out_of_range_and_duplicate_id(tmp_path: Path) -> None:
    header = (LA / "pupils.csv").read_text().splitlines()[0]
    path = tmp_path / "pupils.csv"
    path.write_text(header + "\nP1,2017,115850,850,yes,130,99,EXS,,,,,\nP2,2017,115850,850,0,100,99,XYZ,,,,,\n")
    rejects = Rejects()
    assert read_pupils(path, rejects).empty
    assert rejects.table()[["line", "column", "value"]].values.tolist() == [
        [2, "DISADVANTAGED", "yes"],
        [2, "KS2_READ_SCORE", "130"],
        [3, "KS2_WRIT_TA", "XYZ"],
    ]
    assert rejects.table()["reason"].tolist()[1] == "expected a number from 80 to 120"
    path.write_text(header + "\nP1,2017,115850,850,1,100,99,EXS,,,,,\nP1,2018,115850,850,1,100,99,EXS,,,,,\n")
    with pytest.raises(InputError, match="line 3, column pupil_id: pupil_id P1 repeats line 2; expected each only once"):
        read_pupils(path, Rejects())


def test_absent_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "districts.csv").write_text((LA / "districts.csv").read_text())
    assert list(read_la_records(tmp_path, Rejects())) == ["districts"]
