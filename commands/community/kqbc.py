"""KQBC <so>: the tally of a poll the school made public (counts only, never names)."""
from __future__ import annotations

import re

from outbox.templating import render
from store.community import poll_answers, poll_results, polls
from store.community.poll_rules import PollStatus

from commands.base import Command, Context, Reply
from commands.grammar import TEXT, Parsed


class Kqbc(Command):
    keyword = "KQBC"
    aliases = ("KQBC", "KETQUABC")
    slots = (TEXT,)
    help = "KQBC <so>: ket qua khao sat (khi nha truong cong khai)"
    example = "KQBC 31"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        m = re.search(r"\d+", parsed.text or "")
        if m is None:
            return Reply(render("bc_cach.txt", open=polls.open_for_guardian(ctx.db, ctx.family.guardian_id)),
                         command=self.keyword)
        poll = polls.get(ctx.db, int(m.group(0)))
        if poll is None or not poll_answers.asked_children(ctx.db, poll.id, ctx.family.guardian_id):
            return Reply(render("bc_khong_thay.txt", poll_id=int(m.group(0))), command=self.keyword)
        if not poll.public_tally:
            return Reply(render("kqbc_kin.txt", poll=poll), command=self.keyword, school_id=poll.school_id)
        rates = poll_results.per_class(ctx.db, poll)
        return Reply(render("kqbc.txt", poll=poll, counts=poll_results.counts(ctx.db, poll),
                            closed=poll.status is PollStatus.CLOSED or poll.is_past(),
                            answered=sum(r.answered for r in rates), asked=sum(r.asked for r in rates)),
                     command=self.keyword, school_id=poll.school_id)
