"""Teachers announce to their own classes (web/review/notice_review.py, store/review/teacher_notices.py, store/review/notice_requests.py):
the school's setting (gửi ngay, cần duyệt, không cho phép), the class check in the store, the approval queue."""
from __future__ import annotations

import re
from datetime import date

import pytest

from outbox import quiet
from store.review import notice_requests
from store.core.clock import iso, parse_iso
from store.review.teacher_notices import NoticeRefused, TeacherNotices, own_classes, set_setting

from .builders import this_year as year
from .fixtures_review import class_guardians, class_target, outbox, preview, student
from .fixtures_web import csrf_of, login_staff, nav_click, post_form
from .test_web_announce_trace import send

TZ = "Asia/Ho_Chi_Minh"


def school_id(db, code="THCS-DD") -> int:
    return db.execute("SELECT id FROM schools WHERE code = ?", [code]).fetchone()[0]


def set_mode(db, value: str, code="THCS-DD") -> None:
    set_setting(db, school_id(db, code), value)
    db.conn.commit()


def requests_of(db) -> list[tuple]:
    return db.execute("SELECT id, author, status, reason, target FROM notice_requests ORDER BY id").fetchall()


@pytest.fixture
def teacher(client, make_staff):
    """gv.8a2 (homeroom of 8A2 at THCS-DD) logged in."""
    login_staff(client, make_staff("gv.8a2", "teacher", "THCS-DD", classes=("8A2",)))
    return "gv.8a2"


def relogin(client, make_staff, login, role, school="THCS-DD"):
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, make_staff(login, role, school))


def test_default_is_approval_and_nothing_goes_out_before_duyet(client, make_staff, school_db, web_settings, teacher):
    school_db.execute("UPDATE users SET full_name = 'Trần Thu Hà' WHERE login = 'gv.8a2'")
    school_db.conn.commit()
    page = client.get("/staff/announce").get_data(as_text=True)
    values = re.findall(r'<option value="([^"]+)"', page)
    assert values == [class_target(school_db, "DD900001")]             # 8A2 only: no khối, no school, no 7A1
    assert "chờ người duyệt" in page
    target = class_target(school_db, "DD900001")
    p = send(client, target, "Mai lớp mang áo đồng phục.")
    assert outbox(school_db, "announcement") == []
    ((rid, author, status, _, label),) = requests_of(school_db)
    assert (author, status, label) == ("gv.8a2", "pending", "THCS-DD: lớp 8A2")
    assert "chờ duyệt" in client.get("/staff/announce").get_data(as_text=True)
    relogin(client, make_staff, "rv.dd", "reviewer")
    queue = client.get("/staff/approvals").get_data(as_text=True)
    assert "Trần Thu Hà" in queue and "lớp 8A2" in queue and "Mai lop mang ao dong phuc." in queue
    resp = client.post(f"/staff/announce/requests/{rid}/approve", data={"csrf_token": csrf_of(client)})
    assert resp.status_code == 303
    rows = outbox(school_db, "announcement")
    assert {r[1] for r in rows} == class_guardians(school_db, "DD900001") and len(rows) == p["recipients"]
    assert {r[2] for r in rows} == {"Truong THCS Dong Da - lop 8A2 thong bao: Mai lop mang ao dong phuc."}
    for r in rows:          # quiet hours still hold after approval
        assert r[6] == iso(quiet.next_send_time(parse_iso(r[7]), web_settings.sms.quiet_hours, TZ))
    assert requests_of(school_db)[0][2] == "sent"
    # Approving again (a second tab) queues nothing more.
    client.post(f"/staff/announce/requests/{rid}/approve", data={"csrf_token": csrf_of(client)})
    assert len(outbox(school_db, "announcement")) == len(rows)
    sent = client.get("/staff/announce/sent").get_data(as_text=True)
    assert "gv.8a2" in sent and "duyệt: rv.dd" in sent


