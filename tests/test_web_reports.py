"""Staff delivery report, resend, parents' texts and the staff home: scope, counts, reasons, masking, audit."""
from __future__ import annotations

import re

import pytest

from outbox import delivery, messages
from outbox.delivery import MessageOutcome, PartOutcome
from outbox.transport import SubmitResult
from store.messaging import inbox as inbox_store
from store.core.clock import local_today
from store.school.phones import normalise

from .fixtures_web import login_staff, post_form

STATES = ("queued", "sending", "submitted", "delivered", "undeliverable", "expired", "rejected", "failed", "unknown",
          "ambiguous")

INVALID_DEST = 0x0B     # ESME_RINVDSTADR: a permanent submit error


def _ids(db, school: str, student: str | None = None) -> tuple[int, int | None]:
    sid = db.execute("SELECT id FROM schools WHERE code = ?", [school]).fetchone()[0]
    st = db.execute("SELECT id FROM students WHERE code = ?", [student]).fetchone()[0] if student else None
    return sid, st


def add_message(db, settings, phone: str, school: str | None, student: str | None = None, *, state: str = "delivered",
                reason: str | None = None, kind: str = "reply") -> int:
    """An outbox row of today, moved to ``state`` with SQL (the states the sender and receipts write)."""
    school_id, student_id = _ids(db, school, student) if school else (None, None)
    mid = messages.enqueue(db, settings, phone=normalise(phone), body="Nguyen Thi Hoa 8A2 Toan HK1: TB 7.9",
                           kind=kind, school_id=school_id, student_id=student_id)
    if state != "queued":
        db.execute("UPDATE messages SET state = ?, reason = ? WHERE id = ?", [state, reason, mid])
    return mid


def fail_on_submit(db, settings, phone: str, school: str, student: str) -> int:
    """A message the SMSC refused for good, written by the sender's own function."""
    mid = add_message(db, settings, phone, school, student, state="sending")
    delivery.apply_submit(db, MessageOutcome(mid, settings.smsc[0].name, (PartOutcome(1, SubmitResult(INVALID_DEST)),)),
                          max_attempts=3)
    return mid


@pytest.fixture
def day(web_settings):
    return local_today(web_settings.sms.timezone).isoformat()


@pytest.fixture
def traffic(school_db, web_settings):
    """Today's messages of both schools: THCS-DD 8A2 (Hoa), 7A1 (Nam); THPT-CVA 11A1 (An)."""
    s = web_settings
    return {
        "hoa_ok": add_message(school_db, s, "0912345678", "THCS-DD", "DD900001"),
        "hoa_failed": fail_on_submit(school_db, s, "0912345678", "THCS-DD", "DD900001"),
        "nam_undeliv": add_message(school_db, s, "0987654321", "THCS-DD", "DD900002", state="undeliverable",
                                   reason="receipt UNDELIV err:001"),
        "nam_ok": add_message(school_db, s, "0987654321", "THCS-DD", "DD900002"),
        "nam_sent": add_message(school_db, s, "0987654321", "THCS-DD", "DD900002", state="submitted"),
        "an_expired": add_message(school_db, s, "0912345678", "THPT-CVA", "CVA900001", state="expired",
                                  reason="receipt EXPIRED err:000"),
        "stranger_hint": add_message(school_db, s, "0911111119", None, kind="hint", state="failed",
                                     reason="0x0000000B ESME_RINVDSTADR invalid destination address"),
    }


def counts(html: str) -> dict[str, int]:
    """The report's per-state counts (cells marked data-state)."""
    table = html.split('id="counts"', 1)[1].split("</table>", 1)[0]
    return {m[0]: int(m[1]) for m in re.findall(r'data-state="(\w+)">(\d+)<', table)}


