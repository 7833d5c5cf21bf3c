"""PC [KY]: a staff phone's own teaching assignment (phân công) this term, per school it works at."""
from __future__ import annotations

from outbox.templating import render
from store.school import terms
from store.rules.periods import Semester
from store.school import assignments

from commands.base import Audience, Command, Context, Reply
from commands.grammar import KY, Parsed


def _lines(ctx: Context, member, term: Semester | None) -> dict:
    """One school's part of the reply: the term and the classes per subject, homeroom first."""
    current = terms.current_term(ctx.db, member.school_id, ctx.today)
    key = (current.school_year, term) if term in (Semester.HK1, Semester.HK2) else \
        assignments.in_force(ctx.db, member.school_id, ctx.today) or (current.school_year, current.term)
    rows = assignments.of_staff(ctx.db, member.id, key)
    subjects: dict[str, list[str]] = {}
    for r in rows:
        if r.subject_code:
            subjects.setdefault(r.subject_name or r.subject_code, []).append(r.class_name)
    homeroom = [r.class_name for r in rows if r.homeroom]
    parts = ([f"GVCN {', '.join(homeroom)}"] if homeroom else []) + \
        [f"{subject} {', '.join(classes)}" for subject, classes in subjects.items()]
    return {"member": member, "year": key[0], "term": key[1], "parts": parts}


class Pc(Command):
    keyword = "PC"
    aliases = ("PC", "PHANCONG")
    slots = (KY,)
    help = "PC <ky>: lop, mon phan cong"
    example = "PC"
    audience = Audience.STAFF

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        schools = [_lines(ctx, member, parsed.term) for member in ctx.staff]
        return Reply(render("pc.txt", schools=schools), command=self.keyword,
                     school_id=ctx.staff[0].school_id if ctx.staff else None, more_url="/staff/")
