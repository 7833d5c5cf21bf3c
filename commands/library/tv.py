"""TV <tu khoa>: a staff member's search of the school library; three approved titles with short links."""
from __future__ import annotations

from urllib.parse import quote

from outbox.templating import render
from store.core import audit
from store.library import access, roster, search

from commands.base import Audience, Command, Context, Reply
from commands.grammar import TEXT, Parsed

SHOWN = 3
MAX_TITLE = 40        # characters of a title in the text (three must fit with their links)


def _short(title: str) -> str:
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1].rstrip() + "…"


class Tv(Command):
    keyword = "TV"
    aliases = ("TV", "THUVIEN", "TAILIEU")
    slots = (TEXT,)
    audience = Audience.STAFF
    help = "TV <tu khoa>: tim thu vien"
    example = "TV giao an toan 6"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        query = " ".join(parsed.text.split())[:100]
        # audience STAFF: the dispatcher answers only a phone of the roster (ctx.staff); the library's own
        # view of that member carries its department and position for what it may see.
        member = roster.by_phone(ctx.db, ctx.phone)
        if not search.match_expression(query):
            return Reply(render("tv_empty.txt"), command=self.keyword, school_id=member.school_id)
        viewer = access.for_member(member)
        hits = search.search(ctx.db, viewer, query, limit=SHOWN, state="approved")
        base = ctx.settings.web.public_url.rstrip("/")
        shown = [{"title": _short(h.title), "url": f"{base}/l/{h.id}"} for h in hits]
        audit.record(ctx.db, ctx.actor, "library:sms-search", school_id=member.school_id, staff_id=member.id,
                     query=query, items=[h.id for h in hits])
        if not shown:
            return Reply(render("tv_none.txt", query=query), command=self.keyword, school_id=member.school_id)
        return Reply(render("tv.txt", query=query, hits=shown), command=self.keyword, school_id=member.school_id,
                     more_url=f"/staff/library/?q={quote(query)}")
