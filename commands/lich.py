"""LICH [CON]: upcoming events: exams, parent meetings, holidays."""
from __future__ import annotations

from outbox.templating import render
from store.school import events

from .base import Command, Context, Reply
from .children import each_child
from .grammar import CON, Parsed


class Lich(Command):
    keyword = "LICH"
    suggestible = True
    aliases = ("LICH", "LICHTHI")
    slots = (CON,)
    help = "LICH: lich thi, hop phu huynh, ngay nghi sap toi"
    example = "LICH"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        return each_child(ctx, parsed, lambda c: self.one(ctx, parsed, c))

    def one(self, ctx: Context, parsed: Parsed, child) -> Reply:
        """The reply about ``child``."""
        upcoming = events.upcoming(ctx.db, child.school_id, child.class_id, ctx.today, limit=4)
        return Reply(render("lich.txt", child=child, events=upcoming), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id, more_url="/p/lich")
