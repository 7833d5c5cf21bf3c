"""A full disk never crashes the gateway: MO get ESME_RX_T_APPN, the sender pauses, /healthz says why, all resumes.

The database lives on a real, small file system (a tmpfs of a few MB mounted
for the test; root only) that the test fills to the last byte.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
from datetime import timedelta

import pytest

import settings as settings_mod
from gateway.engine import Engine
from outbox import messages
from store.core.clock import utcnow
from store.core.connection import connect
from store.core.disk import describe, is_transient
from web import create_app

from .conftest import write_config
from .fixtures_gateway import wait_until

ESME_RX_T_APPN = 0x64


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs at tmp_path/disk, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder) -> None:
    """Write a filler file until the file system has no byte left."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as e:
                assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_read_only_and_full_are_storage_trouble_not_a_bad_row(tmp_path, db):
    ro = sqlite3.connect(f"file:{tmp_path / 'sll.db'}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as exc:
        ro.execute("CREATE TABLE scratch (a)")
    assert is_transient(exc.value) and describe(exc.value).startswith("database read-only")
    with pytest.raises(sqlite3.IntegrityError) as bad:
        db.execute("INSERT INTO inbox (connection) VALUES ('x')")
    assert not is_transient(bad.value)


def _gateway_on(db_path, school_db_template, make_sim, redis_server, redis_prefix):
    """The demo school copied to ``db_path``: (simulator, settings, started Engine, web client) on that folder."""
    src, dst = sqlite3.connect(school_db_template), sqlite3.connect(db_path)
    src.backup(dst)
    src.close()
    dst.close()
    sim = make_sim()
    config = write_config(db_path.parent / "config.toml",
                          f'min_free_mb = 1\n[redis]\nprefix = "{redis_prefix}"\n[sms]\nquiet_hours = ""\n'
                          f'[[smsc]]\nport = {sim.port}\nsystem_id = "{sim.system_id}"\nresponse_timeout = 3\n'
                          f'reconnect_max = 1\n', db_path=db_path)
    app_settings = settings_mod.load(config, env={"SLL_SMSC_PASSWORD": sim.password, "SLL_WEB_SECRET_KEY": "k" * 40})
    engine = Engine(app_settings, redis_server, lease_s=3.0)
    engine.start()
    return sim, app_settings, engine, create_app(app_settings, redis=redis_server).test_client()


def test_full_disk_refuses_mo_pauses_the_sender_and_everything_resumes(small_disk, school_db_template, make_sim,
                                                                         redis_server, redis_prefix):
    db_path = small_disk / "sll.db"
    sim, app_settings, engine, web = _gateway_on(db_path, school_db_template, make_sim, redis_server, redis_prefix)
    db = connect(db_path)
    try:
        assert engine.wait_bound(10)
        # A reply that falls due while the disk is full: the sender will have to write to claim it.
        due = messages.enqueue(db, app_settings, phone="+84911000222", body="Tin nhan cho", kind="reply",
                               not_before=utcnow() + timedelta(seconds=1))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fill(small_disk)

        assert sim.push_mo("0911000111", "DIEM TOAN HK1") == [ESME_RX_T_APPN]     # the SMSC will retry

        def says_why():
            """/healthz is degraded and names the full disk and the paused sender"""
            body = web.get("/healthz").get_json()
            problems = " ".join(body["store"].get("problems", []))
            return body["status"] == "degraded" and "disk full" in problems and "disk almost full" in problems
        wait_until(says_why, timeout=20, interval=0.2)
        wait_until(lambda: "full" in (engine.sender.problem or ""), timeout=20)     # the sender paused, alive
        assert not sim.submits()

        (small_disk / "filler").unlink()                                            # space is back
        assert sim.push_mo("0911000111", "DIEM TOAN HK1") == [0]
        sim.wait_for_submits(dest="84911000111", count=1, timeout=15)              # answered
        sim.wait_for_submits(dest="84911000222", count=1, timeout=15)              # the paused reply went
        wait_until(lambda: web.get("/healthz").get_json()["store"] == {"ok": True}, timeout=20, interval=0.2)
        assert db.execute("SELECT state FROM messages WHERE id = ?", [due]).fetchone()[0] != "queued"
    finally:
        engine.stop(timeout=5)
        db.close()


@pytest.fixture
def failing_disk(tmp_path):
    """A 16 MB ext4 on a loop device at tmp_path/ext4 (errors=remount-ro), and how to make it fail: the
    kernel's own ext4 error path (what a dying disk sets off) turns it read-only under open files."""
    image, mount = tmp_path / "ext4.img", tmp_path / "ext4"
    mount.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(16 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True)
    proc = subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(image), str(mount)], capture_output=True)
    if made.returncode != 0 or proc.returncode != 0:
        pytest.skip(f"cannot mount an ext4 image here: {(made.stderr + proc.stderr).decode().strip()}")
    device = subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(mount)], capture_output=True, text=True)
    trigger = f"/sys/fs/ext4/{device.stdout.strip().rsplit('/', 1)[-1]}/trigger_fs_error"

    def fail() -> None:
        with open(trigger, "w") as fh:
            fh.write("test: the disk fails\n")
    yield mount, fail
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_file_system_gone_read_only_under_the_gateway_refuses_mo_and_says_why(
        failing_disk, school_db_template, make_sim, redis_server, redis_prefix):
    mount, fail = failing_disk
    db_path = mount / "sll.db"
    sim, app_settings, engine, web = _gateway_on(db_path, school_db_template, make_sim, redis_server, redis_prefix)
    try:
        assert engine.wait_bound(10)
        assert sim.push_mo("0911000111", "CON") == [0]
        sim.wait_for_submits(dest="84911000111", count=1, timeout=15)             # answered while it works
        db = connect(db_path)
        messages.enqueue(db, app_settings, phone="+84911000222", body="Tin nhan cho", kind="reply",
                         not_before=utcnow() + timedelta(seconds=1))               # falls due after the failure
        db.close()
        fail()
        for _ in range(3):                                                         # every MO, not only the first
            assert sim.push_mo("0911000111", "DIEM TOAN HK1") == [ESME_RX_T_APPN]  # the SMSC will retry

        def says_why():
            """/healthz is degraded and names the storage"""
            body = web.get("/healthz").get_json()
            problems = " ".join(body["store"].get("problems", []))
            return body["status"] == "degraded" and "went read-only" in problems and problems
        wait_until(says_why, timeout=20, interval=0.2)
        wait_until(lambda: engine.sender.problem, timeout=20)                      # the sender paused, alive
        assert engine.wait_bound(1) and sim.binds()                                # the gateway lives, bound
        assert len(sim.submits()) == 1
    finally:
        engine.stop(timeout=5)
