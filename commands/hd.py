"""HD / HELP / ?: short help."""
from __future__ import annotations

from outbox.templating import render

from .base import Command, Context, Reply
from .grammar import Parsed


class Hd(Command):
    keyword = "HD"
    suggestible = True
    aliases = ("HD", "HELP", "?", "HUONGDAN", "TROGIUP")
    slots = ()
    help = "HD (hoac HELP, ?): huong dan ngan"
    example = "HD"
    needs_child = False

    def handle(self, ctx: Context, parsed: Parsed, child=None) -> Reply:
        return Reply(render("hd.txt"), command=self.keyword)
