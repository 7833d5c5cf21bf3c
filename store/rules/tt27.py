"""Assessment rules of Thông tư 27/2020/TT-BGDĐT (tiểu học, grades 1–5): pure functions over plain values.

What TT27 fixes and this module encodes (SPEC §10):
- four assessment points: giữa HK I (GK1), cuối HK I (CK1), giữa HK II (GK2), cuối năm (CN);
- every subject and activity gets a level T / H / C at each point (art. 7.1);
- periodic tests (bài kiểm tra định kì), whole numbers 0–10, only where
  art. 7.2 holds them: at CK1 and CN in Tiếng Việt and Toán, Ngoại ngữ 1
  (grades 3–5; optional in 1–2, where a school may hold it), Lịch sử và Địa
  lí and Khoa học (4–5), Tin học và Công nghệ (3–5); grades 4–5 also at GK1
  and GK2 in Tiếng Việt and Toán;
- qualities and competences T / Đ / C at the same four points (art. 7.3);
- the year-end result (art. 9) and the commendations (art. 15).

Choices where TT27 leaves room (README "Primary schools" says them too):
- the specific competences công nghệ (CNG) and tin học (TH) are rated from
  grade 3, when Tin học và Công nghệ begins; every other quality and
  competence in every grade;
- "end-of-year test" means every test held at CN, the optional grade 1–2
  Ngoại ngữ test included when the school held it;
- the commendation "Học sinh Xuất sắc" follows from Hoàn thành xuất sắc;
  "Học sinh Tiêu biểu" needs the class's recognition, so only an imported
  (official) result or a commendation round's outcome, once approved, carries
  it, and only on a Hoàn thành tốt result (art. 15.1b).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from store.core.text import is_digits
from store.rules import periods
from store.rules.periods import Point


# The point type lives with the other levels' periods (store.rules.periods); re-exported for the TT27 callers.
POINTS = periods.POINTS


def find_point(text: object) -> Point | None:
    """The point a cell or title names ('GK1', 'Cuối học kì I', 'CUỐI NĂM HỌC 2025-2026'), or None."""
    return Point.find(text)


class SubjectLevel(str, Enum):
    """A subject's or activity's level at a point: Hoàn thành tốt, Hoàn thành, Chưa hoàn thành."""

    T = "T"
    H = "H"
    C = "C"

    @property
    def label(self) -> str:
        return {"T": "Hoàn thành tốt", "H": "Hoàn thành", "C": "Chưa hoàn thành"}[self.value]

    @property
    def rank(self) -> int:
        return {"T": 2, "H": 1, "C": 0}[self.value]


class QualityLevel(str, Enum):
    """A quality's or competence's level: Tốt, Đạt, Cần cố gắng."""

    T = "T"
    D = "D"
    C = "C"

    @property
    def label(self) -> str:
        return {"T": "Tốt", "D": "Đạt", "C": "Cần cố gắng"}[self.value]

    @property
    def rank(self) -> int:
        return {"T": 2, "D": 1, "C": 0}[self.value]


class YearResult(str, Enum):
    """The year-end result (art. 9), by the code stored in primary_results.result."""

    HTXS = "HTXS"
    HTT = "HTT"
    HT = "HT"
    CHT = "CHT"

    @property
    def label(self) -> str:
        return _RESULT_LABELS[self]

    @property
    def short(self) -> str:
        """The short form a clause uses ('HT xuất sắc')."""
        return _RESULT_SHORT[self]

    @property
    def rank(self) -> int:
        return {"HTXS": 3, "HTT": 2, "HT": 1, "CHT": 0}[self.value]


_RESULT_LABELS = {YearResult.HTXS: "Hoàn thành xuất sắc", YearResult.HTT: "Hoàn thành tốt",
                  YearResult.HT: "Hoàn thành", YearResult.CHT: "Chưa hoàn thành"}
_RESULT_SHORT = {YearResult.HTXS: "HT xuất sắc", YearResult.HTT: "HT tốt", YearResult.HT: "Hoàn thành",
                 YearResult.CHT: "Chưa hoàn thành"}


class Commendation(str, Enum):
    """A year-end commendation (art. 15)."""

    XUAT_SAC = "XS"
    TIEU_BIEU = "TB"

    @property
    def label(self) -> str:
        return "Học sinh Xuất sắc" if self is Commendation.XUAT_SAC else "Học sinh Tiêu biểu"


# Subjects and activities of the 2018 programme in report-card order, with their grades.
SUBJECTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "TV": ("Tiếng Việt", (1, 2, 3, 4, 5)), "TOAN": ("Toán", (1, 2, 3, 4, 5)),
    "NN": ("Ngoại ngữ 1", (1, 2, 3, 4, 5)), "DD": ("Đạo đức", (1, 2, 3, 4, 5)),
    "TNXH": ("Tự nhiên và Xã hội", (1, 2, 3)), "KH": ("Khoa học", (4, 5)),
    "LSDL": ("Lịch sử và Địa lí", (4, 5)), "TINCN": ("Tin học và Công nghệ", (3, 4, 5)),
    "GDTC": ("Giáo dục thể chất", (1, 2, 3, 4, 5)), "AMNHAC": ("Âm nhạc", (1, 2, 3, 4, 5)),
    "MYTHUAT": ("Mĩ thuật", (1, 2, 3, 4, 5)), "HDTN": ("Hoạt động trải nghiệm", (1, 2, 3, 4, 5)),
}
SUBJECT_ORDER = tuple(SUBJECTS)
# The secondary codes a parent or a spreadsheet may use for a primary subject.
FROM_SECONDARY = {"SU": "LSDL", "DIA": "LSDL", "ANH": "NN", "VAN": "TV", "TIN": "TINCN", "CN": "TINCN",
                  "GDCD": "DD", "KHTN": "KH"}

# Qualities (phẩm chất), general and specific competences (năng lực), with their grades.
_ALL = (1, 2, 3, 4, 5)
QUALITIES: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "YN": ("Yêu nước", "PC", _ALL), "NA": ("Nhân ái", "PC", _ALL), "CC": ("Chăm chỉ", "PC", _ALL),
    "TTH": ("Trung thực", "PC", _ALL), "TNH": ("Trách nhiệm", "PC", _ALL),
    "TCTH": ("Tự chủ và tự học", "NLC", _ALL), "GTHT": ("Giao tiếp và hợp tác", "NLC", _ALL),
    "GQVD": ("Giải quyết vấn đề và sáng tạo", "NLC", _ALL),
    "NN": ("Ngôn ngữ", "NLD", _ALL), "TT": ("Tính toán", "NLD", _ALL), "KH": ("Khoa học", "NLD", _ALL),
    "CNG": ("Công nghệ", "NLD", (3, 4, 5)), "TH": ("Tin học", "NLD", (3, 4, 5)),
    "TM": ("Thẩm mĩ", "NLD", _ALL), "TC": ("Thể chất", "NLD", _ALL),
}
QUALITY_ORDER = tuple(QUALITIES)
QUALITY_GROUPS = {"PC": "Phẩm chất", "NLC": "Năng lực chung", "NLD": "Năng lực đặc thù"}


class PeriodicTest(str, Enum):
    """Whether a periodic test is held for a subject, grade and point."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


