"""Split a text into submit_sm parts: UDH, SAR TLVs or one message_payload PDU.

Counts exactly what goes on the air: GSM septets (an escape pair is two and
never split between parts) and UCS-2 code units (a surrogate pair is never
split). Parts are packed full; shortening at word boundaries is the command
layer's job, before this.

Sizes (140 octets a part):
- one part: 160 septets / 70 code units, no UDH;
- UDH 8-bit reference (05 00 03 ref total seq, 6 octets): 153 septets / 67;
- UDH 16-bit reference (06 08 04 refhi reflo total seq, 7 octets): 152 / 66;
- SAR: the SMSC builds the header from the TLVs, so the bodies keep the
  same room (153/67, or 152/66 when ``ref16``: an SMSC may put a 16-bit
  reference in a 16-bit header);
- payload: one PDU carrying the whole text in ``message_payload``; a text
  that fits one part still goes in short_message, which every SMSC takes.
"""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field

from outbox import gsm

GSM, UCS2 = "gsm", "ucs2"
ENCODINGS = (GSM, UCS2)
CONCAT_MODES = ("udh", "sar", "payload")
DATA_CODING = {GSM: 0x00, UCS2: 0x08}
ESM_UDHI = 0x40
MAX_PARTS = 255                    # the total is one octet in the UDH and in sar_total_segments

SINGLE = {GSM: 160, UCS2: 70}      # units in a part without UDH
MULTI = {(GSM, False): 153, (GSM, True): 152, (UCS2, False): 67, (UCS2, True): 66}


