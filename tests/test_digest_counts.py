"""The grades source counts a page's new scores in one row a student (BY_STUDENT) and takes each distinct
text apart once: the same subjects, counts and complete terms as the per-subject rows (COUNTS) give."""
from __future__ import annotations

from outbox import digest
from outbox.digest_sources import Grades, Window, subjects_of
from store.core.clock import iso, school_year_of, utcnow

from .test_digest import DAY1, school_id


def _page(db, sid):
    return next(digest.pages(db, sid, school_year_of(DAY1), 1000))[0]


def _window(db, sid):
    return Window(sid, "", iso(utcnow()), DAY1, subjects_of(db, sid))


def test_one_row_a_student_counts_what_the_rows_per_subject_count(school_db):
    sid = school_id(school_db)
    page, w = _page(school_db, sid), _window(school_db, sid)
    grades = Grades()
    counted, rows = grades._counts(school_db, w, page), grades._count_rows(school_db, w, page)
    assert counted.keys() == rows.keys() and len(counted) == len(page.student_ids)
    for student, c in counted.items():
        assert (c.subjects, c.new, c.complete) == (rows[student].subjects, rows[student].new, rows[student].complete)
    assert any(c.complete for c in counted.values()) and all(c.new for c in counted.values())
    assert len({id(c) for c in counted.values()}) < len(counted), "classmates with the same counts share one"


def test_a_subject_of_two_school_years_keeps_the_rows_order(school_db):
    sid = school_id(school_db)
    page, w = _page(school_db, sid), _window(school_db, sid)
    student = page.student_ids[0]
    year = school_year_of(DAY1)
    earlier = f"{int(year[:4]) - 1}-{year[:4]}"
    school_db.execute("INSERT INTO grades (student_id, subject_code, school_year, term, kind, seq, value, status, "
                      "entered_at, approved_at) SELECT student_id, subject_code, ?, term, kind, seq, value, status, "
                      "entered_at, approved_at FROM grades WHERE student_id = ? AND subject_code = 'TOAN'",
                      [earlier, student])
    grades = Grades()
    c, rows = grades._counts(school_db, w, page)[student], grades._count_rows(school_db, w, page)[student]
    assert c.subjects == rows.subjects and [s[0] for s in c.subjects].count("TOAN") == 2 * len(
        {s[1] for s in c.subjects if s[0] == "TOAN"})


def test_a_separator_inside_a_subject_code_falls_back_to_the_rows(school_db):
    sid = school_id(school_db)
    page, w = _page(school_db, sid), _window(school_db, sid)
    student = page.student_ids[1]
    school_db.execute("UPDATE grades SET subject_code = 'A' || char(30) || 'B' WHERE student_id = ? "
                      "AND subject_code = 'VAN'", [student])
    grades = Grades()
    counted, rows = grades._counts(school_db, w, page), grades._count_rows(school_db, w, page)
    assert [(s, c.subjects) for s, c in counted.items()] == [(s, c.subjects) for s, c in rows.items()]
    assert "A\x1eB" in [code for code, *_ in counted[student].subjects]


def test_several_approvals_of_one_subject_are_summed_and_only_the_new_ones_counted_new(school_db):
    """A subject's scores approved at two times (a class's import, then a teacher's later scores): the text has a
    record an approval; counted per subject they give what the rows grouped per subject give."""
    sid = school_id(school_db)
    page = _page(school_db, sid)
    student = page.student_ids[2]
    before = school_db.execute("SELECT max(approved_at) FROM grades").fetchone()[0]
    later = "9" + before[1:]            # after every approval of the fixture, before until
    school_db.execute("UPDATE grades SET approved_at = ? WHERE student_id = ? AND subject_code = 'TOAN' "
                      "AND kind = 'TX' AND seq = 1", [later, student])
    w = Window(sid, before, "9999", DAY1, subjects_of(school_db, sid))
    grades = Grades()
    counted, rows = grades._counts(school_db, w, page), grades._count_rows(school_db, w, page)
    assert list(counted) == [student] == list(rows)
    c = counted[student]
    assert (c.subjects, c.new, c.complete) == (rows[student].subjects, rows[student].new, rows[student].complete)
    toan = [s for s in c.subjects if s[0] == "TOAN"]
    assert [s[2] for s in toan] == [1], "one new score; the subject's other cells count towards complete only"
    every = Grades()._counts(school_db, Window(sid, "", "9999", DAY1, subjects_of(school_db, sid)), page)[student]
    assert [s[3] for s in every.subjects if s[0] == "TOAN"] == [s[3] for s in toan], "complete as with all new"


def test_a_count_too_large_for_its_place_falls_back_to_the_rows(school_db):
    """The lists pack term, new, cells and exams in one integer of 2^20 a place: a tally of 2^20 cells (never
    seen, but not refused) would spill into the next place, so the page is counted row by row instead."""
    from outbox.digest_sources import PACK
    sid = school_id(school_db)
    page, w = _page(school_db, sid), _window(school_db, sid)
    student = page.student_ids[3]
    school_db.execute("UPDATE grade_tallies SET cells = cells + ? WHERE student_id = ? AND subject_code = "
                      "(SELECT min(subject_code) FROM grade_tallies WHERE student_id = ?)", [PACK, student, student])
    grades = Grades()
    counted, rows = grades._counts(school_db, w, page), grades._count_rows(school_db, w, page)
    assert [(s, c.subjects) for s, c in counted.items()] == [(s, c.subjects) for s, c in rows.items()]
    assert any(s[2] > PACK for s in counted[student].subjects), "the large count itself, not a spilled one"
