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
import math
import threading
import time
from enum import Enum

import redis

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
# Returns {1, first_slot_offset_us, first_slot_us} or {0, wait_us}.
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
return {1, math.floor(first - now), string.format('%.0f', first)}
"""


# A slot that passed at most one interval ago (or LATE_FLOOR at licences above 1,000/s, where one interval is
# shorter than a sleep's overshoot) is still used. A PDU sent within one interval after its slot keeps every
# 1-second window at or below tps + 1 PDUs; a slot used later would let two PDUs bunch on top of the next
# ones (CI saw 102 at tps = 100 when the threshold was two intervals).
LATE_FLOOR = 0.001


class Slots:
    """``n`` reserved send times, T apart: ``wait(i)`` sleeps until slot ``i``.

    A slot that passed more than one interval (or LATE_FLOOR) ago is not used: the
    sender was held up (full window, GIL), and catching up would burst on top
    of other workers' slots. Only the slots that passed are lost: the PDU that
    was late and the ones after it take the reservation's slots still ahead, in
    order, and the last of them as many fresh slots as were lost, reserved
    together in one call (one Redis round trip per hold-up, not per PDU). The
    lost ones stay holes in the schedule (the rate lost is the hold-up, never
    more), and the schedule never runs far ahead of what is sent.
    """

    def __init__(self, first: float, interval: float, n: int, limiter: "TpsLimiter | None" = None):
        self.first, self.interval, self.n, self.limiter = first, interval, n, limiter
        self.stale = False
        self.redis_first: float | None = None     # the first slot on the Redis clock (epoch seconds), if shared
        # After a hold-up: runs (first PDU index, count, time of its slot) of slots T apart, in time order.
        self._runs: list[tuple[int, int, float]] | None = None

    def at(self, i: int) -> float:
        """time.monotonic() of slot ``i`` of the original reservation."""
        return self.first + i * self.interval

    def _target(self, i: int) -> float:
        for start, count, first in self._runs or ():
            if start <= i < start + count:
                return first + (i - start) * self.interval
        return self.at(i)

    def wait(self, i: int) -> None:
        """Sleep until slot ``i`` (or a later one when it passed too long ago)."""
        target = self._target(i)
        if self.limiter is not None and target - time.monotonic() < -max(self.interval, LATE_FLOOR):
            self.stale = True
            self._retake(i)
            target = self._target(i)
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def _retake(self, i: int) -> None:
        """PDUs ``i``.. onto the slots still ahead (those within the allowance too), in order; fresh slots for
        as many as passed."""
        runs = self._runs or [(0, self.n, self.first)]
        oldest = time.monotonic() - max(self.interval, LATE_FLOOR)
        kept: list[tuple[int, float]] = []          # (slots, time of the first) of each run, what is left of it
        for start, count, first in runs:
            skip = max(0, i - start)                 # PDUs before i keep their slots (sent already)
            if skip >= count:
                continue
            first += skip * self.interval
            count -= skip
            passed = min(count, max(0, math.ceil((oldest - first) / self.interval - 1e-9)))
            if count > passed:
                kept.append((count - passed, first + passed * self.interval))
        new, at = [], i
        for count, first in kept:
            new.append((at, count, first))
            at += count
        if at < self.n:
            new.append((at, self.n - at, self.limiter.reserve(self.n - at).first))
        self._runs = new


# A chunk whose slots span at most this long (a licence far above what one process sends: 25 parts at
# 1,000/s or more) is granted as a whole, right before the one write that sends it (``grant``).
GRANT_SPAN = 0.0005


def grant(limiter, n: int, horizon: float = 0.5) -> Slots:
    """The next ``n`` slots for PDUs that go out together in one write, right after this returns.

    Reserved in one Redis call once the PDUs are encoded, then slept up to the last slot, so the write is
    never early for any of them. A reservation that came back later than the lateness allowance
    (``max(interval, LATE_FLOOR)``: the round trip stalled, the GIL was busy) is left as a hole and taken
    once more, as ``Slots.wait`` does for a stale slot: the write is then as late after its first slot
    as after any fresh reservation. One round trip a chunk, where a slot taken before the encoding went
    stale while the chunk was built (two or three round trips a chunk under load).
    """
    for _ in range(2):
        slots = limiter.reserve(n, horizon)
        delay = slots.at(n - 1) - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if time.monotonic() - slots.at(0) <= max(slots.interval, LATE_FLOOR):
            return slots
        slots.stale = True
    return slots


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
        self._conn = None                   # reserve()'s own connection, taken from the pool once
        self._conn_lock = threading.Lock()

    def _reserve_call(self, n: int, horizon_us: int) -> list:
        """The reserve script on this limiter's own connection: the sender's call for every chunk, where
        redis-py's pool and command layers cost more CPU than the round trip (64 -> 26 us a call here).
        redis-py's Script call when the script is not loaded yet; a failed connection is dropped."""
        args = (self.interval_us, n, horizon_us)
        with self._conn_lock:
            conn = self._conn
            try:
                if conn is None:
                    conn = self._conn = self.redis.connection_pool.get_connection()
                conn.send_command("EVALSHA", self._reserve.sha, 1, self.key, *args)
                return conn.read_response()
            except redis.exceptions.NoScriptError:
                pass
            except BaseException:
                self._conn = None
                if conn is not None:
                    conn.disconnect()
                    self.redis.connection_pool.release(conn)
                raise
        return self._reserve(keys=[self.key], args=list(args))

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
            granted, value, *first = self._reserve_call(n, int(horizon * 1_000_000))
            if granted:
                slots = Slots(asked + value / 1_000_000, self.interval_us / 1_000_000, n, self)
                slots.redis_first = int(first[0]) / 1_000_000
                return slots
            time.sleep(value / 1_000_000)

    def penalise(self, seconds: float) -> float:
        """Hold every worker of this account for ``seconds`` (the SMSC said ESME_RTHROTTLED); returns the hold."""
        hold = self.push_back(seconds)
        logger.warning("SMSC throttled %s: all workers hold %.3fs", self.key, hold)
        return hold

    def push_back(self, seconds: float) -> float:
        """Nobody sends before now + ``seconds`` (never pulls the schedule in); returns the hold."""
        return self._penalise(keys=[self.key], args=[max(0, int(seconds * 1_000_000))]) / 1_000_000


