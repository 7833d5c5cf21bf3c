"""The printable sheet of a class (PDF): the list of pupils' codes, then one page per pupil with their variant.

fpdf2 draws it with DejaVu Sans (Debian's fonts-dejavu-core, which `./dev` installs), which has every
Vietnamese letter; the core PDF fonts have none of them.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

from store.core.clock import parse_iso

from . import quizzes
from .bank import LETTERS
from .errors import QuestionError

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font_dir() -> Path:
    for d in FONT_DIRS:
        if (d / "DejaVuSans.ttf").is_file() and (d / "DejaVuSans-Bold.ttf").is_file():
            return d
    raise QuestionError("thiếu phông chữ DejaVu Sans để in phiếu (cài gói Debian fonts-dejavu-core)")


def _local(text: str, tz: str) -> str:
    return parse_iso(text).astimezone(ZoneInfo(tz)).strftime("%H:%M %d/%m/%Y")


def _pdf():
    from fpdf import FPDF
    pdf = FPDF(format="A4")
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(15, 15)
    return pdf


def class_sheet(db: sqlite_utils.Database, quiz: quizzes.Quiz, class_id: int, *, school_name: str, class_name: str,
                shortcode: str, tz: str, generated: datetime) -> bytes:
    """The PDF for one class of ``quiz``: the code list, then each pupil's own page."""
    items = quizzes.items(db, quiz.id)
    pupils = db.execute("SELECT v.id, s.full_name, s.code FROM quiz_variants v JOIN students s ON s.id = v.student_id "
                        "WHERE v.quiz_id = ? AND v.class_id = ? ORDER BY v.seq", [quiz.id, class_id]).fetchall()
    variants = {v.id: v for v in quizzes.variants(db, quiz.id, class_id)}
    pdf = _pdf()
    pdf.add_page()
    _title(pdf, school_name, f"{quiz.title} — lớp {class_name}")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, f"Mã đề chung: {quiz.code} · {len(items)} câu · mở {_local(quiz.opens_at, tz)}, đóng "
                         f"{_local(quiz.closes_at, tz)} · tối đa {quiz.max_attempts} lần làm. Mỗi học sinh có mã đề "
                         f"riêng (các phương án được xáo khác nhau). Nộp bài: nhắn BL <mã đề riêng> 1A 2C 3B… "
                         f"tới {shortcode}, hoặc làm trên trang web phụ huynh.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (12, 80, 35, 40)
    pdf.set_font("DejaVu", "B", 10)
    for w, head in zip(widths, ("STT", "Họ và tên", "Mã HS", "Mã đề riêng")):
        pdf.cell(w, 7, head, border=1)
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    for n, (vid, name, code) in enumerate(pupils, start=1):
        for w, text in zip(widths, (str(n), name, code, variants[vid].code)):
            pdf.cell(w, 7, text, border=1)
        pdf.ln()
    for vid, name, code in pupils:
        _pupil_page(pdf, quiz, items, variants[vid], name, class_name, school_name, shortcode)
    pdf.set_title(f"{quiz.code} {class_name}")
    pdf.set_creation_date(generated)
    return bytes(pdf.output())


def _title(pdf, school_name: str, title: str) -> None:
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 5, school_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")


def _pupil_page(pdf, quiz, items, variant, name: str, class_name: str, school_name: str, shortcode: str) -> None:
    pdf.add_page()
    _title(pdf, school_name, f"{quiz.title}")
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, f"{name} — lớp {class_name} — MÃ ĐỀ: {variant.code}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for item, perm in zip(items, variant.perms):
        pdf.ln(1)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(0, 5, f"Câu {item.position}. {item.body}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for shown, original in enumerate(perm):
            pdf.multi_cell(0, 5, f"    {LETTERS[shown]}. {item.choices[original]}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "Phiếu trả lời (khoanh chữ cái đã chọn):", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for item, perm in zip(items, variant.perms):
        pdf.cell(45, 6, f"{item.position}.  " + "  ".join(LETTERS[:len(perm)]), border=1)
        if item.position % 4 == 0:
            pdf.ln()
    pdf.ln(8)
    pdf.multi_cell(0, 5, f"Nộp bài bằng một tin nhắn tới {shortcode}: BL {variant.code} 1A 2C 3B … "
                         f"(hoặc BL {variant.code} ACB… theo thứ tự câu; X = bỏ trống).", new_x="LMARGIN", new_y="NEXT")
