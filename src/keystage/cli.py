"""The `keystage` command line: demo data, ingest, measures, build and validation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from keystage.errors import InputError

app = typer.Typer(help="Reproducible Key Stage 2 reports for English local authorities.", no_args_is_help=True)


OPTIONS = {"debug": False}  # set by the main callback for the command it runs


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show the Python traceback of an error, not only its message.")] = False,
) -> None:
    """keystage: from DfE files and an LA's own records to committee reports and a website."""
    OPTIONS["debug"] = debug


DEMO_DIRS = {"la": "data/demo", "england": "data/demo-england"}


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="la: one county LA's schools; england: all 152 LAs' schools.")] = "la",
    out: Annotated[Path | None, typer.Option(help="Folder to write (default data/demo, or data/demo-england).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes byte-identical files.")] = 2013,
) -> None:
    """Write a synthetic data folder in DfE's published formats (KS2, KS4, LAIT, GIAS, LA records)."""
    from keystage.synth import write_demo
    from keystage.synth.demo import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"expected one of {', '.join(SCALES)}", param_hint="--scale")
    target = out if out is not None else Path(DEMO_DIRS[scale])
    written = write_demo(target, scale=scale, seed=seed)
    for path in written:
        typer.echo(str(path))
    typer.echo(f"wrote {len(written)} files to {target}")


def _fail(err: Exception) -> NoReturn:
    """Print one clear message for bad input and exit 2, never a traceback."""
    typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@contextmanager
def _clear_errors() -> Iterator[None]:
    """Turn any error into one message and exit 2 (bad input, a folder not to overwrite, a disk that cannot be
    written, or a fault of keystage's own); the traceback is shown only with --debug."""
    try:
        yield
    except (InputError, FileExistsError) as err:
        _fail(err)
    except Exception as err:
        if OPTIONS["debug"]:
            raise
        if isinstance(err, OSError) and err.strerror:
            _fail(RuntimeError(f"{err.filename or 'a file'}: {err.strerror} (run with --debug for the traceback)"))
        _fail(RuntimeError(f"{type(err).__name__}: {err} (run with --debug for the traceback)"))


@app.command()
def ingest(
    data_dir: Annotated[Path, typer.Option(help="Folder of input files laid out like DfE's downloads.")],
    out: Annotated[Path, typer.Option(help="Folder for the canonical Parquet tables.")],
    staged: Annotated[Path | None, typer.Option(help="Tables a validation staged: taken if the files are unchanged.")] = None,
) -> None:
    """Stage 1: read every input file into validated canonical tables, with a rejects table."""
    from keystage.ingest import ingest as run_ingest

    with _clear_errors():
        tables = run_ingest(data_dir, out, staged)
    rejected = len(tables["rejects"])
    typer.echo(f"ingested {len(tables['provenance'])} files into {out}: {rejected} values rejected (see rejects.parquet)")


@app.command()
def measure(
    canonical: Annotated[Path, typer.Option(help="Folder of canonical tables written by ingest.")],
    out: Annotated[Path, typer.Option(help="Folder for the measure tables.")],
    standards: Annotated[Path, typer.Option(help="Floor rules, thresholds and bands by year.")] = Path("config/standards.yaml"),
) -> None:
    """Stage 2: compute every measure for every unit (LA, district, partnership, school) in one pass."""
    from keystage.stages import measure as run_measure
    from keystage.standards import load_standards

    with _clear_errors():
        tables = run_measure(canonical, out, load_standards(standards))
    typer.echo(f"wrote {len(tables)} measure tables to {out}")


@app.command()
def downloads(
    measures: Annotated[Path, typer.Option(help="Folder of measure tables written by measure.")],
    la: Annotated[int, typer.Option(help="The LA whose measures to write.")],
    out: Annotated[Path, typer.Option(help="Folder for the EES CSV files.")],
    standards: Annotated[Path, typer.Option(help="Disclosure rules and thresholds.")] = Path("config/standards.yaml"),
    canonical: Annotated[Path | None, typer.Option(help="Canonical tables (for the codes DfE published).")] = None,
) -> None:
    """Write every measure of one LA (its districts and schools too) as EES open-data CSV files."""
    from keystage.downloads import la_downloads
    from keystage.standards import load_standards

    with _clear_errors():
        written = la_downloads(measures, la, load_standards(standards), out, canonical)
    typer.echo(f"wrote {len(written)} files to {out}")


