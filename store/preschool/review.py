"""The review specs of the kindergarten tables: daily notes, weighings, stage assessments."""
from __future__ import annotations

from store.review.spec import YEAR_OF_DATE, per_student

from store.rules import preschool as rules


def _note(values: tuple) -> str:
    """'2026-03-10 ăn ít; ngủ ngon; nhắc: bỉm, tã'."""
    day, present, an, ngu, nhac, remark = values
    parts = ["vắng"] if not present else [f"ăn {an}", f"ngủ {ngu}"]
    parts += [f"nhắc: {nhac.replace(';', ', ')}"] * bool(nhac) + [remark] * bool(remark)
    return f"{day} " + "; ".join(parts)


def _growth(values: tuple) -> str:
    """'2026-03-10 15,2 kg, 101 cm'."""
    day, weight, height = values
    return f"{day} {weight:g} kg, {height:g} cm"


def _assessment(values: tuple) -> str:
    dot, domain, level, comment = values
    return f"{dot} {rules.DOMAINS[domain]}: {rules.LEVELS[level]}{': ' + comment if comment else ''}"


DAILY_NOTES = per_student("daily_notes", "Nhật ký mầm non", YEAR_OF_DATE,
                          "t.date, t.present, t.an, t.ngu, t.nhac, t.nhan_xet", _note)
GROWTH = per_student("growth_measurements", "Cân đo (mầm non)", YEAR_OF_DATE, "t.date, t.weight_kg, t.height_cm",
                     _growth)
ASSESSMENTS = per_student("preschool_assessments", "Đánh giá giai đoạn (mầm non)", "t.school_year",
                          "t.dot, t.domain, t.level, t.comment", _assessment)
