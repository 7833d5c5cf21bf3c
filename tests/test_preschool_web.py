"""Kindergarten staff pages: the exception-first daily grid (all or nothing, approval setting), pickups (DON),
and the grid in headless Chromium at 390×844: a class of 30 with 3 exceptions in at most 10 actions."""
from __future__ import annotations

from datetime import timedelta

import pytest

import settings as settings_mod
from store.school import users
from store.preschool import notes, pickups
from store.rules.preschool import Amount

from .conftest import write_config
from .fixtures_web import STAFF_PASSWORD, login_staff, menu_labels, post_form


@pytest.fixture
def web_settings(tmp_path, kindergarten, redis_url, redis_prefix):
    """The web app on the kindergarten fixture's database (overrides fixtures_web's secondary school)."""
    cfg = write_config(tmp_path / "web.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n',
                       db_path=tmp_path / "sll.db")
    return settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "test-secret-key-of-at-least-32-bytes"})


def _teacher(db, login="co.hanh", role="teacher", classes=("LA1",)):
    users.add_user(db, login, role, STAFF_PASSWORD, school_code="MN-HM", class_names=list(classes))
    return login


def _ids(db):
    la1 = db.execute("SELECT id FROM classes WHERE name = 'LA1'").fetchone()[0]
    kids = dict(db.execute("SELECT code, id FROM students").fetchall())
    return la1, kids


def test_grid_saves_the_class_as_usual_plus_exceptions_pending(client, kindergarten):
    db, day = kindergarten.db, kindergarten.friday
    la1, kids = _ids(db)
    login_staff(client, _teacher(db))
    url = f"/staff/mn/nhatky?class={la1}&day={day.isoformat()}"
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="kid') == 3 and "bình thường" in page
    form = {"class": la1, "day": day.isoformat(), **{f"row-{i}": "1" for c, i in kids.items() if c != "MN04"},
            f"anit-{kids['MN01']}": "1", f"nhac-{kids['MN02']}": "ta", f"nx-{kids['MN03']}": "Con vẽ rất đẹp"}
    r = post_form(client, "/staff/mn/nhatky", form, get_from=url)
    assert r.status_code == 303
    rows = {r.code: r for r in notes.class_day(db, la1, kindergarten.year, day)}
    assert rows["MN01"].note.an is Amount.IT and rows["MN02"].note.nhac == ("ta",)
    assert rows["MN03"].note.nhan_xet == "Con vẽ rất đẹp" and {r.status for r in rows.values()} == {"pending"}
    assert notes.latest(db, kids["MN01"], day) is None


def test_one_bad_cell_saves_nothing_and_names_the_child(client, kindergarten):
    db, day = kindergarten.db, kindergarten.friday
    la1, kids = _ids(db)
    login_staff(client, _teacher(db))
    url = f"/staff/mn/nhatky?class={la1}&day={day.isoformat()}"
    form = {"class": la1, "day": day.isoformat(), **{f"row-{i}": "1" for c, i in kids.items() if c != "MN04"},
            f"anit-{kids['MN01']}": "1", f"p-{kids['MN02']}": "900"}
    r = post_form(client, "/staff/mn/nhatky", form, get_from=url)
    assert r.status_code == 400
    assert "Trần Thị Bình (MN02): số phút ngủ &#39;900&#39; không đúng" in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM daily_notes").fetchone()[0] == 0


def test_no_approval_setting_sends_notes_straight_to_parents(client, kindergarten):
    db, day = kindergarten.db, kindergarten.friday
    la1, kids = _ids(db)
    login_staff(client, _teacher(db, "hieu.truong", "admin", ()))
    url = f"/staff/mn/nhatky?class={la1}&day={day.isoformat()}"
    assert post_form(client, "/staff/mn/setting", {"school": "1", "need_approval": "0", "back": url},
                     get_from=url).status_code == 303
    post_form(client, "/staff/mn/nhatky", {"class": la1, "day": day.isoformat(), f"row-{kids['MN01']}": "1",
                                           f"vang-{kids['MN01']}": "1"}, get_from=url)
    assert notes.latest(db, kids["MN01"], day)[1].line() == "nghỉ học"


def test_the_days_dan_texts_are_on_the_grid(client, kindergarten):
    from store.messaging import teacher_messages
    from store.core.clock import local_today
    db = kindergarten.db
    la1, kids = _ids(db)
    gid = db.execute("SELECT id FROM guardians WHERE phone = '+84911000001'").fetchone()[0]
    teacher_messages.create(db, "DAN", school_id=1, class_id=la1, student_id=kids["MN01"], guardian_id=gid,
                            body="chau uong thuoc ho luc 10h")
    login_staff(client, _teacher(db))
    today = local_today("Asia/Ho_Chi_Minh").isoformat()
    html = client.get(f"/staff/mn/nhatky?class={la1}&day={today}").get_data(as_text=True)
    assert "Nguyễn Minh An (lời dặn): chau uong thuoc ho luc 10h" in html


