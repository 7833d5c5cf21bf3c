"""Whole-deployment counts for /metrics, each from an index (EXPLAIN QUERY PLAN in tests/test_web_health.py).

Counts are of every row kept (states stay after retention blanks the bodies);
Prometheus takes them as gauges.
"""
from __future__ import annotations

from datetime import timedelta

import sqlite_utils

from store.core.clock import iso, now_iso, utcnow

# Every query here reads a covering index, never the table.
QUERIES = {
    # messages_state_kind (state, kind)
    "messages": "SELECT state, kind, count(*) FROM messages GROUP BY state, kind",
    # messages_state_due (state, priority, not_before): the queued rows, then their due time
    "due": "SELECT count(*) FROM messages WHERE state = 'queued' AND not_before <= ?",
    # inbox_state (state)
    "inbox": "SELECT state, count(*) FROM inbox GROUP BY state",
    # receipts_smsc for all, the partial receipts_orphans for part_id IS NULL
    "receipts": "SELECT count(*) FROM receipts",
    "orphans": "SELECT count(*) FROM receipts WHERE part_id IS NULL",
    "waiting": "SELECT count(*) FROM receipts WHERE part_id IS NULL AND received_at >= ?",
    # a few rows a day per school
    "digest_runs": "SELECT state, count(*) FROM digest_runs GROUP BY state",
}


def message_counts(db: sqlite_utils.Database) -> dict[tuple[str, str], int]:
    """Outbox messages per (state, kind)."""
    return {(state, kind): n for state, kind, n in db.execute(QUERIES["messages"])}


def due_count(db: sqlite_utils.Database) -> int:
    """Queued messages whose time has come (the sending backlog)."""
    return db.execute(QUERIES["due"], [now_iso()]).fetchone()[0]


def inbox_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Parent texts (MO) per inbox state."""
    return dict(db.execute(QUERIES["inbox"]).fetchall())


def receipt_counts(db: sqlite_utils.Database, orphan_ttl_s: int) -> dict[str, int]:
    """Receipts matched to a part; orphans still waiting for their submit_sm_resp; orphans given up on."""
    total = db.execute(QUERIES["receipts"]).fetchone()[0]
    orphans = db.execute(QUERIES["orphans"]).fetchone()[0]
    waiting = db.execute(QUERIES["waiting"], [iso(utcnow() - timedelta(seconds=orphan_ttl_s))]).fetchone()[0]
    return {"matched": total - orphans, "orphan": waiting, "given_up": orphans - waiting}


def digest_run_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Digest runs per state (building / built)."""
    return dict(db.execute(QUERIES["digest_runs"]).fetchall())
