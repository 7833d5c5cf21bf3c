"""DON [CON] <nguoi don> [gio]: a pickup change for today, recorded for the teacher, who must confirm it."""
from __future__ import annotations

import re

from outbox.templating import render
from store.preschool import pickups

from .base import Command, Context, Reply
from .children import example_for, selector
from .grammar import CON, TEXT, Parsed
from .mn import kindergarten_child, reply

# '16h30', '16:30', '16g', '4h chieu', 'luc 17h' at the end of the text.
_TIME = re.compile(r"\s*(?:luc|lúc)?\s*(\d{1,2})\s*(?:h|g|:|giờ|gio)\s*(\d{2})?\s*(chiều|chieu)?\s*$", re.IGNORECASE)
PERSON_MAX = 80


def split_time(text: str) -> tuple[str, str | None]:
    """'ba ngoai 16h30' -> ('ba ngoai', '16:30'); no time -> (text, None)."""
    m = _TIME.search(text)
    if not m:
        return text.strip(), None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return text.strip(), None
    return text[:m.start()].strip(" ,.;-"), f"{hour:02}:{minute:02}"


class Don(Command):
    keyword = "DON"
    aliases = ("DON", "NGUOIDON", "DONCON")
    slots = (CON, TEXT)
    help = "DON <nguoi don> [gio]: bao nguoi khac don tre hom nay; co xac nhan truoc khi giao tre"
    example = "DON ba ngoai 16h30"

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        child = kindergarten_child(ctx, parsed, example_for(parsed, with_text=True))
        if isinstance(child, Reply):
            return child
        person, at = split_time(parsed.text)
        person = " ".join(person.split())[:PERSON_MAX]
        if not person:
            return reply(render("don_empty.txt", selector=selector(ctx, child)), self.keyword, child)
        pickups.record(ctx.db, school_id=child.school_id, class_id=child.class_id, student_id=child.student_id,
                       guardian_id=ctx.family.guardian_id, on_date=ctx.today, person=person, at_time=at,
                       inbox_id=ctx.inbox_id)
        return reply(render("don_ok.txt", child=child, person=person, at=at), self.keyword, child)
