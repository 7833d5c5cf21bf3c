"""The message lifecycle seen from the SMSC: receipts, submit statuses, and the state machine.

The state machine of outbox messages and their parts is defined once in
store/messaging/states.py and re-exported here; every writer takes its moves
from it, so a late or repeated receipt never moves a final state.
"""
from __future__ import annotations

from enum import Enum

# The message machine lives in store/ (the reports read it too); it is re-exported here with the
# receipt and submit tables, which only the outbox and the gateway need.
from store.messaging.states import ALLOWED, FAILED, FINAL, IN_FLIGHT, INITIAL, LABELS, PRECEDENCE, MessageState, can_move, combine, settle, sources_of, sql_in

S = MessageState


class UnknownReceiptStat(ValueError):
    """A receipt carried a ``stat`` (or message_state TLV) this gateway does not know."""

    def __init__(self, value: str | int):
        self.value = value
        super().__init__(f"unknown receipt state {value!r}")


class ReceiptStat(str, Enum):
    """The ``stat:`` of a delivery receipt (SMPP 3.4 appendix B)."""

    DELIVRD = "DELIVRD"
    UNDELIV = "UNDELIV"
    EXPIRED = "EXPIRED"
    REJECTD = "REJECTD"
    DELETED = "DELETED"
    UNKNOWN = "UNKNOWN"
    ACCEPTD = "ACCEPTD"
    ENROUTE = "ENROUTE"

    @property
    def message_state(self) -> MessageState | None:
        """The part state this receipt sets; None for intermediate receipts."""
        return _STAT_STATE[self]

    @property
    def is_final(self) -> bool:
        """Whether this receipt settles the part for good."""
        return self.message_state in FINAL

    @classmethod
    def parse(cls, text: str | bytes) -> "ReceiptStat":
        """Read a receipt's stat text, accepting the long spellings some SMSCs use."""
        if isinstance(text, bytes):
            text = text.decode("ascii", "replace")
        key = text.strip().upper()
        try:
            return cls(_STAT_ALIASES.get(key, key))
        except ValueError as e:
            raise UnknownReceiptStat(text) from e

    @classmethod
    def from_tlv(cls, value: int) -> "ReceiptStat":
        """The stat of a ``message_state`` TLV value (1..8)."""
        try:
            return _TLV_STAT[value]
        except KeyError as e:
            raise UnknownReceiptStat(value) from e


_STAT_STATE = {
    ReceiptStat.DELIVRD: S.delivered,
    ReceiptStat.UNDELIV: S.undeliverable,
    ReceiptStat.EXPIRED: S.expired,
    ReceiptStat.REJECTD: S.rejected,
    # DELETED: the SMSC dropped it from its store (purged after its own
    # retries, or cancelled by the operator). For the parent that is the same
    # outcome as EXPIRED: not received, the number may still be fine, a resend
    # may work. It is not `rejected` (that says the SMSC refused it) nor
    # `undeliverable` (that says the handset/number cannot take it).
    ReceiptStat.DELETED: S.expired,
    ReceiptStat.UNKNOWN: S.unknown,
    # ACCEPTD is final in the SMPP text, but operators use it as "accepted for
    # delivery"; SPEC §5 treats it like ENROUTE: it never changes a state.
    ReceiptStat.ACCEPTD: None,
    ReceiptStat.ENROUTE: None,
}

_STAT_ALIASES = {"DELIVERED": "DELIVRD", "UNDELIVERABLE": "UNDELIV", "REJECTED": "REJECTD",
                 "ACCEPTED": "ACCEPTD", "EXPIRE": "EXPIRED", "DELETE": "DELETED"}

# SMPP 3.4 §5.3.2.35 message_state values.
_TLV_STAT = {1: ReceiptStat.ENROUTE, 2: ReceiptStat.DELIVRD, 3: ReceiptStat.EXPIRED, 4: ReceiptStat.DELETED,
             5: ReceiptStat.UNDELIV, 6: ReceiptStat.ACCEPTD, 7: ReceiptStat.UNKNOWN, 8: ReceiptStat.REJECTD}
TLV_MESSAGE_STATE: dict[ReceiptStat, int] = {stat: value for value, stat in _TLV_STAT.items()}


class SubmitOutcome(str, Enum):
    """What the sender does with a submit_sm_resp command_status."""

    ok = "ok"
    throttled = "throttled"            # back off, retry; the attempt is not used up
    transient = "transient"            # retry until max_attempts
    permanent = "permanent"            # failed now, with the SMSC's reason


O = SubmitOutcome

