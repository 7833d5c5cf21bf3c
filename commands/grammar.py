"""The positional grammar: KEYWORD [MON] [KY] [CON], glued forms included.

parse() is pure: it gets the normalised words and what it needs to know of
the sender (their children's given names and student codes) and returns
what each word was taken as. Which child and which data is the keyword
modules' business.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from store.rules.periods import Point, Semester
from store.core.text import fold

from . import lexicon
from .normalize import MAX_INPUT, normalize, tokens

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
    term: Semester | None = None      # HK1, HK2 or YEAR (store.rules.periods), the TT22 reading of the KY word
    point: Point | None = None        # the primary point (GK1, CK1, GK2, CN) the same word names (TT27)
    child: ChildRef | None = None
    more_children: list[ChildRef] = field(default_factory=list)   # `C1 va C2`: every child named after the first
    text: str = ""                    # free text of GV / NGHI (original spelling)
    unknown: list[str] = field(default_factory=list)
    out_of_order: bool = False
    consumed: str = ""                # the normalised letters the command part used
    kept: list[str] = field(default_factory=list)   # the words that filled MON / KY, canonical terms


def _split_keyword(word: str, aliases: Mapping[str, object]) -> tuple[str, str] | None:
    """'DIEMTOAN1' -> ('DIEM', 'TOAN1'): the longest keyword alias the word starts with."""
    for alias in _longest_first(aliases):
        if word.startswith(alias) and len(word) > len(alias) and alias != "?":
            return alias, word[len(alias):]
    return None


_LONGEST_FIRST: dict[int, tuple[tuple[str, ...], list[str]]] = {}


def _longest_first(aliases: Mapping[str, object]) -> list[str]:
    """The aliases, longest first (ties in table order), sorted once per table and remembered."""
    keys = tuple(aliases)
    cached = _LONGEST_FIRST.get(id(aliases))
    if cached is None or cached[0] != keys:
        cached = _LONGEST_FIRST[id(aliases)] = (keys, sorted(keys, key=len, reverse=True))
        if len(_LONGEST_FIRST) > 64:
            _LONGEST_FIRST.clear()
            _LONGEST_FIRST[id(aliases)] = cached
    return cached[1]


@lru_cache(maxsize=8192)
def _is_vocab(piece: str) -> bool:
    """Whether ``piece`` is a subject alias, a KY word or a child selector (static tables: remembered)."""
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
            asked = lexicon.asked_of(word)
            self.p.term, self.p.point = asked.term, asked.point
        else:
            self.p.child = _child_ref(word, self.codes)
        self.filled.add(slot)

    def take_child(self, word: str) -> bool:
        """A child named after a marker (`cua chau Long`) or after another child (`C1 va C2`)."""
        if CON not in self.slots:
            return False
        ref = _child_ref(word, self.codes)
        if CON not in self.filled:
            self.p.child = ref
            self.filled.add(CON)
        elif ref != self.p.child and ref not in self.p.more_children:
            self.p.more_children.append(ref)
        return True

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


def _child_ref(word: str, codes: frozenset[str]) -> ChildRef:
    idx = lexicon.child_index(word)
    return ChildRef(index=idx) if idx else ChildRef(code=word) if word in codes else ChildRef(name=word)


def _is_child(word: str, names: frozenset[str], codes: frozenset[str]) -> bool:
    return bool(lexicon.child_index(word) or word in codes or word in names)


def _join_spaced(words: list[str]) -> list[str]:
    """Join words typed apart that make one known word: TIENG ANH, HOC KY 1, CA NAM."""
    return list(_joined(tuple(words)))


@lru_cache(maxsize=4096)
def _joined(words: tuple[str, ...]) -> tuple[str, ...]:
    """_join_spaced of a text's words, remembered (it depends on the words alone)."""
    out, i = [], 0
    while i < len(words):
        for size in (5, 4, 3, 2):
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
    return tuple(out)


def _expand(words: list[str], names: frozenset[str], codes: frozenset[str]) -> list[str]:
    out = []
    for w in _join_spaced(words):
        if _is_vocab(w) or w in names or w in codes or lexicon.is_filler(w):
            out.append(w)
        else:
            out.extend(split_glued(w) or (w,))
    return out


def _fill(parsed: Parsed, filler: _Slots, expanded: list[str], names: frozenset[str],
          codes: frozenset[str]) -> None:
    """Fill the slots from the argument words; fillers are dropped, a name after a marker is a child."""
    marked = False
    for i, word in enumerate(expanded):
        if lexicon.is_filler(word) and not _is_vocab(word) and word not in names:
            marked = word in lexicon.NAME_MARKERS
            continue
        before_va = i + 1 < len(expanded) and expanded[i + 1] == "VA" and word in names
        if (marked and word in names) or before_va or (parsed.child is not None and _is_child(word, names, codes)):
            if filler.take_child(word):
                marked = False
                continue
        marked = False
        child = parsed.child
        if not filler.take(word, last=i == len(expanded) - 1):
            parsed.unknown.append(word)
        elif parsed.child == child:
            term = lexicon.term_of(word)
            parsed.kept.append(word if term is None or word in ("1", "2") else term.code)


def _lead(words: list[str], aliases: Mapping[str, object], names: frozenset[str]) -> tuple[int, str | None]:
    """Words before the keyword (`cho chau Long nghi`): how many, and the child's name among them."""
    name = None
    for i, word in enumerate(words[:5]):
        if _keyword_at(words, i, aliases) and (word != "CON" or i + 1 == len(words)):
            return i, name
        if word in names and name is None:
            name = word
        elif not lexicon.is_filler(word):
            return 0, None
    return 0, None


