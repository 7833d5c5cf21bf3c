"""The TT27 forms of DIEM, KQ, NX and RL for a primary pupil (levels and test scores, never an average).

The keyword modules stay single: once the child is chosen they ask
commands.forms for the child's level's form, and these functions answer.
"""
from __future__ import annotations

from outbox.templating import render
from store.school import records
from store.primary import assessments as pa
from store.rules.tt27 import Point

from commands.base import Context, Reply
from commands.grammar import Parsed
from commands.lexicon import subject_for


NX_SUBJECTS = 4     # the subject comments an NX reply lists; the rest are on the parents' page


def _point(parsed: Parsed, marks, quals) -> Point | None:
    """The point asked for (the KY word's TT27 reading), else the latest with approved data."""
    if parsed.point is not None:
        return parsed.point
    return pa.latest_point(marks, quals)


def _reply(text: str, keyword: str, child, url: str) -> Reply:
    return Reply(text, command=keyword, student_ids=[child.student_id], school_id=child.school_id, more_url=url)


def _data(ctx: Context, child):
    year = ctx.family.school_year
    marks = pa.subject_marks(ctx.db, child.student_id, child.school_id, child.grade, year)
    return marks, pa.qualities(ctx.db, child.student_id, year)


def diem(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """DIEM [MON] [DOT]: one subject at each point (or at DOT), or every subject's level at a point."""
    marks, quals = _data(ctx, child)
    if parsed.subject:
        code = subject_for(child, parsed.subject)
        found = next((m for m in marks if m.subject.code == code), None)
        if found is None:
            return _reply(render("khong_co_mon.txt", child=child, word=parsed.subject_word,
                                 codes=[m.subject.code for m in marks]), "DIEM", child, "/p/diem")
        asked = parsed.point
        points = [asked] if asked is not None else [p for p in Point if found.at(p)]
        text = render("th_diem_mon.txt", child=child, m=found, points=points, asked=asked.short if asked else None,
                      note=note)
        return _reply(text, "DIEM", child, "/p/diem")
    point = _point(parsed, marks, quals)
    assessed = bool(point) and pa.has_point(marks, quals, point)
    text = render("th_diem_tong.txt", child=child, marks=marks, point=point, assessed=assessed, note=note)
    return _reply(text, "DIEM", child, "/p/diem")


def kq(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """KQ [DOT]: every subject's level and score, qualities in one clause, and at CN the year-end result."""
    marks, quals = _data(ctx, child)
    point = _point(parsed, marks, quals)
    outcome = None
    if point is Point.CN:
        outcome = pa.year_outcome(ctx.db, child.student_id, child.grade, ctx.family.school_year, marks, quals)
    clause = pa.quality_clause(quals.get(point, {}), child.grade) if point else ""
    assessed = bool(point) and pa.has_point(marks, quals, point)
    text = render("th_kq.txt", child=child, marks=marks, point=point, assessed=assessed, qualities=clause,
                  outcome=outcome, note=note)
    return _reply(text, "KQ", child, "/p/ketqua")


def nx(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """NX: the latest point's subject comments, then the latest general comments."""
    marks, _ = _data(ctx, child)
    with_comments = [p for p in Point if pa.point_comments(marks, p)]
    point = with_comments[-1] if with_comments else None
    comments = (pa.point_comments(marks, point) if point else [])[:NX_SUBJECTS]
    general = [c for c in records.latest_comments(ctx.db, child.student_id, limit=3) if not c.subject_code][:2]
    text = render("th_nx.txt", child=child, point=point, comments=comments, general=general, note=note)
    return _reply(text, "NX", child, "/p/nhanxet")


def rl(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """RL for a primary pupil: TT27 rates qualities and competences, not conduct."""
    marks, quals = _data(ctx, child)
    point = _point(parsed, marks, quals)
    clause = pa.quality_clause(quals.get(point, {}), child.grade) if point else "chưa đánh giá"
    text = render("th_rl.txt", child=child, point=point, qualities=clause, note=note)
    return _reply(text, "RL", child, "/p/ketqua")
