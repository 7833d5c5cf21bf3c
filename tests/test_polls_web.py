"""Polls on the web and over SMPP: composer → preview → send → results → export in Chromium at phone size,
a teacher's poll waiting for a reviewer, a parent answering on the website, and 300 guardians answering
through the simulator, and a sign-up's places under concurrent answers over SMPP and the web."""
from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import load_workbook

from store.core.clock import now_iso
from store.community import poll_answers, polls

from .fixtures_gateway import wait_until
from .fixtures_parents import login_parent
from .fixtures_web import STAFF_PASSWORD, login_staff, post_form
from .test_polls import make_poll

PHONE = {"width": 390, "height": 844}


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_composer_preview_send_results_export_in_the_browser(chromium, live_server, school_db, sms_settings,
                                                            make_staff):
    make_staff("kd-dd", "reviewer", "THCS-DD")
    context = chromium.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "kd-dd")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/staff/polls/")
    page.click("#compose")
    page.select_option("select[name=kind]", "signup")
    page.select_option("select[name=target]", label="THCS-DD: lớp 8A2")
    page.fill("input[name=question]", "Đăng ký tham quan bảo tàng thứ Bảy?")
    page.fill("textarea[name=options]", "Đi [2]\nKhông đi")
    _fits(page)
    page.click("#poll-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/polls/\d+$"))
    poll_id = int(page.url.rsplit("/", 1)[1])
    text = page.inner_text("#sms-text")
    assert text.startswith("Dang ky lop 8A2 (het 20h ") and text.endswith(f"Tra loi: BC {poll_id} 1=Di 2=Khong di")
    recipients = int(page.inner_text("#recipients"))
    assert recipients > 0 and int(page.inner_text("#total")) == recipients * int(page.inner_text("#parts"))
    cost = f"{int(page.inner_text('#total')) * 500:,}".replace(",", ".")
    assert page.inner_text("#cost") == f"≈ {cost} đồng", "at the configured price of a part (digest.part_price)"
    _fits(page)
    page.click("#send")
    assert f"Đã xếp {recipients} tin mời" in page.inner_text("main")
    queued = school_db.execute("SELECT count(DISTINCT phone), min(body) FROM messages WHERE kind = 'announcement'"
                               ).fetchone()
    assert queued == (recipients, text)
    people = [r[0] for r in school_db.execute("SELECT DISTINCT guardian_id FROM poll_recipients WHERE poll_id = ? "
                                              "ORDER BY guardian_id", [poll_id])][:3]
    poll = polls.get(school_db, poll_id)
    for g in people:
        poll_answers.answer(school_db, poll, g, 1)
    page.reload()
    assert page.inner_text("#counts tr[data-option='1'] td.n") == "2"
    assert "Chưa trả lời" in page.inner_text("main")
    _fits(page)
    with page.expect_download() as download:
        page.click("#export")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    assert book.sheetnames == ["Kết quả", "Theo lớp", "Trả lời", "Chưa trả lời"]
    counts = list(book["Kết quả"].iter_rows(values_only=True))
    assert counts[2] == (1, "Đi", 2, 2, 1) and counts[3] == (2, "Không đi", None, 0, 0)
    assert len(list(book["Trả lời"].iter_rows(values_only=True))) == 1 + 3
    page.click("#remind")
    assert "tin nhắc" in page.inner_text("main")
    assert page.locator("#remind").count() == 0, "one reminder only"
    context.close()


def test_a_teachers_poll_waits_for_a_reviewer_and_stays_in_their_class(client, school_db, make_staff):
    make_staff("gv-8a2", "teacher", "THCS-DD", ("8A2",))
    make_staff("gv-7a1", "teacher", "THCS-DD", ("7A1",))
    make_staff("kd-dd", "reviewer", "THCS-DD")
    login_staff(client, "gv-8a2")
    page = client.get("/staff/polls/new").get_data(as_text=True)
    assert "lớp 8A2" in page and "lớp 7A1" not in page and "toàn trường" not in page
    class_value = re.search(r'value="(class:\d+)">THCS-DD: lớp 8A2', page).group(1)
    r = post_form(client, "/staff/polls/new", {"kind": "poll", "target": class_value, "question": "Họp PH T6?",
                                               "options": "Được\nKhông", "closes": "2099-01-01T20:00"})
    assert r.status_code == 303
    url = r.headers["Location"]
    shown = client.get(url).get_data(as_text=True)
    assert "chờ tổ duyệt" in shown and 'id="send"' not in shown
    poll_id = int(url.rsplit("/", 1)[1])
    assert post_form(client, f"{url}/open", {"expected": "x"}, get_from=url).status_code == 403
    other = client.application.test_client()
    login_staff(other, "gv-7a1")
    assert other.get(url).status_code == 404
    reviewer = client.application.test_client()
    login_staff(reviewer, "kd-dd")
    page = reviewer.get(url).get_data(as_text=True)
    expected = re.search(r'name="expected" value="([^"]+)"', page).group(1)
    assert post_form(reviewer, f"{url}/open", {"expected": "0:1"}, get_from=url).status_code == 303
    assert polls.get(school_db, poll_id).status.value == "pending", "a stale preview sends nothing"
    assert post_form(reviewer, f"{url}/open", {"expected": expected}, get_from=url).status_code == 303
    assert polls.get(school_db, poll_id).status.value == "open"
    bad = post_form(reviewer, "/staff/polls/new", {"kind": "poll", "target": class_value, "question": "?",
                                                   "options": "Một", "closes": "2099-01-01T20:00"})
    assert bad.status_code == 400 and "cần từ 2 đến 9 lựa chọn" in bad.get_data(as_text=True)


