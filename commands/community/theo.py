"""THEO F27: follow a forum topic; its new replies come in the evening digest."""
from __future__ import annotations

from outbox.templating import render
from store.community import posts

from commands.base import Command, Context, Reply
from commands.community.forum_topic import Found, find
from commands.grammar import TEXT, Parsed


class Theo(Command):
    keyword = "THEO"
    aliases = ("THEO", "THEODOI")
    slots = (TEXT,)
    help = "THEO F<so bai>: theo doi bai tren dien dan, tra loi moi co trong tin toi"
    example = "THEO F27"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        found = find(ctx, parsed, self.keyword, fillers=("DOI",))
        if not isinstance(found, Found):
            return found
        posts.follow(ctx.db, ctx.family.guardian_id, found.topic.id)
        return Reply(render("forum_theo_ok.txt", topic=found.topic), command=self.keyword,
                     school_id=found.room.school_id)
