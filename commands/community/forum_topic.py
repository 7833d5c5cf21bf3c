"""What TL, THEO and BO share: reading `F27` from the text and finding that topic for this sender."""
from __future__ import annotations

import re
from dataclasses import dataclass

from outbox.templating import render
from store.community import posts, rooms
from store.community.forum_rules import PostStatus
from store.core.text import fold

from commands.base import Context, Reply
from commands.grammar import Parsed

# `F27`, `f 27`, `F-27`, `F.27`, `#27` or a bare `27`, then the rest of the text.
_REF = re.compile(r"^\s*(?:[fF]\s*[-.:#]?\s*|#)?(\d{1,9})(?![\d])[\s.,:;+\-_]*(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Found:
    """The topic the text names, its room, and the text after the reference."""

    topic: posts.Topic
    room: rooms.Room
    rest: str


def viewer_of(ctx: Context) -> rooms.Viewer:
    """The texting guardian as the forum sees them."""
    return rooms.Viewer(guardian_id=ctx.family.guardian_id)


def _without_fillers(text: str, fillers: tuple[str, ...]) -> str:
    """`doi F27` after THEO -> `F27`: words that finish the keyword phrase (theo doi, bo theo doi) dropped."""
    words = text.split()
    while words and fold(words[0]).upper().strip(".,:;-") in fillers:
        words.pop(0)
    return " ".join(words) if len(words) != len(text.split()) else text


def find(ctx: Context, parsed: Parsed, keyword: str, fillers: tuple[str, ...] = ()):
    """The named topic when the sender's family may see it; else the Reply saying how to write it or that it is unknown.

    A topic of another class or school, a staff room's or one still waiting
    for a moderator reads the same as one that does not exist.
    """
    m = _REF.match(_without_fillers(parsed.text or "", fillers))
    if m is None:
        return Reply(render("forum_cach_dung.txt", keyword=keyword, topic_id=None), command=keyword)
    topic_id = int(m.group(1))
    topic = posts.topic(ctx.db, topic_id)
    room = rooms.get(ctx.db, topic.room_id) if topic else None
    viewer = viewer_of(ctx)
    if (topic is None or room is None or topic.status is not PostStatus.APPROVED
            or not rooms.can_enter(ctx.db, viewer, room)):
        return Reply(render("forum_khong_thay.txt", topic_id=topic_id), command=keyword)
    return Found(topic, room, m.group(2).strip())
