"""What a durable MO acknowledgement costs: MO/s and deliver_sm -> deliver_sm_resp p99, NORMAL, FULL, GROUP.

    .venv/bin/python bench/bench_mo_durable.py [--count 2000] [--window 50] [--rounds 3]

The SMSC is the third-party smpp34 server (tests/smpp_peer.py) pushing
deliver_sm to one transceiver of a gateway Engine in this process; every MO
goes through the inbound journal (group commit) before its resp. The journal
runs with ``store.inbox_synchronous`` NORMAL (the default before issue 12:
the last commits may vanish on power loss), FULL (SQLite fsyncs inside each
batch's commit, holding the write lock) or GROUP (the default: the batch is
committed, then the WAL fsynced once outside the lock, before the resps). ``--window`` deliver_sm are kept in flight (the
SMSC's window); window 1 shows the cost of one fsync per MO. Rounds
alternate the modes; the medians are printed.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

import settings as settings_mod  # noqa: E402
from gateway.engine import Engine  # noqa: E402
from store.core import migrate  # noqa: E402
from store.core.connection import connect  # noqa: E402
from tests.smpp_peer import SmppPeer, wait_for  # noqa: E402


def run_once(folder: Path, mode: str, count: int, window: int, r: redis.Redis) -> tuple[float, float, float]:
    """(MO/s, p50 ms, p99 ms) of ``count`` MO with ``window`` in flight, journal in ``mode``."""
    db_path = folder / f"{mode}-{uuid.uuid4().hex[:6]}.db"
    migrate.init(connect(db_path), db_path)
    peer = SmppPeer().start()
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    config = folder / "config.toml"
    config.write_text(f'[store]\npath = "{db_path}"\ninbox_synchronous = "{mode}"\n[redis]\nprefix = "{prefix}"\n'
                      f'[sms]\nquiet_hours = ""\n[[smsc]]\nport = {peer.port}\nsystem_id = "SIM"\nmax_binds = 1\n')
    s = settings_mod.load(config, env={"SLL_SMSC_PASSWORD": "pw"})
    engine = Engine(s, r, send=False)
    engine.start()
    try:
        wait_for(lambda: peer.esmes, 10)
        esme = peer.esmes[0]
        latencies: list[float] = []

        async def go():
            gate = asyncio.Semaphore(window)

            async def one(i: int):
                async with gate:
                    t0 = time.perf_counter()
                    resp = await esme.deliver_sm("8088", f"XYZ {i}".encode(), source_addr=f"849{i:08d}")
                    assert resp.command_status == 0, resp.command_status
                    latencies.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(count)))
            return time.perf_counter() - t0

        elapsed = peer.call(go, timeout=600)
    finally:
        engine.stop(timeout=5)
        peer.stop()
        for key in r.scan_iter(f"{prefix}*"):
            r.delete(key)
    latencies.sort()
    return count / elapsed, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--window", type=int, action="append", help="in-flight deliver_sm (repeatable; default 1, 50)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    print(f"MO stored before deliver_sm_resp, {args.count} MO per run, medians of {args.rounds} rounds "
          f"(command: {' '.join(sys.argv)}):")
    with tempfile.TemporaryDirectory() as tmp:
        for window in args.window or [1, 50]:
            count = args.count if window > 1 else max(200, args.count // 10)
            figures: dict[str, list] = {"NORMAL": [], "FULL": [], "GROUP": []}
            for _ in range(args.rounds):
                for mode in figures:
                    figures[mode].append(run_once(Path(tmp), mode, count, window, r))
            for mode, runs in figures.items():
                rate, p50, p99 = (statistics.median(x[i] for x in runs) for i in range(3))
                print(f"  window {window:3d}, inbox_synchronous={mode:<6}: {rate:6.0f} MO/s, "
                      f"resp p50 {p50:6.2f} ms, p99 {p99:6.2f} ms")


if __name__ == "__main__":
    main()
