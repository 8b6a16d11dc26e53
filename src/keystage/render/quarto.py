"""The Quarto back end: render one executed notebook alone in a scratch folder, never re-executing it.

Each report renders in its own folder (no shared project, so parallel renders cannot race on
`site_libs` or `*_files`), with `--output-dir` (Quarto's `--output` takes no path). The notebook is
first rewritten into what Quarto expects: a front-matter raw cell, the cover block, hidden code, only
the published outputs (as in keystage.render.notebook), pandoc table captions, and each figure's
caption and alt text as `fig-cap`/`fig-alt` cell options.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from keystage.render.cover import cover_markdown
from keystage.render.notebook import caption_tables, cell_text
from keystage.render.pandoc import TEMPLATES, PageLinks

FORMATS = "html,typst,docx"


def quarto_path() -> str | None:
    """The quarto binary: QUARTO_PATH when it names an existing file, else `quarto` on PATH, else None."""
    named = os.environ.get("QUARTO_PATH")
    if named and Path(named).is_file():
        return named
    return shutil.which("quarto")


def render_with_quarto(nb_path: Path, scratch: Path, slug: str, meta: dict[str, Any], links: PageLinks) -> dict[str, Path]:
    """Render a copy of the notebook in `scratch` to HTML, Typst PDF and DOCX; return what to move into place."""
    binary = quarto_path()
    if binary is None:
        raise RuntimeError("quarto is not installed (set QUARTO_PATH or put quarto on PATH)")
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    source = scratch / f"{slug}.ipynb"
    source.write_text(json.dumps(quarto_notebook(nb, meta, links), indent=1), encoding="utf-8")
    shutil.copyfile(TEMPLATES / "site.css", scratch / links.css)
    out = scratch / "_out"
    cmd = [binary, "render", source.name, "--to", FORMATS, "--output-dir", out.name, "--no-execute"]
    done = subprocess.run(cmd, cwd=scratch, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"quarto render {nb_path} failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    made = {"index.html": out / f"{slug}.html", f"{slug}.pdf": out / f"{slug}.pdf", f"{slug}.docx": out / f"{slug}.docx"}
    if (out / f"{slug}_files").is_dir():
        made[f"{slug}_files"] = out / f"{slug}_files"
    return made


def quarto_notebook(nb: dict[str, Any], meta: dict[str, Any], links: PageLinks) -> dict[str, Any]:
    """A copy of the notebook ready for Quarto: front matter, cover, download links, hidden code, published outputs only."""
    front = {"title": str(meta["title"]), "lang": "en-GB", "execute": {"enabled": False, "echo": False, "warning": False},
             "format": {"html": {"toc": True, "html-math-method": "plain", "css": links.css, "embed-resources": False},
                        "typst": {"papersize": "a4", "margin": {"x": "2.2cm", "y": "2.2cm"}, "page-numbering": "1"},
                        "docx": {"toc": False}}}
    if meta.get("subtitle"):
        front["subtitle"] = str(meta["subtitle"])
    head = [{"cell_type": "raw", "metadata": {}, "source": "---\n" + yaml.safe_dump(front, sort_keys=True) + "---\n"},
            {"cell_type": "markdown", "metadata": {}, "source": cover_markdown(meta)},
            {"cell_type": "markdown", "metadata": {}, "source": _downloads_markdown(links)}]
    cells = [_quarto_cell(cell) for cell in nb.get("cells", []) if cell.get("cell_type") in ("markdown", "code")]
    return {**nb, "cells": head + cells}


def _quarto_cell(cell: dict[str, Any]) -> dict[str, Any]:
    """A markdown cell as is; a code cell hidden, keeping only Markdown and PNG outputs, with figure options."""
    if cell["cell_type"] == "markdown":
        return cell
    outputs, caps, alts = [], [], []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "text/markdown" in data:
            outputs.append({**output, "data": {"text/markdown": caption_tables(cell_text(data["text/markdown"]))}})
        elif "image/png" in data:
            png = output.get("metadata", {}).get("image/png", {})
            caps.append(png.get("caption") or output.get("metadata", {}).get("caption") or "")
            alts.append(png.get("alt") or "")
            outputs.append({**output, "data": {"image/png": data["image/png"]}})
    options = ["#| echo: false", "#| warning: false"]
    if caps:
        options += [f"#| fig-cap: {json.dumps(caps if len(caps) > 1 else caps[0])}",
                    f"#| fig-alt: {json.dumps(alts if len(alts) > 1 else alts[0])}"]
    return {**cell, "source": "\n".join(options) + "\n" + cell_text(cell.get("source", "")), "outputs": outputs}


def _downloads_markdown(links: PageLinks) -> str:
    """The report's download links as a Markdown list (PDF, DOCX and CSV files)."""
    return "**Downloads**\n\n" + "\n".join(f"- [{label}]({href}) ({fmt})" for label, href, fmt in links.downloads) + "\n"
