"""The approval queue and the GV/NGHI reply box (web/review/pages.py) on the demo school: THCS-DD (DD900001
Nguyễn Thị Hoa 8A2, DD900002 Lê Hoàng Nam 7A1) and THPT-CVA (CVA900001). The announcement composer is in
tests/test_web_review_announce.py."""
from __future__ import annotations

import csv
import json
import re
from decimal import Decimal

import pytest

from outbox import quiet
from store.review import approvals
from store.messaging import teacher_messages
from store.core.clock import iso, parse_iso
from store.imports import import_file

from .builders import this_year as year
from .fixtures_commands import Conversation, hk1_day
from .fixtures_review import TZ, outbox, student
from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, post_form, nav_click


def current_score(db, code, subject, kind="TX", seq=1):
    return db.execute("SELECT g.value FROM grades g JOIN students s ON s.id = g.student_id WHERE s.code = ? AND "
                      "g.subject_code = ? AND g.school_year = ? AND g.term = 1 AND g.kind = ? AND g.seq = ?",
                      [code, subject, year(), kind, seq]).fetchone()[0]


def import_pending(db, tmp_path, rows, name="toan_hk1.csv"):
    """Import a grades file the way a coordinator does (no --approve): rows stay pending."""
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ma_hs", "ma_mon", "nam_hoc", "hoc_ky", "loai", "stt", "diem", "ngay"])
        for code, subject, seq, value in rows:
            w.writerow([code, subject, year(), "HK1", "TX", seq, value, ""])
    import_file(db, "grades", path, imported_by="coordinator")


def new_value(old: str) -> str:
    return "3.5" if old != "3.5" else "2.5"


def groups_on_page(html: str) -> list[list]:
    return [json.loads(v.replace("&#34;", '"').replace("&quot;", '"'))
            for v in re.findall(r'name="group" value="([^"]+)"', html)]


@pytest.fixture
def pending_toan(school_db, tmp_path):
    """Hoa's Toán TX1 (8A2, THCS-DD) and An's Toán TX1 (11A1, THPT-CVA) changed by an import: pending, corrected."""
    hoa_new = new_value(current_score(school_db, "DD900001", "TOAN"))
    an_new = new_value(current_score(school_db, "CVA900001", "TOAN"))
    import_pending(school_db, tmp_path, [("DD900001", "TOAN", 1, hoa_new), ("CVA900001", "TOAN", 1, an_new)])
    return hoa_new, an_new


def pending_of(db, code):
    return db.execute("SELECT g.status, g.approved_by, g.corrected FROM grades g JOIN students s "
                      "ON s.id = g.student_id WHERE s.code = ? AND g.subject_code = 'TOAN' AND g.school_year = ? "
                      "AND g.term = 1 AND g.kind = 'TX' AND g.seq = 1", [code, year()]).fetchone()


# -- approval queue ----------------------------------------------------------------------------
def test_reviewer_approves_and_the_parent_sees_the_new_score(client, make_staff, school_db, web_settings,
                                                             pending_toan):
    hoa_new, _ = pending_toan
    convo = Conversation(school_db, web_settings, today=hk1_day(web_settings))
    rest = [Decimal(current_score(school_db, "DD900001", "TOAN", seq=n)) for n in (2, 3, 4)]

    def tx_scores(reply):
        return [Decimal(v) for v in re.search(r"TX ([^;(]*)", reply)[1].split()]

    before = convo.send("0912345678", "DIEM TOAN HK1 C1")
    assert tx_scores(before) == rest                                    # the pending TX1 is not shown

    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    page = client.get("/staff/approvals")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="corrected">1 sửa' in html                          # a changed approved score is marked
    keys = groups_on_page(html)
    assert len(keys) == 1 and keys[0][0] == "grades" and keys[0][3] == "TOAN"
    resp = post_form(client, "/staff/approvals", {"group": json.dumps(keys[0]), "scope": "groups"})
    assert resp.status_code == 303
    assert pending_of(school_db, "DD900001") == ("approved", "rv.dd", 1)
    assert pending_of(school_db, "CVA900001")[0] == "pending"          # the other school's row stays
    after = convo.send("0912345678", "DIEM TOAN HK1 C1")
    assert tx_scores(after) == [Decimal(hoa_new), *rest] and "(co diem sua)" in after
    assert "Đã duyệt 1 dòng" in client.get("/staff/approvals").get_data(as_text=True)
    audit = school_db.execute("SELECT actor, school_id FROM audit_log WHERE action = 'web:approve'").fetchall()
    assert audit == [("rv.dd", student(school_db, "DD900001")[2])]


