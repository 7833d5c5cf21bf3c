"""The owner fixes an item's fields, deletes an old version or a whole draft: owner only, states respected,
audited, the index kept right, and a file removed once no version references it (never one still in use)."""
from __future__ import annotations

import io
import json

import pytest

from store.library import editing, files, items, review, search
from store.library.errors import NotAllowed, QuotaExceeded
from store.library.states import Action, ItemState

from .fixtures_library import DEFAULT_FIELDS, add_item, approve, docx_bytes, pdf_bytes
from .state_moves import checked_review_moves

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def review_moves(request):
    """Every review status these tests change is a move of its machine (store/review/status.py)."""
    yield from checked_review_moves(request)


def fields(db, people, **raw):
    return items.check_fields(db, people.school_id, {**DEFAULT_FIELDS, "department_id": str(people.math), **raw})


def new_version(db, settings, people, item_id, content, name="v.docx", login="gv.toan"):
    return items.add_version(db, settings, people.viewer(db, login), item_id, items.Upload(name, io.BytesIO(content)))


def blob_files(settings) -> set[str]:
    root = settings.data_dir / "library" / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def sha_of(db, item_id, number) -> str:
    return db.execute("SELECT sha256 FROM library_versions WHERE item_id = ? AND number = ?",
                      [item_id, number]).fetchone()[0]


def audits(db, action) -> list[dict]:
    return [json.loads(r[0]) for r in db.execute("SELECT detail FROM audit_log WHERE action = ? ORDER BY id", [action])]


def ids(db, viewer, query) -> list[int]:
    return [h.id for h in search.search(db, viewer, query)]


# -- fields ----------------------------------------------------------------------------------------------------------
def test_the_owner_fixes_the_title_and_subject_of_a_draft_and_search_follows(school_db, lib_settings, people):
    item = add_item(school_db, lib_settings, people, title="Phiếu ôn chương một").item_id
    owner = people.viewer(school_db, "gv.toan")
    changed = editing.update_fields(school_db, owner, item, fields(school_db, people, title="Giáo án Tin học 6",
                                                                   subject="TIN", grade="6"))
    assert changed == ["tên", "môn"]
    got = review.get(school_db, owner, item)
    assert (got.title, got.subject, got.grade, got.state) == ("Giáo án Tin học 6", "TIN", 6, ItemState.DRAFT)
    assert ids(school_db, owner, "tin hoc") == [item]
    assert ids(school_db, owner, "chuong mot") == []             # the old title is no longer found ...
    assert ids(school_db, owner, "thap phan") == [item]          # ... the file's text still is
    assert [h.id for h in search.search(school_db, owner, "", subject="TIN")] == [item]
    last = review.history(school_db, item)[-1]
    assert (last["action"], last["reason"]) == ("edit", "sửa tên, môn")
    (detail,) = audits(school_db, "library:edit")
    assert detail["item_id"] == item and detail["changed"]["subject"] == ["TOAN", "TIN"]
    # The same fields again change nothing and write nothing.
    assert editing.update_fields(school_db, owner, item, fields(school_db, people, title="Giáo án Tin học 6",
                                                                subject="TIN")) == []
    assert len(audits(school_db, "library:edit")) == 1 and len(review.history(school_db, item)) == 3


def test_fields_change_only_while_draft_or_returned_and_only_by_the_owner(school_db, lib_settings, people):
    item = add_item(school_db, lib_settings, people).item_id
    owner, head, principal = (people.viewer(school_db, x) for x in ("gv.toan", "tt.toan", "ht.dd"))
    retitled = fields(school_db, people, title="Giáo án đã sửa")
    for someone in (head, principal, people.viewer(school_db, "gv.van")):
        with pytest.raises(NotAllowed, match="Chỉ người tải tài liệu lên"):
            editing.update_fields(school_db, someone, item, retitled)
    review.act(school_db, owner, item, Action.SUBMIT)
    with pytest.raises(NotAllowed, match="Chờ duyệt"):
        editing.update_fields(school_db, owner, item, retitled)
    review.act(school_db, head, item, Action.RETURN, "Sai tên bài")
    assert editing.update_fields(school_db, owner, item, retitled) == ["tên"]
    got = review.get(school_db, owner, item)
    assert (got.title, got.state, got.return_reason) == ("Giáo án đã sửa", ItemState.RETURNED, "Sai tên bài")
    review.act(school_db, owner, item, Action.SUBMIT)
    review.act(school_db, head, item, Action.APPROVE)
    with pytest.raises(NotAllowed, match="Đã duyệt"):
        editing.update_fields(school_db, owner, item, fields(school_db, people, title="Muộn"))
    assert review.get(school_db, owner, item).title == "Giáo án đã sửa"


