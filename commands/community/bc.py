"""BC <so> <lua chon> [CON]: answer a poll or sign-up; `BC <so> 0` withdraws; a bare digit when one poll is open."""
from __future__ import annotations

import re

from outbox import poll_notices
from outbox.templating import render
from store.community import poll_answers, poll_privacy, polls
from store.community.poll_rules import Place, PollError, PollStatus

from store.core.text import fold, is_digits

from commands.base import Command, Context, Reply
from commands.children import choose
from commands.grammar import CON, TEXT, Parsed

_NUMBERS = re.compile(r"[0-9]+")


def _asked_polls(ctx: Context) -> list[polls.Poll]:
    return polls.open_for_guardian(ctx.db, ctx.family.guardian_id)


def read_numbers(text: str, open_polls: list[polls.Poll]) -> tuple[int | None, int | None]:
    """(poll id, option) from `31 1`, `31-1`, `31.1`; a lone number is the option when exactly one poll is open."""
    numbers = [int(n) for n in _NUMBERS.findall(text or "")[:2]]
    if len(numbers) == 2:
        return numbers[0], numbers[1]
    if len(numbers) == 1:
        if len(open_polls) == 1 and numbers[0] <= 9 and numbers[0] != open_polls[0].id:
            return open_polls[0].id, numbers[0]
        return numbers[0], None
    return None, None


class Bc(Command):
    keyword = "BC"
    aliases = ("BC", "BINHCHON", "KHAOSAT", "DANGKYBC")
    slots = (CON, TEXT)
    help = "BC <so> <lua chon>: tra loi khao sat/dang ky (BC <so> 0: rut)"
    example = "BC 31 1"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply | None:
        open_polls = _asked_polls(ctx)
        poll_id, option = read_numbers(parsed.text, open_polls)
        if poll_id is None:
            return Reply(render("bc_cach.txt", open=open_polls), command=self.keyword)
        poll = polls.get(ctx.db, poll_id)
        if poll is None or not poll_answers.asked_children(ctx.db, poll.id, ctx.family.guardian_id):
            return Reply(render("bc_khong_thay.txt", poll_id=poll_id), command=self.keyword)
        if poll.status is not PollStatus.OPEN or poll.is_past():
            if poll_answers.refused_before(ctx.db, ctx.phone, poll, ctx.inbox_id):
                return None                 # one polite refusal per number: the next BC is not answered
            return Reply(render("bc_dong.txt", poll=poll), command=self.keyword, school_id=poll.school_id)
        if option is None or (option and poll.option(option) is None):
            return Reply(render("bc_sai.txt", poll=poll), command=self.keyword, school_id=poll.school_id)
        return self._record(ctx, parsed, poll, option)

    def _named_child(self, ctx: Context, text: str):
        """A child named after the numbers (`BC 31 1 Hoa`, `BC 31 1 DD900001`): the grammar keeps words of a
        free-text slot as text, so the name is looked for here."""
        words = [fold(w).upper() for w in _NUMBERS.sub(" ", text or "").split()]
        named = [c for c in ctx.children if c.given_name_folded in words or c.code.upper() in words]
        return named[0] if len(named) == 1 else None

    def _record(self, ctx: Context, parsed: Parsed, poll: polls.Poll, option: int) -> Reply:
        student_ids = None
        named = self._named_child(ctx, parsed.text) if parsed.child is None else None
        if named is not None:
            student_ids = [named.student_id]
        elif parsed.child is not None:
            chosen = choose(ctx, parsed, f"BC {poll.id} {option} C1")
            if isinstance(chosen, Reply):
                return chosen
            student_ids = [chosen.student_id]
        try:
            result = poll_answers.answer(ctx.db, poll, ctx.family.guardian_id, option, student_ids=student_ids)
        except PollError:
            return Reply(render("bc_khong_thay.txt", poll_id=poll.id), command=self.keyword)
        poll_notices.notify_promoted(ctx.db, ctx.settings, poll, result.promoted)
        if poll.anonymous and ctx.inbox_id is not None:
            poll_privacy.forget_text(ctx.db, ctx.inbox_id)      # the staff's page of parents' texts never shows it
        names = {c.student_id: c.full_name.split()[-1] for c in ctx.children}
        several = len(result.answers) > 1 or len(ctx.children) > 1
        waiting = [names.get(a.student_id, "") for a in result.answers if a.place is Place.WAITING]
        text = render("bc_ok.txt", poll=poll, option=poll.option(option) if option else None,
                      names=", ".join(names.get(a.student_id, "") for a in result.answers) if several else "",
                      waiting=", ".join(waiting) if several else ("con" if waiting else ""))
        return Reply(text, command=self.keyword, school_id=poll.school_id,
                     student_ids=[a.student_id for a in result.answers])


def bare_answer(ctx: Context, text: str | None) -> Reply | None:
    """A text that is one digit, when exactly one poll is open for the number: that option of it; else None."""
    digits = (text or "").strip().strip(".,;:!")
    if len(digits) != 1 or not is_digits(digits):
        return None
    open_polls = _asked_polls(ctx)
    if len(open_polls) != 1:
        return None
    parsed = Parsed(keyword="BC", words=[digits], text=f"{open_polls[0].id} {digits}")
    return Bc().handle(ctx, parsed)
