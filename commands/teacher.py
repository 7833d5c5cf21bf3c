"""What GV and NGHI share: a parent's text stored for the homeroom teacher."""
from __future__ import annotations

from typing import ClassVar

from outbox.templating import render
from store import teacher_messages

from .base import Command, Context, Reply
from .children import choose, selector
from .grammar import CON, TEXT, Parsed


class TeacherMessage(Command):
    """`<KEYWORD> [CON] <text>`: stored for the child's homeroom teacher, who answers from the web."""

    slots = (CON, TEXT)
    kind: ClassVar[str]
    sent_template: ClassVar[str]      # the text reached the teacher
    empty_template: ClassVar[str]     # no text: how to write one

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        child = choose(ctx, parsed, f"{self.keyword} <noi dung>")
        if isinstance(child, Reply):
            return child
        if not parsed.text:
            return Reply(render(self.empty_template, child=child, selector=selector(ctx, child)),
                         command=self.keyword, student_ids=[child.student_id], school_id=child.school_id)
        teacher_messages.create(ctx.db, self.kind, school_id=child.school_id, class_id=child.class_id,
                                student_id=child.student_id, guardian_id=ctx.family.guardian_id,
                                body=parsed.text, inbox_id=ctx.inbox_id)
        return Reply(render(self.sent_template, child=child, reason=parsed.text), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id)
