"""The evening digest run's state machine (``digest_runs.state``), in one table.

A run row is inserted `building` when a school's digest for a local date
starts; it becomes `built` once every page is queued. A crashed run stays
`building` and is finished first by the next build (outbox/digest.py);
`built` never moves, so a re-run queues nothing twice.
"""
from __future__ import annotations

from enum import Enum


class DigestRunState(str, Enum):
    """State of one school's digest run for one local date (schema.sql CHECK)."""

    BUILDING = "building"
    BUILT = "built"


R = DigestRunState

INITIAL = R.BUILDING
ALLOWED: dict[DigestRunState, frozenset[DigestRunState]] = {
    R.BUILDING: frozenset({R.BUILT}),
    R.BUILT: frozenset(),
}


def can_move(current: DigestRunState | str, new: DigestRunState | str) -> bool:
    """Whether a run in ``current`` may become ``new`` (staying put is not a move)."""
    return DigestRunState(new) in ALLOWED[DigestRunState(current)]


def sources_of(target: DigestRunState | str) -> tuple[DigestRunState, ...]:
    """The states that may move to ``target``."""
    return tuple(s for s in DigestRunState if can_move(s, target))


def sql_in(states) -> str:
    """A state list as SQL text (Enum values only)."""
    return "(" + ", ".join(f"'{DigestRunState(s).value}'" for s in states) + ")"
