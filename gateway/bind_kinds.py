"""The kinds of SMPP bind (gateway.session runs them; a bind's states are gateway/session_states.py)."""
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
