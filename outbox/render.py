"""Prepare outgoing text: unaccented portable GSM-7, or NFC UCS-2, and its part budget.

"Portable" (outbox.gsm.PORTABLE) means the same bytes in GSM 03.38, ASCII and
Latin-1, so an unaccented reply reads the same whatever data_coding 0 means
on the SMSC. Characters outside it are replaced by the nearest portable
spelling (table below) or dropped:

    @ -> (at)    $ -> USD    € -> EUR    £ -> GBP    _ ~ -> -    | \\ -> /
    [ { -> (     ] } -> )    ^ -> (dropped)          ` -> '
    typographic quotes -> ' "    dashes -> -    … -> ...    × -> x
    compatibility forms by NFKD (² -> 2, ① -> 1, ﬁ -> fi); emoji and symbols dropped

Both modes also tidy whitespace: exotic spaces become a plain space, runs of
spaces one space, CRLF a newline, and trailing blanks go (each costs a septet).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from outbox import gsm
from outbox.segment import GSM, MULTI, SINGLE, UCS2, count_parts
from store.core.text import fold

# Same meaning in plain ASCII; applied in both modes so a curly quote alone
# never turns a reply into UCS-2 (70 characters a part instead of 160).
_TYPOGRAPHIC = str.maketrans({
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...", "⁄": "/", "•": "-", "·": ".",
    **dict.fromkeys("\t\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", None),
})

# GSM characters that are other bytes in ASCII/Latin-1, and common others.
_PORTABLE_MAP = str.maketrans({
    "@": "(at)", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY",
    "_": "-", "~": "-", "|": "/", "\\": "/",
    "[": "(", "{": "(", "]": ")", "}": ")", "^": None,
    "¡": "!", "¿": "?", "×": "x", "÷": "/", "±": "+/-", "¤": None, "§": None,
})

_SPACES = re.compile(r" {2,}")
_TRAILING = re.compile(r" +(?=\n)|(?<=\n) +")


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n")
    text = _SPACES.sub(" ", text)
    return _TRAILING.sub("", text).strip()


def _portable_char(ch: str) -> str:
    """``ch`` itself, its NFKD portable spelling, or '' when it has none."""
    if ch in gsm.PORTABLE:
        return ch
    decomposed = unicodedata.normalize("NFKD", ch).translate(_TYPOGRAPHIC).translate(_PORTABLE_MAP)
    return "".join(c for c in decomposed if c in gsm.PORTABLE)


class _PortableTable(dict):
    """A str.translate table: each character to its portable spelling, filled as characters are met."""

    LIMIT = 20_000   # distinct characters remembered; beyond, still correct, just not cached

    def __missing__(self, code: int):
        value = _portable_char(chr(code))
        if len(self) < self.LIMIT:
            self[code] = value
        return value


_TO_PORTABLE = _PortableTable()


def _portable_spelling(text: str) -> str:
    """The steps of make_portable after NFC and before tidying, one pass each."""
    return fold(text.translate(_TYPOGRAPHIC)).translate(_PORTABLE_MAP).translate(_TO_PORTABLE)


class _NotLocal(Exception):
    """A character whose folding is not ASCII: NFC could join it to its neighbours."""


class _OnePassTable(dict):
    """A str.translate table doing every step of _portable_spelling at once, per character.

    Those steps read one character at a time, but for fold()'s last NFC: once a character's
    marks are dropped (NFD, combining marks out) and what is left is ASCII, no NFC can join it to
    a neighbour, so the whole text's spelling is the characters' spellings put together. Any other
    character raises _NotLocal and the text takes the step-by-step path.
    """

    LIMIT = 20_000

    def __missing__(self, code: int):
        folded = fold(chr(code).translate(_TYPOGRAPHIC))
        if not folded.isascii():
            raise _NotLocal(chr(code))
        value = folded.translate(_PORTABLE_MAP).translate(_TO_PORTABLE)
        if len(self) < self.LIMIT:
            self[code] = value
        return value


_ONE_PASS = _OnePassTable()


def make_portable(text: str) -> str:
    """``text`` folded and reduced to characters that read the same in GSM, ASCII and Latin-1."""
    text = unicodedata.normalize("NFC", text)
    try:
        return _tidy(text.translate(_ONE_PASS))
    except _NotLocal:
        return _tidy(_portable_spelling(text))


@lru_cache(maxsize=4096)   # pure: fit() prepares a reply, then the answer prepares the same text again
def prepare(text: str, transliterate: bool) -> tuple[str, str]:
    """The text to send and its encoding ('gsm' or 'ucs2')."""
    if transliterate:
        return make_portable(text), GSM
    text = _tidy(unicodedata.normalize("NFC", text).translate(_TYPOGRAPHIC))
    return text, GSM if gsm.is_portable(text) else UCS2


def parts_needed(text: str, encoding: str) -> int:
    """Parts ``text`` (already prepared) takes on the handset, as the segmenter splits it."""
    if encoding == GSM and gsm.is_portable(text):
        # One septet a character, no escape to keep whole: the segmenter's cuts are plain arithmetic.
        return 1 if len(text) <= SINGLE[GSM] else -(-len(text) // MULTI[(GSM, False)])
    return count_parts(text, encoding)


def fits(text: str, encoding: str, max_parts: int) -> bool:
    """Whether prepared ``text`` fits in ``max_parts`` parts."""
    return parts_needed(text, encoding) <= max_parts


def budget_chars(encoding: str, max_parts: int) -> int:
    """Characters that always fit in ``max_parts`` parts (portable GSM: 1 septet; UCS-2: BMP chars)."""
    if max_parts < 1:
        raise ValueError("max_parts must be at least 1")
    if max_parts == 1:
        return SINGLE[encoding]
    return MULTI[(encoding, False)] * max_parts
