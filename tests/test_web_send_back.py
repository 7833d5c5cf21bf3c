"""Approvals: "Trả lại" with a reason (corrections go back to what parents saw, new rows go away), old → new for
corrections, the send-backs listed for whoever entered them, select-all (store/review/corrections.py, web/review/pages.py)."""
from __future__ import annotations

import json

from store.review import corrections

from .fixtures_review import student
from .fixtures_web import STAFF_PASSWORD, login_staff, post_form
from .test_web_review import current_score, groups_on_page, import_pending, new_value, pending_of


def _score(db, code):
    return db.execute("SELECT g.value, g.status, g.approved_by, g.corrected FROM grades g JOIN students s "
                      "ON s.id = g.student_id WHERE s.code = ? AND g.subject_code = 'TOAN' AND g.term = 1 "
                      "AND g.kind = 'TX' AND g.seq = 1", [code]).fetchone()


def test_a_corrected_score_shows_old_to_new_and_goes_back_with_the_reason(client, make_staff, school_db, tmp_path):
    old = _score(school_db, "DD900001")
    new = new_value(old[0])
    import_pending(school_db, tmp_path, [("DD900001", "TOAN", 1, new)])
    assert _score(school_db, "DD900001")[:2] == (new, "pending")
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    (key,) = groups_on_page(client.get("/staff/approvals").get_data(as_text=True))
    url = "/staff/approvals/group?key=" + json.dumps(key)
    page = client.get(url).get_data(as_text=True)
    assert f"<strong>sửa</strong>: {old[0]} → {new}" in page and 'data-select-all="row"' in page
    refused = post_form(client, "/staff/approvals/return", {"group": json.dumps(key), "scope": "group",
                                                            "reason": "  "}, get_from=url)
    assert "Cần ghi lý do trả lại" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert _score(school_db, "DD900001")[:2] == (new, "pending")
    done = post_form(client, "/staff/approvals/return", {"group": json.dumps(key), "scope": "group",
                                                         "reason": "Điểm TX1 của Hoa là 8, xem lại sổ"}, get_from=url)
    assert done.status_code == 303
    assert _score(school_db, "DD900001") == old                       # what parents saw, approval and all
    listed = client.get("/staff/approvals").get_data(as_text=True)
    assert "Đã trả lại gần đây" in listed and "Điểm TX1 của Hoa là 8, xem lại sổ" in listed
    assert "web:send-back" in [a for (a,) in school_db.execute("SELECT action FROM audit_log")]


def test_chosen_new_rows_are_removed_the_others_wait(client, make_staff, school_db, tmp_path):
    sid, cid, dd = student(school_db, "DD900001")
    codes = [r[0] for r in school_db.execute(
        "SELECT s.code FROM students s JOIN enrollments e ON e.student_id = s.id WHERE e.class_id = ? "
        "ORDER BY s.code LIMIT 2", [cid])]
    school_db.execute("DELETE FROM grades WHERE subject_code = 'TOAN' AND term = 1 AND kind = 'TX' AND seq = 1 AND "
                      "student_id IN (SELECT id FROM students WHERE code IN (?, ?))", codes)
    school_db.conn.commit()
    import_pending(school_db, tmp_path, [(c, "TOAN", 1, "7") for c in codes])
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    (key,) = groups_on_page(client.get("/staff/approvals").get_data(as_text=True))
    url = "/staff/approvals/group?key=" + json.dumps(key)
    import re
    ids = re.findall(r'name="row" value="(\d+)"', client.get(url).get_data(as_text=True))
    post_form(client, "/staff/approvals/return", {"group": json.dumps(key), "scope": "rows", "row": ids[:1],
                                                  "reason": "nhầm học sinh"}, get_from=url)
    assert sorted(str(pending_of(school_db, c)) for c in codes).count("None") == 1
    assert [r.rows for r in corrections.returned(school_db, school_id=dd)] == [1]


def test_teachers_see_only_their_own_send_backs(school_db):
    from datetime import date

    from store.review.approvals import GroupKey
    from store.registry.review import spec
    sid, cid, dd = student(school_db, "DD900001")
    for who in ("gv.toan", "gv.van"):
        school_db.execute("INSERT INTO approval_returns (school_id, class_id, kind, subject, entered_by, entered_day, "
                          "rows, reason, returned_by, returned_at) VALUES (?, ?, 'grades', 'TOAN', ?, '2026-11-02', "
                          "1, 'x', 'rv', '2026-11-02T01:00:00.000Z')", [dd, cid, who])
    assert [r.entered_by for r in corrections.returned(school_db, school_id=dd, entered_by="gv.van")] == ["gv.van"]
    assert len(corrections.returned(school_db, school_id=dd)) == 2
    key = GroupKey(spec("grades"), dd + 1, cid, "TOAN", "x", date(2026, 11, 2))
    import pytest

    from store.review.approvals import ApprovalError
    with pytest.raises(ApprovalError):
        corrections.send_back(school_db, key, "x", actor="rv", tz="Asia/Ho_Chi_Minh", school_id=dd)


def test_select_all_ticks_every_group_in_a_real_browser(page, live_server, make_staff, school_db, tmp_path):
    codes = [r[0] for r in school_db.execute("SELECT code FROM students WHERE code LIKE 'DD%' ORDER BY code LIMIT 2")]
    import_pending(school_db, tmp_path, [(c, "TOAN", 1, new_value(current_score(school_db, c, "TOAN"))) for c in codes])
    import_pending(school_db, tmp_path, [(codes[0], "VAN", 1, "9")], name="van.csv")
    make_staff("rv.dd", "reviewer", "THCS-DD")
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "rv.dd")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/staff/approvals")
    boxes = page.locator("input[name=group]")
    assert boxes.count() >= 2 and not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.check("input[data-select-all=group]")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
