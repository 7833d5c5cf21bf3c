"""The few SMPP wire facts the simulator's front door needs.

smpp34 speaks the protocol; this module only frames PDUs (4-byte length),
names command ids for the PDU log, reads a bind's C-strings and writes the
one PDU the front door answers itself: a refused bind_*_resp.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = struct.Struct(">IIII")
RESP_BIT = 0x80000000

BIND_RECEIVER = 0x00000001
BIND_TRANSMITTER = 0x00000002
BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004

BIND_KINDS = {BIND_RECEIVER: "rx", BIND_TRANSMITTER: "tx", BIND_TRANSCEIVER: "trx"}

COMMAND_NAMES = {
    0x00000001: "bind_receiver", 0x00000002: "bind_transmitter", 0x00000003: "query_sm",
    0x00000004: "submit_sm", 0x00000005: "deliver_sm", 0x00000006: "unbind",
    0x00000007: "replace_sm", 0x00000008: "cancel_sm", 0x00000009: "bind_transceiver",
    0x0000000B: "outbind", 0x00000015: "enquire_link", 0x00000021: "submit_sm_multi",
    0x00000102: "alert_notification", 0x00000103: "data_sm", 0x80000000: "generic_nack",
}

# command_status values the simulator itself answers with (SMPP 3.4 §5.1.3).
ESME_ROK = 0x00
ESME_RBINDFAIL = 0x0D
ESME_RINVPASWD = 0x0E
ESME_RINVSYSID = 0x0F
ESME_RMSGQFUL = 0x14
ESME_RTHROTTLED = 0x58

MAX_PDU = 64 * 1024  # far above any SMPP 3.4 PDU; guards against garbage lengths


class FramingError(ValueError):
    """The byte stream does not hold SMPP PDUs; ``length`` is the bad command_length."""

    def __init__(self, length: int):
        self.length = length
        super().__init__(f"bad command_length {length}")


def command_name(command_id: int) -> str:
    """Readable name of a command id, with `_resp` for responses."""
    base = COMMAND_NAMES.get(command_id & ~RESP_BIT if command_id != RESP_BIT else command_id)
    if base is None:
        return f"0x{command_id:08x}"
    return base + "_resp" if command_id & RESP_BIT and command_id != RESP_BIT else base


@dataclass(frozen=True)
class Header:
    """The 16-byte PDU header."""

    length: int
    command_id: int
    status: int
    sequence: int


def header(pdu: bytes) -> Header:
    """Parse the header of one complete PDU."""
    return Header(*HEADER.unpack_from(pdu))


def split_pdus(buffer: bytearray) -> list[bytes]:
    """Remove and return every complete PDU at the start of ``buffer``."""
    out = []
    while len(buffer) >= 4:
        length = int.from_bytes(buffer[:4], "big")
        if length < 16 or length > MAX_PDU:
            raise FramingError(length)
        if len(buffer) < length:
            break
        out.append(bytes(buffer[:length]))
        del buffer[:length]
    return out


@dataclass(frozen=True)
class BindRequest:
    """What an ESME asked for in its bind PDU."""

    kind: str            # "tx", "rx" or "trx"
    command_id: int
    sequence: int
    system_id: str
    password: str
    system_type: str


def parse_bind(pdu: bytes) -> BindRequest | None:
    """The bind request in ``pdu``, or None when it is not a bind."""
    head = header(pdu)
    if head.command_id not in BIND_KINDS:
        return None
    fields = pdu[16:].split(b"\0", 3)
    while len(fields) < 4:
        fields.append(b"")
    system_id, password, system_type = (f.decode("latin-1") for f in fields[:3])
    return BindRequest(BIND_KINDS[head.command_id], head.command_id, head.sequence,
                       system_id, password, system_type)


def bind_refusal(bind: BindRequest, status: int) -> bytes:
    """A bind_*_resp with an error status and no body (SMPP 3.4 §4.1.2)."""
    return HEADER.pack(16, bind.command_id | RESP_BIT, status, bind.sequence)
