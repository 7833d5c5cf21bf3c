"""What teachers see of a test: results per pupil and the item analysis, and the XLSX export."""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

import sqlite_utils

from . import attempts, quizzes
from .bank import LETTERS
from .marking import Mark


@dataclass(frozen=True)
class PupilResult:
    """One pupil's line: code, attempts, first and best marks."""

    student_id: int
    student_code: str
    name: str
    class_id: int
    class_name: str
    variant_code: str
    attempts: int
    first: Mark | None
    best: Mark | None
    last_at: str | None


@dataclass(frozen=True)
class ItemStats:
    """One item over every pupil's first attempt: share right, and each choice's share (of the question as
    written, whatever letter each variant showed it under)."""

    position: int
    body: str
    key: int
    answered: int                    # first attempts counted
    correct: int
    choice_counts: tuple[int, ...]
    blank: int

    @property
    def percent_correct(self) -> int | None:
        return round(100 * self.correct / self.answered) if self.answered else None

    def share(self, count: int) -> int:
        return round(100 * count / self.answered) if self.answered else 0


def _marks(db, variant: quizzes.Variant, keys: list[int]) -> list[Mark]:
    from .marking import mark
    return [mark(a.picks, variant.perms, keys) for a in attempts.of_variant(db, variant.id)]


def results(db: sqlite_utils.Database, quiz_id: int, class_ids: frozenset[int] | None = None) -> list[PupilResult]:
    """Every pupil of the test (of ``class_ids`` when given), by class and number."""
    keys = [i.answer for i in quizzes.items(db, quiz_id)]
    people = {r[0]: r[1:] for r in db.execute(
        "SELECT s.id, s.code, s.full_name, c.name FROM quiz_variants v JOIN students s ON s.id = v.student_id "
        "JOIN classes c ON c.id = v.class_id WHERE v.quiz_id = ?", [quiz_id])}
    out = []
    for v in quizzes.variants(db, quiz_id):
        if class_ids is not None and v.class_id not in class_ids:
            continue
        marks = _marks(db, v, keys)
        last = db.execute("SELECT MAX(submitted_at) FROM quiz_attempts WHERE variant_id = ?", [v.id]).fetchone()[0]
        code, name, class_name = people[v.student_id]
        out.append(PupilResult(v.student_id, code, name, v.class_id, class_name, v.code, len(marks),
                               marks[0] if marks else None, max(marks, key=lambda m: m.correct) if marks else None,
                               last))
    return sorted(out, key=lambda r: (r.class_name, r.variant_code.rsplit("-", 1)[0], int(r.variant_code.rsplit("-", 1)[1])))


def item_analysis(db: sqlite_utils.Database, quiz_id: int, class_ids: frozenset[int] | None = None) -> list[ItemStats]:
    """Per item: percent right and how often each choice was picked, over first attempts."""
    items = quizzes.items(db, quiz_id)
    keys = [i.answer for i in items]
    firsts = []
    for v in quizzes.variants(db, quiz_id):
        if class_ids is None or v.class_id in class_ids:
            marks = _marks(db, v, keys)
            if marks:
                firsts.append(marks[0])
    out = []
    for n, item in enumerate(items):
        picked = Counter(m.chosen[n] for m in firsts)
        out.append(ItemStats(item.position, item.body, item.answer, len(firsts), picked[item.answer],
                             tuple(picked[c] for c in range(len(item.choices))), picked[None]))
    return out


def export_xlsx(db: sqlite_utils.Database, quiz: quizzes.Quiz, class_ids: frozenset[int] | None = None) -> bytes:
    """The results and the item analysis as a two-sheet workbook."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ket qua"
    ws.append([f"{quiz.code} — {quiz.title}"])
    ws.append(["Lớp", "Mã đề", "Mã HS", "Họ tên", "Số lần làm", "Lần đầu (đúng)", "Lần đầu (điểm 10)",
               "Cao nhất (đúng)", "Tổng số câu", "Nộp lần cuối (UTC)"])
    for r in results(db, quiz.id, class_ids):
        ws.append([r.class_name, r.variant_code, r.student_code, r.name, r.attempts,
                   r.first.correct if r.first else None, float(r.first.score10) if r.first else None,
                   r.best.correct if r.best else None, r.first.total if r.first else None, r.last_at])
    ia = wb.create_sheet("Phan tich cau hoi")
    width = max((len(s.choice_counts) for s in item_analysis(db, quiz.id, class_ids)), default=4)
    ia.append(["Câu", "Nội dung", "Đáp án", "Số bài", "% đúng", *(f"% chọn {LETTERS[c]}" for c in range(width)),
               "% bỏ trống"])
    for s in item_analysis(db, quiz.id, class_ids):
        ia.append([s.position, s.body, LETTERS[s.key], s.answered, s.percent_correct,
                   *(s.share(c) for c in s.choice_counts), *([None] * (width - len(s.choice_counts))), s.share(s.blank)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
