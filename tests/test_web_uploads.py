"""Spreadsheet imports from the web: dry run first, confirm, bad files and rows, school scope, limits."""
from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from markupsafe import escape as _escape

from store.imports import ImportRowsError, import_file
from store.imports.scope import rows_outside
from web.uploads import KEEP_S, SESSION_KEY, safe_name

from .fixtures_imports import BAD, dump, write_xlsx
from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, nav_click

URL = "/staff/imports"
CONFIRM = "/staff/imports/confirm"


@pytest.fixture
def year(school_db) -> str:
    """The demo school's year (the current one)."""
    return school_db.execute("SELECT MAX(school_year) FROM enrollments").fetchone()[0]


@pytest.fixture
def admin_dd(client, make_staff):
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    return client


@pytest.fixture
def operator(client, make_staff):
    login_staff(client, make_staff("op", "operator"))
    return client


def grades_csv(year: str, *rows: str) -> bytes:
    return ("Mã HS,Mã môn,Năm học,Học kỳ,Loại,STT,Điểm\n" + "".join(f"{r.format(y=year)}\n" for r in rows)).encode()


def good_grades(year: str) -> bytes:
    """Two new HK2 scores of THCS-DD's showcase children."""
    return grades_csv(year, "DD900001,TOAN,{y},HK2,TX,1,\"8,5\"", "DD900002,VAN,{y},HK2,GK,,7")


def upload(client, name: str, content: bytes, kind: str = "grades", **form):
    client.get(URL)
    data = {"file": (io.BytesIO(content), name), "kind": kind, "csrf_token": csrf_of(client), **form}
    return client.post(URL, data=data, content_type="multipart/form-data")


def confirm(client, token: str | None = None):
    if token is None:
        with client.session_transaction() as s:
            token = s[SESSION_KEY]["token"]
    return client.post(CONFIRM, data={"token": token, "csrf_token": csrf_of(client)})


def hk2_grades(db) -> list[tuple]:
    return db.execute("SELECT s.code, g.subject_code, g.kind, g.seq, g.value, g.status, g.entered_by FROM grades g "
                      "JOIN students s ON s.id = g.student_id WHERE g.term = 2 ORDER BY s.code").fetchall()


def escape(text: str) -> str:
    """``text`` as the page shows it (quotes and ampersands escaped)."""
    return str(_escape(text))


def kept_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "uploads").rglob("*")) if (tmp_path / "uploads").exists() else []


# -- dry run and confirm ---------------------------------------------------------------------------------------
def test_dry_run_writes_nothing_and_confirm_imports_pending_rows(admin_dd, school_db, year, tmp_path):
    before = dump(school_db)
    r = upload(admin_dd, "diem.csv", good_grades(year))
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert '<td class="rows">2</td>' in html and '<td class="inserted">2</td>' in html
    assert '<td class="updated">0</td>' in html and 'id="confirm"' in html
    assert dump(school_db) == before                      # the dry run rolled back, no batch recorded
    assert [p.name for p in kept_files(tmp_path) if p.is_file()] == ["diem.csv"]

    r = confirm(admin_dd)
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert 'id="done"' in html and "Đã nhập diem.csv" in html
    assert hk2_grades(school_db) == [("DD900001", "TOAN", "TX", 1, "8.5", "pending", "import:diem.csv"),
                                     ("DD900002", "VAN", "GK", 1, "7", "pending", "import:diem.csv")]
    batch = school_db.execute("SELECT kind, file_name, imported_by, approved, inserted FROM import_batches "
                              "ORDER BY id DESC LIMIT 1").fetchone()
    assert batch == ("grades", "diem.csv", "ad.dd", 0, 2)
    school_id = school_db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    audits = school_db.execute("SELECT actor, action, school_id, detail FROM audit_log "
                               "WHERE action LIKE 'web:import%' ORDER BY id").fetchall()
    assert [a[:3] for a in audits] == [("ad.dd", "web:import-preview", school_id), ("ad.dd", "web:import", school_id)]
    assert json.loads(audits[1][3])["counts"] == {"inserted": 2}
    assert [p for p in kept_files(tmp_path) if p.is_file()] == []      # the kept file is gone after use


