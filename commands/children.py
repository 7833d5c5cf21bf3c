"""Choosing which child a command is about."""
from __future__ import annotations

from outbox.templating import render

from .base import Context, Reply
from .grammar import ChildRef, Parsed


def choose(ctx: Context, parsed: Parsed, example: str):
    """The child a command is about, or a Reply listing the children and how to choose."""
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


def selector(ctx: Context, child) -> str:
    """How to name ``child`` in an example (C2), empty for an only child."""
    children = ctx.children
    if len(children) < 2:
        return ""
    return f"C{children.index(child) + 1}"
