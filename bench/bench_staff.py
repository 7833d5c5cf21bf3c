"""Figures of the staff room: the teachers + assignments imports of a big school, a page's scope, PC.

    .venv/bin/python bench/bench_staff.py [--classes-per-grade 6] [--repeat 200]

Builds THCS-DD (and THPT-CVA) with N classes a grade in a temporary SQLite file, then prints:
1. the teachers and assignments imports (rows, seconds; the write transaction is held that long);
2. a teacher's scope as every staff page loads it (store.school.assignments.scope), median and p95;
3. the answer to `PC` from the teacher's phone (commands.service.answer), median and p95.
Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import settings as settings_mod  # noqa: E402
from commands.service import answer  # noqa: E402
from demo import school as demo_school  # noqa: E402
from store.core import migrate  # noqa: E402
from store.core.clock import local_today  # noqa: E402
from store.core.connection import connect  # noqa: E402
from store.imports import import_file  # noqa: E402
from store.school import assignments  # noqa: E402


def _timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    return statistics.median(runs), runs[int(len(runs) * 0.95) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--classes-per-grade", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sll.db"
        db = connect(path)
        migrate.init(db, path)
        files = demo_school.generate(Path(tmp) / "files", classes_per_grade=args.classes_per_grade,
                                     students_per_class=2, marks=False)
        for kind, file in files:
            start = time.perf_counter()
            report = import_file(db, kind, file, approve=True)
            if kind in ("teachers", "assignments"):
                print(f"import {kind}: {report.rows} rows, {sum(report.counts.values())} writes, "
                      f"{time.perf_counter() - start:.3f} s")
        today = local_today("Asia/Ho_Chi_Minh")
        user_id = db.execute("SELECT user_id FROM staff WHERE code = 'DD-GV001'").fetchone()[0]
        p50, p95 = _timed(lambda: assignments.scope(db, user_id, today), args.repeat)
        print(f"scope of a teacher (every staff request): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        cfg = Path(tmp) / "config.toml"
        cfg.write_text(f'[store]\npath = "{path}"\n')
        settings = settings_mod.load(cfg, env={})
        p50, p95 = _timed(lambda: answer(db, settings, "0911222333", "PC", rate_limit=False), args.repeat)
        print(f"PC answer: p50 {p50:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
