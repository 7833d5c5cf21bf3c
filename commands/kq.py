"""KQ [KY] [CON]: the term or year result: learning, conduct and averages."""
from __future__ import annotations

from outbox.templating import render
from store.secondary import grades, results

from .base import Command, Context, Reply
from .children import choose, each_named
from .forms import form_for
from .grammar import CON, KY, Parsed
from .periods import term_of


class Kq(Command):
    keyword = "KQ"
    suggestible = True
    aliases = ("KQ", "KETQUA")
    slots = (KY, CON)
    help = "KQ <ky>: ket qua hoc tap, ren luyen va TB cac mon (tam tinh neu chua co ket qua chinh thuc)"
    example = "KQ HK1"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        if (several := each_named(ctx, parsed, self.handle)) is not None:
            return several
        child = choose(ctx, parsed)
        if isinstance(child, Reply):
            return child
        other = form_for(self.keyword, child)
        if other:
            return other(ctx, parsed, child)
        term = term_of(ctx, parsed, child)
        year = ctx.family.school_year
        reports = grades.taken(grades.term_reports(ctx.db, child.student_id, child.school_id, child.grade, year, term),
                               child.grade)
        learning = results.learning_result(ctx.db, child.student_id, child.school_id, child.grade, year, term,
                                           reports=reports)
        conduct = results.conduct(ctx.db, child.student_id, year, term)
        text = render("kq.txt", child=child, term=term, learning=learning, conduct=conduct, note="",
                      reasons=results.learning_reasons(learning))
        return Reply(text, command=self.keyword, student_ids=[child.student_id], school_id=child.school_id,
                     more_url="/p/ketqua")
