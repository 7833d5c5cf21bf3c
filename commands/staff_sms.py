"""The staff side of the SMS language: keywords a registered staff phone may text (SPEC §12: TV, §16).

Small and separate from the guardians' path on purpose: a text is tried here
first only when its keyword is a staff keyword and the number belongs to an
active staff member (store.library.roster); anything else goes on to the
guardians' path unchanged, so a guardian (or a stranger) texting TV learns
nothing of the library.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from store.library import roster

from .base import Reply
from .grammar import parse
from .registry import STAFF, instances, keyword_table


@dataclass
class StaffContext:
    """What a staff command may use: the staff member texting, today, the database."""

    db: sqlite_utils.Database
    settings: Any
    phone: str
    member: roster.Member
    today: date
    connection: str = "default"
    inbox_id: int | None = None
    actor: str = "sms"


def answer(db: sqlite_utils.Database, settings, phone: str, text: str | None, *, today: date,
           connection: str = "default", inbox_id: int | None = None, actor: str = "sms") -> Reply | None:
    """The reply to a staff keyword from a staff phone, or None: the text is not for this path."""
    parsed = parse(text, keyword_table(STAFF))
    if parsed is None:
        return None
    member = roster.by_phone(db, phone)
    if member is None:
        return None
    ctx = StaffContext(db=db, settings=settings, phone=phone, member=member, today=today, connection=connection,
                       inbox_id=inbox_id, actor=actor)
    return instances()[parsed.keyword].handle(ctx, parsed)
