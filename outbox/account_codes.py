"""A staff account's one-time code on its way: texted to the staff phone, or handed back to show once.

    issued = deliver(db, settings, user_id, actor="admin.thcs")   # inside the caller's transaction
    issued.code                 # None when it went by SMS: an SMS code is never shown anywhere

The SMS is an `otp` message (validity sms.otp_validity, its text blanked by
the scheduler once the code expired), like an MK code. The caller commits,
rings the senders, and writes the audit entry (never with the code).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.school.phones import mask
from store.staff import accounts, codes
from store.school import roster

from . import messages
from .render import prepare
from .templating import render


@dataclass(frozen=True)
class Issued:
    """Where a code went: by SMS (``message_id``) or to be shown once (``code``)."""

    user_id: int
    login: str
    full_name: str | None
    delivery: codes.Delivery
    phone_masked: str
    code: str | None
    message_id: int | None


def deliver(db: sqlite_utils.Database, settings, user_id: int, *, actor: str) -> Issued:
    """Issue a new code for ``user_id``: by SMS to its staff phone, else kept in ``Issued.code`` to show once."""
    login, name, school_id = db.execute("SELECT login, full_name, school_id FROM users WHERE id = ?",
                                        [user_id]).fetchone()
    member = roster.by_user(db, user_id)
    accounts.mark_invited(db, user_id)
    if member is None or not member.phone:
        code = codes.issue(db, user_id, codes.Delivery.SHOWN, issued_by=actor, lifetime_s=codes.SHOWN_LIFETIME_S)
        return Issued(user_id, login, name, codes.Delivery.SHOWN, "", code, None)
    lifetime = settings.sms.otp_validity
    code = codes.issue(db, user_id, codes.Delivery.SMS, issued_by=actor, lifetime_s=lifetime)
    url = settings.web.public_url.rstrip("/") + "/staff/first-login"
    text, _ = prepare(render("ma_can_bo.txt", code=code, login=login, minutes=lifetime // 60, url=url),
                      settings.sms.transliterate)
    message_id = messages.enqueue(db, settings, phone=member.phone, body=text, kind=messages.MessageKind.OTP,
                                  school_id=school_id, valid_for_s=lifetime)
    return Issued(user_id, login, name, codes.Delivery.SMS, mask(member.phone), None, message_id)


def deliver_invites(db: sqlite_utils.Database, settings, *, actor: str, school_id: int | None = None,
                    since: str | None = None) -> list[Issued]:
    """The first code of every account made since ``since`` (a teachers import's start) still waiting for one."""
    return [deliver(db, settings, user_id, actor=actor)
            for user_id in accounts.pending_invites(db, school_id, since)]
