"""The subjects of a school's grade, in the order a report card lists them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.rules import tt27
from store.rules.tt22 import SubjectKind, tx_count

# The 2018 programme's subjects in report-card order; a school's own codes
# follow alphabetically, so the order never depends on import order.
CANONICAL_ORDER = ("TOAN", "VAN", "ANH", "KHTN", "LSDL", "SU", "DIA", "GDCD", "GDKTPL", "LY", "HOA",
                   "SINH", "TIN", "CN", "GDTC", "QPAN", "AMNHAC", "MYTHUAT", "HDTN", "GDDP", "NN2",
                   "TV", "NN", "DD", "TNXH", "KH", "TINCN")
_RANK = {code: i for i, code in enumerate(CANONICAL_ORDER)}
_PRIMARY_RANK = {code: i for i, code in enumerate(tt27.SUBJECT_ORDER)}

# Canonical code -> the names people write for it (folded, no spaces): what a
# parent texts (`DIEM VATLY`) and what a spreadsheet's "Môn" column holds
# (`Vật lý`). One table for the SMS language and the imports.
ALIASES: dict[str, tuple[str, ...]] = {
    "TOAN": ("TOAN",), "VAN": ("VAN", "NGUVAN"), "ANH": ("ANH", "AV", "TIENGANH"), "KHTN": ("KHTN",),
    "LSDL": ("LSDL", "LSVADL", "LICHSUVADIALI"), "SU": ("SU", "LICHSU"), "DIA": ("DIA", "DIALY", "DIALI"),
    "GDCD": ("GDCD", "CD"), "GDKTPL": ("GDKTPL", "KTPL"), "LY": ("LY", "VATLY", "VATLI"),
    "HOA": ("HOA", "HOAHOC"), "SINH": ("SINH", "SINHHOC"), "TIN": ("TIN", "TINHOC"), "CN": ("CN", "CONGNGHE"),
    "GDTC": ("GDTC", "TD", "THEDUC", "GIAODUCTHECHAT"), "QPAN": ("QPAN", "QP", "GDQP", "GDQPAN"), "AMNHAC": ("AMNHAC", "NHAC"),
    "MYTHUAT": ("MYTHUAT", "MITHUAT"), "HDTN": ("HDTN", "HDTNHN", "HOATDONGTRAINGHIEM"), "GDDP": ("GDDP",), "NN2": ("NN2",),
    # Primary (SPEC §10): Tiếng Việt, Ngoại ngữ 1, Đạo đức, TNXH, Khoa học, Tin học và Công nghệ.
    "TV": ("TV", "TIENGVIET"), "NN": ("NN", "NN1", "NGOAINGU", "NGOAINGU1"), "DD": ("DD", "DAODUC"),
    "TNXH": ("TNXH", "TUNHIENVAXAHOI", "TUNHIENXAHOI"), "KH": ("KH", "KHOAHOC"),
    "TINCN": ("TINCN", "TINHOCVACONGNGHE", "TINHOCCONGNGHE"),
}
# THPT subjects every student takes; the others are chosen groups (a class studies some of them).
THPT_REQUIRED = frozenset({"TOAN", "VAN", "ANH", "SU", "GDTC", "QPAN", "HDTN", "GDDP"})
ALIAS_TO_CODE = {alias: code for code, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class Subject:
    """One subject of one grade of a school."""

    code: str
    name: str
    kind: SubjectKind
    periods_per_year: int

    @property
    def scored(self) -> bool:
        """True for subjects assessed with scores, False for Đ/CĐ ones."""
        return self.kind is SubjectKind.SCORED

    @property
    def tx_per_term(self) -> int:
        """How many TX scores a term has (TT22, by periods a year)."""
        return tx_count(self.periods_per_year)


def sort_key(code: str, grade: int | None = None) -> tuple[int, str]:
    """Report-card position of a subject code: canonical ones first, then alphabetical.

    A primary grade (1-5) follows the primary report card (Tiếng Việt, Toán, Ngoại ngữ 1, …).
    """
    rank = _PRIMARY_RANK if grade is not None and 1 <= grade <= 5 else _RANK
    return (rank.get(code, len(rank)), code)


def for_grade(db: sqlite_utils.Database, school_id: int, grade: int) -> list[Subject]:
    """Every subject of ``grade`` at the school, in report-card order."""
    rows = db.execute(
        "SELECT code, name, kind, periods_per_year FROM subjects WHERE school_id = ? AND grade = ?",
        [school_id, grade]).fetchall()
    subjects = [Subject(code, name, SubjectKind(kind), periods) for code, name, kind, periods in rows]
    return sorted(subjects, key=lambda s: sort_key(s.code, grade))


def find(db: sqlite_utils.Database, school_id: int, grade: int, code: str) -> Subject | None:
    """The subject ``code`` (canonical, upper case) of ``grade`` at the school, or None."""
    row = db.execute(
        "SELECT code, name, kind, periods_per_year FROM subjects WHERE school_id = ? AND code = ? AND grade = ?",
        [school_id, code, grade]).fetchone()
    return Subject(row[0], row[1], SubjectKind(row[2]), row[3]) if row else None
