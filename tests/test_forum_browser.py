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


def _hoas_thread(db, settings) -> int:
    """The staff thread about Hoa (8A2), whose guardian is 0912345678."""
    hoa = db.execute("SELECT id FROM students WHERE code = 'DD900001'").fetchone()[0]
    school = db.execute("SELECT school_id FROM enrollments e JOIN classes c ON c.id = e.class_id "
                        "WHERE e.student_id = ?", [hoa]).fetchone()[0]
    return rooms.ensure(db, school, RoomKind.PUPIL, school_year_of(local_today(settings.sms.timezone)),
                        student_id=hoa).id


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

    pupil_room = _hoas_thread(school_db, sms_settings)
    for url in (f"{live_server}/forum/room/{staff_room}", f"{live_server}/forum/room/{pupil_room}"):
        assert guardian.goto(url).status == 404, "not even the thread about their own child"
    other = chromium.new_context(viewport=PHONE).new_page()
    _login_parent(other, live_server, "0987 654 321")
    for url in (topic_url, f"{live_server}/forum/room/{parents_room}", f"{live_server}/forum/room/{staff_room}",
                f"{live_server}/forum/room/{pupil_room}"):
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


_VECTORS = ('<script>window.__pwned="s"</script>', '<img src=x onerror=window.__pwned="i">',
            '<svg/onload=window.__pwned="v">', '"><script>window.__pwned="q"</script>',
            "'><b onmouseover=window.__pwned='m'>x</b>", '<a href="javascript:window.__pwned=\'j\'">j</a>',
            'javascript:window.__pwned="k"', 'https://truong.vn/a?b=1&c=<script>window.__pwned="u"</script>',
            'https://x.vn/"onmouseover="window.__pwned=\'h\'" x="', '<iframe srcdoc="<script>parent.__pwned=1</script>">',
            '<math><mi xlink:href="javascript:window.__pwned=1">x</mi></math>', '<style>body{display:none}</style>',
            '<!--', '-->', '&lt;script&gt;', '<details open ontoggle=window.__pwned="d">', '{{7*7}}', '${7*7}',
            '<body onload=window.__pwned="b">', '<form action=javascript:window.__pwned="a"><button>x</button></form>',
            'http://a.vn/x?y=<z>', '<a href=https://ok.vn onclick=window.__pwned="c">ok</a>', '</div></article><p>',
            '<base href="javascript:/">', '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">')
_CHARS = ([chr(c) for c in range(32) if c not in (9, 10)] + ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068",
          "\u2069", "\u200e", "\u200f", "\u061c", "\ufeff", "\u200b", "\x7f", "\u0085"] +
          ["Họp phụ huynh ", "điểm ", "😀", "مرحبا", "\n", "\t", "  ", "&amp;", "<", ">", '"', "'"])


def _fuzzed(rng, count: int):
    """``count`` (title, body) pairs of hostile markup and characters; the last body is exactly MAX_BODY long."""
    from store.community.forum_rules import MAX_BODY, MAX_TITLE, clean, one_line
    out = []
    for i in range(count):
        parts = [rng.choice(_VECTORS) if rng.random() < 0.5 else rng.choice(_CHARS) for _ in range(rng.randint(3, 40))]
        body = clean("".join(parts) + " a", limit=10 ** 6, what="")
        if i == count - 1:
            body = (body + " dài" * MAX_BODY)[:MAX_BODY]
        title = one_line("".join(rng.choice(_VECTORS + tuple(_CHARS)) for _ in range(4)) + " t", limit=10 ** 6,
                         what="")[:MAX_TITLE].strip()
        out.append((title, body))
    return out


def test_fuzzed_posts_are_shown_as_the_text_stored_and_nothing_runs(chromium, live_server, school_db, sms_settings):
    import random
    from store.community import moderation, posts
    from store.community.forum_rules import PostStatus
    parents_room, _ = _room_ids(school_db, sms_settings)
    set_password(school_db, "0912345678")
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    room = rooms.get(school_db, parents_room)
    topics = []
    for title, body in _fuzzed(random.Random(20261201), 24):
        written = posts.create_topic(school_db, rooms.Viewer(guardian_id=gid), room, title, body)
        if written.status is not PostStatus.APPROVED:
            moderation.decide(school_db, written.post_id, PostStatus.APPROVED, by="kd-dd", school_id=room.school_id)
        topics.append((written.topic_id, title, body))
    assert max(len(b) for *_, b in topics) == 10_000
    stored = dict(school_db.execute("SELECT topic_id, body FROM forum_posts").fetchall())
    assert all(stored[t] == body for t, _, body in topics), "stored exactly as cleaned"
    dialogs = []
    page = chromium.new_context(viewport=PHONE).new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login_parent(page, live_server, "0912 345 678")
    page.goto(f"{live_server}/forum/room/{parents_room}")
    assert page.evaluate("window.__pwned === undefined")
    for topic_id, title, body in topics:
        page.goto(f"{live_server}/forum/topic/{topic_id}")
        tags = page.evaluate("[...document.querySelectorAll('article.post .body *')].map(e => e.tagName + ' ' + "
                             "(e.getAttribute('href') || '') + ' ' + e.attributes.length)")
        assert all(t.startswith("BR") or re.match(r"A https?://\S* 2$", t) for t in tags), (topic_id, tags)
        shown = page.inner_text("article.post .body")
        assert " ".join(shown.split()) == " ".join(body.split()), topic_id
        assert " ".join(page.inner_text("#title").split()) == " ".join(f"F{topic_id} · {title}".split())
        assert page.evaluate("window.__pwned === undefined && document.querySelectorAll('iframe, script:not([src]):"
                             "not([nonce]), style:not([nonce])').length === 0"), topic_id
    assert dialogs == []
    page.context.close()
