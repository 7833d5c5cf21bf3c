"""Message ids and delivery receipts: the text form and the TLVs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .behaviour import Behaviour, IdFormat

ESM_RECEIPT = 0x04

TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_NETWORK_ERROR_CODE = 0x0423
TLV_MESSAGE_STATE = 0x0427

# SMPP 3.4 §5.2.28 message_state values.
MESSAGE_STATE = {"ENROUTE": 1, "DELIVRD": 2, "EXPIRED": 3, "DELETED": 4, "UNDELIV": 5,
                 "ACCEPTD": 6, "UNKNOWN": 7, "REJECTD": 8}
NETWORK_TYPE_GSM = 3


def format_id(number: int, base: IdFormat, width: int) -> str:
    """``number`` as a message id in ``base``, zero-padded to ``width``."""
    text = f"{number:X}" if base == IdFormat.HEX else str(number)
    return text.rjust(width, "0")


def submit_id(number: int, b: Behaviour) -> str:
    """The message_id put in the submit_sm_resp."""
    return format_id(number, b.id_format, b.id_width)


def receipt_id(number: int, b: Behaviour) -> str:
    """The id a receipt carries (maybe in the other base than the response's)."""
    width = b.id_width if b.receipt_id_width is None else b.receipt_id_width
    return format_id(number, b.effective_receipt_id_format, width)


@dataclass(frozen=True)
class Receipt:
    """One deliver_sm a receipt becomes."""

    source_addr: str
    source_addr_ton: int
    source_addr_npi: int
    destination_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    short_message: bytes
    tlvs: tuple[tuple[int, bytes], ...]
    message_id: str
    state: str
    esm_class: int = ESM_RECEIPT


def receipt_text(rid: str, state: str, err: int, submitted: datetime, done: datetime, text: str) -> str:
    """The de-facto standard receipt text (SMPP 3.4 Appendix B)."""
    delivered = "001" if state == "DELIVRD" else "000"
    return (f"id:{rid} sub:001 dlvrd:{delivered} submit date:{submitted:%y%m%d%H%M} "
            f"done date:{done:%y%m%d%H%M} stat:{state} err:{err:03d} text:{text[:20]}")


def build(submit: dict, state: str, b: Behaviour, number: int, done: datetime) -> Receipt:
    """The receipt reporting ``state`` for the submit record ``submit``."""
    rid = receipt_id(number, b)
    err = int(b.error_codes.get(state, 0))
    want_text = b.receipt_form.value in ("both", "text")
    want_tlv = b.receipt_form.value in ("both", "tlv")
    # Receipt text is ASCII on real SMSCs: anything else reads as '?'.
    sample = submit.get("text", "").encode("ascii", errors="replace").decode("ascii")
    body = receipt_text(rid, state, err, submit["received_at_dt"], done, sample).encode("ascii") if want_text else b""
    tlvs: tuple = ()
    if want_tlv:
        tlvs = ((TLV_RECEIPTED_MESSAGE_ID, rid.encode("ascii") + b"\0"),
                (TLV_MESSAGE_STATE, bytes((MESSAGE_STATE[state],))),
                (TLV_NETWORK_ERROR_CODE, bytes((NETWORK_TYPE_GSM,)) + err.to_bytes(2, "big")))
    return Receipt(source_addr=submit["destination_addr"], source_addr_ton=submit["dest_addr_ton"],
                   source_addr_npi=submit["dest_addr_npi"], destination_addr=submit["source_addr"],
                   dest_addr_ton=submit["source_addr_ton"], dest_addr_npi=submit["source_addr_npi"],
                   short_message=body, tlvs=tlvs, message_id=rid, state=state)


def wanted(registered_delivery: int, final_state: str) -> bool:
    """Whether registered_delivery asks for a receipt of this outcome (1 = always, 2 = failures only)."""
    mode = registered_delivery & 0x03
    return mode == 1 or (mode == 2 and final_state != "DELIVRD")
