"""The words of the language: subject aliases, term words, child selectors."""
from __future__ import annotations

import re

from store import levels
from store.primary import tt27
from store.subjects import ALIAS_TO_CODE, ALIASES

SUBJECT_ALIASES = ALIASES
ALIAS_TO_SUBJECT = ALIAS_TO_CODE

# In THCS, history and geography are one subject (Lich su va Dia ly).
THCS_SUBJECT_MAP = {"SU": "LSDL", "DIA": "LSDL"}
# In primary (SPEC §10) the secondary words a parent may type mean the primary subjects.
PRIMARY_SUBJECT_MAP = tt27.FROM_SECONDARY
SUBJECT_MAPS = {"TH": PRIMARY_SUBJECT_MAP, "THCS": THCS_SUBJECT_MAP}

YEAR = 0  # the KY value meaning the whole school year
TERM_WORDS = {
    "HK1": 1, "HKI": 1, "1": 1, "KY1": 1, "KYI": 1, "HOCKY1": 1,
    "HK2": 2, "HKII": 2, "2": 2, "KY2": 2, "KYII": 2, "HOCKY2": 2,
    "CN": YEAR, "CANAM": YEAR,
    # Primary assessment points (TT27); for a secondary child they name their term.
    "GK1": 1, "GKI": 1, "GIUAKY1": 1, "GIUAHK1": 1, "CK1": 1, "CKI": 1, "CUOIKY1": 1, "CUOIHK1": 1,
    "GK2": 2, "GKII": 2, "GIUAKY2": 2, "GIUAHK2": 2, "CK2": 2, "CKII": 2, "CUOINAM": YEAR,
}
# The TT27 point a KY word names (primary children); words not here use their term's end.
POINT_WORDS = {"GK1": "GK1", "GKI": "GK1", "GIUAKY1": "GK1", "GIUAHK1": "GK1",
               "GK2": "GK2", "GKII": "GK2", "GIUAKY2": "GK2", "GIUAHK2": "GK2"}
TERM_NAMES = {1: "HK1", 2: "HK2", YEAR: "CN"}
# "học kì" is the textbook spelling: KI beside KY everywhere.
TERM_WORDS.update({k.replace("KY", "KI"): v for k, v in list(TERM_WORDS.items()) if "KY" in k})
POINT_WORDS.update({k.replace("KY", "KI"): v for k, v in list(POINT_WORDS.items()) if "KY" in k})

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


def point_of(word: str) -> str | None:
    """The primary point of a KY word: GK1 / GK2 as typed, else the term's end (CK1, CN); None if no KY word."""
    if word in POINT_WORDS:
        return POINT_WORDS[word]
    term = TERM_WORDS.get(word)
    if term is None:
        return None
    return "CK1" if term == 1 else "CN"


def is_filler(word: str) -> bool:
    """True for a word that only pads the command (`XEM`, `CUA`, `A`)."""
    return word in FILLER


def child_index(word: str) -> int | None:
    """The 1-based child number of `C2` / `CON2`, else None."""
    m = CHILD_INDEX.fullmatch(word)
    return int(m.group(1)) if m else None


def subject_for(child, code: str) -> str:
    """The school's code for a parent's subject: in THCS, SU and DIA are LSDL; in primary ANH is NN, ….

    The child's khối decides (store.levels), so a TH+THCS school maps each child by their grade."""
    level = levels.spec_of_grade(child.grade).level.value
    return SUBJECT_MAPS.get(level, {}).get(code, code)
