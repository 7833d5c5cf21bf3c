"""Which period a keyword answers for a child: the KY word as the child's level reads it, else the default.

One KY word carries every level's reading (store.rules.periods.Asked): `HK2` is
term II for a THCS child and the point CN for a primary one. A read here
never changes the Parsed it is given.
"""
from __future__ import annotations

from store.school import terms
from store.rules.periods import Semester

from .base import Context
from .grammar import Parsed


def term_of(ctx: Context, parsed: Parsed, child) -> Semester:
    """The term asked for (TT22 reading), or the child's school's current term."""
    if parsed.term is not None:
        return parsed.term
    return Semester(terms.current_term(ctx.db, child.school_id, ctx.today).term)


def term_word(parsed: Parsed) -> str:
    """The KY word to show in an example: the asked term's code ('HK2', 'CN'), 'HK1' when none was typed."""
    return parsed.term.code if parsed.term is not None else Semester.HK1.code
