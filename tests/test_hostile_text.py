"""Hostile text from officers' Markdown and data files is published as text: no live script, handler or
javascript: link in any page (checked with an HTML parser), and no Typst code run in the PDF."""

from __future__ import annotations

import copy
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from pypdf import PdfReader

from keystage.ingest import ingest
from keystage.narrate import narrate
from keystage.partnership_stage import run_partnerships
from keystage.publish.site import build_site
from keystage.render import quarto
from keystage.render.engine import render_report
from keystage.render.sanitise import sanitise_fragment
from keystage.stages import measure
from keystage.standards import load_standards
from keystage.synth.demo import write_demo

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "notebooks" / "la_report.ipynb"
HOSTILE_NAME = 'St <script>alert("name")</script> Primary <img src=x onerror=alert(2)>'
HOSTILE_MARKDOWN = f"""2.1 The officer wrote <script>alert(1)</script> and <img src="x" onerror="alert(3)"> here.

<div onmouseover="alert(4)">hover</div> [a link](javascript:alert(5)) and [a good one](https://www.gov.uk/).

Typst: #read("/etc/passwd") and #import "/etc/hosts" and `#eval("1")`.

```{{=html}}
<script>alert(6)</script>
```

```{{=typst}}
#read("/etc/passwd")
```

| School | Pupils |
|---|---|
| {HOSTILE_NAME} | 30 |
"""


class LiveCode(HTMLParser):
    """Collects every script element, event-handler attribute and javascript: URL of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(("javascript:", "data:text")):
                self.found.append(f"{tag} {name}={value}")


def live_code(page: str, allowed_scripts: int = 0) -> list[str]:
    """What in `page` would run in a browser, beyond the site's own `allowed_scripts` script elements."""
    parser = LiveCode()
    parser.feed(page)
    scripts = [f for f in parser.found if f == "<script>"]
    return [f for f in parser.found if f != "<script>"] + scripts[allowed_scripts:]


@pytest.fixture(scope="module", params=["pandoc", "quarto"])
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The fixture report with hostile Markdown added and a hostile school name in its title, by each engine."""
    if request.param == "quarto" and quarto.quarto_path() is None:
        pytest.skip("quarto is not installed (not on PATH, QUARTO_PATH unset)")
    root = tmp_path_factory.mktemp("hostile")
    nb = json.loads(FIXTURE.read_text(encoding="utf-8"))
    nb["metadata"]["keystage"]["unit_name"] = HOSTILE_NAME
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": HOSTILE_MARKDOWN})
    table = copy.deepcopy({"output_type": "display_data", "metadata": {},
                           "data": {"text/markdown": f"**Table 9: {HOSTILE_NAME}**\n\n| a |\n|---|\n| {HOSTILE_NAME} |\n"}})
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1, "outputs": [table]})
    path = root / "report.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    for name in ("headline.csv", "schools.csv"):
        (root / "data").mkdir(exist_ok=True)
        (root / "data" / name).write_bytes((FIXTURE.parent / "data" / name).read_bytes())
    return render_report(path, root / "out", engine=request.param)


def test_no_live_script_handler_or_javascript_url_in_the_page(hostile) -> None:
    page = hostile.html.read_text(encoding="utf-8")
    assert live_code(page) == []
    assert "a good one" in page and 'href="https://www.gov.uk/"' in page  # safe links are kept


def test_hostile_markup_is_shown_as_text(hostile) -> None:
    page = hostile.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the officer sees what they wrote
    assert "St &lt;script&gt;" in page


def test_typst_code_in_text_is_printed_not_run(hostile) -> None:
    text = "".join(page.extract_text() for page in PdfReader(hostile.pdf).pages)
    assert '#read("/etc/passwd")' in text and "root:" not in text
    docx = "\n".join(p.text for p in Document(str(hostile.docx)).paragraphs)
    assert "<script>alert(1)</script>" in docx  # Word shows the text; it runs nothing


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ('<img src="x.png" alt="A" onerror="alert(1)">', '<img src="x.png" alt="A">'),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="../school-1/index.html">x</a>', '<a href="../school-1/index.html">x</a>'),
        ('<div class="table-wrap" role="region" tabindex="0" aria-label="T"><table style="width:50%"></table></div>',
         '<div class="table-wrap" role="region" tabindex="0" aria-label="T"><table style="width:50%"></table></div>'),
        ("<iframe src=x></iframe><style>p{}</style><p>kept</p>", "<p>kept</p>"),
    ],
)
def test_sanitiser_keeps_report_markup_and_drops_what_runs(fragment: str, expected: str) -> None:
    assert sanitise_fragment(fragment) == expected


@pytest.fixture(scope="module")
def hostile_demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo LA with one school renamed to hostile markup in every KS2 file and hostile officer narrative,
    its committee paper and that school's profile narrated by the real notebooks and rendered."""
    root = tmp_path_factory.mktemp("hostile-demo")
    write_demo(root / "data")
    ks2 = sorted((root / "data" / "ks2").glob("*.csv"))
    latest = pd.read_csv(ks2[-1], dtype=str, keep_default_na=False)
    urn = latest.loc[latest["RECTYPE"] == "1", "URN"].iloc[0]
    for path in ks2:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.loc[frame["URN"] == urn, "SCHNAME"] = HOSTILE_NAME
        frame.to_csv(path, index=False)
    reports = root / "reports"
    shutil.copytree(REPO / "config" / "reports", reports)
    for name in ("purpose", "conclusions"):
        (reports / "701" / "narrative" / f"{name}.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    work = root / "work"
    ingest(root / "data", work / "canonical")
    measure(work / "canonical", work / "measures")
    run_partnerships(work / "canonical", work / "measures", work / "partnerships", load_standards())
    common = {"work_dir": str(work), "la_code": 701, "standards_path": str(REPO / "config" / "standards.yaml")}
    committee = narrate(REPO / "analysis" / "committee_report.py", root / "la.ipynb",
                        {**common, "kind": "la", "unit_id": "701", "reports_dir": str(reports),
                         "downloads_dir": str(root / "la_data")}, REPO)
    profile = narrate(REPO / "analysis" / "school_profile.py", root / "profile.ipynb",
                      {**common, "kind": "school", "unit_id": urn, "profiles_dir": str(root / "profiles")}, REPO)
    reports = [render_report(committee, root / "out" / "la", engine="pandoc", data_dir=root / "la_data"),
               render_report(profile, root / "out" / "school", engine="pandoc", html_only=True)]
    build_site(reports, root / "site")
    return root / "site"


@pytest.mark.slow
def test_hostile_school_name_and_narrative_run_nothing_on_any_page_of_the_site(hostile_demo: Path) -> None:
    pages = sorted(hostile_demo.rglob("*.html"))
    found = {}
    for path in pages:
        html = path.read_text(encoding="utf-8")
        own_scripts = len(re.findall(r'<script src="[\w./-]+\.js"></script>', html))  # the site's search, from its files
        found[str(path.relative_to(hostile_demo))] = live_code(html, allowed_scripts=own_scripts)
    assert len(pages) >= 5 and all(v == [] for v in found.values()), found
    profile = next(p for p in pages if "school-" in str(p)).read_text(encoding="utf-8")
    assert "St &lt;script&gt;alert" in profile  # the school's name is there, as text
    committee = next(p for p in pages if "la-701" in str(p)).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in committee  # and the officer's markup, as text
