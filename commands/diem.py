"""DIEM [MON] [KY] [CON]: scores of one subject, or every subject's average."""
from __future__ import annotations

from outbox.templating import render
from store import grades, levels, subjects, terms

from . import lexicon
from .forms import form_for
from .lexicon import subject_for
from .base import Command, Context, Reply
from .children import choose, each_named
from .grammar import CON, KY, MON, ChildRef, Parsed


def term_of(ctx: Context, parsed: Parsed, child) -> int:
    """The term asked for, or the child's school's current term."""
    if parsed.term is not None:
        return parsed.term
    return terms.current_term(ctx.db, child.school_id, ctx.today).term


def subject_child(ctx: Context, parsed: Parsed) -> str:
    """Position decides: a word in the MON slot is the subject. With several children and none
    named, the only child who studies that subject is meant; the reply says who and why."""
    if not parsed.subject or parsed.child is not None or len(ctx.children) < 2:
        return ""
    having = [(i, c) for i, c in enumerate(ctx.children, start=1)
              if subjects.find(ctx.db, c.school_id, c.grade, subject_for(c, parsed.subject))]
    if len(having) != 1:
        return ""
    index, child = having[0]
    parsed.child = ChildRef(index=index)
    return f"(chỉ {child.full_name.split()[-1]} học môn {parsed.subject_word})"


def name_note(ctx: Context, parsed: Parsed) -> str:
    """When the subject word is also a child's given name, say how to ask for that child instead."""
    word = parsed.subject_word
    if not word or not any(c.given_name_folded == word for c in ctx.children):
        return ""
    return f"({word} hiểu là môn; để chọn con {word.capitalize()}: {parsed.keyword} {lexicon_term(parsed)} {word})"


def taken(reports: list, child) -> list:
    """The child's subjects: in THPT the chosen subjects without a single score are another
    class's choice and left out; required subjects always stay (missing = not complete)."""
    if levels.spec_of_grade(child.grade).level is not levels.SchoolLevel.THPT:    # by khối: THCS+THPT schools too
        return reports
    return [r for r in reports if r.has_scores or r.subject.code in subjects.THPT_REQUIRED]


def lexicon_term(parsed: Parsed) -> str:
    return {1: "HK1", 2: "HK2", 0: "CN"}.get(parsed.term, "HK1")


class Diem(Command):
    keyword = "DIEM"
    suggestible = True
    aliases = ("DIEM", "DIEMSO", "XEMDIEM")
    slots = (MON, KY, CON)
    help = "DIEM <mon> <ky>: diem tung mon (TX, GK, CK, TB); DIEM <ky>: TB cac mon"
    example = "DIEM TOAN HK1"

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        if (several := each_named(ctx, parsed, self.handle)) is not None:
            return several
        named = parsed.child is not None
        note = " ".join(n for n in (subject_child(ctx, parsed), "" if named else name_note(ctx, parsed)) if n)
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
            template = "diem_mon_nam.txt" if term == lexicon.YEAR else "diem_mon.txt"
            text = render(template, child=child, r=report, term=term, note=note)
        else:
            reports = taken(grades.term_reports(ctx.db, child.student_id, child.school_id, child.grade, year, term),
                            child)
            missing = any(r.result is None for r in reports)
            text = render("diem_tong.txt", child=child, reports=reports, term=term, missing=missing, note=note)
        return Reply(text, command=self.keyword, student_ids=[child.student_id], school_id=child.school_id,
                     more_url="/p/diem")
