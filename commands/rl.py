"""RL / HK / HANHKIEM [KY] [CON]: conduct (ren luyen)."""
from __future__ import annotations

from outbox.templating import render
from store.secondary import results

from .base import Command, Context, Reply
from .children import each_child
from .forms import form_for
from .grammar import CON, KY, Parsed
from .periods import term_of


class Rl(Command):
    keyword = "RL"
    suggestible = True
    aliases = ("RL", "HK", "HANHKIEM", "RENLUYEN")
    slots = (KY, CON)
    help = "RL <ky> (hoac HK, HANHKIEM): ket qua ren luyen"
    example = "RL HK1"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        return each_child(ctx, parsed, lambda c: self.one(ctx, parsed, c))

    def one(self, ctx: Context, parsed: Parsed, child) -> Reply:
        """The reply about ``child`` (a primary child's in its TT27 form)."""
        other = form_for(self.keyword, child)
        if other:
            return other(ctx, parsed, child)
        term = term_of(ctx, parsed, child)
        conduct = results.conduct(ctx.db, child.student_id, ctx.family.school_year, term)
        return Reply(render("rl.txt", child=child, term=term, conduct=conduct, note=""), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id)
