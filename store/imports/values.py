"""Parsing the cell values coordinators really have: dates, scores, terms, phones, codes.

Every parser takes a raw cell (str, int, float, datetime or None) and returns
the stored form, or raises RowRejected with a reason naming the value.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from store.school import phones
from store.rules.periods import PeriodError, Semester
from store.core.text import fold
from store.school.subjects import ALIAS_TO_CODE

from .errors import RowRejected
from .labels import label, quoted

# Excel's day 0 (the 1900 date system, including Lotus' 1900-02-29 bug).
_EXCEL_EPOCH = date(1899, 12, 30)
# Serials between 1955 and 2100: anything else is not a school date.
_SERIAL_MIN, _SERIAL_MAX = 20090, 73415

# Subject codes people type, mapped to the canonical codes of SPEC §4.
SUBJECT_ALIASES = ALIAS_TO_CODE


def text(value) -> str:
    """A cell as stripped text; Excel's 123.0 for a typed code becomes '123'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def key(value) -> str:
    """Fold accents and case and drop separators: 'Học kỳ I' -> 'HOCKYI'."""
    return re.sub(r"[^0-9A-Z]", "", fold(text(value)).upper())


def required(value, column: str) -> str:
    """The text of a cell that must not be empty."""
    t = text(value)
    if not t:
        raise RowRejected(f"thiếu {label(column)}")
    return t


def parse_date(value, column: str = "date") -> str:
    """yyyy-mm-dd, dd/mm/yyyy (also - and .), an Excel serial or a date cell -> 'YYYY-MM-DD'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(value, column)
    t = text(value)
    if not t:
        raise RowRejected(f"thiếu {label(column)}")
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", t):
            y, m, d = (int(p) for p in t.split("-"))
            return date(y, m, d).isoformat()
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", t)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        # A typed date time from some exports: '2026-09-05 00:00:00'.
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2})?", t)
        if m:
            return date.fromisoformat(m.group(1)).isoformat()
    except ValueError as e:
        raise RowRejected(f"{label(column)} {quoted(t)} không có trong lịch (dùng dd/mm/yyyy)") from e
    if re.fullmatch(r"\d{5}(\.0+)?", t):
        return _from_serial(float(t), column)
    raise RowRejected(f"{label(column)} {quoted(t)} không đúng (dùng dd/mm/yyyy)")


def _from_serial(serial: float, column: str) -> str:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise RowRejected(f"{label(column)} {quoted(text(serial))} không phải ngày (dùng dd/mm/yyyy)")
    return (_EXCEL_EPOCH + timedelta(days=int(serial))).isoformat()


COMMENT_VALUES = {"D": "D", "DAT": "D", "CD": "CD", "CHUADAT": "CD"}


def parse_score(value, subject_kind: str, column: str = "diem") -> str:
    """A score as stored: canonical decimal text ('8', '7.5') or 'D'/'CD' for comment subjects."""
    t = text(value)
    name = label(column)
    if not t:
        raise RowRejected(f"thiếu {name}")
    folded = key(t)
    if folded in COMMENT_VALUES:
        if subject_kind != "nhanxet":
            raise RowRejected(f"{name} {quoted(t)} là nhận xét Đ/CĐ, môn này chấm điểm (nhập số 0-10)")
        return COMMENT_VALUES[folded]
    try:
        number = Decimal(t.replace(",", ".")) if not isinstance(value, float) else Decimal(repr(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        expected = "Đ hoặc CĐ" if subject_kind == "nhanxet" else "số (nhập số 0-10)"
        raise RowRejected(f"{name} {quoted(t)} không phải {expected}")
    if subject_kind == "nhanxet":
        raise RowRejected(f"{name} {quoted(t)} là số, môn này đánh giá bằng nhận xét (nhập Đ hoặc CĐ)")
    if not Decimal(0) <= number <= Decimal(10):
        raise RowRejected(f"{name} {quoted(t)} ngoài khoảng 0-10")
    if number != number.quantize(Decimal("0.1")):
        raise RowRejected(f"{name} {quoted(t)} có hơn một chữ số thập phân (ví dụ 7,5)")
    return canonical_score(number)


def canonical_score(number: Decimal) -> str:
    """'8.0' -> '8', '7.50' -> '7.5', '10' -> '10': at most one decimal, no trailing zero."""
    q = number.quantize(Decimal("0.1")) + 0      # + 0: a typed "-0" is the score 0
    return str(q.to_integral_value()) if q == q.to_integral_value() else str(q)


def parse_term(value, *, allow_year: bool = False) -> Semester:
    """hoc_ky: 1/I/HK1/Học kỳ I -> HK1, 2/II/HK2 -> HK2; 'CN'/'Cả năm' -> YEAR where yearly rows exist."""
    try:
        return Semester.parse(text(value), allow_year=allow_year)
    except PeriodError:
        allowed = "1, 2 hoặc CN" if allow_year else "1 hoặc 2"
        raise RowRejected(f"{label('hoc_ky')} {quoted(text(value))} không đúng (dùng {allowed})") from None


def parse_year(value) -> str:
    """nam_hoc: '2026-2027', '2026 - 2027', '2026/2027' -> '2026-2027'."""
    t = text(value)
    m = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{4})", t)
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise RowRejected(f"{label('nam_hoc')} {quoted(t)} không đúng (ví dụ 2026-2027)")
    return f"{m.group(1)}-{m.group(2)}"


def parse_phone(value) -> tuple[str, str | None]:
    """A guardian's phone as E.164, and the note when it had to be mapped (lost 0, old prefix)."""
    t = text(value)
    if not t:
        raise RowRejected(f"thiếu {label('so_dien_thoai')}")
    _, note = phones.modernise(t)
    try:
        return phones.normalise(t), note
    except phones.PhoneError as e:
        raise RowRejected(f"{label('so_dien_thoai')} {quoted(t)} {e.reason} (kiểm tra lại số)") from e


def parse_int(value, column: str, low: int, high: int | None = None) -> int:
    """A whole number within [low, high]."""
    t = text(value)
    if not re.fullmatch(r"\d+", t):
        raise RowRejected(f"{label(column)} {quoted(t)} không phải số nguyên (ví dụ 35)")
    n = int(t)
    if n < low or (high is not None and n > high):
        limit = f"từ {low} đến {high}" if high is not None else f"từ {low} trở lên"
        raise RowRejected(f"{label(column)} {quoted(t)} ngoài khoảng cho phép (dùng số {limit})")
    return n


def parse_choice(value, column: str, choices: dict[str, str], hint: str | None = None) -> str:
    """One of a fixed set; ``choices`` maps folded spellings to the stored value."""
    k = key(value)
    if k in choices:
        return choices[k]
    allowed = hint or "/".join(sorted(set(choices.values())))
    raise RowRejected(f"{label(column)} {quoted(text(value))} không đúng (dùng {allowed})")


def subject_code(value) -> str:
    """ma_mon as a canonical code: 'Toán' -> 'TOAN', 'Ngữ văn' -> 'VAN'."""
    k = key(value)
    if not k:
        raise RowRejected(f"thiếu {label('ma_mon')}")
    return SUBJECT_ALIASES.get(k, k)


def class_name(value) -> str:
    """lop as stored: '8a2 ' -> '8A2'."""
    t = re.sub(r"\s+", "", text(value)).upper()
    if not t:
        raise RowRejected(f"thiếu {label('lop')}")
    return t
