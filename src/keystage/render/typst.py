"""Compile Typst source to PDF with the typst wheel: embedded fonts only, fixed timestamp, so output is reproducible."""

from __future__ import annotations

from pathlib import Path

import typst


def compile_pdf(typ_path: Path, pdf_path: Path, epoch: int) -> Path:
    """Compile `typ_path` (root: its folder) to `pdf_path`, ignoring system fonts, dated `epoch`."""
    typst.compile(str(typ_path), output=str(pdf_path), root=str(typ_path.parent), ignore_system_fonts=True, timestamp=epoch)
    return pdf_path
