#!/usr/bin/env python3
"""The evening digest at province scale: build time, peak RSS and parts, at 100k and 300k guardians.

    # once: the demo generator at province size, imported and approved (about 10 min, 1.5 GB under /tmp)
    SLL_STORE_PATH=/tmp/d100k/sll.db .venv/bin/python run_gateway.py init
    SLL_STORE_PATH=/tmp/d100k/sll.db .venv/bin/python run_gateway.py demo-data /tmp/d100k/files \\
        --classes-per-grade 380 --guardians 100000 --import --approve
    # then
    .venv/bin/python bench/bench_digest.py --db /tmp/d100k/sll.db [--scale 1,3] [--runs 3]

Every grade cell of the term is news on the first evening (the heavy day:
6.8M cells). `--scale 3` copies the database and clones its students,
guardians, links, enrollments and grades twice more in SQL (300k
guardians, 20M cells), so the figures show whether the build is linear.
Each build runs in a fresh process that builds every school as `digest`
does (`--processes N`: N processes sharing the schools' slices of
guardians, `digest.processes`) and reports its wall time, the CPU of all its
processes and the largest peak RSS (getrusage); the database keeps its
built rows between runs only until the next run deletes them. Figures
only, nothing asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
import settings as settings_mod
from outbox import digest, digest_pool
from store.core.clock import local_today
from store.core.connection import connect
if __name__ == "__main__":
    st = settings_mod.load(None, env={"SLL_STORE_PATH": sys.argv[1], "SLL_SMS_QUIET_HOURS": sys.argv[5],
                                      "SLL_DIGEST_PROCESSES": sys.argv[4]})
    db = connect(sys.argv[1])
    day = local_today(st.sms.timezone)
    dry = sys.argv[3] == "dry"
    digest.lower_priority()          # as the rq job and the `digest` command do
    t = time.perf_counter()
    created = parts = 0
    for sid, code, r in digest_pool.build_schools(db, st, digest.schools(db), day, dry_run=dry):   # as `digest` does
        created, parts = created + r.created, parts + r.parts
    took = time.perf_counter() - t
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": took, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                      "created": created, "parts": parts, "peak_mib": max(me.ru_maxrss, kids.ru_maxrss) / 1024}))
"""

CLONE = """
INSERT INTO students (id, code, full_name, given_name_folded, birth_date, school_id)
  SELECT id + :s, code || '-' || :k, full_name, given_name_folded, birth_date, school_id FROM students WHERE id <= :n;
INSERT INTO enrollments (student_id, school_year, class_id)
  SELECT student_id + :s, school_year, class_id FROM enrollments WHERE student_id <= :n;
INSERT INTO guardians (id, phone, full_name, email, password_hash, created_at)
  SELECT id + :g, '+8420' || printf('%07d', id + :g), full_name, NULL, NULL, created_at FROM guardians WHERE id <= :m;
INSERT INTO guardian_links (guardian_id, student_id, school_year, relation, consent_source, consent_at,
                            digest_opt_out, active)
  SELECT guardian_id + :g, student_id + :s, school_year, relation, consent_source, consent_at, digest_opt_out, active
  FROM guardian_links WHERE guardian_id <= :m;
INSERT INTO grades (student_id, subject_code, school_year, term, kind, seq, value, date, status, corrected,
                    entered_by, entered_at, approved_by, approved_at)
  SELECT student_id + :s, subject_code, school_year, term, kind, seq, value, date, status, corrected, entered_by,
         entered_at, approved_by, approved_at FROM grades WHERE student_id <= :n;
INSERT INTO conduct SELECT student_id + :s, school_year, term, rating, status, entered_by, entered_at, approved_by,
  approved_at FROM conduct WHERE student_id <= :n;
"""


