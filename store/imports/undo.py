"""The undo log that keeps a file's import all-or-nothing across many short transactions.

The import writes in bounded transactions so MO replies and the web keep
their turn at the write lock. While it writes, TEMP triggers on its own
connection (nobody else's statements fire them) record every row it inserts,
updates or deletes in ``import_undo``, in the same transaction as the write
(SQLite's undo/redo technique, sqlite.org/undoredo.html). When the file
fails half-way (a disk fills, a row turns bad, the process dies) the log is
played backwards, again in bounded steps; when it succeeds the log is dropped.
Only one import writes at a time (``import.lock`` beside the database), so a
run still marked ``running`` when the lock is free belongs to a dead process.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Iterator

from store.core.clock import now_iso
from store.core.connection import transaction

from .errors import ImportFileError

logger = logging.getLogger(__name__)

UNDO_STEP = 2000          # log rows undone or dropped per transaction
_OWN = ("import_runs", "import_undo")
# Kept by triggers of the tables they count (grade_tallies: migration 020): undoing those rows undoes them.
_DERIVED = ("grade_tallies",)


class RunState(str, Enum):
    """Where an import's writes are."""

    RUNNING = "running"
    DONE = "done"
    UNDONE = "undone"


@contextmanager
def exclusive(db, file_name: str) -> Iterator[None]:
    """Hold the one-importer lock of ``db``'s file, or refuse with a message naming what to do."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    lock_path = Path(f"{path}-import.lock") if path else None
    if lock_path is None:
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise ImportFileError(file_name, "một tệp khác đang được nhập: thử lại sau ít phút") from e
        recover(db)
        yield
    finally:
        os.close(fd)


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                        ).fetchall()
    # Virtual tables (the library's FTS5 index) take no triggers, and neither they nor their shadow tables
    # are written by an import; tables with BLOB columns (MO parts) neither, and JSON cannot hold a BLOB.
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return [name for name, _ in rows if name not in _OWN and name not in _DERIVED and name not in virtual
            and not any(name.startswith(f"{v}_") for v in virtual) and not any(
                (r[2] or "").upper() == "BLOB" for r in conn.execute(f'PRAGMA main.table_info("{name}")'))]


def start(db, kind: str, file_name: str) -> int:
    """Open a run and install the recording triggers on this connection; returns the run id."""
    conn = db.conn
    with transaction(db):
        run_id = conn.execute("INSERT INTO import_runs (kind, file_name, state, started_at) VALUES (?, ?, ?, ?)",
                              (kind, file_name, RunState.RUNNING.value, now_iso())).lastrowid
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _undo_run (id INTEGER)")
    conn.execute("DELETE FROM temp._undo_run")
    conn.execute("INSERT INTO temp._undo_run VALUES (?)", (run_id,))
    for table in _tables(conn):
        old = ", ".join(f"'{c}', OLD.\"{c}\"" for c in _columns(conn, table))
        log = "INSERT INTO import_undo (run_id, tbl, op, rid, old) VALUES ((SELECT id FROM _undo_run), "
        conn.executescript(f"""
            CREATE TEMP TRIGGER IF NOT EXISTS "_undo_i_{table}" AFTER INSERT ON main."{table}"
            BEGIN {log}'{table}', 'I', NEW.rowid, NULL); END;
            CREATE TEMP TRIGGER IF NOT EXISTS "_undo_u_{table}" AFTER UPDATE ON main."{table}"
            BEGIN {log}'{table}', 'U', OLD.rowid, json_object({old})); END;
            CREATE TEMP TRIGGER IF NOT EXISTS "_undo_d_{table}" AFTER DELETE ON main."{table}"
            BEGIN {log}'{table}', 'D', OLD.rowid, json_object({old})); END;
        """)
    return run_id


def stop_recording(db) -> None:
    """Drop this connection's recording triggers."""
    conn = db.conn
    names = [r[0] for r in conn.execute("SELECT name FROM temp.sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE '\\_undo\\_%' ESCAPE '\\'")]
    for name in names:
        conn.execute(f'DROP TRIGGER IF EXISTS temp."{name}"')


def finish(db, run_id: int) -> None:
    """The run succeeded: drop its log in bounded steps and mark it done."""
    stop_recording(db)
    _drain(db, run_id, undo=False)
    with transaction(db):
        db.conn.execute("UPDATE import_runs SET state = ?, finished_at = ? WHERE id = ?",
                        (RunState.DONE.value, now_iso(), run_id))


def undo(db, run_id: int) -> int:
    """Put back every row the run changed, newest first, in bounded steps; returns the rows undone."""
    stop_recording(db)
    n = _drain(db, run_id, undo=True)
    with transaction(db):
        db.conn.execute("UPDATE import_runs SET state = ?, finished_at = ? WHERE id = ?",
                        (RunState.UNDONE.value, now_iso(), run_id))
    logger.info("import run %s undone (%s changes)", run_id, n)
    return n


def recover(db) -> int:
    """Undo the runs a dead importer left ``running`` (call with the one-importer lock held)."""
    runs = [r[0] for r in db.execute("SELECT id FROM import_runs WHERE state = ?", [RunState.RUNNING.value])]
    for run_id in runs:
        undo(db, run_id)
    return len(runs)


def _drain(db, run_id: int, *, undo: bool) -> int:
    conn, total = db.conn, 0
    columns: dict[str, list[str]] = {}
    while True:
        with transaction(db):
            rows = conn.execute("SELECT seq, tbl, op, rid, old FROM import_undo WHERE run_id = ? "
                                "ORDER BY seq DESC LIMIT ?", (run_id, UNDO_STEP)).fetchall()
            if not rows:
                return total
            if undo:
                for _, table, op, rid, old in rows:
                    _reverse(conn, table, op, rid, old, columns.setdefault(table, _columns(conn, table)))
            conn.execute("DELETE FROM import_undo WHERE run_id = ? AND seq >= ?", (run_id, rows[-1][0]))
            total += len(rows)


def _reverse(conn: sqlite3.Connection, table: str, op: str, rid: int, old: str | None, cols: list[str]) -> None:
    if op == "I":
        conn.execute(f'DELETE FROM main."{table}" WHERE rowid = ?', (rid,))
        return
    values = [conn.execute("SELECT json_extract(?, ?)", (old, f'$."{c}"')).fetchone()[0] for c in cols]
    if op == "U":
        sets = ", ".join(f'"{c}" = ?' for c in cols)
        conn.execute(f'UPDATE main."{table}" SET {sets} WHERE rowid = ?', (*values, rid))
    else:
        names = ", ".join(f'"{c}"' for c in cols)
        conn.execute(f'INSERT INTO main."{table}" (rowid, {names}) VALUES (?, {", ".join("?" * len(cols))})',
                     (rid, *values))
