"""Teacher data entry on the web (web/entry.py, store/secondary/gradebook.py) on the demo school: THCS-DD 8A2 has
DD900001 Nguyễn Thị Hoa (guardian 0912345678, also of CVA900001 at THPT-CVA 11A1); DD900002 is in 7A1.
THCS Toán has 140 periods a year (4 TX a term), Công nghệ in grade 8 52 (3 TX), GDTC is a comment subject."""
from __future__ import annotations

import html as html_mod
import re

import pytest

from store.core.clock import local_today

from .builders import approve_all, this_year as year
from .fixtures_commands import Conversation, hk1_day
from .fixtures_web import csrf_of, login_staff, post_form

TZ = "Asia/Ho_Chi_Minh"
HOA, NAM, AN = "DD900001", "DD900002", "CVA900001"


def class_id(db, school: str, name: str) -> int:
    return db.execute("SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id WHERE s.code = ? "
                      "AND c.name = ? AND c.school_year = ?", [school, name, year()]).fetchone()[0]


def student_id(db, code: str) -> int:
    return db.execute("SELECT id FROM students WHERE code = ?", [code]).fetchone()[0]


def book_url(db, school="THCS-DD", klass="8A2", subject="TOAN", term=1) -> str:
    return f"/staff/entry?class={class_id(db, school, klass)}&subject={subject}&term={term}"


def grade_rows(db, code: str, subject: str, term: int = 1) -> dict[str, tuple]:
    """'TX1' -> (value, status, corrected, entered_by, entered_at) of a student's rows."""
    rows = db.execute("SELECT kind, seq, value, status, corrected, entered_by, entered_at FROM grades WHERE "
                      "student_id = ? AND subject_code = ? AND school_year = ? AND term = ?",
                      [student_id(db, code), subject, year(), term]).fetchall()
    return {(f"TX{seq}" if kind == "TX" else kind): tuple(rest) for kind, seq, *rest in rows}


def class_grades(db, school="THCS-DD", klass="8A2") -> list[tuple]:
    return db.execute("SELECT g.* FROM grades g JOIN enrollments e ON e.student_id = g.student_id AND "
                      "e.school_year = g.school_year WHERE e.class_id = ? ORDER BY g.id",
                      [class_id(db, school, klass)]).fetchall()


def clear(db, code: str, subject: str, term: int = 1) -> None:
    db.execute("DELETE FROM grades WHERE student_id = ? AND subject_code = ? AND school_year = ? AND term = ?",
               [student_id(db, code), subject, year(), term])


def form_fields(page_html: str) -> dict[str, str]:
    """Every named input of the grade book form, as the browser would send it."""
    form = page_html[page_html.index('id="book-form"'):]
    fields = {n: html_mod.unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form)}
    fields.update({n: html_mod.unescape(v) for n, v in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>',
                                                                 form)})
    return fields


def save(client, db, url: str, cells: dict[tuple[str, str], str], comments: dict[str, str] | None = None):
    """Open the book, type ``cells`` ((student code, column) -> text) and comments, and submit the whole form."""
    page = client.get(url)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True))
    for (code, col), text in cells.items():
        name = f"c-{student_id(db, code)}-{col}"
        assert name in fields
        fields[name] = text
    for code, text in (comments or {}).items():
        fields[f"nx-{student_id(db, code)}"] = text
    return client.post("/staff/entry", data={**fields, "csrf_token": csrf_of(client)})


def row_html(page_html: str, code: str) -> str:
    return re.search(rf'<tr data-student="{code}">(.*?)</tr>', page_html, re.S)[1]


def cell_html(page_html: str, code: str, col: str) -> str:
    return re.search(rf'<td data-col="{col}"(.*?)</td>', row_html(page_html, code), re.S)[0]


@pytest.fixture
def teacher(client, make_staff):
    login_staff(client, make_staff("gv.toan", "teacher", school="THCS-DD", classes=("8A2",)))
    return "gv.toan"


