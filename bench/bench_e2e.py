"""End-to-end figures of the live path against a fast third-party SMSC peer, in one run.

    .venv/bin/python bench/bench_e2e.py [--peer node|smpp34] [--count 5000] [--window 50] [--runs 3]
                                        [--clients 2] [--mo-rate 300] [--mo-max 3000]

The peer runs in its own process; the gateway Engine runs in this one. `--peer node` (the default when node
and npm are installed) is bench/node_smsc/ on the npm package `smpp` (node-smpp), ~0.1 ms of CPU a
message; `--peer smpp34` is bench/fast_smsc.py (bare smpp34) for outbound and the simulator (`run_gateway.py
sim`) for MO, ~0.25 ms a message, which on 2 cores competes with what it measures. Prints:

1. outbound SMS/s end to end (outbox row -> submit_sm_resp -> receipt applied,
   every message `delivered` in SQLite) and a raw python-smpplib windowed
   submit loop with receipts, alternated against the same peer, and their ratio;
   then `--clients` raw loops in their own processes at once (the peer's own ceiling);
2. MO -> reply latency p50/p99 at a fixed MO rate (node peer: from the deliver_sm
   written to the reply submit_sm read, both on the peer's clock; simulator: from
   the push to its control API), then the MO ceiling: one bulk push, 50 unanswered
   deliver_sm at once, until every reply arrived, each MO answered once;
3. achieved TPS against a cap of 100 with the simulator throttling above 100.
Figures vary by ~30 % between runs on 2 cores; compare the ratio.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import redis  # noqa: E402

import settings as settings_mod  # noqa: E402
from gateway.engine import Engine  # noqa: E402
from outbox import messages  # noqa: E402
from demo import school as demo_school  # noqa: E402
from store.core import migrate  # noqa: E402
from store.core.connection import connect, transaction  # noqa: E402
from store.imports import import_file  # noqa: E402

import raw_client  # noqa: E402
from peers import PASSWORD, FastPeer, NodePeer, SimProcess, node_missing  # noqa: E402,F401  (SimProcess: other
#                                                                  benches import it here)

# A parent who texts the same thing twice within `sms.mo_retry_window` (30 s) without an SMSC reference is an
# SMSC re-delivery and is not answered again (issue 13): each round through the 500 numbers sends another
# question, so every MO pushed deserves its own one-part reply.
TEXTS = ["DIEM TOAN HK1", "DIEM VAN HK1", "DIEM TOAN HK2", "VANG HK1", "VANG HK2", "NX", "RL", "DIEM ANH HK1"]


MO_WINDOW = [50]    # --mo-window: deliver_sm the peer keeps unanswered in the MO ceiling run
PROCESSES = [1]     # --gateway-processes: the gateway as `serve` runs it with gateway.processes = N


def make_settings(folder: Path, sim: SimProcess, prefix: str, *, window: int, tps: int) -> settings_mod.Settings:
    cfg = folder / f"bench-{prefix.strip(':')}.toml"
    n = PROCESSES[0]
    cfg.write_text(f'[store]\npath = "{folder}/sll.db"\n[redis]\nurl = "redis://127.0.0.1:6379/0"\n'
                   f'prefix = "{prefix}"\n[sms]\nquiet_hours = ""\ncommands_per_hour = 100000000\n'
                   f'mo_dedup_window = 0\n[gateway]\nprocesses = {n}\n[[smsc]]\nport = {sim.port}\n'
                   f'system_id = "sll"\nwindow = {window}\ntps = {tps}\nmax_binds = {n}\n', encoding="utf-8")
    return settings_mod.load(cfg, env={"SLL_SMSC_PASSWORD": PASSWORD})


class Workers:
    """The other gateway.processes - 1 SMPP processes, as `serve` starts them: `worker --binds 1` on the same
    config (the same outbox, Redis prefix and limiter); each answers the MO of its bind and sends."""

    def __init__(self, st: settings_mod.Settings, peer):
        self.procs = [subprocess.Popen([sys.executable, str(ROOT / "run_gateway.py"), "-c", st.source, "worker",
                                        "--binds", "1"], env=dict(os.environ, SLL_SMSC_PASSWORD=PASSWORD),
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                      for _ in range(PROCESSES[0] - 1)]
        self.peer = peer

    def wait_bound(self, binds: int) -> None:
        """Until the peer counts ``binds`` binds (the node peer's stats; the others: two seconds)."""
        if isinstance(self.peer, NodePeer):
            if not wait_for(lambda: self.peer.get("/stats")["binds"] >= binds, 30, 0.05):
                raise SystemExit("the workers did not bind")
        elif self.procs:
            time.sleep(2.0)

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.procs)

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(15)


