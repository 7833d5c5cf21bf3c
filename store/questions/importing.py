"""Putting an import file's questions into the bank: every question checked, all or nothing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from store.core.connection import transaction

from . import bank
from .errors import BadQuestion, ImportRejected, QuestionError


@dataclass(frozen=True)
class Defaults:
    """What the upload form says for questions whose file does not: subject, grade, topic, level."""

    subject_code: str = ""
    grade: int | None = None
    topic: str = ""
    level: str = ""


@dataclass(frozen=True)
class Imported:
    """What an import wrote (or, for a dry run, would write)."""

    questions: int
    ids: tuple[int, ...] = ()


def read(path: Path, defaults: Defaults) -> tuple[list[tuple[str, bank.Draft]], list[BadQuestion]]:
    """The (where, draft) questions of a .docx or .xlsx/.csv file, and the pieces that are no question."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from .docx_import import read_docx
        return read_docx(path, defaults)
    if suffix in (".xlsx", ".xlsm", ".csv"):
        from .xlsx_import import read_sheet
        return read_sheet(path, defaults)
    raise QuestionError(f"{path.name}: chỉ nhận tệp Word .docx hoặc Excel .xlsx (tệp này là {suffix or 'không rõ'})")


def import_questions(db: sqlite_utils.Database, path: Path, school_id: int, login: str, defaults: Defaults, *,
                     dry_run: bool = False) -> Imported:
    """Check every question of ``path``; with none bad, add them all in one transaction."""
    drafts, problems = read(Path(path), defaults)
    if not drafts and not problems:
        raise QuestionError(f"{Path(path).name}: không tìm thấy câu hỏi nào (mỗi câu bắt đầu bằng “Câu 1.” "
                            "hoặc một dòng dưới tiêu đề cau_hoi, A, B, ..., dap_an)")
    questions = []
    for where, draft in drafts:
        reasons = bank.problems_of(draft)
        if reasons:
            problems.append(BadQuestion(where, "; ".join(reasons)))
        else:
            questions.append(bank.checked(draft, school_id))
    if problems:
        raise ImportRejected(sorted(problems, key=_order))
    if dry_run:
        return Imported(len(questions))
    with transaction(db):
        ids = tuple(bank.add(db, q, login) for q in questions)
    return Imported(len(ids), ids)


def _order(p: BadQuestion) -> tuple:
    digits = "".join(ch if ch.isdigit() else " " for ch in p.where).split()
    return (int(digits[0]) if digits else 0, p.where)
