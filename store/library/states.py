"""The item state machine: draft -> submitted -> approved | returned, by action.

The states are the review status (store/review/status.py) and its LIBRARY
machine says which moves exist; this module says which action makes each.
"""
from __future__ import annotations

from enum import Enum

from store.review.status import LIBRARY, ReviewStatus

# An item's state is the review status; the library uses LIBRARY.statuses of it.
ItemState = ReviewStatus


class Action(str, Enum):
    SUBMIT = "submit"       # the owner sends the item for review
    WITHDRAW = "withdraw"   # the owner takes a submitted item back to draft
    APPROVE = "approve"     # a reviewer (department head or principal)
    RETURN = "return"       # a reviewer, with a reason


LABELS = {state: state.label for state in LIBRARY.statuses}

# (state, action) -> next state; anything else is refused.
TRANSITIONS: dict[tuple[ItemState, Action], ItemState] = {
    (ItemState.DRAFT, Action.SUBMIT): ItemState.SUBMITTED,
    (ItemState.RETURNED, Action.SUBMIT): ItemState.SUBMITTED,
    (ItemState.SUBMITTED, Action.WITHDRAW): ItemState.DRAFT,
    (ItemState.SUBMITTED, Action.APPROVE): ItemState.APPROVED,
    (ItemState.SUBMITTED, Action.RETURN): ItemState.RETURNED,
}

assert all(LIBRARY.can_move(state, new) for (state, _), new in TRANSITIONS.items())
assert {(state, new) for (state, _), new in TRANSITIONS.items()} == {
    (state, new) for state in LIBRARY.statuses for new in LIBRARY.allowed(state)}

OWNER_ACTIONS = frozenset({Action.SUBMIT, Action.WITHDRAW})
REVIEWER_ACTIONS = frozenset({Action.APPROVE, Action.RETURN})

# A new version may be uploaded only while the item is the owner's to change.
EDITABLE = frozenset({ItemState.DRAFT, ItemState.RETURNED})


def next_state(state: ItemState, action: Action) -> ItemState | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    return TRANSITIONS.get((ItemState(state), Action(action)))
