"""The TPS limiter without Redis: each process falls back to its share of the licence, and hands back."""
from __future__ import annotations

import time

import pytest

from outbox.limiter import FallbackLimiter, LimiterMode, LocalLimiter, TpsLimiter


def max_in_any_second(times: list[float]) -> int:
    """The most slot times in any half-open one-second window (1 ns of float rounding forgiven)."""
    times = sorted(times)
    return max(sum(1 for u in times[i:] if u < t + 1.0 - 1e-9) for i, t in enumerate(times))


def slot_times(limiter, pdus: int, chunk: int = 5) -> list[float]:
    """Reserve ``pdus`` slots in chunks, as the sender does, and return their planned times."""
    out = []
    while len(out) < pdus:
        slots = limiter.reserve(min(chunk, pdus - len(out)))
        out.extend(slots.at(i) for i in range(slots.n))
    return out


def test_local_limiter_spaces_slots_at_its_rate():
    local = LocalLimiter(20)
    times = slot_times(local, 40)
    assert all(b - a >= local.interval - 1e-9 for a, b in zip(times, times[1:]))
    assert max_in_any_second(times) <= 20


@pytest.mark.parametrize("binds, max_binds", [(1, 1), (1, 2), (2, 4), (1, 3)])
def test_shares_of_every_process_never_add_up_to_more_than_the_licence(private_redis, binds, max_binds):
    """Processes holding all max_binds binds between them, each on its local share: together at most tps."""
    private_redis.kill()                        # Redis gone before anyone could share
    tps = 30.0
    processes = max_binds // binds
    limiters = [FallbackLimiter(TpsLimiter(private_redis.client(), "t:", "acct", tps), binds / max_binds)
                for _ in range(processes)]
    times = []
    for limiter in limiters:
        times += slot_times(limiter, int(tps * binds / max_binds * 2))
        assert limiter.mode is LimiterMode.LOCAL
    assert max_in_any_second(times) <= tps


def test_redis_killed_and_back_the_limiter_switches_and_hands_back(private_redis):
    shared = TpsLimiter(private_redis.client(), "t:", "acct", 50.0)
    limiter = FallbackLimiter(shared, share=1.0, probe_s=0.2)
    before = slot_times(limiter, 10)
    assert limiter.mode is LimiterMode.SHARED and limiter.local_seconds() == 0

    private_redis.kill()
    during = slot_times(limiter, 25)            # no exception: the local share takes over at once
    assert limiter.mode is LimiterMode.LOCAL and limiter.switches == 1
    assert min(during) >= max(before) - 1e-6    # the local schedule starts after the last shared slot

    private_redis.start()
    time.sleep(0.25)                            # past the probe interval
    after = slot_times(limiter, 10)
    assert limiter.mode is LimiterMode.SHARED and limiter.switches == 2
    assert limiter.local_seconds() > 0
    # Hand-back: the shared schedule continues after the local one, never on top of it.
    assert min(after) >= max(during) - 1e-6
    assert max_in_any_second(before + during + after) <= 50


def test_penalise_without_redis_holds_this_process(private_redis):
    limiter = FallbackLimiter(TpsLimiter(private_redis.client(), "t:", "acct", 10.0), share=1.0)
    private_redis.kill()
    limiter.reserve(1)
    hold = limiter.penalise(0.5)
    assert hold >= 0.4
    assert limiter.reserve(1).first >= time.monotonic() + 0.3
