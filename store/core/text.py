"""Vietnamese text folding, shared by parsing (commands) and sending (outbox)."""
from __future__ import annotations

import unicodedata

# Letters NFD does not decompose; they are mapped by hand.
_BY_HAND = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss"})


class _CombiningMarks(dict):
    """A str.translate table dropping combining marks, filled as characters are met (C-speed lookups)."""

    LIMIT = 20_000   # distinct characters remembered; beyond, still correct, just not cached

    def __missing__(self, code: int):
        value = None if unicodedata.combining(chr(code)) else code
        if len(self) < self.LIMIT:
            self[code] = value
        return value


_DROP_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Drop Vietnamese diacritics: 'Điểm Toán' -> 'Diem Toan'. Case is kept.

    NFD splits a letter from its combining marks (ể -> e + ̂ + ̉); the marks
    are dropped. Đ/đ is a separate letter, not a d with a mark, so it is
    mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_BY_HAND))
    return unicodedata.normalize("NFC", decomposed.translate(_DROP_MARKS))


def given_name(full_name: str) -> str:
    """The given name (last word) folded to upper case: 'Nguyễn Thị Hoa' -> 'HOA'."""
    words = full_name.split()
    return fold(words[-1]).upper() if words else ""


def is_digits(raw: str) -> bool:
    """Whether ``raw`` is ASCII digits only: '12' yes; '²', '①', '٣', '１２', '' no (str.isdigit() says yes to
    the superscripts and circled digits, and int() then fails on them)."""
    return raw.isascii() and raw.isdigit()
