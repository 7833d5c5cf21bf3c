"""BL [CON] <ma de> <answers>: a self-test answered by SMS, marked at once (SPEC §15)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from outbox.templating import render
from store.core.clock import parse_iso, utcnow
from store.questions import attempts, quizzes
from store.questions.answers import AnswerError, code_candidates, parse_answers
from store.questions.attempts import Outcome

from commands.base import Command, Context, Reply
from commands.children import choose
from commands.grammar import CON, TEXT, Parsed


class Bl(Command):
    keyword = "BL"
    aliases = ("BL", "BAILAM", "TRALOI")
    slots = (CON, TEXT)
    help = "BL <ma de> 1A 2C 3B (hoac ACB, X = bo trong): nop bai tu kiem tra, nhan diem ngay"
    example = "BL T5-12 1A 2C 3B"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply | None:
        children = ctx.children
        if parsed.child is not None:
            picked = choose(ctx, parsed, f"BL C1 {parsed.text}")
            if isinstance(picked, Reply):
                return picked
            children = [picked]
        by_id = {c.student_id: c for c in children}
        candidates = code_candidates(parsed.text)
        found, error = None, None
        for n, (code, rest) in enumerate(candidates):
            targets = self._targets(ctx, code, by_id)
            if n == 0 and not targets and "-" in code:
                own = self._targets(ctx, code.split("-")[0], by_id)
                if len(own) == 1:       # a mistyped or another pupil's number: name the child's own code
                    kid = by_id[own[0][0].student_id]
                    return Reply(render("bl_sai_ma.txt", typed=code, code=own[0][0].code,
                                        given=kid.full_name.split()[-1], class_name=kid.class_name),
                                 command=self.keyword, student_ids=[kid.student_id], school_id=kid.school_id)
            if len(targets) > 1:
                return render_choice(ctx, targets, parsed.text)
            if not targets:
                continue
            variant, quiz = targets[0]
            counts = [len(i.choices) for i in quizzes.items(ctx.db, quiz.id)]
            try:
                picks = parse_answers(rest, counts)
            except AnswerError as e:
                error = error or (variant, e)
                continue
            found = (variant, quiz, picks)
            break
        if found is None and error is not None:
            variant, e = error
            kid = by_id[variant.student_id]
            return Reply(render("bl_khong_doc.txt", code=variant.code, reason=e.reason), command=self.keyword,
                         student_ids=[kid.student_id], school_id=kid.school_id)
        if found is None:
            code = next((c for c, _ in candidates if c not in ("MA", "DE", "MADE")), "")
            return Reply(render("bl_khong_co.txt", code=code), command=self.keyword)
        return self._submit(ctx, by_id, *found)

    @staticmethod
    def _targets(ctx: Context, code: str, by_id: dict) -> list:
        """The (variant, test) pairs of the sender's children that ``code`` names."""
        year = ctx.family.school_year
        variant = quizzes.variant_by_code(ctx.db, code)
        if variant is not None:
            mine = variant.student_id in by_id and quizzes.in_year(ctx.db, variant, year)
            return [(variant, quizzes.get(ctx.db, variant.quiz_id))] if mine else []
        quiz = quizzes.by_code(ctx.db, code)
        if quiz is None:
            return []
        pairs = [(quizzes.variant_of(ctx.db, quiz.id, sid), quiz) for sid in by_id]
        return [p for p in pairs if p[0] is not None and quizzes.in_year(ctx.db, p[0], year)]

    def _submit(self, ctx: Context, by_id: dict, variant, quiz, picks) -> Reply | None:
        kid = by_id[variant.student_id]
        now = utcnow()
        done = attempts.submit(ctx.db, quiz, variant, picks, source="sms", now=now,
                               guardian_id=ctx.family.guardian_id, inbox_id=ctx.inbox_id)
        link = ctx.settings.web.public_url.rstrip("/") + f"/p/bl/{variant.code}"
        values = dict(code=variant.code, given=kid.full_name.split()[-1], class_name=kid.class_name, link=link)
        meta = dict(command=self.keyword, student_ids=[kid.student_id], school_id=kid.school_id,
                    more_url=f"/p/bl/{variant.code}")
        if done.outcome is Outcome.REFUSED:
            if not done.first_refusal:
                return None
            opens = parse_iso(quiz.opens_at).astimezone(_zone(ctx)).strftime("%H:%M %d/%m")
            return Reply(render("bl_tu_choi.txt", reason=done.reason, opens=opens, limit=quiz.max_attempts,
                                **values), **meta)
        # A repeat (a re-delivered text) is rendered from the stored attempt: the same words as the first time.
        return Reply(render("bl_ket_qua.txt", mark=done.mark, remaining=done.remaining, **values), **meta)


def render_choice(ctx: Context, targets: list, text: str) -> Reply:
    """Several children have this test: list them (C1 … as CON numbers them) and how to choose."""
    kids = [c for c in ctx.children if any(v.student_id == c.student_id for v, _ in targets)]
    number = ctx.children.index(kids[0]) + 1
    return Reply(render("chon_con.txt", children=ctx.children, example=f"BL C{number} {text.strip()}", wrong=None),
                 command="BL")


def _zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.sms.timezone)
