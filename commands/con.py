"""CON: the children linked to this number, C1, C2, ... with names and classes."""
from __future__ import annotations

from outbox.templating import render

from .base import Command, Context, Reply
from .grammar import Parsed


class Con(Command):
    keyword = "CON"
    suggestible = True
    aliases = ("CON", "DSCON")
    slots = ()
    help = "CON: danh sach con (C1, C2...) gan voi so nay"
    example = "CON"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        kids = ctx.children
        return Reply(render("con.txt", children=kids), command=self.keyword,
                     student_ids=[c.student_id for c in kids], school_id=kids[0].school_id if kids else None)
