"""Tests (`ma de`): their items (copied from the bank), classes, and one variant per pupil."""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from store.core.clock import iso, now_iso, parse_iso

from . import bank
from .errors import QuestionError
from .marking import Perm, shuffled

CODE = re.compile(r"[A-Z][A-Z0-9]{0,7}")
_CHILD_LIKE = re.compile(r"(?:C|CON)\d+")      # would be read as a child selector (C2)
MAX_ITEMS = 60


@dataclass(frozen=True)
class Quiz:
    """A test as created."""

    id: int
    school_id: int
    code: str
    title: str
    subject_code: str
    grade: int
    opens_at: str
    closes_at: str
    max_attempts: int
    created_by: str

    def state(self, now: datetime) -> str:
        """'not_open', 'open' or 'closed' at ``now``."""
        if now < parse_iso(self.opens_at):
            return "not_open"
        return "open" if now < parse_iso(self.closes_at) else "closed"


@dataclass(frozen=True)
class Item:
    """One item of a test: the question as it was when the test was made."""

    position: int
    question_id: int | None
    body: str
    choices: tuple[str, ...]
    answer: int
    level: str
    explanation: str


@dataclass(frozen=True)
class Variant:
    """A pupil's own copy of a test: its code and the order of each item's choices."""

    id: int
    quiz_id: int
    student_id: int
    class_id: int
    seq: int
    code: str
    perms: tuple[Perm, ...]


def check_code(code: str) -> str:
    """The test code upper-cased, or QuestionError saying how to write one."""
    code = code.strip().upper()
    if not CODE.fullmatch(code) or _CHILD_LIKE.fullmatch(code):
        raise QuestionError(f"mã đề “{code}” không hợp lệ: một chữ cái rồi tối đa 7 chữ/số (ví dụ T5), "
                            "không dạng C1, CON2")
    return code


def draw(db: sqlite_utils.Database, school_id: int, subject: str, grade: int, count: int, rng: random.Random, *,
         topic: str = "", level: str = "") -> list[int]:
    """``count`` questions drawn at random from the bank (QuestionError when there are fewer)."""
    pool = [q.id for q in bank.search(db, school_id, subject=subject, grade=grade, topic=topic, level=level,
                                      limit=10_000)]
    if count > len(pool):
        raise QuestionError(f"ngân hàng chỉ có {len(pool)} câu phù hợp, không đủ {count} câu để bốc")
    return rng.sample(pool, count)


def create(db: sqlite_utils.Database, *, school_id: int, title: str, code: str | None, subject: str, grade: int,
           question_ids: list[int], class_ids: list[int], opens: datetime, closes: datetime, max_attempts: int,
           login: str, school_year: str, rng: random.Random) -> int:
    """Insert a test with its items, classes and every enrolled pupil's variant (the caller's transaction)."""
    if not title.strip():
        raise QuestionError("thiếu tên bài kiểm tra")
    if not question_ids or len(question_ids) > MAX_ITEMS:
        raise QuestionError(f"một đề có từ 1 đến {MAX_ITEMS} câu (đã chọn {len(question_ids)})")
    if len(set(question_ids)) != len(question_ids):
        raise QuestionError("một câu hỏi được chọn hai lần")
    if closes <= opens:
        raise QuestionError("giờ đóng phải sau giờ mở")
    if not 1 <= max_attempts <= 20:
        raise QuestionError("số lần làm từ 1 đến 20")
    if not class_ids:
        raise QuestionError("chọn ít nhất một lớp")
    questions = [bank.get(db, school_id, qid) for qid in question_ids]
    if any(q is None or not q.active for q in questions):
        raise QuestionError("có câu hỏi không còn trong ngân hàng của trường")
    if code:
        code = check_code(code)
        if db.execute("SELECT 1 FROM quizzes WHERE code = ?", [code]).fetchone():
            raise QuestionError(f"mã đề {code} đã có, chọn mã khác")
    quiz_id = db.execute(
        "INSERT INTO quizzes (school_id, code, title, subject_code, grade, opens_at, closes_at, max_attempts, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [school_id, code or f"TMP{rng.randrange(10**9)}", " ".join(title.split()), subject.upper(), grade,
         iso(opens), iso(closes), max_attempts, login, now_iso()]).lastrowid
    if not code:
        db.execute("UPDATE quizzes SET code = ? WHERE id = ?", [f"T{quiz_id}", quiz_id])
    for pos, q in enumerate(questions, start=1):
        db.execute("INSERT INTO quiz_items (quiz_id, position, question_id, body, choices, answer, level, "
                   "explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [quiz_id, pos, q.id, q.body, json.dumps(list(q.choices), ensure_ascii=False), q.answer,
                    q.level.value, q.explanation])
    for class_id in sorted(set(class_ids)):
        db.execute("INSERT INTO quiz_classes (quiz_id, class_id) VALUES (?, ?)", [quiz_id, class_id])
    add_variants(db, quiz_id, school_year, rng)
    return quiz_id


