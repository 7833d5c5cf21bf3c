"""'Ban co y: DIEM TOAN HK1?': the closest valid command to what was typed."""
from __future__ import annotations

import difflib

from . import lexicon
from .grammar import Parsed, split_glued
from .normalize import tokens
from .registry import instances, keyword_table

_SUBJECT_WORDS = sorted(lexicon.ALIAS_TO_SUBJECT)
_TERM_WORDS = ["HK1", "HK2", "CN"]


def _closest(word: str, choices: list[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return found[0] if found else None


def _fix_args(words: list[str]) -> list[str]:
    fixed = []
    for w in words:
        if lexicon.subject_of(w) or lexicon.term_of(w) is not None or lexicon.child_index(w):
            fixed.append(w)
            continue
        glued = split_glued(w)
        if glued:
            fixed.extend(glued)
            continue
        guess = _closest(w, _SUBJECT_WORDS) or _closest(w, _TERM_WORDS, 0.5)
        if guess:
            fixed.append(guess)
    return fixed


def suggest(raw: str | None, parsed: Parsed | None = None) -> str | None:
    """A corrected command line for ``raw``, or None when nothing is close."""
    if parsed is not None and parsed.unknown:
        if _fix_args(parsed.unknown):
            args = [fixed for w in parsed.words
                    for fixed in (_fix_args([w]) if w in parsed.unknown else [w])]
            return " ".join([parsed.keyword, *args])
        # 'DIEMM TOAN' parsed as DIEM + 'M': read the first word as a misspelt keyword instead.
    words = tokens(raw)
    if not words:
        return None
    commands = instances()
    aliases = [a for a, (keyword, _) in keyword_table().items() if commands[keyword].suggestible]
    first = words[0]
    keyword = _closest(first, aliases, 0.5)
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
    args = _fix_args([w for w in words if w])
    if not args and instances()[canonical].slots:
        return instances()[canonical].example
    return " ".join([canonical, *args])
