"""The Quarto back end: the pandoc path's Markdown, templates and A4 reference document, rendered by Quarto.

Parity by construction: Quarto gets the Markdown keystage.render.notebook makes for pandoc, keystage's own
page template (site navigation, cover block, downloads, contents, footer), Typst template and A4 reference
DOCX, so both engines publish the same paper and the same site. A report's formats are made in one Quarto
run, and a batch of reports (web-only pages as HTML only) in one Quarto run: Deno's start-up is paid once a batch.
Each batch renders in its own scratch folder, a throwaway Quarto project, never in the repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from keystage.render.cover import cover_markdown, report_epoch
from keystage.render.pandoc import AUTOFIT_COLUMNS, READER, TEMPLATES, PageLinks, a4_reference_docx, page_variables, wrap_tables, write_cover_json

PRINT_FORMATS = ("typst", "docx")
REFERENCE_DOCX = ".keystage-reference.docx"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_IMAGE_ALT = re.compile(r'(\]\([^)\s]+\.png\)\{)alt=')


@dataclass(frozen=True)
class QuartoPage:
    """One report for Quarto: its slug, pandoc Markdown (figures in `assets/` beside it), metadata and links."""

    slug: str
    markdown: str
    meta: dict[str, Any]
    links: PageLinks


def quarto_path() -> str | None:
    """The quarto binary: QUARTO_PATH when it names an existing file, else `quarto` on PATH, else None."""
    named = os.environ.get("QUARTO_PATH")
    if named and Path(named).is_file():
        return named
    return shutil.which("quarto")


def quarto_version() -> str:
    """What `quarto --version` prints (e.g. "1.10.18"), for the build's opening line."""
    binary = quarto_path()
    if binary is None:
        raise RuntimeError("quarto is not installed (set QUARTO_PATH or put quarto on PATH)")
    return subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def literal_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark, so pandoc reads a metadata string as plain text (no smart quotes)."""
    return _PUNCTUATION.sub(r"\\\1", text)


def quarto_markdown(page: QuartoPage, html_only: bool) -> str:
    """The .qmd source: front matter naming keystage's templates, the DOCX-only cover block, then the report's Markdown."""
    html = {"template": str(TEMPLATES / "page.html"), "minimal": True, "toc": True, "toc-depth": 3,
            "section-divs": True, "anchor-sections": False, "html-math-method": "plain", "wrap": "none"}
    formats: dict[str, Any] = {"html": html}
    if not html_only:
        formats["typst"] = {"template": str(TEMPLATES / "report.typ"), "wrap": "none", "shift-heading-level-by": 0}
        formats["docx"] = {"reference-doc": REFERENCE_DOCX, "toc": False, "columns": AUTOFIT_COLUMNS}
    front = {"lang": "en-GB", "from": READER, "engine": "markdown", "syntax-highlighting": "none",
             "pagetitle": literal_markdown(str(page.meta["title"])), "ks-json": f"{page.slug}.json",
             "ks": page_variables(page.meta, page.links, literal_markdown),
             "filters": [{"path": str(TEMPLATES / "quarto-pandoc-parity.lua"), "at": "post-render"}], "format": formats}
    body = _IMAGE_ALT.sub(r"\1fig-alt=", page.markdown)
    cover = "" if html_only else f'::: {{.content-visible when-format="docx"}}\n{cover_markdown(page.meta)}\n:::\n\n'
    return "---\n" + yaml.safe_dump(front, sort_keys=True, allow_unicode=True) + "---\n\n" + cover + body


def write_source(page: QuartoPage, folder: Path, html_only: bool) -> Path:
    """Write the page's .qmd, and for print formats its cover JSON and A4 reference DOCX, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if not html_only:
        write_cover_json(page.meta, folder / f"{page.slug}.json")
        (folder / REFERENCE_DOCX).write_bytes(a4_reference_docx())
    source = folder / f"{page.slug}.qmd"
    source.write_text(quarto_markdown(page, html_only), encoding="utf-8")
    return source


def run_quarto(project: Path, formats: tuple[str, ...], epoch: int) -> None:
    """`quarto render` a project folder to `formats` in one run, with outputs dated `epoch`."""
    binary = quarto_path()
    if binary is None:
        raise RuntimeError("quarto is not installed (set QUARTO_PATH or put quarto on PATH)")
    cmd = [binary, "render", "--to", ",".join(formats), "--no-execute"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    done = subprocess.run(cmd, cwd=project, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"quarto render {project} failed: {done.stderr.decode('utf-8', 'replace').strip()}")


def render_pages(pages: list[QuartoPage], root: Path, html_only: bool) -> dict[str, dict[str, Path]]:
    """Render many reports, each in root/<slug>/ (assets already there), in one Quarto run per meeting date; outputs by slug.

    One Quarto project renders them all (one Deno start-up instead of one per report); pages that carry different
    meeting dates render in separate runs, so each PDF and DOCX is dated by its own report, as under pandoc.
    """
    by_epoch: dict[int, list[QuartoPage]] = {}
    for page in pages:
        write_source(page, root / page.slug, html_only)
        by_epoch.setdefault(report_epoch(page.meta), []).append(page)
    formats = ("html",) if html_only else ("html", *PRINT_FORMATS)
    for epoch, group in sorted(by_epoch.items()):
        project = {"project": {"type": "default", "render": [f"{page.slug}/{page.slug}.qmd" for page in group]}}
        (root / "_quarto.yml").write_text(yaml.safe_dump(project, sort_keys=True), encoding="utf-8")
        run_quarto(root, formats, epoch)
    return {page.slug: outputs(page, root / page.slug, html_only) for page in pages}


def outputs(page: QuartoPage, folder: Path, html_only: bool) -> dict[str, Path]:
    """The files Quarto made for one page, by the name they take in the report folder (tables in scroll regions, as pandoc's)."""
    html = folder / f"{page.slug}.html"
    if html.is_file():
        html.write_text(wrap_tables(html.read_text(encoding="utf-8")), encoding="utf-8")
    made = {"index.html": html}
    if not html_only:
        made |= {f"{page.slug}.pdf": folder / f"{page.slug}.pdf", f"{page.slug}.docx": folder / f"{page.slug}.docx"}
    if (folder / "assets").is_dir():
        made["assets"] = folder / "assets"
    missing = [str(path) for path in made.values() if not path.exists()]
    if missing:
        raise RuntimeError(f"quarto render made no {', '.join(missing)}")
    return made