def test_a_parent_answers_on_the_website(client, school_db, sms_settings):
    poll = make_poll(school_db, sms_settings)
    login_parent(client, school_db)
    page = client.get("/parent/polls/").get_data(as_text=True)
    assert f"Khảo sát {poll.id}" in page and "Nguyễn Thị Hoa" in page
    hoa = school_db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    r = post_form(client, f"/parent/polls/{poll.id}", {"option": "2", "student": str(hoa)}, get_from="/parent/polls/")
    assert r.status_code == 303
    assert "Đã ghi: Không." in client.get("/parent/polls/").get_data(as_text=True)
    assert school_db.execute("SELECT option, source FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchall() == \
        [(2, "web")]
    an = school_db.execute("SELECT id FROM students WHERE code = 'CVA900001'").fetchone()[0]
    assert post_form(client, f"/parent/polls/{poll.id}", {"option": "1", "student": str(an)},
                     get_from="/parent/polls/").status_code == 303
    assert school_db.execute("SELECT count(*) FROM poll_answers WHERE poll_id = ?", [poll.id]).fetchone()[0] == 1


@pytest.mark.slow
def test_300_guardians_answer_through_the_simulator_each_counted_once(live, school_db, sms_settings):
    engine, sim, settings, db = live(sms="commands_per_hour = 1000")
    year, school = db.execute("SELECT c.school_year, c.school_id FROM classes c JOIN schools s ON s.id = c.school_id "
                              "WHERE s.code = 'THCS-DD' ORDER BY c.school_year DESC LIMIT 1").fetchone()
    kids = [r[0] for r in db.execute("SELECT e.student_id FROM enrollments e JOIN classes c ON c.id = e.class_id "
                                     "WHERE c.school_id = ? AND e.school_year = ?", [school, year])]
    for i in range(300 - db.execute("SELECT count(DISTINCT l.guardian_id) FROM guardian_links l JOIN enrollments e "
                                    "ON e.student_id = l.student_id JOIN classes c ON c.id = e.class_id "
                                    "WHERE c.school_id = ? AND l.active = 1", [school]).fetchone()[0]):
        gid = db.execute("INSERT INTO guardians (phone, created_at) VALUES (?, ?)",
                         [f"+8490{5000000 + i:07d}", now_iso()]).lastrowid
        db.execute("INSERT INTO guardian_links (guardian_id, student_id, school_year, consent_source, consent_at) "
                   "VALUES (?, ?, ?, 'import', ?)", [gid, kids[i % len(kids)], year, now_iso()])
    from store.community.poll_rules import Option, Target
    poll = make_poll(db, settings, target=Target.SCHOOL, options=(Option(1, "Có"), Option(2, "Không")))
    asked = db.execute("SELECT g.phone, count(*) FROM poll_recipients r JOIN guardians g ON g.id = r.guardian_id "
                       "WHERE r.poll_id = ? GROUP BY g.id", [poll.id]).fetchall()
    assert len(asked) >= 300
    start = time.monotonic()
    pushed = {}
    for i, (phone, _) in enumerate(asked):
        texts = [f"BC {poll.id} {1 + i % 2}"]
        if i % 10 == 0:                       # the SMSC re-delivers some texts: never counted twice
            texts.append(texts[0])
        if i % 7 == 0:                        # a change of mind replaces the answer
            texts.append(f"BC {poll.id} 1")
        for text in texts:
            assert sim.push_mo(phone[1:], text) == [0]
        pushed[phone] = texts
    wait_until(lambda: db.execute("SELECT count(*) FROM inbox WHERE state = 'received'").fetchone()[0] == 0,
               timeout=60)
    elapsed = time.monotonic() - start
    assert elapsed < 60, "300 guardians answer within a minute"
    answers = dict(db.execute("SELECT option, count(*) FROM poll_answers WHERE poll_id = ? GROUP BY option",
                              [poll.id]).fetchall())
    children = sum(n for _, n in asked)
    expected_one = sum(n for i, (_, n) in enumerate(asked) if i % 2 == 0 or i % 7 == 0)
    assert answers == {1: expected_one, 2: children - expected_one}, answers
    assert db.execute("SELECT count(*), count(DISTINCT guardian_id || '-' || student_id) FROM poll_answers "
                      "WHERE poll_id = ?", [poll.id]).fetchone() == (children, children)
    # A re-delivery (the same text again within the SMSC's retry window) is stored as a duplicate, never answered.
    repeats = sum(len(t) - len(set(t)) for t in pushed.values())
    assert db.execute("SELECT count(*) FROM inbox WHERE state = 'duplicate'").fetchone()[0] == repeats > 0
    replies = dict(db.execute("SELECT phone, count(*) FROM messages WHERE kind = 'reply' GROUP BY phone").fetchall())
    assert replies == {phone: len(set(t)) for phone, t in pushed.items()}
    print(f"{len(asked)} guardians answered through the simulator in {elapsed:.1f} s")


@pytest.mark.slow
def test_a_sign_up_holds_its_places_under_concurrent_answers_over_smpp_and_the_web(live, school_db_path, sms_settings):
    """40 guardians text at once from 8 threads while 10 answer on the website: 5 places, never 6; a withdrawal by
    SMS moves the first waiting guardian up and the simulator receives their "Da co cho"."""
    import threading
    from store.community.poll_rules import Option, PollKind, Target
    from store.core.connection import connect
    engine, sim, settings, db = live(sms="commands_per_hour = 1000")
    poll = make_poll(db, settings, target=Target.SCHOOL, kind=PollKind.SIGNUP, question="Dang ky xe dua don?",
                     options=(Option(1, "Tuyen 1", 5), Option(2, "Khong")))
    people = db.execute("SELECT DISTINCT r.guardian_id, g.phone FROM poll_recipients r JOIN guardians g "
                        "ON g.id = r.guardian_id WHERE r.poll_id = ? ORDER BY r.guardian_id", [poll.id]).fetchall()
    assert len(people) >= 50
    by_sms, by_web = people[:40], people[40:50]
    errors = []

    def texts(chunk):
        try:
            for _, phone in chunk:
                assert sim.push_mo(phone[1:], f"BC {poll.id} 1") == [0]
        except Exception as e:          # noqa: BLE001 - reported below
            errors.append(e)

    def web(chunk):
        own = connect(school_db_path)
        try:
            for gid, _ in chunk:
                poll_answers.answer(own, polls.get(own, poll.id), gid, 1, source="web")
        except Exception as e:          # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            own.close()

    threads = [threading.Thread(target=texts, args=(by_sms[i::8],)) for i in range(8)]
    threads.append(threading.Thread(target=web, args=(by_web,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    wait_until(lambda: db.execute("SELECT count(*) FROM inbox WHERE state = 'received'").fetchone()[0] == 0, 60)
    places = dict(db.execute("SELECT place, count(*) FROM poll_answers WHERE poll_id = ? GROUP BY place",
                             [poll.id]).fetchall())
    children = db.execute("SELECT count(*) FROM poll_recipients WHERE poll_id = ? AND guardian_id IN (%s)"
                          % ",".join(str(g) for g, _ in people[:50]), [poll.id]).fetchone()[0]
    assert places["confirmed"] == 5 and places["confirmed"] + places["waiting"] == children
    confirmed = db.execute("SELECT g.phone FROM poll_answers a JOIN guardians g ON g.id = a.guardian_id WHERE "
                           "a.poll_id = ? AND a.place = 'confirmed' ORDER BY a.id LIMIT 1", [poll.id]).fetchone()[0]
    first_waiting = db.execute("SELECT g.phone FROM poll_answers a JOIN guardians g ON g.id = a.guardian_id WHERE "
                               "a.poll_id = ? AND a.place = 'waiting' ORDER BY a.id LIMIT 1", [poll.id]).fetchone()[0]
    assert sim.push_mo(confirmed[1:], f"BC {poll.id} 0") == [0]          # a place freed by SMS
    wait_until(lambda: any(s["text"].startswith("Da co cho: Tuyen 1") for s in sim.submits(dest=first_waiting[1:])),
               20)
    assert db.execute("SELECT g.phone FROM poll_answers a JOIN guardians g ON g.id = a.guardian_id WHERE "
                      "a.poll_id = ? AND a.place = 'confirmed'", [poll.id]).fetchall().count((first_waiting,)) >= 1
    assert db.execute("SELECT count(*) FROM poll_answers WHERE poll_id = ? AND place = 'confirmed'",
                      [poll.id]).fetchone()[0] == 5
