"""The printable term report (phiếu liên lạc): one A4 page per pupil, fpdf2 with a DejaVu font.

For families without a phone: the same figures as KQ and the parent's page
(approved scores, TT22 results, absences, the latest comments), with lines to
sign. Text is NFC-normalised before it reaches the font.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from outbox.templating import fmt_number, fmt_term
from store.rules.periods import Semester

# Debian's fonts-dejavu-core (./dev installs it with chromium); the first that exists is used.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu"))


class FontMissing(RuntimeError):
    """No DejaVu font on this machine: the PDF cannot show Vietnamese letters."""


@dataclass(frozen=True)
class Card:
    """One pupil's page: who, the subject rows, results, absences and comments (already shaped for print)."""

    school: str
    school_year: str
    term: int
    name: str
    code: str
    class_name: str
    homeroom: str | None
    rows: list[tuple[str, ...]]     # TT22: subject, TX, GK, CK, result; a card with its own ``head``: its columns
    learning: str
    conduct: str
    excused: int
    unexcused: int
    comments: list[str]
    head: tuple[str, ...] = ()      # the table's header; () = TT22's (web/primary/report_card.py: one per point)
    lines: tuple[str, ...] = ()     # the result lines; () = TT22's Học tập / Rèn luyện


def _font_dir() -> Path:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return folder
    raise FontMissing("DejaVu fonts not found (apt-get install fonts-dejavu-core)")


def _t(text) -> str:
    return unicodedata.normalize("NFC", str(text if text is not None else ""))


def score_row(report) -> tuple[str, str, str, str, str]:
    """A SubjectReport as the row printed: name, TX scores, GK, CK, TB or mark ('-' until complete)."""
    if report.term == Semester.YEAR:
        parts = " · ".join(f"HK{p.term} {fmt_number(p.result)}" for p in report.parts) if report.parts else ""
        return report.subject.name, parts, "", "", fmt_number(report.result)
    return (report.subject.name, " ".join(fmt_number(v) for v in report.tx),
            fmt_number(report.gk) if report.gk is not None else "", fmt_number(report.ck) if report.ck is not None
            else "", fmt_number(report.result))


def _page(pdf: FPDF, card: Card) -> None:
    pdf.add_page()
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 5, _t(card.school), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, _t(f"PHIẾU LIÊN LẠC {fmt_term(card.term).upper()} · NĂM HỌC {card.school_year}"), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    who = f"Học sinh: {card.name}   Mã HS: {card.code}   Lớp: {card.class_name}"
    pdf.cell(0, 7, _t(who), new_x="LMARGIN", new_y="NEXT")
    if card.homeroom:
        pdf.cell(0, 6, _t(f"Giáo viên chủ nhiệm: {card.homeroom}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9.5)
    head = card.head or ("Môn học", "Điểm / kết quả HK" if card.term == Semester.YEAR else "Thường xuyên (TX)",
                         "GK", "CK", "Cả năm" if card.term == Semester.YEAR else "TB / KQ")
    widths, align = ((52, 68, 18, 18, 24), ("LEFT", "LEFT", "CENTER", "CENTER", "CENTER")) if not card.head else (
        (52,) + (128 / (len(head) - 1),) * (len(head) - 1), ("LEFT",) + ("CENTER",) * (len(head) - 1))
    with pdf.table(col_widths=widths, text_align=align, line_height=5.6) as table:
        for i, row in enumerate((head, *card.rows)):
            cells = table.row()
            for value in row:
                cells.cell(_t(value))
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    for line in (*(card.lines or (f"Học tập: {card.learning}", f"Rèn luyện: {card.conduct}")),
                 f"Nghỉ học: {card.excused} buổi có phép, {card.unexcused} buổi không phép"):
        pdf.multi_cell(0, 6, _t(line), new_x="LMARGIN", new_y="NEXT")
    if card.comments:
        pdf.ln(1)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, _t("Nhận xét của giáo viên"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for c in card.comments:
            pdf.multi_cell(0, 5.5, _t(f"• {c}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 10.5)
    y = pdf.get_y()
    pdf.cell(90, 6, _t("Ý kiến và chữ ký của phụ huynh"), align="C")
    pdf.set_xy(pdf.l_margin + 95, y)
    pdf.cell(90, 6, _t("Giáo viên chủ nhiệm"), align="C", new_x="LMARGIN", new_y="NEXT")


def render(cards: list[Card], title: str) -> bytes:
    """The PDF of ``cards``, one page each."""
    folder = _font_dir()
    pdf = FPDF(format="A4")
    pdf.set_title(_t(title))
    pdf.set_creator("SLL Gateway")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
    for card in cards:
        _page(pdf, card)
    return bytes(pdf.output())
