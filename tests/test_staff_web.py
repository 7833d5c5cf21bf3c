"""The accounts and API tokens pages and the first login (SPEC §12), with the client and in Chromium."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from store.school import users
from store.core.clock import local_today
from demo.staff import SHOWCASE_TEACHER

from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, post_form, nav_click

TEACHER_LOGIN = "dd-gv001.thcs-dd"


@pytest.fixture
def admin(client, make_staff):
    make_staff("ad.dd", "admin", "THCS-DD")
    login_staff(client, "ad.dd")
    return client


def _uid(db, login):
    return db.execute("SELECT id FROM users WHERE login = ?", [login]).fetchone()[0]


def _post(client, url, data=None):
    """POST after a GET of the staff home (a fresh login's session has no CSRF token yet)."""
    client.get("/staff/")
    return client.post(url, data={**(data or {}), "csrf_token": csrf_of(client)})


def _otp_bodies(db, phone):
    return [r[0] for r in db.execute("SELECT body FROM messages WHERE kind = 'otp' AND phone = ?", [phone])]


def _audit_text(db) -> str:
    return " ".join(str(r) for r in db.execute("SELECT actor, action, detail FROM audit_log"))


def test_admin_lists_and_searches_their_schools_accounts(admin):
    page = admin.get("/staff/accounts").get_data(as_text=True)
    assert TEACHER_LOGIN in page and "cva-gv" not in page and "chờ đặt mật khẩu" in page
    found = admin.get("/staff/accounts?q=Thu+Hà").get_data(as_text=True)
    assert TEACHER_LOGIN in found and "dd-gv101.thcs-dd" not in found
    by_phone = admin.get("/staff/accounts?q=0911222333").get_data(as_text=True)
    assert TEACHER_LOGIN in by_phone and "09xxxx2333" in by_phone and by_phone.count("0911222333") == 1  # the box


def test_adding_with_a_phone_texts_the_code_and_never_shows_it(admin, school_db):
    response = post_form(admin, "/staff/accounts", {"code": "GV900", "full_name": "Đỗ Minh Tâm",
                                                    "phone": "0913 999 888", "position": "gv"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã gửi mã đăng nhập qua SMS tới 09xxxx9888" in html
    [body] = _otp_bodies(school_db, "+84913999888")
    code = re.search(r": (\d{6}) ", body).group(1)
    assert code not in html and code not in _audit_text(school_db)
    assert response.headers["Cache-Control"] == "no-store"
    assert "web:account-add" in _audit_text(school_db) and "ad.dd" in _audit_text(school_db)
    assert school_db.execute("SELECT role FROM users WHERE login = 'gv900.thcs-dd'").fetchone() == ("teacher",)


def test_adding_without_a_phone_shows_the_code_once_and_it_sets_the_password(admin, client, school_db):
    html = post_form(admin, "/staff/accounts", {"code": "GV901", "full_name": "Vũ Thị Nga",
                                                "position": "dieu_phoi"}).get_data(as_text=True)
    code = re.search(r'id="shown-code">(\d{8})<', html).group(1)
    uid = _uid(school_db, "gv901.thcs-dd")
    assert code not in admin.get(f"/staff/accounts/{uid}").get_data(as_text=True)
    assert code not in _audit_text(school_db)
    admin.post("/logout", data={"csrf_token": csrf_of(admin)})
    bad = post_form(client, "/staff/first-login", {"login": "gv901.thcs-dd", "code": "00000000",
                                                   "password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"})
    assert bad.status_code == 400 and "mã sai" in bad.get_data(as_text=True)
    ok = post_form(client, "/staff/first-login", {"login": "gv901.thcs-dd", "code": code,
                                                  "password": "mat-khau-moi-1", "password2": "mat-khau-moi-1"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    again = post_form(client, "/staff/first-login", {"login": "gv901.thcs-dd", "code": code,
                                                     "password": "mat-khau-khac-2", "password2": "mat-khau-khac-2"})
    assert again.status_code == 400                                   # single use
    assert users.check_login(school_db, "gv901.thcs-dd", "mat-khau-moi-1")["role"] == "reviewer"


def test_reset_ends_the_old_password_and_texts_a_new_code(admin, web_app, school_db):
    uid = _uid(school_db, TEACHER_LOGIN)
    users.set_password(school_db, uid, STAFF_PASSWORD)
    teacher = web_app.test_client()
    login_staff(teacher, TEACHER_LOGIN)
    assert teacher.get("/staff/").status_code == 200
    html = _post(admin, f"/staff/accounts/{uid}/reset").get_data(as_text=True)
    assert "Đã gửi mã đăng nhập qua SMS tới 09xxxx2333" in html
    assert users.check_login(school_db, TEACHER_LOGIN, STAFF_PASSWORD) is None
    assert teacher.get("/staff/").status_code == 302                 # the session open before the reset ends
    assert len(_otp_bodies(school_db, "+84911222333")) == 1
    assert "web:account-reset" in _audit_text(school_db)


def test_a_deactivated_teacher_is_logged_out_at_the_next_request(admin, web_app, school_db):
    uid = _uid(school_db, TEACHER_LOGIN)
    users.set_password(school_db, uid, STAFF_PASSWORD)
    teacher = web_app.test_client()
    login_staff(teacher, TEACHER_LOGIN)
    assert teacher.get("/staff/").status_code == 200
    _post(admin, f"/staff/accounts/{uid}/deactivate")
    assert teacher.get("/staff/").status_code == 302
    assert users.check_login(school_db, TEACHER_LOGIN, STAFF_PASSWORD) is None
    assert school_db.execute("SELECT active FROM staff WHERE user_id = ?", [uid]).fetchone() == (0,)
    _post(admin, f"/staff/accounts/{uid}/activate")
    assert users.check_login(school_db, TEACHER_LOGIN, STAFF_PASSWORD) is not None


def test_role_and_granted_classes_are_audited_and_change_the_scope(admin, web_app, school_db):
    uid = _uid(school_db, TEACHER_LOGIN)
    cls = school_db.execute("SELECT id FROM classes WHERE name = '9A1' AND school_id = "
                            "(SELECT id FROM schools WHERE code = 'THCS-DD')").fetchone()[0]
    _post(admin, f"/staff/accounts/{uid}/classes", {"class": str(cls)})
    assert school_db.execute("SELECT class_id FROM user_classes WHERE user_id = ?", [uid]).fetchall() == [(cls,)]
    _post(admin, f"/staff/accounts/{uid}/role", {"role": "reviewer"})
    assert school_db.execute("SELECT role FROM users WHERE id = ?", [uid]).fetchone() == ("reviewer",)
    refused = _post(admin, f"/staff/accounts/{uid}/role", {"role": "operator"})
    assert refused.status_code == 302 and school_db.execute("SELECT role FROM users WHERE id = ?",
                                                            [uid]).fetchone() == ("reviewer",)
    text = _audit_text(school_db)
    assert "web:account-classes" in text and "web:account-role" in text


def test_admins_reach_only_their_school_and_teachers_not_at_all(admin, client, school_db, make_staff, web_app):
    other = _uid(school_db, "cva-gv101.thpt-cva")
    assert admin.get(f"/staff/accounts/{other}").status_code == 404
    assert _post(admin, f"/staff/accounts/{other}/deactivate").status_code == 404
    make_staff("gv.x", "teacher", "THCS-DD")
    teacher = web_app.test_client()
    login_staff(teacher, "gv.x")
    assert teacher.get("/staff/accounts").status_code == 403 and teacher.get("/staff/tokens").status_code == 403


def test_operators_see_every_school(client, make_staff):
    make_staff("ops", "operator")
    login_staff(client, "ops")
    page = client.get("/staff/accounts").get_data(as_text=True)
    assert TEACHER_LOGIN in page and "cva-gv101.thpt-cva" in page
    assert "cva-gv101" not in client.get("/staff/accounts?school=THCS-DD").get_data(as_text=True)
    added = post_form(client, "/staff/accounts", {"school": "THPT-CVA", "code": "GV-OP1", "full_name": "Hà Văn Nam",
                                                  "position": "gv"})
    assert added.status_code == 200 and re.search(r'id="shown-code">\d{8}<', added.get_data(as_text=True))
    assert "gv-op1.thpt-cva" in client.get("/staff/accounts?school=THPT-CVA").get_data(as_text=True)
    assert post_form(client, "/staff/accounts", {"code": "GV-OP2", "full_name": "Hà Văn Bắc"}).status_code == 400


def test_tokens_page_shows_a_new_token_once_and_revokes(admin, client, school_db):
    html = post_form(admin, "/staff/tokens", {"scope": "delivery", "label": "so GD"}).get_data(as_text=True)
    secret = re.search(r'id="new-token">(sll_[^<]+)<', html).group(1)
    assert secret not in admin.get("/staff/tokens").get_data(as_text=True)
    assert secret not in _audit_text(school_db)
    day = local_today("Asia/Ho_Chi_Minh").isoformat()
    api = client.get(f"/api/v1/delivery?date={day}", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    token_id = school_db.execute("SELECT id, school_id FROM api_tokens").fetchone()
    assert token_id[1] == school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    _post(admin, f"/staff/tokens/{token_id[0]}/revoke")
    assert client.get(f"/api/v1/delivery?date={day}",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "web:token-add" in _audit_text(school_db) and "web:token-revoke" in _audit_text(school_db)


def test_first_login_is_rate_limited(client):
    for _ in range(5):
        post_form(client, "/staff/first-login", {"login": TEACHER_LOGIN, "code": "111111", "password": "x" * 12,
                                                 "password2": "x" * 12})
    last = post_form(client, "/staff/first-login", {"login": TEACHER_LOGIN, "code": "111111",
                                                    "password": "x" * 12, "password2": "x" * 12})
    assert last.status_code == 429


# -- in a browser ------------------------------------------------------------------------------------------------------
def _browser_login(page, base, login, password=STAFF_PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")


@pytest.mark.parametrize("size", [None, {"width": 390, "height": 844}])
def test_browser_admin_creates_resets_and_deactivates_an_account(page, live_server, make_staff, school_db, size):
    if size:
        page.set_viewport_size(size)
    make_staff("ad.dd", "admin", "THCS-DD")
    _browser_login(page, live_server, "ad.dd")
    nav_click(page, "header nav a[href='/staff/accounts']")
    page.fill("#add-code", "GV950")
    page.fill("#add-name", "Ngô Thanh Bình")
    page.click("#add")
    code = page.locator("#shown-code").inner_text()
    assert re.fullmatch(r"\d{8}", code)
    page.click("text=Xem tài khoản")
    assert page.locator("#state").inner_text() == "chờ đặt mật khẩu" and code not in page.content()
    page.click("#reset")
    new_code = page.locator("#shown-code").inner_text()
    assert new_code != code
    page.click("text=Xem tài khoản")
    page.click("#deactivate")
    assert page.locator("#state").inner_text() == "đã khoá"
    page.goto(f"{live_server}/staff/accounts?q=GV950")
    assert page.locator("#accounts tr[data-login='gv950.thcs-dd'] td.state").inner_text() == "đã khoá"


def test_browser_a_deactivated_teacher_is_out_at_the_next_click(chromium, live_server, make_staff, school_db):
    teacher_ctx, admin_ctx = chromium.new_context(), chromium.new_context()
    try:
        teacher, admin = teacher_ctx.new_page(), admin_ctx.new_page()
        uid = _uid(school_db, TEACHER_LOGIN)
        users.set_password(school_db, uid, STAFF_PASSWORD)
        _browser_login(teacher, live_server, TEACHER_LOGIN)
        make_staff("ad.dd", "admin", "THCS-DD")
        _browser_login(admin, live_server, "ad.dd")
        admin.goto(f"{live_server}/staff/accounts/{uid}")
        admin.click("#deactivate")
        assert admin.locator("#state").inner_text() == "đã khoá"
        teacher.goto(f"{live_server}/staff/entry")
        assert "/login" in teacher.url
    finally:
        teacher_ctx.close()
        admin_ctx.close()


def test_browser_a_teacher_sees_only_the_new_terms_classes(page, live_server, school_db, tmp_path):
    from store.imports import import_file

    from .fixtures_imports import write_xlsx
    today = local_today("Asia/Ho_Chi_Minh")
    year = school_db.execute("SELECT school_year FROM terms LIMIT 1").fetchone()[0]
    school_db.execute("UPDATE terms SET ends_on = ? WHERE term = 1", [(today - timedelta(days=1)).isoformat()])
    school_db.execute("UPDATE terms SET starts_on = ? WHERE term = 2", [today.isoformat()])
    uid = _uid(school_db, TEACHER_LOGIN)
    users.set_password(school_db, uid, STAFF_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    _browser_login(page, live_server, TEACHER_LOGIN)
    page.goto(f"{live_server}/staff/entry")
    before = page.locator("select[name=class] option").all_inner_texts()
    assert "THCS-DD · 8A2" in before and "THCS-DD · 9A1" not in before
    import_file(school_db, "assignments", write_xlsx(tmp_path / "hk2.xlsx", [
        ["BẢNG PHÂN CÔNG GIẢNG DẠY HỌC KỲ II"], [],
        ["Mã trường", "Năm học", "Học kỳ", "Mã cán bộ", "Lớp", "Môn học", "Chủ nhiệm"],
        ["THCS-DD", year, "HK2", SHOWCASE_TEACHER[0], "9A1", "TOAN", ""]]))
    page.goto(f"{live_server}/staff/entry")
    after = page.locator("select[name=class] option").all_inner_texts()
    assert [o for o in after if "·" in o] == ["THCS-DD · 9A1"]


def test_a_teachers_upload_sends_first_codes_and_shows_the_phoneless_once(admin, school_db, tmp_path):
    from .fixtures_imports import write_xlsx
    file = write_xlsx(tmp_path / "giaovien.xlsx", [
        ["DANH SÁCH CÁN BỘ"], [], ["Mã trường", "Mã cán bộ", "Họ và tên", "Số điện thoại", "Chức vụ"],
        ["THCS-DD", "GV-N1", "Đinh Văn Hải", "0916 111 222", "Giáo viên"],
        ["THCS-DD", "GV-N2", "Lại Thị Hồng", "", "Văn thư"]])
    admin.get("/staff/imports")
    with open(file, "rb") as fh:
        preview = admin.post("/staff/imports", data={"kind": "teachers", "file": (fh, "giaovien.xlsx"),
                                                     "csrf_token": csrf_of(admin)}, content_type="multipart/form-data")
    token = re.search(r'name="token" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    done = admin.post("/staff/imports/confirm", data={"token": token, "csrf_token": csrf_of(admin)})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and 'id="codes-sent">1 tài khoản mới' in html
    shown = re.findall(r'<td class="code">(\d{8})</td>', html)
    assert len(shown) == 1 and shown[0] not in _audit_text(school_db)
    [body] = _otp_bodies(school_db, "+84916111222")
    assert re.search(r": (\d{6}) ", body).group(1) not in html
    assert "gv-n2.thcs-dd" in html


def test_an_assignments_upload_shows_the_diff(admin, school_db, tmp_path):
    from .fixtures_imports import write_xlsx
    year = school_db.execute("SELECT school_year FROM terms LIMIT 1").fetchone()[0]
    file = write_xlsx(tmp_path / "pc.xlsx", [["Mã trường", "Năm học", "Học kỳ", "Mã cán bộ", "Lớp", "Môn học"],
                                              ["THCS-DD", year, "HK2", SHOWCASE_TEACHER[0], "9A1", "TOAN"]])
    admin.get("/staff/imports")
    with open(file, "rb") as fh:
        html = admin.post("/staff/imports", data={"kind": "assignments", "file": (fh, "pc.xlsx"),
                                                  "csrf_token": csrf_of(admin)},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="diff"' in html and "so với HK1" in html and "thôi (removed)" in html


def test_the_staff_home_shows_each_classes_day_for_the_coordinator(client, make_staff, school_db):
    from store.core.clock import now_iso
    make_staff("dp.dd", "reviewer", "THCS-DD")
    login_staff(client, "dp.dd")

    def comments_cell():
        html = client.get("/staff/").get_data(as_text=True)
        row = re.search(r'<tr data-class="8A2">(.*?)</tr>', html, re.S).group(1)
        assert "Nguyễn Thu Hà" in row
        entered, _, pending = re.search(r'data-kind="comments">([^<]*)<', row).group(1).partition(" / ")
        return int(entered), int(pending or 0), html
    entered, pending, _ = comments_cell()
    student = school_db.execute("SELECT s.id FROM students s WHERE s.code = 'DD900001'").fetchone()[0]
    school_db.execute("INSERT INTO comments (student_id, date, body, status, entered_by, entered_at) "
                      "VALUES (?, '2026-12-01', 'Tiến bộ', 'pending', 'gv', ?)", [student, now_iso()])
    *after, html = comments_cell()
    assert after == [entered + 1, pending + 1]
    assert '<tr data-class="9A2">' in html and "cva" not in re.search(r'id="round">(.*?)</table>', html, re.S).group(1)


def test_a_teachers_home_round_lists_only_their_classes(client, school_db):
    uid = _uid(school_db, TEACHER_LOGIN)
    users.set_password(school_db, uid, STAFF_PASSWORD)
    login_staff(client, TEACHER_LOGIN)
    html = client.get("/staff/").get_data(as_text=True)
    assert sorted(re.findall(r'<tr data-class="([^"]+)">', html)) == ["6A1", "6A2", "8A1", "8A2"]


def test_an_account_an_admin_locked_stays_locked_through_the_next_imports(admin, web_app, school_db, tmp_path):
    from store.imports import import_file

    from .fixtures_imports import write_xlsx
    uid = _uid(school_db, TEACHER_LOGIN)
    users.set_password(school_db, uid, STAFF_PASSWORD)
    _post(admin, f"/staff/accounts/{uid}/deactivate")
    code, name, phone = SHOWCASE_TEACHER[:3]
    year = school_db.execute("SELECT school_year FROM terms LIMIT 1").fetchone()[0]
    teachers = write_xlsx(tmp_path / "gv.xlsx", [["Mã trường", "Mã cán bộ", "Họ và tên", "Số điện thoại", "Chức vụ"],
                                                  ["THCS-DD", code, name, phone, "Giáo viên"]])
    rows = write_xlsx(tmp_path / "pc.xlsx", [["Mã trường", "Năm học", "Học kỳ", "Mã cán bộ", "Lớp", "Môn học"],
                                              ["THCS-DD", year, "HK2", code, "9A1", "TOAN"]])
    report = import_file(school_db, "teachers", teachers)
    assert report.counts["locked"] == 1
    assert [str(n) for n in report.notes] == [f"dòng 2: tài khoản của {code} bị ad.dd khoá ở trang Tài khoản: "
                                              "vẫn khoá (mở lại ở trang đó)"]
    assert users.check_login(school_db, TEACHER_LOGIN, STAFF_PASSWORD) is None
    assert school_db.execute("SELECT active FROM staff WHERE user_id = ?", [uid]).fetchone() == (0,)
    assert import_file(school_db, "assignments", rows).inserted == 1      # the timetable still names them: kept
    _post(admin, f"/staff/accounts/{uid}/activate")
    assert "locked" not in import_file(school_db, "teachers", teachers).counts
    assert users.check_login(school_db, TEACHER_LOGIN, STAFF_PASSWORD) is not None
