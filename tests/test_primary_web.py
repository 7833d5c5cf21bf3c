"""Primary schools on the web (TT27): the parents' page, the teacher's book per point, the overview, at phone size.

The demo primary school (demo.primary): 0977123456 has KD900004 Đỗ Minh Khôi (TH-KD 4A1),
0966234567 has KD900002 Vũ Ngọc Hân (TH-KD 2A1).
"""
from __future__ import annotations

import re
from html import unescape

import pytest

import settings as settings_mod
from store.school import guardian_accounts, otp, users
from store.core.clock import local_today, school_year_of
from store.school.phones import normalise

from .conftest import write_config
from .fixtures_web import STAFF_PASSWORD, login_staff, post_form

TZ = "Asia/Ho_Chi_Minh"
KHOI, HAN = "KD900004", "KD900002"


@pytest.fixture
def web_settings(tmp_path, primary_db, redis_url, redis_prefix):
    """The web app's settings on the demo primary school (overrides fixtures_web's secondary one)."""
    cfg = write_config(tmp_path / "web.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n',
                       db_path=tmp_path / "sll.db")
    return settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "test-secret-key-of-at-least-32-bytes"})


def parent_login(client, db, phone: str):
    e164 = normalise(phone)
    gid = guardian_accounts.guardian_id(db, e164)
    guardian_accounts.set_password(db, e164, otp.issue(db, gid, 600), "mat-khau-1")
    assert post_form(client, "/parent/login", {"phone": phone, "password": "mat-khau-1"}).status_code == 302


def staff(db, login: str, role: str, classes=()):
    users.add_user(db, login, role, STAFF_PASSWORD, school_code="TH-KD", class_names=list(classes))
    return login


def class_id(db, name: str) -> int:
    return db.execute("SELECT id FROM classes WHERE name = ? AND school_year = ?",
                      [name, school_year_of(local_today(TZ))]).fetchone()[0]


def sid(db, code: str) -> int:
    return db.execute("SELECT id FROM students WHERE code = ?", [code]).fetchone()[0]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_parent_page_shows_levels_per_point_and_no_average(client, primary_db):
    parent_login(client, primary_db, "0977123456")
    page = client.get(f"/parent/child/{KHOI}").get_data(as_text=True)
    assert 'id="levels"' in page and 'id="qualities"' in page
    row = re.search(r'<tr data-subject="TOAN">(.*?)</tr>', page, re.S).group(1)
    assert "KTĐK 10" in row and 'data-col="GK1"' in row and 'data-col="CN"' in row
    music = text_of(re.search(r'<tr data-subject="AMNHAC">(.*?)</tr>', page, re.S).group(1))
    assert music.startswith("Âm nhạc H") and "Cần mạnh dạn hơn" in music
    text = text_of(page)
    assert "Chưa có đánh giá cuối năm" in text
    assert not re.search(r"trung bình|\bTB\b|xếp hạng|Học tập:", text), text
    assert client.get(f"/parent/child/{HAN}").status_code == 404      # not this parent's child


def test_parent_page_explains_the_year_end_result(client, primary_db):
    khoi = sid(primary_db, KHOI)
    year = school_year_of(local_today(TZ))
    for code, lvl in primary_db.execute("SELECT subject_code, level FROM primary_assessments WHERE student_id = ? "
                                        "AND point = 'CK1'", [khoi]).fetchall():
        primary_db.execute("INSERT INTO primary_assessments (student_id, school_year, point, subject_code, level, "
                           "score, status, entered_at, approved_at) SELECT student_id, school_year, 'CN', "
                           "subject_code, level, score, 'approved', entered_at, approved_at FROM primary_assessments "
                           "WHERE student_id = ? AND point = 'CK1' AND subject_code = ?", [khoi, code])
    primary_db.execute("INSERT INTO primary_qualities (student_id, school_year, point, code, level, status, "
                       "entered_at, approved_at) SELECT student_id, school_year, 'CN', code, level, 'approved', "
                       "entered_at, approved_at FROM primary_qualities WHERE student_id = ? AND point = 'CK1'", [khoi])
    parent_login(client, primary_db, "0977123456")
    result = text_of(re.search(r'<p id="year-result">(.*?)</p>', client.get(f"/parent/child/{KHOI}?year={year}")
                               .get_data(as_text=True), re.S).group(1))
    assert result == "Hoàn thành (tạm tính): 1 môn mức H (Âm nhạc) nên chưa đạt HT tốt, HT xuất sắc."


