#!/usr/bin/env python3
"""An import running while the simulator sends MO at 5/s: is every MO acknowledged and answered, and how fast?

    .venv/bin/python bench/bench_import_mo.py [--guardians 100000] [--classes-per-grade 380] [--rate 5]

Loads a generated province (bench_import's demo school) up to the students,
then starts the simulator and the gateway (in this process, as `serve`
runs them beside each other) and imports the guardians file in a separate
process (`run_gateway.py import guardians FILE --approve`, the way an
operator runs it) while MO arrive at --rate per second from the demo's
showcase parents. Prints the command, the import's time and peak RSS, the
deliver_sm_resp statuses and the MO-to-reply latencies (median, p99, max).
Nothing is asserted: figures only. Needs the Redis at 127.0.0.1:6379.

Run of 2026-12-01 on the shared 2-core machine (the full test suite running beside it), defaults:

    import guardians guardians.csv: exit 0 in 282.5 s
      guardians.csv (guardians): 106404 rows: 106400 inserted, 0 updated, 4 unchanged
      peak RSS 90968 KiB
    MO sent 1413 at 5.0/s: deliver_sm_resp statuses [0], answered 1413/1413
    MO to reply: median 0.057 s, p99 0.542 s, max 1.156 s

Before the writer queue (store.core.connection), with the same bounded transactions, 5000 rows: median
12-21 s, most MO answered only after the import (SQLite's busy handler polls, so the gateway's process
kept missing the import's pauses); before issue 11 the whole file was one transaction.
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mo_load import MoLoad, percentile  # noqa: E402
from demo import school as demo_school  # noqa: E402
from store.core import migrate  # noqa: E402
from store.core.connection import connect  # noqa: E402
from store.imports import import_file  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guardians", type=int, default=100_000)
    parser.add_argument("--classes-per-grade", type=int, default=380)
    parser.add_argument("--rate", type=float, default=5.0, help="MO per second")
    parser.add_argument("--file", help="import this file (kind from --kind) instead of the generated guardians")
    parser.add_argument("--kind", default="guardians")
    args = parser.parse_args(argv)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_path = work / "sll.db"
        db = connect(db_path)
        migrate.init(db, db_path)
        files = dict(demo_school.generate(work / "files", classes_per_grade=args.classes_per_grade,
                                          guardians=args.guardians, marks=False))
        print(f"generated {args.guardians} guardians", flush=True)
        for kind in ("schools", "terms", "classes", "subjects", "students"):
            import_file(db, kind, files[kind], approve=True)
        # The showcase parents who text during the import are linked before it (else they are strangers).
        lines = files["guardians"].read_text(encoding="utf-8").splitlines()
        showcase = work / "showcase_guardians.csv"
        header = next(i for i, line in enumerate(lines) if "STT" in line)
        showcase.write_text("\n".join([*lines[:header + 1], *(row for row in lines[header + 1:] if any(
            f.phone in row for f in demo_school.SHOWCASE))]) + "\n", encoding="utf-8")
        import_file(db, "guardians", showcase, approve=True)
        target = Path(args.file) if args.file else files["guardians"]
        with MoLoad(db_path, work, rate=args.rate) as load:
            config = load.config_path
            argv_import = [sys.executable, str(ROOT / "run_gateway.py"), "-c", str(config), "import", args.kind,
                           str(target), "--approve"]
            t0 = time.monotonic()
            proc = subprocess.Popen(["/usr/bin/time", "-f", "peak RSS %M KiB", *argv_import],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            sender = threading.Thread(target=load.send_while, args=(lambda: proc.poll() is None,), daemon=True)
            sender.start()
            out, _ = proc.communicate()
            took = time.monotonic() - t0
            sender.join()
            results = load.collect()
        states = db.execute("SELECT state, command, count(*) FROM inbox GROUP BY 1, 2").fetchall()
        print(f"inbox: {states}")
        print(f"import {args.kind} {target.name}: exit {proc.returncode} in {took:.1f} s")
        print("  " + "\n  ".join(line for line in out.splitlines()[-4:]))
        statuses = sorted({r.status for r in results})
        answered = [r.latency for r in results if r.latency is not None]
        print(f"MO sent {len(results)} at {args.rate}/s: deliver_sm_resp statuses {statuses}, "
              f"answered {len(answered)}/{len(results)}")
        if answered:
            print(f"MO to reply: median {percentile(answered, 50):.3f} s, p99 {percentile(answered, 99):.3f} s, "
                  f"max {max(answered):.3f} s")


if __name__ == "__main__":
    main()