def reset(path: Path) -> None:
    """Forget the digests built by an earlier run (messages, digests, runs)."""
    from store.core.connection import connect, transaction
    db = connect(path)
    # Children first, by hand: with foreign keys on, every deleted message would scan the tables that may point
    # at it without an index of their own (inbox.reply_id: 100k digests x the bench's MO took 40 s). Nothing
    # but the rows deleted here points at a digest.
    db.execute("PRAGMA foreign_keys = OFF")
    with transaction(db):
        db.execute("DELETE FROM digests")
        db.execute("DELETE FROM digest_runs")
        digest_parts = ("SELECT p.id FROM message_parts p JOIN messages m ON m.id = p.message_id "
                        "WHERE m.kind = 'digest'")
        db.execute(f"DELETE FROM receipts WHERE part_id IN ({digest_parts})")
        db.execute("DELETE FROM message_parts WHERE message_id IN (SELECT id FROM messages WHERE kind = 'digest')")
        db.execute("DELETE FROM messages WHERE kind = 'digest'")
    db.close()


def clone(source: Path, target: Path, scale: int) -> None:
    """``target``: a copy of ``source`` with every student, guardian and grade there ``scale`` times."""
    import sqlite3
    for stale in target.parent.glob(target.name + "*"):
        stale.unlink()
    shutil.copyfile(source, target)
    db = sqlite3.connect(target)
    s = db.execute("SELECT max(id) FROM students").fetchone()[0]
    g = db.execute("SELECT max(id) FROM guardians").fetchone()[0]
    for k in range(1, scale):
        for statement in CLONE.strip().split(";\n"):
            # :s / :g shift the copy's ids, :n / :m bound the original rows copied
            db.execute(statement, {"s": s * k, "g": g * k, "k": k, "n": s, "m": g})
        db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()


PROCESSES = [1]       # --processes: the processes sharing the build (digest.processes)


HELD = "00:00-23:59"    # quiet hours around now: the build queues its digests for later, nothing goes out


