"""The owner's own changes to an item: its fields, an old version, the whole item (a draft or returned).

- Fields (title, section, subject, grade, department, source): while the item is
  the owner's to change (draft or returned, ``EDITABLE``); a submitted item is
  withdrawn first, an approved one stays as it was approved.
- An old version (never the latest, which is what a reviewer reads and what the
  search indexes): any time except while the item waits for review. Uploading
  a cleaned file and deleting the one a privacy warning named is the usual case.
- The whole item: while it is a draft or returned, never once submitted or
  approved. Its versions, history and index rows go with it.

Only the owner, and every change is written to ``audit_log`` in the same
transaction (a deleted item's only trace), and to the item's history while it
lives. A file no version references any more is deleted: its row with the
change, the file itself just after, in a second short transaction that first
checks nothing stored it again meanwhile (an upload of the same content keeps
the file it found). A crash between the two leaves an unreferenced file, never
a row without its file.
"""
from __future__ import annotations

from dataclasses import asdict

import sqlite_utils

from settings import Settings

from store.core import audit
from store.core.clock import now_iso
from store.core.connection import transaction

from . import files, search
from .access import Viewer
from .errors import NotAllowed
from .items import Fields, record_event
from .states import EDITABLE, ItemState

FIELD_LABELS = {"title": "tên", "section": "mục", "subject": "môn", "grade": "khối", "department_id": "tổ chuyên môn",
                "source": "nguồn / giấy phép"}
_FIELDS_SQL = "SELECT title, section, subject, grade, department_id, source FROM library_items WHERE id = ?"


def _owned(db, viewer: Viewer, item_id: int) -> tuple[int, ItemState]:
    """(school_id, state) of the viewer's own item; NotAllowed when it is not theirs (or not there)."""
    row = db.execute("SELECT school_id, owner_user_id, state FROM library_items WHERE id = ?", [item_id]).fetchone()
    if row is None or viewer.user_id is None or row[1] != viewer.user_id:
        raise NotAllowed("Chỉ người tải tài liệu lên mới sửa hoặc xoá được tài liệu này.")
    return row[0], ItemState(row[2])


def update_fields(db: sqlite_utils.Database, viewer: Viewer, item_id: int, fields: Fields) -> list[str]:
    """Change the owner's draft or returned item to ``fields``; the labels of what changed ([] if nothing did)."""
    with transaction(db):
        school_id, state = _owned(db, viewer, item_id)
        if state not in EDITABLE:
            raise NotAllowed(f"Tài liệu đang ở trạng thái «{state.label}»: chỉ sửa thông tin khi còn là bản nháp hoặc "
                             "bị trả lại (rút lại tài liệu đang chờ duyệt trước).")
        old = dict(zip(FIELD_LABELS, db.execute(_FIELDS_SQL, [item_id]).fetchone()))
        new = asdict(fields)
        changed = [key for key in FIELD_LABELS if old[key] != new[key]]
        if not changed:
            return []
        db.execute("UPDATE library_items SET title = ?, section = ?, subject = ?, grade = ?, department_id = ?, "
                   "source = ?, updated_at = ? WHERE id = ?",
                   [fields.title, fields.section, fields.subject, fields.grade, fields.department_id, fields.source,
                    now_iso(), item_id])
        if "title" in changed:
            search.retitle(db, item_id, fields.title)
        labels = [FIELD_LABELS[key] for key in changed]
        record_event(db, item_id, viewer.user_id, "edit", reason="sửa " + ", ".join(labels))
        audit.record(db, viewer.login, "library:edit", school_id=school_id, item_id=item_id,
                     changed={key: [old[key], new[key]] for key in changed})
    return labels


def delete_version(db: sqlite_utils.Database, settings: Settings, viewer: Viewer, item_id: int, number: int) -> str:
    """Delete an old version of the owner's item (not the latest, not while submitted); its file name."""
    with transaction(db):
        school_id, state = _owned(db, viewer, item_id)
        if state is ItemState.SUBMITTED:
            raise NotAllowed("Tài liệu đang chờ duyệt: rút lại trước khi xoá một phiên bản.")
        rows = db.execute("SELECT number, sha256, file_name FROM library_versions WHERE item_id = ? "
                          "ORDER BY number DESC", [item_id]).fetchall()
        version = next((r for r in rows if r[0] == number), None)
        if version is None:
            raise NotAllowed(f"Tài liệu không có phiên bản {number}.")
        if version is rows[0]:
            raise NotAllowed("Không xoá phiên bản mới nhất (người duyệt đọc và tìm kiếm theo phiên bản này): tải phiên "
                             "bản đúng lên trước rồi xoá phiên bản cũ, hoặc xoá cả tài liệu khi còn là bản nháp.")
        db.execute("DELETE FROM library_versions WHERE item_id = ? AND number = ?", [item_id, number])
        unused = _drop_unused_blobs(db, [version[1]])
        db.execute("UPDATE library_items SET updated_at = ? WHERE id = ?", [now_iso(), item_id])
        record_event(db, item_id, viewer.user_id, "delete_version", reason=f"phiên bản {number}: {version[2]}")
        audit.record(db, viewer.login, "library:delete-version", school_id=school_id, item_id=item_id, version=number,
                     file=version[2])
    remove_files(db, settings, unused)
    return version[2]


def delete_item(db: sqlite_utils.Database, settings: Settings, viewer: Viewer, item_id: int) -> str:
    """Delete the owner's draft or returned item with its versions, history and index rows; its title."""
    with transaction(db):
        school_id, state = _owned(db, viewer, item_id)
        if state not in EDITABLE:
            raise NotAllowed(f"Tài liệu đang ở trạng thái «{state.label}»: chỉ xoá được bản nháp hoặc tài liệu bị trả "
                             "lại (rút lại tài liệu đang chờ duyệt trước; tài liệu đã duyệt không xoá được).")
        title = db.execute("SELECT title FROM library_items WHERE id = ?", [item_id]).fetchone()[0]
        versions = db.execute("SELECT number, sha256, file_name FROM library_versions WHERE item_id = ? ORDER BY number",
                              [item_id]).fetchall()
        for table in ("library_versions", "library_events"):
            db.execute(f"DELETE FROM {table} WHERE item_id = ?", [item_id])
        search.drop(db, item_id)
        db.execute("DELETE FROM library_items WHERE id = ?", [item_id])
        unused = _drop_unused_blobs(db, sorted({v[1] for v in versions}))
        audit.record(db, viewer.login, "library:delete", school_id=school_id, item_id=item_id, title=title,
                     state=state.value, versions=[f"{v[0]}: {v[2]}" for v in versions])
    remove_files(db, settings, unused)
    return title


def _drop_unused_blobs(db, shas: list[str]) -> list[str]:
    """Delete the blob rows of ``shas`` no version references any more (inside the caller's transaction)."""
    unused = []
    for sha in shas:
        if db.execute("SELECT 1 FROM library_versions WHERE sha256 = ? LIMIT 1", [sha]).fetchone() is None:
            db.execute("DELETE FROM library_blobs WHERE sha256 = ?", [sha])
            unused.append(sha)
    return unused


def remove_files(db: sqlite_utils.Database, settings: Settings, shas: list[str]) -> None:
    """Delete the files of ``shas`` whose blob row is gone, under the write lock (no upload keeps one meanwhile)."""
    if not shas:
        return
    with transaction(db):
        for sha in shas:
            if db.execute("SELECT 1 FROM library_blobs WHERE sha256 = ?", [sha]).fetchone() is None:
                files.blob_path(settings.data_dir, sha).unlink(missing_ok=True)
