"""The library's rules on a real SQLite file and real files: states, uploads, bad files, quota, search, privacy."""
from __future__ import annotations

import io
import os
import stat

import pytest

from store.library import files, items, review, search
from store.library.errors import BadInput, FileRefused, NotAllowed, QuotaExceeded
from store.library.states import EDITABLE, TRANSITIONS, Action, ItemState, next_state

from .fixtures_library import DEFAULT_FIELDS as FIELDS, ELF, add_item, docx_bytes, docx_zip_bomb, encrypted_pdf, pdf_bytes
from .state_moves import checked_review_moves

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def review_moves(request):
    """Every review status these tests change is a move of its machine (store/review/status.py)."""
    yield from checked_review_moves(request)


def upload(db, settings, people, login="gv.toan", content=None, name="giao-an.docx", **fields):
    return add_item(db, settings, people, login, content, name, **fields)


def stored_files(settings) -> list[str]:
    root = settings.data_dir / "library"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def counts(db) -> tuple[int, ...]:
    return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("library_items", "library_versions", "library_blobs", "library_fts", "library_titles"))


# -- the state machine -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("state", list(ItemState))
@pytest.mark.parametrize("action", list(Action))
def test_every_state_and_action_is_in_the_table_or_refused(state, action):
    assert next_state(state, action) == TRANSITIONS.get((state, action))
    if state is ItemState.APPROVED:
        assert next_state(state, action) is None          # final: no action moves an approved item
    if action is Action.APPROVE:
        assert next_state(state, action) in (None, ItemState.APPROVED)
        assert (next_state(state, action) is not None) == (state is ItemState.SUBMITTED)
    assert (state in EDITABLE) == (state in (ItemState.DRAFT, ItemState.RETURNED))


# -- uploads ---------------------------------------------------------------------------------------------------------
def test_a_docx_is_stored_once_by_hash_in_private_folders_and_found_without_accents(school_db, lib_settings, people):
    stored = upload(school_db, lib_settings, people)
    again = upload(school_db, lib_settings, people, title="Bản sao giáo án")
    blobs = [p for p in stored_files(lib_settings) if p.startswith("blobs/")]
    assert len(blobs) == 1 and counts(school_db)[2] == 1
    sha = blobs[0].rsplit("/", 1)[1]
    path = files.blob_path(lib_settings.data_dir, sha)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert items.usage(school_db, people.school_id) == os.path.getsize(path)      # counted once
    owner = people.viewer(school_db, "gv.toan")
    for query in ("giao an", "GIÁO ÁN", "phan so", "thập phân", "giao a"):
        assert {h.id for h in search.search(school_db, owner, query)} == {stored.item_id, again.item_id}, query
    assert search.search(school_db, owner, "hoá học") == []
    assert search.search(school_db, owner, "", section="van_ban") == []
    assert {h.id for h in search.search(school_db, owner, "giao an", grade=6, subject="TOAN",
                                        department_id=people.math, state="draft")} == {again.item_id, stored.item_id}
    assert search.search(school_db, owner, "giao an", grade=7) == []
    assert search.search(school_db, owner, "giao an", state="approved") == []
    assert search.search(school_db, owner, "giao an", department_id=people.literature) == []


def test_pdf_text_is_extracted_for_search(school_db, lib_settings, people):
    stored = upload(school_db, lib_settings, people, content=pdf_bytes("Ke hoach day hoc mon Tin hoc", "Hoc ky I"),
                    name="kehoach.pdf", title="Kế hoạch", subject="")
    owner = people.viewer(school_db, "gv.toan")
    assert [h.id for h in search.search(school_db, owner, "kế hoạch dạy học tin học")] == [stored.item_id]
    assert review.versions(school_db, stored.item_id)[0].kind == "pdf"


def test_title_matches_come_first_then_text_matches_newest_first(school_db, lib_settings, people):
    titled = upload(school_db, lib_settings, people, title="Ôn tập hình học", content=docx_bytes("tam giác")).item_id
    old = upload(school_db, lib_settings, people, title="Đề 1", content=docx_bytes("bài hình học cũ")).item_id
    new = upload(school_db, lib_settings, people, title="Đề 2", content=docx_bytes("bài hình học mới")).item_id
    owner = people.viewer(school_db, "gv.toan")
    assert [h.id for h in search.search(school_db, owner, "hinh hoc")] == [titled, new, old]
    assert [h.id for h in search.search(school_db, owner, "hinh hoc", limit=1, offset=1)] == [new]
    assert [h.id for h in search.search(school_db, owner, "Hình")] == [titled, new, old]


