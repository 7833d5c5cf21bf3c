"""The small interface the sender needs from an SMPP session.

outbox/ never imports gateway/: the process that starts the sender hands it
an object with this shape (gateway.binds implements it over smpplib).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence


@dataclass(frozen=True)
class SubmitPart:
    """One submit_sm PDU as the sender wants it sent."""

    destination_addr: str
    dest_ton: int
    dest_npi: int
    source_addr: str
    source_ton: int
    source_npi: int
    short_message: bytes
    data_coding: int = 0
    esm_class: int = 0
    registered_delivery: int = 1
    validity_period: str | None = None       # SMPP absolute/relative time string, None = SMSC default
    optional: dict = field(default_factory=dict)  # smpplib optional params by name: sar_msg_ref_num, message_payload, ...


@dataclass(frozen=True)
class SubmitResult:
    """What came back for one part: a submit_sm_resp, or nothing in time."""

    command_status: int | None               # None: no response within response_timeout (ambiguous)
    message_id: str | None = None            # as the SMSC sent it, decoded to str
    bind: str = ""                           # which bind carried it (for logs)


ResultCallback = Callable[[int, SubmitResult], None]


class Transport(Protocol):
    """An account's binds: where submit_sm PDUs go."""

    connection: str

    def submit(self, parts: Sequence[SubmitPart], on_result: ResultCallback,
               before_write: Callable[[int], None] | None = None) -> None:
        """Send ``parts`` in order on ONE bound transmitter.

        ``before_write(index)`` is called just before each part is written
        (the sender paces PDUs to their rate-limit slots with it).

        Blocks while that bind's window is full; returns once every part is
        written. ``on_result(index, result)`` is called once per part, from
        the session's reader thread, when its submit_sm_resp arrives or its
        response_timeout passes. Raises TransportUnavailable when no bind is
        up (nothing was written).
        """

    def is_up(self) -> bool:
        """Whether at least one transmitting bind is bound."""


class TransportUnavailable(Exception):
    """No transmitting bind of the connection is bound right now."""

    def __init__(self, connection: str):
        self.connection = connection
        super().__init__(f"no bound transmitter for connection {connection!r}")
