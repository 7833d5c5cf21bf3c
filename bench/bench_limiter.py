"""How close the shared Redis TPS limiter runs to its cap with 1, 2 and 4 worker processes.

    .venv/bin/python bench/bench_limiter.py [--tps 100] [--pdus 400] [--redis-url redis://127.0.0.1:6379/0]

Every process takes its own connection and calls acquire() in a loop, as the
sender does before each submit_sm. Printed per run: PDUs granted, achieved
rate between the first and last grant, and the busiest half-open 1-second
window, on the Redis clock (what the limiter decides) and on the client
clock right after acquire() returns (what a socket would see).
"""
from __future__ import annotations

import argparse
import bisect
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from outbox.limiter import TpsLimiter  # noqa: E402


def busiest_second(times: list[float]) -> int:
    """The most events in any half-open 1-second window."""
    us = sorted(round(t * 1_000_000) for t in times)
    return max(bisect.bisect_left(us, t + 1_000_000) - i for i, t in enumerate(us))


def worker(url: str, prefix: str, tps: int, count: int, start, out) -> None:
    """One sender process: ``count`` acquisitions, grant and client times sent back."""
    limiter = TpsLimiter(redis.Redis.from_url(url), prefix, "bench", tps)
    start.wait()
    grants, seen = [], []
    for _ in range(count):
        grants.append(limiter.acquire())
        seen.append(time.time())
    out.put((grants, seen))


def run(url: str, tps: int, processes: int, pdus: int) -> dict:
    """One run with ``processes`` workers sharing ``pdus`` acquisitions."""
    prefix = f"sllbench:{uuid.uuid4().hex[:10]}:"
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(url, prefix, tps, pdus // processes, start, out))
             for _ in range(processes)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    redis.Redis.from_url(url).delete(f"{prefix}tps:bench")
    grants = sorted(t for g, _ in results for t in g)
    seen = sorted(t for _, s in results for t in s)
    return {"processes": processes, "pdus": len(grants),
            "rate": (len(grants) - 1) / (grants[-1] - grants[0]),
            "busiest_redis": busiest_second(grants), "busiest_client": busiest_second(seen)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tps", type=int, default=100)
    parser.add_argument("--pdus", type=int, default=400, help="acquisitions per run, shared by the processes")
    parser.add_argument("--redis-url", default=os.environ.get("SLL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    print("command: .venv/bin/python " + " ".join(sys.argv))
    print(f"cap {args.tps} PDU/s, {args.pdus} PDUs per run, Redis {args.redis_url}, {os.cpu_count()} CPUs")
    print(f"{'processes':>9} {'PDUs':>5} {'achieved/s':>10} {'% of cap':>8} "
          f"{'busiest 1 s (redis)':>19} {'busiest 1 s (client)':>20}")
    for processes in (1, 2, 4):
        r = run(args.redis_url, args.tps, processes, args.pdus)
        print(f"{r['processes']:>9} {r['pdus']:>5} {r['rate']:>10.1f} {100 * r['rate'] / args.tps:>7.1f}% "
              f"{r['busiest_redis']:>19} {r['busiest_client']:>20}")


if __name__ == "__main__":
    main()
