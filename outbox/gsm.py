"""GSM 03.38 default alphabet: encode, decode, count septets.

SMPP carries GSM text unpacked, one septet a byte. Characters of the
extension table take two septets (ESC + code); segmentation must never
split such a pair.
"""
from __future__ import annotations

import re

ESC = 0x1B

BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
assert len(BASIC) == 128
EXTENSION = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E,
             "|": 0x40, "€": 0x65}

_ENCODE = {ch: i for i, ch in enumerate(BASIC) if i != ESC}
_DECODE_EXT = {code: ch for ch, code in EXTENSION.items()}

# Characters that are the same byte in GSM 03.38, ASCII and Latin-1: text made
# only of these reads the same whatever data_coding 0 means on the SMSC.
PORTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                     " !\"#%&'()*+,-./:;<=>?\n\r")


class GsmEncodeError(ValueError):
    """``char`` (at ``position``) has no GSM 03.38 encoding."""

    def __init__(self, char: str, position: int):
        self.char = char
        self.position = position
        super().__init__(f"{char!r} at {position} is not in the GSM 03.38 alphabet")


def char_septets(ch: str) -> int:
    """1 for a basic character, 2 for an extension one, 0 when not GSM."""
    if ch in _ENCODE:
        return 1
    if ch in EXTENSION:
        return 2
    return 0


def is_gsm(text: str) -> bool:
    """Whether every character of ``text`` has a GSM 03.38 encoding."""
    return all(ch in _ENCODE or ch in EXTENSION for ch in text)


def septets(text: str) -> int:
    """Septets ``text`` takes in GSM 03.38 (escapes count two)."""
    total = 0
    for i, ch in enumerate(text):
        n = char_septets(ch)
        if not n:
            raise GsmEncodeError(ch, i)
        total += n
    return total


def encode(text: str) -> bytes:
    """Unpacked GSM 03.38 septets of ``text`` (one byte each)."""
    out = bytearray()
    for i, ch in enumerate(text):
        code = _ENCODE.get(ch)
        if code is not None:
            out.append(code)
        elif ch in EXTENSION:
            out += bytes((ESC, EXTENSION[ch]))
        else:
            raise GsmEncodeError(ch, i)
    return bytes(out)


def decode(data: bytes) -> str:
    """Text of unpacked GSM 03.38 septets; an unknown escape reads as its basic character."""
    out = []
    i = 0
    while i < len(data):
        b = data[i] & 0x7F
        if b == ESC and i + 1 < len(data):
            nxt = data[i + 1] & 0x7F
            out.append(_DECODE_EXT.get(nxt, BASIC[nxt] if nxt != ESC else " "))
            i += 2
            continue
        out.append(" " if b == ESC else BASIC[b])
        i += 1
    return "".join(out)


_NOT_PORTABLE = re.compile("[^" + re.escape("".join(sorted(PORTABLE))) + "]")


def is_portable(text: str) -> bool:
    """Whether ``text`` reads the same in GSM 03.38, ASCII and Latin-1."""
    return _NOT_PORTABLE.search(text) is None
