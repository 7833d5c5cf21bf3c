"""The message lifecycle: the states of an outbox message and of its parts, and the allowed moves.

One place defines the state machine (the CHECK list of `messages.state` and
`message_parts.state` in schema.sql): every writer takes its target state
and its ``WHERE state IN (...)`` list from here (``sources_of``, ``sql_in``),
so a late or repeated result never moves a final state, and
tests/test_state_writers.py runs every writer over rows in every state and
checks each move it made against ``ALLOWED``. It lives in store/ because the
reports read it too; outbox/states.py re-exports it with the receipt tables.
"""
from __future__ import annotations

from enum import Enum
from typing import Iterable


class MessageState(str, Enum):
    """State of an outbox message or of one of its parts (schema.sql CHECK)."""

    queued = "queued"                  # waiting for a worker (and for not_before)
    sending = "sending"                # a worker holds it; submit_sm on its way
    submitted = "submitted"            # submit_sm_resp OK, message_id known
    delivered = "delivered"
    undeliverable = "undeliverable"
    expired = "expired"
    rejected = "rejected"
    failed = "failed"                  # never accepted by the SMSC (permanent error, attempts used up)
    unknown = "unknown"                # no final receipt within receipt_timeout; a late one still counts
    ambiguous = "ambiguous"            # submit_sm went out, its response never came

    @property
    def label(self) -> str:
        """The state in Vietnamese, as pages show it."""
        return LABELS[self]


S = MessageState

INITIAL = S.queued                     # every row is inserted queued (a resend is a new queued copy)
FINAL: frozenset[MessageState] = frozenset({S.delivered, S.undeliverable, S.expired, S.rejected, S.failed})

# Receipt outcomes a part or message can still reach while it waits.
_RECEIPT_FINALS = frozenset({S.delivered, S.undeliverable, S.expired, S.rejected})

ALLOWED: dict[MessageState, frozenset[MessageState]] = {
    # The sender may give up before anything is written: validity passed while
    # queued (a digest after 21:00) -> expired; text or address unsendable -> failed.
    # submitted / ambiguous / failed: the result of a submit that went out before
    # recover() took the row back (its lease lapsed): the truth about it, late.
    S.queued: frozenset({S.sending, S.expired, S.failed, S.submitted, S.ambiguous}),
    # queued again: transient error with attempts left, throttled, or no bind up.
    # expired: the worker that claimed it finds its validity passed before writing.
    S.sending: frozenset({S.submitted, S.failed, S.ambiguous, S.queued, S.expired}),
    S.submitted: _RECEIPT_FINALS | {S.unknown},
    S.unknown: _RECEIPT_FINALS,
    # Resent (counted as a duplicate), or the truth turned up late: a receipt,
    # a submit_sm_resp after response_timeout, or its permanent error.
    # sending: an ambiguous part sent again with its message (a sibling part's
    # transient error queued the message, a worker claimed it again).
    S.ambiguous: _RECEIPT_FINALS | {S.queued, S.submitted, S.failed, S.sending},
    **{final: frozenset() for final in FINAL},
}

# What a staff member may resend, and what the reports count as failed: no
# receipt will change it any more (unknown: none came in time).
FAILED: tuple[MessageState, ...] = (S.failed, S.undeliverable, S.expired, S.rejected, S.unknown)
# Still in the sender's hands: a submit result only moves a row in one of these (a late result
# never overwrites what a receipt or a second copy settled), and retention never deletes them.
IN_FLIGHT: tuple[MessageState, ...] = (S.queued, S.sending, S.ambiguous)

LABELS: dict[MessageState, str] = {
    S.queued: "đang chờ", S.sending: "đang gửi", S.submitted: "đã gửi tới nhà mạng", S.delivered: "đã đến",
    S.undeliverable: "không đến được", S.expired: "hết hạn", S.rejected: "bị từ chối", S.failed: "lỗi",
    S.unknown: "chưa rõ", S.ambiguous: "chưa rõ (mất phản hồi)",
}


def can_move(current: MessageState | str, new: MessageState | str) -> bool:
    """Whether ``current`` may become ``new`` (staying put is not a move)."""
    return MessageState(new) in ALLOWED[MessageState(current)]


def sources_of(target: MessageState | str, *,
               among: Iterable[MessageState] | None = None) -> tuple[MessageState, ...]:
    """The states that may move to ``target``, in Enum order.

    With ``among``, the states of ``among`` that may move to ``target`` or already are it: for a
    writer that also rewrites a row's other columns (attempts, error_code) when it stays put.
    """
    target = MessageState(target)
    if among is None:
        return tuple(s for s in MessageState if can_move(s, target))
    pool = {MessageState(s) for s in among}
    return tuple(s for s in MessageState if s in pool and (s is target or can_move(s, target)))


def sql_in(states: Iterable[MessageState | str]) -> str:
    """A state list as SQL text, ``('queued', 'sending')``: the values are the Enum's, never user input."""
    values = [MessageState(s).value for s in states]
    if not values:
        raise ValueError("an empty state list matches no row")
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Worst first: which state a multipart message shows. A part that can no
# longer arrive decides the message at once (the text cannot arrive whole);
# among those the most permanent reason wins, because that is what the
# delivery report must explain. Then parts still in doubt, then the least
# advanced part in flight; delivered only when every part is.
PRECEDENCE: tuple[MessageState, ...] = (
    S.failed, S.rejected, S.undeliverable, S.expired,
    S.ambiguous, S.unknown,
    S.queued, S.sending, S.submitted,
    S.delivered,
)
_RANK = {state: i for i, state in enumerate(PRECEDENCE)}
assert set(_RANK) == set(MessageState) == set(LABELS) == set(ALLOWED)


def combine(part_states: Iterable[MessageState | str]) -> MessageState:
    """The message state its parts add up to (see PRECEDENCE)."""
    states = [MessageState(s) for s in part_states]
    if not states:
        raise ValueError("a message has at least one part")
    return min(states, key=_RANK.__getitem__)


def settle(current: MessageState | str, part_states: Iterable[MessageState | str]) -> MessageState:
    """The message's next state from its parts, or ``current`` when that move is not allowed."""
    combined = combine(part_states)
    current = MessageState(current)
    return combined if can_move(current, combined) else current
