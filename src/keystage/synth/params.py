"""The synthetic world's fixed settings: England's published rates by year, and the shapes the generator draws from.

National percentages are close to DfE's published England (state-funded) figures, so demo reports read
like real ones; they calibrate the generator and are never read by the measures.
"""

from __future__ import annotations

TEST_YEARS: tuple[int, ...] = (2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025)
SUPPORT_YEARS: tuple[int, ...] = tuple(range(2010, 2026))  # May test year the support preceded
LAIT_YEARS: tuple[int, ...] = tuple(range(2016, 2026))
PROGRESS_YEARS: tuple[int, ...] = (2016, 2017, 2018, 2019, 2022, 2023)
KS4_YEARS: tuple[int, ...] = (2022, 2023, 2024)
COHORT_YEARS: tuple[int, ...] = (2017, 2018, 2019)  # KS2 cohorts followed to KS4 five years later

DEMO_LA_CODE = 701  # not a real LA code (real codes: 201-213, 301-394, 420, 800-941)
DEMO_LA_NAME = "Wessex"
DEMO_REGION = "South East"
DEMO_DISTRICTS: tuple[str, ...] = (
    "Avonford",
    "Brackmoor",
    "Chalkdown",
    "Downsmere",
    "Eastharbour",
    "Fernvale",
    "Greywater",
    "Hollowfield",
)

# England's nine regions: (name, LAIT code, GOInd in the neighbours workbook, number of LAs, sub-regions of
# meta/la_and_region_codes.csv as (code, name)). London is split into inner and outer halves as LAIT does.
REGIONS: tuple[tuple[str, int, int, int, tuple[tuple[int, str], ...]], ...] = (
    ("North East", 980, 4, 12, ((1, "North East A"), (3, "North East B"))),
    ("North West", 981, 5, 23, ((6, "North West A"), (7, "North West B"), (9, "North West C"))),
    ("Yorkshire and the Humber", 982, 9, 15, ((10, "North Yorkshire and The Humber"), (12, "South and West Yorkshire"))),
    ("East Midlands", 983, 1, 10, ((14, "East Midlands A"), (16, "East Midlands B"))),
    ("West Midlands", 984, 8, 14, ((20, "West Midlands A"), (22, "West Midlands B"), (24, "West Midlands C"))),
    ("East of England", 985, 2, 11, ((25, "East of England A"), (27, "East of England B"))),
    (
        "London",
        986,
        3,
        33,
        ((31, "London Central"), (32, "London East"), (33, "London North"), (34, "London South"), (35, "London West")),
    ),
    ("South East", 989, 6, 19, ((36, "South East A"), (37, "South East B"), (38, "South East C"), (39, "South East D"))),
    ("South West", 990, 7, 15, ((43, "South West A"), (45, "South West B"))),
)
INNER_LONDON_LAS = 14  # the first 14 London LAs are inner London (LAIT code 987), the rest outer (988)
ENGLAND_CODE = 970
INNER_LONDON_CODE, OUTER_LONDON_CODE = 987, 988
# LAIT's "Region" column spells some regions differently from the regions' own rows.
LAIT_LA_REGION = {"Yorkshire and the Humber": "Yorkshire and The Humber"}

# England (state-funded) percentages by test year and canonical measure (io/columns/ks2.yaml names).
# Levels era: headline = L4+ E&M (2009-2012) or L4+ RWM (2013-2015); higher = Level 5+.
_LEVELS_EM = {
    "headline": (72, 73, 74, 79),
    "higher": (20, 21, 21, 27),
    "eng": (80, 81, 82, 85),
    "eng_higher": (29, 33, 33, 37),
    "read": (86, 84, 84, 87),
    "read_higher": (47, 50, 43, 48),
    "writ": (67, 71, 75, 81),
    "writ_higher": (20, 21, 25, 28),
    "mat": (79, 80, 80, 84),
    "mat_higher": (35, 35, 35, 39),
    "eng_2lp": (84, 84, 84, 89),
    "mat_2lp": (80, 83, 82, 87),
}
_LEVELS_RWM = {
    "headline": (75, 79, 80),
    "higher": (21, 24, 24),
    "headline_4b": (63, 67, 69),
    "read": (86, 89, 89),
    "read_higher": (45, 50, 48),
    "writ": (83, 85, 87),
    "writ_higher": (30, 33, 36),
    "mat": (85, 86, 87),
    "mat_higher": (41, 42, 42),
    "read_2lp": (88, 91, 91),
    "writ_2lp": (91, 93, 94),
    "mat_2lp": (88, 89, 90),
}
_EXPECTED = {  # 2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025
    "headline": (53, 61, 64, 65, 59, 60, 61, 62),
    "higher": (5, 9, 10, 11, 7, 8, 8, 8),
    "read": (66, 71, 75, 73, 74, 73, 74, 75),
    "read_higher": (19, 25, 28, 27, 28, 29, 28, 33),
    "writ": (74, 76, 78, 78, 69, 71, 72, 72),
    "writ_higher": (15, 18, 20, 20, 13, 13, 13, 13),
    "mat": (70, 75, 76, 79, 71, 73, 73, 74),
    "mat_higher": (17, 23, 24, 27, 22, 24, 24, 26),
    "gps": (72, 77, 78, 78, 72, 72, 72, 73),
    "gps_higher": (23, 31, 34, 36, 28, 30, 32, 30),
}


