"""SMPP sessions (python-smpplib): bind, keep-alive, reconnect, MO and receipts.

``Deliver`` is what a session hands upwards for every deliver_sm: the PDU's
fields decoded once at the edge (addresses as ``str``, TLVs by smpplib name),
so ``gateway.mo`` and ``gateway.receipts`` never touch smpplib objects.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deliver:
    """One inbound deliver_sm, as read from a bind."""

    connection: str                 # the [[smsc]] name
    bind: str                       # which bind it arrived on (for logs)
    source_addr: str
    dest_addr: str
    short_message: bytes = b""
    source_ton: int = 0
    source_npi: int = 0
    dest_ton: int = 0
    dest_npi: int = 0
    esm_class: int = 0
    data_coding: int = 0
    protocol_id: int = 0
    sequence: int = 0
    tlvs: dict = field(default_factory=dict)   # smpplib optional-param name -> int | bytes | str

    @property
    def user_data(self) -> bytes:
        """short_message, or the message_payload TLV when short_message is empty."""
        if self.short_message:
            return self.short_message
        payload = self.tlvs.get("message_payload")
        return payload if isinstance(payload, bytes) else b""


class Deferred:
    """A deliver_sm_resp its handler sends later, once the row is committed (group commit).

    A deliver_sm handler may return one instead of a status; the session
    attaches the sender of the response, the handler's worker resolves it
    with the status. Either may come first; the response goes out once.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._status: int | None = None
        self._send = None
        self._fired = False

    def attach(self, send) -> None:
        """Called by the session with ``send(status)``."""
        with self._lock:
            self._send = send
            fire = self._status is not None and not self._fired
            self._fired |= fire
        if fire:
            send(self._status)

    def resolve(self, status: int) -> None:
        """Called once the outcome is known (0 = stored)."""
        with self._lock:
            self._status = status
            fire = self._send is not None and not self._fired
            self._fired |= fire
        if fire:
            self._send(status)


class GatewayError(Exception):
    """Base of the gateway package's errors."""


class SessionUnavailable(GatewayError):
    """The bind ``bind`` is not bound (reconnecting or closed): nothing was written."""

    def __init__(self, bind: str, state: str):
        self.bind = bind
        self.state = state
        super().__init__(f"bind {bind} is {state}")


class BindRefused(GatewayError):
    """The SMSC answered the bind with ``command_status`` (wrong password, too many binds...)."""

    def __init__(self, bind: str, command_status: int):
        self.bind = bind
        self.command_status = command_status
        super().__init__(f"bind {bind} refused with status 0x{command_status:08x}")


class ProtocolError(GatewayError):
    """The peer sent bytes that are not SMPP (``detail`` says what); the link is dropped."""

    def __init__(self, bind: str, detail: str):
        self.bind = bind
        self.detail = detail
        super().__init__(f"bind {bind}: {detail}")
