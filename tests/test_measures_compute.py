"""The single entry point: all tables at once, lineage applied, deterministic Parquet, and properties."""

import hashlib

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from test_measures_fixtures import results, school_years, schools

from keystage.measures.attainment import attainment
from keystage.measures.compute import compute_all, write_measures
from keystage.standards import load_standards
from keystage.units import build_units

STD = load_standards()
LINEAGE = pd.DataFrame({"urn": [100, 200], "series_urn": [200, 200], "chain": ["100 > 200"] * 2, "issue": ["", ""]})
TABLES = {
    "school_results": results(
        {
            (100, 2011): {"eligible": 20, "headline": 50},
            (200, 2012): {"eligible": 20, "headline": 65},  # converts in 2012
            (3, 2011): {"eligible": 30, "headline": 80},
            (3, 2012): {"eligible": 30, "headline": 70, "disadv_count": 10, "headline_disadv": 50},
            (3, 2024): {"eligible": 30, "headline": 55},
            (4, 2011): {"eligible": 10, "headline": 30},  # a special school
            (4, 2012): {"eligible": 10, "headline": 40, "disadv_count": 10, "headline_disadv": 30},
        }
    ),  # fmt: skip
    "lineage": LINEAGE,
}
TABLES["school_years"] = school_years(TABLES["school_results"], u100={"closed": True}, u4={"rectype": 2, "nftype": "CYS"})
UNITS = build_units(schools((100, 850, "Old"), (200, 850, "Academy"), (3, 850, "C"), (4, 850, "Special")))


def test_all_tables_and_lineage_through_the_entry_point():
    out = compute_all(TABLES, STD, UNITS)
    assert {
        "attainment",
        "floor_schools",
        "floor_counts",
        "distribution",
        "change_bands",
        "gaps",
        "support_summary",
        "support_by_band",
        "support_fit",
        "support_band",
        "case_studies",
        "school_changes",
        "lineage_conflicts",
    } <= set(out)
    changes = out["school_changes"].set_index(["urn", "year"])
    assert changes.loc[(200, 2012), "change_1y"] == 65 - 50  # the academy continues the old URN's series
    assert "100" not in set(out["attainment"]["unit_id"]) and "200" in set(out["attainment"]["unit_id"])
    att = out["attainment"].set_index(["unit_type", "unit_id", "measure", "year"])
    assert att.loc[("la", "850", "headline", 2012), "value"] == (13 + 21 + 4) / 60 * 100  # 20*65% + 30*70% + 10*40%
    floor = out["floor_schools"].set_index(["urn", "year"])["status"]
    assert floor[(3, 2024)] == "not available" and floor[(4, 2012)] == "special school"
    assert floor[(200, 2011)] == "closed school"  # the predecessor URN 100, closed on conversion (ICLOSE 1)
    # the special school is listed with its change, but the distribution counts the in-scope schools only
    assert not changes.loc[(4, 2012), "in_scope"] and changes.loc[(4, 2012), "change_1y"] == 40 - 30
    dist = out["distribution"].set_index(["unit_type", "unit_id", "year"]).loc[("la", "850", 2012)]
    assert dist["n_schools"] == 2 and dist["n_with_change"] == 2  # 200 (on its predecessor's 2011) and 3; not 4
    # the gap's pupils are every school's (10 * 50% + 10 * 30% over 20), its count of schools the in-scope ones
    gap = out["gaps"].set_index(["unit_type", "unit_id", "year"]).loc[("la", "850", 2012)]
    assert gap["disadv_pct"] == (5 + 3) / 20 * 100 and gap["n_schools_disadv"] == 1


def test_write_measures_is_deterministic(tmp_path):
    digests = []
    for run in ("a", "b"):
        paths = write_measures(compute_all(TABLES, STD, UNITS), tmp_path / run)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths})
    assert digests[0] == digests[1] and "attainment.parquet" in digests[0]
    back = pd.read_parquet(tmp_path / "a" / "floor_schools.parquet")
    assert list(back.columns)[:3] == ["urn", "year", "era"] and back["urn"].is_monotonic_increasing


