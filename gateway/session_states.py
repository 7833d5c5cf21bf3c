"""The SMPP bind's state machine: the states of a Session and the moves between them, in one table.

Session changes its state only through ``Session._move``, which asks this
table; tests/test_gateway_session.py records every move its scenarios make
(bind, drop, refused binds, a hung peer, the peer's unbind, close) and feeds
each through ``can_move``.
"""
from __future__ import annotations

import logging
from enum import Enum

logger = logging.getLogger(__name__)


class SessionState(str, Enum):
    """Where one bind is."""

    CLOSED = "closed"               # not started, or stopped
    CONNECTING = "connecting"       # TCP connect + bind in progress
    BOUND = "bound"
    UNBINDING = "unbinding"         # close() running: no new submits
    RECONNECTING = "reconnecting"   # waiting out the back-off


S = SessionState

INITIAL = S.CLOSED

ALLOWED: dict[SessionState, frozenset[SessionState]] = {
    S.CLOSED: frozenset({S.CONNECTING}),                        # start(): the reader thread's first attempt
    # bound; refused or lost (back off); closed when close() came during the attempt.
    S.CONNECTING: frozenset({S.BOUND, S.RECONNECTING, S.CLOSED}),
    # close() unbinds cleanly; the link ended (back off, or closed when close() was under way).
    S.BOUND: frozenset({S.UNBINDING, S.RECONNECTING, S.CLOSED}),
    S.UNBINDING: frozenset({S.CLOSED}),
    S.RECONNECTING: frozenset({S.CONNECTING, S.CLOSED}),        # the back-off is over, or close() cut it short
}
assert set(ALLOWED) == set(SessionState)


def can_move(current: SessionState | str, new: SessionState | str) -> bool:
    """Whether a bind in ``current`` may go to ``new`` (staying put is not a move)."""
    return SessionState(new) in ALLOWED[SessionState(current)]


def checked(bind: str, old: SessionState, new: SessionState) -> SessionState:
    """``new``, once the table was asked. A forbidden move is a bug of the session: logged loudly but
    applied, since a bind stuck in a state it may not leave is worse than a wrong label."""
    if new is not old and not can_move(old, new):
        logger.error("bind %s: state %s -> %s is not in the table", bind, old.value, new.value)
    return new
