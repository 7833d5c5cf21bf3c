"""The announcement composer (web/review/pages.py) on the demo school: preview, confirm, one message per guardian,
stale previews and foreign targets, roles and CSRF."""
from __future__ import annotations

import json
import re

from outbox import notices, quiet
from store.core.clock import iso, parse_iso

from .builders import this_year as year
from .fixtures_review import TZ, class_guardians, class_target, outbox, preview, student
from .fixtures_web import csrf_of, login_staff, post_form


# -- announcements -----------------------------------------------------------------------------
def test_preview_counts_septets_parts_recipients_and_cost(client, make_staff, school_db, web_settings):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    target = class_target(school_db, "DD900001")
    prefix = notices.announcement(web_settings, school_name="Trường THCS Đống Đa", class_name="8A2", text="x").text[:-1]
    room = 160 - len(prefix)
    n = len(class_guardians(school_db, "DD900001"))
    _, html, one = preview(client, target, "a" * room)
    assert one == {"parts": 1, "recipients": n, "total": n} and "160 ký tự 7-bit" in html
    _, html, two = preview(client, target, "a" * (room + 1))
    assert two == {"parts": 2, "recipients": n, "total": 2 * n} and "161 ký tự 7-bit" in html
    _, html, euro = preview(client, target, "Học phí 5€")
    assert "Truong THCS Dong Da - lop 8A2 thong bao: Hoc phi 5EUR" in html and euro["parts"] == 1
    assert outbox(school_db, "announcement") == []          # a preview sends nothing


def test_confirm_enqueues_one_message_per_guardian_once(client, make_staff, school_db, web_settings):
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    target = class_target(school_db, "DD900001")
    hoa = student(school_db, "DD900001")[0]
    school_db.execute("UPDATE guardian_links SET digest_opt_out = 1 WHERE student_id = ?", [hoa])
    text = "Họp phụ huynh 19h thứ Sáu tại phòng 8A2."
    _, html, p = preview(client, target, text)
    expected = class_guardians(school_db, "DD900001") - {"+84912345678"}      # Hoa's father texted HUY
    assert p["recipients"] == len(expected) and "1 đã nhắn HUY" in html
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    send = {"target": target, "text": text, "action": "send", "recipients": p["recipients"], "parts": p["parts"],
            "nonce": nonce}
    assert post_form(client, "/staff/announce", send).status_code == 303
    rows = outbox(school_db, "announcement")
    assert {r[1] for r in rows} == expected and len(rows) == len(expected)
    assert {r[2] for r in rows} == {"Truong THCS Dong Da - lop 8A2 thong bao: Hop phu huynh 19h thu Sau tai phong 8A2."}
    for r in rows:
        assert r[6] == iso(quiet.next_send_time(parse_iso(r[7]), web_settings.sms.quiet_hours, TZ))
    # The same confirmation again (a double click) sends nothing more.
    post_form(client, "/staff/announce", send)
    assert len(outbox(school_db, "announcement")) == len(expected)
    entry = json.loads(school_db.execute("SELECT detail FROM audit_log WHERE action = 'web:announce'").fetchone()[0])
    assert entry["recipients"] == len(expected) and entry["total_parts"] == len(expected)
    # Including the opted-out (an urgent notice) reaches Hoa's father as well.
    _, html, p = preview(client, target, "Nghỉ học do bão", include_opted_out="1")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    post_form(client, "/staff/announce", {"target": target, "text": "Nghỉ học do bão", "action": "send",
                                          "include_opted_out": "1", "recipients": p["recipients"],
                                          "parts": p["parts"], "nonce": nonce})
    storm = [r for r in outbox(school_db, "announcement") if "bao" in r[2]]
    assert {r[1] for r in storm} == class_guardians(school_db, "DD900001")


def test_a_guardian_with_two_children_in_the_school_gets_one_message(client, make_staff, school_db):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    school_id = student(school_db, "DD900001")[2]
    nam = student(school_db, "DD900002")[0]
    hung = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    school_db.execute("INSERT INTO guardian_links (guardian_id, student_id, school_year, consent_source, consent_at) "
                      "VALUES (?, ?, ?, 'import', '2025-09-01T00:00:00.000Z')", [hung, nam, year()])
    _, html, p = preview(client, f"school:{school_id}", "Khai giảng")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    post_form(client, "/staff/announce", {"target": f"school:{school_id}", "text": "Khai giảng", "action": "send",
                                          "recipients": p["recipients"], "parts": p["parts"], "nonce": nonce})
    rows = outbox(school_db, "announcement")
    assert [r[1] for r in rows].count("+84912345678") == 1 and len(rows) == p["recipients"]
    assert "+84903000111" not in {r[1] for r in rows}          # a THPT-CVA parent only


def test_stale_preview_too_long_text_and_foreign_targets_send_nothing(client, make_staff, school_db):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    target = class_target(school_db, "DD900001")
    _, html, p = preview(client, target, "Thông báo")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    resp = post_form(client, "/staff/announce", {"target": target, "text": "Thông báo", "action": "send",
                                                 "recipients": p["recipients"] + 1, "parts": p["parts"],
                                                 "nonce": nonce})
    assert resp.status_code == 409 and "đã thay đổi" in resp.get_data(as_text=True)
    resp, html, _ = preview(client, target, "a" * 600)
    assert resp.status_code == 400 and "tối đa 3" in html
    resp, html, _ = preview(client, class_target(school_db, "CVA900001"), "x")
    assert resp.status_code == 400 and "Chọn nơi nhận" in html
    assert outbox(school_db, "announcement") == []


def test_announce_roles_and_csrf(client, make_staff, school_db):
    school_db.execute("UPDATE schools SET teacher_notices = 'off' WHERE code = 'THCS-DD'")
    login_staff(client, make_staff("gv.8a2", "teacher", "THCS-DD", classes=("8A2",)))
    assert client.get("/staff/announce").status_code == 403     # teachers of a school that does not let them
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    page = client.get("/staff/announce").get_data(as_text=True)
    assert "8A2" in page and "THPT-CVA" not in page
    resp = client.post("/staff/announce", data={"target": class_target(school_db, "DD900001"), "text": "x",
                                                "action": "send", "recipients": "1", "parts": "1", "nonce": "n"})
    assert resp.status_code == 400 and outbox(school_db, "announcement") == []
