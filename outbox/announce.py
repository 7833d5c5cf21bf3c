"""Queue one announcement: a message per recipient and the send's trace, inside the caller's transaction.

The composer (web/review/pages.py) and the approval of a teacher's announcement
(web/review/notice_review.py) both queue through here, so a send looks the same
on "Thông báo đã gửi" whoever wrote it. Quiet hours and the scheduled time
are the outbox's (messages.enqueue).
"""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

from store.messaging import announcements
from store.core.clock import iso

from . import messages


def enqueue_send(db: sqlite_utils.Database, settings, *, school_id: int, class_id: int | None,
                 class_ids: list[int] | None, target: str, text: str, parts: int, chosen: list,
                 send_at: datetime | None, sent_by: str, approved_by: str | None = None) -> tuple[list[int], int]:
    """(message ids, send id) for ``chosen`` recipients (announcements.Recipient) of one announcement."""
    ids = [messages.enqueue(db, settings, phone=r.phone, body=text, kind=messages.MessageKind.ANNOUNCEMENT,
                            school_id=school_id, class_id=class_id or r.class_id, student_id=r.student_id,
                            guardian_id=r.guardian_id, not_before=send_at)
           for r in chosen]
    send_id = announcements.record_send(db, school_id=school_id, target=target, class_ids=class_ids, text=text,
                                        parts=parts, message_ids=ids, send_at=iso(send_at) if send_at else None,
                                        sent_by=sent_by, approved_by=approved_by)
    return ids, send_id
