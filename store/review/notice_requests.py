"""Teachers' announcements waiting for approval: submitted, then sent ("Duyệt") or returned ("Trả lại").

A request holds the SMS exactly as the teacher previewed it, so the reviewer
approves the text that goes out. Nothing is queued for parents while a
request is pending; approving it queues the messages (store and outbox do
that in one transaction, web/review/notice_review.py), returning it sends the
reason back to the teacher's page. Both happen at most once: the status
moves only from pending.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import Enum

import sqlite_utils

from store.core.clock import now_iso
from store.review.teacher_notices import NoticeRefused, TeacherNotices, authorise


class RequestStatus(str, Enum):
    """pending → sent | returned."""

    PENDING = "pending"
    SENT = "sent"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"pending": "chờ duyệt", "sent": "đã duyệt và gửi", "returned": "bị trả lại"}[self.value]


@dataclass(frozen=True)
class Request:
    """One teacher's announcement and its review."""

    id: int
    school_id: int
    school_year: str
    class_ids: list[int]
    target: str
    text: str
    parts: int
    include_opted_out: bool
    send_at: str | None
    author: str
    author_name: str | None
    created_at: str
    status: RequestStatus
    reviewed_by: str | None
    reviewed_at: str | None
    reason: str | None
    send_id: int | None


_COLUMNS = ("r.id, r.school_id, r.school_year, r.class_ids, r.target, r.text, r.parts, r.include_opted_out, "
            "r.send_at, r.author, u.full_name, r.created_at, r.status, r.reviewed_by, r.reviewed_at, r.reason, "
            "r.send_id FROM notice_requests r LEFT JOIN users u ON u.login = r.author")


def _request(row) -> Request:
    values = list(row)
    values[3] = json.loads(values[3])
    values[7] = bool(values[7])
    values[12] = RequestStatus(values[12])
    return Request(*values)


def submit(db: sqlite_utils.Database, *, user_id: int, author: str, school_id: int, school_year: str,
           class_ids: list[int], target: str, text: str, parts: int, include_opted_out: bool,
           send_at: str | None, today: date) -> int:
    """Queue a teacher's announcement for approval (NoticeRefused when they may not send it); its id."""
    if authorise(db, user_id=user_id, school_id=school_id, class_ids=class_ids, school_year=school_year,
                 today=today) is not TeacherNotices.APPROVAL:
        raise NoticeRefused("Trường cho giáo viên gửi thông báo ngay, không qua hàng chờ duyệt.")
    return db.execute(
        "INSERT INTO notice_requests (school_id, school_year, class_ids, target, text, parts, include_opted_out, "
        "send_at, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [school_id, school_year, json.dumps(sorted(class_ids)), target, text, parts, int(include_opted_out),
         send_at, author, now_iso()]).lastrowid


def get(db: sqlite_utils.Database, request_id: int) -> Request | None:
    row = db.execute(f"SELECT {_COLUMNS} WHERE r.id = ?", [request_id]).fetchone()
    return _request(row) if row else None


def pending(db: sqlite_utils.Database, school_id: int | None) -> list[Request]:
    """The requests waiting for approval at a school (None: every school), oldest first."""
    return [_request(r) for r in db.execute(
        f"SELECT {_COLUMNS} WHERE r.status = 'pending' AND (:school IS NULL OR r.school_id = :school) ORDER BY r.id",
        {"school": school_id}).fetchall()]


def of_author(db: sqlite_utils.Database, author: str, limit: int = 20) -> list[Request]:
    """A teacher's own requests, newest first (what waits, what was sent, what came back and why)."""
    return [_request(r) for r in db.execute(f"SELECT {_COLUMNS} WHERE r.author = ? ORDER BY r.id DESC LIMIT ?",
                                            [author, limit]).fetchall()]


def mark_sent(db: sqlite_utils.Database, request_id: int, *, by: str, send_id: int) -> bool:
    """pending → sent with the send it became (inside the caller's transaction); False when no longer pending."""
    return db.execute("UPDATE notice_requests SET status = 'sent', reviewed_by = ?, reviewed_at = ?, send_id = ? "
                      "WHERE id = ? AND status = 'pending'", [by, now_iso(), send_id, request_id]).rowcount == 1


def send_back(db: sqlite_utils.Database, request_id: int, *, by: str, reason: str) -> bool:
    """pending → returned with the reason the teacher reads; False when no longer pending."""
    reason = reason.strip()
    if not reason:
        raise NoticeRefused("Hãy ghi lý do trả lại để giáo viên biết cần sửa gì.")
    return db.execute("UPDATE notice_requests SET status = 'returned', reviewed_by = ?, reviewed_at = ?, reason = ? "
                      "WHERE id = ? AND status = 'pending'", [by, now_iso(), reason[:500], request_id]).rowcount == 1
