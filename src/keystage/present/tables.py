"""Numbered, captioned tables emitted as plain Markdown pipe tables, the one form every back end keeps.

Styled pandas tables do not survive into PDF or DOCX, and Quarto's `@tbl-` references read as
citations under plain pandoc, so keystage numbers tables itself and writes them as pipe tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SUPPRESSED = "c"


@dataclass
class Numbering:
    """Hands out table and figure numbers in order of appearance, so numbering never has gaps."""

    tables: int = 0
    figures: int = 0
    captions: dict[str, str] = field(default_factory=dict)

    def next_table(self, key: str, caption: str) -> int:
        """Number the next table; `key` lets prose refer to it by number before or after."""
        self.tables += 1
        self.captions[key] = f"Table {self.tables}"
        return self.tables

    def next_figure(self, key: str, caption: str) -> int:
        """Number the next figure."""
        self.figures += 1
        self.captions[key] = f"Figure {self.figures}"
        return self.figures

    def ref(self, key: str) -> str:
        """The label ("Table 3") of an already numbered table or figure."""
        return self.captions[key]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def pipe_table(frame: pd.DataFrame, align: list[str] | None = None) -> str:
    """Render `frame` (already rounded and disclosure-checked) as a Markdown pipe table.

    The first column is left-aligned and the rest right-aligned unless `align` ("l"/"r") says otherwise.
    """
    columns = [str(c) for c in frame.columns]
    align = align or ["l"] + ["r"] * (len(columns) - 1)
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "| " + " | ".join(rule) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def captioned_table(number: int, caption: str, frame: pd.DataFrame, note: str | None = None) -> str:
    """A numbered caption line, the pipe table and an optional note, as one Markdown block."""
    parts = [f"**Table {number}: {caption}**", "", pipe_table(frame)]
    if note:
        parts += ["", f"*{note}*"]
    return "\n".join(parts) + "\n"