def test_teacher_book_refuses_a_decimal_and_a_score_without_test_then_saves_pending(client, primary_db):
    login_staff(client, staff(primary_db, "cohuong", "teacher", ["4A1"]))
    cid, khoi = class_id(primary_db, "4A1"), sid(primary_db, KHOI)
    page = client.get(f"/staff/entry/th?class={cid}&subject=TOAN&point=GK2").get_data(as_text=True)
    assert "Đợt này có bài kiểm tra định kì" in page and f'name="d-{khoi}"' in page
    bad = post_form(client, "/staff/entry/th", {"class": cid, "subject": "TOAN", "point": "GK2",
                                               f"m-{khoi}": "T", f"d-{khoi}": "9,5", f"n-{khoi}": "Giỏi"},
                    get_from=f"/staff/entry/th?class={cid}&subject=TOAN&point=GK2")
    assert bad.status_code == 400 and "có phần thập phân" in bad.get_data(as_text=True)
    assert primary_db.execute("SELECT count(*) FROM primary_assessments WHERE point = 'GK2'").fetchone()[0] == 0
    dd = post_form(client, "/staff/entry/th", {"class": cid, "subject": "DD", "point": "GK2", f"m-{khoi}": "T",
                                              f"d-{khoi}": "8"}, get_from=f"/staff/entry/th?class={cid}&subject=DD")
    assert dd.status_code == 400 and "không có bài kiểm tra định kì ở lớp 4 đợt GK2" in dd.get_data(as_text=True)
    ok = post_form(client, "/staff/entry/th", {"class": cid, "subject": "TOAN", "point": "GK2", f"m-{khoi}": "T",
                                              f"d-{khoi}": "9", f"n-{khoi}": "Tiến bộ rõ."},
                   get_from=f"/staff/entry/th?class={cid}&subject=TOAN&point=GK2")
    assert ok.status_code == 303
    assert primary_db.execute("SELECT level, score, comment, status, entered_by FROM primary_assessments WHERE "
                              "student_id = ? AND point = 'GK2'", [khoi]).fetchone() == \
        ("T", 9, "Tiến bộ rõ.", "pending", "cohuong")
    assert client.get(f"/staff/entry/th?class={class_id(primary_db, '2A1')}").status_code == 404   # not her class
    secondary = client.get(f"/staff/entry?class={cid}&subject=TOAN")
    assert secondary.status_code == 303 and "/staff/entry/th" in secondary.headers["Location"]


def test_overview_counts_levels_per_class_and_subject(client, primary_db):
    login_staff(client, staff(primary_db, "hieutruong", "admin"))
    page = client.get("/staff/overview/th?point=CK1").get_data(as_text=True)
    table = re.search(r'<table class="levels" data-class="4A1">(.*?)</table>', page, re.S).group(1)
    h_row = re.search(r'<tr data-level="H">(.*?)</tr>', table, re.S).group(1)
    music_h = int(re.search(r'data-subject="AMNHAC">(\d+)<', h_row).group(1))
    expected = primary_db.execute(
        "SELECT count(*) FROM primary_assessments a JOIN enrollments e ON e.student_id = a.student_id "
        "JOIN classes c ON c.id = e.class_id WHERE c.name = '4A1' AND a.point = 'CK1' AND a.subject_code = 'AMNHAC' "
        "AND a.level = 'H'").fetchone()[0]
    assert music_h == expected >= 1
    assert client.get("/staff/overview/th?point=CN").status_code == 200


def test_parent_page_at_phone_size(page, live_server, primary_db):
    """390×844: the levels and qualities tables scroll inside the page, the year-end block reads."""
    e164 = normalise("0966234567")
    gid = guardian_accounts.guardian_id(primary_db, e164)
    guardian_accounts.set_password(primary_db, e164, otp.issue(primary_db, gid, 600), "mat-khau-1")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/parent/login")
    page.fill("input[name=phone]", "0966234567")
    page.fill("input[name=password]", "mat-khau-1")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/parent/child/{HAN}")
    assert page.locator("#levels tr[data-subject='TNXH'] td[data-col='CK1']").inner_text().startswith("T")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways at phone size ({width}px)"
    assert page.locator("#year-result").is_visible()


def test_the_approval_queue_shows_primary_rows_in_words(client, primary_db):
    primary_db.execute("UPDATE primary_assessments SET status = 'pending', approved_at = NULL WHERE point = 'CK1' "
                       "AND student_id = ? AND subject_code = 'TOAN'", [sid(primary_db, KHOI)])
    login_staff(client, staff(primary_db, "duyet", "reviewer"))
    page = text_of(client.get("/staff/approvals").get_data(as_text=True))
    assert "Đánh giá tiểu học" in page and "TOAN" in page


