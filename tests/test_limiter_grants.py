"""Chunks granted as a whole right before their one write (a licence far above the send rate)."""
from __future__ import annotations

import random
import time

import redis

from outbox import limiter as limiter_mod
from outbox.limiter import Slots, TpsLimiter, grant
from tests.test_limiter import assert_rate_bound, race


def _grants(pool_class, pool_kwargs, prefix, tps, pdus, seed, start, out):
    """Child process: grants of 1-8 PDUs until ``pdus`` were granted; their slots on the Redis clock, and
    whether each write (the return) came at or after its last slot."""
    conn = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool_class, **pool_kwargs))
    limiter = TpsLimiter(conn, prefix, "default", tps)
    rng = random.Random(seed)
    start.wait()
    slots, early = [], 0
    while len(slots) < pdus:
        n = rng.randint(1, 8)
        got = grant(limiter, n, horizon=0.02)
        early += time.monotonic() < got.at(n - 1)
        slots.extend(got.redis_first + i * got.interval for i in range(n))
    out.put((slots, early))


def test_grants_of_two_processes_never_exceed_the_cap(redis_server, redis_prefix):
    tps = 20_000                        # 8 PDUs span 0.4 ms: the granted regime
    assert 8 / tps <= limiter_mod.GRANT_SPAN
    results = race(redis_server, _grants, (redis_prefix, tps, 1500), processes=2)
    times = [t for slots, _ in results for t in slots]
    assert_rate_bound(times, tps)           # every slot its own, T apart, whichever process took it
    assert all(early == 0 for _, early in results), "a chunk was written before its last slot"
    first_end = max(results[0][0])
    assert any(t < first_end for t in results[1][0]), "both processes competed inside the same windows"


class FakeClock:
    """The limiter module's clock: stands still unless slept (a loaded host cannot make a fresh slot late)."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += max(0.0, seconds)


class PastLimiter:
    """reserve() hands out slots that passed ``ago[i]`` seconds ago on its i-th call."""

    def __init__(self, ago, clock):
        self.ago, self.calls, self.clock = list(ago), 0, clock

    def reserve(self, n, horizon=0.5):
        self.calls += 1
        return Slots(self.clock.monotonic() - self.ago.pop(0), 1e-6, n, self)


def test_a_grant_that_came_back_late_is_taken_once_more(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(limiter_mod, "time", clock)
    fresh_after_a_stall = PastLimiter([0.05, 0.0], clock)
    slots = grant(fresh_after_a_stall, 5)
    assert fresh_after_a_stall.calls == 2 and not slots.stale
    always_late = PastLimiter([0.05, 0.05, 0.05], clock)
    slots = grant(always_late, 5)
    assert always_late.calls == 2 and slots.stale, "at most one more round trip, as for a stale slot"
    on_time = PastLimiter([0.0], clock)
    grant(on_time, 5)
    assert on_time.calls == 1


def test_a_grant_waits_for_its_last_slot():
    class Ahead:
        def reserve(self, n, horizon=0.5):
            return Slots(time.monotonic() + 0.03, 0.001, n, self)

    slots = grant(Ahead(), 5)
    assert time.monotonic() >= slots.at(4)
