"""NGHI [CON] <ly do>: the parent reports an absence (xin phep nghi) to the homeroom teacher."""
from __future__ import annotations

from outbox.templating import render
from store import teacher_messages

from .base import Command, Context, Reply
from .children import choose, selector
from .grammar import CON, TEXT, Parsed


class Nghi(Command):
    keyword = "NGHI"
    aliases = ("NGHI", "XINNGHI", "XINPHEP")
    slots = (CON, TEXT)
    help = "NGHI <ly do>: xin phep nghi hoc, gui GVCN"
    example = "NGHI con bi sot"

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        child = choose(ctx, parsed, "NGHI <ly do>")
        if isinstance(child, Reply):
            return child
        if not parsed.text:
            return Reply(render("nghi_no_reason.txt", child=child, selector=selector(ctx, child)),
                         command=self.keyword, student_ids=[child.student_id], school_id=child.school_id)
        teacher_messages.create(ctx.db, "NGHI", school_id=child.school_id, class_id=child.class_id,
                                student_id=child.student_id, guardian_id=ctx.family.guardian_id,
                                body=parsed.text, inbox_id=ctx.inbox_id)
        return Reply(render("nghi_ok.txt", child=child, reason=parsed.text), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id)
