"""BO F27: stop following a forum topic."""
from __future__ import annotations

from outbox.templating import render
from store.community import posts

from commands.base import Command, Context, Reply
from commands.community.forum_topic import Found, find
from commands.grammar import TEXT, Parsed


class Bo(Command):
    keyword = "BO"
    aliases = ("BO", "BOTHEODOI", "BOTHEO")
    slots = (TEXT,)
    help = "BO F<so bai>: bo theo doi bai tren dien dan"
    example = "BO F27"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        found = find(ctx, parsed, self.keyword, fillers=("THEO", "DOI"))
        if not isinstance(found, Found):
            return found
        posts.unfollow(ctx.db, ctx.family.guardian_id, found.topic.id)
        return Reply(render("forum_bo_ok.txt", topic=found.topic), command=self.keyword,
                     school_id=found.room.school_id)
