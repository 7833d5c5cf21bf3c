"""Where the gateway process's CPU goes on the live path: per thread, per message (or per answered MO).

    .venv/bin/python bench/profile_live.py outbound [--count 5000] [--runs 1] [--sql] [--py-spy out.txt [--gil]]
    .venv/bin/python bench/profile_live.py mo [--count 3000] [--runs 1] [--sql]

Runs bench/bench_e2e.py's outbound run (the bare smpp34 peer, bench/fast_smsc.py) or its MO ceiling run
(the simulator's bulk push) in this process and reads each thread's CPU from /proc/self/task while it
runs. ``--sql`` counts the SQL statements each thread runs (literals folded), ``--reservations`` the TPS
limiter's Redis reservations, ``--py-spy`` records the run with py-spy (``pip install py-spy``; not a
dependency of the project) in its raw format, one stack a line, thread names first. The peer's or the
simulator's own CPU is printed beside. Figures vary with the machine's load: print `uptime` with them and
compare alternated runs.
"""
from __future__ import annotations

import argparse
import collections
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import redis  # noqa: E402

import bench_e2e  # noqa: E402
from peers import FastPeer, NodePeer, SimProcess, node_missing  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu() -> dict[int, float]:
    """CPU seconds of each live thread of this process (Linux /proc), by native thread id."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue                                  # it ended meanwhile
        out[int(tid)] = (int(fields[11]) + int(fields[12])) / TICK
    return out


class ThreadWatch:
    """Samples every thread's CPU and name while the run goes: threads that end before the run does count."""

    def __init__(self):
        self.cpu: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="profile-watch", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.02):
            self.names.update((t.native_id, t.name) for t in threading.enumerate())
            self.cpu.update(thread_cpu())

    def __enter__(self):
        self.before = thread_cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.cpu.update(thread_cpu())

    def by_name(self) -> dict[str, float]:
        """CPU seconds of the run per thread name (the bench's sender thread is `Thread-N`: `sender`)."""
        out: collections.Counter = collections.Counter()
        for tid, cpu in self.cpu.items():
            name = self.names.get(tid, str(tid))
            out["sender (bench thread)" if name.startswith("Thread-") else name] += cpu - self.before.get(tid, 0.0)
        return dict(out)


class SqlCounter:
    """Every connection opened from now on counts its statements, per thread, literals folded to ``?``."""

    def __init__(self):
        self.counts: collections.Counter = collections.Counter()
        import store.core.connection as connection
        original = connection.connect

        def connect(*args, **kwargs):
            db = original(*args, **kwargs)
            db.conn.set_trace_callback(self._seen)
            return db
        connection.connect = connect

    def _seen(self, statement: str) -> None:
        text = re.sub(r"'[^']*'", "?", " ".join(statement.split()))
        text = re.sub(r"\b\d+(\.\d+)?\b", "?", text)
        text = re.sub(r"\((\?, ?)+\?\)", "(..)", text)
        name = threading.current_thread().name
        self.counts[("sender (bench thread)" if name.startswith("Thread-") else name, text[:110])] += 1

    def report(self, units: int, top: int = 30) -> None:
        per: collections.Counter = collections.Counter()
        for (thread, _), n in self.counts.items():
            per[thread] += n
        for thread, n in per.most_common():
            print(f"  SQL {thread}: {n} statements, {n / units:.2f} a unit")
        for (thread, text), n in self.counts.most_common(top):
            print(f"    {n:7d} {thread[:16]:16s} {text}")
        self.counts.clear()


def count_reservations() -> collections.Counter:
    """Counts TpsLimiter.reserve calls (one Redis round trip each) and the slots they asked for."""
    from outbox import limiter
    counts: collections.Counter = collections.Counter()
    original = limiter.TpsLimiter.reserve

    def reserve(self, n, horizon=0.5):
        counts["calls"] += 1
        counts["slots"] += n
        return original(self, n, horizon)
    limiter.TpsLimiter.reserve = reserve
    return counts


def py_spy(path: str, gil: bool) -> subprocess.Popen:
    cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(os.getpid()), "--format", "raw",
           "-o", path, "--rate", "250", "--nonblocking", "--threads"] + (["--gil"] if gil else [])
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)                     # attached before the run starts
    return spy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["outbound", "mo"])
    parser.add_argument("--count", type=int, help="messages (outbound, default 5000) or MOs (mo, default 3000)")
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--sql", action="store_true")
    parser.add_argument("--reservations", action="store_true")
    parser.add_argument("--py-spy", dest="spy", help="record the last run with py-spy into this file")
    parser.add_argument("--gil", action="store_true", help="py-spy: only samples of the thread holding the GIL")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    count = args.count or (5000 if args.what == "outbound" else 3000)
    sql = SqlCounter() if args.sql else None
    reservations = count_reservations() if args.reservations else None
    r = redis.Redis()
    r.ping()
    folder, _ = bench_e2e.demo_folder("sll-profile-")
    for run in range(args.runs):
        spy = py_spy(args.spy, args.gil) if args.spy and run == args.runs - 1 else None
        load = open("/proc/loadavg").read().split()[:3]
        # the node-smpp peer when node is installed (the bench's own default), else the Python peers
        peer = NodePeer() if not node_missing() else FastPeer() if args.what == "outbound" else SimProcess()
        try:
            peer_before = bench_e2e.cpu_seconds(peer.proc.pid)
            with ThreadWatch() as watch:
                started, cpu = time.perf_counter(), time.process_time()
                if args.what == "outbound":
                    rate, _ = bench_e2e.outbound(folder, peer, count, args.window, r)
                    line = f"outbound {rate:.0f} SMS/s"
                else:
                    rate, replies, answered, *_ = bench_e2e.max_mo_rate(folder, peer, count, r)
                    line = f"MO ceiling {rate:.0f} MO/s, {replies} replies, {answered} answered"
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            peer_cpu = bench_e2e.cpu_seconds(peer.proc.pid) - peer_before
        finally:
            peer.stop()
        if spy is not None:
            spy.send_signal(2)
            spy.wait(30)
        unit = "message" if args.what == "outbound" else "MO"
        print(f"{line}; this process {cpu * 1000 / count:.3f} ms CPU a {unit} ({cpu:.2f} s over {elapsed:.2f} s, "
              f"setup included), the peer {peer_cpu * 1000 / count:.3f} ms; load before {' '.join(load)}")
        for name, seconds in sorted(watch.by_name().items(), key=lambda kv: -kv[1]):
            if seconds >= 0.005:
                print(f"    {name:30s} {seconds:6.2f} s  {seconds * 1e6 / count:7.1f} us a {unit}")
        if sql is not None:
            sql.report(count)
        if reservations is not None:
            print(f"  TPS reservations: {reservations['calls']} Redis calls for {reservations['slots']} slots")
            reservations.clear()


if __name__ == "__main__":
    main()
