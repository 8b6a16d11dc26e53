"""Format numbers as DfE publishes them and write CSVs byte for byte the way the real files are laid out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from keystage.rounding import round_half_up


def decimals(values: np.ndarray, dp: int) -> np.ndarray:
    """Numbers as DfE prints them: rounded half up to `dp` places, trailing zeros dropped ("0.4", "-2", "0")."""
    rounded = round_half_up(values, dp) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = [f"{v:.{dp}f}".rstrip("0").rstrip(".") if dp else f"{v:.0f}" for v in rounded]
    return np.array(["0" if t == "-0" else t for t in text], dtype=object)


def percents(numerator: np.ndarray, denominator: np.ndarray, dp: int = 0) -> np.ndarray:
    """ "66%"-style percentages of numerator over denominator (denominator > 0 wherever the text is used)."""
    share = 100 * np.asarray(numerator, float) / np.maximum(np.asarray(denominator, float), 1)
    return np.array([f"{t}%" for t in _fixed(share, dp)], dtype=object)


def _fixed(values: np.ndarray, dp: int) -> list[str]:
    rounded = round_half_up(values, dp) + 0.0
    return [f"{v:.{dp}f}" for v in rounded]


def integers(values: np.ndarray) -> np.ndarray:
    """Counts as plain integers."""
    return np.array([str(int(v)) for v in np.asarray(values)], dtype=object)


def write_rows(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    encoding: str = "utf-8",
    bom: bool = False,
    quote_all: bool = False,
) -> Path:
    """Write a CSV with CRLF line ends as DfE and GIAS publish (rows may be shorter or longer than the header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))
    return path


def write_frame(path: Path, frame: pd.DataFrame) -> Path:
    """Write one of the LA's own record files: plain UTF-8 CSV, LF line ends, no index."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path