def test_a_teacher_cannot_open_another_class_or_a_future_day(client, kindergarten):
    db = kindergarten.db
    login_staff(client, _teacher(db))
    mam1 = db.execute("SELECT id FROM classes WHERE name = 'MAM1'").fetchone()[0]
    assert client.get(f"/staff/mn/nhatky?class={mam1}").status_code == 404
    assert client.get("/staff/mn/nhatky?day=2999-01-01").status_code == 400


def test_pickup_changes_are_confirmed_by_the_teacher_only(client, kindergarten):
    db, day = kindergarten.db, kindergarten.friday
    la1, kids = _ids(db)
    gid = db.execute("SELECT id FROM guardians WHERE phone = '+84911000001'").fetchone()[0]
    pid = pickups.record(db, school_id=1, class_id=la1, student_id=kids["MN01"], guardian_id=gid,
                         on_date=day, person="bà ngoại", at_time="16:30")
    login_staff(client, _teacher(db, "co.lan", classes=("MAM1",)))
    assert "bà ngoại" not in client.get("/staff/mn/don").get_data(as_text=True)
    assert post_form(client, f"/staff/mn/don/{pid}", {"decision": "confirm"}, get_from="/staff/mn/don").status_code == 404
    client.post("/logout", data={})
    client2 = client.application.test_client()
    login_staff(client2, _teacher(db))
    page = client2.get("/staff/mn/don").get_data(as_text=True)
    assert "bà ngoại" in page and "chờ cô xác nhận" in page
    grid = client2.get(f"/staff/mn/nhatky?class={la1}&day={day.isoformat()}").get_data(as_text=True)
    assert 'id="pickups-today"' in grid and "bà ngoại 16:30 (chờ cô xác nhận)" in grid
    assert post_form(client2, f"/staff/mn/don/{pid}", {"decision": "confirm"}, get_from="/staff/mn/don").status_code == 303
    assert db.execute("SELECT state, decided_by FROM pickup_changes").fetchone() == ("confirmed", "co.hanh")
    sms = db.execute("SELECT phone, body, kind FROM messages WHERE kind = 'teacher'").fetchall()
    assert sms == [("+84911000001", f"Co lop LA1 da xac nhan: ba ngoai don Nguyen Minh An ngay {day:%d/%m} luc 16:30.",
                    "teacher")]
    assert post_form(client2, f"/staff/mn/don/{pid}", {"decision": "refuse"}, get_from="/staff/mn/don").status_code == 404


@pytest.mark.slow
def test_grid_of_30_with_3_exceptions_in_10_actions_at_phone_size(page, live_server, kindergarten):
    k = kindergarten
    rows = [["ma_hs", "ho_ten", "ngay_sinh", "gioi_tinh", "ma_truong", "lop", "nam_hoc"]]
    rows += [[f"MN1{i:02}", f"Trẻ Số {i:02}", "2021-01-15", "nam" if i % 2 else "nu", "MN-HM", "La1", k.year]
             for i in range(27)]
    k.load("students", rows, approve=True)
    la1, kids = _ids(k.db)
    _teacher(k.db)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "co.hanh")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/staff/mn/nhatky?class={la1}&day={k.friday.isoformat()}")
    assert page.locator("fieldset.kid").count() == 30
    actions = 0

    def act(fn, *args):
        nonlocal actions
        actions += 1
        fn(*args)

    act(page.click, "fieldset[data-student=MN01] label.chip:has-text('Ăn ít')")
    # by keyboard: focus the chip's checkbox, Space ticks it
    act(page.focus, "fieldset[data-student=MN02] input[name^='nhac-'][value=ta]")
    act(page.keyboard.press, "Space")
    act(page.click, "fieldset[data-student=MN03] summary")
    act(page.fill, "fieldset[data-student=MN03] textarea", "Con bị ho nhẹ")
    assert page.locator("#count").inner_text().startswith("3/30")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    act(page.click, "#save")
    page.wait_for_selector(".flash.info")
    assert actions <= 10
    saved = {r.code: r.note for r in notes.class_day(k.db, la1, k.year, k.friday)}
    assert len(saved) == 30 and sum(not n.is_usual() for n in saved.values()) == 3
    assert saved["MN01"].an is Amount.IT and saved["MN02"].nhac == ("ta",) and saved["MN03"].nhan_xet == "Con bị ho nhẹ"


def _parent_login(client, db, phone: str):
    from store.school import guardian_accounts, otp
    from store.school.phones import normalise
    e164 = normalise(phone)
    gid = guardian_accounts.guardian_id(db, e164)
    guardian_accounts.set_password(db, e164, otp.issue(db, gid, 600), "mat-khau-1")
    assert post_form(client, "/parent/login", {"phone": phone, "password": "mat-khau-1"}).status_code == 302


