"""The account-wide submit_sm rate limit, shared by every worker process through Redis.

A GCRA (generic cell rate algorithm) kept in one Redis key per SMSC
connection, ``<prefix>tps:<connection>``: the key holds the theoretical
arrival time (TAT) of the next PDU in microseconds of the Redis clock, so
every process and host shares one clock and one schedule. One emission
interval T = 1/tps; ``burst`` PDUs may go back to back after an idle spell
(tolerance (burst-1)·T).

An acquisition of n PDUs at Redis time t is granted when
t >= TAT + (n-1)·T - tolerance, and then TAT = max(TAT, t) + n·T. With the
default burst of 1 this keeps every half-open 1-second window at or below
tps PDUs, whatever mix of n the callers use (the n PDUs of a grant can be
laid on n distinct slots T apart inside the window, ending at t). With a
burst b the bound is tps + b - 1.

The script grants or says how long to wait; it never reserves a future slot,
so a caller that gives up (timeout, shutdown) leaves no hole in the schedule.
"""
from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

# Every script starts from the Redis clock, so all workers share one time.
_NOW = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
"""

# KEYS[1] = TAT key. ARGV = interval_us, tolerance_us, n.
# Returns {1, grant_time_us} or {0, wait_us}.
_ACQUIRE = _NOW + """
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or 0  -- no key: idle since ever
local allow_at = tat + (n - 1) * interval - tolerance
if now < allow_at then
  return {0, math.ceil(allow_at - now)}
end
-- rounded up: a rounded-down TAT could bring two slots closer than T
local new_tat = math.ceil(math.max(tat, now) + n * interval)
redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
           'PX', math.floor((new_tat - now) / 1000) + 60000)
return {1, now}
"""

# KEYS[1] = TAT key. ARGV = hold_us. Pushes the schedule out so nobody sends
# before now + hold (never pulls it in).
_PENALISE = _NOW + """
local until_us = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1])) or 0  -- no key: idle since ever
if until_us > tat then
  redis.call('SET', KEYS[1], string.format('%.0f', until_us),
             'PX', math.floor((until_us - now) / 1000) + 60000)
  return until_us - now
end
return tat - now
"""


# KEYS[1] = TAT key. ARGV = interval_us, n, horizon_us. Reserves the next n slots
# (T apart, from max(TAT, now)) when the first is at most horizon away.
# Returns {1, first_slot_offset_us} or {0, wait_us}.
_RESERVE = _NOW + """
local interval = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or 0
local first = math.max(tat, now)
if first - now > horizon then
  return {0, math.ceil(first - now - horizon)}
end
local new_tat = math.ceil(first + n * interval)
redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
           'PX', math.floor((new_tat - now) / 1000) + 60000)
