"""GY [CON] <noi dung>: an opinion (góp ý) to the principal's queue, answered from the web like GV."""
from __future__ import annotations

from outbox.templating import render
from store.messaging import teacher_messages

from commands.base import Command, Context, Reply
from commands.children import choose, selector
from commands.grammar import CON, TEXT, Parsed


class Gy(Command):
    keyword = "GY"
    aliases = ("GY", "GOPY")
    slots = (CON, TEXT)
    help = "GY <noi dung>: gop y gui Ban giam hieu, tra loi se nhan lai qua SMS"
    example = "GY de nghi truong mo them lop ban tru"

    def _child(self, ctx: Context, parsed: Parsed):
        # An opinion is about the school: a family whose children are all in one school need not choose.
        schools = {c.school_id for c in ctx.children}
        if parsed.child is None and len(schools) == 1:
            return ctx.children[0]
        return choose(ctx, parsed, f"GY C1 {parsed.text or '<noi dung>'}")

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        child = self._child(ctx, parsed)
        if isinstance(child, Reply):
            return child
        text = (parsed.text or "").strip()
        if not text:
            return Reply(render("gy_empty.txt", selector=selector(ctx, child) if parsed.child else ""),
                         command=self.keyword, school_id=child.school_id)
        # class_id stays empty: the opinion goes to the school's leaders, not to the class's teachers.
        teacher_messages.create(ctx.db, "GY", school_id=child.school_id, class_id=None,
                                student_id=child.student_id, guardian_id=ctx.family.guardian_id,
                                body=text, inbox_id=ctx.inbox_id)
        school = ctx.db.execute("SELECT name FROM schools WHERE id = ?", [child.school_id]).fetchone()
        return Reply(render("gy_ok.txt", school_name=school[0] if school else ""), command=self.keyword,
                     school_id=child.school_id)
