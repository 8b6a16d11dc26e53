"""Load the column maps (io/columns/*.yaml) that say which published column holds which canonical measure."""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def _parsed(name: str) -> dict[str, Any]:
    text = resources.files("keystage.io").joinpath("columns", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_column_map(name: str) -> dict[str, Any]:
    """The column map `columns/{name}.yaml` (e.g. "ks2") as a fresh dict, read once from the package data."""
    return copy.deepcopy(_parsed(name))


def layout_for_year(column_map: dict[str, Any], year: int) -> dict[str, str]:
    """Canonical measure -> upper-cased published column in `year`'s layout (KeyError for a year not in the map)."""
    return {measure: column.upper() for measure, column in column_map["layouts"][column_map["years"][year]].items()}
