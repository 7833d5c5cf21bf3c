"""Several schools' digests built at once (digest.processes): the same texts, each guardian once."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

import settings as settings_mod
from outbox import digest, digest_pool
from store.core.clock import local_today
from store.core.connection import connect


def _bodies(path) -> list[tuple]:
    db = connect(path)
    try:
        return db.execute("SELECT m.school_id, m.phone, m.body FROM messages m WHERE m.kind = 'digest' "
                          "ORDER BY m.school_id, m.phone").fetchall()
    finally:
        db.close()


def _build(path, processes: int) -> list:
    st = settings_mod.load(settings_mod.DEFAULT_CONFIG, env={"SLL_STORE_PATH": str(path),
                                                             "SLL_DIGEST_PROCESSES": str(processes)})
    db = connect(path)
    try:
        day = local_today(st.sms.timezone)
        return list(digest_pool.build_schools(db, st, digest.schools(db), day))
    finally:
        db.close()


def test_two_processes_build_every_school_once_with_the_same_texts(school_db_path, tmp_path, monkeypatch):
    alone, side_by_side = tmp_path / "one" / "sll.db", tmp_path / "two" / "sll.db"
    for target in (alone, side_by_side):
        target.parent.mkdir()
        shutil.copyfile(school_db_path, target)
    pools = []
    real = digest_pool.ProcessPoolExecutor

    def counting(*args, **kwargs):
        pools.append(args[0] if args else kwargs.get("max_workers"))
        return real(*args, **kwargs)
    monkeypatch.setattr(digest_pool, "ProcessPoolExecutor", counting)
    one = _build(alone, 1)
    assert pools == [], "one process builds in place"
    two = _build(side_by_side, 2)
    assert pools == [1], "two processes: this one and one spawned"
    assert [(sid, code) for sid, code, _ in two] == [(sid, code) for sid, code, _ in one], "results in school order"
    assert [r.created for *_, r in two] == [r.created for *_, r in one] and all(r.created for *_, r in one)
    assert _bodies(side_by_side) == _bodies(alone)
    db = connect(side_by_side)
    assert db.execute("SELECT count(*) FROM digest_runs WHERE state = 'built'").fetchone()[0] == len(two)
    assert db.execute("SELECT count(*) FROM (SELECT guardian_id, school_id FROM digests "
                      "GROUP BY guardian_id, school_id, local_date HAVING count(*) > 1)").fetchone()[0] == 0
    again = _build(side_by_side, 2)
    assert all(r.already_built and r.created == 0 for *_, r in again), "a second evening run queues nothing"


def test_a_failing_school_is_reported_by_the_pool(school_db_path, tmp_path):
    target = tmp_path / "gone" / "sll.db"
    target.parent.mkdir()
    shutil.copyfile(school_db_path, target)
    st = settings_mod.load(settings_mod.DEFAULT_CONFIG, env={"SLL_STORE_PATH": str(target)})
    db = connect(target)
    schools = digest.schools(db) + [(999_999, "NO-SUCH")]
    results = digest_pool.build_schools(db, st, schools, local_today(st.sms.timezone), processes=2)
    built = [next(results), next(results)]
    assert all(r.created for *_, r in built)
    with pytest.raises(sqlite3.IntegrityError):     # the unknown school's own error, raised as in place
        next(results)


def test_a_build_spawned_by_a_build_stays_at_nice_10():
    import subprocess
    import sys
    code = ("import os; from outbox import digest; start = os.nice(0); digest.lower_priority(); "
            "digest.lower_priority(); print(start, os.nice(0))")
    start, after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent)).stdout.split()
    assert int(after) == max(int(start), 10), "lowered once to 10, not again to 19 or 20"
