"""Shared fixtures: where the real DfE files live, and a skip when they are absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DFE = REPO.parent / "shared" / "data" / "dfe"


@pytest.fixture(scope="session")
def dfe() -> Path:
    """The real DfE files of ../shared/data/dfe; tests using them skip cleanly when absent."""
    if not (DFE / "ks2").is_dir():
        pytest.skip(f"real DfE files not found at {DFE}")
    return DFE
