"""Staff and parent login: passwords, CSRF, rate limit, MK password setting, sessions."""
from __future__ import annotations

from store.school import otp
from store.school.phones import normalise

from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, post_form


def test_staff_login_reaches_the_staff_pages_and_a_wrong_password_does_not(client, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    assert client.get("/staff/").status_code == 302
    bad = login_staff(client, "co.lan", "wrong-password")
    assert bad.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in bad.get_data(as_text=True)
    ok = login_staff(client, "co.lan")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200


def test_a_form_without_its_csrf_token_is_refused(client, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    client.get("/login")
    r = client.post("/login", data={"login": "co.lan", "password": STAFF_PASSWORD})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = client.post("/login", data={"login": "co.lan", "password": STAFF_PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 400


def test_five_failures_lock_the_login_for_a_while(client, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    for _ in range(5):
        assert login_staff(client, "co.lan", "nope-nope-nope").status_code == 401
    r = login_staff(client, "co.lan")                   # even the right password now
    assert r.status_code == 429 and "Đăng nhập sai quá nhiều lần" in r.get_data(as_text=True)


def test_an_open_redirect_after_login_is_ignored(client, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    client.get("/login")
    r = client.post("/login?next=//evil.example/", data={"login": "co.lan", "password": STAFF_PASSWORD,
                                                        "csrf_token": csrf_of(client)})
    assert r.headers["Location"].endswith("/staff/")


def test_a_parent_sets_a_password_with_an_mk_code_then_logs_in(client, school_db):
    phone = normalise("0912345678")
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()[0]
    code = otp.issue(school_db, gid, 600)
    r = post_form(client, "/parent/password", {"phone": "0912 345 678", "code": "000000" if code != "000000"
                                                else "111111", "password": "mat-khau-1"})
    assert r.status_code == 400 and "mã sai, đã dùng hoặc đã hết hạn" in r.get_data(as_text=True)
    r = post_form(client, "/parent/password", {"phone": "0912345678", "code": code, "password": "mat-khau-1"})
    assert r.status_code == 302
    r = post_form(client, "/parent/password", {"phone": "0912345678", "code": code, "password": "other-pass"})
    assert r.status_code == 400, "a code works once"
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert post_form(client, "/parent/login", {"phone": "+84912345678", "password": "bad-pass"}).status_code == 401
    r = post_form(client, "/parent/login", {"phone": "84912345678", "password": "mat-khau-1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/parent/")


def test_a_stranger_or_a_bad_number_gets_no_hint_of_who_is_registered(client):
    r = post_form(client, "/parent/password", {"phone": "0911111119", "code": "123456", "password": "mat-khau-1"})
    assert r.status_code == 400 and "mã sai, đã dùng hoặc đã hết hạn" in r.get_data(as_text=True)
    r = post_form(client, "/parent/login", {"phone": "12ab", "password": "x"})
    assert r.status_code == 400 and "không phải số di động Việt Nam" in r.get_data(as_text=True)


def test_staff_log_in_and_out_in_a_real_browser(page, live_server, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    page.goto(f"{live_server}/staff/")
    assert page.url.startswith(f"{live_server}/login")
    page.fill("input[name=login]", "co.lan")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "Sai tên đăng nhập hoặc mật khẩu" in page.inner_text("[role=alert]")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")
    page.click("text=Đăng xuất")
    page.wait_for_url(f"{live_server}/login")


def test_redirect_targets_that_a_browser_would_read_as_another_site_are_refused(client, make_staff):
    make_staff("co.lan", "admin", school="THCS-DD")
    for target in ("//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "https://evil.example"):
        client.get("/logout")
        with client.session_transaction() as s:
            s.clear()
        client.get("/login")
        r = client.post("/login", query_string={"next": target},
                        data={"login": "co.lan", "password": STAFF_PASSWORD, "csrf_token": csrf_of(client)})
        assert r.status_code == 302 and r.headers["Location"].endswith("/staff/"), target


def test_a_new_password_ends_every_other_session_of_that_parent(web_app, school_db):
    phone = normalise("0912345678")
    gid = school_db.execute("SELECT id FROM guardians WHERE phone = ?", [phone]).fetchone()[0]
    first, second = web_app.test_client(), web_app.test_client()
    code = otp.issue(school_db, gid, 600)
    post_form(first, "/parent/password", {"phone": "0912345678", "code": code, "password": "mat-khau-1"})
    assert first.get("/parent/").status_code == 200
    code = otp.issue(school_db, gid, 600)
    post_form(second, "/parent/password", {"phone": "0912345678", "code": code, "password": "mat-khau-2"})
    assert second.get("/parent/").status_code == 200
    assert first.get("/parent/").status_code == 302, "the old password's session is over"


def test_the_staff_menu_shows_each_role_only_the_pages_it_may_open(client, make_staff):
    login_staff(client, make_staff("gv.lan", "teacher", school="THCS-DD", classes=("8A2",)))
    teacher_menu = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/delivery"' in teacher_menu and 'href="/staff/imports"' not in teacher_menu
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    assert 'href="/staff/imports"' in client.get("/staff/").get_data(as_text=True)


def test_parallel_guesses_cannot_pass_the_limit(web_app, make_staff):
    """Each attempt is counted before the password is checked: ten clients at once get five tries in all."""
    import threading
    make_staff("co.lan", "admin", school="THCS-DD")
    codes, clients = [], [web_app.test_client() for _ in range(10)]
    for c in clients:
        c.get("/login")
    barrier = threading.Barrier(len(clients))

    def guess(c):
        barrier.wait()
        codes.append(c.post("/login", data={"login": "co.lan", "password": "guess-guess-1",
                                            "csrf_token": csrf_of(c)}).status_code)

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [401] * 5 + [429] * 5


def test_the_front_door_leads_parents_and_staff_to_their_login(client, make_staff):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/parent/login"' in html and 'href="/login"' in html
    login_staff(client, make_staff("co.lan", "admin", school="THCS-DD"))
    assert client.get("/").headers["Location"].endswith("/staff/")
