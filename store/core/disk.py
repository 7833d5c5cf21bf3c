"""Disk trouble: a full disk or a read-only database, told apart from a bad row."""
from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

# Primary result codes that say "the storage cannot take writes now", not "this row is wrong":
# SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN.
_TRANSIENT = {5, 6, 8, 10, 13, 14}
_SQLITE_FULL, _SQLITE_READONLY = 13, 8


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is the storage's trouble (full, read-only, locked, I/O) rather than the data's."""
    if isinstance(exc, OSError):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.Error) and code is not None and code & 0xFF in _TRANSIENT


def describe(exc: BaseException) -> str:
    """A short operator's reason for a storage error (for /healthz and the logs)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == _SQLITE_FULL:
        return f"disk full: {exc}"
    if code is not None and code & 0xFF == _SQLITE_READONLY:
        return f"database read-only: {exc}"
    return f"{type(exc).__name__}: {exc}"


def storage_problem(db_path: Path, min_free_mb: int) -> str | None:
    """Why the database's disk cannot take writes (read-only, nearly full), or None."""
    folder = Path(db_path).parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"the file system of {folder} is mounted read-only"
        if Path(db_path).exists() and not os.access(db_path, os.W_OK):
            return f"{db_path} is read-only"
        free_mb = shutil.disk_usage(folder).free // (1024 * 1024)
    except OSError as e:
        return f"cannot check {folder}: {e}"
    if free_mb < min_free_mb:
        return f"disk almost full: {free_mb} MB free under {folder} (store.min_free_mb = {min_free_mb})"
    return _write_probe(folder)


def _write_probe(folder: Path) -> str | None:
    """Whether a file can still be made in ``folder``: a file system the kernel turned read-only after disk
    errors (ext4's errors=remount-ro, shown as `emergency_ro`) keeps its "rw" flag in statvfs."""
    try:
        with tempfile.TemporaryFile(dir=folder):       # O_TMPFILE where it exists: no name, nothing left
            pass
    except OSError as e:
        if e.errno == errno.EROFS:
            return f"the file system of {folder} went read-only (disk errors?): {e.strerror}"
        return f"cannot write under {folder}: {e.strerror}"
    return None


def fsync_path(path) -> None:
    """fsync a file or a folder by name (a folder: so the names in it survive a power loss)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
