"""CAN [CON]: the latest weight and height and whether they are in the WHO range; never a diagnosis word."""
from __future__ import annotations

from outbox.templating import render
from store.core import audit
from store.preschool import measurements

from commands.base import Command, Context, Reply
from commands.grammar import CON, Parsed
from commands.preschool.mn import kindergarten_child, reply


class Can(Command):
    keyword = "CAN"
    aliases = ("CAN", "CANDO", "CANNANG", "SUCKHOE")
    slots = (CON,)
    help = "CAN: can nang, chieu cao lan do gan nhat cua tre mam non (so chuan WHO)"
    example = "CAN"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        child = kindergarten_child(ctx, parsed)
        if isinstance(child, Reply):
            return child
        found = measurements.latest(ctx.db, child.student_id)
        # Growth is health data: every read by a guardian is in the audit log (one statement, so it joins
        # the caller's transaction when there is one: `ask` rolls its side effects back and audits itself).
        audit.record(ctx.db, ctx.actor, "sms:can", school_id=child.school_id, student_id=child.student_id)
        if found is None:
            return reply(render("can_none.txt", child=child), self.keyword, child)
        return reply(render("can.txt", child=child, m=found), self.keyword, child, "/p")
