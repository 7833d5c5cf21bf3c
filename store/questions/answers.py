"""Reading the answers of a `BL` text: pure functions, no database.

Accepted: pairs (`1A 2C`, `1a2c3b`, `1.A 2.C`, `Câu 1: A`, `1-A; 2=C`), positional letters
(`ACB…`, spaced or not), `X` for a blank, a leading `ĐA:` / `đáp án`. A Vietnamese keyboard left on
turns keys into marks (Telex `AA`→`Â`, `AX`→`Ã`, `AF`→`À`; VNI `A2`→`À`): each way the marks could
have been typed is read back, and the answer is taken only when every reading that fits the test
agrees. Anything else is an AnswerError whose message says what is wrong, never a guess.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

from store.core.text import fold

LETTERS = "ABCDEF"
BLANK = "X"
_FILLERS = (("DAPAN",), ("DAP", "AN"), ("DA",), ("TL",), ("TRALOI",), ("TRA", "LOI"))
_PIECE = re.compile(r"\d+|[A-Z]+")
_MAX_READINGS = 256
# Combining marks -> the key typed after the vowel, per keyboard; None: the modifier doubles the letter.
_TELEX = {"\u0301": "S", "\u0300": "F", "\u0309": "R", "\u0303": "X", "\u0323": "J", "\u0302": None,
          "\u0306": "W", "\u031b": "W"}
_VNI = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5", "\u0302": "6",
        "\u031b": "7", "\u0306": "8"}
_TONES = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}


class AnswerError(ValueError):
    """The answers cannot be read for sure; ``reason`` (Vietnamese) says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Picks = tuple[int | None, ...]    # per item, the letter index picked (0 = A), None = blank


def parse_answers(text: str | None, choice_counts: Sequence[int]) -> Picks:
    """The letters picked per item of a test whose items have ``choice_counts`` choices."""
    raw = unicodedata.normalize("NFKC", text or "").upper()
    readings = [fold(raw)] + (_keyboard_readings(raw) if not raw.isascii() else [])
    found: dict[Picks, None] = {}
    first_error: AnswerError | None = None
    for reading in readings:
        for words in _without_filler(_words(reading)):
            try:
                found.setdefault(_parse_words(words, choice_counts))
            except AnswerError as e:
                first_error = first_error or e
    if len(found) == 1:
        return next(iter(found))
    if len(found) > 1:
        raise AnswerError("bộ gõ tiếng Việt đã đổi chữ trong tin (có dấu): tắt bộ gõ rồi gửi lại")
    raise first_error or AnswerError("không thấy đáp án nào")


def _words(text: str) -> list[str]:
    return "".join(c if c.isascii() and c.isalnum() else " " for c in text).split()


def _without_filler(words: list[str]) -> list[list[str]]:
    """The words as sent, and without a leading `ĐA` / `đáp án` / `TL` (both are tried)."""
    out = [words]
    for filler in _FILLERS:
        if tuple(words[:len(filler)]) == filler:
            out.append(words[len(filler):])
    return out


def _parse_words(words: list[str], counts: Sequence[int]) -> Picks:
    pieces = [p for w in words for p in _PIECE.findall(w) if p != "CAU"]
    if not pieces:
        raise AnswerError("không thấy đáp án nào")
    if any(p.isdigit() for p in pieces):
        return _pairs(pieces, counts)
    return _positional("".join(pieces), counts)


def _letter(item: int, letter: str, counts: Sequence[int]) -> int | None:
    if letter == BLANK:
        return None
    index = LETTERS.find(letter)
    if index < 0 or index >= counts[item - 1]:
        last = LETTERS[counts[item - 1] - 1]
        raise AnswerError(f"câu {item}: “{letter}” không phải phương án (A–{last}, X = bỏ trống)")
    return index


def _positional(letters: str, counts: Sequence[int]) -> Picks:
    n = len(counts)
    if len(letters) != n:
        raise AnswerError(f"đề có {n} câu mà tin có {len(letters)} chữ cái; viết đủ {n} chữ, X = bỏ trống")
    return tuple(_letter(i, ch, counts) for i, ch in enumerate(letters, start=1))


