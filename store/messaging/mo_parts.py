"""Parts of concatenated parent texts in SQLite: stored before each part's resp, joined from the table.

Every function runs inside the caller's transaction (the inbound journal's
group commit), so a part, and the text it completes, are stored together.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlite_utils

from store.core.clock import iso, utcnow


@dataclass(frozen=True)
class Part:
    """One part as it arrived (UDH or SAR already read)."""

    connection: str
    source_addr: str
    source_ton: int
    ref: int
    total: int
    seq: int
    data_coding: int
    codec: str | None
    payload: bytes


@dataclass(frozen=True)
class Joined:
    """A text whose parts are all in (or whose wait ran out)."""

    connection: str
    source_addr: str
    source_ton: int
    ref: int
    total: int
    data_coding: int
    codec: str | None
    payload: bytes
    parts_received: int
    complete: bool
    part_ids: tuple[int, ...]


_GROUP = "connection = ? AND source_addr = ? AND ref = ? AND total = ?"


def add(db: sqlite_utils.Database, part: Part, resent_window_s: int) -> tuple[str, Joined | None]:
    """Store one part; ('partial' | 'duplicate' | 'resent', None) or ('complete', the joined text)."""
    group = [part.connection, part.source_addr, part.ref, part.total]
    if db.execute(f"SELECT 1 FROM inbox_parts WHERE {_GROUP} AND seq = ? AND inbox_id IS NULL",
                  [*group, part.seq]).fetchone():
        return "duplicate", None
    since = iso(utcnow() - timedelta(seconds=resent_window_s))
    if db.execute(f"SELECT 1 FROM inbox_parts WHERE {_GROUP} AND seq = ? AND inbox_id IS NOT NULL AND payload = ? "
                  "AND received_at >= ?", [*group, part.seq, part.payload, since]).fetchone():
        return "resent", None        # a part of a text already joined, delivered again
    db.execute("INSERT INTO inbox_parts (connection, source_addr, source_ton, ref, total, seq, data_coding, codec, "
               "payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [*group[:2], part.source_ton, part.ref, part.total, part.seq, part.data_coding, part.codec,
                part.payload, iso(utcnow())])
    have = db.execute(f"SELECT count(*) FROM inbox_parts WHERE {_GROUP} AND inbox_id IS NULL", group).fetchone()[0]
    if have < part.total:
        return "partial", None
    return "complete", _join(db, group, complete=True)


def _join(db, group: list, complete: bool) -> Joined:
    rows = db.execute(f"SELECT id, source_ton, data_coding, codec, payload, seq FROM inbox_parts WHERE {_GROUP} "
                      "AND inbox_id IS NULL ORDER BY seq", group).fetchall()
    first = rows[0]
    return Joined(group[0], group[1], first[1], group[2], group[3], first[2], first[3],
                  b"".join(r[4] for r in rows), len(rows), complete, tuple(r[0] for r in rows))


def mark_joined(db: sqlite_utils.Database, joined: Joined, inbox_id: int) -> None:
    """Tie the parts to the inbox row they became."""
    marks = ",".join("?" * len(joined.part_ids))
    db.execute(f"UPDATE inbox_parts SET inbox_id = ? WHERE id IN ({marks})", [inbox_id, *joined.part_ids])


def expired_groups(db: sqlite_utils.Database, timeout_s: float) -> list[Joined]:
    """Texts whose first part came more than ``timeout_s`` ago and are still missing parts."""
    cutoff = iso(utcnow() - timedelta(seconds=timeout_s))
    groups = db.execute("SELECT DISTINCT connection, source_addr, ref, total FROM inbox_parts "
                        "WHERE inbox_id IS NULL AND received_at <= ?", [cutoff]).fetchall()
    return [_join(db, list(g), complete=False) for g in groups]


def purge_joined(db: sqlite_utils.Database, older_than_s: int) -> int:
    """Forget parts of texts joined long ago (the inbox row keeps the text)."""
    cutoff = iso(utcnow() - timedelta(seconds=older_than_s))
    return db.execute("DELETE FROM inbox_parts WHERE inbox_id IS NOT NULL AND received_at < ?", [cutoff]).rowcount
