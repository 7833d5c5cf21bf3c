"""A school level's own staff pages (primary's TT27 book, the kindergarten grid): shown in the menu
and opened only for staff whose school teaches that level (an operator: once any school does);
elsewhere a 404 saying, in Vietnamese, which schools the page is for."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g

from store.school.level_schools import has_level
from store.school.levels import SchoolLevel

from web.db import get_db


@dataclass(frozen=True)
class LevelGate:
    level: SchoolLevel
    name: str           # "tiểu học", "mầm non"
    only: str           # what the pages are for: "trang này chỉ dành cho trường có cấp …"

    def hidden_for(self, staff) -> bool:
        """The menu hides the level's pages from staff whose school (an operator: every school) lacks it."""
        return not has_level(get_db(), staff.school_id, self.level)

    def refuse_elsewhere(self) -> None:
        """A 404 for staff of a school without the level (call first in each of its pages)."""
        if self.hidden_for(g.staff):
            lead = (f"Chưa có trường nào có cấp {self.name}: " if g.staff.school_id is None
                    else f"Trường của bạn không có cấp {self.name}: ")
            abort(404, description=lead + self.only)

    def mark(self, *views) -> None:
        """Let web/menu.py hide these views' entries where the level is not taught."""
        for view in views:
            view.staff_hidden = self.hidden_for
