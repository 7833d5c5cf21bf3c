"""/healthz and /metrics against a real Engine bound to the simulator, a real Redis and SQLite; the `web` command."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from redis.backoff import NoBackoff
from redis.retry import Retry

from outbox import messages
from store.messaging import stats
from web import create_app

from .conftest import ROOT, write_config
from .fixtures_gateway import wait_until


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.get_json()


def scrape(client) -> dict[tuple, float]:
    """/metrics parsed by prometheus_client: {(sample name, sorted labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples}


def test_healthz_follows_the_engine_binds(live, client):
    engine, sim, settings, db = live()
    process = engine.heartbeat.process

    def healthy():
        """/healthz answers 200"""
        return health(client)[0] == 200
    wait_until(healthy, timeout=10)
    code, body = health(client)
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["schema_version"] == body["database"]["expected_version"]
    assert body["redis"] == {"ok": True}
    [conn] = body["connections"]
    assert (conn["name"], conn["ok"], conn["binds_up"], conn["binds_expected"]) == ("default", True, 1, 1)
    assert conn["receiving"] and conn["sending"]
    # Item 15 of issue 11: no host name or pid on /healthz (they stay on /metrics).
    assert [(p["binds_up"], p["sends"]) for p in conn["processes"]] == [(1, True)]
    assert all("process" not in p for p in conn["processes"]) and process.split(":")[0] not in str(body)

    engine.stop(timeout=5)          # a clean stop removes the heartbeat at once
    code, body = health(client)
    assert code == 503 and body["status"] == "degraded"
    assert body["database"]["ok"] and body["redis"]["ok"]
    [conn] = body["connections"]
    assert (conn["ok"], conn["binds_up"], conn["processes"]) == (False, 0, [])


def test_a_process_that_does_not_send_leaves_the_connection_unhealthy(live, client):
    live(send=False)                # `gateway --no-send` alone: MO come in, nothing goes out

    def published():
        """the receiving process's bind is published"""
        return health(client)[1]["connections"][0]["binds_up"] == 1
    wait_until(published, timeout=10)
    code, body = health(client)
    conn = body["connections"][0]
    assert code == 503 and body["status"] == "degraded"
    assert conn["receiving"] and not conn["sending"] and not conn["ok"]


def test_healthz_says_redis_is_down_as_degraded(web_settings):
    with socket.socket() as s:      # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # No retries: a real client retries for seconds first (which keeps /healthz steady over a blip).
    down = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    app = create_app(web_settings, redis=down)
    code, body = health(app.test_client())
    # degraded, not down: the gateway stores and answers MO without Redis (local TPS limiters)
    assert code == 503 and body["status"] == "degraded"
    assert body["redis"]["ok"] is False and "unreachable" in body["redis"]["error"]
    assert body["database"]["ok"] is True
    assert body["connections"][0]["ok"] is False
    samples = scrape(app.test_client())
    assert samples[("sll_up", (("component", "redis"),))] == 0
    assert samples[("sll_up", (("component", "database"),))] == 1


def test_healthz_says_the_database_is_at_the_wrong_version(client, school_db):
    school_db.execute("PRAGMA user_version = 1")
    code, body = health(client)
    assert code == 503 and body["status"] == "down"
    assert body["database"]["ok"] is False and body["database"]["schema_version"] == 1
    assert "init" in body["database"]["error"]


def test_metrics_count_the_outbox_by_state_and_kind(client, school_db, web_settings):
    assert school_db.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    ids = [messages.enqueue(school_db, web_settings, phone=f"+8491234567{i}", body="x", kind=kind,
                            not_before=None if kind == "reply" else tomorrow)
           for i, kind in enumerate(["reply", "reply", "reply", "digest", "digest"])]
    school_db.execute(f"UPDATE messages SET state = 'delivered' WHERE id IN ({ids[0]}, {ids[3]})")
    samples = scrape(client)

    def outbox(state, kind):
        return samples[("sll_outbox_messages", (("kind", kind), ("state", state)))]
    assert (outbox("queued", "reply"), outbox("delivered", "reply")) == (2, 1)
    assert (outbox("queued", "digest"), outbox("delivered", "digest")) == (1, 1)
    assert outbox("failed", "otp") == 0
    assert sum(v for (name, _), v in samples.items() if name == "sll_outbox_messages") == 5
    assert samples[("sll_outbox_due", ())] == 2            # the queued digest waits for tomorrow
    assert samples[("sll_receipts", (("status", "matched"),))] == 0
    assert samples[("sll_digest_runs", (("state", "built"),))] == 0
    assert samples[("sll_up", (("component", "database"),))] == 1


def test_metrics_show_binds_and_counters_from_the_heartbeat(live, client):
    engine, sim, settings, db = live()
    process = engine.heartbeat.process
    sim.push_mo("0912345678", "CON")
    wait_until(lambda: db.execute("SELECT state FROM messages").fetchall() == [("delivered",)], timeout=15)

    def counted():
        """the heartbeat carries the answer and the delivered reply"""
        samples = scrape(client)
        return (samples.get(("sll_mo_answered_total", (("process", process),))) == 1
                and samples.get(("sll_sender_messages_total", (("process", process),))) == 1
                and samples.get(("sll_receipts_applied_total", (("process", process),))) == 1) and samples
    samples = wait_until(counted, timeout=15)
    assert samples[("sll_smpp_binds_up", (("connection", "default"),))] == 1
    assert samples[("sll_smpp_binds", (("connection", "default"),))] == 1
    assert samples[("sll_smpp_max_binds", (("connection", "default"),))] == 1
    assert samples[("sll_processes", (("sends", "true"),))] == 1
    assert samples[("sll_inbound_mo_total", (("process", process),))] == 1
    assert samples[("sll_sender_throttled_total", (("process", process),))] == 0
    assert samples[("sll_inbox_messages", (("state", "answered"),))] == 1
    assert samples[("sll_outbox_messages", (("kind", "reply"), ("state", "delivered")))] == 1
    assert samples[("sll_receipts", (("status", "matched"),))] == 1
    # states, counts and process names only: not the parent's number, not the child's name
    text = client.get("/healthz").get_data(as_text=True) + client.get("/metrics").get_data(as_text=True)
    assert "912345678" not in text and "Hoa" not in text


@pytest.mark.parametrize("name", [n for n in stats.QUERIES if n != "digest_runs"])
def test_metric_counts_read_an_index(school_db, name):
    """Counts over messages, inbox and receipts (tables that grow without end) never scan the table."""
    params = [] if "?" not in stats.QUERIES[name] else ["2030-01-01T00:00:00.000Z"]
    plan = [row[3] for row in school_db.execute("EXPLAIN QUERY PLAN " + stats.QUERIES[name], params)]
    assert plan and all("COVERING INDEX" in step for step in plan), plan


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_web_command_serves_until_sigterm(tmp_path, school_db_path, redis_url, redis_prefix):
    port = _free_port()
    config = write_config(tmp_path / "web.toml", f'[redis]\nurl = "{redis_url}"\nprefix = "{redis_prefix}"\n'
                          f'[web]\nport = {port}\n', db_path=school_db_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLL_")}
    env.update(SLL_CONFIG=str(config), SLL_WEB_SECRET_KEY="test-secret-key-of-at-least-32-bytes")
    proc = subprocess.Popen([sys.executable, str(ROOT / "run_gateway.py"), "web"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def answered():
            """GET /healthz gets an answer"""
            assert proc.poll() is None, proc.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    return r.status, r.read()
            except urllib.error.HTTPError as e:
                return e.code, e.read()
            except OSError:
                return None
        code, raw = wait_until(answered, timeout=30, interval=0.1)
        assert code == 503 and b'"degraded"' in raw      # no gateway runs: the connection has no bind
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in err and "web: stopped" in err


def test_web_command_needs_the_secret_key(cli):
    proc = cli("web")
    assert proc.returncode != 0
    assert "SLL_WEB_SECRET_KEY" in proc.stderr
