"""Report sections on a tiny hand-built unit: table values, rounding, suppression, era split, numbering without gaps."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keystage.present import sections
from keystage.present.sections import Context, Figure, Table, Text
from keystage.present.unit import PUBLISHED, UnitData, cases_without_results, report_years, with_published
from keystage.reportconfig import default_config
from keystage.standards import load_standards

STANDARDS = load_standards()
SUBJECTS = ["read", "writ", "mat"]


def attainment_rows(values: dict[tuple[int, str], tuple[float, float]], national: dict[tuple[int, str], float]) -> pd.DataFrame:
    """Attainment rows for LA 999: (year, measure) -> (value, pupils), with national figures."""
    rows = []
    for (year, measure), (value, pupils) in values.items():
        rows.append(
            {
                "unit_type": "la",
                "unit_id": "999",
                "year": year,
                "era": STANDARDS.year_eras[year],
                "measure": measure,
                "kind": "mean" if measure.endswith("_prog") else "pct",
                "numerator": value * pupils / 100,
                "denominator": pupils,
                "value": value,
                "national": national.get((year, measure), np.nan),
                "diff_national": value - national.get((year, measure), np.nan),
                "diff_region": np.nan,
                "diff_sn_mean": np.nan,
                "region": np.nan,
                "sn_mean": np.nan,
                "la_published": np.nan,
                "la_source": None,
                "rank": np.nan,
                "n_las": np.nan,
                "quartile": None,
                "source": "schools",
            }
        )
    return pd.DataFrame(rows)


def floor_counts(years: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": years,
            "rule_source": [STANDARDS.floor(y).source for y in years],
            "threshold": 65.0,
            "n_assessed": 20,
            "n_excluded": 2,
            "n_below_attainment": [6, 5][: len(years)],
            "n_lifted": [4, 0][: len(years)],
            "n_below_floor": [2, 0][: len(years)],
            "n_not_available": [0, 5][: len(years)],
            "n_writing_only": [1, 0][: len(years)],
            "n_special": 3,
            "n_independent": 0,
            "n_closed": 1,
        }
    )


def gaps(years: list[int], disadv_pupils: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": years,
            "era": [STANDARDS.year_eras[y] for y in years],
            "definition": "disadvantaged",
            "disadv_numerator": np.nan,
            "disadv_denominator": disadv_pupils,
            "disadv_pct": [50.0, 75.0][: len(years)],
            "other_numerator": np.nan,
            "other_denominator": 100.0,
            "other_pct": [72.5, 70.4][: len(years)],
            "gap": [22.5, -4.6][: len(years)],
            "national_disadv": 47.0,
            "national_other": 67.0,
            "national_gap": 20.0,
            "national_all": 61.0,
            "n_schools_disadv": 10,
            "n_match_national": 3,
            "pct_match_national": 30.0,
        }
    )


def empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})


def make_unit(years: list[int], attainment: pd.DataFrame, gap: pd.DataFrame | None = None) -> UnitData:
    distribution = pd.DataFrame(
        {
            "year": years,
            "threshold": 80.0,
            "n_schools": 20,
            "n_at_or_above": 5,
            "pct_at_or_above": 25.0,
            "n_with_change": 20,
            "mean_change": 1.5,
        }
    )
    bands = pd.DataFrame(
        [
            {
                "year": y,
                "measure": "headline",
                "band": b.label,
                "band_order": i,
                "n_schools": 4,
                "pct": 20.0,
                "cum_n": 4 * (5 - i),
                "cum_pct": 20.0 * (5 - i),
            }
            for y in years
            for i, b in enumerate(STANDARDS.change_bands)
        ]
    )
    tables = {
        "attainment": attainment,
        "floor_counts": floor_counts(years),
        "coasting_counts": empty(["year", "window", "n_coasting", "n_too_few_years"]),
        "distribution": distribution,
        "change_bands": bands,
        "gaps": gap if gap is not None else gaps(years, [40.0] * len(years)),
        "support_summary": empty(["year", "group", "days_total"]),
        "support_by_band": empty(["year", "measure", "band", "support", "n_band", "pct_with"]),
        "support_fit": empty(["year"]),
        "support_band": empty(["year"]),
        "school_changes": empty(["urn", "year", "measure", "change_1y", "in_scope"]),
        "floor_schools": empty(["urn", "year"]),
        "case_studies": empty(["case_id", "title", "year"]),
    }
    return UnitData(
        kind="la",
        la_code=999,
        la_name="Testshire",
        unit_id="999",
        unit_name="Testshire",
        years=years,
        tables=tables,
        la_attainment=attainment,
        national=pd.DataFrame(),
        schools=pd.DataFrame({"urn": [1], "la_code": [999], "name": ["A"], "la_name": ["Testshire"]}),
    )


def expected_era_unit() -> UnitData:
    values, national = {}, {}
    for year, headline in ((2023, 62.5), (2024, 64.5)):
        values[(year, "headline")] = (headline, 200.0)
        values[(year, "higher")] = (9.5, 200.0)
        national[(year, "headline")] = 62.4 if year == 2024 else 59.0
        national[(year, "higher")] = 8.0
        for s, v in zip(SUBJECTS, (70.5, 71.49, 72.0), strict=True):
            values[(year, s)] = (v, 200.0)
            values[(year, f"{s}_higher")] = (20.0, 200.0)
        if year == 2023:
            for s in SUBJECTS:
                values[(year, f"{s}_prog")] = (0.45, 200.0)
                national[(year, f"{s}_prog")] = 0.0
    return make_unit([2023, 2024], attainment_rows(values, national))


def context(unit: UnitData, tmp_path: Path) -> Context:
    return Context(unit, STANDARDS, default_config(tmp_path))


def tables_of(blocks: list) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def test_headline_table_rounds_half_up_and_differences_before_rounding(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    blocks = sections.attainment(ctx)
    headline = tables_of(blocks)[0]
    assert headline.number == 1 and headline.key == "headline-expected"
    row = headline.display.set_index("Year").loc["2024"]
    # 64.5 -> 65 (half up; Python's round gives 64); reading 70.5 -> 71; writing 71.49 -> 71
    assert (row["RWM"], row["Reading"], row["Writing"], row["Maths"], row["National RWM"]) == ("65", "71", "71", "72", "62")
    # the difference is 64.5 - 62.4 = 2.1 -> +2, not the 65 - 62 = 3 of the rounded figures
    assert row["Difference from national (pp)"] == "+2"
    assert headline.display.set_index("Year").loc["2023", "Difference from national (pp)"] == "+4"  # 62.5 - 59.0 = 3.5 -> 4


def test_progress_not_available_for_2024(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    progress = [t for t in tables_of(sections.attainment(ctx)) if t.key.startswith("progress")][0]
    table = progress.display.set_index("Year")
    assert table.loc["2023", "Reading"] == "0.5"  # 0.45 -> 0.5 half up
    assert table.loc["2024", "Reading"] == "not available"


def test_trend_sentence_and_figure_alt_state_the_numbers(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    blocks = sections.attainment(ctx)
    figure = [b for b in blocks if isinstance(b, Figure)][0]
    assert "Testshire: 63% in 2023, 65% in 2024" in figure.alt
    assert figure.png.startswith(b"\x89PNG")
    text = blocks[-1].markdown
    assert "rose from 63% in 2023 to 65% in 2024, against 62% nationally" in text
    assert "Tables 1 and 2 show" in text and "Figure 1" in text


def test_floor_table_heading_n_and_not_available(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    table = tables_of(sections.floor(ctx))[0]
    assert list(table.display.columns) == ["Schools", "2023 (65%, LA rule)", "2024 (65%, LA rule)"]
    rows = table.display.set_index("Schools")
    assert rows.loc["Below the floor standard (n)"].tolist() == ["2 (4)", "not available"]
    assert rows.loc["Special schools (outside the floor)"].tolist() == ["3", "3"]
    assert rows.loc["Closed schools (outside the floor)"].tolist() == ["1", "1"]
    assert "of which below on writing alone" not in rows.index  # DfE's writing caveat was for 2017 and 2018 only
    assert "Independent schools (outside the floor)" not in rows.index  # none in either year
    assert "mainstream state-funded schools" in table.note and "config/standards.yaml" in table.note


def test_gap_table_suppresses_small_groups(tmp_path: Path) -> None:
    unit = expected_era_unit()
    unit.tables["gaps"] = gaps([2023, 2024], [40.0, 4.0])  # 4 disadvantaged pupils in 2024: under 6
    ctx = context(unit, tmp_path)
    table = tables_of(sections.closing_gap(ctx))[0]
    shown = table.display.set_index("% RWM")
    assert shown.loc["Disadvantaged", "2023"] == "50" and shown.loc["Gap (pp)", "2023"] == "23"  # 22.5 -> 23
    assert shown.loc["Disadvantaged", "2024"] == "c"
    assert shown.loc["Gap (pp)", "2024"] == "c"  # the gap would give the hidden figure away
    assert shown.loc["Other pupils", "2024"] == "70"
    assert table.data.loc[1, "disadv_pct"] == "c"
    assert "disadvantaged: FSM in the last six years" in table.caption


def test_published_rows_pass_disclosure_unchanged() -> None:
    rules = STANDARDS.disclosure
    tidy = pd.DataFrame({"year": [2016, 2017], "pupils": [np.nan, 4.0], "headline": [59.0, 50.0]})
    out = sections.protect(tidy, rules, ["pupils"], {"headline": "pupils"})
    assert out.loc[0, "headline"] == 59.0  # DfE's published figure, no pupil count: left as published
    assert out.loc[1, "headline"] == "c"


def test_distribution_bands_are_ranges(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    blocks = sections.other_measures(ctx)
    labels = tables_of(blocks)[0].display.iloc[:, 0].tolist()
    assert "Changed by 10 to under 20 (% of schools)" in labels
    assert "Changed by more than 5 to under 10 (% of schools)" in labels
    # cum_pct of "more than 5" is 20 x 3 = 60, of "10 or more" 20 x 2 = 40
    assert (
        "60% of schools improved their headline result by more than 5 percentage points and 40% by 10 or more"
        in blocks[-1].markdown
    )


def test_each_era_gets_its_own_table(tmp_path: Path) -> None:
    values = {(2015, "headline"): (80.0, 100.0), (2016, "headline"): (55.0, 100.0)}
    national = {(2015, "headline"): 80.0, (2016, "headline"): 53.0}
    unit = make_unit([2015, 2016], attainment_rows(values, national))
    ctx = context(unit, tmp_path)
    blocks = sections.attainment(ctx)
    keys = [t.key for t in tables_of(blocks)]
    assert keys[:2] == ["headline-levels_rwm", "higher-levels_rwm"] and "headline-expected" in keys
    assert "The measure changed in 2016" in blocks[-1].markdown


def test_numbering_has_no_gaps_and_references_resolve(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    blocks = []
    for build in (
        sections.purpose,
        sections.what_is_measured,
        sections.attainment,
        sections.floor,
        sections.other_measures,
        sections.closing_gap,
        sections.support,
        lambda c: sections.subject(c, "maths"),
        sections.conclusions,
        sections.implications,
        sections.case_studies,
    ):
        blocks += build(ctx)
    numbers = [t.number for t in tables_of(blocks)]
    assert numbers == list(range(1, len(numbers) + 1))
    text = "\n".join(b.markdown if isinstance(b, Text) else b.markdown() if isinstance(b, Table) else "" for b in blocks)
    captions = re.findall(r"\*\*Table (\d+):", text)
    assert captions == [str(n) for n in numbers]
    for ref in re.findall(r"Tables? (\d+)", text):
        assert int(ref) <= len(numbers)
    # no support records: the support subsection is left out whole, so the subject subsection is 3.1
    assert "Support deployed" not in text and "omitted" not in text
    assert "### 3.1 Mathematics" in text
    assert sections.improvement_heading(ctx)[0].markdown == "## 3 Results by subject"
    notes = sections.data_notes(ctx)[0].markdown
    assert notes.count("**Sections left out.**") == 1
    assert "the sections on support deployed" in notes and "case-study appendix" in notes
    assert "5.1 There are no financial implications" in text


def test_with_published_fills_a_missing_year() -> None:
    att = attainment_rows({(2017, "headline"): (65.65, 100.0)}, {(2017, "headline"): 61.0}).drop(columns="source")
    comparators = pd.DataFrame(
        {
            "la_code": [999, 999],
            "year": [2016, 2017],
            "measure": ["headline", "headline"],
            "la_published": [59.0, 66.0],
            "la_source": ["DfE LA row, 2017_999_ks2final.csv"] * 2,
            "national": [53.0, 61.0],
            "region": [np.nan] * 2,
            "sn_mean": [np.nan] * 2,
        }
    )
    out = with_published(att, comparators, 999).set_index("year")
    assert out.loc[2016, "value"] == 59.0 and out.loc[2016, "source"] == PUBLISHED
    assert np.isnan(out.loc[2016, "denominator"])  # no published pupil number for 2016: missing, not a school sum
    assert out.loc[2016, "diff_national"] == 6.0
    assert out.loc[2017, "value"] == 65.65 and out.loc[2017, "source"] == "schools"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, [2018, 2019, 2022, 2023]),
        (2017, 2019, [2017, 2018, 2019]),
        (None, 2019, [2016, 2017, 2018, 2019]),
        (2019, None, [2019, 2022, 2023]),
    ],
)
def test_report_years(first: int | None, last: int | None, expected: list[int]) -> None:
    # defaults: the last year with data, and the four test years up to it (2020 and 2021 had no tests)
    available = [2015, 2016, 2017, 2019, 2018, 2022, 2023, 2019, 2030]  # 2030 is not a configured year
    assert report_years(available, STANDARDS, first, last) == expected


def test_published_percentages_carry_pupil_numbers_of_the_same_publication() -> None:
    att = attainment_rows({(2017, "headline"): (65.65, 14025.0), (2022, "headline"): (59.0, 14100.0)}, {}).drop(columns="source")
    att["la_published"] = [66.0, 60.0]
    att["la_source"] = ["DfE LA row, 2017_999_ks2final.csv", "DfE LAIT"]
    comparators = pd.DataFrame({
        "la_code": 999, "year": [2017, 2017, 2022, 2022], "measure": ["headline", "eligible", "headline", "eligible"],
        "la_published": [66.0, 14040.0, 60.0, 14100.0],
        "la_source": ["DfE LA row, 2017_999_ks2final.csv"] * 2 + ["DfE LAIT", "DfE LA row, 2022_999_ks2final.csv"],
        "national": np.nan, "region": np.nan, "sn_mean": np.nan,
    })  # fmt: skip
    out = with_published(att, comparators, 999).set_index(["year", "measure"])
    assert out.loc[(2017, "headline"), "value"] == 66.0
    assert out.loc[(2017, "headline"), "denominator"] == 14040  # the LA row's TELIG, not the schools' 14025
    assert np.isnan(out.loc[(2022, "headline"), "denominator"])  # LAIT's 60% beside another file's count: not mixed


def test_average_scaled_scores_table(tmp_path: Path) -> None:
    values = {(2023, "read_avg"): (104.6, 200.0), (2023, "mat_avg"): (104.4, 200.0), (2024, "read_avg"): (105.0, 200.0),
              (2023, "headline"): (60.0, 200.0), (2024, "headline"): (61.0, 200.0)}  # fmt: skip
    national = {(2023, "read_avg"): 105.0, (2023, "headline"): 59.0, (2024, "headline"): 60.0}
    unit = make_unit([2023, 2024], attainment_rows(values, national))
    table = tables_of(sections.attainment(context(unit, tmp_path)))[-1]
    shown = table.display.set_index("Year")
    assert shown.loc["2023", "Reading"] == "105" and shown.loc["2023", "Maths"] == "104"  # 104.6 and 104.4, half up
    assert shown.loc["2024", "Maths"] == "–" and shown.loc["2023", "National reading"] == "105"
    assert "100 is the expected standard" in table.note


def test_floor_table_counts_coasting_in_the_years_dfe_defined_it(tmp_path: Path) -> None:
    unit = expected_era_unit()
    unit.years = [2018, 2019]
    unit.tables["floor_counts"] = floor_counts([2018, 2019])
    unit.tables["coasting_counts"] = pd.DataFrame(
        {"year": [2018], "window": ["2016-2018"], "n_coasting": [16], "n_too_few_years": [5]}
    )
    table = tables_of(sections.floor(context(unit, tmp_path)))[0]
    rows = table.display.set_index("Schools")
    assert rows.loc["Coasting (three years to this one)"].tolist() == ["16", ""]  # none defined from 2019
    assert rows.loc["Too few years to judge coasting"].tolist() == ["5", ""]
    assert rows.loc["of which below on writing alone"].tolist() == ["1", ""]  # DfE's writing caveat: 2017-2018
    assert "2018: 2016-2018" in table.note


def test_case_studies_without_results_in_the_report_years_get_one_sentence_in_the_data_notes(tmp_path: Path) -> None:
    (tmp_path / "measures").mkdir()
    (tmp_path / "canonical").mkdir()
    cases = pd.DataFrame({"case_id": ["CS1"], "title": ["Alpha"], "year": [2019]})
    cases.to_parquet(tmp_path / "measures" / "case_studies.parquet")
    listing = pd.DataFrame({"case_id": ["CS1", "CS2", "CS2"], "title": ["Alpha", "Beta federation", "Beta federation"],
                            "urn": [100001, 100003, 100002]})
    listing.to_parquet(tmp_path / "canonical" / "case_studies.parquet")
    without = cases_without_results(tmp_path / "measures", tmp_path / "canonical", "la")
    assert without.values.tolist() == [["CS2", "Beta federation", "100002, 100003"]]
    assert cases_without_results(tmp_path / "measures", tmp_path / "canonical", "district").empty
    unit = expected_era_unit()  # a report of 2023 and 2024: Alpha has results in 2019 only, Beta none at all
    unit.tables["case_studies"] = cases
    unit.tables["cases_without_results"] = without
    unit.canonical["provenance"] = pd.DataFrame({"file": ["ks2/2024_999_ks2final.csv", "la/case_studies.csv"]})
    ctx = context(unit, tmp_path)
    assert sections.case_studies(ctx) == []  # no appendix heading over nothing
    notes = sections.data_notes(ctx)[0].markdown
    assert notes.count("case-study appendix") == 1
    assert ("**Sections left out.** Testshire supplied no records of support days and subscriptions, so the sections on "
            "support deployed and on support and improvement are left out.") in notes
    assert ("**Case studies.** Testshire's 2 case studies of Alpha and Beta federation have no Key Stage 2 results in "
            "2023 to 2024, the years of this report, so this paper has no case-study appendix.") in notes
    unit.tables["case_studies"], unit.tables["cases_without_results"] = cases.iloc[0:0], without.iloc[0:0]
    assert ("**Case studies.** None of Testshire's case studies is about a school in Testshire, so this paper has no "
            "case-study appendix.") in sections.data_notes(ctx)[0].markdown


def test_case_study_floor_cell_counts_statuses_instead_of_listing_urns() -> None:
    from keystage.present.sections.closing import floor_summary

    assert floor_summary("111945: above") == "above"
    # three schools: two above, one below -> counts in order of first appearance
    assert floor_summary("111945: above; 111946: below; 111947: above") == "2 above, 1 below"


def test_district_paper_lists_its_schools_with_suppression_and_profile_links(tmp_path: Path) -> None:
    from dataclasses import replace

    unit = expected_era_unit()
    schools = pd.DataFrame({"urn": [1, 2], "la_code": 999, "name": ["Beech Primary", "Ash Infant and Junior"],
                            "la_name": "Testshire"})  # fmt: skip
    tables = dict(unit.tables)
    tables["school_changes"] = pd.DataFrame({"urn": [1, 2], "year": 2024, "measure": "headline",
                                             "value": [72.4, 50.0], "change_1y": [3.6, -2.0]})  # fmt: skip
    tables["floor_schools"] = pd.DataFrame({"urn": [1, 2], "year": 2024, "eligible": [30, 4],
                                            "status": ["not available", "excluded"]})  # fmt: skip
    tables["school_attainment"] = pd.DataFrame({"unit_id": ["1"], "year": [2024], "measure": ["read_prog"], "value": [0.5]})
    district = replace(unit, kind="district", unit_id="north", unit_name="North", tables=tables, schools=schools)
    blocks = sections.district_schools(context(district, tmp_path))
    table = tables_of(blocks)[0].display.set_index("Pupils")
    # sorted by name: Ash (4 pupils: a count of 4 is shown, but a percentage of under 6 pupils and its change are hidden)
    assert table.index.tolist() == ["4", "30"]
    assert table.at["30", "RWM (%)"] == "72" and table.at["30", "Change (pp)"] == "+4"
    assert table.at["4", "RWM (%)"] == "c" and table.at["4", "Change (pp)"] == "c"
    assert "Reading progress" not in table.columns  # no progress scores for 2024: no empty columns
    assert table.at["30", "School"] == "[Beech Primary](../school-1-2024/index.html)"
    assert sections.district_schools(context(unit, tmp_path)) == []  # the LA paper has no such table


def test_summary_section_states_strengths_weaknesses_and_default_recommendation(tmp_path: Path) -> None:
    ctx = context(expected_era_unit(), tmp_path)
    text = sections.summary(ctx)[0].markdown
    # 2024: headline 64.5 against 62.4 national (+2.1 -> 2 points above): a strength; up from 62.5 (63%) in 2023
    assert "In 2024 65% of pupils in Testshire reached the expected standard in reading, writing and maths, " \
           "up from 63% in 2023; 2 percentage points above the national figure (62%)" in text
    assert text.index("*Strengths*") < text.index("**Recommendations**")
    assert "1. That the Committee notes the Key Stage 2 results of Testshire for 2023 to 2024" in text


def test_district_progress_chart_shows_intervals_and_counts_clear_differences(tmp_path: Path) -> None:
    from dataclasses import replace

    from keystage.present.sections.district import progress_figure

    unit = expected_era_unit()  # 2023 (progress published) and 2024 (none)
    schools = pd.DataFrame({"urn": [1, 2, 3], "la_code": 999, "name": ["A", "B", "C"], "la_name": "Testshire"})
    rows = []
    # A: 1.2 (0.4 to 2.0) clearly above; B: -0.3 (-1.5 to 0.9) spans 0; C: -2.0 but only 4 pupils: left out
    for urn, (v, lo, hi) in {1: (1.2, 0.4, 2.0), 2: (-0.3, -1.5, 0.9), 3: (-2.0, -4.0, -0.1)}.items():
        rows += [{"urn": urn, "year": 2023, "measure": m, "value": x}
                 for m, x in (("mat_prog", v), ("mat_prog_lower", lo), ("mat_prog_upper", hi))]  # fmt: skip
    tables = dict(unit.tables, school_progress=pd.DataFrame(rows),
                  floor_schools=pd.DataFrame({"urn": [1, 2, 3], "year": 2023, "eligible": [30, 25, 4]}))  # fmt: skip
    district = replace(unit, kind="district", unit_id="north", unit_name="North", tables=tables, schools=schools)
    figure, text = progress_figure(context(district, tmp_path))
    assert figure.caption == "Maths progress score of each North school in 2023, with its 95% confidence interval"
    assert "B: -0.3 (-1.5 to 0.9)" in figure.alt and "C:" not in figure.alt
    assert text.markdown.endswith("In 2023, 1 school was clearly above and 0 schools clearly below the national average.")
