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


def _link(m: re.Match) -> str:
    url = m.group(0).rstrip(".,;:!?)")
    return f'<a href="{url}">{url}</a>{m.group(0)[len(url):]}'


def render_post(text: str | None) -> Markup:
    """A post's stored text as safe HTML."""
    html = _URL.sub(_link, str(escape(text or ""))).replace("\n", "<br>\n")
    return Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                            link_rel="nofollow noopener noreferrer ugc"))


def local_time(stamp: str | None, tz: str) -> str:
    """A stored UTC timestamp as the school reads it: dd/mm/yyyy HH:MM local time."""
    from zoneinfo import ZoneInfo

    from store.core.clock import parse_iso
    if not stamp:
        return ""
    return parse_iso(stamp).astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")