@app.command()
def narrate(
    notebook: Annotated[Path, typer.Argument(help="Report notebook (jupytext .py or .ipynb).")],
    output: Annotated[Path, typer.Argument(help="Executed notebook to write.")],
    parameters: Annotated[Path | None, typer.Option("-f", "--parameters", help="YAML file of papermill parameters.")] = None,
    inline: Annotated[str | None, typer.Option("-y", "--inline", help="Papermill parameters as one YAML mapping.")] = None,
) -> None:
    """Stage 3: execute a report notebook with its parameters (papermill), from a file (-f) or inline (-y)."""
    from keystage.narrate import narrate as run_narrate
    from keystage.narrate import parse_parameters, read_parameters

    with _clear_errors():
        values = read_parameters(parameters) if parameters is not None else parse_parameters(inline or "{}", "--inline")
        run_narrate(notebook, output, values)
    typer.echo(f"executed {notebook} -> {output}")


@app.command()
def render(
    notebook: Annotated[Path, typer.Argument(help="Executed report notebook.")],
    out: Annotated[Path, typer.Option(help="Folder for the HTML page, PDF and DOCX.")],
    data_dir: Annotated[Path | None, typer.Option(help="Folder holding the report's CSV downloads.")] = None,
    engine: Annotated[str, typer.Option(help="auto (Quarto when installed), pandoc or quarto.")] = "auto",
) -> None:
    """Stage 4: render an executed notebook to HTML, A4 PDF and DOCX."""
    from keystage.render.engine import render_report

    with _clear_errors():
        report = render_report(notebook, out, engine=engine, data_dir=data_dir)  # type: ignore[arg-type]
    typer.echo(f"rendered {report.slug} with {report.engine}: {report.html}, {report.pdf}, {report.docx}")


@app.command()
def publish(
    reports: Annotated[list[Path], typer.Argument(help="Rendered reports' report.json manifests.")],
    site: Annotated[Path, typer.Option(help="Folder to write the website into.")] = Path("_site"),
    data: Annotated[list[Path] | None, typer.Option(help="Folder of an LA's open-data CSVs to publish (repeatable).")] = None,
) -> None:
    """Stage 5: build the website (index, listings, search, open data) from rendered reports; every EES file must
    pass the open data standard's checks first."""
    from keystage.publish.site import build_site, check_open_data

    with _clear_errors():
        check_open_data(reports, data or [])
        index = build_site(reports, site, data or [])
    typer.echo(f"published {len(reports)} reports: {index}")


