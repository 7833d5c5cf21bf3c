"""BE [CON]: a kindergarten child's daily note, today's or the last school day's."""
from __future__ import annotations

from outbox.templating import render
from store.core import audit
from store.preschool import notes

from commands.base import Command, Context, Reply
from commands.grammar import CON, Parsed
from commands.preschool.mn import kindergarten_child, reply


class Be(Command):
    keyword = "BE"
    aliases = ("BE", "NHATKY", "CONHOMNAY")
    slots = (CON,)
    help = "BE: nhat ky trong ngay cua tre mam non (an, ngu, loi nhac cua co)"
    example = "BE"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        child = kindergarten_child(ctx, parsed)
        if isinstance(child, Reply):
            return child
        found = notes.latest(ctx.db, child.student_id, ctx.today)
        # A note may carry health (sức khỏe, thuốc): every read by a guardian is in the audit log, as CAN's.
        audit.record(ctx.db, ctx.actor, "sms:be", school_id=child.school_id, student_id=child.student_id)
        if found is None:
            return reply(render("be_none.txt", child=child), self.keyword, child)
        day, note = found
        return reply(render("be.txt", child=child, day=day, today=ctx.today, note=note), self.keyword, child, "/p")
