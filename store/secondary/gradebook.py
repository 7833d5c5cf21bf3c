"""A class's grade book for one subject and term, as a teacher enters it on the web (SPEC §8).

    choices = classes_for(db, year, school_id=..., teacher_id=...)   # what a staff member may open
    book = load(db, choice, subject, term, year)                      # rows of students, cells, averages
    saved = save(db, choice, subject, term, year, cells, comments, login=..., today=...)

Cells are validated exactly as the grades import validates them (store.imports.values.parse_score)
and written with the import's upsert (store.imports.base.upsert_reviewed): a new or changed score is
pending with entered_by = the login, a changed approved score goes back to pending marked corrected,
an unchanged cell is not touched. Averages come from store.secondary.grades (TT22), over every row (what the
book will say once approved) and over the approved rows (what parents see now).
A save is one transaction; one bad cell refuses the whole save (EntryRejected lists them all).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from store.school import subjects as subjects_mod
from store.core.clock import now_iso
from store.core.connection import transaction
from store.secondary.grades import build_report
from store.imports import values
from store.imports.base import Outcome, upsert_reviewed
from store.imports.entry import CellEdit, ClassChoice, EntryContext, EntryRejected, Problem, classes_for  # noqa: F401
from store.imports.errors import RowRejected
from store.school.subjects import Subject
from store.school.terms import term_dates
from store.rules.tt22 import Score

MAX_COMMENT = 1000      # characters; the digest and NX shorten what they send anyway
RECENT_COMMENTS = 3     # shown per student under the comment box


@dataclass(frozen=True)
class Column:
    """One column of the book: TX1..TXn, GK, CK."""

    kind: str
    seq: int

    @property
    def label(self) -> str:
        return f"TX{self.seq}" if self.kind == "TX" else self.kind


@dataclass(frozen=True)
class Stored:
    """A stored score as the book shows it."""

    value: str
    status: str
    corrected: bool
    entered_by: str | None

    @property
    def pending(self) -> bool:
        return self.status == "pending"


@dataclass(frozen=True)
class StoredComment:
    date: str
    body: str
    status: str


@dataclass(frozen=True)
class BookRow:
    """One enrolled student: their cells by column label, the averages, recent comments of the subject."""

    student_id: int
    code: str
    name: str
    cells: dict[str, Stored | None]
    result: Score | None            # over every row, pending included: the book once approved
    approved_result: Score | None   # over approved rows: what a parent sees now
    comments: tuple[StoredComment, ...] = ()

    @property
    def pending(self) -> bool:
        return any(c is not None and c.pending for c in self.cells.values())


@dataclass(frozen=True)
class Book:
    choice: ClassChoice
    subject: Subject
    school_year: str
    term: int
    columns: tuple[Column, ...]
    rows: list[BookRow]


@dataclass(frozen=True)
class Saved:
    grades: int
    comments: int
    student_ids: frozenset[int] = field(default_factory=frozenset)


def subjects_of(db: sqlite_utils.Database, choice: ClassChoice) -> list[Subject]:
    """The subjects of the class's grade that ``choice`` allows, in report-card order."""
    every = subjects_mod.for_grade(db, choice.school_id, choice.grade)
    return [s for s in every if choice.subject_codes is None or s.code in choice.subject_codes]


def columns_of(subject: Subject) -> tuple[Column, ...]:
    """TX1..TXn (n by the subject's periods a year, TT22), GK, CK."""
    return (*(Column("TX", i) for i in range(1, subject.tx_per_term + 1)), Column("GK", 1), Column("CK", 1))


# -- reading -----------------------------------------------------------------------------------
def _students(db, class_id: int, school_year: str) -> list[tuple[int, str, str]]:
    return [tuple(r) for r in db.execute(
        "SELECT s.id, s.code, s.full_name FROM enrollments e JOIN students s ON s.id = e.student_id "
        "WHERE e.class_id = ? AND e.school_year = ? ORDER BY s.given_name_folded, s.full_name, s.code",
        [class_id, school_year])]


def _stored(db, class_id: int, subject: str, school_year: str, term: int) -> dict[tuple[int, str, int], tuple]:
    """(student, kind, seq) -> (value, status, corrected, entered_by, date) of the class's rows."""
    rows = db.execute(
        "SELECT g.student_id, g.kind, g.seq, g.value, g.status, g.corrected, g.entered_by, g.date FROM grades g "
        "JOIN enrollments e ON e.student_id = g.student_id AND e.school_year = g.school_year "
        "WHERE e.class_id = ? AND g.subject_code = ? AND g.school_year = ? AND g.term = ?",
        [class_id, subject, school_year, term])
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows}


