"""The review status: one str Enum for everything a reviewer or moderator decides, and one table per machine.

Grades, comments, events, conduct, assessments (store/review/approvals.py and the
imports) wait `pending` until approved; forum posts may also be `held` and
end `approved` or `rejected` (store/community/moderation.py); library items
go `draft` -> `submitted` -> `approved` | `returned` (store/library/review.py).
A status a new domain needs (moderation's next one) is one member here and
one row in its machine; every writer takes its moves from its machine
(``can_move``, ``sources_of``, ``sql_in``) and a test feeds every move the
writers make through it (tests/test_review_status.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Mapping


class ReviewStatus(str, Enum):
    """Where a reviewed thing is (the CHECK lists of schema.sql are each machine's subset)."""

    DRAFT = "draft"            # the owner's, not sent for review yet (library)
    PENDING = "pending"        # waits for a reviewer or moderator
    SUBMITTED = "submitted"    # sent for review (the library's word for pending)
    HELD = "held"              # held automatically: a phone number, a link, a blocked word (forum)
    APPROVED = "approved"      # parents may see it
    REJECTED = "rejected"      # refused, or taken down after the fact (forum)
    RETURNED = "returned"      # sent back to its owner with a reason (library)

    @property
    def label(self) -> str:
        """The status in Vietnamese, as pages show it."""
        return LABELS[self]


R = ReviewStatus

LABELS: dict[ReviewStatus, str] = {
    R.DRAFT: "Bản nháp", R.PENDING: "Chờ duyệt", R.SUBMITTED: "Chờ duyệt", R.HELD: "Bị giữ lại",
    R.APPROVED: "Đã duyệt", R.REJECTED: "Bị từ chối", R.RETURNED: "Trả lại",
}
assert set(LABELS) == set(ReviewStatus)


@dataclass(frozen=True, eq=False)     # one object per machine: compared and hashed by identity
class ReviewMachine:
    """One domain's statuses: which a row may be inserted in, and the moves between them."""

    name: str
    initial: frozenset[ReviewStatus]
    moves: Mapping[ReviewStatus, frozenset[ReviewStatus]]

    @property
    def statuses(self) -> tuple[ReviewStatus, ...]:
        """The statuses this machine uses, in Enum order (its schema CHECK list)."""
        used = set(self.initial) | set(self.moves) | {s for targets in self.moves.values() for s in targets}
        return tuple(s for s in ReviewStatus if s in used)

    def allowed(self, current: ReviewStatus | str) -> frozenset[ReviewStatus]:
        """Where ``current`` may go (nowhere for a status this machine does not use)."""
        return self.moves.get(ReviewStatus(current), frozenset())

    def can_move(self, current: ReviewStatus | str, new: ReviewStatus | str) -> bool:
        """Whether ``current`` may become ``new`` (staying put is not a move)."""
        return ReviewStatus(new) in self.allowed(current)

    def sources_of(self, target: ReviewStatus | str) -> tuple[ReviewStatus, ...]:
        """The statuses that may move to ``target``, in Enum order."""
        return tuple(s for s in ReviewStatus if self.can_move(s, target))


def sql_in(statuses: Iterable[ReviewStatus | str]) -> str:
    """A status list as SQL text, ``('pending', 'held')``: the values are the Enum's, never user input."""
    values = [ReviewStatus(s).value for s in statuses]
    if not values:
        raise ValueError("an empty status list matches no row")
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# What parents may see once a reviewer approved it (or the CLI imported it approved). A changed value of
# an approved row goes back to pending (an import, a conduct round), its old value kept for a send-back
# (store/review/corrections.py), which restores it approved.
APPROVAL = ReviewMachine("approval", frozenset({R.PENDING, R.APPROVED}), {
    R.PENDING: frozenset({R.APPROVED}),
    R.APPROVED: frozenset({R.PENDING}),
})

# A forum post (and its topic, with its opening post). Posted pending, held, or approved at once.
MODERATION = ReviewMachine("moderation", frozenset({R.PENDING, R.HELD, R.APPROVED}), {
    R.PENDING: frozenset({R.APPROVED, R.REJECTED}),
    R.HELD: frozenset({R.APPROVED, R.REJECTED}),
    R.APPROVED: frozenset({R.REJECTED}),     # taken down after the fact
    R.REJECTED: frozenset(),
})

# A library item: the owner submits (again after a return) or withdraws; a reviewer approves or returns.
LIBRARY = ReviewMachine("library", frozenset({R.DRAFT}), {
    R.DRAFT: frozenset({R.SUBMITTED}),
    R.RETURNED: frozenset({R.SUBMITTED}),
    R.SUBMITTED: frozenset({R.DRAFT, R.APPROVED, R.RETURNED}),
    R.APPROVED: frozenset(),
})

MACHINES: tuple[ReviewMachine, ...] = (APPROVAL, MODERATION, LIBRARY)
