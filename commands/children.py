"""Choosing which child a command is about."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from outbox.fit import fits
from outbox.templating import render

from .base import Context, Reply
from .grammar import ChildRef, Parsed


def example_for(parsed: Parsed, with_text: bool = False, count: int = 2) -> str:
    """What the parent typed, with the child chosen: `KQ CN C1`, `NGHI C1 con bi sot`."""
    if with_text:
        # No child is pre-picked for a message to the teacher: C1 and the other numbers side by side.
        others = ", ".join(f"C{n}" for n in range(2, count + 1))
        return f"{parsed.keyword} C1 {parsed.text or '<noi dung>'} (hoac {others})"
    return " ".join([parsed.keyword, *parsed.kept, "C1"])


def choose(ctx: Context, parsed: Parsed, example: str | None = None):
    """The child a command is about, or a Reply listing the children and how to choose."""
    example = example or example_for(parsed)
    children = ctx.children
    ref: ChildRef | None = parsed.child
    if ref is None:
        if len(children) == 1:
            return children[0]
        return Reply(render("chon_con.txt", children=children, example=example, wrong=None), command=parsed.keyword)
    found = None
    if ref.index is not None:
        found = children[ref.index - 1] if ref.index <= len(children) else None
    elif ref.code is not None:
        found = next((c for c in children if c.code.upper() == ref.code), None)
    elif ref.name is not None:
        named = [c for c in children if c.given_name_folded == ref.name]
        found = named[0] if len(named) == 1 else None
    if found is None:
        return Reply(render("chon_con.txt", children=children, example=example, wrong=str(ref)),
                     command=parsed.keyword)
    return found


def each_child(ctx: Context, parsed: Parsed, one: Callable[[object], Reply]) -> Reply:
    """The reply for the child chosen, or one reply for several children without a round trip.

    With several children and none chosen, a reply that is the same for all
    (one class's LICH) goes once, and short ones that fit in one part go
    together; otherwise the parent is asked to choose. `C1 va C2` answers
    the children named, within sms.max_parts.
    """
    if parsed.more_children:
        chosen = [choose(ctx, _one_ref(parsed, ref)) for ref in [parsed.child, *parsed.more_children]]
        wrong = next((c for c in chosen if isinstance(c, Reply)), None)
        return wrong or merge([one(c) for c in dict.fromkeys(chosen)])
    child = choose(ctx, parsed)
    if not isinstance(child, Reply) or parsed.child is not None or len(ctx.children) < 2:
        return one(child) if not isinstance(child, Reply) else child
    replies = [one(c) for c in ctx.children]
    merged = merge(replies)
    same = len({r.text.strip() for r in replies}) == 1
    return merged if same or fits(merged.text, ctx.settings.sms.transliterate, 1) else child


def each_named(ctx: Context, parsed: Parsed, handle: Callable[[Context, Parsed], Reply]) -> Reply | None:
    """`DIEM TOAN C1 va C2`: ``handle`` once per child named, merged; None unless several were named."""
    if not parsed.more_children:
        return None
    return each_child(ctx, parsed, lambda c: handle(ctx, _one_ref(parsed, ChildRef(index=ctx.children.index(c) + 1))))


def _one_ref(parsed: Parsed, ref: ChildRef) -> Parsed:
    return replace(parsed, child=ref, more_children=[])


def merge(replies: list[Reply]) -> Reply:
    """Replies to one command about several children as one: identical texts once, others one per line."""
    texts = list(dict.fromkeys(r.text.strip() for r in replies))
    first = replies[0]
    return Reply("\n".join(texts), kind=first.kind, command=first.command,
                 student_ids=[s for r in replies for s in r.student_ids],
                 school_id=first.school_id,
                 more_url=first.more_url, meta=dict(first.meta))


def selector(ctx: Context, child) -> str:
    """How to name ``child`` in an example (C2), empty for an only child."""
    children = ctx.children
    if len(children) < 2:
        return ""
    return f"C{children.index(child) + 1}"
