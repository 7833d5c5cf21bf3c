"""Library items and their versions: the form's fields checked, files stored once, quota kept.

An upload runs in two steps so no write transaction waits on a file: the
file is received, checked and its text extracted first (files, extract,
privacy), then one short BEGIN IMMEDIATE transaction checks the school's
quota, writes the rows and the index, and moves the file into place. A
refusal anywhere leaves neither rows nor a file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from settings import Settings

from store.core.clock import now_iso
from store.core.connection import transaction
from store.core.text import is_digits

from . import extract, files, privacy, search
from .access import Viewer
from .errors import BadInput, NotAllowed, QuotaExceeded
from .states import EDITABLE, ItemState

SECTIONS = {"giang_day": "Tài liệu giảng dạy", "chuyen_mon": "Tài liệu chuyên môn", "van_ban": "Văn bản nhà trường"}
MAX_TITLE, MAX_SOURCE, MAX_NOTE = 200, 300, 500
MB = 1024 * 1024


@dataclass(frozen=True)
class Fields:
    """What the owner says about an item."""

    title: str
    section: str
    source: str
    subject: str | None = None
    grade: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class Upload:
    """A file as it comes from the form: its name and a binary stream."""

    name: str
    stream: object
    note: str = ""


@dataclass(frozen=True)
class Stored:
    """What an upload left: the item, the version number, and the privacy finding (falsy when clean)."""

    item_id: int
    version: int
    finding: privacy.Finding


def check_fields(db: sqlite_utils.Database, school_id: int, raw: dict) -> Fields:
    """The form's fields as Fields, or BadInput naming the first wrong one."""
    title = " ".join(str(raw.get("title") or "").split())
    if not title:
        raise BadInput("Nhập tên tài liệu.")
    if len(title) > MAX_TITLE:
        raise BadInput(f"Tên tài liệu dài quá {MAX_TITLE} ký tự.")
    section = str(raw.get("section") or "")
    if section not in SECTIONS:
        raise BadInput("Chọn mục của tài liệu (giảng dạy, chuyên môn hoặc văn bản nhà trường).")
    source = " ".join(str(raw.get("source") or "").split())
    if not source:
        raise BadInput("Ghi nguồn hoặc giấy phép của tài liệu (ví dụ: «Tự biên soạn», «CC BY 4.0», «NXB Giáo dục»).")
    if len(source) > MAX_SOURCE:
        raise BadInput(f"Nguồn / giấy phép dài quá {MAX_SOURCE} ký tự.")
    return Fields(title, section, source, _subject(db, school_id, raw.get("subject")), _grade(raw.get("grade")),
                  _department(db, school_id, raw.get("department_id")))


def _subject(db, school_id: int, raw) -> str | None:
    code = str(raw or "").strip().upper()
    if not code:
        return None
    if db.execute("SELECT 1 FROM subjects WHERE school_id = ? AND code = ?", [school_id, code]).fetchone() is None:
        raise BadInput(f"Môn «{code}» không có trong danh sách môn của trường.")
    return code


def _grade(raw) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not is_digits(text) or not 1 <= int(text) <= 12:
        raise BadInput(f"Khối lớp «{text}» không đúng: chọn từ 1 đến 12, hoặc để trống.")
    return int(text)


def _department(db, school_id: int, raw) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    row = db.execute("SELECT id FROM departments WHERE id = ? AND school_id = ?",
                     [int(text) if is_digits(text) else -1, school_id]).fetchone()
    if row is None:
        raise BadInput("Tổ chuyên môn đã chọn không thuộc trường.")
    return row[0]


def usage(db: sqlite_utils.Database, school_id: int) -> int:
    """Bytes of library storage the school uses (each distinct file once)."""
    return db.execute("SELECT coalesce(sum(b.size), 0) FROM library_blobs b WHERE b.sha256 IN "
                      "(SELECT v.sha256 FROM library_versions v JOIN library_items i ON i.id = v.item_id "
                      "WHERE i.school_id = ?)", [school_id]).fetchone()[0]


def _school_has(db, school_id: int, sha256: str) -> bool:
    return db.execute("SELECT 1 FROM library_versions v JOIN library_items i ON i.id = v.item_id "
                      "WHERE i.school_id = ? AND v.sha256 = ? LIMIT 1", [school_id, sha256]).fetchone() is not None


def create(db: sqlite_utils.Database, settings: Settings, viewer: Viewer, fields: Fields, upload: Upload) -> Stored:
    """A new draft item owned by ``viewer`` with ``upload`` as version 1."""
    if viewer.school_id is None or viewer.user_id is None:
        raise NotAllowed("Chỉ tài khoản của một trường mới tải tài liệu lên được.")
    return _store(db, settings, viewer, upload, item_id=None, fields=fields)


def add_version(db: sqlite_utils.Database, settings: Settings, viewer: Viewer, item_id: int, upload: Upload) -> Stored:
    """A new version of the owner's item while it is a draft or returned."""
    _check_editable(db, viewer, item_id)
    return _store(db, settings, viewer, upload, item_id=item_id, fields=None)