_END_POINTS = (Point.CK1, Point.CN)


def periodic_test(subject: str, grade: int, point: Point) -> PeriodicTest:
    """The one place that knows which subject has a periodic test in which grade and point (art. 7.2)."""
    point = Point(point)
    if subject in ("TV", "TOAN"):
        if point in _END_POINTS or grade >= 4:
            return PeriodicTest.REQUIRED
        return PeriodicTest.NONE
    if point not in _END_POINTS:
        return PeriodicTest.NONE
    if subject == "NN":
        return PeriodicTest.REQUIRED if grade >= 3 else PeriodicTest.OPTIONAL
    if subject in ("LSDL", "KH") and grade >= 4:
        return PeriodicTest.REQUIRED
    if subject == "TINCN" and grade >= 3:
        return PeriodicTest.REQUIRED
    return PeriodicTest.NONE


def test_held(subject: str, grade: int, point: Point) -> bool:
    """True when a score may be recorded (required or optional test)."""
    return periodic_test(subject, grade, point) is not PeriodicTest.NONE


def has_tests(subject: str, grade: int) -> bool:
    """True when the subject has a periodic test at some point of the grade (kieu 'diem')."""
    return any(test_held(subject, grade, p) for p in POINTS)


def rated_qualities(grade: int) -> tuple[str, ...]:
    """The quality and competence codes a grade rates, in report order."""
    return tuple(code for code, (_, _, grades) in QUALITIES.items() if grade in grades)