def test_confirm_only_once_and_only_with_the_sessions_token(admin_dd, school_db, year):
    upload(admin_dd, "diem.csv", good_grades(year))
    r = confirm(admin_dd, token="A" * 32)                 # a token this session never got
    assert r.status_code == 302 and r.headers["Location"].endswith(URL)
    assert hk2_grades(school_db) == []
    assert confirm(admin_dd).status_code == 200
    n = school_db.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0]
    with admin_dd.session_transaction() as s:
        assert SESSION_KEY not in s
    r = confirm(admin_dd, token="A" * 32)
    assert r.status_code == 302
    assert "đã hết hạn, đã được nhập" in admin_dd.get(URL).get_data(as_text=True)
    assert school_db.execute("SELECT COUNT(*) FROM import_batches").fetchone()[0] == n


def test_a_path_in_the_session_is_never_followed(admin_dd, school_db, year, tmp_path):
    (tmp_path / "secret.csv").write_bytes(good_grades(year))
    upload(admin_dd, "diem.csv", good_grades(year))
    with admin_dd.session_transaction() as s:
        s[SESSION_KEY] = {**s[SESSION_KEY], "token": "..", "name": "secret.csv"}
    assert confirm(admin_dd, token="..").status_code == 302
    assert hk2_grades(school_db) == []


def test_a_preview_expires_after_an_hour(admin_dd, school_db, year, tmp_path):
    upload(admin_dd, "diem.csv", good_grades(year))
    with admin_dd.session_transaction() as s:
        s[SESSION_KEY] = {**s[SESSION_KEY], "at": time.time() - KEEP_S - 1}
    assert confirm(admin_dd).status_code == 302
    assert hk2_grades(school_db) == []
    # An unconfirmed file older than an hour is deleted by the next visit.
    upload(admin_dd, "diem2.csv", good_grades(year))
    folder = next(p for p in kept_files(tmp_path) if p.is_dir())
    old = time.time() - KEEP_S - 60
    os.utime(folder, (old, old))
    admin_dd.get(URL)
    assert not folder.exists()


def test_a_new_upload_replaces_the_previous_preview(admin_dd, school_db, year, tmp_path):
    upload(admin_dd, "a.csv", good_grades(year))
    upload(admin_dd, "b.csv", grades_csv(year, "DD900001,TOAN,{y},HK2,TX,2,6"))
    assert [p.name for p in kept_files(tmp_path) if p.is_file()] == ["b.csv"]
    assert confirm(admin_dd).status_code == 200
    assert [(g[0], g[3], g[4]) for g in hk2_grades(school_db)] == [("DD900001", 2, "6")]


def test_xlsx_upload_with_title_rows_and_typed_cells(operator, school_db, year, tmp_path):
    path = write_xlsx(tmp_path / "Điểm HK2.xlsx", [
        ["BẢNG ĐIỂM HỌC KỲ II"], [],
        ["Mã học sinh", "Môn", "Năm học", "Học kỳ", "Loại", "STT", "Điểm"],
        ["DD900001", "Toán", year, "HKII", "TX", 1, 9.5],
        ["CVA900001", "TOAN", year, 2, "CK", None, 6.5],
    ])
    r = upload(operator, path.name, path.read_bytes())
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert '<td class="inserted">2</td>' in html
    assert confirm(operator).status_code == 200
    assert [(g[0], g[2], g[4], g[5], g[6]) for g in hk2_grades(school_db)] == [
        ("CVA900001", "CK", "6.5", "pending", "import:Diem_HK2.xlsx"),
        ("DD900001", "TX", "9.5", "pending", "import:Diem_HK2.xlsx")]


# -- bad rows and bad files --------------------------------------------------------------------------------------
def test_bad_rows_are_listed_with_the_imports_own_row_numbers_and_reasons(admin_dd, school_db, year, tmp_path):
    content = grades_csv(year, "DD900001,TOAN,{y},HK2,TX,1,8",          # row 2: fine
                         "DD900001,TOAN,{y},HK2,TX,1,11",              # row 3: out of range
                         "DD900001,XYZ,{y},HK2,TX,1,8",                # row 4: unknown subject
                         "DD999999,TOAN,{y},HK2,TX,1,8",               # row 5: unknown student
                         "DD900002,VAN,{y},HK2,TX,9,8")                # row 6: beyond the TX count
    before = dump(school_db)
    r = upload(admin_dd, "diem.csv", content)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "diem.csv: 4 dòng lỗi, chưa nhập gì" in html
    assert 'id="confirm"' not in html
    # Exactly what the import (and so the CLI) reports for the same file.
    (tmp_path / "diem.csv").write_bytes(content)
    with pytest.raises(ImportRowsError) as e:
        import_file(school_db, "grades", tmp_path / "diem.csv", dry_run=True)
    errors = e.value.report.errors
    assert [err.row for err in errors] == [3, 4, 5, 6]
    for err in errors:
        assert f"<tr><td>{err.row}</td><td>{escape(err.reason)}</td></tr>" in html
    assert dump(school_db) == before
    assert [p for p in kept_files(tmp_path) if p.is_file()] == []


