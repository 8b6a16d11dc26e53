"""Half-up rounding as DfE publishes: on scalars, arrays and Series, robust to float error."""

import math

import numpy as np
import pandas as pd

from keystage.rounding import round_half_up


def test_halves_go_up_unlike_python_round():
    assert round(2.5) == 2  # Python rounds half to even: the trap the helper avoids
    assert round_half_up(0.5) == 1.0
    assert round_half_up(2.5) == 3.0
    assert round_half_up(28.5) == 29.0
    assert round_half_up(-2.5) == -3.0


def test_float_error_does_not_pull_a_half_down():
    assert 0.285 * 100 < 28.5  # 28.499999999999996
    assert round_half_up(0.285 * 100) == 29.0
    assert round_half_up(0.285, 2) == 0.29
    assert round_half_up(1.05, 1) == 1.1


def test_digits_and_types():
    assert round_half_up(66.66666, 1) == 66.7
    assert isinstance(round_half_up(1.5), float)
    np.testing.assert_array_equal(round_half_up(np.array([0.5, 1.5, 2.4])), [1.0, 2.0, 2.0])
    s = pd.Series([12.25, np.nan, 7.5], index=["a", "b", "c"], name="pct")
    out = round_half_up(s, 1)
    assert list(out.index) == ["a", "b", "c"] and out.name == "pct"
    assert out["a"] == 12.3 and math.isnan(out["b"]) and out["c"] == 7.5


def test_nan_stays_nan_and_no_negative_zero():
    assert math.isnan(round_half_up(float("nan")))
    assert str(round_half_up(-0.2)) == "0.0"
