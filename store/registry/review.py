"""Every table whose rows wait for approval, one line each, in the order the queue lists their groups.

The one list store.review.approvals (the queue, approval), store.review.corrections (send
back) and the web's queue read. A new domain declares its specs
(store.review.spec.ReviewSpec) beside its tables and adds them here; an
import kind names the specs its rows wait in (ImportKind.reviewed_in).
"""
from __future__ import annotations

from store.review import common as core
from store.preschool import review as preschool
from store.primary import review as primary
from store.review.spec import ReviewSpec

REVIEW_SPECS: list[ReviewSpec] = [
    core.GRADES, core.CONDUCT, core.ATTENDANCE, core.COMMENTS, core.EVENTS, core.RESULTS,
    primary.ASSESSMENTS, primary.QUALITIES, primary.RESULTS,
    preschool.DAILY_NOTES, preschool.GROWTH, preschool.ASSESSMENTS,
]


def find(name: str) -> ReviewSpec | None:
    """The spec of table ``name``, or None."""
    return next((s for s in REVIEW_SPECS if s.name == name), None)


def spec(name: str) -> ReviewSpec:
    """The spec of table ``name``; ValueError when no reviewed table is called so."""
    found = find(name)
    if found is None:
        raise ValueError(f"not a reviewed table: {name!r}")
    return found


def order(found: ReviewSpec) -> int:
    """Where ``found`` stands in the queue's order."""
    return REVIEW_SPECS.index(found)
