"""`GET /healthz` (database, Redis, every SMPP connection) and `GET /metrics` (Prometheus); no login.

/healthz tells anyone states and counts only; /metrics (process names, host
names, pids) answers a scrape on this host or one with ``web.metrics_token``.

The SMPP side runs in other processes (`gateway`, `worker`): their binds are
read from the statuses they publish to Redis (gateway/heartbeat.py). Neither
endpoint shows personal data: states, counts, process names and bind names.
"""
from __future__ import annotations

import hmac
import ipaddress
import sqlite3

import redis as redis_lib
from flask import Blueprint, Response, abort, jsonify, request

from gateway import heartbeat
from gateway.session import BindType, SessionState
from outbox import scheduler
from store.core.clock import utcnow
from store.core.disk import storage_problem
from store.core.migrate import latest_version, user_version

from .db import get_db, redis, settings

bp = Blueprint("health", __name__)

_RECEIVING = {BindType.TRX.value, BindType.RX.value}
_SENDING = {BindType.TRX.value, BindType.TX.value}


def check_database() -> dict:
    """Whether the database answers at the schema version this program needs."""
    want = latest_version()
    if not settings().db_path.exists():
        return {"ok": False, "error": "no database file (run `init`)", "expected_version": want}
    try:
        version = user_version(get_db())
    except sqlite3.Error as e:
        return {"ok": False, "error": f"unreadable: {e}", "expected_version": want}
    out = {"ok": version == want, "schema_version": version, "expected_version": want}
    if version != want:
        out["error"] = "wrong schema version (run `init` to upgrade)"
    return out


def read_statuses() -> tuple[dict, list[dict]]:
    """Redis's health and the statuses of the live SMPP processes (from their spool files when Redis is down)."""
    try:
        redis().ping()
        return {"ok": True}, heartbeat.read_all(redis(), settings().redis.prefix)
    except redis_lib.RedisError as e:
        spooled = heartbeat.read_spool(heartbeat.spool_dir(settings().data_dir), settings().redis.prefix)
        return {"ok": False, "error": f"unreachable: {e}"}, spooled


def connection_health(statuses: list[dict]) -> list[dict]:
    """Per configured [[smsc]] connection: binds up and opened, by process; ok when it can receive and send.

    Receiving needs a bound transceiver or receiver in any live process;
    sending a bound transceiver or transmitter in a process that sends the
    outbox (not `gateway --no-send`).
    """
    out = []
    for conn in settings().smsc:
        entry = {"name": conn.name, "ok": False, "binds_up": 0, "binds_expected": 0, "max_binds": conn.max_binds,
                 "receiving": False, "sending": False, "processes": []}
        for status in statuses:
            for account in status.get("connections", ()):
                if account.get("connection") != conn.name:
                    continue
                binds = account.get("binds", ())
                bound = [b for b in binds if b.get("state") == SessionState.BOUND.value]
                entry["binds_up"] += len(bound)
                entry["binds_expected"] += len(binds)
                entry["receiving"] |= any(b.get("bind_type") in _RECEIVING for b in bound)
                entry["sending"] |= bool(status.get("sends")) and any(b.get("bind_type") in _SENDING for b in bound)
                entry["processes"].append({"process": status.get("process"), "sends": bool(status.get("sends")),
                                           "binds_up": len(bound), "binds": len(binds), "at": status.get("at")})
        entry["ok"] = entry["receiving"] and entry["sending"]
        out.append(entry)
    return out


def store_health(statuses: list[dict]) -> dict:
    """Whether the database's disk takes writes: its own check, and what the SMPP processes met."""
    problems = []
    own = storage_problem(settings().db_path, settings().store.min_free_mb)
    if own:
        problems.append(own)
    for status in statuses:
        store = status.get("store") or {}
        if store.get("ok") is False and store.get("problem"):
            problems.append(f"{status.get('process')}: {store['problem']}")
    return {"ok": not problems, **({"problems": problems} if problems else {})}


def warnings_of(statuses: list[dict], database_ok: bool) -> list[str]:
    """What an operator should look at though the service runs: local limiters, missing digests."""
    out = []
    for status in statuses:
        for name, limiter in (status.get("limiters") or {}).items():
            if limiter.get("mode") == "local":
                out.append(f"{status.get('process')}: TPS limiter of {name} is local "
                           f"({limiter.get('share', 0):.0%} of tps) while Redis is unreachable")
    if database_ok:
        grace = int(scheduler.DIGEST_GRACE.total_seconds() // 60)
        try:
            for school_id, day in scheduler.missing_digests(get_db(), settings(), utcnow()):
                out.append(f"digest of school {school_id} for {day} missing {grace} min after "
                           f"digest.send_at {settings().digest.send_at}")
        except sqlite3.Error as e:
            out.append(f"cannot check today's digests: {e}")
    return out


@bp.get("/healthz")
def healthz():
    """200 {"status": "ok"} when the database, Redis and every connection are fine, else 503 and what is not.

    Redis unreachable is `degraded`, not `down`: the gateway still stores and answers MO
    and sends at its local share of the TPS; the processes' statuses come from their spool files.
    """
    database = check_database()
    redis_health, statuses = read_statuses()
    connections = connection_health(statuses)
    for entry in connections:         # host names and pids stay on /metrics (the operator's network)
        for process in entry["processes"]:
            process.pop("process", None)
    store = store_health(statuses)
    if not database["ok"]:
        status = "down"
    elif not (redis_health["ok"] and store["ok"] and all(c["ok"] for c in connections)):
        status = "degraded"
    else:
        status = "ok"
    body = {"status": status, "database": database, "redis": redis_health, "store": store,
            "connections": connections, "warnings": warnings_of(statuses, database["ok"])}
    return jsonify(body), 200 if status == "ok" else 503


PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "Via", "X-Forwarded-Host", "X-Forwarded-Proto")


def may_read_metrics() -> bool:
    """With ``web.metrics_token`` set: only a scrape bearing it. Without: only one from this host that came
    through no proxy — no proxy configured (``web.trusted_proxies`` empty; a proxy on the same host that
    adds no header could not be told apart from a local scrape) and no proxy's header on the request."""
    web = settings().web
    if web.metrics_token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {web.metrics_token}".encode())
    if web.trusted_proxies.strip() or any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics():
    """Prometheus text: outbox, inbox, receipts and digests from SQLite; binds and counters from the heartbeats."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    if not may_read_metrics():
        abort(403, description="/metrics chỉ đọc được với web.metrics_token (Authorization: Bearer ...), "
                               "hoặc từ chính máy chủ khi không có reverse proxy nào phía trước.")
    from .metrics import SllCollector
    database = check_database()
    redis_health, statuses = read_statuses()
    registry = CollectorRegistry()      # per request: no state shared between apps or scrapes
    registry.register(SllCollector(get_db() if database["ok"] else None, redis_health["ok"], statuses, settings()))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
