"""Cohort stage: the canonical `pupils` table in, the suppressed cohort-tracking aggregates out (Parquet).

Only aggregates leave this stage; pupil-level rows never reach the cohort folder, a notebook or the site.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from keystage.errors import InputError
from keystage.measures.cohorts import OTHER_LAS, CohortRules, compute_cohorts, load_cohort_rules
from keystage.standards import DisclosureRules, load_standards

OTHER_LAS_NAME = "Schools in other LAs"


def school_names(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """urn -> name of every school in the canonical tables (latest KS2 name, else GIAS), plus other LAs (URN 0)."""
    frames = [pd.DataFrame({"urn": [OTHER_LAS], "name": [OTHER_LAS_NAME]})]
    if "school_years" in tables:
        frames.append(tables["school_years"].sort_values(["urn", "year"]).drop_duplicates("urn", keep="last")[["urn", "name"]])
    if "establishments" in tables:
        frames.append(tables["establishments"][["urn", "name"]])
    names = pd.concat(frames, ignore_index=True).drop_duplicates("urn", keep="first")
    return names.astype({"urn": "int64", "name": str}).sort_values("urn").reset_index(drop=True)


def la_names(tables: dict[str, pd.DataFrame], la_codes: list[int]) -> pd.DataFrame:
    """la_code -> la_name for the LAs with pupils ("LA <code>" when the LA code list is absent)."""
    known = tables["la_codes"].set_index("la_code")["la_name"] if "la_codes" in tables else pd.Series(dtype=str)
    return pd.DataFrame({"la_code": la_codes, "la_name": [str(known.get(c, f"LA {c}")) for c in la_codes]})


def cohort_tables(tables: dict[str, pd.DataFrame], rules: CohortRules, disclosure: DisclosureRules) -> dict[str, pd.DataFrame]:
    """Every cohort table (see keystage.measures.cohorts) plus the school and LA names they refer to."""
    if "pupils" not in tables:
        raise InputError("la/pupils.csv", None, None, "pupil-level KS2-to-KS4 records for cohort tracking (none were ingested)")
    out = compute_cohorts(tables["pupils"], rules, disclosure)
    out["names"] = school_names(tables)
    out["las"] = la_names(tables, sorted(int(c) for c in tables["pupils"]["ks2_la"].unique()))
    return out


def run_cohorts(canonical_dir: str | Path, out_dir: str | Path, standards: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Read the canonical tables, compute the cohort tables and write each as <out_dir>/<name>.parquet."""
    canonical_dir, out_dir = Path(canonical_dir), Path(out_dir)
    wanted = ("pupils", "school_years", "establishments", "la_codes")
    paths = {name: canonical_dir / f"{name}.parquet" for name in wanted}
    tables = {name: pd.read_parquet(path) for name, path in paths.items() if path.is_file()}
    result = cohort_tables(tables, load_cohort_rules(standards), load_standards(standards).disclosure)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in sorted(result.items()):
        partial = out_dir / f"{name}.parquet.partial"
        frame.to_parquet(partial, index=False)
        partial.replace(out_dir / f"{name}.parquet")
    return result
