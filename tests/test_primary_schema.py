"""The one rebuild of schools, classes and subjects (migration 008): data kept, foreign keys whole, levels open."""
from __future__ import annotations

import sqlite3

import pytest

from store.school import levels
from store.core import migrate
from store.core.connection import connect


def _at_version(path, version: int):
    """A database brought through migrations 1..version only, as an older release left it."""
    db = connect(path)
    for number, mpath in migrate.migrations()[:version]:
        migrate._apply(db, mpath.read_text(encoding="utf-8"), number)
    return db


def _rebuild_version() -> int:
    return next(n for n, p in migrate.migrations() if p.read_text(encoding="utf-8").startswith(migrate.FOREIGN_KEYS_OFF))


def test_init_upgrades_a_database_with_data_through_the_rebuild(cli, tmp_path):
    before = _rebuild_version() - 1
    db = _at_version(tmp_path / "sll.db", before)
    db.execute("INSERT INTO schools (id, code, name, level, created_at) VALUES (1, 'S1', 'Truong 1', 'THCS', 'x')")
    db.execute("INSERT INTO users (id, login, password_hash, role, school_id, created_at) "
               "VALUES (5, 'gv', 'h', 'teacher', 1, 'x')")
    db.execute("INSERT INTO classes (id, school_id, school_year, name, grade, homeroom_user_id) "
               "VALUES (3, 1, '2025-2026', '8A1', 8, 5)")
    db.execute("INSERT INTO subjects (school_id, code, name, kind, grade, periods_per_year) "
               "VALUES (1, 'TOAN', 'Toan', 'diem', 8, 140)")
    db.execute("INSERT INTO students (id, code, full_name, given_name_folded, school_id) "
               "VALUES (7, 'HS1', 'Le An', 'AN', 1)")
    db.execute("INSERT INTO enrollments (student_id, school_year, class_id) VALUES (7, '2025-2026', 3)")
    db.execute("INSERT INTO user_classes (user_id, class_id) VALUES (5, 3)")
    db.close()
    proc = cli("init", check=True)
    assert "upgraded" in proc.stdout or "migrat" in proc.stdout.lower()
    db = connect(tmp_path / "sll.db")
    assert migrate.user_version(db) == migrate.latest_version()
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT id, school_id, name, grade, homeroom_user_id FROM classes").fetchall() == \
        [(3, 1, "8A1", 8, 5)]
    assert db.execute("SELECT code, grade FROM subjects").fetchall() == [("TOAN", 8)]
    # The children still point at the rebuilt tables, and the new levels go in.
    assert db.execute("SELECT c.name FROM enrollments e JOIN classes c ON c.id = e.class_id").fetchall() == [("8A1",)]
    db.execute("INSERT INTO schools (code, name, level, created_at) VALUES ('S2', 'Lien cap', 'TH+THCS', 'x')")
    db.execute("INSERT INTO classes (school_id, school_year, name, grade) VALUES (1, '2025-2026', '1A', 1)")
    db.execute("INSERT INTO classes (school_id, school_year, name, grade) VALUES (1, '2025-2026', 'La', -1)")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO classes (school_id, school_year, name, grade) VALUES (99, '2025-2026', '1B', 1)")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO classes (school_id, school_year, name, grade) VALUES (1, '2025-2026', '13A', 13)")
    fresh = connect(tmp_path / "fresh.db")
    migrate.init(fresh)
    assert migrate.schema_fingerprint(db) == migrate.schema_fingerprint(fresh)


def test_a_rebuild_that_breaks_a_foreign_key_is_rolled_back(tmp_path):
    db = _at_version(tmp_path / "x.db", _rebuild_version() - 1)
    db.execute("INSERT INTO schools (id, code, name, level, created_at) VALUES (1, 'S1', 'T', 'THCS', 'x')")
    bad = migrate.FOREIGN_KEYS_OFF + "\nINSERT INTO classes (school_id, school_year, name, grade) VALUES (42, 'y', 'n', 6);"
    with pytest.raises(Exception, match="foreign keys broken"):
        migrate._apply(db, bad, 99)
    assert db.execute("SELECT count(*) FROM classes").fetchone()[0] == 0
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert migrate.user_version(db) == _rebuild_version() - 1


@pytest.mark.parametrize("text, stored", [("TH", "TH"), ("Tiểu học", "TH"), ("thcs + th", "TH+THCS"),
                                          ("MN+TH+THCS+THPT", "MN+TH+THCS+THPT"), ("Mầm non", "MN")])
def test_levels_parse(text, stored):
    assert levels.parse_levels(text) == stored


@pytest.mark.parametrize("text", ["", "ĐH", "TH+", "THCS+Cao đẳng"])
def test_levels_refuse(text):
    with pytest.raises(levels.LevelError):
        levels.parse_levels(text)


@pytest.mark.parametrize("cell, grade", [("3", 3), (3, 3), (3.0, 3), ("Khối 5", 5), ("12", 12), ("NT", -3),
                                         ("MGL", 0), ("Mẫu giáo nhỡ", -1)])
def test_khoi_parse(cell, grade):
    assert levels.parse_khoi(cell) == grade


def test_registry_maps_khoi_to_rules():
    from store.rules import tt22
    from store.rules import tt27
    assert levels.rules_of(3) is tt27 and levels.rules_of(7) is tt22 and levels.rules_of(11) is tt22
    assert levels.scheme_of(-2) is levels.Scheme.MN
    assert levels.grades_of("TH+THCS") == (1, 2, 3, 4, 5, 6, 7, 8, 9)
    assert levels.grades_label(levels.grades_of("MN+TH")) == "NT, MGB, MGN, MGL, 1-5"
