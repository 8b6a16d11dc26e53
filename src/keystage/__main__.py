"""`python -m keystage`: the command line, for the workflow's rules to run with the Python that runs Snakemake."""

from keystage.cli import app

app(prog_name="keystage")
