"""The kindergarten forms of DIEM, KQ, NX, RL and VANG (mầm non has no scores, no averages, no conduct).

DIEM and RL say what a kindergarten has instead; KQ answers the latest stage
assessment per domain (Đạt / Chưa đạt); NX the teacher's latest remarks; VANG
the days marked absent on the daily note. commands.forms picks them by khối.
"""
from __future__ import annotations

from outbox.templating import render
from store.school import terms
from store.preschool import measurements, notes
from store.rules.preschool import DOMAINS, LEVELS

from commands.base import Context, Reply
from commands.grammar import Parsed
from commands.preschool.mn import reply
from commands.periods import term_of


def diem(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """DIEM / RL for a kindergarten child: no scores; what to text instead."""
    return reply(render("mn_diem.txt", child=child, keyword=parsed.keyword), parsed.keyword, child)


def kq(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """KQ: the latest approved stage assessment, per domain."""
    stages = measurements.stages(ctx.db, child.student_id, ctx.family.school_year)
    return reply(render("mn_kq.txt", child=child, stage=stages[-1] if stages else None, domains=DOMAINS,
                        levels=LEVELS), "KQ", child, "/p")


def nx(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """NX: the teacher's latest remarks on the daily notes."""
    return reply(render("mn_nx.txt", child=child, remarks=notes.remarks(ctx.db, child.student_id)), "NX", child, "/p")


def vang(ctx: Context, parsed: Parsed, child, note: str = "") -> Reply:
    """VANG [KY]: the days the daily note marked the child absent in the term (or the year)."""
    term = term_of(ctx, parsed, child)
    first, last = terms.term_dates(ctx.db, child.school_id, ctx.family.school_year, term)
    days = notes.absent_days(ctx.db, child.student_id, first, min(last, ctx.today))
    return reply(render("mn_vang.txt", child=child, term=term, days=days), "VANG", child, "/p")
