"""One guardian's digest text: each child's news in detail, summarised only as far as it must be.

The rule: a digest takes at most one SMS part per child it names. Each
child starts with every line (level 0); while the text is longer, the child
with the longest block is told in a summary (level 1: new scores counted
per subject, the complete term averages), then in a brief (level 2), and a
summarised digest ends with the parents' page link. The pieces are prepared
(folded to portable GSM) once each and cached, since the same words recur
across thousands of guardians.
"""
from __future__ import annotations

from functools import lru_cache

from . import gsm
from .fit import fit
from .render import parts_needed, prepare
from .segment import GSM, UCS2
from .templating import macros

LEVELS = 3


class Composer:
    """Composes the digest texts of one run (one local date, one settings)."""

    def __init__(self, settings, day):
        self.day = day
        self.transliterate = settings.sms.transliterate
        self.link = settings.web.public_url.rstrip("/") + "/p"
        self.tpl = macros("digest.txt")
        self._shares: dict[int, int] = {}
        self._prep = lru_cache(maxsize=100_000)(lambda text: prepare(text, self.transliterate)[0])

    def parts(self, text: str) -> int:
        """SMS parts of a composed (already prepared) text."""
        return parts_needed(text, self._encoding(text))

    def _encoding(self, text: str) -> str:
        return GSM if gsm.is_portable(text) else UCS2

    def _name(self, name: str) -> str:
        """A child's name prepared word by word: names share a few hundred words, so the cache always hits."""
        return " ".join(self._prep(word) for word in name.split())

    def _block(self, name: str, class_name: str, pieces: list, level: int) -> str:
        lines = [self._prep(line) for piece in pieces for line in piece.at(level)]
        return str(self.tpl.child(self._name(name), self._prep(class_name), lines))

    def _message(self, blocks: list[str], summarised: bool) -> str:
        text = " ".join(str(self.tpl.message(self.day, blocks, self.link if summarised else "")).split())
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
        blocks = [self._block(name, cname, pieces, 0) for _sid, name, cname, pieces in children]
        condensed = any(p.condensed for *_, pieces in children for p in pieces)
        text = self._message(blocks, condensed)
        if self.parts(text) <= n:
            return text
        # Each child gets an equal share of the room; one over it is summarised, then briefed.
        levels = [0] * n
        share = self._share(n)
        for i, (_sid, name, cname, pieces) in enumerate(children):
            while len(blocks[i]) > share and levels[i] < LEVELS - 1:
                levels[i] += 1
                if any(p.at(levels[i]) != p.at(levels[i] - 1) for p in pieces):   # else the same block again
                    blocks[i] = self._block(name, cname, pieces, levels[i])
        while True:
            text = self._message(blocks, True)
            if self.parts(text) <= n:
                return text
            open_ = [i for i in range(n) if levels[i] < LEVELS - 1]
            if not open_:
                break
            i = max(open_, key=lambda k: len(blocks[k]))
            levels[i] += 1
            _sid, name, cname, pieces = children[i]
            blocks[i] = self._block(name, cname, pieces, levels[i])
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
            room = 160 if n == 1 else 153 * n
            frame = len(self._message(["" for _ in range(n)], True))
            self._shares[n] = max(1, (room - frame) // n)
        return self._shares[n]
