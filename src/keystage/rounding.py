"""Rounding half up, as DfE publishes figures (Python's round() rounds half to even)."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T", float, np.ndarray, pd.Series)

# Values are first rounded to this many decimals so float error (0.285 * 100 = 28.499999999999996)
# cannot move a true half below the rounding point.
_GUARD_DECIMALS = 9


def round_half_up(x: T, digits: int = 0) -> T:
    """Round half away from zero at `digits` decimals (0.5 -> 1, 2.5 -> 3, -2.5 -> -3); NaN stays NaN.

    Works on a scalar, a numpy array or a pandas Series (index kept). Round only for presentation:
    differences and aggregates are computed from unrounded values.
    """
    if isinstance(x, pd.Series):
        return pd.Series(round_half_up(x.to_numpy(dtype="float64", na_value=np.nan), digits), index=x.index, name=x.name)
    values = np.asarray(x, dtype="float64")
    scale = 10.0**digits
    scaled = np.round(values * scale, _GUARD_DECIMALS)
    out = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / scale + 0.0  # + 0.0 turns -0.0 into 0.0
    if np.ndim(x) == 0:
        return float(out)
    return out
