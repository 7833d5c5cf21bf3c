"""Announcements leave a trace (web/review/pages.py, store/messaging/announcements.py): grade and several-class targets, a
scheduled send, the "Thông báo đã gửi" page with delivered rate and failures, and the notice on the parent's
page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from store.core.clock import parse_iso

from .fixtures_parents import login_parent
from .fixtures_review import outbox, preview, student
from .fixtures_web import login_staff, post_form

TZ = "Asia/Ho_Chi_Minh"


def grade_guardians(db, school_id: int, grade: int, names=None) -> set[str]:
    sql = ("SELECT DISTINCT g.phone FROM guardian_links l JOIN guardians g ON g.id = l.guardian_id "
           "JOIN enrollments e ON e.student_id = l.student_id AND e.school_year = l.school_year "
           "JOIN classes c ON c.id = e.class_id WHERE l.active = 1 AND c.school_id = ? AND c.grade = ?")
    params = [school_id, grade]
    if names:
        sql += f" AND c.name IN ({','.join('?' * len(names))})"
        params += list(names)
    return {r[0] for r in db.execute(sql, params)}


def send(client, targets, text, **extra):
    resp, html, p = preview(client, targets, text, **extra)
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    post = post_form(client, "/staff/announce", {"target": targets, "text": text, "action": "send",
                                                 "recipients": p["recipients"], "parts": p["parts"], "nonce": nonce,
                                                 **extra})
    assert post.status_code == 303, post.get_data(as_text=True)
    return p


def test_a_grade_and_several_classes_reach_their_guardians_once(client, make_staff, school_db):
    _, _, dd = student(school_db, "DD900001")
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    _, html, p = preview(client, f"grade:{dd}:8", "Khối 8 kiểm tra 15 phút thứ Hai")
    assert p["recipients"] == len(grade_guardians(school_db, dd, 8))
    assert "Truong THCS Dong Da - khoi 8 thong bao: Khoi 8" in html
    ids = dict(school_db.execute("SELECT name, id FROM classes WHERE school_id = ? AND name IN ('7A1', '8A2')",
                                 [dd]).fetchall())
    p = send(client, [f"class:{ids['7A1']}", f"class:{ids['8A2']}"], "Họp phụ huynh hai lớp 7A1, 8A2")
    phones = {r[1] for r in outbox(school_db, "announcement")}
    assert phones == grade_guardians(school_db, dd, 7, ["7A1"]) | grade_guardians(school_db, dd, 8, ["8A2"])
    assert p["recipients"] == len(phones)
    _, html, _ = preview(client, [f"class:{ids['7A1']}", f"school:{dd + 1}"], "x")
    assert "Chọn nơi nhận" in html


def test_a_scheduled_send_waits_and_the_trace_page_counts_it(client, make_staff, school_db):
    _, cid, dd = student(school_db, "DD900001")
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    at = (datetime.now(ZoneInfo(TZ)) + timedelta(days=2)).replace(hour=7, minute=30, second=0, microsecond=0)
    p = send(client, f"class:{cid}", "Nghỉ học ngày mai", send_at=at.strftime("%Y-%m-%dT%H:%M"))
    rows = outbox(school_db, "announcement")
    assert len(rows) == p["recipients"] and {parse_iso(r[6]) for r in rows} == {at.astimezone(ZoneInfo("UTC"))}
    first = rows[0][0]
    school_db.execute("UPDATE messages SET state = 'delivered' WHERE id = ?", [first])
    school_db.execute("UPDATE messages SET state = 'undeliverable' WHERE id = ?", [first + 1])
    school_db.conn.commit()
    page = client.get("/staff/announce/sent").get_data(as_text=True)
    assert "Nghi hoc ngay mai" in page and "lớp 8A2" in page and "hẹn " in page
    assert re.search(r'data-col="delivered">1 <span class="badge ok">(\d+)%', page)[1] == \
        str(round(100 / p["recipients"]))
    assert 'data-col="failed"><a href=' in page
    past = preview(client, f"class:{cid}", "x", send_at="2020-01-01T07:00")[1]
    assert "Giờ gửi đã qua" in past


def test_the_parent_page_shows_the_texted_notice(client, make_staff, school_db):
    _, cid, _ = student(school_db, "DD900001")
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    send(client, f"class:{cid}", "Mang áo khoác ngày mai")
    client.post("/logout", data={})
    login_parent(client, school_db)
    html = client.get("/parent/child/DD900001").get_data(as_text=True)
    assert 'id="texted"' in html and "Mang ao khoac ngay mai" in html
    assert "Mang ao khoac" not in client.get("/parent/child/CVA900001").get_data(as_text=True)