def reset_outbox(db) -> None:
    """Empty the outbox between runs (keeping the school)."""
    with transaction(db):
        for sql in ("DELETE FROM receipts", "DELETE FROM message_parts", "UPDATE inbox SET reply_id = NULL",
                    "DELETE FROM digests", "DELETE FROM messages"):
            db.execute(sql)


def wait_for(predicate, timeout: float, interval: float = 0.01) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def outbound(folder: Path, sim, count: int, window: int, r) -> tuple[float, float]:
    """SMS/s from the first submit to the last receipt applied, and this process's CPU ms a message."""
    st = make_settings(folder, sim, f"bench{time.time_ns()}:", window=window, tps=1_000_000)
    db = connect(st.db_path)
    reset_outbox(db)
    workers = Workers(st, sim)
    engine = Engine(st, r, batch=500)
    engine.start(run_sender=False)
    engine.wait_bound(10)
    workers.wait_bound(PROCESSES[0])
    # Queued once every process is bound (the workers send as soon as the rows are committed), then the bell;
    # the clock starts at the commit.
    with transaction(db):
        for i in range(count):
            messages.enqueue(db, st, phone=f"+8491{i:07d}", body=f"Thong bao so {i}: hop phu huynh thu 7",
                             kind="announcement")
    started, cpu, workers_cpu = time.perf_counter(), time.process_time(), workers.cpu()
    engine.wake.ring()
    runner = threading.Thread(target=lambda: engine.sender.run(threading.Event(), burst=True))
    runner.start()
    ok = wait_for(lambda: db.execute("SELECT count(*) FROM messages WHERE state = 'delivered'").fetchone()[0]
                  == count, 300)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu + workers.cpu() - workers_cpu
    runner.join()
    workers.stop()
    engine.stop()
    if not ok:
        print("  (not every message delivered within 300 s)")
    return count / elapsed, cpu * 1000 / count


def raw_loop(peer, count: int, window: int) -> tuple[float, float]:
    """Bare python-smpplib with TCP_NODELAY (bench/raw_client.py): SMS/s and CPU ms a message."""
    return raw_client.raw_loop(peer.port, count, window)