@pytest.mark.parametrize("name, content, message", [
    ("giao-an.pdf", ELF, "là tệp ELF theo nội dung"),
    ("setup.docx", b"MZ" + b"\0" * 300, "là tệp EXE theo nội dung"),
    ("giao-an.docx", None, "bom zip"),
    ("de-thi.pdf", None, "được mã hoá hoặc đặt mật khẩu"),
    ("rong.pdf", b"", "rỗng (0 byte)"),
    ("lon.pdf", None, "lớn hơn giới hạn 1 MB"),
    ("../../etc/passwd.pdf", None, "chứa đường dẫn"),
    ("..\\giao-an.docx", None, "chứa đường dẫn"),
    ("..", None, "chứa đường dẫn"),
    ("ghi-chu.txt", "Giáo án".encode(), "Không nhận ra loại"),
    ("co-mat-khau.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "Office cũ (DOC) hoặc được đặt mật khẩu"),
])
def test_bad_files_are_refused_with_a_message_and_nothing_is_stored(school_db, lib_settings, people, name, content,
                                                                    message):
    if content is None:
        content = {"bom zip": docx_zip_bomb, "được mã hoá hoặc đặt mật khẩu": encrypted_pdf,
                   "lớn hơn giới hạn 1 MB": lambda: pdf_bytes("x") + b"0" * MB,
                   "chứa đường dẫn": lambda: pdf_bytes("x")}[message]()
    with pytest.raises(FileRefused) as exc:
        upload(school_db, lib_settings, people, content=content, name=name)
    assert message in exc.value.message
    assert counts(school_db) == (0, 0, 0, 0, 0)
    assert stored_files(lib_settings) == []


def test_what_a_crashed_upload_left_in_tmp_is_swept(school_db, lib_settings, people):
    tmp = files.root(lib_settings.data_dir) / "tmp"
    old, fresh = tmp / "up-crashed", tmp / "up-running"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    upload(school_db, lib_settings, people)
    assert not old.exists() and fresh.exists()


def test_a_forged_docx_that_python_docx_cannot_open_is_refused(school_db, lib_settings, people):
    buf = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "not xml at all")
        zf.writestr("word/document.xml", "<w:document")
    with pytest.raises(FileRefused, match="không mở được như một văn bản Word"):
        upload(school_db, lib_settings, people, content=buf.getvalue())
    assert counts(school_db) == (0, 0, 0, 0, 0) and stored_files(lib_settings) == []


def test_the_quota_refuses_a_new_file_but_not_the_same_content_again(school_db, lib_settings, people):
    first = pdf_bytes("mot") + b"%" + b"1" * (MB - 2000)        # ~1 MB each, quota 2 MB
    second = pdf_bytes("hai") + b"%" + b"2" * (MB - 2000)
    upload(school_db, lib_settings, people, content=first, name="a.pdf")
    upload(school_db, lib_settings, people, content=second, name="b.pdf")
    before = counts(school_db), stored_files(lib_settings)
    with pytest.raises(QuotaExceeded, match="hết dung lượng"):
        upload(school_db, lib_settings, people, content=pdf_bytes("ba") + b"%" + b"3" * 10_000, name="c.pdf")
    assert (counts(school_db), stored_files(lib_settings)) == before
    upload(school_db, lib_settings, people, content=first, name="a-lan-hai.pdf")      # already counted: allowed


def test_bad_fields_are_named(school_db, people):
    for raw, message in [({"title": " "}, "Nhập tên"), ({"section": "x"}, "Chọn mục"), ({"source": ""}, "nguồn"),
                         ({"grade": "13"}, "Khối lớp «13»"), ({"subject": "XYZ"}, "Môn «XYZ»"),
                         ({"department_id": "999"}, "Tổ chuyên môn")]:
        with pytest.raises(BadInput, match=message):
            items.check_fields(school_db, people.school_id, {**FIELDS, **raw})


# -- privacy ---------------------------------------------------------------------------------------------------------
def test_a_pupils_name_or_a_guardians_phone_in_the_text_is_warned(school_db, lib_settings, people):
    stored = upload(school_db, lib_settings, people, content=docx_bytes(
        "Danh sách nhóm: NGUYỄN THỊ HOA, lớp 8A2", "Liên hệ phụ huynh: 0912 345 678", "Hoa và An chăm chỉ"))
    assert stored.finding.names == ["Nguyễn Thị Hoa"] and stored.finding.phones == ["09xxxx5678"]
    assert review.versions(school_db, stored.item_id)[0].warning["phone_count"] == 1
    clean = upload(school_db, lib_settings, people, content=docx_bytes("Hoa hồng và An toàn giao thông", "0999 999 999"))
    assert not clean.finding


