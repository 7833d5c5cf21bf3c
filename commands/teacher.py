"""What GV and NGHI share: a parent's text stored for the homeroom teacher."""
from __future__ import annotations

from typing import ClassVar

from outbox.templating import render
from store.core.text import fold
from store.messaging import teacher_messages

from .base import Command, Context, Reply
from .children import choose, example_for, selector
from .grammar import CON, TEXT, Parsed


class TeacherMessage(Command):
    """`<KEYWORD> [CON] <text>`: stored for the child's homeroom teacher, who answers from the web."""

    slots = (CON, TEXT)
    kind: ClassVar[str]
    sent_template: ClassVar[str]      # the text reached the teacher
    empty_template: ClassVar[str]     # no text: how to write one
    filler_words: ClassVar[tuple[str, ...]] = ()   # a first word that is part of the keyword phrase

    def body(self, text: str) -> str:
        """The message itself: `NGHI hoc con bi sot` -> `con bi sot`."""
        words = text.split(None, 1)
        if words and fold(words[0]).upper().strip(".,:;-") in self.filler_words:
            return words[1].strip() if len(words) > 1 else ""
        return text

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        child = choose(ctx, parsed, example_for(parsed, with_text=True, count=len(ctx.children)))
        if isinstance(child, Reply):
            return child
        text = self.body(parsed.text)
        if not text:
            return Reply(render(self.empty_template, child=child, selector=selector(ctx, child)),
                         command=self.keyword, student_ids=[child.student_id], school_id=child.school_id)
        teacher_messages.create(ctx.db, self.kind, school_id=child.school_id, class_id=child.class_id,
                                student_id=child.student_id, guardian_id=ctx.family.guardian_id,
                                body=text, inbox_id=ctx.inbox_id)
        return Reply(render(self.sent_template, child=child, reason=text), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id)
