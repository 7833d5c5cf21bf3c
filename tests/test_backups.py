"""Online backups (retention, integrity check) and `restore FILE` (checks, newer schema, service stopped)."""
from __future__ import annotations

import os
import sqlite3
import time

import pytest

import settings as settings_mod
from cli.backups import BackupSchedule
from store.core import backups, migrate
from store.core.connection import connect
from store.core.errors import BackupError

from .conftest import write_config


@pytest.fixture
def backup_settings(tmp_path, db):
    config = write_config(tmp_path / "config.toml", 'backup_every = 3600\nbackup_dir = "saved"\nbackup_keep = 2\n')
    return settings_mod.load(config, env={})


def add_mo(db, text: str) -> None:
    db.execute("INSERT INTO inbox (connection, source_addr, text, data_coding, dedup_key, state, received_at) "
               "VALUES ('default', '84911000111', ?, 0, ?, 'received', '2026-12-01T00:00:00.000Z')", [text, text])


def test_serve_schedule_takes_checked_backups_and_keeps_the_newest(backup_settings, db, tmp_path):
    schedule = BackupSchedule(backup_settings)
    assert schedule.folder == tmp_path / "saved" and schedule.due()
    for i in range(3):
        add_mo(db, f"text {i}")
        assert schedule.run() is not None
    kept = backups.listing(schedule.folder)
    assert kept == schedule.taken[-2:]                         # backup_keep = 2: the oldest went
    assert [backups.verify(p) for p in kept] == [migrate.latest_version()] * 2
    newest = sqlite3.connect(kept[-1])
    assert [r[0] for r in newest.execute("SELECT text FROM inbox ORDER BY id")] == ["text 0", "text 1", "text 2"]
    newest.close()
    assert not schedule.due()                                  # the newest is younger than backup_every
    os.utime(kept[-1], (time.time() - 3700, time.time() - 3700))
    assert schedule.due()
    assert not list(schedule.folder.glob("*.partial"))


def test_a_failing_backup_is_logged_and_does_not_stop_serve(tmp_path, db, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    config = write_config(tmp_path / "config.toml", f'backup_dir = "{blocker}"\n')
    schedule = BackupSchedule(settings_mod.load(config, env={}))
    assert schedule.run() is None and schedule.failures == 1
    assert "backup into" in caplog.text and not schedule.due()      # retried later, not in a loop


def test_verify_refuses_damaged_and_foreign_files(tmp_path, db):
    damaged = tmp_path / "damaged.db"
    migrate.backup(db, damaged)
    data = bytearray(damaged.read_bytes())
    data[4096:8192] = b"\xff" * 4096                           # a page of garbage
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="damaged.db"):
        backups.verify(damaged)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="not an SLL database"):
        backups.verify(foreign)
    with pytest.raises(BackupError, match="no such file"):
        backups.verify(tmp_path / "missing.db")


def test_restore_refuses_a_newer_schema_and_a_database_in_use(tmp_path, db, cli):
    newer = tmp_path / "newer.db"
    migrate.backup(db, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {migrate.latest_version() + 1}")
    conn.close()
    proc = cli("restore", str(newer), "--yes")
    assert proc.returncode == 1 and "newer than this program" in proc.stderr
    good = tmp_path / "good.db"
    migrate.backup(db, good)
    proc = cli("restore", str(good), "--yes")                  # the test's own connection holds sll.db
    assert proc.returncode == 1 and "in use" in proc.stderr and "stop `serve`" in proc.stderr


def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_file(tmp_path, db, cli):
    add_mo(db, "before the backup")
    saved = tmp_path / "saved.db"
    migrate.backup(db, saved)
    add_mo(db, "after the backup")
    db.close()
    proc = cli("restore", str(saved), "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "restored" in proc.stdout and "kept as" in proc.stdout
    restored = connect(tmp_path / "sll.db")
    assert [r[0] for r in restored.execute("SELECT text FROM inbox")] == ["before the backup"]
    restored.close()
    [kept] = tmp_path.glob("sll.before-restore.*.db")
    assert [r[0] for r in sqlite3.connect(kept).execute("SELECT text FROM inbox ORDER BY id")] == \
        ["before the backup", "after the backup"]
