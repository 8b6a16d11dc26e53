"""Turn an executed report notebook into pandoc Markdown plus its figure files and report metadata.

The contract with the report notebooks in `analysis/` (executed by papermill before rendering):

- Notebook metadata `keystage` (a dict) describes the report:
  `title`, `subtitle`, `kind` (one of "la", "district", "cohort", "partnership", "school"),
  `la_code`, `la_name`, `unit_id`, `unit_name`, `year`,
  `cover` (dict: `council`, `committee`, `date`, `title`, `reference`, `report_from`,
  `authors` [list of str], `contacts` [list of {`name`, `role`, `tel`, `email`}]) and
  `downloads` (list of {`label`, `path`}: CSV files, `path` relative to the output data dir).
  `title`, `kind` and `year` are required; the rest may be absent.
- Markdown cells (headings, numbered paragraphs such as "2.3 ...") are used verbatim.
- Code cells are never shown. Only their display outputs are published:
  "text/markdown" is used verbatim (tables arrive as pipe tables preceded by a caption line
  "**Table N: caption**", which becomes the table's real caption); "image/png" becomes a figure,
  with its alternative text and caption in the output metadata
  (`{"image/png": {"alt": "...", "caption": "Figure N: ..."}}`; a top-level "caption" is accepted too).
  Every other output (stream text, stderr, text/plain, text/html) is dropped. An "error" output
  stops the render: a failed notebook is never published.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from keystage.errors import InputError

KINDS = ("la", "district", "cohort", "partnership", "school")
REQUIRED_META = ("title", "kind", "year")

_CAPTION_LINE = re.compile(r"^\s*\*\*(Table\s+\d+\s*[:.].*?)\*\*\s*$")


def notebook_to_markdown(nb_path: Path, assets_dir: Path) -> tuple[str, dict[str, Any]]:
    """Pandoc Markdown of an executed notebook and its `keystage` metadata; PNGs go to `assets_dir`.

    Image links are relative to `assets_dir.parent` (e.g. `assets/fig-1.png`), so the Markdown is
    rendered from that directory.
    """
    nb_path = Path(nb_path)
    nb = _read_notebook(nb_path)
    meta = report_meta(nb, nb_path)
    blocks: list[str] = []
    figures = 0
    for c, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "markdown":
            blocks.append(cell_text(cell.get("source", "")))
        elif cell.get("cell_type") == "code":
            for o, output in enumerate(cell.get("outputs", [])):
                where = f"cells[{c}].outputs[{o}]"
                if output.get("output_type") == "error":
                    raise InputError(nb_path, None, where, "a notebook executed without errors (this cell raised one)")
                data = output.get("data", {})
                if "text/markdown" in data:
                    blocks.append(caption_tables(cell_text(data["text/markdown"])))
                elif "image/png" in data:
                    figures += 1
                    blocks.append(_figure(output, figures, assets_dir, nb_path, where))
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n", meta


def report_meta(nb: dict[str, Any], nb_path: Path) -> dict[str, Any]:
    """The notebook's `keystage` metadata, checked for the fields every report needs."""
    meta = nb.get("metadata", {}).get("keystage")
    if not isinstance(meta, dict):
        raise InputError(nb_path, None, "metadata.keystage", "a dict describing the report (title, kind, year, cover ...)")
    for key in REQUIRED_META:
        if meta.get(key) in (None, ""):
            raise InputError(nb_path, None, f"metadata.keystage.{key}", f"a value for '{key}'")
    if meta["kind"] not in KINDS:
        raise InputError(nb_path, None, "metadata.keystage.kind", f"one of {', '.join(KINDS)}, not {meta['kind']!r}")
    return meta


def caption_tables(markdown: str) -> str:
    """Turn each "**Table N: caption**" line that precedes a pipe table into that table's pandoc caption."""
    lines = markdown.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _CAPTION_LINE.match(lines[i])
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if match and j < len(lines) and lines[j].lstrip().startswith("|"):
            out += [f"Table: {match.group(1).strip()}", ""]
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def escape_markdown(text: str) -> str:
    """Escape the characters pandoc Markdown would read as markup in inline text."""
    return re.sub(r"([\\`*_{}\[\]<>#|$@~^])", r"\\\1", str(text))


def _read_notebook(nb_path: Path) -> dict[str, Any]:
    """The notebook JSON; a file that is not a notebook stops with an InputError."""
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(nb_path, None, None, f"a readable Jupyter notebook (JSON): {exc}") from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InputError(nb_path, None, "cells", "a Jupyter notebook with a list of cells")
    return nb


def cell_text(source: str | list[str]) -> str:
    """A notebook text field (a string or a list of lines) as one string."""
    return source if isinstance(source, str) else "".join(source)


def _figure(output: dict[str, Any], number: int, assets_dir: Path, nb_path: Path, where: str) -> str:
    """Write the output's PNG as fig-N.png and return a pandoc figure with its caption and alt text."""
    png_meta = output.get("metadata", {}).get("image/png", {})
    alt = png_meta.get("alt") if isinstance(png_meta, dict) else None
    if not alt:
        raise InputError(nb_path, None, f"{where}.metadata", "image/png metadata with an 'alt' text (WCAG 1.1.1)")
    caption = png_meta.get("caption") or output.get("metadata", {}).get("caption") or ""
    assets_dir.mkdir(parents=True, exist_ok=True)
    name = f"fig-{number}.png"
    (assets_dir / name).write_bytes(base64.b64decode(cell_text(output["data"]["image/png"])))
    alt_attr = str(alt).replace("\\", "\\\\").replace('"', '\\"')
    return f'![{escape_markdown(caption)}]({assets_dir.name}/{name}){{alt="{alt_attr}"}}'