def test_tra_lai_with_a_reason_goes_back_to_the_teacher(client, make_staff, school_db, teacher):
    send(client, class_target(school_db, "DD900001"), "Họp lúc 7h")
    (rid, *_), = requests_of(school_db)
    relogin(client, make_staff, "ad.dd", "admin")
    client.get("/staff/approvals")
    empty = client.post(f"/staff/announce/requests/{rid}/return", data={"reason": " ", "csrf_token": csrf_of(client)})
    assert empty.status_code == 303 and requests_of(school_db)[0][2] == "pending"
    client.post(f"/staff/announce/requests/{rid}/return",
                data={"reason": "Ghi rõ ngày họp", "csrf_token": csrf_of(client)})
    assert requests_of(school_db)[0][2:4] == ("returned", "Ghi rõ ngày họp")
    # A returned notice cannot be approved afterwards.
    client.post(f"/staff/announce/requests/{rid}/approve", data={"csrf_token": csrf_of(client)})
    assert outbox(school_db, "announcement") == []
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, "gv.8a2")
    mine = client.get("/staff/announce").get_data(as_text=True)
    assert "bị trả lại" in mine and "Ghi rõ ngày họp" in mine


def test_direct_sends_at_once_within_quiet_hours(client, school_db, web_settings, teacher):
    set_mode(school_db, "direct")
    assert "gửi ngay" in client.get("/staff/announce").get_data(as_text=True)
    p = send(client, class_target(school_db, "DD900001"), "Nghỉ học do mưa lớn")
    rows = outbox(school_db, "announcement")
    assert {r[1] for r in rows} == class_guardians(school_db, "DD900001") and len(rows) == p["recipients"]
    for r in rows:
        assert r[6] == iso(quiet.next_send_time(parse_iso(r[7]), web_settings.sms.quiet_hours, TZ))
    assert requests_of(school_db) == []
    sent = client.get("/staff/announce/sent").get_data(as_text=True)
    assert "Nghi hoc do mua lon" in sent and "gv.8a2" in sent


def test_off_hides_the_menu_and_refuses_the_pages(client, school_db, teacher):
    assert 'href="/staff/announce"' in client.get("/staff/approvals").get_data(as_text=True)
    set_mode(school_db, "off")
    assert 'href="/staff/announce"' not in client.get("/staff/approvals").get_data(as_text=True)
    page = client.get("/staff/announce")
    assert page.status_code == 403 and "không cho phép giáo viên" in page.get_data(as_text=True)
    assert client.get("/staff/announce/sent").status_code == 403
    resp = client.post("/staff/announce", data={"target": class_target(school_db, "DD900001"), "text": "x",
                                                "action": "preview", "csrf_token": csrf_of(client)})
    assert resp.status_code == 403 and outbox(school_db, "announcement") == [] and requests_of(school_db) == []


@pytest.mark.parametrize("mode", ["approval", "direct"])
def test_a_forged_post_to_another_class_or_the_school_is_refused(client, school_db, teacher, mode):
    set_mode(school_db, mode)
    own = class_target(school_db, "DD900001")
    _, html, p = preview(client, own, "Thông báo")
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    dd = school_id(school_db)
    for forged in (class_target(school_db, "DD900002"), f"grade:{dd}:8", f"school:{dd}", f"{own},school:{dd}"):
        resp = post_form(client, "/staff/announce", {"target": forged, "text": "Thông báo", "action": "send",
                                                     "recipients": p["recipients"], "parts": p["parts"],
                                                     "nonce": nonce})
        assert resp.status_code == 403, forged
        assert "chỉ gửi thông báo cho lớp mình" in resp.get_data(as_text=True)
    assert outbox(school_db, "announcement") == [] and requests_of(school_db) == []


def test_the_store_refuses_another_class_whatever_the_form(school_db):
    from store.school import users
    uid = users.add_user(school_db, "gv.store", "teacher", "mat-khau-dai-1", school_code="THCS-DD",
                         class_names=["8A2"])
    own = student(school_db, "DD900001")[1]
    other = student(school_db, "DD900002")[1]
    today = date.today()
    assert list(own_classes(school_db, uid, school_id(school_db), year(), today)) == [own]
    args = dict(user_id=uid, author="gv.store", school_id=school_id(school_db), school_year=year(), target="x",
                text="x", parts=1, include_opted_out=False, send_at=None, today=today)
    for class_ids in ([other], [own, other], []):
        with pytest.raises(NoticeRefused):
            notice_requests.submit(school_db, class_ids=class_ids, **args)
    assert notice_requests.submit(school_db, class_ids=[own], **args) > 0
    set_setting(school_db, school_id(school_db), TeacherNotices.OFF)
    with pytest.raises(NoticeRefused):
        notice_requests.submit(school_db, class_ids=[own], **args)


