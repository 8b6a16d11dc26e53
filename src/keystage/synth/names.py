"""Fictional place and school names, drawn deterministically so demo files never name a real LA or school."""

from __future__ import annotations

import numpy as np

_PREFIXES = (
    "Ald",
    "Ash",
    "Bex",
    "Bram",
    "Calder",
    "Cor",
    "Dun",
    "Elm",
    "Fen",
    "Gar",
    "Hazel",
    "Hol",
    "Ivy",
    "Kes",
    "Lark",
    "Marl",
    "Nether",
    "Orm",
    "Pen",
    "Quen",
    "Ros",
    "Sel",
    "Tam",
    "Ud",
    "Ver",
    "Wen",
    "Yar",
    "Alder",
    "Birch",
    "Cray",
    "Dray",
    "Eskel",
    "Fal",
    "Glen",
    "Harrow",
    "Isen",
    "Kin",
    "Lynd",
    "Mickle",
    "Norn",
    "Otter",
    "Pell",
    "Rook",
    "Sorrel",
    "Thorn",
    "Umber",
    "Wold",
    "Yew",
)
_SUFFIXES = (
    "bridge",
    "caster",
    "combe",
    "dale",
    "field",
    "ford",
    "gate",
    "hampton",
    "hurst",
    "leigh",
    "mere",
    "minster",
    "mouth",
    "stead",
    "stow",
    "thorpe",
    "wick",
    "worth",
    "borough",
    "brook",
    "cross",
    "holm",
    "ridge",
    "wood",
)
_COMBOS = [p + s for p in _PREFIXES for s in _SUFFIXES]
_SAINTS = ("Aidan", "Alban", "Bede", "Brigid", "Cuthbert", "Edmund", "Hilda", "Swithun", "Wilfrid", "Chad", "Mary", "Peter")


def place_names(rng: np.random.Generator, count: int, exclude: frozenset[str] = frozenset()) -> list[str]:
    """`count` distinct invented place names (prefix + suffix), none of them in `exclude`."""
    combos = [c for c in _COMBOS if c not in exclude] if exclude else _COMBOS
    if count > len(combos):
        raise ValueError(f"only {len(combos)} distinct place names; asked for {count}")
    picked = rng.choice(len(combos), size=count, replace=False)
    return [combos[i] for i in picked]


def saint_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` patron saints for church schools (repeats allowed)."""
    return [_SAINTS[i] for i in rng.integers(0, len(_SAINTS), size=count)]
