"""Delivery receipts: tell them from MO, read them, and canonicalise message ids.

``classify(deliver)`` decides receipt vs MO (esm_class message type first,
then a receipted_message_id / message_state TLV, then text that looks like
``id:... stat:...``); a receipt never reaches the command parser.
``parse_receipt(deliver, fmt)`` prefers the TLVs and falls back to the text
form, leniently (any case, missing fields, truncated text).

Canonical ids — the same function of both sides, per ``receipt_id_format``:

* ``same``: ids made only of hex digits are read as numbers written in hex:
  lower-case, leading zeros dropped (``0001A2`` and ``1a2`` match; a decimal
  ``000123`` becomes ``123``, which reads the same). Other ids (UUIDs,
  ``msg-17``) are kept as sent, only trimmed: their case may matter.
* ``hex_to_dec`` (response hex, receipt decimal) and ``dec_to_hex`` (the
  reverse): both sides become the decimal number without leading zeros. An
  id that does not parse in its expected base falls back to ``same``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import Enum

from gateway import Deliver, GatewayError

logger = logging.getLogger(__name__)

MESSAGE_TYPE_MASK = 0x3C        # esm_class bits 5-2 in a deliver_sm
SMSC_DELIVERY_RECEIPT = 0x04
SME_DELIVERY_ACK = 0x08
SME_MANUAL_ACK = 0x10
CONVERSATION_ABORT = 0x18
INTERMEDIATE_NOTIFICATION = 0x20

# message_state TLV values (SMPP 3.4, 5.2.28) as the text form spells them
MESSAGE_STATES = {1: "ENROUTE", 2: "DELIVRD", 3: "EXPIRED", 4: "DELETED", 5: "UNDELIV",
                  6: "ACCEPTD", 7: "UNKNOWN", 8: "REJECTD", 9: "SKIPPED"}
# long spellings some SMSCs write in the text form
_STAT_ALIASES = {"DELIVERED": "DELIVRD", "DELIVER": "DELIVRD", "UNDELIVERABLE": "UNDELIV",
                 "UNDELIVERED": "UNDELIV", "ACCEPTED": "ACCEPTD", "REJECTED": "REJECTD",
                 "EXPIRE": "EXPIRED", "DELETE": "DELETED", "FAILED": "UNDELIV", "ENROUTED": "ENROUTE"}
INTERMEDIATE_STATS = frozenset({"ENROUTE", "ACCEPTD"})
FORMATS = ("same", "hex_to_dec", "dec_to_hex")

_ID = re.compile(r"(?<![A-Za-z0-9_])id\s*:\s*([^\s\x00]+)", re.I)
_STAT = re.compile(r"\bstat\s*:\s*([A-Za-z_]+)", re.I)
_FIELDS = {name: re.compile(pattern, re.I) for name, pattern in {
    "sub": r"\bsub\s*:\s*(\w+)",
    "dlvrd": r"\bdlvrd\s*:\s*(\w+)",
    "submit_date": r"\bsubmit[ _]?date\s*:\s*(\d+)",
    "done_date": r"\bdone[ _]?date\s*:\s*(\d+)",
    "err": r"\berr\s*:\s*(\w+)",
}.items()}
_TEXT = re.compile(r"\btext\s*:(.*)\Z", re.I | re.S)
_LOOKS_LIKE_RECEIPT = re.compile(r"^\s*id\s*:\s*\S+.*\b(stat|sub|dlvrd|done\s*date)\s*:", re.I | re.S)
_HEX = re.compile(r"[0-9A-Fa-f]+")
_DEC = re.compile(r"[0-9]+")


class DeliverKind(str, Enum):
    MO = "mo"
    RECEIPT = "receipt"


class ReceiptParseError(GatewayError):
    """A deliver_sm classified as a receipt carries no message id (``text`` is what it said)."""

    def __init__(self, connection: str, text: str):
        self.connection = connection
        self.text = text
        super().__init__(f"receipt on {connection} without a message id: {text[:80]!r}")


@dataclass(frozen=True)
class Receipt:
    """One delivery receipt or intermediate notification."""

    connection: str
    message_id: str                 # canonical: compare with canonical_submit_id()
    raw_id: str
    stat: str                       # DELIVRD, UNDELIV, EXPIRED, ACCEPTD, ENROUTE, ... ("" if unknown)
    err: str | None = None
    message_state: int | None = None
    network_error_code: str | None = None   # hex of the TLV: type, then 2-byte code
    intermediate: bool = False       # a notification, not a final outcome
    submit_date: str | None = None
    done_date: str | None = None
    text: str = ""

    @property
    def is_final(self) -> bool:
        """Whether this receipt settles the message (intermediate states never overwrite final ones)."""
        return bool(self.stat) and not self.intermediate and self.stat not in INTERMEDIATE_STATS


def receipt_text(deliver: Deliver) -> str:
    """The user data of a receipt as text (receipts are ASCII; never raises)."""
    return deliver.user_data.decode("latin-1").replace("\x00", " ").strip()


def classify(deliver: Deliver) -> DeliverKind:
    """Receipt or MO: esm_class message type, then TLVs, then the text form."""
    if deliver.esm_class & MESSAGE_TYPE_MASK:
        return DeliverKind.RECEIPT
    if "receipted_message_id" in deliver.tlvs or "message_state" in deliver.tlvs:
        return DeliverKind.RECEIPT
    if deliver.data_coding in (0, 1, 3) and _LOOKS_LIKE_RECEIPT.match(receipt_text(deliver)):
        return DeliverKind.RECEIPT
    return DeliverKind.MO


def normalise_stat(value: str) -> str:
    """A receipt state in the 7-letter text spelling (DELIVRD, UNDELIV, ...)."""
    stat = value.strip().upper()
    return _STAT_ALIASES.get(stat, stat)


# The de-facto text form exactly as most SMSCs write it (lower case, one space, every field): read with one
# match. Each group takes what the lenient patterns below would take at that place, and an id without a colon
# cannot hold an earlier "name:" for them to find first, so both readings agree (a test compares them).
_CANONICAL = re.compile(r"id:([^\s\x00:]+) sub:(\w+) dlvrd:(\w+) submit date:(\d+) done date:(\d+) "
                        r"stat:([A-Za-z_]+) err:(\w+) text:(.*)\Z", re.S)


def parse_text(text: str) -> dict:
    """The fields of the text form ``id:.. sub:.. dlvrd:.. submit date:.. done date:.. stat:.. err:.. text:..``."""
    canonical = _CANONICAL.match(text)
    if canonical is not None:
        rid, sub, dlvrd, submit_date, done_date, stat, err, rest = canonical.groups()
        return {"id": rid, "stat": normalise_stat(stat), "sub": sub, "dlvrd": dlvrd, "submit_date": submit_date,
                "done_date": done_date, "err": err, "text": rest}
    return parse_text_leniently(text)


def parse_text_leniently(text: str) -> dict:
    """parse_text for any spelling: each field found wherever it is, in any case, missing ones left out."""
    fields: dict = {}
    found = _ID.search(text)
    if found:
        fields["id"] = found.group(1)
    found = _STAT.search(text)
    if found:
        fields["stat"] = normalise_stat(found.group(1))
    for name, pattern in _FIELDS.items():
        found = pattern.search(text)
        if found:
            fields[name] = found.group(1)
    found = _TEXT.search(text)
    if found:
        fields["text"] = found.group(1)
    return fields


def parse_receipt(deliver: Deliver, fmt: str = "same") -> Receipt:
    """Read a receipt deliver_sm: TLVs preferred, the text form as fallback."""
    text = receipt_text(deliver)
    fields = parse_text(text)
    tlvs = deliver.tlvs
    raw_id = str(tlvs.get("receipted_message_id") or "").strip() or fields.get("id", "")
    if not raw_id:
        raise ReceiptParseError(deliver.connection, text)
    state = tlvs.get("message_state")
    stat = MESSAGE_STATES.get(state, "") if isinstance(state, int) else ""
    stat = stat or fields.get("stat", "")
    nec = tlvs.get("network_error_code")
    mtype = deliver.esm_class & MESSAGE_TYPE_MASK
    return Receipt(connection=deliver.connection, message_id=canonical_receipt_id(raw_id, fmt), raw_id=raw_id,
                   stat=stat, err=fields.get("err"), message_state=state if isinstance(state, int) else None,
                   network_error_code=nec.hex() if isinstance(nec, bytes) else None,
                   intermediate=mtype not in (0, SMSC_DELIVERY_RECEIPT),
                   submit_date=fields.get("submit_date"), done_date=fields.get("done_date"), text=text)


def _same(raw: str) -> str:
    raw = raw.strip().strip("\x00")
    if _HEX.fullmatch(raw):
        return raw.lower().lstrip("0") or "0"
    return raw


def _as_decimal(raw: str, base: int, fmt: str) -> str:
    raw = raw.strip().strip("\x00")
    if (_HEX if base == 16 else _DEC).fullmatch(raw):
        return str(int(raw, base))
    logger.warning("message id %r is not base %d as receipt_id_format=%s says; compared as sent", raw, base, fmt)
    return _same(raw)


# Which base each side's id is in, per receipt_id_format (None = compared as sent).
_BASES = {"same": (None, None), "hex_to_dec": (16, 10), "dec_to_hex": (10, 16)}


def _canonical(raw: str, fmt: str, side: int) -> str:
    if fmt not in _BASES:
        raise ValueError(f"receipt_id_format must be one of {FORMATS}, got {fmt!r}")
    base = _BASES[fmt][side]
    return _same(raw) if base is None else _as_decimal(raw, base, fmt)


def canonical_submit_id(raw: str, fmt: str = "same") -> str:
    """The canonical form of a submit_sm_resp message_id (see the module docstring)."""
    return _canonical(raw, fmt, 0)


def canonical_receipt_id(raw: str, fmt: str = "same") -> str:
    """The canonical form of a receipt's message id; equals canonical_submit_id of its message."""
    return _canonical(raw, fmt, 1)
