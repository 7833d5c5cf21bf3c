"""A child of one school level enrolled in a year, with every refusal in Vietnamese (primary and kindergarten kinds)."""
from __future__ import annotations

from typing import Callable

from store.school import levels

from .base import Context, Student
from .errors import OutsideSchool, RowRejected


def student_of_level(ctx: Context, code: str, year: str, *, noun: str, accepts: Callable[[int], bool],
                     level_name: str) -> Student:
    """The ``noun`` ('học sinh', 'trẻ') ``code`` enrolled in ``year`` in a khối ``accepts`` takes; RowRejected else."""
    if not code:
        raise RowRejected("thiếu mã học sinh")
    try:
        student = ctx.student(code, year)
    except OutsideSchool as e:
        raise OutsideSchool(f"{noun} {code} thuộc trường {e.school}, không phải {e.allowed}", e.school,
                            e.allowed) from e
    except RowRejected as e:
        if ctx.one("SELECT 1 FROM students WHERE code = ?", (code,)) is None:
            raise RowRejected(f"không có {noun} mã {code}") from e
        raise RowRejected(f"{noun} {code} không học năm học {year}") from e
    if not accepts(student.grade):
        raise RowRejected(f"học sinh {code} học khối {levels.khoi_label(student.grade)}, không phải {level_name}")
    return student
