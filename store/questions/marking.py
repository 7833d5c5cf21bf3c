"""Variants and marks: pure functions over plain values (no database).

A variant shows item i's choices in the order ``perm[i]``: the letter at shown position p is
choice ``perm[i][p]`` of the question as written. Marking maps every shown letter back to the
question's own choice and compares it with the key.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from .answers import LETTERS, Picks

Perm = tuple[int, ...]


def shuffled(choice_counts: Sequence[int], rng: random.Random) -> tuple[Perm, ...]:
    """One variant: a uniformly random order of each item's choices."""
    out = []
    for k in choice_counts:
        order = list(range(k))
        rng.shuffle(order)
        out.append(tuple(order))
    return tuple(out)


def shown_key(perm: Perm, answer: int) -> int:
    """The letter index at which the variant shows the key ``answer``."""
    return perm.index(answer)


@dataclass(frozen=True)
class Mark:
    """One attempt marked: how many right, the items wrong (number, letter picked or '-')."""

    correct: int
    total: int
    wrong: tuple[tuple[int, str], ...]
    chosen: tuple[int | None, ...]       # per item, the question's own choice index picked (None = blank)

    @property
    def score10(self) -> str:
        """The mark out of 10, one decimal rounded half up ('7.5'), as the grade book keeps it."""
        tenths = (self.correct * 100 * 2 + self.total) // (self.total * 2) if self.total else 0
        return f"{tenths // 10}.{tenths % 10}" if tenths % 10 else str(tenths // 10)


def mark(picks: Picks, perms: Sequence[Perm], keys: Sequence[int]) -> Mark:
    """Mark the shown letters ``picks`` of a variant ``perms`` against the questions' ``keys``."""
    if not len(picks) == len(perms) == len(keys):
        raise ValueError("picks, perms and keys must have one entry per item")
    chosen = tuple(None if p is None else perm[p] for p, perm in zip(picks, perms))
    wrong = tuple((i, "-" if p is None else LETTERS[p]) for i, (p, c, k) in enumerate(zip(picks, chosen, keys), 1)
                  if c != k)
    return Mark(len(keys) - len(wrong), len(keys), wrong, chosen)
