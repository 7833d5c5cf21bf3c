"""Normalise a parent's text once, at the edge: the keyword modules never see raw text."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from store.core.text import fold

SEPARATORS = re.compile(r"[\s.,;:+\-_/\\|]+")
MAX_INPUT = 480  # longer texts are cut before parsing (a GV/NGHI body keeps its own copy)


def normalize(raw: str | None) -> str:
    """Upper-case, unaccented, separator-free form: 'Điểm.Toán, hk1' -> 'DIEM TOAN HK1'.

    NFKC first turns full-width digits and letters (１, Ｄ) into ASCII; then
    Vietnamese marks are folded; anything that is not a letter, a digit or
    '?' becomes a space.
    """
    if not raw:
        return ""
    return _normalize_cut(raw[:MAX_INPUT])


@lru_cache(maxsize=8192)   # pure, and parents send the same few texts; keys are cut: ≤ 8192 × MAX_INPUT
def _normalize_cut(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    text = fold(text).upper()
    text = "".join(c if (c.isascii() and (c.isalnum() or c == "?")) else " " for c in text)
    return " ".join(SEPARATORS.split(text)).strip()


def tokens(raw: str | None) -> list[str]:
    """normalize(raw) split into words."""
    text = normalize(raw)
    return text.split() if text else []

