"""The store queries the SMS commands and the digest use, on real SQLite files."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest

from store.school import events, families, records, subjects, terms
from store.secondary import grades, news, results
from store.school.records import Session
from store.school.subjects import Subject
from store.rules.tt22 import Level, Mark, SubjectKind

YEAR = "2025-2026"
TODAY = date(2025, 10, 20)
PHONE = "+84912345678"


@contextmanager
def statements(db):
    """Collect every SQL statement (values expanded) run on ``db`` inside the block."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.conn.set_trace_callback(None)


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


@pytest.fixture
def school(store_builder):
    """A THCS school with terms, a grade-8 subject list, two classes and a family."""
    b = store_builder
    sid = b.school("THCS01")
    b.term(sid, 1, "2025-09-05", "2026-01-15")
    b.term(sid, 2, "2026-01-19", "2026-05-25")
    c8a2 = b.klass(sid, "8A2", grade=8, homeroom_teacher="Tran Thi Lan")
    c8a1 = b.klass(sid, "8A1", grade=8, homeroom_teacher="Le Van Hung")
    for code in ("NN2", "MYTHUAT", "TOAN", "ZZZ", "ABC", "VAN"):
        kind = "nhanxet" if code == "MYTHUAT" else "diem"
        b.subject(sid, code, grade=8, kind=kind, periods=35 if code == "MYTHUAT" else 105)
    return {"id": sid, "8A2": c8a2, "8A1": c8a1}


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


# --- grades ---------------------------------------------------------------

TOAN = Subject("TOAN", "Toan", SubjectKind.SCORED, 70)      # 3 TX a term
ART = Subject("MYTHUAT", "Mythuat", SubjectKind.COMMENT, 35)


