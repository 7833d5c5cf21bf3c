"""Redis gone: the gateway's status reaches /healthz and /metrics through its spool file, and comes back."""
from __future__ import annotations

import settings as settings_mod
from gateway import heartbeat
from gateway.engine import Engine
from outbox import messages
from store.core.connection import connect
from web import create_app

from .conftest import write_config
from .fixtures_gateway import wait_until


def test_healthz_degraded_from_the_spool_while_redis_is_down_then_ok(tmp_path, school_db_path, make_sim,
                                                                      private_redis):
    sim = make_sim()
    config = write_config(tmp_path / "config.toml",
                          f'min_free_mb = 0\n[redis]\nprefix = "spool:"\n[sms]\nquiet_hours = ""\n[[smsc]]\n'
                          f'port = {sim.port}\nsystem_id = "{sim.system_id}"\nresponse_timeout = 3\nreconnect_max = 1\n',
                          db_path=school_db_path)
    app_settings = settings_mod.load(config, env={"SLL_SMSC_PASSWORD": sim.password, "SLL_WEB_SECRET_KEY": "k" * 40})
    engine = Engine(app_settings, private_redis.client(), lease_s=3.0)
    engine.heartbeat.interval = 1.0                  # publish every second (5 in production): a shorter test
    engine.start()
    web = create_app(app_settings, redis=private_redis.client()).test_client()
    db = connect(school_db_path)
    try:
        assert engine.wait_bound(10)
        wait_until(lambda: web.get("/healthz").get_json()["status"] == "ok", timeout=15, interval=0.2)
        private_redis.kill()
        messages.enqueue(db, app_settings, phone="+84911000333", body="Tra loi", kind="reply")
        engine.wake.ring()
        sim.wait_for_submits(dest="84911000333", count=1, timeout=15)       # sent on the local share

        def spooled():
            """the gateway's status is spooled with its local limiter"""
            body = web.get("/healthz").get_json()
            return any("limiter of default is local" in w for w in body["warnings"]) and body
        body = wait_until(spooled, timeout=20, interval=0.2)
        assert body["status"] == "degraded" and body["redis"]["ok"] is False
        [conn] = body["connections"]
        assert conn["ok"] and conn["binds_up"] == 1          # the binds are known without Redis
        metrics = web.get("/metrics").get_data(as_text=True)
        assert 'sll_limiter_local{connection="default"' in metrics and "} 1.0" in metrics

        private_redis.start()
        messages.enqueue(db, app_settings, phone="+84911000444", body="Tra loi", kind="reply")
        engine.wake.ring()
        sim.wait_for_submits(dest="84911000444", count=1, timeout=15)
        wait_until(lambda: web.get("/healthz").get_json()["status"] == "ok", timeout=20, interval=0.2)
        # The embedded Redis keeps its data through the SIGKILL (AOF), so /healthz may read the status
        # published before the kill until the next beat, which publishes again and removes the spool.
        assert wait_until(lambda: heartbeat.read_spool(heartbeat.spool_dir(app_settings.data_dir), "spool:") == [],
                          timeout=10, interval=0.2)
    finally:
        engine.stop(timeout=5)
        db.close()
