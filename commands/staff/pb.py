"""PB <lop> <stt> <muc> [<stt> <muc> ...]: a subject teacher's answer to a teacher round, from their registered phone."""
from __future__ import annotations

import re

from outbox.templating import render
from store.community import rounds
from store.community.poll_rules import PollError
from store.core.text import fold

from commands.base import Audience, Command, Context, Reply
from commands.grammar import TEXT, Parsed

_PAIR = re.compile(r"(\d{1,3})\s*[-.:=]?\s*(CD|[A-Z])(?![A-Z])")


class Pb(Command):
    keyword = "PB"
    aliases = ("PB", "PHIEU", "BINHXET")
    slots = (TEXT,)
    help = "PB <lop> <stt> <muc>: binh xet"
    example = "PB 8A2 3 T 5 K"
    audience = Audience.STAFF

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        words = fold(parsed.text or "").upper().replace(",", " ").split()
        if not words:
            return Reply(render("pb_cach.txt"), command=self.keyword)
        class_name, rest = words[0], " ".join(words[1:])
        found = [(m, r) for m in ctx.staff for r in rounds.open_for_teacher(ctx.db, m.id, class_name, ctx.today)]
        if not found:
            return Reply(render("pb_khong.txt", class_name=class_name), command=self.keyword)
        member, rnd = found[0]
        pairs = _PAIR.findall(rest)
        if not pairs:
            return Reply(render("pb_cach.txt"), command=self.keyword, school_id=rnd.school_id)
        pupils = {p.number: p for p in rounds.pupils(ctx.db, rnd.class_id, rnd.school_year)}
        done, bad = [], []
        for number, level in pairs:
            pupil = pupils.get(int(number))
            if pupil is None:
                bad.append(f"so {number}")
                continue
            try:
                rounds.vote(ctx.db, rnd, member.id, pupil.student_id, level, source="sms")
            except PollError:
                bad.append(f"{number} {level}")
                continue
            done.append(f"{number} {pupil.full_name.split()[-1]} {level}")
        left = len(pupils) - len(rounds.votes_of(ctx.db, rnd.id, member.id))
        return Reply(render("pb_ok.txt", rnd=rnd, done=done, bad=bad, left=left,
                            levels="/".join(rounds.LEVELS[rnd.kind])),
                     command=self.keyword, school_id=rnd.school_id, more_url=f"/staff/rounds/{rnd.id}")
