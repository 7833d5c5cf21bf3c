"""Submitting a pupil's answers: mark once, store, and the stored result for a text sent again."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import sqlite_utils

from store.core.clock import iso

from . import quizzes
from .answers import Picks
from .marking import Mark, mark


class Outcome(str, Enum):
    MARKED = "marked"       # a new attempt, marked and stored
    REPEAT = "repeat"       # the same answers again (a re-delivered text): the stored result
    REFUSED = "refused"     # closed, not open yet, or past the attempts limit


@dataclass(frozen=True)
class Attempt:
    """A stored attempt."""

    id: int
    variant_id: int
    source: str
    picks: Picks
    correct: int
    total: int
    submitted_at: str


@dataclass(frozen=True)
class Submitted:
    """What submitting gave: the outcome, the attempt (new or stored), its mark, and for a refusal
    the reason and whether it is the first refusal of that kind (later ones stay silent by SMS)."""

    outcome: Outcome
    attempt: Attempt | None = None
    mark: Mark | None = None
    number: int = 0                  # this attempt's number for the pupil (1-based)
    remaining: int = 0               # attempts left after this one: the same words for a repeat
    reason: str = ""
    first_refusal: bool = True


_COLS = "id, variant_id, source, shown, correct, total, submitted_at"


def _attempt(r) -> Attempt:
    return Attempt(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5], r[6])


def of_variant(db: sqlite_utils.Database, variant_id: int) -> list[Attempt]:
    """A pupil's attempts in order."""
    return [_attempt(r) for r in db.execute(f"SELECT {_COLS} FROM quiz_attempts WHERE variant_id = ? ORDER BY id",
                                            [variant_id])]


def mark_of(db: sqlite_utils.Database, variant: quizzes.Variant, picks: Picks) -> Mark:
    """The mark ``picks`` get on ``variant``."""
    return mark(picks, variant.perms, [i.answer for i in quizzes.items(db, variant.quiz_id)])


def submit(db: sqlite_utils.Database, quiz: quizzes.Quiz, variant: quizzes.Variant, picks: Picks, *, source: str,
           now: datetime, guardian_id: int | None = None, inbox_id: int | None = None) -> Submitted:
    """Mark and store an attempt, unless the same answers were already marked or the test refuses it.

    Runs inside the caller's transaction (the MO answer's, or one of its own on the web).
    """
    done = of_variant(db, variant.id)
    for n, previous in enumerate(done, start=1):
        if previous.picks == tuple(picks):
            return Submitted(Outcome.REPEAT, previous, mark_of(db, variant, picks), n, max(0, quiz.max_attempts - n))
    state = quiz.state(now)
    reason = state if state != "open" else ("limit" if len(done) >= quiz.max_attempts else "")
    if reason:
        first = db.execute("INSERT OR IGNORE INTO quiz_refusals (variant_id, reason, at) VALUES (?, ?, ?)",
                           [variant.id, reason, iso(now)]).rowcount == 1
        return Submitted(Outcome.REFUSED, reason=reason, first_refusal=first, number=len(done))
    result = mark_of(db, variant, picks)
    attempt_id = db.execute(
        "INSERT INTO quiz_attempts (variant_id, source, guardian_id, inbox_id, shown, correct, total, submitted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [variant.id, source, guardian_id, inbox_id, json.dumps(list(picks)),
                                            result.correct, result.total, iso(now)]).lastrowid
    attempt = Attempt(attempt_id, variant.id, source, tuple(picks), result.correct, result.total, iso(now))
    return Submitted(Outcome.MARKED, attempt, result, len(done) + 1, quiz.max_attempts - len(done) - 1)


def solutions_open(quiz: quizzes.Quiz, attempts_made: int, now: datetime) -> bool:
    """Keys and explanations are shown once the test is closed or the pupil has no attempt left."""
    return quiz.state(now) == "closed" or attempts_made >= quiz.max_attempts
