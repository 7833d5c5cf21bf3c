"""Waking the senders when rows are queued: in-process at once, other processes through Redis.

Redis carries only this nudge; a sender that hears nothing still polls
SQLite every poll interval, so losing Redis costs latency, never a message.
"""
from __future__ import annotations

import logging
import threading

import redis

logger = logging.getLogger(__name__)


class Wake:
    """A doorbell: ``ring()`` after committing rows, ``wait(timeout)`` in the sender."""

    def __init__(self, conn: redis.Redis | None, prefix: str):
        self.conn = conn
        self.key = f"{prefix}outbox:wake"
        self.local = threading.Event()

    def ring(self) -> None:
        """Wake this process's sender now and one sender elsewhere through Redis."""
        self.local.set()
        if self.conn is None:
            return
        try:
            pipe = self.conn.pipeline()
            pipe.lpush(self.key, 1)
            pipe.ltrim(self.key, 0, 0)
            pipe.execute()
        except redis.exceptions.RedisError as e:
            logger.warning("could not ring the outbox bell in Redis (%s); senders will poll", e)

    def wait(self, timeout: float) -> None:
        """Return when rung (here or through Redis) or after ``timeout`` seconds."""
        if self.local.is_set():
            self.local.clear()
            return
        if self.conn is None or timeout < 0.05:
            self.local.wait(timeout)
            self.local.clear()
            return
        try:
            # Short Redis waits interleaved with the local event keep both paths responsive.
            remaining = timeout
            while remaining > 0 and not self.local.is_set():
                step = min(0.1, remaining)
                if self.conn.blpop([self.key], timeout=step):
                    break
                remaining -= step
        except redis.exceptions.TimeoutError:
            # A blocking read that timed out on the client side just means no ring came.
            logger.debug("outbox bell: read timed out; polling")
        except redis.exceptions.RedisError as e:
            logger.warning("Redis unavailable for the outbox bell (%s); polling", e)
            self.local.wait(timeout)
        self.local.clear()
