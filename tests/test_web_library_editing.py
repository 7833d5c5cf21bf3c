"""The owner's edit form, deleting an old version and a whole draft on the library's pages: owner only, states
respected, a refusal named, every change audited under the staff login."""
from __future__ import annotations

import io
import json

import pytest

from store.library import items, review
from store.library.states import Action

from .fixtures_library import add_item, docx_bytes
from .fixtures_web import STAFF_PASSWORD, csrf_of, login_staff, post_form


@pytest.fixture
def draft(client, school_db, people):
    """gv.toan's draft lesson plan with two versions, gv.toan logged in: (item id, settings)."""
    settings = client.application.extensions["sll.settings"]
    item = add_item(school_db, settings, people, title="Giáo án Toán 6 – Bài 1").item_id
    items.add_version(school_db, settings, people.viewer(school_db, "gv.toan"), item,
                      items.Upload("ban-2.docx", io.BytesIO(docx_bytes("Giáo án Toán 6 bản hai"))))
    login_staff(client, "gv.toan")
    return item, settings


def page(client, url) -> str:
    return client.get(url).get_data(as_text=True)


def actors(db, action) -> list[tuple[str, dict]]:
    return [(a, json.loads(d)) for a, d in db.execute("SELECT actor, detail FROM audit_log WHERE action = ? "
                                                      "ORDER BY id", [action])]


def test_the_owner_edits_the_fields_of_a_draft(client, school_db, people, draft):
    item, _ = draft
    base = f"/staff/library/items/{item}"
    html = page(client, base)
    assert 'id="edit-fields"' in html and 'id="delete-item"' in html and 'id="delete-v1"' in html
    assert 'id="delete-v2"' not in html                                  # never the latest version
    form = page(client, f"{base}/edit")
    assert 'value="Giáo án Toán 6 – Bài 1"' in form and 'value="TOAN" selected' in form
    fields = {"title": "Giáo án Toán 6 – Phân số", "section": "giang_day", "subject": "TOAN", "grade": "6",
              "department_id": str(people.math), "source": "Tự biên soạn"}
    bad = post_form(client, f"{base}/edit", {**fields, "grade": "13"})
    assert bad.status_code == 400 and "Khối lớp «13»" in bad.get_data(as_text=True)
    assert 'value="Giáo án Toán 6 – Phân số"' in bad.get_data(as_text=True)          # what was typed is kept
    ok = post_form(client, f"{base}/edit", fields, follow_redirects=True)
    html = ok.get_data(as_text=True)
    assert "Đã sửa tên." in html and "<h1 id=\"title\">Giáo án Toán 6 – Phân số</h1>" in html
    assert "Sửa thông tin: sửa tên" in html                              # the history line
    assert f'id="hit{item}"' in page(client, "/staff/library/?q=phan+so")       # found by its new title
    assert [a for a, _ in actors(school_db, "library:edit")] == ["gv.toan"]
    assert "Không có gì thay đổi." in post_form(client, f"{base}/edit", fields, follow_redirects=True).get_data(
        as_text=True)


def test_nobody_but_the_owner_edits_and_not_while_submitted(client, school_db, people, draft):
    item, _ = draft
    base = f"/staff/library/items/{item}"
    review.act(school_db, people.viewer(school_db, "gv.toan"), item, Action.SUBMIT)
    html = page(client, base)
    assert 'id="edit-fields"' not in html and 'id="delete-item"' not in html and 'id="delete-v1"' not in html
    refused = post_form(client, f"{base}/edit", {"title": "X", "section": "giang_day", "source": "Y"})
    assert refused.status_code == 400 and "chỉ sửa thông tin khi còn là bản nháp" in refused.get_data(as_text=True)
    other = client.application.test_client()
    login_staff(other, "tt.toan")                                        # the reviewer sees it, but it is not theirs
    assert other.get(base).status_code == 200 and other.get(f"{base}/edit").status_code == 404
    other.get(base)
    r = other.post(f"{base}/v/1/delete", data={"csrf_token": csrf_of(other)})
    assert r.status_code == 400 and "Chỉ người tải tài liệu lên" in r.get_data(as_text=True)
    assert [v.number for v in review.versions(school_db, item)] == [2, 1]


