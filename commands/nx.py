"""NX [CON]: the latest teacher comments."""
from __future__ import annotations

from outbox.templating import render
from store.school import records

from .base import Command, Context, Reply
from .children import each_child
from .forms import form_for
from .grammar import CON, Parsed


class Nx(Command):
    keyword = "NX"
    suggestible = True
    aliases = ("NX", "NHANXET")
    slots = (CON,)
    help = "NX: nhan xet moi nhat cua giao vien"
    example = "NX"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        return each_child(ctx, parsed, lambda c: self.one(ctx, parsed, c))

    def one(self, ctx: Context, parsed: Parsed, child) -> Reply:
        """The reply about ``child`` (a primary child's in its TT27 form)."""
        other = form_for(self.keyword, child)
        if other:
            return other(ctx, parsed, child)
        comments = records.latest_comments(ctx.db, child.student_id, limit=3)
        return Reply(render("nx.txt", child=child, comments=comments, note=""), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id, more_url="/p/nhanxet")
