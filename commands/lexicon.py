"""The words of the language: subject aliases, term words, child selectors."""
from __future__ import annotations

import re

from store.subjects import ALIAS_TO_CODE, ALIASES

SUBJECT_ALIASES = ALIASES
ALIAS_TO_SUBJECT = ALIAS_TO_CODE

# In THCS, history and geography are one subject (Lich su va Dia ly).
THCS_SUBJECT_MAP = {"SU": "LSDL", "DIA": "LSDL"}

YEAR = 0  # the KY value meaning the whole school year
TERM_WORDS = {
    "HK1": 1, "HKI": 1, "1": 1, "KY1": 1, "KYI": 1, "HOCKY1": 1,
    "HK2": 2, "HKII": 2, "2": 2, "KY2": 2, "KYII": 2, "HOCKY2": 2,
    "CN": YEAR, "CANAM": YEAR,
}
TERM_NAMES = {1: "HK1", 2: "HK2", YEAR: "CN"}
# "học kì" is the textbook spelling: KI beside KY everywhere.
TERM_WORDS.update({k.replace("KY", "KI"): v for k, v in list(TERM_WORDS.items()) if "KY" in k})

# Words parents add that carry no meaning for the command: `xem diem toan cua chau Long a`.
# CON is also a keyword (the list of children); it is filler only around other words.
FILLER = frozenset({"XEM", "CUA", "CON", "CHAU", "CHO", "VA", "A", "OI", "EM", "BE", "NHE", "VOI", "GIUP"})
# Fillers that say a child's name follows: `cho chau Long nghi`, `diem cua con Hoa`.
NAME_MARKERS = frozenset({"CON", "CHAU", "EM", "BE", "CHO"})

CHILD_INDEX = re.compile(r"(?:C|CON)([1-9]\d?)")


def subject_of(word: str) -> str | None:
    """Canonical subject code for an alias, or None."""
    return ALIAS_TO_SUBJECT.get(word)


def term_of(word: str) -> int | None:
    """1, 2 or YEAR for a term word, else None."""
    return TERM_WORDS.get(word)


def is_filler(word: str) -> bool:
    """True for a word that only pads the command (`XEM`, `CUA`, `A`)."""
    return word in FILLER


def child_index(word: str) -> int | None:
    """The 1-based child number of `C2` / `CON2`, else None."""
    m = CHILD_INDEX.fullmatch(word)
    return int(m.group(1)) if m else None
