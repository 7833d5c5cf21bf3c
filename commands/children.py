"""Choosing which child a command is about."""
from __future__ import annotations

from outbox.templating import render

from .base import Context, Reply
from .grammar import ChildRef, Parsed


def example_for(parsed: Parsed, with_text: bool = False) -> str:
    """What the parent typed, with the child chosen: `KQ CN C1`, `NGHI C1 con bi sot`."""
    if with_text:
        return f"{parsed.keyword} C1 {parsed.text or '<noi dung>'}"
    return " ".join([parsed.keyword, *(w for w in parsed.words if w not in parsed.unknown), "C1"])


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


def selector(ctx: Context, child) -> str:
    """How to name ``child`` in an example (C2), empty for an only child."""
    children = ctx.children
    if len(children) < 2:
        return ""
    return f"C{children.index(child) + 1}"
