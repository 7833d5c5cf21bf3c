"""The positional grammar: KEYWORD [MON] [KY] [CON], glued forms included.

parse() is pure: it gets the normalised words and what it needs to know of
the sender (their children's given names and student codes) and returns
what each word was taken as. Which child and which data is the keyword
modules' business.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon
from .normalize import normalize, tokens

MON, KY, CON, TEXT = "MON", "KY", "CON", "TEXT"


@dataclass(frozen=True)
class ChildRef:
    """How the parent named a child: by number (C2), student code or given name."""

    index: int | None = None
    code: str | None = None
    name: str | None = None

    def __str__(self) -> str:
        return f"C{self.index}" if self.index else (self.code or self.name or "")


@dataclass
class Parsed:
    """What the words of one text were taken as."""

    keyword: str                      # canonical keyword (DIEM, KQ, ...)
    words: list[str]                  # the normalised words after the keyword
    subject: str | None = None        # canonical subject code
    subject_word: str | None = None   # the alias as typed
    term: int | None = None           # 1, 2 or lexicon.YEAR
    point: str | None = None          # the primary point (GK1, CK1, GK2, CN) the KY word names
    child: ChildRef | None = None
    text: str = ""                    # free text of GV / NGHI (original spelling)
    unknown: list[str] = field(default_factory=list)
    out_of_order: bool = False
    consumed: str = ""                # the normalised letters the command part used


def _split_keyword(word: str, aliases: dict[str, str]) -> tuple[str, str] | None:
    """'DIEMTOAN1' -> ('DIEM', 'TOAN1'): the longest keyword alias the word starts with."""
    for alias in sorted(aliases, key=len, reverse=True):
        if word.startswith(alias) and len(word) > len(alias) and alias != "?":
            return alias, word[len(alias):]
    return None


def _is_vocab(piece: str) -> bool:
    return bool(lexicon.subject_of(piece) or lexicon.term_of(piece) is not None or lexicon.child_index(piece))


@lru_cache(maxsize=4096)
def split_glued(word: str) -> tuple[str, ...] | None:
    """'TOANHK1C2' -> ('TOAN', 'HK1', 'C2'): fewest known pieces, or None."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(end):
            prev = best[start]
            piece = word[start:end]
            if prev is not None and _is_vocab(piece):
                cand = prev + (piece,)
                if best[end] is None or len(cand) < len(best[end]):
                    best[end] = cand
    result = best[n]
    return result if result and len(result) > 1 else None


class _Slots:
    """Fills the slots of one command left to right, tolerating out-of-order words."""

    def __init__(self, parsed: Parsed, slots: tuple[str, ...], names: frozenset[str], codes: frozenset[str]):
        self.p, self.slots, self.names, self.codes = parsed, [s for s in slots if s != TEXT], names, codes
        self.pos = 0
        self.filled: set[str] = set()

    def accepts(self, slot: str, word: str, last: bool) -> bool:
        if slot == MON:
            return lexicon.subject_of(word) is not None
        if slot == KY:
            return lexicon.term_of(word) is not None
        if slot == CON:
            return bool(lexicon.child_index(word) or word in self.codes or (last and word in self.names))
        return False

    def put(self, slot: str, word: str) -> None:
        if slot == MON:
            self.p.subject, self.p.subject_word = lexicon.subject_of(word), word
        elif slot == KY:
            self.p.term = lexicon.term_of(word)
            self.p.point = lexicon.point_of(word)
        else:
            idx = lexicon.child_index(word)
            self.p.child = (ChildRef(index=idx) if idx else ChildRef(code=word) if word in self.codes
                            else ChildRef(name=word))
        self.filled.add(slot)

    def take(self, word: str, last: bool) -> bool:
        for i in range(self.pos, len(self.slots)):
            if self.slots[i] not in self.filled and self.accepts(self.slots[i], word, last):
                self.put(self.slots[i], word)
                self.pos = i + 1
                return True
        for slot in self.slots[:self.pos]:
            if slot not in self.filled and self.accepts(slot, word, last):
                self.put(slot, word)
                self.p.out_of_order = True
                return True
        return False


def _join_spaced(words: list[str]) -> list[str]:
    """Join words typed apart that make one known word: TIENG ANH, HOC KY 1, CA NAM."""
    out, i = [], 0
    while i < len(words):
        for size in (3, 2):
            joined = "".join(words[i:i + size])
            # `CON 2` / `C 2` only as the last words: elsewhere a digit after C is a term.
            child = lexicon.child_index(joined) is not None
            if i + size <= len(words) and _is_vocab(joined) and (not child or i + size == len(words)):
                out.append(joined)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _expand(words: list[str], names: frozenset[str], codes: frozenset[str]) -> list[str]:
    out = []
    for w in _join_spaced(words):
        if _is_vocab(w) or w in names or w in codes:
            out.append(w)
        else:
            out.extend(split_glued(w) or (w,))
    return out


def parse(raw: str | None, keywords: dict[str, tuple[str, ...]], *, names: frozenset[str] = frozenset(),
          codes: frozenset[str] = frozenset()) -> Parsed | None:
    """Parse ``raw`` for the commands in ``keywords`` (alias -> canonical keyword's slots).

    ``keywords`` maps every alias to (canonical keyword, *slots*) via
    :func:`commands.registry.keyword_table`. Returns None when the first
    word is no keyword.
    """
    words = tokens(raw)
    if not words:
        return None
    if all(set(w) == {"?"} for w in words):
        words = ["?"]
    words = [w for w in words if set(w) != {"?"}] or ["?"]
    aliases = {alias: entry[0] for alias, entry in keywords.items()}
    if words[0] not in aliases and len(words) > 1 and words[0] + words[1] in aliases:
        words = [words[0] + words[1], *words[2:]]  # two-word keywords: XIN PHEP, HUONG DAN
    first = words[0]
    if first in aliases:
        typed, rest = first, words[1:]
    else:
        split = _split_keyword(first, aliases)
        if split is None:
            return None
        typed, rest = split[0], [split[1], *words[1:]]
    keyword = aliases[typed]
    slots = keywords[keyword][1]
    parsed = Parsed(keyword=keyword, words=rest)
    filler = _Slots(parsed, slots, names, codes)
    consumed = [typed]
    if TEXT in slots:
        # GV / NGHI: an optional explicit child selector, then the message.
        if rest and (lexicon.child_index(rest[0]) or rest[0] in codes):
            filler.take(rest[0], last=False)
            consumed.append(rest[0])
        parsed.consumed = "".join(consumed)
        parsed.text = _body_after(raw, parsed.consumed)
        if parsed.child is None and len(rest) > 1 and (lexicon.child_index(rest[-1]) or rest[-1] in codes):
            # `NGHI con bi sot C2`: a selector as the last word is taken too.
            filler.take(rest[-1], last=True)
            parsed.text = parsed.text.rsplit(None, 1)[0] if parsed.child else parsed.text
        return parsed
    expanded = _expand(rest, names, codes)
    for i, word in enumerate(expanded):
        if not filler.take(word, last=i == len(expanded) - 1):
            parsed.unknown.append(word)
    parsed.consumed = "".join(words)
    return parsed


def _body_after(raw: str, consumed: str) -> str:
    """The original text after the letters the command part used (keeps diacritics)."""
    acc = ""
    for i, ch in enumerate(raw):
        acc += normalize(ch).replace(" ", "")
        if len(acc) >= len(consumed):
            return raw[i + 1:].lstrip(" \t\r\n.,;:+-_").strip()
    return ""
