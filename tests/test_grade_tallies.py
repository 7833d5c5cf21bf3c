"""grade_tallies (migration 020) always holds the approved grade rows counted per student, subject, school year,
term and approval time, whatever writes the grades: inserts, approvals, corrections, moves and deletes, in any
order; a database of version 19 gets its tallies when it is brought up to date."""
from __future__ import annotations

import random

from store.core import migrate
from store.core.connection import transaction

TALLIES = ("SELECT student_id, subject_code, school_year, term, approved_at, cells, exams FROM grade_tallies "
           "ORDER BY 1, 2, 3, 4, 5")
FROM_GRADES = ("SELECT student_id, subject_code, school_year, term, approved_at, count(*), sum(kind != 'TX') "
               "FROM grades WHERE status = 'approved' AND approved_at IS NOT NULL "
               "GROUP BY student_id, subject_code, school_year, term, approved_at ORDER BY 1, 2, 3, 4, 5")


def _recounted(db) -> list[tuple]:
    return db.execute(FROM_GRADES).fetchall()


def test_the_demo_schools_tallies_are_its_approved_grades_counted(school_db):
    tallies = school_db.execute(TALLIES).fetchall()
    assert tallies and tallies == _recounted(school_db)
    cells = school_db.execute("SELECT count(*) FROM grades WHERE status = 'approved'").fetchone()[0]
    assert sum(t[5] for t in tallies) == cells and len(tallies) < cells, "one row an approval, not a cell"


def _random_change(db, rng: random.Random, students: list[int], stamps: list[str]) -> None:
    """One write a school's grades see: a new score (pending or approved), an approval, a correction sent
    back to pending, a score moved to another term or kind, a changed value, a deleted score."""
    rows = db.execute("SELECT id FROM grades ORDER BY random() LIMIT 5").fetchall()
    pick = rng.choice(rows)[0] if rows else None
    op = rng.randrange(7)
    if op == 0 or pick is None:
        status = rng.choice(["pending", "approved"])
        db.execute("INSERT OR IGNORE INTO grades (student_id, subject_code, school_year, term, kind, seq, value, "
                   "status, entered_at, approved_at) VALUES (?, ?, '2026-2027', ?, ?, ?, '7.5', ?, ?, ?)",
                   [rng.choice(students), rng.choice(["TOAN", "VAN", "ANH"]), rng.choice([1, 2]),
                    rng.choice(["TX", "TX", "GK", "CK"]), rng.randrange(1, 9), status, stamps[0],
                    rng.choice(stamps) if status == "approved" else None])
    elif op == 1:
        db.execute("UPDATE grades SET status = 'approved', approved_at = ? WHERE id = ? AND status = 'pending'",
                   [rng.choice(stamps), pick])
    elif op == 2:
        db.execute("UPDATE grades SET status = 'pending', corrected = 1 WHERE id = ?", [pick])
    elif op == 3:
        db.execute("UPDATE OR IGNORE grades SET term = 3 - term WHERE id = ?", [pick])
    elif op == 4:
        db.execute("UPDATE OR IGNORE grades SET kind = CASE kind WHEN 'TX' THEN 'GK' ELSE 'TX' END, "
                   "seq = seq + 20 WHERE id = ?", [pick])
    elif op == 5:
        db.execute("UPDATE grades SET value = '9', approved_at = ? WHERE id = ?", [rng.choice(stamps), pick])
    else:
        db.execute("DELETE FROM grades WHERE id = ?", [pick])


def test_every_kind_of_write_keeps_the_tallies_equal_to_the_grades(school_db):
    rng = random.Random(20)
    students = [r[0] for r in school_db.execute("SELECT id FROM students ORDER BY id LIMIT 6")]
    stamps = ["2026-10-01T08:00:00.000000Z", "2026-10-02T08:00:00.000000Z", "2026-10-03T09:30:00.000000Z"]
    for step in range(60):
        with transaction(school_db):
            for _ in range(25):
                _random_change(school_db, rng, students, stamps)
        assert school_db.execute(TALLIES).fetchall() == _recounted(school_db), f"after step {step}"
    assert school_db.execute("SELECT count(*) FROM grade_tallies WHERE cells <= 0 OR exams < 0").fetchone()[0] == 0


