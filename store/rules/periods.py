"""The periods of a school year, one type per level's rules (store.school.levels names each level's type).

- ``Semester`` (TT22/2021, THCS and THPT): HK1, HK2 and the whole year, stored
  as the integers 1, 2 and 0 (``terms.term``, ``grades.term``,
  ``conduct.term``…). An IntEnum, so a stored value and a Semester compare
  equal and bind to SQL as they are.
- ``Point`` (TT27/2020, tiểu học): the four assessment points GK1, CK1, GK2,
  CN, stored as those codes.
- ``Stage`` (mầm non): a stage assessment is named by the school after a topic
  or an age window ("Chủ đề Gia đình", "Cuối độ tuổi"), stored as its text.

Each type parses what people write. Two vocabularies, side by side here so
they cannot drift apart: the SMS words of the grammar's KY slot (folded, no
spaces: ``HK1``, ``KY2``, ``CN``, ``GK1``; never ``NAM``, a given name, nor a
bare ``I``) and the spellings of a spreadsheet cell or a web parameter,
which are a superset (``Học kỳ I``, ``I``, ``0``, ``Cả năm``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, IntEnum

from store.core.text import fold


class PeriodError(ValueError):
    """A text that names no period of the level; ``value`` is what was given."""

    def __init__(self, value: object, expected: str):
        super().__init__(f"{value!r}: not a period ({expected})")
        self.value = value
        self.expected = expected


def compact(value: object) -> str:
    """Folded, upper case, letters and digits only: 'Học kỳ I' -> 'HOCKYI'; a spreadsheet's 2.0 -> '2'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[^0-9A-Z]", "", fold(str(value if value is not None else "")).upper())


def _with_ki(words: dict[str, object]) -> dict[str, object]:
    """"học kì" is the textbook spelling: every KY word also with KI."""
    return {**words, **{k.replace("KY", "KI"): v for k, v in words.items() if "KY" in k}}


class Semester(IntEnum):
    """A TT22 period: a term (học kỳ) or the whole school year, as stored."""

    YEAR = 0
    HK1 = 1
    HK2 = 2

    @property
    def code(self) -> str:
        """How an SMS and a web address name it: 'HK1', 'HK2', 'CN'."""
        return "CN" if self is Semester.YEAR else self.name

    @property
    def short(self) -> str:
        """In a sentence (accented; transliterated to 'ca nam' for GSM-7): 'HK1', 'HK2', 'cả năm'."""
        return "cả năm" if self is Semester.YEAR else self.name

    @property
    def sms(self) -> str:
        """The unaccented SMS label: 'HK1', 'HK2', 'ca nam'."""
        return fold(self.short)

    @property
    def label(self) -> str:
        """The Vietnamese name on pages: 'Học kỳ I', 'Học kỳ II', 'Cả năm'."""
        return _SEMESTER_LABELS[self]

    @property
    def param(self) -> str:
        """The web parameter: '1', '2', 'CN'."""
        return "CN" if self is Semester.YEAR else str(self.value)

    @property
    def end_point(self) -> Point:
        """The TT27 point that closes it: HK1 -> CK1; HK2 and the year -> CN."""
        return Point.CK1 if self is Semester.HK1 else Point.CN

    @classmethod
    def from_word(cls, word: str) -> Semester | None:
        """An SMS KY word (normalised: 'HK1', 'KYII', 'CANAM', 'GK2') -> its Semester, or None."""
        return SMS_TERM_WORDS.get(word)

    @classmethod
    def parse(cls, value: object, *, allow_year: bool = True) -> Semester:
        """A cell or parameter ('1', 'HK I', 'Học kỳ II', 'CN', 'Cả năm', 0) -> Semester; PeriodError else."""
        found = _DOCUMENT_TERMS.get(compact(value))
        if found is None or (found is Semester.YEAR and not allow_year):
            raise PeriodError(value, "1, 2" + (" or CN" if allow_year else ""))
        return found


