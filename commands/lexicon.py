"""The words of the language: subject aliases, term words, child selectors."""
from __future__ import annotations

import re

from store.school import levels
from store.rules.periods import Asked, Semester
from store.school.subjects import ALIAS_TO_CODE

ALIAS_TO_SUBJECT = ALIAS_TO_CODE

YEAR = Semester.YEAR  # the KY value meaning the whole school year
# The KY words and what each asks in every level's terms live in store.rules.periods (one vocabulary).

# Words parents add that carry no meaning for the command: `xem diem toan cua chau Long a`.
# CON is also a keyword (the list of children); it is filler only around other words.
FILLER = frozenset({"XEM", "CUA", "CON", "CHAU", "CHO", "VA", "A", "OI", "EM", "BE", "NHE", "VOI", "GIUP"})
# Fillers that say a child's name follows: `cho chau Long nghi`, `diem cua con Hoa`.
NAME_MARKERS = frozenset({"CON", "CHAU", "EM", "BE", "CHO"})

CHILD_INDEX = re.compile(r"(?:C|CON)([1-9]\d?)")


def subject_of(word: str) -> str | None:
    """Canonical subject code for an alias, or None."""
    return ALIAS_TO_SUBJECT.get(word)


def term_of(word: str) -> Semester | None:
    """The Semester a KY word names (HK1, HK2 or YEAR), else None."""
    return Semester.from_word(word)


def asked_of(word: str) -> Asked | None:
    """What a KY word asks for: its term and its primary point (GK1 / GK2 as typed, else the term's end)."""
    return Asked.from_word(word)


def is_filler(word: str) -> bool:
    """True for a word that only pads the command (`XEM`, `CUA`, `A`)."""
    return word in FILLER


def child_index(word: str) -> int | None:
    """The 1-based child number of `C2` / `CON2`, else None."""
    m = CHILD_INDEX.fullmatch(word)
    return int(m.group(1)) if m else None


def subject_for(child, code: str) -> str:
    """The school's code for a parent's subject: in THCS, SU and DIA are LSDL; in primary ANH is NN, ….

    The child's khối asks the level registry, so a TH+THCS school maps each child by their grade."""
    return levels.spec_of_grade(child.grade).subject_words.get(code, code)
