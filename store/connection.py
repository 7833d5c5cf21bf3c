"""Opening the SQLite database with the pragmas every process needs."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils


def connect(path: str | Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> sqlite_utils.Database:
    """Open ``path`` in WAL mode with foreign keys on.

    WAL lets the gateway, the workers and the web read while one writes;
    synchronous=NORMAL in WAL never corrupts and only risks the last commits
    on power loss (FULL is a setting away). isolation_level=None leaves
    transactions to explicit ``with db.conn:`` / BEGIN blocks.
    """
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    return sqlite_utils.Database(conn)


def open_settings_db(settings) -> sqlite_utils.Database:
    """connect() with the [store] settings."""
    return connect(settings.db_path, synchronous=settings.store.synchronous,
                   busy_timeout_ms=settings.store.busy_timeout_ms)


class transaction:
    """``with transaction(db):`` — BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error.

    IMMEDIATE takes the write lock up front, so two processes never both read
    then fail to upgrade to a write (SQLITE_BUSY mid-transaction).
    """

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
        return False
