"""The store queries the SMS commands and the digest use, on real SQLite files: families, terms, subjects,
records, events, and no query scanning a big table. Grades, results and news: tests/test_store_queries_grades.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from store.school import events, families, records, subjects, terms
from store.secondary import grades, news, results
from store.school.records import Session
from store.rules.tt22 import SubjectKind

from .fixtures_queries import AFTER, PHONE, TOAN, TODAY, UNTIL, YEAR, full_term, statements


# Tables that grow with every student and day: never read whole.
BIG_TABLES = {"grades", "attendance", "comments", "guardian_links", "conduct", "results", "events", "enrollments"}
# Indexes on a status column match every approved row of every school: as bad as a scan.
STATUS_INDEXES = {"grades_status"}


def full_scans(db, sql_list: list[str]) -> list[str]:
    """Plan lines of ``sql_list`` that scan a big table or walk a status index."""
    bad = []
    for sql in sql_list:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        for *_, detail in db.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall():
            words = detail.split()
            if words[0] == "SCAN" and words[1] in BIG_TABLES:
                bad.append(f"{detail}  <-  {sql}")
            if any(ix in words for ix in STATUS_INDEXES):
                bad.append(f"{detail}  <-  {sql}")
    return bad


# --- families -------------------------------------------------------------

def test_guardian_children_in_stable_order_with_their_class_and_school(store_builder, db, school):
    b = store_builder
    other = b.school("THCS00", level="THCS")
    c6 = b.klass(other, "6A1", grade=6, homeroom_teacher=None)
    # Inserted out of order on purpose: the order is school code, class, name, code.
    hoa = b.student(school["8A2"], "HS3", "Trần Thị Hoa")
    an = b.student(school["8A2"], "HS2", "Nguyễn Minh An")
    binh = b.student(school["8A1"], "HS9", "Lê Văn Bình")
    tu = b.student(c6, "HS5", "Phạm Tú")
    for sid in (hoa, an, binh, tu):
        b.guardian_link(PHONE, sid, digest_opt_out=(sid == tu))

    fam = families.guardian_by_phone(db, PHONE, TODAY)

    assert fam.school_year == YEAR and fam.phone == PHONE
    assert [c.code for c in fam.children] == ["HS5", "HS9", "HS2", "HS3"]
    first = fam.child(1)
    assert (first.school_code, first.class_name, first.grade, first.school_level) == ("THCS00", "6A1", 6, "THCS")
    assert first.digest_opt_out is True and first.homeroom_teacher is None
    an_child = fam.child(3)
    assert an_child.student_id == an and an_child.given_name_folded == "AN"
    assert an_child.class_id == school["8A2"] and an_child.school_id == school["id"]
    assert an_child.homeroom_teacher == "Tran Thi Lan" and an_child.digest_opt_out is False
    assert fam.child(5) is None and fam.child(0) is None
    # Same answer every time.
    assert families.guardian_by_phone(db, PHONE, TODAY) == fam


def test_last_years_link_gives_no_access(store_builder, db, school):
    b = store_builder
    old_class = b.klass(school["id"], "7A2", grade=7, school_year="2024-2025")
    kid = b.student(old_class, "HS1", "Nguyễn Minh An", school_year="2024-2025")
    b.enroll(kid, school["8A2"], YEAR)
    b.guardian_link(PHONE, kid, school_year="2024-2025")
    # A recycled number: linked last year only.
    assert families.guardian_by_phone(db, PHONE, TODAY) is None
    # Last year it answered, with last year's class.
    last_year = families.guardian_by_phone(db, PHONE, date(2025, 3, 1))
    assert [c.class_name for c in last_year.children] == ["7A2"]


def test_inactive_links_and_other_numbers_are_strangers(store_builder, db, school):
    b = store_builder
    kid = b.student(school["8A2"], "HS1")
    b.guardian_link(PHONE, kid, active=False)
    b.guardian_link("+84987654321", kid)
    assert families.guardian_by_phone(db, PHONE, TODAY) is None
    assert families.guardian_by_phone(db, "+84900000000", TODAY) is None
    assert [c.code for c in families.guardian_by_phone(db, "+84987654321", TODAY).children] == ["HS1"]


# --- terms ----------------------------------------------------------------

@pytest.mark.parametrize("today,expected", [
    ("2025-08-20", 1),   # new school year, before term I: term I
    ("2025-09-05", 1),   # first day of term I
    ("2026-01-15", 1),   # last day of term I
    ("2026-01-16", 1),   # between terms (Tết break): the latest started term
    ("2026-01-19", 2),   # first day of term II
    ("2026-05-25", 2),   # last day of term II
    ("2026-07-10", 2),   # summer, still the 2025-2026 school year
])
def test_current_term(db, school, today, expected):
    term = terms.current_term(db, school["id"], date.fromisoformat(today))
    assert (term.school_year, term.term) == (YEAR, expected)


def test_current_term_dates_and_next_school_year(db, school):
    t1 = terms.current_term(db, school["id"], date(2025, 9, 5))
    assert (t1.starts_on, t1.ends_on) == (date(2025, 9, 5), date(2026, 1, 15))
    # 2026-08-01 starts 2026-2027, which has no terms imported yet: the calendar fallback.
    nxt = terms.current_term(db, school["id"], date(2026, 8, 1))
    assert (nxt.school_year, nxt.term, nxt.starts_on) == ("2026-2027", 1, None)
    assert terms.current_term(db, school["id"], date(2027, 2, 1)).term == 2


def test_term_dates(db, school):
    assert terms.term_dates(db, school["id"], YEAR, 1) == (date(2025, 9, 5), date(2026, 1, 15))
    assert terms.term_dates(db, school["id"], YEAR, 2) == (date(2026, 1, 19), date(2026, 5, 25))
    assert terms.term_dates(db, school["id"], YEAR, 0) == (date(2025, 9, 5), date(2026, 5, 25))
    assert terms.term_dates(db, school["id"], "2026-2027", 1) == (date(2026, 8, 1), date(2027, 1, 15))


# --- subjects -------------------------------------------------------------

def test_subjects_in_report_card_order(db, school):
    subs = subjects.for_grade(db, school["id"], 8)
    assert [s.code for s in subs] == ["TOAN", "VAN", "MYTHUAT", "NN2", "ABC", "ZZZ"]
    art = subs[2]
    assert art.kind is SubjectKind.COMMENT and not art.scored and art.tx_per_term == 2
    assert subs[0].tx_per_term == 4
    assert subjects.for_grade(db, school["id"], 9) == []
    assert subjects.find(db, school["id"], 8, "TOAN") == subs[0]
    assert subjects.find(db, school["id"], 8, "LY") is None


# --- records --------------------------------------------------------------

def test_absences_by_term_and_counts(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.absence(an, "2025-09-05", "S", excused=True, reason="om")
    b.absence(an, "2025-09-05", "C", excused=False)
    b.absence(an, "2026-01-15", "N", excused=False)
    b.absence(an, "2026-01-19", "N", excused=True)
    b.absence(an, "2025-10-01", "N", excused=True, approved=False)
    t1 = records.absences(db, an, YEAR, term=1)
    assert [(a.date.isoformat(), a.session) for a in t1.items] == [
        ("2025-09-05", Session.MORNING), ("2025-09-05", Session.AFTERNOON), ("2026-01-15", Session.DAY)]
    assert (t1.excused, t1.unexcused) == (1, 2)
    assert t1.items[0].reason == "om"
    assert len(records.absences(db, an, YEAR, term=2).items) == 1
    assert len(records.absences(db, an, YEAR).items) == 4
    week = records.absences(db, an, YEAR, start=date(2026, 1, 12), end=date(2026, 1, 18))
    assert [a.date for a in week.items] == [date(2026, 1, 15)]


def test_latest_comments(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.comment(an, "2025-09-10", "Chu y hon")
    b.comment(an, "2025-10-02", "Tien bo", subject="TOAN")
    b.comment(an, "2025-10-05", "Chua duyet", approved=False)
    b.comment(an, "2025-10-03", "Ngoan")
    b.comment(an, "2025-10-03", "Hay phat bieu", subject="VAN")
    got = records.latest_comments(db, an, limit=3)
    assert [c.body for c in got] == ["Hay phat bieu", "Ngoan", "Tien bo"]
    assert got[2].subject_code == "TOAN" and got[1].date == date(2025, 10, 3)


# --- events ---------------------------------------------------------------

def test_upcoming_events_and_announcements(store_builder, db, school):
    b = store_builder
    sid, mine, other = school["id"], school["8A2"], school["8A1"]
    b.event(sid, "2025-10-25", "Thi giua ky", kind="thi", class_id=mine)
    b.event(sid, "2025-10-22", "Hop phu huynh", kind="hop")
    b.event(sid, "2025-10-21", "Lop khac", kind="thi", class_id=other)
    b.event(sid, "2025-10-19", "Da qua", kind="thi")
    b.event(sid, "2025-10-20", "Hom nay", kind="nghi")
    b.event(sid, "2025-10-23", "Chua duyet", kind="thi", approved=False)
    b.event(sid, "2025-10-30", "Thong bao moi", kind="thongbao", approved_at="2025-10-18T01:00:00.000Z")
    b.event(sid, "2025-10-01", "Thong bao cu", kind="thongbao", class_id=mine)
    b.event(sid, "2025-10-02", "Thong bao lop khac", kind="thongbao", class_id=other)
    up = events.upcoming(db, sid, mine, TODAY, limit=5)
    assert [e.title for e in up] == ["Hom nay", "Hop phu huynh", "Thi giua ky"]
    assert up[1].class_id is None and up[2].class_id == mine
    assert [e.title for e in events.upcoming(db, sid, mine, TODAY, limit=2)] == ["Hom nay", "Hop phu huynh"]
    ann = events.announcements(db, sid, mine, limit=3)
    assert [e.title for e in ann] == ["Thong bao moi", "Thong bao cu"]


# --- indexes --------------------------------------------------------------

def test_no_query_scans_a_big_table(store_builder, db, school):
    """Run every public query and check each statement's plan; also an N+1 guard."""
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.guardian_link(PHONE, an)
    full_term(b, an)
    sid = school["id"]
    with statements(db) as seen:
        families.guardian_by_phone(db, PHONE, TODAY)
        terms.current_term(db, sid, TODAY)
        terms.term_dates(db, sid, YEAR, 0)
        subjects.for_grade(db, sid, 8)
        subjects.find(db, sid, 8, "TOAN")
        grades.subject_report(db, an, TOAN, YEAR, 1)
        grades.subject_report(db, an, TOAN, YEAR, 0)
        grades.term_reports(db, an, sid, 8, YEAR, 1)
        grades.term_reports(db, an, sid, 8, YEAR, 0)
        results.learning_result(db, an, sid, 8, YEAR, 1)
        results.conduct(db, an, YEAR, 0)
        records.absences(db, an, YEAR, term=1)
        records.latest_comments(db, an)
        events.upcoming(db, sid, school["8A2"], TODAY, 5)
        events.announcements(db, sid, school["8A2"], 3)
        news.approved_between(db, sid, AFTER, UNTIL)
        news.approved_between(db, sid, None, UNTIL)
    assert len(seen) > 20
    assert full_scans(db, seen) == []


def test_full_scan_check_can_fail(db):
    # The checker itself must catch a scan, or the test above proves nothing.
    assert full_scans(db, ["SELECT * FROM grades WHERE value = '8'"])
    assert full_scans(db, ["SELECT * FROM grades WHERE status = 'approved'"])


def test_no_term_average_while_a_required_tx_is_missing(db, store_builder, school):
    """TT22: 70 periods a year means 3 TX a term; with 2 approved the term has no result yet."""
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.scores(an, "TOAN", ["8", "9"], "8", "9")
    assert grades.subject_report(db, an, TOAN, YEAR, 1).average is None
    b.grade(an, "TOAN", "7", kind="TX", seq=3)
    # (8 + 9 + 7 + 2*8 + 3*9) / (3 + 5) = 67 / 8 = 8.375 -> 8.4
    assert grades.subject_report(db, an, TOAN, YEAR, 1).average == Decimal("8.4")