return {1, math.floor(first - now)}
"""


LATE = 0.02    # seconds a slot may have passed and still be used (at most a couple of PDUs bunch up)


class Slots:
    """``n`` reserved send times, T apart: ``wait(i)`` sleeps until slot ``i``.

    A slot that passed more than two intervals (or LATE) ago is not used: the
    sender was held up (full window, GIL), and catching up would burst on top
    of other workers' slots. The next PDUs then take fresh slots, reserved
    together in one call (as many as fit in LATE, at most the rest of the
    reservation: one Redis round trip per hold-up, not per PDU, at a high
    licence); the unused ones stay holes in the schedule (a little rate lost,
    never exceeded) and the schedule never runs far ahead of what is sent.
    """

    def __init__(self, first: float, interval: float, n: int, limiter: "TpsLimiter | None" = None):
        self.first, self.interval, self.n, self.limiter = first, interval, n, limiter
        self.stale = False
        self._fresh: tuple[int, int, float] | None = None   # (first index, count, time of the first)

    def at(self, i: int) -> float:
        """time.monotonic() of slot ``i`` of the original reservation."""
        return self.first + i * self.interval

    def _target(self, i: int) -> float:
        if self._fresh is not None:
            start, count, first = self._fresh
            if start <= i < start + count:
                return first + (i - start) * self.interval
        return self.at(i)

    def wait(self, i: int) -> None:
        """Sleep until slot ``i`` (or a fresh one when it passed too long ago)."""
        target = self._target(i)
        if self.limiter is not None and target - time.monotonic() < -max(2 * self.interval, LATE):
            self.stale = True
            count = max(1, min(self.n - i, int(LATE / self.interval)))
            target = self.limiter.reserve(count).first
            self._fresh = (i, count, target)
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class RateLimitTimeout(Exception):
    """``acquire`` could not get ``n`` PDUs on ``key`` within ``timeout`` seconds."""

    def __init__(self, key: str, n: int, timeout: float):
        self.key = key
        self.n = n
        self.timeout = timeout
        super().__init__(f"no {n} submit slot(s) on {key} within {timeout}s")


class TpsLimiter:
    """GCRA rate limit of one SMSC account, shared through Redis."""

    # Wake this much before the slot and ask again: every grant happens at
    # "now", so each wake-up late (sleep overshoot + a round trip, ~0.3-0.8 ms
    # here) is lost for good; asking early and re-asking within the last
    # half millisecond got 98-99 % of the cap instead of ~93 % for ~3 calls a grant.
    EARLY = 0.0005

    def __init__(self, redis, prefix: str, connection: str, tps: float, burst: int = 1):
        if tps <= 0:
            raise ValueError(f"tps must be positive, got {tps!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.redis = redis
        self.key = f"{prefix}tps:{connection}"
        self.tps = tps
        self.burst = burst
        self.interval_us = 1_000_000 / tps
        self.tolerance_us = (burst - 1) * self.interval_us
        self._acquire = redis.register_script(_ACQUIRE)
        self._reserve = redis.register_script(_RESERVE)
        self._penalise = redis.register_script(_PENALISE)

    def _try(self, n: int) -> tuple[bool, float]:
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n!r}")
        granted, value = self._acquire(keys=[self.key], args=[self.interval_us, self.tolerance_us, n])
        return bool(granted), value / 1_000_000

    def try_acquire(self, n: int = 1) -> float:
        """0.0 when ``n`` PDUs may go now (they are counted), else the seconds to wait before asking again."""
        granted, value = self._try(n)
        return 0.0 if granted else value

    def acquire(self, n: int = 1, timeout: float | None = None) -> float:
        """Block until ``n`` PDUs may go; returns the grant time (Redis clock, epoch seconds).

        Raises RateLimitTimeout when ``timeout`` seconds pass first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            granted, value = self._try(n)
            if granted:
                return value
            if deadline is not None and time.monotonic() + value > deadline:
                raise RateLimitTimeout(self.key, n, timeout)
            if value > self.EARLY:
                time.sleep(value - self.EARLY)

    def reserve(self, n: int, horizon: float = 0.5) -> Slots:
        """Reserve the next ``n`` PDU slots (one Redis call); send PDU i at ``slots.wait(i)``.

        Unlike ``acquire(n)``, which lets n PDUs go at one instant and so must
        keep a gap around them, reserved slots are spaced exactly 1/tps apart:
        a sender that writes each PDU at its slot runs at the full rate and
        never puts more than tps PDUs in any second. Blocks while the
        account's schedule is more than ``horizon`` seconds ahead.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n!r}")
        while True:
            asked = time.monotonic()
            granted, value = self._reserve(keys=[self.key], args=[self.interval_us, n, int(horizon * 1_000_000)])
            if granted:
                return Slots(asked + value / 1_000_000, self.interval_us / 1_000_000, n, self)
            time.sleep(value / 1_000_000)

    def penalise(self, seconds: float) -> float:
        """Hold every worker of this account for ``seconds`` (the SMSC said ESME_RTHROTTLED); returns the hold."""
        hold = self._penalise(keys=[self.key], args=[max(0, int(seconds * 1_000_000))]) / 1_000_000
        logger.warning("SMSC throttled %s: all workers hold %.3fs", self.key, hold)
        return hold