class SegmentError(ValueError):
    """A text cannot be segmented as asked (``reason`` says why)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Segment:
    """One part as submit_sm carries it (short_message already includes any UDH)."""

    seq: int                       # 1-based
    total: int
    short_message: bytes
    data_coding: int
    esm_class: int = 0
    optional: dict = field(default_factory=dict)   # smpplib optional parameter names


def _check(encoding: str, concat: str) -> None:
    if encoding not in ENCODINGS:
        raise SegmentError(f"unknown encoding {encoding!r}, expected one of {ENCODINGS}")
    if concat not in CONCAT_MODES:
        raise SegmentError(f"unknown concat mode {concat!r}, expected one of {CONCAT_MODES}")


def _units(text: str, encoding: str) -> list[bytes]:
    """The text as indivisible units: one GSM character (1-2 septets) or UCS-2 code point (2 or 4 octets)."""
    text = unicodedata.normalize("NFC", text)   # identity on GSM text; composes a decomposed é
    if encoding == GSM:
        return [gsm.encode(ch) for ch in text]
    return [ch.encode("utf-16-be") for ch in text]


def _size(unit: bytes, encoding: str) -> int:
    """Septets (GSM) or UTF-16 code units (UCS-2) of one unit."""
    return len(unit) if encoding == GSM else len(unit) // 2


def _chunks(units: list[bytes], encoding: str, room: int) -> list[bytes]:
    """Greedy packing: a unit that does not fit whole starts the next chunk."""
    chunks: list[bytes] = []
    current, used = bytearray(), 0
    for unit in units:
        size = _size(unit, encoding)
        if used + size > room:
            chunks.append(bytes(current))
            current, used = bytearray(), 0
        current += unit
        used += size
    chunks.append(bytes(current))
    return chunks


def _split(text: str, encoding: str, ref16: bool) -> list[bytes]:
    """The encoded bodies of the parts (no header), for a handset-side split."""
    if encoding == GSM and gsm.is_portable(text):
        # The common case (unaccented replies and digests): one septet a character, the same byte as in
        # ASCII, no escape pair to keep whole, already NFC: the cuts are plain arithmetic.
        data = text.encode("ascii")
        if len(data) <= SINGLE[GSM]:
            return [data]
        room = MULTI[(GSM, ref16)]
        return [data[i:i + room] for i in range(0, len(data), room)]
    units = _units(text, encoding)
    total = sum(_size(u, encoding) for u in units)
    if total <= SINGLE[encoding]:
        return [b"".join(units)]
    return _chunks(units, encoding, MULTI[(encoding, ref16)])


def count_parts(text: str, encoding: str, ref16: bool = False) -> int:
    """How many parts the handset receives for ``text`` (payload mode included: the SMSC splits it)."""
    _check(encoding, "udh")
    return len(_split(text, encoding, ref16))


def udh(ref: int, total: int, seq: int, ref16: bool = False) -> bytes:
    """The concatenation User Data Header (IEI 00 8-bit or 08 16-bit reference)."""
    if ref16:
        return bytes((0x06, 0x08, 0x04, ref >> 8, ref & 0xFF, total, seq))
    return bytes((0x05, 0x00, 0x03, ref, total, seq))


def segment(text: str, encoding: str, concat: str, ref: int, ref16: bool = False) -> list[Segment]:
    """The submit_sm parts of ``text`` in order; ``ref`` is the concatenation reference."""
    _check(encoding, concat)
    limit = 0xFFFF if ref16 or concat == "sar" else 0xFF
    if not 0 <= ref <= limit:
        raise SegmentError(f"concatenation reference {ref} outside 0..{limit}")
    dcs = DATA_CODING[encoding]
    bodies = _split(text, encoding, ref16)
    total = len(bodies)
    if total == 1:
        return [Segment(1, 1, bodies[0], dcs)]
    if concat == "payload":
        return [Segment(1, 1, b"", dcs, optional={"message_payload": b"".join(bodies)})]
    if total > MAX_PARTS:
        raise SegmentError(f"{total} parts needed, at most {MAX_PARTS} can be concatenated")
    if concat == "sar":
        return [Segment(seq, total, body, dcs, optional={
            "sar_msg_ref_num": ref, "sar_total_segments": total, "sar_segment_seqnum": seq})
            for seq, body in enumerate(bodies, 1)]
    return [Segment(seq, total, udh(ref, total, seq, ref16) + body, dcs, esm_class=ESM_UDHI)
            for seq, body in enumerate(bodies, 1)]


def _body(part: Segment) -> bytes:
    if part.optional.get("message_payload"):
        return part.optional["message_payload"]
    data = part.short_message
    if part.esm_class & ESM_UDHI:
        return data[1 + data[0]:]
    return data


def _decode(data: bytes, data_coding: int) -> str:
    if data_coding == DATA_CODING[UCS2]:
        return data.decode("utf-16-be")
    return gsm.decode(data)


def reassemble(segments: list[Segment]) -> str:
    """The text a handset shows for ``segments`` (parts joined in seq order)."""
    if not segments:
        raise SegmentError("nothing to reassemble")
    ordered = sorted(segments, key=lambda s: s.seq)
    if [s.seq for s in ordered] != list(range(1, ordered[0].total + 1)):
        raise SegmentError(f"parts {[s.seq for s in ordered]} of {ordered[0].total} are not complete")
    # Join bodies before decoding: that is what a handset does, and it is what
    # proves no escape pair or surrogate pair was split.
    return _decode(b"".join(_body(s) for s in ordered), ordered[0].data_coding)


class ConcatRefs:
    """Per-destination concatenation references, shared by every worker through Redis.

    Consecutive long messages to one phone get different references, so the
    handset never mixes their parts. 0 is skipped: some handsets and SMSCs
    read reference 0 as "no reference".
    """

    TTL = 86400                    # a phone's counter lives a day after its last long message

    def __init__(self, redis, prefix: str):
        self.redis = redis
        self.prefix = prefix

    def next(self, phone: str, ref16: bool = False) -> int:
        """The next reference for ``phone``: 1..255, or 1..65535 when ``ref16``."""
        from redis.exceptions import RedisError      # loaded with the client already; not at import (170 ms)
        key = f"{self.prefix}ref:{phone}"
        span = 0xFFFF if ref16 else 0xFF
        try:
            pipe = self.redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.TTL)
            counter = pipe.execute()[0]
        except RedisError:
            # Redis is down: a random reference (what smpplib does) keeps the text going; two long
            # texts to one phone in the same minutes rarely draw the same one.
            return secrets.randbelow(span) + 1
        return (counter - 1) % span + 1
