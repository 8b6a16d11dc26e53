# Cohort tracking (KS2 -> KS4): the suppressed cohort tables, the LA's cohort report and one page per
# primary school ("How our pupils did at secondary school"), each as HTML, PDF and DOCX. One kernel
# narrates every primary's page and one job renders them all (a process start costs more than a page).
# Primaries are listed when the workflow is parsed, cheaply, from the data folder's la/pupils.csv.

CWORK = config["work_dir"]  # the Snakefile defines WORK after including this file
PUPILS = DATA / "la" / "pupils.csv"


def cohort_primaries():
    """KS2 LA code -> the sorted URNs of its primaries with pupils in la/pupils.csv ({} without the file)."""
    found = {}
    if PUPILS.is_file():
        with PUPILS.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                la, urn = (row.get("ks2_la") or "").strip(), (row.get("ks2_urn") or "").strip()
                if la.isdigit() and urn.isdigit():
                    found.setdefault(int(la), set()).add(int(urn))
    return {la: sorted(urns) for la, urns in found.items()}


COHORT_PRIMARIES = cohort_primaries()


def cohort_reports(la):
    """The manifests of an LA's cohort reports: the LA report and one page per primary (none without pupils)."""
    urns = COHORT_PRIMARIES.get(int(la), [])
    pages = ["la"] + [f"school-{urn}" for urn in urns] if urns else []
    return [f"{CWORK}/rendered/{la}/cohort/{page}/report.json" for page in pages]


if config["cohort_reports"]:
    REPORT_SETS.append(cohort_reports)


def cohort_parameters(la, page):
    """The papermill parameters of the LA cohort report ("la") or of the run writing every primary's page ("pages")."""
    pages = page == "pages"
    return {
        "work_dir": CWORK,
        "la_code": int(la),
        "kind": "school" if pages else "cohort",
        "unit_id": "all" if pages else la,
        "standards_path": config["standards"],
        "reports_dir": str(REPORTS_DIR),
        "downloads_dir": f"{CWORK}/notebooks/{la}/cohort/{page}_data",
        "pages_dir": f"{CWORK}/notebooks/{la}/cohort/pages",
    }


rule cohort_tables:
    input:
        canonical=f"{CWORK}/canonical",
        standards=config["standards"],
    output:
        directory(f"{CWORK}/cohorts"),
    log:
        f"{CWORK}/logs/cohorts.log",
    shell:
        "{KEYSTAGE} cohorts --canonical {input.canonical:q} --standards {input.standards:q} --out {output:q} > {log:q} 2>&1"


rule narrate_cohort:
    input:
        notebook="analysis/cohort_report.py",
        tables=rules.cohort_tables.output,
        measures=f"{CWORK}/measures",  # the schools' LAESTAB and the LA's codes for the open data
        standards=config["standards"],
        cover=lambda w: [str(p) for p in [REPORTS_DIR / w.la / "report.yaml"] if p.is_file()],
    output:
        notebook=f"{CWORK}/notebooks/{{la}}/cohort/la.ipynb",
        downloads=directory(f"{CWORK}/notebooks/{{la}}/cohort/la_data"),
    params:
        parameters=lambda w: cohort_parameters(w.la, "la"),
    log:
        f"{CWORK}/logs/narrate/{{la}}-cohort.log",
    run:
        narrate_job(input.notebook, output.notebook, params.parameters, log[0])


rule narrate_cohort_pages:
    input:
        notebook="analysis/cohort_report.py",
        tables=rules.cohort_tables.output,
        measures=f"{CWORK}/measures",  # the schools' LAESTAB and the LA's codes for the open data
        standards=config["standards"],
    output:
        driver=f"{CWORK}/notebooks/{{la}}/cohort/pages.ipynb",
        pages=directory(f"{CWORK}/notebooks/{{la}}/cohort/pages"),
    params:
        parameters=lambda w: cohort_parameters(w.la, "pages"),
    log:
        f"{CWORK}/logs/narrate/{{la}}-cohort-pages.log",
    run:
        narrate_job(input.notebook, output.driver, params.parameters, log[0])


rule render_cohort:
    input:
        notebook=rules.narrate_cohort.output.notebook,
        downloads=rules.narrate_cohort.output.downloads,
    output:
        f"{CWORK}/rendered/{{la}}/cohort/la/report.json",
    params:
        engine=config["engine"],
    log:
        f"{CWORK}/logs/render/{{la}}-cohort.log",
    run:
        render_job(input.notebook, output[0], params.engine, log[0], data_dir=input.downloads)


for _la in config["las"] if config["cohort_reports"] else []:
    rule:
        name:
            f"render_cohort_pages_{_la}"
        input:
            pages=f"{CWORK}/notebooks/{_la}/cohort/pages",
        output:
            cohort_reports(_la)[1:],
        params:
            engine=config["engine"],
        log:
            f"{CWORK}/logs/render/{_la}-cohort-pages.log",
        run:
            from keystage.render.engine import render_reports

            folders = [Path(manifest).parent for manifest in output]
            render_reports([(Path(input.pages) / f"{f.name}.ipynb", f, Path(input.pages) / f"{f.name}_data") for f in folders],
                           engine=params.engine, html_only=True)
