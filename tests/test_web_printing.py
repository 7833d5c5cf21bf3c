"""The printable phiếu liên lạc (web/printing.py, web/report_card.py): a real PDF with Vietnamese text,
one page per pupil, in the staff member's scope."""
from __future__ import annotations

import re
import zlib

from .fixtures_web import login_staff


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def class_id(db, name: str) -> int:
    return db.execute("SELECT id FROM classes WHERE name = ? ORDER BY school_year DESC", [name]).fetchone()[0]


def test_one_pupil_prints_on_one_page_with_vietnamese_fonts(client, make_staff):
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    r = client.get("/staff/print/student/DD900001?term=1")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert pages(r.data) == 1
    assert b"DejaVu" in r.data                       # the embedded Unicode font, not a core Latin-1 one
    streams = [zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", r.data, re.S)
               if m[:2] == b"x\x9c"]
    assert any(b"Tj" in s or b"TJ" in s for s in streams)


def test_a_class_prints_one_page_per_pupil(client, make_staff, school_db):
    login_staff(client, make_staff("gv", "teacher", school="THCS-DD", classes=("8A2",)))
    cid = class_id(school_db, "8A2")
    pupils = school_db.execute("SELECT count(*) FROM enrollments WHERE class_id = ?", [cid]).fetchone()[0]
    r = client.get(f"/staff/print/class/{cid}?term=CN")
    assert r.status_code == 200 and pages(r.data) == pupils > 1
    actions = [a for (a,) in school_db.execute("SELECT action FROM audit_log WHERE actor = 'gv'")]
    assert "web:print-class" in actions


def test_outside_the_scope_is_404_and_a_bad_term_400(client, make_staff, school_db):
    login_staff(client, make_staff("gv", "teacher", school="THCS-DD", classes=("8A2",)))
    assert client.get(f"/staff/print/class/{class_id(school_db, '7A1')}").status_code == 404
    assert client.get("/staff/print/student/DD900002").status_code == 404      # Nam is in 7A1
    assert client.get("/staff/print/student/CVA900001").status_code == 404     # another school
    bad = client.get("/staff/print/student/DD900001?term=3")
    assert bad.status_code == 400 and "Yêu cầu không hợp lệ" in bad.get_data(as_text=True)
