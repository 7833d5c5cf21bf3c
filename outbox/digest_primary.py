"""The primary (TT27) lines of the evening digest: new approved levels, test scores, comments, year-end results.

The digest builder asks a source for each child's extra lines; this one
reads store.primary.news once per run. Levels only: never an average, a
rank or a comparison.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from store.primary import news as primary_news
from store.primary.assessments import quality_clause
from store.rules.tt27 import POINTS, quality_name, rated_qualities
from store.school.subjects import sort_key


@dataclass
class PrimarySource:
    """The primary news of one school and window; ``lines(student_id)`` gives a child's digest lines."""

    by_student: dict[int, primary_news.PrimaryNews]

    def students(self) -> set[int]:
        """The children with news in the window (any other has no lines)."""
        return set(self.by_student)

    def lines(self, student_id: int) -> list[str]:
        """'Đánh giá CK1: TV T 9, TOAN T 10 (sửa)', 'PC, NL CK1: đều Tốt', 'NX TOAN: …', 'Cuối năm: …'."""
        news = self.by_student.get(student_id)
        if news is None:
            return []
        out = []
        by_point = defaultdict(list)
        for m in news.marks:
            by_point[m.point].append(m)
        for point in POINTS:
            marks = sorted(by_point.get(point, []), key=lambda m: sort_key(m.subject_code, 1))
            if marks:
                shown = ", ".join(f"{m.subject_code} {m.level.value}{'' if m.score is None else ' ' + str(m.score)}"
                                  f"{' (sửa)' if m.corrected else ''}" for m in marks)
                out.append(f"Đánh giá {point.value}: {shown}")
            if news.qualities.get(point):
                out.append(f"PC, NL {point.value}: {_qualities(news.qualities[point], news.grade)}")
        for m in news.marks:
            if m.comment:
                out.append(f"NX {m.subject_code}: {m.comment.rstrip('. ')}")
        if news.result:
            result, award = news.result
            out.append(f"Cuối năm: {_year(news)}{'; khen thưởng ' + award.label if award else ''}")
        return out

    def summary(self, student_id: int) -> str:
        """The same news in a few words, when the detail would not fit one part: levels counted per point."""
        news = self.by_student.get(student_id)
        if news is None:
            return ""
        by_point = defaultdict(list)
        for m in news.marks:
            by_point[m.point].append(m)
        parts = [f"{point.value} {_counts(by_point[point])}" for point in POINTS if by_point.get(point)]
        out = f"Đánh giá {'; '.join(parts)}" if parts else ""
        if news.result:
            result, award = news.result
            out += ("; " if out else "") + f"Cuối năm: {_year(news)}{'; khen thưởng ' + award.label if award else ''}"
        return out or "Đánh giá mới"


def _year(news) -> str:
    """'Hoàn thành tốt', marked tạm tính when computed for a commendation round (SPEC §10)."""
    return news.result[0].label + (" (tạm tính)" if news.result_provisional else "")


def _qualities(levels: dict, grade: int | None) -> str:
    """Every rated quality of the point: one clause ('đều Tốt'); only some (a correction): each by name,
    since 'đều Đạt' over the one that changed would say the others are Đạt too."""
    if grade is not None and set(levels) >= set(rated_qualities(grade)):
        return quality_clause(levels)
    return ", ".join(f"{quality_name(code)} {level.label}" for code, level in levels.items())


def _counts(marks) -> str:
    levels = defaultdict(int)
    for m in marks:
        levels[m.level.value] += 1
    return ", ".join(f"{n} môn {level}" for level, n in sorted(levels.items(), key=lambda kv: "THC".index(kv[0])))


def source(db: sqlite_utils.Database, school_id: int, after_utc: str | None, until_utc: str) -> PrimarySource:
    """The primary digest source of one run (three queries for the whole school)."""
    return PrimarySource(primary_news.approved_between(db, school_id, after_utc, until_utc))
