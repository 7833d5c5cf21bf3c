"""The review specs of the TT27 tables: subject assessments, qualities and competences, the year's result."""
from __future__ import annotations

from store.review.spec import per_student

from store.rules import tt27


def _assessment(values: tuple) -> str:
    """'CK1 mức T, KTĐK 9: Tính nhanh'."""
    point, level, score, comment = values
    return f"{point} mức {level}{'' if score is None else f', KTĐK {score}'}{': ' + comment if comment else ''}"


def _quality(values: tuple) -> str:
    """'CK1 Chăm chỉ: Đạt'."""
    point, code, level = values
    return f"{point} {tt27.quality_name(code)}: {tt27.QualityLevel(level).label}"


def _result(values: tuple) -> str:
    """'Hoàn thành tốt', with its award."""
    result, award, computed = values
    return (tt27.YearResult(result).label + (" (tạm tính)" if computed else "")
            + (f", {tt27.Commendation(award).label}" if award else ""))


ASSESSMENTS = per_student("primary_assessments", "Đánh giá tiểu học", "t.school_year",
                          "t.point, t.level, t.score, t.comment", _assessment, subject="t.subject_code",
                          corrected="t.corrected")
QUALITIES = per_student("primary_qualities", "Phẩm chất, năng lực", "t.school_year", "t.point, t.code, t.level",
                        _quality, corrected="t.corrected")
RESULTS = per_student("primary_results", "Kết quả cuối năm (tiểu học)", "t.school_year", "t.result, t.commendation, t.computed",
                      _result)
