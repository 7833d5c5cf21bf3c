"""Marking by SMS: 1,000 `BL` answer texts through the simulator, each reply submitted; MO -> reply latency.

    .venv/bin/python bench/bench_quiz.py [--count 1000] [--rate 50] [--items 10]

The demo school (4 classes a grade x 40 pupils) gets a 10-item test for every THCS-DD class; guardians
with one child there text `BL <their child's code> <random letters>` at a fixed rate through the
simulator's control API (the simulator runs in its own process, the gateway Engine in this one).
Latency runs from the push to the control API to the reply's submit_sm arriving at the simulator.
Prints p50/p95/p99/max, how many replies carried a mark, and the attempts stored.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import redis  # noqa: E402

from bench_e2e import SimProcess, demo_folder, make_settings, wait_for  # noqa: E402
from gateway.engine import Engine  # noqa: E402
from store.core.clock import school_year_of, utcnow  # noqa: E402
from store.core.connection import transaction  # noqa: E402
from store.questions import bank, quizzes  # noqa: E402


def make_test(db, items: int) -> list[tuple[str, str]]:
    """A test for every THCS-DD class; (guardian phone, their only child's variant code) to text from."""
    year = school_year_of(utcnow().date())
    school_id = db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    rng = random.Random(7)
    with transaction(db):
        by_grade = {}
        for grade in (6, 7, 8, 9):
            ids = [bank.add(db, bank.checked(bank.Draft(f"Câu {i} khối {grade}", ["một", "hai", "ba", "bốn"], i % 4,
                                                        "NB", "TOAN", grade), school_id), "bench")
                   for i in range(items)]
            classes = [r[0] for r in db.execute("SELECT id FROM classes WHERE school_id = ? AND grade = ? AND "
                                                "school_year = ?", [school_id, grade, year])]
            by_grade[grade] = quizzes.create(
                db, school_id=school_id, title=f"Bench {grade}", code=f"B{grade}", subject="TOAN", grade=grade,
                question_ids=ids, class_ids=classes, opens=utcnow() - timedelta(hours=1),
                closes=utcnow() + timedelta(days=1), max_attempts=20, login="bench", school_year=year, rng=rng)
    rows = db.execute(
        "SELECT g.phone, v.code FROM guardians g JOIN guardian_links l ON l.guardian_id = g.id AND l.active = 1 "
        "AND l.school_year = ? JOIN quiz_variants v ON v.student_id = l.student_id "
        "WHERE g.id IN (SELECT guardian_id FROM guardian_links WHERE school_year = ? AND active = 1 "
        "GROUP BY guardian_id HAVING COUNT(*) = 1)", [year, year]).fetchall()
    return [(r[0], r[1]) for r in rows]


def percentile(values: list[float], q: float) -> float:
    ms = sorted(values)
    return ms[min(len(ms) - 1, int(len(ms) * q))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50, help="BL texts per second pushed to the simulator")
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    r = redis.Redis()
    r.ping()
    folder, db = demo_folder("sll-bench-quiz-")
    senders = make_test(db, args.items)
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{os.cpu_count()} cores; simulator (smpp34) in its own process; Redis 127.0.0.1:6379; loopback; "
          f"{len(senders)} single-child guardians, {args.items}-item tests")
    sim = SimProcess()
    try:
        st = make_settings(folder, sim, f"benchquiz{time.time_ns()}:", window=50, tps=1_000_000)
        engine = Engine(st, r)
        engine.start()
        engine.wait_bound(10)
        since = len(sim.get("/submits")["submits"])
        rng = random.Random(11)
        pushed: list[tuple[str, float]] = []
        start = time.time()
        for i in range(args.count):
            delay = start + i / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            phone, code = senders[i % len(senders)]
            letters = "".join(rng.choice("ABCD") for _ in range(args.items))
            text = rng.choice([f"BL {code} {letters}", "BL " + code + " " + " ".join(
                f"{n}{c.lower()}" for n, c in enumerate(letters, 1))])
            pushed.append((phone, time.time()))
            sim.post("/mo", {"phone": "0" + phone[3:], "text": text})
        ok = wait_for(lambda: len(sim.get(f"/submits?since={since}")["submits"]) >= args.count, 120)
        subs = sim.get(f"/submits?since={since}")["submits"]
        engine.stop()
    finally:
        sim.stop()
    by_phone: dict[str, list[tuple[float, str]]] = {}
    for s in subs:
        by_phone.setdefault(s["destination_addr"], []).append(
            (datetime.fromisoformat(s["received_at"]).timestamp(), s["text"]))
    latencies, marked, seen = [], 0, {}
    for phone, t in pushed:
        k = seen.get(phone, 0)
        seen[phone] = k + 1
        replies = by_phone.get(phone.lstrip("+"), [])
        if k < len(replies):
            latencies.append(replies[k][0] - t)
            marked += " dung " in replies[k][1]
    stored = db.execute("SELECT COUNT(*) FROM quiz_attempts").fetchone()[0]
    print(f"{args.count} BL texts at {args.rate:.0f}/s: {len(latencies)} replies "
          f"({marked} with a mark; {stored} attempts stored){'' if ok else ' (not all replies within 120 s)'}")
    print(f"  MO -> reply: p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
          f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