def test_the_clis_bad_example_file_reports_every_row(operator, school_db):
    content = (BAD / "grades.csv").read_bytes()
    r = upload(operator, "grades.csv", content)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    rows = len(content.decode("utf-8-sig").strip().splitlines()) - 1
    assert f"grades.csv: {rows} dòng lỗi, chưa nhập gì" in html
    for n in range(2, rows + 2):
        assert f"<tr><td>{n}</td>" in html


@pytest.mark.parametrize("name, content, message", [
    ("diem.pdf", b"%PDF-1.4", "diem.pdf: loại tệp .pdf không đọc được: dùng .csv, .xlsx hoặc .xls"),
    ("diem", b"a,b\n", "diem: loại tệp (không có đuôi) không đọc được: dùng .csv, .xlsx hoặc .xls"),
    ("diem.xls", b"\xd0\xcf\x11\xe0", "diem.xls: không đọc được tệp .xls: tệp hỏng"),
    ("diem.csv", b"", "diem.csv: thiếu cột mã học sinh (ma_hs), mã môn (ma_mon), năm học (nam_hoc), học kỳ (hoc_ky)"),
    ("diem.xlsx", b"this is not a workbook", "diem.xlsx: không đọc được tệp .xlsx: tệp hỏng"),
    ("diem.xlsx", b"", "diem.xlsx: không đọc được tệp .xlsx: tệp hỏng"),
    ("diem.csv", "Mã HS,Môn,Năm học\nDD900001,TOAN,2026-2027\n".encode(), "diem.csv: thiếu cột học kỳ (hoc_ky), loại"),
    ("diem.csv", (BAD / "grades_missing_column.csv").read_bytes(), "thiếu cột điểm (diem)"),
    ("diem.csv", "Mã HS;Điểm\nDD900001;8\n".encode("utf-16"), "diem.csv: không phải văn bản UTF-8 (dòng 1)"),
])
def test_bad_files_get_the_imports_own_message(admin_dd, school_db, tmp_path, name, content, message):
    before = dump(school_db)
    r = upload(admin_dd, name, content)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert escape(message) in html
    assert 'id="confirm"' not in html
    assert dump(school_db) == before
    assert [p for p in kept_files(tmp_path) if p.is_file()] == []


@pytest.mark.parametrize("form, message", [
    ({"kind": "marks"}, "Chọn loại dữ liệu của tệp."),
    ({"kind": ""}, "Chọn loại dữ liệu của tệp."),
    ({"file": (io.BytesIO(b""), "")}, "Chọn tệp CSV hoặc XLSX để tải lên."),
])
def test_missing_kind_or_file(admin_dd, form, message):
    admin_dd.get(URL)
    data = {"file": (io.BytesIO(b"x"), "diem.csv"), "kind": "grades", "csrf_token": csrf_of(admin_dd), **form}
    r = admin_dd.post(URL, data=data, content_type="multipart/form-data")
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)


@pytest.mark.parametrize("raw, safe", [
    ("Điểm HK1.xlsx", "Diem_HK1.xlsx"), ("../../etc/passwd", "passwd"), ("", "tep"),
    ("..", "tep"), ("diem.CSV", "diem.CSV"), ("a" * 300 + ".csv", "a" * 120 + ".csv"),
    ("C:\\Users\\co\\bảng điểm.csv", "bang_diem.csv"),
])
def test_safe_name(raw, safe):
    assert safe_name(raw) == safe


