"""What every web grade book shares (TT22 scores, TT27 assessments, kindergarten weighing, adopted quiz
scores): the classes a staff member may open, a refused save naming each cell, and the import's write
context with the teacher's login. A hand entry is validated and written as an import of a few cells, so this
sits with the import machinery, below every domain's book.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from store.core.errors import StoreError
from store.imports.base import Context
from store.school.assignments import scope as staff_scope


@dataclass(frozen=True)
class ClassChoice:
    """A class a staff member may open, and the subjects they may enter there (None: every subject)."""

    id: int
    school_id: int
    school_code: str
    name: str
    grade: int
    subject_codes: frozenset[str] | None


@dataclass(frozen=True)
class Problem:
    """One refused cell: whose, which column, what was typed and why."""

    student_code: str
    student_name: str
    column: str
    value: str
    reason: str


class EntryRejected(StoreError):
    """Some cells were refused, so nothing of the save was written; ``problems`` names each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} ô không hợp lệ, chưa lưu gì")


# -- scope -------------------------------------------------------------------------------------
def classes_for(db: sqlite_utils.Database, school_year: str, *, school_id: int | None,
                teacher_id: int | None = None, today: date | None = None) -> list[ClassChoice]:
    """The classes of ``school_year`` one may open: a teacher's (``teacher_id``: their scope on ``today``)
    with their subjects, else every class of ``school_id`` (None: every school) with every subject."""
    sql = ("SELECT c.id, c.school_id, s.code, c.name, c.grade FROM classes c JOIN schools s ON s.id = c.school_id "
           "WHERE c.school_year = ?")
    params: list = [school_year]
    if school_id is not None:
        sql += " AND c.school_id = ?"
        params.append(school_id)
    scope: dict[int, frozenset[str]] = {}
    if teacher_id is not None:
        scope = staff_scope(db, teacher_id, today or date.today())
        sql += " AND c.id IN (SELECT value FROM json_each(?))"
        params.append("[" + ",".join(str(i) for i in scope) + "]")
    out = []
    for cid, sid, scode, name, grade in db.execute(sql + " ORDER BY s.code, c.grade, c.name", params):
        codes = scope.get(cid)
        allowed = None if teacher_id is None or "" in codes else frozenset(codes)   # '' = GVCN, every subject
        out.append(ClassChoice(cid, sid, scode, name, grade, allowed))
    return out


@dataclass
class EntryContext(Context):
    """The import's write context, with the teacher's login as entered_by."""

    login: str = ""

    @property
    def entered_by(self) -> str:
        return self.login


@dataclass(frozen=True)
class CellEdit:
    """What the form sent for one cell: the value the page showed and the value typed now."""

    shown: str
    typed: str