def test_the_owner_deletes_an_old_version_but_not_the_latest(client, school_db, draft):
    item, settings = draft
    base = f"/staff/library/items/{item}"
    latest = post_form(client, f"{base}/v/2/delete", {}, get_from=base)
    assert latest.status_code == 400 and "Không xoá phiên bản mới nhất" in latest.get_data(as_text=True)
    done = post_form(client, f"{base}/v/1/delete", {}, get_from=base, follow_redirects=True)
    assert "Đã xoá phiên bản 1 (giao-an.docx)." in done.get_data(as_text=True)
    assert [v.number for v in review.versions(school_db, item)] == [2]
    assert client.get(f"{base}/v/1/download").status_code == 404
    (actor, detail), = actors(school_db, "library:delete-version")
    assert actor == "gv.toan" and detail["version"] == 1


def test_the_owner_deletes_a_draft_once_the_box_is_ticked(client, school_db, people, draft):
    item, settings = draft
    base = f"/staff/library/items/{item}"
    unticked = post_form(client, f"{base}/delete", {}, get_from=base)
    assert unticked.status_code == 400 and "Tôi muốn xoá hẳn tài liệu này" in unticked.get_data(as_text=True)
    assert review.get(school_db, people.viewer(school_db, "gv.toan"), item) is not None
    gone = post_form(client, f"{base}/delete", {"confirm": "1"}, get_from=base, follow_redirects=True)
    assert "Đã xoá tài liệu «Giáo án Toán 6 – Bài 1»." in gone.get_data(as_text=True)
    assert client.get(base).status_code == 404
    assert not [p for p in (settings.data_dir / "library" / "blobs").rglob("*") if p.is_file()]
    (actor, detail), = actors(school_db, "library:delete")
    assert actor == "gv.toan" and detail["title"] == "Giáo án Toán 6 – Bài 1"


def test_a_guardian_gets_404_on_the_new_urls(client, school_db, draft):
    item, _ = draft
    guardian = school_db.execute("SELECT id FROM guardians WHERE phone = '+84912345678'").fetchone()[0]
    parent = client.application.test_client()
    with parent.session_transaction() as s:
        s["guardian_id"] = guardian
    parent.get("/parent/login")
    token = csrf_of(parent)
    base = f"/staff/library/items/{item}"
    assert parent.get(f"{base}/edit").status_code == 404
    for url in (f"{base}/edit", f"{base}/v/1/delete", f"{base}/delete"):
        assert parent.post(url, data={"csrf_token": token, "confirm": "1"}).status_code == 404, url
    assert len(review.versions(school_db, item)) == 2


@pytest.mark.slow
def test_browser_the_owner_fixes_a_title_drops_an_old_version_then_the_draft_at_phone_size(
        chromium, live_server, school_db, people, tmp_path):
    first, second = tmp_path / "ban-1.docx", tmp_path / "ban-2.docx"
    first.write_bytes(docx_bytes("Phiếu học tập: Nguyễn Thị Hoa"))
    second.write_bytes(docx_bytes("Phiếu học tập (đã bỏ tên)"))
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page_ = context.new_page()
    page_.set_default_timeout(10_000)
    try:
        page_.goto(f"{live_server}/login")
        page_.fill("input[name=login]", "gv.toan")
        page_.fill("input[name=password]", STAFF_PASSWORD)
        page_.click("button[type=submit]")
        page_.wait_for_url(f"{live_server}/staff/")
        page_.goto(f"{live_server}/staff/library/new")
        page_.fill("#title", "Phieu hoc tap")
        page_.select_option("#section", "giang_day")
        page_.fill("#source", "Tự biên soạn")
        page_.set_input_files("#file", str(first))
        page_.click("#save")
        page_.wait_for_selector("#v1")
        page_.set_input_files("#version-file", str(second))
        page_.click("#upload-version")
        page_.wait_for_selector("#v2")
        assert page_.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page_.click("#edit-fields")
        page_.fill("#title", "Phiếu học tập – Phân số")
        page_.select_option("#subject", "TOAN")
        page_.click("#save-fields")
        page_.wait_for_selector("text=Đã sửa tên, môn.")
        assert page_.inner_text("#title") == "Phiếu học tập – Phân số"
        page_.click("#delete-v1")
        page_.wait_for_selector("text=Đã xoá phiên bản 1 (ban-1.docx).")
        assert page_.locator("#versions tr.version").count() == 1
        page_.click("#delete-item")                       # the box is not ticked: the browser stops it
        assert page_.locator("#versions").count() == 1
        page_.check("#delete-confirm")
        page_.click("#delete-item")
        page_.wait_for_selector("text=Đã xoá tài liệu «Phiếu học tập – Phân số».")
    finally:
        context.close()
    assert school_db.execute("SELECT count(*) FROM library_items").fetchone()[0] == 0
