"""What every kind of import shares: the row, the context with its look-ups, upserts.

A kind's handler validates a row (``check``: raises RowRejected, returns the planned
writes with their keys) and writes it (``apply``: returns an Outcome). The
look-ups cache what a file refers to again and again (schools, classes,
subjects, terms); they run inside the import's transaction.
"""
from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from store.review.history import remember
from store.review.status import ReviewStatus
from .errors import OutsideSchool, RowNote, RowRejected
from .headers import find_header, Vocabulary


class Outcome(str, Enum):
    """What one planned write did to the database."""

    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Row:
    """One data row: its spreadsheet row number and the cells by canonical column name."""

    number: int
    cells: dict[str, Any]

    def get(self, name: str):
        return self.cells.get(name)


@dataclass
class Op:
    """A planned write: ``key`` identifies the target row (duplicates in a file are refused)."""

    key: tuple
    data: dict


class ImportHandler(ABC):
    """How one KIND of import file is read: its columns, row validation and writes (its ImportKind names it)."""

    name = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    wide = False          # the bangdiem layout: TX1..TXn columns

    @abstractmethod
    def check(self, ctx: "Context", row: Row) -> list[Op]:
        """Validate one row; raise RowRejected or return its planned writes."""

    @abstractmethod
    def apply(self, ctx: "Context", op: Op) -> Outcome:
        """Write one planned change."""

    def locate(self, file_name: str, first_rows: list[tuple[int, list]], optional: tuple[str, ...],
               vocabulary: Vocabulary):
        """The header of this kind's table (headers.Header); a kind with its own layout overrides it.

        ``vocabulary``: every column's headers for this kind (store.imports.registry.vocabulary).
        """
        return find_header(vocabulary, file_name, first_rows, self.required, optional, self.wide)

    def duplicate_key(self, op: Op) -> tuple:
        """What two rows of one file may not share (default: the target row of each write)."""
        return op.key

    def finish(self, ctx: "Context") -> dict[str, int]:
        """After the last row (e.g. --replace); returns extra counts."""
        return {}


@dataclass
class Student:
    """A student as found for one school year."""

    id: int
    code: str
    school_id: int
    school_code: str
    class_id: int
    grade: int


@dataclass
class Context:
    """One import run: the connection, the options and the caches of looked-up codes."""

    conn: sqlite3.Connection
    file_name: str
    now: str
    approve: bool = False
    replace: bool = False
    school_code: str | None = None
    notes: list[RowNote] = field(default_factory=list)
    tz: str | None = None            # the schools' time zone (settings' sms.timezone) for "today", when known
    state: dict = field(default_factory=dict)       # a kind's own bookkeeping (e.g. seen links)
    _cache: dict = field(default_factory=dict)

    @property
    def entered_by(self) -> str:
        return f"import:{self.file_name}"

    def note(self, row: int, text: str) -> None:
        """Report something mapped on the way in (not an error)."""
        self.notes.append(RowNote(row, text))

    def one(self, sql: str, params=()):
        return self.conn.execute(sql, params).fetchone()

    def _cached(self, key, sql, params):
        if key not in self._cache:
            self._cache[key] = self.one(sql, params)
        return self._cache[key]

    def school(self, code: str) -> sqlite3.Row | tuple:
        """(id, code, level) of a school, honouring --school; RowRejected when unknown."""
        if self.school_code and code != self.school_code:
            raise OutsideSchool(f"mã trường {code} không phải trường đang nhập ({self.school_code})", code,
                                self.school_code)
        row = self._cached(("school", code), "SELECT id, code, level FROM schools WHERE code = ?", (code,))
        if row is None:
            raise RowRejected(f"không có trường mã {code} (nhập danh sách trường trước)")
        return row

    def class_(self, school, year: str, name: str):
        """(id, grade) of a class of ``school`` in ``year``; RowRejected when unknown."""
        row = self._cached(("class", school[0], year, name),
                           "SELECT id, grade FROM classes WHERE school_id = ? AND school_year = ? AND name = ?",
                           (school[0], year, name))
        if row is None:
            raise RowRejected(f"không có lớp {name} ở {school[1]} năm học {year} (nhập danh sách lớp trước)")
        return row

    def term(self, school_id: int, school_code: str, year: str, term: int):
        """(starts_on, ends_on) of a term; RowRejected when the school has not got it."""
        row = self._cached(("term", school_id, year, term),
                           "SELECT starts_on, ends_on FROM terms WHERE school_id = ? AND school_year = ? AND term = ?",
                           (school_id, year, term))
        if row is None:
            raise RowRejected(f"{school_code} chưa có học kỳ {term} năm học {year} (nhập học kỳ trước)")
        return row

    def subject(self, student: Student, code: str):
        """(code, kind, periods_per_year) of a subject for the student's grade level."""
        row = self._cached(("subject", student.school_id, code, student.grade),
                           "SELECT code, kind, periods_per_year FROM subjects "
                           "WHERE school_id = ? AND code = ? AND grade = ?", (student.school_id, code, student.grade))
        if row is None:
            raise RowRejected(f"không có môn {code} cho khối {student.grade} ở {student.school_code}")
        return row

    def student(self, code: str, year: str) -> Student:
        """A student enrolled in ``year``; RowRejected when unknown or not enrolled.

        The school is that year's class's: a student who moved school keeps their earlier
        years at the earlier school (its subjects, terms, and its staff's imports).
        """
        row = self.one(
            "SELECT s.id, c.school_id, sc.code, c.id, c.grade FROM students s "
            "JOIN enrollments e ON e.student_id = s.id AND e.school_year = ? "
            "JOIN classes c ON c.id = e.class_id "
            "JOIN schools sc ON sc.id = c.school_id WHERE s.code = ?", (year, code))
        if row is None:
            if self.one("SELECT 1 FROM students WHERE code = ?", (code,)) is None:
                raise RowRejected(f"không có học sinh mã {code}")
            raise RowRejected(f"học sinh {code} không học năm học {year}")
        if self.school_code and row[2] != self.school_code:
            raise OutsideSchool(f"học sinh {code} thuộc trường {row[2]}, không phải {self.school_code}", row[2],
                                self.school_code)
        return Student(row[0], code, row[1], row[2], row[3], row[4])

    def review_fields(self) -> dict:
        """status/approved_by/approved_at for a new or changed reviewed row."""
        if self.approve:
            return {"status": ReviewStatus.APPROVED.value, "approved_by": "cli", "approved_at": self.now}
        return {"status": ReviewStatus.PENDING.value, "approved_by": None, "approved_at": None}


