"""The level registry: school levels (cấp học), their grades (khối) and the rules module of each.

One place answers "which rules apply to this child?": a class's ``khoi``
decides, so a multi-level school (``TH+THCS``) gets TT27 for its grade-3
pupils and TT22 for its grade-7 ones. Keywords, pages and imports ask the
registry instead of comparing level codes: each level's rules module, its
period type (store.rules.periods), what the subject words parents type mean there,
and whether some subjects are chosen (THPT).

Khối as stored (classes.grade, subjects.grade): an integer. Grades 1–12 are
themselves; the kindergarten groups are the integers before grade 1, in
age order, so ORDER BY grade still reads youngest first:
NT (nhà trẻ) -3, MGB (mẫu giáo bé) -2, MGN (mẫu giáo nhỡ) -1, MGL (mẫu giáo lớn) 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from collections.abc import Mapping
from types import ModuleType, MappingProxyType

from store.rules import tt22
from store.rules.periods import Point, Semester, Stage
from store.rules import preschool
from store.rules import tt27
from store.school.subjects import THPT_REQUIRED
from store.core.text import fold


class Scheme(str, Enum):
    """Which assessment rules a level follows."""

    TT22 = "tt22"      # Thông tư 22/2021: THCS, THPT (scores and averages)
    TT27 = "tt27"      # Thông tư 27/2020: tiểu học (levels T/H/C, periodic tests)
    MN = "mn"          # mầm non (kindergarten): daily notes, WHO growth, stage assessment (store.preschool)


class SchoolLevel(str, Enum):
    """A school level code as imported in ``schools.cap``."""

    MN = "MN"
    TH = "TH"
    THCS = "THCS"
    THPT = "THPT"


@dataclass(frozen=True)
class LevelSpec:
    """One school level: its grades (khối as stored), its rules scheme and names."""

    level: SchoolLevel
    grades: tuple[int, ...]
    scheme: Scheme
    name: str
    rules: ModuleType | None      # the pure grading-rules module (None: none registered yet)
    periods: type                 # its period type (store.rules.periods): Semester, Point or Stage
    # What the subject words parents type mean at this level (THCS: SU, DIA are LSDL; primary: ANH is NN, …).
    subject_words: Mapping[str, str] = field(default_factory=dict)
    # Subjects every pupil takes when the others are chosen groups (THPT); None: every subject is studied.
    required_subjects: frozenset[str] | None = None


KINDERGARTEN_GROUPS = {"NT": -3, "MGB": -2, "MGN": -1, "MGL": 0}
_GROUP_NAMES = {v: k for k, v in KINDERGARTEN_GROUPS.items()}

SPECS: dict[SchoolLevel, LevelSpec] = {s.level: s for s in (
    LevelSpec(SchoolLevel.MN, tuple(KINDERGARTEN_GROUPS.values()), Scheme.MN, "Mầm non", preschool, Stage),
    LevelSpec(SchoolLevel.TH, (1, 2, 3, 4, 5), Scheme.TT27, "Tiểu học", tt27, Point,
              subject_words=MappingProxyType(tt27.FROM_SECONDARY)),
    # In THCS, history and geography are one subject (Lịch sử và Địa lí).
    LevelSpec(SchoolLevel.THCS, (6, 7, 8, 9), Scheme.TT22, "Trung học cơ sở", tt22, Semester,
              subject_words=MappingProxyType({"SU": "LSDL", "DIA": "LSDL"})),
    LevelSpec(SchoolLevel.THPT, (10, 11, 12), Scheme.TT22, "Trung học phổ thông", tt22, Semester,
              required_subjects=THPT_REQUIRED),
)}
_BY_GRADE = {g: spec for spec in SPECS.values() for g in spec.grades}

# How a `cap` cell may spell each level (folded, no spaces).
LEVEL_WORDS = {"MN": SchoolLevel.MN, "MAMNON": SchoolLevel.MN, "MG": SchoolLevel.MN, "MAUGIAO": SchoolLevel.MN,
               "TH": SchoolLevel.TH, "TIEUHOC": SchoolLevel.TH,
               "THCS": SchoolLevel.THCS, "TRUNGHOCCOSO": SchoolLevel.THCS,
               "THPT": SchoolLevel.THPT, "TRUNGHOCPHOTHONG": SchoolLevel.THPT}


class LevelError(ValueError):
    """A school level or khối that the registry does not know; ``reason`` says why."""

    def __init__(self, value: object, reason: str):
        super().__init__(f"{value!r}: {reason}")
        self.value = value
        self.reason = reason


def parse_levels(text: str) -> str:
    """'TH', 'Tiểu học', 'th + thcs' -> the stored code ('TH', 'TH+THCS'), in level order; LevelError else."""
    pieces = [re.sub(r"[^0-9A-Z]", "", fold(p).upper()) for p in str(text or "").split("+")]
    if not any(pieces):
        raise LevelError(text, "empty")
    found = []
    for piece in pieces:
        level = LEVEL_WORDS.get(piece)
        if level is None:
            raise LevelError(text, f"unknown level {piece or '(empty)'}")
        if level not in found:
            found.append(level)
    order = list(SchoolLevel)
    return "+".join(l.value for l in sorted(found, key=order.index))


def levels_of(stored: str) -> tuple[SchoolLevel, ...]:
    """The levels of a school's stored code ('TH+THCS' -> (TH, THCS))."""
    return tuple(SchoolLevel(p) for p in stored.split("+"))


