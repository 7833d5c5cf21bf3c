"""DIEM [MON] [KY] [CON]: scores of one subject, or every subject's average."""
from __future__ import annotations

from dataclasses import replace

from outbox.templating import render
from store.secondary import grades
from store.school import subjects
from store.rules.periods import Semester

from .base import Command, Context, Reply
from .children import choose, each_named
from .forms import form_for
from .grammar import CON, KY, MON, ChildRef, Parsed
from .lexicon import subject_for
from .periods import term_of, term_word


def subject_child(ctx: Context, parsed: Parsed) -> tuple[ChildRef | None, str]:
    """Position decides: a word in the MON slot is the subject. With several children and none
    named, the only child who studies that subject is meant: (that child, the note saying who and why)."""
    if not parsed.subject or parsed.child is not None or len(ctx.children) < 2:
        return None, ""
    having = [(i, c) for i, c in enumerate(ctx.children, start=1)
              if subjects.find(ctx.db, c.school_id, c.grade, subject_for(c, parsed.subject))]
    if len(having) != 1:
        return None, ""
    index, child = having[0]
    return ChildRef(index=index), f"(chỉ {child.full_name.split()[-1]} học môn {parsed.subject_word})"


def name_note(ctx: Context, parsed: Parsed) -> str:
    """When the subject word is also a child's given name, say how to ask for that child instead."""
    word = parsed.subject_word
    if not word or not any(c.given_name_folded == word for c in ctx.children):
        return ""
    return f"({word} hiểu là môn; để chọn con {word.capitalize()}: {parsed.keyword} {term_word(parsed)} {word})"


class Diem(Command):
    keyword = "DIEM"
    suggestible = True
    aliases = ("DIEM", "DIEMSO", "XEMDIEM")
    slots = (MON, KY, CON)
    help = "DIEM <mon> <ky>: diem tung mon (TX, GK, CK, TB); DIEM <ky>: TB cac mon"
    example = "DIEM TOAN HK1"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        if (several := each_named(ctx, parsed, self.handle)) is not None:
            return several
        named = parsed.child is not None
        only, studies = subject_child(ctx, parsed)
        note = " ".join(n for n in (studies, "" if named else name_note(ctx, parsed)) if n)
        if only is not None:
            parsed = replace(parsed, child=only)
        child = choose(ctx, parsed)
        if isinstance(child, Reply):
            return child
        other = form_for(self.keyword, child)
        if other:
            return other(ctx, parsed, child, note)
        term = term_of(ctx, parsed, child)
        year = ctx.family.school_year
        if parsed.subject:
            code = subject_for(child, parsed.subject)
            subject = subjects.find(ctx.db, child.school_id, child.grade, code)
            if subject is None:
                codes = [s.code for s in subjects.for_grade(ctx.db, child.school_id, child.grade)]
                return Reply(render("khong_co_mon.txt", child=child, word=parsed.subject_word, codes=codes),
                             command=self.keyword, student_ids=[child.student_id], school_id=child.school_id)
            report = grades.subject_report(ctx.db, child.student_id, subject, year, term)
            template = "diem_mon_nam.txt" if term is Semester.YEAR else "diem_mon.txt"
            text = render(template, child=child, r=report, term=term, note=note)
        else:
            reports = grades.taken(grades.term_reports(ctx.db, child.student_id, child.school_id, child.grade,
                                                       year, term), child.grade)
            missing = any(r.result is None for r in reports)
            text = render("diem_tong.txt", child=child, reports=reports, term=term, missing=missing, note=note)
        return Reply(text, command=self.keyword, student_ids=[child.student_id], school_id=child.school_id,
                     more_url="/p/diem")
