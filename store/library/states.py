"""The item state machine: draft -> submitted -> approved | returned, in one table."""
from __future__ import annotations

from enum import Enum


class ItemState(str, Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        """The state in Vietnamese, as pages show it."""
        return LABELS[self]


class Action(str, Enum):
    SUBMIT = "submit"       # the owner sends the item for review
    WITHDRAW = "withdraw"   # the owner takes a submitted item back to draft
    APPROVE = "approve"     # a reviewer (department head or principal)
    RETURN = "return"       # a reviewer, with a reason


LABELS = {ItemState.DRAFT: "Bản nháp", ItemState.SUBMITTED: "Chờ duyệt", ItemState.APPROVED: "Đã duyệt",
          ItemState.RETURNED: "Trả lại"}

# (state, action) -> next state; anything else is refused.
TRANSITIONS: dict[tuple[ItemState, Action], ItemState] = {
    (ItemState.DRAFT, Action.SUBMIT): ItemState.SUBMITTED,
    (ItemState.RETURNED, Action.SUBMIT): ItemState.SUBMITTED,
    (ItemState.SUBMITTED, Action.WITHDRAW): ItemState.DRAFT,
    (ItemState.SUBMITTED, Action.APPROVE): ItemState.APPROVED,
    (ItemState.SUBMITTED, Action.RETURN): ItemState.RETURNED,
}

OWNER_ACTIONS = frozenset({Action.SUBMIT, Action.WITHDRAW})
REVIEWER_ACTIONS = frozenset({Action.APPROVE, Action.RETURN})

# A new version may be uploaded only while the item is the owner's to change.
EDITABLE = frozenset({ItemState.DRAFT, ItemState.RETURNED})


def next_state(state: ItemState, action: Action) -> ItemState | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed."""
    return TRANSITIONS.get((ItemState(state), Action(action)))
