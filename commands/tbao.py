"""TBAO [CON]: the latest approved announcements."""
from __future__ import annotations

from outbox.templating import render
from store.school import events

from .base import Command, Context, Reply
from .children import each_child
from .grammar import CON, Parsed


class Tbao(Command):
    keyword = "TBAO"
    suggestible = True
    aliases = ("TBAO", "THONGBAO")
    slots = (CON,)
    help = "TBAO: thong bao moi nhat cua nha truong"
    example = "TBAO"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        return each_child(ctx, parsed, lambda c: self.one(ctx, parsed, c))

    def one(self, ctx: Context, parsed: Parsed, child) -> Reply:
        """The reply about ``child``."""
        latest = events.announcements(ctx.db, child.school_id, child.class_id, limit=2)
        return Reply(render("tbao.txt", child=child, events=latest), command=self.keyword,
                     student_ids=[child.student_id], school_id=child.school_id, more_url="/p/thongbao")
