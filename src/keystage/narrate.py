"""Stage 3 (narrate): execute a parameterised report notebook with papermill.

Notebooks live in analysis/ as jupytext percent-format `.py` files with a `parameters` cell, so the
same file runs under papermill, Quarto and by hand in Jupyter. A notebook describes its report by
displaying one `application/vnd.keystage.report+json` output (see `report_metadata`); this stage lifts
that into the executed notebook's metadata (`keystage`), where the renderers read it.

Inside `keystage build` a notebook runs on a warm kernel of the build's pool (see keystage.kernelpool);
papermill and jupytext are imported only when a notebook is executed, because every report notebook
imports this module for `report_metadata`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from keystage.errors import InputError
from keystage.kernelpool import claimed_kernel, pool_folder

if TYPE_CHECKING:
    import nbformat

REPORT_MIME = "application/vnd.keystage.report+json"


def report_metadata(meta: dict[str, Any]) -> None:
    """Called from a notebook: publish the report's metadata (title, kind, cover...) for the renderers."""
    from IPython.display import display

    display({REPORT_MIME: meta}, raw=True)


def lift_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Move the report-metadata output into nb.metadata["keystage"] (last one wins) and drop it from outputs."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if REPORT_MIME in data:
                nb.metadata["keystage"] = dict(data[REPORT_MIME])
            else:
                kept.append(output)
        cell.outputs = kept
    return nb


def load_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook from `.ipynb` or a jupytext percent-format `.py`."""
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise InputError(path, None, None, "notebook not found")
    return jupytext.read(path)


def parse_parameters(text: str, source: str) -> dict[str, Any]:
    """Papermill parameters from YAML text (a mapping of name: value); `source` names it in errors."""
    try:
        params = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise InputError(source, None, None, f"parameters are not valid YAML ({err})") from None
    if not isinstance(params, dict):
        raise InputError(source, 1, None, "parameters must be a mapping of name: value")
    return params


def read_parameters(path: str | Path) -> dict[str, Any]:
    """The papermill parameters of a report, from a YAML file."""
    return parse_parameters(Path(path).read_text(encoding="utf-8"), str(path))


def narrate(notebook: str | Path, output: str | Path, parameters: dict[str, Any], cwd: str | Path = ".",
            pool: Path | None = None) -> Path:
    """Execute `notebook` with `parameters` and write the executed notebook to `output` atomically.

    The notebook runs on a free kernel of the pool in `pool` (default: the build's, named by KEYSTAGE_KERNEL_POOL),
    reset first; on a kernel of its own when there is no pool or every pooled kernel is busy.
    """
    import nbformat
    import papermill

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    source = load_notebook(notebook)
    source.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    partial = output.with_name(output.name + ".partial.ipynb")
    with claimed_kernel(pool if pool is not None else pool_folder(), Path(cwd)) as kernel:
        executed = papermill.execute_notebook(
            source, str(partial), parameters=parameters, kernel_name="python3", progress_bar=False, log_output=False,
            km=kernel, request_save_on_cell_execute=False,
            cwd=str(cwd) if kernel is None else None,  # a pooled kernel is already in cwd; papermill's chdir is process-wide
        )
    nbformat.write(lift_metadata(executed), partial)
    partial.replace(output)
    return output