def test_the_queue_shows_corrected_marks_and_only_the_own_school(client, make_staff, school_db, pending_toan):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    html = client.get("/staff/approvals").get_data(as_text=True)
    assert "THCS-DD" in html and "THPT-CVA" not in html
    assert 'class="corrected">1 sửa' in html
    (key,) = groups_on_page(html)
    rows = client.get("/staff/approvals/group", query_string={"key": json.dumps(key)}).get_data(as_text=True)
    assert "Nguyễn Thị Hoa (DD900001)" in rows and "<strong>sửa</strong>" in rows
    assert school_db.execute("SELECT count(*) FROM audit_log WHERE action = 'web:approval-rows' AND actor = 'ad.dd' "
                             "AND student_id = ?", [student(school_db, "DD900001")[0]]).fetchone()[0] == 1


def test_another_schools_group_is_404_to_see_and_to_approve(client, make_staff, school_db, pending_toan):
    cva_key = next(g.key for g in approvals.pending_groups(school_db, TZ) if g.school_code == "THPT-CVA")
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    raw = json.dumps(cva_key.as_list())
    assert client.get("/staff/approvals/group", query_string={"key": raw}).status_code == 404
    assert post_form(client, "/staff/approvals", {"group": raw, "scope": "groups"}).status_code == 404
    assert pending_of(school_db, "CVA900001")[0] == "pending"
    assert client.get("/staff/approvals/group", query_string={"key": "not json"}).status_code == 404


def test_operator_sees_every_school(client, make_staff, pending_toan):
    login_staff(client, make_staff("op", "operator"))
    html = client.get("/staff/approvals").get_data(as_text=True)
    assert "THCS-DD" in html and "THPT-CVA" in html and len(groups_on_page(html)) == 2


def test_a_teacher_sees_their_class_read_only_and_may_not_approve(client, make_staff, school_db, pending_toan):
    login_staff(client, make_staff("gv.8a2", "teacher", "THCS-DD", classes=("8A2",)))
    html = client.get("/staff/approvals").get_data(as_text=True)
    assert "8A2" in html and 'name="group"' not in html and "Duyệt các nhóm" not in html
    key = next(g.key for g in approvals.pending_groups(school_db, TZ) if g.school_code == "THCS-DD")
    assert post_form(client, "/staff/approvals", {"group": json.dumps(key.as_list()),
                                                  "scope": "groups"}).status_code == 403
    assert pending_of(school_db, "DD900001")[0] == "pending"
    other = make_staff("gv.7a1", "teacher", "THCS-DD", classes=("7A1",))
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, other)
    assert "Không có gì chờ duyệt" in client.get("/staff/approvals").get_data(as_text=True)
    assert client.get("/staff/approvals/group", query_string={"key": json.dumps(key.as_list())}).status_code == 404


def test_chosen_rows_of_a_group(client, make_staff, school_db, tmp_path):
    codes = [r[0] for r in school_db.execute(
        "SELECT s.code FROM students s JOIN enrollments e ON e.student_id = s.id WHERE e.class_id = ? "
        "ORDER BY s.code LIMIT 3", [student(school_db, "DD900001")[1]])]
    import_pending(school_db, tmp_path, [(c, "TOAN", 1, new_value(current_score(school_db, c, "TOAN")))
                                         for c in codes])
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    (key,) = groups_on_page(client.get("/staff/approvals").get_data(as_text=True))
    url = "/staff/approvals/group?key=" + json.dumps(key)
    ids = re.findall(r'name="row" value="(\d+)"', client.get(url).get_data(as_text=True))
    assert len(ids) == 3
    resp = post_form(client, "/staff/approvals", {"group": json.dumps(key), "scope": "rows", "row": ids[:2]},
                     get_from=url)
    assert resp.status_code == 303
    assert sorted(pending_of(school_db, c)[0] for c in codes) == ["approved", "approved", "pending"]
    # Nothing chosen: a clear message, nothing moves.
    resp = post_form(client, "/staff/approvals", {"group": json.dumps(key), "scope": "rows"}, get_from=url)
    assert resp.status_code == 303
    assert "Chưa chọn dòng nào" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert sorted(pending_of(school_db, c)[0] for c in codes) == ["approved", "approved", "pending"]


