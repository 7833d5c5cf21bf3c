"""One guardian's digest text: each child's news in detail, summarised only as far as it must be.

The rule: a digest takes at most one SMS part per child it names. Each
child starts with every line (level 0); while the text is longer, the child
with the longest block is told in a summary (level 1: new scores counted
per subject, the complete term averages), then in a brief (level 2), and a
summarised digest ends with the parents' page link. The pieces are prepared
(folded to portable GSM) once each and cached, since the same words recur
across thousands of guardians, and the template's two macros are turned
into plain string frames once a run (`frames`), checked against Jinja's own
output, so a text costs a few joins instead of two macro calls.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from . import gsm
from .fit import fit
from .render import parts_needed, prepare
from .segment import GSM, UCS2
from .templating import macros

LEVELS = 3
_PROBE_RE = re.compile("[\x01-\x05]")     # probe characters: never in a name, a line or a link


def _cut(probe: str, marks: str) -> list[str] | None:
    """``probe`` cut at its probe characters, when they are exactly ``marks`` in that order."""
    return _PROBE_RE.split(probe) if "".join(_PROBE_RE.findall(probe)) == marks else None


def _child_frame(tpl) -> Callable[[str, str, list[str]], str] | None:
    """The ``child`` macro as one f-string, or None when it is not a plain frame around its three values."""
    cut = _cut(str(tpl.child("\x01", "\x02", ["\x03", "\x04"])), "\x01\x02\x03\x04")
    if cut is None:
        return None
    a, b, c, sep, d = cut

    def child(name: str, class_name: str, lines: list[str]) -> str:
        return f"{a}{name}{b}{class_name}{c}{sep.join(lines)}{d}"
    return child


def _message_frame(tpl, day) -> Callable[[list[str], str], str] | None:
    """The ``message`` macro of one day as plain joins, or None when it is not a plain frame."""
    linked = _cut(str(tpl.message(day, ["\x03", "\x04"], "\x05")), "\x03\x04\x05")
    bare = _cut(str(tpl.message(day, ["\x03", "\x04"], "")), "\x03\x04")
    if linked is None or bare is None or bare[:2] != linked[:2]:
        return None
    head, sep, before_link, after_link = linked
    tail = bare[2]

    def message(blocks: list[str], link: str) -> str:
        body = sep.join(blocks)
        return f"{head}{body}{before_link}{link}{after_link}" if link else f"{head}{body}{tail}"
    return message


def frames(tpl, day) -> tuple[Callable, Callable]:
    """(child, message): the template's macros as string frames when they render the same, else the macros."""
    child, message = _child_frame(tpl), _message_frame(tpl, day)
    samples = [[], ["Điểm TOAN 8"], ["a b", "c;d", "e / f"]]
    if child is None or any(child("Lê Nam", "7A1", x) != str(tpl.child("Lê Nam", "7A1", x)) for x in samples):
        def child(name: str, class_name: str, lines: list[str]) -> str:
            return str(tpl.child(name, class_name, lines))
    if message is None or any(message(x, link) != str(tpl.message(day, x, link)) for x in samples
                              for link in ("", "http://h/p")):
        def message(blocks: list[str], link: str) -> str:
            return str(tpl.message(day, blocks, link))
    return child, message


