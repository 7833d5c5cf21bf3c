"""The store queries behind DIEM, KQ and the digest news: grades, learning results, the news window (real SQLite files)."""

from __future__ import annotations

from decimal import Decimal

from store.secondary import grades, news, results
from store.school.records import Session
from store.school.subjects import Subject
from store.rules.tt22 import Level, Mark, SubjectKind

from .fixtures_queries import AFTER, TOAN, UNTIL, YEAR, full_term, statements


# --- grades ---------------------------------------------------------------

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


def test_learning_result_provisional_until_official(store_builder, db, school):
    b = store_builder
    an = b.student(school["8A2"], "HS1")
    full_term(b, an)
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
    full_term(b, an)
    db.execute("DELETE FROM grades WHERE subject_code = 'MYTHUAT' AND kind = 'CK'")
    res = results.learning_result(db, an, school["id"], 8, YEAR, 1)
    assert (res.level, res.provisional) == (None, False)


def test_year_learning_result_from_year_averages(store_builder, db, school):
    b = store_builder
    b.subject(school["id"], "LY", grade=8)
    an = b.student(school["8A2"], "HS1")
    full_term(b, an, term=1, value="9", art="CD")
    full_term(b, an, term=2, value="7")
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


# --- news (digest) --------------------------------------------------------


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
