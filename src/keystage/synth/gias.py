"""Write GIAS establishment and links extracts: cp1252, CRLF, the real 111 columns, "Linked establishments" last.

Predecessor and successor URNs (academy conversions, amalgamations, a merger) are exactly those the KS2
files switch between, so the URN lineage built from GIAS links joins each school's series.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from keystage.synth import params
from keystage.synth.fmt import write_rows
from keystage.synth.world import World

GIAS_HEADER: tuple[str, ...] = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (name)",
    "NurseryProvision (name)",
    "OfficialSixthForm (name)",
    "Gender (name)",
    "ReligiousCharacter (name)",
    "ReligiousEthos (name)",
    "Diocese (name)",
    "AdmissionsPolicy (name)",
    "SchoolCapacity",
    "SpecialClasses (name)",
    "CensusDate",
    "NumberOfPupils",
    "NumberOfBoys",
    "NumberOfGirls",
    "PercentageFSM",
    "TrustSchoolFlag (name)",
    "Trusts (name)",
    "SchoolSponsorFlag (name)",
    "SchoolSponsors (name)",
    "FederationFlag (name)",
    "Federations (name)",
    "UKPRN",
    "FEHEIdentifier",
    "FurtherEducationType (name)",
    "OfstedLastInsp",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "HeadPreferredJobTitle",
    "BSOInspectorateName (name)",
    "InspectorateReport",
    "DateOfLastInspectionVisit",
    "NextInspectionVisit",
    "TeenMoth (name)",
    "TeenMothPlaces",
    "CCF (name)",
    "SENPRU (name)",
    "EBD (name)",
    "PlacesPRU",
    "FTProv (name)",
    "EdByOther (name)",
    "Section41Approved (name)",
    "SEN1 (name)",
    "SEN2 (name)",
    "SEN3 (name)",
    "SEN4 (name)",
    "SEN5 (name)",
    "SEN6 (name)",
    "SEN7 (name)",
    "SEN8 (name)",
    "SEN9 (name)",
    "SEN10 (name)",
    "SEN11 (name)",
    "SEN12 (name)",
    "SEN13 (name)",
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
    "GOR (name)",
    "DistrictAdministrative (name)",
    "AdministrativeWard (name)",
    "ParliamentaryConstituency (name)",
    "UrbanRural (name)",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "MSOA (name)",
    "LSOA (name)",
    "InspectorateName (name)",
    "SENStat",
    "SENNoStat",
    "PropsName",
    "OfstedRating (name)",
    "RSCRegion (name)",
    "Country (name)",
    "UPRN",
    "SiteName",
    "QABName (name)",
    "EstablishmentAccredited (name)",
    "QABReport",
    "CHNumber",
    "MSOA (code)",
    "LSOA (code)",
    "FSM",
    "Linked establishments",
)

TYPES = {  # NFTYPE -> (TypeOfEstablishment, EstablishmentTypeGroup)
    "CY": ("Community school", "Local authority maintained schools"),
    "VC": ("Voluntary controlled school", "Local authority maintained schools"),
    "VA": ("Voluntary aided school", "Local authority maintained schools"),
    "FD": ("Foundation school", "Local authority maintained schools"),
    "CYS": ("Community special school", "Local authority maintained schools"),
    "ACC": ("Academy converter", "Academies"),
    "AC": ("Academy sponsor led", "Academies"),
    "F": ("Free schools", "Free Schools"),
}
EXTRACT_DATE = date(2025, 4, 30)


def _date(value: object) -> str:
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else ""


def establishments(world: World, las: list[int], secondaries: pd.DataFrame | None) -> pd.DataFrame:
    """One row per URN of the LAs `las` (closed predecessors included), plus the demo LA's secondaries."""
    urns = world.urns[world.urns["la_code"].isin(las)]
    sites = world.sites.loc[urns["site"].to_numpy()]
    names = world.las.set_index("code")
    frame = pd.DataFrame(
        {
            "urn": urns["urn"].to_numpy(),
            "la_code": urns["la_code"].to_numpy(),
            "estab": sites["estab"].to_numpy(),
            "name": urns["name"].to_numpy(),
            "nftype": urns["nftype"].to_numpy(),
            "open_date": urns["open_date"].map(_date).to_numpy(),
            "close_date": urns["close_date"].map(_date).to_numpy(),
            "reason_open": urns["reason_open"].to_numpy(),
            "reason_close": urns["reason_close"].to_numpy(),
            "phase": np.where(sites["kind"].eq("special"), "Not applicable", "Primary"),
            "low_age": urns["low_age"].to_numpy(),
            "high_age": sites["high_age"].to_numpy(),
            "religion": sites["religion"].to_numpy(),
            "pupils": np.round(
                sites["cohort"].to_numpy() * sites["kind"].map({"primary": 7, "junior": 4, "infant": 3, "special": 9}).to_numpy()
            ),
            "fsm": np.clip(sites["fsm"].to_numpy() * 15, 1, 70).round(1),
            "district": sites["district"].to_numpy(),
        }
    )
    if secondaries is not None:
        frame = pd.concat(
            [
                frame,
                pd.DataFrame(
                    {
                        "urn": secondaries["urn"],
                        "la_code": params.DEMO_LA_CODE,
                        "estab": secondaries["estab"],
                        "name": secondaries["name"],
                        "nftype": secondaries["nftype"],
                        "open_date": "",
                        "close_date": "",
                        "reason_open": "Not applicable",
                        "reason_close": "Not applicable",
                        "phase": "Secondary",
                        "low_age": 11,
                        "high_age": secondaries["high_age"],
                        "religion": "Does not apply",
                        "pupils": secondaries["intake"] * 5,
                        "fsm": 14.0,
                        "district": secondaries["district"],
                    }
                ),
            ],
            ignore_index=True,
        )
    frame["la_name"] = frame["la_code"].map(names["name"])
    frame["region"] = frame["la_code"].map(names["region"])
    return frame.sort_values("urn").reset_index(drop=True)