class Composer:
    """Composes the digest texts of one run (one local date, one settings)."""

    PREPARED_MAX = 50_000     # pieces whose prepared lines are kept (memory stays flat in the school's size)

    def __init__(self, settings, day):
        self.day = day
        self.transliterate = settings.sms.transliterate
        self.link = settings.web.public_url.rstrip("/") + "/p"
        self._child, self._frame = frames(macros("digest.txt"), day)
        self._shares: dict[int, int] = {}
        self._prepared: dict[tuple[int, int], tuple[object, list[str]]] = {}
        self._prep = lru_cache(maxsize=100_000)(lambda text: prepare(text, self.transliterate)[0])

    def parts(self, text: str) -> int:
        """SMS parts of a composed (already prepared) text."""
        return parts_needed(text, self._encoding(text))

    def _encoding(self, text: str) -> str:
        return GSM if gsm.is_portable(text) else UCS2

    @staticmethod
    def _room(n: int) -> int:
        """Septets of ``n`` parts of portable GSM."""
        return 160 if n == 1 else 153 * n

    def _fits(self, text: str, n: int) -> bool:
        """Whether a composed text takes at most ``n`` parts."""
        if self.transliterate:      # _message made it portable GSM: one septet a character, plain arithmetic
            return len(text) <= self._room(n)
        return self.parts(text) <= n

    def _name(self, name: str) -> str:
        """A child's name prepared word by word: names share a few hundred words, so the cache always hits."""
        return " ".join(self._prep(word) for word in name.split())

    def _prepared_at(self, piece, level: int) -> tuple[object, list[str], int]:
        """(piece, its prepared lines at ``level``, their characters other than spaces), once per piece
        (children of a class share their pieces)."""
        key = (id(piece), level)
        found = self._prepared.get(key)
        if found is None or found[0] is not piece:      # the piece itself is kept: its id is not reused meanwhile
            if len(self._prepared) > self.PREPARED_MAX:
                self._prepared.clear()
            lines = [self._prep(line) for line in piece.at(level)]
            found = self._prepared[key] = (piece, lines, sum(len("".join(line.split())) for line in lines))
        return found

    def _lines(self, piece, level: int) -> list[str]:
        """A piece's prepared lines at ``level``."""
        return self._prepared_at(piece, level)[1]

    def _least(self, pieces: list, level: int) -> int:
        """A lower bound of the length of a block of ``pieces`` at ``level``, folded or not: their lines'
        characters other than spaces (no frame, name or separator)."""
        return sum(self._prepared_at(piece, level)[2] for piece in pieces)

    def _block(self, head: tuple[str, str], pieces: list, level: int) -> str:
        """One child's block at ``level``; ``head`` is the prepared (name, class name)."""
        if len(pieces) == 1:
            return self._child(head[0], head[1], self._lines(pieces[0], level))
        return self._child(head[0], head[1], [line for piece in pieces for line in self._lines(piece, level)])

    def _message(self, blocks: list[str], summarised: bool) -> str:
        text = " ".join(self._frame(blocks, self.link if summarised else "").split())
        if self.transliterate and not gsm.is_portable(text):
            text = prepare(text, True)[0]    # the template's own words, if ever accented
        return text

    def text(self, children: list[tuple[int, str, str, list]], extra: str | None = None) -> str:
        """The digest of these children ((student id, name, class name, pieces) each), in at most one part each.

        ``extra`` is one more line of the guardian's own (the forum's), with a part of its own.
        """
        if extra:
            return self._with_extra(children, self._prep(extra))
        n = len(children)
        heads = [(self._name(name), self._prep(cname)) for _sid, name, cname, _pieces in children]
        pieces = [p for *_, p in children]
        # The heavy evening's children never fit in detail: their lines alone are longer than the room, so
        # neither that text nor a block too long for its share below is built only to be measured.
        if not self.transliterate or sum(self._least(p, 0) for p in pieces) <= self._room(n):
            blocks = [self._block(head, p, 0) for head, p in zip(heads, pieces)]
            text = self._message(blocks, any(p.condensed for ps in pieces for p in ps))
            if self._fits(text, n):
                return text
        # Each child gets an equal share of the room; one over it is summarised, then briefed.
        levels = [0] * n
        share = self._share(n)
        blocks = [""] * n
        for i in range(n):
            while levels[i] < LEVELS - 1 and self._least(pieces[i], levels[i]) > share:
                levels[i] += 1
            blocks[i] = self._block(heads[i], pieces[i], levels[i])
            while len(blocks[i]) > share and levels[i] < LEVELS - 1:
                levels[i] += 1
                blocks[i] = self._block(heads[i], pieces[i], levels[i])
        while True:
            text = self._message(blocks, True)
            if self._fits(text, n):
                return text
            open_ = [i for i in range(n) if levels[i] < LEVELS - 1]
            if not open_:
                break
            i = max(open_, key=lambda k: len(blocks[k]))
            levels[i] += 1
            blocks[i] = self._block(heads[i], pieces[i], levels[i])
        # Even the briefest form is too long (very long names): cut at a boundary, with the link.
        return self._prep(fit(text, transliterate=self.transliterate, max_parts=n, more_url=self.link))

    def _with_extra(self, children, extra: str) -> str:
        """The children's text with the guardian's own line after it (one part more)."""
        if not children:
            return self._message([extra], False)
        text = self.text(children)
        link = f". Xem: {self.link}"
        body, tail = (text[:-len(link)], link) if text.endswith(link) else (text, "")
        return f"{body} / {extra}{tail}"

    def _share(self, n: int) -> int:
        """Characters of one child's block when ``n`` share one summarised text (portable GSM: 1 a septet)."""
        if n not in self._shares:
            room = self._room(n)
            frame = len(self._message(["" for _ in range(n)], True))
            self._shares[n] = max(1, (room - frame) // n)
        return self._shares[n]
