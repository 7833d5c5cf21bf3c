"""Retention of personal data: SMS bodies go after retention.message_body_days; states and counts stay."""
from __future__ import annotations

from datetime import timedelta

import sqlite_utils

from store.core.clock import iso, utcnow
from store.core.connection import transaction
from store.messaging.states import FINAL as _FINAL, IN_FLIGHT, MessageState, sql_in

# Settled for retention: final, or unknown (no receipt came in time; a late one needs no body).
FINAL = tuple(s.value for s in MessageState if s in _FINAL or s is MessageState.unknown)


def purge_bodies(db: sqlite_utils.Database, days: int) -> dict[str, int]:
    """Blank the text of parent SMS, sent SMS and receipts older than ``days``; returns rows changed.

    Outbox rows still in flight keep their body (the sender needs it); they
    are purged once final.
    """
    cutoff = iso(utcnow() - timedelta(days=days))
    marks = ",".join("?" * len(FINAL))
    with transaction(db):
        inbox = db.execute("UPDATE inbox SET text = NULL WHERE received_at < ? AND text IS NOT NULL "
                           "AND state != 'received'", [cutoff]).rowcount
        outbox = db.execute(f"UPDATE messages SET body = NULL WHERE created_at < ? AND body IS NOT NULL "
                            f"AND state IN ({marks})", [cutoff, *FINAL]).rowcount
        receipts = db.execute("UPDATE receipts SET raw = NULL WHERE received_at < ? AND raw IS NOT NULL",
                              [cutoff]).rowcount
    return {"inbox": inbox, "messages": outbox, "receipts": receipts}


def purge_codes(db: sqlite_utils.Database, older_than_s: int) -> int:
    """Blank the text of MK replies once their code has expired: the code is a password for a while.

    Rows that may still be sent (queued, sending, ambiguous) keep it until they settle.
    """
    cutoff = iso(utcnow() - timedelta(seconds=older_than_s))
    return db.execute("UPDATE messages SET body = NULL WHERE kind = 'otp' AND body IS NOT NULL AND created_at < ? "
                      f"AND state NOT IN {sql_in(IN_FLIGHT)}", [cutoff]).rowcount
