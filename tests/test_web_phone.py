"""Every page at phone size (390×844) in Chromium: nothing wider than the screen, the menu opens, the
parent's digest switch and links are on screen, no inline style or script (the CSP forbids them).

With SLL_SCREENSHOTS=DIR set, the same walk saves a PNG of each page (phone and 1280×800) into DIR:
`SLL_SCREENSHOTS=docs/screens ./dev test tests/test_web_phone.py` makes the README's pictures.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from outbox import messages
from store.messaging import teacher_messages

from .fixtures_parents import PASSWORD, set_password
from .fixtures_review import student
from .fixtures_web import STAFF_PASSWORD
from .test_web_reports import add_message, fail_on_submit
from .test_web_review import import_pending

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = os.environ.get("SLL_SCREENSHOTS")

MEASURE = """() => ({
  width: document.documentElement.scrollWidth, screen: window.innerWidth,
  styled: document.querySelectorAll('[style]').length, styles: document.querySelectorAll('style').length,
  inline: [...document.querySelectorAll('script')].filter(s => !s.src).length,
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
  school: (document.getElementById('school-name') || {}).textContent || ''
})"""


@pytest.fixture
def site(school_db, web_settings, make_staff, tmp_path):
    """Something on every page: today's messages with failures, pending scores, a GV text, accounts."""
    s = web_settings
    add_message(school_db, s, "0912345678", "THCS-DD", "DD900001")
    fail_on_submit(school_db, s, "0912345678", "THCS-DD", "DD900001")
    nam, c7a1, dd = student(school_db, "DD900002")
    lan = school_db.execute("SELECT id FROM guardians WHERE phone = '+84987654321'").fetchone()[0]
    failed = messages.enqueue(school_db, s, phone="+84987654321", body="Le Hoang Nam 7A1 vang HK1: 0", kind="reply",
                              school_id=dd, class_id=c7a1, student_id=nam, guardian_id=lan)
    school_db.execute("UPDATE messages SET state = 'undeliverable', reason = 'receipt UNDELIV err:001' WHERE id = ?",
                      [failed])
    import_pending(school_db, tmp_path, [("DD900001", "TOAN", 1, "9"), ("DD900002", "TOAN", 1, "6.5")])
    hoa, c8a2, dd = student(school_db, "DD900001")
    hung = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    teacher_messages.create(school_db, "NGHI", school_id=dd, class_id=c8a2, student_id=hoa, guardian_id=hung,
                            body="Cháu bị sốt, xin phép cô cho cháu nghỉ hôm nay ạ")
    make_staff("vh", "operator")
    make_staff("ad.dd", "admin", school="THCS-DD")
    make_staff("gv.cn", "teacher", school="THCS-DD", classes=("8A2",))
    set_password(school_db, "0912345678")
    school_db.conn.commit()
    return school_db


def _check(page, url: str, name: str, *, school: str | None = None) -> dict:
    page.goto(url)
    m = page.evaluate(MEASURE)
    assert m["width"] <= m["screen"], f"{name}: {m['width']} px wide on a {m['screen']} px screen"
    assert (m["styled"], m["styles"], m["inline"], m["handlers"]) == (0, 0, 0, 0), f"{name}: inline code {m}"
    if school:
        assert school in m["school"], f"{name}: school name missing ({m['school']!r})"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-phone.png"), full_page=True)
    return m


def _desktop_shot(chromium, cookies, url: str, name: str) -> None:
    if not SHOTS:
        return
    context = chromium.new_context(viewport=DESKTOP)
    context.add_cookies(cookies)
    pg = context.new_page()
    pg.goto(url)
    pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
    context.close()


def _login(page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def test_public_pages_fit_a_phone(phone, live_server, site):
    for path, name in (("/", "home"), ("/login", "login"), ("/parent/login", "parent-login"),
                       ("/parent/password", "parent-password"), ("/khong-co", "404")):
        _check(phone, live_server + path, name)
    assert "Không tìm thấy" in phone.inner_text("main") and phone.locator("main a.button").count() == 1


def test_every_staff_page_fits_a_phone_and_the_menu_opens(phone, live_server, site, chromium):
    _login(phone, live_server, "ad.dd")
    school = "Trường THCS Đống Đa"
    nav = phone.locator("header nav")
    assert not nav.is_visible()
    phone.click("label.menu-button")
    assert nav.is_visible() and phone.locator("header nav").get_by_role("link", name="Duyệt", exact=True).is_visible()
    pages = [("/staff/", "staff-home"), ("/staff/delivery", "delivery"), ("/staff/inbox", "inbox"),
             ("/staff/approvals", "approvals"), ("/staff/messages", "teacher-messages"),
             ("/staff/announce", "announce"), ("/staff/announce/sent", "announce-sent"),
             ("/staff/imports", "imports"), ("/staff/overview", "overview"),
             ("/staff/entry", "entry"), ("/staff/school", "school-settings")]
    for path, name in pages:
        _check(phone, live_server + path, name, school=school)
        _desktop_shot(chromium, phone.context.cookies(), live_server + path, name)
    phone.goto(f"{live_server}/staff/approvals")
    group = phone.locator("a", has_text="Xem từng dòng").first.get_attribute("href")
    _check(phone, live_server + group, "approval-group", school=school)
    lan = site.execute("SELECT id FROM guardians WHERE phone = '+84987654321'").fetchone()[0]
    _check(phone, f"{live_server}/staff/guardians/{lan}/number", "fix-number", school=school)
    _desktop_shot(chromium, phone.context.cookies(), f"{live_server}/staff/guardians/{lan}/number", "fix-number")
    phone.goto(f"{live_server}/staff/delivery")
    assert "không đến được" in phone.inner_text("#counts")        # states in Vietnamese
    _check(phone, f"{live_server}/staff/delivery/999999/resend", "405", school=school)


def test_the_grade_book_fits_a_phone(phone, live_server, site, chromium):
    _login(phone, live_server, "gv.cn")
    phone.goto(f"{live_server}/staff/entry")
    phone.select_option("select[name=class]", label="THCS-DD · 8A2")      # the script submits the form
    phone.wait_for_selector("select[name=subject] option[value=TOAN]", state="attached")
    phone.select_option("select[name=subject]", "TOAN")
    phone.click("text=Mở sổ điểm")
    phone.wait_for_selector("#book")
    _check(phone, phone.url, "gradebook", school="Trường THCS Đống Đa")
    _desktop_shot(chromium, phone.context.cookies(), phone.url, "gradebook")


def test_every_parent_page_fits_a_phone_with_the_digest_switch_on_screen(phone, live_server, site, chromium):
    phone.goto(f"{live_server}/parent/login")
    phone.fill("input[name=phone]", "0912 345 678")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server}/parent/")
    both = "Trường THCS Đống Đa"
    pages = [("/parent/", "parent-home"), ("/parent/child/DD900001", "parent-child"),
             ("/parent/child/DD900001?term=CN", "parent-year"), ("/parent/child/DD900001/week", "parent-week"),
             ("/parent/child/CVA900001", "parent-child2"), ("/parent/child/XX000000", "parent-404")]
    for path, name in pages:
        _check(phone, live_server + path, name, school=both)
        _desktop_shot(chromium, phone.context.cookies(), live_server + path, name)
    phone.goto(f"{live_server}/parent/child/DD900001")
    switch = phone.locator("form.digest button").first
    box = switch.bounding_box()
    assert switch.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    link = phone.locator("a", has_text="Điểm theo tuần")
    if link.count():
        lb = link.first.bounding_box()
        assert lb["x"] + lb["width"] <= PHONE["width"]