# -- entering and approval ---------------------------------------------------------------------
def test_entered_scores_are_pending_until_approved_then_the_parent_gets_the_tt22_average(
        client, teacher, school_db, web_settings):
    clear(school_db, HOA, "TOAN")
    clear(school_db, HOA, "CN")
    convo = Conversation(school_db, web_settings, today=hk1_day(web_settings))
    before = convo.send("0912345678", "DIEM TOAN HK1 C1")
    assert "TX" not in before

    toan = {"TX1": "8", "TX2": "7,5", "TX3": "9", "TX4": "6", "GK": "7", "CK": "8.5"}
    resp = save(client, school_db, book_url(school_db), {(HOA, c): v for c, v in toan.items()})
    assert resp.status_code == 303
    # Công nghệ, 52 periods: 3 TX; (7 + 7.5 + 8 + 2·6.5 + 3·7.5) / 8 = 7.25 -> 7.3 (decimal half-up).
    cn = {"TX1": "7", "TX2": "7.5", "TX3": "8", "GK": "6.5", "CK": "7,5"}
    assert save(client, school_db, book_url(school_db, subject="CN"),
                {(HOA, c): v for c, v in cn.items()}).status_code == 303

    rows = grade_rows(school_db, HOA, "TOAN")
    assert {c: r[0] for c, r in rows.items()} == {**toan, "TX2": "7.5"}
    assert {(r[1], r[2], r[3]) for r in rows.values()} == {("pending", 0, "gv.toan")}
    assert all(r[4] for r in rows.values())
    assert convo.send("0912345678", "DIEM TOAN HK1 C1") == before          # nothing before approval

    page = client.get(book_url(school_db, subject="CN")).get_data(as_text=True)
    assert "Đã lưu 5 điểm và 0 nhận xét, chờ duyệt." in page
    hoa = row_html(page, HOA)
    assert hoa.count('class="pending"') == 5 and hoa.count("chờ duyệt") == 5
    assert '<td class="average">7.3</td>' in hoa and '<td class="approved-average"></td>' in hoa

    assert approve_all(school_db) == 11
    # (8 + 7.5 + 9 + 6 + 2·7 + 3·8.5) / 9 = 70 / 9 = 7.77… -> 7.8
    convo.run("""
    0912345678 > DIEM TOAN HK1 C1
    0912345678 < Nguyen Thi Hoa 8A2 Toan HK1: TX 8 7.5 9 6; GK 7; CK 8.5; TB 7.8
    0912345678 > DIEM CN HK1 C1
    0912345678 < Nguyen Thi Hoa 8A2 Cong nghe HK1: TX 7 7.5 8; GK 6.5; CK 7.5; TB 7.3
    """)
    page = client.get(book_url(school_db, subject="CN")).get_data(as_text=True)
    hoa = row_html(page, HOA)
    assert 'class="pending"' not in hoa and '<td class="approved-average">7.3</td>' in hoa


def test_a_changed_approved_score_goes_back_to_pending_marked_corrected_and_the_rest_is_untouched(
        client, teacher, school_db, web_settings):
    before = grade_rows(school_db, HOA, "TOAN")
    assert {r[1] for r in before.values()} == {"approved"}
    old = before["TX1"][0]
    new = "3.5" if old != "3.5" else "2.5"
    other = class_grades(school_db)
    # TX2 typed as the same score spelled with a comma: not a change.
    same_tx2 = before["TX2"][0].replace(".", ",")
    resp = save(client, school_db, book_url(school_db), {(HOA, "TX1"): new, (HOA, "TX2"): same_tx2})
    assert resp.status_code == 303
    after = grade_rows(school_db, HOA, "TOAN")
    assert after["TX1"][:4] == (new, "pending", 1, "gv.toan")
    assert {c: r for c, r in after.items() if c != "TX1"} == {c: r for c, r in before.items() if c != "TX1"}
    changed = [r for r in class_grades(school_db) if r not in other]
    assert len(changed) == 1

    convo = Conversation(school_db, web_settings, today=hk1_day(web_settings))
    assert f"TX {new} " not in convo.send("0912345678", "DIEM TOAN HK1 C1")
    page = client.get(book_url(school_db)).get_data(as_text=True)
    assert "chờ duyệt · sửa" in cell_html(page, HOA, "TX1") and "chờ duyệt" not in cell_html(page, HOA, "TX2")
    approve_all(school_db)
    reply = convo.send("0912345678", "DIEM TOAN HK1 C1")
    assert reply.startswith(f"Nguyen Thi Hoa 8A2 Toan HK1: TX {new} ") and "(co diem sua)" in reply