def test_moving_an_item_to_another_department_changes_who_reviews_it(school_db, lib_settings, people):
    item = add_item(school_db, lib_settings, people).item_id
    owner = people.viewer(school_db, "gv.toan")
    editing.update_fields(school_db, owner, item, fields(school_db, people, department_id=str(people.literature)))
    review.act(school_db, owner, item, Action.SUBMIT)
    assert review.queue(school_db, people.viewer(school_db, "tt.toan")) == []
    assert [i.id for i in review.queue(school_db, people.viewer(school_db, "tt.van"))] == [item]


# -- an old version --------------------------------------------------------------------------------------------------
def test_an_old_version_is_deleted_with_its_file_and_the_latest_never(school_db, lib_settings, people):
    named = docx_bytes("Danh sách: Nguyễn Thị Hoa", "Phụ huynh 0912 345 678")
    stored = add_item(school_db, lib_settings, people, content=named)
    item, owner = stored.item_id, people.viewer(school_db, "gv.toan")
    assert stored.finding                                         # the warning that makes a teacher clean the file
    first = sha_of(school_db, item, 1)
    new_version(school_db, lib_settings, people, item, docx_bytes("Danh sách nhóm (đã bỏ tên)"))
    before = items.usage(school_db, people.school_id)
    with pytest.raises(NotAllowed, match="phiên bản mới nhất"):
        editing.delete_version(school_db, lib_settings, owner, item, 2)
    with pytest.raises(NotAllowed, match="không có phiên bản 7"):
        editing.delete_version(school_db, lib_settings, owner, item, 7)
    with pytest.raises(NotAllowed, match="Chỉ người tải"):
        editing.delete_version(school_db, lib_settings, people.viewer(school_db, "ht.dd"), item, 1)
    assert editing.delete_version(school_db, lib_settings, owner, item, 1) == "giao-an.docx"
    assert [v.number for v in review.versions(school_db, item)] == [2]
    assert first not in blob_files(lib_settings) and not files.blob_path(lib_settings.data_dir, first).exists()
    assert school_db.execute("SELECT count(*) FROM library_blobs WHERE sha256 = ?", [first]).fetchone()[0] == 0
    assert items.usage(school_db, people.school_id) < before
    assert ids(school_db, owner, "nguyen thi hoa") == [] and ids(school_db, owner, "bo ten") == [item]
    assert review.history(school_db, item)[-1]["reason"] == "phiên bản 1: giao-an.docx"
    assert audits(school_db, "library:delete-version")[0]["version"] == 1
    assert new_version(school_db, lib_settings, people, item, docx_bytes("ba")).version == 3     # numbers go on


def test_an_old_version_stays_while_submitted_and_may_go_once_approved(school_db, lib_settings, people):
    item = add_item(school_db, lib_settings, people).item_id
    owner = people.viewer(school_db, "gv.toan")
    new_version(school_db, lib_settings, people, item, docx_bytes("bản hai"))
    review.act(school_db, owner, item, Action.SUBMIT)
    with pytest.raises(NotAllowed, match="rút lại trước"):
        editing.delete_version(school_db, lib_settings, owner, item, 1)
    review.act(school_db, people.viewer(school_db, "tt.toan"), item, Action.APPROVE)
    editing.delete_version(school_db, lib_settings, owner, item, 1)
    got = review.get(school_db, owner, item)
    assert got.state is ItemState.APPROVED and [v.number for v in review.versions(school_db, item)] == [2]


def test_a_file_another_version_still_uses_is_kept(school_db, lib_settings, people):
    shared = docx_bytes("Phiếu học tập dùng chung")
    item = add_item(school_db, lib_settings, people, content=shared).item_id
    other = add_item(school_db, lib_settings, people, login="gv.van", content=shared, title="Bản của tổ Văn").item_id
    sha = sha_of(school_db, item, 1)
    new_version(school_db, lib_settings, people, item, docx_bytes("bản hai"))
    editing.delete_version(school_db, lib_settings, people.viewer(school_db, "gv.toan"), item, 1)
    assert sha in blob_files(lib_settings) and sha_of(school_db, other, 1) == sha
    assert files.blob_path(lib_settings.data_dir, sha).read_bytes() == shared