class InvalidValue(ValueError):
    """A level or test score that TT27 does not allow; ``reason`` names what is wrong (Vietnamese)."""

    def __init__(self, text: object, reason: str):
        super().__init__(f"{text!r}: {reason}")
        self.text = text
        self.reason = reason


def _fold_code(text: object) -> str:
    return str(text or "").strip().upper().replace("Đ", "D")


def parse_subject_level(text: object) -> SubjectLevel:
    """'T', 'H', 'C' or their names ('Hoàn thành tốt') -> SubjectLevel; InvalidValue else."""
    key = "".join(ch for ch in _fold_code(text) if ch.isalnum())
    words = {"HTT": "T", "HOANTHANHTOT": "T", "HT": "H", "HOANTHANH": "H", "CHT": "C", "CHUAHOANTHANH": "C"}
    try:
        return SubjectLevel(words.get(_ascii(key), _ascii(key)))
    except ValueError:
        raise InvalidValue(text, f"mức '{text}' không phải T, H hoặc C") from None


def parse_quality_level(text: object) -> QualityLevel:
    """'T', 'Đ', 'D', 'C' or their names ('Cần cố gắng') -> QualityLevel; InvalidValue else."""
    key = _ascii("".join(ch for ch in _fold_code(text) if ch.isalnum()))
    words = {"TOT": "T", "DAT": "D", "CANCOGANG": "C", "CCG": "C"}
    try:
        return QualityLevel(words.get(key, key))
    except ValueError:
        raise InvalidValue(text, f"mức '{text}' không phải T, Đ hoặc C") from None


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def parse_test_score(value: object) -> int:
    """A periodic test score: a whole number 0–10 (an integral float cell is fine); InvalidValue else."""
    if isinstance(value, bool):
        raise InvalidValue(value, "điểm kiểm tra phải là số nguyên 0-10")
    if isinstance(value, (int, float)):
        if float(value) != int(value):
            raise InvalidValue(value, f"điểm {value} có phần thập phân (TT27: điểm nguyên 0-10)")
        number = int(value)
    else:
        text = str(value or "").strip()
        if not is_digits(text):
            if any(ch in text for ch in ".,") and text.replace(",", ".").replace(".", "", 1).isdigit():
                raise InvalidValue(value, f"điểm {text} có phần thập phân (TT27: điểm nguyên 0-10)")
            raise InvalidValue(value, f"điểm '{text}' không phải số nguyên 0-10")
        number = int(text)
    if not 0 <= number <= 10:
        raise InvalidValue(value, f"điểm {number} ngoài 0-10")
    return number


@dataclass(frozen=True)
class _Bar:
    """What one year-end result asks: allowed subject and quality levels, the lowest test score."""

    result: YearResult
    subject_levels: frozenset[SubjectLevel]
    quality_levels: frozenset[QualityLevel]
    min_test: int


_BARS = (
    _Bar(YearResult.HTXS, frozenset({SubjectLevel.T}), frozenset({QualityLevel.T}), 9),
    _Bar(YearResult.HTT, frozenset({SubjectLevel.T}), frozenset({QualityLevel.T}), 7),
    _Bar(YearResult.HT, frozenset({SubjectLevel.T, SubjectLevel.H}),
         frozenset({QualityLevel.T, QualityLevel.D}), 5),
)


