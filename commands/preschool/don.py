"""DON [CON] <nguoi don> [gio] [mai]: a pickup change for today (or tomorrow), recorded for the teacher, who must confirm it."""
from __future__ import annotations

import re
from datetime import timedelta

from outbox.templating import render
from store.preschool import pickups

from commands.base import Command, Context, Reply
from commands.children import example_for, selector
from commands.grammar import CON, TEXT, Parsed
from commands.preschool.mn import kindergarten_child, reply

# '16h30', '16:30', '16g', '4h chieu', 'luc 17h' at the end of the text.
_TIME = re.compile(r"\s*(?:luc|lúc)?\s*(\d{1,2})\s*(?:h|g|:|giờ|gio)\s*(\d{2})?\s*(chiều|chieu)?\s*$", re.IGNORECASE)
PERSON_MAX = 80


_DAY = re.compile(r"[\s,.;-]*\b(ngay mai|ngày mai|hom nay|hôm nay|chieu nay|chiều nay)\s*$", re.IGNORECASE)
# A bare 'mai' means tomorrow only right after a time: 'co Mai' is a person (Mai is a common name).
_TIME_MAI = re.compile(r"(\d{1,2}\s*(?:h|g|:|giờ|gio)\s*\d{0,2})\s+mai\s*$", re.IGNORECASE)


def split_day(text: str) -> tuple[str, int]:
    """'ba ngoai 16h30 mai', 'ba ngoai ngay mai' -> (the rest, 1); else (text, 0) for today."""
    m = _DAY.search(text)
    if m:
        return text[:m.start()], 1 if "mai" in m.group(1).lower() else 0
    m = _TIME_MAI.search(text)
    if m:
        return text[:m.end(1)], 1
    return text, 0


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
    help = "DON <nguoi don> [gio] [mai]: bao nguoi khac don tre hom nay (hoac ngay mai); co xac nhan truoc khi giao tre"
    example = "DON ba ngoai 16h30"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        child = kindergarten_child(ctx, parsed, example_for(parsed, with_text=True))
        if isinstance(child, Reply):
            return child
        rest, days = split_day(parsed.text)
        person, at = split_time(rest)
        person, later = split_day(person)          # 'ba ngoai mai 16h30': the day word before the time
        on = ctx.today + timedelta(days=max(days, later))
        person = " ".join(person.split())[:PERSON_MAX]
        if not person:
            return reply(render("don_empty.txt", selector=selector(ctx, child)), self.keyword, child)
        pickups.record(ctx.db, school_id=child.school_id, class_id=child.class_id, student_id=child.student_id,
                       guardian_id=ctx.family.guardian_id, on_date=on, person=person, at_time=at,
                       inbox_id=ctx.inbox_id)
        return reply(render("don_ok.txt", child=child, person=person, at=at, tomorrow=on != ctx.today),
                     self.keyword, child)
