"""WAL checkpoints run in each process's own thread after its writes, never inside a COMMIT that holds the
write lock (store/core/checkpoints.py); the thread ends when its process stops writing and never keeps a
restore from finding the file unused."""
from __future__ import annotations

import os
import struct
import time

from store.core import backups, checkpoints
from store.core.connection import connect, transaction


def _frames(path) -> tuple[int, int]:
    """(frames in the WAL, frames of it already copied into the database) from the wal-index (the -shm file:
    sqlite.org/walformat.html, mxFrame at byte 16 of the header, nBackfill at byte 96, native byte order)."""
    data = open(f"{path}-shm", "rb").read(100)
    return struct.unpack_from("=I", data, 16)[0], struct.unpack_from("=I", data, 96)[0]


def _until(check, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.01)
    return check()


def _big_write(db, pages: int) -> None:
    with transaction(db):
        db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                   "INSERT INTO t SELECT randomblob(3000) FROM n", [pages])


def test_a_commit_past_sqlites_threshold_does_not_checkpoint_inside_the_lock(tmp_path, monkeypatch):
    path = tmp_path / "sll.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x BLOB)")
    told = []
    monkeypatch.setattr(checkpoints.Checkpointer, "wrote", lambda self: told.append(self.path))
    _big_write(db, 2500)                      # 2,500 pages: SQLite's own checkpoint would run at 1,000
    frames, copied = _frames(path)
    assert frames > 2500 and copied == 0, "COMMIT returned without copying anything back"
    assert told == [os.path.realpath(path)], "the process's checkpointer was told, after the lock"
    monkeypatch.undo()
    keeper = checkpoints.of(os.path.realpath(path))
    keeper.wrote()
    assert _until(lambda: _frames(path)[1] == _frames(path)[0]), "the thread copied the WAL back"
    db.close()


def test_the_thread_ends_once_its_process_stops_writing(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoints, "IDLE", 0.05)
    monkeypatch.setattr(checkpoints, "INTERVAL", 0.01)
    path = tmp_path / "sll.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x BLOB)")
    keeper = checkpoints.of(os.path.realpath(path))
    for _ in range(5):
        _big_write(db, 50)
    assert keeper.thread is not None
    assert _until(lambda: keeper.thread is None) and keeper.runs >= 1
    _big_write(db, 50)                        # a write later starts it again
    assert _until(lambda: keeper.runs >= 2)
    db.close()


def test_a_restore_right_after_a_write_finds_the_file_unused_by_this_process(tmp_path):
    path = tmp_path / "sll.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x BLOB)")
    _big_write(db, 20)
    db.close()
    assert checkpoints.of(os.path.realpath(path)).thread is not None, "its checkpointer is still running"
    backups.ensure_unused(path)               # no BackupError: the thread was stopped first
    assert checkpoints.of(os.path.realpath(path)).thread is None


def test_a_rolled_back_transaction_asks_for_no_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "sll.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x BLOB)")
    told = []
    monkeypatch.setattr(checkpoints.Checkpointer, "wrote", lambda self: told.append(1))
    try:
        with transaction(db):
            db.execute("INSERT INTO t VALUES (1)")
            raise ValueError("a bad row")
    except ValueError:
        pass
    assert told == []
    db.close()
