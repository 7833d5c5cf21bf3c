"""Waking the senders when rows are queued: in-process at once, other processes through Redis.

Redis carries only this nudge; a sender that hears nothing still polls
SQLite every poll interval, so losing Redis costs latency, never a message.
"""
from __future__ import annotations

import logging
import os
import threading
import time

import redis

logger = logging.getLogger(__name__)

STEP = 0.1       # seconds of one Redis wait between looks at the in-process event
MIN_STEP = 0.05  # never shorter: Redis reads a timeout that rounds to 0 as "forever"


class Wake:
    """A doorbell: ``ring()`` after committing rows, ``wait(timeout)`` in the sender.

    ``sender_here``: this process runs a sender (an Engine that sends). Its rings (replies its answerer
    queued) then go to this sender's own key: with several SMPP processes (``gateway.processes``) a ring
    on the shared key wakes whichever sender's BLPOP comes first, and this process's own sender, waiting
    on Redis too, would sleep on while another process claims the reply across the write lock. Rings of
    processes without a sender (web, CLI, jobs) keep the shared key: one sender somewhere wakes.
    """

    OWN_TTL_S = 60      # the own key of a process that died goes away by itself

    def __init__(self, conn: redis.Redis | None, prefix: str, *, sender_here: bool = False):
        self.conn = conn
        self.key = f"{prefix}outbox:wake"
        self.own_key = f"{self.key}:{os.getpid()}:{id(self):x}" if sender_here else None
        self.local = threading.Event()
        # Set when a reply was queued in this process: the sender stops its bulk slice between two
        # chunks and claims again, replies first, instead of finishing the slice.
        self.reply = threading.Event()

    def ring(self, reply: bool = False) -> None:
        """Wake this process's sender now and one sender elsewhere through Redis (``reply``: replies wait)."""
        if reply:
            self.reply.set()
        self.local.set()
        if self.conn is None:
            return
        key = self.own_key or self.key
        try:
            pipe = self.conn.pipeline()
            pipe.lpush(key, 1)
            pipe.ltrim(key, 0, 0)
            if self.own_key:
                pipe.expire(key, self.OWN_TTL_S)
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
            # Short Redis waits interleaved with the local event keep both paths responsive. Each is
            # at least MIN_STEP: a BLPOP timeout that rounds to 0 (a float remainder such as 1e-17 s
            # after ten steps of 0.1) means "block forever" to Redis, and the sender never polled again.
            deadline = time.monotonic() + timeout
            keys = [self.own_key, self.key] if self.own_key else [self.key]
            while not self.local.is_set():
                left = deadline - time.monotonic()
                if left < MIN_STEP / 2:
                    break
                if self.conn.blpop(keys, timeout=round(max(MIN_STEP, min(STEP, left)), 3)):
                    break
        except redis.exceptions.TimeoutError:
            # A blocking read that timed out on the client side just means no ring came.
            logger.debug("outbox bell: read timed out; polling")
        except redis.exceptions.RedisError as e:
            logger.warning("Redis unavailable for the outbox bell (%s); polling", e)
            self.local.wait(timeout)
        self.local.clear()
