"""EES open data files: mandatory columns, academic-year codes, GSS symbols and the meta file."""

import pandas as pd

from keystage.opendata import Indicator, ees_frame, ees_meta, time_periods, write_ees


def test_time_period_is_the_academic_year_code():
    assert time_periods(pd.Series([2019, 2000, 2009])).tolist() == ["201819", "199900", "200809"]


def test_ees_frame_has_mandatory_columns_and_symbols(tmp_path):
    frame = pd.DataFrame(
        {"year": [2019, 2018], "urn": [111, 111], "name": ["Ash Primary", "Ash Primary"], "pt_rwm": [66.65, None],
         "subject": ["rwm", "rwm"]}
    )
    status = pd.DataFrame({"pt_rwm": ["", "c"]}, index=frame.index)
    out = ees_frame(
        frame,
        "School",
        {"old_la_code": "701", "la_name": "Wessex", "school_urn": "urn", "school_name": "name"},
        ["subject"],
        [Indicator("pt_rwm", "% meeting the expected standard in RWM", "%", 1)],
        status,
    )
    assert list(out.columns) == [
        "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
        "old_la_code", "la_name", "school_urn", "school_name", "subject", "pt_rwm",
    ]
    # sorted by time period: 2018 (suppressed, shown "c") first, then 2019 with one decimal
    assert out["time_period"].tolist() == ["201718", "201819"]
    assert out["pt_rwm"].tolist() == ["c", "66.7"]  # 66.65 rounds half up to 66.7
    assert out["school_urn"].tolist() == ["111", "111"]
    meta = ees_meta({"subject": "Subject"}, [Indicator("pt_rwm", "% meeting the expected standard in RWM", "%", 1)])
    data_path, meta_path = write_ees(out, meta, tmp_path / "attainment")
    assert data_path.name == "attainment.csv" and meta_path.name == "attainment.meta.csv"
    assert meta_path.read_text().splitlines()[2] == "pt_rwm,Indicator,% meeting the expected standard in RWM,,%,1,,"
