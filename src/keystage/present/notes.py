"""The data notes and provenance appendices: what was read, what was left out, and why."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def has_la_records(provenance: pd.DataFrame | None) -> bool:
    """True when any input file came from the LA's own records (the data folder's la/), so texts may speak of them."""
    return provenance is not None and bool(provenance["file"].astype(str).str.startswith("la/").any())


def rejects_summary(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejected values counted by file and reason, largest first, for the data notes."""
    if rejects.empty:
        return pd.DataFrame({"File": pd.Series(dtype=str), "Reason": pd.Series(dtype=str), "Values": pd.Series(dtype="int64")})
    counts = (
        rejects.assign(file=rejects["file"].map(lambda f: Path(f).name))
        .groupby(["file", "reason"], sort=False)
        .size()
        .reset_index(name="Values")
        .rename(columns={"file": "File", "reason": "Reason"})
    )
    return counts.sort_values(["Values", "File", "Reason"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def status_summary(results: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """How many school values were not published, by year and reason (suppressed, not applicable...)."""
    missing = results[results["status"] != ""]
    if missing.empty:
        return pd.DataFrame(columns=["Year", "Reason", "Values"])
    table = missing.groupby(["year", "status"]).size().reset_index(name="Values")
    table["Reason"] = table["status"].map(lambda s: labels.get(s, s))
    return table.rename(columns={"year": "Year"})[["Year", "Reason", "Values"]]


def provenance_table(provenance: pd.DataFrame) -> pd.DataFrame:
    """Input files with size and SHA-256, for the provenance appendix; the 64-digit hash is shown in four groups
    of 16 so a printed table can wrap it inside its column (the download keeps it whole)."""
    table = provenance.rename(columns={"file": "File", "bytes": "Bytes", "sha256": "SHA-256"})
    return table.assign(**{"SHA-256": table["SHA-256"].astype(str).map(grouped_hash)})


def grouped_hash(digest: str, size: int = 16) -> str:
    """ "2abd...38d8" (64 digits) -> four space-separated groups of 16, so a line can break between them."""
    return " ".join(digest[i : i + size] for i in range(0, len(digest), size))