@app.command()
def build(
    data_dir: Annotated[Path | None, typer.Option(help="DfE files laid out like shared/data/dfe (default: demo).")] = None,
    la: Annotated[list[int] | None, typer.Option(help="LA code to report on (repeatable); needed with --data-dir.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the work files, the data downloads and the site.")] = None,
    engine: Annotated[str, typer.Option(help="auto (Quarto when installed), pandoc or quarto.")] = "auto",
    cores: Annotated[int, typer.Option(help="Jobs to run at once.")] = 2,
    reports_dir: Annotated[Path | None, typer.Option(help="Report metadata and narrative (default config/reports).")] = None,
) -> None:
    """Build the reports and the website: the demo LA by default, or one LA from --data-dir."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from keystage.validation import check_build
    from keystage.workflow import build_config, failure_summary, run_snakemake
    from keystage.yamlfile import load_checked

    if data_dir is not None and not la:
        raise typer.BadParameter("give the LA code(s) to report on with --la", param_hint="--la")
    if not Path("Snakefile").is_file():
        _fail(FileNotFoundError("run keystage build from the keystage folder (the one holding the Snakefile)"))
    from keystage.render.engine import describe_engine

    with _clear_errors():
        chosen, sentence = describe_engine(engine)  # type: ignore[arg-type]
    typer.echo(sentence)
    with _clear_errors():
        base = load_checked(Path("config/config.yaml"))
    config = build_config(data_dir, list(la or []), out, chosen, base)
    if reports_dir is not None:
        config["reports_dir"] = str(reports_dir)
    with _clear_errors():
        check_build(config["data_dir"], config["las"], config["reports_dir"], config["standards"],
                    [Path(config["work_dir"]), Path(config["site_dir"])])
    with Progress(TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), transient=True) as progress:
        task = progress.add_task("build", total=None)
        result = run_snakemake(config, cores, lambda done, total: progress.update(task, completed=done, total=total))
    if result.returncode != 0:
        typer.echo(failure_summary(result.log), err=True)
        _fail(RuntimeError(f"the build failed; the full log is {result.log}"))
    if result.nothing_to_do:
        typer.echo("Nothing to do: every report is up to date.")
    else:
        typer.echo(f"Ran {result.steps_done} steps.")
    typer.echo(f"The site is at {(result.site_dir / 'index.html').resolve()}")


@app.command()
def validate(
    data_dir: Annotated[Path, typer.Option(help="Folder of input files laid out like DfE's downloads.")] = Path("data/demo"),
    standards: Annotated[Path, typer.Option(help="Floor rules, thresholds and bands by year.")] = Path("config/standards.yaml"),
    la: Annotated[list[int] | None, typer.Option(help="LA code a build would report on (repeatable; default: all).")] = None,
    reports_dir: Annotated[Path, typer.Option(help="Report metadata and narrative of each LA.")] = Path("config/reports"),
) -> None:
    """Check everything a build reads without building: data files, standards, report.yaml and narrative of each LA."""
    from keystage.present.notes import rejects_summary
    from keystage.reportcheck import check_report_folder
    from keystage.standards import load_standards
    from keystage.validation import check_data, check_las

    with _clear_errors():
        load_standards(standards)
        found = check_data(data_dir)
        check_las(list(la or []), found.las, data_dir)
        reports = [path for code in (la or found.las) for path in check_report_folder(reports_dir, code)]
    typer.echo(f"{len(found.folder.files())} input files in {data_dir}")
    for name, rows in found.rows.items():
        typer.echo(f"  {name}: {rows} rows")
    typer.echo(f"{len(reports)} report files checked in {reports_dir}")
    summary = rejects_summary(found.rejects)
    if summary.empty:
        typer.echo("nothing rejected")
    else:
        typer.echo(f"{int(summary['Values'].sum())} values or rows rejected:")
        for row in summary.itertuples(index=False):
            typer.echo(f"  {row.File}: {row.Reason} ({row.Values})")


@app.command("new-la")
def new_la(
    la_code: Annotated[int, typer.Argument(help="The LA's three-digit code.")],
    name: Annotated[str, typer.Option(help="The LA's name, e.g. Hampshire.")],
    council: Annotated[
        str, typer.Option(prompt="The council's proper name, as on its papers", help="e.g. Hampshire County Council.")
    ],
    reports_dir: Annotated[Path, typer.Option(help="Where report configuration lives.")] = Path("config/reports"),
) -> None:
    """Scaffold report metadata and narrative Markdown for another LA (asks for the council's proper name)."""
    from keystage.scaffold import new_la as scaffold

    with _clear_errors():
        written = scaffold(reports_dir, la_code, name, council)
    for path in written:
        typer.echo(str(path))


@app.command()
def cohorts(
    canonical: Annotated[Path, typer.Option(help="Folder of canonical tables written by ingest (needs pupils).")],
    out: Annotated[Path, typer.Option(help="Folder for the suppressed cohort-tracking tables.")],
    standards: Annotated[Path, typer.Option(help="Standards config with the cohort section.")] = Path("config/standards.yaml"),
) -> None:
    """Cohort tracking: how each primary's pupils did at KS4, as suppressed aggregates (no pupil rows)."""
    from keystage.cohort_stage import run_cohorts

    with _clear_errors():
        tables = run_cohorts(canonical, out, standards)
    typer.echo(f"wrote {len(tables)} cohort tables to {out}")


@app.command()
def partnerships(
    canonical: Annotated[Path, typer.Option(help="Folder of canonical tables written by ingest.")],
    measures: Annotated[Path, typer.Option(help="Folder of measure tables written by measure.")],
    out: Annotated[Path, typer.Option(help="Folder for the partnership tables.")],
    targets: Annotated[Path | None, typer.Option(help="Targets CSV (la/partnership_targets.csv); optional.")] = None,
    standards: Annotated[Path, typer.Option(help="Floor rules, thresholds and bands by year.")] = Path("config/standards.yaml"),
) -> None:
    """Partnership stage: membership by year, difference in differences, aggregates, floor counts, targets."""
    from keystage.partnership_stage import run_partnerships
    from keystage.standards import load_standards

    with _clear_errors():
        tables = run_partnerships(canonical, measures, out, load_standards(standards), targets)
    typer.echo(f"wrote {len(tables)} partnership tables to {out}")
