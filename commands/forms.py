"""Which form of a keyword answers for a child: the child's khối asks the level registry.

DIEM, KQ, NX and RL stay single keywords; for a level whose rules differ
from TT22 this table names the function that answers instead. A level
without an entry (THCS, THPT) uses the keyword's own handle.
"""
from __future__ import annotations

from typing import Callable

from store.school import levels

from commands.preschool import forms as preschool
from commands.primary import forms as primary

FORMS: dict[levels.Scheme, dict[str, Callable]] = {
    levels.Scheme.TT27: {"DIEM": primary.diem, "KQ": primary.kq, "NX": primary.nx, "RL": primary.rl},
    levels.Scheme.MN: {"DIEM": preschool.diem, "KQ": preschool.kq, "NX": preschool.nx, "RL": preschool.diem,
                       "VANG": preschool.vang},
}


def form_for(keyword: str, child) -> Callable | None:
    """The function answering ``keyword`` for ``child``'s level, or None for the keyword's own form."""
    return FORMS.get(levels.scheme_of(child.grade), {}).get(keyword)
