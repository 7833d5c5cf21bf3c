"""Vietnamese text folding, shared by parsing (commands) and sending (outbox)."""
from __future__ import annotations

import unicodedata

# Letters NFD does not decompose; they are mapped by hand.
_BY_HAND = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss"})


def fold(text: str) -> str:
    """Drop Vietnamese diacritics: 'Điểm Toán' -> 'Diem Toan'. Case is kept.

    NFD splits a letter from its combining marks (ể -> e + ̂ + ̉); the marks
    are dropped. Đ/đ is a separate letter, not a d with a mark, so it is
    mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_BY_HAND))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def given_name(full_name: str) -> str:
    """The given name (last word) folded to upper case: 'Nguyễn Thị Hoa' -> 'HOA'."""
    words = full_name.split()
    return fold(words[-1]).upper() if words else ""