def _keyword_at(words: list[str], i: int, aliases: Mapping[str, object]) -> bool:
    word = words[i]
    return word in aliases or (i + 1 < len(words) and word + words[i + 1] in aliases) or \
        _split_keyword(word, aliases) is not None


def _named_in_text(words: list[str], names: frozenset[str]) -> str | None:
    """The one child named after a marker inside a message (`hom nay chau Long bi sot`), else None."""
    found = {w for prev, w in zip(words, words[1:]) if prev in lexicon.NAME_MARKERS and w in names}
    return found.pop() if len(found) == 1 else None


def parse(raw: str | None, keywords: dict[str, tuple[str, ...]], *, names: frozenset[str] = frozenset(),
          codes: frozenset[str] = frozenset(), spelled: dict[str, frozenset[str]] | None = None) -> Parsed | None:
    """Parse ``raw`` for the commands in ``keywords`` (alias -> canonical keyword's slots).

    ``keywords`` maps every alias to (canonical keyword, *slots*) via
    :func:`commands.registry.keyword_table`. ``spelled`` maps a folded
    given name to its accented spellings (so `nằm` is not the child Nam).
    Returns None when no keyword starts the text (after fillers and a name).
    """
    words = _question_marks(tokens(raw))
    if not words:
        return None
    names = _spelled_names(raw, names, spelled)
    aliases = keywords    # only its keys are read: the aliases (the canonical keyword is keywords[alias][0])
    skip, lead_name = _lead(words, aliases, names)
    lead, words = words[:skip], words[skip:]
    found = _keyword(words, aliases)
    if found is None:
        return None
    typed, rest = found
    keyword = keywords[typed][0]
    slots = keywords[keyword][1]
    parsed = Parsed(keyword=keyword, words=rest)
    filler = _Slots(parsed, slots, names, codes)
    if lead_name:
        filler.take_child(lead_name)
    consumed = [*lead, typed]
    if TEXT in slots:
        _text_command(raw, parsed, filler, rest, consumed, names, codes)
        return parsed
    _fill(parsed, filler, _expand(rest, names, codes), names, codes)
    parsed.consumed = "".join(lead + words)    # the same letters however the keyword was split off
    return parsed


def _question_marks(words: list[str]) -> list[str]:
    """Lone question marks are the help keyword once; elsewhere they are dropped."""
    if not words:
        return words
    return [w for w in words if set(w) != {"?"}] or ["?"]


def _keyword(words: list[str], aliases: Mapping[str, object]) -> tuple[str, list[str]] | None:
    """The keyword alias as typed and the words after it (`XIN PHEP`, `DIEMTOAN1` split); None if none."""
    if len(words) > 1 and words[0] + words[1] in aliases:
        words = [words[0] + words[1], *words[2:]]  # two-word keywords: XIN PHEP, HUONG DAN, LICH THI
    first = words[0]
    if first in aliases:
        return first, words[1:]
    split = _split_keyword(first, aliases)
    if split is None:
        return None
    return split[0], [split[1], *words[1:]]


def _text_command(raw: str, parsed: Parsed, filler: _Slots, rest: list[str], consumed: list[str],
                  names: frozenset[str], codes: frozenset[str]) -> None:
    """GV / NGHI: an optional child (selector, or a name after fillers), then the message."""
    if parsed.child is None:
        skip = 0
        while skip < min(len(rest) - 1, 3) and (lexicon.is_filler(rest[skip]) or rest[skip] == "HOC"):
            skip += 1
        picked = rest[skip] if skip < len(rest) else None
        if picked and (lexicon.child_index(picked) or picked in codes or (skip and picked in names)):
            filler.take_child(picked)
            consumed.extend(rest[:skip + 1])
    parsed.consumed = "".join(consumed)
    parsed.text = _body_after(raw, parsed.consumed)
    if len(rest) > 1 and (lexicon.child_index(rest[-1]) or rest[-1] in codes) and parsed.text.split():
        # `NGHI con bi sot C2`: a selector as the last word is taken too (a name before it wins).
        if parsed.child is None:
            filler.take(rest[-1], last=True)
        parsed.text = parsed.text.rsplit(None, 1)[0] if len(parsed.text.split()) > 1 else parsed.text
    if parsed.child is None and (named := _named_in_text(rest, names)):
        filler.take_child(named)       # `NGHI hom nay chau Long bi sot`: the text stays whole


def _spelled_names(raw: str, names: frozenset[str], spelled: dict[str, frozenset[str]]) -> frozenset[str]:
    """The names minus those typed with other marks (`nằm` is not the child Nam): a name is kept
    when some word folding to it is typed unaccented or with the child's own spelling."""
    if not spelled:
        return names
    typed = _typed_words((raw or "")[:MAX_INPUT])      # the cache keys stay short: the parse reads no further
    return frozenset(n for n in names if n not in typed or any(
        w == fold(w) or w in spelled.get(n, frozenset()) for w in typed[n]))


@lru_cache(maxsize=4096)
def _typed_words(raw: str) -> dict[str, tuple[str, ...]]:
    """Each folded upper-case word of ``raw`` -> the spellings it was typed in, lower case (read only)."""
    typed: dict[str, dict[str, None]] = {}
    for word in re.findall(r"[^\W_]+", unicodedata.normalize("NFC", raw)):
        typed.setdefault(fold(word).upper(), {})[word.lower()] = None
    return {k: tuple(v) for k, v in typed.items()}


def _body_after(raw: str, consumed: str) -> str:
    """The original text after the letters the command part used (keeps diacritics)."""
    acc = ""
    for i, ch in enumerate(raw):
        acc += normalize(ch).replace(" ", "")
        if len(acc) >= len(consumed):
            return raw[i + 1:].lstrip(" \t\r\n.,;:+-_").strip()
    return ""
