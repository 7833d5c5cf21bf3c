"""The review area's blueprint and what its three pages share (who approves, a teacher's class scope, the wake).

The pages themselves are one module each: web/review/approvals.py,
web/review/messages.py, web/review/announce.py (web/review/pages.py loads them).
"""
from __future__ import annotations

from flask import Blueprint, g

from outbox.wake import Wake

from web.db import redis, settings

bp = Blueprint("review", __name__, url_prefix="/staff")

APPROVERS = ("reviewer", "admin", "operator")
ANNOUNCERS = ("reviewer", "admin", "operator", "teacher")     # a teacher: own classes (web/review/notice_review.py)


def class_scope():
    """A teacher's classes; None for roles that see the whole school."""
    return g.staff.class_ids if g.staff.role.value == "teacher" else None


def ring() -> None:
    """Wake the senders: something was queued."""
    Wake(redis(), settings().redis.prefix).ring()