def test_the_teacher_sees_only_their_class_on_the_sent_page(client, make_staff, school_db, teacher):
    relogin(client, make_staff, "ad.dd", "admin")
    send(client, class_target(school_db, "DD900002"), "Lớp 7A1 nghỉ")
    send(client, f"school:{school_id(school_db)}", "Toàn trường nghỉ")
    send(client, class_target(school_db, "DD900001"), "Lớp 8A2 họp")
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, "gv.8a2")
    page = client.get("/staff/announce/sent").get_data(as_text=True)
    assert "Lop 8A2 hop" in page and "Lop 7A1 nghi" not in page and "Toan truong nghi" not in page
    relogin(client, make_staff, "rv.dd", "reviewer")
    page = client.get("/staff/announce/sent").get_data(as_text=True)
    assert all(t in page for t in ("Lop 8A2 hop", "Lop 7A1 nghi", "Toan truong nghi", "ad.dd"))


def test_the_school_settings_page(client, make_staff, school_db, teacher):
    assert client.get("/staff/school").status_code == 403
    relogin(client, make_staff, "ad.dd", "admin")
    page = client.get("/staff/school").get_data(as_text=True)
    assert 'href="/staff/school"' in page and "Cần duyệt trước khi gửi" in page and "THPT-CVA" not in page
    assert re.search(r'value="approval" checked', page)
    resp = post_form(client, "/staff/school", {"school": school_id(school_db), "teacher_notices": "direct"})
    assert resp.status_code == 303
    assert school_db.execute("SELECT teacher_notices FROM schools WHERE code = 'THCS-DD'").fetchone()[0] == "direct"
    other = post_form(client, "/staff/school", {"school": school_id(school_db, "THPT-CVA"), "teacher_notices": "off"})
    assert other.status_code == 404
    bad = post_form(client, "/staff/school", {"school": school_id(school_db), "teacher_notices": "sometimes"})
    assert bad.status_code == 400
    assert school_db.execute("SELECT teacher_notices FROM schools WHERE code = 'THPT-CVA'").fetchone()[0] == "approval"


def test_a_roster_teacher_announces_to_the_classes_of_their_assignment(client, school_db):
    """dd-gv001 (staff roster): the assignment in force names 6A1, 6A2, 8A1, 8A2 at THCS-DD."""
    from store.school import users
    from .test_staff_web import TEACHER_LOGIN, _uid
    users.set_password(school_db, _uid(school_db, TEACHER_LOGIN), "correct-horse-1")
    set_mode(school_db, "direct")
    login_staff(client, TEACHER_LOGIN)
    page = client.get("/staff/announce").get_data(as_text=True)
    labels = re.findall(r'<option value="class:\d+">THCS-DD: lớp ([^<]+)</option>', page)
    assert sorted(labels) == ["6A1", "6A2", "8A1", "8A2"] and "khối" not in "".join(labels)
    ids = dict(school_db.execute("SELECT name, id FROM classes WHERE school_id = ? AND school_year = ?",
                                 [school_id(school_db), year()]).fetchall())
    p = send(client, [f"class:{ids['8A1']}", f"class:{ids['8A2']}"], "Hai lớp học bù thứ Bảy")
    rows = outbox(school_db, "announcement")
    expected = {r[0] for r in school_db.execute(
        "SELECT DISTINCT g.phone FROM guardian_links l JOIN guardians g ON g.id = l.guardian_id JOIN enrollments e "
        "ON e.student_id = l.student_id AND e.school_year = l.school_year WHERE e.class_id IN (?, ?) "
        "AND l.active = 1 AND l.school_year = ?", [ids["8A1"], ids["8A2"], year()])}
    assert {r[1] for r in rows} == expected and len(rows) == p["recipients"]


