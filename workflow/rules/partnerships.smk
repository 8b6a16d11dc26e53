# Partnership reports (one per partnership of an LA and an LA-wide summary, as HTML, PDF and DOCX: one job
# renders an LA's) and a profile page for every school of an LA (HTML only: one kernel writes them all, then
# one job renders them).
# Partnerships and schools are listed when the workflow is parsed, cheaply, from the data folder's CSVs.

from keystage.partnership_stage import data_folder_partnerships
from keystage.profiles import data_folder_schools

PWORK = config["work_dir"]  # the Snakefile defines WORK after including this file
TARGETS = DATA / "la" / "partnership_targets.csv"
PARTNERSHIPS = data_folder_partnerships(DATA) if config["partnership_reports"] else {}
SCHOOLS = data_folder_schools(DATA) if config["school_profiles"] else {}


def partnership_ids(la):
    """The report ids of an LA's partnership reports: "all" (the LA-wide summary), then one per partnership."""
    ids = PARTNERSHIPS.get(int(la), [])
    return ["all"] + ids if ids else []


def partnership_reports(la):
    """The manifests of an LA's partnership reports, in partnership_ids order."""
    return [f"{PWORK}/rendered/{la}/partnership-{pid}/report.json" for pid in partnership_ids(la)]


def profile_reports(la):
    """The manifests of an LA's school profiles, one per school (series URN)."""
    return [f"{PWORK}/rendered/{la}/school-{urn}/report.json" for urn in SCHOOLS.get(int(la), [])]


def partnership_parameters(w):
    """The papermill parameters of one partnership's report (or the LA-wide summary, pid "all")."""
    return {"work_dir": PWORK, "la_code": int(w.la), "kind": "partnership", "unit_id": w.pid,
            "standards_path": config["standards"], "downloads_dir": f"{PWORK}/notebooks/{w.la}/partnership-{w.pid}_data"}


def profile_parameters(w):
    """The papermill parameters of the one run that writes every school profile of an LA."""
    return {"work_dir": PWORK, "la_code": int(w.la), "kind": "school", "unit_id": "all",
            "standards_path": config["standards"], "profiles_dir": f"{PWORK}/notebooks/{w.la}/profiles"}


if config["partnership_reports"]:
    REPORT_SETS.append(partnership_reports)
if config["school_profiles"]:
    REPORT_SETS.append(profile_reports)


rule partnership_tables:
    input:
        canonical=f"{PWORK}/canonical",
        measures=f"{PWORK}/measures",
        standards=config["standards"],
        targets=[str(TARGETS)] if TARGETS.is_file() else [],
    output:
        directory(f"{PWORK}/partnerships"),
    params:
        targets=f"--targets {TARGETS}" if TARGETS.is_file() else "",
    log:
        f"{PWORK}/logs/partnerships.log",
    shell:
        "{KEYSTAGE} partnerships --canonical {input.canonical:q} --measures {input.measures:q} --out {output:q}"
        " --standards {input.standards:q} {params.targets} > {log:q} 2>&1"


rule narrate_partnership:
    input:
        notebook="analysis/partnership_report.py",
        tables=rules.partnership_tables.output,
        measures=f"{PWORK}/measures",
        standards=config["standards"],
    output:
        notebook=f"{PWORK}/notebooks/{{la}}/partnership-{{pid}}.ipynb",
        downloads=directory(f"{PWORK}/notebooks/{{la}}/partnership-{{pid}}_data"),
    wildcard_constraints:
        pid=r"[A-Za-z0-9_]+",
    params:
        parameters=partnership_parameters,
    log:
        f"{PWORK}/logs/narrate/{{la}}-partnership-{{pid}}.log",
    run:
        narrate_job(input.notebook, output.notebook, params.parameters, log[0])


for _la in config["las"] if config["partnership_reports"] else []:
    rule:  # all of an LA's partnership reports in one job: Quarto renders them in one run (one Deno start-up)
        name:
            f"render_partnerships_{_la}"
        input:
            notebooks=[f"{PWORK}/notebooks/{_la}/partnership-{pid}.ipynb" for pid in partnership_ids(_la)],
            downloads=[f"{PWORK}/notebooks/{_la}/partnership-{pid}_data" for pid in partnership_ids(_la)],
        output:
            partnership_reports(_la),
        params:
            engine=config["engine"],
        log:
            f"{PWORK}/logs/render/{_la}-partnerships.log",
        run:
            from keystage.render.engine import render_reports

            pages = [(Path(nb), Path(m).parent, Path(d)) for nb, m, d in zip(input.notebooks, output, input.downloads, strict=True)]
            render_reports(pages, engine=params.engine)


rule narrate_profiles:
    input:
        notebook="analysis/school_profile.py",
        tables=rules.partnership_tables.output,
        measures=f"{PWORK}/measures",
        canonical=f"{PWORK}/canonical",
        standards=config["standards"],
    output:
        driver=f"{PWORK}/notebooks/{{la}}/profiles.ipynb",
        notebooks=directory(f"{PWORK}/notebooks/{{la}}/profiles"),
    params:
        parameters=profile_parameters,
    log:
        f"{PWORK}/logs/narrate/{{la}}-profiles.log",
    run:
        narrate_job(input.notebook, output.driver, params.parameters, log[0])


for _la in config["las"] if config["school_profiles"] else []:
    rule:
        name:
            f"render_profiles_{_la}"
        input:
            notebooks=f"{PWORK}/notebooks/{_la}/profiles",
        output:
            profile_reports(_la),
        params:
            engine=config["engine"],
        log:
            f"{PWORK}/logs/render/{_la}-profiles.log",
        run:
            from keystage.render.engine import render_reports

            folders = [Path(manifest).parent for manifest in output]
            render_reports([(Path(input.notebooks) / f"{f.name}.ipynb", f, None) for f in folders], engine=params.engine,
                           html_only=True)
