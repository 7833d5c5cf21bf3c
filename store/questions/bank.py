"""The question bank: checking a question, and adding, editing, listing questions of a school."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from store.core.clock import now_iso

from .errors import QuestionError
from .levels import Level, parse_level

MIN_CHOICES, MAX_CHOICES = 2, 6
LETTERS = "ABCDEF"
MAX_BODY = 2000


@dataclass
class Draft:
    """A question as typed (web form, import row) before it is checked."""

    body: str
    choices: list[str]
    answer: int | None                 # index into choices, None = no key marked
    level: str | None
    subject_code: str = ""
    grade: int | None = None
    topic: str = ""
    explanation: str = ""
    keys_marked: int = 1               # how many choices the file marked as the key


@dataclass(frozen=True)
class Question:
    """A checked question of the bank."""

    id: int | None
    school_id: int
    subject_code: str
    grade: int
    topic: str
    body: str
    choices: tuple[str, ...]
    answer: int
    level: Level
    explanation: str = ""
    active: bool = True
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def key_letter(self) -> str:
        return LETTERS[self.answer]


def problems_of(d: Draft) -> list[str]:
    """Every reason ``d`` cannot be a question (Vietnamese, empty when it is fine)."""
    out = []
    if not d.body.strip():
        out.append("thiếu nội dung câu hỏi")
    elif len(d.body) > MAX_BODY:
        out.append(f"nội dung dài quá {MAX_BODY} ký tự")
    texts = [c.strip() for c in d.choices]
    if any(not t for t in texts):
        out.append("có phương án để trống")
    if len(texts) < MIN_CHOICES:
        out.append(f"chỉ có {len(texts)} phương án (cần từ {MIN_CHOICES} đến {MAX_CHOICES})")
    elif len(texts) > MAX_CHOICES:
        out.append(f"có {len(texts)} phương án (tối đa {MAX_CHOICES}: A–F)")
    folded = [" ".join(t.lower().split()) for t in texts if t]
    if len(set(folded)) < len(folded):
        out.append("có hai phương án giống nhau")
    if d.keys_marked > 1:
        out.append(f"đánh dấu {d.keys_marked} đáp án đúng (chỉ được một)")
    elif d.answer is None or d.keys_marked == 0:
        out.append("chưa có đáp án đúng")
    elif not 0 <= d.answer < len(texts):
        out.append(f"đáp án {LETTERS[d.answer] if d.answer < 6 else d.answer} không có trong các phương án")
    if parse_level(d.level) is None:
        out.append(f"mức độ “{d.level or ''}” không hợp lệ (M1–M3, hoặc NB, TH, VD, VDC)")
    if not d.subject_code.strip():
        out.append("thiếu mã môn")
    if d.grade is None or not 1 <= d.grade <= 12:
        out.append(f"khối “{d.grade if d.grade is not None else ''}” không hợp lệ (1–12)")
    return out


def checked(d: Draft, school_id: int) -> Question:
    """``d`` as a Question; QuestionError naming every problem."""
    problems = problems_of(d)
    if problems:
        raise QuestionError("; ".join(problems))
    return Question(None, school_id, d.subject_code.strip().upper(), int(d.grade), " ".join(d.topic.split()),
                    d.body.strip(), tuple(c.strip() for c in d.choices), int(d.answer), parse_level(d.level),
                    d.explanation.strip())


def _row(q: Question) -> dict:
    return {"school_id": q.school_id, "subject_code": q.subject_code, "grade": q.grade, "topic": q.topic,
            "body": q.body, "choices": json.dumps(list(q.choices), ensure_ascii=False), "answer": q.answer,
            "level": q.level.value, "explanation": q.explanation}


def add(db: sqlite_utils.Database, q: Question, login: str) -> int:
    """Insert ``q``; returns its id (the caller holds the transaction)."""
    row = {**_row(q), "created_by": login, "created_at": now_iso()}
    return db.execute(f"INSERT INTO questions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                      list(row.values())).lastrowid


def update(db: sqlite_utils.Database, question_id: int, q: Question) -> None:
    """Replace a question's content (tests already made keep their own copy)."""
    row = {**_row(q), "updated_at": now_iso()}
    db.execute(f"UPDATE questions SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ? AND school_id = ?",
               [*row.values(), question_id, q.school_id])


def deactivate(db: sqlite_utils.Database, school_id: int, question_id: int) -> None:
    """Take a question out of the bank (kept for the tests that used it)."""
    db.execute("UPDATE questions SET active = 0, updated_at = ? WHERE id = ? AND school_id = ?",
               [now_iso(), question_id, school_id])


_COLS = "id, school_id, subject_code, grade, topic, body, choices, answer, level, explanation, active"


def _question(r) -> Question:
    return Question(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), r[7], Level(r[8]), r[9], bool(r[10]))


def get(db: sqlite_utils.Database, school_id: int, question_id: int) -> Question | None:
    """One question of the school, or None."""
    r = db.execute(f"SELECT {_COLS} FROM questions WHERE id = ? AND school_id = ?", [question_id, school_id]).fetchone()
    return _question(r) if r else None


def search(db: sqlite_utils.Database, school_id: int, *, subject: str = "", grade: int | None = None,
           topic: str = "", level: str = "", limit: int = 500) -> list[Question]:
    """Active questions of the school matching the filters, by subject, grade, topic, id."""
    sql, params = f"SELECT {_COLS} FROM questions WHERE school_id = ? AND active = 1", [school_id]
    for col, value in (("subject_code", subject.upper()), ("grade", grade), ("topic", topic), ("level", level)):
        if value not in ("", None):
            sql += f" AND {col} = ?"
            params.append(value)
    sql += " ORDER BY subject_code, grade, topic, id LIMIT ?"
    return [_question(r) for r in db.execute(sql, [*params, limit])]


def facets(db: sqlite_utils.Database, school_id: int) -> list[tuple[str, int, str, int]]:
    """(subject, grade, topic, count) of the school's active questions, for the filters."""
    return [tuple(r) for r in db.execute(
        "SELECT subject_code, grade, topic, COUNT(*) FROM questions WHERE school_id = ? AND active = 1 "
        "GROUP BY subject_code, grade, topic ORDER BY subject_code, grade, topic", [school_id])]
