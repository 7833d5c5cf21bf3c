"""KQ [KY] [CON]: the term or year result: learning, conduct and averages."""
from __future__ import annotations

from outbox.templating import render
from store import grades, results

from .base import Command, Context, Reply
from .children import choose
from .diem import taken, term_of
from .grammar import CON, KY, Parsed


class Kq(Command):
    keyword = "KQ"
    suggestible = True
    aliases = ("KQ", "KETQUA")
    slots = (KY, CON)
    help = "KQ <ky>: ket qua hoc tap, ren luyen va TB cac mon (tam tinh neu chua co ket qua chinh thuc)"
    example = "KQ HK1"

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        child = choose(ctx, parsed)
        if isinstance(child, Reply):
            return child
        term = term_of(ctx, parsed, child)
        year = ctx.family.school_year
        reports = taken(grades.term_reports(ctx.db, child.student_id, child.school_id, child.grade, year, term),
                        child)
        learning = results.learning_result(ctx.db, child.student_id, child.school_id, child.grade, year, term,
                                           reports=reports)
        conduct = results.conduct(ctx.db, child.student_id, year, term)
        text = render("kq.txt", child=child, term=term, learning=learning, conduct=conduct, note="")
        return Reply(text, command=self.keyword, student_ids=[child.student_id], school_id=child.school_id,
                     more_url="/p/ketqua")
