"""Exports, search and pictures (issue 13): XLSX of the delivery report, parents' texts, overview and grade
book; search ignoring accents; the overview's SVG charts; the parents' week view falling back to entry dates."""
from __future__ import annotations

import re

from store.messaging.contacts import reasons

from .fixtures_web import login_staff
from .test_web_contacts import nam_failed  # noqa: F401 (fixture)
from .test_web_reports import add_text


def _sheets(data: bytes) -> dict[str, list[list]]:
    import io

    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_delivery_report_downloads_as_xlsx_in_scope(client, make_staff, nam_failed):
    mid, _ = nam_failed
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    r = client.get("/staff/delivery.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheets = _sheets(r.data)
    assert sheets["Theo trạng thái"][0][:3] == ["Ngày", "đang chờ", "đang gửi"]
    failure = next(row for row in sheets["Tin lỗi"] if row[0] == mid)
    assert failure[2:6] == ["Lê Hoàng Nam", "7A1", "Trần Thị Lan", "09xxxx4321"]
    assert failure[8] == reasons.UNDELIVERED.text
    assert client.get("/staff/delivery.xlsx?school=THPT-CVA").status_code == 404


def test_inbox_search_ignores_accents_and_exports(client, make_staff, school_db, web_settings):
    add_text(school_db, web_settings, "0912345678", "NGHI C1 cháu bị sốt", school="THCS-DD", student="DD900001")
    add_text(school_db, web_settings, "0912345678", "DIEM TOAN", school="THCS-DD", student="DD900001",
             answer="Nguyen Thi Hoa 8A2 Toan HK1: TB 4.2")
    school_db.conn.commit()
    login_staff(client, make_staff("vh", "operator"))
    page = client.get("/staff/inbox?q=SOT").get_data(as_text=True)
    assert "cháu bị sốt" in page and "DIEM TOAN" not in page
    assert "DIEM TOAN" in client.get("/staff/inbox?q=hoa+8a2").get_data(as_text=True)   # the answer is searched too
    sheets = _sheets(client.get("/staff/inbox.xlsx?q=sot").data)
    assert [row[2] for row in sheets["Tin phụ huynh"][1:]] == ["NGHI C1 cháu bị sốt"]


def test_the_week_view_falls_back_to_the_entry_date(client, school_db, web_settings):
    from store.core.clock import local_today

    from .fixtures_parents import add_scores, current_year, login_parent, student as child
    sid = child(school_db, "DD900001")[0]
    school_db.execute("DELETE FROM grades WHERE student_id = ?", [sid])
    add_scores(school_db, sid, current_year(web_settings), "TOAN", 1, ["9.5"])       # no date given
    school_db.conn.commit()
    login_parent(client, school_db)
    html = client.get("/parent/child/DD900001/week").get_data(as_text=True)
    today = local_today(web_settings.sms.timezone).strftime("%d/%m/%Y")
    assert f"{today} <span class=\"muted\">(ngày nhập)</span>" in html and "9.5" in html


def test_the_overview_draws_30_days_of_delivery_and_each_class_results(client, make_staff, nam_failed, school_db,
                                                                       web_settings):
    from .test_web_reports import add_message
    add_message(school_db, web_settings, "0912345678", "THCS-DD", "DD900001")
    school_db.conn.commit()
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    html = client.get("/staff/overview").get_data(as_text=True)
    days = re.findall(r'<g data-day="([\d-]+)" data-delivered="(\d+)" data-failed="(\d+)"', html)
    assert len(days) == 30 and days[-1][1:] == ("1", "1")            # today: one delivered, one undelivered
    assert sum(int(d) + int(f) for _, d, f in days[:-1]) == 0
    bars = re.findall(r"<title>(\w+): (\d+) Tốt</title>", html)
    classes = [name for name, _ in bars]
    assert "8A2" in classes and "7A1" in classes and 'id="chart-learning"' in html


def test_the_overview_and_a_grade_book_download_as_xlsx(client, make_staff, school_db):
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    sheets = _sheets(client.get("/staff/overview.xlsx?term=1").data)
    by_class = sheets["Theo lớp"]
    assert by_class[0][:3] == ["Lớp", "Sĩ số", "Học tập Tốt"] and by_class[1][0] == "Toàn trường"
    students = school_db.execute("SELECT count(*) FROM enrollments e JOIN classes c ON c.id = e.class_id "
                                 "JOIN schools s ON s.id = c.school_id WHERE s.code = 'THCS-DD'").fetchone()[0]
    assert by_class[1][1] == students and {r[0] for r in by_class[2:]} >= {"8A2", "7A1"}
    assert sheets["Điểm trung bình môn"][0][:2] == ["Lớp", "Toán"]
    login_staff(client, make_staff("gv", "teacher", school="THCS-DD", classes=("8A2",)))
    cid = school_db.execute("SELECT id FROM classes WHERE name = '8A2'").fetchone()[0]
    book = _sheets(client.get(f"/staff/entry.xlsx?class={cid}&subject=TOAN&term=1").data)
    (rows,) = book.values()
    assert rows[0][:4] == ["#", "Mã HS", "Họ tên", "TX1"] and any(r[1] == "DD900001" for r in rows[1:])
    other = school_db.execute("SELECT id FROM classes WHERE name = '7A1'").fetchone()[0]
    assert client.get(f"/staff/entry.xlsx?class={other}&subject=TOAN&term=1").status_code in (400, 404)