@pytest.mark.parametrize("typed, reason", [
    ("11", "TX1 '11' ngoài khoảng 0-10"),
    ("7.55", "TX1 '7.55' có hơn một chữ số thập phân (ví dụ 7,5)"),
    ("abc", "TX1 'abc' không phải số (nhập số 0-10)"),
    ("D", "TX1 'D' là nhận xét Đ/CĐ, môn này chấm điểm (nhập số 0-10)"),
])
def test_a_bad_value_refuses_the_whole_form_naming_the_cell(client, teacher, school_db, typed, reason):
    snapshot = class_grades(school_db)
    comments = school_db.execute("SELECT count(*) FROM comments").fetchone()[0]
    nam_in_class = school_db.execute("SELECT s.code FROM students s JOIN enrollments e ON e.student_id = s.id "
                                     "WHERE e.class_id = ? AND s.code != ? LIMIT 1",
                                     [class_id(school_db, "THCS-DD", "8A2"), HOA]).fetchone()[0]
    resp = save(client, school_db, book_url(school_db),
                {(HOA, "TX1"): typed, (nam_in_class, "GK"): "9.5", (HOA, "CK"): "12"},
                comments={HOA: "Tiến bộ rõ."})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    problems = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>",
                          page[page.index('id="problems"'):page.index("</table>")])
    assert [tuple(html_mod.unescape(c) for c in p) for p in problems] == [
        ("Nguyễn Thị Hoa (DD900001)", "TX1", typed, reason),
        ("Nguyễn Thị Hoa (DD900001)", "CK", "12", "CK '12' ngoài khoảng 0-10"),
    ]
    assert "Chưa lưu gì: 2 ô không hợp lệ" in page
    assert f'name="c-{student_id(school_db, HOA)}-TX1" value="{html_mod.escape(typed)}"' in page   # kept to fix
    assert class_grades(school_db) == snapshot
    assert school_db.execute("SELECT count(*) FROM comments").fetchone()[0] == comments


def test_comment_subjects_take_d_and_cd_and_refuse_numbers(client, teacher, school_db):
    clear(school_db, HOA, "GDTC")
    url = book_url(school_db, subject="GDTC")
    bad = save(client, school_db, url, {(HOA, "TX1"): "8"})
    assert bad.status_code == 400
    assert "TX1 &#39;8&#39; là số, môn này đánh giá bằng nhận xét (nhập Đ hoặc CĐ)" in bad.get_data(as_text=True)
    ok = save(client, school_db, url, {(HOA, "TX1"): "Đ", (HOA, "TX2"): "cd", (HOA, "TX3"): "D",
                                       (HOA, "GK"): "Đ", (HOA, "CK"): "Đ"})
    assert ok.status_code == 303
    assert {c: r[0] for c, r in grade_rows(school_db, HOA, "GDTC").items()} == {
        "TX1": "D", "TX2": "CD", "TX3": "D", "GK": "D", "CK": "D"}
    hoa = row_html(client.get(url).get_data(as_text=True), HOA)
    assert '<td class="average">CĐ</td>' in hoa                               # one CĐ makes the term CĐ


def test_comments_are_saved_pending_with_the_subject(client, teacher, school_db):
    resp = save(client, school_db, book_url(school_db), {}, comments={HOA: "  Em tiến bộ   rõ trong tháng. "})
    assert resp.status_code == 303
    row = school_db.execute("SELECT subject_code, body, status, entered_by, date FROM comments WHERE student_id = ? "
                            "AND entered_by = 'gv.toan'", [student_id(school_db, HOA)]).fetchone()
    assert row == ("TOAN", "Em tiến bộ rõ trong tháng.", "pending", "gv.toan", local_today(TZ).isoformat())
    assert "Đã lưu 0 điểm và 1 nhận xét" in client.get(book_url(school_db)).get_data(as_text=True)


def test_nothing_typed_writes_nothing(client, teacher, school_db):
    snapshot = class_grades(school_db)
    resp = save(client, school_db, book_url(school_db), {})
    assert resp.status_code == 303 and class_grades(school_db) == snapshot
    assert "Không có gì thay đổi." in client.get(book_url(school_db)).get_data(as_text=True)


def test_erasing_only_what_never_reached_a_parent(client, teacher, school_db):
    clear(school_db, HOA, "TOAN")
    url = book_url(school_db)
    assert save(client, school_db, url, {(HOA, "TX1"): "8", (HOA, "TX2"): "9"}).status_code == 303
    assert save(client, school_db, url, {(HOA, "TX2"): ""}).status_code == 303
    assert set(grade_rows(school_db, HOA, "TOAN")) == {"TX1"}
    approve_all(school_db)
    refused = save(client, school_db, url, {(HOA, "TX1"): ""})
    assert refused.status_code == 400 and "đã đến phụ huynh, không xoá ở đây được" in refused.get_data(as_text=True)
    assert grade_rows(school_db, HOA, "TOAN")["TX1"][:2] == ("8", "approved")


