"""The printed phiếu liên lạc of a primary pupil (TT27): levels and test scores per point, qualities, the
year-end result with its reason; never the TT22 card's averages, học lực or rèn luyện."""
from __future__ import annotations

import io
import re

from pypdf import PdfReader

from store.core.clock import local_today, school_year_of
from web.primary import report_card as primary_card

from .fixtures_web import login_staff
from .test_primary_web import KHOI, TZ, staff, web_settings  # noqa: F401  (the web app on the primary school)

_PUPIL = ("SELECT s.id, s.code, s.full_name, c.id, c.name, c.grade, c.homeroom_teacher, sc.id, sc.name, sc.level "
          "FROM students s JOIN enrollments e ON e.student_id = s.id AND e.school_year = ? "
          "JOIN classes c ON c.id = e.class_id JOIN schools sc ON sc.id = c.school_id WHERE s.code = ?")


def _row(db, code=KHOI):
    return db.execute(_PUPIL, [school_year_of(local_today(TZ)), code]).fetchone()


def _complete_the_year(db):
    db.execute("INSERT INTO primary_assessments (student_id, school_year, point, subject_code, level, score, status, "
               "entered_at, approved_at) SELECT student_id, school_year, 'CN', subject_code, level, score, 'approved', "
               "entered_at, approved_at FROM primary_assessments WHERE point = 'CK1'")
    db.execute("INSERT INTO primary_qualities (student_id, school_year, point, code, level, status, entered_at, "
               "approved_at) SELECT student_id, school_year, 'CN', code, level, 'approved', entered_at, approved_at "
               "FROM primary_qualities WHERE point = 'CK1'")


def test_term_one_card_has_levels_and_scores_per_point(primary_db):
    card = primary_card.card(primary_db, _row(primary_db), school_year_of(local_today(TZ)), 1)
    assert card.head == ("Môn học và hoạt động", "Giữa HK I", "Cuối HK I")
    rows = {r[0]: r[1:] for r in card.rows}
    assert rows["Toán"] == ("T · KTĐK 10", "T · KTĐK 10") and rows["Âm nhạc"] == ("H", "H")
    assert rows["Đạo đức"] == ("T", "T")
    assert card.lines == ("Phẩm chất, năng lực giữa học kì I: đều Tốt", "Phẩm chất, năng lực cuối học kì I: đều Tốt")


def test_year_card_explains_the_result(primary_db):
    _complete_the_year(primary_db)
    card = primary_card.card(primary_db, _row(primary_db), school_year_of(local_today(TZ)), 0)
    assert len(card.head) == 5 and card.lines[-1] == (
        "Kết quả cuối năm: Hoàn thành (tạm tính): 1 môn mức H (Âm nhạc) nên chưa đạt HT tốt, HT xuất sắc.")


def test_the_printed_pdf_is_the_tt27_card(client, primary_db):
    login_staff(client, staff(primary_db, "hieutruong4", "admin"))
    r = client.get(f"/staff/print/student/{KHOI}?term=1")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Cuối HK I" in text and "KTĐK 10" in text and "Âm nhạc" in text, text
    assert not re.search(r"TB / KQ|Học tập:|Rèn luyện:|trung bình|xếp hạng", text), text


def test_each_printed_page_of_a_class_holds_one_pupil_and_no_rank_or_average(client, primary_db):
    from store.core.text import fold
    from .test_primary_privacy import FORBIDDEN
    _complete_the_year(primary_db)
    year = school_year_of(local_today(TZ))
    cid, = primary_db.execute("SELECT id FROM classes WHERE name = '4A1' AND school_year = ?", [year]).fetchone()
    names = {fold(n).lower() for (n,) in primary_db.execute("SELECT s.full_name FROM students s JOIN enrollments e "
                                                    "ON e.student_id = s.id WHERE e.class_id = ?", [cid])}
    login_staff(client, staff(primary_db, "hieutruong5", "admin"))
    r = client.get(f"/staff/print/class/{cid}?term=CN")
    assert r.status_code == 200
    pages = [" ".join(fold(p.extract_text()).lower().split()) for p in PdfReader(io.BytesIO(r.data)).pages]
    assert len(pages) == len(names) > 1
    for text in pages:
        assert not FORBIDDEN.search(text), text
        assert "ket qua cuoi nam" in text
        assert len([n for n in names if n in text]) == 1, text
