"""Adopting self-test scores into the grade book: written as pending grades, approved like any other."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

import sqlite_utils

from store.secondary import gradebook
from store.imports.entry import CellEdit, ClassChoice

from . import analysis, quizzes
from .errors import QuestionError


class Pick(str, Enum):
    FIRST = "first"     # the first attempt: what the pupil knew
    BEST = "best"       # the best attempt


@dataclass(frozen=True)
class Adopted:
    """What adopting wrote: scores written (pending), and the pupils left alone with why."""

    written: int
    skipped: tuple[tuple[str, str], ...]       # (pupil name, reason)


def adopt(db: sqlite_utils.Database, quiz: quizzes.Quiz, choice: ClassChoice, *, term: int, column: str,
          pick: Pick, student_ids: set[int], login: str, today: date, school_year: str) -> Adopted:
    """Write the chosen pupils' marks out of 10 into ``column`` (TX1…, GK, CK) of the quiz's subject.

    The grade book's own save does it: every score is pending with ``login`` as entered_by. A cell that
    already holds a score is left alone (the teacher edits it in the grade book if she means to).
    """
    subject = next((s for s in gradebook.subjects_of(db, choice) if s.code == quiz.subject_code), None)
    if subject is None:
        raise QuestionError(f"lớp {choice.name} không có môn {quiz.subject_code} trong sổ điểm của bạn")
    if not subject.scored:
        raise QuestionError(f"môn {subject.name} đánh giá bằng nhận xét: không ghi điểm số vào được")
    labels = [c.label for c in gradebook.columns_of(subject)]
    if column not in labels:
        raise QuestionError(f"môn {subject.name} không có cột {column} (có {', '.join(labels)})")
    book = gradebook.load(db, choice, subject, term, school_year)
    rows = {r.student_id: r for r in book.rows}
    cells, skipped = {}, []
    for r in analysis.results(db, quiz.id, frozenset({choice.id})):
        if r.student_id not in student_ids:
            continue
        mark = r.first if pick is Pick.FIRST else r.best
        row = rows.get(r.student_id)
        if mark is None:
            skipped.append((r.name, "chưa làm bài"))
        elif row is None:
            skipped.append((r.name, f"không còn trong lớp {choice.name}"))
        elif row.cells.get(column) is not None:
            skipped.append((r.name, f"cột {column} đã có điểm {row.cells[column].value}"))
        else:
            cells[(r.student_id, column)] = CellEdit("", mark.score10)
    saved = gradebook.save(db, choice, subject, term, school_year, cells, {}, login=login, today=today) \
        if cells else None
    return Adopted(saved.grades if saved else 0, tuple(skipped))
