"""Opening the SQLite database with the pragmas every process needs."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from settings import Settings

from . import checkpoints

# One write lock per database file and process. Threads of one process queue
# on it (a fast hand-over) instead of on SQLite's busy handler, which sleeps
# 1, 2, 5, 10... ms between retries and stalls the SMPP reader threads.
# Other processes still meet the busy handler (busy_timeout).
_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: str) -> threading.RLock:
    key = os.path.realpath(path)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


class _WriterQueue:
    """The cross-process queue of one database file's writers: flock on ``<db>-writer.lock``.

    SQLite's busy handler polls (1, 2, 5 ... 100 ms): a writer of another
    process that keeps re-taking the lock in short transactions (a long
    import) can starve it. A blocked flock is woken by the kernel the moment
    the holder lets go, so any pause between an import's transactions lets
    the gateway's and the web's writes in at once. Taken inside the
    process's thread lock, so ``depth`` needs no lock of its own.
    """

    def __init__(self, path: str):
        self.path, self.fd, self.depth = path, None, 0

    def acquire(self) -> None:
        if self.depth == 0:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.depth += 1

    def release(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)


_QUEUES: dict[str, _WriterQueue] = {}


def _writers_of(db: sqlite_utils.Database) -> tuple[_WriterQueue | None, checkpoints.Checkpointer | None]:
    """The file's writer queue and this process's checkpointer of it (None, None: an in-memory database)."""
    found = getattr(db, "_sll_writers", False)
    if found is False:
        row = db.execute("PRAGMA database_list").fetchone()
        found = (None, None)
        if row[2]:
            key = os.path.realpath(row[2])
            with _LOCKS_GUARD:
                queue = _QUEUES.setdefault(key, _WriterQueue(key + "-writer.lock"))
            found = (queue, checkpoints.of(key))
        db._sll_writers = found
    return found


def write_lock(db: sqlite_utils.Database) -> threading.RLock:
    """The process-wide write lock of ``db``'s file: hold it around any write outside ``transaction``."""
    lock = getattr(db, "_sll_write_lock", None)
    if lock is None:
        row = db.execute("PRAGMA database_list").fetchone()
        lock = _lock_for(row[2] or f":memory:{id(db)}")
        db._sll_write_lock = lock
    return lock


def private_file(path: str | Path) -> None:
    """Create ``path`` (and its folder) readable by this user only: 0600 in a 0700 folder.

    SQLite gives the -wal and -shm files the database file's mode, so they follow.
    An existing file is left as it is; ":memory:" and "" are not files.
    """
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    path = Path(path)
    if path.exists():
        return
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def connect(path: str | Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = 5000) -> sqlite_utils.Database:
    """Open ``path`` in WAL mode with foreign keys on.

    WAL lets the gateway, the workers and the web read while one writes;
    synchronous=NORMAL in WAL never corrupts and only risks the last commits
    on power loss (FULL is a setting away). isolation_level=None leaves
    transactions to explicit ``with db.conn:`` / BEGIN blocks.
    """
    private_file(path)
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    # Checkpoints are this process's checkpointer's, outside the write lock (checkpoints.py); SQLite's own
    # only as a safety net.
    conn.execute(f"PRAGMA wal_autocheckpoint = {checkpoints.FALLBACK_PAGES}")
    db = sqlite_utils.Database(conn)
    db._sll_write_lock = _lock_for(str(path))
    return db


def open_settings_db(settings: Settings) -> sqlite_utils.Database:
    """connect() with the [store] settings."""
    return connect(settings.db_path, synchronous=settings.store.synchronous,
                   busy_timeout_ms=settings.store.busy_timeout_ms)


def open_inbox_db(settings: Settings) -> sqlite_utils.Database:
    """connect() for the inbound journal: FULL when ``store.inbox_synchronous`` says so, else NORMAL
    (GROUP: the journal fsyncs the WAL itself, once per batch)."""
    return connect(settings.db_path, synchronous=settings.store.inbox_synchronous,
                   busy_timeout_ms=settings.store.busy_timeout_ms)


class transaction:
    """``with transaction(db):`` — BEGIN IMMEDIATE ... COMMIT, ROLLBACK on error.

    IMMEDIATE takes the write lock up front, so two processes never both read
    then fail to upgrade to a write (SQLITE_BUSY mid-transaction).
    """

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn
        self.lock = write_lock(db)
        self.queue, self.checkpointer = _writers_of(db)

    def __enter__(self):
        self.lock.acquire()
        try:
            if self.queue is not None:
                self.queue.acquire()
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                if self.queue is not None:
                    self.queue.release()
                raise
        except BaseException:
            self.lock.release()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                try:
                    self.conn.execute("COMMIT")
                except BaseException:
                    # A failed COMMIT (busy, I/O, disk full) leaves the transaction open and
                    # the write lock held: roll back so the connection stays usable.
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        finally:
            if self.queue is not None:
                self.queue.release()
            self.lock.release()
        if exc_type is None and self.checkpointer is not None:
            self.checkpointer.wrote()       # after the lock is let go: nobody waits for the checkpoint
        return False


def atomic(db: sqlite_utils.Database):
    """transaction(db), or nothing new when the caller already holds one (an SMS answer runs inside its batch's)."""
    import contextlib
    return contextlib.nullcontext(db.conn) if db.conn.in_transaction else transaction(db)
