"""Render one executed report notebook into a folder: index.html, <slug>.pdf, <slug>.docx, assets/, data/, report.json."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from keystage.errors import InputError
from keystage.render import quarto
from keystage.render.cover import report_epoch
from keystage.render.notebook import notebook_to_markdown, report_meta
from keystage.render.pandoc import TEMPLATES, PageLinks, docx_file, html_page, typst_source
from keystage.render.sanitise import sanitise_page
from keystage.render.typst import compile_pdf

Engine = Literal["auto", "pandoc", "quarto"]
MANIFEST = "report.json"


@dataclass(frozen=True)
class RenderedReport:
    """Where one rendered report's files are, and the notebook metadata that describes it."""

    dir: Path
    slug: str
    engine: str
    html: Path
    pdf: Path | None  # None when rendered as a web page only
    docx: Path | None
    assets: tuple[Path, ...]
    downloads: tuple[tuple[str, Path], ...]  # (label, CSV path)
    meta: dict[str, Any]

    def manifest(self) -> dict[str, Any]:
        """The report as JSON-ready data with paths relative to its folder (what report.json holds)."""
        def rel(path: Path | None) -> str | None:
            return None if path is None else path.relative_to(self.dir).as_posix()

        return {"slug": self.slug, "engine": self.engine, "html": rel(self.html), "pdf": rel(self.pdf),
                "docx": rel(self.docx), "assets": [rel(a) for a in self.assets],
                "downloads": [{"label": label, "path": rel(p)} for label, p in self.downloads], "meta": self.meta}

    @classmethod
    def from_manifest(cls, path: Path) -> RenderedReport:
        """Read a report folder's report.json (or the folder itself) back into a RenderedReport."""
        path = Path(path)
        path = path / MANIFEST if path.is_dir() else path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            folder = path.parent
            return cls(dir=folder, slug=data["slug"], engine=data["engine"], html=folder / data["html"],
                       pdf=data["pdf"] and folder / data["pdf"], docx=data["docx"] and folder / data["docx"],
                       assets=tuple(folder / a for a in data["assets"]),
                       downloads=tuple((d["label"], folder / d["path"]) for d in data["downloads"]), meta=data["meta"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(path, None, None, f"a keystage report manifest ({MANIFEST}): {exc}") from exc


def report_slug(meta: dict[str, Any]) -> str:
    """A stable, URL-safe name for a report: kind, unit and year (e.g. "la-999-2013")."""
    parts = [meta["kind"], meta.get("unit_id") or meta.get("la_code") or meta.get("unit_name") or "all", meta["year"]]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")


def choose_engine(engine: Engine) -> str:
    """"quarto" or "pandoc": auto picks Quarto when it is installed; asking for Quarto without it is an error."""
    if engine not in ("auto", "pandoc", "quarto"):
        raise InputError("--engine", None, None, f"auto, pandoc or quarto, not {engine!r}")
    if engine == "pandoc" or (engine == "auto" and quarto.quarto_path() is None):
        return "pandoc"
    if quarto.quarto_path() is None:
        raise InputError("quarto", None, None, "a quarto binary on PATH or named by QUARTO_PATH (or --engine pandoc)")
    return "quarto"


def describe_engine(engine: Engine) -> tuple[str, str]:
    """The engine a build will use and the sentence saying so (which engine, why, and how to pick the other)."""
    chosen = choose_engine(engine)
    if chosen == "quarto":
        why = "asked for with --engine quarto" if engine == "quarto" else "chosen by --engine auto: quarto is installed"
        version, binary = quarto.quarto_version(), quarto.quarto_path()
        return chosen, f"Rendering with Quarto {version} ({binary}), {why}; --engine pandoc to use pandoc."
    why = "asked for with --engine pandoc" if engine == "pandoc" else "chosen by --engine auto: quarto is not installed"
    return chosen, f"Rendering with pandoc + Typst (the Python wheels), {why}."


@dataclass(frozen=True)
class _Job:
    """One report about to render: where from and to, its slug, metadata, CSV downloads and page links."""

    nb_path: Path
    out_dir: Path
    slug: str
    meta: dict[str, Any]
    downloads: tuple[tuple[str, Path], ...]
    links: PageLinks


def render_report(nb_path: Path, out_dir: Path, engine: Engine = "auto", data_dir: Path | None = None,
                  site_root: str = "../..", html_only: bool = False) -> RenderedReport:
    """Render an executed notebook to HTML, A4 PDF and DOCX in `out_dir`, copying its CSV downloads to out_dir/data.

    `data_dir` holds the CSVs the notebook's `downloads` name (default: a `data` folder beside the notebook);
    `site_root` is the relative href from the report folder to the site's index (reports live at reports/<slug>/);
    `html_only` skips the PDF and DOCX, for web-only pages.
    """
    return render_reports([(Path(nb_path), Path(out_dir), data_dir)], engine, site_root, html_only)[0]


def render_reports(pages: list[tuple[Path, Path, Path | None]], engine: Engine = "auto", site_root: str = "../..",
                   html_only: bool = False) -> list[RenderedReport]:
    """Render many executed notebooks, each (notebook, out_dir, data_dir) as render_report does: Quarto in one run."""
    chosen = choose_engine(engine)
    jobs = [_prepare(Path(nb), Path(out), data, site_root, html_only) for nb, out, data in pages]
    slugs = [job.slug for job in jobs]
    if len(set(slugs)) < len(slugs):
        clash = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        raise InputError(jobs[slugs.index(clash[0])].nb_path, None, "metadata.keystage",
                         f"one report per slug in a batch, not two named {clash[0]}")
    with tempfile.TemporaryDirectory(prefix="keystage-render-") as scratch:
        root = Path(scratch)
        markdowns = [notebook_to_markdown(job.nb_path, root / job.slug / "assets")[0] for job in jobs]
        if chosen == "quarto":
            made = quarto.render_pages([quarto.QuartoPage(job.slug, markdown, job.meta, job.links)
                                        for job, markdown in zip(jobs, markdowns, strict=True)], root, html_only)
        else:
            made = {job.slug: _render_with_pandoc(markdown, job.meta, root / job.slug, job.slug, job.links, html_only)
                    for job, markdown in zip(jobs, markdowns, strict=True)}
        return [_place(job, made[job.slug], chosen) for job in jobs]


def _prepare(nb_path: Path, out_dir: Path, data_dir: Path | None, site_root: str, html_only: bool) -> _Job:
    """Read the report's metadata, clear what an earlier render of it owned, copy its CSVs, work out its links."""
    meta = report_meta(json.loads(nb_path.read_text(encoding="utf-8")), nb_path)
    slug = report_slug(meta)
    for owned in ("assets", "data"):
        shutil.rmtree(out_dir / owned, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    downloads = copy_downloads(meta, nb_path, data_dir or nb_path.parent / "data", out_dir / "data")
    copies = () if html_only else (("PDF copy", f"{slug}.pdf", "PDF, A4"), ("Word copy", f"{slug}.docx", "DOCX"))
    links = PageLinks(home=f"{site_root}/index.html", search=f"{site_root}/search.html", css="style.css",
                      downloads=copies + tuple((label, f"data/{p.name}", "CSV") for label, p in downloads))
    return _Job(nb_path, out_dir, slug, meta, downloads, links)


def _place(job: _Job, made: dict[str, Path], engine: str) -> RenderedReport:
    """Move the rendered files into the report folder, add its stylesheet, and write report.json."""
    placed = {name: _move(path, job.out_dir / name) for name, path in made.items()}
    page = placed["index.html"]
    page.write_text(sanitise_page(page.read_text(encoding="utf-8"), str(job.nb_path)), encoding="utf-8")
    shutil.copyfile(TEMPLATES / "site.css", job.out_dir / "style.css")
    assets_dir = job.out_dir / "assets"
    assets = tuple(sorted(p for p in assets_dir.rglob("*") if p.is_file())) if assets_dir.exists() else ()
    report = RenderedReport(dir=job.out_dir, slug=job.slug, engine=engine, html=placed["index.html"],
                            pdf=placed.get(f"{job.slug}.pdf"), docx=placed.get(f"{job.slug}.docx"), assets=assets,
                            downloads=job.downloads, meta=job.meta)
    (job.out_dir / MANIFEST).write_text(json.dumps(report.manifest(), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return report


def copy_downloads(meta: dict[str, Any], nb_path: Path, data_dir: Path, dest: Path) -> tuple[tuple[str, Path], ...]:
    """Copy each CSV the report offers for download (with its .meta.csv) into `dest`; a missing file stops with an InputError."""
    copied = []
    for i, item in enumerate(meta.get("downloads") or []):
        src = data_dir / str(item.get("path", ""))
        if not item.get("path") or not src.is_file():
            raise InputError(nb_path, None, f"metadata.keystage.downloads[{i}].path", f"an existing CSV file ({src})")
        dest.mkdir(parents=True, exist_ok=True)
        copied.append((str(item.get("label") or src.name), Path(shutil.copyfile(src, dest / src.name))))
        meta = src.with_name(f"{src.stem}.meta.csv")  # an EES data file's metadata travels with it
        if meta.is_file():
            shutil.copyfile(meta, dest / meta.name)
    return tuple(copied)


def _render_with_pandoc(markdown: str, meta: dict[str, Any], scratch: Path, slug: str, links: PageLinks,
                       html_only: bool = False) -> dict[str, Path]:
    """The pandoc + Typst back end, in a scratch folder (figures already in assets/); returns what to move into place."""
    scratch.mkdir(parents=True, exist_ok=True)
    made = {"index.html": html_page(markdown, meta, links, scratch / "index.html")}
    if not html_only:
        made[f"{slug}.docx"] = docx_file(markdown, meta, scratch / f"{slug}.docx")
        made[f"{slug}.pdf"] = compile_pdf(typst_source(markdown, meta, scratch / f"{slug}.typ"), scratch / f"{slug}.pdf",
                                          report_epoch(meta))
    if (scratch / "assets").exists():
        made["assets"] = scratch / "assets"
    return made


def _move(src: Path, dest: Path) -> Path:
    """Move a rendered file or folder into place, replacing what an earlier render left there."""
    if dest.is_dir():
        shutil.rmtree(dest)
    return Path(shutil.move(str(src), str(dest)))
