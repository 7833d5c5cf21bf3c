"""The printable phiếu liên lạc of a primary pupil (TT27), for web/printing.py: per subject its level and test
score at each point of the term asked, the qualities and competences per point, and at CN the year-end result
with its reason. Levels, never an average or a rank; the same approved data as KQ and the parents' page.
"""
from __future__ import annotations

import sqlite_utils

from store.primary import assessments as pa
from store.rules import tt27
from store.rules.periods import Semester
from store.rules.tt27 import Point
from store.school import records

from web import report_card

POINTS_OF_TERM = {Semester.HK1: (Point.GK1, Point.CK1), Semester.HK2: (Point.GK2, Point.CN),
                  Semester.YEAR: tuple(tt27.POINTS)}
POINT_TITLES = {Point.GK1: "Giữa HK I", Point.CK1: "Cuối HK I", Point.GK2: "Giữa HK II", Point.CN: "Cuối năm"}
POINT_WORDS = {Point.GK1: "giữa học kì I", Point.CK1: "cuối học kì I", Point.GK2: "giữa học kì II",
               Point.CN: "cuối năm"}


def _cell(mark: pa.Mark | None) -> str:
    """'T · KTĐK 9', 'H', or '' before the point is assessed."""
    if mark is None:
        return ""
    return mark.level.value + ("" if mark.score is None else f" · KTĐK {mark.score}")


def outcome_line(outcome: pa.YearOutcome) -> str:
    """'Kết quả cuối năm: Hoàn thành (tạm tính): 1 môn mức H (Âm nhạc) nên chưa đạt HT tốt, HT xuất sắc.'"""
    if outcome.result is None:
        missing = f" (còn thiếu: {', '.join(outcome.missing)})" if outcome.missing else ""
        return f"Kết quả cuối năm: chưa đủ đánh giá{missing}."
    text = outcome.result.label + (" (tạm tính)" if outcome.provisional else "")
    text += f": {outcome.reason}." if outcome.reason else "."
    if outcome.commendation:
        text += f" Khen thưởng: {outcome.commendation.label}."
    return f"Kết quả cuối năm: {text}"


def card(db: sqlite_utils.Database, row, year: str, term: int) -> report_card.Card:
    """One primary pupil's page for ``term`` (1: GK1, CK1; 2: GK2, CN; 0: the four points and the year)."""
    sid, code, name, _, class_name, grade, homeroom, school_id, school, _level = row
    points = POINTS_OF_TERM[Semester(term)]
    marks = pa.subject_marks(db, sid, school_id, grade, year)
    quals = pa.qualities(db, sid, year)
    rows = [(m.subject.name, *(_cell(m.at(p)) for p in points)) for m in marks]
    lines = [f"Phẩm chất, năng lực {POINT_WORDS[p]}: {pa.quality_clause(quals.get(p, {}), grade)}"
             for p in points]
    if Point.CN in points:
        lines.append(outcome_line(pa.year_outcome(db, sid, grade, year, marks, quals)))
    comments = [f"{POINT_TITLES[c.point]} · {tt27.subject_name(c.subject_code)}: {c.body}"
                for p in reversed(points) for c in pa.point_comments(marks, p)][:6]
    absences = records.absences(db, sid, year, term)
    return report_card.Card(school, year, term, name, code, class_name, homeroom, rows, "", "", absences.excused,
                            absences.unexcused, comments, head=("Môn học và hoạt động",
                                                                *(POINT_TITLES[p] for p in points)),
                            lines=tuple(lines))
