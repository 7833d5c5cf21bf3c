"""A weighing (cân đo): kg and cm as typed, checked against the WHO tables.

The `cando` import and the teacher's web form (store.preschool.growth_entry) check a
measurement the same way, so a value refused in a file is refused on the page too.
"""
from __future__ import annotations

import re
from datetime import date

from . import growth
from store.rules.preschool import InvalidValue

WEIGHT_KG = (1, 60)
HEIGHT_CM = (40, 150)


def measure(raw, what: str, unit: str, low: float, high: float) -> float:
    """'12,5', '12.5 kg', 12.5 -> 12.5 within [low, high]; InvalidValue naming ``what`` else."""
    shown = str(raw if raw is not None else "").strip()
    text = shown.lower().replace(unit, "").strip().replace(",", ".")
    if not text:
        raise InvalidValue(f"thiếu {what}")
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", text):
        raise InvalidValue(f"{what} '{shown}' không phải số ({unit}, ví dụ 12,5)")
    value = float(text)
    if not low <= value <= high:
        raise InvalidValue(f"{what} {value:g} {unit} không hợp lý (từ {low:g} đến {high:g} {unit})")
    return value


def check(sex: str | None, born: str | None, code: str, day: date, weight_raw, height_raw) -> tuple[float, float]:
    """(kg, cm) of one child's measurement on ``day``; InvalidValue with the reason in Vietnamese."""
    weight = measure(weight_raw, "cân nặng", "kg", *WEIGHT_KG)
    height = measure(height_raw, "chiều cao", "cm", *HEIGHT_CM)
    if not born:
        raise InvalidValue(f"trẻ {code} chưa có ngày sinh (cột ngay_sinh của danh sách học sinh)")
    growth.classify(sex, date.fromisoformat(born), day, weight, height)
    return weight, height