def add_variants(db: sqlite_utils.Database, quiz_id: int, school_year: str, rng: random.Random) -> int:
    """A variant for every pupil of the test's classes who has none yet (a pupil who joined later)."""
    counts = [len(i.choices) for i in items(db, quiz_id)]
    code = db.execute("SELECT code FROM quizzes WHERE id = ?", [quiz_id]).fetchone()[0]
    missing = db.execute(
        "SELECT e.student_id, e.class_id FROM quiz_classes qc JOIN enrollments e ON e.class_id = qc.class_id "
        "AND e.school_year = ? JOIN classes c ON c.id = e.class_id JOIN students s ON s.id = e.student_id "
        "WHERE qc.quiz_id = ? AND e.student_id NOT IN (SELECT student_id FROM quiz_variants WHERE quiz_id = ?) "
        "ORDER BY c.name, s.full_name, s.code", [school_year, quiz_id, quiz_id]).fetchall()
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM quiz_variants WHERE quiz_id = ?", [quiz_id]).fetchone()[0]
    for student_id, class_id in missing:
        seq += 1
        perms = shuffled(counts, rng)
        db.execute("INSERT INTO quiz_variants (quiz_id, student_id, class_id, seq, code, perms) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [quiz_id, student_id, class_id, seq, f"{code}-{seq}",
                                                  json.dumps(perms)])
    return len(missing)


def set_closing(db: sqlite_utils.Database, quiz: Quiz, closes: datetime) -> None:
    """Close a test earlier or later (a closing before its opening is refused)."""
    if closes <= parse_iso(quiz.opens_at):
        raise QuestionError("giờ đóng phải sau giờ mở")
    db.execute("UPDATE quizzes SET closes_at = ? WHERE id = ?", [iso(closes), quiz.id])


_QUIZ = ("SELECT id, school_id, code, title, subject_code, grade, opens_at, closes_at, max_attempts, created_by "
         "FROM quizzes")


def get(db: sqlite_utils.Database, quiz_id: int) -> Quiz | None:
    """One test by id."""
    r = db.execute(_QUIZ + " WHERE id = ?", [quiz_id]).fetchone()
    return Quiz(*r) if r else None


def by_code(db: sqlite_utils.Database, code: str) -> Quiz | None:
    """One test by its code."""
    r = db.execute(_QUIZ + " WHERE code = ?", [code.upper()]).fetchone()
    return Quiz(*r) if r else None


def of_school(db: sqlite_utils.Database, school_id: int, class_ids: frozenset[int] | None = None) -> list[Quiz]:
    """The school's tests, newest first (only those for ``class_ids`` when given)."""
    sql, params = _QUIZ + " WHERE school_id = ?", [school_id]
    if class_ids is not None:
        sql += " AND id IN (SELECT quiz_id FROM quiz_classes WHERE class_id IN (SELECT value FROM json_each(?)))"
        params.append(json.dumps(sorted(class_ids)))
    return [Quiz(*r) for r in db.execute(sql + " ORDER BY id DESC", params)]


def classes_of(db: sqlite_utils.Database, quiz_id: int) -> list[tuple[int, str]]:
    """(class id, name) of a test."""
    return [tuple(r) for r in db.execute("SELECT c.id, c.name FROM quiz_classes qc JOIN classes c ON c.id = "
                                         "qc.class_id WHERE qc.quiz_id = ? ORDER BY c.name", [quiz_id])]


def items(db: sqlite_utils.Database, quiz_id: int) -> list[Item]:
    """A test's items in order."""
    return [Item(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6]) for r in db.execute(
        "SELECT position, question_id, body, choices, answer, level, explanation FROM quiz_items "
        "WHERE quiz_id = ? ORDER BY position", [quiz_id])]


_VARIANT = "SELECT id, quiz_id, student_id, class_id, seq, code, perms FROM quiz_variants"


def _variant(r) -> Variant:
    return Variant(*r[:6], tuple(tuple(p) for p in json.loads(r[6])))


def variant_by_code(db: sqlite_utils.Database, code: str) -> Variant | None:
    """A pupil's variant by its code (T5-12)."""
    r = db.execute(_VARIANT + " WHERE code = ?", [code.upper()]).fetchone()
    return _variant(r) if r else None


def variant_of(db: sqlite_utils.Database, quiz_id: int, student_id: int) -> Variant | None:
    """The pupil's variant of a test."""
    r = db.execute(_VARIANT + " WHERE quiz_id = ? AND student_id = ?", [quiz_id, student_id]).fetchone()
    return _variant(r) if r else None


def variants(db: sqlite_utils.Database, quiz_id: int, class_id: int | None = None) -> list[Variant]:
    """Every variant of a test (one class's when given), by number."""
    sql, params = _VARIANT + " WHERE quiz_id = ?", [quiz_id]
    if class_id is not None:
        sql += " AND class_id = ?"
        params.append(class_id)
    return [_variant(r) for r in db.execute(sql + " ORDER BY seq", params)]


def in_year(db: sqlite_utils.Database, variant: Variant, school_year: str) -> bool:
    """Whether the variant was given to a class of ``school_year``."""
    return db.execute("SELECT 1 FROM classes WHERE id = ? AND school_year = ?",
                      [variant.class_id, school_year]).fetchone() is not None


def variants_of_students(db: sqlite_utils.Database, student_ids: list[int],
                         school_year: str) -> list[tuple[Variant, Quiz]]:
    """Every variant of these pupils given to a class of ``school_year``, with its test, newest first."""
    rows = db.execute(_VARIANT + " WHERE student_id IN (SELECT value FROM json_each(?)) AND class_id IN "
                      "(SELECT id FROM classes WHERE school_year = ?) ORDER BY quiz_id DESC",
                      [json.dumps(student_ids), school_year]).fetchall()
    return [(v, get(db, v.quiz_id)) for v in map(_variant, rows)]
