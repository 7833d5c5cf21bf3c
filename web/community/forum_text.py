"""Forum posts as HTML: the user's plain text escaped, line breaks and http(s) links kept, then nh3 over the result.

Users never write HTML: their text is escaped first (markupsafe), so a
`<script>` is shown as the characters it is; nh3 (the Rust ammonia
sanitiser) then admits only <br> and <a href="http(s)://…" rel="nofollow …">,
so nothing this module builds can carry markup of the user's.
"""
from __future__ import annotations

import re

import nh3
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TAGS = {"a", "br"}
_ATTRIBUTES = {"a": {"href"}}


def _escaped_with_links(text: str) -> str:
    """The text escaped, its http(s) links as anchors. Links are found in the text itself, before escaping, so an
    entity escaping makes (`&#34;`) is never cut by a link's end and the page shows exactly the characters stored."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?)")
        out += [str(escape(text[pos:m.start()])), f'<a href="{escape(url)}">{escape(url)}</a>']
        pos = m.start() + len(url)
    out.append(str(escape(text[pos:])))
    return "".join(out)


def render_post(text: str | None) -> Markup:
    """A post's stored text as safe HTML."""
    html = _escaped_with_links(text or "").replace("\n", "<br>\n")
    return Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                            link_rel="nofollow noopener noreferrer ugc"))


def local_time(stamp: str | None, tz: str) -> str:
    """A stored UTC timestamp as the school reads it: dd/mm/yyyy HH:MM local time."""
    from zoneinfo import ZoneInfo

    from store.core.clock import parse_iso
    if not stamp:
        return ""
    return parse_iso(stamp).astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")
