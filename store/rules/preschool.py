"""Preschool rules (mầm non): group words, the daily note exception-first, the weekly line, stage assessment.

Pure functions over plain values (no database), so property tests drive them.
A note is "as usual" when the child came, ate and slept well and the teacher
wrote nothing else: only the other days are worth a parent's SMS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from store.core.text import fold

# The group words people write, folded and without spaces -> the group code (store.school.levels stores it).
GROUP_WORDS = {"NT": "NT", "NHATRE": "NT",
               "MGB": "MGB", "MAUGIAOBE": "MGB", "MAM": "MGB", "BE": "MGB", "LOPMAM": "MGB", "LOPBE": "MGB",
               "MGN": "MGN", "MAUGIAONHO": "MGN", "CHOI": "MGN", "NHO": "MGN", "LOPCHOI": "MGN", "LOPNHO": "MGN",
               "MGL": "MGL", "MAUGIAOLON": "MGL", "LA": "MGL", "LON": "MGL", "LOPLA": "MGL", "LOPLON": "MGL"}


class InvalidValue(ValueError):
    """A note, assessment or measurement value the rules refuse; ``reason`` is in Vietnamese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Amount(str, Enum):
    """How a child ate or slept: tốt, vừa, ít, không."""

    TOT = "tot"
    VUA = "vua"
    IT = "it"
    KHONG = "khong"

    @property
    def label(self) -> str:
        return {"tot": "tốt", "vua": "vừa", "it": "ít", "khong": "không"}[self.value]


_AMOUNT_WORDS = {"TOT": Amount.TOT, "T": Amount.TOT, "HET": Amount.TOT, "NGON": Amount.TOT, "BINHTHUONG": Amount.TOT,
                 "VUA": Amount.VUA, "V": Amount.VUA, "KHA": Amount.VUA, "IT": Amount.IT, "I": Amount.IT,
                 "KEM": Amount.IT, "KHONG": Amount.KHONG, "K": Amount.KHONG, "0": Amount.KHONG}

# Reminders (nhắc): a code, the Vietnamese the teacher sees, what the parent reads.
REMINDERS = {"ta": "bỉm/tã", "quan_ao": "quần áo", "khan": "khăn", "thuoc": "thuốc", "giay_to": "giấy tờ"}
_REMINDER_WORDS = {"TA": "ta", "BIM": "ta", "BIMTA": "ta", "QUANAO": "quan_ao", "QA": "quan_ao", "AO": "quan_ao",
                   "KHAN": "khan", "THUOC": "thuoc", "GIAYTO": "giay_to", "GIAY": "giay_to"}
TEXT_MAX = 300      # a free-text cell (ve_sinh, suc_khoe, nhan_xet, a reminder)


