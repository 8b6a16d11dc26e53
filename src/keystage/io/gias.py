"""Read GIAS ("Get Information about Schools") establishment and links extracts (cp1252 CSVs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keystage.errors import Rejects
from keystage.io.csvfile import read_text_table
from keystage.io.fields import Field, parse_fields
from keystage.schema import Establishments, UrnLinks, validate

GIAS_DATE = "%d-%m-%Y"

ESTABLISHMENT_FIELDS = {
    "urn": Field("URN", "int"),
    "la_code": Field("LA (code)", "int"),
    "estab": Field("EstablishmentNumber", "int", required=False, drop=False),
    "name": Field("EstablishmentName", required=False),
    "type": Field("TypeOfEstablishment (name)", required=False),
    "type_group": Field("EstablishmentTypeGroup (name)", required=False),
    "status": Field("EstablishmentStatus (name)", required=False),
    "phase": Field("PhaseOfEducation (name)", required=False),
    "low_age": Field("StatutoryLowAge", "int", required=False, drop=False),
    "high_age": Field("StatutoryHighAge", "int", required=False, drop=False),
    "open_date": Field("OpenDate", "date", required=False, drop=False, fmt=GIAS_DATE),
    "close_date": Field("CloseDate", "date", required=False, drop=False, fmt=GIAS_DATE),
    "number_on_roll": Field("NumberOfPupils", "int", required=False, drop=False),
    "admin_district": Field("DistrictAdministrative (name)", required=False),
    "region": Field("GOR (name)", required=False),
    "gss_la_code": Field("GSSLACode (name)", required=False),
    "postcode": Field("Postcode", required=False),
}
DESCRIPTIONS = ["name", "type", "type_group", "status", "phase"]  # never missing in GIAS; a blank one reads as ""

LINK_FIELDS = {
    "urn": Field("URN", "int"),
    "link_urn": Field("LinkURN", "int"),
    "link_type": Field("LinkType"),
    "link_date": Field("LinkEstablishedDate", "date", required=False, drop=False, fmt=GIAS_DATE),
}


def read_establishments(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """GIAS establishments as Establishments; the spilling "Linked establishments" column is tolerated, not read.

    Rows without a readable URN or LA code are left out; unreadable numbers and dates become missing; all go to rejects.
    """
    raw = read_text_table(path, "cp1252", required=[field.column for field in ESTABLISHMENT_FIELDS.values()], spill_last=True)
    frame = parse_fields(raw, ESTABLISHMENT_FIELDS, path, rejects)
    frame[DESCRIPTIONS] = frame[DESCRIPTIONS].fillna("")
    return validate(Establishments, frame, str(path))


def read_links(path: str | Path, rejects: Rejects) -> pd.DataFrame:
    """GIAS links (URN, LinkURN, LinkType, LinkEstablishedDate) as UrnLinks; unreadable URNs leave the row out."""
    raw = read_text_table(path, "cp1252", required=[field.column for field in LINK_FIELDS.values()])
    return validate(UrnLinks, parse_fields(raw, LINK_FIELDS, path, rejects), str(path))