def test_a_rolled_back_write_leaves_the_tallies_as_they_were(school_db):
    before = school_db.execute(TALLIES).fetchall()
    try:
        with transaction(school_db):
            school_db.execute("DELETE FROM grades WHERE subject_code = 'TOAN'")
            raise RuntimeError("the import found a bad row")
    except RuntimeError:
        pass
    assert school_db.execute(TALLIES).fetchall() == before


def test_a_version_19_database_gets_its_tallies_when_brought_up_to_date(school_db_path):
    from store.core.connection import connect
    db = connect(school_db_path)
    db.conn.executescript(
        "DROP TRIGGER grade_tallies_insert; DROP TRIGGER grade_tallies_delete; DROP TRIGGER grade_tallies_update; "
        "DROP TABLE grade_tallies; CREATE INDEX grades_student_counts ON grades "
        "(student_id, subject_code, school_year, term, kind, status, approved_at); PRAGMA user_version = 19;")
    db.execute("UPDATE grades SET status = 'pending' WHERE id IN (SELECT id FROM grades ORDER BY id LIMIT 7)")
    done = migrate.init(db, school_db_path)
    assert (done["from"], done["to"]) == (19, migrate.latest_version())
    tallies = db.execute(TALLIES).fetchall()
    assert tallies and tallies == _recounted(db)
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'grades_student_counts'").fetchone()
    db.execute("UPDATE grades SET status = 'approved', approved_at = '2026-11-30T10:00:00.000000Z' "
               "WHERE status = 'pending'")
    assert db.execute(TALLIES).fetchall() == _recounted(db), "the triggers run from then on"
    db.close()


def test_a_grades_import_that_fails_half_way_is_undone_tallies_and_all(school_db, tmp_path, monkeypatch):
    import sqlite3

    import pytest

    from store.imports import import_file, registry
    year = school_db.execute("SELECT max(school_year) FROM enrollments").fetchone()[0]
    codes = [r[0] for r in school_db.execute("SELECT s.code FROM students s JOIN enrollments e ON e.student_id = s.id "
                                             "WHERE e.school_year = ? ORDER BY s.code", [year])]
    lines = ["Mã HS,Mã môn,Năm học,Học kỳ,Loại,STT,Điểm,Ngày"]
    for i in range(600):        # changed approved scores of HK1 (corrections) and new ones of HK2
        code, term, seq = codes[i % len(codes)], 1 + (i // len(codes)) % 2, 1 + i // (2 * len(codes))
        lines.append(f"{code},TOAN,{year},HK{term},TX,{seq},{(i % 10) or 10},")
    path = tmp_path / "diem.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = school_db.execute(TALLIES).fetchall()
    handler = registry.find("grades").handler
    real_apply, calls = handler.apply, {"n": 0}

    def apply_then_fill_the_disk(ctx, op):
        if ctx.conn.execute("SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'").fetchone()[0]:
            calls["n"] += 1
            if calls["n"] == 500:           # after several committed chunks
                raise sqlite3.OperationalError("database or disk is full")
        return real_apply(ctx, op)

    monkeypatch.setattr(handler, "apply", apply_then_fill_the_disk)
    with pytest.raises(sqlite3.OperationalError):
        import_file(school_db, "grades", path, approve=True)
    assert calls["n"] == 500
    assert school_db.execute(TALLIES).fetchall() == before == _recounted(school_db)
    monkeypatch.setattr(handler, "apply", real_apply)
    import_file(school_db, "grades", path, approve=True)
    after = school_db.execute(TALLIES).fetchall()
    assert after != before and after == _recounted(school_db)
