"""Each SMPP process's status in Redis, so `/healthz` and `/metrics` see every process of the host.

A process (`gateway`, `worker`) publishes its Engine.status() as JSON under
``<prefix>status:<host>:<pid>`` with a TTL of TTL_S seconds, at least every
INTERVAL_S seconds and at once when a bind changes state; the key vanishes
when the process stops cleanly (``clear``) or TTL_S seconds after it died.
The set ``<prefix>status`` lists the keys, so readers need no SCAN over the
whole keyspace; a reader drops the names whose key has expired.

While Redis is unreachable the same record goes to a file in a spool folder
of the data directory (``spool_dir``), which `/healthz` and `/metrics` read
instead: the single host still sees its processes (and why they are degraded).
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import re
import socket
import time
from pathlib import Path
from typing import Callable

import redis

from store.core.clock import iso, utcnow

logger = logging.getLogger(__name__)

TTL_S = 15
INTERVAL_S = 5.0


_engines = itertools.count(1)


def process_name() -> str:
    """This process as ``host:pid`` (``host:pid/N`` for the Nth heartbeat of one process: tests, benchmarks)."""
    n = next(_engines)
    return f"{socket.gethostname()}:{os.getpid()}" + (f"/{n}" if n > 1 else "")


def _index_key(prefix: str) -> str:
    return f"{prefix}status"


def _key(prefix: str, process: str) -> str:
    return f"{prefix}status:{process}"


def publish(conn: redis.Redis, prefix: str, process: str, status: dict, ttl: int = TTL_S) -> None:
    """Write ``status`` of ``process`` for ``ttl`` seconds."""
    pipe = conn.pipeline(transaction=False)
    pipe.set(_key(prefix, process), json.dumps(status), ex=ttl)
    pipe.sadd(_index_key(prefix), process)
    pipe.execute()


def remove(conn: redis.Redis, prefix: str, process: str) -> None:
    """Delete the status of ``process`` (a clean stop)."""
    pipe = conn.pipeline(transaction=False)
    pipe.delete(_key(prefix, process))
    pipe.srem(_index_key(prefix), process)
    pipe.execute()


def read_all(conn: redis.Redis, prefix: str) -> list[dict]:
    """The statuses of every live process, by process name; raises redis errors."""
    names = sorted(n.decode() if isinstance(n, bytes) else n for n in conn.smembers(_index_key(prefix)))
    if not names:
        return []
    values = conn.mget([_key(prefix, n) for n in names])
    live, gone = [], []
    for name, value in zip(names, values):
        if value is None:
            gone.append(name)
            continue
        try:
            live.append(json.loads(value))
        except ValueError:
            logger.warning("unreadable status of %s in Redis; ignored", name)
    if gone:
        conn.srem(_index_key(prefix), *gone)
    return live


def spool_dir(data_dir: Path) -> Path:
    """Where statuses go while Redis is unreachable."""
    return Path(data_dir) / "run" / "status"


def _spool_file(folder: Path, prefix: str, process: str) -> Path:
    return Path(folder) / (re.sub(r"[^A-Za-z0-9_.-]", "_", f"{prefix}{process}") + ".json")


def spool(folder: Path, prefix: str, process: str, status: dict) -> None:
    """Write ``status`` to the spool folder (atomically: readers never see half a file)."""
    path = _spool_file(folder, prefix, process)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status), encoding="utf-8")
    os.replace(tmp, path)


def unspool(folder: Path, prefix: str, process: str) -> None:
    """Remove ``process``'s spooled status (Redis answers again, or a clean stop)."""
    _spool_file(folder, prefix, process).unlink(missing_ok=True)


def read_spool(folder: Path, prefix: str, ttl: int = TTL_S) -> list[dict]:
    """The spooled statuses written within ``ttl`` seconds (a dead process's file is ignored)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", prefix)
    out = []
    for path in sorted(folder.glob(f"{stem}*.json")):
        try:
            if time.time() - path.stat().st_mtime > ttl:
                continue
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue        # vanished or being replaced: the next read sees it
    return out


def bind_states(status: dict) -> tuple:
    """Every bind's (name, state): when this changes, the status is published at once."""
    return tuple((b["name"], b["state"]) for c in status.get("connections", ()) for b in c.get("binds", ()))


class Heartbeat:
    """Publishes one process's status: call ``beat()`` often (it writes only when due), ``clear()`` on stop."""

    def __init__(self, conn: redis.Redis, prefix: str, status: Callable[[], dict], *, sends: bool,
                 interval: float = INTERVAL_S, ttl: int = TTL_S, spool_to: Path | None = None):
        self.conn = conn
        self.spool_to = spool_to
        self.prefix = prefix
        self.status = status
        self.process = process_name()
        self.sends = sends
        self.interval = interval
        self.ttl = ttl
        self.started_at = iso(utcnow())
        self._last_at = float("-inf")
        self._last_states: tuple | None = None
        self._failing = False

    def beat(self) -> bool:
        """Publish when INTERVAL_S has passed or a bind changed state; whether it wrote."""
        status = self.status()
        states = bind_states(status)
        now = time.monotonic()
        if states == self._last_states and now - self._last_at < self.interval:
            return False
        record = {"process": self.process, "pid": os.getpid(), "sends": self.sends,
                  "started_at": self.started_at, "at": iso(utcnow()), **status}
        try:
            publish(self.conn, self.prefix, self.process, record, self.ttl)
        except redis.RedisError as e:
            # Once per outage: the engine keeps working without Redis, /healthz reports it.
            if not self._failing:
                logger.warning("cannot publish this process's status to Redis: %s", e)
            self._failing = True
            return self._spool(record, now, states)
        if self._failing:
            logger.info("status published to Redis again")
            self._unspool()
        self._failing = False
        self._last_at, self._last_states = now, states
        return True

    def _spool(self, record: dict, now: float, states: tuple) -> bool:
        if self.spool_to is None:
            return False
        try:
            spool(self.spool_to, self.prefix, self.process, {**record, "redis": False})
        except OSError as e:        # a full disk too: nothing to do but log it
            logger.warning("cannot spool this process's status either: %s", e)
            return False
        self._last_at, self._last_states = now, states
        return True

    def _unspool(self) -> None:
        if self.spool_to is not None:
            try:
                unspool(self.spool_to, self.prefix, self.process)
            except OSError as e:
                logger.warning("cannot remove the spooled status: %s", e)

    def clear(self) -> None:
        """Remove the status (the process stops cleanly)."""
        self._unspool()
        try:
            remove(self.conn, self.prefix, self.process)
        except redis.RedisError as e:
            logger.warning("could not remove this process's status from Redis (it expires in %d s): %s",
                           self.ttl, e)