def _comments(db, class_id: int, subject: str, school_year: str) -> dict[int, list[StoredComment]]:
    start, end = int(school_year[:4]), int(school_year[:4]) + 1
    rows = db.execute(
        "SELECT c.student_id, c.date, c.body, c.status FROM comments c JOIN enrollments e "
        "ON e.student_id = c.student_id AND e.school_year = ? WHERE e.class_id = ? AND c.subject_code = ? "
        "AND c.date BETWEEN ? AND ? ORDER BY c.date DESC, c.id DESC",
        [school_year, class_id, subject, f"{start}-08-01", f"{end}-07-31"])
    out: dict[int, list[StoredComment]] = {}
    for sid, day, body, status in rows:
        out.setdefault(sid, [])
        if len(out[sid]) < RECENT_COMMENTS:
            out[sid].append(StoredComment(day, body, status))
    return out


def load(db: sqlite_utils.Database, choice: ClassChoice, subject: Subject, term: int, school_year: str) -> Book:
    """The grade book of ``choice`` for ``subject`` and ``term``: every enrolled student, scores and averages."""
    columns = columns_of(subject)
    stored = _stored(db, choice.id, subject.code, school_year, term)
    comments = _comments(db, choice.id, subject.code, school_year)
    # Every stored row of a student (a TX beyond today's count included), as store.secondary.grades reads them.
    by_student: dict[int, list[tuple]] = {}
    for (sid, kind, seq), s in stored.items():
        by_student.setdefault(sid, []).append((term, kind, seq, s[0], s[2], s[1]))
    rows = []
    for sid, code, name in _students(db, choice.id, school_year):
        cells = {}
        for col in columns:
            s = stored.get((sid, col.kind, col.seq))
            cells[col.label] = Stored(s[0], s[1], bool(s[2]), s[3]) if s else None
        mine = by_student.get(sid, [])
        everything = build_report(subject, school_year, term, (r[:5] for r in mine))
        approved = build_report(subject, school_year, term, (r[:5] for r in mine if r[5] == "approved"))
        rows.append(BookRow(sid, code, name, cells, everything.result, approved.result,
                            tuple(comments.get(sid, ()))))
    return Book(choice, subject, school_year, term, columns, rows)


# -- writing -----------------------------------------------------------------------------------
def save(db: sqlite_utils.Database, choice: ClassChoice, subject: Subject, term: int, school_year: str,
         cells: Mapping[tuple[int, str], CellEdit], comments: Mapping[int, str], *, login: str,
         today: date) -> Saved:
    """Write the changed cells and the new comments in one transaction; EntryRejected writes nothing.

    ``cells`` maps (student id, column label) to what the page showed and what is typed now; a cell
    typed as shown (or the same score spelled otherwise, 7,5 for 7.5) is left alone. A cell whose
    stored value changed since the page was shown is refused (someone else wrote it meanwhile).
    An emptied cell deletes its score only while it never reached a parent (pending, not corrected).
    """
    starts, ends = term_dates(db, choice.school_id, school_year, term)
    dated = today.isoformat() if starts <= today <= ends else None
    with transaction(db):
        students = {sid: (code, name) for sid, code, name in _students(db, choice.id, school_year)}
        stored = _stored(db, choice.id, subject.code, school_year, term)
        sheet = _Sheet(choice, subject, term, school_year, students, stored, {c.label: c for c in columns_of(subject)})
        problems: list[Problem] = []
        writes = _checked_cells(sheet, cells, problems)
        notes = _checked_comments(sheet, comments, problems)
        if problems:
            raise EntryRejected(problems)
        ctx = EntryContext(conn=db.conn, file_name="", now=now_iso(), login=login)
        touched: set[int] = set()
        written = _write_cells(db, ctx, sheet, writes, dated, touched)
        noted = _write_comments(ctx, sheet, notes, today, touched)
    return Saved(written, noted, frozenset(touched))


@dataclass(frozen=True)
class _Sheet:
    """What one save checks the typed cells against: the class's pupils, stored rows and columns now."""

    choice: ClassChoice
    subject: Subject
    term: int
    school_year: str
    students: dict[int, tuple[str, str]]                # id -> (code, name), in book order
    stored: dict[tuple[int, str, int], tuple]           # (id, kind, seq) -> (value, status, corrected, ...)
    columns: dict[str, Column]                          # label -> column, in book order

    def not_in_class(self, sid: int) -> str:
        return f"học sinh mã số {sid} không học lớp {self.choice.name} năm học {self.school_year} (tải lại trang)"


Write = tuple      # (student id, Column, the new value or None: delete)