def _link_text(urns: pd.Series, links: pd.DataFrame) -> list[list[str]]:
    """GIAS's "Linked establishments": "Does not have links", or "URN Type" items, extra ones spilling past the header."""
    by_urn: dict[int, list[str]] = {}
    for urn, link_urn, kind in zip(links["urn"], links["link_urn"], links["link_type"], strict=True):
        by_urn.setdefault(int(urn), []).append(f"{link_urn} {kind.split(' - ')[0]}")
    return [by_urn.get(int(u), ["Does not have links"]) for u in urns]


def _postcodes(frame: pd.DataFrame) -> pd.Series:
    """Invented postcodes: the LA's initials, the district's number, then a sector from the URN."""
    area = frame["la_name"].str[:2].str.upper()
    district = frame.groupby("la_code")["district"].rank(method="dense").astype(int).astype(str)
    letters = frame["urn"].map(lambda u: chr(65 + u % 26) + chr(65 + u // 26 % 26))
    return area + district + " " + (frame["urn"] % 9 + 1).astype(str) + letters


def gias_rows(frame: pd.DataFrame, links: pd.DataFrame) -> list[list[str]]:
    """Rows in the real 111-column layout; columns the world has no value for stay blank, as many do in GIAS."""
    position = {name: i for i, name in enumerate(GIAS_HEADER)}
    closed = frame["close_date"].ne("")
    kinds = frame["nftype"].map(TYPES)
    values = {
        "URN": frame["urn"].astype(str),
        "LA (code)": frame["la_code"].astype(str),
        "LA (name)": frame["la_name"],
        "EstablishmentNumber": frame["estab"].astype(str),
        "EstablishmentName": frame["name"],
        "TypeOfEstablishment (name)": kinds.str[0],
        "EstablishmentTypeGroup (name)": kinds.str[1],
        "EstablishmentStatus (name)": np.where(closed, "Closed", "Open"),
        "ReasonEstablishmentOpened (name)": frame["reason_open"],
        "OpenDate": frame["open_date"],
        "ReasonEstablishmentClosed (name)": frame["reason_close"],
        "CloseDate": frame["close_date"],
        "PhaseOfEducation (name)": frame["phase"],
        "StatutoryLowAge": frame["low_age"].astype(str),
        "StatutoryHighAge": frame["high_age"].astype(str),
        "Gender (name)": "Mixed",
        "ReligiousCharacter (name)": frame["religion"],
        "CensusDate": np.where(closed, "", "16-01-2025"),
        "NumberOfPupils": np.where(closed, "", frame["pupils"].astype(int).astype(str)),
        "PercentageFSM": np.where(closed, "", frame["fsm"].astype(str)),
        "County (name)": frame["la_name"],
        "Town": frame["district"],
        "Postcode": _postcodes(frame),
        "GOR (name)": frame["region"],
        "DistrictAdministrative (name)": frame["district"],
        "GSSLACode (name)": "E06000" + frame["la_code"].astype(str),  # fictional LAs, codes of the GSS form
        "Country (name)": "",
        "LastChangedDate": _date(EXTRACT_DATE),
    }
    cells = np.full((len(frame), len(GIAS_HEADER)), "", dtype=object)
    for name, column in values.items():
        cells[:, position[name]] = np.asarray(column, dtype=object) if not isinstance(column, str) else column
    link_items = _link_text(frame["urn"], links)
    return [row[:-1] + items for row, items in zip(cells.tolist(), link_items, strict=True)]


def write_gias(out: Path, world: World, las: list[int], tag: str, secondaries: pd.DataFrame | None) -> list[Path]:
    """Write gias/gias_2025_{tag}.csv (establishments) and gias/links_2025.csv, cp1252 and CRLF as GIAS publishes."""
    frame = establishments(world, las, secondaries)
    links = world.links[world.links["urn"].isin(frame["urn"])]
    link_rows = [
        [str(u), str(v), world_name, kind, day]
        for u, v, kind, day, world_name in zip(
            links["urn"],
            links["link_urn"],
            links["link_type"],
            links["link_date"],
            links["link_urn"].map(frame.set_index("urn")["name"]).fillna(""),
            strict=True,
        )
    ]
    return [
        write_rows(out / "gias" / f"gias_2025_{tag}.csv", GIAS_HEADER, gias_rows(frame, links), encoding="cp1252"),
        write_rows(
            out / "gias" / "links_2025.csv",
            ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"],
            link_rows,
            encoding="cp1252",
            quote_all=True,
        ),
    ]
