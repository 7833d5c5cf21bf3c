"""The evening digest of a primary school: new approved levels, test scores, comments; never an average or rank."""
from __future__ import annotations

from datetime import timedelta

from outbox import digest
from store.core.clock import iso, utcnow

from .fixtures_commands import hk1_day


def _school(db):
    return db.execute("SELECT id FROM schools WHERE code = 'TH-KD'").fetchone()[0]


def _digest(db, phone):
    return db.execute("SELECT body FROM messages WHERE kind = 'digest' AND phone = ? ORDER BY id DESC",
                      [phone]).fetchone()[0]


def test_primary_digest_lists_levels_and_scores_then_only_what_is_new(primary_db, sms_settings):
    day = hk1_day(sms_settings)
    t1 = utcnow()
    digest.build(primary_db, sms_settings, _school(primary_db), day, now=t1)
    body = _digest(primary_db, "+84977123456")
    # A whole term's levels do not fit one part (issue 14's rule: one part a child): counted per point, with the link.
    assert body == (f"SLL {day:%d/%m}: Do Minh Khoi 4A1: Danh gia GK1 10 mon T, 1 mon H; CK1 10 mon T, 1 mon H. "
                    "Xem: http://127.0.0.1:8080/p"), body
    assert "TB" not in body.split(":", 1)[1] and "hang" not in body.lower()
    grade2 = _digest(primary_db, "+84966234567")
    assert grade2.startswith(f"SLL {day:%d/%m}: Vu Ngoc Han 2A1: Danh gia GK1 ") and " mon H" in grade2, grade2
    khoi = primary_db.execute("SELECT id FROM students WHERE code = 'KD900004'").fetchone()[0]
    later = iso(t1 + timedelta(hours=1))
    primary_db.execute("UPDATE primary_assessments SET level = 'T', corrected = 1, approved_at = ? "
                       "WHERE student_id = ? AND point = 'CK1' AND subject_code = 'AMNHAC'", [later, khoi])
    primary_db.execute("UPDATE primary_assessments SET comment = 'Em hát hay hơn.', approved_at = ? "
                       "WHERE student_id = ? AND point = 'CK1' AND subject_code = 'MYTHUAT'", [later, khoi])
    result = digest.build(primary_db, sms_settings, _school(primary_db), day + timedelta(days=1),
                          now=t1 + timedelta(hours=2))
    assert result.created == 1
    assert _digest(primary_db, "+84977123456") == (
        f"SLL {day + timedelta(days=1):%d/%m}: Do Minh Khoi 4A1: Danh gia CK1: AMNHAC T (sua), MYTHUAT T; "
        "NX AMNHAC: Can manh dan hon khi hat truoc lop; NX MYTHUAT: Em hat hay hon")


def test_primary_year_end_result_in_the_digest(primary_db, sms_settings):
    day = hk1_day(sms_settings)
    t1 = utcnow()
    digest.build(primary_db, sms_settings, _school(primary_db), day, now=t1)
    khoi = primary_db.execute("SELECT id FROM students WHERE code = 'KD900004'").fetchone()[0]
    primary_db.execute("INSERT INTO primary_results (student_id, school_year, result, commendation, status, "
                       "entered_at, approved_at) VALUES (?, (SELECT school_year FROM enrollments WHERE student_id = ?), "
                       "'HTXS', 'XS', 'approved', ?, ?)", [khoi, khoi, iso(t1), iso(t1 + timedelta(hours=1))])
    digest.build(primary_db, sms_settings, _school(primary_db), day + timedelta(days=1), now=t1 + timedelta(hours=2))
    assert _digest(primary_db, "+84977123456").endswith(
        "Do Minh Khoi 4A1: Cuoi nam: Hoan thanh xuat sac; khen thuong Hoc sinh Xuat sac")


def test_a_newly_approved_quality_level_is_in_the_digest_in_one_clause(primary_db, sms_settings):
    day = hk1_day(sms_settings)
    t1 = utcnow()
    digest.build(primary_db, sms_settings, _school(primary_db), day, now=t1)
    khoi = primary_db.execute("SELECT id FROM students WHERE code = 'KD900004'").fetchone()[0]
    primary_db.execute("UPDATE primary_qualities SET level = 'D', corrected = 1, approved_at = ? "
                       "WHERE student_id = ? AND point = 'CK1' AND code = 'CC'", [iso(t1 + timedelta(hours=1)), khoi])
    digest.build(primary_db, sms_settings, _school(primary_db), day + timedelta(days=1), now=t1 + timedelta(hours=2))
    assert _digest(primary_db, "+84977123456") == (
        f"SLL {day + timedelta(days=1):%d/%m}: Do Minh Khoi 4A1: PC, NL CK1: Cham chi Dat")
    # The whole point's qualities approved again (a re-import): one clause over all of them.
    primary_db.execute("UPDATE primary_qualities SET approved_at = ? WHERE student_id = ? AND point = 'CK1'",
                       [iso(t1 + timedelta(hours=3)), khoi])
    digest.build(primary_db, sms_settings, _school(primary_db), day + timedelta(days=2), now=t1 + timedelta(hours=4))
    assert _digest(primary_db, "+84977123456").endswith("Do Minh Khoi 4A1: PC, NL CK1: Tot, tru Cham chi Dat")