# -- the whole item --------------------------------------------------------------------------------------------------
def test_a_draft_is_deleted_with_everything_it_had(school_db, lib_settings, people):
    keep = add_item(school_db, lib_settings, people, title="Giữ lại", content=docx_bytes("giữ")).item_id
    item = add_item(school_db, lib_settings, people, title="Nháp bỏ đi", content=pdf_bytes("nhap bo di"),
                    name="nhap.pdf").item_id
    new_version(school_db, lib_settings, people, item, docx_bytes("nháp hai"))
    shas = {sha_of(school_db, item, 1), sha_of(school_db, item, 2)}
    owner = people.viewer(school_db, "gv.toan")
    with pytest.raises(NotAllowed, match="Chỉ người tải"):
        editing.delete_item(school_db, lib_settings, people.viewer(school_db, "ht.dd"), item)
    assert editing.delete_item(school_db, lib_settings, owner, item) == "Nháp bỏ đi"
    assert review.get(school_db, owner, item) is None and ids(school_db, owner, "nhap") == []
    for table, column in (("library_items", "id"), ("library_versions", "item_id"), ("library_events", "item_id"),
                          ("library_fts", "rowid"), ("library_titles", "rowid")):
        assert school_db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [item]).fetchone()[0] == 0, table
    assert not shas & blob_files(lib_settings) and sha_of(school_db, keep, 1) in blob_files(lib_settings)
    assert school_db.execute("SELECT count(*) FROM library_blobs").fetchone()[0] == 1
    (detail,) = audits(school_db, "library:delete")
    assert detail["title"] == "Nháp bỏ đi" and detail["versions"] == ["1: nhap.pdf", "2: v.docx"]
    assert ids(school_db, owner, "giu") == [keep]


def test_only_a_draft_or_returned_item_is_deleted(school_db, lib_settings, people):
    owner, head = people.viewer(school_db, "gv.toan"), people.viewer(school_db, "tt.toan")
    item = add_item(school_db, lib_settings, people).item_id
    review.act(school_db, owner, item, Action.SUBMIT)
    with pytest.raises(NotAllowed, match="Chờ duyệt"):
        editing.delete_item(school_db, lib_settings, owner, item)
    review.act(school_db, head, item, Action.RETURN, "Không cần tài liệu này")
    editing.delete_item(school_db, lib_settings, owner, item)
    approved = add_item(school_db, lib_settings, people, content=docx_bytes("đã duyệt")).item_id
    approve(school_db, people, approved)
    with pytest.raises(NotAllowed, match="đã duyệt không xoá được"):
        editing.delete_item(school_db, lib_settings, owner, approved)
    assert review.get(school_db, owner, approved).state is ItemState.APPROVED


def test_deleting_frees_the_quota(school_db, lib_settings, people):
    big = [pdf_bytes(str(n)) + b"%" + bytes([49 + n]) * (MB - 2000) for n in range(3)]     # quota 2 MB
    first = add_item(school_db, lib_settings, people, content=big[0], name="a.pdf").item_id
    add_item(school_db, lib_settings, people, content=big[1], name="b.pdf")
    with pytest.raises(QuotaExceeded):
        add_item(school_db, lib_settings, people, content=big[2], name="c.pdf")
    editing.delete_item(school_db, lib_settings, people.viewer(school_db, "gv.toan"), first)
    add_item(school_db, lib_settings, people, content=big[2], name="c.pdf")


def test_a_file_stored_again_before_its_removal_is_kept(school_db, lib_settings, people):
    """The race the second transaction closes: a blob row gone, then back (an upload of the same content)."""
    content = docx_bytes("nội dung sẽ được tải lại")
    item = add_item(school_db, lib_settings, people, content=content).item_id
    sha = sha_of(school_db, item, 1)
    school_db.execute("DELETE FROM library_versions WHERE item_id = ?", [item])
    school_db.execute("DELETE FROM library_blobs WHERE sha256 = ?", [sha])
    school_db.execute("INSERT INTO library_blobs (sha256, size, kind, created_at) VALUES (?, 1, 'docx', 'x')", [sha])
    editing.remove_files(school_db, lib_settings, [sha])
    assert files.blob_path(lib_settings.data_dir, sha).exists()
    school_db.execute("DELETE FROM library_blobs WHERE sha256 = ?", [sha])
    editing.remove_files(school_db, lib_settings, [sha])
    assert not files.blob_path(lib_settings.data_dir, sha).exists()
