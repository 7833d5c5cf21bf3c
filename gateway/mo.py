"""Inbound MO: decode a deliver_sm's text and reassemble concatenated parts.

``decode_part(deliver, default_alphabet)`` reads one PDU (data_coding, UDH,
SAR TLVs). The gateway joins parts durably in SQLite (``store.messaging.mo_parts``,
``joined()`` here decodes the result); ``Reassembler`` is the same rule in
memory, for tools and tests that have no database: ``add(part)`` returns the
whole ``InboundMo`` once every part is in. Parts keep their raw user data and the message is decoded
once, joined: an escape or a surrogate pair split across parts still reads.

Timeout policy: an incomplete message is *not* dropped. After ``timeout``
seconds ``Reassembler.expire()`` returns what arrived, in part order, with
``complete=False`` — a parent's command or a note to the teacher is better
answered from most of its text than lost; the router may still refuse it.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from gateway import Deliver
from outbox import gsm

UDHI = 0x40
IE_CONCAT_8 = 0x00
IE_CONCAT_16 = 0x08

# SMPP 3.4 data_coding 0-15 (5.2.19); 0 is whatever the SMSC's default is.
_SMPP_CODECS = {1: "ascii", 3: "latin-1", 5: "shift_jis", 6: "iso8859_5", 7: "iso8859_8",
                8: "utf-16-be", 10: "iso2022_jp", 13: "shift_jis", 14: "euc_kr"}
_DEFAULT_CODECS = {"gsm": "gsm", "ascii": "ascii", "latin1": "latin-1"}


@dataclass(frozen=True)
class Concat:
    """Where one part sits in a concatenated message."""

    ref: int
    total: int
    seq: int
    scheme: str         # "udh8", "udh16" or "sar"


@dataclass(frozen=True)
class MoPart:
    """One deliver_sm's user data, UDH stripped, not yet decoded."""

    connection: str
    source_addr: str
    source_ton: int
    source_npi: int
    dest_addr: str
    data_coding: int
    codec: str | None   # None: binary (no text)
    payload: bytes
    concat: Concat | None = None


@dataclass(frozen=True)
class InboundMo:
    """A whole inbound message, ready for the inbox."""

    connection: str
    source_addr: str
    source_ton: int
    source_npi: int
    dest_addr: str
    text: str
    data_coding: int
    is_binary: bool
    concat_ref: int | None = None
    concat_total: int = 1
    parts_received: int = 1
    complete: bool = True
    fingerprint: str = ""      # same source, text and reference: the re-delivery rule


def codec_for(data_coding: int, default_alphabet: str = "gsm") -> str | None:
    """The text codec of a data_coding value; None when the data is binary."""
    if data_coding == 0:
        return _DEFAULT_CODECS[default_alphabet]
    if data_coding < 0x10:
        return _SMPP_CODECS.get(data_coding)          # 2, 4 (8-bit data), 9 pictogram ...: binary
    group = data_coding & 0xF0
    if group < 0x40:                                   # GSM general data coding, 00xx
        if data_coding & 0x20:                         # compressed: we cannot read it
            return None
        return {0: "gsm", 2: "utf-16-be"}.get((data_coding >> 2) & 0x03)
    if group in (0xC0, 0xD0):                          # message waiting, GSM 7-bit
        return "gsm"
    if group == 0xE0:                                  # message waiting, UCS-2
        return "utf-16-be"
    if group == 0xF0:                                  # data coding / message class
        return None if data_coding & 0x04 else "gsm"
    return None


def decode_text(payload: bytes, codec: str | None) -> str:
    """Text of ``payload`` in ``codec``; never raises (bad bytes become U+FFFD)."""
    if codec is None:
        return ""
    if codec == "gsm":
        return gsm.decode(payload)
    return payload.decode(codec, "replace")


def split_udh(data: bytes) -> tuple[Concat | None, bytes]:
    """Concatenation info from a UDH (IE 0x00 / 0x08; others skipped) and the data after it."""
    if not data:
        return None, data
    udhl = data[0]
    header, body = data[1:1 + udhl], data[1 + udhl:]
    concat = None
    i = 0
    while i + 2 <= len(header):
        iei, iel = header[i], header[i + 1]
        ie = header[i + 2:i + 2 + iel]
        if len(ie) < iel:
            break       # truncated header: keep what we found so far
        if iei == IE_CONCAT_8 and iel == 3:
            concat = Concat(ie[0], ie[1], ie[2], "udh8")
        elif iei == IE_CONCAT_16 and iel == 4:
            concat = Concat(int.from_bytes(ie[:2], "big"), ie[2], ie[3], "udh16")
        i += 2 + iel
    if concat is not None and not 1 <= concat.seq <= concat.total:
        concat = None   # nonsense numbering: read the part on its own
    return concat, body