def _by_year(table: dict[str, tuple[int, ...]], years: tuple[int, ...]) -> dict[int, dict[str, float]]:
    return {year: {measure: values[i] / 100 for measure, values in table.items()} for i, year in enumerate(years)}


NATIONAL: dict[int, dict[str, float]] = {
    **_by_year(_LEVELS_EM, (2009, 2010, 2011, 2012)),
    **_by_year(_LEVELS_RWM, (2013, 2014, 2015)),
    **_by_year(_EXPECTED, (2016, 2017, 2018, 2019, 2022, 2023, 2024, 2025)),
}

# Share of KS2 pupils counted as disadvantaged: FSM (levels E&M era), FSM in 6 years or looked after (from 2013).
DISADVANTAGED_SHARE = {2009: 0.18, 2010: 0.19, 2011: 0.19, 2012: 0.19, 2022: 0.30, 2023: 0.31, 2024: 0.32, 2025: 0.32}
DISADVANTAGED_SHARE.update({year: 0.31 for year in range(2013, 2020)})
# England's % of primary pupils eligible for free school meals (LAIT PriFSM), by year.
PRIMARY_FSM = {
    2016: 14.6,
    2017: 14.1,
    2018: 13.8,
    2019: 15.8,
    2020: 17.7,
    2021: 21.6,
    2022: 23.1,
    2023: 24.0,
    2024: 24.3,
    2025: 24.7,
}

# The disadvantage gap on the logit scale (about 22 pp at 65%), narrowing slowly.
GAP_LOGIT_2009 = 1.25
GAP_LOGIT_PER_YEAR = -0.01

SCHOOL_EFFECT_SD = 0.55  # between-school spread of attainment (logit)
LA_EFFECT_SD = 0.18
YEAR_SHOCK_SD = 0.18  # a cohort's own luck, on top of binomial sampling
PROGRESS_SD = {"read": 6.0, "writ": 5.5, "mat": 5.5}  # pupil-level spread of progress scores
SUPPORT_EFFECT_PER_DAY = 0.004  # logit gained per day of support
SUPPORT_EFFECT_KEPT = 0.7  # share of the gain a school keeps into the next year

# The generator's own floor rule (it decides who gets statutory support); measures use config/standards.yaml.
FLOOR_MIN_ELIGIBLE = 11
FLOOR_ATTAINMENT = {2009: 55, 2010: 55, 2011: 60, 2012: 60, 2013: 60, 2014: 65, 2015: 65}
FLOOR_ATTAINMENT.update({year: 65 for year in (2016, 2017, 2018, 2019, 2022, 2023)})
FLOOR_ATTAINMENT.update({year: 40 for year in (2024, 2025)})  # no progress scores: attainment alone
FLOOR_PROGRESS = {"read": -5.0, "writ": -7.0, "mat": -5.0}

SUPPORT_TEAMS: tuple[str, ...] = ("Primary phase", "Mathematics", "English", "Leadership", "Governor services")

# Suppression: every school figure when eligible pupils are at most this many (levels era 10, then 5);
# a pupil group's figures when the group is at most GROUP_SUPPRESS pupils.
SCHOOL_SUPPRESS = {year: (10 if year <= 2015 else 5) for year in TEST_YEARS}
GROUP_SUPPRESS = 5