class LocalLimiter:
    """This process's own GCRA on its monotonic clock: the stand-in while Redis is unreachable."""

    def __init__(self, tps: float):
        if tps <= 0:
            raise ValueError(f"tps must be positive, got {tps!r}")
        self.tps = tps
        self.interval = 1.0 / tps
        self.tat = 0.0                  # time.monotonic() of the next free slot
        self._lock = threading.Lock()

    def reserve(self, n: int, horizon: float = 0.5, owner=None) -> Slots:
        """The next ``n`` slots, T apart; sleeps while the schedule is more than ``horizon`` ahead."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n!r}")
        while True:
            with self._lock:
                now = time.monotonic()
                first = max(self.tat, now)
                if first - now <= horizon:
                    self.tat = first + n * self.interval
                    return Slots(first, self.interval, n, owner or self)
            time.sleep(first - now - horizon)

    def penalise(self, seconds: float) -> float:
        """Nothing goes before now + ``seconds`` (never pulls the schedule in); returns the hold."""
        with self._lock:
            now = time.monotonic()
            self.tat = max(self.tat, now + max(0.0, seconds))
            return self.tat - now

    def follow(self, until: float) -> None:
        """Start after ``until`` (monotonic): the last slot the shared limiter gave this process."""
        with self._lock:
            self.tat = max(self.tat, until)


class LimiterMode(str, Enum):
    """Which schedule a FallbackLimiter follows."""

    SHARED = "shared"
    LOCAL = "local"


class FallbackLimiter:
    """The shared Redis limiter, or this process's share of ``tps`` while Redis is unreachable.

    ``share`` is this process's binds on the account over the account's
    ``max_binds``: the binds of every process together never exceed
    ``max_binds``, so the local limiters together never exceed the licence.
    While local it asks Redis again every ``probe_s`` seconds; on the way back
    it first pushes the shared schedule past its last local slot (hand-back),
    so the two schedules never overlap, and keeps to its share as well for one
    more probe period, while other processes may still be local.
    """

    def __init__(self, shared: TpsLimiter, share: float = 1.0, probe_s: float = 2.0):
        self.shared = shared
        self.key = shared.key
        self.share = min(1.0, max(share, 1e-6))
        self.local = LocalLimiter(shared.tps * self.share)
        self.probe_s = probe_s
        self.mode = LimiterMode.SHARED
        self.switches = 0
        self._local_since = 0.0
        self._local_total = 0.0
        self._next_probe = 0.0
        self._shared_until = 0.0        # end of the last shared reservation (monotonic)
        self._grace_until = 0.0         # after a hand-back: keep to the local share too until then
        self._lock = threading.Lock()

    @property
    def tps(self) -> float:
        """The rate this process follows now: the licence, or its share while (or just after) it is local."""
        if self.mode is LimiterMode.LOCAL or time.monotonic() < self._grace_until:
            return self.local.tps
        return self.shared.tps

    def local_seconds(self) -> float:
        """Seconds spent on the local limiter so far (the running spell included)."""
        with self._lock:
            running = time.monotonic() - self._local_since if self.mode is LimiterMode.LOCAL else 0.0
            return self._local_total + running

    def reserve(self, n: int, horizon: float = 0.5) -> Slots:
        """Slots from Redis when it answers, else from this process's share."""
        if self.mode is LimiterMode.LOCAL and time.monotonic() < self._next_probe:
            return self.local.reserve(n, horizon, owner=self)
        try:
            if self.mode is LimiterMode.LOCAL:
                self.shared.push_back(self.local.tat - time.monotonic())
                self._to(LimiterMode.SHARED)
            slots = self.shared.reserve(n, horizon)
        except redis.exceptions.RedisError as e:
            if self.mode is LimiterMode.SHARED:
                logger.warning("Redis unreachable for the TPS limiter %s (%s): this process sends at its share, "
                               "%.1f/s, until it is back", self.key, e, self.local.tps)
                self.local.follow(self._shared_until)
                self._to(LimiterMode.LOCAL)
            self._next_probe = time.monotonic() + self.probe_s
            return self.local.reserve(n, horizon, owner=self)
        slots.limiter = self
        if time.monotonic() < self._grace_until:
            # Other processes may still be on their local share until their next probe:
            # keep to ours as well meanwhile, so the sum stays within the licence.
            local = self.local.reserve(n, horizon, owner=self)
            slots = Slots(max(slots.first, local.first), local.interval, n, self)
        self._shared_until = max(self._shared_until, slots.at(n))
        return slots

    def _to(self, mode: LimiterMode) -> None:
        with self._lock:
            now = time.monotonic()
            if mode is LimiterMode.LOCAL:
                self._local_since = now
            else:
                self._local_total += now - self._local_since
                self._grace_until = now + self.probe_s + 1.0
                logger.warning("Redis answers again: the TPS limiter %s is shared again", self.key)
            self.mode = mode
            self.switches += 1

    def penalise(self, seconds: float) -> float:
        """Hold every worker (shared) or this one (local) for ``seconds``."""
        if self.mode is LimiterMode.SHARED:
            try:
                return self.shared.penalise(seconds)
            except redis.exceptions.RedisError:
                pass
        return self.local.penalise(seconds)