_SEMESTER_LABELS = {Semester.HK1: "Học kỳ I", Semester.HK2: "Học kỳ II", Semester.YEAR: "Cả năm"}
SEMESTERS = (Semester.HK1, Semester.HK2, Semester.YEAR)       # in the order pages offer them
# (parameter, label) of each, for a page's term picker.
SEMESTER_CHOICES = tuple((s.param, s.label) for s in SEMESTERS)

# The SMS KY words: what a parent texts after DIEM / KQ / RL / VANG.
SMS_TERM_WORDS: dict[str, Semester] = _with_ki({
    "HK1": Semester.HK1, "HKI": Semester.HK1, "1": Semester.HK1, "KY1": Semester.HK1, "KYI": Semester.HK1,
    "HOCKY1": Semester.HK1,
    "HK2": Semester.HK2, "HKII": Semester.HK2, "2": Semester.HK2, "KY2": Semester.HK2, "KYII": Semester.HK2,
    "HOCKY2": Semester.HK2,
    "CN": Semester.YEAR, "CANAM": Semester.YEAR,
    # Primary assessment points (TT27); for a secondary child they name their term.
    "GK1": Semester.HK1, "GKI": Semester.HK1, "GIUAKY1": Semester.HK1, "GIUAHK1": Semester.HK1,
    "CK1": Semester.HK1, "CKI": Semester.HK1, "CUOIKY1": Semester.HK1, "CUOIHK1": Semester.HK1,
    "GK2": Semester.HK2, "GKII": Semester.HK2, "GIUAKY2": Semester.HK2, "GIUAHK2": Semester.HK2,
    "CK2": Semester.HK2, "CKII": Semester.HK2, "CUOINAM": Semester.YEAR,
})
# A spreadsheet's hoc_ky cell or a web parameter: the plain term words, roman numerals, 0 and NAM too.
_DOCUMENT_TERMS: dict[str, Semester] = _with_ki({
    "1": Semester.HK1, "I": Semester.HK1, "HK1": Semester.HK1, "HKI": Semester.HK1, "KY1": Semester.HK1,
    "HOCKY1": Semester.HK1, "HOCKYI": Semester.HK1, "KYI": Semester.HK1,
    "2": Semester.HK2, "II": Semester.HK2, "HK2": Semester.HK2, "HKII": Semester.HK2, "KY2": Semester.HK2,
    "HOCKY2": Semester.HK2, "HOCKYII": Semester.HK2, "KYII": Semester.HK2,
    "0": Semester.YEAR, "CN": Semester.YEAR, "CANAM": Semester.YEAR, "NAM": Semester.YEAR,
})


class Point(str, Enum):
    """A TT27 assessment point (đợt) of the school year."""

    GK1 = "GK1"
    CK1 = "CK1"
    GK2 = "GK2"
    CN = "CN"

    @property
    def label(self) -> str:
        """The Vietnamese name, accented ('giữa HK I')."""
        return _POINT_LABELS[self]

    @property
    def short(self) -> str:
        """How an SMS names it: 'GK1', 'CK1', 'GK2', 'CN'."""
        return self.value

    @property
    def sms(self) -> str:
        """The unaccented SMS label (the code itself)."""
        return self.value

    @property
    def term(self) -> Semester:
        """The term the point closes or falls in (HK1 or HK2)."""
        return Semester.HK1 if self in (Point.GK1, Point.CK1) else Semester.HK2

    @classmethod
    def from_word(cls, word: str) -> Point | None:
        """An SMS KY word -> its point: GK1 / GK2 as typed, else the end of the term it names; None if none."""
        if word in _SMS_POINT_WORDS:
            return _SMS_POINT_WORDS[word]
        term = Semester.from_word(word)
        return None if term is None else term.end_point

    @classmethod
    def find(cls, text: object) -> Point | None:
        """The point a cell or title names ('GK1', 'Cuối học kì I', 'CUỐI NĂM HỌC 2025-2026'), or None."""
        folded = fold(str(text or "")).upper()
        code = compact(folded)
        if code in _POINT_CODES:
            return _POINT_CODES[code]
        spaced = re.sub(r"[^0-9A-Z]+", " ", folded)
        for pattern, point in _POINT_PATTERNS:
            if pattern.search(spaced):
                return point
        return None

    @classmethod
    def parse(cls, text: object) -> Point:
        """Like :meth:`find`, but PeriodError when the text names no point."""
        found = cls.find(text)
        if found is None:
            raise PeriodError(text, "GK1, CK1, GK2 or CN")
        return found


