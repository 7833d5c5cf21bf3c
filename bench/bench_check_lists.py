"""What the schema's CHECK IN lists cost a written row, against the same checks as OR chains (check_lists.py).

    .venv/bin/python bench/bench_check_lists.py [--rows 100000] [--runs 3]

Two in-memory databases from schema.sql, one as written (IN lists) and one folded
as `migrate` leaves a file; the same rows inserted into `messages`, `message_parts`
and `grades` (one execution a row, as the live path and the imports write, and one
multi-row VALUES of 250, as the digest writes), and a state update of `messages`
(as the sender and the receipts do). Foreign keys off: only the checks differ.
Prints microseconds a row, best of ``--runs``, both forms side by side in one run.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.core import check_lists, migrate  # noqa: E402

CASES = {
    "messages insert": ("INSERT INTO messages (connection, phone, body, kind, priority, state, not_before, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        lambda i: ("c", f"+8491{i:07d}", "Diem moi", "digest", 1, "queued", "t", "t", "t")),
    "message_parts insert": ("INSERT INTO message_parts (message_id, seq, connection, state) VALUES (?, ?, ?, ?)",
                             lambda i: (i, 1, "c", "queued")),
    "grades insert": ("INSERT INTO grades (student_id, subject_code, school_year, term, kind, seq, value, status, "
                      "entered_at, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      lambda i: (i // 40, f"S{i % 10}", "2026-2027", 1 + i // 10 % 2, "TX", 1 + i // 20 % 2, "7.5",
                                 "approved", "t", "t")),
}


def _db(folded: bool) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(migrate.SCHEMA.read_text(encoding="utf-8"))
    if folded:
        db.execute("BEGIN")
        check_lists.fold_tables(db)
        db.execute("COMMIT")
    return db


def _time(db, sql: str, rows: list[tuple], multi: bool) -> float:
    table = sql.split()[2]
    db.execute(f"DELETE FROM {table}")
    start = time.perf_counter()
    db.execute("BEGIN")
    if multi:
        head, marks = sql.split(" VALUES ")
        for i in range(0, len(rows), 250):
            chunk = rows[i:i + 250]
            db.execute(f"{head} VALUES " + ", ".join([marks] * len(chunk)), [v for r in chunk for v in r])
    else:
        db.executemany(sql, rows)
    db.execute("COMMIT")
    return (time.perf_counter() - start) / len(rows) * 1e6


def _update(db, n: int) -> float:
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("UPDATE messages SET state = ?, updated_at = ? WHERE id = ?",
                   [("submitted" if i % 2 else "delivered", "u", i) for i in range(1, n + 1)])
    db.execute("COMMIT")
    return (time.perf_counter() - start) / n * 1e6


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    dbs = {"IN lists": _db(False), "OR chains": _db(True)}
    print(f"sqlite {sqlite3.sqlite_version}, {args.rows} rows, best of {args.runs}, µs a row")
    print(f"{'':34}{'IN lists':>10}{'OR chains':>11}{'ratio':>8}")
    for name, (sql, make) in CASES.items():
        rows = [make(i) for i in range(args.rows)]
        for multi in (False, True):
            best = {form: min(_time(db, sql, rows, multi) for _ in range(args.runs)) for form, db in dbs.items()}
            label = f"{name} ({'VALUES x250' if multi else 'a row'})"
            lists, chains = best["IN lists"], best["OR chains"]
            print(f"{label:34}{lists:10.2f}{chains:11.2f}{chains / lists:8.2f}")
    for db in dbs.values():       # messages rows to update
        _time(db, CASES["messages insert"][0], [CASES["messages insert"][1](i) for i in range(args.rows)], True)
    best = {form: min(_update(db, args.rows) for _ in range(args.runs)) for form, db in dbs.items()}
    print(f"{'messages state update (a row)':34}{best['IN lists']:10.2f}{best['OR chains']:11.2f}"
          f"{best['OR chains'] / best['IN lists']:8.2f}")


if __name__ == "__main__":
    main()
