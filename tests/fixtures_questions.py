"""Question-bank fixtures: real-looking Word and Excel files as teachers write them, and a test on the demo school."""
from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from store.core.clock import school_year_of, utcnow
from store.core.connection import transaction
from store.questions import bank, quizzes


def write_docx(path: Path, blocks: list) -> Path:
    """A .docx from ``blocks``: a str is a plain paragraph; a list of (text, style) runs is one paragraph,
    style '' / 'b' (bold) / 'u' (underlined)."""
    import docx
    document = docx.Document()
    for block in blocks:
        p = document.add_paragraph()
        for text, style in ([(block, "")] if isinstance(block, str) else block):
            run = p.add_run(text)
            run.bold = "b" in style or None
            run.underline = "u" in style or None
    document.save(str(path))
    return path


GOOD_DOCX = [
    [("TRƯỜNG THCS ĐỐNG ĐA", "b")], [("ĐỀ KIỂM TRA 15 PHÚT — TOÁN 8", "b")], "Chủ đề: Hằng đẳng thức",
    "I. NHẬN BIẾT",
    [("Câu 1. ", "b"), ("Kết quả của phép tính (x + 2)(x − 2) là", "")],
    [("A. ", "u"), ("x² − 4", "u"), ("\tB. x² + 4", "")],
    "C. x² − 2\tD. 2x − 4",
    [("Câu 2. ", "b"), ("Khai triển (a + b)² được", "")],
    "A. a² + b²", [("B. a² + 2ab + b²", "b")], "C. a² − 2ab + b²", "D. 2a + 2b",
    "II. THÔNG HIỂU",
    [("Câu 3. ", "b"), ("Giá trị của x² − 2x + 1 tại x = 3 là", "")],
    "A. 2\t*B. 4\tC. 16\tD. 10",
    "Lời giải: x² − 2x + 1 = (x − 1)² = 4.",
    [("Câu 4. ", "b"), ("(VDC) Số nghiệm của x² + 1 = 0 là", "")],
    "A. 0\tB. 1\tC. 2",
    "Đáp án: A",
]
BAD_DOCX = GOOD_DOCX[:4] + [
    [("Câu 1. ", "b"), ("Câu có hai đáp án đậm", "")], [("A. 1", "b")], [("B. 2", "b")], "C. 3",
    [("Câu 2. ", "b"), ("Câu không có đáp án", "")], "A. 1\tB. 2\tC. 3\tD. 4",
    [("Câu 3. ", "b"), ("Câu chỉ có một phương án", "")], [("A. 1", "u")],
    [("Câu 4. ", "b"), ("Câu đúng", "")], "A. x\t*B. y",
    [("Câu 5. ", "b"), ("Câu bảy phương án", "")], "A. 1\tB. 2\tC. 3\tD. 4", "E. 5\t*F. 6", "G. 7",
    [("Câu 6. ", "b"), ("Thiếu phương án B", "")], "*A. 1\tC. 3",
]


def write_xlsx(path: Path, rows: list[list], title: str | None = "NGÂN HÀNG CÂU HỎI TOÁN 8") -> Path:
    """An .xlsx with a title row above the header."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.append([])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


XLSX_HEADER = ["STT", "Câu hỏi", "A", "B", "C", "D", "E", "F", "Đáp án", "Mức độ", "Mã môn", "Khối", "Chủ đề",
               "Lời giải"]


@pytest.fixture
def demo_quiz(school_db):
    """Test `T9` (6 Toán 8 questions, 2 attempts, open now) for 8A2 of THCS-DD: (quiz, Hoa's variant)."""
    year = school_year_of(utcnow().date())
    school_id, class_id = school_db.execute(
        "SELECT s.id, c.id FROM schools s JOIN classes c ON c.school_id = s.id WHERE s.code = 'THCS-DD' "
        "AND c.name = '8A2' AND c.school_year = ?", [year]).fetchone()
    with transaction(school_db):
        ids = [bank.add(school_db, bank.checked(bank.Draft(f"Câu hỏi số {i}", ["một", "hai", "ba", "bốn"], i % 4,
                                                           "NB", "TOAN", 8, "Chương I"), school_id), "gv")
               for i in range(6)]
        now = utcnow()
        quiz_id = quizzes.create(school_db, school_id=school_id, title="Kiểm tra 15 phút", code="T9", subject="TOAN",
                                 grade=8, question_ids=ids, class_ids=[class_id], opens=now - timedelta(hours=1),
                                 closes=now + timedelta(days=1), max_attempts=2, login="gv", school_year=year,
                                 rng=random.Random(5))
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    return quizzes.get(school_db, quiz_id), quizzes.variant_of(school_db, quiz_id, hoa)


def key_letters(db, variant) -> str:
    """The letters that answer every item of ``variant`` right."""
    from store.questions.marking import shown_key
    items = quizzes.items(db, variant.quiz_id)
    return "".join("ABCDEF"[shown_key(p, i.answer)] for p, i in zip(variant.perms, items))
