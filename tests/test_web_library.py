"""The library's pages: guardians get 404s, downloads and previews are audited, size limits, and in a browser the
whole path upload → submit → return with a reason → new version → approve → found → downloaded; the quota."""
from __future__ import annotations

import io
import json

import pytest

import settings as settings_mod

from .conftest import write_config
from .fixtures_library import add_item, approve, docx_bytes, pdf_bytes
from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, nav_click

MB = 1024 * 1024


@pytest.fixture
def web_settings(tmp_path, school_db_path, redis_url, redis_prefix):
    """The web app's settings with a 2 MB file limit and a 3 MB quota."""
    cfg = write_config(tmp_path / "web.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                       "[library]\nmax_mb = 2\nquota_mb = 3\n", db_path=school_db_path)
    return settings_mod.load(cfg, env={"SLL_WEB_SECRET_KEY": "test-secret-key-of-at-least-32-bytes"})


@pytest.fixture
def approved_pdf(school_db, web_settings, people):
    stored = add_item(school_db, web_settings, people, content=pdf_bytes("De kiem tra hoc ky 1"), name="đề thi.pdf",
                      title="Đề kiểm tra học kỳ 1")
    approve(school_db, people, stored.item_id)
    return stored.item_id


def urls(item_id: int) -> list[str]:
    base = f"/staff/library/items/{item_id}"
    return ["/staff/library/", "/staff/library/queue", "/staff/library/new", base, f"{base}/v/1/download",
            f"{base}/v/1/preview", f"/l/{item_id}"]


def test_a_guardian_gets_404_on_every_library_url_and_nobody_logged_out_gets_in(client, approved_pdf, school_db):
    for url in urls(approved_pdf):
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"], url
    guardian = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    with client.session_transaction() as s:
        s["guardian_id"] = guardian
    for url in urls(approved_pdf):
        r = client.get(url)
        assert r.status_code == 404, url
        assert b"De kiem tra" not in r.data and "Đề kiểm tra".encode() not in r.data
    client.get("/parent/login")       # a page with a form: the session's CSRF token
    r = client.post(f"/staff/library/items/{approved_pdf}/return", data={"reason": "x", "csrf_token": csrf_of(client)})
    assert r.status_code == 404
    assert "/staff/library" not in client.get("/parent/").get_data(as_text=True)


def test_download_and_preview_are_audited_and_scoped_to_the_school(client, approved_pdf, school_db, people,
                                                                   make_staff):
    login_staff(client, "gv.van")
    page = client.get(f"/staff/library/items/{approved_pdf}").get_data(as_text=True)
    assert "Đề kiểm tra học kỳ 1" in page and "Xem trước" in page and "Đã duyệt" in page
    r = client.get(f"/staff/library/items/{approved_pdf}/v/1/preview")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert r.headers["Content-Disposition"].startswith("inline") and r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get(f"/staff/library/items/{approved_pdf}/v/1/download")
    assert r.headers["Content-Disposition"].startswith("attachment") and "filename*=UTF-8''%C4%91%E1%BB%81" in \
        r.headers["Content-Disposition"]
    rows = school_db.execute("SELECT actor, action, detail FROM audit_log WHERE action LIKE 'library:%' "
                             "AND actor = 'gv.van' ORDER BY id").fetchall()
    assert [(a, b) for a, b, _ in rows] == [("gv.van", "library:preview"), ("gv.van", "library:download")]
    assert json.loads(rows[0][2])["item_id"] == approved_pdf
    assert client.get(f"/staff/library/items/{approved_pdf}/v/9/download").status_code == 404
    listing = client.get("/staff/library/?q=kiem+tra&grade=6&subject=TOAN&state=approved&section=giang_day"
                         f"&department_id={people.math}").get_data(as_text=True)
    assert f'id="hit{approved_pdf}"' in listing and "Đã duyệt" in listing and "Tổ Toán - Tin" in listing
    for other_filter in ("grade=7", "subject=VAN", "state=draft", "section=van_ban", f"department_id={people.literature}",
                         "grade=abc"):
        assert f'id="hit{approved_pdf}"' not in client.get(f"/staff/library/?q=kiem+tra&{other_filter}").get_data(
            as_text=True), other_filter
    docx = add_item(school_db, client.application.extensions["sll.settings"], people, title="Word")
    approve(school_db, people, docx.item_id)
    assert client.get(f"/staff/library/items/{docx.item_id}/v/1/preview").status_code == 404   # no inline DOCX
    other = client.application.test_client()
    make_staff("ad.cva", "admin", "THPT-CVA")
    login_staff(other, "ad.cva")
    assert other.get(f"/staff/library/items/{approved_pdf}").status_code == 404
    assert other.get(f"/staff/library/items/{approved_pdf}/v/1/download").status_code == 404
    assert "Đề kiểm tra" not in other.get("/staff/library/?q=de+kiem+tra").get_data(as_text=True)


def _post_new(client, content: bytes, name: str = "giao-an.pdf", **fields):
    client.get("/staff/library/new")
    data = {"title": "Giáo án", "section": "giang_day", "source": "Tự biên soạn", "csrf_token": csrf_of(client),
            "file": (io.BytesIO(content), name), **fields}
    return client.post("/staff/library/new", data=data, content_type="multipart/form-data")


def test_size_limits_and_form_errors_are_clear_and_store_nothing(client, people, school_db, tmp_path):
    login_staff(client, "gv.toan")
    r = _post_new(client, b"%PDF-1.4 " + b"0" * (4 * MB))
    assert r.status_code == 413 and "vượt quá giới hạn 2 MB" in r.get_data(as_text=True)
    r = _post_new(client, pdf_bytes("x") + b"%" + b"0" * (2 * MB + 10))          # within the form's slack
    assert r.status_code == 400 and "lớn hơn giới hạn 2 MB" in r.get_data(as_text=True)
    r = _post_new(client, pdf_bytes("x"), source="")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Ghi nguồn hoặc giấy phép" in html and 'value="Giáo án"' in html
    r = _post_new(client, b"\x7fELF" + b"\0" * 100, name="giao-an.pdf")
    assert r.status_code == 400 and "là tệp ELF theo nội dung" in r.get_data(as_text=True)
    r = _post_new(client, pdf_bytes("x"), name="../../giao-an.pdf")
    assert r.status_code == 400 and "chứa đường dẫn" in r.get_data(as_text=True)
    assert school_db.execute("SELECT count(*) FROM library_items").fetchone()[0] == 0
    assert not [p for p in (tmp_path / "library").rglob("*") if p.is_file()]


def test_a_privacy_warning_is_shown_after_upload(client, people):
    login_staff(client, "gv.toan")
    r = _post_new(client, docx_bytes("Nhóm 1: Nguyễn Thị Hoa", "Gọi 0912.345.678"), name="nhom.docx")
    assert r.status_code == 302
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Cảnh báo: tài liệu có vẻ chứa 1 tên học sinh của trường (Nguyễn Thị Hoa)" in html
    assert "09xxxx5678" in html


# -- in a browser ----------------------------------------------------------------------------------------------------
def _login(chromium, base: str, login: str, *, phone: bool = False):
    context = chromium.new_context(**({"viewport": {"width": 390, "height": 844}, "is_mobile": True}
                                      if phone else {}))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/staff/")
    return context, page


def _new_lesson_plan(teacher, path) -> None:
    """From the menu, the teacher's new library item: a grade-6 Toán lesson plan with ``path`` as its file."""
    nav_click(teacher, "header nav a[href='/staff/library/']")
    teacher.click("#new-item")
    teacher.fill("#title", "Giáo án Toán 6 – Phân số")
    teacher.select_option("#section", "giang_day")
    teacher.select_option("#subject", "TOAN")
    teacher.select_option("#grade", "6")
    teacher.fill("#source", "Tự biên soạn")
    teacher.set_input_files("#file", str(path))
    teacher.click("#save")
    teacher.wait_for_selector("#versions")


def _open_first_queued(head, base: str) -> None:
    """The head of department opens the first item of the approval queue."""
    head.goto(f"{base}/staff/library/queue")
    head.click("#queue a")


@pytest.mark.slow
def test_browser_upload_submit_return_new_version_approve_search_download(chromium, live_server, people, tmp_path):
    first, second = tmp_path / "giao-an-v1.docx", tmp_path / "giao-an-v2.docx"
    first.write_bytes(docx_bytes("Giáo án Toán 6: phân số"))
    second.write_bytes(docx_bytes("Giáo án Toán 6: phân số", "Đáp án bài tập 3"))
    teacher_ctx, teacher = _login(chromium, live_server, "gv.toan")
    head_ctx, head = _login(chromium, live_server, "tt.toan")
    reader_ctx, reader = _login(chromium, live_server, "gv.van", phone=True)
    try:
        _new_lesson_plan(teacher, first)
        assert teacher.inner_text("#state") == "Bản nháp"
        item_url = teacher.url
        teacher.click("#do-submit")
        teacher.wait_for_selector("text=Đã gửi duyệt.")
        assert teacher.inner_text("#state") == "Chờ duyệt"

        _open_first_queued(head, live_server)
        head.fill("#reason", "Thiếu đáp án bài tập 3")
        head.click("#do-return")
        head.wait_for_selector("text=Đã trả lại tài liệu kèm lý do.")
        assert head.inner_text("#state") == "Trả lại"

        teacher.goto(item_url)
        assert teacher.inner_text("#return-reason") == "Thiếu đáp án bài tập 3"
        teacher.set_input_files("#version-file", str(second))
        teacher.fill("#version-note", "Thêm đáp án")
        teacher.click("#upload-version")
        teacher.wait_for_selector("#v2")
        teacher.click("#do-submit")
        teacher.wait_for_selector("text=Đã gửi duyệt.")

        _open_first_queued(head, live_server)
        head.click("#do-approve")
        head.wait_for_selector("text=Đã duyệt tài liệu.")
        assert head.inner_text("#state") == "Đã duyệt"

        reader.goto(f"{live_server}/staff/library/")
        reader.fill("#q", "giao an dap an")
        reader.click("#go")
        reader.wait_for_selector("#results")
        assert reader.locator("#results tr.hit").count() == 1
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        reader.click("#results tr.hit a")
        reader.wait_for_selector("#versions")
        assert reader.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        with reader.expect_download() as download:
            reader.click("#v2 a.download")
        assert download.value.suggested_filename == "giao-an-v2.docx"
        assert open(download.value.path(), "rb").read() == second.read_bytes()
    finally:
        for context in (teacher_ctx, head_ctx, reader_ctx):
            context.close()


def test_browser_quota_reached_is_a_clear_refusal_at_phone_size(chromium, live_server, people, tmp_path, school_db):
    big = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for n, path in enumerate(big):
        path.write_bytes(pdf_bytes(f"tai lieu {n}") + b"%" + bytes([49 + n]) * (int(1.8 * MB)))
    context, page = _login(chromium, live_server, "gv.toan", phone=True)
    try:
        for n, path in enumerate(big):
            page.goto(f"{live_server}/staff/library/new")
            page.fill("#title", f"Tài liệu {n + 1}")
            page.select_option("#section", "chuyen_mon")
            page.fill("#source", "Sở GD&ĐT")
            page.set_input_files("#file", str(path))
            page.click("#save")
            page.wait_for_selector(".flash")
        alert = page.locator(".flash.error").inner_text()
        assert "hết dung lượng (3 MB" in alert and "b.pdf" in alert
        assert page.input_value("#title") == "Tài liệu 2"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    finally:
        context.close()
    assert school_db.execute("SELECT count(*) FROM library_items").fetchone()[0] == 1