# -- school scope ------------------------------------------------------------------------------------------------
def test_another_schools_rows_are_refused_for_an_admin_and_accepted_for_an_operator(
        client, make_staff, school_db, year):
    content = grades_csv(year, "DD900001,TOAN,{y},HK2,TX,1,8",
                         "CVA900001,TOAN,{y},HK2,TX,1,7",
                         "DD900002,VAN,{y},HK2,GK,,7",
                         "CVA900002,VAN,{y},HK2,GK,,9")
    before = dump(school_db)
    login_staff(client, make_staff("ad.dd", "admin", "THCS-DD"))
    r = upload(client, "diem.csv", content)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "diem.csv: 2 dòng thuộc trường khác" in html and 'id="confirm"' not in html
    assert "<tr><td>3</td><td>THPT-CVA</td><td>học sinh CVA900001 thuộc trường THPT-CVA, không phải THCS-DD</td></tr>" in html
    assert "<tr><td>5</td><td>THPT-CVA</td><td>học sinh CVA900002 thuộc trường THPT-CVA, không phải THCS-DD</td></tr>" in html
    assert dump(school_db) == before

    client.post("/logout", data={"csrf_token": csrf_of(client)})
    login_staff(client, make_staff("op", "operator"))
    r = upload(client, "diem.csv", content)
    assert r.status_code == 200 and '<td class="inserted">4</td>' in r.get_data(as_text=True)
    assert confirm(client).status_code == 200
    assert {g[0] for g in hk2_grades(school_db)} == {"DD900001", "DD900002", "CVA900001", "CVA900002"}


def test_an_admin_cannot_move_another_schools_student_or_touch_its_classes(admin_dd, school_db, year):
    students = (f"Mã HS,Họ tên,Mã trường,Lớp,Năm học\nDD900099,Võ Văn Mới,THCS-DD,8A2,{year}\n"
                f"CVA900001,Nguyễn Minh An,THCS-DD,8A2,{year}\n").encode()
    r = upload(admin_dd, "hs.csv", students, kind="students")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "học sinh CVA900001 thuộc trường THPT-CVA, không phải THCS-DD" in html
    classes = f"Mã trường,Lớp,Khối,Năm học\nTHCS-DD,9A9,9,{year}\nthpt-cva,12A9,12,{year}\n".encode()
    r = upload(admin_dd, "lop.csv", classes, kind="classes")
    assert "<tr><td>3</td><td>THPT-CVA</td><td>mã trường THPT-CVA không phải THCS-DD</td></tr>" in r.get_data(as_text=True)
    assert school_db.execute("SELECT COUNT(*) FROM classes WHERE name IN ('9A9', '12A9')").fetchone()[0] == 0


def test_rows_outside_reads_the_file_like_the_import(school_db, year, tmp_path):
    path = write_xlsx(tmp_path / "sk.xlsx", [
        ["KẾ HOẠCH"], ["Mã trường", "Lớp", "Ngày", "Loại", "Tiêu đề", "Nội dung"],
        ["THCS-DD", "", "2027-01-05", "thi", "Kiểm tra", ""],
        ["", "", "", "", "", ""],
        ["THPT-CVA", "", "2027-01-05", "thi", "Kiểm tra", ""],
        ["", "", "", "", "Hiệu trưởng"]])
    found = rows_outside(school_db, "events", path, "thcs-dd")
    assert [(f.row, f.school, str(f)) for f in found] == [(5, "THPT-CVA", "dòng 5: mã trường THPT-CVA không phải THCS-DD")]
    assert rows_outside(school_db, "events", path, "THPT-CVA")[0].row == 3


def test_guardians_replace_only_on_request_and_only_within_the_admins_school(admin_dd, school_db, year):
    def active(school: str) -> int:
        return school_db.execute(
            "SELECT COUNT(*) FROM guardian_links l JOIN students s ON s.id = l.student_id JOIN schools sc "
            "ON sc.id = s.school_id WHERE l.active = 1 AND l.school_year = ? AND sc.code = ?", [year, school]
        ).fetchone()[0]
    dd, cva = active("THCS-DD"), active("THPT-CVA")
    content = (f"SĐT,Họ tên,Mã HS,Quan hệ,Năm học\n0912345678,Nguyễn Văn Hùng,DD900001,Bố,{year}\n").encode()
    r = upload(admin_dd, "ph.csv", content, kind="guardians")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "deactivated" not in html.split('id="summary"')[1].split("</table>")[0]
    r = upload(admin_dd, "ph.csv", content, kind="guardians", replace="1")
    html = r.get_data(as_text=True)
    assert f'<td class="deactivated">{dd - 1}</td>' in html
    assert f"Thay thế (--replace): {dd - 1} liên kết" in html
    assert active("THCS-DD") == dd                      # still a dry run
    assert confirm(admin_dd).status_code == 200
    assert (active("THCS-DD"), active("THPT-CVA")) == (1, cva)