def test_a_year_with_every_result_suppressed_still_gives_every_table():
    r = results({(1, 2019): {"eligible": 4, "headline": None}})
    out = compute_all({"school_results": r, "school_years": school_years(r)}, STD, build_units(schools((1, 850, "A"))))
    assert out["floor_schools"]["status"].tolist() == ["excluded"]  # 4 pupils: under the minimum cohort of 11
    assert out["floor_counts"].query("unit_type == 'la'")[["n_assessed", "n_excluded"]].values.tolist() == [[0, 1]]
    assert out["attainment"].set_index("measure").loc["eligible", "value"].tolist() == [4, 4]  # the LA and the school


@st.composite
def las(draw):
    """One LA of 2-6 schools partitioned into districts, with random results (some suppressed) in 2018-2019."""
    n = draw(st.integers(2, 6))
    data = {}
    for urn in range(1, n + 1):
        for year in (2018, 2019):
            if draw(st.booleans()) or urn == 1:
                eligible = draw(st.integers(1, 90))
                headline = draw(st.one_of(st.none(), st.integers(0, 100).map(float)))
                data[(urn, year)] = {"eligible": eligible, "headline": headline, "mat": draw(st.floats(0, 100))}
    districts = pd.DataFrame({"urn": range(1, n + 1), "district": [draw(st.sampled_from("NSEW")) for _ in range(n)]})
    return results(data), districts, n


@settings(max_examples=30, deadline=None)
@given(las())
def test_la_is_the_sum_of_its_districts_and_percentages_lie_in_0_to_100(drawn):
    r, districts, n = drawn
    units = build_units(schools(*[(u, 850, f"S{u}") for u in range(1, n + 1)]), districts)
    att = attainment(r, units, STD)
    pct = att[att["kind"] == "pct"]["value"]
    assert ((pct >= -1e-9) & (pct <= 100 + 1e-9)).all()
    keys = ["year", "measure"]
    la = att[att["unit_type"] == "la"].set_index(keys)[["numerator", "denominator", "n_schools"]].sort_index()
    summed = att[att["unit_type"] == "district"].groupby(keys)[["numerator", "denominator", "n_schools"]].sum().sort_index()
    pd.testing.assert_frame_equal(la, summed, check_dtype=False)
    schools_sum = att[att["unit_type"] == "school"].groupby(keys)[["numerator", "denominator"]].sum().sort_index()
    pd.testing.assert_frame_equal(la[["numerator", "denominator"]], schools_sum, check_dtype=False)


def test_one_las_attainment_rows_lie_in_their_own_row_groups(tmp_path, monkeypatch):
    # URN order interleaves the two LAs' schools (1: 850, 2: 851, 3: 850); attainment is grouped by LA instead,
    # so with small row groups the groups' la_code statistics name one LA each and a per-LA read skips the rest
    import pyarrow.parquet as pq

    import keystage.measures.compute as compute

    monkeypatch.setattr(compute, "ROW_GROUP_ROWS", 2)
    tables = {"school_results": results({(urn, 2019): {"eligible": 30, "headline": 60} for urn in (1, 2, 3)})}
    tables["school_years"] = school_years(tables["school_results"])
    units = build_units(schools((1, 850, "A"), (2, 851, "B"), (3, 850, "C")))
    write_measures(compute_all(tables, STD, units), tmp_path, compute.WRITE_ORDER)
    metadata = pq.ParquetFile(tmp_path / "attainment.parquet").metadata
    column = metadata.schema.to_arrow_schema().get_field_index("la_code")
    spans = [(metadata.row_group(g).column(column).statistics.min, metadata.row_group(g).column(column).statistics.max)
             for g in range(metadata.num_row_groups)]
    school_rows = pd.read_parquet(tmp_path / "attainment.parquet", filters=[("unit_type", "==", "school")])
    assert school_rows["la_code"].tolist() == sorted(school_rows["la_code"])  # 850, 850, ..., 851
    assert spans == [(850, 850), (851, 851), (850, 850), (850, 850), (851, 851)]  # LA rows, then schools by LA
