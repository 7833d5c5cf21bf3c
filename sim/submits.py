"""One submit_sm as the simulator's log records it.

The smpp34 event carries the fields it parsed; the ones it drops (sequence
number, priority, schedule and validity) come from the raw PDU the front door
kept, paired by `submit_key`. Long messages are split into body and
concatenation info (UDH or SAR TLVs).
"""
from __future__ import annotations

from datetime import datetime, timezone

import smpp34

from . import concat
from .front import submit_key


def _now() -> datetime:
    return datetime.now(timezone.utc)


def record(ev: smpp34.SubmitSmEvent, session, index: int) -> dict:
    """The log entry for ``ev`` (the ``index``-th submit), status and message id still unset; ``session`` is
    the sim.core Session it came on (None when unknown)."""
    raw = None
    if session and session.conn:
        raw = session.conn.take_submit(submit_key(ev.destination_addr, ev.short_message, ev.esm_class,
                                                   ev.data_coding, ev.registered_delivery, ev.tlvs))
    tlvs = {t.tag: bytes(t.value) for t in ev.tlvs}
    short_message = bytes(ev.short_message)
    if not short_message and concat.TLV_MESSAGE_PAYLOAD in tlvs:
        short_message = tlvs[concat.TLV_MESSAGE_PAYLOAD]
    body, info = concat.split_udh(short_message, ev.esm_class)
    info = info or concat.sar_info(tlvs)
    received = _now()
    return {
        "index": index, "session_id": ev.session_id,
        "system_id": session.system_id if session else None,
        "bind": session.describe()["bind"] if session else None,
        "sequence": raw.sequence_number if raw else None,
        "service_type": ev.service_type,
        "source_addr": ev.source_addr, "source_addr_ton": ev.source_addr_ton,
        "source_addr_npi": ev.source_addr_npi,
        "destination_addr": ev.destination_addr, "dest_addr_ton": ev.dest_addr_ton,
        "dest_addr_npi": ev.dest_addr_npi,
        "esm_class": ev.esm_class, "protocol_id": ev.protocol_id,
        "priority_flag": raw.priority_flag if raw else None,
        "schedule_delivery_time": raw.schedule_delivery_time if raw else None,
        "validity_period": raw.validity_period if raw else None,
        "registered_delivery": ev.registered_delivery,
        "replace_if_present_flag": raw.replace_if_present_flag if raw else None,
        "data_coding": ev.data_coding, "short_message": short_message, "body": body,
        "text": concat.decode_body(body, ev.data_coding),
        "concat": {"kind": info.kind, "ref": info.ref, "total": info.total, "seq": info.seq} if info else None,
        "tlvs": tlvs, "received_at": received.isoformat(timespec="milliseconds"),
        "received_at_dt": received, "status": None, "message_id": None,
    }