def test_subject_report_approved_scores_in_stt_order(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.grade(an, "TOAN", "9", kind="TX", seq=3)
    b.grade(an, "TOAN", "8", kind="TX", seq=1)
    b.grade(an, "TOAN", "7.5", kind="TX", seq=2, corrected=True)
    b.grade(an, "TOAN", "1", kind="TX", seq=4, approved=False)     # pending: never shown
    b.grade(an, "TOAN", "8", kind="GK")
    b.grade(an, "TOAN", "2", kind="CK", approved=False)

    rep = grades.subject_report(db, an, TOAN, YEAR, 1)
    assert rep.tx == (Decimal("8"), Decimal("7.5"), Decimal("9"))
    assert rep.gk == Decimal("8") and rep.ck is None
    assert rep.corrected is True and rep.average is None and rep.has_scores

    db.execute("UPDATE grades SET value = '7.5', status = 'approved' WHERE kind = 'CK'")
    # (8 + 7.5 + 9 + 2*8 + 3*7.5) / 8 = 63 / 8 = 7.875 -> 7.9
    assert grades.subject_report(db, an, TOAN, YEAR, 1).average == Decimal("7.9")
    assert grades.subject_report(db, an, TOAN, YEAR, 2).has_scores is False


def test_year_report_uses_recorded_term_averages(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    # Term I: (6+6+6 + 2*7 + 3*6) / 8 = 50 / 8 = 6.25 -> 6.3
    b.scores(an, "TOAN", ["6", "6", "6"], "7", "6", term=1)
    # Term II: (7+7+7 + 2*6.5 + 3*8) / 8 = 58 / 8 = 7.25 -> 7.3
    b.scores(an, "TOAN", ["7", "7", "7"], "6.5", "8", term=2)
    rep = grades.subject_report(db, an, TOAN, YEAR, 0)
    assert (rep.term1, rep.term2) == (Decimal("6.3"), Decimal("7.3"))
    # (6.3 + 2*7.3) / 3 = 20.9 / 3 = 6.966… -> 7.0 (unrounded terms would give 6.9)
    assert rep.average == Decimal("7.0") and rep.result == Decimal("7.0")
    assert rep.tx == () and [p.term for p in rep.parts] == [1, 2]


def test_comment_subject_report(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.scores(an, "MYTHUAT", ["D", "D"], "D", "D", term=1)
    b.scores(an, "MYTHUAT", ["D", "CD"], "D", "D", term=2)
    t1 = grades.subject_report(db, an, ART, YEAR, 1)
    assert t1.tx == (Mark.D, Mark.D) and t1.mark is Mark.D and t1.average is None and t1.result is Mark.D
    year = grades.subject_report(db, an, ART, YEAR, 0)
    assert (year.term1, year.term2, year.mark) == (Mark.D, Mark.CD, Mark.CD)


def test_term_reports_every_subject_in_two_queries(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.scores(an, "TOAN", ["8", "9", "8", "9"], "8", "9")
    b.scores(an, "VAN", ["6"], "5", None)
    b.scores(an, "TOAN", ["1", "1"], "1", "1", term=2)
    with statements(db) as seen:
        reps = grades.term_reports(db, an, school["id"], 8, YEAR, 1)
    assert len(seen) == 2
    assert [r.subject.code for r in reps] == ["TOAN", "VAN", "MYTHUAT", "NN2", "ABC", "ZZZ"]
    # TOAN: (34 + 16 + 27) / 9 = 77 / 9 = 8.555… -> 8.6 (4 TX: 105 periods a year)
    assert reps[0].average == Decimal("8.6")
    assert reps[1].tx == (Decimal("6"),) and reps[1].average is None
    assert not reps[2].has_scores and reps[2].mark is None


# --- results --------------------------------------------------------------

def _full_term(b, student, term=1, value="8", art="D"):
    for code in ("TOAN", "VAN", "NN2", "ABC", "ZZZ"):
        b.scores(student, code, [value, value, value, value], value, value, term=term)
    b.scores(student, "MYTHUAT", [art, art], art, art, term=term)


def test_learning_result_provisional_until_official(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    _full_term(b, an)
    res = results.learning_result(db, an, school["id"], 8, YEAR, 1)
    # Only 5 scored subjects in this test school: 6 at ≥ 5.0 is impossible -> Chưa đạt (computed).
    assert (res.level, res.provisional) == (Level.CD, True)
    b.subject(school["id"], "LY", grade=8)
    b.scores(an, "LY", ["8", "8", "8", "8"], "8", "8")
    res = results.learning_result(db, an, school["id"], 8, YEAR, 1)
    assert (res.level, res.provisional) == (Level.T, True)
    assert [r.subject.code for r in res.reports][:3] == ["TOAN", "VAN", "LY"]

    b.result(an, 1, "K", approved=False)   # pending: not official yet
    assert results.learning_result(db, an, school["id"], 8, YEAR, 1).provisional is True
    db.execute("UPDATE results SET status = 'approved' WHERE student_id = ?", [an])
    res = results.learning_result(db, an, school["id"], 8, YEAR, 1)
    assert (res.level, res.provisional) == (Level.K, False)


def test_learning_result_waits_for_missing_subjects(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    _full_term(b, an)
    db.execute("DELETE FROM grades WHERE subject_code = 'MYTHUAT' AND kind = 'CK'")
    res = results.learning_result(db, an, school["id"], 8, YEAR, 1)
    assert (res.level, res.provisional) == (None, False)


def test_year_learning_result_from_year_averages(store_builder, db, school):
    b = store_builder
    b.subject(school["id"], "LY", grade=8)
    an = b.student(school["8A2"], "HS1")
    _full_term(b, an, term=1, value="9", art="CD")
    _full_term(b, an, term=2, value="7")
    for t, v in ((1, "9"), (2, "7")):
        b.scores(an, "LY", [v] * 4, v, v, term=t)
    reps = grades.term_reports(db, an, school["id"], 8, YEAR, 0)
    # (9 + 2*7) / 3 = 7.666… -> 7.7 in every scored subject; art follows term II (Đ) -> Khá
    assert {r.average for r in reps if r.subject.scored} == {Decimal("7.7")}
    res = results.learning_result(db, an, school["id"], 8, YEAR, 0, reports=reps)
    assert (res.level, res.provisional) == (Level.K, True)


def test_conduct_terms_and_year(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    assert results.conduct(db, an, YEAR, 1).level is None
    b.conduct(an, 1, "K")
    b.conduct(an, 2, "T")
    assert results.conduct(db, an, YEAR, 1) == results.ConductResult(YEAR, 1, Level.K, False)
    year = results.conduct(db, an, YEAR, 0)
    assert (year.level, year.provisional) == (Level.T, True)
    b.conduct(an, 0, "K", approved=False)
    assert results.conduct(db, an, YEAR, 0).provisional is True
    db.execute("UPDATE conduct SET status = 'approved' WHERE term = 0")
    assert results.conduct(db, an, YEAR, 0) == results.ConductResult(YEAR, 0, Level.K, False)


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


# --- news (digest) --------------------------------------------------------

AFTER = "2025-10-20T10:00:00.000Z"
UNTIL = "2025-10-21T10:00:00.000Z"


def test_news_window_grouped_by_student(store_builder, db, school):
    b = store_builder
    sid = school["id"]
    an = b.student(school["8A2"], "HS1")
    binh = b.student(school["8A1"], "HS2", "Lê Văn Bình")
    far = b.student(b.klass(b.school("THCS99"), "9A1", grade=9), "HS3")
    inside = "2025-10-21T03:00:00.000Z"
    b.grade(an, "TOAN", "8", kind="TX", seq=2, approved_at=inside)
    b.grade(an, "TOAN", "7", kind="TX", seq=1, approved_at=UNTIL, corrected=True)  # the bound is in
    b.grade(an, "VAN", "5", approved_at=AFTER)                                      # previous digest's
    b.grade(an, "ANH", "9", approved=False)
    b.grade(far, "TOAN", "9", approved_at=inside)                                   # another school
    b.comment(binh, "2025-10-21", "Tien bo", approved_at=inside)
    b.absence(an, "2025-10-21", "S", excused=False, approved_at=inside)
    b.absence(binh, "2025-10-21", "S", approved=False)
    b.conduct(binh, 1, "T", approved_at=inside)
    b.event(sid, "2025-10-30", "Thi", class_id=school["8A2"], approved_at=inside)
    b.event(sid, "2025-10-31", "Nghi le", kind="nghi", approved_at=inside)
    b.event(sid, "2025-11-01", "Khac lop", class_id=school["8A1"], approved_at=inside)
    b.event(sid, "2025-11-02", "Cu", approved_at=AFTER)

    with statements(db) as seen:
        got = news.approved_between(db, sid, AFTER, UNTIL)
    assert len(seen) == 5

    assert sorted(got.students) == [an, binh]
    mine = got.for_child(an, school["8A2"])
    assert [(g.subject_code, g.seq, g.value, g.corrected) for g in mine.grades] == [
        ("TOAN", 1, Decimal("7"), True), ("TOAN", 2, Decimal("8"), False)]
    assert [(a.session, a.excused) for a in mine.absences] == [(Session.MORNING, False)]
    assert mine.comments == () and mine.conduct == ()
    assert [e.title for e in mine.events] == ["Thi", "Nghi le"]
    theirs = got.for_child(binh, school["8A1"])
    assert [c.body for c in theirs.comments] == ["Tien bo"]
    assert [(c.term, c.level) for c in theirs.conduct] == [(1, Level.T)]
    assert [e.title for e in theirs.events] == ["Nghi le", "Khac lop"]
    # A child with nothing of their own still sees the whole school's events; nothing at all is empty.
    assert [e.title for e in got.for_child(999, None).events] == ["Nghi le"]
    assert news.approved_between(db, sid, UNTIL, "2025-10-22T10:00:00.000Z").for_child(an, school["8A2"]).empty


def test_news_from_the_start(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.grade(an, "TOAN", "8", approved_at="2025-09-10T03:00:00.000Z")
    assert len(news.approved_between(db, school["id"], None, UNTIL).students[an].grades) == 1


# --- indexes --------------------------------------------------------------

def test_no_query_scans_a_big_table(store_builder, db, school):
    """Run every public query and check each statement's plan; also an N+1 guard."""
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    b.guardian_link(PHONE, an)
    _full_term(b, an)
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
