"""Everything about the simulated SMSC that a test or a person can change.

One frozen dataclass; `Simulator.configure(**changes)` swaps in a new one at
run time, so the server always reads a consistent set of settings.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum

from .errors import SimConfigError


class FinalState(str, Enum):
    """Final states a receipt can report (the `stat:` word)."""

    DELIVRD = "DELIVRD"
    UNDELIV = "UNDELIV"
    EXPIRED = "EXPIRED"
    REJECTD = "REJECTD"


class IntermediateState(str, Enum):
    """Non-final states some SMSCs report before the final receipt."""

    ACCEPTD = "ACCEPTD"
    ENROUTE = "ENROUTE"


class ReceiptForm(str, Enum):
    """How a receipt carries its data: TLVs and text, text only, TLVs only."""

    BOTH = "both"
    TEXT = "text"
    TLV = "tlv"


class IdFormat(str, Enum):
    """Base of message ids: hexadecimal (upper case) or decimal."""

    HEX = "hex"
    DEC = "dec"


class ReceiptRouting(str, Enum):
    """Which receiving bind gets a receipt: the submitting one when it can receive, or rotate."""

    SAME = "same"
    ROUND_ROBIN = "round_robin"


@dataclass(frozen=True)
class Behaviour:
    """The simulated SMSC's settings (all may change at run time)."""

    system_id: str | None = None        # accepted system_id; None = any
    password: str | None = None         # accepted password; None = any
    max_binds: int = 0                  # binds per system_id; 0 = unlimited
    id_format: IdFormat = IdFormat.HEX  # submit_sm_resp message_id base
    id_width: int = 0                   # zero-pad ids to this many digits; 0 = none
    id_start: int = 0x2A3B0000          # first message id (a hex id with letters in it)
    receipt_id_format: IdFormat | None = None  # id base in receipts; None = same as id_format
    receipt_id_width: int | None = None        # None = same as id_width
    receipt_delay: float = 0.05         # seconds from submit to the final receipt
    final_state: FinalState = FinalState.DELIVRD
    final_state_by_dest: dict = field(default_factory=dict)  # destination digits -> FinalState
    error_codes: dict = field(default_factory=lambda: {
        "DELIVRD": 0, "UNDELIV": 1, "EXPIRED": 27, "REJECTD": 11})  # err: / network_error_code
    receipt_form: ReceiptForm = ReceiptForm.BOTH
    intermediate: tuple = ()            # e.g. ("ACCEPTD", "ENROUTE") sent before the final one
    receipt_copies: int = 1             # 2 = every receipt is sent twice
    out_of_order: int = 0               # reverse receipts in groups of this size (0/1 = in order)
    receipt_before_resp: bool = False   # send the final receipt before the submit_sm_resp
    receipt_routing: ReceiptRouting = ReceiptRouting.SAME
    receipt_retry_delay: float = 1.0    # when no receiver is bound or the ESME refuses a receipt
    response_timeout: float = 10.0      # seconds to wait for a deliver_sm_resp (smpp34 waits forever)
    tps: float = 0                      # accepted submit_sm per second per system_id; 0 = no limit
    throttle_status: int = 0x58         # ESME_RTHROTTLED; some SMSCs answer 0x14 ESME_RMSGQFUL
    queue_full_probability: float = 0.0  # answer ESME_RMSGQFUL at random with this probability
    submit_status_by_dest: dict = field(default_factory=dict)  # destination digits -> command_status
    seed: int = 1                       # seeds the RNG behind random answers and references
    shortcode: str = "8085"             # destination of MO messages
    refuse_binds_for: float = 0.0       # after a drop, refuse binds for this many seconds

    def __post_init__(self):
        coerce = {"id_format": IdFormat, "final_state": FinalState, "receipt_form": ReceiptForm,
                  "receipt_routing": ReceiptRouting}
        for key, enum in coerce.items():
            _set(self, key, _enum(key, enum, getattr(self, key)))
        if self.receipt_id_format is not None:
            _set(self, "receipt_id_format", _enum("receipt_id_format", IdFormat, self.receipt_id_format))
        _set(self, "intermediate", tuple(_enum("intermediate", IntermediateState, s)
                                         for s in (self.intermediate or ())))
        _set(self, "final_state_by_dest", {canonical_phone(k): _enum("final_state_by_dest", FinalState, v)
                                           for k, v in dict(self.final_state_by_dest).items()})
        _set(self, "submit_status_by_dest", {canonical_phone(k): int(v)
                                             for k, v in dict(self.submit_status_by_dest).items()})
        for key in ("receipt_delay", "tps", "receipt_retry_delay", "refuse_binds_for", "response_timeout"):
            if float(getattr(self, key)) < 0:
                raise SimConfigError(key, "must not be negative")
        if not 0.0 <= float(self.queue_full_probability) <= 1.0:
            raise SimConfigError("queue_full_probability", "must be between 0 and 1")
        if self.receipt_copies < 1:
            raise SimConfigError("receipt_copies", "must be at least 1")

    @property
    def effective_receipt_id_format(self) -> IdFormat:
        """The id base receipts use."""
        return self.receipt_id_format or self.id_format

    def final_state_for(self, destination: str) -> FinalState:
        """The final state a message to ``destination`` ends in."""
        return self.final_state_by_dest.get(canonical_phone(destination), self.final_state)

    def to_dict(self) -> dict:
        """JSON-friendly form (enums as their values)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Enum):
                v = v.value
            elif isinstance(v, tuple):
                v = [x.value if isinstance(x, Enum) else x for x in v]
            elif isinstance(v, dict):
                v = {k: (x.value if isinstance(x, Enum) else x) for k, x in v.items()}
            out[f.name] = v
        return out

    def replace(self, **changes) -> "Behaviour":
        """A copy with ``changes``; unknown keys raise SimConfigError."""
        names = {f.name for f in dataclasses.fields(self)}
        for key in changes:
            if key not in names:
                raise SimConfigError(key, f"unknown setting; known: {', '.join(sorted(names))}")
        try:
            return dataclasses.replace(self, **changes)
        except (TypeError, ValueError) as e:
            if isinstance(e, SimConfigError):
                raise
            raise SimConfigError(",".join(changes), str(e)) from e


def _set(obj, key, value):
    object.__setattr__(obj, key, value)


def _enum(key: str, enum: type[Enum], value):
    try:
        return enum(value.value if isinstance(value, Enum) else value)
    except ValueError as e:
        raise SimConfigError(key, f"{value!r} is not one of {[m.value for m in enum]}") from e


def canonical_phone(number: str) -> str:
    """Digits of a Vietnamese number in international form: 0912345678, +84912345678 -> 84912345678."""
    d = "".join(ch for ch in str(number) if ch.isdigit())
    if str(number).strip().startswith("+"):
        return d
    if d.startswith("0"):
        return "84" + d[1:]
    if len(d) == 9:
        return "84" + d
    return d