def raw_parallel(peer, count: int, window: int, clients: int) -> tuple[float, float, float]:
    """``clients`` raw loops in their own processes, bound first and then started together: SMS/s over all
    of them (every message sent by the first start to the last receipt), the peer's CPU ms a message over
    that time, and the clients' CPU ms a message."""
    procs = [subprocess.Popen([sys.executable, str(ROOT / "bench" / "raw_client.py"), str(peer.port), str(count),
                               str(window)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for _ in range(clients)]
    try:
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":
                raise SystemExit("a raw client did not bind")
        before = cpu_seconds(peer.proc.pid)
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        runs = [json.loads(proc.stdout.readline()) for proc in procs]
        peer_cpu = cpu_seconds(peer.proc.pid) - before
    finally:
        for proc in procs:
            proc.wait(30)
    total = clients * count
    elapsed = max(r["ended"] for r in runs) - min(r["started"] for r in runs)
    return total / elapsed, peer_cpu * 1000 / total, sum(r["cpu"] for r in runs) * 1000 / total


def submit_count(peer) -> int:
    """How many submit_sm the peer received so far (an index for /submits?since=)."""
    return peer.get(f"/submits?since={1 << 40}")["next"]


def submits_since(peer, since: int) -> list[tuple[str, float]]:
    """(destination_addr, epoch seconds received) of every submit_sm from the ``since``-th on."""
    out = []
    for s in peer.get(f"/submits?since={since}")["submits"]:
        at = s["received_at"]                    # the node peer's epoch seconds, the simulator's ISO text
        out.append((s["destination_addr"], at if isinstance(at, (int, float))
                    else datetime.fromisoformat(at).timestamp()))
    return out


def push_paced(peer, phones: list[str], texts: list[str], n: int, rate: float) -> list[tuple[str, float]]:
    """Push ``n`` MO at ``rate`` a second, the i-th from phones[i % P] (international digits, 84...) texting
    texts[i // P % T]; (phone, epoch seconds pushed) of each. The node peer paces them itself and stamps
    each deliver_sm as it writes it; the simulator gets one control request each, stamped before it."""
    if isinstance(peer, NodePeer):
        first = peer.post("/mo", {"phones": phones, "texts": texts, "count": n, "rate": rate})["first_mo"]
        wait_for(lambda: peer.get("/stats")["push_left"] == 0, n / rate + 30, 0.1)
        return [(m["source_addr"], m["pushed_at"]) for m in peer.get(f"/mos?since={first}")["mos"]]
    pushed = []
    start = time.time()
    for i in range(n):
        delay = start + i / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        phone = phones[i % len(phones)]
        pushed.append((phone, time.time()))
        peer.post("/mo", {"phone": "0" + phone[2:], "text": texts[i // len(phones) % len(texts)]})
    return pushed


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_echo_latency(sim, rate: float, seconds: float) -> list[float]:
    """The floor: a bare python-smpplib ESME answering each MO with a submit_sm from its handler."""
    import smpplib.client
    import smpplib.exceptions

    client = smpplib.client.Client("127.0.0.1", sim.port, timeout=0.5, allow_unknown_opt_params=True)
    client.connect()
    client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client.bind_transceiver(system_id="sll", password=PASSWORD)

    def on_mo(pdu, **_):
        if pdu.esm_class & 0x3C:
            return None                                   # a receipt of an echo
        client.send_message(source_addr_ton=3, source_addr="8088", dest_addr_ton=1, dest_addr_npi=1,
                            destination_addr=pdu.source_addr.decode(), registered_delivery=1,
                            short_message=b"echo " + pdu.short_message[:100])
        return None

    client.set_message_received_handler(on_mo)
    done = threading.Event()

    def read():
        while not done.is_set():
            try:
                client.read_once()
            except smpplib.exceptions.ConnectionError:
                return
            except Exception:
                continue

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    since = submit_count(sim)
    n = int(rate * seconds)
    pushed = push_paced(sim, [f"84912{i:06d}" for i in range(n)], ["DIEM TOAN HK1"], n, rate)
    wait_for(lambda: submit_count(sim) - since >= n, 30, 0.05)
    subs = dict(submits_since(sim, since))
    done.set()
    try:
        client.unbind()
    except Exception:
        pass
    client.disconnect()
    return [subs[p] - t for p, t in pushed if p in subs]


def percentiles(values: list[float]) -> str:
    ms = sorted(x * 1000 for x in values)
    return (f"p50 {statistics.median(ms):.1f} ms, p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.1f} ms, "
            f"max {ms[-1]:.1f} ms")


def guardians_with_one_child(db, limit: int, offset: int = 0) -> list[str]:
    rows = db.execute("SELECT g.phone FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id "
                      "GROUP BY g.id HAVING count(*) = 1 ORDER BY g.id LIMIT ? OFFSET ?", [limit, offset]).fetchall()
    return [r[0] for r in rows]


def answering_engine(folder: Path, sim, r, offset: int = 0) -> tuple[Engine, list[str], int]:
    """A running Engine, up to 500 single-child guardians to text from (from ``offset`` on: the latency run and the
    ceiling run use different parents, so neither looks like the other's re-delivery), and the simulator's
    submit count."""
    st = make_settings(folder, sim, f"bench{time.time_ns()}:", window=50, tps=1_000_000)
    phones = guardians_with_one_child(connect(st.db_path), 500, offset)
    engine = Engine(st, r)
    engine.workers = Workers(st, sim)
    engine.start()
    engine.wait_bound(10)
    engine.workers.wait_bound(PROCESSES[0])
    return engine, phones, submit_count(sim)


def stop_answering(engine: Engine) -> None:
    engine.workers.stop()
    engine.stop()


def mo_latency(folder: Path, sim, rate: float, seconds: float, r) -> tuple[list[float], float]:
    engine, phones, since = answering_engine(folder, sim, r, offset=500)
    n = int(rate * seconds)
    pushed = push_paced(sim, [p.lstrip("+") for p in phones], TEXTS, n, rate)
    ok = wait_for(lambda: submit_count(sim) - since >= n, 60, 0.05)
    subs = submits_since(sim, since)
    stop_answering(engine)
    # Match the k-th MO of a phone to the k-th reply to it.
    by_phone: dict[str, list[float]] = {}
    for dest, at in subs:
        by_phone.setdefault(dest, []).append(at)
    latencies = []
    seen: dict[str, int] = {}
    for phone, t in pushed:
        k = seen.get(phone, 0)
        seen[phone] = k + 1
        replies = by_phone.get(phone, [])
        if k < len(replies):
            latencies.append(replies[k] - t)
    if not ok:
        print(f"  ({len(subs)} of {n} replies arrived)")
    return latencies, n / seconds


def max_mo_rate(folder: Path, sim, total: int, r) -> tuple[float, int, int, float, float]:
    """MO/s when the peer pushes ``total`` texts back to back (one bulk push, 50 unanswered at once),
    until every reply arrived; how many replies and distinct MOs there were (each answered once); this
    process's (the gateway's) and the peer's CPU ms an MO."""
    engine, phones, since = answering_engine(folder, sim, r)
    if total > len(phones) * len(TEXTS):
        print(f"  ({total} MO from {len(phones)} numbers x {len(TEXTS)} texts: the same text from the same number "
              "within sms.mo_retry_window is a re-delivery, not answered again)")
    answered_before = connect(folder / "sll.db").execute(
        "SELECT count(*) FROM inbox WHERE reply_id IS NOT NULL").fetchone()[0]
    peer_cpu, cpu, started = cpu_seconds(sim.proc.pid), time.process_time() + engine.workers.cpu(), time.perf_counter()
    if isinstance(sim, NodePeer):
        sim.post("/mo", {"phones": [p.lstrip("+") for p in phones], "texts": TEXTS, "count": total, "window": MO_WINDOW[0]})
    else:
        sim.post("/mo", {"phones": ["0" + p[3:] for p in phones], "texts": TEXTS, "count": total, "window": MO_WINDOW[0]})
    if not wait_for(lambda: submit_count(sim) - since >= total, 120, 0.05):
        print("  (not every reply arrived within 120 s: the rate below is a floor)")
    elapsed = time.perf_counter() - started
    cpu, peer_cpu = time.process_time() + engine.workers.cpu() - cpu, cpu_seconds(sim.proc.pid) - peer_cpu
    time.sleep(1.0)                                  # a late duplicate answer would show up here
    replies = len(submits_since(sim, since))
    stop_answering(engine)
    db = connect(folder / "sll.db")
    answered = db.execute("SELECT count(*) FROM inbox WHERE reply_id IS NOT NULL").fetchone()[0] - answered_before
    return total / elapsed, replies, answered, cpu * 1000 / total, peer_cpu * 1000 / total


def capped(folder: Path, r, count: int) -> tuple[float, int]:
    sim = SimProcess("--tps", "100")
    try:
        st = make_settings(folder, sim, f"bench{time.time_ns()}:", window=10, tps=100)
        db = connect(st.db_path)
        reset_outbox(db)
        with transaction(db):
            for i in range(count):
                messages.enqueue(db, st, phone=f"+8493{i:07d}", body=f"Thong bao {i}", kind="announcement")
        engine = Engine(st, r)
        engine.start(run_sender=False)
        engine.wait_bound(10)
        runner = threading.Thread(target=lambda: engine.sender.run(threading.Event(), burst=True))
        runner.start()
        runner.join()
        engine.stop()
        subs = sim.get("/submits")["submits"]
        times = sorted(datetime.fromisoformat(s["received_at"]).timestamp() for s in subs)
        tps = (len(times) - 1) / (times[-1] - times[0])
        return tps, sim.get("/stats").get("throttled", 0)
    finally:
        sim.stop()


def demo_folder(prefix: str):
    """A temporary folder with the demo school (4 classes a grade x 40 pupils) imported: (folder, db)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    db = connect(folder / "sll.db")
    migrate.init(db)
    for kind, file in demo_school.generate(folder / "files", seed=3, classes_per_grade=4, students_per_class=40):
        import_file(db, kind, file, approve=True, imported_by="bench")
    return folder, db


PEERS = {"node": "the node-smpp peer (bench/node_smsc/)", "smpp34": "the bare smpp34 peer (bench/fast_smsc.py)"}


def report_outbound(args, pairs: list[tuple[tuple[float, float], tuple[float, float]]], peer_ms: tuple[float, float],
                    parallel: list[tuple[float, float, float]]) -> None:
    """Medians of the alternated gateway / raw runs (rate, CPU a message) and of their ratios; the peer's CPU;
    the parallel raw loops."""
    def line(what: str, runs: list[tuple[float, float]]) -> str:
        rate, cpu = statistics.median(r for r, _ in runs), statistics.median(c for _, c in runs)
        return (f"  {what} {rate:8.0f} SMS/s  ({', '.join(f'{r:.0f}' for r, _ in runs)}), "
                f"{cpu:.2f} ms CPU a message")
    print(f"outbound, {args.count} one-part SMS, window {args.window}, receipts on, against {PEERS[args.peer]}, "
          f"median of {len(pairs)} alternated runs:")
    print(line("gateway end to end (row -> resp -> receipt applied):", [g for g, _ in pairs]))
    print(line("raw python-smpplib windowed loop (resp + receipt):  ", [w for _, w in pairs]))
    print(f"  ratio: {statistics.median(g[0] / w[0] for g, w in pairs):.2f} (median of the per-run ratios)")
    print(f"  the peer's own CPU: {peer_ms[0]:.3f} ms a message in the gateway runs, {peer_ms[1]:.3f} in the raw "
          f"runs (one core would carry ~{1000 / max(peer_ms):.0f}/s)")
    rate, peer, clients = (statistics.median(p[i] for p in parallel) for i in range(3))
    ratio = statistics.median(p[0] / g[0] for p, (g, _) in zip(parallel, pairs))
    print(f"  {args.clients} raw loops at once in their own processes (the peer's ceiling): {rate:.0f} SMS/s  "
          f"({', '.join(f'{p[0]:.0f}' for p in parallel)}), {ratio:.1f}x the gateway's (median of the per-run "
          f"ratios); the peer {peer:.3f} ms CPU a message, the clients {clients:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", choices=list(PEERS), help="node (default when node and npm are installed) or "
                        "smpp34")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--window", type=int, default=50)
    parser.add_argument("--clients", type=int, default=2, help="raw loops in parallel for the peer's ceiling")
    parser.add_argument("--mo-rate", type=float, default=300)
    parser.add_argument("--mo-seconds", type=float, default=5)
    parser.add_argument("--mo-max", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3, help="alternated gateway / raw outbound runs")
    parser.add_argument("--only", choices=["outbound", "mo"], help="one part of the benchmark")
    parser.add_argument("--mo-window", type=int, default=50, help="deliver_sm unanswered at once in the MO ceiling")
    parser.add_argument("--gateway-processes", type=int, default=1,
                        help="SMPP processes of the gateway (gateway.processes: this one and N-1 `worker --binds 1`)")
    args = parser.parse_args()
    PROCESSES[0] = args.gateway_processes
    MO_WINDOW[0] = args.mo_window
    if args.peer is None:
        why = node_missing()
        args.peer = "smpp34" if why else "node"
        if why:
            print(f"note: {why}; running against the Python peers (smpp34), which take ~0.25 ms of CPU a message "
                  "and compete with the gateway for the cores")
    elif args.peer == "node" and node_missing():
        raise SystemExit(node_missing())
    logging.basicConfig(level=logging.ERROR)
    r = redis.Redis()
    r.ping()
    folder, db = demo_folder("sll-bench-")
    try:
        measure(args, folder, r)
    finally:
        shutil.rmtree(folder, ignore_errors=True)       # the demo school and its configs


def measure(args, folder: Path, r) -> None:
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{os.cpu_count()} cores; the peer ({args.peer}) in its own process; Redis 127.0.0.1:6379; loopback; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.only != "mo":
        peer = NodePeer() if args.peer == "node" else FastPeer()
        try:
            raw_loop(peer, 2000, args.window)       # warm-up, not counted (node's JIT, the peer's first binds)
            pairs, spent, parallel = [], [0.0, 0.0], []
            for _ in range(args.runs):               # alternated, so all three see the same machine load
                pair = []
                for i, run in enumerate((outbound, raw_loop)):
                    before = cpu_seconds(peer.proc.pid)
                    pair.append(run(folder, peer, args.count, args.window, r) if run is outbound
                                else run(peer, args.count, args.window))
                    spent[i] += cpu_seconds(peer.proc.pid) - before
                pairs.append(tuple(pair))
                parallel.append(raw_parallel(peer, args.count, args.window, args.clients))
            peer_ms = tuple(x * 1000 / (args.runs * args.count) for x in spent)
        finally:
            peer.stop()
        report_outbound(args, pairs, peer_ms, parallel)
    if args.only == "outbound":
        return
    sim = NodePeer() if args.peer == "node" else SimProcess()
    where = ("the deliver_sm written to the reply submit_sm read, on the node peer's clock" if args.peer == "node"
             else "the push to the simulator's control API to the reply submit_sm arriving there")
    try:
        lat, rate = mo_latency(folder, sim, args.mo_rate, args.mo_seconds, r)
        floor = raw_echo_latency(sim, args.mo_rate, args.mo_seconds)
        print(f"MO -> reply at {rate:.0f} MO/s for {args.mo_seconds:.0f} s (from {where}):")
        print(f"  gateway (store, answer from SQLite, outbox, sender): {percentiles(lat)}  ({len(lat)} replies)")
        print(f"  raw python-smpplib echo ESME (the floor):            {percentiles(floor)}  ({len(floor)} replies)")
        best, replies, answered, cpu, peer_cpu = max_mo_rate(folder, sim, args.mo_max, r)
        print(f"MO ceiling ({args.mo_max} MO in one bulk push from the {args.peer} peer, {MO_WINDOW[0]} unanswered at once): "
              f"{best:.0f} MO/s, {replies} replies, {answered} MO answered; CPU an MO: gateway {cpu:.2f} ms, "
              f"peer {peer_cpu:.3f} ms")
    finally:
        sim.stop()
    tps, throttled = capped(folder, r, 1000)
    print(f"cap 100 TPS, simulator throttling above 100: achieved {tps:.1f} TPS, {throttled} throttled")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