# -- in a real browser, at a phone's size -------------------------------------------------------
def test_browser_demo_gv_composes_to_8a2_and_a_reviewer_approves(page, live_server, make_staff, school_db):
    from .test_web_review import browser_login
    make_staff("demo.gv", "teacher", "THCS-DD", classes=("8A2",))
    make_staff("demo.duyet", "reviewer", "THCS-DD")
    hoa = student(school_db, "DD900001")[0]
    last_year = f"{int(year()[:4]) - 1}-{year()[:4]}"        # a number linked only last year gets nothing
    gid = school_db.execute("INSERT INTO guardians (phone, created_at) VALUES ('+84987000111', ?)",
                            [iso(parse_iso("2024-09-01T00:00:00.000Z"))]).lastrowid
    school_db.execute("INSERT INTO guardian_links (guardian_id, student_id, school_year, consent_source, consent_at) "
                      "VALUES (?, ?, ?, 'import', '2024-09-01T00:00:00.000Z')", [gid, hoa, last_year])
    school_db.conn.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "demo.gv")
    nav_click(page, "header nav a[href='/staff/announce']")
    page.wait_for_url(f"{live_server}/staff/announce")
    page.select_option("select[name=target]", label="THCS-DD: lớp 8A2")
    page.fill("textarea[name=text]", "Thứ Sáu họp phụ huynh lúc 17h.")
    page.click("button:has-text('Xem trước')")
    expected = class_guardians(school_db, "DD900001")
    assert page.locator("#recipients").inner_text() == str(len(expected))
    assert page.locator("#sms-text").inner_text() == "Truong THCS Dong Da - lop 8A2 thong bao: Thu Sau hop phu huynh luc 17h."
    page.click("button:has-text('Gửi duyệt')")
    page.wait_for_selector("[role=status]:has-text('Đã gửi thông báo tới người duyệt')")
    assert page.locator("#my-requests tr[data-status=pending]").count() == 1
    assert outbox(school_db, "announcement") == []
    page.context.clear_cookies()
    browser_login(page, live_server, "demo.duyet")
    nav_click(page, "header nav a[href='/staff/approvals']")
    page.wait_for_url(f"{live_server}/staff/approvals")
    row = page.locator("#notice-queue tr[data-request]")
    assert "demo.gv" in row.locator(".author").inner_text() and "lớp 8A2" in row.locator(".target").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row.locator("button.approve").click()
    page.wait_for_selector("[role=status]:has-text('Đã duyệt thông báo của demo.gv')")
    rows = outbox(school_db, "announcement")
    assert {r[1] for r in rows} == expected and len(rows) == len(expected) and "+84987000111" not in expected
    assert {r[4] for r in rows} == {student(school_db, "DD900001")[2]}
    classes = {r[0] for r in school_db.execute("SELECT class_id FROM messages WHERE kind = 'announcement'")}
    assert classes == {student(school_db, "DD900001")[1]}


def test_an_approved_notice_keeps_the_teachers_scheduled_time(client, make_staff, school_db, teacher):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    at = (datetime.now(ZoneInfo(TZ)) + timedelta(days=3)).replace(hour=8, minute=15, second=0, microsecond=0)
    send(client, class_target(school_db, "DD900001"), "Dã ngoại sáng thứ Bảy", send_at=at.strftime("%Y-%m-%dT%H:%M"))
    (rid, *_), = requests_of(school_db)
    assert "08:15" in client.get("/staff/approvals").get_data(as_text=True)     # the teacher sees what waits
    relogin(client, make_staff, "rv.dd", "reviewer")
    client.get("/staff/approvals")
    client.post(f"/staff/announce/requests/{rid}/approve", data={"csrf_token": csrf_of(client)})
    rows = outbox(school_db, "announcement")
    assert rows and {parse_iso(r[6]) for r in rows} == {at.astimezone(ZoneInfo("UTC"))}


def test_school_set_changes_the_teacher_notice_setting_from_the_cli(cli, school_db_path, tmp_path):
    from .conftest import write_config
    cfg = str(write_config(tmp_path / "s.toml", db_path=school_db_path))
    out = cli("-c", cfg, "school", "set", "THCS-DD", "--teacher-notices", "direct", check=True).stdout
    assert "teachers' announcements direct (Gửi ngay, không cần duyệt)" in out
    bad = cli("-c", cfg, "school", "set", "THCS-DD", "--teacher-notices", "sometimes")
    assert bad.returncode != 0 and "sometimes" in bad.stderr
    import sqlite3
    with sqlite3.connect(school_db_path) as conn:
        assert conn.execute("SELECT teacher_notices FROM schools WHERE code = 'THCS-DD'").fetchone()[0] == "direct"
        assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'school-set' "
                            "AND detail LIKE '%teacher_notices%'").fetchone()[0] == 1
