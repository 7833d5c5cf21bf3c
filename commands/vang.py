"""VANG [KY] [CON]: absences with and without permission, with dates."""
from __future__ import annotations

from outbox.templating import render
from store.school import records

from .base import Command, Context, Reply
from .children import each_child
from .forms import form_for
from .grammar import CON, KY, Parsed
from .periods import term_of


class Vang(Command):
    keyword = "VANG"
    suggestible = True
    aliases = ("VANG", "DIEMDANH")
    slots = (KY, CON)
    help = "VANG <ky>: so buoi vang (co phep, khong phep) va ngay vang"
    example = "VANG HK1"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        return each_child(ctx, parsed, lambda c: self.one(ctx, parsed, c))

    def one(self, ctx: Context, parsed: Parsed, child) -> Reply:
        """The reply about ``child``."""
        other = form_for(self.keyword, child)
        if other:
            return other(ctx, parsed, child)
        term = term_of(ctx, parsed, child)
        absences = records.absences(ctx.db, child.student_id, ctx.family.school_year, term)
        return Reply(render("vang.txt", child=child, term=term, absences=absences, note=""), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id, more_url="/p/chuyencan")