# -- review ----------------------------------------------------------------------------------------------------------
def test_review_by_the_department_head_or_the_principal(school_db, lib_settings, people):
    v = {login: people.viewer(school_db, login) for login in people.ids}
    item = upload(school_db, lib_settings, people).item_id
    assert review.get(school_db, v["gv.van"], item) is None                  # someone else's draft: not seen
    assert review.get(school_db, v["tt.toan"], item) is None                 # not even by the head, until submitted
    with pytest.raises(NotAllowed):
        review.act(school_db, v["tt.toan"], item, Action.APPROVE)
    with pytest.raises(NotAllowed, match="Không tìm thấy"):
        review.act(school_db, v["gv.van"], item, Action.SUBMIT)
    assert review.act(school_db, v["gv.toan"], item, Action.SUBMIT) is ItemState.SUBMITTED
    assert [i.id for i in review.queue(school_db, v["tt.toan"])] == [item]
    assert review.queue(school_db, v["tt.van"]) == [] and review.queue(school_db, v["gv.toan"]) == []
    assert [i.id for i in review.queue(school_db, v["ht.dd"])] == [item]
    with pytest.raises(NotAllowed, match="Không tìm thấy"):
        review.act(school_db, v["tt.van"], item, Action.APPROVE)            # another department's head
    with pytest.raises(BadInput, match="lý do"):
        review.act(school_db, v["tt.toan"], item, Action.RETURN, "  ")
    with pytest.raises(NotAllowed, match="chờ duyệt"):
        items.add_version(school_db, lib_settings, v["gv.toan"], item, items.Upload("b.pdf", io.BytesIO(pdf_bytes("b"))))
    assert review.act(school_db, v["tt.toan"], item, Action.RETURN, "Thiếu đáp án bài 3") is ItemState.RETURNED
    assert review.get(school_db, v["gv.toan"], item).return_reason == "Thiếu đáp án bài 3"
    assert search.search(school_db, v["gv.van"], "giao an") == []           # not approved: not found by others
    items.add_version(school_db, lib_settings, v["gv.toan"], item,
                      items.Upload("v2.docx", io.BytesIO(docx_bytes("Giáo án Toán 6 có đáp án bài 3")), "đáp án"))
    review.act(school_db, v["gv.toan"], item, Action.SUBMIT)
    assert review.act(school_db, v["ht.dd"], item, Action.APPROVE) is ItemState.APPROVED
    assert [h.id for h in search.search(school_db, v["gv.van"], "dap an bai 3")] == [item]
    assert [x.number for x in review.versions(school_db, item)] == [2, 1]
    assert [e["action"] for e in review.history(school_db, item)] == [
        "create", "upload", "submit", "return", "upload", "submit", "approve"]
    with pytest.raises(NotAllowed, match="Đã duyệt"):
        review.act(school_db, v["ht.dd"], item, Action.RETURN, "muộn")


def test_a_head_does_not_approve_their_own_item(school_db, lib_settings, people):
    head = people.viewer(school_db, "tt.toan")
    item = upload(school_db, lib_settings, people, login="tt.toan").item_id
    review.act(school_db, head, item, Action.SUBMIT)
    assert review.queue(school_db, head) == []
    with pytest.raises(NotAllowed, match="không tự duyệt"):
        review.act(school_db, head, item, Action.APPROVE)
    assert review.act(school_db, people.viewer(school_db, "ht.dd"), item, Action.APPROVE) is ItemState.APPROVED


def test_school_documents_without_a_department_go_to_the_principal(school_db, lib_settings, people):
    item = upload(school_db, lib_settings, people, login="gv.van", section="van_ban", subject="", grade="",
                  title="Quyết định thành lập tổ").item_id
    assert review.get(school_db, people.viewer(school_db, "gv.van"), item).department_id is None
    review.act(school_db, people.viewer(school_db, "gv.van"), item, Action.SUBMIT)
    assert review.queue(school_db, people.viewer(school_db, "tt.van")) == []
    assert [i.id for i in review.queue(school_db, people.viewer(school_db, "ht.dd"))] == [item]