def decode_part(deliver: Deliver, default_alphabet: str = "gsm") -> MoPart:
    """One MO deliver_sm as a MoPart (UDH stripped, SAR TLVs read)."""
    data = deliver.user_data
    concat = None
    if deliver.esm_class & UDHI:
        concat, data = split_udh(data)
    tlvs = deliver.tlvs
    if concat is None and "sar_msg_ref_num" in tlvs:
        total, seq = tlvs.get("sar_total_segments") or 1, tlvs.get("sar_segment_seqnum") or 1
        if 1 <= seq <= total:
            concat = Concat(tlvs["sar_msg_ref_num"], total, seq, "sar")
    if concat is not None and concat.total == 1:
        concat = None
    return MoPart(connection=deliver.connection, source_addr=deliver.source_addr,
                  source_ton=deliver.source_ton, source_npi=deliver.source_npi,
                  dest_addr=deliver.dest_addr, data_coding=deliver.data_coding,
                  codec=codec_for(deliver.data_coding, default_alphabet), payload=data, concat=concat)


def fingerprint(connection: str, source_addr: str, text: str, ref: int | None) -> str:
    """Identity of an MO for the re-delivery rule: same source, text and reference."""
    key = "\x1f".join((connection, source_addr, "" if ref is None else str(ref), text))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _message(parts: list[MoPart], total: int, complete: bool) -> InboundMo:
    first = parts[0]
    text = decode_text(b"".join(p.payload for p in parts), first.codec)
    ref = first.concat.ref if first.concat else None
    return InboundMo(connection=first.connection, source_addr=first.source_addr,
                     source_ton=first.source_ton, source_npi=first.source_npi, dest_addr=first.dest_addr,
                     text=text, data_coding=first.data_coding, is_binary=first.codec is None,
                     concat_ref=ref, concat_total=total, parts_received=len(parts), complete=complete,
                     fingerprint=fingerprint(first.connection, first.source_addr, text, ref))


def whole(part: MoPart) -> InboundMo:
    """A single-part MO as a message."""
    return _message([part], 1, True)


def joined(group) -> InboundMo:
    """A text joined from stored parts (store.messaging.mo_parts.Joined)."""
    text = decode_text(group.payload, group.codec)
    return InboundMo(connection=group.connection, source_addr=group.source_addr, source_ton=group.source_ton,
                     source_npi=0, dest_addr="", text=text, data_coding=group.data_coding,
                     is_binary=group.codec is None, concat_ref=group.ref, concat_total=group.total,
                     parts_received=group.parts_received, complete=group.complete,
                     fingerprint=fingerprint(group.connection, group.source_addr, text, group.ref))


@dataclass
class _Group:
    parts: dict            # seq -> MoPart
    total: int
    started: float


class Reassembler:
    """Joins concatenated MO parts; thread-safe (receipts and MO arrive on several binds)."""

    def __init__(self, timeout: float = 120.0, clock=time.monotonic):
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._open: dict[tuple, _Group] = {}
        self._done: dict[tuple, tuple[float, dict]] = {}     # recently completed: seq -> payload

    def add(self, part: MoPart) -> InboundMo | None:
        """Take one part; the whole message once its last part is in, else None."""
        if part.concat is None:
            return _message([part], 1, True)
        c = part.concat
        key = (part.connection, part.source_addr, c.ref, c.total)
        now = self._clock()
        with self._lock:
            done = self._done.get(key)
            if done is not None:
                if done[1].get(c.seq) == part.payload:
                    return None             # a re-sent part of a message already handed on
                del self._done[key]         # same ref reused for a new message
            group = self._open.setdefault(key, _Group({}, c.total, now))
            if c.seq in group.parts:
                return None                 # duplicate part: the first copy wins
            group.parts[c.seq] = part
            if len(group.parts) < group.total:
                return None
            del self._open[key]
            self._done[key] = (now, {seq: p.payload for seq, p in group.parts.items()})
        return _message([group.parts[s] for s in sorted(group.parts)], group.total, True)

    def expire(self, now: float | None = None) -> list[InboundMo]:
        """Give up groups older than ``timeout``: what arrived, marked incomplete."""
        now = self._clock() if now is None else now
        out = []
        with self._lock:
            for key, group in list(self._open.items()):
                if now - group.started >= self.timeout:
                    del self._open[key]
                    out.append(_message([group.parts[s] for s in sorted(group.parts)], group.total, False))
            for key, (finished, _) in list(self._done.items()):
                if now - finished >= self.timeout:
                    del self._done[key]
        return out

    def pending(self) -> int:
        """Messages waiting for parts."""
        with self._lock:
            return len(self._open)

