"""Keep only safe HTML in a report page's body, whichever engine wrote it.

Officers' Markdown and names from data files reach the page through pandoc, which reads no raw HTML or Typst
(`READER`), so markup in them is shown as text. As a second guard, the body of every page is passed through
Ammonia (nh3), allowing only the tags and attributes a report uses and only http, https and mailto links: no
script, no event handler, no javascript: URL can be published.
"""

from __future__ import annotations

import nh3

from keystage.errors import InputError

TAGS = {
    "a", "blockquote", "br", "caption", "code", "col", "colgroup", "del", "div", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "section", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "*": {"id", "class"},
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"type", "start"},
    "div": {"role", "tabindex", "aria-label"},
    "table": {"style"}, "col": {"style"}, "th": {"style", "scope", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}
BODY_START = '<div class="report-body">'
BODY_END = "</main>"


def sanitise_fragment(fragment: str) -> str:
    """The HTML fragment with everything outside the allow-lists removed (script and style with their content)."""
    return nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None)


def sanitise_page(page: str, where: str) -> str:
    """A page of keystage's template with its report body (from `<div class="report-body">` to `</main>`) sanitised."""
    start, end = page.find(BODY_START), page.rfind(BODY_END)
    if start < 0 or end < start:
        raise InputError(where, None, None, f"a report page whose body is marked {BODY_START!r} ... {BODY_END!r}")
    body = page[start + len(BODY_START) : end]
    inner, closing = body.rsplit("</div>", 1)
    return page[: start + len(BODY_START)] + sanitise_fragment(inner) + "</div>" + closing + page[end:]
