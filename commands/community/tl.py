"""TL F27 <noi dung>: a reply to a forum topic from a basic phone, held for moderation."""
from __future__ import annotations

from outbox.templating import render
from store.community import posts
from store.community.forum_rules import ForumError

from commands.base import Command, Context, Reply
from commands.community.forum_topic import Found, find, viewer_of
from commands.grammar import TEXT, Parsed


class Tl(Command):
    keyword = "TL"
    aliases = ("TL",)
    slots = (TEXT,)
    help = "TL F<so bai> <noi dung>: tra loi mot bai tren dien dan (duoc duyet truoc khi hien)"
    example = "TL F27 Gia dinh em dong y"

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        found = find(ctx, parsed, self.keyword)
        if not isinstance(found, Found):
            return found
        if not found.rest:
            return Reply(render("forum_cach_dung.txt", keyword=self.keyword, topic_id=found.topic.id),
                         command=self.keyword, school_id=found.room.school_id)
        try:
            posts.reply(ctx.db, viewer_of(ctx), found.topic, found.rest, source="sms", inbox_id=ctx.inbox_id)
        except ForumError as e:
            return Reply(render("forum_loi.txt", topic_id=found.topic.id, reason=str(e)), command=self.keyword,
                         school_id=found.room.school_id)
        return Reply(render("forum_tl_ok.txt", topic=found.topic), command=self.keyword,
                     school_id=found.room.school_id)
