"""GV [CON] <noi dung>: a message to the homeroom teacher; the answer comes back by SMS."""
from __future__ import annotations

from outbox.templating import render
from store import teacher_messages

from .base import Command, Context, Reply
from .children import choose, selector
from .grammar import CON, TEXT, Parsed


class Gv(Command):
    keyword = "GV"
    aliases = ("GV", "GVCN", "GUIGV")
    slots = (CON, TEXT)
    help = "GV <noi dung>: gui tin cho GVCN, tra loi se nhan lai qua SMS"
    example = "GV xin gap co chieu thu 6"

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        child = choose(ctx, parsed, "GV <noi dung>")
        if isinstance(child, Reply):
            return child
        if not parsed.text:
            return Reply(render("gv_empty.txt", selector=selector(ctx, child)), command=self.keyword,
                         student_ids=[child.student_id], school_id=child.school_id)
        teacher_messages.create(ctx.db, "GV", school_id=child.school_id, class_id=child.class_id,
                                student_id=child.student_id, guardian_id=ctx.family.guardian_id,
                                body=parsed.text, inbox_id=ctx.inbox_id)
        return Reply(render("gv_ok.txt", child=child), command=self.keyword, student_ids=[child.student_id],
                     school_id=child.school_id)
