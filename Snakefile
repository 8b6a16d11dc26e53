# keystage workflow: ingest -> measure -> narrate -> render -> publish.
# Every input a report depends on is declared, so Snakemake reruns exactly what a change touches:
# a district's narrative reruns that district; a data file reruns everything downstream of it.
# The many small per-report jobs are `run:` blocks calling keystage.jobs: under `keystage build`
# (--force-use-threads) they run inside this process, with no Python start and imports per job.

from snakemake.utils import min_version, validate

from keystage.jobs import downloads_job, narrate_job, render_job
from keystage.validation import STAGED

min_version("8.0")

configfile: "config/config.yaml"
validate(config, "config/schemas/config.schema.yaml")

include: "workflow/rules/common.smk"
include: "workflow/rules/cohort.smk"
include: "workflow/rules/partnerships.smk"

wildcard_constraints:
    la=r"\d{3}",
    report=r"la|district-[a-z0-9-]+",

WORK = config["work_dir"]


rule all:
    input:
        f"{config['site_dir']}/index.html",


rule ingest:
    input:
        data=data_files(),
    output:
        directory(f"{WORK}/canonical"),
    log:
        f"{WORK}/logs/ingest.log",
    params:
        staged=f"{WORK}/{STAGED}",  # what the validation `keystage build` runs first read (see keystage.ingest.stage)
    shell:
        "{KEYSTAGE} ingest --data-dir {config[data_dir]:q} --out {output:q} --staged {params.staged:q} > {log:q} 2>&1"


rule measure:
    input:
        canonical=rules.ingest.output,
        standards=config["standards"],
    output:
        directory(f"{WORK}/measures"),
    log:
        f"{WORK}/logs/measure.log",
    shell:
        "{KEYSTAGE} measure --canonical {input.canonical:q} --standards {input.standards:q} --out {output:q} > {log:q} 2>&1"


rule downloads:
    input:
        measures=rules.measure.output,
        canonical=rules.ingest.output,
        standards=config["standards"],
    output:
        directory(f"{WORK}/data/{{la}}"),
    log:
        f"{WORK}/logs/downloads-{{la}}.log",
    run:
        downloads_job(input.measures[0], int(wildcards.la), input.standards, output[0], log[0], input.canonical[0])


rule narrate:
    input:
        notebook="analysis/committee_report.py",
        measures=rules.measure.output,
        canonical=rules.ingest.output,
        standards=config["standards"],
        narrative=narrative_files,
    output:
        notebook=f"{WORK}/notebooks/{{la}}/{{report}}.ipynb",
        downloads=directory(f"{WORK}/notebooks/{{la}}/{{report}}_data"),
    params:
        parameters=report_parameters,
    log:
        f"{WORK}/logs/narrate/{{la}}-{{report}}.log",
    run:
        narrate_job(input.notebook, output.notebook, params.parameters, log[0])


rule render:
    input:
        notebook=rules.narrate.output.notebook,
        downloads=rules.narrate.output.downloads,
    output:
        f"{WORK}/rendered/{{la}}/{{report}}/report.json",
    params:
        engine=config["engine"],
    log:
        f"{WORK}/logs/render/{{la}}-{{report}}.log",
    run:
        render_job(input.notebook, output[0], params.engine, log[0], data_dir=input.downloads)


rule publish:
    input:
        reports=all_reports(),
        data=expand(f"{WORK}/data/{{la}}", la=config["las"]),
    output:
        f"{config['site_dir']}/index.html",
    params:
        data=lambda wildcards, input: " ".join(f"--data {d}" for d in input.data),
    log:
        f"{WORK}/logs/publish.log",
    shell:
        "{KEYSTAGE} publish {input.reports:q} {params.data} --site {config[site_dir]:q} > {log:q} 2>&1"
