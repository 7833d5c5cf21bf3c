"""A school's digests cut in slices of guardians that two processes share: the same texts, each guardian once,
a failure between slices leaves only whole digests and the next build completes the run without doubles."""
from __future__ import annotations

import shutil
import sqlite3

import pytest

import settings as settings_mod
from outbox import digest, digest_pool
from store.core.clock import local_today, school_year_of, utcnow
from store.core.connection import connect

SMALL = 7       # guardians a slice here: the demo's two schools (79 and 60 guardians) in 12 and 9 slices


def _copy(school_db_path, tmp_path, name: str):
    target = tmp_path / name / "sll.db"
    target.parent.mkdir()
    shutil.copyfile(school_db_path, target)
    return target


def _settings(path, processes: int):
    return settings_mod.load(settings_mod.DEFAULT_CONFIG, env={"SLL_STORE_PATH": str(path),
                                                               "SLL_DIGEST_PROCESSES": str(processes)})


def _build(path, processes: int, dry_run: bool = False) -> list:
    st = _settings(path, processes)
    db = connect(path)
    try:
        return list(digest_pool.build_schools(db, st, digest.schools(db), local_today(st.sms.timezone),
                                              dry_run=dry_run))
    finally:
        db.close()


def _digests(path) -> list[tuple]:
    db = connect(path)
    try:
        return db.execute("SELECT d.school_id, d.guardian_id, m.phone, m.student_id, m.body FROM digests d "
                          "JOIN messages m ON m.id = d.message_id ORDER BY d.school_id, d.guardian_id").fetchall()
    finally:
        db.close()


def _doubles(path) -> int:
    db = connect(path)
    try:
        return db.execute("SELECT count(*) FROM (SELECT 1 FROM messages WHERE kind = 'digest' "
                          "GROUP BY school_id, guardian_id HAVING count(*) > 1)").fetchone()[0]
    finally:
        db.close()


@pytest.fixture
def small_slices(monkeypatch):
    monkeypatch.setattr(digest_pool, "SLICE", SMALL)


def test_slices_cover_every_recipient_once_with_all_their_children(school_db):
    day = local_today("Asia/Ho_Chi_Minh")
    for sid, _code in digest.schools(school_db):
        ranges = digest.slices(school_db, sid, school_year_of(day), SMALL)
        assert len(ranges) > 2 and ranges[0][0] == 0 and ranges[-1][1] is None
        assert all(a < b for a, b in ranges[:-1]) and all(ranges[i][1] == ranges[i + 1][0]
                                                          for i in range(len(ranges) - 1))
        whole = [g for _page, families in digest.pages(school_db, sid, school_year_of(day), 1000)
                 for g in families]
        sliced = [g for a, b in ranges
                  for _page, families in digest.pages(school_db, sid, school_year_of(day), 3, a, b) for g in families]
        assert sliced == whole, "every guardian once, with the same children, in the same order"
        assert all(len(families) <= SMALL for a, b in ranges
                   for _p, families in digest.pages(school_db, sid, school_year_of(day), 1000, a, b))


def test_two_processes_sharing_a_school_queue_what_one_does(school_db_path, tmp_path, small_slices):
    alone, shared = _copy(school_db_path, tmp_path, "one"), _copy(school_db_path, tmp_path, "two")
    one, two = _build(alone, 1), _build(shared, 2)
    assert [(sid, code, r.created, r.parts, r.skipped_existing) for sid, code, r in two] == \
        [(sid, code, r.created, r.parts, r.skipped_existing) for sid, code, r in one]
    assert all(r.created for *_, r in one)
    assert _digests(shared) == _digests(alone) and _doubles(shared) == 0
    db = connect(shared)
    # guardians with two children of one school, and guardians with children in both schools, are among them
    assert db.execute("SELECT count(*) FROM messages WHERE kind = 'digest' AND student_id IS NULL").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM (SELECT guardian_id FROM digests GROUP BY guardian_id "
                      "HAVING count(DISTINCT school_id) = 2)").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM digest_runs WHERE state = 'built'").fetchone()[0] == len(two)
    assert [r[0] for r in db.execute("SELECT messages FROM digest_runs ORDER BY school_id")] == \
        [r.created for *_, r in sorted(two)]
    db.close()
    assert all(r.already_built and not r.created for *_, r in _build(shared, 2)), "a second run queues nothing"


def test_the_dry_run_counts_the_same_parts_in_slices(school_db_path, tmp_path, small_slices):
    path = _copy(school_db_path, tmp_path, "dry")
    one, two = _build(path, 1, dry_run=True), _build(path, 2, dry_run=True)
    assert [(code, r.created, r.parts) for _s, code, r in two] == [(code, r.created, r.parts) for _s, code, r in one]
    assert all(r.parts for *_, r in two)
    assert _digests(path) == [], "nothing queued"
    db = connect(path)
    assert db.execute("SELECT count(*) FROM digest_runs").fetchone()[0] == 0, "no run opened"
    db.close()


