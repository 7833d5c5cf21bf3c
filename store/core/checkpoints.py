"""WAL checkpoints run beside the writers, never inside the write lock.

SQLite's automatic checkpoint (every 1,000 WAL pages) runs inside the COMMIT
that crosses the threshold, and `transaction` holds the process's and the
file's write lock (connection.py) until COMMIT returns: whoever crossed it,
often the gateway's MO journal behind a digest's or an import's pages, then
made every other writer of every process wait for a few megabytes to be
copied and synced. Here each connection's automatic checkpoint is set to a
high safety net (`FALLBACK_PAGES`) and each process runs its own passive
checkpoints in a thread of its own, on a connection of its own, right after
its commits (one at a time; commits meanwhile make it run once more): a
passive checkpoint takes SQLite's checkpoint lock, not the write lock, so
writers and readers go on meanwhile. Measured beside a 100k digest build
(two processes) on two cores: a small writer's BEGIN..COMMIT waited p99
31-37 ms (max 38-50) against 70-85 ms (max 88-107) with SQLite's own. The thread ends, and
closes its connection, once its process has written nothing for `IDLE`
seconds (a stopped gateway, a finished command, a test's database).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading

logger = logging.getLogger(__name__)

FALLBACK_PAGES = 10_000   # SQLite's own checkpoint only if the threads could not keep up (~40 MB of WAL)
INTERVAL = 0.0            # seconds between two checkpoints while writes come
IDLE = 2.0                # seconds without a write before the thread closes its connection and ends


class Checkpointer:
    """One database file's checkpoints in this process."""

    def __init__(self, path: str):
        self.path = path
        self.cond = threading.Condition()
        self.dirty = self.idle = self.stopping = False
        self.thread: threading.Thread | None = None
        self.runs = 0               # checkpoints run (tests and benchmarks read it)

    def wrote(self) -> None:
        """A transaction of this process committed: checkpoint now, or once more after the one running."""
        with self.cond:
            self.dirty = True
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name=f"checkpoint {os.path.basename(self.path)}",
                                               daemon=True)
                self.thread.start()
            elif self.idle:
                self.cond.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread now and close its connection (a restore must find the file unused by this process)."""
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
            thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        with self.cond:
            self.stopping = False

    def _next(self) -> bool:
        """Wait for the next checkpoint to be due; False: the thread ends (idle, or stopped)."""
        with self.cond:
            if not self.dirty and not self.stopping:
                self.idle = True
                self.cond.wait(IDLE)
                self.idle = False
            if self.stopping or not self.dirty:
                self.thread = None
                return False
            self.dirty = False
            return True

    def _run(self) -> None:
        conn = None
        try:
            while self._next():
                try:
                    if conn is None:
                        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    self.runs += 1
                except sqlite3.Error as e:      # a full disk, a file replaced: the next write tries again
                    logger.debug("checkpoint of %s: %s", self.path, e)
                    if conn is not None:
                        conn.close()
                        conn = None
                with self.cond:
                    if not self.stopping:
                        self.cond.wait(INTERVAL)     # a pause between checkpoints (none by default)
        finally:
            if conn is not None:
                conn.close()
            with self.cond:
                if self.thread is threading.current_thread():
                    self.thread = None


_ALL: dict[str, Checkpointer] = {}
_GUARD = threading.Lock()


def of(path: str) -> Checkpointer:
    """The checkpointer of ``path`` (a real path) in this process."""
    with _GUARD:
        found = _ALL.get(path)
        if found is None:
            found = _ALL[path] = Checkpointer(path)
        return found


def stop(path: str) -> None:
    """Stop this process's checkpointer of ``path`` (a real path), if it has one."""
    with _GUARD:
        found = _ALL.get(path)
    if found is not None:
        found.stop()


def _forget_after_fork() -> None:
    global _GUARD
    _ALL.clear()            # a forked child has none of the parent's threads
    _GUARD = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