POINTS = tuple(Point)
_POINT_LABELS = {Point.GK1: "giữa HK I", Point.CK1: "cuối HK I", Point.GK2: "giữa HK II", Point.CN: "cuối năm"}
# SMS words naming a mid-term point; the other KY words name their term's end (Semester.end_point).
_SMS_POINT_WORDS: dict[str, Point] = _with_ki({
    "GK1": Point.GK1, "GKI": Point.GK1, "GIUAKY1": Point.GK1, "GIUAHK1": Point.GK1,
    "GK2": Point.GK2, "GKII": Point.GK2, "GIUAKY2": Point.GK2, "GIUAHK2": Point.GK2})
# A cell's code (compact) and the spelled-out forms of SMAS titles (folded, upper case, spaces kept).
_POINT_CODES = {"GK1": Point.GK1, "GKI": Point.GK1, "CK1": Point.CK1, "CKI": Point.CK1, "HK1": Point.CK1,
                "GK2": Point.GK2, "GKII": Point.GK2, "CK2": Point.CN, "CKII": Point.CN, "HK2": Point.CN,
                "CN": Point.CN, "CANAM": Point.CN}
_HK = r"(?:HOC\s*KY|HOC\s*KI|HK|KY|KI)"
_POINT_PATTERNS = (
    (re.compile(r"\bCUOI\s*NAM\b|\bCA\s*NAM\b"), Point.CN),
    (re.compile(rf"\bGIUA\s*{_HK}\s*(?:II|2)\b"), Point.GK2),
    (re.compile(rf"\bGIUA\s*{_HK}\s*(?:I|1)\b"), Point.GK1),
    (re.compile(rf"\bCUOI\s*{_HK}\s*(?:II|2)\b"), Point.CN),
    (re.compile(rf"\bCUOI\s*{_HK}\s*(?:I|1)\b"), Point.CK1),
)

STAGE_MAX = 60   # characters of a stage's name (danhgia_mn's dot)


@dataclass(frozen=True)
class Stage:
    """A kindergarten stage assessment's period: a topic or an age window, named by the school."""

    name: str

    @property
    def short(self) -> str:
        """In a sentence: the name as the school wrote it."""
        return self.name

    @property
    def sms(self) -> str:
        """The unaccented SMS label."""
        return fold(self.name)

    @classmethod
    def parse(cls, value: object) -> Stage:
        """A dot cell ('Chủ đề  Gia đình') -> Stage with single spaces; PeriodError when empty or too long."""
        name = " ".join(str(value if value is not None else "").split())
        if not name or len(name) > STAGE_MAX:
            raise PeriodError(value, f"a topic or age window of 1-{STAGE_MAX} characters")
        return cls(name)


@dataclass(frozen=True)
class Asked:
    """What a KY word of an SMS asks for, in every level's terms: the term (TT22) and the point (TT27)."""

    term: Semester
    point: Point

    @classmethod
    def from_word(cls, word: str) -> Asked | None:
        """'HK1' -> (HK1, CK1), 'GK2' -> (HK2, GK2), 'CN' -> (YEAR, CN); None for a word that is no KY."""
        term = Semester.from_word(word)
        return None if term is None else cls(term, Point.from_word(word))