def test_approving_without_the_csrf_token_is_refused(client, make_staff, school_db, pending_toan):
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    (key,) = groups_on_page(client.get("/staff/approvals").get_data(as_text=True))
    resp = client.post("/staff/approvals", data={"group": json.dumps(key), "scope": "groups"})
    assert resp.status_code == 400
    assert pending_of(school_db, "DD900001")[0] == "pending"


# -- GV / NGHI ---------------------------------------------------------------------------------
@pytest.fixture
def messages_both_schools(school_db):
    hoa, c8a2, dd = student(school_db, "DD900001")
    nam, c7a1, _ = student(school_db, "DD900002")
    an, c11a1, cva = student(school_db, "CVA900001")
    hung = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    lan = school_db.execute("SELECT id FROM guardians WHERE phone = '+84987654321'").fetchone()[0]
    return {
        "hoa": teacher_messages.create(school_db, "NGHI", school_id=dd, class_id=c8a2, student_id=hoa,
                                       guardian_id=hung, body="con bị sốt, xin nghỉ hôm nay"),
        "nam": teacher_messages.create(school_db, "GV", school_id=dd, class_id=c7a1, student_id=nam,
                                       guardian_id=lan, body="xin gặp cô chiều thứ 6"),
        "an": teacher_messages.create(school_db, "GV", school_id=cva, class_id=c11a1, student_id=an,
                                      guardian_id=hung, body="hỏi điểm Lý"),
    }


def test_teacher_sees_their_class_and_answers_by_sms(client, make_staff, school_db, web_settings,
                                                      messages_both_schools, redis_server, redis_prefix):
    login_staff(client, make_staff("gv.8a2", "teacher", "THCS-DD", classes=("8A2",)))
    html = client.get("/staff/messages").get_data(as_text=True)
    assert "con bị sốt" in html and "xin gặp cô" not in html and "hỏi điểm" not in html
    assert "09xxxx5678" in html and "0912345678" not in html
    assert "giờ yên lặng (21:00-07:00)" in html
    mid = messages_both_schools["hoa"]
    resp = post_form(client, f"/staff/messages/{mid}/answer", {"answer": "Cô đã nhận, chúc cháu mau khỏe!"})
    assert resp.status_code == 303
    assert redis_server.llen(f"{redis_prefix}outbox:wake") == 1         # the senders were woken
    (row,) = outbox(school_db, "teacher")
    _, phone, body, kind, school_id, student_id, not_before, created_at, state = row
    assert phone == "+84912345678" and state == "queued"
    assert body == "GV lop 8A2 tra loi tin xin nghi ve Nguyen Thi Hoa: Co da nhan, chuc chau mau khoe!"
    hoa_id, _, dd = student(school_db, "DD900001")
    assert (school_id, student_id) == (dd, hoa_id)
    # Quiet hours hold teacher answers (bulk): due when they end, whatever time the test runs.
    assert not_before == iso(quiet.next_send_time(parse_iso(created_at), web_settings.sms.quiet_hours, TZ))
    tm = teacher_messages.get(school_db, mid)
    assert (tm.answer, tm.answered_by, tm.answer_message_id) == ("Cô đã nhận, chúc cháu mau khỏe!", "gv.8a2", row[0])
    # Answered: no second SMS, however often the form is posted again.
    assert post_form(client, f"/staff/messages/{mid}/answer", {"answer": "lần nữa"}).status_code == 303
    assert len(outbox(school_db, "teacher")) == 1
    # Another class's or school's message is out of reach.
    for other in (messages_both_schools["nam"], messages_both_schools["an"]):
        assert post_form(client, f"/staff/messages/{other}/answer", {"answer": "x"}).status_code == 404
    assert len(outbox(school_db, "teacher")) == 1