def test_replace_is_ignored_for_other_kinds(admin_dd, school_db, year):
    r = upload(admin_dd, "diem.csv", good_grades(year), replace="1")
    assert r.status_code == 200
    with admin_dd.session_transaction() as s:
        assert s[SESSION_KEY]["replace"] is False


# -- who may, CSRF, size ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["teacher", "reviewer"])
def test_teachers_and_reviewers_get_403(client, make_staff, school_db, year, role, tmp_path):
    login_staff(client, make_staff("x", role, "THCS-DD", classes=("8A2",) if role == "teacher" else ()))
    assert client.get(URL).status_code == 403
    client.get("/staff/")                                  # a page with a form: the session's CSRF token
    r = client.post(URL, data={"file": (io.BytesIO(good_grades(year)), "diem.csv"), "kind": "grades",
                               "csrf_token": csrf_of(client)}, content_type="multipart/form-data")
    assert csrf_of(client) and r.status_code == 403
    assert client.post(CONFIRM, data={"token": "A" * 32, "csrf_token": csrf_of(client)}).status_code == 403
    assert kept_files(tmp_path) == [] and hk2_grades(school_db) == []


def test_logged_out_goes_to_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_menu_shows_the_page_to_admins(admin_dd):
    assert 'href="/staff/imports"' in admin_dd.get("/staff/").get_data(as_text=True)


def test_csrf_is_required(admin_dd, school_db, year, tmp_path):
    admin_dd.get(URL)
    r = admin_dd.post(URL, data={"file": (io.BytesIO(good_grades(year)), "diem.csv"), "kind": "grades"},
                      content_type="multipart/form-data")
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = admin_dd.post(URL, data={"file": (io.BytesIO(good_grades(year)), "diem.csv"), "kind": "grades",
                                 "csrf_token": "forged"}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert kept_files(tmp_path) == []
    upload(admin_dd, "diem.csv", good_grades(year))
    with admin_dd.session_transaction() as s:
        token = s[SESSION_KEY]["token"]
    assert admin_dd.post(CONFIRM, data={"token": token}).status_code == 400
    assert hk2_grades(school_db) == []


def test_an_oversized_upload_gets_a_413_page(admin_dd, web_app, school_db, tmp_path):
    assert web_app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024
    admin_dd.get(URL)
    big = b"x" * (20 * 1024 * 1024 + 1)
    r = admin_dd.post(URL, data={"file": (io.BytesIO(big), "diem.csv"), "kind": "grades",
                                 "csrf_token": csrf_of(admin_dd)}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 413
    assert "Tệp tải lên vượt quá giới hạn 20 MB" in html
    assert kept_files(tmp_path) == []


# -- in a browser ------------------------------------------------------------------------------------------------------
def test_browser_admin_uploads_previews_and_confirms_a_grade_file(page, live_server, make_staff, school_db, year,
                                                                  tmp_path):
    make_staff("ad.dd", "admin", "THCS-DD")
    file = tmp_path / "diem_hk2.csv"
    file.write_bytes(good_grades(year))
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", "ad.dd")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")
    nav_click(page, "header nav a[href='/staff/imports']")
    page.wait_for_url(f"{live_server}/staff/imports")
    page.select_option("#kind", "grades")
    page.set_input_files("#file", str(file))
    page.click("#preview")
    page.wait_for_selector("#summary")
    assert page.locator("#summary td.inserted").inner_text() == "2"
    assert "Kết quả chạy thử" in page.locator("#outcome h2").inner_text()
    assert hk2_grades(school_db) == []
    page.click("#confirm")
    page.wait_for_selector("#done")
    assert "Đã nhập diem_hk2.csv" in page.locator("#done").inner_text()
    assert [g[5] for g in hk2_grades(school_db)] == ["pending", "pending"]
