"""HD / HELP / ?: short help."""
from __future__ import annotations

from outbox.templating import render
from store.school import levels

from .base import Command, Context, Reply
from .grammar import Parsed


class Hd(Command):
    keyword = "HD"
    suggestible = True
    aliases = ("HD", "HELP", "?", "HUONGDAN", "TROGIUP")
    slots = ()
    help = "HD (hoac HELP, ?): huong dan ngan"
    example = "HD"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        kids = list(ctx.family.children) if ctx.family is not None else []
        mn = [levels.is_preschool(c.grade) for c in kids]
        return Reply(render("hd.txt", only_mn=bool(mn) and all(mn), any_mn=any(mn)), command=self.keyword)
