"""Turn published cell text ("66%", "SUPP", "c", "1,204") into numbers, keeping why a value is missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from keystage.errors import Rejects
from keystage.schema import value_problems

# A comma is read only as a thousands separator ("1,204"); "64,5%" (a decimal comma) is not a number.
THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?%?$"

# Every code DfE and Explore Education Statistics use for a value that is not published,
# mapped to the status keystage keeps beside the missing value.
SUPPRESSION_CODES: dict[str, str] = {
    "SUPP": "SUPP",  # suppressed: small cohort (performance tables)
    "NE": "NE",  # no entries / not eligible
    "NA": "NA",  # not applicable
    "LOWCOV": "LOWCOV",  # progress: coverage too low to publish
    "NP": "NP",  # not published
    "": "blank",  # left empty
    "-": "x",  # LAIT: not available
    "c": "c",  # EES: confidential / suppressed
    "x": "x",  # EES: not available
    "z": "z",  # EES: not applicable
    "low": "low",  # EES: rounds to zero
    ":": "x",  # GSS older files: not available
}

PRESENT = ""  # the status of a value that was read as a number
ABSENT = "absent"  # the row ended before this column (a ragged row)
INVALID = "invalid"  # text that is neither a number nor a known code: also written to the rejects table


def keep_to_rules(
    long: pd.DataFrame, values: pd.Series, status: pd.Series, path: str | Path, rejects: Rejects
) -> tuple[pd.Series, pd.Series]:
    """(values, status) with every value that breaks its measure's rule (schema.value_rule) made missing, status
    "invalid", and written to `rejects`; `long` has each value's measure, line, column and text, on the same index."""
    broken = pd.Series(value_problems(values.to_numpy(), long["measure"].to_numpy()), index=long.index)
    bad = broken.ne("")
    found = long.loc[bad, ["line", "column", "text"]].rename(columns={"text": "value"})
    rejects.add_frame(found.assign(file=str(path), reason=broken[bad]))
    return values.where(~bad), status.where(~bad, INVALID)


def parse_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse cell text into (float values, status) aligned with `text`.

    Status is "" for a finite number, the code's status for a known suppression code, "absent" for a
    cell past the end of a short row (NaN in `text`), and "invalid" for anything else (text, "inf",
    a decimal comma such as "64,5%"), whose value is NaN.
    """
    missing = text.isna()
    stripped = text.fillna("").astype(str).str.strip()
    commas = stripped.str.contains(",", regex=False)
    cleaned = stripped.str.removesuffix("%").str.replace(",", "", regex=False)
    values = pd.to_numeric(cleaned.where(~commas | stripped.str.match(THOUSANDS), ""), errors="coerce").astype("float64")
    values = values.where(np.isfinite(values))
    codes = stripped.map(SUPPRESSION_CODES)
    status = pd.Series(PRESENT, index=text.index, dtype=object)
    status[values.isna()] = INVALID
    known = values.isna() & codes.notna()
    status[known] = codes[known]
    status[missing] = ABSENT
    return values, status.astype(str)