def _check_editable(db, viewer: Viewer, item_id: int) -> None:
    row = db.execute("SELECT owner_user_id, state FROM library_items WHERE id = ?", [item_id]).fetchone()
    if row is None or row[0] != viewer.user_id:
        raise NotAllowed("Chỉ người tải tài liệu lên mới thêm được phiên bản mới.")
    if ItemState(row[1]) not in EDITABLE:
        raise NotAllowed("Tài liệu đang chờ duyệt hoặc đã duyệt: chỉ thêm phiên bản mới khi còn là bản nháp hoặc bị "
                         "trả lại (rút lại tài liệu đang chờ duyệt trước).")


def _store(db, settings: Settings, viewer: Viewer, upload: Upload, *, item_id: int | None, fields: Fields | None) -> Stored:
    note = " ".join(str(upload.note or "").split())[:MAX_NOTE]
    name = files.check_name(upload.name)
    received = files.receive(upload.stream, name, settings.data_dir, settings.library.max_mb * MB)
    try:
        text = extract.text_of(received.path, received.kind, name)
        finding = privacy.scan(db, viewer.school_id, text)
        kept_new = False
        try:
            with transaction(db):
                item_id, number = _write(db, viewer, received, item_id, fields, note, text, finding,
                                         settings.library.quota_mb)
                kept_new = files.keep(received, settings.data_dir)   # last: a failure before it rolls back the rows
        except BaseException:
            if kept_new:     # the COMMIT failed after a new file was put in place: take it back out
                files.blob_path(settings.data_dir, received.sha256).unlink(missing_ok=True)
            raise
    finally:
        files.discard(received)
    return Stored(item_id, number, finding)


def _write(db, viewer: Viewer, received: files.Received, item_id: int | None, fields: Fields | None, note: str,
           text: str, finding: privacy.Finding, quota_mb: int) -> tuple[int, int]:
    """The rows of one upload (inside the caller's transaction): blob, item when new, version, history, index."""
    _check_quota(db, viewer.school_id, received, quota_mb)
    now = now_iso()
    db.execute("INSERT OR IGNORE INTO library_blobs (sha256, size, kind, created_at) VALUES (?, ?, ?, ?)",
               [received.sha256, received.size, received.kind, now])
    if item_id is None:
        item_id = _insert_item(db, viewer, fields, now)
    else:
        _check_editable(db, viewer, item_id)     # again inside the transaction: it may have been submitted since
    number = db.execute("SELECT coalesce(max(number), 0) + 1 FROM library_versions WHERE item_id = ?",
                        [item_id]).fetchone()[0]
    db.execute("INSERT INTO library_versions (item_id, number, sha256, file_name, note, text_chars, privacy_warning, "
               "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [item_id, number, received.sha256, received.name, note or None, len(text),
                json.dumps(finding.as_dict(), ensure_ascii=False) if finding else None, viewer.user_id, now])
    db.execute("UPDATE library_items SET updated_at = ? WHERE id = ?", [now, item_id])
    record_event(db, item_id, viewer.user_id, "upload", reason=f"phiên bản {number}: {received.name}")
    title = db.execute("SELECT title FROM library_items WHERE id = ?", [item_id]).fetchone()[0]
    search.index(db, item_id, title, text)
    return item_id, number


def _check_quota(db, school_id: int, received: files.Received, quota_mb: int) -> None:
    if _school_has(db, school_id, received.sha256):
        return
    used = usage(db, school_id)
    if used + received.size > quota_mb * MB:
        free = max(quota_mb * MB - used, 0)
        raise QuotaExceeded(f"Thư viện của trường đã gần hết dung lượng ({quota_mb} MB; còn {free / MB:.1f} MB), "
                            f"tệp «{received.name}» cần {received.size / MB:.1f} MB: không lưu. Hãy nhờ quản trị viên "
                            "tăng hạn mức (library.quota_mb).")


def _insert_item(db, viewer: Viewer, fields: Fields, now: str) -> int:
    department = fields.department_id
    if department is None and viewer.member is not None and fields.section != "van_ban":
        department = viewer.member.department_id
    cur = db.execute("INSERT INTO library_items (school_id, title, section, subject, grade, department_id, source, "
                     "owner_user_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [viewer.school_id, fields.title, fields.section, fields.subject, fields.grade, department,
                      fields.source, viewer.user_id, ItemState.DRAFT.value, now, now])
    record_event(db, cur.lastrowid, viewer.user_id, "create", to_state=ItemState.DRAFT.value)
    return cur.lastrowid


def record_event(db, item_id: int, user_id: int, action: str, *, from_state: str | None = None,
                 to_state: str | None = None, reason: str | None = None) -> None:
    """One line of the item's history."""
    db.execute("INSERT INTO library_events (item_id, at, user_id, action, from_state, to_state, reason) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", [item_id, now_iso(), user_id, action, from_state, to_state, reason])
