"""The kinds of SMPP bind and the states of one bind (gateway.session runs them)."""
from __future__ import annotations

from enum import Enum


class BindType(str, Enum):
    TRX = "transceiver"
    TX = "transmitter"
    RX = "receiver"

    @property
    def can_submit(self) -> bool:
        """Whether submit_sm may go out on this kind of bind."""
        return self is not BindType.RX


class SessionState(str, Enum):
    CLOSED = "closed"               # not started, or stopped
    CONNECTING = "connecting"       # TCP connect + bind in progress
    BOUND = "bound"
    UNBINDING = "unbinding"         # close() running: no new submits
    RECONNECTING = "reconnecting"   # waiting out the back-off