def run(path: Path, mode: str, quiet_hours: str = "") -> dict:
    """One build (or dry run) in a fresh process (and its pool's processes); CPU summed over them all,
    peak RSS the largest one's. ``quiet_hours``: the build's sms.quiet_hours (none: the digests are due now)."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT), mode, str(PROCESSES[0]), quiet_hours],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def latency(path: Path, tps: int, after_s: float, mo_every: float) -> None:
    """MO -> reply while the build runs (in another process) and while its parts go out at ``tps``."""
    import threading
    import time

    import redis

    from bench_e2e import SimProcess, make_settings
    from gateway.engine import Engine
    from store.core.connection import connect

    reset(path)
    sim = SimProcess("--tps", str(tps))
    folder = path.parent        # make_settings points the gateway at folder/sll.db: the database measured
    st = make_settings(folder, sim, f"benchdigest{time.time_ns()}:", window=50, tps=tps)
    db = connect(path)
    phones = [r[0] for r in db.execute("SELECT g.phone FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id "
                                       "GROUP BY g.id HAVING count(*) = 1 LIMIT 2000")]
    engine = Engine(st, redis.Redis())
    engine.start()
    engine.wait_bound(10)
    pushed: list[tuple[str, float, str]] = []
    phase = ["idle"]
    stop = threading.Event()

    def pusher():
        i = 0
        while not stop.wait(mo_every):
            phone = phones[i % len(phones)]
            i += 1
            pushed.append((phone.lstrip("+"), time.time(), phase[0]))
            sim.post("/mo", {"phone": "0" + phone[3:], "text": "DIEM TOAN HK1"})

    thread = threading.Thread(target=pusher, daemon=True)
    thread.start()
    time.sleep(3)
    # Only the build: the same build with quiet hours around now, its digests queued for later (replies are
    # never held), so the parents' texts meet the build's reads and bounded writes and nothing else.
    phase[0] = "held"
    started = time.perf_counter()
    held = run(path, "build", HELD)
    print(f"  build beside the gateway, digests held for later: {time.perf_counter() - started:.1f} s, "
          f"{held['created']} digests")
    # The bench's own cleanup (one big DELETE holding the write lock about a second): not counted, and only
    # once the held build's last replies are out, or a text pushed just before the build ended would wait
    # for the DELETE and be counted as the build's.
    phase[0] = "reset"
    time.sleep(1)
    reset(path)
    phase[0] = "idle"
    time.sleep(2)
    phase[0] = "build"
    started = time.perf_counter()
    built = run(path, "build")
    phase[0] = "sending"
    sending_from = time.time()
    print(f"  build beside the gateway: {time.perf_counter() - started:.1f} s, {built['created']} digests")
    time.sleep(after_s)
    stop.set()
    thread.join()
    time.sleep(2)
    subs = sim.get("/submits")["submits"]
    engine.stop()
    sim.stop()
    report(subs, pushed, sending_from, tps)
    reset(path)


def report(subs: list[dict], pushed: list[tuple[str, float, str]], sending_from: float, tps: int) -> None:
    """Print MO -> reply per phase (the k-th reply to a phone answers its k-th MO) and the bulk rate."""
    from datetime import datetime

    from bench_e2e import percentiles
    replies: dict[str, list[float]] = {}
    bulk_times = []
    for s in subs:
        at = datetime.fromisoformat(s["received_at"]).timestamp()
        if s["text"].startswith("SLL "):
            bulk_times.append(at)
        else:
            replies.setdefault(s["destination_addr"], []).append(at)
    seen: dict[str, int] = {}
    by_phase: dict[str, list[float]] = {}
    for phone, t, ph in pushed:
        k = seen.get(phone, 0)
        seen[phone] = k + 1
        if k < len(replies.get(phone, [])):
            by_phase.setdefault(ph, []).append(replies[phone][k] - t)
    sending = [t for t in bulk_times if t >= sending_from]
    rate = (len(sending) - 1) / (sending[-1] - sending[0]) if len(sending) > 1 else 0
    for ph in ("idle", "held", "build", "sending"):
        if by_phase.get(ph):
            print(f"  MO -> reply, {ph:<8}: {percentiles(by_phase[ph])} ({len(by_phase[ph])} replies)")
    print(f"  digests sent: {len(bulk_times)}, {len(sending)} of them after the build at {rate:.0f}/s "
          f"(licence {tps} TPS, paced at 98 %)")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="an imported, approved province-size database")
    parser.add_argument("--scale", default="1,3", help="sizes to measure, as multiples of --db (1 = as it is)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scaled copies")
    parser.add_argument("--latency", action="store_true",
                        help="instead: MO -> reply while the build runs and while its parts go out at --tps")
    parser.add_argument("--tps", type=int, default=300)
    parser.add_argument("--sending-seconds", type=float, default=30)
    parser.add_argument("--mo-every", type=float, default=0.2, help="seconds between two parents' texts")
    parser.add_argument("--processes", type=int, default=1,
                        help="processes sharing the build (digest.processes; the product's default is 2)")
    args = parser.parse_args(argv)
    PROCESSES[0] = args.processes
    print("command:", shlex.join([sys.executable, *sys.argv]))
    if args.latency:
        latency(args.db, args.tps, args.sending_seconds, args.mo_every)
        return
    import sqlite3
    for scale in (int(x) for x in args.scale.split(",")):
        path = args.db if scale == 1 else args.db.with_name(f"scaled{scale}.db")
        if scale != 1:
            clone(args.db, path, scale)
        db = sqlite3.connect(path)
        guardians, cells = (db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("guardians", "grades"))
        db.close()
        reset(path)
        dry = run(path, "dry")
        results = []
        for _ in range(args.runs):
            reset(path)
            results.append(run(path, "build"))
        secs = [r["seconds"] for r in results]
        cpu = [r["cpu"] for r in results]
        print(f"x{scale}, {args.processes} process(es): {guardians} guardians, {cells} grade cells: build {statistics.median(secs):.1f} s wall, "
              f"{statistics.median(cpu):.1f} s CPU (medians of {len(secs)}: {', '.join(f'{x:.1f}' for x in secs)} / "
              f"{', '.join(f'{x:.1f}' for x in cpu)}), peak RSS {max(r['peak_mib'] for r in results):.0f} MiB, "
              f"{results[-1]['created']} digests, {results[-1]['parts']} parts; --dry-run {dry['seconds']:.1f} s, "
              f"{dry['created']} digests, {dry['parts']} parts; load average {os.getloadavg()[0]:.1f}")
        reset(path)
        if scale != 1 and not args.keep:
            for stale in path.parent.glob(path.name + "*"):
                stale.unlink()


if __name__ == "__main__":
    main()
