"""The SMS of polls: the invitation, the one reminder, a place freed on the waiting list; queued like announcements.

Texts come from templates_sms/ and are measured exactly as the segmenter will
split them (outbox.notices), so the composer's preview is what goes out. They
are bulk (kind announcement): quiet hours hold them until the morning.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

import sqlite_utils

from store.core.clock import now_iso, parse_iso, utcnow
from store.community import polls, poll_results
from store.community.poll_answers import Promoted
from store.community.poll_rules import PollError

from . import messages, quiet
from .composer import Prepared, prepared
from .templating import render


def _closes(settings, poll: polls.Poll) -> str:
    local = parse_iso(poll.closes_at).astimezone(ZoneInfo(settings.sms.timezone))
    return f"{local.hour}h {local.day:02d}/{local.month:02d}" if local.minute == 0 else \
        f"{local.hour}h{local.minute:02d} {local.day:02d}/{local.month:02d}"


def invitation(settings, poll: polls.Poll, *, reminder: bool = False) -> Prepared:
    """The text every invited guardian gets (the reminder carries `Nhac lai:` in front)."""
    return prepared(settings, render("bc_moi.txt", poll=poll, closes=_closes(settings, poll), reminder=reminder))


def _until_closing(settings, poll: polls.Poll, what: str):
    """The poll's closing time, the validity of its texts; PollError when quiet hours hold them past it."""
    closes = parse_iso(poll.closes_at)
    if quiet.next_send_time(utcnow(), settings.sms.quiet_hours or None, settings.sms.timezone) >= closes:
        raise PollError(f"{what} chỉ đi được sau giờ yên lặng ({settings.sms.quiet_hours}), khi khảo sát đã đóng")
    return closes


def send_invitations(db: sqlite_utils.Database, settings, poll: polls.Poll, invitees: list[polls.Invitee],
                     sms: Prepared) -> list[int]:
    """One queued invitation per guardian, valid until closing (the caller holds the transaction and wakes the
    senders); PollError when quiet hours would hold it until after closing."""
    closes = _until_closing(settings, poll, "tin mời")
    ids = []
    for person in invitees:
        mid = messages.enqueue(db, settings, phone=person.phone, body=sms.text, kind=messages.MessageKind.ANNOUNCEMENT,
                               school_id=poll.school_id, class_id=poll.class_id or person.children[0][1],
                               student_id=person.children[0][0] if len(person.children) == 1 else None,
                               guardian_id=person.guardian_id, valid_until=closes)
        polls.set_invitation(db, poll.id, person.guardian_id, mid)
        ids.append(mid)
    return ids


def send_reminder(db: sqlite_utils.Database, settings, poll: polls.Poll) -> int:
    """The one reminder, only to guardians who have not answered for every child asked, held through quiet hours and
    valid until closing; how many were queued. PollError when quiet hours would hold it until after closing."""
    if poll.reminded_at:
        return 0
    closes = _until_closing(settings, poll, "tin nhắc")
    sms = invitation(settings, poll, reminder=True)
    targets = poll_results.to_remind(db, poll)
    for gid, phone in targets:
        messages.enqueue(db, settings, phone=phone, body=sms.text, kind=messages.MessageKind.ANNOUNCEMENT,
                         school_id=poll.school_id, class_id=poll.class_id, guardian_id=gid, valid_until=closes)
        db.execute("UPDATE poll_recipients SET reminded = 1 WHERE poll_id = ? AND guardian_id = ?", [poll.id, gid])
    db.execute("UPDATE polls SET reminded_at = ? WHERE id = ?", [now_iso(), poll.id])
    return len(targets)


def notify_promoted(db: sqlite_utils.Database, settings, poll: polls.Poll, promoted: tuple[Promoted, ...]) -> int:
    """Text each guardian moved up from the waiting list (quiet hours hold it till morning)."""
    for p in promoted:
        row = db.execute("SELECT g.phone, s.full_name FROM guardians g LEFT JOIN students s ON s.id = ? "
                         "WHERE g.id = ?", [p.student_id, p.guardian_id]).fetchone()
        if row is None:
            continue
        sms = prepared(settings, render("bc_len.txt", poll=poll, option=poll.option(p.option), child=row[1]))
        messages.enqueue(db, settings, phone=row[0], body=sms.text, kind=messages.MessageKind.ANNOUNCEMENT,
                         school_id=poll.school_id, class_id=poll.class_id, student_id=p.student_id,
                         guardian_id=p.guardian_id)
    return len(promoted)
