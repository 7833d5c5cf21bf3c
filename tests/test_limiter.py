import bisect
import multiprocessing
import random

import pytest
import redis

from outbox.limiter import RateLimitTimeout, TpsLimiter


def max_per_window(times: list[float], window_us: int = 1_000_000) -> int:
    """The most events in any half-open window [t, t + window) (the busiest one starts at an event).

    Grant times are whole microseconds of the Redis clock; they are compared
    as integers so a window boundary is exact.
    """
    us = sorted(round(t * 1_000_000) for t in times)
    return max(bisect.bisect_left(us, t + window_us) - i for i, t in enumerate(us))


def assert_rate_bound(times: list[float], tps: int, extra: int = 0, largest: int = 1) -> None:
    """At most tps (+ extra) in any second, and the same bound scaled to short windows of k intervals.

    A grant of n PDUs is n at one instant, so a short window holds at least
    the ``largest`` n.
    """
    assert max_per_window(times) <= tps + extra
    interval_us = 1_000_000 // tps
    for k in (2, 5, 20):
        assert max_per_window(times, k * interval_us) <= max(k, largest) + extra, f"window of {k} intervals"


def test_max_per_window_counts_what_it_should():
    assert max_per_window([0.0, 0.5, 0.99, 1.0, 1.5]) == 3
    assert max_per_window([0.0, 0.0, 2.0]) == 2
    assert max_per_window([0.0, 0.01, 0.02], window_us=10_000) == 1


def _hammer(pool_class, pool_kwargs, prefix, tps, burst, count, sizes, seed, start, out):
    """Child process: its own Redis connection, ``count`` acquisitions, grant times sent back."""
    conn = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool_class, **pool_kwargs))
    limiter = TpsLimiter(conn, prefix, "default", tps, burst=burst)
    rng = random.Random(seed)
    start.wait()
    grants = []
    for _ in range(count):
        n = rng.choice(sizes)
        grants.extend([limiter.acquire(n)] * n)
    out.put(grants)


def race(redis_server, target, args: tuple, processes: int) -> list:
    """``processes`` forked ``target(connection class, its kwargs, *args, seed, start, out)`` let go at once;
    what each put on ``out``."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    pool = redis_server.connection_pool
    procs = [ctx.Process(target=target, args=(pool.connection_class, pool.connection_kwargs, *args, seed, start, out))
             for seed in range(processes)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=10)
        assert p.exitcode == 0
    return results


def run_processes(redis_server, prefix, processes, tps, count, sizes=(1,), burst=1):
    return race(redis_server, _hammer, (prefix, tps, burst, count, sizes), processes)


def test_two_processes_never_exceed_tps_in_any_second(redis_server, redis_prefix):
    tps = 200
    results = run_processes(redis_server, redis_prefix, processes=2, tps=tps, count=250)
    assert all(len(r) == 250 for r in results)
    times = [t for r in results for t in r]
    assert_rate_bound(times, tps)
    # both processes really competed inside the same windows
    first_end = max(results[0])
    assert any(t < first_end for t in results[1])


def test_mixed_multi_pdu_grants_keep_the_bound(redis_server, redis_prefix):
    tps = 125
    results = run_processes(redis_server, redis_prefix, processes=2, tps=tps, count=100, sizes=(1, 2, 3))
    assert_rate_bound([t for r in results for t in r], tps, largest=3)


def test_burst_bound_is_tps_plus_burst_minus_one(redis_server, redis_prefix):
    tps, burst = 100, 5
    results = run_processes(redis_server, redis_prefix, processes=2, tps=tps, count=120, burst=burst)
    assert_rate_bound([t for r in results for t in r], tps, extra=burst - 1)


def test_second_immediate_request_must_wait_one_interval(redis_server, redis_prefix):
    limiter = TpsLimiter(redis_server, redis_prefix, "a", tps=1)
    assert limiter.try_acquire() == 0.0
    wait = limiter.try_acquire()
    assert 0 < wait <= 1.0
    assert 0 < limiter.try_acquire() <= wait          # asking again did not take a slot
    ttl = redis_server.pttl(f"{redis_prefix}tps:a")
    assert 0 < ttl <= 61_000
    # another connection has its own schedule
    assert TpsLimiter(redis_server, redis_prefix, "b", tps=1).try_acquire() == 0.0


def test_burst_lets_a_few_go_back_to_back(redis_server, redis_prefix):
    limiter = TpsLimiter(redis_server, redis_prefix, "a", tps=1, burst=3)
    assert [limiter.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.try_acquire() > 0


def test_n_pdus_push_the_schedule_n_intervals(redis_server, redis_prefix):
    limiter = TpsLimiter(redis_server, redis_prefix, "a", tps=1)
    assert limiter.try_acquire(3) == 0.0               # idle account: three may go
    assert 2.0 < limiter.try_acquire(1) <= 3.0
    assert 4.0 < limiter.try_acquire(3) <= 5.0          # three more need two slots beyond the next


def test_penalise_holds_every_worker_and_never_shortens_a_hold(redis_server, redis_prefix):
    limiter = TpsLimiter(redis_server, redis_prefix, "a", tps=100)
    other_worker = TpsLimiter(redis_server, redis_prefix, "a", tps=100)
    assert 4.9 < limiter.penalise(5) <= 5.0
    assert 4.0 < other_worker.try_acquire() <= 5.0
    assert 4.0 < limiter.penalise(1) <= 5.0


def test_acquire_times_out_without_taking_a_slot(redis_server, redis_prefix):
    limiter = TpsLimiter(redis_server, redis_prefix, "a", tps=0.5)
    limiter.acquire()
    with pytest.raises(RateLimitTimeout) as exc:
        limiter.acquire(timeout=0.1)
    assert exc.value.key == f"{redis_prefix}tps:a" and exc.value.n == 1
    assert 1.0 < limiter.try_acquire() <= 2.0


def test_bad_settings_are_refused(redis_server, redis_prefix):
    with pytest.raises(ValueError):
        TpsLimiter(redis_server, redis_prefix, "a", tps=0)
    with pytest.raises(ValueError):
        TpsLimiter(redis_server, redis_prefix, "a", tps=10, burst=0)
    with pytest.raises(ValueError):
        TpsLimiter(redis_server, redis_prefix, "a", tps=10).try_acquire(0)
