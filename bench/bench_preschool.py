#!/usr/bin/env python3
"""Kindergarten at scale: import a week of daily notes and a weighing, then build the Friday digest.

    .venv/bin/python bench/bench_preschool.py [--children-per-class 300]

Two classes (demo.preschool); prints the command, each step's time and rows
per second. Nothing is asserted: figures only.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import settings as settings_mod  # noqa: E402
from outbox import digest  # noqa: E402
from store.core import migrate  # noqa: E402
from store.core.connection import connect  # noqa: E402
from store.imports import import_file  # noqa: E402
from demo import preschool as demo  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children-per-class", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print("$ .venv/bin/python bench/bench_preschool.py " + shlex.join(argv or sys.argv[1:]))
    cfg = settings_mod.load(settings_mod.DEFAULT_CONFIG, env={})
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "b.db")
        migrate.init(db, Path(tmp) / "b.db")
        for kind, path in demo.generate(Path(tmp) / "f", seed=args.seed, students_per_class=args.children_per_class):
            start = time.perf_counter()
            report = import_file(db, kind, path, approve=True, imported_by="bench")
            took = time.perf_counter() - start
            print(f"import {kind:<11} {report.rows:7d} rows {took:7.2f} s {report.rows / took:9.0f} rows/s")
        friday = max(date.fromisoformat(d) for (d,) in db.execute("SELECT date FROM daily_notes"))
        start = time.perf_counter()
        result = digest.build(db, cfg, 1, friday, now=datetime.now(timezone.utc))
        took = time.perf_counter() - start
        print(f"digest {friday}: {result.created} SMS for {2 * args.children_per_class} children in {took:.2f} s")


if __name__ == "__main__":
    main()
