"""The cover block's heading, rows and footer, on hand-made report metadata."""

from __future__ import annotations

from keystage.render.cover import cover_markdown, cover_rows, footer, heading
from keystage.reportconfig import default_config

CONFIGURED = {"title": "Key Stage 2: the Wessex story 2025", "la_name": "Wessex",
              "cover": {"council": "Wessex County Council", "committee": "Schools Forum", "date": "21 January 2026",
                        "reference": "CYP/2026/014", "draft": False}}


def test_a_configured_council_heads_the_cover_in_capitals_beside_report():
    assert heading(CONFIGURED) == ("WESSEX COUNTY COUNCIL", "Report")
    assert cover_markdown(CONFIGURED).startswith("**WESSEX COUNTY COUNCIL**\n\n**Report**\n")


def test_without_report_yaml_the_la_name_heads_the_cover_as_a_name_with_nothing_invented(tmp_path):
    meta = {"title": "Key Stage 2: the Hampshire story 2019", "la_name": "Hampshire",
            "cover": default_config(tmp_path).cover("Key Stage 2: the Hampshire story 2019")}
    assert heading(meta) == ("Hampshire", "")
    assert cover_markdown(meta).startswith("**Hampshire**\n\n---")
    assert [label for label, _ in cover_rows(meta)] == ["Title", "Report from"]  # no committee, date or reference
    assert footer(meta) == "Key Stage 2: the Hampshire story 2019"


def test_draft_is_marked_only_when_report_yaml_says_so():
    assert footer(CONFIGURED) == "CYP/2026/014" and "Status" not in dict(cover_rows(CONFIGURED))
    draft = {**CONFIGURED, "cover": {**CONFIGURED["cover"], "draft": True}}
    assert footer(draft) == "Draft: CYP/2026/014" and dict(cover_rows(draft))["Status"] == ["Draft"]
