"""Write KS4 school-level performance tables ("ks4final") for the demo LA's secondaries, from their pupils.

A secondary's figures cover the demo LA's tracked pupils who went there plus pupils who joined from
elsewhere (drawn the same way), so the files and pupils.csv tell one story.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from keystage.synth import params
from keystage.synth.fmt import decimals, integers, percents, write_rows
from keystage.synth.pupils import grades

HEADER = [
    "RECTYPE",
    "LEA",
    "ESTAB",
    "URN",
    "SCHNAME",
    "NFTYPE",
    "AGERANGE",
    "TOTPUPS",
    "TPUP",
    "TFSM6CLA1A",
    "PTFSM6CLA1A",
    "ATT8SCR",
    "P8MEA",
    "P8CILOW",
    "P8CIUPP",
    "PTL2BASICS_94",
    "PTL2BASICS_95",
]
# England (state-funded) figures by year: pupils, Attainment 8, Progress 8, % 9-4 and % 9-5 in English and maths.
ENGLAND = {
    2022: (568000, 48.8, -0.03, 69.0, 49.8),
    2023: (582000, 46.4, -0.03, 65.1, 45.3),
    2024: (590000, 46.1, -0.03, 64.9, 45.9),
}
P8_SPREAD = 1.15  # pupil-level standard deviation of Progress 8


def _attainment8(rng: np.random.Generator, eng: np.ndarray, maths: np.ndarray) -> np.ndarray:
    """Attainment 8: English and maths double weighted plus six other slots that track them."""
    others = np.clip((eng + maths) / 2 + rng.normal(0, 0.7, len(eng)), 0, 9)
    return 2 * eng + 2 * maths + 6 * others


def _expected8(read: np.ndarray, maths: np.ndarray) -> np.ndarray:
    """The Attainment 8 a pupil with these KS2 scores gets on average nationally (the Progress 8 baseline)."""
    return 10 * (4.65 + 0.7 * ((read - 103) / 6 + (maths - 103) / 6))


def ks4_pupils(rng: np.random.Generator, pupils: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Every pupil at a demo-LA secondary in each KS4 year: tracked pupils plus incomers filling the intake."""
    tracked = pupils[pupils["ks4_la"].eq(params.DEMO_LA_CODE)]
    frames = []
    for year in params.KS4_YEARS:
        here = tracked[tracked["ks4_year"].eq(year)]
        counts = here["ks4_urn"].value_counts()
        for _, school in schools.iterrows():
            own = here[here["ks4_urn"].eq(school["urn"])]
            extra = max(int(school["intake"]) - int(counts.get(school["urn"], 0)), 0)
            read = rng.integers(88, 119, extra).astype(float)
            maths = rng.integers(88, 119, extra).astype(float)
            disadv = (rng.random(extra) < 0.25).astype(int)
            eng, mat = grades(rng, read, maths, disadv, np.full(extra, school["effect"]))
            frames.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "urn": school["urn"],
                        "read": np.concatenate([own["ks2_read_score"].to_numpy(float), read]),
                        "maths": np.concatenate([own["ks2_mat_score"].to_numpy(float), maths]),
                        "disadv": np.concatenate([own["disadvantaged"].to_numpy(int), disadv]),
                        "eng": np.concatenate([own["ks4_eng_grade"].to_numpy(float), eng]),
                        "mat": np.concatenate([own["ks4_mat_grade"].to_numpy(float), mat]),
                    }
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    frame["att8"] = _attainment8(rng, frame["eng"].to_numpy(), frame["mat"].to_numpy())
    frame["p8"] = (frame["att8"] - _expected8(frame["read"].to_numpy(), frame["maths"].to_numpy())) / 10
    frame["basics_94"] = (frame["eng"] >= 4) & (frame["mat"] >= 4)
    frame["basics_95"] = (frame["eng"] >= 5) & (frame["mat"] >= 5)
    return frame


def _summary(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Pupil counts, disadvantaged pupils and mean Attainment 8, Progress 8 and basics per group."""
    return (
        frame.groupby(keys, sort=True)
        .agg(
            pupils=("att8", "size"),
            disadv=("disadv", "sum"),
            att8=("att8", "mean"),
            p8=("p8", "mean"),
            basics_94=("basics_94", "sum"),
            basics_95=("basics_95", "sum"),
        )
        .reset_index()
    )


def write_ks4(out: Path, rng: np.random.Generator, pupils: pd.DataFrame, schools: pd.DataFrame, la_name: str) -> list[Path]:
    """Write ks4/{year}_{LA}_ks4final.csv for 2022-2024: schools (RECTYPE 1), the LA (4), England (5, 7)."""
    pupils_ks4 = ks4_pupils(rng, pupils, schools)
    by_school = _summary(pupils_ks4, ["year", "urn"]).merge(schools, on="urn")
    by_la = _summary(pupils_ks4, ["year"])
    written = []
    for year in params.KS4_YEARS:
        s = by_school[by_school["year"].eq(year)].sort_values("estab")
        n = s["pupils"].to_numpy()
        half = 1.96 * P8_SPREAD / np.sqrt(n)
        p8 = s["p8"].to_numpy()
        schools_rows = np.column_stack(
            [
                np.full(len(s), "1"),
                np.full(len(s), str(params.DEMO_LA_CODE)),
                integers(s["estab"]),
                integers(s["urn"]),
                s["name"],
                s["nftype"],
                ["11-" + str(a) for a in s["high_age"]],
                integers(np.round(n * (5 + 1.6 * (s["high_age"] == 18)))),
                integers(n),
                integers(s["disadv"]),
                percents(s["disadv"], n),
                decimals(s["att8"].to_numpy(), 1),
                decimals(p8, 2),
                decimals(p8 - half, 2),
                decimals(p8 + half, 2),
                percents(s["basics_94"], n),
                percents(s["basics_95"], n),
            ]
        ).tolist()
        la = by_la[by_la["year"].eq(year)].iloc[0]
        la_row = [
            "4",
            str(params.DEMO_LA_CODE),
            " ",
            " ",
            la_name,
            " ",
            " ",
            str(int(la["pupils"]) * 5),
            str(int(la["pupils"])),
            str(int(la["disadv"])),
            percents([la["disadv"]], [la["pupils"]], 2)[0],
            decimals([la["att8"]], 1)[0],
            decimals([la["p8"]], 2)[0],
            "",
            "",
            percents([la["basics_94"]], [la["pupils"]], 2)[0],
            percents([la["basics_95"]], [la["pupils"]], 2)[0],
        ]
        total, att8, p8_nat, b94, b95 = ENGLAND[year]
        nation = [
            [
                rectype,
                " ",
                " ",
                " ",
                " ",
                " ",
                " ",
                str(total * 5),
                str(total),
                "",
                "",
                f"{att8:.1f}",
                "" if rectype == "5" else f"{p8_nat:.2f}",
                "",
                "",
                f"{b94:.2f}%",
                f"{b95:.2f}%",
            ]
            for rectype in ("5", "7")
        ]
        rows = schools_rows + [la_row] + nation
        written.append(write_rows(out / "ks4" / f"{year}_{params.DEMO_LA_CODE}_ks4final.csv", HEADER, rows, bom=True))
    return written