def test_homeroom_teacher_enters_qualities_of_the_class(client, primary_db):
    login_staff(client, staff(primary_db, "cothu", "teacher", ["2A1"]))
    cid, han = class_id(primary_db, "2A1"), sid(primary_db, HAN)
    url = f"/staff/entry/th?class={cid}&subject=PCNL&point=CN"
    page = client.get(url).get_data(as_text=True)
    assert f'name="q-{han}-CC"' in page and f'name="q-{han}-CNG"' not in page      # grade 2 rates no CNG
    bad = post_form(client, "/staff/entry/th", {"class": cid, "subject": "PCNL", "point": "CN", f"q-{han}-CC": "Khá",
                                               f"q-{han}-CNG": "T"}, get_from=url)
    text = text_of(bad.get_data(as_text=True))
    assert bad.status_code == 400 and "Chăm chỉ: mức 'Khá' không phải T, Đ hoặc C" in text
    assert "lớp 2 không đánh giá Công nghệ (CNG)" in text
    ok = post_form(client, "/staff/entry/th", {"class": cid, "subject": "PCNL", "point": "CN", f"q-{han}-CC": "Đ",
                                              f"q-{han}-YN": "T"}, get_from=url)
    assert ok.status_code == 303
    assert primary_db.execute("SELECT code, level, status, entered_by FROM primary_qualities WHERE student_id = ? "
                              "AND point = 'CN' ORDER BY code", [han]).fetchall() == \
        [("CC", "D", "pending", "cothu"), ("YN", "T", "pending", "cothu")]


def test_a_subject_teacher_does_not_get_the_qualities_book(client, primary_db):
    login = staff(primary_db, "thayanh", "teacher")
    uid = primary_db.execute("SELECT id FROM users WHERE login = ?", [login]).fetchone()[0]
    primary_db.execute("INSERT INTO user_classes (user_id, class_id, subject_code) VALUES (?, ?, 'NN')",
                       [uid, class_id(primary_db, "2A1")])
    login_staff(client, login)
    assert client.get(f"/staff/entry/th?class={class_id(primary_db, '2A1')}&subject=PCNL").status_code == 404
    assert client.get(f"/staff/entry/th?class={class_id(primary_db, '2A1')}&subject=NN").status_code == 200


def test_the_school_overview_points_a_primary_school_to_its_tt27_overview(client, primary_db):
    login_staff(client, staff(primary_db, "hieupho", "admin"))
    page = client.get("/staff/overview?term=1").get_data(as_text=True)
    assert 'id="primary-link"' in page and "/staff/overview/th" in page


def test_a_primary_school_has_the_primary_menu(client, primary_db):
    login_staff(client, staff(primary_db, "hieutruong2", "admin"))
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", client.get("/staff/").get_data(as_text=True), re.S).group(1)
    assert "Nhập đánh giá TH" in nav and "Tổng hợp TH" in nav


def test_overview_at_cn_counts_year_end_results_and_commendations(client, primary_db):
    """At CN: per class the year-end results (official as imported, else computed and counted "tạm tính")."""
    year = school_year_of(local_today(TZ))
    primary_db.execute("INSERT INTO primary_assessments (student_id, school_year, point, subject_code, level, score, "
                       "status, entered_at, approved_at) SELECT student_id, school_year, 'CN', subject_code, level, "
                       "score, 'approved', entered_at, approved_at FROM primary_assessments WHERE point = 'CK1'")
    primary_db.execute("INSERT INTO primary_qualities (student_id, school_year, point, code, level, status, "
                       "entered_at, approved_at) SELECT student_id, school_year, 'CN', code, level, 'approved', "
                       "entered_at, approved_at FROM primary_qualities WHERE point = 'CK1'")
    primary_db.execute("INSERT INTO primary_results (student_id, school_year, result, commendation, status, entered_at, "
                       "approved_at) VALUES (?, ?, 'HTT', 'TB', 'approved', '2026-05-30T00:00:00', "
                       "'2026-05-30T01:00:00')", [sid(primary_db, KHOI), year])
    pupils = primary_db.execute("SELECT count(*) FROM enrollments e JOIN classes c ON c.id = e.class_id "
                                "WHERE c.name = '4A1' AND e.school_year = ?", [year]).fetchone()[0]
    login_staff(client, staff(primary_db, "hieutruong3", "admin"))
    page = client.get(f"/staff/overview/th?point=CN&year={year}").get_data(as_text=True)
    block = text_of(re.search(r'<p data-results="4A1">(.*?)</p>', page, re.S).group(1))
    counts = dict(re.findall(r"(Hoàn thành xuất sắc|Hoàn thành tốt|Hoàn thành|Chưa hoàn thành|chưa đủ đánh giá) "
                             r"(\d+)", block))
    assert sum(map(int, counts.values())) == pupils and int(counts["Hoàn thành tốt"]) >= 1, block
    assert f"({pupils - 1} tạm tính)" in block and "Học sinh Tiêu biểu 1" in block, block
