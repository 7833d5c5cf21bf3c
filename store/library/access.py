"""Who sees which library items: the viewer (a web account or a staff phone) and the SQL that scopes a query.

Approved items are seen by every staff member of their school (operators: of
every school); drafts only by their owner; submitted and returned items also
by the item's reviewers (its department head, the principal). Guardians are
never viewers.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from . import roster


@dataclass(frozen=True)
class Viewer:
    """A staff member looking at the library."""

    user_id: int | None          # None: a staff phone without a web account (SMS TV)
    school_id: int | None        # None: an operator (every school, approved items only)
    login: str
    member: roster.Member | None = None

    @property
    def principal(self) -> bool:
        """A principal or vice-principal of the school."""
        return self.member is not None and self.member.is_principal

    @property
    def head_of(self) -> int | None:
        """The department this viewer heads, if any."""
        return self.member.department_id if self.member is not None and self.member.is_head else None

    def reviews(self, school_id: int, department_id: int | None) -> bool:
        """Whether this viewer reviews items of that school and department."""
        return roster.reviews(self.member, school_id, department_id)


def for_account(db: sqlite_utils.Database, user_id: int, login: str, school_id: int | None) -> Viewer:
    """The viewer behind a staff web account (its staff row through staff.user_id, when there is one)."""
    member = roster.of_user(db, user_id, school_id) if school_id is not None else None
    return Viewer(user_id, school_id, login, member)


def for_member(member: roster.Member) -> Viewer:
    """The viewer behind a staff phone (approved items of their school, and their own when linked)."""
    return Viewer(member.user_id, member.school_id, f"staff:{member.id}", member)


def scope_sql(viewer: Viewer, alias: str = "i") -> tuple[str, list]:
    """A WHERE fragment (and its arguments) limiting ``alias`` (library_items) to what ``viewer`` may see."""
    if viewer.school_id is None:
        return f"{alias}.state = 'approved'", []
    clauses, args = [f"{alias}.state = 'approved'"], []
    if viewer.user_id is not None:
        clauses.append(f"{alias}.owner_user_id = ?")
        args.append(viewer.user_id)
    if viewer.principal:
        clauses.append(f"{alias}.state != 'draft'")
    elif viewer.head_of is not None:
        clauses.append(f"({alias}.state != 'draft' AND {alias}.department_id = ?)")
        args.append(viewer.head_of)
    return f"{alias}.school_id = ? AND ({' OR '.join(clauses)})", [viewer.school_id, *args]