def _in_book_order(sheet: _Sheet, cells: Mapping[tuple[int, str], CellEdit]) -> list:
    """The typed cells as the page shows them (problems are listed in that order)."""
    order = {sid: i for i, sid in enumerate(sheet.students)}
    place = {label: i for i, label in enumerate(sheet.columns)}

    def key(item):
        (sid, label), _ = item
        return order.get(sid, len(order)), sid, place.get(label, len(place)), label
    return sorted(cells.items(), key=key)


def _checked_cells(sheet: _Sheet, cells: Mapping[tuple[int, str], CellEdit], problems: list[Problem]) -> list[Write]:
    """The writes the typed cells ask for; each refused cell is appended to ``problems`` instead."""
    writes: list[Write] = []
    for (sid, label), edit in _in_book_order(sheet, cells):
        code, name = sheet.students.get(sid, ("?", "?"))
        typed = edit.typed.strip()
        outcome = _check_cell(sheet, sid, label, typed, edit.shown.strip())
        if isinstance(outcome, str):
            problems.append(Problem(code, name, label, typed, outcome))
        elif outcome is not None:
            writes.append(outcome)
    return writes


def _check_cell(sheet: _Sheet, sid: int, label: str, typed: str, shown: str) -> Write | str | None:
    """One cell: its write, the reason it is refused (a str), or None when nothing changes."""
    if sid not in sheet.students:
        return sheet.not_in_class(sid)
    col = sheet.columns.get(label)
    if col is None:
        return f"môn {sheet.subject.code} không có cột {label} (chỉ có {', '.join(sheet.columns)})"
    if typed == shown:
        return None
    current = sheet.stored.get((sid, col.kind, col.seq))
    now_value = current[0] if current else ""
    conflict = f"người khác vừa sửa ô này (nay là {now_value or 'trống'}): tải lại trang rồi nhập lại"
    if not typed:
        if not shown:
            return None
        if now_value != shown:
            return conflict
        if current[1] != "pending" or current[2]:
            return f"{label} {shown} đã đến phụ huynh, không xoá ở đây được (nhập điểm đúng thay cho điểm này)"
        return sid, col, None
    try:
        value = values.parse_score(typed, sheet.subject.kind.value, label)
    except RowRejected as e:
        return e.reason
    if value == shown:
        return None
    if now_value != shown and now_value != value:
        return conflict
    return sid, col, value


def _checked_comments(sheet: _Sheet, comments: Mapping[int, str], problems: list[Problem]) -> list[tuple[int, str]]:
    """The new comments as (student id, text); a refused one is appended to ``problems`` instead."""
    notes: list[tuple[int, str]] = []
    for sid, text in sorted(comments.items()):
        body = " ".join(text.split())
        if not body:
            continue
        if sid not in sheet.students:
            problems.append(Problem("?", "?", "nhận xét", body[:40], sheet.not_in_class(sid)))
        elif len(body) > MAX_COMMENT:
            problems.append(Problem(*sheet.students[sid], "nhận xét", body[:40] + "…",
                                    f"nhận xét dài {len(body)} ký tự, quá {MAX_COMMENT} ký tự (rút gọn lại)"))
        else:
            notes.append((sid, body))
    return notes


def _write_cells(db, ctx: EntryContext, sheet: _Sheet, writes: list[Write], dated: str | None,
                 touched: set[int]) -> int:
    """Write (or delete) the checked cells; returns how many changed and adds their pupils to ``touched``."""
    written = 0
    for sid, col, value in writes:
        key = {"student_id": sid, "subject_code": sheet.subject.code, "school_year": sheet.school_year,
               "term": sheet.term, "kind": col.kind, "seq": col.seq}
        if value is None:
            db.execute("DELETE FROM grades WHERE student_id = ? AND subject_code = ? AND school_year = ? "
                       "AND term = ? AND kind = ? AND seq = ? AND status = 'pending' AND corrected = 0",
                       list(key.values()))
        else:
            new = {"value": value, **({"date": dated} if dated and (sid, col.kind, col.seq) not in sheet.stored
                                      else {})}
            if upsert_reviewed(ctx, "grades", key, new, has_corrected=True, compare=("value",)) is Outcome.UNCHANGED:
                continue
        written += 1
        touched.add(sid)
    return written


def _write_comments(ctx: EntryContext, sheet: _Sheet, notes: list[tuple[int, str]], today: date,
                    touched: set[int]) -> int:
    """Write the checked comments (dated today); returns how many are new."""
    noted = 0
    for sid, body in notes:
        outcome = upsert_reviewed(ctx, "comments", {"student_id": sid, "date": today.isoformat(),
                                                    "subject_code": sheet.subject.code, "body": body}, {})
        if outcome is not Outcome.UNCHANGED:
            noted += 1
            touched.add(sid)
    return noted
