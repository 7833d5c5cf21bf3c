"""Online backups with retention and an integrity check, and restoring one (the recovery drill)."""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

from settings import Settings

from store.core import checkpoints
from store.core.clock import utcnow
from store.core.disk import fsync_path
from store.core.errors import BackupError
from store.core.migrate import backup as copy_online, latest_version

logger = logging.getLogger(__name__)

PREFIX = "sll-"         # sll-20261201T093000123Z.db: names sort by time


def backup_dir(settings: Settings) -> Path:
    """store.backup_dir, relative to the config's folder; default <data dir>/backups."""
    if not settings.store.backup_dir:
        return settings.data_dir / "backups"
    p = Path(settings.store.backup_dir)
    return p if p.is_absolute() else Path(settings.base_dir) / p


def verify(path: Path) -> int:
    """The schema version of backup ``path`` once ``PRAGMA integrity_check`` says ok; BackupError otherwise."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'inbox'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path}: not a readable SQLite database ({e})") from e
    if result != ["ok"]:
        raise BackupError(f"{path}: integrity check failed: {'; '.join(result[:5])}")
    if not version or not tables:
        raise BackupError(f"{path}: not an SLL database (schema version {version})")
    return version


def take(db, folder: Path, keep: int) -> Path:
    """An online copy into ``folder`` (written aside, checked, then renamed), then only the newest ``keep`` kept."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    final = folder / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S')}{now.microsecond // 1000:03d}Z.db"
    partial = final.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    try:
        copy_online(db, partial)
        verify(partial)
        fsync_path(partial)
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    prune(folder, keep)
    return final


def listing(folder: Path) -> list[Path]:
    """The backups in ``folder``, oldest first."""
    folder = Path(folder)
    return sorted(folder.glob(f"{PREFIX}*.db")) if folder.is_dir() else []


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; the ones deleted."""
    old = listing(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink(missing_ok=True)
    return old


def ensure_unused(db_path: Path) -> None:
    """BackupError unless no process has ``db_path`` open (serve, gateway, workers, web all stopped)."""
    if not Path(db_path).exists():
        return
    checkpoints.stop(os.path.realpath(db_path))     # this process's own checkpoint thread is not a user
    conn = sqlite3.connect(str(db_path), timeout=0.2, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as e:
        raise BackupError(f"{db_path} is in use ({e}): stop `serve` (and every gateway, worker and web) "
                          "before restoring") from e
    finally:
        conn.close()


def restore(source: Path, db_path: Path) -> dict:
    """Put backup ``source`` in place of ``db_path``; the replaced file is kept beside it.

    Refuses a damaged file, a schema newer than this program and a database in use.
    An older schema is restored as it is: `init` upgrades it afterwards.
    """
    version = verify(source)
    if version > latest_version():
        raise BackupError(f"{source} is at schema version {version}, newer than this program "
                          f"({latest_version()}): restore it with the version that wrote it")
    db_path = Path(db_path)
    ensure_unused(db_path)
    kept = None
    incoming = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(source, incoming)
    fsync_path(incoming)
    if db_path.exists():
        # Fold the old file's WAL into it first, so the kept copy is whole on its own.
        conn = sqlite3.connect(str(db_path))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        kept = db_path.with_name(f"{db_path.stem}.before-restore.{utcnow().strftime('%Y%m%dT%H%M%SZ')}.db")
        os.replace(db_path, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.replace(incoming, db_path)
    logger.warning("restored %s from %s (schema version %s); the previous file is %s", db_path, source, version, kept)
    return {"version": version, "kept": str(kept) if kept else None, "upgrade": version < latest_version()}
