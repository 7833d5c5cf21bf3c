"""What HUY and DK share: switching the evening digest off or on for the children named (else all)."""
from __future__ import annotations

from typing import ClassVar

from outbox.templating import render
from store.school import optout

from .base import Command, Context, Reply
from .children import choose
from .grammar import CON, Parsed


def targets(ctx: Context, parsed: Parsed, example: str):
    """The children a HUY / DK is about: the one named, else all of them."""
    if parsed.child is None:
        return ctx.children
    child = choose(ctx, parsed, example)
    return child if isinstance(child, Reply) else [child]


class DigestSwitch(Command):
    """A keyword that sets the digest opt-out of the children named to ``opt_out`` and says so."""

    slots = (CON,)
    opt_out: ClassVar[bool]
    template: ClassVar[str]

    def handle(self, ctx: Context, parsed: Parsed) -> Reply:
        kids = targets(ctx, parsed, self.keyword)
        if isinstance(kids, Reply):
            return kids
        optout.set_opt_out(ctx.db, [c.link_id for c in kids], self.opt_out)
        return Reply(render(self.template, children=kids), command=self.keyword,
                     student_ids=[c.student_id for c in kids], school_id=kids[0].school_id)
