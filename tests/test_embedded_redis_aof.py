"""The embedded Redis keeps its data through a SIGKILL (append-only file), and a data dir from before
the AOF keeps what its RDB held when the AOF is turned on."""
from __future__ import annotations

import signal
import subprocess

import pytest

from cli import embedded_redis
from cli.serve import Child

from .fixtures_gateway import wait_until
from .fixtures_resilience import PrivateRedis


def aof_holds(folder, text: bytes) -> bool:
    path = embedded_redis.aof_path(folder)
    return path.exists() and text in path.read_bytes()


@pytest.fixture
def server(tmp_path):
    server = PrivateRedis(tmp_path / "data")
    yield server
    server.stop()


def test_a_session_key_survives_a_sigkill_of_the_embedded_redis(server):
    server.start()
    conn = server.client()
    assert conn.config_get("appendonly")["appendonly"] == "yes", "a new data dir starts with the AOF on"
    conn.set("sll:session:abc", "staff-42", ex=3600)
    wait_until(lambda: aof_holds(server.folder, b"sll:session:abc"), timeout=15)     # fsynced every second
    server.kill()
    server.start()
    again = server.client()
    assert again.get("sll:session:abc") == b"staff-42"
    assert 0 < again.ttl("sll:session:abc") <= 3600


def test_an_rdb_from_before_the_aof_is_loaded_then_kept_in_an_aof(server):
    folder = server.folder
    # A data dir as the version before left it: an RDB and no append-only file.
    server.start()
    conn = server.client()
    conn.config_set("appendonly", "no")
    conn.set("sll:old", "kept")
    conn.save()
    server.stop()
    embedded_redis.aof_path(folder).unlink()
    assert embedded_redis.embedded_path(folder).exists()

    server.start()
    conn = server.client()
    assert conn.get("sll:old") == b"kept", "started from the RDB, not from an empty AOF"
    assert conn.config_get("appendonly")["appendonly"] == "no"
    assert embedded_redis.ensure_aof(conn) is True
    assert embedded_redis.ensure_aof(conn) is False, "once on, nothing more to do"
    conn.set("sll:new", "also")
    wait_until(lambda: aof_holds(folder, b"sll:new"), timeout=15)
    server.kill()
    server.start()
    again = server.client()
    assert (again.get("sll:old"), again.get("sll:new")) == (b"kept", b"also")
    assert again.config_get("appendonly")["appendonly"] == "yes"


def test_the_supervised_redis_rewrites_its_config_before_each_restart(tmp_path):
    folder = tmp_path / "data"
    calls = []

    def prepare():
        calls.append(1)
        embedded_redis.server_argv(folder)
    child = Child("redis", embedded_redis.server_argv(folder), {}, own_session=True, before_start=prepare)
    child.start()
    try:
        assert embedded_redis.wait_ready(folder)
        embedded_redis.client(folder).set("k", "v")
        wait_until(lambda: aof_holds(folder, b"k"), timeout=15)
        child.proc.send_signal(signal.SIGKILL)
        child.proc.wait(5)
        child.check()                                   # the supervisor sees it gone: a restart is due
        child.next_start = 0
        child.check()                                   # and restarts it
        assert len(calls) == 2
        assert embedded_redis.wait_ready(folder)
        assert embedded_redis.client(folder).get("k") == b"v"
    finally:
        if child.proc and child.proc.poll() is None:
            child.proc.terminate()
            try:
                child.proc.wait(10)
            except subprocess.TimeoutExpired:
                child.proc.kill()
