"""Find input files by name pattern, case-insensitively: "2019_850_KS2FINAL.CSV" is a KS2 file like its lower-case twin."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path


def matching(folder: Path, pattern: str) -> list[Path]:
    """The files directly in `folder` whose names match the glob `pattern` in any letter case, sorted."""
    if not folder.is_dir():
        return []
    wanted = pattern.casefold()
    return sorted(p for p in folder.iterdir() if p.is_file() and fnmatchcase(p.name.casefold(), wanted))
