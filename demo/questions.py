"""The demo's self-test: a small Toán 8 bank and test `DEMO` for class 8A2 of THCS-DD, open for 30 days."""
from __future__ import annotations

import random
from datetime import timedelta

import sqlite_utils

from store.core.clock import iso, school_year_of, utcnow
from store.core.connection import transaction

from store.questions import bank, quizzes

QUESTIONS = (
    ("Kết quả của phép tính (x + 2)(x − 2) là", ["x² − 4", "x² + 4", "x² − 2", "2x − 4"], 0, "NB", "Hằng đẳng thức"),
    ("Khai triển (a + b)² được", ["a² + b²", "a² + 2ab + b²", "a² − 2ab + b²", "2a + 2b"], 1, "NB",
     "Hằng đẳng thức"),
    ("Giá trị của x² − 2x + 1 tại x = 3 là", ["2", "4", "16", "10"], 1, "TH", "Hằng đẳng thức"),
    ("Tứ giác có bốn góc vuông là", ["hình thoi", "hình thang cân", "hình chữ nhật", "hình bình hành"], 2, "NB",
     "Tứ giác"),
    ("Tổng các góc của một tứ giác bằng", ["180°", "270°", "360°", "540°"], 2, "NB", "Tứ giác"),
    ("Phân tích x² − 5x + 6 thành nhân tử", ["(x − 2)(x − 3)", "(x + 2)(x + 3)", "(x − 1)(x − 6)",
                                             "(x + 1)(x − 6)"], 0, "VD", "Phân tích đa thức"),
)
CODE = "DEMO"


def create_demo_test(db: sqlite_utils.Database, *, school: str = "THCS-DD", class_name: str = "8A2",
                     seed: int = 1) -> int | None:
    """Add the demo bank and test (once); returns the test id, None when it exists or the class is missing."""
    year = school_year_of(utcnow().date())
    row = db.execute("SELECT s.id, c.id FROM schools s JOIN classes c ON c.school_id = s.id AND c.name = ? "
                     "AND c.school_year = ? WHERE s.code = ?", [class_name, year, school]).fetchone()
    if row is None or quizzes.by_code(db, CODE) is not None:
        return None
    school_id, class_id = row
    with transaction(db):
        ids = [bank.add(db, bank.checked(bank.Draft(body, choices, key, level, "TOAN", 8, topic), school_id), "demo")
               for body, choices, key, level, topic in QUESTIONS]
        now = utcnow()
        return quizzes.create(db, school_id=school_id, title="Ôn tập chương I (Toán 8)", code=CODE, subject="TOAN",
                              grade=8, question_ids=ids, class_ids=[class_id], opens=now - timedelta(hours=1),
                              closes=now + timedelta(days=30), max_attempts=3, login="demo", school_year=year,
                              rng=random.Random(seed))


def keep_open(db: sqlite_utils.Database, days: int = 30) -> None:
    """Move the demo test's closing time to ``days`` from now, so an old demo folder still has a test to answer."""
    with transaction(db):
        db.execute("UPDATE quizzes SET closes_at = ? WHERE code = ? AND closes_at < ?",
                   [iso(utcnow() + timedelta(days=days)), CODE, iso(utcnow() + timedelta(days=days))])