@dataclass(frozen=True)
class YearInputs:
    """Everything at CN that decides the year-end result: levels by code, test scores by subject code."""

    subjects: Mapping[str, SubjectLevel]
    qualities: Mapping[str, QualityLevel]
    tests: Mapping[str, int]


def _blockers(bar: _Bar, inputs: YearInputs) -> list[tuple[str, str, list[str]]]:
    """What keeps ``inputs`` below ``bar``: (what, level or threshold, names) groups."""
    out = []
    for level in (SubjectLevel.H, SubjectLevel.C):
        names = [subject_name(c) for c, v in inputs.subjects.items() if v is level and level not in bar.subject_levels]
        if names:
            out.append(("môn", f"mức {level.value}", names))
    for level in (QualityLevel.D, QualityLevel.C):
        names = [quality_name(c) for c, v in inputs.qualities.items()
                 if v is level and level not in bar.quality_levels]
        if names:
            out.append(("PC/NL", f"mức {'Đ' if level is QualityLevel.D else 'C'}", names))
    low = [f"{subject_name(c)} {s}" for c, s in inputs.tests.items() if s < bar.min_test]
    if low:
        out.append(("bài KTĐK", f"dưới {bar.min_test}", low))
    return out


def year_result(inputs: YearInputs) -> YearResult:
    """The highest result whose bar ``inputs`` clears (art. 9); Chưa hoàn thành below every bar."""
    for bar in _BARS:
        if not _blockers(bar, inputs):
            return bar.result
    return YearResult.CHT


def explain(inputs: YearInputs) -> str:
    """One clause saying why the result is not the next level up ('' at Hoàn thành xuất sắc).

    '1 môn mức H (Âm nhạc) nên chưa đạt HT xuất sắc'.
    """
    result = year_result(inputs)
    if result is YearResult.HTXS:
        return ""
    above = [b for b in reversed(_BARS) if b.result.rank > result.rank]
    groups = _blockers(above[0], inputs)
    # The same reason often keeps the pupil below the levels further up too (one H blocks both
    # HT tốt and HT xuất sắc): say so, since that is what parents ask about.
    reached = [b.result.short for b in above if _blockers(b, inputs) == groups]
    if result is YearResult.CHT:
        reached = reached[:1]       # below Hoàn thành, naming the levels further up says nothing more
    said = ", ".join(f"{len(names)} {what} {level} ({', '.join(names)})" for what, level, names in groups)
    return f"{said} nên chưa đạt {', '.join(reached)}"


def commendation(result: YearResult) -> Commendation | None:
    """The commendation a computed result earns by itself (Học sinh Xuất sắc for HT xuất sắc)."""
    return Commendation.XUAT_SAC if result is YearResult.HTXS else None


def may_be_tieu_bieu(result: YearResult) -> bool:
    """Whether a pupil with this year-end result may be named "Học sinh Tiêu biểu" (art. 15.1b: Hoàn thành tốt)."""
    return result is YearResult.HTT


def subject_name(code: str) -> str:
    """The Vietnamese name of a primary subject code (the code itself when unknown)."""
    return SUBJECTS.get(code, (code,))[0]


def quality_name(code: str) -> str:
    """The Vietnamese name of a quality or competence code."""
    return QUALITIES.get(code, (code,))[0]


def missing_for_year(grade: int, subjects: Mapping[str, SubjectLevel | None],
                     qualities: Mapping[str, QualityLevel | None], tests: Mapping[str, int | None]) -> list[str]:
    """What is still missing at CN before a result can be computed (names, empty when complete).

    ``subjects`` holds every subject of the grade (None = no level yet);
    a required CN test without a score and a rated quality without a level are missing too.
    """
    missing = [subject_name(c) for c, v in subjects.items() if v is None]
    missing += [f"KTĐK {subject_name(c)}" for c in subjects
                if periodic_test(c, grade, Point.CN) is PeriodicTest.REQUIRED and tests.get(c) is None]
    missing += [quality_name(c) for c in rated_qualities(grade) if qualities.get(c) is None]
    return missing