def test_a_cell_changed_by_someone_else_meanwhile_is_refused(client, teacher, school_db):
    url = book_url(school_db)
    fields = form_fields(client.get(url).get_data(as_text=True))
    name = f"c-{student_id(school_db, HOA)}-GK"
    school_db.execute("UPDATE grades SET value = '1' WHERE student_id = ? AND subject_code = 'TOAN' AND "
                      "school_year = ? AND term = 1 AND kind = 'GK'", [student_id(school_db, HOA), year()])
    fields[name] = "9"
    resp = client.post("/staff/entry", data={**fields, "csrf_token": csrf_of(client)})
    assert resp.status_code == 400 and "người khác vừa sửa ô này (nay là 1): tải lại trang" in resp.get_data(as_text=True)
    assert grade_rows(school_db, HOA, "TOAN")["GK"][0] == "1"


def test_viewing_the_book_is_audited_per_student(client, teacher, school_db):
    client.get(book_url(school_db))
    n = school_db.execute("SELECT count(*) FROM enrollments WHERE class_id = ?",
                          [class_id(school_db, "THCS-DD", "8A2")]).fetchone()[0]
    rows = school_db.execute("SELECT DISTINCT student_id FROM audit_log WHERE action = 'web:gradebook' "
                             "AND actor = 'gv.toan'").fetchall()
    assert len(rows) == n and (student_id(school_db, HOA),) in rows


# -- scope ---------------------------------------------------------------------------------------
def test_a_teacher_sees_only_their_classes(client, teacher, school_db):
    page = client.get("/staff/entry").get_data(as_text=True)
    assert "THCS-DD · 8A2" in page and "7A1" not in page and "11A1" not in page
    assert client.get(book_url(school_db, klass="7A1")).status_code == 404
    assert client.get(book_url(school_db, school="THPT-CVA", klass="11A1")).status_code == 404
    assert client.get(book_url(school_db, subject="NOPE")).status_code == 404
    assert client.get("/staff/entry?class=99999999").status_code == 404
    assert client.get("/staff/entry?class=abc").status_code == 400
    assert client.get(f"/staff/entry?class={class_id(school_db, 'THCS-DD', '8A2')}&term=3").status_code == 400


def test_a_teacher_cannot_write_to_another_class_or_school(client, teacher, school_db):
    snapshot = school_db.execute("SELECT * FROM grades ORDER BY id").fetchall()
    for school, klass, code in (("THCS-DD", "7A1", NAM), ("THPT-CVA", "11A1", AN)):
        resp = post_form(client, "/staff/entry", {"class": class_id(school_db, school, klass), "subject": "TOAN",
                                                   "term": "1", f"c-{student_id(school_db, code)}-TX1": "1"},
                         get_from="/staff/entry")
        assert resp.status_code == 404
    # A student of another class slipped into the teacher's own form is named and refused.
    resp = post_form(client, "/staff/entry", {"class": class_id(school_db, "THCS-DD", "8A2"), "subject": "TOAN",
                                               "term": "1", f"c-{student_id(school_db, NAM)}-TX1": "1"},
                     get_from="/staff/entry")
    assert resp.status_code == 400 and "không học lớp 8A2" in resp.get_data(as_text=True)
    assert school_db.execute("SELECT * FROM grades ORDER BY id").fetchall() == snapshot


def test_a_subject_teacher_sees_only_their_subject(client, make_staff, school_db):
    uid = school_db.execute("SELECT id FROM users WHERE login = ?", [make_staff("gv.bm", "teacher", "THCS-DD")]
                            ).fetchone()[0]
    school_db.execute("INSERT INTO user_classes (user_id, class_id, subject_code) VALUES (?, ?, 'VAN')",
                      [uid, class_id(school_db, "THCS-DD", "8A2")])
    login_staff(client, "gv.bm")
    page = client.get(f"/staff/entry?class={class_id(school_db, 'THCS-DD', '8A2')}").get_data(as_text=True)
    assert "Ngữ văn" in page and "Toán" not in page
    assert client.get(book_url(school_db, subject="VAN")).status_code == 200
    assert client.get(book_url(school_db, subject="TOAN")).status_code == 404
    snapshot = class_grades(school_db)
    resp = post_form(client, "/staff/entry", {"class": class_id(school_db, "THCS-DD", "8A2"), "subject": "TOAN",
                                               "term": "1", f"c-{student_id(school_db, HOA)}-TX1": "1"},
                     get_from="/staff/entry")
    assert resp.status_code == 404 and class_grades(school_db) == snapshot