def test_a_slice_that_fails_leaves_whole_digests_and_the_next_build_completes(school_db_path, tmp_path, small_slices):
    reference, path = _copy(school_db_path, tmp_path, "ref"), _copy(school_db_path, tmp_path, "fail")
    _build(reference, 1)
    db = connect(path)
    # A write that fails in a pool process in the middle of the larger school (a full disk, say).
    larger = db.execute("SELECT id FROM schools WHERE code = 'THCS-DD'").fetchone()[0]
    ids = [g for _p, families in digest.pages(db, larger, school_year_of(local_today("Asia/Ho_Chi_Minh")), 1000)
           for g, *_ in families]
    middle = ids[len(ids) // 2]
    db.execute(f"CREATE TRIGGER boom BEFORE INSERT ON digests WHEN NEW.guardian_id = {middle} "
               "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    db.close()
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        _build(path, 2)
    db = connect(path)
    done = db.execute("SELECT count(*) FROM digests").fetchone()[0]
    assert 0 < done < len(_digests(reference))
    assert db.execute("SELECT count(*) FROM messages WHERE kind = 'digest'").fetchone()[0] == done, \
        "each digest row with its message, nothing half-written"
    assert db.execute("SELECT count(*) FROM digest_runs WHERE state = 'building'").fetchone()[0] >= 1
    db.execute("DROP TRIGGER boom")
    db.close()
    again = _build(path, 2)
    assert sum(r.created for *_, r in again) == len(_digests(reference)) - done
    assert _digests(path) == _digests(reference) and _doubles(path) == 0


def test_slices_built_before_a_crash_are_skipped_by_the_next_run(school_db_path, tmp_path, small_slices):
    reference, path = _copy(school_db_path, tmp_path, "ref"), _copy(school_db_path, tmp_path, "crash")
    _build(reference, 1)
    st = _settings(path, 2)
    db = connect(path)
    day = local_today(st.sms.timezone)
    sid = digest.schools(db)[0][0]
    run = digest.open_run(db, sid, day, utcnow())
    first, second = digest.slices(db, sid, school_year_of(day), SMALL)[:2]
    # What a pool process does with two slices, then the command dies before the run is marked built.
    done = digest_pool.build_slice(st, run, *first) + digest_pool.build_slice(st, run, *second)
    assert done.created > 0 and db.execute("SELECT state FROM digest_runs").fetchone()[0] == "building"
    db.close()
    again = _build(path, 2)
    school = next(r for s, _c, r in again if s == sid)
    assert school.skipped_existing == done.created and not school.already_built
    assert _digests(path) == _digests(reference) and _doubles(path) == 0
    db = connect(path)
    assert db.execute("SELECT messages FROM digest_runs WHERE school_id = ?", [sid]).fetchone()[0] == school.created, \
        "as a resumed run counts today: what it queued itself"
    db.close()


def test_one_pass_cuts_every_school_as_each_alone(school_db):
    year = school_year_of(local_today("Asia/Ho_Chi_Minh"))
    ids = [sid for sid, _code in digest.schools(school_db)]
    together = digest.slices_of(school_db, ids + [999_999], year, SMALL)
    for sid in ids:
        sizes = [sum(len(families) for _p, families in digest.pages(school_db, sid, year, 1000, a, b))
                 for a, b in together[sid]]
        assert sizes[:-1] == [SMALL] * (len(sizes) - 1) and 0 <= sizes[-1] < SMALL, sizes
    assert together[999_999] == [(0, None)], "a school without recipients: one empty range"


def test_pages_of_known_recipients_are_the_pages_read_page_by_page(school_db):
    """The recipients read in one pass over the links (`recipients_of`) give the same pages as the paging query,
    and a slice's share of them (`within` its range) the same as its range."""
    day = local_today("Asia/Ho_Chi_Minh")
    year = school_year_of(day)
    everyone = digest.recipients_of(school_db, [sid for sid, _ in digest.schools(school_db)], year)
    for sid, _code in digest.schools(school_db):
        paged = [f for _p, families in digest.pages(school_db, sid, year, 7) for f in families]
        known = [f for _p, families in digest.pages(school_db, sid, year, 7, guardians=everyone[sid]) for f in families]
        assert known == paged and [f[0] for f in known] == everyone[sid]
        for a, b in digest.cut(everyone[sid], SMALL):
            assert [f for _p, fs in digest.pages(school_db, sid, year, 5, a, b) for f in fs] == [
                f for _p, fs in digest.pages(school_db, sid, year, 5, guardians=digest.within(everyone[sid], a, b))
                for f in fs]