def upsert_reviewed(ctx: Context, table: str, key: dict, values: dict, *, has_corrected: bool = False,
                    compare: tuple[str, ...] | None = None) -> Outcome:
    """Insert or update a row that goes through approval (grades, conduct, ...).

    ``compare`` names the values whose change is a real change (default all);
    a changed row goes back to pending (approved again with --approve), and a
    changed row that had been approved is marked corrected where the table
    has that column. An unchanged pending row is approved by --approve.
    """
    where = " AND ".join(f"{k} IS ?" for k in key)
    cols = list(values)
    found = ctx.one(f"SELECT rowid, status{''.join(', ' + c for c in cols)} FROM {table} WHERE {where}",
                    tuple(key.values()))
    review = ctx.review_fields()
    if found is None:
        row = {**key, **values, **review, "entered_by": ctx.entered_by, "entered_at": ctx.now}
        names = ", ".join(row)
        ctx.conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
        return Outcome.INSERTED
    rowid, status, *current = found
    old = dict(zip(cols, current))
    changed = [c for c in (compare or cols) if old[c] != values[c]]
    side = [c for c in cols if old[c] != values[c] and c not in changed]
    if not changed:
        updates: dict = {c: values[c] for c in side}
        if ctx.approve and status == ReviewStatus.PENDING:
            updates.update(review)
        if not updates:
            return Outcome.UNCHANGED
    else:
        updates = {**values, **review, "entered_by": ctx.entered_by, "entered_at": ctx.now}
        if status == ReviewStatus.APPROVED:
            remember(ctx.conn, table, rowid, old)   # what parents saw: the reviewer's old -> new, a send-back
        if has_corrected and status == ReviewStatus.APPROVED:
            updates["corrected"] = 1
    assignments = ", ".join(f"{c} = ?" for c in updates)
    ctx.conn.execute(f"UPDATE {table} SET {assignments} WHERE rowid = ?", (*updates.values(), rowid))
    return Outcome.UPDATED


def upsert_plain(ctx: Context, table: str, key: dict, values: dict, extra_insert: dict | None = None) -> Outcome:
    """Insert or update a row without approval columns (schools, classes, ...)."""
    where = " AND ".join(f"{k} IS ?" for k in key)
    cols = list(values)
    found = ctx.one(f"SELECT rowid{''.join(', ' + c for c in cols)} FROM {table} WHERE {where}", tuple(key.values()))
    if found is None:
        row = {**key, **values, **(extra_insert or {})}
        ctx.conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         tuple(row.values()))
        return Outcome.INSERTED
    rowid, *current = found
    updates = {c: values[c] for c, old in zip(cols, current) if old != values[c]}
    if not updates:
        return Outcome.UNCHANGED
    ctx.conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in updates)} WHERE rowid = ?",
                     (*updates.values(), rowid))
    return Outcome.UPDATED