def test_admins_enter_for_any_class_of_their_school_only(client, make_staff, school_db):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    page = client.get("/staff/entry").get_data(as_text=True)
    assert "THCS-DD · 7A1" in page and "THCS-DD · 8A2" in page and "THPT-CVA" not in page
    assert client.get(book_url(school_db, school="THPT-CVA", klass="11A1")).status_code == 404
    clear(school_db, NAM, "TOAN")
    assert save(client, school_db, book_url(school_db, klass="7A1"), {(NAM, "TX1"): "6.5"}).status_code == 303
    assert grade_rows(school_db, NAM, "TOAN")["TX1"][:4] == ("6.5", "pending", 0, "ad.dd")


def test_operators_open_every_school(client, make_staff, school_db):
    login_staff(client, make_staff("op", "operator"))
    assert client.get(book_url(school_db, school="THPT-CVA", klass="11A1")).status_code == 200
    assert client.get(book_url(school_db)).status_code == 200


def test_reviewers_read_only(client, make_staff, school_db):
    login_staff(client, make_staff("rv.dd", "reviewer", "THCS-DD"))
    page = client.get(book_url(school_db))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in html and 'name="c-' not in html and "Lưu (chờ duyệt)" not in html
    snapshot = class_grades(school_db)
    resp = post_form(client, "/staff/entry", {"class": class_id(school_db, "THCS-DD", "8A2"), "subject": "TOAN",
                                               "term": "1", f"c-{student_id(school_db, HOA)}-TX1": "1"},
                     get_from="/staff/entry")
    assert resp.status_code == 403 and class_grades(school_db) == snapshot


def test_logged_out_is_sent_to_login(client, school_db):
    resp = client.get(book_url(school_db))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_post_without_the_csrf_token_is_refused(client, teacher, school_db):
    fields = form_fields(client.get(book_url(school_db)).get_data(as_text=True))
    snapshot = class_grades(school_db)
    fields[f"c-{student_id(school_db, HOA)}-TX1"] = "1"
    resp = client.post("/staff/entry", data={k: v for k, v in fields.items() if k != "csrf_token"})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    resp = client.post("/staff/entry", data={**fields, "csrf_token": "forged"})
    assert resp.status_code == 400 and class_grades(school_db) == snapshot


# -- the browser -----------------------------------------------------------------------------------
def test_browser_teacher_fills_two_cells_saves_and_sees_them_pending(page, live_server, make_staff, school_db):
    make_staff("gv.toan", "teacher", school="THCS-DD", classes=("8A2",))
    clear(school_db, HOA, "CN")
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "gv.toan")
    page.fill("input[name=password]", "correct-horse-1")
    page.click("button[type=submit]")
    page.click("text=Nhập điểm")
    page.select_option("select[name=class]", label="THCS-DD · 8A2")      # reloads with the class's subjects
    page.wait_for_selector("select[name=subject] option[value=CN]", state="attached")
    page.select_option("select[name=subject]", "CN")
    page.select_option("select[name=term]", "1")
    page.click("text=Mở sổ điểm")
    page.get_by_label("TX1 Nguyễn Thị Hoa").fill("8,5")
    page.get_by_label("GK Nguyễn Thị Hoa").fill("7")
    page.click("text=Lưu (chờ duyệt)")
    page.wait_for_selector("text=Đã lưu 2 điểm và 0 nhận xét, chờ duyệt.")
    row = page.locator(f"tr[data-student={HOA}]")
    assert row.locator("td[data-col=TX1] input.score").input_value() == "8.5"
    assert row.locator("td[data-col=TX1].pending").inner_text().strip() == "chờ duyệt"
    assert row.locator("td[data-col=GK].pending").count() == 1
    assert row.locator("td.pending").count() == 2
    assert {c: r[:4] for c, r in grade_rows(school_db, HOA, "CN").items()} == {
        "TX1": ("8.5", "pending", 0, "gv.toan"), "GK": ("7", "pending", 0, "gv.toan")}