def test_answers_too_long_or_empty_are_refused_with_a_reason(client, make_staff, school_db, messages_both_schools):
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    html = client.get("/staff/messages").get_data(as_text=True)
    assert "xin gặp cô" in html and "con bị sốt" in html and "hỏi điểm" not in html
    mid = messages_both_schools["nam"]
    resp = post_form(client, f"/staff/messages/{mid}/answer", {"answer": "chữ " * 200})
    assert re.search(r"cần [4-9] tin SMS, tối đa 3", client.get(resp.headers["Location"]).get_data(as_text=True))
    resp = post_form(client, f"/staff/messages/{mid}/answer", {"answer": "   "})
    assert "trống" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert outbox(school_db, "teacher") == [] and teacher_messages.get(school_db, mid).answered_at is None
    # A number no longer linked to the child this year gets nothing.
    school_db.execute("UPDATE guardian_links SET active = 0 WHERE student_id = ?", [student(school_db, "DD900002")[0]])
    resp = post_form(client, f"/staff/messages/{mid}/answer", {"answer": "Vâng"})
    assert "không còn gắn" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert outbox(school_db, "teacher") == []


def test_answer_without_csrf_is_refused(client, make_staff, school_db, messages_both_schools):
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    mid = messages_both_schools["hoa"]
    assert client.post(f"/staff/messages/{mid}/answer", data={"answer": "ok"}).status_code == 400
    assert outbox(school_db, "teacher") == []


# -- the menu ----------------------------------------------------------------------------------
def test_menu_shows_the_review_pages(client, make_staff):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    html = client.get("/staff/approvals").get_data(as_text=True)
    for url in ("/staff/approvals", "/staff/messages", "/staff/announce"):
        assert f'href="{url}"' in html


# -- in a real browser -------------------------------------------------------------------------
def browser_login(page, live_server, login):
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")


def test_browser_reviewer_approves_a_pending_grade_group(page, live_server, make_staff, school_db, pending_toan):
    browser_login(page, live_server, make_staff("rv.dd", "reviewer", "THCS-DD"))
    nav_click(page, "header nav a[href='/staff/approvals']")
    page.wait_for_url(f"{live_server}/staff/approvals")
    row = page.locator("#groups tr[data-subject=TOAN]")
    assert row.locator(".corrected").inner_text() == "1 sửa"
    row.locator("input[name=group]").check()
    page.click("button:has-text('Duyệt các nhóm đã chọn')")
    page.wait_for_selector("[role=status]:has-text('Đã duyệt 1 dòng')")
    assert page.locator("#empty").is_visible()
    assert pending_of(school_db, "DD900001")[:2] == ("approved", "rv.dd")
    assert pending_of(school_db, "CVA900001")[0] == "pending"


def test_browser_teacher_answers_an_nghi_message(page, live_server, make_staff, school_db, messages_both_schools):
    browser_login(page, live_server, make_staff("gv.8a2", "teacher", "THCS-DD", classes=("8A2",)))
    nav_click(page, "header nav a[href='/staff/messages']")
    page.wait_for_url(f"{live_server}/staff/messages")
    mid = messages_both_schools["hoa"]
    box = page.locator(f"#m{mid}")
    assert "con bị sốt" in box.inner_text()
    box.locator("textarea[name=answer]").fill("Cô đã nhận tin, cháu nghỉ ngơi nhé.")
    box.locator("button[type=submit]").click()
    page.wait_for_selector("[role=status]:has-text('Đã gửi trả lời tới 09xxxx5678')")
    assert "Cô đã nhận tin" in page.locator(f"#m{mid} .answer").inner_text()
    (row,) = outbox(school_db, "teacher")
    assert row[1] == "+84912345678" and row[2].endswith("Co da nhan tin, chau nghi ngoi nhe.")