def _key(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", fold(text or "").upper())


def parse_amount(raw: str | None, what: str) -> Amount:
    """'tot', 'Tốt', 'it', '' (as usual: tốt) -> Amount; InvalidValue naming ``what`` else."""
    text = str(raw or "").strip()
    if not text:
        return Amount.TOT
    found = _AMOUNT_WORDS.get(_key(text))
    if found is None:
        raise InvalidValue(f"{what} '{text[:30]}' không đúng (tốt, vừa, ít hoặc không)")
    return found


def parse_reminders(raw: str | None) -> tuple[str, ...]:
    """'ta; quần áo', 'mang khăn, thuốc ho' -> codes and free texts, in order, without repeats."""
    out: list[str] = []
    for piece in re.split(r"[;,\n]", str(raw or "")):
        piece = " ".join(piece.split())
        if not piece:
            continue
        if len(piece) > TEXT_MAX:
            raise InvalidValue(f"nhắc quá dài ({len(piece)} ký tự, tối đa {TEXT_MAX})")
        code = _REMINDER_WORDS.get(_key(piece).removeprefix("MANG").removeprefix("GUI") or _key(piece))
        item = code or piece
        if item not in out:
            out.append(item)
    return tuple(out)


def reminder_label(item: str) -> str:
    """A reminder code's words ('ta' -> 'bỉm/tã'); free text as written."""
    return REMINDERS.get(item, item)


def free_text(raw: str | None, what: str) -> str:
    """A free-text cell, spaces folded; InvalidValue when longer than TEXT_MAX."""
    text = " ".join(str(raw or "").split())
    if len(text) > TEXT_MAX:
        raise InvalidValue(f"{what} quá dài ({len(text)} ký tự, tối đa {TEXT_MAX})")
    return text


@dataclass(frozen=True)
class Note:
    """One child's school day; the defaults are "as usual"."""

    present: bool = True
    an: Amount = Amount.TOT
    ngu: Amount = Amount.TOT
    ngu_phut: int | None = None
    ve_sinh: str = ""
    suc_khoe: str = ""
    nhac: tuple[str, ...] = field(default=())
    nhan_xet: str = ""

    def is_usual(self) -> bool:
        """True when nothing is worth telling (came, ate and slept well, no remark, no reminder)."""
        return (self.present and self.an is Amount.TOT and self.ngu is Amount.TOT and not self.ve_sinh
                and not self.suc_khoe and not self.nhac and not self.nhan_xet)

    def parts(self) -> list[str]:
        """What is not as usual, in Vietnamese: ['ăn ít', 'ngủ không (20 phút)', 'nhắc: bỉm/tã', ...]."""
        if not self.present:
            return ["nghỉ học"]
        out = []
        if self.an is not Amount.TOT:
            out.append(f"ăn {self.an.label}")
        if self.ngu is not Amount.TOT:
            out.append(f"ngủ {self.ngu.label}" + (f" ({self.ngu_phut} phút)" if self.ngu_phut is not None else ""))
        if self.ve_sinh:
            out.append(f"vệ sinh: {self.ve_sinh}")
        if self.suc_khoe:
            out.append(f"sức khỏe: {self.suc_khoe}")
        if self.nhac:
            out.append("nhắc mang: " + ", ".join(reminder_label(r) for r in self.nhac))
        if self.nhan_xet:
            out.append(f"cô nhận xét: {self.nhan_xet}")
        return out

    def line(self) -> str:
        """The note as one SMS line: 'ăn ít; nhắc mang: bỉm/tã' or 'mọi việc bình thường'."""
        return "; ".join(self.parts()) if not self.is_usual() else "mọi việc bình thường"


def parse_minutes(raw) -> int | None:
    """Sleep minutes '90', '90 phút', '' -> int or None; InvalidValue outside 0-300."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    digits = re.fullmatch(r"(\d{1,3})(?:\.0)?\s*(?:p|ph|phut|phút)?", text.lower())
    if not digits or int(digits.group(1)) > 300:
        raise InvalidValue(f"số phút ngủ '{text[:20]}' không đúng (0 đến 300)")
    return int(digits.group(1))


def parse_note(*, present=True, an=None, ngu=None, ngu_phut=None, ve_sinh=None, suc_khoe=None, nhac=None,
               nhan_xet=None) -> Note:
    """A Note from cells as typed; InvalidValue with every reason joined by '; '."""
    problems, values = [], {}
    for name, fn in (("an", lambda: parse_amount(an, "ăn")), ("ngu", lambda: parse_amount(ngu, "ngủ")),
                     ("ngu_phut", lambda: parse_minutes(ngu_phut)),
                     ("ve_sinh", lambda: free_text(ve_sinh, "vệ sinh")),
                     ("suc_khoe", lambda: free_text(suc_khoe, "sức khỏe")), ("nhac", lambda: parse_reminders(nhac)),
                     ("nhan_xet", lambda: free_text(nhan_xet, "nhận xét"))):
        try:
            values[name] = fn()
        except InvalidValue as e:
            problems.append(e.reason)
    if problems:
        raise InvalidValue("; ".join(problems))
    return Note(present=bool(present), **values)


@dataclass(frozen=True)
class Week:
    """A child's week of notes, counted for the weekly line."""

    first: date
    last: date
    days: int           # school days (days the class has notes)
    present: int
    ate_well: int
    slept_well: int

    def line(self) -> str:
        """'Tuần 10-14/3: đi học 5/5, ăn tốt 4/5, ngủ tốt 5/5' (ăn/ngủ over the days the child came)."""
        span = (f"{self.first.day}-{self.last.day}/{self.last.month}" if self.first.month == self.last.month
                else f"{self.first.day}/{self.first.month}-{self.last.day}/{self.last.month}")
        if self.first == self.last:
            span = f"{self.first.day}/{self.first.month}"
        text = f"Tuần {span}: đi học {self.present}/{self.days}"
        if self.present:
            text += f", ăn tốt {self.ate_well}/{self.present}, ngủ tốt {self.slept_well}/{self.present}"
        return text


def week_of(notes: dict[date, Note]) -> Week | None:
    """The Week of one child's notes (date -> Note) of one calendar week; None without notes."""
    if not notes:
        return None
    came = [n for n in notes.values() if n.present]
    return Week(min(notes), max(notes), len(notes), len(came), sum(n.an is Amount.TOT for n in came),
                sum(n.ngu is Amount.TOT for n in came))


def is_last_school_day(day: date, school_days: set[date], holidays: frozenset[date] = frozenset()) -> bool:
    """True on the week's last school day: no later day of the week has notes, and it is Friday (or later),
    or every weekday after it to Friday is a school holiday."""
    week = day.isocalendar()[:2]
    if any(d > day and d.isocalendar()[:2] == week for d in school_days):
        return False
    rest = [day + timedelta(days=i) for i in range(1, 5 - day.weekday())]
    return all(d in holidays for d in rest)


# Stage assessment (đánh giá theo giai đoạn): the five domains of the preschool programme.
DOMAINS = {"TC": "Thể chất", "NT": "Nhận thức", "NN": "Ngôn ngữ", "TCXH": "Tình cảm – kĩ năng xã hội",
           "TM": "Thẩm mĩ"}
_DOMAIN_WORDS = {_key(name): code for code, name in DOMAINS.items()} | {c: c for c in DOMAINS} | {
    "TINHCAMKYNANGXAHOI": "TCXH", "TINHCAMXAHOI": "TCXH", "THAMMY": "TM"}
LEVELS = {"D": "Đạt", "CD": "Chưa đạt"}
_LEVEL_WORDS = {"D": "D", "DAT": "D", "CD": "CD", "CHUADAT": "CD"}


def parse_domain(raw) -> str:
    """'TC', 'Thể chất', 'tcxh' -> the domain code; InvalidValue else."""
    code = _DOMAIN_WORDS.get(_key(str(raw or "")))
    if code is None:
        raise InvalidValue(f"lĩnh vực '{str(raw or '').strip()[:30]}' không đúng (TC, NT, NN, TCXH hoặc TM)")
    return code


def parse_level(raw) -> str:
    """'D', 'Đạt', 'CD', 'chưa đạt' -> 'D' / 'CD'; InvalidValue else."""
    code = _LEVEL_WORDS.get(_key(str(raw or "")))
    if code is None:
        raise InvalidValue(f"mức '{str(raw or '').strip()[:30]}' không đúng (Đ đạt hoặc CĐ chưa đạt)")
    return code
