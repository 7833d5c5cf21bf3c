"""What BE, CAN and DON share: a kindergarten child chosen, or a reply saying the keyword is for mầm non."""
from __future__ import annotations

from outbox.templating import render
from store.school import levels

from commands.base import Context, Reply
from commands.children import choose
from commands.grammar import Parsed


def reply(text: str, keyword: str, child, url: str | None = None) -> Reply:
    """A Reply about one child."""
    return Reply(text, command=keyword, student_ids=[child.student_id], school_id=child.school_id, more_url=url)


def kindergarten_child(ctx: Context, parsed: Parsed, example: str | None = None):
    """The chosen child when in a kindergarten group, else the Reply to send."""
    child = choose(ctx, parsed, example)
    if isinstance(child, Reply):
        return child
    if not levels.is_preschool(child.grade):
        return reply(render("mn_only.txt", keyword=parsed.keyword, child=child), parsed.keyword, child)
    return child