# -- the delivery report ---------------------------------------------------------------------------------------
def test_a_school_admin_sees_their_schools_counts_and_failures_with_the_reason(client, make_staff, traffic, day,
                                                                                school_db):
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    r = client.get(f"/staff/delivery?date={day}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert counts(html) == {**{s: 0 for s in STATES}, "submitted": 1, "delivered": 2, "undeliverable": 1, "failed": 1}
    assert "0x0000000B ESME_RINVDSTADR invalid destination address" in html
    assert "receipt UNDELIV err:001" in html
    assert f'data-message="{traffic["an_expired"]}"' not in html, "THPT-CVA's failure is not THCS-DD's business"
    assert f'data-message="{traffic["stranger_hint"]}"' not in html
    assert "09xxxx5678" in html and "09xxxx4321" in html
    assert "0912345678" not in html and "+84912345678" not in html and "0987654321" not in html
    assert 'data-class="8A2"' in html and 'data-class="7A1"' in html, "a per-class table of the school"
    row = school_db.execute("SELECT actor, action, school_id FROM audit_log ORDER BY id DESC").fetchone()
    assert row == ("co.lan", "web:report-delivery", _ids(school_db, "THCS-DD")[0])


def test_other_schools_staff_see_only_theirs_and_cannot_ask_for_another(client, make_staff, traffic, day):
    login_staff(client, make_staff("thay.minh", "reviewer", school="THPT-CVA"))
    html = client.get(f"/staff/delivery?date={day}").get_data(as_text=True)
    assert counts(html)["expired"] == 1 and counts(html)["failed"] == 0 and sum(counts(html).values()) == 1
    assert "receipt EXPIRED err:000" in html and "ESME_RINVDSTADR" not in html
    assert client.get(f"/staff/delivery?date={day}&school=THCS-DD").status_code == 404
    assert client.get(f"/staff/delivery?date={day}&school=THPT-CVA").status_code == 200


def test_a_teacher_sees_only_their_classes(client, make_staff, traffic, day):
    login_staff(client, make_staff("co.hoa", "teacher", school="THCS-DD", classes=("8A2",)))
    html = client.get(f"/staff/delivery?date={day}").get_data(as_text=True)
    assert counts(html)["delivered"] == 1 and counts(html)["failed"] == 1 and sum(counts(html).values()) == 2
    assert "receipt UNDELIV" not in html, "7A1 is not theirs"
    assert "Gửi lại" not in html, "a teacher cannot resend"
    assert client.get(f"/staff/delivery?date={day}&class=8A2").status_code == 200
    assert client.get(f"/staff/delivery?date={day}&class=7A1").status_code == 404


def test_an_operator_sees_every_school_and_can_choose_one_and_a_class(client, make_staff, traffic, day):
    login_staff(client, make_staff("van.hanh", "operator"))
    every = counts(client.get(f"/staff/delivery?date={day}").get_data(as_text=True))
    assert sum(every.values()) == 7 and every["failed"] == 2
    one = client.get(f"/staff/delivery?date={day}&school=THCS-DD&class=7A1").get_data(as_text=True)
    assert counts(one) == {**{s: 0 for s in every}, "delivered": 1, "undeliverable": 1, "submitted": 1}
    assert "receipt UNDELIV err:001" in one and "ESME_RINVDSTADR" not in one


@pytest.mark.parametrize("query, message", [
    ("date=28/11/2025", "ngày phải có dạng YYYY-MM-DD, không phải &#39;28/11/2025&#39;"),
    ("school=XYZ", "không có trường &#39;XYZ&#39;"),
    ("school=THCS-DD&class=13Z9", "no class &#39;13Z9&#39; in THCS-DD"),
    ("class=8A2", "choose a school to see one class"),
])
def test_bad_report_parameters_get_a_message_naming_them(client, make_staff, query, message):
    login_staff(client, make_staff("van.hanh", "operator"))
    r = client.get(f"/staff/delivery?{query}")
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_another_day_has_its_own_messages(client, make_staff, traffic, school_db):
    school_db.execute("UPDATE messages SET created_at = '2025-11-03T03:00:00.000Z' WHERE id = ?",
                      [traffic["hoa_failed"]])
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    html = client.get("/staff/delivery?date=2025-11-03").get_data(as_text=True)
    assert sum(counts(html).values()) == 1 and "ESME_RINVDSTADR" in html


# -- resend --------------------------------------------------------------------------------------------------
def resend(client, mid: int, data: dict | None = None, **kw):
    """Press a failure's Resend button (the form's token comes from the report page)."""
    return post_form(client, f"/staff/delivery/{mid}/resend", data or {}, get_from="/staff/delivery", **kw)


def _copies(db, mid: int) -> list[tuple]:
    return db.execute("SELECT state, phone, body, school_id FROM messages WHERE reason LIKE ?",
                      [f"%(copy of #{mid})"]).fetchall()


def _copy_ids(db, mid: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM messages WHERE reason LIKE ? ORDER BY id", [f"%(copy of #{mid})"])]


def test_resend_queues_a_copy_and_rings_the_senders_bell(client, make_staff, traffic, day, school_db, redis_server,
                                                         web_settings):
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    mid = traffic["hoa_failed"]
    r = resend(client, mid, {"date": day}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and f"Đã xếp gửi lại tin #{mid}" in html
    original = school_db.execute("SELECT phone, body, school_id FROM messages WHERE id = ?", [mid]).fetchone()
    assert _copies(school_db, mid) == [("queued", *original)]
    assert school_db.execute("SELECT state FROM messages WHERE id = ?", [mid]).fetchone()[0] == "failed"
    assert redis_server.lrange(f"{web_settings.redis.prefix}outbox:wake", 0, -1) == [b"1"]
    assert school_db.execute("SELECT actor, action FROM audit_log WHERE action = 'web:resend'").fetchall() == \
        [("co.lan", "web:resend")]
    undeliv = resend(client, traffic["nam_undeliv"])
    assert undeliv.status_code == 303 and len(_copies(school_db, traffic["nam_undeliv"])) == 1
    twice = resend(client, mid, {"date": day}, follow_redirects=True)
    assert "đã được xếp gửi lại" in twice.get_data(as_text=True)
    assert len(_copies(school_db, mid)) == 1, "a double click resends once"
    school_db.execute("UPDATE messages SET state = 'failed' WHERE id = ?", [_copy_ids(school_db, mid)[0]])
    resend(client, mid)
    assert len(_copies(school_db, mid)) == 2, "once the copy failed too, another resend is allowed"


def test_resend_is_refused_for_other_schools_wrong_roles_and_messages_still_on_their_way(
        client, make_staff, traffic, school_db):
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    assert resend(client, traffic["an_expired"]).status_code == 404
    assert resend(client, traffic["stranger_hint"]).status_code == 404
    assert resend(client, 999999).status_code == 404
    for state_of in ("nam_ok", "nam_sent"):
        r = resend(client, traffic[state_of], follow_redirects=True)
        assert "chỉ gửi lại được tin failed" in r.get_data(as_text=True)
        assert _copies(school_db, traffic[state_of]) == []
    for login, role in (("thay.duyet", "reviewer"), ("co.hoa", "teacher")):
        login_staff(client, make_staff(login, role, school="THCS-DD", classes=("8A2",) if role == "teacher" else ()))
        assert resend(client, traffic["hoa_failed"]).status_code == 403
    client.get("/staff/")
    assert client.post(f"/staff/delivery/{traffic['hoa_failed']}/resend").status_code == 400, "no CSRF token"
    assert _copies(school_db, traffic["an_expired"]) == [] and _copies(school_db, traffic["hoa_failed"]) == []


def test_an_operator_resends_any_schools_message_and_a_strangers(client, make_staff, traffic, school_db):
    login_staff(client, make_staff("van.hanh", "operator"))
    for key in ("an_expired", "stranger_hint"):
        assert resend(client, traffic[key]).status_code == 303
        assert len(_copies(school_db, traffic[key])) == 1


# -- parents' texts ---------------------------------------------------------------------------------------------
def add_text(db, settings, phone: str, text: str, *, school: str | None, student: str | None = None,
             answer: str | None = "Tra loi") -> int:
    """A parent's text as the gateway stores it, answered (for ``school``) the way the answerer marks it."""
    iid, _ = inbox_store.store_mo(db, connection="default", source_addr=phone.lstrip("+"), phone=normalise(phone),
                                  text=text, data_coding=0, key=f"{phone}{text}", dedup_window_s=0)
    school_id, student_id = _ids(db, school, student) if school else (None, None)
    reply = None
    if answer:
        reply = messages.enqueue(db, settings, phone=normalise(phone), body=answer, kind="reply",
                                 school_id=school_id, student_id=student_id, inbox_id=iid)
    inbox_store.mark(db, iid, "answered" if reply else "ignored", command=text.split()[0], school_id=school_id,
                     reply_id=reply)
    return iid


@pytest.fixture
def texts(school_db, web_settings):
    s = web_settings
    return {
        "hoa": add_text(school_db, s, "0912345678", "DIEM TOAN HK1 C1", school="THCS-DD", student="DD900001",
                        answer="Nguyen Thi Hoa 8A2 Toan HK1: TB 7.9"),
        "an": add_text(school_db, s, "0912345678", "DIEM LY HK1 C2", school="THPT-CVA", student="CVA900001",
                       answer="Nguyen Minh An 11A1 Vat li HK1: TB 7.3"),
        "nam_help": add_text(school_db, s, "0987654321", "HD", school=None, answer="HD: DIEM, KQ, ..."),
        "stranger": add_text(school_db, s, "0911111119", "alo cho hoi", school=None,
                             answer="So nay chua dang ky voi truong"),
    }


def test_a_school_sees_its_parents_texts_with_the_answers_masked_and_audited(client, make_staff, texts, school_db):
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert f'data-inbox="{texts["hoa"]}"' in html and "Nguyen Thi Hoa 8A2 Toan HK1: TB 7.9" in html
    assert f'data-inbox="{texts["nam_help"]}"' in html, "a text of no school from one of its parents"
    assert f'data-inbox="{texts["an"]}"' not in html and "Nguyen Minh An" not in html, "answered for THPT-CVA"
    assert f'data-inbox="{texts["stranger"]}"' not in html and "alo cho hoi" not in html
    assert "09xxxx5678" in html and "0912345678" not in html and "84912345678" not in html
    assert html.index(f'data-inbox="{texts["nam_help"]}"') < html.index(f'data-inbox="{texts["hoa"]}"'), "newest first"
    assert school_db.execute("SELECT actor, action, school_id FROM audit_log ORDER BY id DESC").fetchone() == \
        ("co.lan", "web:inbox", _ids(school_db, "THCS-DD")[0])


def test_the_other_school_a_teacher_and_an_operator_each_see_their_part(client, make_staff, texts):
    login_staff(client, make_staff("thay.minh", "admin", school="THPT-CVA"))
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert f'data-inbox="{texts["an"]}"' in html
    assert all(f'data-inbox="{texts[k]}"' not in html for k in ("hoa", "nam_help", "stranger"))
    login_staff(client, make_staff("co.hoa", "teacher", school="THCS-DD", classes=("8A2",)))
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert f'data-inbox="{texts["hoa"]}"' in html
    assert all(f'data-inbox="{texts[k]}"' not in html for k in ("an", "nam_help", "stranger"))
    login_staff(client, make_staff("van.hanh", "operator"))
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert all(f'data-inbox="{texts[k]}"' in html for k in texts), "operators see strangers too"
    assert "09xxxx1119" in html and "0911111119" not in html
    html = client.get("/staff/inbox?school=THPT-CVA").get_data(as_text=True)
    assert f'data-inbox="{texts["an"]}"' in html and f'data-inbox="{texts["stranger"]}"' not in html


def test_the_inbox_filters_by_date_and_pages(client, make_staff, texts, school_db, monkeypatch):
    import web.reports
    school_db.execute("UPDATE inbox SET received_at = '2025-11-03T02:00:00.000Z' WHERE id = ?", [texts["hoa"]])
    login_staff(client, make_staff("van.hanh", "operator"))
    html = client.get("/staff/inbox?date=2025-11-03").get_data(as_text=True)
    assert f'data-inbox="{texts["hoa"]}"' in html and html.count("data-inbox=") == 1
    assert client.get("/staff/inbox?date=yesterday").status_code == 400
    assert client.get("/staff/inbox?page=0").status_code == 400
    monkeypatch.setattr(web.reports, "PER_PAGE", 2)
    first = client.get("/staff/inbox").get_data(as_text=True)
    second = client.get("/staff/inbox?page=2").get_data(as_text=True)
    assert first.count("data-inbox=") == 2 and second.count("data-inbox=") == 2
    assert 'rel="next"' in first and 'rel="next"' not in second and 'rel="prev"' in second
    shown = {i for i in texts.values() if f'data-inbox="{i}"' in first + second}
    assert shown == set(texts.values())
    monkeypatch.setattr(web.reports, "PER_PAGE", 1)
    one_school = client.get("/staff/inbox?school=THCS-DD").get_data(as_text=True)
    assert 'rel="next" href="/staff/inbox?page=2&amp;school=THCS-DD"' in one_school, "the next page keeps the school"


def home_row(html: str, school: str) -> dict[str, int]:
    """One school's numbers on the staff home (cells marked data-state / data-count, linked or not)."""
    row = html.split(f'data-school="{school}"', 1)[1].split("</tr>", 1)[0]
    return {m[0]: int(m[1]) for m in re.findall(r'data-(?:state|count)="(\w+)">(?:<a [^>]*>)?(\d+)<', row)}


# -- the staff home --------------------------------------------------------------------------------------------
def test_the_staff_home_counts_today_pending_approvals_and_unanswered_messages(client, make_staff, traffic,
                                                                              school_db):
    dd, hoa = _ids(school_db, "THCS-DD", "DD900001")
    school_db.execute("UPDATE grades SET status = 'pending' WHERE id IN (SELECT id FROM grades WHERE student_id = ? "
                      "LIMIT 3)", [hoa])
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = ?", [normalise("0912345678")]).fetchone()[0]
    klass = school_db.execute("SELECT class_id FROM enrollments WHERE student_id = ?", [hoa]).fetchone()[0]
    from store.messaging import teacher_messages
    teacher_messages.create(school_db, "NGHI", school_id=dd, class_id=klass, student_id=hoa, guardian_id=gid,
                            body="con bi sot")
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    html = client.get("/staff/").get_data(as_text=True)
    assert home_row(html, "THCS-DD") == {**{s: 0 for s in STATES}, "delivered": 2, "submitted": 1, "failed": 1,
                                         "undeliverable": 1, "total": 5, "pending": 3, "unanswered": 1}
    assert 'data-school="THPT-CVA"' not in html
    login_staff(client, make_staff("co.hoa", "teacher", school="THCS-DD", classes=("7A1",)))
    row = home_row(client.get("/staff/").get_data(as_text=True), "THCS-DD")
    assert (row["total"], row["undeliverable"], row["pending"], row["unanswered"]) == (3, 1, 0, 0)
    login_staff(client, make_staff("van.hanh", "operator"))
    html = client.get("/staff/").get_data(as_text=True)
    assert home_row(html, "THPT-CVA")["expired"] == 1 and home_row(html, "THCS-DD")["total"] == 5


# -- in a browser ------------------------------------------------------------------------------------------------
def test_an_admin_resends_a_failed_message_in_a_real_browser(page, live_server, make_staff, school_db, web_settings,
                                                             day):
    mid = fail_on_submit(school_db, web_settings, "0912345678", "THCS-DD", "DD900001")
    make_staff("co.lan", "admin", school="THCS-DD")
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "co.lan")
    page.fill("input[name=password]", "correct-horse-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")
    page.click("text=Báo cáo gửi tin")
    page.fill("input[name=date]", day)
    page.click("text=Xem")
    row = page.locator(f"tr[data-message='{mid}']")
    assert "ESME_RINVDSTADR invalid destination address" in row.locator(".reason").inner_text()
    assert "09xxxx5678" in row.inner_text()
    row.locator("text=Gửi lại").click()
    assert f"Đã xếp gửi lại tin #{mid}" in page.locator("[role=status]").inner_text()
    assert page.locator("#counts td[data-state='queued']").inner_text() == "1"
    assert _copies(school_db, mid)[0][0] == "queued"


def test_an_mk_code_is_never_shown_to_staff_and_a_past_years_family_is_not_the_schools(client, make_staff, school_db,
                                                                                       web_settings):
    iid = add_text(school_db, web_settings, "0912345678", "MK", school=None, answer=None)
    otp = messages.enqueue(school_db, web_settings, phone="+84912345678", kind="otp", inbox_id=iid,
                           body="Ma dat mat khau So lien lac: 798554 (hieu luc 10 phut, dung 1 lan)")
    inbox_store.mark(school_db, iid, "answered", command="MK", school_id=None, reply_id=otp)
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    html = client.get("/staff/inbox").get_data(as_text=True)
    assert f'data-inbox="{iid}"' in html and "(mã MK – ẩn)" in html and "798554" not in html
    school_db.execute("UPDATE guardian_links SET school_year = '2019-2020' WHERE guardian_id = "
                      "(SELECT id FROM guardians WHERE phone = '+84912345678')")
    assert f'data-inbox="{iid}"' not in client.get("/staff/inbox").get_data(as_text=True), \
        "a number linked to the school only in a past year: its texts are no longer the school's"
