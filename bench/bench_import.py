#!/usr/bin/env python3
"""Generate a province-sized demo school (100k guardians with their students) and import it.

    .venv/bin/python bench/bench_import.py [--guardians 100000] [--classes-per-grade 380] [--format csv]

Prints the command, the time of each step, rows per second and the peak
resident memory (getrusage ru_maxrss) of the process. Nothing is asserted:
figures only.
"""
from __future__ import annotations

import argparse
import resource
import shlex
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo import school as demo_school  # noqa: E402
from store.core import migrate  # noqa: E402
from store.core.connection import connect  # noqa: E402
from store.imports import import_file  # noqa: E402


def peak_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guardians", type=int, default=100_000)
    parser.add_argument("--classes-per-grade", type=int, default=380, help="7 grades over 2 schools")
    parser.add_argument("--students-per-class", type=int, default=40)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--marks", action="store_true", help="also generate and import HK1 marks etc.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", help="work directory (default: a temporary one)")
    args = parser.parse_args(argv)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.dir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        db_path = work / "bench.db"
        for stale in work.glob("bench.db*"):
            stale.unlink()
        db = connect(db_path)
        migrate.init(db, db_path)
        t0 = time.perf_counter()
        files = demo_school.generate(work / "files", seed=args.seed, classes_per_grade=args.classes_per_grade,
                                     students_per_class=args.students_per_class, guardians=args.guardians,
                                     fmt=args.format, marks=args.marks)
        generated = time.perf_counter() - t0
        print(f"generate: {generated:.1f} s ({args.format}), peak RSS {peak_mib():.0f} MiB")
        total_rows, t_import = 0, time.perf_counter()
        for kind, path in files:
            t = time.perf_counter()
            report = import_file(db, kind, path, approve=True)
            took = time.perf_counter() - t
            total_rows += report.rows
            rate = report.rows / took if took else 0
            print(f"import {kind:<10} {report.rows:>8} rows {took:7.1f} s {rate:9.0f} rows/s  "
                  f"{dict(report.counts)}  notes {len(report.notes)}")
        imported = time.perf_counter() - t_import
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("students", "guardians", "guardian_links", "grades")}
        t = time.perf_counter()
        again = import_file(db, "guardians", dict(files)["guardians"], approve=True)
        reimport = time.perf_counter() - t
        db.close()
        print(f"database: {counts}, {db_path.stat().st_size / 2**20:.0f} MiB")
        print(f"import total: {total_rows} rows in {imported:.1f} s ({total_rows / imported:.0f} rows/s)")
        print(f"re-import guardians: {again.rows} rows in {reimport:.1f} s, {dict(again.counts)}")
        print(f"peak RSS: {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