# command_status -> (name, reason, outcome). Permanent: resending the same PDU
# can only get the same answer (bad address, bad fields, refused content).
# Transient: the SMSC's own trouble or our bind's state. Codes not listed
# (vendor codes 0x400-0x4FF, anything new) are transient: max_attempts bounds
# the cost of guessing wrong, a wrong "permanent" would lose the message.
STATUSES: dict[int, tuple[str, str, SubmitOutcome]] = {
    0x00: ("ESME_ROK", "no error", O.ok),
    0x01: ("ESME_RINVMSGLEN", "invalid message length", O.permanent),
    0x02: ("ESME_RINVCMDLEN", "invalid command length", O.permanent),
    0x03: ("ESME_RINVCMDID", "invalid command id", O.permanent),
    0x04: ("ESME_RINVBNDSTS", "incorrect bind status for the command", O.transient),
    0x06: ("ESME_RINVPRTFLG", "invalid priority flag", O.permanent),
    0x07: ("ESME_RINVREGDLVFLG", "invalid registered delivery flag", O.permanent),
    0x08: ("ESME_RSYSERR", "system error", O.transient),
    0x0A: ("ESME_RINVSRCADR", "invalid source address", O.permanent),
    0x0B: ("ESME_RINVDSTADR", "invalid destination address", O.permanent),
    0x0C: ("ESME_RINVMSGID", "invalid message id", O.permanent),
    0x14: ("ESME_RMSGQFUL", "message queue full", O.throttled),
    0x15: ("ESME_RINVSERTYP", "invalid service type", O.permanent),
    0x33: ("ESME_RINVNUMDESTS", "invalid number of destinations", O.permanent),
    0x40: ("ESME_RINVDESTFLAG", "invalid destination flag", O.permanent),
    0x42: ("ESME_RINVSUBREP", "invalid submit with replace request", O.permanent),
    0x43: ("ESME_RINVESMCLASS", "invalid esm_class field data", O.permanent),
    0x44: ("ESME_RCNTSUBDL", "cannot submit to distribution list", O.permanent),
    # "submit_sm failed": SMSCs answer it for internal trouble as often as for
    # a refused message; retrying a few times is the cheaper mistake.
    0x45: ("ESME_RSUBMITFAIL", "submit_sm failed", O.transient),
    0x48: ("ESME_RINVSRCTON", "invalid source address TON", O.permanent),
    0x49: ("ESME_RINVSRCNPI", "invalid source address NPI", O.permanent),
    0x50: ("ESME_RINVDSTTON", "invalid destination address TON", O.permanent),
    0x51: ("ESME_RINVDSTNPI", "invalid destination address NPI", O.permanent),
    0x53: ("ESME_RINVSYSTYP", "invalid system_type field", O.permanent),
    0x54: ("ESME_RINVREPFLAG", "invalid replace_if_present flag", O.permanent),
    0x55: ("ESME_RINVNUMMSGS", "invalid number of messages", O.permanent),
    0x58: ("ESME_RTHROTTLED", "throttling error, message rate exceeded", O.throttled),
    0x61: ("ESME_RINVSCHED", "invalid scheduled delivery time", O.permanent),
    0x62: ("ESME_RINVEXPIRY", "invalid validity period", O.permanent),
    0x63: ("ESME_RINVDFTMSGID", "predefined message invalid or not found", O.permanent),
    0x64: ("ESME_RX_T_APPN", "temporary application error", O.transient),
    0x65: ("ESME_RX_P_APPN", "permanent application error", O.permanent),
    0x66: ("ESME_RX_R_APPN", "message rejected", O.permanent),
    0x67: ("ESME_RQUERYFAIL", "query_sm failed", O.transient),
    0xC0: ("ESME_RINVOPTPARSTREAM", "error in the optional part of the PDU", O.permanent),
    0xC1: ("ESME_ROPTPARNOTALLWD", "optional parameter not allowed", O.permanent),
    0xC2: ("ESME_RINVPARLEN", "invalid parameter length", O.permanent),
    0xC3: ("ESME_RMISSINGOPTPARAM", "expected optional parameter missing", O.permanent),
    0xC4: ("ESME_RINVOPTPARAMVAL", "invalid optional parameter value", O.permanent),
    0xFE: ("ESME_RDELIVERYFAILURE", "delivery failure", O.transient),
    0xFF: ("ESME_RUNKNOWNERR", "unknown error", O.transient),
    # SMPP 5.0 codes some 3.4 SMSCs answer anyway.
    0x104: ("ESME_RINVDCS", "invalid data coding scheme", O.permanent),
    0x105: ("ESME_RSERTYPUNAVAIL", "service type unavailable", O.transient),
    0x106: ("ESME_RSERTYPDENIED", "service type denied", O.permanent),
}


def classify(command_status: int) -> SubmitOutcome:
    """What a submit_sm_resp status means for the sender."""
    entry = STATUSES.get(command_status)
    return entry[2] if entry else SubmitOutcome.transient


def status_reason(command_status: int) -> str:
    """The stored reason text: '0x0000000B ESME_RINVDSTADR invalid destination address'."""
    entry = STATUSES.get(command_status)
    if entry is None:
        vendor = " (vendor-specific)" if 0x400 <= command_status <= 0x4FF else ""
        return f"0x{command_status:08X} unknown status{vendor}"
    return f"0x{command_status:08X} {entry[0]} {entry[1]}"
