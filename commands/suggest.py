"""'Ban co y: DIEM TOAN HK1?': the closest valid command to what was typed, only when confident.

A suggestion fills each slot of the keyword at most once and never a slot
the keyword does not have: no 'DIEM TOAN TINHOC 1' (two subjects) and no
'LICH TIN' (LICH has no subject). A word that cannot be placed so means no
suggestion at all; the reply then points to HD.
"""
from __future__ import annotations

import difflib

from store.rules.periods import SEMESTERS

from . import lexicon
from .grammar import CON, KY, MON, Parsed, split_glued
from .normalize import tokens
from .registry import instances, keyword_table

_SUBJECT_WORDS = sorted(lexicon.ALIAS_TO_SUBJECT)
_TERM_WORDS = [s.code for s in SEMESTERS]   # HK1, HK2, CN


def _closest(word: str, choices: list[str], cutoff: float = 0.6) -> str | None:
    """The one choice closest to ``word``; None when none is close or two are equally close (HK3)."""
    scored = sorted(((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in choices), reverse=True)
    scored = [(r, c) for r, c in scored if r >= cutoff]
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]


def _slot_of(word: str) -> str | None:
    if lexicon.subject_of(word):
        return MON
    if lexicon.term_of(word) is not None:
        return KY
    return CON if lexicon.child_index(word) else None


def _fix_args(words: list[str], slots: tuple[str, ...]) -> list[str] | None:
    """The words with misspellings fixed, each slot used once; None when a word has no sure place."""
    fixed, used = [], set()
    for w in words:
        pieces = [w] if _slot_of(w) else list(split_glued(w) or ())
        if not pieces and not lexicon.is_filler(w):
            guess = (_closest(w, _SUBJECT_WORDS) if MON in slots and MON not in used else None) or \
                (_closest(w, _TERM_WORDS) if KY in slots and KY not in used else None)
            pieces = [guess] if guess else []
            if not pieces:
                return None
        for piece in pieces:
            slot = _slot_of(piece)
            if slot not in slots or slot in used:
                return None
            used.add(slot)
            fixed.append(piece)
    return fixed


def suggest(raw: str | None, parsed: Parsed | None = None) -> str | None:
    """A corrected command line for ``raw``, or None when nothing is surely meant."""
    if parsed is not None and parsed.unknown:
        slots = instances()[parsed.keyword].slots
        filled = tuple(s for s in slots if s not in {_slot_of(w) for w in parsed.kept} and
                       not (s == CON and parsed.child is not None))
        fixes = _fix_args(parsed.unknown, filled)
        if fixes:
            by_slot = {_slot_of(w): w for w in [*parsed.kept, *fixes]}
            if parsed.child is not None:
                by_slot[CON] = str(parsed.child)
            return " ".join([parsed.keyword, *(by_slot[s] for s in slots if s in by_slot)])
        # 'DIEMM TOAN' parsed as DIEM + 'M': read the first word as a misspelt keyword instead.
    words = tokens(raw)
    if not words:
        return None
    commands = instances()
    aliases = [a for a, (keyword, _) in keyword_table().items() if commands[keyword].suggestible]
    first = words[0]
    keyword = _closest(first, aliases)
    if keyword is None:
        # Glued and misspelt ('DIEMTOANN1'): compare the start of the word.
        for alias in sorted(aliases, key=len, reverse=True):
            if len(alias) >= 2 and difflib.SequenceMatcher(None, first[:len(alias)], alias).ratio() >= 0.75:
                keyword, words = alias, [first[len(alias):], *words[1:]]
                break
        else:
            return None
    else:
        words = words[1:]
    canonical = keyword_table()[keyword][0]
    args = _fix_args([w for w in words if w], instances()[canonical].slots)
    if args is None:
        return None
    if not args and instances()[canonical].slots:
        return instances()[canonical].example
    return " ".join([canonical, *args])
