"""The review specs of the tables every school has: TT22 grades, conduct and results, absences, comments, events."""
from __future__ import annotations

from store.rules.periods import Semester
from store.review.spec import YEAR_OF_DATE, ReviewSpec, per_student


def _grade(values: tuple) -> str:
    t, k, seq, value = values
    return f"{Semester(t).short} {k}{seq if k == 'TX' else ''}: {value}"


def _absence(values: tuple) -> str:
    day, session, excused, reason = values
    return f"Vắng {day} buổi {session} ({'có phép' if excused else 'không phép'}){': ' + reason if reason else ''}"


def _comment(values: tuple) -> str:
    day, subject, body = values
    return f"{day} {subject or 'GVCN'}: {body}"


def _event(values: tuple) -> str:
    day, ev_kind, title, body = values
    return f"{day} [{ev_kind}] {title}{' — ' + body if body else ''}"


GRADES = per_student("grades", "Điểm", "t.school_year", "t.term, t.kind, t.seq, t.value", _grade,
                     subject="t.subject_code", corrected="t.corrected")
CONDUCT = per_student("conduct", "Rèn luyện", "t.school_year", "t.term, t.rating",
                      lambda v: f"Rèn luyện {Semester(v[0]).short}: {v[1]}")
ATTENDANCE = per_student("attendance", "Chuyên cần", YEAR_OF_DATE, "t.date, t.session, t.excused, t.reason", _absence)
COMMENTS = per_student("comments", "Nhận xét", YEAR_OF_DATE, "t.date, t.subject_code, t.body", _comment,
                       subject="t.subject_code")
EVENTS = ReviewSpec("events", "Sự kiện / thông báo", "t.school_id", "t.class_id", "''", "0",
                    "events t LEFT JOIN classes c ON c.id = t.class_id", "t.date, t.kind, t.title, t.body", _event,
                    per_student=False)
RESULTS = per_student("results", "Kết quả học tập", "t.school_year", "t.term, t.learning",
                      lambda v: f"Học tập {Semester(v[0]).short}: {v[1] or '-'}")
