"""Delivery failures a school can act on: who it was for, the reason in plain Vietnamese, a link to correct
the guardian's number, and the resend going to the corrected number (web/contacts.py, store/messaging/contacts)."""
from __future__ import annotations

import pytest

from outbox import messages
from store.messaging.contacts import reasons
from store.school.phones import normalise

from .fixtures_review import student
from .fixtures_web import login_staff, post_form


@pytest.mark.parametrize("state, reason, expected", [
    ("failed", "0x0000000B ESME_RINVDSTADR invalid destination address", reasons.BAD_NUMBER),
    ("undeliverable", "receipt UNDELIV err:001", reasons.UNDELIVERED),
    ("expired", "receipt EXPIRED err:027", reasons.EXPIRED),
    ("rejected", "receipt REJECTD err:011", reasons.REJECTED),
    ("failed", "0x00000058 ESME_RTHROTTLED", reasons.BUSY),
    ("failed", "0x0000000A ESME_RINVSRCADR", reasons.SENDER),
    ("unknown", None, reasons.UNKNOWN),
    ("failed", "something new", reasons.OTHER),
])
def test_every_failure_reads_as_something_to_do(state, reason, expected):
    assert reasons.advice(state, reason) == expected


@pytest.fixture
def nam_failed(school_db, web_settings):
    """A reply to Nam's mother (Trần Thị Lan, 0987654321) the handset never got."""
    nam, c7a1, dd = student(school_db, "DD900002")
    lan = school_db.execute("SELECT id FROM guardians WHERE phone = '+84987654321'").fetchone()[0]
    mid = messages.enqueue(school_db, web_settings, phone="+84987654321", body="Le Hoang Nam 7A1 vang HK1: 0",
                           kind="reply", school_id=dd, class_id=c7a1, student_id=nam, guardian_id=lan)
    school_db.execute("UPDATE messages SET state = 'undeliverable', reason = 'receipt UNDELIV err:001' WHERE id = ?",
                      [mid])
    school_db.conn.commit()
    return mid, lan


def test_the_report_names_pupil_class_guardian_and_what_to_do(client, make_staff, nam_failed):
    mid, lan = nam_failed
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    html = client.get("/staff/delivery").get_data(as_text=True)
    row = html[html.index(f'data-message="{mid}"'):]
    row = row[:row.index("</tr>")]
    assert "Lê Hoàng Nam · 7A1" in row and "Trần Thị Lan" in row and "09xxxx4321" in row
    assert reasons.UNDELIVERED.text in row and "Nhà mạng: receipt UNDELIV err:001" in row
    assert f"/staff/guardians/{lan}/number" in row


def test_an_admin_corrects_the_number_and_the_resend_goes_to_it(client, make_staff, school_db, nam_failed):
    mid, lan = nam_failed
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    page = client.get(f"/staff/guardians/{lan}/number").get_data(as_text=True)
    assert "Lê Hoàng Nam" in page and "09xxxx4321" in page
    bad = post_form(client, f"/staff/guardians/{lan}/number", {"phone": "12345"})
    assert bad.status_code == 400 and "không phải số di động Việt Nam hợp lệ" in bad.get_data(as_text=True)
    taken = post_form(client, f"/staff/guardians/{lan}/number", {"phone": "0912345678"})
    assert taken.status_code == 400 and "đã là số của một phụ huynh khác" in taken.get_data(as_text=True)
    ok = post_form(client, f"/staff/guardians/{lan}/number", {"phone": "0977 111 222"})
    assert ok.status_code == 303
    assert school_db.execute("SELECT phone, password_hash FROM guardians WHERE id = ?", [lan]).fetchone() == (
        normalise("0977111222"), None)
    resent = post_form(client, f"/staff/delivery/{mid}/resend", {}, get_from="/staff/delivery")
    assert resent.status_code == 303
    copy = school_db.execute("SELECT phone, state FROM messages WHERE id > ? ORDER BY id DESC LIMIT 1", [mid]).fetchone()
    assert copy == ("+84977111222", "queued")
    actions = [r[0] for r in school_db.execute("SELECT action FROM audit_log WHERE actor = 'ad.dd'")]
    assert "guardian-number" in actions


def test_another_schools_guardian_and_teachers_are_refused(client, make_staff, school_db, nam_failed):
    _, lan = nam_failed
    login_staff(client, make_staff("ad.cva", "admin", school="THPT-CVA"))
    assert client.get(f"/staff/guardians/{lan}/number").status_code == 404
    hung = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    login_staff(client, make_staff("ad.dd", "admin", school="THCS-DD"))
    shared = post_form(client, f"/staff/guardians/{hung}/number", {"phone": "0977111333"})
    assert shared.status_code == 400 and "nhờ bộ phận vận hành" in shared.get_data(as_text=True)
    login_staff(client, make_staff("gv", "teacher", school="THCS-DD", classes=("7A1",)))
    assert client.get(f"/staff/guardians/{lan}/number").status_code == 403
