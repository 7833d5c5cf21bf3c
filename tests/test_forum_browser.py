"""The forum in headless Chromium at a phone's size: a guardian, a teacher and a moderator, and hostile posts.

A guardian opens a topic (held: it carries a phone number), the moderator
approves it, the homeroom teacher replies, the guardian follows, the teacher
closes the topic; a guardian of another class cannot open it, nor a staff
room. Posts full of markup, scripts, control and direction characters are
stored and shown as text: no dialog ever opens, no injected element exists.
"""
from __future__ import annotations

import re

from store.community import rooms
from store.community.forum_rules import RoomKind
from store.core.clock import local_today, school_year_of

from .fixtures_parents import PASSWORD, set_password
from .fixtures_web import STAFF_PASSWORD, nav_click

PHONE = {"width": 390, "height": 844}
HOSTILE = ('<script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2">'
           '<a href="javascript:window.__pwned=3">bấm</a> \u202eRTL\u202c \x07 '
           '<svg onload="window.__pwned=4"></svg>' + " dài" * 2400)


def _room_ids(db, settings) -> tuple[int, int]:
    year = school_year_of(local_today(settings.sms.timezone))
    school, cls = db.execute("SELECT c.school_id, c.id FROM classes c JOIN schools s ON s.id = c.school_id "
                             "WHERE s.code = 'THCS-DD' AND c.name = '8A2' ORDER BY c.school_year DESC").fetchone()
    parents = rooms.ensure(db, school, RoomKind.CLASS_PARENTS, year, class_id=cls)
    staff = rooms.ensure(db, school, RoomKind.CLASS_STAFF, year, class_id=cls)
    return parents.id, staff.id


def _login_parent(page, base, phone):
    page.goto(f"{base}/parent/login")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/parent/")


def _login_staff(page, base, login):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/.*"))


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_guardian_teacher_and_moderator_post_hold_approve_reply_follow_close(chromium, live_server, school_db,
                                                                           sms_settings, make_staff):
    parents_room, staff_room = _room_ids(school_db, sms_settings)
    set_password(school_db, "0912345678")
    set_password(school_db, "0987654321")
    make_staff("gv-8a2", "teacher", "THCS-DD", ("8A2",))
    make_staff("kd-dd", "reviewer", "THCS-DD")
    guardian = chromium.new_context(viewport=PHONE).new_page()
    _login_parent(guardian, live_server, "0912 345 678")
    nav_click(guardian, "header nav a[href='/forum/']")
    guardian.click("text=Phụ huynh lớp 8A2")
    _fits(guardian)
    guardian.fill("input[name=title]", "Lịch họp phụ huynh")
    guardian.fill("textarea[name=body]", "Họp 19h thứ Sáu được không ạ? Gọi em 0912 345 678")
    guardian.click("#new-topic button[type=submit]")
    guardian.wait_for_url(re.compile(r".*/forum/topic/\d+$"))
    assert "giữ lại chờ duyệt (có số điện thoại)" in guardian.inner_text("main")
    topic_url = guardian.url
    _fits(guardian)

    moderator = chromium.new_context(viewport=PHONE).new_page()
    _login_staff(moderator, live_server, "kd-dd")
    moderator.goto(f"{live_server}/forum/moderation/")
    assert "Bị giữ lại: có số điện thoại" in moderator.inner_text("main")
    _fits(moderator)
    moderator.click("button[value=approve]")
    assert "Đã duyệt bài." in moderator.inner_text("main")

    teacher = chromium.new_context(viewport=PHONE).new_page()
    _login_staff(teacher, live_server, "gv-8a2")
    teacher.goto(topic_url)
    teacher.fill("#reply-form textarea", "Cô xác nhận: 19h thứ Sáu, phòng 203.")
    teacher.click("#reply-form button[type=submit]")
    assert "Cô xác nhận" in teacher.inner_text("main")

    guardian.goto(topic_url)
    assert "Cô xác nhận: 19h thứ Sáu" in guardian.inner_text("main")
    assert "đang chờ duyệt" not in guardian.inner_text("main")
    guardian.click("#follow")          # the author already follows: the button stops it
    assert "Đã bỏ theo dõi." in guardian.inner_text("main")
    guardian.click("#follow")
    assert "Đã theo dõi" in guardian.inner_text("main")

    teacher.goto(topic_url)
    teacher.click("#close")
    assert "Đã khóa chủ đề" in teacher.inner_text("main")
    guardian.goto(topic_url)
    assert guardian.locator("#reply-form").count() == 0 and "Đã khóa" in guardian.inner_text("main")

    other = chromium.new_context(viewport=PHONE).new_page()
    _login_parent(other, live_server, "0987 654 321")
    for url in (topic_url, f"{live_server}/forum/room/{parents_room}", f"{live_server}/forum/room/{staff_room}"):
        response = other.goto(url)
        assert response.status == 404, url
    for p in (guardian, moderator, teacher, other):
        p.context.close()


def test_hostile_posts_are_stored_and_shown_as_text_never_run(chromium, live_server, school_db, sms_settings,
                                                            make_staff):
    parents_room, _ = _room_ids(school_db, sms_settings)
    set_password(school_db, "0912345678")
    make_staff("kd-dd", "reviewer", "THCS-DD")
    dialogs = []
    guardian = chromium.new_context(viewport=PHONE).new_page()
    guardian.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login_parent(guardian, live_server, "0912 345 678")
    guardian.goto(f"{live_server}/forum/room/{parents_room}")
    guardian.fill("input[name=title]", '<img src=x onerror="alert(9)">')
    guardian.evaluate("([sel, v]) => { const t = document.querySelector(sel); t.removeAttribute('maxlength'); "
                      "t.value = v; }", ["#new-topic textarea", HOSTILE])
    guardian.click("#new-topic button[type=submit]")
    guardian.wait_for_url(re.compile(r".*/forum/topic/\d+$"))
    topic_url = guardian.url
    moderator = chromium.new_context(viewport=PHONE).new_page()
    moderator.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login_staff(moderator, live_server, "kd-dd")
    moderator.goto(f"{live_server}/forum/moderation/")
    moderator.click("button[value=approve]")
    for p in (guardian, moderator):
        p.goto(topic_url)
        body = p.inner_text("article.post .body")
        assert "<script>window.__pwned=1;alert(1)</script>" in body
        assert p.evaluate("window.__pwned === undefined")
        assert p.locator("article.post .body script, article.post .body img, article.post .body svg").count() == 0
        assert p.locator("article.post .body a").count() == 0, "javascript: is never a link"
        assert "\u202e" not in body and "\x07" not in body
        assert p.inner_text("#title").startswith("F") and "<img src=x" in p.inner_text("#title")
        _fits(p)
    stored = school_db.execute("SELECT body FROM forum_posts ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert stored.startswith("<script>window.__pwned=1") and len(stored) > 7000
    assert dialogs == []
    for p in (guardian, moderator):
        p.context.close()