def test_parents_page_notes_growth_chart_and_stages_for_the_linked_guardian_only(client, kindergarten):
    k = kindergarten
    d = k.friday.isoformat()
    k.load("nhatky", [["ma_hs", "ngay", "an", "nhac"], ["MN04", d, "it", "ta"]], approve=True)
    k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN04", (k.friday - timedelta(days=90)).isoformat(),
                                                                 "10,1", "87"], ["MN04", d, "9,8", "88"]], approve=True)
    k.load("danhgia_mn", [["ma_hs", "nam_hoc", "dot", "linh_vuc", "muc", "nhan_xet"],
                          ["MN04", k.year, "Chủ đề Trường mầm non", "TC", "D", "Bé chạy nhanh"]], approve=True)
    _parent_login(client, k.db, "0911000004")
    assert "MN04" in client.get("/parent/").get_data(as_text=True)
    html = client.get("/parent/child/MN04").get_data(as_text=True)
    assert "ăn ít; nhắc mang: bỉm/tã" in html.lower() or "Ăn ít; nhắc mang: bỉm/tã" in html
    assert 'id="growth-chart-wfa"' in html and 'id="growth-chart-hfa"' in html    # weight and height for age
    assert html.count("<circle") == 4 and "88 cm</title>" in html and "9.8 kg</title>" in html
    assert "mời phụ huynh trao đổi với cô hoặc nhân viên y tế" in html
    assert "Bé chạy nhanh" in html and "Thể chất" in html and 'name="digest"' in html
    for other in ("Nguyễn Minh An", "Trần Thị Bình", "Lê Bảo Chi", "MN01", "xếp hạng", "trung bình lớp"):
        assert other not in html                                      # no other child, no comparison
    for word in ("suy dinh dưỡng", "thấp còi", "nhẹ cân", "béo phì", "<script>", "style="):
        assert word not in html.lower()
    assert client.get("/parent/child/MN01").status_code == 404          # not this guardian's child
    reads = k.db.execute("SELECT count(*) FROM audit_log WHERE action = 'web:parent:view'").fetchone()[0]
    assert reads == 1


def test_weighing_form_all_or_nothing_then_pending(client, kindergarten):
    db, day = kindergarten.db, kindergarten.friday
    la1, kids = _ids(db)
    login_staff(client, _teacher(db))
    url = f"/staff/mn/cando?class={la1}&day={day.isoformat()}"
    form = {"class": la1, "day": day.isoformat(), f"kg-{kids['MN01']}": "18,4", f"cm-{kids['MN01']}": "110",
            f"kg-{kids['MN02']}": "186", f"cm-{kids['MN02']}": "108"}
    r = post_form(client, "/staff/mn/cando", form, get_from=url)
    assert r.status_code == 400 and "cân nặng 186 kg không hợp lý" in r.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM growth_measurements").fetchone()[0] == 0
    form[f"kg-{kids['MN02']}"] = "17.6"
    assert post_form(client, "/staff/mn/cando", form, get_from=url).status_code == 303
    assert db.execute("SELECT student_id, weight_kg, status FROM growth_measurements ORDER BY student_id").fetchall() == [
        (kids["MN01"], 18.4, "pending"), (kids["MN02"], 17.6, "pending")]
    page = client.get(url).get_data(as_text=True)
    assert page.count("trong khoảng") == 2


def test_another_classs_teacher_sees_no_growth_or_health_of_la1(client, kindergarten):
    """Growth and health stay with the class: the weighing form, the approval queue and the DAN texts of LA1
    are closed to the teacher of MAM1 (a school-wide reviewer sees the queue to approve it)."""
    from store.messaging import teacher_messages
    k = kindergarten
    la1, kids = _ids(k.db)
    k.load("cando", [["ma_hs", "ngay", "can_nang", "chieu_cao"], ["MN01", k.friday.isoformat(), "18,4", "110"]])
    k.load("nhatky", [["ma_hs", "ngay", "suc_khoe"], ["MN01", k.friday.isoformat(), "ho nhẹ, uống siro"]])
    gid = k.db.execute("SELECT id FROM guardians WHERE phone = '+84911000001'").fetchone()[0]
    teacher_messages.create(k.db, "DAN", school_id=1, class_id=la1, student_id=kids["MN01"], guardian_id=gid,
                            body="chau uong thuoc ho luc 10h")
    login_staff(client, _teacher(k.db, "co.lan", classes=("MAM1",)))
    assert client.get(f"/staff/mn/cando?class={la1}&day={k.friday.isoformat()}").status_code == 404
    for url in ("/staff/approvals", "/staff/messages", "/staff/mn/don", "/staff/mn/cando", "/staff/mn/nhatky"):
        html = client.get(url).get_data(as_text=True)
        for secret in ("Nguyễn Minh An", "MN01", "18.4", "siro", "thuoc ho"):
            assert secret not in html, (url, secret)
    assert "Cân đo (mầm non)" not in client.get("/staff/approvals").get_data(as_text=True)
    client.post("/logout", data={})
    own = client.application.test_client()
    login_staff(own, _teacher(k.db))
    queue = own.get("/staff/approvals").get_data(as_text=True)
    assert "Cân đo (mầm non)" in queue and "Nhật ký mầm non" in queue
    assert "thuoc ho" in own.get("/staff/messages").get_data(as_text=True)


KINDERGARTEN_LABELS = ("Nhật ký MN", "Người đón", "Cân đo MN")


def test_a_kindergartens_staff_have_its_menu(client, kindergarten):
    login_staff(client, _teacher(kindergarten.db))
    assert set(KINDERGARTEN_LABELS) <= set(menu_labels(client))