def grades_of(stored: str) -> tuple[int, ...]:
    """Every khối a school of this level code may have, in order."""
    return tuple(g for level in levels_of(stored) for g in SPECS[level].grades)


def spec_of_grade(grade: int) -> LevelSpec:
    """The level a khối belongs to (5 -> TH, 7 -> THCS, -1 -> MN); LevelError for none."""
    try:
        return _BY_GRADE[int(grade)]
    except (KeyError, ValueError, TypeError):
        raise LevelError(grade, "not a khoi") from None


def scheme_of(grade: int) -> Scheme:
    """The rules a class of this khối follows."""
    return spec_of_grade(grade).scheme


def rules_of(grade: int) -> ModuleType | None:
    """The grading-rules module of a khối (store.rules.tt22, store.rules.tt27, …)."""
    return spec_of_grade(grade).rules


def periods_of(grade: int) -> type:
    """The period type of a khối's level: Semester (TT22), Point (TT27) or Stage (mầm non)."""
    return spec_of_grade(grade).periods


def is_preschool(grade: int) -> bool:
    """True for the kindergarten groups NT, MGB, MGN, MGL."""
    try:
        return scheme_of(grade) is Scheme.MN
    except LevelError:
        return False


def is_primary(grade: int) -> bool:
    """True for grades 1–5 (Thông tư 27)."""
    return scheme_of(grade) is Scheme.TT27


def parse_khoi(value: object) -> int:
    """A khoi cell ('3', 3, 3.0, 'Khối 3', 'MGL', 'Mẫu giáo lớn') -> its stored integer; LevelError else."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        number = int(value)
    else:
        key = re.sub(r"[^0-9A-Z]", "", fold(str(value or "")).upper())
        key = key.removeprefix("KHOI").removeprefix("LOP")
        named = preschool.GROUP_WORDS.get(key, key)     # MAM/BE, CHOI/NHO, LA/LON and the full names
        if named in KINDERGARTEN_GROUPS:
            return KINDERGARTEN_GROUPS[named]
        if not key.isdigit():
            raise LevelError(value, "not a khoi (1-12, NT, MGB, MGN, MGL)")
        number = int(key)
    if number not in _BY_GRADE or number < 1:
        raise LevelError(value, "not a khoi (1-12, NT, MGB, MGN, MGL)")
    return number


def khoi_label(grade: int) -> str:
    """The khối as people write it: 3 -> '3', -1 -> 'MGN'."""
    return _GROUP_NAMES.get(grade, str(grade))


def grades_label(grades: tuple[int, ...]) -> str:
    """Khối for a message: runs of grades as '1-9', kindergarten groups by name ('NT, MGB, 1-5')."""
    parts: list[str] = []
    run: list[int] = []
    for g in list(grades) + [None]:
        if g is not None and g >= 1 and (not run or g == run[-1] + 1):
            run.append(g)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
            run = []
        if g is not None and g >= 1:
            run = [g]
        elif g is not None:
            parts.append(khoi_label(g))
    return ", ".join(parts)