def _pairs(pieces: list[str], counts: Sequence[int]) -> Picks:
    n = len(counts)
    picks: dict[int, int | None] = {}
    i = 0
    while i < len(pieces):
        number = pieces[i]
        if not number.isdigit():
            raise AnswerError(f"không đọc được “{number}”: viết số câu trước chữ cái, ví dụ 1A 2C")
        item = int(number)
        if not 1 <= item <= n:
            raise AnswerError(f"đề chỉ có {n} câu, không có câu {item}")
        letter = pieces[i + 1] if i + 1 < len(pieces) and not pieces[i + 1].isdigit() else BLANK
        i += 2 if i + 1 < len(pieces) and not pieces[i + 1].isdigit() else 1
        if len(letter) > 1:
            raise AnswerError(f"câu {item}: “{letter}” — mỗi câu chỉ chọn một chữ cái")
        pick = _letter(item, letter, counts)
        if item in picks and picks[item] != pick:
            raise AnswerError(f"câu {item} có hai đáp án khác nhau")
        picks[item] = pick
    return tuple(picks.get(k) for k in range(1, n + 1))


def _keyboard_readings(raw: str) -> list[str]:
    """Every ASCII text a Telex or VNI keyboard could have turned into ``raw`` (capped)."""
    out: list[str] = []
    for table in (_TELEX, _VNI):
        words = [_word_readings(w, table) for w in raw.split()]
        if any(not w for w in words):
            continue
        combos = 1
        for w in words:
            combos *= len(w)
        if combos > _MAX_READINGS:
            continue
        out.extend(" ".join(c) for c in itertools.product(*words))
    return out


def _word_readings(word: str, table: dict) -> list[str]:
    """The keystrokes of one word: modifiers right after their letter, a tone key anywhere after it."""
    base: list[str] = []
    tones: list[tuple[int, str]] = []       # (index in base after which the key may come, key)
    for ch in word:
        if ch in "ĐÐ":
            base += ["D", "D" if table is _TELEX else "9"]
            continue
        parts = unicodedata.normalize("NFD", ch)
        letter, marks = parts[0], parts[1:]
        base.append(fold(letter))
        for mark in marks:
            key = table.get(mark, "")
            if mark in _TONES:
                tones.append((len(base), key))
            else:
                base.append(letter if key is None else key)
    if not tones:
        return ["".join(base)]
    spots = [range(start, len(base) + 1) for start, _ in tones]
    if len(tones) > 3:
        return []
    readings = []
    for places in itertools.product(*spots):
        chars = list(base)
        for (_, key), at in sorted(zip(tones, places), key=lambda t: -t[1]):
            chars.insert(at, key)
        readings.append("".join(chars))
    return readings


_HEAD = re.compile(r"\s*([A-Z][A-Z0-9]*)")
_SEQ = re.compile(r"\s*[-._/]?\s*(\d{1,4})(?![A-Z0-9])")
_GLUED_SEQ = re.compile(r"\s*[-._/]\s*(\d{1,4})(?=[A-Z0-9])")


def code_candidates(text: str | None) -> list[tuple[str, str]]:
    """The ways the start of ``text`` can name a test or a pupil's variant: (code, the rest).

    `T5-12 1A` -> [('T5-12', ' 1A'), ('T5', '-12 1A')]; glued `T512 ACB` -> also T5-12 and T51-2.
    The caller keeps the first one that names a variant of the sender's children and parses.
    """
    folded = fold(unicodedata.normalize("NFKC", text or "")).upper()
    out = _candidates(folded)
    filler = _CODE_FILLER.match(folded)
    if filler:                       # `BL ma de T5-12 …`, `BL de: T5-12 …`
        out += [c for c in _candidates(folded[filler.end():]) if c not in out]
    return out


_CODE_FILLER = re.compile(r"\s*(?:MA\s*DE|DE|MA)\b[\s:.\-]*(?=[A-Z])")


def _candidates(folded: str) -> list[tuple[str, str]]:
    m = _HEAD.match(folded)
    if not m:
        return []
    head, rest = m.group(1), folded[m.end():]
    out = []
    seq = _SEQ.match(rest)
    if seq:
        out.append((f"{head}-{int(seq.group(1))}", rest[seq.end():]))
    out.append((head, rest))
    glued = _GLUED_SEQ.match(rest)
    if glued:                        # `T5-121a2b`: T5-12 then 1a2b, or T5-1 then 21a…: the caller decides
        digits = glued.group(1)
        for k in range(len(digits), 0, -1):
            if digits[0] != "0":
                out.append((f"{head}-{int(digits[:k])}", digits[k:] + rest[glued.end():]))
    digits = len(head) - len(head.rstrip("0123456789"))
    for cut in range(len(head) - 1, len(head) - digits, -1):
        if head[:cut][-1].isdigit() and head[cut] != "0":
            out.append((f"{head[:cut]}-{head[cut:]}", rest))
    return out
